// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The reading crate (`rstracking-meta`) registering the structure view
//! after the plugin did: no panic, and it reads the same objects as the
//! plugin's own meta. Its own test binary: registration is per process.

mod common;

use common::*;
use gst::prelude::*;

#[test]
fn the_reading_crate_registers_after_the_plugin() {
    init();
    rstracking_meta::register();
    rstracking_meta::register();
    let d = tmpdir("registration-after");
    let det = d.join("det.txt");
    std::fs::write(&det, "1,-1,10,20,30,40,0.9\n2,-1,11,20,30,40,0.9\n").unwrap();
    let pipeline = gst::parse::launch(&format!(
        "videotestsrc num-buffers=2 ! video/x-raw,width=160,height=120 ! rsdetect detections={} ! rsbytetrack ! appsink name=sink",
        det.display()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let sink = pipeline
        .by_name("sink")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    for _ in 0..2 {
        let sample = sink.pull_sample().unwrap();
        let b = sample.buffer().unwrap();
        let ours = gstrstracking::meta::TrackingMeta::meta_api();
        assert_eq!(ours.name(), "GstRsTrackingMetaAPI");
        let fast = b
            .meta::<gstrstracking::meta::TrackingMeta>()
            .unwrap()
            .objects()
            .to_vec();
        let view = rstracking_meta::read(b).expect("structure view");
        assert_eq!(view.objects.len(), fast.len());
        for (v, o) in view.objects.iter().zip(&fast) {
            assert_eq!(v.bbox, [o.bbox.x, o.bbox.y, o.bbox.w, o.bbox.h]);
            assert_eq!(v.track_id, o.track_id);
            assert_eq!(v.confidence, o.confidence);
        }
        let rois = rstracking_meta::rois(b);
        assert_eq!(rois.len(), fast.len());
        assert_eq!(rois[0].track_id, fast[0].track_id);
    }
    pipeline.set_state(gst::State::Null).unwrap();
}
