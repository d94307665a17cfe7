// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! ByteTrack (Zhang et al., ECCV 2022), reproducing the reference
//! implementation (ifzhang/ByteTrack `BYTETracker`) decision for decision.
//!
//! Per frame:
//! 1. detections are split into *high* (`score > track_high_thresh`) and *low*
//!    (`track_low_thresh < score < track_high_thresh`);
//! 2. the pool = activated tracked tracks followed by lost tracks is
//!    predicted one step (lost tracks have their height velocity zeroed
//!    first) and associated with the high detections, cost `1 − IoU·score`
//!    (or `1 − IoU`), limit `match_thresh`;
//! 3. pool tracks left over that were tracked (not lost) are associated with
//!    the low detections, cost `1 − IoU`, limit 0.5; those still unmatched
//!    become lost;
//! 4. unconfirmed tracks (created on the previous frame, not predicted) are
//!    associated with the remaining high detections, limit 0.7; unmatched
//!    ones are removed;
//! 5. remaining high detections with `score ≥ new_track_thresh` start new
//!    tracks (activated at once only on the first frame, else on their second
//!    match); lost tracks older than the buffer are removed;
//! 6. tracked/lost pairs with IoU > 0.85 are resolved in favour of the track
//!    that has existed longer.
//!
//! IoU uses the "+1 pixel" convention ([`crate::geometry::iou_tlbr_plus1`]),
//! assignments the limited problem of `lap.lapjv`
//! ([`crate::track::assignment`]), and the Kalman filter the deep_sort noise model
//! ([`crate::track::kalman`]). The order of the track lists and the arithmetic follow
//! the reference, so output files are identical to its own.
//!
//! Two quirks of the reference are kept because they change results:
//! * a track consumes an id when it is created, even if it is removed
//!   before ever being output (so ids have gaps);
//! * a lost track that times out stays in the lost list, marked removed, for
//!   one more frame, during which it can still be matched (and then lives
//!   on with its id); such a track is dropped for good as soon as it is lost
//!   again.
//!
//! The reference receives `tlbr` boxes and converts them to `tlwh`
//! (`w = x2 − x1`); to reproduce its files from MOT `tlwh` detections, pass
//! `w = (x + w) − x` (see `tests/bytetrack_parity.rs`).
//!
//! Removed tracks are dropped, not kept: memory stays bounded on endless
//! streams. After warm-up, [`ByteTracker::update`] does not allocate.
//!
//! # Appearance (opt-in, [`ByteTrackConfig::with_reid`])
//!
//! With re-id on, detections may carry an L2-normalised embedding and the
//! tracker becomes BoT-SORT's association (Aharon et al. 2022,
//! `tracker/bot_sort.py`), camera motion compensation aside:
//! * every track keeps a smoothed feature `f ← m·f + (1 − m)·e`, normalised
//!   after each step (the first embedding initialises it), updated by the
//!   detections matched in the first association, by unconfirmed tracks'
//!   matches and at creation; low-score detections (second association) do
//!   not update it, as in BoT-SORT where they are built without features;
//! * in the first association and the unconfirmed one, the cost of a pair
//!   whose track has a feature and whose detection has an embedding is
//!   `min(iou_d, emb_d)`, where `iou_d` is the usual (score-fused) IoU cost
//!   and `emb_d = (1 − cos(f, e)) / 2`, set to 1 when above
//!   `appearance_thresh` or when the raw `1 − IoU` is above
//!   `proximity_thresh`; other pairs cost `iou_d`. The second association
//!   stays IoU-only;
//! * with [`ByteTrackConfig::reid_max_gap`] > 0, a tentative track that is
//!   confirmed can be stitched to a lost track it continues (see
//!   [`ByteTracker::merges`]).
//!
//! Without embeddings (or with re-id off) the output is that of ByteTrack,
//! bit for bit.
//!
//! Speed: tracks live in a slab and the per-frame lists hold slot numbers;
//! each association gathers its boxes into contiguous arrays, tests overlap
//! branch-free into bit masks and computes costs only for overlapping pairs
//! (skipping, without a division, pairs that certainly miss the limit); the
//! assignment splits into connected components, almost all of them single
//! pairs or stars ([`crate::track::assignment`]); the Kalman filter runs as four 2×2
//! filters ([`crate::track::kalman`]).

mod association;
mod lifecycle;
mod reid;
#[cfg(test)]
mod tests;

use crate::types::TrackState;
use association::{Item, Matcher};
use lifecycle::{Life, Track};
use std::sync::Arc;

