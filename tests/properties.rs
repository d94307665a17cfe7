// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Property-range sweep: every numeric property of every element, set to
//! its minimum and to its maximum, in a short pipeline that runs it. Each
//! run must end (EOS or an error message) within a bounded time, nothing
//! panics or aborts, and the application reads the value back afterwards.

mod common;

use common::*;
use gst::glib;
use gst::prelude::*;
use std::time::{Duration, Instant};

/// The extreme values of a numeric property, or None for other types.
fn extremes(p: &glib::ParamSpec) -> Option<[glib::Value; 2]> {
    macro_rules! range {
        ($t:ty) => {
            p.downcast_ref::<$t>()
                .map(|s| [s.minimum().to_value(), s.maximum().to_value()])
        };
    }
    range!(glib::ParamSpecInt)
        .or_else(|| range!(glib::ParamSpecUInt))
        .or_else(|| range!(glib::ParamSpecInt64))
        .or_else(|| range!(glib::ParamSpecUInt64))
        .or_else(|| range!(glib::ParamSpecFloat))
        .or_else(|| range!(glib::ParamSpecDouble))
}

/// Runs `desc` (whose element under test is named `e`) with `name` set to
/// `value`; returns the outcome for the message.
fn run_with(desc: &str, name: &str, value: &glib::Value) -> String {
    let pipeline = gst::parse::launch(desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let e = pipeline.by_name("e").unwrap();
    e.set_property_from_value(name, value);
    let start = Instant::now();
    let _ = pipeline.set_state(gst::State::Playing);
    let mut outcome = None;
    for msg in pipeline
        .bus()
        .unwrap()
        .iter_timed(gst::ClockTime::from_seconds(30))
    {
        match msg.view() {
            gst::MessageView::Eos(_) => {
                outcome = Some("eos".to_string());
                break;
            }
            gst::MessageView::Error(err) => {
                outcome = Some(format!("error: {}", err.error()));
                break;
            }
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    let outcome = outcome.unwrap_or_else(|| panic!("{name}={value:?}: no EOS or error in 30 s"));
    assert!(start.elapsed() < Duration::from_secs(30));
    // Read back from the application after the run.
    let back = e.property_value(name);
    assert_eq!(
        format!("{back:?}"),
        format!("{value:?}"),
        "{name} read back"
    );
    outcome
}

fn sweep(element: &str, desc: &str) -> usize {
    init();
    let probe = gst::ElementFactory::make(element).build().unwrap();
    let mut runs = 0;
    for p in probe.list_properties() {
        // Ours, not those of the base classes.
        if !p.owner_type().name().starts_with("GstRs") {
            continue;
        }
        let flags = p.flags();
        if !flags.contains(glib::ParamFlags::WRITABLE)
            || !flags.contains(glib::ParamFlags::READABLE)
            || flags.contains(glib::ParamFlags::CONSTRUCT_ONLY)
        {
            continue;
        }
        let Some(values) = extremes(&p) else {
            continue;
        };
        for v in values {
            let outcome = run_with(desc, p.name(), &v);
            eprintln!("{element} {}={v:?}: {outcome}", p.name());
            runs += 1;
        }
    }
    runs
}

fn det_file(name: &str) -> String {
    let d = tmpdir(name);
    let p = d.join("det.txt");
    let mut text = String::new();
    for f in 1..=6 {
        text.push_str(&format!("{f},-1,{},10,20,40,0.9\n", 10 + f));
        text.push_str(&format!("{f},-1,100,{},20,40,0.4\n", 10 + f));
    }
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

const SRC: &str =
    "videotestsrc num-buffers=6 ! video/x-raw,format=RGB,width=160,height=120,framerate=30/1";

#[test]
fn every_numeric_property_at_its_extremes() {
    let det = det_file("props");
    let model = models().join("v8_const.onnx");
    let reid = models().join("reid_mean.onnx");
    let out = tmpdir("props-out").join("out.jsonl");
    let crops = tmpdir("props-crops").display().to_string();
    let cases = [
        (
            "rsdetect",
            format!("{SRC} ! rsdetect name=e model={} ! fakesink", model.display()),
        ),
        (
            "rsbytetrack",
            format!("{SRC} ! rsdetect detections={det} ! rsbytetrack name=e ! fakesink"),
        ),
        (
            "rsreid",
            format!(
                "{SRC} ! rsdetect detections={det} ! rsbytetrack ! rsreid name=e model={} ! fakesink",
                reid.display()
            ),
        ),
        (
            "rsclassify",
            format!(
                "{SRC} ! rsdetect detections={det} ! rsbytetrack ! rsclassify name=e model={} ! fakesink",
                reid.display()
            ),
        ),
        (
            "rsposesmooth",
            format!("{SRC} ! rsdetect detections={det} ! rsbytetrack ! rsposesmooth name=e ! fakesink"),
        ),
        (
            "rsoverlay",
            format!("{SRC} ! rsdetect detections={det} ! rsbytetrack ! rsoverlay name=e ! fakesink"),
        ),
        (
            "rsjsonsink",
            format!(
                "{SRC} ! rsdetect detections={det} ! rsbytetrack ! rsjsonsink name=e location={}",
                out.display()
            ),
        ),
        (
            "rscropsink",
            format!(
                "{SRC} ! rsdetect detections={det} ! rsbytetrack ! rscropsink name=e location={crops}/{{track}}-{{frame}}.jpg best-location={crops}/best-{{track}}.jpg index-location={crops}/index.jsonl"
            ),
        ),
        (
            "rsaction",
            format!(
                "{SRC} ! rsdetect detections={det} ! rsbytetrack ! rsaction name=e model={} ! fakesink",
                models().join("action_identity.onnx").display()
            ),
        ),
        (
            "rsstride",
            format!("{SRC} ! rsstride name=e ! rsdetect detections={det} frame-index=timestamp ! fakesink"),
        ),
        (
            "rsmtmcagg",
            format!(
                "rsmtmcagg name=e \
                 {SRC} ! rsdetect detections={det} ! rsbytetrack ! e.sink_0 e.src_0 ! fakesink \
                 {SRC} ! rsdetect detections={det} ! rsbytetrack ! e.sink_1 e.src_1 ! fakesink"
            ),
        ),
    ];
    let mut total = 0;
    for (element, desc) in &cases {
        let n = sweep(element, desc);
        assert!(n >= 2, "{element}: no numeric property swept");
        total += n;
    }
    eprintln!("{total} runs");
}
