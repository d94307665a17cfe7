// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
use super::*;

fn det(x: f64, y: f64, w: f64, h: f64, score: f64) -> Detection {
    Detection {
        tlwh: [x, y, w, h],
        score,
        class_id: 0,
        embedding: None,
    }
}

fn ids(out: &[TrackOutput]) -> Vec<u64> {
    out.iter().map(|o| o.track_id).collect()
}

#[test]
fn first_frame_activates_later_frames_confirm() {
    let mut t = ByteTracker::new(ByteTrackConfig::default());
    let mut out = Vec::new();
    let r = t.update(&[det(10.0, 10.0, 50.0, 100.0, 0.9)], None, &mut out);
    assert_eq!(r.spawned, 1);
    assert_eq!(ids(&out), vec![1]);
    assert_eq!(out[0].det_index, Some(0));
    // A new object on frame 2 is not output until its second match.
    let f2 = [
        det(12.0, 10.0, 50.0, 100.0, 0.9),
        det(300.0, 10.0, 50.0, 100.0, 0.95),
    ];
    t.update(&f2, None, &mut out);
    assert_eq!(ids(&out), vec![1]);
    let f3 = [
        det(302.0, 10.0, 50.0, 100.0, 0.95),
        det(14.0, 10.0, 50.0, 100.0, 0.9),
    ];
    t.update(&f3, None, &mut out);
    assert_eq!(ids(&out), vec![1, 2]);
    assert_eq!(out[0].det_index, Some(1));
    assert_eq!(out[1].det_index, Some(0));
    assert_eq!(out[1].score, 0.95);
}

#[test]
fn unconfirmed_tracks_consume_ids() {
    let mut t = ByteTracker::new(ByteTrackConfig::default());
    let mut out = Vec::new();
    t.update(&[det(10.0, 10.0, 50.0, 100.0, 0.9)], None, &mut out);
    // A one-frame detection: track 2 is created and removed unconfirmed.
    t.update(
        &[
            det(11.0, 10.0, 50.0, 100.0, 0.9),
            det(500.0, 10.0, 50.0, 100.0, 0.9),
        ],
        None,
        &mut out,
    );
    t.update(&[det(12.0, 10.0, 50.0, 100.0, 0.9)], None, &mut out);
    assert_eq!(t.num_tracks(), 1);
    // The next new track gets id 3, not 2.
    t.update(
        &[
            det(13.0, 10.0, 50.0, 100.0, 0.9),
            det(800.0, 10.0, 50.0, 100.0, 0.9),
        ],
        None,
        &mut out,
    );
    t.update(
        &[
            det(14.0, 10.0, 50.0, 100.0, 0.9),
            det(801.0, 10.0, 50.0, 100.0, 0.9),
        ],
        None,
        &mut out,
    );
    assert_eq!(ids(&out), vec![1, 3]);
}

#[test]
fn low_detections_keep_tracks_and_lost_tracks_time_out() {
    let cfg = ByteTrackConfig {
        track_buffer: 5,
        output_lost: true,
        ..Default::default()
    };
    let mut t = ByteTracker::new(cfg);
    let mut out = Vec::new();
    t.update(&[det(10.0, 10.0, 50.0, 100.0, 0.9)], None, &mut out);
    // Low-score detection keeps the track alive (second association).
    let r = t.update(&[det(10.0, 10.0, 50.0, 100.0, 0.3)], None, &mut out);
    assert_eq!(r.matched, 1);
    assert_eq!(out[0].state, TrackState::Tracked);
    assert_eq!(out[0].score, 0.3);
    // Below the low threshold: ignored, the track is lost.
    let r = t.update(&[det(10.0, 10.0, 50.0, 100.0, 0.05)], None, &mut out);
    assert_eq!(r.lost, 1);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].state, TrackState::Lost);
    assert_eq!(out[0].det_index, None);
    // Lost on frame 3 (last matched frame 2): removed once 7 - 2 > 5, i.e. frame 8,
    // then dropped on frame 9.
    for f in 4..=8 {
        t.update(&[], None, &mut out);
        assert_eq!(t.num_tracks(), 1, "frame {f}");
    }
    assert!(out.is_empty(), "a removed track is not output as lost");
    let r = t.update(&[], None, &mut out);
    assert_eq!(r.removed, 1);
    assert_eq!(t.num_tracks(), 0);
}

