// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Recognition of the YOLO output layout from the output shape and the model
//! metadata.

use std::fmt;

use super::ModelMetadata;

/// The output layouts the decoder understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelType {
    /// `[1, N, 5+nc]` with objectness.
    Yolov5,
    /// `[1, 4+nc, N]` (YOLOv8, YOLO11).
    Yolov8,
    /// `[1, 4+nc+K·D, N]` (YOLOv8 / YOLO11 pose).
    Yolov8Pose,
    /// `[1, N, 6]`, NMS-free (YOLOv10, YOLO26).
    End2End,
    /// `[1, N, 6+K·D]`, NMS-free pose (YOLO26 pose).
    End2EndPose,
}

impl ModelType {
    /// Parses a model type name (case-insensitive): `yolov5`; `yolov8` or
    /// `yolo11`; `yolov8-pose` or `yolo11-pose`; `end2end`, `yolov10` or
    /// `yolo26`; `end2end-pose` or `yolo26-pose`.
    pub fn parse(s: &str) -> Option<ModelType> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "yolov5" => ModelType::Yolov5,
            "yolov8" | "yolo11" => ModelType::Yolov8,
            "yolov8-pose" | "yolo11-pose" => ModelType::Yolov8Pose,
            "end2end" | "yolov10" | "yolo26" => ModelType::End2End,
            "end2end-pose" | "yolo26-pose" => ModelType::End2EndPose,
            _ => return None,
        })
    }

    /// The canonical name, accepted by [`ModelType::parse`].
    pub fn as_str(self) -> &'static str {
        match self {
            ModelType::Yolov5 => "yolov5",
            ModelType::Yolov8 => "yolov8",
            ModelType::Yolov8Pose => "yolov8-pose",
            ModelType::End2End => "end2end",
            ModelType::End2EndPose => "end2end-pose",
        }
    }

    pub(super) fn is_pose(self) -> bool {
        matches!(self, ModelType::Yolov8Pose | ModelType::End2EndPose)
    }

    pub(super) fn is_end2end(self) -> bool {
        matches!(self, ModelType::End2End | ModelType::End2EndPose)
    }
}

/// A recognised output layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputLayout {
    pub kind: ModelType,
    /// Classes scored per anchor; for end2end models the number of names in
    /// the metadata (0 when unknown: any class id is accepted).
    pub num_classes: usize,
    /// `K` (pose only, else 0).
    pub num_keypoints: usize,
    /// `D`, 2 or 3 (pose only, else 0).
    pub keypoint_dims: usize,
    /// `N`: anchors (rows for end2end). 0 when the shape left it dynamic:
    /// call [`resolve_layout`] again with the concrete shape.
    pub anchors: usize,
}

impl OutputLayout {
    /// Values per anchor (per row for end2end).
    pub(super) fn per_anchor(&self) -> usize {
        let kpts = self.num_keypoints.saturating_mul(self.keypoint_dims);
        match self.kind {
            ModelType::Yolov5 => self.num_classes.saturating_add(5),
            ModelType::Yolov8 => self.num_classes.saturating_add(4),
            ModelType::Yolov8Pose => self.num_classes.saturating_add(4).saturating_add(kpts),
            ModelType::End2End => 6,
            ModelType::End2EndPose => kpts.saturating_add(6),
        }
    }

    /// Number of `f32` values in the output tensor.
    pub fn expected_len(&self) -> usize {
        self.per_anchor().saturating_mul(self.anchors)
    }
}

fn is_dynamic(d: i64) -> bool {
    d == -1 || d == 0
}

/// `[1, 84, 8400]`, dynamic dims as `?`.
fn fmt_shape(shape: &[i64]) -> String {
    let dims: Vec<String> = shape
        .iter()
        .map(|&d| {
            if is_dynamic(d) {
                "?".to_string()
            } else {
                d.to_string()
            }
        })
        .collect();
    format!("[{}]", dims.join(", "))
}

