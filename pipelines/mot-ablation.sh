#!/usr/bin/env bash
# Ablation of --preset improved on MOT17 and MOT15 (all frames): each row
# adds one part to the previous row, from the reference ByteTrack (exact)
# to the whole preset. Prints combined HOTA, AssA, IDF1, IDSW per set.
#
#   pipelines/mot-ablation.sh [data root] [work dir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
data="${1:-$repo/../shared/data}"; work="${2:-${TMPDIR:-/tmp}/rstracking-ablation}"
off=(track-buffer=30 predict-empty-frames=false young-gate=0
     sink.refine-max-gap=0 sink.refine-fill-min-length=0 sink.refine-sigma=0 sink.min-track-length=0)
rows=(
  "exact|--preset exact"
  "+ track-buffer 60|${off[*]} track-buffer=60"
  "+ young-gate 3|${off[*]} track-buffer=60 young-gate=3"
  "+ predict-empty-frames|${off[*]} track-buffer=60 young-gate=3 predict-empty-frames=true"
  "+ gap filling (50 frames, tracks >= 60)|${off[*]} track-buffer=60 young-gate=3 predict-empty-frames=true sink.refine-max-gap=50 sink.refine-fill-min-length=60"
  "+ smoothing sigma 2|${off[*]} track-buffer=60 young-gate=3 predict-empty-frames=true sink.refine-max-gap=50 sink.refine-fill-min-length=60 sink.refine-sigma=2"
  "+ min-track-length 8 (= improved)|--preset improved"
)
printf "| %-40s | %-29s | %-29s |\n" "" "MOT17 HOTA / AssA / IDF1 / IDSW" "MOT15 HOTA / AssA / IDF1 / IDSW"
printf "|%s|%s|%s|\n" "------------------------------------------" "-------------------------------" "-------------------------------"
k=0
for row in "${rows[@]}"; do
  name="${row%%|*}"; args="${row#*|}"
  k=$((k + 1)); cells=()
  for bench in MOT17 MOT15; do
    root="$data/$bench/train"; d="$work/$k/$bench"; mkdir -p "$d"
    preset=(--preset improved); rest=()
    read -r -a words <<< "$args"
    if [ "${words[0]}" = --preset ]; then preset=("${words[@]:0:2}"); rest=("${words[@]:2}"); else rest=("${words[@]}"); fi
    for seq in "$root"/*/; do
      seq="${seq%/}"; [ -f "$seq/det/det.txt" ] || continue
      "$here/mot-offline.sh" "${preset[@]}" "$seq" "$d/$(basename "$seq").txt" "${rest[@]}"
    done
    cells+=("$("$RSTRACKING_EVAL" --benchmark "$bench" --gt "$root" --results "$d" 2>/dev/null \
      | awk '$1 == "COMBINED" { printf "%s / %s / %s / %s", $2, $4, $6, $7 }')")
  done
  printf "| %-40s | %-29s | %-29s |\n" "$name" "${cells[0]}" "${cells[1]}"
done
