// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! MOTChallenge evaluation with the official protocol of TrackEval
//! (`MotChallenge2DBox` dataset + `HOTA`, `CLEAR` and `Identity` metrics).
//!
//! Pipeline for one sequence ([`evaluate_sequence`]):
//!
//! 1. Rows are grouped by frame, keeping file order inside a frame (the order
//!    decides between equally good assignments, as in TrackEval). An id that
//!    appears twice in one frame is an error, for the tracker and for the GT.
//! 2. IoU between every GT box and every tracker box of the frame, on
//!    continuous `x, y, w, h` (no "+1" pixel convention,
//!    [`crate::geometry::iou_tlwh`]).
//! 3. Preprocessing. MOT16/17/20: tracker boxes matched (Hungarian, IoU ≥ 0.5)
//!    to a GT box of a distractor class (2 person on vehicle, 7 static person,
//!    8 distractor, 12 reflection; MOT20 adds 6 non-motorized vehicle) are
//!    removed; then only GT rows of class 1 with flag ≠ 0 are kept.
//!    MOT15: no distractor step, GT rows with flag 0 are dropped, every tracker
//!    box counts (MOT15 files have no class column).
//! 4. GT ids and tracker ids are relabelled to `0..n` in increasing id order.
//! 5. CLEAR (MOTA, MOTP, IDSW, FP, FN, MT/PT/ML, Frag) and Identity (IDF1) at
//!    IoU 0.5, HOTA averaged over α = 0.05, 0.10, …, 0.95.
//!
//! The result of a sequence is a [`SequenceCounts`], from which
//! [`SequenceCounts::metrics`] gives that sequence's scores and [`combine`]
//! gives the scores over several sequences (counts summed, HOTA's AssA and LocA
//! averaged weighted by the per-α true positives), exactly as TrackEval's
//! `COMBINED_SEQ` row. All ratios in [`Metrics`] are fractions (1.0 = 100 %).
//!
//! Steps 4-5 work on a [`PreparedSequence`], a plain list of frames holding
//! relabelled ids and IoU matrices. The cross-camera evaluation
//! ([`evaluate_cross_camera`], [`evaluate_cameras`]) builds one such sequence
//! from the frames of all cameras of a scene, one camera after the other,
//! with ids relabelled over all cameras (global ids); see [`cross_camera`].
//!
//! All assignments use [`crate::track::lsa`], which follows SciPy's
//! `linear_sum_assignment` step by step, so ties are broken the same way.

pub mod cross_camera;
mod io;
mod metrics;
#[cfg(test)]
mod tests;

pub use cross_camera::{
    evaluate_cameras, evaluate_cross_camera, CameraFiles, CameraSequence, CameraStats,
    CrossCameraCounts, CrossCameraStats, SequenceLength,
};
pub use io::{
    load_gt, load_jsonl_results, load_results, load_seq_length, parse_gt, parse_jsonl_results,
    parse_results, GtRow, JsonlCounts, ResultRow,
};
pub use metrics::{
    combine, evaluate_prepared, hota_alphas, ClearCounts, HotaCounts, IdentityCounts, Metrics,
    SequenceCounts, NUM_ALPHAS,
};

use crate::geometry::iou_tlwh;
use crate::io::mot::ParseError;
use crate::track::lsa::LsaWorkspace;
use std::collections::BTreeMap;
use std::fmt;

/// `np.finfo(float).eps`, the tolerance TrackEval uses in its comparisons.
pub(crate) const EPS: f64 = f64::EPSILON;

/// Which MOTChallenge protocol to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Benchmark {
    /// MOT16 / MOT17: distractor removal, GT class 1 with flag ≠ 0.
    Mot17,
    /// MOT20: as MOT17, class 6 (non-motorized vehicle) is also a distractor.
    Mot20,
    /// MOT15: no distractor step, GT rows with flag 0 dropped, no classes.
    Mot15,
}

