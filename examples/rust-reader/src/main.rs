// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! An application that embeds gst-rstracking (loaded from GST_PLUGIN_PATH,
//! not linked) and reads its results with `rstracking-meta`:
//!
//! ```text
//! rstracking-read-meta '<pipeline ending in appsink name=sink>'
//! ```
//!
//! Prints one JSON line per buffer, like examples/python/read_meta.py and
//! examples/c/read_meta.c.

use gst::prelude::*;

fn json_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn object_json(o: &rstracking_meta::Object) -> String {
    let b = o.bbox;
    let mut s = format!(
        "{{\"bbox\":[{},{},{},{}],\"confidence\":{},\"class_id\":{}",
        b[0], b[1], b[2], b[3], o.confidence, o.class_id
    );
    if let Some(l) = &o.label {
        s += &format!(",\"label\":{}", json_str(l));
    }
    if let Some(t) = o.track_id {
        s += &format!(",\"track_id\":{t}");
    }
    if let Some(st) = &o.state {
        s += &format!(",\"state\":{}", json_str(st));
    }
    if let Some(g) = o.global_id {
        s += &format!(",\"global_id\":{g}");
    }
    if !o.keypoints.is_empty() {
        let k: Vec<String> = o
            .keypoints
            .iter()
            .map(|k| format!("[{},{},{}]", k[0], k[1], k[2]))
            .collect();
        s += &format!(",\"keypoints\":[{}]", k.join(","));
    }
    s + "}"
}

fn main() {
    gst::init().expect("GStreamer initialises");
    let Some(desc) = std::env::args().nth(1) else {
        eprintln!("usage: rstracking-read-meta '<pipeline ... ! appsink name=sink>'");
        std::process::exit(2);
    };
    let pipeline = match gst::parse::launch(&desc) {
        Ok(p) => p.downcast::<gst::Pipeline>().expect("a pipeline"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let sink = pipeline
        .by_name("sink")
        .and_then(|s| s.downcast::<gst_app::AppSink>().ok())
        .expect("the pipeline ends in appsink name=sink");
    sink.set_sync(false);
    pipeline
        .set_state(gst::State::Playing)
        .expect("pipeline starts");
    let mut n = 0u32;
    while let Ok(sample) = sink.pull_sample() {
        let Some(buf) = sample.buffer() else { continue };
        let objects = rstracking_meta::read(buf).map_or("null".to_string(), |f| {
            let o: Vec<String> = f.objects.iter().map(object_json).collect();
            format!("[{}]", o.join(","))
        });
        let rois: Vec<String> = rstracking_meta::rois(buf)
            .iter()
            .map(|r| {
                let (x, y, w, h) = r.rect;
                format!("[{x},{y},{w},{h},{}]", r.id)
            })
            .collect();
        println!(
            "{{\"buffer\":{n},\"objects\":{objects},\"rois\":[{}]}}",
            rois.join(",")
        );
        n += 1;
    }
    // The appsink is done; wait until every sink is (EOS) or an error.
    let end = pipeline.bus().and_then(|b| {
        b.timed_pop_filtered(
            gst::ClockTime::NONE,
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
    });
    let _ = pipeline.set_state(gst::State::Null);
    if let Some(msg) = end {
        if let gst::MessageView::Error(e) = msg.view() {
            eprintln!("error: {}", e.error());
            std::process::exit(1);
        }
    }
}
