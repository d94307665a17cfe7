#!/usr/bin/env bash
# Re-tracks every MOT17 and MOT15 sequence found under a data root (default
# ../shared/data) with mot-offline.sh, then evaluates each benchmark.
#
#   pipelines/mot-benchmark.sh [data root] [output dir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
data="${1:-$repo/../shared/data}"
outdir="${2:-$repo/out/mot}"
for bench in MOT17 MOT15; do
  root="$data/$bench/train"
  [ -d "$root" ] || { echo "no $root, skipping $bench"; continue; }
  mkdir -p "$outdir/$bench"
  frames=0
  start=$(date +%s.%N)
  for seq in "$root"/*/; do
    seq="${seq%/}"; name="$(basename "$seq")"
    [ -f "$seq/det/det.txt" ] || continue
    "$here/mot-offline.sh" "$seq" "$outdir/$bench/$name.txt"
    frames=$((frames + $(sed -n 's/^seqLength=//p' "$seq/seqinfo.ini" | tr -d '\r')))
  done
  end=$(date +%s.%N)
  awk -v f="$frames" -v s="$start" -v e="$end" -v b="$bench" \
    'BEGIN { printf "%s: %d frames through mot-offline.sh in %.2f s (%.0f frames/s, gst-launch start-up included)\n", b, f, e - s, f / (e - s) }'
  "$here/mot-eval.sh" "$bench" "$root" "$outdir/$bench" "$outdir/$bench.json"
done
