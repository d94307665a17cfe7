#!/usr/bin/env bash
# Zones and lines on a real pedestrian video: vtest.avi (PETS2009 S2L1, from
# ../shared) with the public MOT15 PETS09-S2L1 detections, rsbytetrack,
# rszones (pipelines/zones/pets09-s2l1.txt: a line across the plaza, two
# zones), rsoverlay; writes <out>/zones.jsonl (frames with each object's
# zones, line_cross / zone_enter / zone_exit / zone_occupancy lines) and
# <out>/zones.mkv (annotated video), then prints the counts next to those
# the ground-truth tracks give with the same config (rstracking-zones).
#
#   pipelines/zones.sh <out dir>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
if [ $# -ne 1 ]; then echo "usage: $0 <out dir>" >&2; exit 2; fi
out="$1"; mkdir -p "$out"
shared="${RSTRACKING_SHARED:-$repo/../shared}"
video="$shared/data/video/vtest.avi"; seq="$shared/data/MOT15/train/PETS09-S2L1"
for f in "$video" "$seq/det/det.txt" "$seq/gt/gt.txt"; do
  [ -f "$f" ] || { echo "$0: missing $f" >&2; exit 2; }
done
cfg="$here/zones/pets09-s2l1.txt"
zones_tool="${RSTRACKING_ZONES:-$(dirname "$RSTRACKING_EVAL")/rstracking-zones}"
# The detections are in MOT15's 768x576 pixels: the video is scaled to it.
gst-launch-1.0 -q filesrc location="$video" ! decodebin ! videoconvert ! videoscale \
  ! video/x-raw,width=768,height=576 \
  ! rsdetect detections="$seq/det/det.txt" stream-name=pets09 \
  ! rsbytetrack frame-rate=7 ! rszones config="$cfg" post-messages=false ! tee name=t \
  t. ! queue ! rsjsonsink location="$out/zones.jsonl" \
  t. ! queue ! videoconvert ! rsoverlay zones-config="$cfg" ! videoconvert ! openh264enc ! h264parse ! matroskamux ! filesink location="$out/zones.mkv"
python3 - "$out/zones.jsonl" "$out/pipeline-counts.txt" <<'PY'
import json, sys
counts = {}
for l in open(sys.argv[1]):
    d = json.loads(l)
    e = d.get("event")
    if e == "line_cross":
        k = f"line {d['line']} {d['direction']}"
    elif e == "zone_enter":
        k = f"zone {d['zone']} enter"
    else:
        continue
    counts[k] = counts.get(k, 0) + 1
with open(sys.argv[2], "w") as f:
    for k, v in counts.items():
        f.write(f"{k} {v}\n")
PY
"$zones_tool" "$cfg" "$seq/gt/gt.txt" 768 576 > "$out/gt-counts.txt"
printf "| %-22s | %12s | %8s |\n" count "ground truth" pipeline
printf "|%s|%s|%s|\n" "------------------------" "--------------" "----------"
while read -r kind name what n; do
  p=$(awk -v k="$kind $name $what" '{ key = $1 " " $2 " " $3 } key == k { print $4 }' "$out/pipeline-counts.txt")
  printf "| %-22s | %12s | %8s |\n" "$kind $name $what" "$n" "${p:-0}"
done < "$out/gt-counts.txt"
echo "$out/zones.jsonl, $out/zones.mkv"
