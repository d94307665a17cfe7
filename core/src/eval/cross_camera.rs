// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Cross-camera evaluation with global ids (the usual multi-camera protocol).
//!
//! All cameras of a scene are scored as one sequence: camera k's frame f
//! becomes frame `offset_k + f`, where `offset_k` is the summed length of
//! cameras 0..k, and ids are global (ground-truth ids are the same person in
//! every camera; predictions use their `global_id`). Each camera goes
//! through steps 1-3 of the protocol on its own (its own length, its own
//! errors), then the frames are concatenated and the ids relabelled over all
//! cameras, and the metrics run once on that [`PreparedSequence`](super::PreparedSequence). HOTA and
//! IDF1 then also measure whether a person keeps one id across cameras: a
//! person given a different global id in another camera loses IDTP and AssA
//! there, and costs an IDSW where the camera's frames start.

use super::{
    evaluate_prepared, filter_sequence, load_gt, load_jsonl_results, load_seq_length,
    relabel_sequences, Benchmark, EvalError, GtRow, JsonlCounts, Metrics, ResultRow,
    SequenceCounts,
};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One camera of a scene, in memory.
#[derive(Debug, Clone, Copy)]
pub struct CameraSequence<'a> {
    /// Name used in error messages.
    pub name: &'a str,
    pub gt: &'a [GtRow],
    /// Predictions whose ids are the global ids.
    pub results: &'a [ResultRow],
    /// Length in frames (`seqLength`); `None`: the last frame present.
    pub num_frames: Option<u64>,
}

/// Counts of a cross-camera evaluation.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CrossCameraCounts {
    /// All cameras as one sequence.
    pub cross: SequenceCounts,
    /// Each camera alone (with the same global ids), in the order given.
    pub per_camera: Vec<SequenceCounts>,
    /// Length of each camera in frames, in the order given. Camera k's
    /// frames start at the sum of the lengths of cameras 0..k.
    pub num_frames: Vec<u64>,
}

/// Scores the cameras as one sequence (and each camera alone). Errors of
/// a camera are wrapped in [`EvalError::Camera`]; their frame numbers are
/// those of the camera (1-based, before the offset).
pub fn evaluate_cameras(
    cameras: &[CameraSequence<'_>],
    benchmark: Benchmark,
) -> Result<CrossCameraCounts, EvalError> {
    let mut parts = Vec::with_capacity(cameras.len());
    for c in cameras {
        let part = filter_sequence(c.gt, c.results, benchmark, c.num_frames).map_err(|e| {
            EvalError::Camera {
                camera: c.name.to_string(),
                error: Box::new(e),
            }
        })?;
        parts.push(part);
    }
    let per_camera = parts
        .iter()
        .map(|p| evaluate_prepared(&relabel_sequences(vec![p.clone()])))
        .collect();
    let num_frames = parts.iter().map(|p| p.num_frames).collect();
    Ok(CrossCameraCounts {
        cross: evaluate_prepared(&relabel_sequences(parts)),
        per_camera,
        num_frames,
    })
}

/// Where the length of a camera comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SequenceLength {
    /// Known length in frames.
    Frames(u64),
    /// `seqLength` of this `seqinfo.ini`; the last frame present if the
    /// file does not exist.
    SeqInfo(PathBuf),
    /// The last frame present in the ground truth or the predictions.
    LastFrame,
}

/// The files of one camera for [`evaluate_cross_camera`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraFiles {
    /// Camera name (reports and error messages).
    pub name: String,
    /// MOT ground truth (`gt/gt.txt`), ids global across cameras.
    pub gt: PathBuf,
    pub length: SequenceLength,
    /// Our JSON Lines output for this camera (see
    /// [`super::parse_jsonl_results`]).
    pub predictions: PathBuf,
    /// Evaluate only the first N frames: ground truth and predictions past
    /// them are dropped and the length is N (the known length if shorter).
    pub max_frames: Option<u64>,
}

impl CameraFiles {
    /// The MOTChallenge layout: `<gt_root>/<name>/gt/gt.txt`,
    /// `<gt_root>/<name>/seqinfo.ini` and `<pred_dir>/<name>.jsonl`.
    pub fn mot_layout(gt_root: &Path, pred_dir: &Path, name: &str) -> Self {
        let dir = gt_root.join(name);
        CameraFiles {
            name: name.to_string(),
            gt: dir.join("gt").join("gt.txt"),
            length: SequenceLength::SeqInfo(dir.join("seqinfo.ini")),
            predictions: pred_dir.join(format!("{name}.jsonl")),
            max_frames: None,
        }
    }
}

/// What was read and scored for one camera.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CameraStats {
    pub name: String,
    /// Length in frames used for this camera.
    pub num_frames: u64,
    /// Where this camera's frames start in the joined sequence.
    pub offset: u64,
    /// Objects read from the predictions, with and without global id.
    pub input: JsonlCounts,
    /// This camera scored alone (global ids as track ids).
    pub counts: SequenceCounts,
}

/// Per-camera details of [`evaluate_cross_camera`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CrossCameraStats {
    pub cameras: Vec<CameraStats>,
}

impl CrossCameraStats {
    /// Objects read over all cameras.
    pub fn objects(&self) -> u64 {
        self.cameras.iter().map(|c| c.input.objects).sum()
    }

    /// Objects without a global id over all cameras (not evaluated).
    pub fn without_global_id(&self) -> u64 {
        self.cameras.iter().map(|c| c.input.without_global_id).sum()
    }

    /// The cameras scored one by one and combined, as the single-camera
    /// mode's `COMBINED` row: cross-camera identity errors do not count.
    pub fn combined(&self) -> Metrics {
        let counts: Vec<SequenceCounts> = self.cameras.iter().map(|c| c.counts.clone()).collect();
        super::combine(&counts)
    }
}

/// Loads the files of every camera and scores them as one sequence with the
/// global ids (see the module documentation). Returns the scores of the
/// joined sequence and what was read per camera.
pub fn evaluate_cross_camera(
    cameras: &[CameraFiles],
    benchmark: Benchmark,
) -> Result<(Metrics, CrossCameraStats), EvalError> {
    let mut data = Vec::with_capacity(cameras.len());
    for c in cameras {
        let mut gt = load_gt(&c.gt)?;
        let (mut results, input) = load_jsonl_results(&c.predictions)?;
        let mut len = match &c.length {
            SequenceLength::Frames(n) => Some(*n),
            SequenceLength::SeqInfo(p) => load_seq_length(p)?,
            SequenceLength::LastFrame => None,
        };
        if let Some(max) = c.max_frames {
            gt.retain(|g| g.frame <= max);
            results.retain(|r| r.frame <= max);
            len = Some(len.map_or(max, |n| n.min(max)));
        }
        data.push((gt, results, len, input));
    }
    let sequences: Vec<CameraSequence<'_>> = cameras
        .iter()
        .zip(&data)
        .map(|(c, (gt, results, len, _))| CameraSequence {
            name: &c.name,
            gt,
            results,
            num_frames: *len,
        })
        .collect();
    let counts = evaluate_cameras(&sequences, benchmark)?;
    let mut stats = CrossCameraStats::default();
    let mut offset = 0;
    for (((c, d), seq), &n) in cameras
        .iter()
        .zip(&data)
        .zip(counts.per_camera)
        .zip(&counts.num_frames)
    {
        stats.cameras.push(CameraStats {
            name: c.name.clone(),
            num_frames: n,
            offset,
            input: d.3,
            counts: seq,
        });
        offset += n;
    }
    Ok((counts.cross.metrics(), stats))
}
