// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Per-track keypoint windows for skeleton action models (rsaction).
//!
//! Each track keeps its last `window` (T) keypoint frames of V joints, with
//! three channels per joint: x, y (normalised, see [`Normalization`]) and
//! the keypoint's confidence. A track is *ready* when it holds at least
//! `min_frames` frames and either was never classified or got `stride` new
//! frames since its last classification. The ready tracks of a frame are
//! written into one batch tensor ([`ActionWindows::fill`]) in either
//! ST-GCN layout `[N, C=3, T, V, M=1]` or `[N, T, V, C=3]`. A window
//! holding fewer than T frames is zero-padded at the *start*, so the
//! newest frame is always at t = T-1.
//!
//! Only frames in which the track was output with keypoints enter its
//! window (a lost track's predicted box has no new keypoints): the window
//! is the track's last T observed skeletons.

pub use crate::classify::Activation;
use crate::types::{Action, BBox, Keypoint};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;

/// How keypoint coordinates are normalised before they enter a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Normalization {
    /// `(x - box.x) / box.w`, `(y - box.y) / box.h`: 0..1 inside the
    /// object's box of the same frame (position- and scale-free).
    #[default]
    Box,
    /// `x / frame width`, `y / frame height`.
    Frame,
    /// Pixels as they are.
    None,
}

/// Memory layout of the model's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `[N, C=3, T, V, M=1]` (ST-GCN, MMAction2's skeleton models).
    Nctvm,
    /// `[N, T, V, C=3]`.
    Ntvc,
}

/// The top class of one output row after `activation`, with every score
/// when `keep_scores`; None when a value is not finite.
pub fn top_class(
    row: &[f32],
    activation: Activation,
    labels: &[String],
    keep_scores: bool,
    frame: u64,
) -> Option<Action> {
    let (class, score) = crate::classify::top_class(row, activation)?;
    Some(Action {
        class_id: class,
        label: labels.get(class as usize).cloned(),
        score,
        scores: keep_scores.then(|| {
            let mut v = row.to_vec();
            activation.apply(&mut v);
            Arc::from(v)
        }),
        frame,
    })
}

/// Window settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowConfig {
    /// T: frames per window.
    pub window: usize,
    /// New frames between two classifications of a track.
    pub stride: usize,
    /// Frames a track needs before its first classification (1..=T).
    pub min_frames: usize,
    /// V: keypoints per skeleton.
    pub joints: usize,
    pub normalization: Normalization,
}

/// A skeleton whose keypoint count is not the model's V.
#[derive(Debug, Clone, PartialEq)]
pub struct JointCountError {
    pub track_id: u64,
    pub found: usize,
    pub expected: usize,
}

impl fmt::Display for JointCountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "track {} has {} keypoints; the action model expects V = {}",
            self.track_id, self.found, self.expected
        )
    }
}

impl std::error::Error for JointCountError {}

struct TrackWindow {
    /// Oldest first; each entry V × [x, y, confidence].
    frames: VecDeque<Vec<[f32; 3]>>,
    /// Frames added since the last classification.
    fresh: usize,
    classified: bool,
    last_seen: u64,
    result: Option<Action>,
}

/// The windows of all live tracks.
pub struct ActionWindows {
    cfg: WindowConfig,
    tracks: HashMap<u64, TrackWindow>,
}

impl ActionWindows {
    pub fn new(cfg: WindowConfig) -> Self {
        assert!(cfg.window > 0 && cfg.stride > 0 && cfg.joints > 0);
        assert!((1..=cfg.window).contains(&cfg.min_frames));
        Self {
            cfg,
            tracks: HashMap::new(),
        }
    }

    pub fn config(&self) -> &WindowConfig {
        &self.cfg
    }

