#!/usr/bin/env bash
# What strided analysis saves: on generated 1280x720 H.264 clips (GOP 30
# and GOP 250, `minutes` long, default 10; kept in <out dir> for later
# runs), wall and CPU time of
#   stride 1            decode, convert, scale and detect every frame
#   stride 6, all       rsdetect interval=6: every frame decoded, converted
#                       and scaled, one in six analysed
#   stride 6, rsstride  rsstride interval=6 after the decoder: one frame in
#                       six converted, scaled and analysed (every frame is
#                       still decoded: the clips have I and P frames only,
#                       all of them references)
#   keyframes           h264parse ! rsstride key-units-only=true ! decoder:
#                       only the keyframes are decoded (stride = GOP)
# The detector is the tiny fixture model v8_const.onnx (64x64 input), so
# that decoding and conversion dominate; each run ends in rsbytetrack !
# rsjsonsink. Prints a table (wall s, user+sys CPU s, speed-up over
# "stride 6, all").
#
#   pipelines/stride-decode.sh <out dir> [minutes]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
if [ $# -lt 1 ]; then echo "usage: $0 <out dir> [minutes]" >&2; exit 2; fi
out="$1"; minutes="${2:-10}"; mkdir -p "$out"
frames=$((minutes * 60 * 25))
py="$repo/.venv/bin/python"; [ -x "$py" ] || py=python3
"$py" "$repo/tests/models/make_models.py" "$out/models" >/dev/null
model="$out/models/v8_const.onnx"
for gop in 30 250; do
  clip="$out/clip-${minutes}min-gop$gop.mkv"
  if [ ! -s "$clip" ]; then
    echo "generating $clip ($frames frames)" >&2
    gst-launch-1.0 -q videotestsrc num-buffers="$frames" pattern=ball motion=sweep \
      ! video/x-raw,width=1280,height=720,framerate=25/1 \
      ! openh264enc gop-size="$gop" bitrate=2000000 complexity=low scene-change-detection=false \
      ! h264parse ! matroskamux ! filesink location="$clip" 2>/dev/null
  fi
done
tail=(videoconvert ! videoscale ! video/x-raw,width=640,height=360)
run() { # name clip decoder-part... ; prints "wall cpu"
  local name="$1" clip="$2"; shift 2
  /usr/bin/time -f "%e %U %S" -o "$out/time.txt" gst-launch-1.0 -q \
    filesrc location="$clip" ! matroskademux ! h264parse "$@" \
    ! rsbytetrack ! rsjsonsink location="$out/$name.jsonl"
  awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$out/time.txt"
}
printf "| clip | run | frames analysed | wall s | CPU s | speed-up (wall) over stride 6, all |\n|---|---|---|---|---|---|\n"
for gop in 30 250; do
  clip="$out/clip-${minutes}min-gop$gop.mkv"
  declare -A w c n
  read -r w[s1] c[s1] < <(run s1 "$clip" ! avdec_h264 ! "${tail[@]}" ! rsdetect model="$model")
  read -r w[all] c[all] < <(run all "$clip" ! avdec_h264 ! "${tail[@]}" ! rsdetect model="$model" interval=6)
  read -r w[skip] c[skip] < <(run skip "$clip" ! avdec_h264 ! rsstride interval=6 ! "${tail[@]}" ! rsdetect model="$model" frame-index=timestamp)
  read -r w[key] c[key] < <(run key "$clip" ! rsstride key-units-only=true ! avdec_h264 ! "${tail[@]}" ! rsdetect model="$model" frame-index=timestamp)
  for r in s1 all skip key; do
    n[$r]=$(grep -c '"objects"' "$out/$r.jsonl" || true)
  done
  # rsdetect interval=6 writes every frame; count the analysed ones.
  n[all]=$(( (frames + 5) / 6 ))
  for r in s1 all skip key; do
    case $r in s1) label="stride 1";; all) label="stride 6, all decoded and converted";;
      skip) label="stride 6, rsstride before videoconvert";; key) label="keyframes only (stride $gop)";; esac
    printf "| GOP %s | %s | %s | %s | %s | %s |\n" "$gop" "$label" "${n[$r]}" "${w[$r]}" "${c[$r]}" \
      "$(awk -v a="${w[all]}" -v b="${w[$r]}" 'BEGIN { printf "%.2fx", a / b }')"
  done
  unset w c n
done
