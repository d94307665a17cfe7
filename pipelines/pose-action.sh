#!/usr/bin/env bash
# Skeleton action recognition per track on real keypoints: the pose2sim
# recording (../shared, OpenPose BODY_25B keypoints of cam01, its first 17
# = COCO-17, 60 fps, 100 frames) replayed on its video through rsbytetrack
# ! rsposesmooth ! rsaction with the fixture model action_motion.onnx
# (tests/models/make_models.py: a hand-written two-class "still"/"moving"
# model on mean keypoint motion, not a trained one), window 32, stride 8.
# Writes <out>/actions.jsonl (every object's `action`) and
# <out>/actions.webm (boxes, skeletons, "#id moving 0.93" labels), then
# prints each track's classifications.
#
#   pipelines/pose-action.sh <out dir>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
if [ $# -ne 1 ]; then echo "usage: $0 <out dir>" >&2; exit 2; fi
out="$1"; mkdir -p "$out"
shared="${RSTRACKING_SHARED:-$repo/../shared}"
pose="$shared/data/keypoints/pose2sim_S00_P00_T01_BalancingTrial"
video="$pose/videos/cam01.mp4"
for f in "$video" "$pose/pose/cam01_json"; do
  [ -e "$f" ] || { echo "$0: missing $f" >&2; exit 2; }
done
py="$repo/.venv/bin/python"; [ -x "$py" ] || py=python3
"$py" "$repo/tests/models/make_models.py" "$out/models"
python3 "$repo/scripts/pose2sim-to-jsonl.py" "$pose/pose/cam01_json" "$out/cam01.jsonl" 1080 1920 cam01
gst-launch-1.0 -q filesrc location="$video" ! decodebin ! videoconvert \
  ! rsdetect detections="$out/cam01.jsonl" \
  ! rsbytetrack track-high-threshold=0.4 new-track-threshold=0.5 \
  ! rsposesmooth \
  ! rsaction model="$out/models/action_motion.onnx" labels=still,moving window=32 stride=8 \
  ! tee name=t \
  t. ! queue ! rsjsonsink location="$out/actions.jsonl" \
  t. ! queue ! rsoverlay ! videoconvert ! vp8enc deadline=1 target-bitrate=4000000 \
     ! webmmux ! filesink location="$out/actions.webm"
python3 - "$out/actions.jsonl" <<'PY'
import json, sys
seen = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    for o in d.get("objects", []):
        a = o.get("action")
        if a and a["frame"] == d["frame"]:
            seen.setdefault(o["track_id"], []).append(
                f"{a['frame']}:{a.get('label', a['class_id'])} {a['score']:.3f}")
for t, v in sorted(seen.items()):
    print(f"track {t}: {len(v)} classifications (frame:label score): {', '.join(v)}")
PY
echo "$out/actions.jsonl, $out/actions.webm"
