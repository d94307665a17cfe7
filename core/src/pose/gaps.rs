// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The made-up objects of frames where a known track is absent: linear
//! interpolation across a held gap, or constant-velocity prediction from the
//! last sighting (see the [module documentation](super)).

use std::collections::VecDeque;

use super::{Held, SmootherConfig, Synth, SynthKind, Track};
use crate::types::{BBox, Keypoint, KeypointState, Object, TrackState};

/// A missing keypoint in a made-up object: the coordinates of the last
/// sighting, confidence 0.
#[inline]
fn missing_keypoint(out: &Keypoint) -> Keypoint {
    Keypoint {
        x: out.x,
        y: out.y,
        confidence: 0.0,
        state: KeypointState::Missing,
    }
}

#[inline]
fn lerp(a: f64, b: f64, s: f64) -> f64 {
    a + (b - a) * s
}

#[inline]
fn lerp32(a: f32, b: f32, s: f64) -> f32 {
    lerp(a as f64, b as f64, s) as f32
}

/// Replaces the made-up objects of the held gap frames of a track with poses
/// interpolated between `track.prev_pose` (before the gap, at
/// `track.t_last`) and `track.pose` (now, at `t`).
pub(super) fn interpolate<T>(
    track: &Track,
    obj: &Object,
    t: f64,
    seq: u64,
    held: &mut VecDeque<Held<T>>,
    id: u64,
) {
    let (s0, t0) = (track.last_seen, track.t_last);
    let span_t = t - t0;
    let span_n = (seq - s0) as f64;
    for h in held.iter_mut() {
        if h.seq <= s0 || h.seq >= seq {
            continue;
        }
        h.synth.retain(|s| s.track_id != id);
        if h.objects.iter().any(|o| o.track_id == Some(id)) {
            continue;
        }
        let mut s = (h.t - t0) / span_t;
        if !(s.is_finite() && span_t > 0.0) {
            s = (h.seq - s0) as f64 / span_n;
        }
        let s = s.clamp(0.0, 1.0);
        let keypoints = track
            .prev_pose
            .iter()
            .zip(&track.pose)
            .map(|(a, b)| {
                if a.valid && b.valid {
                    Keypoint {
                        x: lerp(a.x, b.x, s) as f32,
                        y: lerp(a.y, b.y, s) as f32,
                        confidence: lerp32(a.confidence, b.confidence, s),
                        state: KeypointState::Interpolated,
                    }
                } else {
                    missing_keypoint(&a.out)
                }
            })
            .collect();
        let (b0, b1) = (track.bbox, obj.bbox);
        let object = Object {
            bbox: BBox::new(
                lerp32(b0.x, b1.x, s),
                lerp32(b0.y, b1.y, s),
                lerp32(b0.w, b1.w, s),
                lerp32(b0.h, b1.h, s),
            ),
            confidence: lerp32(track.confidence, obj.confidence, s),
            class_id: obj.class_id,
            label: obj.label.clone(),
            track_id: Some(id),
            track_state: Some(TrackState::Tracked),
            global_id: obj.global_id,
            keypoints,
            embedding: None,
            embedding_frame: None,
            zones: Vec::new(),
            action: None,
            attributes: Vec::new(),
        };
        h.synth.push(Synth {
            track_id: id,
            kind: SynthKind::Interpolated,
            object,
        });
    }
}

/// The predicted object of a track `missed` frames after its last sighting.
pub(super) fn predict(cfg: &SmootherConfig, tr: &Track, id: u64, t: f64, missed: u64) -> Object {
    let dt = t - tr.t_last;
    let decay = cfg.predict_decay.powi(missed.min(i32::MAX as u64) as i32);
    let (mut svx, mut svy, mut n) = (0.0, 0.0, 0usize);
    let keypoints = tr
        .pose
        .iter()
        .map(|p| {
            if p.valid {
                svx += p.vx;
                svy += p.vy;
                n += 1;
                Keypoint {
                    x: (p.x + p.vx * dt) as f32,
                    y: (p.y + p.vy * dt) as f32,
                    confidence: p.confidence * decay,
                    state: KeypointState::Predicted,
                }
            } else {
                missing_keypoint(&p.out)
            }
        })
        .collect();
    let (vx, vy) = if cfg.smooth_boxes && tr.box_filters.len() == 4 {
        (tr.box_vel[0], tr.box_vel[1])
    } else if n > 0 {
        (svx / n as f64, svy / n as f64)
    } else {
        (0.0, 0.0)
    };
    let mut bbox = tr.bbox;
    let (dx, dy) = (vx * dt, vy * dt);
    if dx.is_finite() && dy.is_finite() {
        bbox.x = (bbox.x as f64 + dx) as f32;
        bbox.y = (bbox.y as f64 + dy) as f32;
    }
    Object {
        bbox,
        confidence: tr.confidence * decay,
        class_id: tr.class_id,
        label: tr.label.clone(),
        track_id: Some(id),
        track_state: Some(TrackState::Predicted),
        global_id: tr.global_id,
        keypoints,
        embedding: None,
        embedding_frame: None,
        zones: Vec::new(),
        action: None,
        attributes: Vec::new(),
    }
}
