// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Scene cuts: rsbytetrack ends every track at a downstream
//! force-key-unit event (scenechange's cut signal), new ids follow, a cut
//! within `cut-cooldown` is ignored; with ../shared, the generated episode
//! (scripts/make-episode.py): no track id spans a known cut.

mod common;
use common::*;
use gst::prelude::*;

fn cut_event(pts_ms: u64) -> gst::Event {
    gst_video::DownstreamForceKeyUnitEvent::builder()
        .timestamp(gst::ClockTime::from_mseconds(pts_ms))
        .running_time(gst::ClockTime::from_mseconds(pts_ms))
        .all_headers(true)
        .build()
}

/// Ids of the tracks of `buf`.
fn ids(buf: &gst::Buffer) -> Vec<u64> {
    objects_of(buf).iter().filter_map(|o| o.track_id).collect()
}

/// Track ends and cut frames among the harness's queued events.
fn events(h: &mut gst_check::Harness) -> Vec<String> {
    let mut v = Vec::new();
    while let Some(e) = h.try_pull_event() {
        let Some(s) = e.structure() else { continue };
        match s.name().as_str() {
            "rstracking-cut" => v.push(format!("cut {}", s.get::<u64>("frame").unwrap())),
            "rstracking-track" if s.get::<&str>("event").unwrap() == "track_end" => {
                v.push(format!("end {}", s.get::<u64>("track_id").unwrap()))
            }
            _ => {}
        }
    }
    v
}

#[test]
fn a_cut_ends_every_track_and_a_second_cut_within_the_cooldown_is_ignored() {
    init();
    let e = gst::ElementFactory::make("rsbytetrack")
        .property("scene-cuts", true)
        .property("cut-cooldown", 100_000_000u64)
        .build()
        .unwrap();
    let mut h = gst_check::Harness::with_element(&e, Some("sink"), Some("src"));
    h.set_src_caps_str("video/x-raw,format=GRAY8,width=400,height=400,framerate=30/1");
    let people = || {
        vec![
            obj(10.0, 10.0, 40.0, 80.0, 0.9),
            obj(200.0, 10.0, 40.0, 80.0, 0.9),
        ]
    };
    let mut seen = Vec::new();
    for f in 0..12u64 {
        // Cuts before frames 4, 6 (66 ms later, within the 100 ms cooldown:
        // ignored) and 10.
        if [4, 6, 10].contains(&f) {
            assert!(h.push_event(cut_event(f * 33)));
        }
        let out = h.push_and_pull(buffer_with(f, people())).unwrap();
        seen.push(ids(&out));
    }
    assert_eq!(seen[3], [1, 2]);
    // A cut restarts tracking: new ids, output from their first frame
    // (ByteTrack's first frame after a reset activates at once).
    assert_eq!(seen[4], [3, 4]);
    assert_eq!(seen[9], [3, 4]);
    assert_eq!(seen[10], [5, 6]);
    let evs = events(&mut h);
    assert_eq!(evs, ["end 1", "end 2", "cut 4", "end 3", "end 4", "cut 10"]);
    assert_eq!(e.property::<u64>("cuts"), 2);
    assert_eq!(e.property::<u64>("cuts-ignored"), 1);
}

#[test]
fn by_default_the_tracks_continue_through_a_key_unit_event() {
    init();
    // scene-cuts is off by default (encoders also send these events).
    let e = gst::ElementFactory::make("rsbytetrack").build().unwrap();
    let mut h = gst_check::Harness::with_element(&e, Some("sink"), Some("src"));
    h.set_src_caps_str("video/x-raw,format=GRAY8,width=400,height=400,framerate=30/1");
    let mut last = Vec::new();
    for f in 0..6u64 {
        if f == 3 {
            assert!(h.push_event(cut_event(f * 33)));
        }
        let out = h
            .push_and_pull(buffer_with(f, vec![obj(10.0, 10.0, 40.0, 80.0, 0.9)]))
            .unwrap();
        last = ids(&out);
    }
    assert_eq!(last, [1]);
    assert_eq!(e.property::<u64>("cuts"), 0);
}
