#!/usr/bin/env bash
# Cost of the application-facing metas (one GstVideoRegionOfInterestMeta per
# object + the RsTrackingFrameMeta structure view) on the offline MOT job:
# mot-offline.sh on one sequence, alternating rsbytetrack publish-meta=off
# (what `auto` does there: the next element, rsjsonsink, is ours) and
# publish-meta=on, RUNS times each (default 7); prints every run and the
# medians. Same machine, same run: the bare baseline is measured beside it.
#
#   pipelines/publish-cost.sh [sequence dir] [runs]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
seq="${1:-$repo/../shared/data/MOT17/train/MOT17-02-FRCNN}"
runs="${2:-7}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
n="$(sed -n 's/^seqLength=//p' "$seq/seqinfo.ini" | tr -d '\r')"
declare -a off on
for i in $(seq 1 "$runs"); do
  for mode in off on; do
    t0=$(date +%s.%N)
    "$here/mot-offline.sh" "$seq" "$out/$mode.txt" publish-meta=$mode
    t1=$(date +%s.%N)
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
    echo "run $i publish-meta=$mode: $t s ($n frames)"
    if [ "$mode" = off ]; then off+=("$t"); else on+=("$t"); fi
  done
done
cmp -s "$out/off.txt" "$out/on.txt" || { echo "outputs differ" >&2; exit 1; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mo=$(median "${off[@]}"); mn=$(median "${on[@]}")
awk -v o="$mo" -v p="$mn" -v n="$n" 'BEGIN {
  printf "median publish-meta=off: %.3f s (%.0f frames/s)\n", o, n / o
  printf "median publish-meta=on:  %.3f s (%.0f frames/s), %+.1f %%\n", p, n / p, (p / o - 1) * 100 }'