#[test]
fn lost_track_is_found_again() {
    let mut t = ByteTracker::new(ByteTrackConfig::default());
    let mut out = Vec::new();
    for f in 0..10 {
        t.update(
            &[det(10.0 + f as f64, 10.0, 50.0, 100.0, 0.9)],
            None,
            &mut out,
        );
    }
    for _ in 0..5 {
        t.update(&[], None, &mut out);
    }
    assert!(out.is_empty());
    t.update(&[det(25.0, 10.0, 50.0, 100.0, 0.9)], None, &mut out);
    assert_eq!(ids(&out), vec![1]);
}

#[test]
fn time_based_removal() {
    let cfg = ByteTrackConfig {
        max_lost_time_ns: Some(100),
        ..Default::default()
    };
    let mut t = ByteTracker::new(cfg);
    let mut out = Vec::new();
    t.update(&[det(10.0, 10.0, 50.0, 100.0, 0.9)], Some(0), &mut out);
    t.update(&[], Some(50), &mut out);
    t.update(&[], Some(100), &mut out);
    assert_eq!(t.num_tracks(), 1);
    t.update(&[], Some(101), &mut out); // marked removed
    t.update(&[], Some(102), &mut out); // dropped
    assert_eq!(t.num_tracks(), 0);
}

#[test]
fn duplicate_removal_favours_older_track() {
    let mut out = Vec::new();
    // Two identical boxes on frame 1 make two activated tracks. On frame 2
    // one detection matches track 1; track 2 is lost right on top of it,
    // and, being younger (matched on fewer frames), is dropped.
    let mut t = ByteTracker::new(ByteTrackConfig::default());
    let d = [det(100.0, 100.0, 50.0, 100.0, 0.9)];
    t.update(&[d[0].clone(), d[0].clone()], None, &mut out);
    assert_eq!(ids(&out), vec![1, 2]);
    let r = t.update(&d, None, &mut out);
    assert_eq!((r.lost, r.removed), (1, 1));
    assert_eq!(ids(&out), vec![1]);
    assert_eq!(t.num_tracks(), 1);

    // Conversely a young tracked copy of an older lost track is dropped.
    // With a first-association limit of 0 the lost track 1 cannot be
    // matched, so each detection on top of it starts a new track, which
    // is removed at once as a duplicate of the older track 1.
    let mut t = ByteTracker::new(ByteTrackConfig::default());
    for _ in 0..10 {
        t.update(&d, None, &mut out);
    }
    t.update(&[], None, &mut out);
    let mut cfg = t.config().clone();
    cfg.match_thresh = 0.0;
    t.set_config(cfg);
    for k in 0..3 {
        let r = t.update(&d, None, &mut out);
        assert_eq!((r.spawned, r.removed), (1, 1));
        assert!(out.is_empty());
        assert_eq!(t.num_tracks(), 1);
        assert_eq!(t.next_track_id(), 3 + k);
    }
}

#[test]
fn ids_increase_and_memory_is_bounded() {
    let mut t = ByteTracker::new(ByteTrackConfig::default());
    let mut out = Vec::new();
    let mut last_max = 0;
    let mut seen = std::collections::HashSet::new();
    let mut max_tracks = 0;
    // Objects appear at new places all the time (never matched twice).
    let mut s: u64 = 99;
    for f in 0..5000u64 {
        let mut dets = Vec::new();
        for k in 0..5 {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let x = (s >> 40) as f64 % 2000.0;
            dets.push(det(x, (k * 200) as f64, 40.0, 80.0, 0.9));
        }
        // A persistent object too.
        dets.push(det(5000.0 + (f % 7) as f64, 10.0, 40.0, 80.0, 0.95));
        t.update(&dets, None, &mut out);
        // An id seen for the first time is larger than every id seen before.
        let mut frame_max = last_max;
        for o in &out {
            assert!(o.track_id >= 1);
            if seen.insert(o.track_id) {
                assert!(o.track_id > last_max, "id {} after {last_max}", o.track_id);
                frame_max = frame_max.max(o.track_id);
            }
        }
        last_max = frame_max;
        max_tracks = max_tracks.max(t.num_tracks());
    }
    assert!(max_tracks < 500, "{max_tracks} tracks held");
    assert!(t.next_track_id() > 5000);
    let slab_len = t.slab.len();
    assert!(slab_len < 500, "slab {slab_len}");
    // Reset keeps ids increasing.
    let next = t.next_track_id();
    t.reset();
    assert_eq!(t.num_tracks(), 0);
    t.update(&[det(10.0, 10.0, 50.0, 100.0, 0.9)], None, &mut out);
    assert_eq!(ids(&out), vec![next]);
}

