#!/usr/bin/env bash
# Cost of the application-facing metas (one GstVideoRegionOfInterestMeta per
# object + the RsTrackingFrameMeta structure view) on the offline MOT job:
# mot-offline.sh on one sequence, alternating rsbytetrack publish-meta=off
# (what `auto` does there: the next element, rsjsonsink, is ours) and
# publish-meta=on, RUNS times each (default 7); prints every run, the
# medians and the mean paired difference (run i on - run i off) with its
# standard error, of the wall time and of the CPU time (user + system of
# the script and gst-launch). Same machine, same run: the bare baseline is
# measured beside it.
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
declare -a off on offcpu oncpu
TIMEFORMAT='%3R %3U %3S'
for i in $(seq 1 "$runs"); do
  # off first in odd pairs, on first in even ones, so that the order (a
  # warmer cache for the second run) does not favour one mode.
  order="off on"; [ $((i % 2)) -eq 0 ] && order="on off"
  for mode in $order; do
    read -r t u s < <({ time "$here/mot-offline.sh" "$seq" "$out/$mode.txt" publish-meta=$mode 2>"$out/err" \
      || { cat "$out/err" >&2; echo "mot-offline.sh failed" >&2; }; } 2>&1)
    [ -n "${s:-}" ] || exit 1
    c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.3f", u + s }')
    echo "run $i publish-meta=$mode: $t s, CPU $c s ($n frames)"
    if [ "$mode" = off ]; then off+=("$t"); offcpu+=("$c"); else on+=("$t"); oncpu+=("$c"); fi
  done
done
cmp -s "$out/off.txt" "$out/on.txt" || { echo "outputs differ" >&2; exit 1; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mo=$(median "${off[@]}"); mn=$(median "${on[@]}")
awk -v o="$mo" -v p="$mn" -v n="$n" 'BEGIN {
  printf "median publish-meta=off: %.3f s (%.0f frames/s)\n", o, n / o
  printf "median publish-meta=on:  %.3f s (%.0f frames/s), %+.1f %%\n", p, n / p, (p / o - 1) * 100 }'
# Runs alternate, so run i's difference on - off cancels slow drifts of
# the machine; its mean and standard error are the figures to quote.
paired() {
  awk -v n="$n" -v what="$1" '{ d = $2 - $1; s += d; ss += d * d; so += $1; k++ } END {
    m = s / k; se = (k > 1) ? sqrt((ss / k - m * m) * k / (k - 1) / k) : 0
    printf "paired difference on - off, %s: %+.2f ms +- %.2f ms (standard error, %d pairs) = %+.1f %% +- %.1f %% of the mean off run (%.1f ms), %+.1f us per frame\n", what, m * 1000, se * 1000, k, m / (so / k) * 100, se / (so / k) * 100, so / k * 1000, m / n * 1e6 }'
}
for i in "${!off[@]}"; do echo "${off[$i]} ${on[$i]}"; done | paired "wall time"
for i in "${!off[@]}"; do echo "${offcpu[$i]} ${oncpu[$i]}"; done | paired "CPU time"
