// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Per-track keypoint smoothing, with predicted and interpolated gaps.
//!
//! Three scalar filters work on one coordinate each (time in seconds, f64):
//!
//! * [`OneEuro`]: the One Euro filter of Casiez, Roussel and Vogel (CHI 2012),
//!   an adaptive low-pass whose cutoff rises with the speed of the signal.
//!   It follows the pseudo-code of the paper, where the derivative is taken
//!   against the previous *filtered* value.
//! * [`Kalman1`]: a constant-velocity Kalman filter with a white-acceleration
//!   process model and a confidence-weighted measurement noise.
//! * [`Ema`]: an exponential moving average.
//!
//! [`PoseSmoother`] runs one filter of the chosen [`FilterKind`] per
//! coordinate of every keypoint of every track (and, optionally, of the box),
//! and fills the frames where a known track is absent:
//!
//! * with a latency of `N` frames, a gap of at most `N` frames that closes
//!   while its frames are still held gets a pose interpolated linearly in
//!   time between the poses on both sides (keypoint state
//!   [`KeypointState::Interpolated`], track state [`TrackState::Tracked`]);
//! * any other gap gets, for up to `max_predict` frames, a pose extrapolated
//!   with constant velocity from the last sighting (keypoint state
//!   [`KeypointState::Predicted`], track state [`TrackState::Predicted`]),
//!   with a confidence that decays per frame.
//!
//! With `lookahead` (Kalman filter, latency `N` ≥ 1), each held frame's
//! filtered keypoints and box are replaced, when the frame leaves, by the
//! fixed-lag Rauch–Tung–Striebel estimate given the `N` frames after it
//! ([`Kalman1::smoothed`]). Interpolated gap frames stay linear between the
//! filtered poses on both sides.
//!
//! Frames leave the smoother in the order they came in, with their payload
//! and timestamp untouched; only the objects are rewritten or added to.
//!
//! Keypoints below the confidence floor, or with a non-finite coordinate, are
//! never fed to a filter: they are marked [`KeypointState::Missing`] and keep
//! the coordinates they came with (a NaN stays a NaN in the output).
//!
//! In steady state (the same tracks with the same keypoint count every frame)
//! the per-frame work allocates only the returned `Vec` of frames: all
//! per-track buffers are reused, and the buffers of dropped tracks are
//! recycled for new ones.

mod filters;
mod gaps;

pub use filters::{Ema, Kalman1, OneEuro};

use filters::AxisFilter;
use gaps::{interpolate, predict};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use crate::types::{BBox, Keypoint, KeypointState, Object, TrackState};

/// How many dropped tracks keep their buffers for reuse.
const TRACK_POOL_SIZE: usize = 64;

/// Which filter [`PoseSmoother`] runs on each coordinate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FilterKind {
    /// [`OneEuro`] (cutoffs in Hz, `beta` in 1/px).
    OneEuro {
        min_cutoff: f64,
        beta: f64,
        d_cutoff: f64,
    },
    /// [`Kalman1`] (`process_noise` in px²/s³, `measurement_noise` in px²),
    /// weighted by the keypoint (or object) confidence.
    Kalman {
        process_noise: f64,
        measurement_noise: f64,
    },
    /// [`Ema`].
    Ema { alpha: f64 },
}

impl Default for FilterKind {
    fn default() -> Self {
        FilterKind::OneEuro {
            min_cutoff: 1.0,
            beta: 0.007,
            d_cutoff: 1.0,
        }
    }
}

