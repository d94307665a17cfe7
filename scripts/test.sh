#!/usr/bin/env bash
# Sets up the machine and runs every test of gst-rstracking (the README's
# test command; CI runs it too). The core tests that need ../shared (or
# $RSTRACKING_SHARED) are #[ignore = "needs ../shared"] and run here when it
# is present; the plugin's tests that need it skip with a message otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo fmt --all -- --check
cargo clippy -p gst-rstracking -p rstracking-core -p rstracking-tools --all-targets -- -D warnings
cargo test -p gst-rstracking -p rstracking-core -p rstracking-tools
if [ -d "${RSTRACKING_SHARED:-../shared}/data" ]; then
  cargo test -p rstracking-core -- --ignored
else
  echo "test.sh: ../shared not found: the core tests that need it were not run"
fi