impl Benchmark {
    /// Name as TrackEval's `BENCHMARK` option.
    pub fn name(self) -> &'static str {
        match self {
            Benchmark::Mot17 => "MOT17",
            Benchmark::Mot20 => "MOT20",
            Benchmark::Mot15 => "MOT15",
        }
    }

    /// Whether tracker boxes on distractors are removed and GT is filtered by class.
    pub fn has_classes(self) -> bool {
        self != Benchmark::Mot15
    }

    /// GT classes whose matched tracker boxes are removed.
    pub fn distractor_classes(self) -> &'static [i64] {
        match self {
            Benchmark::Mot17 => &[2, 7, 8, 12],
            Benchmark::Mot20 => &[2, 6, 7, 8, 12],
            Benchmark::Mot15 => &[],
        }
    }
}

impl std::str::FromStr for Benchmark {
    type Err = UnknownBenchmark;
    fn from_str(s: &str) -> Result<Self, UnknownBenchmark> {
        match s.to_ascii_uppercase().as_str() {
            "MOT17" | "MOT16" => Ok(Benchmark::Mot17),
            "MOT20" => Ok(Benchmark::Mot20),
            "MOT15" => Ok(Benchmark::Mot15),
            _ => Err(UnknownBenchmark {
                name: s.to_string(),
            }),
        }
    }
}

/// A benchmark name that [`Benchmark`]'s `from_str` does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownBenchmark {
    /// The name as given.
    pub name: String,
}

impl fmt::Display for UnknownBenchmark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown benchmark '{}' (expected MOT17, MOT16, MOT20 or MOT15)",
            self.name
        )
    }
}

impl std::error::Error for UnknownBenchmark {}

impl fmt::Display for Benchmark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Errors of loading and evaluation. Loader errors name the file and line;
/// errors raised by [`evaluate_sequence`] name the frame (they have no file).
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// A file could not be read.
    Io { path: String, message: String },
    /// A malformed line (or a repeated id in a frame) of a named file.
    Parse(ParseError),
    /// The same id twice in one frame (`what` is "tracker" or "ground-truth").
    DuplicateId {
        what: &'static str,
        frame: u64,
        id: i64,
    },
    /// A tracker row with a class other than pedestrian (column 8 > 1).
    TrackerClass { frame: u64, class: i64 },
    /// A GT class outside 1..=13 (MOT16/17/20 only).
    GtClass { frame: u64, class: i64 },
    /// A frame number outside `1..=num_frames` (`seqLength` of `seqinfo.ini`).
    FrameOutOfRange {
        what: &'static str,
        frame: u64,
        num_frames: u64,
    },
    /// An error of one camera of a cross-camera evaluation.
    Camera {
        camera: String,
        error: Box<EvalError>,
    },
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Io { path, message } => write!(f, "{path}: {message}"),
            EvalError::Parse(e) => write!(f, "{e}"),
            EvalError::DuplicateId { what, frame, id } => {
                write!(f, "{what} id {id} appears more than once in frame {frame}")
            }
            EvalError::TrackerClass { frame, class } => write!(
                f,
                "tracker row of class {class} in frame {frame}: only pedestrians (-1 or 1) can be evaluated"
            ),
            EvalError::GtClass { frame, class } => {
                write!(f, "invalid ground-truth class {class} in frame {frame}")
            }
            EvalError::FrameOutOfRange {
                what,
                frame,
                num_frames,
            } => write!(
                f,
                "{what} frame {frame} is outside the sequence (1..={num_frames})"
            ),
            EvalError::Camera { camera, error } => write!(f, "camera {camera}: {error}"),
        }
    }
}

impl std::error::Error for EvalError {}

/// One frame after preprocessing: relabelled ids and the IoU matrix
/// (`gt_ids.len() × tracker_ids.len()`, row-major, GT rows).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreparedFrame {
    pub gt_ids: Vec<usize>,
    pub tracker_ids: Vec<usize>,
    pub similarity: Vec<f64>,
}

