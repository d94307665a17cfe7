#!/usr/bin/env bash
# An edge node: one camera through detection (or stored detections),
# rsbytetrack with re-id, published to an MQTT broker by rsmsgsink on
# topic <prefix>/<camera name> (JSON Lines schema rstracking/1 messages with
# sequence numbers, embeddings as base64).
#
#   pipelines/edge-publish.sh [--live] [--prefix P] [--size WxH] [--fps F]
#       [--model M] [--reid R]
#       <camera name> <uri or detections file> <broker host:port> [-- rsmsgsink prop=value ...]
#
# A detections file (rstracking JSONL, or MOT det.txt) is replayed over
# black frames of --size (default 360x288) at --fps (default 25); --live
# paces it at that rate (so a broker outage happens mid-run), else it runs
# as fast as it can. A URI (rtsp://, file://, http://) is decoded by
# rscamerasrc (reconnects) and runs rsdetect (--model, default the generated
# sample detector) and rsreid (--reid, default tests' mean-colour model).
# Exits with gst-launch's status once the broker has acknowledged every
# message (rsmsgsink drain-timeout).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
live=false; prefix=rstracking; size=360x288; fps=25; model=""; reid=""
while [ $# -gt 0 ]; do
  case "$1" in
    --live) live=true; shift ;;
    --prefix) prefix="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --fps) fps="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --reid) reid="$2"; shift 2 ;;
    --) break ;;
    -*) echo "$0: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
args=()
if [ $# -ge 3 ]; then cam="$1"; input="$2"; broker="$3"; shift 3; else
  echo "usage: $0 [--live] [--prefix P] [--size WxH] [--fps F] [--model M] [--reid R] <camera name> <uri or detections file> <broker host:port> [-- rsmsgsink prop=value ...]" >&2
  exit 2
fi
[ "${1:-}" = "--" ] && shift
sinkprops=("$@")
w="${size%x*}"; h="${size#*x}"
sink=(rsmsgsink address="$broker" topic="$prefix/$cam" "${sinkprops[@]}")
case "$input" in
  *://*)
    model="${model:-$repo/target/test-models/ball_detector.onnx}"
    reid="${reid:-$repo/target/test-models/reid_mean.onnx}"
    args=(rscamerasrc uri="$input" ! videoconvert ! rsdetect model="$model" stream-name="$cam"
          ! rsbytetrack with-reid=true ! rsreid model="$reid" ! "${sink[@]}") ;;
  *)
    [ -f "$input" ] || { echo "$0: no such detections file: $input" >&2; exit 2; }
    case "$input" in
      *.jsonl) frames=$(python3 -c 'import json,sys; print(1+max(json.loads(l).get("frame",0) for l in open(sys.argv[1]) if l.strip() and "\"event\"" not in l))' "$input") ;;
      *) frames=$(awk -F, '$1+0 > m { m = $1+0 } END { print m }' "$input") ;;
    esac
    args=(videotestsrc is-live="$live" num-buffers="$frames" pattern=black
          ! "video/x-raw,format=GRAY8,width=$w,height=$h,framerate=$fps/1"
          ! rsdetect detections="$input" stream-name="$cam" ! rsbytetrack with-reid=true ! "${sink[@]}") ;;
esac
exec gst-launch-1.0 -q -e "${args[@]}"
