// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The appearance (BoT-SORT) extension of `ByteTracker`: without embeddings
//! it is ByteTrack bit for bit; with them it keeps ids through a crossing
//! that fools the motion model, and stitches a lost track to the tentative
//! track that continues it.

mod common;
use common::shared_dir;
use rstracking_core::geometry::{iou_tlbr_plus1, tlwh_to_tlbr};
use rstracking_core::io::mot::{parse_rows, parse_seqinfo};
use rstracking_core::track::bytetrack::{
    ByteTrackConfig, ByteTracker, Detection, MergeEvent, TrackOutput, UpdateReport,
};
use rstracking_core::types::TrackState;
use std::sync::Arc;

fn det(tlwh: [f64; 4], score: f64, embedding: Option<&Arc<[f32]>>) -> Detection {
    Detection {
        tlwh,
        score,
        class_id: 0,
        embedding: embedding.cloned(),
    }
}

/// Unit vector `k` of dimension 8 (distinct `k`: orthogonal embeddings).
fn axis(k: usize) -> Arc<[f32]> {
    let mut v = vec![0.0f32; 8];
    v[k] = 1.0;
    v.into()
}

fn reid(max_gap: u32) -> ByteTrackConfig {
    ByteTrackConfig {
        with_reid: true,
        reid_max_gap: max_gap,
        ..Default::default()
    }
}

/// Runs a sequence, returning every frame's outputs and reports.
fn run(cfg: ByteTrackConfig, frames: &[Vec<Detection>]) -> Vec<(Vec<TrackOutput>, UpdateReport)> {
    let mut t = ByteTracker::new(cfg);
    let mut out = Vec::new();
    frames
        .iter()
        .map(|dets| {
            let r = t.update(dets, None, &mut out);
            assert!(t.merges().is_empty(), "no embeddings, no stitches");
            (out.clone(), r)
        })
        .collect()
}

/// A synthetic sequence exercising every path of the tracker: movers that
/// cross, drop out (lost, re-found, timed out), go low-score (second
/// association), plus clutter that starts tentative tracks.
fn synthetic() -> Vec<Vec<Detection>> {
    let mut s: u64 = 7;
    let mut rnd = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut frames = Vec::new();
    for f in 0..600u32 {
        let mut dets = Vec::new();
        for k in 0..12u32 {
            // Mover k: runs back and forth, with gaps of 3 to 40 frames.
            let period = 80 + 13 * k;
            let phase = (f + 17 * k) % period;
            if phase > period - 3 - (k * 3) % 38 {
                continue;
            }
            let x = 50.0 + 900.0 * (((f as f64) * (0.004 + 0.001 * k as f64)).sin() * 0.5 + 0.5);
            let y = 40.0 + 45.0 * k as f64 + 3.0 * rnd();
            let score = if (f + k) % 9 == 0 {
                0.3
            } else {
                0.65 + 0.3 * rnd()
            };
            dets.push(det([x, y, 40.0 + 2.0 * k as f64, 90.0], score, None));
        }
        for _ in 0..(f % 4) {
            let x = 1200.0 * rnd();
            let y = 600.0 * rnd();
            dets.push(det([x, y, 30.0, 70.0], 0.2 + 0.8 * rnd(), None));
        }
        frames.push(dets);
    }
    frames
}

#[test]
fn reid_without_embeddings_is_bytetrack() {
    let frames = synthetic();
    let plain = run(ByteTrackConfig::default(), &frames);
    let with = run(reid(30), &frames);
    assert!(plain.iter().map(|(o, _)| o.len()).sum::<usize>() > 1000);
    assert!(plain.iter().any(|(_, r)| r.lost > 0 && r.spawned > 0));
    for (f, (a, b)) in plain.iter().zip(&with).enumerate() {
        assert_eq!(a, b, "frame {}", f + 1);
    }
}

/// The same on real detections (the parity sequences).
#[test]
#[ignore = "needs ../shared"]
fn reid_without_embeddings_is_bytetrack_on_mot17() {
    let shared = shared_dir();
    for seq in ["MOT17-02-FRCNN", "MOT17-10-FRCNN", "MOT17-13-FRCNN"] {
        let dir = shared.join(format!("data/MOT17/train/{seq}"));
        let ini = std::fs::read_to_string(dir.join("seqinfo.ini")).unwrap();
        let info = parse_seqinfo(&ini, "seqinfo.ini").unwrap();
        let path = dir.join("det/det.txt");
        let text = std::fs::read_to_string(&path).unwrap();
        let mut frames = vec![Vec::new(); info.seq_length as usize];
        for r in parse_rows(&text, &path.to_string_lossy()).unwrap() {
            frames[(r.frame - 1) as usize].push(det([r.x, r.y, r.w, r.h], r.score, None));
        }
        let plain = run(ByteTrackConfig::default(), &frames);
        let with = run(reid(30), &frames);
        assert!(plain.iter().map(|(o, _)| o.len()).sum::<usize>() > 1000);
        for (f, (a, b)) in plain.iter().zip(&with).enumerate() {
            assert_eq!(a, b, "{seq} frame {}", f + 1);
        }
    }
}

