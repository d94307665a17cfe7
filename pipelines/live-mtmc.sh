#!/usr/bin/env bash
# The live multi-camera system as one command: any number of cameras (RTSP or
# any URI; a file path is played as a looping live camera), each detected,
# tracked and re-identified, one rsmtmcagg giving cross-camera global ids,
# and a browser view of every camera with its boxes on one HTTP port.
#
#   pipelines/live-mtmc.sh [--port P] [--address A] [--model M] [--reid R]
#                          [--rate FPS] [--seconds S] [--out DIR]
#                          [--stats-interval MS]
#                          <name>=<uri or file> [<name>=<uri or file> ...]
#
#   --port     HTTP port of the view (default 8080); --address (127.0.0.1)
#   --model    detector (default: the generated ball detector,
#              tests/models/make_models.py, built into target/live-models)
#   --reid     re-id model (default: the generated reid_mean.onnx)
#   --rate     frames/s sent to each browser (default 10; 0 = every frame)
#   --seconds  stop after S seconds (EOS, files finalised); default: run
#              until interrupted (Ctrl-C also ends with EOS)
#   --out      also write DIR/<name>.jsonl (frames with global ids) and
#              DIR/<name>.mkv (the annotated video, MJPEG: the same JPEGs the
#              browser gets)
#   --stats-interval  rstracking-stats every MS ms of running time from
#              det_<name> (rsdetect) and track_<name> (rsbytetrack), also
#              in http://A:P/stats.json under "elements" (default 0 = off)
#
# Per camera: rscamerasrc ! videoconvert ! rsdetect stream-name=<name>
#   ! rsbytetrack with-reid=true ! rsreid ! queue ! rsmtmcagg
#   ! rsoverlay ! videoconvert ! jpegenc ! rswebview stream-name=<name>
# Prints the index URL first.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
port=8080; address=127.0.0.1; model=""; reid=""; rate=10; seconds=""; out=""; stats=0
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --address) address="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --reid) reid="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --stats-interval) stats="$2"; shift 2 ;;
    -h|--help) usage ;;
    --*) echo "$0: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
if [ -z "$model" ] || [ -z "$reid" ]; then
  models="$repo/target/live-models"
  if [ ! -f "$models/ball_detector.onnx" ] || [ ! -f "$models/reid_mean.onnx" ]; then
    "$repo/.venv/bin/python" "$repo/tests/models/make_models.py" "$models" >/dev/null
  fi
  model="${model:-$models/ball_detector.onnx}"
  reid="${reid:-$models/reid_mean.onnx}"
fi
for f in "$model" "$reid"; do
  [ -f "$f" ] || { echo "$0: no model $f" >&2; exit 2; }
done
[ -z "$out" ] || mkdir -p "$out"

args=(rsmtmcagg name=m)
k=0
names=()
for cam in "$@"; do
  name="${cam%%=*}"; uri="${cam#*=}"
  if [ "$name" = "$cam" ] || [ -z "$name" ] || [ -z "$uri" ]; then
    echo "$0: camera '$cam' is not <name>=<uri or file>" >&2; exit 2
  fi
  case "$name" in
    *[!A-Za-z0-9_.-]*) echo "$0: camera name '$name': use letters, digits, '_', '.', '-'" >&2; exit 2 ;;
  esac
  case "$uri" in
    *://*) ;;
    *) [ -f "$uri" ] || { echo "$0: camera $name: no file $uri" >&2; exit 2; }
       uri="file://$(cd "$(dirname "$uri")" && pwd)/$(basename "$uri")" ;;
  esac
  names+=("$name")
  args+=(rscamerasrc "name=src_$name" "uri=$uri"
         ! videoconvert ! rsdetect "name=det_$name" "model=$model" "stream-name=$name"
         "stats-interval=$stats" ! rsbytetrack "name=track_$name" with-reid=true
         "stats-interval=$stats" ! rsreid "model=$reid"
         ! queue max-size-buffers=4 max-size-bytes=0 max-size-time=0 ! "m.sink_$k")
  if [ -n "$out" ]; then
    args+=("m.src_$k" ! tee "name=meta_$k"
           "meta_$k." ! queue ! rsjsonsink "location=$out/$name.jsonl"
           "meta_$k." ! queue)
  else
    args+=("m.src_$k")
  fi
  args+=(! rsoverlay ! videoconvert ! jpegenc quality=85 ! tee "name=jpeg_$k"
         "jpeg_$k." ! queue leaky=downstream max-size-buffers=2
         ! rswebview "stream-name=$name" "address=$address" "port=$port" "max-rate=$rate")
  if [ -n "$out" ]; then
    args+=("jpeg_$k." ! queue ! matroskamux ! filesink "location=$out/$name.mkv")
  fi
  k=$((k + 1))
done

echo "live view: http://$address:$port/ (cameras: ${names[*]})"
if [ -n "$seconds" ]; then
  # SIGINT after S seconds: gst-launch -e sends EOS and the files are
  # finalised; SIGKILL 30 s later if EOS never completes. Its own exit status
  # is ours (0 after a clean EOS).
  timeout -k 30 --preserve-status -s INT --foreground "$seconds" \
    gst-launch-1.0 -q -e "${args[@]}" &
  child=$!
  trap 'kill -INT "$child" 2>/dev/null || true' INT TERM
  rc=0; wait "$child" || rc=$?
  # A signal to this script interrupts the first wait (status > 128): wait
  # again for gst-launch's own status.
  if [ "$rc" -gt 128 ]; then rc=0; wait "$child" || rc=$?; fi
  exit "$rc"
else
  exec gst-launch-1.0 -q -e "${args[@]}"
fi
