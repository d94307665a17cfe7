// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Decoding of one output tensor: candidates per layout, the confidence,
//! class and size filters, class-aware NMS, and the mapping to the frame.

use std::cmp::Ordering;
use std::fmt;

use super::{BoxMapping, ModelType, OutputLayout};
use crate::geometry::iou_xyxy;
use crate::types::{BBox, Keypoint, KeypointState};

/// Most candidates that enter NMS (Ultralytics `max_nms`).
const MAX_NMS: usize = 30_000;

/// Filtering parameters of [`Decoder::decode`].
#[derive(Clone, Debug, PartialEq)]
pub struct DecodeParams {
    /// A candidate is kept if its score is strictly above this.
    pub confidence_threshold: f32,
    /// A box is suppressed if it overlaps a kept box of the same class by
    /// more than this (not used by end2end models).
    pub iou_threshold: f32,
    /// Most detections output.
    pub max_detections: usize,
    /// Only these classes (`None`: all).
    pub classes: Option<Vec<u32>>,
    /// Minimum box width and height in frame pixels (0: off).
    pub min_size: f32,
}

impl Default for DecodeParams {
    fn default() -> Self {
        DecodeParams {
            confidence_threshold: 0.25,
            iou_threshold: 0.45,
            max_detections: 300,
            classes: None,
            min_size: 0.0,
        }
    }
}

/// One decoded detection in frame pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    pub bbox: BBox,
    pub score: f32,
    pub class_id: u32,
    /// Empty for detection models.
    pub keypoints: Vec<Keypoint>,
}

#[derive(Clone, Copy, Debug)]
struct Candidate {
    /// x1, y1, x2, y2 in model-input pixels.
    xyxy: [f32; 4],
    score: f32,
    class_id: u32,
    /// Anchor (row) index in the tensor.
    index: usize,
}

/// Reusable decoder: the scratch buffers are kept between calls, so that a
/// warmed-up decoder allocates nothing but the keypoint vectors of the
/// detections.
#[derive(Default)]
pub struct Decoder {
    candidates: Vec<Candidate>,
    /// Per-anchor best class score and class (channel-major layouts).
    best: Vec<(f32, u32)>,
    /// Indices into `candidates` of the boxes kept.
    kept: Vec<usize>,
}

/// Admission of a candidate after the score test: finite box, class filter,
/// minimum size.
fn admit(params: &DecodeParams, scale: f32, xyxy: &[f32; 4], class_id: u32) -> bool {
    if !xyxy.iter().all(|v| v.is_finite()) {
        return false;
    }
    if let Some(classes) = &params.classes {
        if !classes.contains(&class_id) {
            return false;
        }
    }
    if params.min_size > 0.0
        && ((xyxy[2] - xyxy[0]) / scale < params.min_size
            || (xyxy[3] - xyxy[1]) / scale < params.min_size)
    {
        return false;
    }
    true
}

fn cxcywh_to_xyxy(cx: f32, cy: f32, w: f32, h: f32) -> [f32; 4] {
    let (hw, hh) = (w / 2.0, h / 2.0);
    [cx - hw, cy - hh, cx + hw, cy + hh]
}

