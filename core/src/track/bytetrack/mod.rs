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

use crate::embedding::{cosine_distance_f64, l2_normalize, norm};
use crate::geometry::{
    area_tlbr_plus1, iou_tlbr_plus1_with_areas, max_f, min_f, tlwh_to_tlbr, tlwh_to_xyah,
};
use crate::track::assignment::{AssignmentWorkspace, Edge, NO_MATCH};
use crate::track::kalman::KalmanState;
use crate::types::TrackState;
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
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Life {
    Tracked,
    Lost,
    Removed,
}

#[derive(Debug, Clone)]
struct Track {
    kf: KalmanState,
    /// The box of `kf`, refreshed whenever `kf` changes: `tlwh`, `tlbr` and
    /// the "+1" area.
    tlwh: [f64; 4],
    tlbr: [f64; 4],
    area: f64,
    id: u64,
    score: f64,
    /// Last frame the track was matched (or created).
    frame_id: u64,
    start_frame: u64,
    last_ts: Option<u64>,
    class_id: u32,
    hits: u32,
    det_index: u32,
    life: Life,
    activated: bool,
    /// Listed as removed by the reference: dropped when next found in the
    /// lost list.
    in_removed: bool,
    /// Scratch mark for duplicate removal.
    drop: bool,
    /// Smoothed, normalised appearance feature (empty: none). The buffer
    /// stays with the slab slot and is reused by the next track created
    /// there, so re-id does not allocate in steady state either and memory
    /// is bounded by the peak number of tracks.
    feature: Vec<f32>,
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
    edges: Vec<Edge>,
    assign: AssignmentWorkspace,
}

/// One entry of an association side: a detection (id: its index) or a
/// track (id: its slab slot), with its box (`tlbr`), "+1" area, score and
/// class.
#[derive(Debug, Clone, Copy, Default)]
struct Item {
    tlbr: [f64; 4],
    area: f64,
    score: f64,
    id: u32,
    class: u32,
}

impl Item {
    #[inline(always)]
    fn track(slot: u32, t: &Track) -> Self {
        Item {
            tlbr: t.tlbr,
            area: t.area,
            score: t.score,
            id: slot,
            class: t.class_id,
        }
    }
}

