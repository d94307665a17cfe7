// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! HOTA, CLEAR and Identity metrics on a [`PreparedSequence`], and their
//! combination over sequences, following TrackEval's arithmetic.

use super::{PreparedFrame, PreparedSequence, EPS};
use crate::track::lsa::LsaWorkspace;
use serde::Serialize;

/// Number of HOTA localisation thresholds α.
pub const NUM_ALPHAS: usize = 19;

/// The HOTA thresholds α = 0.05, 0.10, …, 0.95, with the exact values of
/// `np.arange(0.05, 0.99, 0.05)`.
pub fn hota_alphas() -> [f64; NUM_ALPHAS] {
    let mut a = [0.0; NUM_ALPHAS];
    for (i, v) in a.iter_mut().enumerate() {
        *v = 0.05 + i as f64 * 0.05;
    }
    a
}

/// numpy's summation of a contiguous float64 array (pairwise, blocks of 8).
pub(crate) fn np_sum(a: &[f64]) -> f64 {
    fn pairwise(a: &[f64]) -> f64 {
        let n = a.len();
        if n < 8 {
            let mut res = 0.0;
            for &x in a {
                res += x;
            }
            res
        } else if n <= 128 {
            let mut r = [0.0; 8];
            r.copy_from_slice(&a[..8]);
            let mut i = 8;
            while i < n - n % 8 {
                for j in 0..8 {
                    r[j] += a[i + j];
                }
                i += 8;
            }
            let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            while i < n {
                res += a[i];
                i += 1;
            }
            res
        } else {
            let mut n2 = n / 2;
            n2 -= n2 % 8;
            pairwise(&a[..n2]) + pairwise(&a[n2..])
        }
    }
    0.0 + pairwise(a)
}

fn np_mean(a: &[f64]) -> f64 {
    np_sum(a) / a.len() as f64
}

/// Per-α HOTA counts of one sequence. `ass_*` and `loc_a` are that
/// sequence's final values (they are combined weighted by `tp`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HotaCounts {
    pub tp: [u64; NUM_ALPHAS],
    pub fn_: [u64; NUM_ALPHAS],
    pub fp: [u64; NUM_ALPHAS],
    pub ass_a: [f64; NUM_ALPHAS],
    pub ass_re: [f64; NUM_ALPHAS],
    pub ass_pr: [f64; NUM_ALPHAS],
    pub loc_a: [f64; NUM_ALPHAS],
}

/// CLEAR counts of one sequence (TrackEval's `CLR_*`, `IDSW`, `MT`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClearCounts {
    pub tp: u64,
    pub fn_: u64,
    pub fp: u64,
    pub idsw: u64,
    pub mt: u64,
    pub pt: u64,
    pub ml: u64,
    pub frag: u64,
    /// Sum of the IoU of the matches (MOTP numerator).
    pub motp_sum: f64,
    /// `CLR_Frames` (0 when the GT or the tracker is empty, as in TrackEval).
    pub frames: u64,
}

/// Identity counts of one sequence.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IdentityCounts {
    pub idtp: u64,
    pub idfn: u64,
    pub idfp: u64,
}

/// Everything needed to report a sequence or to combine it with others.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SequenceCounts {
    /// GT boxes evaluated (after preprocessing).
    pub gt_dets: u64,
    /// Tracker boxes evaluated (after distractor removal).
    pub tracker_dets: u64,
    pub gt_ids: u64,
    pub tracker_ids: u64,
    /// Tracker boxes removed because they matched a distractor.
    pub distractors_removed: u64,
    pub hota: HotaCounts,
    pub clear: ClearCounts,
    pub identity: IdentityCounts,
}

