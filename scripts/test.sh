#!/usr/bin/env bash
# Sets up the machine and runs every test of gst-rstracking (the README's
# test command; CI runs it too). Tests that need ../shared skip with a
# message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo fmt --all -- --check
cargo clippy -p gst-rstracking -p rstracking-core --all-targets -- -D warnings
cargo test -p gst-rstracking -p rstracking-core