/// Configuration of [`PoseSmoother`].
#[derive(Clone, Debug, PartialEq)]
pub struct SmootherConfig {
    /// Filter run on every coordinate. Default: One Euro (1.0, 0.007, 1.0).
    pub filter: FilterKind,
    /// Keypoints below this confidence are not fed to the filter and are
    /// marked missing. Default 0.3.
    pub min_confidence: f32,
    /// Frames of predicted pose emitted for a missing track before it is
    /// dropped. Default 5.
    pub max_predict: u32,
    /// Factor applied to the confidence per predicted frame. Default 0.8.
    pub predict_decay: f32,
    /// Frames held back so that short gaps can be interpolated. Default 0.
    pub latency: u32,
    /// Kalman only, with `latency` ≥ 1: re-estimate each held frame's
    /// keypoints (and boxes) with the measurements of the frames after it
    /// before it leaves (fixed-lag Rauch–Tung–Striebel smoothing over the
    /// `latency` held frames). Default false. See
    /// [`SmootherConfig::validate`].
    pub lookahead: bool,
    /// Also smooth the box centre, width and height. Default false.
    pub smooth_boxes: bool,
}

impl Default for SmootherConfig {
    fn default() -> Self {
        Self {
            filter: FilterKind::default(),
            min_confidence: 0.3,
            max_predict: 5,
            predict_decay: 0.8,
            latency: 0,
            lookahead: false,
            smooth_boxes: false,
        }
    }
}

impl SmootherConfig {
    /// Checks the combinations the fields cannot express alone: `lookahead`
    /// needs the Kalman filter (the only one with a backward pass) and a
    /// latency of at least one frame (nothing to look ahead to otherwise).
    pub fn validate(&self) -> Result<(), SmootherConfigError> {
        if self.lookahead {
            if !matches!(self.filter, FilterKind::Kalman { .. }) {
                return Err(SmootherConfigError::LookaheadNeedsKalman);
            }
            if self.latency == 0 {
                return Err(SmootherConfigError::LookaheadNeedsLatency);
            }
        }
        Ok(())
    }

    /// Steps of history each Kalman filter keeps: the released frame and the
    /// `latency` frames after it.
    fn history(&self) -> usize {
        if self.lookahead {
            self.latency as usize + 1
        } else {
            0
        }
    }
}

/// A [`SmootherConfig`] combination that cannot work
/// ([`SmootherConfig::validate`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmootherConfigError {
    /// `lookahead` with a filter other than Kalman.
    LookaheadNeedsKalman,
    /// `lookahead` with a latency of 0.
    LookaheadNeedsLatency,
}

impl fmt::Display for SmootherConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SmootherConfigError::LookaheadNeedsKalman => {
                "lookahead needs filter=kalman (the fixed-lag smoother is a Kalman backward pass)"
            }
            SmootherConfigError::LookaheadNeedsLatency => {
                "lookahead needs latency of at least 1 frame (the frames it looks ahead to)"
            }
        })
    }
}

impl std::error::Error for SmootherConfigError {}

/// Counters of [`PoseSmoother`] since its creation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SmootherStats {
    /// Keypoints fed to a filter and written back as smoothed.
    pub smoothed_keypoints: u64,
    /// Keypoints of measured objects below `min_confidence` or non-finite.
    pub missing_keypoints: u64,
    /// Predicted objects added to released frames.
    pub predicted_objects: u64,
    /// Interpolated objects added to released frames.
    pub interpolated_objects: u64,
    /// Objects without a track id (passed unchanged).
    pub passed_without_track_id: u64,
    /// Times a track's keypoint count changed (its filters were rebuilt).
    pub keypoint_count_changes: u64,
}

/// One keypoint of a track's last sighting.
#[derive(Clone, Copy, Debug)]
struct PoseKp {
    /// Smoothed position and its velocity (valid keypoints only).
    x: f64,
    y: f64,
    vx: f64,
    vy: f64,
    confidence: f32,
    /// Fed to the filter at that sighting (not missing).
    valid: bool,
    /// The keypoint as output at that sighting.
    out: Keypoint,
}

