#!/usr/bin/env bash
# redis-blip.sh: Redis failing under a full two-node cluster. Two Liberty nodes of this server at
# the default settings hold PEERS peers each (default 19 000: this machine allows 20 000 open files
# a process), in rooms of 10 with half of each room on each node, watched by two processes of the
# load tool's `watch` workload (ClusterWatch: no peer of those rooms leaves or joins, so every
# peer-left or peer-joined a client sees is false; relays across nodes, each delivered or answered
# with an error; a newcomer pair every half second, one on each node, timed until each sees the
# other). Then, one after the other, with the figures of each:
#   kill      every client connection of Redis killed (CLIENT KILL TYPE normal, then TYPE pubsub)
#   restart   Redis stopped and started again, empty
#   sentinel  the master of a Sentinel set-up killed (kill -9); Sentinel promotes its replica
#   cluster   a master of a Redis Cluster (3 masters, 3 replicas) killed; its replica takes over
# Readiness of both nodes is sampled every 200 ms throughout. Loopback only; bounded.
# Usage, from the project's top:
#   ./mvnw -B package liberty:create liberty:deploy        # once: the runtime and the WAR
#   src/test/bench/redis-blip.sh [kill restart sentinel cluster]
# Environment: PEERS (per node, default 19000), JVM_ARGS (each node, default -Xmx1g: the pod's heap),
#   WATCH_AFTER (seconds watched after each fault once both nodes registered again, default 20: past
#   the node TTL and a scan, when a node taken for dead would be reaped).
set -euo pipefail
cd "$(dirname "$0")/../../.."
FAULTS=${*:-kill restart sentinel cluster}
PEERS=${PEERS:-19000}
WATCH_AFTER=${WATCH_AFTER:-20}
export JVM_ARGS=${JVM_ARGS:--Xmx1g}
WLP=target/liberty/wlp
OUT=${OUT:-target/redis-blip}
A=18561
B=18562
[ -x $WLP/bin/server ] || { echo "no Liberty runtime: run ./mvnw -B package liberty:create liberty:deploy first"; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is missing (apt-get install redis-server)"; exit 1; }
rm -rf "$OUT" && mkdir -p "$OUT"
./mvnw -q -Pload test-compile >/dev/null
CP=$(./mvnw -q -Pload dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test):target/test-classes:target/classes

REDIS_PIDS=()
redis_start() { # port [args...]
  local port=$1; shift
  mkdir -p "$OUT/redis-$port"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$OUT/redis-$port" "$@" \
    >> "$OUT/redis-$port.log" 2>&1 &
  REDIS_PIDS+=($!); disown $! # killed on purpose: no job notice
  echo $! > "$OUT/redis-$port.pid"
  for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && return; sleep 0.1; done
  echo "redis on $port did not start"; exit 1
}
redis_stop() { for p in "${REDIS_PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done; REDIS_PIDS=(); sleep 0.5; }
node_start() { # name port env...
  local name=$1 port=$2; shift 2
  rm -rf $WLP/usr/servers/"$name"; mkdir -p $WLP/usr/servers/"$name"/apps
  cp server.xml $WLP/usr/servers/"$name"/; cp target/lanscape-signaling.war $WLP/usr/servers/"$name"/apps/
  env PORT="$port" SIGNALING_CLUSTER_MODE=redis SIGNALING_LOG_LEVEL=info "$@" $WLP/bin/server start "$name" >/dev/null
}
node_ready() { for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null && return; sleep 1; done; echo "node on $1 not ready"; exit 1; }
nodes_stop() { $WLP/bin/server stop blipA >/dev/null 2>&1 || true; $WLP/bin/server stop blipB >/dev/null 2>&1 || true; }
WATCHERS=()
SAMPLER=
cleanup() {
  touch "$OUT/control/stop" 2>/dev/null || true
  for w in "${WATCHERS[@]:-}"; do [ -n "$w" ] && kill "$w" 2>/dev/null || true; done
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
  nodes_stop; redis_stop
}
trap cleanup EXIT
now_ms() { date +%s%3N; }

# readiness and cluster state of both nodes, every 200 ms: "ms codeA clusterA codeB clusterB"
sample() {
  while true; do
    local line; line="$(now_ms)"
    for port in $A $B; do
      local body code
      body=$(curl -s -m 1 -w ' %{http_code}' "http://127.0.0.1:$port/health/ready" || echo " 000")
      code=${body##* }
      if [[ $body == *'"cluster":true'* ]]; then line="$line $code 1"; else line="$line $code 0"; fi
    done
    echo "$line"
    sleep 0.2
  done
}
# until both nodes are registered with Redis again (the readiness data's "cluster"), at most 180 s
await_registered() {
  local deadline=$(( $(date +%s) + 180 ))
  while [ "$(date +%s)" -lt $deadline ]; do
    local ok=0
    for port in $A $B; do curl -s -m 1 "http://127.0.0.1:$port/health/ready" | grep -q '"cluster":true' && ok=$((ok + 1)); done
    [ $ok -eq 2 ] && return 0
    sleep 0.2
  done
  echo "the nodes did not register with Redis again within 180 s"; return 1
}
metric() { # port name: the sum of the samples of a metric
  curl -s "http://127.0.0.1:$1/metrics?scope=application" | awk -v n="$2" '$1 ~ "^"n"(\\{|$)" {s += $2} END {printf "%s", s + 0}'
}

# one topology: nodes on it, the watchers filled in, then its faults one after the other
run_topology() { # label fault... ; env for the nodes in NODE_ENV
  local label=$1; shift
  rm -rf "$OUT/control" && mkdir -p "$OUT/control"
  node_start blipA $A "${NODE_ENV[@]}"
  node_start blipB $B "${NODE_ENV[@]}"
  node_ready $A; node_ready $B; await_registered
  local rooms=$((PEERS / 10))
  WATCHERS=()
  for w in 1 2; do
    java -Xss512k -Xmx3g -cp "$CP" org.lanscape.signaling.load.LoadTool watch --url ws://127.0.0.1:$A \
      --url2 ws://127.0.0.1:$B --rooms $rooms --first $(( (w - 1) * rooms )) --k 10 \
      --hosts 127.0.0.$((w * 2 - 1)),127.0.0.$((w * 2)) --control "$OUT/control" --name "$label-w$w" \
      > "$OUT/$label-w$w.jsonl" 2> "$OUT/$label-w$w.err" &
    WATCHERS+=($!)
  done
  local filled; filled=$(now_ms)
  for _ in $(seq 1 900); do
    [ -f "$OUT/control/$label-w1.ready" ] && [ -f "$OUT/control/$label-w2.ready" ] && break
    for w in "${WATCHERS[@]}"; do kill -0 "$w" 2>/dev/null || { echo "a watcher exited:"; cat "$OUT"/$label-w*.err; exit 1; }; done
    sleep 1
  done
  echo "$label: $((2 * PEERS)) peers open, every view whole, in $(( ($(now_ms) - filled) / 1000 )) s"
  sample > "$OUT/$label-ready.txt" &
  SAMPLER=$!
  sleep 10 # the steady segment: relays and pairs with Redis up, the baseline
  for port in $A $B; do curl -s "http://127.0.0.1:$port/metrics?scope=application" > "$OUT/$label-steady-$port.metrics"; done
  for fault in "$@"; do
    local resyncs0; resyncs0=$(( $(metric $A signaling_cluster_resync_seconds_count) + $(metric $B signaling_cluster_resync_seconds_count) ))
    echo "$fault" > "$OUT/control/mark"
    # the fault only once both watchers count in its segment (each says so in <name>.mark)
    for w in 1 2; do
      for _ in $(seq 1 100); do [ "$(cat "$OUT/control/$label-w$w.mark" 2>/dev/null)" = "$fault" ] && break; sleep 0.05; done
    done
    local t0; t0=$(now_ms)
    echo "$fault $t0" >> "$OUT/$label-faults.txt"
    inject "$fault"
    # the nodes saw it (they are not registered) unless it was over before a sample could tell
    sleep 1
    await_registered
    local t1; t1=$(now_ms)
    echo "  $fault: both nodes registered again $(( t1 - t0 )) ms after the fault"
    sleep "$WATCH_AFTER"
    echo "$fault-after $(now_ms)" >> "$OUT/$label-faults.txt"
    for port in $A $B; do curl -s "http://127.0.0.1:$port/metrics?scope=application" > "$OUT/$label-$fault-$port.metrics"; done
    echo "{\"fault\":\"$fault\",\"registered_ms\":$(( t1 - t0 )),\"resync_s_sum\":$(awk "BEGIN {print $(metric $A signaling_cluster_resync_seconds_sum) + $(metric $B signaling_cluster_resync_seconds_sum)}"),\"resync_entries\":$(( $(metric $A signaling_cluster_resync_entries_total) + $(metric $B signaling_cluster_resync_entries_total) )),\"view_changes\":$(( $(metric $A signaling_cluster_view_changes_total) + $(metric $B signaling_cluster_view_changes_total) )),\"resyncs_before\":$resyncs0}" >> "$OUT/$label-nodes.jsonl"
  done
  echo "end" > "$OUT/control/mark"
  touch "$OUT/control/stop"
  for w in "${WATCHERS[@]}"; do wait "$w" || true; done
  WATCHERS=()
  kill "$SAMPLER" 2>/dev/null || true; SAMPLER=
  nodes_stop; redis_stop
}

inject() {
  case "$1" in
    kill)
      redis-cli -p 16411 CLIENT KILL TYPE normal >/dev/null
      redis-cli -p 16411 CLIENT KILL TYPE pubsub >/dev/null ;;
    restart)
      redis-cli -p 16411 SHUTDOWN NOSAVE >/dev/null 2>&1 || true
      sleep 0.5
      redis_start 16411 ;;
    sentinel)
      kill -9 "$(cat "$OUT/redis-16421.pid")" ;;
    cluster)
      # the master that holds slot 0 (and with it about a third of the topics)
      local master; master=$(redis-cli -p 17101 CLUSTER NODES | awk '$3 ~ /master/ && $9 ~ /^0-/ {split($2, a, "[:@]"); print a[2]}')
      kill -9 "$(cat "$OUT/redis-$master.pid")" ;;
  esac
}

