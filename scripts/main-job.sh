#!/usr/bin/env bash
# Sets up the machine, builds the plugin and runs the main job:
# 1. detection + tracking on video: the generated sample video (moving ball)
#    through the generated ball detector (tests/models/make_models.py),
#    decode ! rsdetect ! rsbytetrack ! rsjsonsink, written to out/detect/;
#    with ../shared also vtest.avi through the random-weight yolov8n (a
#    format/speed run: those weights detect nothing meaningful);
# 2. every MOT17 and MOT15 sequence of ../shared/data re-tracked by a
#    gst-launch pipeline (rsdetect ! rsbytetrack ! rsjsonsink) and scored
#    with the official protocol; without ../shared, the bundled synthetic
#    sequence;
# 3. with ../shared, the pose2sim keypoints replayed through rsbytetrack !
#    rsposesmooth ! rsoverlay on their video, and the smoother's evaluation;
# 4. with ../shared, skeleton actions per track (rsaction, a fixture model)
#    on the same keypoints, and the episode harvest (pipelines/episode.sh)
#    on a generated episode of vtest.avi and pose2sim shots with hard cuts:
#    crops, best shots, summary and report;
# 5. with ../shared, cross-camera identity on EPFL-Terrace (rsmtmcagg).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release -p gst-rstracking --lib
cargo build --release -p gst-plugin-fallbackswitch
cargo build --release -p rstracking-tools --no-default-features --bin rstracking-eval --bin rstracking-pose-eval
export RSTRACKING_PLUGIN_DIR="$PWD/target/release" RSTRACKING_EVAL="$PWD/target/release/rstracking-eval"
py=.venv/bin/python

mkdir -p out/detect
"$py" tests/models/make_models.py out/models
pipelines/make-sample-video.sh out/detect/ball.avi 300
pipelines/detect-track-file.sh out/detect/ball.avi out/models/ball_detector.onnx out/detect/ball.jsonl
summary() {
  "$py" - "$1" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
frames = [l for l in lines if "event" not in l]
events = [l["event"] for l in lines if "event" in l]
objs = [o for f in frames for o in f["objects"]]
ids = sorted({o["track_id"] for o in objs if "track_id" in o})
print(f"{sys.argv[1]}: {len(frames)} frames, {len(objs)} objects, "
      f"{len(ids)} track ids {ids[:10]}{' ...' if len(ids) > 10 else ''}; "
      + ", ".join(f"{events.count(e)} {e}" for e in sorted(set(events))))
PY
}
summary out/detect/ball.jsonl
if [ -f ../shared/data/video/vtest.avi ] && [ -f ../shared/models/yolov8n_random.onnx ]; then
  start=$(date +%s.%N)
  pipelines/detect-track-file.sh ../shared/data/video/vtest.avi \
    ../shared/models/yolov8n_random.onnx out/detect/vtest-yolov8n-random.jsonl
  end=$(date +%s.%N)
  summary out/detect/vtest-yolov8n-random.jsonl
  awk -v s="$start" -v e="$end" 'BEGIN { printf "vtest.avi, 795 frames, yolov8n (random weights): %.1f s = %.1f frames/s incl. start-up\n", e - s, 795 / (e - s) }'
fi

pose=../shared/data/keypoints/pose2sim_S00_P00_T01_BalancingTrial
if [ -d "$pose" ]; then
  # Pose: OpenPose keypoints of the pose2sim recording replayed on its video,
  # tracked, smoothed and drawn; the side-by-side image and the smoother's
  # evaluation (jitter, synthetic truth, cost).
  mkdir -p out/pose
  python3 scripts/pose2sim-to-jsonl.py "$pose/pose/cam01_json" out/pose/cam01.jsonl 1080 1920 cam01
  pipelines/pose-overlay.sh "$pose/videos/cam01.mp4" out/pose/cam01.jsonl out/pose/cam01.webm
  pipelines/pose-side-by-side.sh "$pose/videos/cam01.mp4" out/pose/cam01.jsonl out/pose/side-by-side.jpg 60
  target/release/rstracking-pose-eval --pose2sim "$pose/pose" --csv out/pose
  echo "out/pose: cam01.webm (overlay), side-by-side.jpg, *.csv (scripts/plot-pose.py draws them)"
  pipelines/pose-action.sh out/action
fi

if [ -f ../shared/data/video/vtest.avi ] && [ -d "$pose" ]; then
  # The episode harvest: stride 6, scene cuts, crops, one thread per pool.
  /usr/bin/python3 scripts/make-episode.py ../shared out/episode
  pipelines/episode.sh --threads 1 out/episode/episode.mkv out/episode/episode.det.jsonl out/episode/run 6
  echo "out/episode/run: crops/*/best.jpg (best shot per track), report.json"
fi

if [ -d ../shared/data/EPFL-Terrace ]; then
  # Cross-camera identity on EPFL-Terrace (simulated detections and
  # appearance; CC BY-NC data, so the work dir is outside the repository),
  # IDF1 against the appearance noise.
  pipelines/mtmc-epfl.sh ../shared/data/EPFL-Terrace "${TMPDIR:-/tmp}/rstracking-epfl" 0.3 0.5 0.7 1.0 1.5 2.0 3.0
fi

if [ -d ../shared/data/MOT17/train ]; then
  pipelines/mot-benchmark.sh ../shared/data out/mot
else
  echo "../shared not found: running the bundled synthetic sequence"
  mkdir -p out/synthetic
  pipelines/mot-offline.sh samples/synthetic/SYN-01 out/synthetic/SYN-01.txt
  pipelines/mot-eval.sh MOT15 samples/synthetic out/synthetic
fi

# The live system: two RTSP cameras (a local server), detection, tracking,
# re-id, cross-camera ids and the browser view, for 20 s.
scripts/live-demo.sh out/live 20
