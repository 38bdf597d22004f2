#!/usr/bin/env bash
# compare.sh: this server, the bare Liberty relay (../shared/bench-floor) and the PeerJS server, measured
# one after the other in one run with ../shared/signal-bench, and the ratios that docs/performance.md's
# claims rest on. Loopback only; every run is bounded. Usage, from the project's top:
#   ./mvnw -B package liberty:create liberty:deploy        # once: the runtime and the WAR
#   src/test/bench/compare.sh [rounds]                       # default 3 rounds of throughput, 3 of connect
# Environment: JAVA_HOME (the JDK all three Java servers run on; default: the one on the PATH),
#   JVM_ARGS (default -Xmx1g -XX:+UseSerialGC), SIGNAL_BENCH (default ../shared/signal-bench),
#   FLOOR (default ../shared/bench-floor/floor.sh), PEERJS_MODULES (default /tmp/signal-bench/node_modules;
#   installed there with npm when missing), CONNECT=0 (skip the connect runs), SERVERS (default
#   "ours floor peerjs"), WARMUP (seconds of unmeasured throughput per server first; default 20),
#   CONNECT_ROUNDS (default 3), FRAME_ROUNDS (connects whose every connection then sends a frame, project load
#   tool; default 3, 0 skips them), LIBERTY_OVERRIDES (a server.xml fragment both Liberty servers get);
#   "payara" in SERVERS adds this WAR on Payara Micro (PAYARA_JAR, default target/payara/payara-micro.jar).
#   Each figure is the median of its rounds.
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROUNDS=${1:-3}
SB=${SIGNAL_BENCH:-../shared/signal-bench}
FLOOR=${FLOOR:-../shared/bench-floor/floor.sh}
PJ=${PEERJS_MODULES:-/tmp/signal-bench/node_modules}
export JVM_ARGS=${JVM_ARGS:--Xmx1g -XX:+UseSerialGC}
OUT=${OUT:-target/compare}
WLP=target/liberty/wlp
mkdir -p "$OUT"
[ -x $WLP/bin/server ] || { echo "no Liberty runtime: run ./mvnw -B package liberty:create liberty:deploy first"; exit 1; }
[ -f "$SB/bench.js" ] || { echo "no signal-bench at $SB"; exit 1; }
if [ ! -d "$PJ/peer" ]; then
  mkdir -p "$(dirname "$PJ")" && (cd "$(dirname "$PJ")" && npm init -y >/dev/null && npm install --no-audit --no-fund ws@8.23.0 peer@1.0.2 >/dev/null)
fi
export SIGNAL_BENCH_MODULES=$PJ

# LIBERTY_OVERRIDES: a server.xml fragment merged into both Liberty servers (configDropins), to try a setting on both
overrides() { # server dir
  rm -f "$1/configDropins/overrides/compare.xml"
  if [ -n "${LIBERTY_OVERRIDES:-}" ]; then mkdir -p "$1/configDropins/overrides" && cp "$LIBERTY_OVERRIDES" "$1/configDropins/overrides/compare.xml"; fi
}
ours_start() {
  overrides $WLP/usr/servers/defaultServer
  cp server.xml $WLP/usr/servers/defaultServer/server.xml # the project's, as it is now
  SIGNALING_RATE_LIMIT=1000000 SIGNALING_RATE_BURST=1000000 SIGNALING_MAX_CONNECTIONS=100000 \
  SIGNALING_LOG_LEVEL=warning $WLP/bin/server start defaultServer >/dev/null
  for _ in $(seq 1 90); do curl -sf http://127.0.0.1:8081/health/ready >/dev/null && break; sleep 1; done
  cat $WLP/usr/servers/.pid/defaultServer.pid
}
ours_stop() { $WLP/bin/server stop defaultServer >/dev/null 2>&1 || true; }
floor_start() {
  overrides /tmp/floor-wlp/usr/servers/floor
  "$FLOOR" start "$(pwd)" >/dev/null; cat /tmp/floor-wlp/usr/servers/.pid/floor.pid
}
floor_stop() { "$FLOOR" stop >/dev/null 2>&1 || true; }
peerjs_start() {
  node "$PJ/peer/dist/bin/peerjs.js" --port 18402 --host 127.0.0.1 --concurrent_limit 100000 > "$OUT/peerjs.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 50); do (echo > /dev/tcp/127.0.0.1/18402) 2>/dev/null && break; sleep 0.2; done
  echo $pid
}
peerjs_stop() { [ -n "${PJPID:-}" ] && kill "$PJPID" 2>/dev/null || true; }
# this server's WAR on Payara Micro (SERVERS="... payara"; the jar from ./mvnw -B verify or docs/payara.md)
PAYARA_JAR=${PAYARA_JAR:-target/payara/payara-micro.jar}
payara_start() {
  rm -rf /tmp/compare-payara && mkdir -p /tmp/compare-payara
  SIGNALING_RATE_LIMIT=1000000 SIGNALING_RATE_BURST=1000000 SIGNALING_MAX_CONNECTIONS=100000 \
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" $JVM_ARGS -jar "$PAYARA_JAR" --deploy target/lanscape-signaling.war --port 18601 \
    --contextroot / --nocluster --rootDir /tmp/compare-payara > "$OUT/payara.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 180); do curl -sf http://127.0.0.1:18601/health/ready >/dev/null && break; sleep 1; done
  echo $pid
}
payara_stop() { [ -n "${PAPID:-}" ] && kill "$PAPID" 2>/dev/null && wait "$PAPID" 2>/dev/null || true; }
trap 'ours_stop; floor_stop; peerjs_stop; payara_stop' EXIT

