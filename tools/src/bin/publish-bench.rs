// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Benchmark of the application-facing metas (`publish-meta=on`): the time
//! `interop::publish` takes per frame (one GstVideoRegionOfInterestMeta
//! per object and the structure view) for 15 tracked objects, the size of
//! a MOT17-02 frame, against the bare baseline of the same loop without
//! publishing (buffer copy and meta move only).
//!
//! ```sh
//! cargo run --release -p rstracking-tools --bin publish-bench -- --frames 20000
//! ```

use gstrstracking::core::types::{BBox, FrameObjects, Object, TrackState};
use gstrstracking::interop::{publish, FrameInfo};
use std::time::Instant;

fn objects(n: usize) -> FrameObjects {
    FrameObjects {
        stream: Some("MOT17-02".into()),
        frame: Some(0),
        objects: (0..n)
            .map(|i| {
                let mut o = Object::new(
                    BBox::new(100.0 + 50.0 * i as f32, 400.0, 40.5, 120.25),
                    0.9,
                    0,
                );
                o.track_id = Some(i as u64 + 1);
                o.track_state = Some(TrackState::Tracked);
                o.label = Some("person".into());
                o
            })
            .collect(),
    }
}

fn main() {
    gst::init().unwrap();
    let mut frames = 20_000usize;
    let mut n = 15usize;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--frames" => frames = it.next().expect("--frames N").parse().expect("number"),
            "--objects" => n = it.next().expect("--objects N").parse().expect("number"),
            other => panic!("unknown argument {other} (--frames, --objects)"),
        }
    }
    let frame = objects(n);
    let info = FrameInfo {
        pts_ns: Some(0),
        width: 1920,
        height: 1080,
    };
    let template = gst::Buffer::with_size(16).unwrap();
    let mut times = [0f64; 2];
    for round in 0..3 {
        for (k, on) in [false, true].into_iter().enumerate() {
            let t0 = Instant::now();
            for _ in 0..frames {
                let mut b = template.copy();
                if on {
                    publish(b.get_mut().unwrap(), &frame, info);
                }
                std::hint::black_box(&b);
            }
            let us = t0.elapsed().as_secs_f64() * 1e6 / frames as f64;
            if round > 0 {
                times[k] += us / 2.0;
            }
        }
    }
    println!(
        "{n} objects, {frames} frames, mean of 2 rounds after a warm-up:\n\
         baseline (buffer copy): {:.2} µs/frame\n\
         with publish:           {:.2} µs/frame\n\
         publish:                {:.2} µs/frame ({:.3} µs/object)",
        times[0],
        times[1],
        times[1] - times[0],
        (times[1] - times[0]) / n as f64
    );
}
