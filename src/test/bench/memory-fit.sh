#!/usr/bin/env bash
# memory-fit.sh: does the pod's memory limit hold the connection cap? One node with the heap the
# shipped manifests give it (deploy/kubernetes/deployment.yaml: the memory limit times
# MaxRAMPercentage), filled with CONNECTIONS peers in rooms of 10 that have each had a frame read,
# then relaying in 50 pairs while they stay open; the node's RSS is sampled every second and its
# peak printed beside the limit. The manifests' figures are read from the files, so a change there
# is measured as it ships. Loopback only; bounded.
# Usage, from the project's top:
#   ./mvnw -B package liberty:create liberty:deploy        # once: the runtime and the WAR
#   src/test/bench/memory-fit.sh
# Environment: CONNECTIONS (default 19000: this machine allows 20 000 open files a process, the
#   load tool's included; in a pod the cap, signaling.max-connections, is the one that counts),
#   GC (default -XX:+UseG1GC, what the JVM picks in a pod of 2 CPUs and 2 GiB), DURATION (seconds of
#   relays with everything open, default 30).
set -euo pipefail
cd "$(dirname "$0")/../../.."
CONNECTIONS=${CONNECTIONS:-19000}
DURATION=${DURATION:-30}
GC=${GC:--XX:+UseG1GC}
WLP=target/liberty/wlp
OUT=${OUT:-target/memory-fit}
[ -x $WLP/bin/server ] || { echo "no Liberty runtime: run ./mvnw -B package liberty:create liberty:deploy first"; exit 1; }
mkdir -p "$OUT"

deployment=deploy/kubernetes/deployment.yaml
limit=$(awk '/limits:/{l=1} l && /memory:/{print $2; exit}' $deployment)                  # 2Gi
percent=$(grep -o 'MaxRAMPercentage=[0-9.]*' Dockerfile | head -1 | cut -d= -f2)            # of the limit
cap=$(grep -A1 'SIGNALING_MAX_CONNECTIONS' deploy/kubernetes/configmap.yaml | grep -o '"[0-9]*"' | tr -d '"' || true)
case "$limit" in *Gi) limit_mb=$(( ${limit%Gi} * 1024 ));; *Mi) limit_mb=${limit%Mi};; *) echo "limit $limit?"; exit 1;; esac
heap_mb=$(awk -v l="$limit_mb" -v p="$percent" 'BEGIN{printf "%d", l * p / 100}')
echo "manifests: memory limit $limit (${limit_mb} MiB), heap ${percent}% = ${heap_mb} MiB, max-connections ${cap:-20000}"

./mvnw -q -Pload test-compile >/dev/null
CP=$(./mvnw -q -Pload dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test):target/test-classes:target/classes
load() { java -Xss512k -Xmx3g -cp "$CP" org.lanscape.signaling.load.LoadTool "$@"; }

rm -rf $WLP/usr/servers/memfit && mkdir -p $WLP/usr/servers/memfit/apps
cp server.xml $WLP/usr/servers/memfit/ && cp target/lanscape-signaling.war $WLP/usr/servers/memfit/apps/
trap '$WLP/bin/server stop memfit >/dev/null 2>&1 || true; kill ${SAMPLER:-} 2>/dev/null || true' EXIT
JVM_ARGS="-Xmx${heap_mb}m $GC" PORT=18531 SIGNALING_LOG_LEVEL=warning SIGNALING_MAX_CONNECTIONS=${cap:-20000} \
  $WLP/bin/server start memfit >/dev/null
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18531/health/ready >/dev/null && break; sleep 1; done
pid=$(cat $WLP/usr/servers/.pid/memfit.pid)
(while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/{print $2}' /proc/"$pid"/status; sleep 1; done) > "$OUT/rss.kb" &
SAMPLER=$!

# the crowd, open for the relays' duration plus margin, each having had a frame read
load connect --url ws://127.0.0.1:18531 --n "$CONNECTIONS" --k 10 --concurrency 50 --ping 1 \
  --hosts 127.0.0.1,127.0.0.2,127.0.0.3 --hold $((DURATION + 20)) > "$OUT/connect.json" &
CROWD=$!
for _ in $(seq 1 600); do
  open=$(curl -sf http://127.0.0.1:18531/metrics?scope=application | awk '/^signaling_peers/{print int($2)}')
  [ "${open:-0}" -ge $((CONNECTIONS - 50)) ] && break
  sleep 1
done
echo "open: ${open:-0} peers; relaying for ${DURATION} s"
load throughput --url ws://127.0.0.1:18531 --pairs 50 --window 8 --duration "$DURATION" --warmup 2 > "$OUT/throughput.json"
wait $CROWD || true
# the crowd closed its connections (each a close handshake): the node is done when it holds no peer
closing=$SECONDS
for _ in $(seq 1 600); do
  open=$(curl -sf http://127.0.0.1:18531/metrics?scope=application | awk '/^signaling_peers/{print int($2)}')
  [ "${open:-1}" -eq 0 ] && break
  sleep 1
done
echo "the node let go of ${CONNECTIONS} closed connections in $((SECONDS - closing)) s (${open:-?} left)"
kill $SAMPLER 2>/dev/null || true
peak_kb=$(sort -n "$OUT/rss.kb" | tail -1)
heap_used=$(curl -sf http://127.0.0.1:18531/metrics | awk '/^memory_usedHeap_bytes/{printf "%d", $2 / 1048576}')
echo "connect: $(cat "$OUT/connect.json")"
echo "relays:  $(cat "$OUT/throughput.json")"
echo "peak RSS $((peak_kb / 1024)) MiB of a ${limit_mb} MiB limit ($((peak_kb / 1024 * 100 / limit_mb)) %), heap used at the end ${heap_used} MiB of ${heap_mb}"
[ $((peak_kb / 1024)) -lt "$limit_mb" ] || { echo "OVER THE LIMIT: the pod would be killed"; exit 1; }
