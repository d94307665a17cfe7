// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Offline refinement of finished tracks, for outputs that can wait for the
//! whole sequence (MOT files and JSONL written at EOS):
//!
//! * **gap filling** (as ByteTrack's own evaluation, `tools/interpolation.py`):
//!   a track missing for at most `max_gap` frames between two of its boxes
//!   gets the linearly interpolated boxes on the missing frames (marked
//!   interpolated);
//! * **smoothing**: each run of consecutive frames of a track (after gap
//!   filling) is smoothed with a Gaussian kernel of `sigma` frames over
//!   x, y, w, h (a normalised weighted mean of the neighbours within 3σ, the
//!   ends renormalised). StrongSORT's GSI fits a Gaussian-process regression
//!   for the same purpose; the kernel smoother is its closed-form cousin
//!   with one documented parameter and O(n σ) cost.
//! * **minimum length**: tracks with fewer than `min_length` boxes (before
//!   gap filling) are dropped.

use crate::types::BBox;
use std::collections::BTreeMap;

/// One box of a finished track.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackBox {
    /// 0-based frame index.
    pub frame: u64,
    pub id: u64,
    pub bbox: BBox,
    pub score: f32,
    /// Filled in by gap filling (not observed).
    pub interpolated: bool,
}

/// What [`refine`] does; all off by default.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RefineConfig {
    /// Fill gaps of at most this many missing frames (0 = off).
    pub max_gap: u32,
    /// Gaussian smoothing over this many frames (0 = off).
    pub sigma: f32,
    /// Drop tracks with fewer boxes than this (0 or 1 = keep all).
    pub min_length: u32,
    /// Fill the gaps of tracks with at least this many boxes only (as
    /// ByteTrack's interpolation, which skips tracks of 25 frames or
    /// fewer: short tracks are more often false).
    pub fill_min_length: u32,
}

impl RefineConfig {
    pub fn is_off(&self) -> bool {
        self.max_gap == 0 && self.sigma <= 0.0 && self.min_length <= 1
    }
}

/// Refines `boxes` (any order; one box per id and frame, later duplicates
/// are dropped) and returns them sorted by frame, then id.
pub fn refine(boxes: &[TrackBox], cfg: &RefineConfig) -> Vec<TrackBox> {
    let mut tracks: BTreeMap<u64, BTreeMap<u64, TrackBox>> = BTreeMap::new();
    for b in boxes {
        tracks.entry(b.id).or_default().entry(b.frame).or_insert(*b);
    }
    let mut out = Vec::with_capacity(boxes.len());
    for (_, track) in tracks {
        if (track.len() as u64) < u64::from(cfg.min_length) {
            continue;
        }
        let mut t: Vec<TrackBox> = track.into_values().collect();
        if cfg.max_gap > 0 && t.len() as u64 >= u64::from(cfg.fill_min_length) {
            t = fill_gaps(&t, cfg.max_gap);
        }
        if cfg.sigma > 0.0 {
            smooth(&mut t, cfg.sigma);
        }
        out.extend(t);
    }
    out.sort_by_key(|b| (b.frame, b.id));
    out
}

/// `t` sorted by frame, with every gap of at most `max_gap` missing frames
/// filled by linear interpolation of the two boxes around it (score: the
/// lower of the two).
fn fill_gaps(t: &[TrackBox], max_gap: u32) -> Vec<TrackBox> {
    let mut out = Vec::with_capacity(t.len());
    for (i, b) in t.iter().enumerate() {
        if i > 0 {
            let a = t[i - 1];
            let missing = b.frame - a.frame - 1;
            if missing > 0 && missing <= u64::from(max_gap) {
                let span = (b.frame - a.frame) as f32;
                for f in a.frame + 1..b.frame {
                    let r = (f - a.frame) as f32 / span;
                    let lerp = |p: f32, q: f32| p + (q - p) * r;
                    out.push(TrackBox {
                        frame: f,
                        id: a.id,
                        bbox: BBox::new(
                            lerp(a.bbox.x, b.bbox.x),
                            lerp(a.bbox.y, b.bbox.y),
                            lerp(a.bbox.w, b.bbox.w),
                            lerp(a.bbox.h, b.bbox.h),
                        ),
                        score: a.score.min(b.score),
                        interpolated: true,
                    });
                }
            }
        }
        out.push(*b);
    }
    out
}

