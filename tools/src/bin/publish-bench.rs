// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Benchmark of the application-facing metas (`publish-meta=on`): the time
//! `interop::publish` takes per frame (one GstVideoRegionOfInterestMeta
//! per object and the structure view) for 15 tracked objects, the size of
//! a MOT17-02 frame, against the bare baseline of the same loop without
//! publishing. Each frame also copies a 1920x1080 GRAY8 frame (2 MB, what
//! videotestsrc does per buffer in `pipelines/mot-offline.sh`), so the
//! caches are as cold as in the pipeline; `--frame-bytes 0` leaves that out.
//!
//! ```sh
//! cargo run --release -p rstracking-tools --bin publish-bench -- --frames 5000
//! ```

use gstrstracking::core::types::{BBox, FrameObjects, Object, TrackState};
use gstrstracking::interop::{publish, publish_rois, publish_view, FrameInfo};
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
    // The structure view's GstCustomMeta (registered by the plugin).
    gstrstracking::meta::register();
    let mut frames = 20_000usize;
    let mut n = 15usize;
    let mut frame_bytes = 1920 * 1080usize;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--frames" => frames = it.next().expect("--frames N").parse().expect("number"),
            "--objects" => n = it.next().expect("--objects N").parse().expect("number"),
            "--frame-bytes" => {
                frame_bytes = it.next().expect("--frame-bytes N").parse().expect("number")
            }
            other => panic!("unknown argument {other} (--frames, --objects, --frame-bytes)"),
        }
    }
    let frame = objects(n);
    let info = FrameInfo {
        pts_ns: Some(0),
        width: 1920,
        height: 1080,
    };
    let template = gst::Buffer::with_size(16).unwrap();
    let src = vec![16u8; frame_bytes];
    let mut dst = vec![0u8; frame_bytes];
    // 0: baseline, 1: publish, 2: ROI metas only, 3: structure view only.
    let mut times = [0f64; 4];
    for round in 0..3 {
        for (k, on) in [0u8, 1, 2, 3].into_iter().enumerate() {
            let t0 = Instant::now();
            for _ in 0..frames {
                dst.copy_from_slice(std::hint::black_box(&src));
                let mut b = template.copy();
                let bm = b.get_mut().unwrap();
                match on {
                    1 => publish(bm, &frame, info),
                    2 => publish_rois(bm, &frame, info),
                    3 => publish_view(bm, &frame, info),
                    _ => {}
                }
                std::hint::black_box((&b, &dst));
            }
            let us = t0.elapsed().as_secs_f64() * 1e6 / frames as f64;
            if round > 0 {
                times[k] += us / 2.0;
            }
        }
    }
    println!(
        "{n} objects, {frames} frames, {frame_bytes} frame bytes copied per frame, mean of 2 rounds after a warm-up:\n\
         baseline (frame copy):  {:.2} µs/frame\n\
         with publish:           {:.2} µs/frame\n\
         publish:                {:.2} µs/frame ({:.3} µs/object)\n\
         ROI metas only:         {:.2} µs/frame\n\
         structure view only:    {:.2} µs/frame",
        times[0],
        times[1],
        times[1] - times[0],
        (times[1] - times[0]) / n as f64,
        times[2] - times[0],
        times[3] - times[0]
    );
}
