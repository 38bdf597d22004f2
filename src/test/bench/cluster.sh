#!/usr/bin/env bash
# cluster.sh: two Liberty nodes of this server, first on one Redis (topology standalone), then on a
# Redis Cluster of three masters (topology cluster, sharded Pub/Sub), measured the same way in one
# run with the project's load tool: cross-node relays per second (closed loop, every answer from the
# other node) and join propagation (a newcomer on node B until each member on node A saw it), with
# the CPU that each JVM and each Redis spent per message. Loopback only; every run is bounded.
# Usage, from the project's top:
#   ./mvnw -B package liberty:create liberty:deploy        # once: the runtime and the WAR
#   src/test/bench/cluster.sh [rounds]                       # default 2 rounds of each workload
# Environment: JVM_ARGS (default -Xmx512m), DURATION (seconds per throughput round, default 8).
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROUNDS=${1:-2}
DURATION=${DURATION:-8}
WLP=target/liberty/wlp
OUT=${OUT:-target/cluster-bench}
export JVM_ARGS=${JVM_ARGS:--Xmx512m}
[ -x $WLP/bin/server ] || { echo "no Liberty runtime: run ./mvnw -B package liberty:create liberty:deploy first"; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is missing (apt-get install redis-server)"; exit 1; }
rm -rf "$OUT" && mkdir -p "$OUT"
./mvnw -q -Pload test-compile >/dev/null
CP=$(./mvnw -q -Pload dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test):target/test-classes:target/classes
load() { java -cp "$CP" org.lanscape.signaling.load.LoadTool "$@"; }

REDIS_PIDS=()
redis_start() { # port [args...]
  local port=$1; shift
  mkdir -p "$OUT/redis-$port"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$OUT/redis-$port" "$@" > "$OUT/redis-$port.log" 2>&1 &
  REDIS_PIDS+=($!)
  for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && return; sleep 0.1; done
  echo "redis on $port did not start"; exit 1
}
redis_stop() { for p in "${REDIS_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; REDIS_PIDS=(); sleep 0.5; }
node_start() { # name port env...
  local name=$1 port=$2; shift 2
  rm -rf $WLP/usr/servers/"$name"; mkdir -p $WLP/usr/servers/"$name"/apps
  cp server.xml $WLP/usr/servers/"$name"/; cp target/lanscape-signaling.war $WLP/usr/servers/"$name"/apps/
  env PORT="$port" SIGNALING_CLUSTER_MODE=redis SIGNALING_LOG_LEVEL=warning SIGNALING_RATE_LIMIT=1000000 \
    SIGNALING_RATE_BURST=1000000 "$@" $WLP/bin/server start "$name" >/dev/null
}
node_ready() { for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null && return; sleep 1; done; echo "node on $1 not ready"; exit 1; }
nodes_stop() { $WLP/bin/server stop benchA >/dev/null 2>&1 || true; $WLP/bin/server stop benchB >/dev/null 2>&1 || true; }
trap 'nodes_stop; redis_stop' EXIT
cpu() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' /proc/"$p"/stat))); done; echo $t; } # clock ticks

measure() { # label redis-pids...
  local label=$1; shift
  local a b; a=$(cat $WLP/usr/servers/.pid/benchA.pid); b=$(cat $WLP/usr/servers/.pid/benchB.pid)
  load throughput --url ws://127.0.0.1:8081 --url2 ws://127.0.0.1:8082 --pairs 50 --window 8 --duration 5 --warmup 2 >/dev/null # JIT warm-up
  for r in $(seq 1 "$ROUNDS"); do
    local j0 r0; j0=$(cpu "$a" "$b"); r0=$(cpu "$@")
    local t; t=$(load throughput --url ws://127.0.0.1:8081 --url2 ws://127.0.0.1:8082 --pairs 50 --window 8 --duration "$DURATION" --warmup 0)
    local j1 r1; j1=$(cpu "$a" "$b"); r1=$(cpu "$@")
    echo "{\"label\":\"$label\",\"jvm_ticks\":$((j1 - j0)),\"redis_ticks\":$((r1 - r0)),\"result\":$t}" >> "$OUT/results.jsonl"
    local c; c=$(load churn --url ws://127.0.0.1:8081 --url2 ws://127.0.0.1:8082 --n 500 --k 10 --churn-rate 100 --duration 5)
    echo "{\"label\":\"$label\",\"result\":$c}" >> "$OUT/results.jsonl"
  done
}

# one Redis
redis_start 16379
node_start benchA 8081 SIGNALING_REDIS_URL=redis://127.0.0.1:16379
node_start benchB 8082 SIGNALING_REDIS_URL=redis://127.0.0.1:16379
node_ready 8081; node_ready 8082
measure standalone "${REDIS_PIDS[@]}"
nodes_stop; redis_stop

# a Redis Cluster of three masters
for port in 17001 17002 17003; do
  redis_start $port --cluster-enabled yes --cluster-port $((port + 10000)) --cluster-config-file nodes.conf --cluster-node-timeout 2000
done
redis-cli --cluster create 127.0.0.1:17001 127.0.0.1:17002 127.0.0.1:17003 --cluster-replicas 0 --cluster-yes >/dev/null
for _ in $(seq 1 100); do redis-cli -p 17001 cluster info | grep -q cluster_state:ok && break; sleep 0.1; done
SEEDS=redis://127.0.0.1:17001,redis://127.0.0.1:17002
node_start benchA 8081 SIGNALING_REDIS_TOPOLOGY=cluster SIGNALING_REDIS_URL=$SEEDS
node_start benchB 8082 SIGNALING_REDIS_TOPOLOGY=cluster SIGNALING_REDIS_URL=$SEEDS
node_ready 8081; node_ready 8082
measure cluster "${REDIS_PIDS[@]}"
for port in 17001 17002 17003; do
  echo "shard $port: $(redis-cli -p $port info stats | grep -E 'total_commands_processed' | tr -d '\r')" >> "$OUT/shards.txt"
done

node - "$OUT/results.jsonl" "$(getconf CLK_TCK)" <<'JS'
const lines = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const tck = Number(process.argv[3]);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const f = (v, d = 1) => (v == null || Number.isNaN(v) ? '-' : v.toFixed(d));
console.log('| | one Redis | Redis Cluster, 3 masters |');
console.log('|---|---|---|');
const rows = {};
for (const label of ['standalone', 'cluster']) {
  const t = lines.filter((l) => l.label === label && l.result.workload === 'throughput');
  const c = lines.filter((l) => l.label === label && l.result.workload === 'churn');
  const msgs = (l) => l.result.delivered_msgs_per_s;
  const seconds = (l) => l.result.duration_s ?? Number(process.env.DURATION || 8);
  rows[label] = {
    msgs: med(t.map(msgs)),
    jvm: med(t.map((l) => (l.jvm_ticks / tck) * 1e6 / (msgs(l) * seconds(l)))),
    redis: med(t.map((l) => (l.redis_ticks / tck) * 1e6 / (msgs(l) * seconds(l)))),
    p50: med(c.map((l) => l.result.join_propagation_ms.p50)),
    p99: med(c.map((l) => l.result.join_propagation_ms.p99)),
    missed: c.reduce((n, l) => n + l.result.missed_join + l.result.missed_leave, 0),
    lost: t.reduce((n, l) => n + (l.result.errored ?? 0), 0),
  };
}
const r = (name, fn) => console.log(`| ${name} | ${fn(rows.standalone)} | ${fn(rows.cluster)} |`);
r('cross-node relays per second (50 pairs, window 8, median)', (x) => f(x.msgs, 0));
r('CPU of both JVMs per relayed message (us)', (x) => f(x.jvm));
r('CPU of Redis per relayed message (us; the cluster: all shards)', (x) => f(x.redis));
r('join propagation across nodes p50 / p99 (ms; 100 joins+leaves/s in rooms of 10)', (x) => `${f(x.p50)} / ${f(x.p99)}`);
r('events missed / relays errored', (x) => `${x.missed} / ${x.lost}`);
JS
cat "$OUT/shards.txt"