/// Cost limit of the second association (tracked tracks vs low detections).
pub const SECOND_MATCH_THRESH: f64 = 0.5;
/// Cost limit of the association of unconfirmed tracks.
pub const UNCONFIRMED_MATCH_THRESH: f64 = 0.7;
/// A tracked and a lost track with `1 − IoU` below this are duplicates.
pub const DUPLICATE_IOU_DISTANCE: f64 = 0.15;

/// Tracker parameters (defaults: the ByteTrack paper settings).
#[derive(Debug, Clone, PartialEq)]
pub struct ByteTrackConfig {
    /// Detections scoring above this are "high" (first association, new tracks).
    pub track_high_thresh: f64,
    /// Detections scoring above this (and below the high threshold) are "low".
    pub track_low_thresh: f64,
    /// A remaining high detection starts a track if its score is at least this.
    pub new_track_thresh: f64,
    /// Cost limit of the first association.
    pub match_thresh: f64,
    /// Lost-track buffer, in frames at 30 fps.
    pub track_buffer: u32,
    /// Stream frame rate; the buffer is `(frame_rate / 30 · track_buffer)` frames.
    pub frame_rate: f64,
    /// When set and timestamps are given, lost tracks are removed once
    /// `now − last matched timestamp` exceeds this (instead of the frame count).
    pub max_lost_time_ns: Option<u64>,
    /// Output a track only once it was matched on at least this many frames
    /// (0: as soon as ByteTrack activates it).
    pub min_hits: u32,
    /// Only associate detections and tracks of the same class.
    pub per_class: bool,
    /// First and unconfirmed association cost `1 − IoU·score` (true, the
    /// reference) or `1 − IoU` (false, ByteTrack's MOT20 mode).
    pub fuse_score: bool,
    /// Also output lost tracks, with their predicted box.
    pub output_lost: bool,
    /// Use the detections' embeddings (BoT-SORT's association, see the
    /// module documentation). Off: embeddings are ignored.
    pub with_reid: bool,
    /// Momentum `m` of the smoothed track feature `f ← m·f + (1 − m)·e`.
    pub feature_momentum: f64,
    /// Appearance only counts for pairs with `1 − IoU` at most this.
    pub proximity_thresh: f64,
    /// Appearance only counts for pairs with `(1 − cos) / 2` at most this.
    pub appearance_thresh: f64,
    /// Tracklet stitching: a confirmed tentative track continues a lost track
    /// whose last match is at most this many frames before the tentative
    /// track's first detection (0: no stitching; needs `with_reid`).
    pub reid_max_gap: u32,
    /// Improved mode (0 = off, the reference): a young track (matched at
    /// most [`YOUNG_HITS`] times, so its velocity is barely known) that
    /// found no IoU match on this frame takes the nearest unmatched high
    /// detection whose centre is within this many box sizes (`√(w·h)` of
    /// the track's box) of the track's predicted centre, before new tracks
    /// are started. For fast objects and detections on every Nth frame.
    pub young_gate: f64,
}

/// Matches after which a track no longer counts as young
/// ([`ByteTrackConfig::young_gate`]).
pub const YOUNG_HITS: u32 = 3;

impl Default for ByteTrackConfig {
    fn default() -> Self {
        Self {
            track_high_thresh: 0.6,
            track_low_thresh: 0.1,
            new_track_thresh: 0.7,
            match_thresh: 0.8,
            track_buffer: 30,
            frame_rate: 30.0,
            max_lost_time_ns: None,
            min_hits: 0,
            per_class: false,
            fuse_score: true,
            output_lost: false,
            with_reid: false,
            feature_momentum: 0.9,
            proximity_thresh: 0.5,
            appearance_thresh: 0.25,
            reid_max_gap: 0,
            young_gate: 0.0,
        }
    }
}

impl ByteTrackConfig {
    /// Frames a lost track is kept: `int(frame_rate / 30 · track_buffer)`.
    pub fn max_lost_frames(&self) -> u32 {
        let v = self.frame_rate / 30.0 * self.track_buffer as f64;
        if v.is_finite() && v > 0.0 {
            v as u32
        } else {
            0
        }
    }
}

/// One input detection.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// Left, top, width, height in pixels.
    pub tlwh: [f64; 4],
    pub score: f64,
    pub class_id: u32,
    /// Appearance embedding, L2-normalised by the caller (`None`: none);
    /// only used with [`ByteTrackConfig::with_reid`]. Shared, so that
    /// passing it on costs no copy.
    pub embedding: Option<Arc<[f32]>>,
}

/// A tentative track stitched to a lost one (see [`ByteTracker::merges`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeEvent {
    /// Id of the tentative track, retired (it was never output).
    pub from: u64,
    /// Id of the lost track, which continues.
    pub into: u64,
    /// Frame of the stitch ([`ByteTracker::frame_count`]).
    pub frame: u64,
}