/// Calls `f(j, iou)` for every box `j` of `set` that overlaps `b` with an
/// IoU that may exceed `min_iou / weight`, with the "+1" IoU computed exactly
/// as [`crate::geometry::iou_tlbr_plus1`] does. Boxes that certainly fall
/// short are skipped without the division (`min_iou = 0` skips only
/// non-overlapping boxes).
#[inline(always)]
fn for_each_overlap(
    b: &[f64; 4],
    area_b: f64,
    set: &[Item],
    min_iou: f64,
    weight: f64,
    mut f: impl FnMut(usize, f64),
) {
    // Margins far above the rounding errors of the exact cost (a few 1e-16)
    // keep the skip test safe.
    let bound = min_iou * (1.0 - 1e-9) - 1e-12;
    // Overlap flags gathered branch-free into a bit mask per block of 64
    // boxes; only the (few) overlapping boxes are then visited.
    for (block, chunk) in set.chunks(64).enumerate() {
        let mut mask = 0u64;
        for (k, it) in chunk.iter().enumerate() {
            let c = &it.tlbr;
            let iw = min_f(b[2], c[2]) - max_f(b[0], c[0]) + 1.0;
            let ih = min_f(b[3], c[3]) - max_f(b[1], c[1]) + 1.0;
            mask |= (((iw > 0.0) & (ih > 0.0)) as u64) << k;
        }
        while mask != 0 {
            let k = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let it = &chunk[k];
            let c = &it.tlbr;
            let iw = min_f(b[2], c[2]) - max_f(b[0], c[0]) + 1.0;
            let ih = min_f(b[3], c[3]) - max_f(b[1], c[1]) + 1.0;
            let inter = iw * ih;
            let union = area_b + it.area - inter;
            if inter * weight >= bound * union {
                f(block * 64 + k, inter / union);
            }
        }
    }
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
    pub fn update(
        &mut self,
        dets: &[Detection],
        timestamp_ns: Option<u64>,
        out: &mut Vec<TrackOutput>,
    ) -> UpdateReport {
        out.clear();
        self.merges.clear();
        self.frame_id += 1;
        let frame = self.frame_id;
        let cfg = &self.cfg;
        let reid = cfg.with_reid;
        let s = &mut self.s;
        let slab = &mut self.slab;
        let mut report = UpdateReport::default();

        s.high.clear();
        s.low.clear();
        for (i, d) in dets.iter().enumerate() {
            let low = d.score > cfg.track_low_thresh && d.score < cfg.track_high_thresh;
            if d.score > cfg.track_high_thresh || low {
                let tlbr = tlwh_to_tlbr(&d.tlwh);
                let it = Item {
                    tlbr,
                    area: area_tlbr_plus1(&tlbr),
                    score: d.score,
                    id: i as u32,
                    class: d.class_id,
                };
                if low {
                    s.low.push(it);
                } else {
                    s.high.push(it);
                }
            }
        }

        // Pool = activated tracked tracks then lost ones, predicted one step
        // (lost ones without height velocity); unconfirmed ones are not predicted.
        s.pool.clear();
        s.unconfirmed.clear();
        for &t in &self.tracked {
            let tr = &mut slab[t as usize];
            if tr.activated {
                tr.kf.predict();
                tr.refresh_box();
                s.pool.push(Item::track(t, tr));
            } else {
                s.unconfirmed.push(Item::track(t, tr));
            }
        }
        for &t in &self.lost {
            let tr = &mut slab[t as usize];
            tr.kf.v[3] = 0.0;
            tr.kf.predict();
            tr.refresh_box();
            s.pool.push(Item::track(t, tr));
        }

        // First association: pool vs high detections.
        build_edges(
            &s.pool,
            &s.high,
            cfg.fuse_score,
            cfg.per_class,
            cfg.match_thresh,
            Reid::new(cfg, dets, slab),
            &mut s.edges,
        );
        let any_pair = !s.edges.is_empty();
        if any_pair {
            s.assign
                .solve_edges(s.pool.len(), s.high.len(), &s.edges, cfg.match_thresh);
        }
        s.refind.clear();
        s.r_tracked.clear();
        for i in 0..s.pool.len() {
            let j = if any_pair {
                s.assign.row_match()[i]
            } else {
                NO_MATCH
            };
            let t = s.pool[i].id;
            let tr = &mut slab[t as usize];
            if j != NO_MATCH {
                let di = s.high[j as usize].id as usize;
                if tr.life != Life::Tracked {
                    s.refind.push(t);
                }
                tr.apply(&dets[di], di, frame, timestamp_ns);
                if reid {
                    tr.update_feature(&dets[di], cfg.feature_momentum);
                }
                report.matched += 1;
            } else if tr.life == Life::Tracked {
                s.r_tracked.push(s.pool[i]);
            }
        }
        s.remaining.clear();
        for j in 0..s.high.len() {
            if !any_pair || s.assign.col_match()[j] == NO_MATCH {
                s.remaining.push(s.high[j]);
            }
        }

        // Second association: remaining tracked tracks vs low detections.
        build_edges(
            &s.r_tracked,
            &s.low,
            false,
            cfg.per_class,
            SECOND_MATCH_THRESH,
            None,
            &mut s.edges,
        );
        let any_pair = !s.edges.is_empty();
        if any_pair {
            s.assign.solve_edges(
                s.r_tracked.len(),
                s.low.len(),
                &s.edges,
                SECOND_MATCH_THRESH,
            );
        }
        s.new_lost.clear();
        for i in 0..s.r_tracked.len() {
            let j = if any_pair {
                s.assign.row_match()[i]
            } else {
                NO_MATCH
            };
            let t = s.r_tracked[i].id;
            let tr = &mut slab[t as usize];
            if j != NO_MATCH {
                let di = s.low[j as usize].id as usize;
                // No feature update: BoT-SORT builds low-score detections
                // without features (they are often occluded).
                tr.apply(&dets[di], di, frame, timestamp_ns);
                report.matched += 1;
            } else {
                tr.life = Life::Lost;
                s.new_lost.push(t);
            }
        }
        report.lost = s.new_lost.len();

        // Unconfirmed tracks vs the high detections left.
        build_edges(
            &s.unconfirmed,
            &s.remaining,
            cfg.fuse_score,
            cfg.per_class,
            UNCONFIRMED_MATCH_THRESH,
            Reid::new(cfg, dets, slab),
            &mut s.edges,
        );
        let any_pair = !s.edges.is_empty();
        if any_pair {
            s.assign.solve_edges(
                s.unconfirmed.len(),
                s.remaining.len(),
                &s.edges,
                UNCONFIRMED_MATCH_THRESH,
            );
        }
        let stitch = reid && cfg.reid_max_gap > 0;
        for i in 0..s.unconfirmed.len() {
            let j = if any_pair {
                s.assign.row_match()[i]
            } else {
                NO_MATCH
            };
            let t = s.unconfirmed[i].id;
            let tr = &mut slab[t as usize];
            if j != NO_MATCH {
                let di = s.remaining[j as usize].id as usize;
                tr.apply(&dets[di], di, frame, timestamp_ns);
                if reid {
                    tr.update_feature(&dets[di], cfg.feature_momentum);
                }
                report.matched += 1;
                if stitch {
                    if let Some(l) = find_stitch(cfg, frame, &self.lost, slab, t, &dets[di]) {
                        // `l` continues with `t`'s state; `t` is removed
                        // below with the unmatched unconfirmed tracks, and
                        // `l`, now tracked, leaves the lost list like a
                        // re-found track.
                        let [lt, tt] = slab
                            .get_disjoint_mut([l as usize, t as usize])
                            .expect("distinct slots");
                        lt.take_over(tt);
                        tt.life = Life::Removed;
                        s.refind.push(l);
                        self.merges.push(MergeEvent {
                            from: tt.id,
                            into: lt.id,
                            frame,
                        });
                    }
                }
            } else {
                tr.life = Life::Removed;
            }
        }

        // New tracks.
        s.new_tracks.clear();
        for (j, d) in s.remaining.iter().map(|it| it.id).enumerate() {
            if any_pair && s.assign.col_match()[j] != NO_MATCH {
                continue;
            }
            let det = &dets[d as usize];
            if !(det.score >= cfg.new_track_thresh) {
                continue;
            }
            // The slot's feature buffer is recycled (see `Track::feature`).
            let slot = self.free.pop();
            let mut feature = match slot {
                Some(slot) => std::mem::take(&mut slab[slot as usize].feature),
                None => Vec::new(),
            };
            feature.clear();
            let mut track = Track {
                kf: KalmanState::initiate(&tlwh_to_xyah(&det.tlwh)),
                tlwh: [0.0; 4],
                tlbr: [0.0; 4],
                area: 0.0,
                id: self.next_id,
                score: det.score,
                frame_id: frame,
                start_frame: frame,
                last_ts: timestamp_ns,
                class_id: det.class_id,
                hits: 1,
                det_index: d,
                life: Life::Tracked,
                activated: frame == 1,
                in_removed: false,
                drop: false,
                feature,
            };
            track.refresh_box();
            if reid {
                track.update_feature(det, cfg.feature_momentum);
            }
            self.next_id += 1;
            let slot = match slot {
                Some(slot) => {
                    slab[slot as usize] = track;
                    slot
                }
                None => {
                    slab.push(track);
                    (slab.len() - 1) as u32
                }
            };
            s.new_tracks.push(slot);
        }
        report.spawned = s.new_tracks.len();

        // Lost tracks past the buffer are marked removed.
        for &t in &self.lost {
            let tr = &mut slab[t as usize];
            if tr.life == Life::Tracked {
                continue;
            }
            let expired = match (cfg.max_lost_time_ns, timestamp_ns, tr.last_ts) {
                (Some(max), Some(now), Some(last)) => now.saturating_sub(last) > max,
                _ => frame - tr.frame_id > self.max_lost,
            };
            if expired {
                tr.life = Life::Removed;
            }
        }

        // New lists, in reference order.
        s.next_tracked.clear();
        for &t in &self.tracked {
            if slab[t as usize].life == Life::Tracked {
                s.next_tracked.push(t);
            } else if slab[t as usize].life == Life::Removed {
                self.free.push(t);
                report.removed += 1;
            }
        }
        s.next_tracked.extend_from_slice(&s.new_tracks);
        s.next_tracked.extend_from_slice(&s.refind);
        s.next_lost.clear();
        for &t in self.lost.iter().chain(s.new_lost.iter()) {
            let tr = &mut slab[t as usize];
            if tr.life == Life::Tracked {
                continue;
            }
            if tr.in_removed {
                self.free.push(t);
                report.removed += 1;
            } else {
                s.next_lost.push(t);
            }
        }
        for &t in &s.next_lost {
            let tr = &mut slab[t as usize];
            if tr.life == Life::Removed {
                tr.in_removed = true;
            }
        }

        // Duplicates between tracked and lost tracks.
        if !s.next_lost.is_empty() && !s.next_tracked.is_empty() {
            let mut any = false;
            s.lost_boxes.clear();
            s.lost_boxes.extend(
                s.next_lost
                    .iter()
                    .map(|&q| Item::track(q, &slab[q as usize])),
            );
            // Each pair is decided on its own (the older track wins).
            let min_iou = 1.0 - DUPLICATE_IOU_DISTANCE;
            for &p in &s.next_tracked {
                let tp = &slab[p as usize];
                let (tlbr, area, class) = (tp.tlbr, tp.area, tp.class_id);
                let age_p = tp.frame_id - tp.start_frame;
                let lost = &s.lost_boxes;
                for_each_overlap(&tlbr, area, lost, min_iou, 1.0, |j, iou| {
                    if 1.0 - iou < DUPLICATE_IOU_DISTANCE
                        && !(cfg.per_class && lost[j].class != class)
                    {
                        let q = lost[j].id;
                        let tq = &slab[q as usize];
                        let drop = if age_p > tq.frame_id - tq.start_frame {
                            q
                        } else {
                            p
                        };
                        slab[drop as usize].drop = true;
                        any = true;
                    }
                });
            }
            if any {
                for list in [&mut s.next_tracked, &mut s.next_lost] {
                    list.retain(|&t| {
                        let tr = &mut slab[t as usize];
                        if tr.drop {
                            tr.drop = false;
                            self.free.push(t);
                            report.removed += 1;
                            false
                        } else {
                            true
                        }
                    });
                }
            }
        }
        std::mem::swap(&mut self.tracked, &mut s.next_tracked);
        std::mem::swap(&mut self.lost, &mut s.next_lost);

        for &t in &self.tracked {
            let tr = &slab[t as usize];
            if tr.activated && tr.hits >= cfg.min_hits {
                out.push(tr.output(TrackState::Tracked, Some(tr.det_index as usize)));
            }
        }
        if cfg.output_lost {
            for &t in &self.lost {
                let tr = &slab[t as usize];
                if tr.life == Life::Lost && tr.activated && tr.hits >= cfg.min_hits {
                    out.push(tr.output(TrackState::Lost, None));
                }
            }
        }
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
                tr.kf.predict();
                tr.refresh_box();
                if tr.hits >= min_hits {
                    out.push(tr.output(TrackState::Predicted, None));
                }
            }
        }
        for &t in &self.lost {
            let tr = &mut self.slab[t as usize];
            tr.kf.v[3] = 0.0;
            tr.kf.predict();
            tr.refresh_box();
            if self.cfg.output_lost && tr.life == Life::Lost && tr.activated && tr.hits >= min_hits
            {
                out.push(tr.output(TrackState::Lost, None));
            }
        }
    }
}

