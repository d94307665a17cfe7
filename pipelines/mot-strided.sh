#!/usr/bin/env bash
# Strided detection on MOTChallenge: keeps the public detections of every
# Nth frame only (frames 1, 1+N, 1+2N, ...; the tracker is told nothing
# else: the other frames simply have no detections), re-tracks with
# --preset exact (the reference ByteTrack fed the same input) and
# --preset improved, and scores both on all frames.
#
#   pipelines/mot-strided.sh <stride> [benchmark MOT17|MOT15] [data root] [work dir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
if [ $# -lt 1 ]; then
  echo "usage: $0 <stride> [MOT17|MOT15] [data root] [work dir]" >&2; exit 2
fi
n="$1"; bench="${2:-MOT17}"; data="${3:-$repo/../shared/data}"; work="${4:-${TMPDIR:-/tmp}/rstracking-strided}"
root="$data/$bench/train"
[ -d "$root" ] || { echo "$0: no $root" >&2; exit 2; }
root="$(cd "$root" && pwd)"
w="$work/$bench-stride$n"; rm -rf "$w"; mkdir -p "$w/seqs"
for seq in "$root"/*/; do
  seq="${seq%/}"; name="$(basename "$seq")"
  [ -f "$seq/det/det.txt" ] || continue
  mkdir -p "$w/seqs/$name/det"
  ln -s "$seq/seqinfo.ini" "$w/seqs/$name/seqinfo.ini"
  ln -s "$seq/gt" "$w/seqs/$name/gt"
  awk -F, -v n="$n" '($1 - 1) % n == 0' "$seq/det/det.txt" > "$w/seqs/$name/det/det.txt"
done
for preset in exact improved; do
  mkdir -p "$w/$preset"
  for seq in "$w"/seqs/*/; do
    seq="${seq%/}"
    "$here/mot-offline.sh" --preset "$preset" "$seq" "$w/$preset/$(basename "$seq").txt"
  done
  "$here/mot-eval.sh" "$bench" "$w/seqs" "$w/$preset" > "$w/$preset.eval.txt"
done
printf "%-24s %s\n" "$bench stride $n" "$(head -n1 "$w/exact.eval.txt" | cut -c18-)"
for preset in exact improved; do
  awk -v p="$preset" '$1 == "COMBINED" { sub(/^COMBINED +/, ""); printf "%-24s %s\n", p, $0 }' "$w/$preset.eval.txt"
done