/// Gaussian smoothing of x, y, w, h within each run of consecutive frames.
fn smooth(t: &mut [TrackBox], sigma: f32) {
    let radius = (3.0 * sigma).ceil() as usize;
    let weights: Vec<f64> = (0..=radius)
        .map(|d| (-((d * d) as f64) / (2.0 * f64::from(sigma) * f64::from(sigma))).exp())
        .collect();
    let mut start = 0;
    while start < t.len() {
        let mut end = start + 1;
        while end < t.len() && t[end].frame == t[end - 1].frame + 1 {
            end += 1;
        }
        let run: Vec<[f64; 4]> = t[start..end]
            .iter()
            .map(|b| {
                [
                    f64::from(b.bbox.x),
                    f64::from(b.bbox.y),
                    f64::from(b.bbox.w),
                    f64::from(b.bbox.h),
                ]
            })
            .collect();
        for (i, b) in t[start..end].iter_mut().enumerate() {
            let lo = i.saturating_sub(radius);
            let hi = (i + radius).min(run.len() - 1);
            let mut acc = [0.0f64; 4];
            let mut wsum = 0.0;
            for (j, v) in run.iter().enumerate().take(hi + 1).skip(lo) {
                let w = weights[i.abs_diff(j)];
                wsum += w;
                for k in 0..4 {
                    acc[k] += w * v[k];
                }
            }
            b.bbox = BBox::new(
                (acc[0] / wsum) as f32,
                (acc[1] / wsum) as f32,
                (acc[2] / wsum) as f32,
                (acc[3] / wsum) as f32,
            );
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tb(frame: u64, id: u64, x: f32) -> TrackBox {
        TrackBox {
            frame,
            id,
            bbox: BBox::new(x, 10.0, 20.0, 40.0),
            score: 0.9,
            interpolated: false,
        }
    }

    #[test]
    fn gaps_up_to_max_gap_are_filled_linearly() {
        let boxes = [
            tb(0, 1, 0.0),
            tb(4, 1, 40.0),
            tb(10, 1, 100.0),
            tb(2, 2, 5.0),
        ];
        let cfg = RefineConfig {
            max_gap: 3,
            ..Default::default()
        };
        let out = refine(&boxes, &cfg);
        let t1: Vec<(u64, f32, bool)> = out
            .iter()
            .filter(|b| b.id == 1)
            .map(|b| (b.frame, b.bbox.x, b.interpolated))
            .collect();
        // Frames 1-3 filled (3 missing); 5-9 (5 missing) left alone.
        assert_eq!(
            t1,
            [
                (0, 0.0, false),
                (1, 10.0, true),
                (2, 20.0, true),
                (3, 30.0, true),
                (4, 40.0, false),
                (10, 100.0, false)
            ]
        );
        // Sorted by frame, then id.
        let order: Vec<(u64, u64)> = out.iter().map(|b| (b.frame, b.id)).collect();
        assert_eq!(
            order,
            [(0, 1), (1, 1), (2, 1), (2, 2), (3, 1), (4, 1), (10, 1)]
        );
    }

    #[test]
    fn smoothing_keeps_straight_lines_and_damps_a_spike() {
        let mut boxes: Vec<TrackBox> = (0..11).map(|f| tb(f, 1, 2.0 * f as f32)).collect();
        let cfg = RefineConfig {
            sigma: 1.0,
            ..Default::default()
        };
        // A straight line stays straight inside (ends are pulled inwards).
        let out = refine(&boxes, &cfg);
        for b in &out[3..8] {
            assert!((b.bbox.x - 2.0 * b.frame as f32).abs() < 1e-4, "{b:?}");
        }
        // A one-frame spike of +10 px is spread: centre keeps
        // 10 * w0 / sum(w) of it.
        boxes[5].bbox.x += 10.0;
        let out = refine(&boxes, &cfg);
        let w: Vec<f64> = (0..=3)
            .map(|d: i32| (-(d * d) as f64 / 2.0).exp())
            .collect();
        let sum = w[0] + 2.0 * (w[1] + w[2] + w[3]);
        let want = 10.0 + 10.0 * w[0] / sum;
        assert!(
            (f64::from(out[5].bbox.x) - want).abs() < 1e-4,
            "{}",
            out[5].bbox.x
        );
    }

    #[test]
    fn short_tracks_are_dropped_before_filling() {
        let boxes = [
            tb(0, 1, 0.0),
            tb(3, 1, 3.0),
            tb(0, 2, 0.0),
            tb(1, 2, 1.0),
            tb(2, 2, 2.0),
        ];
        let cfg = RefineConfig {
            max_gap: 5,
            min_length: 3,
            ..Default::default()
        };
        let out = refine(&boxes, &cfg);
        assert!(out.iter().all(|b| b.id == 2));
        assert_eq!(out.len(), 3);
    }
}
