#!/usr/bin/env bash
# What strided analysis saves in decoding and conversion. Generated
# 1280x720 25 frames/s H.264 clips, `minutes` long (default 10; kept in
# <out dir> for later runs): openh264enc (I and P frames only, every frame
# a reference) and, where x264enc is installed (gstreamer1.0-plugins-ugly),
# x264enc with two non-reference B-frames between references; GOP 30 and
# 250 each. Per clip, the wall and CPU time of
#   stride 1       decode, convert, scale and detect every frame
#   6, all         rsdetect interval=6: every frame decoded, converted,
#                  scaled; one in six analysed
#   6, rsstride    avdec_h264 ! rsstride interval-time=240 ms: every frame
#                  decoded, one in six converted, scaled, analysed
#   6, no B        h264parse ! rsstride drop-non-reference=true !
#                  avdec_h264 ! rsstride interval-time=240 ms: the
#                  non-reference pictures are not decoded either
#   keyframes      h264parse ! rsstride key-units-only=true ! avdec_h264:
#                  only keyframes decoded (stride = GOP)
# The detector is the tiny fixture model v8_const.onnx (64x64 input), so
# decoding and conversion dominate; every run ends in rsbytetrack !
# rsjsonsink; decoders and videoconvert run on one thread each. Prints a
# table with the speed-ups over "6, all".
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
encoders=(openh264)
if gst-inspect-1.0 x264enc >/dev/null 2>&1; then encoders+=(x264); else
  echo "x264enc not installed (gstreamer1.0-plugins-ugly): openh264 clips only" >&2; fi
clip_of() { echo "$out/clip-${minutes}min-$1-gop$2.mkv"; }
for enc in "${encoders[@]}"; do
  for gop in 30 250; do
    clip="$(clip_of "$enc" "$gop")"
    [ -s "$clip" ] && continue
    echo "generating $clip ($frames frames)" >&2
    case $enc in
      openh264) e="openh264enc gop-size=$gop bitrate=2000000 complexity=low scene-change-detection=false" ;;
      x264) e="x264enc speed-preset=superfast bframes=2 b-adapt=false b-pyramid=false key-int-max=$gop bitrate=2000" ;;
    esac
    # shellcheck disable=SC2086
    gst-launch-1.0 -q videotestsrc num-buffers="$frames" pattern=ball motion=sweep \
      ! video/x-raw,format=I420,width=1280,height=720,framerate=25/1 ! $e \
      ! h264parse ! matroskamux ! filesink location="$clip" 2>/dev/null
  done
done
dec="avdec_h264 max-threads=1"
conv="videoconvert n-threads=1 ! videoscale ! video/x-raw,width=640,height=360"
step="rsstride interval-time=240000000"
run() { # clip name pipeline-part; sets W and C (wall, CPU s); exits on failure
  local clip="$1" name="$2" part="$3"
  # shellcheck disable=SC2086
  if ! /usr/bin/time -f "%e %U %S" -o "$out/time.txt" gst-launch-1.0 -q \
    filesrc location="$clip" ! matroskademux ! h264parse ! $part \
    ! rsbytetrack ! rsjsonsink location="$out/$name.jsonl"; then
    echo "$0: the '$name' run on $clip failed" >&2; exit 1
  fi
  read -r W C < <(awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$out/time.txt")
}
printf "| clip | run | frames analysed | wall s | CPU s | speed-up wall | speed-up CPU |\n|---|---|---|---|---|---|---|\n"
for enc in "${encoders[@]}"; do
  for gop in 30 250; do
    clip="$(clip_of "$enc" "$gop")"
    declare -A w c part
    part[s1]="$dec ! $conv ! rsdetect model=$model"
    part[all]="$dec ! $conv ! rsdetect model=$model interval=6"
    part[skip]="$dec ! $step ! $conv ! rsdetect model=$model frame-index=timestamp"
    part[noref]="rsstride drop-non-reference=true ! $dec ! $step ! $conv ! rsdetect model=$model frame-index=timestamp"
    part[key]="rsstride key-units-only=true ! $dec ! $conv ! rsdetect model=$model frame-index=timestamp"
    for r in s1 all skip noref key; do
      run "$clip" "$r" "${part[$r]}"
      w[$r]=$W; c[$r]=$C
    done
    for r in s1 all skip noref key; do
      n=$(grep -c '"objects"' "$out/$r.jsonl" || true)
      [ "$r" = all ] && n="$(( (frames + 5) / 6 )) of $n"
      case $r in s1) label="stride 1";; all) label="6, all decoded and converted";;
        skip) label="6, rsstride after the decoder";; noref) label="6, non-reference not decoded";;
        key) label="keyframes only (stride $gop)";; esac
      printf "| %s GOP %s | %s | %s | %s | %s | %s | %s |\n" "$enc" "$gop" "$label" "$n" "${w[$r]}" "${c[$r]}" \
        "$(awk -v a="${w[all]}" -v b="${w[$r]}" 'BEGIN { printf "%.2fx", a / b }')" \
        "$(awk -v a="${c[all]}" -v b="${c[$r]}" 'BEGIN { printf "%.2fx", a / b }')"
    done
    unset w c part
  done
done
