// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rsbytetrack element behaviour: ids across an occlusion, properties, resets.

mod common;
use common::*;
use gst::prelude::*;
use gstrstracking::core::types::{Object, TrackState};

fn harness(props: &[(&str, glib::Value)]) -> gst_check::Harness {
    init();
    let mut h = gst_check::Harness::new("rsbytetrack");
    for (k, v) in props {
        h.element().unwrap().set_property_from_value(k, v);
    }
    h.set_src_caps_str("video/x-raw,format=GRAY8,width=640,height=480,framerate=30/1");
    h
}
use gst::glib;

/// A walks right at 5 px/frame and is hidden on frames 20..30; B stands still.
fn scene(i: u64) -> Vec<Object> {
    let mut v = Vec::new();
    if !(20..30).contains(&i) {
        v.push(obj(10.0 + 5.0 * i as f32, 100.0, 50.0, 100.0, 0.9));
    }
    v.push(obj(400.0, 100.0, 50.0, 100.0, 0.9));
    v
}

fn run(h: &mut gst_check::Harness, frames: u64) -> Vec<Vec<Object>> {
    (0..frames)
        .map(|i| {
            h.push(buffer_with(i, scene(i))).unwrap();
            objects_of(&h.pull().unwrap())
        })
        .collect()
}

fn id_at_x(objs: &[Object], x_min: f32, x_max: f32) -> Option<u64> {
    objs.iter()
        .find(|o| o.bbox.x >= x_min && o.bbox.x < x_max && o.track_state != Some(TrackState::Lost))
        .and_then(|o| o.track_id)
}

#[test]
fn ids_survive_an_occlusion_within_the_track_buffer() {
    let mut h = harness(&[]);
    let out = run(&mut h, 40);
    // First frame: both tracks are activated at once, ids 1 and 2.
    assert_eq!(id_at_x(&out[0], 0.0, 300.0), Some(1));
    assert_eq!(id_at_x(&out[0], 300.0, 500.0), Some(2));
    for (i, objs) in out.iter().enumerate() {
        assert_eq!(id_at_x(objs, 300.0, 500.0), Some(2), "B on frame {i}");
        if (20..30).contains(&i) {
            assert_eq!(objs.len(), 1, "only B while A is hidden (frame {i})");
        } else {
            assert_eq!(id_at_x(objs, 0.0, 300.0), Some(1), "A on frame {i}");
        }
    }
    // Boxes are the Kalman estimates: close to, not exactly, the detections.
    let a = out[35].iter().find(|o| o.track_id == Some(1)).unwrap();
    assert!((a.bbox.x - 185.0).abs() < 1.0, "{:?}", a.bbox);
}

#[test]
fn a_short_track_buffer_gives_a_new_id_after_the_occlusion() {
    let mut h = harness(&[("track-buffer", 5u32.to_value())]);
    let out = run(&mut h, 33);
    assert_eq!(id_at_x(&out[19], 0.0, 300.0), Some(1));
    // Reappears on frame 30: new track (id 3), output from its second match.
    assert_eq!(id_at_x(&out[30], 0.0, 300.0), None);
    assert_eq!(id_at_x(&out[31], 0.0, 300.0), Some(3));
    assert_eq!(id_at_x(&out[32], 0.0, 300.0), Some(3));
}

#[test]
fn max_lost_time_overrides_the_frame_count() {
    // 10 hidden frames at 33 ms = 330 ms.
    let mut h = harness(&[("max-lost-time", 200_000_000u64.to_value())]);
    let out = run(&mut h, 32);
    assert_eq!(id_at_x(&out[31], 0.0, 300.0), Some(3));
    let mut h = harness(&[
        ("max-lost-time", 1_000_000_000u64.to_value()),
        ("track-buffer", 1u32.to_value()),
    ]);
    let out = run(&mut h, 32);
    assert_eq!(id_at_x(&out[31], 0.0, 300.0), Some(1));
}