/// Recognises the YOLO output layout from the output's dims (`-1` or `0`:
/// dynamic) and the model metadata. `forced` overrides the recognition, but
/// the shape must still be consistent with it.
///
/// Dynamic dims are allowed only where the anchors sit; the layout then has
/// `anchors == 0` and must be resolved again with the concrete shape. A
/// dynamic dim that makes the layout undecidable is an error.
pub fn resolve_layout(
    shape: &[i64],
    meta: &ModelMetadata,
    forced: Option<ModelType>,
) -> Result<OutputLayout, LayoutError> {
    let s = fmt_shape(shape);
    if shape.len() != 3 {
        return Err(LayoutError::Rank { shape: s });
    }
    if !(shape[0] == 1 || is_dynamic(shape[0])) {
        return Err(LayoutError::Batch {
            shape: s,
            batch: shape[0],
        });
    }
    let dim = |d: i64| -> Result<Option<usize>, LayoutError> {
        if is_dynamic(d) {
            Ok(None)
        } else {
            usize::try_from(d)
                .map(Some)
                .map_err(|_| LayoutError::InvalidDim {
                    shape: s.clone(),
                    dim: d,
                })
        }
    };
    let d1 = dim(shape[1])?;
    let d2 = dim(shape[2])?;
    if let Some((k, d)) = meta.kpt_shape {
        if k == 0 || !(d == 2 || d == 3) {
            return Err(LayoutError::KptShape { k, d });
        }
    }
    let kind = match forced {
        Some(k) => k,
        None => recognize(&s, d1, d2, meta)?,
    };
    build_layout(&s, kind, d1, d2, meta)
}

fn recognize(
    s: &str,
    d1: Option<usize>,
    d2: Option<usize>,
    meta: &ModelMetadata,
) -> Result<ModelType, LayoutError> {
    let undecidable = || LayoutError::Undecidable {
        shape: s.to_string(),
    };
    let pose_meta = meta.kpt_shape.is_some() || meta.task.as_deref() == Some("pose");
    let pose_width = meta.kpt_shape.map(|(k, d)| 6 + k * d);
    let e2e_kind = |w: Option<usize>| {
        if w != Some(6) && pose_meta {
            ModelType::End2EndPose
        } else {
            ModelType::End2End
        }
    };
    match meta.end2end {
        Some(true) => return Ok(e2e_kind(d2)),
        Some(false) => {}
        None => {
            if let Some(w) = d2 {
                if w == 6 || Some(w) == pose_width {
                    match d1 {
                        None => return Err(undecidable()),
                        Some(n) if n <= 1000 => return Ok(e2e_kind(d2)),
                        Some(_) => {}
                    }
                }
            }
        }
    }
    // With the class count known from the names, the layout whose channel
    // count matches wins (tiny models can have fewer anchors than channels).
    if !meta.names.is_empty() {
        let nc = meta.names.len();
        let kpt = if pose_meta {
            meta.kpt_shape.map_or(0, |(k, d)| k * d)
        } else {
            0
        };
        let v8_fits = d1 == Some(4 + nc + kpt);
        let v5_fits = !pose_meta && d2 == Some(5 + nc);
        if v8_fits != v5_fits {
            return Ok(if v5_fits {
                ModelType::Yolov5
            } else if pose_meta {
                ModelType::Yolov8Pose
            } else {
                ModelType::Yolov8
            });
        }
    }
    let channel_major = match (d1, d2) {
        (Some(a), Some(b)) if a < b => true,
        (Some(a), Some(b)) if a > b => false,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => return Err(undecidable()),
        _ => {
            return Err(LayoutError::Ambiguous {
                shape: s.to_string(),
            })
        }
    };
    Ok(if !channel_major {
        ModelType::Yolov5
    } else if pose_meta {
        ModelType::Yolov8Pose
    } else {
        ModelType::Yolov8
    })
}

fn build_layout(
    s: &str,
    kind: ModelType,
    d1: Option<usize>,
    d2: Option<usize>,
    meta: &ModelMetadata,
) -> Result<OutputLayout, LayoutError> {
    let shape = || s.to_string();
    let (kpts, kdims) = if kind.is_pose() {
        meta.kpt_shape.ok_or_else(|| LayoutError::NoKptShape {
            shape: shape(),
            kind,
        })?
    } else {
        (0, 0)
    };
    let kd = kpts * kdims;
    // The dim that is not the anchor dim must be static.
    let (fixed, anchors) = match kind {
        ModelType::Yolov8 | ModelType::Yolov8Pose => (d1, d2),
        _ => (d2, d1),
    };
    let fixed = fixed.ok_or_else(|| LayoutError::DynamicChannels {
        shape: shape(),
        kind,
    })?;
    let anchors = anchors.unwrap_or(0);
    let nc_from = |base: usize, expected: String| -> Result<usize, LayoutError> {
        match fixed.checked_sub(base) {
            Some(nc) if nc >= 1 => Ok(nc),
            _ => Err(LayoutError::NoClass {
                shape: shape(),
                kind,
                channels: fixed,
                expected,
            }),
        }
    };
    let num_classes = match kind {
        ModelType::Yolov5 => nc_from(5, "[1, N, 5+nc]".to_string())?,
        ModelType::Yolov8 => nc_from(4, "[1, 4+nc, N]".to_string())?,
        ModelType::Yolov8Pose => nc_from(4 + kd, format!("[1, 4+nc+{kd}, N]"))?,
        ModelType::End2End | ModelType::End2EndPose => {
            let width = 6 + kd;
            if fixed != width {
                let expected = if kind.is_pose() {
                    format!("[1, N, {width}] (6 + {kpts}×{kdims} keypoint values)")
                } else {
                    "[1, N, 6]".to_string()
                };
                return Err(LayoutError::Width {
                    shape: shape(),
                    kind,
                    expected,
                });
            }
            meta.names.len()
        }
    };
    if !kind.is_end2end() && !meta.names.is_empty() && meta.names.len() != num_classes {
        return Err(LayoutError::ClassCount {
            names: meta.names.len(),
            shape: shape(),
            kind,
            classes: num_classes,
        });
    }
    Ok(OutputLayout {
        kind,
        num_classes,
        num_keypoints: kpts,
        keypoint_dims: kdims,
        anchors,
    })
}