impl Track {
    fn output(&self, state: TrackState, det_index: Option<usize>) -> TrackOutput {
        TrackOutput {
            track_id: self.id,
            tlwh: self.tlwh,
            score: self.score,
            class_id: self.class_id,
            state,
            det_index,
        }
    }

    /// Recomputes the cached box from the Kalman mean.
    #[inline(always)]
    fn refresh_box(&mut self) {
        self.tlwh = self.kf.tlwh();
        self.tlbr = tlwh_to_tlbr(&self.tlwh);
        self.area = area_tlbr_plus1(&self.tlbr);
    }

    /// Kalman update with a matched detection (`update` and `re_activate` of
    /// the reference, which only differ in bookkeeping that is not output).
    #[inline]
    fn apply(&mut self, det: &Detection, index: usize, frame: u64, ts: Option<u64>) {
        self.kf.update(&tlwh_to_xyah(&det.tlwh));
        self.refresh_box();
        self.life = Life::Tracked;
        self.activated = true;
        self.frame_id = frame;
        self.score = det.score;
        self.det_index = index as u32;
        self.hits = self.hits.saturating_add(1);
        if ts.is_some() {
            self.last_ts = ts;
        }
    }

    /// BoT-SORT's `update_features` with the detection's embedding, if any:
    /// `f ← m·f + (1 − m)·e` then `f ← f / |f|` (`e` normalised first, as
    /// BoT-SORT does, in case the caller's is slightly off). The first
    /// embedding (or one of another length: a different model) initialises
    /// `f`. Embeddings of zero or non-finite norm are ignored; a degenerate
    /// result leaves the track without feature.
    fn update_feature(&mut self, det: &Detection, momentum: f64) {
        let Some(e) = det.embedding.as_deref() else {
            return;
        };
        let ne = norm(e);
        if !(ne > 0.0 && ne.is_finite()) {
            return;
        }
        let f = &mut self.feature;
        if f.len() == e.len() {
            for (x, &y) in f.iter_mut().zip(e) {
                *x = (momentum * *x as f64 + (1.0 - momentum) * (y as f64 / ne)) as f32;
            }
        } else {
            f.clear();
            f.extend(e.iter().map(|&y| (y as f64 / ne) as f32));
        }
        if !(l2_normalize(f) > 0.0) {
            f.clear();
        }
    }