#[test]
fn output_lost_appends_predicted_boxes() {
    let mut h = harness(&[("output-lost", true.to_value())]);
    let out = run(&mut h, 25);
    let lost: Vec<&Object> = out[22]
        .iter()
        .filter(|o| o.track_state == Some(TrackState::Lost))
        .collect();
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0].track_id, Some(1));
    // Predicted at ~5 px/frame beyond the last seen position (x=105 at frame 19).
    assert!(
        lost[0].bbox.x > 110.0 && lost[0].bbox.x < 125.0,
        "{:?}",
        lost[0].bbox
    );
}

#[test]
fn min_hits_delays_output() {
    let mut h = harness(&[("min-hits", 3u32.to_value())]);
    let out = run(&mut h, 3);
    assert_eq!(id_at_x(&out[0], 0.0, 300.0), None);
    assert_eq!(id_at_x(&out[1], 0.0, 300.0), None);
    assert_eq!(id_at_x(&out[2], 0.0, 300.0), Some(1));
}

#[test]
fn flush_resets_tracks_but_never_reuses_ids() {
    let mut h = harness(&[]);
    let out = run(&mut h, 2);
    assert_eq!(id_at_x(&out[1], 0.0, 300.0), Some(1));
    assert!(h.push_event(gst::event::FlushStart::new()));
    assert!(h.push_event(gst::event::FlushStop::new(true)));
    h.push_event(gst::event::Segment::new(&gst::FormattedSegment::<
        gst::ClockTime,
    >::new()));
    let out = run(&mut h, 2);
    assert_eq!(id_at_x(&out[0], 0.0, 300.0), Some(3));
    assert_eq!(id_at_x(&out[0], 300.0, 500.0), Some(4));
}

#[test]
fn empty_detections_age_tracks() {
    let mut h = harness(&[
        ("track-buffer", 2u32.to_value()),
        ("output-lost", true.to_value()),
    ]);
    h.push(buffer_with(0, vec![obj(10.0, 10.0, 20.0, 20.0, 0.9)]))
        .unwrap();
    assert_eq!(objects_of(&h.pull().unwrap())[0].track_id, Some(1));
    let mut lost_seen = 0;
    for i in 1..5 {
        h.push(buffer_with(i, vec![])).unwrap();
        let o = objects_of(&h.pull().unwrap());
        assert!(o.iter().all(|o| o.track_state == Some(TrackState::Lost)));
        lost_seen += o.len();
    }
    // Lost on frames 1 and 2, removed after 2 lost frames.
    assert_eq!(lost_seen, 2);
}

#[test]
fn buffers_without_meta_predict_without_ageing() {
    // No meta = no detector ran (rsdetect interval): tracks are predicted,
    // written with state `predicted`, and not aged.
    let mut h = harness(&[("track-buffer", 2u32.to_value())]);
    for i in 0..2 {
        h.push(buffer_with(
            i,
            vec![obj(10.0 + 4.0 * i as f32, 10.0, 20.0, 20.0, 0.9)],
        ))
        .unwrap();
        assert_eq!(objects_of(&h.pull().unwrap())[0].track_id, Some(1));
    }
    let mut xs = Vec::new();
    for _ in 0..4 {
        h.push(gst::Buffer::with_size(1).unwrap()).unwrap();
        let o = objects_of(&h.pull().unwrap());
        assert_eq!(o.len(), 1, "{o:?}");
        assert_eq!(o[0].track_id, Some(1));
        assert_eq!(o[0].track_state, Some(TrackState::Predicted));
        xs.push(o[0].bbox.x);
    }
    // Moving right: the prediction keeps moving.
    assert!(xs.windows(2).all(|w| w[1] > w[0]), "{xs:?}");
    // Found again (near the prediction, x ≈ 17.6 by then) after 4 frames
    // without detections (> track-buffer 2): same id, because those frames
    // did not count as misses.
    h.push(buffer_with(6, vec![obj(20.0, 10.0, 20.0, 20.0, 0.9)]))
        .unwrap();
    let o = objects_of(&h.pull().unwrap());
    assert_eq!(o[0].track_id, Some(1));
    assert_eq!(o[0].track_state, Some(TrackState::Tracked));
}

