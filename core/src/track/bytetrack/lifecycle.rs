// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Track life cycle: the tracks of the slab, their Kalman steps, the pool
//! prediction, new tracks, expiry, the track lists of the next frame,
//! duplicate removal and the output (steps 2, 5 and 6 of the
//! [module documentation](super)).

use super::association::{for_each_overlap, Item};
use super::{ByteTrackConfig, ByteTracker, Detection, Now, TrackOutput, DUPLICATE_IOU_DISTANCE};
use crate::geometry::{area_tlbr_plus1, tlwh_to_tlbr, tlwh_to_xyah};
use crate::track::kalman::KalmanState;
use crate::types::TrackState;

/// Where a track is in the reference's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Life {
    Tracked,
    Lost,
    Removed,
}

/// One track of the slab.
#[derive(Debug, Clone)]
pub(super) struct Track {
    pub(super) kf: KalmanState,
    /// The box of `kf`, refreshed whenever `kf` changes: `tlwh`, `tlbr` and
    /// the "+1" area.
    pub(super) tlwh: [f64; 4],
    pub(super) tlbr: [f64; 4],
    pub(super) area: f64,
    pub(super) id: u64,
    pub(super) score: f64,
    /// Last frame the track was matched (or created).
    pub(super) frame_id: u64,
    pub(super) start_frame: u64,
    pub(super) last_ts: Option<u64>,
    pub(super) class_id: u32,
    pub(super) hits: u32,
    pub(super) det_index: u32,
    pub(super) life: Life,
    pub(super) activated: bool,
    /// Listed as removed by the reference: dropped when next found in the
    /// lost list.
    pub(super) in_removed: bool,
    /// Scratch mark for duplicate removal.
    pub(super) drop: bool,
    /// Smoothed, normalised appearance feature (empty: none). The buffer
    /// stays with the slab slot and is reused by the next track created
    /// there, so re-id does not allocate in steady state either and memory
    /// is bounded by the peak number of tracks.
    pub(super) feature: Vec<f32>,
}

impl Track {
    /// A new track on detection `det` (index `index`), with id `id` and the
    /// recycled (emptied here) feature buffer `feature`.
    fn new(
        det: &Detection,
        index: u32,
        now: Now,
        id: u64,
        mut feature: Vec<f32>,
        cfg: &ByteTrackConfig,
    ) -> Track {
        feature.clear();
        let mut track = Track {
            kf: KalmanState::initiate(&tlwh_to_xyah(&det.tlwh)),
            tlwh: [0.0; 4],
            tlbr: [0.0; 4],
            area: 0.0,
            id,
            score: det.score,
            frame_id: now.frame,
            start_frame: now.frame,
            last_ts: now.ts,
            class_id: det.class_id,
            hits: 1,
            det_index: index,
            life: Life::Tracked,
            activated: now.frame == 1,
            in_removed: false,
            drop: false,
            feature,
        };
        track.refresh_box();
        if cfg.with_reid {
            track.update_feature(det, cfg.feature_momentum);
        }
        track
    }

