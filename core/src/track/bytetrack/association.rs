// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The associations of a frame (steps 1, 2, 3 and 4 of the
//! [module documentation](super)): the detections split by score, then
//! three rounds of candidate pairs and limited assignment, written once in
//! [`Matcher`].

use super::lifecycle::{Life, Track};
use super::reid::{reid_column_edges, stitch, Reid};
use super::{ByteTracker, Detection, Now, SECOND_MATCH_THRESH, UNCONFIRMED_MATCH_THRESH};
use crate::geometry::{area_tlbr_plus1, iou_tlbr_plus1_with_areas, max_f, min_f, tlwh_to_tlbr};
use crate::track::assignment::{AssignmentWorkspace, Edge, NO_MATCH};

/// One entry of an association side: a detection (id: its index) or a
/// track (id: its slab slot), with its box (`tlbr`), "+1" area, score and
/// class.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Item {
    pub(super) tlbr: [f64; 4],
    pub(super) area: f64,
    pub(super) score: f64,
    pub(super) id: u32,
    pub(super) class: u32,
}

impl Item {
    #[inline(always)]
    pub(super) fn track(slot: u32, t: &Track) -> Self {
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
pub(super) fn for_each_overlap(
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

/// Cost rule and limit of one association.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cost {
    /// `1 − IoU·score` (true) or `1 − IoU`.
    pub(super) fuse: bool,
    /// Only pairs of the same class are candidates.
    pub(super) per_class: bool,
    /// Pairs costing this or more are never matched.
    pub(super) limit: f64,
}

/// One association: its candidate pairs and their limited assignment
/// ([`crate::track::assignment`]). The buffers are kept between frames.
#[derive(Debug, Default, Clone)]
pub(super) struct Matcher {
    edges: Vec<Edge>,
    assign: AssignmentWorkspace,
    /// Whether the last run had a candidate pair; without one nothing was
    /// solved and nothing is matched.
    any: bool,
}

impl Matcher {
    /// Builds the candidate pairs of `rows × cols` ([`build_edges`]) and
    /// solves their assignment.
    #[inline]
    pub(super) fn run(&mut self, rows: &[Item], cols: &[Item], cost: Cost, reid: Option<Reid<'_>>) {
        build_edges(rows, cols, cost, reid, &mut self.edges);
        self.any = !self.edges.is_empty();
        if self.any {
            self.assign
                .solve_edges(rows.len(), cols.len(), &self.edges, cost.limit);
        }
    }

    /// The column matched to row `i` by the last run.
    #[inline]
    pub(super) fn row_match(&self, i: usize) -> Option<usize> {
        if !self.any {
            return None;
        }
        let j = self.assign.row_match()[i];
        (j != NO_MATCH).then_some(j as usize)
    }

    /// Whether column `j` was matched by the last run.
    #[inline]
    pub(super) fn col_matched(&self, j: usize) -> bool {
        self.any && self.assign.col_match()[j] != NO_MATCH
    }
}

/// Candidate pairs `(i, j)` of `rows × cols` whose cost is under
/// `cost.limit`: `1 − IoU`, or `1 − IoU·score` with `cost.fuse` (computed
/// as the reference does, `1 − (1 − (1 − IoU))·score`). With `reid`, a
/// detection with an embedding costs `min(that, emb_d)` with a track that
/// has a feature, BoT-SORT's rule ([`reid_column_edges`]).
#[inline]
fn build_edges(
    rows: &[Item],
    cols: &[Item],
    cost: Cost,
    reid: Option<Reid<'_>>,
    edges: &mut Vec<Edge>,
) {
    edges.clear();
    if rows.is_empty() || cols.is_empty() {
        return;
    }
    // Detections (usually the shorter side) in the outer loop.
    for (j, c) in cols.iter().enumerate() {
        // Detections without embedding take the IoU-only path, so that
        // without embeddings the edges are those of ByteTrack.
        let emb = reid.and_then(|r| Some((r, r.dets[c.id as usize].embedding.as_deref()?)));
        match emb {
            Some((r, e)) => reid_column_edges(rows, j, c, cost, r, e, edges),
            None => iou_column_edges(rows, j, c, cost, edges),
        }
    }
}

/// The candidate pairs of column `j` (box `c`) by IoU alone.
#[inline(always)]
fn iou_column_edges(rows: &[Item], j: usize, c: &Item, cost: Cost, edges: &mut Vec<Edge>) {
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
    // Pairs that do not overlap cost exactly 1 (also when fused); they are
    // candidates only with a limit above 1.
    if limit > 1.0 {
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

impl ByteTracker {
    /// Step 1: *high* (`score > track_high_thresh`) and *low*
    /// (`track_low_thresh < score < track_high_thresh`) detections.
    pub(super) fn split_detections(&mut self, dets: &[Detection]) {
        let (cfg, s) = (&self.cfg, &mut self.s);
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
    }

    /// Step 2: the pool vs the high detections, limit `match_thresh`.
    /// Matched lost tracks are re-found; tracked ones left over go on to
    /// the second association, high detections left over to the
    /// unconfirmed one. Returns the number of matches.
    pub(super) fn associate_pool(&mut self, dets: &[Detection], now: Now) -> usize {
        let Self { cfg, s, slab, .. } = self;
        let cost = Cost {
            fuse: cfg.fuse_score,
            per_class: cfg.per_class,
            limit: cfg.match_thresh,
        };
        s.matcher
            .run(&s.pool, &s.high, cost, Reid::new(cfg, dets, slab));
        s.refind.clear();
        s.r_tracked.clear();
        let mut matched = 0;
        for (i, it) in s.pool.iter().enumerate() {
            let tr = &mut slab[it.id as usize];
            if let Some(j) = s.matcher.row_match(i) {
                let di = s.high[j].id as usize;
                if tr.life != Life::Tracked {
                    s.refind.push(it.id);
                }
                tr.take_match(&dets[di], di, now, cfg);
                matched += 1;
            } else if tr.life == Life::Tracked {
                s.r_tracked.push(*it);
            }
        }
        s.remaining.clear();
        for (j, it) in s.high.iter().enumerate() {
            if !s.matcher.col_matched(j) {
                s.remaining.push(*it);
            }
        }
        matched
    }

    /// Step 3: tracked tracks left over vs the low detections, cost
    /// `1 − IoU`, limit [`SECOND_MATCH_THRESH`]; those still unmatched
    /// become lost. Returns the numbers of matches and of lost tracks.
    pub(super) fn associate_low(&mut self, dets: &[Detection], now: Now) -> (usize, usize) {
        let Self { cfg, s, slab, .. } = self;
        let cost = Cost {
            fuse: false,
            per_class: cfg.per_class,
            limit: SECOND_MATCH_THRESH,
        };
        s.matcher.run(&s.r_tracked, &s.low, cost, None);
        s.new_lost.clear();
        let mut matched = 0;
        for (i, it) in s.r_tracked.iter().enumerate() {
            let tr = &mut slab[it.id as usize];
            if let Some(j) = s.matcher.row_match(i) {
                let di = s.low[j].id as usize;
                // No feature update: BoT-SORT builds low-score detections
                // without features (they are often occluded).
                tr.apply(&dets[di], di, now.frame, now.ts);
                matched += 1;
            } else {
                tr.life = Life::Lost;
                s.new_lost.push(it.id);
            }
        }
        (matched, s.new_lost.len())
    }

    /// Step 4: unconfirmed tracks vs the high detections left, limit
    /// [`UNCONFIRMED_MATCH_THRESH`]; unmatched ones are removed. With
    /// stitching, a confirmed track may continue a lost one
    /// ([`ByteTracker::merges`]). Returns the number of matches.
    pub(super) fn associate_unconfirmed(&mut self, dets: &[Detection], now: Now) -> usize {
        let Self {
            cfg,
            s,
            slab,
            lost,
            merges,
            ..
        } = self;
        let cost = Cost {
            fuse: cfg.fuse_score,
            per_class: cfg.per_class,
            limit: UNCONFIRMED_MATCH_THRESH,
        };
        s.matcher.run(
            &s.unconfirmed,
            &s.remaining,
            cost,
            Reid::new(cfg, dets, slab),
        );
        let stitching = cfg.with_reid && cfg.reid_max_gap > 0;
        let mut matched = 0;
        for (i, it) in s.unconfirmed.iter().enumerate() {
            let t = it.id;
            let Some(j) = s.matcher.row_match(i) else {
                slab[t as usize].life = Life::Removed;
                continue;
            };
            let di = s.remaining[j].id as usize;
            slab[t as usize].take_match(&dets[di], di, now, cfg);
            matched += 1;
            if stitching {
                // The lost track continues with `t`'s state; `t` is removed
                // with the unmatched unconfirmed tracks, and the lost track,
                // now tracked, leaves the lost list like a re-found track.
                if let Some((l, merge)) = stitch(cfg, now.frame, lost, slab, t, &dets[di]) {
                    s.refind.push(l);
                    merges.push(merge);
                }
            }
        }
        matched
    }

    /// Step 4b (improved mode, [`ByteTrackConfig::young_gate`] > 0): young
    /// tracks that became lost on this frame vs the high detections still
    /// unmatched, greedily by centre distance (in units of the track's box
    /// size), within the gate. A rescued track stays tracked; its detection
    /// starts no new track. Returns the number of rescues.
    pub(super) fn rescue_young(&mut self, dets: &[Detection], now: Now) -> usize {
        let Self { cfg, s, slab, .. } = self;
        s.rescued.clear();
        s.rescued.resize(s.remaining.len(), false);
        if cfg.young_gate <= 0.0 {
            return 0;
        }
        s.young_pairs.clear();
        let centre = |b: &[f64; 4]| ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
        for &t in &s.new_lost {
            let tr = &slab[t as usize];
            if tr.hits > super::YOUNG_HITS {
                continue;
            }
            let (cx, cy) = centre(&tr.tlbr);
            let size = (tr.tlwh[2] * tr.tlwh[3]).max(1.0).sqrt();
            for (j, it) in s.remaining.iter().enumerate() {
                if s.matcher.col_matched(j) || (cfg.per_class && it.class != tr.class_id) {
                    continue;
                }
                let (dx, dy) = centre(&it.tlbr);
                let d = ((dx - cx).powi(2) + (dy - cy).powi(2)).sqrt() / size;
                if d <= cfg.young_gate {
                    s.young_pairs.push((d, t, j as u32));
                }
            }
        }
        s.young_pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut rescued = 0;
        for k in 0..s.young_pairs.len() {
            let (_, t, j) = s.young_pairs[k];
            let tr = &mut slab[t as usize];
            if s.rescued[j as usize] || tr.life == Life::Tracked {
                continue;
            }
            let di = s.remaining[j as usize].id as usize;
            tr.life = Life::Tracked;
            tr.take_match(&dets[di], di, now, cfg);
            s.rescued[j as usize] = true;
            rescued += 1;
        }
        rescued
    }
}
