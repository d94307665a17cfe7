#!/usr/bin/env bash
# Re-tracks every MOT17 and MOT15 sequence found under a data root (default
# ../shared/data) with mot-offline.sh, once with --preset exact (the
# reference ByteTrack) and once with --preset improved, then evaluates each
# benchmark and prints the two COMBINED rows side by side.
#
#   pipelines/mot-benchmark.sh [data root] [output dir]
#
# Results: <output dir>/<bench>/<seq>.txt (exact), <output dir>/<bench>-improved/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
data="${1:-$repo/../shared/data}"
outdir="${2:-$repo/out/mot}"
for bench in MOT17 MOT15; do
  root="$data/$bench/train"
  [ -d "$root" ] || { echo "no $root, skipping $bench"; continue; }
  for preset in exact improved; do
    dir="$outdir/$bench"; [ "$preset" = exact ] || dir="$outdir/$bench-$preset"
    mkdir -p "$dir"
    frames=0
    start=$(date +%s.%N)
    for seq in "$root"/*/; do
      seq="${seq%/}"; name="$(basename "$seq")"
      [ -f "$seq/det/det.txt" ] || continue
      "$here/mot-offline.sh" --preset "$preset" "$seq" "$dir/$name.txt"
      frames=$((frames + $(sed -n 's/^seqLength=//p' "$seq/seqinfo.ini" | tr -d '\r')))
    done
    end=$(date +%s.%N)
    awk -v f="$frames" -v s="$start" -v e="$end" -v b="$bench" -v p="$preset" \
      'BEGIN { printf "%s (%s): %d frames through mot-offline.sh in %.2f s (%.0f frames/s, gst-launch start-up included)\n", b, p, f, e - s, f / (e - s) }'
    "$here/mot-eval.sh" "$bench" "$root" "$dir" "$dir.json" > "$dir.eval.txt"
  done
  printf "%-22s %s\n" "$bench" "$(head -n1 "$outdir/$bench.eval.txt" | cut -c18-)"
  for preset in exact improved; do
    dir="$outdir/$bench"; [ "$preset" = exact ] || dir="$outdir/$bench-$preset"
    awk -v p="$bench $preset" '$1 == "COMBINED" { sub(/^COMBINED +/, ""); printf "%-22s %s\n", p, $0 }' "$dir.eval.txt"
  done
done