/// Argmax with "first maximum wins"; a NaN score makes the result NaN.
fn argmax(scores: &[f32]) -> (f32, u32) {
    let mut best = (f32::NEG_INFINITY, 0u32);
    for (c, &s) in scores.iter().enumerate() {
        if s > best.0 || s.is_nan() {
            best = (s, c as u32);
            if s.is_nan() {
                break;
            }
        }
    }
    best
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Decodes one output tensor into `out` (cleared first).
    /// `data.len()` must equal [`OutputLayout::expected_len`].
    pub fn decode(
        &mut self,
        layout: &OutputLayout,
        data: &[f32],
        map: &BoxMapping,
        params: &DecodeParams,
        out: &mut Vec<Detection>,
    ) -> Result<(), DecodeError> {
        out.clear();
        check_inputs(layout, data, map)?;
        let kind = layout.kind;
        self.candidates.clear();
        self.kept.clear();
        match kind {
            ModelType::Yolov5 => self.collect_rows_v5(layout, data, map, params),
            ModelType::Yolov8 | ModelType::Yolov8Pose => {
                self.collect_channel_major(layout, data, map, params)
            }
            ModelType::End2End | ModelType::End2EndPose => {
                self.collect_end2end(layout, data, map, params)
            }
        }
        if kind.is_end2end() {
            let n = self.candidates.len().min(params.max_detections);
            self.kept.extend(0..n);
        } else {
            self.nms(params);
        }
        self.emit(layout, data, map, out);
        Ok(())
    }

    /// The kept candidates mapped to the frame, those left with an empty box
    /// dropped.
    fn emit(
        &self,
        layout: &OutputLayout,
        data: &[f32],
        map: &BoxMapping,
        out: &mut Vec<Detection>,
    ) {
        for &k in &self.kept {
            let c = &self.candidates[k];
            let x1 = map.x(c.xyxy[0]);
            let y1 = map.y(c.xyxy[1]);
            let x2 = map.x(c.xyxy[2]);
            let y2 = map.y(c.xyxy[3]);
            let (w, h) = (x2 - x1, y2 - y1);
            if !(w > 0.0 && h > 0.0) {
                continue;
            }
            let keypoints = if layout.kind.is_pose() {
                read_keypoints(layout, data, c.index, map)
            } else {
                Vec::new()
            };
            out.push(Detection {
                bbox: BBox::new(x1, y1, w, h),
                score: c.score,
                class_id: c.class_id,
                keypoints,
            });
        }
    }

    fn collect_rows_v5(
        &mut self,
        layout: &OutputLayout,
        data: &[f32],
        map: &BoxMapping,
        params: &DecodeParams,
    ) {
        let conf = params.confidence_threshold;
        let width = layout.per_anchor();
        for (index, row) in data.chunks_exact(width).enumerate() {
            let obj = row[4];
            if !(obj > conf) {
                continue;
            }
            let (cls, class_id) = argmax(&row[5..]);
            let score = obj * cls;
            if !(score > conf) {
                continue;
            }
            let xyxy = cxcywh_to_xyxy(row[0], row[1], row[2], row[3]);
            if admit(params, map.scale, &xyxy, class_id) {
                self.candidates.push(Candidate {
                    xyxy,
                    score,
                    class_id,
                    index,
                });
            }
        }
    }

    fn collect_channel_major(
        &mut self,
        layout: &OutputLayout,
        data: &[f32],
        map: &BoxMapping,
        params: &DecodeParams,
    ) {
        let n = layout.anchors;
        let nc = layout.num_classes;
        let conf = params.confidence_threshold;
        // Channel by channel (contiguous reads): best score and class per
        // anchor, the first maximum winning, a NaN sticking.
        self.best.clear();
        self.best
            .extend(data[4 * n..5 * n].iter().map(|&s| (s, 0u32)));
        for c in 1..nc {
            let ch = &data[(4 + c) * n..(5 + c) * n];
            for (b, &s) in self.best.iter_mut().zip(ch) {
                if s > b.0 || (s.is_nan() && !b.0.is_nan()) {
                    *b = (s, c as u32);
                }
            }
        }
        for (index, &(score, class_id)) in self.best.iter().enumerate() {
            if !(score > conf) {
                continue;
            }
            let xyxy = cxcywh_to_xyxy(
                data[index],
                data[n + index],
                data[2 * n + index],
                data[3 * n + index],
            );
            if admit(params, map.scale, &xyxy, class_id) {
                self.candidates.push(Candidate {
                    xyxy,
                    score,
                    class_id,
                    index,
                });
            }
        }
    }

    fn collect_end2end(
        &mut self,
        layout: &OutputLayout,
        data: &[f32],
        map: &BoxMapping,
        params: &DecodeParams,
    ) {
        let conf = params.confidence_threshold;
        let width = layout.per_anchor();
        let class_limit = if layout.num_classes > 0 {
            layout.num_classes as f64
        } else {
            u32::MAX as f64 + 1.0
        };
        for (index, row) in data.chunks_exact(width).enumerate() {
            // Enough for max_detections: the rows come sorted by score.
            if self.candidates.len() >= params.max_detections {
                break;
            }
            let score = row[4];
            if !(score > conf) {
                continue;
            }
            let xyxy = [row[0], row[1], row[2], row[3]];
            if !(xyxy[2] > xyxy[0] && xyxy[3] > xyxy[1]) {
                continue;
            }
            let class = (row[5] as f64).round();
            if !(class >= 0.0 && class < class_limit) {
                continue;
            }
            let class_id = class as u32;
            if admit(params, map.scale, &xyxy, class_id) {
                self.candidates.push(Candidate {
                    xyxy,
                    score,
                    class_id,
                    index,
                });
            }
        }
    }

    /// Top-[`MAX_NMS`] by score (ties in anchor order), then greedy
    /// class-aware NMS up to `max_detections`.
    fn nms(&mut self, params: &DecodeParams) {
        let by_score = |a: &Candidate, b: &Candidate| {
            b.score
                .partial_cmp(&a.score)
                .unwrap_or(Ordering::Equal)
                .then(a.index.cmp(&b.index))
        };
        let cands = &mut self.candidates;
        if cands.len() > MAX_NMS {
            cands.select_nth_unstable_by(MAX_NMS, by_score);
            cands.truncate(MAX_NMS);
        }
        cands.sort_unstable_by(by_score);
        for (i, c) in cands.iter().enumerate() {
            if self.kept.len() >= params.max_detections {
                break;
            }
            let suppressed = self.kept.iter().any(|&k| {
                let kc = &cands[k];
                kc.class_id == c.class_id && iou_xyxy(&kc.xyxy, &c.xyxy) > params.iou_threshold
            });
            if !suppressed {
                self.kept.push(i);
            }
        }
    }
}