/// One output track of a frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackOutput {
    pub track_id: u64,
    /// The track's Kalman box (left, top, width, height).
    pub tlwh: [f64; 4],
    /// Score of the detection last matched to the track.
    pub score: f64,
    pub class_id: u32,
    /// [`TrackState::Tracked`] or [`TrackState::Lost`].
    pub state: TrackState,
    /// Index in the input slice of the detection matched on this frame.
    pub det_index: Option<usize>,
}

/// Counts of one [`ByteTracker::update`], for logging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UpdateReport {
    /// Detections matched to an existing track.
    pub matched: usize,
    /// New tracks started.
    pub spawned: usize,
    /// Tracks that became lost.
    pub lost: usize,
    /// Tracks dropped (timed out, unconfirmed, duplicates).
    pub removed: usize,
}

/// Per-frame buffers, kept between frames.
#[derive(Debug, Default, Clone)]
struct Scratch {
    /// High and low detections, and the high ones left after the first
    /// association (ids: detection indices).
    high: Vec<Item>,
    low: Vec<Item>,
    remaining: Vec<Item>,
    /// First-association tracks (activated tracked, then lost), the tracked
    /// ones of them left over, and the unconfirmed tracks (ids: slab slots).
    pool: Vec<Item>,
    r_tracked: Vec<Item>,
    unconfirmed: Vec<Item>,
    /// Lost tracks at the end of the frame, for duplicate removal.
    lost_boxes: Vec<Item>,
    new_tracks: Vec<u32>,
    refind: Vec<u32>,
    new_lost: Vec<u32>,
    next_tracked: Vec<u32>,
    next_lost: Vec<u32>,
    /// Remaining high detections taken by young tracks
    /// ([`ByteTrackConfig::young_gate`]), by index in `remaining`.
    rescued: Vec<bool>,
    /// Candidate (distance, track, detection) pairs of that step.
    young_pairs: Vec<(f64, u32, u32)>,
    /// Candidate pairs and assignment of the association being run.
    matcher: Matcher,
}

/// The frame being processed: its number and its timestamp, if any.
#[derive(Debug, Clone, Copy)]
struct Now {
    frame: u64,
    ts: Option<u64>,
}

/// The ByteTrack multi-object tracker. Ids start at 1 and are never reused
/// within one instance (not even across [`ByteTracker::reset`]).
#[derive(Debug, Clone)]
pub struct ByteTracker {
    cfg: ByteTrackConfig,
    max_lost: u64,
    frame_id: u64,
    next_id: u64,
    slab: Vec<Track>,
    free: Vec<u32>,
    /// Tracked tracks (including unconfirmed ones), in reference order.
    tracked: Vec<u32>,
    /// Lost tracks, in reference order.
    lost: Vec<u32>,
    /// Stitches of the last update.
    merges: Vec<MergeEvent>,
    s: Scratch,
}

impl ByteTracker {
    pub fn new(cfg: ByteTrackConfig) -> Self {
        Self {
            max_lost: cfg.max_lost_frames() as u64,
            cfg,
            frame_id: 0,
            next_id: 1,
            slab: Vec::new(),
            free: Vec::new(),
            tracked: Vec::new(),
            lost: Vec::new(),
            merges: Vec::new(),
            s: Scratch::default(),
        }
    }

    pub fn config(&self) -> &ByteTrackConfig {
        &self.cfg
    }

    /// Changes the parameters; tracks are kept.
    pub fn set_config(&mut self, cfg: ByteTrackConfig) {
        self.max_lost = cfg.max_lost_frames() as u64;
        self.cfg = cfg;
    }

    /// Drops all tracks and restarts the frame count; ids keep increasing.
    pub fn reset(&mut self) {
        self.slab.clear();
        self.free.clear();
        self.tracked.clear();
        self.lost.clear();
        self.merges.clear();
        self.frame_id = 0;
    }