/// Scores of one sequence or of a combination. Ratios are fractions
/// (1.0 = 100 %); MOTA-like scores may be negative. HOTA-family scalars are
/// the mean over the 19 α values of the per-α arrays.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub hota: f64,
    pub deta: f64,
    pub assa: f64,
    pub detre: f64,
    pub detpr: f64,
    pub assre: f64,
    pub asspr: f64,
    pub loca: f64,
    pub rhota: f64,
    /// HOTA at α = 0.05, LocA at α = 0.05, and their product.
    pub hota0: f64,
    pub loca0: f64,
    pub hotaloca0: f64,
    pub hota_alpha: [f64; NUM_ALPHAS],
    pub deta_alpha: [f64; NUM_ALPHAS],
    pub assa_alpha: [f64; NUM_ALPHAS],
    pub loca_alpha: [f64; NUM_ALPHAS],

    pub mota: f64,
    pub motp: f64,
    pub moda: f64,
    pub smota: f64,
    pub motal: f64,
    pub clr_re: f64,
    pub clr_pr: f64,
    pub clr_f1: f64,
    pub mtr: f64,
    pub ptr: f64,
    pub mlr: f64,
    pub fp_per_frame: f64,

    pub idf1: f64,
    pub idr: f64,
    pub idp: f64,

    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
    pub idsw: u64,
    pub mt: u64,
    pub pt: u64,
    pub ml: u64,
    pub frag: u64,
    pub frames: u64,
    pub idtp: u64,
    pub idfp: u64,
    pub idfn: u64,
    pub gt_dets: u64,
    pub tracker_dets: u64,
    pub gt_ids: u64,
    pub tracker_ids: u64,
}

impl Metrics {
    /// The headline scores with the names and units of TrackEval's summary
    /// (ratios in percent): HOTA, DetA, AssA, MOTA, IDF1, IDSW, FP, FN and more.
    pub fn summary_json(&self) -> serde_json::Value {
        serde_json::json!({
            "HOTA": 100.0 * self.hota,
            "DetA": 100.0 * self.deta,
            "AssA": 100.0 * self.assa,
            "DetRe": 100.0 * self.detre,
            "DetPr": 100.0 * self.detpr,
            "AssRe": 100.0 * self.assre,
            "AssPr": 100.0 * self.asspr,
            "LocA": 100.0 * self.loca,
            "MOTA": 100.0 * self.mota,
            "MOTP": 100.0 * self.motp,
            "IDF1": 100.0 * self.idf1,
            "IDR": 100.0 * self.idr,
            "IDP": 100.0 * self.idp,
            "IDSW": self.idsw,
            "FP": self.fp,
            "FN": self.fn_,
            "TP": self.tp,
            "IDTP": self.idtp,
            "IDFP": self.idfp,
            "IDFN": self.idfn,
            "MT": self.mt,
            "PT": self.pt,
            "ML": self.ml,
            "Frag": self.frag,
            "GT_Dets": self.gt_dets,
            "Dets": self.tracker_dets,
            "GT_IDs": self.gt_ids,
            "IDs": self.tracker_ids,
        })
    }

    fn set_hota(&mut self, h: &HotaCounts) {
        let mut detre = [0.0; NUM_ALPHAS];
        let mut detpr = [0.0; NUM_ALPHAS];
        let mut rhota = [0.0; NUM_ALPHAS];
        for a in 0..NUM_ALPHAS {
            let (tp, fn_, fp) = (h.tp[a] as f64, h.fn_[a] as f64, h.fp[a] as f64);
            detre[a] = tp / (tp + fn_).max(1.0);
            detpr[a] = tp / (tp + fp).max(1.0);
            self.deta_alpha[a] = tp / (tp + fn_ + fp).max(1.0);
            self.assa_alpha[a] = h.ass_a[a];
            self.hota_alpha[a] = (self.deta_alpha[a] * h.ass_a[a]).sqrt();
            rhota[a] = (detre[a] * h.ass_a[a]).sqrt();
            self.loca_alpha[a] = h.loc_a[a];
        }
        self.hota = np_mean(&self.hota_alpha);
        self.deta = np_mean(&self.deta_alpha);
        self.assa = np_mean(&h.ass_a);
        self.detre = np_mean(&detre);
        self.detpr = np_mean(&detpr);
        self.assre = np_mean(&h.ass_re);
        self.asspr = np_mean(&h.ass_pr);
        self.loca = np_mean(&h.loc_a);
        self.rhota = np_mean(&rhota);
        self.hota0 = self.hota_alpha[0];
        self.loca0 = h.loc_a[0];
        self.hotaloca0 = self.hota0 * self.loca0;
    }