    /// Stitching: this lost track continues as `other`, a tentative track
    /// just confirmed (see [`ByteTracker::merges`]). It keeps its id, class
    /// and start frame (its age, which decides duplicates), and takes
    /// everything that describes the object now from `other`.
    fn take_over(&mut self, other: &mut Track) {
        self.kf = other.kf;
        self.tlwh = other.tlwh;
        self.tlbr = other.tlbr;
        self.area = other.area;
        self.score = other.score;
        self.frame_id = other.frame_id;
        self.last_ts = other.last_ts;
        self.det_index = other.det_index;
        self.hits = self.hits.saturating_add(other.hits);
        self.life = Life::Tracked;
        self.activated = true;
        // Swapped, not copied: no allocation, and `other` is removed.
        std::mem::swap(&mut self.feature, &mut other.feature);
    }
}

/// Cosine distance `1 − cos(a, b)` clamped at 0 (SciPy's `cdist(...,
/// 'cosine')` under BoT-SORT's `np.maximum(0, ·)`), or `None` when it is
/// undefined (lengths differ, a zero or non-finite norm).
#[inline]
fn feature_distance(a: &[f32], b: &[f32]) -> Option<f64> {
    cosine_distance_f64(a, b).map(|d| max_f(d, 0.0))
}

/// The lost track tentative track `t` continues, if any: the rule of
/// [`ByteTracker::merges`]. `det` is the detection that confirms `t`.
fn find_stitch(
    cfg: &ByteTrackConfig,
    frame: u64,
    lost: &[u32],
    slab: &[Track],
    t: u32,
    det: &Detection,
) -> Option<u32> {
    let tt = &slab[t as usize];
    if tt.feature.is_empty() {
        return None;
    }
    let cx = det.tlwh[0] + det.tlwh[2] / 2.0;
    let cy = det.tlwh[1] + det.tlwh[3] / 2.0;
    let max_d = 2.0 * cfg.appearance_thresh;
    let mut best: Option<(u32, f64)> = None;
    for &l in lost {
        let lt = &slab[l as usize];
        // Tracks re-found on this frame are tracked again, and timed-out
        // ones (state removed) are no longer held.
        if lt.life != Life::Lost
            || lt.frame_id >= tt.start_frame
            || tt.start_frame - lt.frame_id - 1 > cfg.reid_max_gap as u64
            || (cfg.per_class && lt.class_id != tt.class_id)
        {
            continue;
        }
        let Some(d) = feature_distance(&lt.feature, &tt.feature) else {
            continue;
        };
        if !(d <= max_d) || best.is_some_and(|(_, b)| d >= b) {
            continue;
        }
        // `lt.tlwh` is the prediction for this frame (the pool step).
        let b = &lt.tlwh;
        let (dx, dy) = (cx - (b[0] + b[2] / 2.0), cy - (b[1] + b[3] / 2.0));
        let blind = (frame - lt.frame_id) as f64;
        let radius = max_f(b[2], b[3]) * (1.0 + blind / 10.0);
        if dx * dx + dy * dy <= radius * radius {
            best = Some((l, d));
        }
    }
    best.map(|(l, _)| l)
}