#[test]
fn caps_without_frame_rate_warn_and_assume_30fps() {
    let (errors, warnings) = run_pipeline(
        "videotestsrc num-buffers=2 ! video/x-raw,width=64,height=48,framerate=0/1 ! rsbytetrack ! fakesink",
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        warnings,
        vec!["Caps have no frame rate; assuming 30 fps for track-buffer (set frame-rate or max-lost-time)"]
    );
    // With frame-rate set there is nothing to warn about.
    let (_, warnings) = run_pipeline(
        "videotestsrc num-buffers=2 ! video/x-raw,width=64,height=48,framerate=0/1 ! rsbytetrack frame-rate=25 ! fakesink",
    );
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn track_messages_post_the_life_cycle_on_the_bus() {
    use gst::prelude::*;
    init();
    let d = tmpdir("bt-messages");
    let det = d.join("det.txt");
    let mut t = String::new();
    for f in 1..=10 {
        t.push_str(&format!("{f},-1,10,10,40,80,0.9\n"));
        if f <= 4 {
            t.push_str(&format!("{f},-1,200,10,40,80,0.9\n"));
        }
    }
    std::fs::write(&det, t).unwrap();
    let pipeline = gst::parse::launch(&format!(
        "videotestsrc num-buffers=10 ! video/x-raw,width=320,height=240,framerate=30/1 ! rsdetect stream-name=cam detections={} ! rsbytetrack track-buffer=2 track-messages=true ! fakesink",
        det.display()
    ))
    .unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    let mut seen = Vec::new();
    for msg in pipeline
        .bus()
        .unwrap()
        .iter_timed(gst::ClockTime::from_seconds(10))
    {
        match msg.view() {
            gst::MessageView::Element(e) => {
                let s = e.structure().unwrap();
                if s.name() == "rstracking-track" {
                    seen.push((
                        s.get::<String>("event").unwrap(),
                        s.get::<u64>("track_id").unwrap(),
                        s.get::<Option<String>>("stream").unwrap(),
                    ));
                }
            }
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(e) => panic!("{}", e.error()),
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    let cam = Some("cam".to_string());
    // Track 2 leaves after frame 4: lost, then dropped after the 2-frame
    // buffer; track 1 ends at EOS.
    assert_eq!(
        seen,
        [
            ("track_start".to_string(), 1, cam.clone()),
            ("track_start".to_string(), 2, cam.clone()),
            ("track_lost".to_string(), 2, cam.clone()),
            ("track_end".to_string(), 2, cam.clone()),
            ("track_end".to_string(), 1, cam.clone()),
        ]
    );
}

#[test]
fn reset_policy_decides_what_drops_the_tracks() {
    // One still object; a stream-start after 5 frames: a new stream
    // (another stream-id) or the same stream resumed (a reconnecting camera
    // sends its id again). The default drops the tracks on a new stream
    // (the object comes back as a new id); `reset=flush` and `reset=never`
    // keep them; the same stream resumed keeps them under every policy.
    let ids = |policy: Option<&str>, second: &str| -> Vec<Option<u64>> {
        let mut h = harness(&[]);
        if let Some(p) = policy {
            h.element().unwrap().set_property_from_str("reset", p);
        }
        let mut ids = Vec::new();
        for i in 0..10u64 {
            if i == 0 {
                h.push_event(gst::event::StreamStart::new("cam"));
            }
            if i == 5 {
                h.push_event(gst::event::StreamStart::new(second));
            }
            h.push(buffer_with(i, vec![obj(100.0, 100.0, 50.0, 100.0, 0.9)]))
                .unwrap();
            ids.push(objects_of(&h.pull().unwrap())[0].track_id);
        }
        ids
    };
    let kept = vec![Some(1); 10];
    assert_eq!(ids(Some("never"), "other"), kept);
    assert_eq!(ids(Some("flush"), "other"), kept);
    let mut reset = vec![Some(1); 5];
    reset.extend(vec![Some(2); 5]);
    assert_eq!(ids(None, "other"), reset);
    assert_eq!(ids(Some("stream-start"), "other"), reset);
    for policy in [None, Some("stream-start"), Some("flush"), Some("never")] {
        assert_eq!(ids(policy, "cam"), kept, "{policy:?}");
    }
}
