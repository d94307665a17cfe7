#!/usr/bin/env bash
# Replays stored pose detections on their video, tracks, smooths and draws
# them.
#
#   pipelines/pose-overlay.sh <video> <detections.jsonl> <out.webm | out dir> [rsposesmooth prop=value ...]
#
# Runs
#   filesrc ! decodebin ! videoconvert ! rsdetect detections=<jsonl>
#   ! rsbytetrack ! rsposesmooth ! rsoverlay ! videoconvert
#   ! vp8enc ! webmmux ! filesink      (out ends in .webm)
#   ! jpegenc ! multifilesink <dir>/frame-%04d.jpg   (otherwise)
# rsbytetrack gets track-high-threshold=0.4 new-track-threshold=0.5: the
# converted OpenPose detections' confidence is the mean keypoint confidence
# (about 0.6), below ByteTrack's defaults. Further arguments are
# rsposesmooth properties; `rsposesmooth=off` leaves it out (raw keypoints).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
if [ $# -lt 3 ]; then
  echo "usage: $0 <video> <detections.jsonl> <out.webm | out dir> [rsposesmooth prop=value ... | rsposesmooth=off]" >&2
  exit 2
fi
video="$1"; dets="$2"; out="$3"; shift 3
for f in "$video" "$dets"; do
  [ -f "$f" ] || { echo "$0: missing $f" >&2; exit 2; }
done
smooth=(! rsposesmooth "$@")
if [ "${1:-}" = "rsposesmooth=off" ]; then smooth=(); fi
case "$out" in
  *.webm) sink=(! vp8enc deadline=1 target-bitrate=4000000 ! webmmux ! filesink location="$out") ;;
  *) mkdir -p "$out"; sink=(! jpegenc quality=85 ! multifilesink location="$out/frame-%04d.jpg") ;;
esac
exec gst-launch-1.0 -q \
  filesrc location="$video" ! decodebin ! videoconvert \
  ! rsdetect detections="$dets" \
  ! rsbytetrack track-high-threshold=0.4 new-track-threshold=0.5 \
  "${smooth[@]}" \
  ! rsoverlay ! videoconvert "${sink[@]}"
