#!/usr/bin/env bash
# The central node: subscribes to each camera's topic (rsmsgsrc), runs one
# rsmtmcagg over all of them (cross-camera global ids, as for local
# cameras), writes <out>/<camera>.jsonl and publishes the result (global
# ids, merge events) back on <publish prefix>/<camera>.
#
#   pipelines/central-mtmc.sh [--prefix P] [--publish-prefix Q] [--out DIR]
#       <broker host:port> <camera name>... [-- rsmtmcagg prop=value ...]
#
# Defaults: P=rstracking, Q=rstracking-global, DIR=out/central. Ends when
# every camera has sent its eos message (rsmsgsink sends one at its EOS);
# Ctrl-C ends it earlier. Many cameras: run one central per site/zone, each
# with its own prefix (README, "Message broker").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
prefix=rstracking; pub=rstracking-global; out=out/central
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --publish-prefix) pub="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -*) echo "$0: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -lt 2 ]; then
  echo "usage: $0 [--prefix P] [--publish-prefix Q] [--out DIR] <broker host:port> <camera name>... [-- rsmtmcagg prop=value ...]" >&2
  exit 2
fi
broker="$1"; shift
cams=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do cams+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
mkdir -p "$out"
args=(rsmtmcagg name=m "$@")
k=0
for c in "${cams[@]}"; do
  args+=(rsmsgsrc name="sub_$c" address="$broker" topic="$prefix/$c" ! "m.sink_$k"
         "m.src_$k" ! tee name="t$k"
         ! queue ! rsjsonsink location="$out/$c.jsonl"
         "t$k." ! queue ! rsmsgsink address="$broker" topic="$pub/$c")
  k=$((k + 1))
done
exec gst-launch-1.0 -m -e "${args[@]}"
