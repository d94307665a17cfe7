#!/usr/bin/env bash
# The live multi-camera system on two sample cameras, for a bounded time (the
# end of the main job): a local RTSP server (scripts/rtsp-camera.py: the
# moving ball, and the same ball mirrored) and pipelines/live-mtmc.sh on it;
# headless Chromium takes a screenshot of the browser view halfway.
#
#   scripts/live-demo.sh [out dir (out/live)] [seconds (20)]
#
# Leaves <out>/cam0.mkv, cam1.mkv (annotated MJPEG video), cam0.jsonl,
# cam1.jsonl (frames with track and global ids) and index.png.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/live}"; seconds="${2:-20}"
mkdir -p "$out"
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
rtsp="$(free_port)"; http="$(free_port)"
/usr/bin/python3 scripts/rtsp-camera.py "$rtsp" a=ball b=ball-mirror > "$out/rtsp-server.log" 2>&1 &
server=$!
shot=""
# The screenshot runs in its own process group (setsid), killed whole.
trap 'kill "$server" 2>/dev/null || true; [ -z "$shot" ] || kill -- -"$shot" 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q ready "$out/rtsp-server.log" && break; sleep 0.1; done
grep -q ready "$out/rtsp-server.log" || { cat "$out/rtsp-server.log" >&2; exit 1; }
echo "RTSP cameras: rtsp://127.0.0.1:$rtsp/a, rtsp://127.0.0.1:$rtsp/b"
setsid bash -c '
  sleep "$1"; out="$2"; http="$3"
  profile="$(mktemp -d)"
  timeout 60 chromium --headless --disable-gpu --no-sandbox --no-first-run \
    --hide-scrollbars --force-device-scale-factor=1 --timeout=3000 \
    --user-data-dir="$profile" --window-size=680,320 \
    --screenshot="$out/index.png" "http://127.0.0.1:$http/" > /dev/null 2>&1 \
    || echo "live-demo: chromium could not take the screenshot" >&2
  rm -rf "$profile"
' shot $((seconds / 2)) "$out" "$http" &
shot=$!
pipelines/live-mtmc.sh --seconds "$seconds" --port "$http" --out "$out" \
  "cam0=rtsp://127.0.0.1:$rtsp/a" "cam1=rtsp://127.0.0.1:$rtsp/b"
wait "$shot" || true
shot=""
/usr/bin/python3 - "$out" <<'PY'
import collections, json, sys
out = sys.argv[1]
for cam in ("cam0", "cam1"):
    lines = [json.loads(l) for l in open(f"{out}/{cam}.jsonl")]
    frames = [l for l in lines if "event" not in l]
    ids = collections.Counter((o.get("track_id"), o.get("global_id"))
                              for f in frames for o in f["objects"])
    print(f"{out}/{cam}.jsonl: {len(frames)} frames; (track id, global id): "
          + ", ".join(f"{k} x{n}" for k, n in ids.most_common(4)))
PY
echo "$out: cam0.mkv, cam1.mkv (annotated video), index.png (the browser view)"
