#!/usr/bin/env bash
# Evaluates a directory of MOTChallenge result files (<seq>.txt) against the
# ground truth, with the official TrackEval protocol (rstracking-eval).
#
#   pipelines/mot-eval.sh MOT17|MOT15 <gt root with <seq>/gt/gt.txt> <results dir> [out.json]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
if [ $# -lt 3 ]; then
  echo "usage: $0 MOT17|MOT15 <gt root> <results dir> [out.json]" >&2
  exit 2
fi
args=(--benchmark "$1" --gt "$2" --results "$3")
if [ $# -ge 4 ]; then args+=(--json "$4"); fi
exec "$RSTRACKING_EVAL" "${args[@]}"
