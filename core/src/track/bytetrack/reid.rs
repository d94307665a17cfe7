// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Appearance (opt-in, [`ByteTrackConfig::with_reid`]): the smoothed track
//! features, BoT-SORT's appearance cost and tracklet stitching (see the
//! [module documentation](super) and [`ByteTracker::merges`]).

use super::association::{for_each_overlap, Cost, Item};
use super::lifecycle::{Life, Track};
#[cfg(doc)]
use super::ByteTracker;
use super::{ByteTrackConfig, Detection, MergeEvent};
use crate::embedding::{cosine_distance_f64, l2_normalize, norm};
use crate::geometry::{iou_tlbr_plus1_with_areas, max_f, min_f};
use crate::track::assignment::Edge;

/// Appearance inputs of an association with re-id on: the detections (the
/// columns' ids index them), the slab (the rows' ids) and the gates.
#[derive(Clone, Copy)]
pub(super) struct Reid<'a> {
    pub(super) dets: &'a [Detection],
    slab: &'a [Track],
    proximity: f64,
    appearance: f64,
}

impl<'a> Reid<'a> {
    /// The inputs, or `None` with re-id off.
    pub(super) fn new(
        cfg: &ByteTrackConfig,
        dets: &'a [Detection],
        slab: &'a [Track],
    ) -> Option<Self> {
        cfg.with_reid.then_some(Reid {
            dets,
            slab,
            proximity: cfg.proximity_thresh,
            appearance: cfg.appearance_thresh,
        })
    }
}

/// The candidate pairs of column `j` (box `c`, a detection with embedding
/// `e`): BoT-SORT's `min(iou_d, emb_d)` with the tracks that have a
/// feature, where `emb_d = (1 − cos) / 2` counts only when at most
/// `appearance_thresh` and when the raw `1 − IoU` is at most
/// `proximity_thresh`.
#[inline(always)]
pub(super) fn reid_column_edges(
    rows: &[Item],
    j: usize,
    c: &Item,
    cost: Cost,
    r: Reid<'_>,
    e: &[f32],
    edges: &mut Vec<Edge>,
) {
    let Cost {
        fuse,
        per_class,
        limit,
    } = cost;
    let score = if fuse { c.score } else { 1.0 };
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
    // Which pairs can be candidates: a pair that does not overlap has IoU
    // 0, so its raw distance is 1; with `proximity < 1` it fails the gate
    // and costs exactly 1 as without re-id (a candidate only when
    // `limit > 1`). Overlapping pairs may win through emb_d whatever their
    // IoU (any IoU ≥ 1 − proximity, e.g. ≥ 0.5 at the default 0.5, which
    // implies overlap), so all of them are visited, without the IoU·score
    // pruning. With `proximity ≥ 1` even disjoint pairs pass the gate: all
    // pairs.
    if limit > 1.0 || r.proximity >= 1.0 {
        for (i, rw) in rows.iter().enumerate() {
            push(
                i,
                iou_tlbr_plus1_with_areas(&rw.tlbr, rw.area, &c.tlbr, c.area),
            );
        }
    } else {
        for_each_overlap(&c.tlbr, c.area, rows, 0.0, 1.0, push);
    }
}

/// Cosine distance `1 − cos(a, b)` clamped at 0 (SciPy's `cdist(...,
/// 'cosine')` under BoT-SORT's `np.maximum(0, ·)`), or `None` when it is
/// undefined (lengths differ, a zero or non-finite norm).
#[inline]
fn feature_distance(a: &[f32], b: &[f32]) -> Option<f64> {
    cosine_distance_f64(a, b).map(|d| max_f(d, 0.0))
}

impl Track {
    /// BoT-SORT's `update_features` with the detection's embedding, if any:
    /// `f ← m·f + (1 − m)·e` then `f ← f / |f|` (`e` normalised first, as
    /// BoT-SORT does, in case the caller's is slightly off). The first
    /// embedding (or one of another length: a different model) initialises
    /// `f`. Embeddings of zero or non-finite norm are ignored; a degenerate
    /// result leaves the track without feature.
    pub(super) fn update_feature(&mut self, det: &Detection, momentum: f64) {
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

/// Stitching: if tentative track `t`, just confirmed by `det`, continues a
/// lost track ([`find_stitch`]), that track takes over `t`'s state and `t`
/// is marked removed. Returns the lost track's slot and the event.
pub(super) fn stitch(
    cfg: &ByteTrackConfig,
    frame: u64,
    lost: &[u32],
    slab: &mut [Track],
    t: u32,
    det: &Detection,
) -> Option<(u32, MergeEvent)> {
    let l = find_stitch(cfg, frame, lost, slab, t, det)?;
    let [lt, tt] = slab
        .get_disjoint_mut([l as usize, t as usize])
        .expect("distinct slots");
    lt.take_over(tt);
    tt.life = Life::Removed;
    let merge = MergeEvent {
        from: tt.id,
        into: lt.id,
        frame,
    };
    Some((l, merge))
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