bench() { # name proto url pid workload args...
  local name=$1 proto=$2 url=$3 pid=$4; shift 4
  node "$SB/bench.js" "$@" --proto "$proto" --url "$url" --pid "$pid" --label "$name" --quiet --json "$OUT/results.jsonl" >/dev/null
}

SERVERS=${SERVERS:-ours floor peerjs}
rm -f "$OUT/results.jsonl"
# connect: each server fresh (a clean RSS baseline), interleaved rounds
for r in $(seq 1 "${CONNECT_ROUNDS:-3}"); do
  for s in $([ "${CONNECT:-1}" = 0 ] || echo $SERVERS); do
    case $s in
      ours) PID=$(ours_start); bench ours seed ws://127.0.0.1:8081 "$PID" connect --n 5000 --k 10 --concurrency 50; ours_stop ;;
      floor) PID=$(floor_start); bench floor seed ws://127.0.0.1:18501 "$PID" connect --n 5000 --k 10 --concurrency 50; floor_stop ;;
      peerjs) PJPID=$(peerjs_start); bench peerjs peerjs ws://127.0.0.1:18402 "$PJPID" connect --n 5000 --k 10 --concurrency 50; peerjs_stop ;;
      payara) PAPID=$(payara_start); bench payara seed ws://127.0.0.1:18601 "$PAPID" connect --n 5000 --k 10 --concurrency 50; payara_stop ;;
    esac
  done
done
# connect, then every connection sends one frame (a ping) and has its answer before the RSS figure:
# the project's load tool (--ping 1), this server and the bare relay, each fresh, interleaved rounds.
# Liberty holds a second read buffer per connection once it has read a frame from it, which the bare
# relay's connections above never do; this server's do (the pong to its first ping, 1 s after the open)
if [ "${CONNECT:-1}" != 0 ] && [ "${FRAME_ROUNDS:-3}" -gt 0 ]; then
  ./mvnw -q -B -Pload test-compile >/dev/null
  frame_connect() { # label url pid
    ./mvnw -q -B -Pload exec:exec -Dload.args="connect --url $2 --pid $3 --n 5000 --k 10 --concurrency 50 --ping 1" 2>/dev/null \
      | grep '^{"workload"' | sed "s/^{/{\"label\":\"$1\",/; s/\"workload\":\"connect\"/\"workload\":\"connect_frame\"/" >> "$OUT/results.jsonl" || true
  }
  for r in $(seq 1 "${FRAME_ROUNDS:-3}"); do
    for s in $SERVERS; do
      case $s in
        ours) PID=$(ours_start); frame_connect ours ws://127.0.0.1:8081 "$PID"; ours_stop ;;
        floor) PID=$(floor_start); frame_connect floor ws://127.0.0.1:18501 "$PID"; floor_stop ;;
      esac
    done
  done
fi
# throughput: all three up, interleaved rounds
has() { [[ " $SERVERS " == *" $1 "* ]]; }
has ours && OPID=$(ours_start)
has floor && FPID=$(floor_start)
has peerjs && PJPID=$(peerjs_start)
has payara && PAPID=$(payara_start)
# steady state: each server first runs the workload unmeasured, until the JIT has compiled its hot path
warm() { node "$SB/bench.js" throughput --proto "$1" --url "$2" --pairs 50 --window 8 --duration "${WARMUP:-20}" --warmup 0 --quiet >/dev/null 2>&1 || true; }
has ours && warm seed ws://127.0.0.1:8081
has floor && warm seed ws://127.0.0.1:18501
has peerjs && warm peerjs ws://127.0.0.1:18402
has payara && warm seed ws://127.0.0.1:18601
for r in $(seq 1 "$ROUNDS"); do
  has ours && bench ours seed ws://127.0.0.1:8081 "$OPID" throughput --pairs 50 --window 8 --duration 8 --warmup 3
  has floor && bench floor seed ws://127.0.0.1:18501 "$FPID" throughput --pairs 50 --window 8 --duration 8 --warmup 3
  has peerjs && bench peerjs peerjs ws://127.0.0.1:18402 "$PJPID" throughput --pairs 50 --window 8 --duration 8 --warmup 3
  has payara && bench payara seed ws://127.0.0.1:18601 "$PAPID" throughput --pairs 50 --window 8 --duration 8 --warmup 3
done