    fn set_clear(&mut self, c: &ClearCounts) {
        let (tp, fn_, fp, idsw) = (c.tp as f64, c.fn_ as f64, c.fp as f64, c.idsw as f64);
        let num_gt_ids = (c.mt + c.pt + c.ml) as f64;
        self.mtr = c.mt as f64 / num_gt_ids.max(1.0);
        self.ptr = c.pt as f64 / num_gt_ids.max(1.0);
        self.mlr = c.ml as f64 / num_gt_ids.max(1.0);
        self.clr_re = tp / (tp + fn_).max(1.0);
        self.clr_pr = tp / (tp + fp).max(1.0);
        self.moda = (tp - fp) / (tp + fn_).max(1.0);
        self.mota = (tp - fp - idsw) / (tp + fn_).max(1.0);
        self.motp = c.motp_sum / tp.max(1.0);
        self.smota = (c.motp_sum - fp - idsw) / (tp + fn_).max(1.0);
        self.clr_f1 = tp / (tp + 0.5 * fn_ + 0.5 * fp).max(1.0);
        self.fp_per_frame = fp / (c.frames as f64).max(1.0);
        let log_idsw = if c.idsw > 0 { idsw.log10() } else { 0.0 };
        self.motal = (tp - fp - log_idsw) / (tp + fn_).max(1.0);
        self.tp = c.tp;
        self.fp = c.fp;
        self.fn_ = c.fn_;
        self.idsw = c.idsw;
        self.mt = c.mt;
        self.pt = c.pt;
        self.ml = c.ml;
        self.frag = c.frag;
        self.frames = c.frames;
    }

    fn set_identity(&mut self, i: &IdentityCounts) {
        let (tp, fn_, fp) = (i.idtp as f64, i.idfn as f64, i.idfp as f64);
        self.idr = tp / (tp + fn_).max(1.0);
        self.idp = tp / (tp + fp).max(1.0);
        self.idf1 = tp / (tp + 0.5 * fp + 0.5 * fn_).max(1.0);
        self.idtp = i.idtp;
        self.idfn = i.idfn;
        self.idfp = i.idfp;
    }
}

impl SequenceCounts {
    /// This sequence's scores, as TrackEval reports them per sequence.
    pub fn metrics(&self) -> Metrics {
        let mut m = Metrics {
            gt_dets: self.gt_dets,
            tracker_dets: self.tracker_dets,
            gt_ids: self.gt_ids,
            tracker_ids: self.tracker_ids,
            ..Metrics::default()
        };
        m.set_hota(&self.hota);
        m.set_clear(&self.clear);
        if self.gt_dets == 0 || self.tracker_dets == 0 {
            // TrackEval returns early here without computing the CLEAR ratios.
            m.mtr = 0.0;
            m.ptr = 0.0;
            m.mlr = 1.0;
            m.clr_re = 0.0;
            m.clr_pr = 0.0;
            m.moda = 0.0;
            m.mota = 0.0;
            m.motp = 0.0;
            m.smota = 0.0;
            m.clr_f1 = 0.0;
            m.fp_per_frame = 0.0;
            m.motal = 0.0;
        }
        m.set_identity(&self.identity);
        m
    }
}