    /// Number of tracks holding a window.
    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }

    /// Appends one skeleton of `track_id` (observed in `frame`, with box
    /// `bbox` in a frame of `frame_size` px) to its window.
    pub fn push(
        &mut self,
        track_id: u64,
        keypoints: &[Keypoint],
        bbox: BBox,
        frame_size: (u32, u32),
        frame: u64,
    ) -> Result<(), JointCountError> {
        if keypoints.len() != self.cfg.joints {
            return Err(JointCountError {
                track_id,
                found: keypoints.len(),
                expected: self.cfg.joints,
            });
        }
        let (ox, oy, sx, sy) = match self.cfg.normalization {
            Normalization::Box => (bbox.x, bbox.y, bbox.w, bbox.h),
            Normalization::Frame => (0.0, 0.0, frame_size.0 as f32, frame_size.1 as f32),
            Normalization::None => (0.0, 0.0, 1.0, 1.0),
        };
        // A degenerate box or an unknown frame size leaves the coordinate 0.
        let norm = |v: f32, o: f32, s: f32| if s > 0.0 { (v - o) / s } else { 0.0 };
        let w = self.tracks.entry(track_id).or_insert_with(|| TrackWindow {
            frames: VecDeque::with_capacity(self.cfg.window),
            fresh: 0,
            classified: false,
            last_seen: frame,
            result: None,
        });
        // A full window reuses its oldest frame's storage: no allocation
        // per skeleton once the window is full.
        let mut skeleton = if w.frames.len() == self.cfg.window {
            w.frames.pop_front().unwrap_or_default()
        } else {
            Vec::with_capacity(keypoints.len())
        };
        skeleton.clear();
        skeleton.extend(
            keypoints
                .iter()
                .map(|k| [norm(k.x, ox, sx), norm(k.y, oy, sy), k.confidence]),
        );
        w.frames.push_back(skeleton);
        w.fresh += 1;
        w.last_seen = frame;
        Ok(())
    }

    /// The tracks due for a classification into `ids` (cleared first), in
    /// increasing id order.
    pub fn ready(&self, ids: &mut Vec<u64>) {
        ids.clear();
        ids.extend(
            self.tracks
                .iter()
                .filter(|(_, w)| {
                    w.frames.len() >= self.cfg.min_frames
                        && (!w.classified || w.fresh >= self.cfg.stride)
                })
                .map(|(&id, _)| id),
        );
        ids.sort_unstable();
    }

    /// Values per window in the tensor: 3 × T × V.
    pub fn slot(&self) -> usize {
        3 * self.cfg.window * self.cfg.joints
    }

    /// Writes the windows of `ids` (each must hold a window) as rows of a
    /// batch tensor in `layout` into `out` (resized to `ids.len()` slots).
    pub fn fill(&self, ids: &[u64], layout: Layout, out: &mut Vec<f32>) {
        let (t_len, v_len, slot) = (self.cfg.window, self.cfg.joints, self.slot());
        out.clear();
        out.resize(ids.len() * slot, 0.0);
        for (n, id) in ids.iter().enumerate() {
            let w = &self.tracks[id];
            let row = &mut out[n * slot..(n + 1) * slot];
            let pad = t_len - w.frames.len();
            for (i, skeleton) in w.frames.iter().enumerate() {
                let t = pad + i;
                for (v, kp) in skeleton.iter().enumerate() {
                    for (c, &value) in kp.iter().enumerate() {
                        let at = match layout {
                            Layout::Nctvm => (c * t_len + t) * v_len + v,
                            Layout::Ntvc => (t * v_len + v) * 3 + c,
                        };
                        row[at] = value;
                    }
                }
            }
        }
    }

    /// Records the classification of `track_id` (None: the model gave no
    /// finite result; the previous one is kept) and restarts its stride.
    pub fn set_result(&mut self, track_id: u64, result: Option<Action>) {
        if let Some(w) = self.tracks.get_mut(&track_id) {
            w.classified = true;
            w.fresh = 0;
            if result.is_some() {
                w.result = result;
            }
        }
    }

    /// The last classification of `track_id`.
    pub fn result(&self, track_id: u64) -> Option<&Action> {
        self.tracks.get(&track_id).and_then(|w| w.result.as_ref())
    }

    /// Frees the window of an ended track.
    pub fn end(&mut self, track_id: u64) -> bool {
        self.tracks.remove(&track_id).is_some()
    }

    /// Frees the windows of tracks not seen for more than `frames` frames
    /// before `now`; returns how many.
    pub fn forget_older(&mut self, now: u64, frames: u64) -> usize {
        let before = self.tracks.len();
        self.tracks
            .retain(|_, w| now.saturating_sub(w.last_seen) <= frames);
        before - self.tracks.len()
    }

    pub fn clear(&mut self) {
        self.tracks.clear();
    }
}

#[cfg(test)]
mod tests;
