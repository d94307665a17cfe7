#!/usr/bin/env bash
# Sets up the machine and runs every test of gst-rstracking (the README's
# test command; CI runs it too).
#
# Tests that need ../shared (or $RSTRACKING_SHARED) are #[ignore = "needs
# ../shared"]: without the data they show as ignored; with it they run
# (--include-ignored). With CI=true the data must be there: a CI run that
# would silently skip them fails instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
shared="${RSTRACKING_SHARED:-../shared}"
ignored=()
if [ -d "$shared/data" ]; then
  ignored=(--include-ignored)
  echo "test.sh: $shared found: running the data-gated tests too"
elif [ "${CI:-}" = "true" ]; then
  echo "test.sh: CI=true but $shared/data is missing: the data-gated tests cannot run" >&2
  exit 1
else
  echo "test.sh: $shared not found: the data-gated tests are reported as ignored"
fi
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
cargo test --workspace -- "${ignored[@]}"