/// A sequence ready for the metrics. Ids are `0..num_gt_ids` and
/// `0..num_tracker_ids`; frames without any box may be left out (they do not
/// change any metric), the others must be in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreparedSequence {
    pub frames: Vec<PreparedFrame>,
    pub num_gt_ids: usize,
    pub num_tracker_ids: usize,
    pub num_gt_dets: usize,
    pub num_tracker_dets: usize,
    /// Length of the sequence in frames (only reported, as `CLR_Frames`).
    pub num_frames: u64,
    /// Tracker boxes removed because they matched a distractor.
    pub distractors_removed: usize,
}

fn check_duplicates(what: &'static str, frame: u64, ids: &mut [i64]) -> Result<(), EvalError> {
    ids.sort_unstable();
    for w in ids.windows(2) {
        if w[0] == w[1] {
            return Err(EvalError::DuplicateId {
                what,
                frame,
                id: w[0],
            });
        }
    }
    Ok(())
}

fn relabel(ids: impl Iterator<Item = i64>) -> BTreeMap<i64, usize> {
    let mut map: BTreeMap<i64, usize> = ids.map(|id| (id, 0)).collect();
    for (i, v) in map.values_mut().enumerate() {
        *v = i;
    }
    map
}

/// One frame after steps 1-3, with the ids of the files.
#[derive(Debug, Clone)]
struct FilteredFrame {
    gt_ids: Vec<i64>,
    tracker_ids: Vec<i64>,
    similarity: Vec<f64>,
}

/// A sequence after steps 1-3: the frames that still hold a box, in time
/// order, ids not yet relabelled.
#[derive(Debug, Clone)]
struct FilteredSequence {
    frames: Vec<FilteredFrame>,
    num_frames: u64,
    distractors_removed: usize,
}

/// Steps 1-4 of the protocol: validation, IoU, distractor removal, GT
/// filtering and id relabelling. `num_frames` (the `seqLength`), if given,
/// makes frames beyond it an error; otherwise the last frame present is used.
pub fn prepare_sequence(
    gt: &[GtRow],
    results: &[ResultRow],
    benchmark: Benchmark,
    num_frames: Option<u64>,
) -> Result<PreparedSequence, EvalError> {
    let part = filter_sequence(gt, results, benchmark, num_frames)?;
    Ok(relabel_sequences(vec![part]))
}

/// Steps 1-3 of the protocol for one sequence.
fn filter_sequence(
    gt: &[GtRow],
    results: &[ResultRow],
    benchmark: Benchmark,
    num_frames: Option<u64>,
) -> Result<FilteredSequence, EvalError> {
    let mut by_frame: BTreeMap<u64, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (i, g) in gt.iter().enumerate() {
        by_frame.entry(g.frame).or_default().0.push(i);
    }
    for (i, r) in results.iter().enumerate() {
        by_frame.entry(r.frame).or_default().1.push(i);
    }
    let last = by_frame.keys().next_back().copied().unwrap_or(0);
    if let Some(n) = num_frames {
        check_frame_range(gt, results, n)?;
    }
    let mut filter = FrameFilter {
        gt,
        results,
        benchmark,
        ws: LsaWorkspace::default(),
        assignment: Vec::new(),
        cost: Vec::new(),
        ids: Vec::new(),
        distractors_removed: 0,
    };
    let mut kept: Vec<FilteredFrame> = Vec::with_capacity(by_frame.len());
    for (&frame, (gi, ti)) in &by_frame {
        if let Some(f) = filter.frame(frame, gi, ti)? {
            kept.push(f);
        }
    }
    Ok(FilteredSequence {
        frames: kept,
        num_frames: num_frames.unwrap_or(last),
        distractors_removed: filter.distractors_removed,
    })
}

