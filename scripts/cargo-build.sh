#!/usr/bin/env bash
# Used by meson.build: cargo build --release, then copy the plugin, the
# fallbackswitch plugin (gst-plugins-rs's fallbacksrc, which rscamerasrc
# wraps) and the evaluator into meson's output directory.
#   cargo-build.sh <source dir> <cargo target dir> <output dir>
set -euo pipefail
src="$1"; target="$2"; outdir="$3"
cargo build --release --manifest-path "$src/Cargo.toml" --target-dir "$target" -p gst-rstracking --lib
cargo build --release --manifest-path "$src/Cargo.toml" --target-dir "$target" -p gst-plugin-fallbackswitch
cargo build --release --manifest-path "$src/Cargo.toml" --target-dir "$target" \
  -p rstracking-tools --no-default-features --bin rstracking-eval
cp "$target/release/libgstrstracking.so" "$target/release/libgstfallbackswitch.so" "$target/release/rstracking-eval" "$outdir/"