/// Track id on detection `i` of the last update.
fn id_of(out: &[TrackOutput], i: usize) -> Option<u64> {
    out.iter()
        .find(|o| o.state == TrackState::Tracked && o.det_index == Some(i))
        .map(|o| o.track_id)
}

const W: f64 = 120.0;
const H: f64 = 240.0;

/// Two objects, A and B, boxes 120×240 on the same row, walk towards each
/// other at 6 px/frame (A from x = 106, B from x = 494), are hidden on frames
/// 21-35 (both tracks lost), and come back on frame 36 having bounced: each
/// on the side it came from (A at x = 290, B at 310), walking back.
///
/// The Kalman filters (velocity ≈ ±5.9) carry the lost tracks on and predict
/// A at x ≈ 314 and B at ≈ 286 on frame 36: they have crossed. So each
/// prediction lies ~4 px from the wrong detection (IoU ≈ 0.93) and ~24 px
/// from the right one: IoU = (121 − 24)/(121 + 24) ≈ 0.67 ("+1" widths),
/// i.e. `1 − IoU` ≈ 0.33, inside the proximity gate (0.5), so appearance
/// counts for the right pairs (the gate needs a shift ≤ 121/3 ≈ 40 px).
/// Plain ByteTrack takes the swap (fused costs ≈ 0.16 + 0.16 against
/// 0.40 + 0.40); with re-id the right pairs cost `emb_d = 0` and the wrong
/// ones, orthogonal embeddings (`emb_d = 0.5 > 0.25`), keep their IoU cost.
fn bounce() -> Vec<Vec<Detection>> {
    let (ea, eb) = (axis(0), axis(1));
    let mut frames = Vec::new();
    for f in 1..=20 {
        let s = 6.0 * f as f64;
        frames.push(vec![
            det([100.0 + s, 100.0, W, H], 0.9, Some(&ea)),
            det([500.0 - s, 100.0, W, H], 0.9, Some(&eb)),
        ]);
    }
    frames.resize(35, Vec::new());
    for k in 0..10 {
        let s = 6.0 * k as f64;
        frames.push(vec![
            det([290.0 - s, 100.0, W, H], 0.9, Some(&ea)),
            det([310.0 + s, 100.0, W, H], 0.9, Some(&eb)),
        ]);
    }
    frames
}

#[test]
fn bounce_geometry_is_as_designed() {
    // Checks the premises of the crossing test on the tracker itself: the
    // predictions for frame 36 have crossed, and each is inside the
    // proximity gate of its own object's detection but closer to the other.
    let frames = bounce();
    let mut t = ByteTracker::new(ByteTrackConfig {
        output_lost: true,
        ..Default::default()
    });
    let mut out = Vec::new();
    for dets in &frames[..35] {
        t.update(dets, None, &mut out);
    }
    t.predict(&mut out);
    let pred = |id: u64| out.iter().find(|o| o.track_id == id).unwrap().tlwh;
    let (pa, pb) = (pred(1), pred(2));
    assert!(pa[0] > pb[0] + 20.0, "A {pa:?} B {pb:?}");
    let iou =
        |p: &[f64; 4], d: &Detection| iou_tlbr_plus1(&tlwh_to_tlbr(p), &tlwh_to_tlbr(&d.tlwh));
    let (da, db) = (&frames[35][0], &frames[35][1]);
    for (p, right, wrong) in [(&pa, da, db), (&pb, db, da)] {
        let (r, w) = (iou(p, right), iou(p, wrong));
        assert!(1.0 - r <= 0.5 && r < 0.7, "IoU with its own detection {r}");
        assert!(w > 0.9, "IoU with the other detection {w}");
    }
}

#[test]
fn crossing_swaps_ids_without_reid_and_keeps_them_with_reid() {
    let frames = bounce();
    for with_reid in [false, true] {
        let mut t = ByteTracker::new(ByteTrackConfig {
            with_reid,
            ..Default::default()
        });
        let mut out = Vec::new();
        for (f, dets) in frames.iter().enumerate() {
            t.update(dets, None, &mut out);
            let frame = f + 1;
            if (21..=35).contains(&frame) {
                assert!(out.is_empty());
                continue;
            }
            // Before the occlusion A has id 1 and B id 2; after it, plain
            // ByteTrack has swapped them for good, re-id has not.
            let (a, b) = if frame <= 20 || with_reid {
                (1, 2)
            } else {
                (2, 1)
            };
            assert_eq!(
                (id_of(&out, 0), id_of(&out, 1)),
                (Some(a), Some(b)),
                "frame {frame}, with_reid {with_reid}"
            );
        }
        assert_eq!(t.next_track_id(), 3, "no other track was started");
    }
}