/// Frames outside `1..=n` (GT first, then tracker) are an error.
fn check_frame_range(gt: &[GtRow], results: &[ResultRow], n: u64) -> Result<(), EvalError> {
    let out = |what, frame| EvalError::FrameOutOfRange {
        what,
        frame,
        num_frames: n,
    };
    if let Some(g) = gt.iter().find(|g| g.frame == 0 || g.frame > n) {
        return Err(out("ground-truth", g.frame));
    }
    if let Some(r) = results.iter().find(|r| r.frame == 0 || r.frame > n) {
        return Err(out("tracker", r.frame));
    }
    Ok(())
}

/// Steps 1-3 frame by frame, with the buffers kept between frames.
struct FrameFilter<'a> {
    gt: &'a [GtRow],
    results: &'a [ResultRow],
    benchmark: Benchmark,
    ws: LsaWorkspace,
    assignment: Vec<Option<usize>>,
    cost: Vec<f64>,
    ids: Vec<i64>,
    /// Tracker boxes removed so far because they matched a distractor.
    distractors_removed: usize,
}

impl FrameFilter<'_> {
    /// One frame: the GT rows `gi` and tracker rows `ti` (indices). `None`
    /// when no box is left.
    fn frame(
        &mut self,
        frame: u64,
        gi: &[usize],
        ti: &[usize],
    ) -> Result<Option<FilteredFrame>, EvalError> {
        let (gt, results) = (self.gt, self.results);
        self.ids.clear();
        self.ids.extend(ti.iter().map(|&i| results[i].id));
        check_duplicates("tracker", frame, &mut self.ids)?;
        self.ids.clear();
        self.ids.extend(gi.iter().map(|&i| gt[i].id));
        check_duplicates("ground-truth", frame, &mut self.ids)?;
        if let Some(r) = ti.iter().map(|&i| &results[i]).find(|r| r.class > 1) {
            return Err(EvalError::TrackerClass {
                frame,
                class: r.class,
            });
        }
        let (ng, nt) = (gi.len(), ti.len());
        let mut sim = Vec::with_capacity(ng * nt);
        for &g in gi {
            let g = &gt[g];
            for &t in ti {
                let t = &results[t];
                sim.push(iou_tlwh([g.x, g.y, g.w, g.h], [t.x, t.y, t.w, t.h]));
            }
        }
        let keep_tracker = self.distractor_mask(frame, gi, nt, &sim)?;
        let has_classes = self.benchmark.has_classes();
        let keep_gt: Vec<bool> = gi
            .iter()
            .map(|&i| gt[i].flag != 0 && (!has_classes || gt[i].class == 1))
            .collect();
        Ok(select(gi, ti, gt, results, &keep_gt, &keep_tracker, &sim))
    }

    /// Step 3 (MOT16/17/20): which tracker boxes stay, those matched
    /// (Hungarian, IoU ≥ 0.5) to a GT box of a distractor class being
    /// removed. An invalid GT class is an error.
    fn distractor_mask(
        &mut self,
        frame: u64,
        gi: &[usize],
        nt: usize,
        sim: &[f64],
    ) -> Result<Vec<bool>, EvalError> {
        let gt = self.gt;
        let ng = gi.len();
        let mut keep_tracker = vec![true; nt];
        if !(self.benchmark.has_classes() && ng > 0 && nt > 0) {
            return Ok(keep_tracker);
        }
        if let Some(g) = gi
            .iter()
            .map(|&i| &gt[i])
            .find(|g| !(1..=13).contains(&g.class))
        {
            return Err(EvalError::GtClass {
                frame,
                class: g.class,
            });
        }
        let distractors = self.benchmark.distractor_classes();
        let score = |s: f64| if s < 0.5 - EPS { 0.0 } else { s };
        self.cost.clear();
        self.cost.extend(sim.iter().map(|&s| -score(s)));
        self.ws
            .solve(&self.cost, ng, nt, &mut self.assignment)
            .expect("finite cost matrix");
        for (a, col) in self.assignment.iter().enumerate() {
            if let Some(b) = *col {
                if score(sim[a * nt + b]) > EPS && distractors.contains(&gt[gi[a]].class) {
                    keep_tracker[b] = false;
                    self.distractors_removed += 1;
                }
            }
        }
        Ok(keep_tracker)
    }
}