/// Scores over several sequences, as TrackEval's `COMBINED_SEQ`: counts are
/// summed, AssA/AssRe/AssPr/LocA are averaged per α weighted by the per-α
/// true positives, everything else is recomputed from the sums.
pub fn combine(seqs: &[SequenceCounts]) -> Metrics {
    let mut h = HotaCounts::default();
    let mut c = ClearCounts::default();
    let mut i = IdentityCounts::default();
    let mut m = Metrics::default();
    let mut ass = [[0.0; NUM_ALPHAS]; 3];
    let mut loc = [0.0; NUM_ALPHAS];
    for s in seqs {
        for a in 0..NUM_ALPHAS {
            h.tp[a] += s.hota.tp[a];
            h.fn_[a] += s.hota.fn_[a];
            h.fp[a] += s.hota.fp[a];
            let w = s.hota.tp[a] as f64;
            ass[0][a] += s.hota.ass_a[a] * w;
            ass[1][a] += s.hota.ass_re[a] * w;
            ass[2][a] += s.hota.ass_pr[a] * w;
            loc[a] += s.hota.loc_a[a] * w;
        }
        c.tp += s.clear.tp;
        c.fn_ += s.clear.fn_;
        c.fp += s.clear.fp;
        c.idsw += s.clear.idsw;
        c.mt += s.clear.mt;
        c.pt += s.clear.pt;
        c.ml += s.clear.ml;
        c.frag += s.clear.frag;
        c.motp_sum += s.clear.motp_sum;
        c.frames += s.clear.frames;
        i.idtp += s.identity.idtp;
        i.idfn += s.identity.idfn;
        i.idfp += s.identity.idfp;
        m.gt_dets += s.gt_dets;
        m.tracker_dets += s.tracker_dets;
        m.gt_ids += s.gt_ids;
        m.tracker_ids += s.tracker_ids;
    }
    for a in 0..NUM_ALPHAS {
        let tp = h.tp[a] as f64;
        h.ass_a[a] = ass[0][a] / tp.max(1.0);
        h.ass_re[a] = ass[1][a] / tp.max(1.0);
        h.ass_pr[a] = ass[2][a] / tp.max(1.0);
        h.loc_a[a] = loc[a].max(1e-10) / tp.max(1e-10);
    }
    m.set_hota(&h);
    m.set_clear(&c);
    m.set_identity(&i);
    m
}

/// Step 5 of the protocol: all metrics of a prepared sequence.
pub fn evaluate_prepared(seq: &PreparedSequence) -> SequenceCounts {
    let mut ws = LsaWorkspace::default();
    SequenceCounts {
        gt_dets: seq.num_gt_dets as u64,
        tracker_dets: seq.num_tracker_dets as u64,
        gt_ids: seq.num_gt_ids as u64,
        tracker_ids: seq.num_tracker_ids as u64,
        distractors_removed: seq.distractors_removed as u64,
        hota: hota(seq, &mut ws),
        clear: clear(seq, &mut ws),
        identity: identity(seq, &mut ws),
    }
}

/// CLEAR MOT at IoU 0.5. A GT id keeps the tracker id it had in the previous
/// frame if still possible (bonus 1000 in the assignment), then IoU decides.
fn clear(seq: &PreparedSequence, ws: &mut LsaWorkspace) -> ClearCounts {
    let mut res = ClearCounts::default();
    if seq.num_tracker_dets == 0 {
        res.fn_ = seq.num_gt_dets as u64;
        res.ml = seq.num_gt_ids as u64;
        return res;
    }
    if seq.num_gt_dets == 0 {
        res.fp = seq.num_tracker_dets as u64;
        return res;
    }
    let mut state = ClearState::new(seq.num_gt_ids);
    for f in &seq.frames {
        state.frame(f, ws, &mut res);
    }
    state.finish(&mut res);
    res.frames = seq.num_frames;
    res
}

/// What CLEAR tracks across frames, per GT id.
struct ClearState {
    gt_id_count: Vec<u64>,
    gt_matched_count: Vec<u64>,
    gt_frag_count: Vec<u64>,
    /// Last tracker id matched to each GT id (any time before), and the
    /// tracker id matched in the previous frame that had both GT and
    /// tracker boxes.
    prev_tracker_id: Vec<Option<usize>>,
    prev_step_tracker_id: Vec<Option<usize>>,
    prev_step_set: Vec<usize>,
    cost: Vec<f64>,
    assignment: Vec<Option<usize>>,
    matches: Vec<(usize, usize)>,
}

impl ClearState {
    fn new(g: usize) -> Self {
        ClearState {
            gt_id_count: vec![0u64; g],
            gt_matched_count: vec![0u64; g],
            gt_frag_count: vec![0u64; g],
            prev_tracker_id: vec![None; g],
            prev_step_tracker_id: vec![None; g],
            prev_step_set: Vec::new(),
            cost: Vec::new(),
            assignment: Vec::new(),
            matches: Vec::new(),
        }
    }

    /// One frame: its matches, then the counts.
    fn frame(&mut self, f: &PreparedFrame, ws: &mut LsaWorkspace, res: &mut ClearCounts) {
        let (ng, nt) = (f.gt_ids.len(), f.tracker_ids.len());
        if ng == 0 {
            res.fp += nt as u64;
            return;
        }
        if nt == 0 {
            res.fn_ += ng as u64;
            for &gid in &f.gt_ids {
                self.gt_id_count[gid] += 1;
            }
            return;
        }
        self.match_frame(f, ws);
        self.count_frame(f, res);
    }