/// Appearance inputs of an association with re-id on: the detections (the
/// columns' ids index them), the slab (the rows' ids) and the gates.
#[derive(Clone, Copy)]
struct Reid<'a> {
    dets: &'a [Detection],
    slab: &'a [Track],
    proximity: f64,
    appearance: f64,
}

impl<'a> Reid<'a> {
    fn new(cfg: &ByteTrackConfig, dets: &'a [Detection], slab: &'a [Track]) -> Option<Self> {
        cfg.with_reid.then_some(Reid {
            dets,
            slab,
            proximity: cfg.proximity_thresh,
            appearance: cfg.appearance_thresh,
        })
    }
}

/// Candidate pairs `(i, j)` of `rows × cols` whose cost is under `limit`:
/// cost `1 − IoU`, or `1 − IoU·score` with `fuse` (computed as the reference
/// does, `1 − (1 − (1 − IoU))·score`). With `reid`, a detection with an
/// embedding costs `min(that, emb_d)` with a track that has a feature,
/// BoT-SORT's rule (see the module documentation).
#[inline]
fn build_edges(
    rows: &[Item],
    cols: &[Item],
    fuse: bool,
    per_class: bool,
    limit: f64,
    reid: Option<Reid<'_>>,
    edges: &mut Vec<Edge>,
) {
    edges.clear();
    if rows.is_empty() || cols.is_empty() {
        return;
    }
    // Pairs that do not overlap cost exactly 1 (also when fused); they are
    // candidates only with a limit above 1.
    let dense = limit > 1.0;
    // Detections (usually the shorter side) in the outer loop.
    for (j, c) in cols.iter().enumerate() {
        let score = if fuse { c.score } else { 1.0 };
        // Detections without embedding take the IoU-only path below, so
        // that without embeddings the edges are those of ByteTrack.
        let emb = reid.and_then(|r| Some((r, r.dets[c.id as usize].embedding.as_deref()?)));
        if let Some((r, e)) = emb {
            let mut push = |i: usize, iou: f64| {
                if per_class && rows[i].class != c.class {
                    return;
                }
                let raw = 1.0 - iou;
                let mut cost = raw;
                if fuse {
                    cost = 1.0 - (1.0 - cost) * score;
                }
                // BoT-SORT sets emb_d to 1 past either gate and takes
                // min(iou_d, emb_d); iou_d ≤ 1, so a gated pair costs iou_d.
                if raw <= r.proximity {
                    let f = &r.slab[rows[i].id as usize].feature;
                    if let Some(d) = feature_distance(f, e) {
                        let emb_d = d / 2.0;
                        if emb_d <= r.appearance {
                            cost = min_f(cost, emb_d);
                        }
                    }
                }
                if cost < limit {
                    edges.push(Edge {
                        row: i as u32,
                        col: j as u32,
                        cost,
                    });
                }
            };
            // Which pairs can be candidates: a pair that does not overlap
            // has IoU 0, so its raw distance is 1; with `proximity < 1` it
            // fails the gate and costs exactly 1 as without re-id (a
            // candidate only when `limit > 1`). Overlapping pairs may win
            // through emb_d whatever their IoU (any IoU ≥ 1 − proximity,
            // e.g. ≥ 0.5 at the default 0.5, which implies overlap), so all
            // of them are visited, without the IoU·score pruning. With
            // `proximity ≥ 1` even disjoint pairs pass the gate: all pairs.
            if dense || r.proximity >= 1.0 {
                for (i, rw) in rows.iter().enumerate() {
                    push(
                        i,
                        iou_tlbr_plus1_with_areas(&rw.tlbr, rw.area, &c.tlbr, c.area),
                    );
                }
            } else {
                for_each_overlap(&c.tlbr, c.area, rows, 0.0, 1.0, push);
            }
            continue;
        }
        let mut push = |i: usize, iou: f64| {
            if per_class && rows[i].class != c.class {
                return;
            }
            let mut cost = 1.0 - iou;
            if fuse {
                cost = 1.0 - (1.0 - cost) * score;
            }
            if cost < limit {
                edges.push(Edge {
                    row: i as u32,
                    col: j as u32,
                    cost,
                });
            }
        };
        if dense {
            for (i, r) in rows.iter().enumerate() {
                push(
                    i,
                    iou_tlbr_plus1_with_areas(&r.tlbr, r.area, &c.tlbr, c.area),
                );
            }
        } else {
            // cost < limit needs IoU·score > 1 − limit (IoU > 1 − limit unfused).
            for_each_overlap(&c.tlbr, c.area, rows, 1.0 - limit, score, push);
        }
    }
}

#[cfg(test)]
mod tests {
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
}
