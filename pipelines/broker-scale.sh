#!/usr/bin/env bash
# Scale of the broker path, measured on this machine (not a CI test): N
# simulated cameras (EPFL-Terrace detections with synthetic embeddings,
# camera k replaying terrace1-c(k mod 4)) paced live at 25 frames/s in P
# edge processes, one local mosquitto, one central process aggregating all
# N cameras (rsmtmcagg) and publishing global ids; a mosquitto_sub captures
# every message with its arrival time. Prints message rates, sizes, the
# end-to-end latency (frame time at the edge -> its global ids received)
# and the central process's CPU share.
#
#   pipelines/broker-scale.sh <EPFL-Terrace dir> <work dir> [cameras 32] [processes 4] [seconds 60]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
if [ $# -lt 2 ]; then
  echo "usage: $0 <EPFL-Terrace dir> <work dir> [cameras 32] [processes 4] [seconds 60]" >&2; exit 2
fi
epfl="$1"; work="$2"; n="${3:-32}"; procs="${4:-4}"; secs="${5:-60}"
frames=$((secs * 25))
rm -rf "$work"; mkdir -p "$work/broker"
python3 "$here/../scripts/epfl-to-jsonl.py" "$epfl" "$work/in" --appearance-noise 0.3 > /dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
broker="127.0.0.1:$port"
cat > "$work/broker/mosquitto.conf" <<CONF
user $(id -un)
listener $port 127.0.0.1
allow_anonymous true
max_queued_messages 100000
log_dest file $work/broker/mosquitto.log
CONF
mosq=$(command -v mosquitto || echo /usr/sbin/mosquitto)
pids=()
trap 'for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done' EXIT
"$mosq" -c "$work/broker/mosquitto.conf" & pids+=($!); bpid=$!
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null && break; sleep 0.1
done
gst-inspect-1.0 rsmsgsink > /dev/null
cams=(); for k in $(seq 0 $((n - 1))); do cams+=("$(printf cam%02d "$k")"); done
mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -t 'scale/#' -t 'scale-global/#' -F '%U	%t	%p' > "$work/capture.tsv" & pids+=($!); spid=$!
"$here/central-mtmc.sh" --prefix scale --publish-prefix scale-global --out "$work/out" "$broker" "${cams[@]}" > "$work/central.log" 2>&1 & pids+=($!); cpid=$!
for _ in $(seq 600); do
  c=$(grep -c 'from element "sub_.*state=(string)connected' "$work/central.log" || true)
  [ "$c" -ge "$n" ] && break; sleep 0.1
done
start=$(date +%s.%N)
per=$(( (n + procs - 1) / procs ))
for p in $(seq 0 $((procs - 1))); do
  args=()
  for k in $(seq $((p * per)) $((p * per + per - 1))); do
    [ "$k" -lt "$n" ] || break
    c="${cams[$k]}"
    args+=(videotestsrc is-live=true num-buffers="$frames" pattern=black
           ! video/x-raw,format=GRAY8,width=360,height=288,framerate=25/1
           ! rsdetect detections="$work/in/terrace1-c$((k % 4)).jsonl" stream-name="$c"
           ! rsbytetrack with-reid=true ! rsmsgsink address="$broker" topic="scale/$c" drain-timeout=60000)
  done
  gst-launch-1.0 -q -e "${args[@]}" > "$work/edge-$p.log" 2>&1 & pids+=($!)
done
# CPU of the central process (utime + stime, clock ticks), sampled.
tck=$(getconf CLK_TCK)
while kill -0 "$cpid" 2>/dev/null; do
  awk '{ print $14 + $15 }' "/proc/$cpid/stat" 2>/dev/null > "$work/central.cpu.tmp" && mv "$work/central.cpu.tmp" "$work/central.cpu"
  sleep 1
done
end=$(date +%s.%N)
wait "$cpid" || { echo "$0: the central process failed; see $work/central.log" >&2; exit 1; }
sleep 1; kill -TERM "$spid" 2>/dev/null || true
awk -v a="$start" -v b="$end" -v t="$(cat "$work/central.cpu")" -v k="$tck" -v n="$n" \
  'BEGIN { printf "%d cameras, run %.1f s, central process CPU %.0f %% of one core\n", n, b - a, 100 * t / k / (b - a) }'
python3 "$here/../scripts/broker-scale.py" "$work/capture.tsv" scale scale-global
