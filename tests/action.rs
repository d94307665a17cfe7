// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rsaction: window content and order reach the model exactly (identity
//! fixture models, both layouts), classification every `stride` frames per
//! track with all due tracks in one run, freed windows, JSON output, bad
//! input (model rank, keypoint count, labels).

mod common;
use common::*;
use gst::prelude::*;
use gstrstracking::core::types::{Keypoint, Object};
use gstrstracking::{TrackEvent, TrackEventKind, TrackingEvent};

const V: usize = 17;

fn harness(props: &[(&str, &str)]) -> gst_check::Harness {
    init();
    let mut b = gst::ElementFactory::make("rsaction");
    for (k, v) in props {
        b = b.property_from_str(k, v);
    }
    let e = b.build().unwrap();
    let mut h = gst_check::Harness::with_element(&e, Some("sink"), Some("src"));
    h.set_src_caps_str("video/x-raw,format=GRAY8,width=640,height=480,framerate=25/1");
    h
}

fn model(name: &str) -> String {
    models().join(name).to_str().unwrap().to_string()
}

/// Keypoint j of track `id` in frame `f`: (1000 id + 10 f + j,
/// -(100 id + f), confidence j / 100).
fn kp(id: u64, f: u64, j: usize) -> [f32; 3] {
    [
        (1000 * id + 10 * f + j as u64) as f32,
        -((100 * id + f) as f32),
        j as f32 / 100.0,
    ]
}

fn person(id: u64, f: u64, joints: usize) -> Object {
    let mut o = obj(10.0, 10.0, 50.0, 100.0, 0.9);
    o.track_id = Some(id);
    o.keypoints = (0..joints)
        .map(|j| {
            let [x, y, c] = kp(id, f, j);
            Keypoint {
                x,
                y,
                confidence: c,
                ..Default::default()
            }
        })
        .collect();
    o
}

/// The window of track `id` at frame `f` (T frames, zero-padded at the
/// start) flattened in C, T, V order (`nctvm`) or T, V, C order.
fn expected_window(id: u64, f: u64, first: u64, t_len: u64, nctvm: bool) -> Vec<f32> {
    let mut out = vec![0.0; 3 * t_len as usize * V];
    for t in 0..t_len {
        let Some(frame) = (f + t + 1).checked_sub(t_len).filter(|&x| x >= first) else {
            continue;
        };
        for (j, _) in (0..V).enumerate() {
            for (c, v) in kp(id, frame, j).into_iter().enumerate() {
                let at = if nctvm {
                    (c * t_len as usize + t as usize) * V + j
                } else {
                    (t as usize * V + j) * 3 + c
                };
                out[at] = v;
            }
        }
    }
    out
}

fn counter(h: &gst_check::Harness, name: &str) -> u64 {
    h.element().unwrap().property::<u64>(name)
}

/// Track 3 from frame 0, track 8 from frame 2, 10 frames, window 4,
/// stride 3, min-frames 2: each output object's scores (the identity
/// model's output) equal its track's last 4 skeletons, classified on the
/// frames the stride gives, both tracks of a frame in one run.
fn window_case(model_name: &str, nctvm: bool) {
    let mut h = harness(&[
        ("model", &model(model_name)),
        ("window", "4"),
        ("stride", "3"),
        ("min-frames", "2"),
        ("normalization", "none"),
        ("activation", "none"),
        ("scores", "true"),
    ]);
    let mut classified_at: Vec<(u64, u64)> = Vec::new();
    for f in 0..10u64 {
        let mut objects = vec![person(3, f, V)];
        if f >= 2 {
            objects.push(person(8, f, V));
        }
        let out = h.push_and_pull(buffer_with(f, objects)).unwrap();
        for o in objects_of(&out) {
            let id = o.track_id.unwrap();
            let first = if id == 3 { 0 } else { 2 };
            let Some(a) = o.action else {
                // min-frames 2: nothing on a track's first frame.
                assert_eq!(f, first, "track {id}");
                continue;
            };
            if a.frame == f {
                classified_at.push((id, f));
            }
            let want = expected_window(id, a.frame, first, 4, nctvm);
            assert_eq!(
                a.scores.as_deref().unwrap(),
                &want[..],
                "track {id} frame {f}"
            );
            assert_eq!(a.label, None);
        }
    }
    // Track 3: frame 1 (2 frames), then every 3 new frames: 4, 7.
    // Track 8: frame 3 (2 frames), then 6, 9.
    assert_eq!(
        classified_at,
        [(3, 1), (8, 3), (3, 4), (8, 6), (3, 7), (8, 9)]
    );
    assert_eq!(counter(&h, "classified"), 6);
    assert_eq!(counter(&h, "runs"), 6);
    assert_eq!(counter(&h, "tracks"), 2);
}

