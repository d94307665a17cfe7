// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! A missing or wrong ONNX Runtime library is an element error at start,
//! never a panic. Its own test binary (= process): once a library is
//! loaded, a process keeps it, so these cases must come first.

mod common;

use common::{collect, models};

#[test]
fn missing_or_wrong_ort_library_is_a_clear_error() {
    let m = models().join("v8_const.onnx");
    let run = |lib: &str| {
        let (r, _) = collect(&format!(
            "videotestsrc num-buffers=1 ! video/x-raw,format=RGB,width=64,height=64 ! rsdetect model={} ort-library={lib} ! appsink name=sink",
            m.display()
        ));
        r.expect_err("must fail")
    };
    let e = run("/nonexistent/libonnxruntime.so.1.31.1");
    assert!(
        e.contains("ONNX Runtime library '/nonexistent/libonnxruntime.so.1.31.1' (from the ort-library property) does not exist"),
        "{e}"
    );
    // A shared library that is not ONNX Runtime.
    let not_ort = [
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib",
    ]
    .iter()
    .map(|d| std::path::Path::new(d).join("libgstreamer-1.0.so.0"))
    .find(|p| p.exists())
    .expect("libgstreamer-1.0.so.0 present");
    let e = run(not_ort.to_str().unwrap());
    assert!(e.contains("Failed to load ONNX Runtime from"), "{e}");
    assert!(e.contains("does not export `OrtGetApiBase`"), "{e}");
    // After the failures the right library still loads (no poisoned state).
    let (r, _) = collect(&format!(
        "videotestsrc num-buffers=1 ! video/x-raw,format=RGB,width=64,height=64 ! rsdetect model={} ! appsink name=sink",
        m.display()
    ));
    assert_eq!(r.unwrap()[0].as_ref().unwrap().len(), 4);
}

#[test]
fn an_installed_plugin_finds_onnx_runtime_beside_it() {
    // The layout `meson install` makes: <libdir>/gstreamer-1.0/ with the
    // plugin, <libdir>/rstracking/ with the wheel's libonnxruntime. A
    // gst-launch in another working directory, without ORT_DYLIB_PATH,
    // VIRTUAL_ENV or a ~/.local wheel, loads the model.
    let lib = common::venv_ort_library().expect("the set-up's .venv wheel");
    let root = common::tmpdir("installed");
    let plugins = root.join("lib/gstreamer-1.0");
    let ort_dir = root.join("lib/rstracking");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::create_dir_all(&ort_dir).unwrap();
    std::fs::copy(
        common::plugin_dir().join("libgstrstracking.so"),
        plugins.join("libgstrstracking.so"),
    )
    .unwrap();
    std::fs::copy(&lib, ort_dir.join(lib.file_name().unwrap())).unwrap();
    let out = std::process::Command::new("gst-launch-1.0")
        .args([
            "videotestsrc",
            "num-buffers=1",
            "!",
            "video/x-raw,format=RGB,width=64,height=64",
            "!",
            "rsdetect",
        ])
        .arg(format!(
            "model={}",
            models().join("v8_const.onnx").display()
        ))
        .args(["!", "fakesink"])
        .current_dir(&root)
        .env_remove("ORT_DYLIB_PATH")
        .env_remove("VIRTUAL_ENV")
        .env_remove("LD_LIBRARY_PATH")
        .env("HOME", &root)
        .env("GST_PLUGIN_PATH", &plugins)
        .env("GST_REGISTRY", root.join("registry.bin"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