    pub(super) fn output(&self, state: TrackState, det_index: Option<usize>) -> TrackOutput {
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
    pub(super) fn refresh_box(&mut self) {
        self.tlwh = self.kf.tlwh();
        self.tlbr = tlwh_to_tlbr(&self.tlwh);
        self.area = area_tlbr_plus1(&self.tlbr);
    }

    /// Kalman update with a matched detection (`update` and `re_activate` of
    /// the reference, which only differ in bookkeeping that is not output).
    #[inline]
    pub(super) fn apply(&mut self, det: &Detection, index: usize, frame: u64, ts: Option<u64>) {
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

    /// A match of the first or the unconfirmed association: [`Track::apply`]
    /// and, with re-id, the feature update.
    #[inline]
    pub(super) fn take_match(
        &mut self,
        det: &Detection,
        index: usize,
        now: Now,
        cfg: &ByteTrackConfig,
    ) {
        self.apply(det, index, now.frame, now.ts);
        if cfg.with_reid {
            self.update_feature(det, cfg.feature_momentum);
        }
    }

    /// One Kalman step of a tracked track.
    #[inline]
    pub(super) fn predict(&mut self) {
        self.kf.predict();
        self.refresh_box();
    }

    /// One Kalman step of a lost track: its height velocity is zeroed first.
    #[inline]
    pub(super) fn predict_lost(&mut self) {
        self.kf.v[3] = 0.0;
        self.kf.predict();
        self.refresh_box();
    }
}

impl ByteTracker {
    /// The pool of the first association: activated tracked tracks then lost
    /// ones, predicted one step (lost ones without height velocity);
    /// unconfirmed tracks are listed apart, not predicted.
    pub(super) fn predict_pool(&mut self) {
        let Self {
            s,
            slab,
            tracked,
            lost,
            ..
        } = self;
        s.pool.clear();
        s.unconfirmed.clear();
        for &t in tracked.iter() {
            let tr = &mut slab[t as usize];
            if tr.activated {
                tr.predict();
                s.pool.push(Item::track(t, tr));
            } else {
                s.unconfirmed.push(Item::track(t, tr));
            }
        }
        for &t in lost.iter() {
            let tr = &mut slab[t as usize];
            tr.predict_lost();
            s.pool.push(Item::track(t, tr));
        }
    }

    /// New tracks from the high detections left unmatched by the last
    /// association whose score is at least `new_track_thresh` (activated at
    /// once only on the first frame). Returns how many were started.
    pub(super) fn spawn_tracks(&mut self, dets: &[Detection], now: Now) -> usize {
        let Self {
            cfg,
            s,
            slab,
            free,
            next_id,
            ..
        } = self;
        s.new_tracks.clear();
        for (j, d) in s.remaining.iter().map(|it| it.id).enumerate() {
            if s.matcher.col_matched(j) || s.rescued.get(j).copied().unwrap_or(false) {
                continue;
            }
            let det = &dets[d as usize];
            if !(det.score >= cfg.new_track_thresh) {
                continue;
            }
            // The slot's feature buffer is recycled (see `Track::feature`).
            let slot = free.pop();
            let feature = match slot {
                Some(slot) => std::mem::take(&mut slab[slot as usize].feature),
                None => Vec::new(),
            };
            let track = Track::new(det, d, now, *next_id, feature, cfg);
            *next_id += 1;
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
        s.new_tracks.len()
    }

    /// Lost tracks past the buffer (frames, or time with
    /// `max_lost_time_ns` and timestamps) are marked removed.
    pub(super) fn expire_lost(&mut self, now: Now) {
        let Self {
            cfg,
            slab,
            lost,
            max_lost,
            ..
        } = self;
        for &t in lost.iter() {
            let tr = &mut slab[t as usize];
            if tr.life == Life::Tracked {
                continue;
            }
            let expired = match (cfg.max_lost_time_ns, now.ts, tr.last_ts) {
                (Some(max), Some(now), Some(last)) => now.saturating_sub(last) > max,
                _ => now.frame - tr.frame_id > *max_lost,
            };
            if expired {
                tr.life = Life::Removed;
            }
        }
    }

    /// The tracked and lost lists of the next frame, in reference order
    /// (left in the scratch lists); removed tracks free their slot, and
    /// lost tracks marked removed stay listed one more frame. Returns how
    /// many tracks were dropped.
    pub(super) fn rebuild_lists(&mut self) -> usize {
        let Self {
            s,
            slab,
            free,
            tracked,
            lost,
            ..
        } = self;
        let mut removed = 0;
        s.next_tracked.clear();
        for &t in tracked.iter() {
            if slab[t as usize].life == Life::Tracked {
                s.next_tracked.push(t);
            } else if slab[t as usize].life == Life::Removed {
                free.push(t);
                removed += 1;
            }
        }
        s.next_tracked.extend_from_slice(&s.new_tracks);
        s.next_tracked.extend_from_slice(&s.refind);
        s.next_lost.clear();
        for &t in lost.iter().chain(s.new_lost.iter()) {
            let tr = &mut slab[t as usize];
            if tr.life == Life::Tracked {
                continue;
            }
            if tr.in_removed {
                free.push(t);
                removed += 1;
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
        removed
    }

    /// Duplicates between the next tracked and lost lists (`1 − IoU` below
    /// [`DUPLICATE_IOU_DISTANCE`]): of each pair the younger track is
    /// dropped. Then the next lists become the current ones. Returns how
    /// many tracks were dropped.
    pub(super) fn remove_duplicates(&mut self) -> usize {
        let mut removed = 0;
        if !self.s.next_lost.is_empty() && !self.s.next_tracked.is_empty() && self.mark_duplicates()
        {
            let Self { s, slab, free, .. } = self;
            for list in [&mut s.next_tracked, &mut s.next_lost] {
                list.retain(|&t| {
                    let tr = &mut slab[t as usize];
                    if tr.drop {
                        tr.drop = false;
                        free.push(t);
                        removed += 1;
                        false
                    } else {
                        true
                    }
                });
            }
        }
        std::mem::swap(&mut self.tracked, &mut self.s.next_tracked);
        std::mem::swap(&mut self.lost, &mut self.s.next_lost);
        removed
    }

    /// Marks (`Track::drop`) the younger track of every duplicate pair;
    /// returns whether there was one. Each pair is decided on its own.
    fn mark_duplicates(&mut self) -> bool {
        let Self { cfg, s, slab, .. } = self;
        let mut any = false;
        s.lost_boxes.clear();
        s.lost_boxes.extend(
            s.next_lost
                .iter()
                .map(|&q| Item::track(q, &slab[q as usize])),
        );
        let min_iou = 1.0 - DUPLICATE_IOU_DISTANCE;
        for &p in &s.next_tracked {
            let tp = &slab[p as usize];
            let (tlbr, area, class) = (tp.tlbr, tp.area, tp.class_id);
            let age_p = tp.frame_id - tp.start_frame;
            let lost = &s.lost_boxes;
            for_each_overlap(&tlbr, area, lost, min_iou, 1.0, |j, iou| {
                if 1.0 - iou < DUPLICATE_IOU_DISTANCE && !(cfg.per_class && lost[j].class != class)
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
        any
    }

    /// The activated tracked tracks with enough hits, then (with
    /// `output_lost`) the lost ones.
    pub(super) fn write_output(&self, out: &mut Vec<TrackOutput>) {
        let (cfg, slab) = (&self.cfg, &self.slab);
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
    }
}
