#!/usr/bin/env bash
# Sets up the machine, builds the plugin and runs the main job: every MOT17
# and MOT15 sequence of ../shared/data re-tracked by a gst-launch pipeline
# (rsdetect ! rsbytetrack ! rsjsonsink) and scored with the official
# protocol. Without ../shared it runs the bundled synthetic sequence.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release -p gst-rstracking --lib --bins
export RSTRACKING_PLUGIN_DIR="$PWD/target/release" RSTRACKING_EVAL="$PWD/target/release/rstracking-eval"
if [ -d ../shared/data/MOT17/train ]; then
  pipelines/mot-benchmark.sh ../shared/data out/mot
else
  echo "../shared not found: running the bundled synthetic sequence"
  mkdir -p out/synthetic
  pipelines/mot-offline.sh samples/synthetic/SYN-01 out/synthetic/SYN-01.txt
  pipelines/mot-eval.sh MOT15 samples/synthetic out/synthetic
fi