    /// Tracklet stitches of the last [`ByteTracker::update`] (empty after a
    /// [`ByteTracker::predict`] or a reset), in the order they happened.
    ///
    /// A stitch happens only with [`ByteTrackConfig::with_reid`] and
    /// [`ByteTrackConfig::reid_max_gap`] > 0, when a tentative track `T`
    /// (created after a loss, not output yet) is confirmed by its second
    /// match on frame `now`. `T` is compared with the tracks of the lost
    /// list still in state lost (so never further back than the lost-track
    /// buffer), and of the same class with `per_class`. A lost track `L`,
    /// last matched on frame `l` and Kalman-predicted to frame `now`
    /// (centre `c_L`, size `w_L × h_L`), is a candidate if:
    /// * gap: `l < T.start` and `T.start − l − 1 ≤ reid_max_gap` (frames
    ///   without a match between the two tracklets);
    /// * appearance: `1 − cos(f_L, f_T) ≤ 2 · appearance_thresh`, with the
    ///   smoothed features (`f_T` includes the confirming detection), i.e.
    ///   the first association's `emb_d ≤ appearance_thresh`;
    /// * motion: the confirming detection's centre `c_D` satisfies
    ///   `|c_D − c_L| ≤ max(w_L, h_L) · (1 + (now − l) / 10)` (Euclidean;
    ///   the allowance grows with the frames predicted blind).
    ///
    /// The candidate with the smallest cosine distance (the first in lost
    /// order on ties) takes over `T`'s Kalman state, feature, score and
    /// detection and is re-activated (state tracked, like `re_activate` of
    /// the reference; its hits add `T`'s); `T` is removed and its id retired.
    /// Tentative tracks are handled in list order, each lost track stitched
    /// at most once. The element writes these as `merge` records; since `T`
    /// was never output, ids simply continue.
    pub fn merges(&self) -> &[MergeEvent] {
        &self.merges
    }

    /// Tracks currently held (tracked, unconfirmed and lost).
    pub fn num_tracks(&self) -> usize {
        self.tracked.len() + self.lost.len()
    }

    /// Ids of the tracks still listed (tracked, unconfirmed and lost,
    /// including lost ones already marked removed, which the reference can
    /// still match on the next frame): an id that was output and is no
    /// longer here has ended for good.
    pub fn held_ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.tracked
            .iter()
            .chain(&self.lost)
            .map(|&i| self.slab[i as usize].id)
    }

    /// Frames processed since creation or the last reset.
    pub fn frame_count(&self) -> u64 {
        self.frame_id
    }

    /// The id the next new track will get.
    pub fn next_track_id(&self) -> u64 {
        self.next_id
    }

    /// Processes one frame. `out` receives the activated tracked tracks in
    /// the reference's output order, then the lost ones if
    /// [`ByteTrackConfig::output_lost`]. `timestamp_ns` is only used with
    /// [`ByteTrackConfig::max_lost_time_ns`].
    ///
    /// The steps are those of the module documentation, in order: split the
    /// detections, predict the pool, the three associations (in
    /// `association.rs`; re-id and stitching in `reid.rs`), then new tracks,
    /// expiry, the new track lists, duplicates and the output (in
    /// `lifecycle.rs`).
    pub fn update(
        &mut self,
        dets: &[Detection],
        timestamp_ns: Option<u64>,
        out: &mut Vec<TrackOutput>,
    ) -> UpdateReport {
        out.clear();
        self.merges.clear();
        self.frame_id += 1;
        let now = Now {
            frame: self.frame_id,
            ts: timestamp_ns,
        };
        let mut report = UpdateReport::default();
        self.split_detections(dets);
        self.predict_pool();
        report.matched += self.associate_pool(dets, now);
        let (matched, lost) = self.associate_low(dets, now);
        report.matched += matched;
        report.lost = lost;
        report.matched += self.associate_unconfirmed(dets, now);
        let rescued = self.rescue_young(dets, now);
        report.matched += rescued;
        report.lost -= rescued;
        report.spawned = self.spawn_tracks(dets, now);
        self.expire_lost(now);
        report.removed = self.rebuild_lists();
        report.removed += self.remove_duplicates();
        self.write_output(out);
        report
    }

    /// Advances one frame on which no detector ran (e.g. rsdetect's
    /// `interval`): tracks move by their Kalman prediction, nothing is
    /// matched, created or aged out (ageing happens at the next
    /// [`ByteTracker::update`], which counts these frames). `out` receives the
    /// activated tracked tracks with their predicted boxes and state
    /// [`TrackState::Predicted`], then the lost ones if
    /// [`ByteTrackConfig::output_lost`].
    pub fn predict(&mut self, out: &mut Vec<TrackOutput>) {
        out.clear();
        self.merges.clear();
        self.frame_id += 1;
        let min_hits = self.cfg.min_hits;
        for &t in &self.tracked {
            let tr = &mut self.slab[t as usize];
            if tr.activated {
                tr.predict();
                if tr.hits >= min_hits {
                    out.push(tr.output(TrackState::Predicted, None));
                }
            }
        }
        for &t in &self.lost {
            let tr = &mut self.slab[t as usize];
            tr.predict_lost();
            if self.cfg.output_lost && tr.life == Life::Lost && tr.activated && tr.hits >= min_hits
            {
                out.push(tr.output(TrackState::Lost, None));
            }
        }
    }
}