/// The kept GT and tracker boxes of a frame and their IoU submatrix;
/// `None` when none is kept.
fn select(
    gi: &[usize],
    ti: &[usize],
    gt: &[GtRow],
    results: &[ResultRow],
    keep_gt: &[bool],
    keep_tracker: &[bool],
    sim: &[f64],
) -> Option<FilteredFrame> {
    let (ng, nt) = (gi.len(), ti.len());
    let gt_ids: Vec<i64> = gi
        .iter()
        .zip(keep_gt)
        .filter(|(_, &k)| k)
        .map(|(&i, _)| gt[i].id)
        .collect();
    let tracker_ids: Vec<i64> = ti
        .iter()
        .zip(keep_tracker)
        .filter(|(_, &k)| k)
        .map(|(&i, _)| results[i].id)
        .collect();
    if gt_ids.is_empty() && tracker_ids.is_empty() {
        return None;
    }
    let mut s = Vec::with_capacity(gt_ids.len() * tracker_ids.len());
    for a in (0..ng).filter(|&a| keep_gt[a]) {
        s.extend(
            (0..nt)
                .filter(|&b| keep_tracker[b])
                .map(|b| sim[a * nt + b]),
        );
    }
    Some(FilteredFrame {
        gt_ids,
        tracker_ids,
        similarity: s,
    })
}

/// Step 4: concatenates the frames of `parts` in order (part k's frames come
/// after those of parts 0..k, its length adds to `num_frames`) and relabels
/// the ids over all of them, so that one id of the files is one id of the
/// result whatever part it appears in.
fn relabel_sequences(parts: Vec<FilteredSequence>) -> PreparedSequence {
    let all = || parts.iter().flat_map(|p| &p.frames);
    let gt_map = relabel(all().flat_map(|f| f.gt_ids.iter().copied()));
    let tracker_map = relabel(all().flat_map(|f| f.tracker_ids.iter().copied()));
    let mut seq = PreparedSequence {
        frames: Vec::with_capacity(all().count()),
        num_gt_ids: gt_map.len(),
        num_tracker_ids: tracker_map.len(),
        num_gt_dets: 0,
        num_tracker_dets: 0,
        num_frames: parts.iter().map(|p| p.num_frames).sum(),
        distractors_removed: parts.iter().map(|p| p.distractors_removed).sum(),
    };
    for f in parts.into_iter().flat_map(|p| p.frames) {
        seq.num_gt_dets += f.gt_ids.len();
        seq.num_tracker_dets += f.tracker_ids.len();
        seq.frames.push(PreparedFrame {
            gt_ids: f.gt_ids.iter().map(|id| gt_map[id]).collect(),
            tracker_ids: f.tracker_ids.iter().map(|id| tracker_map[id]).collect(),
            similarity: f.similarity,
        });
    }
    seq
}

/// Evaluates one sequence (all metrics). The sequence length is the last
/// frame present in either input.
pub fn evaluate_sequence(
    gt: &[GtRow],
    results: &[ResultRow],
    benchmark: Benchmark,
) -> Result<SequenceCounts, EvalError> {
    evaluate_sequence_with_length(gt, results, benchmark, None)
}

/// As [`evaluate_sequence`], with the sequence length (`seqLength`) known:
/// frames beyond it are an error, as in TrackEval.
pub fn evaluate_sequence_with_length(
    gt: &[GtRow],
    results: &[ResultRow],
    benchmark: Benchmark,
    num_frames: Option<u64>,
) -> Result<SequenceCounts, EvalError> {
    let seq = prepare_sequence(gt, results, benchmark, num_frames)?;
    Ok(evaluate_prepared(&seq))
}
