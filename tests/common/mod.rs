// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
#![allow(dead_code)]

use gstrstracking::core::types::{BBox, FrameObjects, Object};
use gstrstracking::meta::TrackingMeta;
use std::path::PathBuf;

pub fn init() {
    use std::sync::Once;
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        // Keep tests away from the user's registry (and its blacklist).
        let reg = std::env::temp_dir().join(format!(
            "rstracking-test-registry-{}.bin",
            std::process::id()
        ));
        std::env::set_var("GST_REGISTRY", reg);
        gst::init().unwrap();
        gstrstracking::plugin_register_static().unwrap();
    });
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` (or `$RSTRACKING_SHARED`), or None with a message saying why
/// the calling test is skipped.
pub fn shared() -> Option<PathBuf> {
    let p = std::env::var_os("RSTRACKING_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"));
    if p.join("data").is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: ../shared not found (set RSTRACKING_SHARED)");
        None
    }
}

/// A fresh temporary directory for one test.
pub fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rstracking-{}-{}", name, std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn obj(x: f32, y: f32, w: f32, h: f32, score: f32) -> Object {
    Object::new(BBox::new(x, y, w, h), score, 0)
}

/// A buffer with pts `i * 33 ms` carrying `objects`.
pub fn buffer_with(i: u64, objects: Vec<Object>) -> gst::Buffer {
    let mut b = gst::Buffer::with_size(1).unwrap();
    {
        let b = b.get_mut().unwrap();
        b.set_pts(gst::ClockTime::from_mseconds(i * 33));
        TrackingMeta::add(
            b,
            FrameObjects {
                stream: None,
                objects,
            },
        );
    }
    b
}

pub fn objects_of(b: &gst::Buffer) -> Vec<Object> {
    b.meta::<TrackingMeta>()
        .map(|m| m.objects().to_vec())
        .unwrap_or_default()
}

/// Runs a gst-launch style pipeline to EOS and returns (errors, warnings)
/// as strings "domain-message: debug".
pub fn run_pipeline(desc: &str) -> (Vec<String>, Vec<String>) {
    use gst::prelude::*;
    init();
    let pipeline = gst::parse::launch(desc).unwrap();
    let bus = pipeline.bus().unwrap();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    if pipeline.set_state(gst::State::Playing).is_err() {
        // The error message is on the bus.
    }
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(120)) {
        use gst::MessageView;
        match msg.view() {
            MessageView::Eos(..) => break,
            MessageView::Error(e) => {
                errors.push(e.error().to_string());
                break;
            }
            MessageView::Warning(w) => warnings.push(w.error().to_string()),
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    (errors, warnings)
}