/// A 50×100 object standing at x = 100 (embedding `e_old`) on frames 1-10,
/// undetected on frames 11-15 (5 frames: its track is lost), then detected
/// 60 px to the right (embedding `e_new`) from frame 16 on: no overlap with
/// the lost track's prediction (still at x = 100, zero velocity), so a new
/// tentative track (id 2) starts on frame 16 and is confirmed on frame 17.
/// Motion rule on frame 17: centre distance 60 ≤ max(50, 100) · (1 + 7/10).
fn reappear(e_old: &Arc<[f32]>, e_new: &Arc<[f32]>, x_new: f64) -> Vec<Vec<Detection>> {
    let mut frames = Vec::new();
    for _ in 1..=10 {
        frames.push(vec![det([100.0, 50.0, 50.0, 100.0], 0.9, Some(e_old))]);
    }
    frames.resize(15, Vec::new());
    for k in 0..5 {
        let x = x_new + k as f64;
        frames.push(vec![det([x, 50.0, 50.0, 100.0], 0.9, Some(e_new))]);
    }
    frames
}

/// Runs `frames` and returns, per frame, the output ids and the merges.
fn ids_and_merges(
    cfg: ByteTrackConfig,
    frames: &[Vec<Detection>],
) -> Vec<(Vec<u64>, Vec<MergeEvent>)> {
    let mut t = ByteTracker::new(cfg);
    let mut out = Vec::new();
    frames
        .iter()
        .map(|dets| {
            t.update(dets, None, &mut out);
            (
                out.iter().map(|o| o.track_id).collect(),
                t.merges().to_vec(),
            )
        })
        .collect()
}

#[test]
fn stitching_continues_the_lost_id() {
    let e = axis(3);
    let frames = reappear(&e, &e, 160.0);
    let r = ids_and_merges(reid(30), &frames);
    // Frame 16: the tentative track 2 is not output.
    assert_eq!(r[15], (vec![], vec![]));
    // Frame 17: track 2 is confirmed and stitched: id 1 continues.
    assert_eq!(
        r[16],
        (
            vec![1],
            vec![MergeEvent {
                from: 2,
                into: 1,
                frame: 17
            }]
        )
    );
    for (f, got) in r.iter().enumerate().skip(17) {
        assert_eq!(got, &(vec![1], vec![]), "frame {}", f + 1);
    }
    // Id 1 is now the object at x ≈ 160, with the tentative track's state.
    let mut t = ByteTracker::new(reid(30));
    let mut out = Vec::new();
    for dets in &frames {
        t.update(dets, None, &mut out);
    }
    assert!((out[0].tlwh[0] - 164.0).abs() < 1.0, "{:?}", out[0].tlwh);
    assert_eq!(out[0].det_index, Some(0));
    assert_eq!(t.num_tracks(), 1, "the tentative track is gone");

    // Without re-id, the same frames give a new id.
    let plain = ids_and_merges(ByteTrackConfig::default(), &frames);
    assert_eq!(plain[16], (vec![2], vec![]));
}

#[test]
fn no_stitching_with_zero_gap() {
    let e = axis(3);
    let r = ids_and_merges(reid(0), &reappear(&e, &e, 160.0));
    for (f, got) in r.iter().enumerate().skip(16) {
        assert_eq!(got, &(vec![2], vec![]), "frame {}", f + 1);
    }
}

#[test]
fn stitching_gap_is_counted_in_missing_frames() {
    // The object is missed on frames 11-15: a gap of 5 frames.
    let e = axis(3);
    let frames = reappear(&e, &e, 160.0);
    assert_eq!(ids_and_merges(reid(4), &frames)[16].0, vec![2]);
    assert_eq!(ids_and_merges(reid(5), &frames)[16].0, vec![1]);
}

#[test]
fn no_stitching_with_another_embedding() {
    let r = ids_and_merges(reid(30), &reappear(&axis(3), &axis(4), 160.0));
    for (f, got) in r.iter().enumerate().skip(16) {
        assert_eq!(got, &(vec![2], vec![]), "frame {}", f + 1);
    }
}

#[test]
fn no_stitching_beyond_the_motion_rule() {
    // 400 px away on frame 17: farther than 100 · (1 + 7/10) = 170 px.
    let e = axis(3);
    let r = ids_and_merges(reid(30), &reappear(&e, &e, 500.0));
    assert_eq!(r[16], (vec![2], vec![]));
}
