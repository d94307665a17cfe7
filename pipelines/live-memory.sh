#!/usr/bin/env bash
# Memory of the live system over a long run with reconnects: a local RTSP
# server (scripts/rtsp-camera.py, the moving ball on every mount) serves N
# cameras to pipelines/live-mtmc.sh (generated ball detector and re-id
# model) for MINUTES; the server is stopped for 5 s and restarted RECONNECTS
# times, evenly spaced; the pipeline's RSS is printed every 30 s with the
# reconnects marked, then the first sample after warm-up (the first
# reconnect), the last sample and their difference.
#
#   pipelines/live-memory.sh [minutes (30)] [cameras (4)] [reconnects (3)]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
minutes="${1:-30}"; n="${2:-4}"; reconnects="${3:-3}"
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
rtsp="$(free_port)"; http="$(free_port)"; work="$(mktemp -d)"
mounts=(); cams=()
for k in $(seq 0 $((n - 1))); do
  mounts+=("c$k=ball"); cams+=("cam$k=rtsp://127.0.0.1:$rtsp/c$k")
done
server=""; live=""
start_server() {
  /usr/bin/python3 "$repo/scripts/rtsp-camera.py" "$rtsp" "${mounts[@]}" > "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do grep -q ready "$work/server.log" && return 0; sleep 0.1; done
  echo "$0: the RTSP server did not start: $(cat "$work/server.log")" >&2
  return 1
}
stop_live() { [ -z "$live" ] || { kill -TERM "$live" 2>/dev/null || true; wait "$live" 2>/dev/null || true; }; }
trap 'stop_live; kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
start_server
seconds=$((minutes * 60))
"$here/live-mtmc.sh" --seconds "$seconds" --port "$http" "${cams[@]}" > "$work/live.log" 2>&1 &
live=$!
pipe=""
for _ in $(seq 120); do
  pipe="$(pgrep -n -f "gst-launch-1.0 -q -e rsmtmcagg.*port=$http" || true)"
  [ -n "$pipe" ] && break; sleep 0.5
done
[ -n "$pipe" ] || { echo "$0: the pipeline did not start: $(cat "$work/live.log")" >&2; exit 1; }
first=""; last=""
every=$((seconds / (reconnects + 1)))
t0="$(date +%s)"; t=0; next=$every; done_r=0
while kill -0 "$live" 2>/dev/null && [ "$t" -lt $((seconds - 10)) ]; do
  rss="$(awk '/VmRSS/ { print $2 }' "/proc/$pipe/status" 2>/dev/null || echo 0)"
  echo "t=${t}s rss=${rss} kB"
  [ "$done_r" -eq 0 ] || [ -n "$first" ] || first="$rss"
  last="$rss"
  if [ "$t" -ge "$next" ] && [ "$done_r" -lt "$reconnects" ]; then
    kill "$server"; wait "$server" 2>/dev/null || true
    sleep 5; start_server; done_r=$((done_r + 1)); next=$((next + every))
    echo "t=${t}s reconnect $done_r: RTSP server stopped for 5 s and restarted"
  fi
  sleep 30; t=$(($(date +%s) - t0))
done
wait "$live" || true
live=""
echo "RSS after warm-up (first reconnect): ${first:-?} kB; last: $last kB; difference: $(( ${last:-0} - ${first:-0} )) kB"
