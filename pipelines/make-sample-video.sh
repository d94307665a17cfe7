#!/usr/bin/env bash
# Writes the sample video of the main job: videotestsrc's moving ball,
# 320x240 at 30 fps, Motion-JPEG in AVI (plugins-good only).
#
#   pipelines/make-sample-video.sh <out.avi> [frames (default 300)]
#
# tests/models/make_models.py builds ball_detector.onnx, a hand-written
# (not learned) detector of this ball, so the pair runs a real detection
# and tracking pipeline without downloading anything.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
if [ $# -lt 1 ]; then
  echo "usage: $0 <out.avi> [frames]" >&2
  exit 2
fi
out="$1"; n="${2:-300}"
mkdir -p "$(dirname "$out")"
exec gst-launch-1.0 -q \
  videotestsrc pattern=ball num-buffers="$n" \
  ! video/x-raw,width=320,height=240,framerate=30/1 \
  ! jpegenc quality=90 ! avimux ! filesink location="$out"