    /// The frame's matches (IoU ≥ 0.5, previous pairs preferred).
    fn match_frame(&mut self, f: &PreparedFrame, ws: &mut LsaWorkspace) {
        let (ng, nt) = (f.gt_ids.len(), f.tracker_ids.len());
        let prev_step = &self.prev_step_tracker_id;
        let score = |i: usize, j: usize| {
            let s = f.similarity[i * nt + j];
            if s < 0.5 - EPS {
                0.0
            } else if prev_step[f.gt_ids[i]] == Some(f.tracker_ids[j]) {
                1000.0 + s
            } else {
                s
            }
        };
        self.cost.clear();
        for i in 0..ng {
            for j in 0..nt {
                self.cost.push(-score(i, j));
            }
        }
        ws.solve(&self.cost, ng, nt, &mut self.assignment)
            .expect("finite cost matrix");
        self.matches.clear();
        for (i, col) in self.assignment.iter().enumerate() {
            if let Some(j) = *col {
                if score(i, j) > EPS {
                    self.matches.push((i, j));
                }
            }
        }
    }

    /// ID switches, fragments and TP/FN/FP of the frame's matches.
    fn count_frame(&mut self, f: &PreparedFrame, res: &mut ClearCounts) {
        let (ng, nt) = (f.gt_ids.len(), f.tracker_ids.len());
        for &(i, j) in &self.matches {
            let (gid, tid) = (f.gt_ids[i], f.tracker_ids[j]);
            if matches!(self.prev_tracker_id[gid], Some(p) if p != tid) {
                res.idsw += 1;
            }
        }
        for &gid in &f.gt_ids {
            self.gt_id_count[gid] += 1;
        }
        let mut motp = 0.0;
        for &(i, j) in &self.matches {
            let gid = f.gt_ids[i];
            self.gt_matched_count[gid] += 1;
            self.prev_tracker_id[gid] = Some(f.tracker_ids[j]);
            motp += f.similarity[i * nt + j];
        }
        // Newly tracked GT ids (not matched in the previous step) start a fragment.
        let newly: Vec<bool> = self
            .matches
            .iter()
            .map(|&(i, _)| self.prev_step_tracker_id[f.gt_ids[i]].is_none())
            .collect();
        for &gid in &self.prev_step_set {
            self.prev_step_tracker_id[gid] = None;
        }
        self.prev_step_set.clear();
        for (&(i, j), &new) in self.matches.iter().zip(&newly) {
            let gid = f.gt_ids[i];
            self.prev_step_tracker_id[gid] = Some(f.tracker_ids[j]);
            self.prev_step_set.push(gid);
            if new {
                self.gt_frag_count[gid] += 1;
            }
        }
        let m = self.matches.len() as u64;
        res.tp += m;
        res.fn_ += ng as u64 - m;
        res.fp += nt as u64 - m;
        if m > 0 {
            res.motp_sum += motp;
        }
    }

    /// Mostly tracked / partly tracked / mostly lost and fragmentations.
    fn finish(&self, res: &mut ClearCounts) {
        let g = self.gt_id_count.len();
        for gid in 0..g {
            if self.gt_id_count[gid] > 0 {
                let ratio = self.gt_matched_count[gid] as f64 / self.gt_id_count[gid] as f64;
                if ratio > 0.8 {
                    res.mt += 1;
                } else if ratio >= 0.2 {
                    res.pt += 1;
                }
            }
            if self.gt_frag_count[gid] > 0 {
                res.frag += self.gt_frag_count[gid] - 1;
            }
        }
        res.ml = g as u64 - res.mt - res.pt;
    }
}

