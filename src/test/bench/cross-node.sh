#!/usr/bin/env bash
# cross-node.sh: what a relay between two nodes costs, against its floor, in one run. Three setups on
# one Redis, each measured with the project's load tool (throughput: 50 pairs, window 8, closed loop):
#   floor  two bare Liberty relays handing each frame over Lettuce Pub/Sub (cross-node-floor/:
#          no presence, no re-encoding, no queue), the answering side on the other node;
#   local  this server, both peers of each pair on one node (of two);
#   cross  this server, the peers of each pair on different nodes;
# plus join propagation across nodes (churn) for this server. CPU per relayed message counts both
# JVMs (user + system) and, apart, Redis. Loopback only; every run is bounded.
# Usage, from the project's top:
#   ./mvnw -B package liberty:create liberty:deploy        # once: the runtime and the WAR
#   src/test/bench/cross-node.sh [rounds]                   # default 2 rounds of each setup
# Environment: JVM_ARGS (default -Xmx512m), DURATION (seconds per round, default 8), JAVA_HOME.
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROUNDS=${1:-2}
DURATION=${DURATION:-8}
WLP=target/liberty/wlp
OUT=${OUT:-target/cross-node-bench}
export JVM_ARGS=${JVM_ARGS:--Xmx512m}
[ -x $WLP/bin/server ] || { echo "no Liberty runtime: run ./mvnw -B package liberty:create liberty:deploy first"; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is missing (apt-get install redis-server)"; exit 1; }
rm -rf "$OUT" && mkdir -p "$OUT"
./mvnw -q -Pload test-compile >/dev/null
CP=$(./mvnw -q -Pload dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test):target/test-classes:target/classes
RUNTIME_CP=$(./mvnw -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=runtime)
load() { java -cp "$CP" org.lanscape.signaling.load.LoadTool "$@"; }

# the floor's WAR: its one class, and Lettuce with what Lettuce needs
api=$(find ~/.m2/repository/jakarta/websocket -name 'jakarta.websocket-api-2.1*.jar' | head -1)
build=$(mktemp -d); mkdir -p "$build/WEB-INF/classes" "$build/WEB-INF/lib"
javac --release 17 -cp "$api:$RUNTIME_CP" -d "$build/WEB-INF/classes" src/test/bench/cross-node-floor/CrossNodeFloor.java
for jar in $(echo "$RUNTIME_CP" | tr ':' '\n' | grep -E '/(lettuce-core|netty-[a-z-]+|reactor-core|reactive-streams|slf4j-api)-[0-9]'); do
  cp "$jar" "$build/WEB-INF/lib/"
done
(cd "$build" && jar cf "$OLDPWD/$OUT/floor.war" .); rm -rf "$build"

REDIS_PID=
redis-server --port 16479 --bind 127.0.0.1 --save "" --appendonly no --dir "$OUT" > "$OUT/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 1 50); do redis-cli -p 16479 ping >/dev/null 2>&1 && break; sleep 0.1; done
floor_start() { # name port node
  local name=$1 port=$2 node=$3 dir=$WLP/usr/servers/$1
  rm -rf "$dir"; mkdir -p "$dir/apps"; cp "$OUT/floor.war" "$dir/apps/"
  cat > "$dir/server.xml" <<XML
<server>
  <featureManager><feature>websocket-2.1</feature></featureManager>
  <httpEndpoint id="defaultHttpEndpoint" host="127.0.0.1" httpPort="$port" httpsPort="-1" protocolVersion="http/1.1"/>
  <webApplication location="floor.war" contextRoot="/"/>
</server>
XML
  env FLOOR_NODE="$node" FLOOR_REDIS=redis://127.0.0.1:16479 $WLP/bin/server start "$name" >/dev/null
  for _ in $(seq 1 90); do grep -q 'CWWKZ0001I' "$dir/logs/messages.log" 2>/dev/null && return; sleep 1; done
  echo "floor $name did not start"; exit 1
}
node_start() { # name port
  local name=$1 port=$2
  rm -rf $WLP/usr/servers/"$name"; mkdir -p $WLP/usr/servers/"$name"/apps
  cp server.xml $WLP/usr/servers/"$name"/; cp target/lanscape-signaling.war $WLP/usr/servers/"$name"/apps/
  env PORT="$port" SIGNALING_CLUSTER_MODE=redis SIGNALING_REDIS_URL=redis://127.0.0.1:16479 SIGNALING_LOG_LEVEL=warning \
    SIGNALING_RATE_LIMIT=1000000 SIGNALING_RATE_BURST=1000000 $WLP/bin/server start "$name" >/dev/null
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return; sleep 1; done
  echo "node $name not ready"; exit 1
}
stop_all() { for s in floorA floorB benchA benchB; do $WLP/bin/server stop $s >/dev/null 2>&1 || true; done; }
trap 'stop_all; [ -n "$REDIS_PID" ] && kill $REDIS_PID 2>/dev/null || true' EXIT
pid() { cat $WLP/usr/servers/.pid/"$1".pid; }
cpu() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' /proc/"$p"/stat))); done; echo $t; } # clock ticks

measure() { # label url url2 jvm-pids...
  local label=$1 u1=$2 u2=$3; shift 3
  load throughput --url "$u1" --url2 "$u2" --pairs 50 --window 8 --duration 4 --warmup 2 >/dev/null # JIT warm-up
  for _ in $(seq 1 "$ROUNDS"); do
    local j0 r0 t j1 r1
    j0=$(cpu "$@"); r0=$(cpu "$REDIS_PID")
    t=$(load throughput --url "$u1" --url2 "$u2" --pairs 50 --window 8 --duration "$DURATION" --warmup 0)
    j1=$(cpu "$@"); r1=$(cpu "$REDIS_PID")
    echo "{\"label\":\"$label\",\"jvm_ticks\":$((j1 - j0)),\"redis_ticks\":$((r1 - r0)),\"result\":$t}" >> "$OUT/results.jsonl"
  done
}

floor_start floorA 18601 a; floor_start floorB 18602 b
measure floor ws://127.0.0.1:18601 ws://127.0.0.1:18602 "$(pid floorA)" "$(pid floorB)"
stop_all
node_start benchA 8081; node_start benchB 8082
measure local ws://127.0.0.1:8081 ws://127.0.0.1:8081 "$(pid benchA)" "$(pid benchB)"
measure cross ws://127.0.0.1:8081 ws://127.0.0.1:8082 "$(pid benchA)" "$(pid benchB)"
for _ in $(seq 1 "$ROUNDS"); do
  c=$(load churn --url ws://127.0.0.1:8081 --url2 ws://127.0.0.1:8082 --n 500 --k 10 --churn-rate 100 --duration 5)
  echo "{\"label\":\"cross\",\"result\":$c}" >> "$OUT/results.jsonl"
done

node - "$OUT/results.jsonl" "$(getconf CLK_TCK)" <<'JS'
const lines = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const tck = Number(process.argv[3]);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const f = (v, d = 1) => (v == null || Number.isNaN(v) ? '-' : v.toFixed(d));
const row = {};
for (const label of ['floor', 'local', 'cross']) {
  const t = lines.filter((l) => l.label === label && l.result.workload === 'throughput');
  const c = lines.filter((l) => l.label === label && l.result.workload === 'churn');
  const msgs = (l) => l.result.delivered_msgs_per_s;
  const seconds = (l) => l.result.duration_s ?? Number(process.env.DURATION || 8);
  row[label] = {
    msgs: med(t.map(msgs)),
    jvm: med(t.map((l) => (l.jvm_ticks / tck) * 1e6 / (msgs(l) * seconds(l)))),
    redis: med(t.map((l) => (l.redis_ticks / tck) * 1e6 / (msgs(l) * seconds(l)))),
    rtt: med(t.map((l) => l.result.rtt_ms?.p50)),
    errored: t.reduce((n, l) => n + (l.result.errored ?? 0), 0),
    p50: med(c.map((l) => l.result.join_propagation_ms.p50)),
    p99: med(c.map((l) => l.result.join_propagation_ms.p99)),
  };
}
console.log('| | cross-node floor | this server, both peers on one node | this server, across nodes |');
console.log('|---|---|---|---|');
const r = (name, fn) => console.log(`| ${name} | ${fn(row.floor)} | ${fn(row.local)} | ${fn(row.cross)} |`);
r('relays per second (50 pairs, window 8, median)', (x) => f(x.msgs, 0));
r('CPU of both JVMs per relayed message (us)', (x) => f(x.jvm));
r('CPU of Redis per relayed message (us)', (x) => f(x.redis));
r('round trip p50 (ms)', (x) => f(x.rtt, 2));
r('relays answered with an error', (x) => x.errored);
r('join propagation across nodes p50 / p99 (ms)', (x) => (Number.isNaN(x.p50) ? '-' : `${f(x.p50)} / ${f(x.p99)}`));
console.log(`cross / local: ${f(row.cross.jvm / row.local.jvm, 2)} x; cross / floor: ${f(row.cross.jvm / row.floor.jvm, 2)} x`);
JS