/// The checks of [`Decoder::decode`] before any work: a valid mapping, a
/// layout with classes (and keypoints for pose), and a tensor of the
/// layout's length.
fn check_inputs(layout: &OutputLayout, data: &[f32], map: &BoxMapping) -> Result<(), DecodeError> {
    map.check()?;
    let kind = layout.kind;
    if !kind.is_end2end() && layout.num_classes == 0 {
        return Err(DecodeError::NoClass { kind });
    }
    if kind.is_pose()
        && (layout.num_keypoints == 0 || !(layout.keypoint_dims == 2 || layout.keypoint_dims == 3))
    {
        return Err(DecodeError::Keypoints {
            kind,
            keypoints: layout.num_keypoints,
            dims: layout.keypoint_dims,
        });
    }
    let expected = layout.expected_len();
    if data.len() != expected {
        return Err(DecodeError::Length {
            len: data.len(),
            kind,
            expected,
            dynamic: layout.anchors == 0,
        });
    }
    Ok(())
}

/// Why [`Decoder::decode`] cannot decode a tensor.
#[derive(Clone, Debug, PartialEq)]
pub enum DecodeError {
    /// A mapping with a scale that is not positive, a non-finite value or a
    /// negative frame size.
    Mapping(BoxMapping),
    /// A layout (not end2end) without classes.
    NoClass { kind: ModelType },
    /// A pose layout without keypoints or with `D` other than 2 or 3.
    Keypoints {
        kind: ModelType,
        keypoints: usize,
        dims: usize,
    },
    /// A tensor whose length is not the layout's (`dynamic`: the layout's
    /// anchor count was left dynamic).
    Length {
        len: usize,
        kind: ModelType,
        expected: usize,
        dynamic: bool,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Mapping(m) => write!(
                f,
                "invalid box mapping {m:?}: scale must be > 0 and all values finite, \
                 frame size >= 0"
            ),
            DecodeError::NoClass { kind } => {
                write!(f, "invalid {} layout: it has no class", kind.as_str())
            }
            DecodeError::Keypoints {
                kind,
                keypoints,
                dims,
            } => write!(
                f,
                "invalid {} layout: {keypoints} keypoints of {dims} values; expected K >= 1 and \
                 D = 2 or 3",
                kind.as_str()
            ),
            DecodeError::Length {
                len,
                kind,
                expected,
                dynamic,
            } => {
                let hint = if *dynamic {
                    " (the layout's anchor count is dynamic: resolve it with the concrete shape)"
                } else {
                    ""
                };
                write!(
                    f,
                    "output tensor has {len} values but the {} layout expects {expected}{hint}",
                    kind.as_str()
                )
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// The keypoints of anchor (row) `index`, mapped to the frame and clipped.
fn read_keypoints(
    layout: &OutputLayout,
    data: &[f32],
    index: usize,
    map: &BoxMapping,
) -> Vec<Keypoint> {
    let (k, d) = (layout.num_keypoints, layout.keypoint_dims);
    // Value j of the keypoint block sits at `base + j * stride`.
    let (base, stride) = match layout.kind {
        ModelType::Yolov8Pose => {
            let n = layout.anchors;
            ((4 + layout.num_classes) * n + index, n)
        }
        _ => (index * layout.per_anchor() + 6, 1),
    };
    let value = |j: usize| data[base + j * stride];
    (0..k)
        .map(|i| {
            let j = i * d;
            let confidence = if d == 3 { value(j + 2) } else { 1.0 };
            Keypoint {
                x: map.x(value(j)),
                y: map.y(value(j + 1)),
                confidence,
                state: KeypointState::Measured,
            }
        })
        .collect()
}
