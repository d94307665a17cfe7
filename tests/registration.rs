// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Meta registration is look-up-or-register and never panics: an
//! application that registered our names first (here a GstCustomMeta named
//! `GstRsTrackingMeta`, whose API type is `GstRsTrackingMetaAPI`, and the
//! structure view's name) does not break the plugin, and both read the
//! same data. Its own test binary: registration is once per process.

mod common;

use common::*;
use gst::prelude::*;

#[test]
fn names_registered_by_the_application_first() {
    gst::init().unwrap();
    // An application (or another Rust crate) registers before the plugin.
    gst::meta::CustomMeta::register("GstRsTrackingMeta", &[]);
    gst::meta::CustomMeta::register("RsTrackingFrameMeta", &["video", "size"]);
    init();
    // The plugin's fast meta took other names; the app's stay its own.
    let api = gstrstracking::meta::TrackingMeta::meta_api();
    assert_eq!(api.name(), "GstRsTrackingMetaAPI1");
    let d = tmpdir("registration");
    let det = d.join("det.txt");
    std::fs::write(&det, "1,-1,10,20,30,40,0.9\n2,-1,11,20,30,40,0.9\n").unwrap();
    let (frames, _) = collect(&format!(
        "videotestsrc num-buffers=2 ! video/x-raw,width=160,height=120 ! rsdetect detections={} ! rsbytetrack ! appsink name=sink",
        det.display()
    ));
    let frames = frames.unwrap();
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[1].as_ref().unwrap()[0].track_id, Some(1));
    // The structure view (registered by the app, shared) carries the same
    // objects: read it as an application does.
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
    let _ = sink.pull_sample().unwrap();
    let sample = sink.pull_sample().unwrap();
    let b = sample.buffer().unwrap();
    let view = gst::meta::CustomMeta::from_buffer(b, "RsTrackingFrameMeta").unwrap();
    let o = &rstracking_meta::frame(view.structure()).unwrap().objects[0];
    assert_eq!(o.track_id, Some(1));
    assert_eq!(
        o.bbox[0],
        frames[1].as_ref().unwrap()[0].bbox.x,
        "the same box as the Rust meta"
    );
    pipeline.set_state(gst::State::Null).unwrap();
}
