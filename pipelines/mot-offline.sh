#!/usr/bin/env bash
# Re-tracks a MOTChallenge sequence from its public detections.
#
#   pipelines/mot-offline.sh [--preset exact|improved] <sequence dir> <results.txt> [rsbytetrack prop=value ...]
#
# --preset exact (default): the reference ByteTrack, line for line.
# --preset improved: rsbytetrack track-buffer=60 young-gate=3
# predict-empty-frames=true and rsjsonsink's offline refinement (gap
# filling up to 50 frames in tracks of at least 60 boxes, Gaussian
# smoothing sigma 2, tracks under 8 boxes dropped); README "Beyond the
# reference" has the figures and the ablation.
#
# Reads <sequence dir>/seqinfo.ini (size, length, frame rate) and
# <sequence dir>/det/det.txt, and runs
#   videotestsrc (black GRAY8 frames of the sequence's size, count and rate)
#   ! rsdetect detections=det.txt ! rsbytetrack ! rsjsonsink format=mot
# Pixels are never read. rsbytetrack gets frame-rate=30 first, as ByteTrack's
# own evaluation builds its tracker at 30 fps for every sequence; further
# arguments are rsbytetrack properties and override it (and the preset's),
# or, written sink.prop=value, rsjsonsink properties.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
preset=exact
if [ "${1:-}" = "--preset" ]; then
  [ $# -ge 2 ] || { echo "$0: --preset needs a value (exact, improved)" >&2; exit 2; }
  preset="$2"; shift 2
fi
case "$preset" in
  exact) track=(); sink=() ;;
  improved) track=(track-buffer=60 predict-empty-frames=true young-gate=3)
            sink=(refine-max-gap=50 refine-fill-min-length=60 refine-sigma=2 min-track-length=8) ;;
  *) echo "$0: unknown preset '$preset' (exact, improved)" >&2; exit 2 ;;
esac
if [ $# -lt 2 ]; then
  echo "usage: $0 [--preset exact|improved] <sequence dir> <results.txt> [rsbytetrack prop=value ...]" >&2
  exit 2
fi
seq="$1"; out="$2"; shift 2
extra=()
for a in "$@"; do
  case "$a" in sink.*) sink+=("${a#sink.}") ;; *) extra+=("$a") ;; esac
done
ini="$seq/seqinfo.ini"; det="$seq/det/det.txt"
for f in "$ini" "$det"; do
  [ -f "$f" ] || { echo "$0: missing $f" >&2; exit 2; }
done
get() { sed -n "s/^$1[[:space:]]*=[[:space:]]*//p" "$ini" | tr -d '\r' | head -n1; }
w="$(get imWidth)"; h="$(get imHeight)"; n="$(get seqLength)"; fps="$(get frameRate)"
rate="$(awk -v f="$fps" 'BEGIN { printf "%d/1000", f * 1000 + 0.5 }')"
exec gst-launch-1.0 -q \
  videotestsrc num-buffers="$n" pattern=black \
  ! "video/x-raw,format=GRAY8,width=$w,height=$h,framerate=$rate" \
  ! rsdetect detections="$det" \
  ! rsbytetrack frame-rate=30 "${track[@]}" "${extra[@]}" \
  ! rsjsonsink format=mot location="$out" "${sink[@]}"