/// IDF1: the best one-to-one matching of GT ids and tracker ids, counting for
/// each pair the frames where their boxes overlap with IoU ≥ 0.5.
fn identity(seq: &PreparedSequence, ws: &mut LsaWorkspace) -> IdentityCounts {
    let mut res = IdentityCounts::default();
    if seq.num_tracker_dets == 0 {
        res.idfn = seq.num_gt_dets as u64;
        return res;
    }
    if seq.num_gt_dets == 0 {
        res.idfp = seq.num_tracker_dets as u64;
        return res;
    }
    let (g, t) = (seq.num_gt_ids, seq.num_tracker_ids);
    let mut potential = vec![0u64; g * t];
    for f in &seq.frames {
        let nt = f.tracker_ids.len();
        for (i, &gid) in f.gt_ids.iter().enumerate() {
            for (j, &tid) in f.tracker_ids.iter().enumerate() {
                if f.similarity[i * nt + j] >= 0.5 {
                    potential[gid * t + tid] += 1;
                }
            }
        }
    }
    // TrackEval solves the equivalent (g+t)×(g+t) problem that minimises
    // IDFN + IDFP; its optimum is this maximum-overlap matching.
    let cost: Vec<f64> = potential.iter().map(|&c| -(c as f64)).collect();
    let mut assignment = Vec::new();
    ws.solve(&cost, g, t, &mut assignment)
        .expect("finite cost matrix");
    let idtp: u64 = assignment
        .iter()
        .enumerate()
        .filter_map(|(i, col)| col.map(|j| potential[i * t + j]))
        .sum();
    res.idtp = idtp;
    res.idfn = seq.num_gt_dets as u64 - idtp;
    res.idfp = seq.num_tracker_dets as u64 - idtp;
    res
}

/// HOTA for the 19 α values.
fn hota(seq: &PreparedSequence, ws: &mut LsaWorkspace) -> HotaCounts {
    let mut res = HotaCounts::default();
    if seq.num_tracker_dets == 0 {
        res.fn_ = [seq.num_gt_dets as u64; NUM_ALPHAS];
        res.loc_a = [1.0; NUM_ALPHAS];
        return res;
    }
    if seq.num_gt_dets == 0 {
        res.fp = [seq.num_tracker_dets as u64; NUM_ALPHAS];
        res.loc_a = [1.0; NUM_ALPHAS];
        return res;
    }
    let alphas = hota_alphas();
    let align = IdAlignment::new(seq);
    let (g, t) = (seq.num_gt_ids, seq.num_tracker_ids);
    let mut matches_counts = vec![0u32; NUM_ALPHAS * g * t];
    let mut loc = [0.0f64; NUM_ALPHAS];
    let mut cost = Vec::new();
    let mut assignment = Vec::new();
    for f in &seq.frames {
        let (ng, nt) = (f.gt_ids.len(), f.tracker_ids.len());
        if ng == 0 {
            for fp in res.fp.iter_mut() {
                *fp += nt as u64;
            }
            continue;
        }
        if nt == 0 {
            for fn_ in res.fn_.iter_mut() {
                *fn_ += ng as u64;
            }
            continue;
        }
        cost.clear();
        for (i, &gid) in f.gt_ids.iter().enumerate() {
            for (j, &tid) in f.tracker_ids.iter().enumerate() {
                cost.push(-(align.global[gid * t + tid] * f.similarity[i * nt + j]));
            }
        }
        ws.solve(&cost, ng, nt, &mut assignment)
            .expect("finite cost matrix");
        count_alpha_matches(
            f,
            &assignment,
            &alphas,
            t,
            &mut matches_counts,
            &mut loc,
            &mut res,
        );
    }
    association_scores(&align, &matches_counts, &loc, &mut res);
    res
}

/// HOTA's global alignment between ids: per frame, each pair gets its IoU
/// divided by (row sum + column sum − IoU) of the frame's IoU matrix; the
/// sums over frames, normalised by the ids' frame counts.
struct IdAlignment {
    /// `g × t` alignment scores.
    global: Vec<f64>,
    /// Frames per GT id and per tracker id.
    gt_id_count: Vec<f64>,
    tracker_id_count: Vec<f64>,
}