#[test]
fn the_model_gets_each_tracks_last_t_keypoints_in_st_gcn_layout() {
    window_case("action_identity.onnx", true);
}

#[test]
fn the_model_gets_each_tracks_last_t_keypoints_in_ntvc_layout() {
    window_case("action_identity_ntvc.onnx", false);
}

/// A model with a fixed batch of 2 gets the five windows of a frame in
/// three runs, the last one zero-padded; each object's scores are still
/// its own window.
#[test]
fn a_fixed_batch_model_runs_in_chunks_and_pads_the_last() {
    let mut h = harness(&[
        ("model", &model("action_identity_batch2.onnx")),
        ("window", "2"),
        ("stride", "2"),
        ("min-frames", "2"),
        ("normalization", "none"),
        ("activation", "none"),
        ("scores", "true"),
    ]);
    let mut checked = 0;
    for f in 0..2u64 {
        let objects = (1..=5).map(|id| person(id, f, V)).collect();
        let out = h.push_and_pull(buffer_with(f, objects)).unwrap();
        for o in objects_of(&out).into_iter().filter(|_| f == 1) {
            let id = o.track_id.unwrap();
            let scores = o.action.unwrap().scores.unwrap();
            assert_eq!(
                &scores[..],
                &expected_window(id, 1, 0, 2, true)[..],
                "track {id}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 5);
    assert_eq!(counter(&h, "classified"), 5);
    assert_eq!(counter(&h, "runs"), 3);
}

#[test]
fn tracks_due_in_the_same_frame_share_one_run_and_ended_tracks_are_freed() {
    let mut h = harness(&[
        ("model", &model("action_identity.onnx")),
        ("window", "2"),
        ("stride", "2"),
        ("activation", "none"),
    ]);
    for f in 0..6u64 {
        let objects = (1..=5).map(|id| person(id, f, V)).collect();
        h.push_and_pull(buffer_with(f, objects)).unwrap();
    }
    // Frames 1, 3, 5: five windows each, one run each.
    assert_eq!(counter(&h, "classified"), 15);
    assert_eq!(counter(&h, "runs"), 3);
    assert_eq!(counter(&h, "tracks"), 5);
    for id in [2, 4] {
        let end = TrackEvent {
            kind: TrackEventKind::End,
            track_id: id,
            stream: None,
        };
        assert!(h.push_event(end.to_event()));
    }
    assert_eq!(counter(&h, "tracks"), 3);
    // An object without keypoints or without a track id opens no window.
    let mut bare = obj(0.0, 0.0, 5.0, 5.0, 0.5);
    bare.track_id = Some(9);
    let mut untracked = person(10, 6, V);
    untracked.track_id = None;
    let out = h
        .push_and_pull(buffer_with(6, vec![bare, untracked]))
        .unwrap();
    assert!(objects_of(&out).iter().all(|o| o.action.is_none()));
    assert_eq!(counter(&h, "tracks"), 3);
}

#[test]
fn labels_and_softmax_scores_reach_the_json_lines() {
    init();
    let dir = tmpdir("action-jsonl");
    let det = dir.join("det.jsonl");
    // Track 1 stands still; track 2 waves: its keypoints jump 80 px right
    // and back every frame inside a fixed box, in a 640x480 frame.
    let mut text = String::new();
    for f in 0..8u64 {
        let line = |id: u64, dx: f32| {
            let kps: Vec<String> = (0..V)
                .map(|j| format!("[{},{},0.9]", 100.0 + dx + j as f32, 200.0 + j as f32))
                .collect();
            format!(
                "{{\"bbox\":[80,150,200,120],\"confidence\":0.9,\"track_id\":{id},\"keypoints\":[{}]}}",
                kps.join(",")
            )
        };
        text.push_str(&format!(
            "{{\"schema\":\"rstracking/1\",\"frame\":{f},\"objects\":[{},{}]}}\n",
            line(1, 0.0),
            line(2, 80.0 * (f % 2) as f32)
        ));
    }
    std::fs::write(&det, text).unwrap();
    let out = dir.join("out.jsonl");
    let (errors, _) = run_pipeline(&format!(
        "videotestsrc num-buffers=8 ! video/x-raw,format=GRAY8,width=640,height=480,framerate=25/1 \
         ! rsdetect detections={} ! rsaction model={} window=4 stride=4 normalization=frame \
           labels=still,moving ! rsjsonsink location={}",
        det.display(),
        model("action_motion.onnx"),
        out.display()
    ));
    assert!(errors.is_empty(), "{errors:?}");
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["objects"].is_array())
        .collect();
    assert_eq!(lines.len(), 8);
    // Classified at frames 3 and 7. Still: m = 0, logits (5, -5), softmax
    // 1 / (1 + e^-10). Waving: x changes by 80/640 every frame, y not:
    // m = 0.125 / 2 (mean over the x and y channels), logits
    // 100 (0.05 - m) = -1.25 and 1.25, softmax 1 / (1 + e^-2.5).
    let still = 1.0 / (1.0 + (-10.0f64).exp());
    let moving = 1.0 / (1.0 + (-2.5f64).exp());
    for (f, l) in lines.iter().enumerate() {
        let objs = l["objects"].as_array().unwrap();
        for o in objs {
            let a = &o["action"];
            if f < 3 {
                assert!(a.is_null(), "frame {f}: {o}");
                continue;
            }
            let id = o["track_id"].as_u64().unwrap();
            let (label, class) = if id == 1 { ("still", 0) } else { ("moving", 1) };
            assert_eq!(a["label"], label, "frame {f} track {id}");
            assert_eq!(a["class_id"], class);
            assert_eq!(a["frame"], if f < 7 { 3 } else { 7 });
            let want = if id == 1 { still } else { moving };
            let got = a["score"].as_f64().unwrap();
            assert!((got - want).abs() < 1e-6, "track {id}: {got} vs {want}");
            assert!(a.get("scores").is_none());
        }
    }
}

#[test]
fn a_model_with_the_wrong_input_rank_is_an_error_naming_it() {
    let path = model("action_bad_rank.onnx");
    let (errors, _) = run_pipeline(&format!(
        "videotestsrc num-buffers=1 ! rsaction model={path} ! fakesink"
    ));
    assert_eq!(
        errors,
        [format!(
            "Action model '{path}' input 'keypoints' is [?, ?, 51] (rank 3); expected one float32 input [N, 3, T, V, 1] (ST-GCN) or [N, T, V, 3]"
        )]
    );
}

#[test]
fn a_keypoint_count_other_than_the_models_v_is_an_error() {
    let mut h = harness(&[("model", &model("action_identity.onnx")), ("window", "2")]);
    let bus = gst::Bus::new();
    h.element().unwrap().set_bus(Some(&bus));
    assert!(h.push(buffer_with(0, vec![person(3, 0, 5)])).is_err());
    let msg = bus.pop_filtered(&[gst::MessageType::Error]).unwrap();
    let gst::MessageView::Error(e) = msg.view() else {
        unreachable!()
    };
    assert_eq!(
        e.error().to_string(),
        "Frame 0: track 3 has 5 keypoints; the action model expects V = 17"
    );
}

#[test]
fn settings_that_contradict_the_model_are_errors() {
    let motion = model("action_motion.onnx");
    let cases = [
        (
            format!("model={motion} labels=a,b,c"),
            format!("3 labels for the 2 classes of action model '{motion}'"),
        ),
        (
            format!("model={motion} window=4 min-frames=5"),
            "min-frames 5 is larger than window 4".to_string(),
        ),
        (
            "window=4".to_string(),
            "No 'model' set (an ONNX skeleton action model)".to_string(),
        ),
    ];
    for (props, want) in cases {
        let (errors, _) = run_pipeline(&format!(
            "videotestsrc num-buffers=1 ! rsaction {props} ! fakesink"
        ));
        assert_eq!(errors, [want]);
    }
}

#[test]
fn frame_normalisation_without_a_frame_size_is_an_error() {
    init();
    let e = gst::ElementFactory::make("rsaction")
        .property("model", model("action_identity.onnx"))
        .property_from_str("normalization", "frame")
        .build()
        .unwrap();
    let bus = gst::Bus::new();
    e.set_bus(Some(&bus));
    let mut h = gst_check::Harness::with_element(&e, Some("sink"), Some("src"));
    // Meta-only caps: no width and height.
    h.set_src_caps_str("video/x-raw,format=GRAY8,framerate=25/1");
    assert!(h.push(buffer_with(0, vec![person(3, 0, V)])).is_err());
    let msg = bus.pop_filtered(&[gst::MessageType::Error]).unwrap();
    let gst::MessageView::Error(err) = msg.view() else {
        unreachable!()
    };
    assert_eq!(
        err.error().to_string(),
        "normalization=frame needs the frame size in the caps (width and height)"
    );
}
