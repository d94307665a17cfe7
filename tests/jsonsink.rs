// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rsjsonsink: exact JSONL / MOT output, track summaries, write errors.

mod common;
use common::*;
use gst::prelude::*;
use gstrstracking::core::types::TrackState;

fn sink_harness(props: &[(&str, &str)]) -> gst_check::Harness {
    init();
    let e = gst::ElementFactory::make("rsjsonsink").build().unwrap();
    for (k, v) in props {
        e.set_property_from_str(k, v);
    }
    let mut h = gst_check::Harness::with_element(&e, Some("sink"), None);
    h.set_src_caps_str("video/x-raw,format=GRAY8,width=640,height=480,framerate=30/1");
    h
}

fn frames() -> Vec<gst::Buffer> {
    let mut a = obj(10.0, 20.0, 30.0, 40.0, 0.75);
    a.track_id = Some(1);
    a.track_state = Some(TrackState::Tracked);
    let b = obj(100.0, 20.0, 30.0, 40.0, 0.5); // no track id
    let mut dup = a.clone();
    dup.bbox.x = 300.0;
    let mut a2 = a.clone();
    a2.bbox.x = 12.0;
    a2.confidence = 0.25;
    vec![buffer_with(0, vec![a, b]), buffer_with(1, vec![a2, dup])]
}

#[test]
fn jsonl_output_is_schema_v1() {
    let d = tmpdir("sink-jsonl");
    let p = d.join("out.jsonl");
    let mut h = sink_harness(&[("location", p.to_str().unwrap())]);
    for b in frames() {
        h.push(b).unwrap();
    }
    h.push_event(gst::event::Eos::new());
    let text = std::fs::read_to_string(&p).unwrap();
    assert_eq!(
        text,
        concat!(
            r#"{"schema":"rstracking/1","frame":0,"pts_ns":0,"width":640,"height":480,"objects":[{"bbox":[10.0,20.0,30.0,40.0],"confidence":0.75,"class_id":0,"track_id":1,"state":"tracked"},{"bbox":[100.0,20.0,30.0,40.0],"confidence":0.5,"class_id":0}]}"#,
            "\n",
            r#"{"schema":"rstracking/1","frame":1,"pts_ns":33000000,"width":640,"height":480,"objects":[{"bbox":[12.0,20.0,30.0,40.0],"confidence":0.25,"class_id":0,"track_id":1,"state":"tracked"},{"bbox":[300.0,20.0,30.0,40.0],"confidence":0.75,"class_id":0,"track_id":1,"state":"tracked"}]}"#,
            "\n"
        )
    );
}

#[test]
fn mot_output_and_track_summary() {
    let d = tmpdir("sink-mot");
    let p = d.join("out.txt");
    let t = d.join("tracks.jsonl");
    let mut h = sink_harness(&[
        ("location", p.to_str().unwrap()),
        ("format", "mot"),
        ("tracks-location", t.to_str().unwrap()),
        ("sample-limit", "1"),
    ]);
    for b in frames() {
        h.push(b).unwrap();
    }
    h.push_event(gst::event::Eos::new());
    // 1-based frames and pixels, untracked object skipped, id once per frame.
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "1,1,11.00,21.00,30.00,40.00,0.7500,-1,-1,-1\n2,1,13.00,21.00,30.00,40.00,0.2500,-1,-1,-1\n"
    );
    assert_eq!(
        std::fs::read_to_string(&t).unwrap(),
        concat!(
            r#"{"schema":"rstracking/1","track_id":1,"first_frame":0,"last_frame":1,"frames":2,"mean_confidence":0.5,"samples":[{"frame":0,"bbox":[10.0,20.0,30.0,40.0]}]}"#,
            "\n"
        )
    );
}

#[test]
fn unwritable_location_is_an_error() {
    let (errors, _) =
        run_pipeline("videotestsrc num-buffers=1 ! rsjsonsink location=/nonexistent-dir/out.jsonl");
    assert_eq!(
        errors,
        vec!["Failed to open '/nonexistent-dir/out.jsonl' for writing: No such file or directory (os error 2)"]
    );
    let (errors, _) = run_pipeline("videotestsrc num-buffers=1 ! rsjsonsink");
    assert_eq!(
        errors,
        vec!["No 'location' set (a file path, or '-' for standard output)"]
    );
}

#[test]
fn disk_full_is_an_error() {
    assert!(
        std::path::Path::new("/dev/full").exists(),
        "this test writes to /dev/full (Linux)"
    );
    // Enough frames to overflow the 64 KiB write buffer.
    let (errors, _) = run_pipeline(
        "videotestsrc num-buffers=2000 ! video/x-raw,width=16,height=16 ! rsjsonsink location=/dev/full",
    );
    assert_eq!(
        errors,
        vec!["Failed to write frame to '/dev/full': No space left on device (os error 28)"]
    );
}
