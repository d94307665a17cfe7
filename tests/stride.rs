// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rsstride: one buffer in N passes (frame numbers kept with rsdetect
//! frame-index=timestamp), keyframes only in front of a decoder.

mod common;
use common::*;
use gst::prelude::*;

/// Runs `desc` (with an element named `s`, an rsstride) to EOS and returns
/// its (passed, dropped) and the buffers that left an element named `count`
/// (0 without one).
fn run_counting(desc: &str) -> (u64, u64, u64) {
    use std::sync::atomic::{AtomicU64, Ordering};
    init();
    let pipeline = gst::parse::launch(desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let out = std::sync::Arc::new(AtomicU64::new(0));
    if let Some(count) = pipeline.by_name("count") {
        let o = out.clone();
        count
            .static_pad("src")
            .unwrap()
            .add_probe(gst::PadProbeType::BUFFER, move |_, _| {
                o.fetch_add(1, Ordering::Relaxed);
                gst::PadProbeReturn::Ok
            });
    }
    play_to_eos(pipeline.upcast_ref());
    let s = pipeline.by_name("s").unwrap();
    (
        s.property::<u64>("passed"),
        s.property::<u64>("dropped"),
        out.load(Ordering::Relaxed),
    )
}

#[test]
fn one_frame_in_n_passes_and_keeps_its_frame_number() {
    let dir = tmpdir("stride-frames");
    let det = dir.join("det.txt");
    // One detection per frame at x = 10 * frame (MOT frames and pixel
    // coordinates are 1-based).
    let rows: String = (1..=20)
        .map(|f| format!("{f},-1,{},20,30,40,0.9,-1,-1,-1\n", 10 * (f - 1) + 1))
        .collect();
    std::fs::write(&det, rows).unwrap();
    let out = dir.join("out.jsonl");
    let (passed, dropped, _) = run_counting(&format!(
        "videotestsrc num-buffers=20 ! video/x-raw,format=GRAY8,width=320,height=240,framerate=25/1 \
         ! rsstride name=s interval=6 ! rsdetect detections={} frame-index=timestamp \
         ! rsjsonsink location={}",
        det.display(),
        out.display()
    ));
    assert_eq!((passed, dropped), (4, 16));
    let frames: Vec<(u64, f64)> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["objects"].is_array())
        .map(|v| {
            (
                v["frame"].as_u64().unwrap(),
                v["objects"][0]["bbox"][0].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        frames,
        [(0, 0.0), (6, 60.0), (12, 120.0), (18, 180.0)],
        "frames 0, 6, 12, 18 with their own detections"
    );
}

#[test]
fn key_units_only_feeds_the_decoder_keyframes_only() {
    // 30 frames, a keyframe every 10: the decoder gets 3 and outputs 3.
    let counts = run_counting(
        "videotestsrc num-buffers=30 ! video/x-raw,width=160,height=120,framerate=25/1 \
         ! openh264enc gop-size=10 ! h264parse ! rsstride name=s key-units-only=true \
         ! avdec_h264 ! identity name=count ! fakesink",
    );
    assert_eq!(counts, (3, 27, 3));
}

#[test]
fn a_stride_in_time_passes_the_first_frame_of_each_interval() {
    // Frames 80 ms apart (0 to 720 ms), a 240 ms stride: the frames at 0,
    // 240, 480 and 720 ms pass.
    let (passed, dropped, _) = run_counting(
        "videotestsrc num-buffers=10 ! video/x-raw,width=64,height=48,framerate=25/2 \
         ! rsstride name=s interval-time=240000000 ! fakesink",
    );
    assert_eq!((passed, dropped), (4, 6));
}

#[test]
fn non_reference_pictures_never_reach_the_decoder() {
    // x264 with two non-reference B-frames between references: of 30
    // frames, the I-frame and the P-frames are decoded, the B-frames not.
    let counts = run_counting(
        "videotestsrc num-buffers=30 ! video/x-raw,width=160,height=120,framerate=25/1 \
         ! x264enc bframes=2 b-adapt=false b-pyramid=false key-int-max=30 \
         ! h264parse ! rsstride name=s drop-non-reference=true \
         ! avdec_h264 ! identity name=count ! fakesink",
    );
    assert_eq!(counts, (11, 19, 11));
}

#[test]
fn drop_non_reference_on_raw_video_is_an_error() {
    let (errors, _) = run_pipeline(
        "videotestsrc num-buffers=2 ! video/x-raw,format=GRAY8,width=8,height=8,framerate=25/1 \
         ! rsstride drop-non-reference=true ! fakesink",
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("drop-non-reference needs H.264 access units (video/x-h264, alignment=au, stream-format avc with codec_data or byte-stream: put h264parse in front); got video/x-raw"),
        "{errors:?}"
    );
}

#[test]
fn timestamp_frame_numbers_with_an_inference_interval_are_refused() {
    let dir = tmpdir("stride-refused");
    let det = dir.join("det.txt");
    std::fs::write(&det, "1,-1,1,1,5,5,0.9,-1,-1,-1\n").unwrap();
    let (errors, _) = run_pipeline(&format!(
        "videotestsrc num-buffers=2 ! rsdetect detections={} frame-index=timestamp interval=3 ! fakesink",
        det.display()
    ));
    assert_eq!(
        errors,
        ["frame-index=timestamp with interval=3: the frames not analysed would carry no frame number; drop them before conversion with rsstride interval=3 instead"]
    );
}

#[test]
fn interval_and_interval_time_together_are_refused() {
    let (errors, _) = run_pipeline(
        "videotestsrc num-buffers=2 ! rsstride interval=3 interval-time=100000000 ! fakesink",
    );
    assert_eq!(
        errors,
        ["Set either interval (3) or interval-time (100000000 ns), not both"]
    );
}

#[test]
fn timestamp_frame_numbers_without_a_frame_rate_are_an_error() {
    init();
    let dir = tmpdir("stride-no-rate");
    let det = dir.join("det.txt");
    std::fs::write(&det, "1,-1,1,1,5,5,0.9,-1,-1,-1\n").unwrap();
    let e = gst::ElementFactory::make("rsdetect")
        .property("detections", det.to_str().unwrap())
        .property_from_str("frame-index", "timestamp")
        .build()
        .unwrap();
    let bus = gst::Bus::new();
    e.set_bus(Some(&bus));
    let mut h = gst_check::Harness::with_element(&e, Some("sink"), Some("src"));
    h.set_src_caps_str("video/x-raw,format=GRAY8,width=8,height=8");
    let mut b = gst::Buffer::with_size(64).unwrap();
    b.get_mut().unwrap().set_pts(gst::ClockTime::ZERO);
    assert!(h.push(b).is_err());
    let msg = bus.pop_filtered(&[gst::MessageType::Error]).unwrap();
    let gst::MessageView::Error(err) = msg.view() else {
        unreachable!()
    };
    assert!(
        err.error().to_string().starts_with(
            "frame-index=timestamp needs buffers with timestamps and a frame rate in the caps"
        ),
        "{}",
        err.error()
    );
}