#[test]
fn per_class_never_mixes_classes() {
    let cfg = ByteTrackConfig {
        per_class: true,
        ..Default::default()
    };
    let mut t = ByteTracker::new(cfg);
    let mut out = Vec::new();
    let mut d = [det(10.0, 10.0, 50.0, 100.0, 0.9)];
    t.update(&d, None, &mut out);
    d[0].class_id = 1;
    t.update(&d, None, &mut out);
    // Track 1 (class 0) is lost, track 2 (class 1) unconfirmed.
    assert!(out.is_empty());
    t.update(&d, None, &mut out);
    assert_eq!(ids(&out), vec![2]);
    assert_eq!(out[0].class_id, 1);
}

fn with_embedding(mut d: Detection, e: &[f32]) -> Detection {
    d.embedding = Some(e.into());
    d
}

/// The feature of the track with id `id`.
fn feature_of(t: &ByteTracker, id: u64) -> &[f32] {
    let slot = t
        .tracked
        .iter()
        .chain(&t.lost)
        .find(|&&s| t.slab[s as usize].id == id);
    &t.slab[*slot.unwrap() as usize].feature
}

#[test]
fn feature_is_smoothed_and_normalised() {
    let cfg = ByteTrackConfig {
        with_reid: true,
        ..Default::default()
    };
    let mut t = ByteTracker::new(cfg);
    let mut out = Vec::new();
    let d = det(10.0, 10.0, 50.0, 100.0, 0.9);
    // The first embedding initialises the feature, normalised.
    t.update(
        &[with_embedding(d.clone(), &[2.0, 0.0, 0.0])],
        None,
        &mut out,
    );
    assert_eq!(feature_of(&t, 1), &[1.0, 0.0, 0.0]);
    // Update 1 (tracked): f = (0.9·(1, 0, 0) + 0.1·(0, 1, 0)) / |·|.
    t.update(
        &[with_embedding(d.clone(), &[0.0, 1.0, 0.0])],
        None,
        &mut out,
    );
    let n = (0.9f64 * 0.9 + 0.1 * 0.1).sqrt();
    let f1 = [0.9 / n, 0.1 / n, 0.0];
    for (a, b) in feature_of(&t, 1).iter().zip(f1) {
        assert!((*a as f64 - b).abs() < 1e-7, "{:?}", feature_of(&t, 1));
    }
    // Lost for a frame, then update 2 (re-found): f = (0.9·f1 + 0.1·(0, 0, 1)) / |·|.
    t.update(&[], None, &mut out);
    t.update(
        &[with_embedding(d.clone(), &[0.0, 0.0, 1.0])],
        None,
        &mut out,
    );
    assert_eq!(ids(&out), vec![1]);
    let g = [0.9 * f1[0], 0.9 * f1[1], 0.1];
    let n = (g[0] * g[0] + g[1] * g[1] + g[2] * g[2]).sqrt();
    let f2 = feature_of(&t, 1).to_vec();
    for (a, b) in f2.iter().zip(g) {
        assert!((*a as f64 - b / n).abs() < 1e-7, "{f2:?}");
    }
    let norm: f64 = f2.iter().map(|&x| x as f64 * x as f64).sum();
    assert!((norm - 1.0).abs() < 1e-6);
    // Low-score detections (second association) leave it alone, as in
    // BoT-SORT; so do detections without embedding.
    let mut low = with_embedding(d.clone(), &[1.0, 0.0, 0.0]);
    low.score = 0.3;
    let r = t.update(&[low], None, &mut out);
    assert_eq!((r.matched, ids(&out)), (1, vec![1]));
    assert_eq!(feature_of(&t, 1), f2);
    t.update(&[d], None, &mut out);
    assert_eq!(feature_of(&t, 1), f2);
}

