#!/usr/bin/env bash
# Installs what gst-rstracking needs on Debian 12 (idempotent): GStreamer
# 1.22 development files and plugins, meson/ninja, the RTSP server library
# (the tests' camera), chromium (the web view's browser test), mosquitto and
# its clients (the broker elements' tests; the service is not enabled by us). Rust (cargo) must already
# be installed (rustup).
set -euo pipefail
pkgs=(libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-tools
      gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
      gstreamer1.0-plugins-ugly
      gstreamer1.0-libav meson ninja-build pkg-config
      gcc libc6-dev python3-gi python3-gst-1.0 gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
      gir1.2-gst-rtsp-server-1.0 chromium mosquitto mosquitto-clients openssl time)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi
command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust with rustup first" >&2; exit 1; }

# Python tools for the ONNX part: ONNX Runtime (its shared library is what
# rsdetect loads, see README "ONNX Runtime"), and onnx + numpy, which build
# the tiny test models (tests/models/make_models.py). Pinned; PyPI only.
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import onnx, onnxruntime, numpy' 2>/dev/null; then
  py="$(command -v python3 || true)"
  if [ -z "$py" ] || ! "$py" -m venv --help >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q python3 python3-venv
    py="$(command -v python3)"
  fi
  echo "setup: creating $venv (onnxruntime, onnx, numpy)"
  "$py" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    onnxruntime==1.31.1 onnx==1.23.2 "numpy>=1.26,<3"
fi
