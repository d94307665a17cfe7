// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Code shared by the command-line tools of gst-rstracking (see
//! `src/bin/`): the evaluators `rstracking-eval` and `rstracking-pose-eval`,
//! and the benchmarks `tracker-bench`, `detect-bench`, `reid-bench`,
//! `crop-bench` (`reid-bench` also measures rsclassify's path), `preprocess-bench`, `mtmc-bench`,
//! `action-bench`, `publish-bench` and `webview-bench`.

pub mod synth;

/// The ONNX Runtime library for the benchmarks: `ORT_DYLIB_PATH`, else the
/// set-up's wheel in `.venv` of the repository (the benchmarks run from the
/// repository; the plugin itself never searches a working directory), else
/// None (the plugin's documented search).
pub fn ort_library() -> Option<String> {
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        return Some(p.to_string_lossy().into_owned());
    }
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv");
    gstrstracking::onnx::wheel_library(&venv).map(|p| p.to_string_lossy().into_owned())
}

/// The median of `v` (the upper one of an even count), sorting it.
pub fn median(v: &mut [std::time::Duration]) -> std::time::Duration {
    v.sort();
    v[v.len() / 2]
}

/// `d` in milliseconds.
pub fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The session settings of the benchmarks: CPU, `threads` intra-op threads
/// (0 = ONNX Runtime's default), no spinning.
pub fn cpu_session(threads: u32) -> gstrstracking::onnx::SessionConfig {
    gstrstracking::onnx::SessionConfig {
        threads,
        provider: gstrstracking::onnx::Provider::Cpu,
        fallback: false,
        spinning: false,
    }
}