#[test]
fn features_memory_is_bounded() {
    let cfg = ByteTrackConfig {
        with_reid: true,
        reid_max_gap: 30,
        ..Default::default()
    };
    let mut t = ByteTracker::new(cfg);
    let mut out = Vec::new();
    let mut s: u64 = 5;
    let mut rnd = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    const DIM: usize = 64;
    let persistent: Vec<f32> = (0..DIM).map(|k| (k as f32).sin()).collect();
    let mut max_tracks = 0;
    // 5 new one-off objects per frame (rarely on top of the previous
    // frame's), each with its own random embedding: over 10,000 tracks
    // with features come and go.
    for f in 0..2100u64 {
        let mut dets = Vec::new();
        for k in 0..5 {
            let x = (rnd() * 20000.0).floor();
            let e: Vec<f32> = (0..DIM).map(|_| rnd() as f32 - 0.5).collect();
            dets.push(with_embedding(
                det(x, (k * 200) as f64, 40.0, 80.0, 0.9),
                &e,
            ));
        }
        let p = det(30000.0 + (f % 7) as f64, 10.0, 40.0, 80.0, 0.95);
        dets.push(with_embedding(p, &persistent));
        t.update(&dets, None, &mut out);
        max_tracks = max_tracks.max(t.num_tracks());
    }
    assert!(t.next_track_id() > 10_000);
    assert!(max_tracks < 500, "{max_tracks} tracks held");
    assert!(t.slab.len() < 500, "slab {}", t.slab.len());
    // One feature buffer per slot at most.
    let floats: usize = t.slab.iter().map(|tr| tr.feature.capacity()).sum();
    assert!(floats <= t.slab.len() * DIM, "{floats} floats held");
    // The persistent object (6th detection of frame 1) keeps its id.
    let persistent_id = out.iter().find(|o| o.det_index == Some(5));
    assert_eq!(persistent_id.map(|o| o.track_id), Some(6));
}

#[test]
fn min_hits_delays_output() {
    let cfg = ByteTrackConfig {
        min_hits: 3,
        ..Default::default()
    };
    let mut t = ByteTracker::new(cfg);
    let mut out = Vec::new();
    let d = [det(10.0, 10.0, 50.0, 100.0, 0.9)];
    t.update(&d, None, &mut out);
    assert!(out.is_empty());
    t.update(&d, None, &mut out);
    assert!(out.is_empty());
    t.update(&d, None, &mut out);
    assert_eq!(ids(&out), vec![1]);
}

/// A track seen once jumps 1.6 box sizes (IoU 0): the reference loses it
/// and starts a new track; with young_gate it keeps its id, also after it
/// stopped being young the gate no longer applies.
#[test]
fn young_tracks_take_the_nearest_detection_within_the_gate() {
    let jump = [det(90.0, 10.0, 50.0, 100.0, 0.9)]; // centre moves 80 px; size √5000 ≈ 70.7
    for (gate, want) in [(0.0, Vec::<u64>::new()), (1.0, vec![]), (1.2, vec![1])] {
        let mut t = ByteTracker::new(ByteTrackConfig {
            young_gate: gate,
            ..Default::default()
        });
        let mut out = Vec::new();
        t.update(&[det(10.0, 10.0, 50.0, 100.0, 0.9)], None, &mut out);
        let r = t.update(&jump, None, &mut out);
        assert_eq!(ids(&out), want, "gate {gate}");
        assert_eq!(r.spawned, usize::from(want.is_empty()), "gate {gate}");
        assert_eq!(r.lost, usize::from(want.is_empty()), "gate {gate}");
    }
    // An old track (more than YOUNG_HITS matches) is not rescued.
    let mut t = ByteTracker::new(ByteTrackConfig {
        young_gate: 3.0,
        ..Default::default()
    });
    let mut out = Vec::new();
    for _ in 0..=YOUNG_HITS {
        t.update(&[det(10.0, 10.0, 50.0, 100.0, 0.9)], None, &mut out);
    }
    t.update(&jump, None, &mut out);
    assert_eq!(ids(&out), Vec::<u64>::new());
}