node - "$OUT/results.jsonl" <<'JS'
const lines = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const by = (label, w, f) => lines.filter((l) => l.label === label && l.workload === w).map(f).filter((v) => v != null);
const g = (l, ...ks) => ks.reduce((o, k) => (o == null ? o : o[k]), l);
const row = {};
for (const s of ['ours', 'floor', 'peerjs', 'payara']) {
  row[s] = {
    us: med(by(s, 'throughput', (l) => g(l, 'server_us_per_msg') ?? g(l, 'server', 'us_per_msg'))),
    all: by(s, 'throughput', (l) => g(l, 'server_us_per_msg') ?? g(l, 'server', 'us_per_msg')),
    msgs: med(by(s, 'throughput', (l) => l.delivered_msgs_per_s)),
    cps: med(by(s, 'connect', (l) => l.conn_per_s)),
    rss: med(by(s, 'connect', (l) => l.rss_per_conn_bytes)),
    // only runs in which every connection had its pong count
    rssFrameAll: by(s, 'connect_frame', (l) => (l.pongs === l.ok ? l.rss_per_conn_bytes : null)),
  };
  row[s].rssFrame = med(row[s].rssFrameAll);
}
const f = (v, d = 1) => (v == null || Number.isNaN(v) ? '-' : v.toFixed(d));
console.log(`JVM: ${process.env.JAVA_HOME || 'java on PATH'}  ${process.env.JVM_ARGS}`);
console.log('| | this server | bare Liberty relay | PeerJS | this / bare | this / PeerJS |');
console.log('|---|---|---|---|---|---|');
console.log(`| server CPU per relayed message (us, median of ${row.ours.all.length}; all: ${row.ours.all.map((v) => f(v)).join(', ')} / ${row.floor.all.map((v) => f(v)).join(', ')} / ${row.peerjs.all.map((v) => f(v)).join(', ')}) | ${f(row.ours.us)} | ${f(row.floor.us)} | ${f(row.peerjs.us)} | ${f(row.ours.us / row.floor.us, 2)} | ${f(row.ours.us / row.peerjs.us, 2)} |`);
console.log(`| relayed messages per second, closed loop 50x8 | ${f(row.ours.msgs, 0)} | ${f(row.floor.msgs, 0)} | ${f(row.peerjs.msgs, 0)} | ${f(row.ours.msgs / row.floor.msgs, 2)} | ${f(row.ours.msgs / row.peerjs.msgs, 2)} |`);
console.log(`| connections accepted per second (5 000, 50 in flight; median of ${by('ours', 'connect', (l) => l.conn_per_s).length}) | ${f(row.ours.cps, 0)} | ${f(row.floor.cps, 0)} | ${f(row.peerjs.cps, 0)} | ${f(row.ours.cps / row.floor.cps, 2)} | ${f(row.ours.cps / row.peerjs.cps, 2)} |`);
console.log(`| RSS per open connection (KB) | ${f(row.ours.rss / 1024)} | ${f(row.floor.rss / 1024)} | ${f(row.peerjs.rss / 1024)} | +${f((row.ours.rss - row.floor.rss) / 1024)} KB | |`);
// each round ran the servers back to back: its ratio cancels a drift of the machine's speed between rounds
const cpuRatios = row.ours.all.map((v, k) => v / row.floor.all[k]).filter((v) => Number.isFinite(v));
if (cpuRatios.length) {
  console.log(`| CPU per relayed message, this / bare round by round: ${cpuRatios.map((v) => f(v, 2)).join(', ')} (median ${f(med(cpuRatios), 2)}) | | | | | |`);
}
const connCpu = (s) => med(by(s, 'connect', (l) => l.server_cpu_ms_per_conn));
if (!Number.isNaN(connCpu('ours')) && !Number.isNaN(connCpu('floor'))) {
  console.log(`| server CPU per accepted connection (ms, median) | ${f(connCpu('ours'), 2)} | ${f(connCpu('floor'), 2)} | ${f(connCpu('peerjs'), 2)} | ${f(connCpu('ours') / connCpu('floor'), 2)} | |`);
}
if (row.ours.rssFrameAll.length || row.floor.rssFrameAll.length) {
  console.log(`| RSS per open connection once each has had a frame read (KB; project load tool, --ping 1; all: ${row.ours.rssFrameAll.map((v) => f(v / 1024)).join(', ')} / ${row.floor.rssFrameAll.map((v) => f(v / 1024)).join(', ')}) | ${f(row.ours.rssFrame / 1024)} | ${f(row.floor.rssFrame / 1024)} | | ${(row.ours.rssFrame >= row.floor.rssFrame ? '+' : '')}${f((row.ours.rssFrame - row.floor.rssFrame) / 1024)} KB | |`);
}
if (row.payara.all.length || !Number.isNaN(row.payara.cps)) {
  console.log(`| this server on Payara Micro: CPU per relayed message (us; all: ${row.payara.all.map((v) => f(v)).join(', ')}) / msg/s / connections per second / RSS per connection (KB) | ${f(row.payara.us)} / ${f(row.payara.msgs, 0)} / ${f(row.payara.cps, 0)} / ${f(row.payara.rss / 1024)} | payara / bare: ${f(row.payara.us / row.floor.us, 2)} (CPU), ${f(row.payara.cps / row.floor.cps, 2)} (connects) | | | |`);
}
JS
