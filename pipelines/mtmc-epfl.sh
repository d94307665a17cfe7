#!/usr/bin/env bash
# Cross-camera identity on EPFL-Terrace (4 cameras, ground truth only):
# scripts/epfl-to-jsonl.py simulates detections + appearance embeddings,
# pipelines/mtmc-replay.sh runs the 4 cameras through rsbytetrack with-reid
# into one rsmtmcagg, rstracking-eval scores the global ids over all
# cameras at once (CROSS_CAMERA row).
#
#   pipelines/mtmc-epfl.sh <EPFL-Terrace dir> <work dir outside the repo> [appearance noise ...]
#
# With several noise levels it prints one line per level (IDF1 vs noise).
# The data is CC BY-NC: the work dir must be outside the repository.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
if [ $# -lt 2 ]; then
  echo "usage: $0 <EPFL-Terrace dir> <work dir> [appearance noise ...]" >&2
  exit 2
fi
epfl="$1"; work="$2"; shift 2
noises=("$@"); [ ${#noises[@]} -gt 0 ] || noises=(0.3)
cams=(terrace1-c0 terrace1-c1 terrace1-c2 terrace1-c3)
printf "%-16s %6s %6s %6s %6s %6s %6s\n" "appearance noise" HOTA AssA IDF1 MOTA IDSW merges
for s in "${noises[@]}"; do
  d="$work/noise-$s"
  rm -rf "$d"
  python3 "$here/../scripts/epfl-to-jsonl.py" "$epfl" "$d/in" --appearance-noise "$s" > /dev/null
  "$here/mtmc-replay.sh" "$d/in" "$d/out" 360 288 25 5010 "${cams[@]}"
  "$RSTRACKING_EVAL" cross-camera --gt "$epfl" --pred "$d/out" --json "$d/summary.json" > "$d/eval.txt" 2>&1
  # Every camera's file carries every merge line.
  merges=$(( $(cat "$d/out/${cams[0]}.jsonl" | grep -c '"event":"merge"' || true) ))
  awk -v s="$s" -v m="$merges" '$1 == "CROSS_CAMERA" { printf "%-16s %6s %6s %6s %6s %6s %6s\n", s, $2, $4, $6, $5, $7, m }' "$d/eval.txt"
done
