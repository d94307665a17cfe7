#!/usr/bin/env bash
# Replays per-camera JSON Lines detections (with embeddings) through one
# pipeline: per camera videotestsrc ! rsdetect ! rsbytetrack into one
# rsmtmcagg, and per camera rsjsonsink.
#
#   pipelines/mtmc-replay.sh <in dir> <out dir> <width> <height> <fps> <frames> <camera> [<camera> ...] [-- rsmtmcagg prop=value ...]
#
# Reads <in dir>/<camera>.jsonl, writes <out dir>/<camera>.jsonl (with
# global ids and merge lines). Pixels are never read (black GRAY8 frames
# of the given size, rate and count stand in for the videos).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
if [ $# -lt 7 ]; then
  echo "usage: $0 <in dir> <out dir> <width> <height> <fps> <frames> <camera> [<camera> ...] [-- rsmtmcagg prop=value ...]" >&2
  exit 2
fi
in="$1"; out="$2"; w="$3"; h="$4"; fps="$5"; n="$6"; shift 6
cams=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do cams+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
mkdir -p "$out"
args=(rsmtmcagg name=m "$@")
k=0
for c in "${cams[@]}"; do
  [ -f "$in/$c.jsonl" ] || { echo "$0: missing $in/$c.jsonl" >&2; exit 2; }
  args+=(videotestsrc num-buffers="$n" pattern=black
         ! "video/x-raw,format=GRAY8,width=$w,height=$h,framerate=$fps/1"
         ! rsdetect detections="$in/$c.jsonl" ! rsbytetrack with-reid=true ! "m.sink_$k"
         "m.src_$k" ! rsjsonsink location="$out/$c.jsonl")
  k=$((k + 1))
done
exec gst-launch-1.0 -q "${args[@]}"
