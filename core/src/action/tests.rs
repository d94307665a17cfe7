// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::*;

fn cfg(window: usize, stride: usize, min_frames: usize) -> WindowConfig {
    WindowConfig {
        window,
        stride,
        min_frames,
        joints: 2,
        normalization: Normalization::None,
    }
}

/// Frame `f`'s skeleton of track `id`: joint j at (100 id + 10 f + j, -f),
/// confidence j / 10.
fn skeleton(id: u64, f: u64) -> Vec<Keypoint> {
    (0..2)
        .map(|j| Keypoint {
            x: (100 * id + 10 * f + j) as f32,
            y: -(f as f32),
            confidence: j as f32 / 10.0,
            ..Default::default()
        })
        .collect()
}

fn bbox() -> BBox {
    BBox::new(0.0, 0.0, 1.0, 1.0)
}

#[test]
fn the_window_holds_the_last_t_skeletons_oldest_first_in_both_layouts() {
    let mut w = ActionWindows::new(cfg(3, 1, 1));
    for f in 0..5 {
        w.push(7, &skeleton(7, f), bbox(), (0, 0), f).unwrap();
    }
    let mut out = Vec::new();
    w.fill(&[7], Layout::Ntvc, &mut out);
    // Frames 2, 3, 4; per frame joint 0 then 1; per joint x, y, c.
    assert_eq!(
        out,
        vec![
            720.0, -2.0, 0.0, 721.0, -2.0, 0.1, //
            730.0, -3.0, 0.0, 731.0, -3.0, 0.1, //
            740.0, -4.0, 0.0, 741.0, -4.0, 0.1,
        ]
    );
    w.fill(&[7], Layout::Nctvm, &mut out);
    // Channel x over t then v, then channel y, then confidence.
    assert_eq!(
        out,
        vec![
            720.0, 721.0, 730.0, 731.0, 740.0, 741.0, //
            -2.0, -2.0, -3.0, -3.0, -4.0, -4.0, //
            0.0, 0.1, 0.0, 0.1, 0.0, 0.1,
        ]
    );
}

#[test]
fn a_short_window_is_zero_padded_at_the_start_and_rows_follow_the_ids() {
    let mut w = ActionWindows::new(cfg(3, 1, 1));
    w.push(1, &skeleton(1, 0), bbox(), (0, 0), 0).unwrap();
    w.push(2, &skeleton(2, 0), bbox(), (0, 0), 0).unwrap();
    w.push(2, &skeleton(2, 1), bbox(), (0, 0), 1).unwrap();
    let mut out = Vec::new();
    w.fill(&[2, 1], Layout::Ntvc, &mut out);
    assert_eq!(out.len(), 2 * 18);
    assert_eq!(
        &out[..18],
        &[
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, //
            200.0, 0.0, 0.0, 201.0, 0.0, 0.1, //
            210.0, -1.0, 0.0, 211.0, -1.0, 0.1,
        ]
    );
    assert_eq!(&out[18..30], &[0.0; 12]);
    assert_eq!(&out[30..], &[100.0, 0.0, 0.0, 101.0, 0.0, 0.1]);
}

#[test]
fn tracks_are_ready_after_min_frames_then_every_stride_new_frames() {
    let mut w = ActionWindows::new(cfg(4, 3, 2));
    let mut ready_at = Vec::new();
    for f in 0..12 {
        w.push(5, &skeleton(5, f), bbox(), (0, 0), f).unwrap();
        let mut ids = Vec::new();
        w.ready(&mut ids);
        if ids == [5] {
            ready_at.push(f);
            w.set_result(5, None);
        }
    }
    // Frame 1 (2 frames), then every 3 new frames.
    assert_eq!(ready_at, vec![1, 4, 7, 10]);
}

#[test]
fn a_failed_classification_keeps_the_previous_result() {
    let mut w = ActionWindows::new(cfg(2, 1, 1));
    w.push(3, &skeleton(3, 0), bbox(), (0, 0), 0).unwrap();
    let a = top_class(&[0.0, 2.0], Activation::None, &[], false, 0);
    w.set_result(3, a.clone());
    w.set_result(3, None);
    assert_eq!(w.result(3), a.as_ref());
}

#[test]
fn box_and_frame_normalisation() {
    let k = [Keypoint {
        x: 30.0,
        y: 60.0,
        confidence: 0.5,
        ..Default::default()
    }];
    let mut out = Vec::new();
    let mut c = cfg(1, 1, 1);
    c.joints = 1;
    c.normalization = Normalization::Box;
    let mut w = ActionWindows::new(c);
    w.push(1, &k, BBox::new(10.0, 20.0, 40.0, 80.0), (200, 100), 0)
        .unwrap();
    w.fill(&[1], Layout::Ntvc, &mut out);
    assert_eq!(out, vec![0.5, 0.5, 0.5]);
    c.normalization = Normalization::Frame;
    let mut w = ActionWindows::new(c);
    w.push(1, &k, BBox::new(10.0, 20.0, 40.0, 80.0), (200, 100), 0)
        .unwrap();
    w.fill(&[1], Layout::Ntvc, &mut out);
    assert_eq!(out, vec![0.15, 0.6, 0.5]);
}

#[test]
fn a_skeleton_with_another_joint_count_is_an_error() {
    let mut w = ActionWindows::new(cfg(2, 1, 1));
    let e = w
        .push(9, &skeleton(9, 0)[..1], bbox(), (0, 0), 0)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "track 9 has 1 keypoints; the action model expects V = 2"
    );
    assert!(w.is_empty());
}

#[test]
fn ended_and_idle_tracks_are_freed() {
    let mut w = ActionWindows::new(cfg(2, 1, 1));
    w.push(1, &skeleton(1, 0), bbox(), (0, 0), 0).unwrap();
    w.push(2, &skeleton(2, 0), bbox(), (0, 0), 5).unwrap();
    w.push(3, &skeleton(3, 0), bbox(), (0, 0), 10).unwrap();
    assert!(w.end(2));
    assert!(!w.end(2));
    assert_eq!(w.forget_older(10, 9), 1);
    let mut ids = Vec::new();
    w.ready(&mut ids);
    assert_eq!(ids, [3]);
}

#[test]
fn activations_and_the_top_class() {
    let mut v = [0.0f32, 2f32.ln()];
    Activation::Softmax.apply(&mut v);
    assert!((v[0] - 1.0 / 3.0).abs() < 1e-7 && (v[1] - 2.0 / 3.0).abs() < 1e-7);
    let mut v = [0.0f32];
    Activation::Sigmoid.apply(&mut v);
    assert_eq!(v, [0.5]);
    let labels = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let a = top_class(&[1.0, 3.0, 3.0], Activation::None, &labels, true, 4).unwrap();
    assert_eq!(
        a,
        Action {
            class_id: 1,
            label: Some("b".into()),
            score: 3.0,
            scores: Some(Arc::from(vec![1.0, 3.0, 3.0])),
            frame: 4,
        }
    );
    assert_eq!(
        top_class(&[f32::NAN, 1.0], Activation::None, &labels, false, 0),
        None
    );
    assert_eq!(top_class(&[], Activation::None, &labels, false, 0), None);
}