impl IdAlignment {
    fn new(seq: &PreparedSequence) -> Self {
        let (g, t) = (seq.num_gt_ids, seq.num_tracker_ids);
        let mut potential = vec![0.0f64; g * t];
        let mut gt_id_count = vec![0.0f64; g];
        let mut tracker_id_count = vec![0.0f64; t];
        let mut col_sum = Vec::new();
        let mut row_sum = Vec::new();
        for f in &seq.frames {
            let (ng, nt) = (f.gt_ids.len(), f.tracker_ids.len());
            if ng > 0 && nt > 0 {
                col_sum.clear();
                col_sum.resize(nt, 0.0);
                row_sum.clear();
                for i in 0..ng {
                    let row = &f.similarity[i * nt..(i + 1) * nt];
                    for (c, &s) in col_sum.iter_mut().zip(row) {
                        *c += s;
                    }
                    row_sum.push(np_sum(row));
                }
                for (i, &gid) in f.gt_ids.iter().enumerate() {
                    for (j, &tid) in f.tracker_ids.iter().enumerate() {
                        let s = f.similarity[i * nt + j];
                        let denom = col_sum[j] + row_sum[i] - s;
                        let v = if denom > EPS { s / denom } else { 0.0 };
                        potential[gid * t + tid] += v;
                    }
                }
            }
            for &gid in &f.gt_ids {
                gt_id_count[gid] += 1.0;
            }
            for &tid in &f.tracker_ids {
                tracker_id_count[tid] += 1.0;
            }
        }
        let mut global = vec![0.0f64; g * t];
        for gid in 0..g {
            for tid in 0..t {
                let p = potential[gid * t + tid];
                global[gid * t + tid] = p / (gt_id_count[gid] + tracker_id_count[tid] - p);
            }
        }
        IdAlignment {
            global,
            gt_id_count,
            tracker_id_count,
        }
    }
}

/// Per α (of `alphas`), the matches of one frame's assignment with IoU ≥ α: TP/FN/FP,
/// the localisation sum and the per-pair match counts (`t` tracker ids).
fn count_alpha_matches(
    f: &PreparedFrame,
    assignment: &[Option<usize>],
    alphas: &[f64; NUM_ALPHAS],
    t: usize,
    matches_counts: &mut [u32],
    loc: &mut [f64; NUM_ALPHAS],
    res: &mut HotaCounts,
) {
    let (ng, nt) = (f.gt_ids.len(), f.tracker_ids.len());
    let g_t = matches_counts.len() / NUM_ALPHAS;
    for (a, &alpha) in alphas.iter().enumerate() {
        let mut n = 0u64;
        let mut loc_sum = 0.0;
        for (i, col) in assignment.iter().enumerate() {
            if let Some(j) = *col {
                let s = f.similarity[i * nt + j];
                if s >= alpha - EPS {
                    n += 1;
                    loc_sum += s;
                    let (gid, tid) = (f.gt_ids[i], f.tracker_ids[j]);
                    matches_counts[a * g_t + gid * t + tid] += 1;
                }
            }
        }
        res.tp[a] += n;
        res.fn_[a] += ng as u64 - n;
        res.fp[a] += nt as u64 - n;
        if n > 0 {
            loc[a] += loc_sum;
        }
    }
}

/// AssA, AssRe, AssPr and LocA per α from the match counts.
fn association_scores(
    align: &IdAlignment,
    matches_counts: &[u32],
    loc: &[f64; NUM_ALPHAS],
    res: &mut HotaCounts,
) {
    let (g, t) = (align.gt_id_count.len(), align.tracker_id_count.len());
    let mut prod_a = vec![0.0f64; g * t];
    let mut prod_re = vec![0.0f64; g * t];
    let mut prod_pr = vec![0.0f64; g * t];
    for a in 0..NUM_ALPHAS {
        let mc = &matches_counts[a * g * t..(a + 1) * g * t];
        for (gid, &gc) in align.gt_id_count.iter().enumerate() {
            for (tid, &tc) in align.tracker_id_count.iter().enumerate() {
                let k = gid * t + tid;
                let m = mc[k] as f64;
                prod_a[k] = m * (m / (gc + tc - m).max(1.0));
                prod_re[k] = m * (m / gc.max(1.0));
                prod_pr[k] = m * (m / tc.max(1.0));
            }
        }
        let tp = (res.tp[a] as f64).max(1.0);
        res.ass_a[a] = np_sum(&prod_a) / tp;
        res.ass_re[a] = np_sum(&prod_re) / tp;
        res.ass_pr[a] = np_sum(&prod_pr) / tp;
        res.loc_a[a] = loc[a].max(1e-10) / (res.tp[a] as f64).max(1e-10);
    }
}
