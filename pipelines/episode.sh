#!/usr/bin/env bash
# The TV-episode harvest as one pipeline: strided analysis (rsstride in
# front of the conversion; with --keyframes only keyframes are decoded and
# the stride counts keyframes), scene cuts (scenechange → rsbytetrack ends every track),
# tracking with continuity in seconds, crops with quality filters and best
# shots (rscropsink), per-track summary with a minimum length, progress,
# and a final report.
#
#   pipelines/episode.sh [--threads N] [--reid <reid.onnx>] [--keyframes]
#       <video (H.264)> <detector.onnx | detections.jsonl> <out dir> [stride]
#
# stride: analyse one frame in N (default 6). --keyframes: decode the
# keyframes only (rsstride key-units-only=true before the decoder; the
# stride then counts keyframes). --threads N: cap every thread pool (decoder,
# videoconvert, ONNX Runtime of rsdetect and rsreid) at N (0 = each pool's
# automatic choice, about one thread per core). --reid: embeddings per track (rsreid, interval 8).
# Writes <out>/tracks.jsonl (frames, track/cut/progress lines),
# tracks.txt (MOT), summary.jsonl (tracks of >= 3 frames, 8 sampled boxes),
# crops/ (JPEGs, best shots, index.jsonl) and report.json (counts), and
# prints progress every 30 analysed frames.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/env.sh"
threads=0; reid_model=""; key=false
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --reid) reid_model="$2"; shift 2 ;;
    --keyframes) key=true; shift ;;
    *) break ;;
  esac
done
if [ $# -lt 3 ]; then
  echo "usage: $0 [--threads N] [--reid model.onnx] [--keyframes] <video> <detector.onnx | detections.jsonl> <out dir> [stride]" >&2
  exit 2
fi
video="$1"; det="$2"; out="$3"; stride="${4:-6}"
for f in "$video" "$det"; do [ -f "$f" ] || { echo "$0: missing $f" >&2; exit 2; }; done
reid=()
if [ -n "$reid_model" ]; then
  reid=(! rsreid name=reid "model=\"$reid_model\"" interval=8 threads="$threads")
fi
case "$det" in
  *.onnx) detect=(rsdetect "model=\"$det\"" threads="$threads") ;;
  *) detect=(rsdetect "detections=\"$det\"") ;;
esac
rm -rf "$out/crops"
rm -f "$out/tracks.jsonl" "$out/tracks.txt" "$out/summary.jsonl" "$out/report.json"
mkdir -p "$out/crops"
if $key; then
  decode="rsstride key-units-only=true interval=$stride ! avdec_h264 max-threads=$threads"
else
  decode="avdec_h264 max-threads=$threads ! rsstride interval=$stride"
fi
crops="$out/crops/{track:05}"
desc="filesrc location=\"$video\" ! parsebin ! $decode ! scenechange \
 ! videoconvert n-threads=$threads \
 ! ${detect[*]} frame-index=timestamp stream-name=episode \
 ${reid[*]} \
 ! rsbytetrack name=track max-lost-time=2500000000 scene-cuts=true cut-cooldown=1000000000 ! tee name=t \
 t. ! queue ! rsjsonsink name=jsonl location=\"$out/tracks.jsonl\" tracks-location=\"$out/summary.jsonl\" \
   min-track-length=3 sample-limit=8 progress-interval=30 progress-lines=true \
 t. ! queue ! rsjsonsink format=mot location=\"$out/tracks.txt\" min-track-length=3 \
 t. ! queue ! rscropsink name=crops location=\"$crops/{frame:06}.jpg\" best-location=\"$crops/best.jpg\" \
   index-location=\"$out/crops/index.jsonl\" interval=8 min-confidence=0.75 min-size=50"
/usr/bin/time -f "%e %U %S" -o "$out/time.txt" /usr/bin/python3 "$repo/scripts/episode-run.py" "$desc" "$out"
read -r wall user sys < "$out/time.txt"
python3 - "$out/report.json" "$wall" "$user" "$sys" "$threads" "$stride" <<'PY'
import json, sys
path, wall, user, sys_, threads, stride = sys.argv[1], *map(float, sys.argv[2:5]), sys.argv[5], sys.argv[6]
r = json.load(open(path))
r.update({"wall_s": wall, "cpu_s": round(user + sys_, 2), "cpu_share": round((user + sys_) / wall, 2),
          "threads": int(threads), "stride": int(stride)})
json.dump(r, open(path, "w"), indent=1)
print(f"wall {wall:.1f} s, CPU {user + sys_:.1f} s ({(user + sys_) / wall:.2f} cores), threads cap {threads}")
PY
echo "$out: tracks.jsonl tracks.txt summary.jsonl crops/ report.json"
