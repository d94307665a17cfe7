#!/usr/bin/env bash
# Cross-camera identity on EPFL-Terrace through a real broker: a local
# mosquitto (started here on a free loopback port, stopped by PID), each of
# the 4 cameras in its own edge process (pipelines/edge-publish.sh), one
# central process (pipelines/central-mtmc.sh), then the same cameras in one
# process (pipelines/mtmc-replay.sh) for comparison; prints both
# CROSS_CAMERA rows and, per camera, frame messages sent and received.
#
#   pipelines/mtmc-epfl-broker.sh [--live] [--outages N] [--outage-seconds S]
#       <EPFL-Terrace dir> <work dir outside the repo>
#
# --outages N stops the broker (SIGTERM; it keeps its persistent sessions)
# N times for S seconds (default 10), evenly through the run; use with
# --live (200 s of video), else the replay is over before the first outage.
# The data is CC BY-NC: the work dir must be outside the repository.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
live=(); outages=0; outage_s=10
while [ $# -gt 0 ]; do
  case "$1" in
    --live) live=(--live); shift ;;
    --outages) outages="$2"; shift 2 ;;
    --outage-seconds) outage_s="$2"; shift 2 ;;
    -*) echo "$0: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -ne 2 ]; then
  echo "usage: $0 [--live] [--outages N] [--outage-seconds S] <EPFL-Terrace dir> <work dir>" >&2
  exit 2
fi
epfl="$1"; work="$2"
cams=(terrace1-c0 terrace1-c1 terrace1-c2 terrace1-c3)
rm -rf "$work"; mkdir -p "$work/broker"
python3 "$here/../scripts/epfl-to-jsonl.py" "$epfl" "$work/in" --appearance-noise 0.3 > /dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
broker="127.0.0.1:$port"
cat > "$work/broker/mosquitto.conf" <<CONF
user $(id -un)
listener $port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $work/broker/
log_dest file $work/broker/mosquitto.log
CONF
mosq=$(command -v mosquitto || echo /usr/sbin/mosquitto)
bpid=""; cpid=""; epids=()
start_broker() {
  "$mosq" -c "$work/broker/mosquitto.conf" & bpid=$!
  for _ in $(seq 100); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$0: mosquitto did not start (see $work/broker/mosquitto.log)" >&2; exit 1
}
stop_broker() { [ -n "$bpid" ] && kill -TERM "$bpid" 2>/dev/null && wait "$bpid" 2>/dev/null; bpid=""; }
cleanup() {
  for p in "${epids[@]}" $cpid; do kill -TERM "$p" 2>/dev/null || true; done
  stop_broker || true
}
trap cleanup EXIT
start_broker
# Build the plugin registry once, before five processes start at once.
gst-inspect-1.0 rsmsgsink > /dev/null

"$here/central-mtmc.sh" --prefix epfl --publish-prefix epfl-global --out "$work/out" "$broker" "${cams[@]}" > "$work/central.log" 2>&1 & cpid=$!
for _ in $(seq 200); do
  n=$(grep -c 'from element "sub_.*state=(string)connected' "$work/central.log" || true)
  [ "$n" -ge ${#cams[@]} ] && break
  sleep 0.1
done
start=$(date +%s.%N)
for c in "${cams[@]}"; do
  "$here/edge-publish.sh" "${live[@]}" --prefix epfl "$c" "$work/in/$c.jsonl" "$broker" -- drain-timeout=60000 \
    > "$work/edge-$c.log" 2>&1 & epids+=($!)
done
if [ "$outages" -gt 0 ]; then
  total=$(( ${#live[@]} > 0 ? 200 : 20 ))
  gap=$(( total / (outages + 1) ))
  for _ in $(seq "$outages"); do
    sleep "$gap"
    echo "broker stopped at $(date +%T) for ${outage_s} s"
    stop_broker; sleep "$outage_s"; start_broker
  done
fi
rc=0
for p in "${epids[@]}"; do wait "$p" || rc=$?; done
epids=()
wait "$cpid" || rc=$?
cpid=""
end=$(date +%s.%N)
[ "$rc" -eq 0 ] || { echo "$0: a pipeline failed (rc $rc); see $work/*.log" >&2; exit "$rc"; }
awk -v a="$start" -v b="$end" 'BEGIN { printf "run: %.1f s (4 edge processes + central)\n", b - a }'
printf "%-12s %6s %8s\n" camera sent received
for c in "${cams[@]}"; do
  sent=$(grep -vc '"event"' "$work/in/$c.jsonl")
  got=$(grep -vc '"event"' "$work/out/$c.jsonl")
  printf "%-12s %6s %8s\n" "$c" "$sent" "$got"
done
grep -h "Dropped\|missing\|Malformed" "$work"/*.log || true
"$here/mtmc-replay.sh" "$work/in" "$work/inproc" 360 288 25 5010 "${cams[@]}"
printf "%-10s %6s %6s %6s %6s %6s\n" run HOTA AssA IDF1 MOTA IDSW
for d in out inproc; do
  "$RSTRACKING_EVAL" cross-camera --gt "$epfl" --pred "$work/$d" > "$work/eval-$d.txt" 2>&1
  name=$([ "$d" = out ] && echo broker || echo in-process)
  awk -v n="$name" '$1 == "CROSS_CAMERA" { printf "%-10s %6s %6s %6s %6s %6s\n", n, $2, $4, $6, $5, $7 }' "$work/eval-$d.txt"
done