/// Why an output shape fits no YOLO layout ([`resolve_layout`]). `shape` is
/// the output shape as written in the messages, e.g. `[1, ?, 8400]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayoutError {
    /// Not three dims.
    Rank { shape: String },
    /// A batch other than 1.
    Batch { shape: String, batch: i64 },
    /// A negative dim other than -1.
    InvalidDim { shape: String, dim: i64 },
    /// The metadata's `kpt_shape` is not `[K ≥ 1, 2 or 3]`.
    KptShape { k: usize, d: usize },
    /// Dynamic dims leave the layout undecidable.
    Undecidable { shape: String },
    /// Anchor and channel dims are equal.
    Ambiguous { shape: String },
    /// A pose layout without `kpt_shape` metadata.
    NoKptShape { shape: String, kind: ModelType },
    /// The channel dim is dynamic.
    DynamicChannels { shape: String, kind: ModelType },
    /// The channels leave no class (`expected`: the layout's shape).
    NoClass {
        shape: String,
        kind: ModelType,
        channels: usize,
        expected: String,
    },
    /// An end2end row of the wrong width (`expected`: the layout's shape).
    Width {
        shape: String,
        kind: ModelType,
        expected: String,
    },
    /// The metadata's class names do not match the classes of the shape.
    ClassCount {
        names: usize,
        shape: String,
        kind: ModelType,
        classes: usize,
    },
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayoutError::Rank { shape } => write!(
                f,
                "output shape {shape} fits no known YOLO layout; expected [1, N, 5+nc] (YOLOv5), \
                 [1, 4+nc, N] (YOLOv8/YOLO11), [1, 4+nc+3K, N] (pose), [1, N, 6] or \
                 [1, N, 6+3K] (end2end)"
            ),
            LayoutError::Batch { shape, batch } => write!(
                f,
                "output shape {shape} has batch size {batch}; only batch size 1 is supported"
            ),
            LayoutError::InvalidDim { shape, dim } => {
                write!(f, "output shape {shape} has an invalid dim {dim}")
            }
            LayoutError::KptShape { k, d } => write!(
                f,
                "model metadata kpt_shape [{k}, {d}] is invalid; expected [K, D] with K >= 1 \
                 and D = 2 or 3"
            ),
            LayoutError::Undecidable { shape } => write!(
                f,
                "output shape {shape} has dynamic dims that leave the YOLO layout undecidable; \
                 resolve it again with the concrete shape, or set the model type"
            ),
            LayoutError::Ambiguous { shape } => write!(
                f,
                "output shape {shape} fits no known YOLO layout: the anchor dim cannot be told \
                 from the channel dim; expected [1, N, 5+nc] (YOLOv5) or [1, 4+nc, N] \
                 (YOLOv8/YOLO11)"
            ),
            LayoutError::NoKptShape { shape, kind } => write!(
                f,
                "output shape {shape}: a {} model needs the kpt_shape metadata (e.g. [17, 3]), \
                 which the model does not have",
                kind.as_str()
            ),
            LayoutError::DynamicChannels { shape, kind } => write!(
                f,
                "output shape {shape}: the channel dim of a {} output must be static",
                kind.as_str()
            ),
            LayoutError::NoClass {
                shape,
                kind,
                channels,
                expected,
            } => write!(
                f,
                "output shape {shape} does not fit a {} output: {channels} channels leave no \
                 class; expected {expected} with nc >= 1",
                kind.as_str()
            ),
            LayoutError::Width {
                shape,
                kind,
                expected,
            } => write!(
                f,
                "output shape {shape} does not fit a {} output; expected {expected}",
                kind.as_str()
            ),
            LayoutError::ClassCount {
                names,
                shape,
                kind,
                classes,
            } => write!(
                f,
                "the model metadata lists {names} class names but the output shape {shape} read \
                 as {} has {classes} classes",
                kind.as_str()
            ),
        }
    }
}

impl std::error::Error for LayoutError {}
