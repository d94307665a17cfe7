# Sourced by the pipeline scripts: finds the built plugin and the tools.
# RSTRACKING_PLUGIN_DIR: directory holding libgstrstracking.so (default: the
# newest of target/release and target/debug; nothing if the plugin is
# installed system-wide). GST_REGISTRY defaults to a private file so that a
# stale or blacklisted entry in the user's registry never hides the plugin.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${RSTRACKING_PLUGIN_DIR:-}" ]; then
  for d in $(ls -dt "$repo/target/release" "$repo/target/debug" 2>/dev/null); do
    if [ -f "$d/libgstrstracking.so" ]; then RSTRACKING_PLUGIN_DIR="$d"; break; fi
  done
fi
if [ -n "${RSTRACKING_PLUGIN_DIR:-}" ]; then
  export GST_PLUGIN_PATH="$RSTRACKING_PLUGIN_DIR${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
fi
export GST_REGISTRY="${GST_REGISTRY:-${TMPDIR:-/tmp}/rstracking-registry-$(id -u).bin}"
if [ -z "${RSTRACKING_EVAL:-}" ]; then
  for d in $(ls -dt "$repo/target/release" "$repo/target/debug" 2>/dev/null); do
    if [ -x "$d/rstracking-eval" ]; then RSTRACKING_EVAL="$d/rstracking-eval"; break; fi
  done
fi
RSTRACKING_EVAL="${RSTRACKING_EVAL:-rstracking-eval}"
# ONNX Runtime for rsdetect: the set-up's .venv wheel unless ORT_DYLIB_PATH
# is set (rsdetect also searches itself; this makes the scripts independent
# of the working directory).
if [ -z "${ORT_DYLIB_PATH:-}" ]; then
  for f in "$repo"/.venv/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so.*; do
    if [ -f "$f" ]; then export ORT_DYLIB_PATH="$f"; break; fi
  done
fi
