#!/usr/bin/env bash
# Throughput of the live multi-camera system on this machine: for each camera
# count, a local RTSP server (scripts/rtsp-camera.py) serves VIDEO as
# that many live cameras (played once: keep SECONDS under its length), and
# pipelines/live-mtmc.sh runs on them with the
# given detector and re-id models for SECONDS; from its /stats.json (taken
# 5 s before the end) and /proc it prints, per camera count: frames/s per
# camera (rsbytetrack's measured rate) and in total, the CPU share of the
# pipeline process and of the RTSP server (100 % = one core), rsdetect's
# processing time per frame, its objects per frame and the end-to-end
# latency at the tracker.
#
#   pipelines/live-throughput.sh <video> <detector.onnx> <reid.onnx> [seconds (40)] [counts (1 2 4)]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
[ $# -ge 3 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
video="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; det="$2"; reid="$3"
seconds="${4:-40}"; counts="${5:-1 2 4}"
[ "$seconds" -ge 20 ] || { echo "$0: seconds must be at least 20" >&2; exit 2; }
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
hz="$(getconf CLK_TCK)"
work="$(mktemp -d)"
server=""; live=""
trap '[ -z "$live" ] || kill -TERM "$live" 2>/dev/null || true; kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
printf '%-8s %-11s %-10s %-9s %-11s %-13s %-12s %-16s\n' cameras "fps/camera" "fps total" "CPU pipe" "CPU server" "detect ms/fr" "objects/fr" "latency ms (max)"
for n in $counts; do
  rtsp="$(free_port)"; http="$(free_port)"
  mounts=(); cams=()
  for k in $(seq 0 $((n - 1))); do
    mounts+=("c$k=file:$video"); cams+=("cam$k=rtsp://127.0.0.1:$rtsp/c$k")
  done
  /usr/bin/python3 "$repo/scripts/rtsp-camera.py" "$rtsp" "${mounts[@]}" > "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 50); do grep -q ready "$work/server.log" && break; sleep 0.1; done
  "$here/live-mtmc.sh" --seconds "$seconds" --port "$http" --stats-interval 5000 \
    --model "$det" --reid "$reid" "${cams[@]}" > "$work/live.log" 2>&1 &
  live=$!
  sleep 8
  pipe="$(pgrep -n -f "gst-launch-1.0 -q -e rsmtmcagg.*port=$http" || true)"
  p0="$(ticks "$pipe")"; s0="$(ticks "$server")"; t0="$(date +%s.%N)"
  sleep $((seconds - 13))
  p1="$(ticks "$pipe")"; s1="$(ticks "$server")"; t1="$(date +%s.%N)"
  curl -s "http://127.0.0.1:$http/stats.json" > "$work/stats.json" || true
  wait "$live" || true; live=""
  kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""
  /usr/bin/python3 - "$work/stats.json" "$n" "$p0" "$p1" "$s0" "$s1" "$t0" "$t1" "$hz" <<'PY'
import json, sys
path, n, p0, p1, s0, s1, t0, t1, hz = sys.argv[1:]
n = int(n); wall = float(t1) - float(t0); hz = float(hz)
try:
    el = json.load(open(path)).get("elements", {})
except Exception:
    el = {}
tracks = [v for k, v in el.items() if k.startswith("track_")]
dets = [v for k, v in el.items() if k.startswith("det_")]
fps = [t.get("fps", 0.0) for t in tracks]
lat = [t.get("latency_ms_mean") for t in tracks if t.get("latency_ms_mean") is not None]
latmax = [t.get("latency_ms_max") for t in tracks if t.get("latency_ms_max") is not None]
proc = [d.get("process_us_mean", 0) / 1000 for d in dets]
objs = [d.get("objects", 0) / d["frames"] for d in dets if d.get("frames")]
cpu_p = (float(p1) - float(p0)) / hz / wall * 100
cpu_s = (float(s1) - float(s0)) / hz / wall * 100
mean = lambda v: sum(v) / len(v) if v else float("nan")
print(f"{n:<8} {mean(fps):<11.1f} {sum(fps):<10.1f} {cpu_p:<9.0f} {cpu_s:<11.0f} {mean(proc):<13.1f} {mean(objs):<12.0f} "
      f"{mean(lat):.0f} ({max(latmax) if latmax else float('nan'):.0f})")
PY
done
