#!/usr/bin/env bash
# One frame of the pose replay, raw keypoints (left) next to rsposesmooth's
# (right), both drawn by rsoverlay, as a JPEG.
#
#   pipelines/pose-side-by-side.sh <video> <detections.jsonl> <out.jpg> <frame> [rsposesmooth prop=value ...]
#
# The frames 0..<frame> go through rsdetect ! rsbytetrack, then a tee: one
# branch rsoverlay, the other rsposesmooth ! rsoverlay; compositor puts them
# side by side at half size and the last composed frame is kept.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
if [ $# -lt 4 ]; then
  echo "usage: $0 <video> <detections.jsonl> <out.jpg> <frame> [rsposesmooth prop=value ...]" >&2
  exit 2
fi
video="$1"; dets="$2"; out="$3"; frame="$4"; shift 4
for f in "$video" "$dets"; do
  [ -f "$f" ] || { echo "$0: missing $f" >&2; exit 2; }
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
gst-launch-1.0 -q \
  filesrc location="$video" ! decodebin ! videoconvert \
  ! identity eos-after="$((frame + 1))" \
  ! rsdetect detections="$dets" \
  ! rsbytetrack track-high-threshold=0.4 new-track-threshold=0.5 \
  ! tee name=t \
  t. ! queue ! rsoverlay ! videoscale ! video/x-raw,width=540,height=960 ! comp.sink_0 \
  t. ! queue ! rsposesmooth "$@" ! rsoverlay ! videoscale ! video/x-raw,width=540,height=960 ! comp.sink_1 \
  compositor name=comp sink_1::xpos=540 ! videoconvert ! jpegenc quality=85 \
  ! multifilesink location="$tmp/frame-%05d.jpg"
last="$(ls "$tmp"/frame-*.jpg | sort | tail -n 1)"
mkdir -p "$(dirname "$out")"
cp "$last" "$out"
