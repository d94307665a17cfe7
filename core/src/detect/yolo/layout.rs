// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Recognition of the YOLO output layout from the output shape and the model
//! metadata.

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
) -> Result<OutputLayout, String> {
    let s = fmt_shape(shape);
    if shape.len() != 3 {
        return Err(format!(
            "output shape {s} fits no known YOLO layout; expected [1, N, 5+nc] (YOLOv5), \
             [1, 4+nc, N] (YOLOv8/YOLO11), [1, 4+nc+3K, N] (pose), [1, N, 6] or \
             [1, N, 6+3K] (end2end)"
        ));
    }
    if !(shape[0] == 1 || is_dynamic(shape[0])) {
        return Err(format!(
            "output shape {s} has batch size {}; only batch size 1 is supported",
            shape[0]
        ));
    }
    let dim = |d: i64| -> Result<Option<usize>, String> {
        if is_dynamic(d) {
            Ok(None)
        } else {
            usize::try_from(d)
                .map(Some)
                .map_err(|_| format!("output shape {s} has an invalid dim {d}"))
        }
    };
    let d1 = dim(shape[1])?;
    let d2 = dim(shape[2])?;
    if let Some((k, d)) = meta.kpt_shape {
        if k == 0 || !(d == 2 || d == 3) {
            return Err(format!(
                "model metadata kpt_shape [{k}, {d}] is invalid; expected [K, D] with K >= 1 \
                 and D = 2 or 3"
            ));
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
) -> Result<ModelType, String> {
    let undecidable = || {
        format!(
            "output shape {s} has dynamic dims that leave the YOLO layout undecidable; \
             resolve it again with the concrete shape, or set the model type"
        )
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
            return Err(format!(
                "output shape {s} fits no known YOLO layout: the anchor dim cannot be told \
                 from the channel dim; expected [1, N, 5+nc] (YOLOv5) or [1, 4+nc, N] \
                 (YOLOv8/YOLO11)"
            ))
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
) -> Result<OutputLayout, String> {
    let name = kind.as_str();
    let (kpts, kdims) = if kind.is_pose() {
        meta.kpt_shape.ok_or_else(|| {
            format!(
                "output shape {s}: a {name} model needs the kpt_shape metadata (e.g. [17, 3]), \
                 which the model does not have"
            )
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
    let fixed = fixed.ok_or_else(|| {
        format!("output shape {s}: the channel dim of a {name} output must be static")
    })?;
    let anchors = anchors.unwrap_or(0);
    let nc_from = |base: usize, expected: &str| -> Result<usize, String> {
        match fixed.checked_sub(base) {
            Some(nc) if nc >= 1 => Ok(nc),
            _ => Err(format!(
                "output shape {s} does not fit a {name} output: {fixed} channels leave no \
                 class; expected {expected} with nc >= 1"
            )),
        }
    };
    let num_classes = match kind {
        ModelType::Yolov5 => nc_from(5, "[1, N, 5+nc]")?,
        ModelType::Yolov8 => nc_from(4, "[1, 4+nc, N]")?,
        ModelType::Yolov8Pose => nc_from(4 + kd, &format!("[1, 4+nc+{kd}, N]"))?,
        ModelType::End2End | ModelType::End2EndPose => {
            let width = 6 + kd;
            if fixed != width {
                let expected = if kind.is_pose() {
                    format!("[1, N, {width}] (6 + {kpts}×{kdims} keypoint values)")
                } else {
                    "[1, N, 6]".to_string()
                };
                return Err(format!(
                    "output shape {s} does not fit a {name} output; expected {expected}"
                ));
            }
            meta.names.len()
        }
    };
    if !kind.is_end2end() && !meta.names.is_empty() && meta.names.len() != num_classes {
        return Err(format!(
            "the model metadata lists {} class names but the output shape {s} read as {name} \
             has {num_classes} classes",
            meta.names.len()
        ));
    }
    Ok(OutputLayout {
        kind,
        num_classes,
        num_keypoints: kpts,
        keypoint_dims: kdims,
        anchors,
    })
}