/// Filter state and last sighting of one track.
#[derive(Debug, Default)]
struct Track {
    /// Two filters (x, y) per keypoint.
    kp_filters: Vec<AxisFilter>,
    /// Centre x, centre y, width, height (only with `smooth_boxes`).
    box_filters: Vec<AxisFilter>,
    pose: Vec<PoseKp>,
    prev_pose: Vec<PoseKp>,
    t_last: f64,
    bbox: BBox,
    /// Velocity of the smoothed box centre (only with `smooth_boxes`).
    box_vel: [f64; 2],
    confidence: f32,
    class_id: u32,
    label: Option<String>,
    global_id: Option<u64>,
    /// Frame sequence number of the last sighting; `u64::MAX` when new.
    last_seen: u64,
    /// Last frame that carried a non-measurement object of this track.
    covered: u64,
}

impl Track {
    fn clear(&mut self) {
        self.kp_filters.clear();
        self.box_filters.clear();
        self.pose.clear();
        self.prev_pose.clear();
        self.t_last = 0.0;
        self.bbox = BBox::default();
        self.box_vel = [0.0; 2];
        self.confidence = 0.0;
        self.class_id = 0;
        self.label = None;
        self.global_id = None;
        self.last_seen = u64::MAX;
        self.covered = u64::MAX;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SynthKind {
    Predicted,
    Interpolated,
}

/// An object made by the smoother for a frame where its track is absent.
#[derive(Debug)]
struct Synth {
    track_id: u64,
    kind: SynthKind,
    object: Object,
}

#[derive(Debug)]
struct Held<T> {
    seq: u64,
    t: f64,
    payload: T,
    objects: Vec<Object>,
    synth: Vec<Synth>,
    /// (object index, track id) of the objects filtered in this frame, for
    /// the fixed-lag pass at release (only with `lookahead`).
    measured: Vec<(usize, u64)>,
}

/// Smooths keypoints per track and fills short gaps; see the module docs.
///
/// `T` is an opaque per-frame payload (e.g. a buffer) handed back with the
/// frame's objects.
#[derive(Debug)]
pub struct PoseSmoother<T> {
    cfg: SmootherConfig,
    tracks: BTreeMap<u64, Track>,
    pool: Vec<Track>,
    held: VecDeque<Held<T>>,
    next_seq: u64,
    stats: SmootherStats,
    to_drop: Vec<u64>,
    /// Emptied per-frame lists of filtered objects, reused (`lookahead`).
    spare_lists: Vec<Vec<(usize, u64)>>,
}

impl<T> PoseSmoother<T> {
    pub fn new(cfg: SmootherConfig) -> Self {
        let cap = cfg.latency as usize + 1;
        Self {
            cfg,
            tracks: BTreeMap::new(),
            pool: Vec::new(),
            held: VecDeque::with_capacity(cap),
            next_seq: 0,
            stats: SmootherStats::default(),
            to_drop: Vec::new(),
            spare_lists: Vec::new(),
        }
    }

    pub fn config(&self) -> &SmootherConfig {
        &self.cfg
    }

    /// Tracks whose filter state is held.
    pub fn num_tracks(&self) -> usize {
        self.tracks.len()
    }

    /// Frames held back (at most `latency`).
    pub fn held_frames(&self) -> usize {
        self.held.len()
    }

    pub fn stats(&self) -> SmootherStats {
        self.stats
    }

    /// One frame in: timestamp `t` (seconds), its objects, and an opaque
    /// payload. Returns the frames complete now, oldest first: with latency
    /// 0 exactly this frame; with latency `N` the frame pushed `N` frames
    /// ago (nothing during the first `N` pushes).
    ///
    /// Per object: without a track id, without keypoints, with track state
    /// `Lost`/`Predicted` (no measurement), or a second object of a track in
    /// the same frame: unchanged. Otherwise its keypoints (and with
    /// `smooth_boxes` its box) are filtered and the track's sighting is
    /// recorded. A frame that carries an unchanged object of a track gets no
    /// made-up object for that track.
    pub fn push(&mut self, t: f64, mut objects: Vec<Object>, payload: T) -> Vec<(T, Vec<Object>)> {
        let seq = self.next_seq;
        self.next_seq += 1;
        let measured = self.measure_frame(t, seq, &mut objects);
        let synth = self.predict_absent(t, seq);
        self.held.push_back(Held {
            seq,
            t,
            payload,
            objects,
            synth,
            measured,
        });
        let Self {
            cfg,
            tracks,
            held,
            stats,
            spare_lists,
            ..
        } = self;
        let mut out = Vec::with_capacity(1);
        while held.len() > cfg.latency as usize {
            if let Some(h) = held.pop_front() {
                out.push(release(h, cfg, tracks, stats, spare_lists));
            }
        }
        out
    }

    /// Filters the measured objects of frame `seq` in place ([`measure`]);
    /// returns (with `lookahead`) their indices and track ids.
    fn measure_frame(&mut self, t: f64, seq: u64, objects: &mut [Object]) -> Vec<(usize, u64)> {
        let Self {
            cfg,
            tracks,
            pool,
            held,
            stats,
            spare_lists,
            ..
        } = self;
        let mut filtered = spare_lists.pop().unwrap_or_default();
        for (index, obj) in objects.iter_mut().enumerate() {
            let Some(id) = obj.track_id else {
                stats.passed_without_track_id += 1;
                continue;
            };
            let measured = !obj.keypoints.is_empty()
                && !matches!(
                    obj.track_state,
                    Some(TrackState::Lost) | Some(TrackState::Predicted)
                );
            if !measured {
                if let Some(tr) = tracks.get_mut(&id) {
                    tr.covered = seq;
                }
                continue;
            }
            let track = tracks.entry(id).or_insert_with(|| {
                let mut tr = pool.pop().unwrap_or_default();
                tr.clear();
                tr
            });
            if track.last_seen == seq {
                continue;
            }
            measure(cfg, track, obj, t, seq, held, id, stats);
            if cfg.lookahead {
                filtered.push((index, id));
            }
        }
        filtered
    }

    /// The predicted objects of the tracks absent from frame `seq` (for
    /// `max_predict` frames, unless the frame carries an object of the
    /// track); tracks absent too long are dropped (their buffers pooled).
    fn predict_absent(&mut self, t: f64, seq: u64) -> Vec<Synth> {
        let Self {
            cfg,
            tracks,
            pool,
            to_drop,
            ..
        } = self;
        let keep_past = cfg.max_predict.max(cfg.latency.saturating_add(1)) as u64;
        let mut synth = Vec::new();
        for (&id, tr) in tracks.iter() {
            if tr.last_seen == seq {
                continue;
            }
            let missed = seq - tr.last_seen;
            if missed <= cfg.max_predict as u64 && tr.covered != seq {
                synth.push(Synth {
                    track_id: id,
                    kind: SynthKind::Predicted,
                    object: predict(cfg, tr, id, t, missed),
                });
            }
            if missed >= keep_past {
                to_drop.push(id);
            }
        }
        for id in to_drop.drain(..) {
            if let Some(tr) = tracks.remove(&id) {
                if pool.len() < TRACK_POOL_SIZE {
                    pool.push(tr);
                }
            }
        }
        synth
    }

    /// End of stream: every held frame, oldest first (gaps still open get
    /// their predictions). Track state is kept.
    pub fn flush(&mut self) -> Vec<(T, Vec<Object>)> {
        let Self {
            cfg,
            tracks,
            held,
            stats,
            spare_lists,
            ..
        } = self;
        held.drain(..)
            .map(|h| release(h, cfg, tracks, stats, spare_lists))
            .collect()
    }

    /// Drops all tracks (e.g. on a seek) and returns the held frames as
    /// [`PoseSmoother::flush`] does.
    pub fn reset(&mut self) -> Vec<(T, Vec<Object>)> {
        let out = self.flush();
        while let Some((_, tr)) = self.tracks.pop_first() {
            if self.pool.len() < TRACK_POOL_SIZE {
                self.pool.push(tr);
            }
        }
        out
    }
}

/// Replaces the filtered keypoints (and boxes) of the frame's measured
/// objects by their fixed-lag smoothed values, appends the made-up objects
/// and hands the frame out. The emptied list of measured objects goes back
/// to `spare_lists` (at most one per held frame is kept).
fn release<T>(
    h: Held<T>,
    cfg: &SmootherConfig,
    tracks: &BTreeMap<u64, Track>,
    stats: &mut SmootherStats,
    spare_lists: &mut Vec<Vec<(usize, u64)>>,
) -> (T, Vec<Object>) {
    let Held {
        seq,
        payload,
        mut objects,
        synth,
        mut measured,
        ..
    } = h;
    for &(index, id) in &measured {
        let (Some(obj), Some(tr)) = (objects.get_mut(index), tracks.get(&id)) else {
            continue;
        };
        look_ahead(cfg, tr, obj, seq);
    }
    if measured.capacity() > 0 && spare_lists.len() <= cfg.latency as usize {
        measured.clear();
        spare_lists.push(measured);
    }
    objects.reserve(synth.len());
    for s in synth {
        match s.kind {
            SynthKind::Predicted => stats.predicted_objects += 1,
            SynthKind::Interpolated => stats.interpolated_objects += 1,
        }
        objects.push(s.object);
    }
    (payload, objects)
}

/// The fixed-lag pass for one object filtered at frame `seq`. Filters rebuilt
/// since (keypoint count change) keep no step of `seq`: the object keeps its
/// filtered values.
fn look_ahead(cfg: &SmootherConfig, tr: &Track, obj: &mut Object, seq: u64) {
    for (kp, f) in obj.keypoints.iter_mut().zip(tr.kp_filters.chunks_exact(2)) {
        if kp.state != KeypointState::Smoothed {
            continue;
        }
        if let (Some(x), Some(y)) = (f[0].smoothed(seq), f[1].smoothed(seq)) {
            kp.x = x as f32;
            kp.y = y as f32;
        }
    }
    if cfg.smooth_boxes && tr.box_filters.len() == 4 {
        let s: [Option<f64>; 4] = std::array::from_fn(|i| tr.box_filters[i].smoothed(seq));
        if let [Some(cx), Some(cy), Some(w), Some(h)] = s {
            obj.bbox = BBox::new(
                (cx - w / 2.0) as f32,
                (cy - h / 2.0) as f32,
                w as f32,
                h as f32,
            );
        }
    }
}

/// Filters one measured object of a track, records the sighting, and
/// interpolates the gap before it when its frames are all held.
#[allow(clippy::too_many_arguments)]
fn measure<T>(
    cfg: &SmootherConfig,
    track: &mut Track,
    obj: &mut Object,
    t: f64,
    seq: u64,
    held: &mut VecDeque<Held<T>>,
    id: u64,
    stats: &mut SmootherStats,
) {
    let fresh = track.last_seen == u64::MAX;
    let rebuilt = track.prepare_filters(cfg, obj.keypoints.len(), fresh, stats);
    track.filter_keypoints(cfg, obj, t, seq, stats);
    if cfg.smooth_boxes {
        track.filter_box(cfg, obj, t, seq);
    }
    if !fresh && !rebuilt {
        let gap = seq - track.last_seen - 1;
        if gap >= 1 && gap <= cfg.latency as u64 {
            interpolate(track, obj, t, seq, held, id);
        }
    }
    track.record_sighting(obj, t, seq);
}

impl Track {
    /// (Re)builds the keypoint filters of a new track or of one whose
    /// keypoint count changed (returns true then), and moves the last pose
    /// to `prev_pose`.
    fn prepare_filters(
        &mut self,
        cfg: &SmootherConfig,
        n: usize,
        fresh: bool,
        stats: &mut SmootherStats,
    ) -> bool {
        let mut rebuilt = false;
        if self.pose.len() != n || fresh {
            if !fresh {
                stats.keypoint_count_changes += 1;
            }
            rebuilt = true;
            self.kp_filters.clear();
            self.kp_filters
                .extend((0..2 * n).map(|_| AxisFilter::new(&cfg.filter, cfg.history())));
            self.pose.clear();
            self.prev_pose.clear();
        }
        self.prev_pose.clear();
        self.prev_pose.extend_from_slice(&self.pose);
        self.pose.clear();
        rebuilt
    }

    /// Filters the valid keypoints of `obj` in place (state smoothed), marks
    /// the others missing, and records the new pose.
    fn filter_keypoints(
        &mut self,
        cfg: &SmootherConfig,
        obj: &mut Object,
        t: f64,
        seq: u64,
        stats: &mut SmootherStats,
    ) {
        let min_conf = cfg.min_confidence;
        for (kp, f) in obj
            .keypoints
            .iter_mut()
            .zip(self.kp_filters.chunks_exact_mut(2))
        {
            let valid = kp.confidence >= min_conf && kp.x.is_finite() && kp.y.is_finite();
            let mut p = PoseKp {
                x: kp.x as f64,
                y: kp.y as f64,
                vx: 0.0,
                vy: 0.0,
                confidence: kp.confidence,
                valid,
                out: *kp,
            };
            if valid {
                let c = kp.confidence as f64;
                p.x = f[0].step(kp.x as f64, t, c, seq);
                p.y = f[1].step(kp.y as f64, t, c, seq);
                p.vx = f[0].velocity();
                p.vy = f[1].velocity();
                kp.x = p.x as f32;
                kp.y = p.y as f32;
                kp.state = KeypointState::Smoothed;
                stats.smoothed_keypoints += 1;
            } else {
                kp.state = KeypointState::Missing;
                stats.missing_keypoints += 1;
            }
            p.out = *kp;
            self.pose.push(p);
        }
    }

    /// Filters the box centre, width and height of `obj` in place (when all
    /// are finite) and keeps the centre's velocity.
    fn filter_box(&mut self, cfg: &SmootherConfig, obj: &mut Object, t: f64, seq: u64) {
        if self.box_filters.len() != 4 {
            self.box_filters.clear();
            self.box_filters
                .extend((0..4).map(|_| AxisFilter::new(&cfg.filter, cfg.history())));
        }
        let b = obj.bbox;
        let m = [
            b.x as f64 + b.w as f64 / 2.0,
            b.y as f64 + b.h as f64 / 2.0,
            b.w as f64,
            b.h as f64,
        ];
        if m.iter().all(|v| v.is_finite()) {
            let c = obj.confidence as f64;
            let mut s = [0.0; 4];
            for ((out, f), v) in s.iter_mut().zip(&mut self.box_filters).zip(m) {
                *out = f.step(v, t, c, seq);
            }
            self.box_vel = [
                self.box_filters[0].velocity(),
                self.box_filters[1].velocity(),
            ];
            obj.bbox = BBox::new(
                (s[0] - s[2] / 2.0) as f32,
                (s[1] - s[3] / 2.0) as f32,
                s[2] as f32,
                s[3] as f32,
            );
        }
    }

    /// Remembers the (filtered) object as the track's last sighting.
    fn record_sighting(&mut self, obj: &Object, t: f64, seq: u64) {
        self.t_last = t;
        self.bbox = obj.bbox;
        self.confidence = obj.confidence;
        self.class_id = obj.class_id;
        self.label.clone_from(&obj.label);
        self.global_id = obj.global_id;
        self.last_seen = seq;
    }
}

/// Mean of `|x[t+1] − 2·x[t] + x[t−1]|` over all `t` whose three samples are
/// finite (a jitter measure). NaN when there is no such `t`.
pub fn mean_abs_second_difference(xs: &[f64]) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for w in xs.windows(3) {
        let d = w[2] - 2.0 * w[1] + w[0];
        if d.is_finite() {
            sum += d.abs();
            n += 1;
        }
    }
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

#[cfg(test)]
mod tests;
