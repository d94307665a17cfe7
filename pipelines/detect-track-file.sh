#!/usr/bin/env bash
# Detects and tracks objects in a video file and writes JSON Lines.
#
#   pipelines/detect-track-file.sh <video> <model.onnx> <out.jsonl> [rsdetect prop=value ...]
#
# Runs
#   filesrc ! decodebin ! queue ! videoconvert ! rsdetect model=<model>
#   ! rsbytetrack ! rsjsonsink location=<out.jsonl>
# The queue puts decoding on its own thread, overlapped with inference;
# videoconvert is a pass-through when the decoder already gives a format
# rsdetect reads (I420, NV12, packed RGB/BGR variants). Further arguments
# are rsdetect properties (e.g. confidence-threshold=0.4 interval=2
# threads=2). ONNX Runtime is found as rsdetect documents (ort-library,
# ORT_DYLIB_PATH, else a search that includes ./.venv).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
if [ $# -lt 3 ]; then
  echo "usage: $0 <video> <model.onnx> <out.jsonl> [rsdetect prop=value ...]" >&2
  exit 2
fi
video="$1"; model="$2"; out="$3"; shift 3
for f in "$video" "$model"; do
  [ -f "$f" ] || { echo "$0: missing $f" >&2; exit 2; }
done
exec gst-launch-1.0 -q \
  filesrc location="$video" ! decodebin \
  ! queue max-size-buffers=8 max-size-bytes=0 max-size-time=0 \
  ! videoconvert \
  ! rsdetect model="$model" "$@" \
  ! rsbytetrack \
  ! rsjsonsink location="$out"