for topology in single sentinel cluster; do
  faults=()
  for f in $FAULTS; do
    case "$topology:$f" in single:kill|single:restart|sentinel:sentinel|cluster:cluster) faults+=("$f") ;; esac
  done
  [ ${#faults[@]} -eq 0 ] && continue
  case $topology in
    single)
      redis_start 16411
      NODE_ENV=(SIGNALING_REDIS_URL=redis://127.0.0.1:16411) ;;
    sentinel)
      redis_start 16421
      redis_start 16422 --replicaof 127.0.0.1 16421
      mkdir -p "$OUT/sentinel"
      printf '%s\n' "port 16423" "bind 127.0.0.1" "dir $OUT/sentinel" "sentinel monitor signaling 127.0.0.1 16421 1" \
        "sentinel down-after-milliseconds signaling 1000" "sentinel failover-timeout signaling 5000" > "$OUT/sentinel/sentinel.conf"
      redis-server "$OUT/sentinel/sentinel.conf" --sentinel > "$OUT/sentinel.log" 2>&1 &
      REDIS_PIDS+=($!); disown $!
      sleep 2
      NODE_ENV=(SIGNALING_REDIS_TOPOLOGY=sentinel "SIGNALING_REDIS_URL=redis-sentinel://127.0.0.1:16423#signaling") ;;
    cluster)
      for port in 17101 17102 17103 17104 17105 17106; do
        redis_start $port --cluster-enabled yes --cluster-port $((port + 100)) --cluster-config-file nodes.conf \
          --cluster-node-timeout 1000
      done
      redis-cli --cluster create 127.0.0.1:17101 127.0.0.1:17102 127.0.0.1:17103 127.0.0.1:17104 127.0.0.1:17105 \
        127.0.0.1:17106 --cluster-replicas 1 --cluster-yes >/dev/null
      for _ in $(seq 1 100); do redis-cli -p 17101 cluster info | grep -q cluster_state:ok && break; sleep 0.1; done
      NODE_ENV=(SIGNALING_REDIS_TOPOLOGY=cluster SIGNALING_REDIS_URL=redis://127.0.0.1:17101,redis://127.0.0.1:17102) ;;
  esac
  run_topology "$topology" "${faults[@]}"
done

# the figures: per fault, both watchers' segments added up, and readiness over the fault's window
node - "$OUT" <<'JS'
const fs = require('fs');
const out = process.argv[2];
const rows = [];
for (const topology of ['single', 'sentinel', 'cluster']) {
  if (!fs.existsSync(`${out}/${topology}-faults.txt`)) continue;
  const segs = [1, 2].flatMap((w) => fs.readFileSync(`${out}/${topology}-w${w}.jsonl`, 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l)).filter((l) => l.segment));
  const marks = fs.readFileSync(`${out}/${topology}-faults.txt`, 'utf8').trim().split('\n').map((l) => l.split(' '));
  const samples = fs.readFileSync(`${out}/${topology}-ready.txt`, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number));
  const nodes = fs.readFileSync(`${out}/${topology}-nodes.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  for (const label of ['steady', ...new Set(marks.map((m) => m[0]).filter((m) => !m.endsWith('-after')))]) {
    const s = segs.filter((x) => x.segment === label);
    const sum = (f) => s.reduce((n, x) => n + f(x), 0);
    const errors = {};
    s.forEach((x) => Object.entries(x.relays.errors).forEach(([k, v]) => { errors[k] = (errors[k] || 0) + v; }));
    const start = Number((marks.find((m) => m[0] === label) || [0, 0])[1]);
    const end = Number((marks.find((m) => m[0] === label + '-after') || [0, Infinity])[1]);
    const win = samples.filter((x) => label !== 'steady' && x[0] >= start && x[0] <= end);
    const downFor = (pred) => { let max = 0, from = null; for (const x of win) { if (pred(x)) { from ??= x[0]; max = Math.max(max, x[0] - from); } else from = null; } return max; };
    const unregistered = (i) => downFor((x) => x[i] === 0);
    const node = nodes.find((n) => n.fault === label);
    rows.push({ topology, label, falseLeft: sum((x) => x.false_left), falseJoined: sum((x) => x.false_joined),
      sent: sum((x) => x.relays.sent), delivered: sum((x) => x.relays.delivered), errors, unanswered: sum((x) => x.relays.unanswered),
      pairs: sum((x) => x.pairs.started), pairsWhole: sum((x) => x.pairs.whole),
      wholeMax: Math.max(0, ...s.map((x) => x.pairs.ms.max ?? 0)), wholeP50: Math.max(0, ...s.map((x) => x.pairs.ms.p50 ?? 0)),
      wrong: sum((x) => x.wrong_views), downA: downFor((x) => x[1] !== 200), downB: downFor((x) => x[3] !== 200),
      downBoth: downFor((x) => x[1] !== 200 && x[3] !== 200), unregA: unregistered(2), unregB: unregistered(4),
      registered: node ? node.registered_ms : '-', entries: node ? node.resync_entries : '-' });
  }
}
console.log('| Redis | fault | false peer-left / peer-joined | cross-node relays sent / delivered / errors / unanswered | newcomer pairs whole (of started), p50 / max ms | views wrong after | unready A / B / both (ms) | unregistered A / B (ms) | both registered again (ms) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.topology} | ${r.label} | ${r.falseLeft} / ${r.falseJoined} | ${r.sent} / ${r.delivered} / ${JSON.stringify(r.errors)} / ${r.unanswered} | ${r.pairsWhole} (${r.pairs}), ${r.wholeP50.toFixed(0)} / ${r.wholeMax.toFixed(0)} | ${r.wrong} | ${r.downA} / ${r.downB} / ${r.downBoth} | ${r.unregA} / ${r.unregB} | ${r.registered} |`);
}
JS
