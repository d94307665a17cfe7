// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Decoding of Ultralytics YOLO ONNX outputs into frame-pixel detections.
//!
//! Supported output layouts (batch must be 1; a dynamic batch counts as 1):
//! * YOLOv5: `[1, N, 5+nc]`, one row per anchor: `cx, cy, w, h, obj, cls…`;
//! * YOLOv8 / YOLO11: `[1, 4+nc, N]`, channel-major: `cx, cy, w, h, cls…`;
//! * YOLOv8 / YOLO11 pose: `[1, 4+nc+K·D, N]`, channel-major, the class
//!   scores followed by `K` keypoints of `D` values (`x, y[, visibility]`);
//! * end2end (YOLOv10, YOLO26; NMS-free): `[1, N, 6]`, one row per
//!   detection: `x1, y1, x2, y2, score, class`;
//! * end2end pose: `[1, N, 6+K·D]`.
//!
//! [`resolve_layout`] recognises the layout from the output shape and the
//! `metadata_props` the Ultralytics exporter writes ([`ModelMetadata`]).
//! [`Decoder::decode`] then applies, in the order of Ultralytics
//! `non_max_suppression`: the confidence threshold, the class filter, the
//! minimum size, class-aware NMS (not for end2end models) and the maximum
//! number of detections, and finally maps the boxes and keypoints back
//! through the letterbox ([`BoxMapping`]) and clips them to the frame.

use std::cmp::Ordering;

use crate::geometry::iou_xyxy;
use crate::types::{BBox, Keypoint, KeypointState};

/// Most candidates that enter NMS (Ultralytics `max_nms`).
const MAX_NMS: usize = 30_000;

/// Largest class index accepted in a `names` literal.
const MAX_CLASS_INDEX: usize = 100_000;

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

    fn is_pose(self) -> bool {
        matches!(self, ModelType::Yolov8Pose | ModelType::End2EndPose)
    }

    fn is_end2end(self) -> bool {
        matches!(self, ModelType::End2End | ModelType::End2EndPose)
    }
}

/// What the Ultralytics exporter writes into `metadata_props` (values are
/// Python literals).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelMetadata {
    /// Class names by class index (empty when unknown).
    pub names: Vec<String>,
    /// `detect`, `pose`, `segment`, …
    pub task: Option<String>,
    /// `(K, D)`: keypoints per object and values per keypoint.
    pub kpt_shape: Option<(usize, usize)>,
    /// Model input size `(h, w)`.
    pub imgsz: Option<(u32, u32)>,
    /// Whether the model has an NMS-free (one-to-one) head.
    pub end2end: Option<bool>,
    /// Largest stride of the model.
    pub stride: Option<u32>,
}

impl ModelMetadata {
    /// Reads the Ultralytics metadata; `get(key)` returns the value string of
    /// a key, `None` when absent. Keys read: `names`, `task`, `kpt_shape`,
    /// `imgsz`, `end2end`, `stride`. A present but unparsable value is an
    /// error naming the key and the value.
    pub fn from_props(get: impl Fn(&str) -> Option<String>) -> Result<ModelMetadata, String> {
        fn bad(key: &str, value: &str, why: &str) -> String {
            format!("model metadata {key} = {value:?} cannot be parsed: {why}")
        }
        let mut meta = ModelMetadata::default();
        if let Some(v) = get("names") {
            meta.names = parse_names(&v).map_err(|e| bad("names", &v, &e))?;
        }
        if let Some(v) = get("task") {
            let t = unquote(v.trim());
            if !t.is_empty() {
                meta.task = Some(t.to_string());
            }
        }
        if let Some(v) = get("kpt_shape") {
            let l = parse_int_list(&v).map_err(|e| bad("kpt_shape", &v, &e))?;
            match l[..] {
                [k, d] if k >= 1 && (d == 2 || d == 3) => {
                    meta.kpt_shape = Some((k as usize, d as usize));
                }
                _ => {
                    return Err(bad(
                        "kpt_shape",
                        &v,
                        "expected [K, D] with K >= 1 and D = 2 or 3",
                    ))
                }
            }
        }
        if let Some(v) = get("imgsz") {
            let l = parse_int_list(&v).map_err(|e| bad("imgsz", &v, &e))?;
            let dim = |x: i64| u32::try_from(x).ok().filter(|&x| x > 0);
            let hw = match l[..] {
                [s] => dim(s).map(|s| (s, s)),
                [h, w] => dim(h).zip(dim(w)),
                _ => None,
            };
            meta.imgsz =
                Some(hw.ok_or_else(|| {
                    bad("imgsz", &v, "expected [h, w] or a single size, all > 0")
                })?);
        }
        if let Some(v) = get("end2end") {
            meta.end2end = Some(match unquote(v.trim()) {
                "True" | "true" | "1" => true,
                "False" | "false" | "0" => false,
                _ => return Err(bad("end2end", &v, "expected True or False")),
            });
        }
        if let Some(v) = get("stride") {
            let l = parse_int_list(&v).map_err(|e| bad("stride", &v, &e))?;
            // A list of strides (one per head) counts by its largest one.
            let s = l.iter().copied().max().and_then(|s| u32::try_from(s).ok());
            match s {
                Some(s) if s > 0 => meta.stride = Some(s),
                _ => return Err(bad("stride", &v, "expected a positive integer")),
            }
        }
        Ok(meta)
    }
}

/// Strips one pair of matching `'` or `"` quotes.
fn unquote(s: &str) -> &str {
    for q in ['\'', '"'] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

/// A cursor over a Python literal.
struct Lit<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Lit<'a> {
    fn new(s: &'a str) -> Self {
        Lit { s, pos: 0 }
    }

    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn err(&self, what: &str) -> String {
        match self.peek() {
            Some(c) => format!("expected {what} at byte {}, found {c:?}", self.pos),
            None => format!("expected {what} at byte {}, found the end", self.pos),
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.bump();
            Ok(())
        } else {
            Err(self.err(&format!("{c:?}")))
        }
    }

    fn at_end(&mut self) -> Result<(), String> {
        self.ws();
        if self.peek().is_none() {
            Ok(())
        } else {
            Err(self.err("the end"))
        }
    }

    fn int(&mut self) -> Result<i64, String> {
        let start = self.pos;
        if matches!(self.peek(), Some('-' | '+')) {
            self.bump();
        }
        let digits = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
        if self.pos == digits {
            self.pos = start;
            return Err(self.err("an integer"));
        }
        self.s[start..self.pos]
            .parse()
            .map_err(|_| format!("integer {} out of range", &self.s[start..self.pos]))
    }

    fn hex(&mut self, n: usize) -> Result<char, String> {
        let mut v = 0u32;
        for _ in 0..n {
            let d = self
                .peek()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.err("a hex digit"))?;
            self.bump();
            v = v * 16 + d;
        }
        char::from_u32(v).ok_or_else(|| format!("invalid escape value {v:#x}"))
    }

    /// A single- or double-quoted Python string with backslash escapes.
    fn string(&mut self) -> Result<String, String> {
        let quote = match self.peek() {
            Some(q @ ('\'' | '"')) => q,
            _ => return Err(self.err("a quoted string")),
        };
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(format!("unterminated string at byte {}", self.pos)),
                Some(c) if c == quote => return Ok(out),
                Some('\\') => match self.bump() {
                    None => return Err(format!("unterminated string at byte {}", self.pos)),
                    Some(c @ ('\\' | '\'' | '"')) => out.push(c),
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('0') => out.push('\0'),
                    Some('x') => out.push(self.hex(2)?),
                    Some('u') => out.push(self.hex(4)?),
                    Some('U') => out.push(self.hex(8)?),
                    // Python keeps unknown escapes as written.
                    Some(c) => {
                        out.push('\\');
                        out.push(c);
                    }
                },
                Some(c) => out.push(c),
            }
        }
    }

    /// After an item: `,` (then `close` may follow) or `close`. Returns
    /// true when the sequence is closed.
    fn sep(&mut self, close: char) -> Result<bool, String> {
        self.ws();
        match self.peek() {
            Some(',') => {
                self.bump();
                self.ws();
                if self.peek() == Some(close) {
                    self.bump();
                    return Ok(true);
                }
                Ok(false)
            }
            Some(c) if c == close => {
                self.bump();
                Ok(true)
            }
            _ => Err(self.err(&format!("',' or {close:?}"))),
        }
    }
}

/// Parses the Ultralytics `names` literal: a dict
/// `{0: 'person', 1: 'bicycle'}` (the key is the class index, missing
/// indices become `""`) or a list `['person', 'bicycle']`. Strings may use
/// `'` or `"` and backslash escapes.
pub fn parse_names(s: &str) -> Result<Vec<String>, String> {
    let mut p = Lit::new(s);
    p.ws();
    let mut names: Vec<String> = Vec::new();
    match p.peek() {
        Some('{') => {
            p.bump();
            p.ws();
            if p.peek() == Some('}') {
                p.bump();
            } else {
                loop {
                    p.ws();
                    let key_pos = p.pos;
                    let key = p.int()?;
                    let idx = usize::try_from(key)
                        .ok()
                        .filter(|&k| k <= MAX_CLASS_INDEX)
                        .ok_or_else(|| {
                            format!(
                                "class index {key} at byte {key_pos} is not in 0..={MAX_CLASS_INDEX}"
                            )
                        })?;
                    p.ws();
                    p.expect(':')?;
                    p.ws();
                    let name = p.string()?;
                    if names.len() <= idx {
                        names.resize(idx + 1, String::new());
                    }
                    names[idx] = name;
                    if p.sep('}')? {
                        break;
                    }
                }
            }
        }
        Some(open @ ('[' | '(')) => {
            let close = if open == '[' { ']' } else { ')' };
            p.bump();
            p.ws();
            if p.peek() == Some(close) {
                p.bump();
            } else {
                loop {
                    p.ws();
                    names.push(p.string()?);
                    if p.sep(close)? {
                        break;
                    }
                }
            }
        }
        _ => return Err(p.err("'{' or '['")),
    }
    p.at_end()?;
    Ok(names)
}

/// Parses an integer list literal: `[640, 640]`, `(17, 3)` or a single
/// integer `640` (→ `[640]`).
pub fn parse_int_list(s: &str) -> Result<Vec<i64>, String> {
    let mut p = Lit::new(s);
    p.ws();
    let mut out = Vec::new();
    match p.peek() {
        Some(open @ ('[' | '(')) => {
            let close = if open == '[' { ']' } else { ')' };
            p.bump();
            p.ws();
            if p.peek() == Some(close) {
                p.bump();
            } else {
                loop {
                    p.ws();
                    out.push(p.int()?);
                    if p.sep(close)? {
                        break;
                    }
                }
            }
        }
        _ => out.push(p.int()?),
    }
    p.at_end()?;
    Ok(out)
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
    fn per_anchor(&self) -> usize {
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

/// How model-input pixels map back to frame pixels (the inverse letterbox):
/// `frame_x = (x_in − left) / scale`, clipped to `[0, frame_w]`; the same for
/// `y` with `top` and `frame_h`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoxMapping {
    pub scale: f32,
    pub left: f32,
    pub top: f32,
    pub frame_w: f32,
    pub frame_h: f32,
}

impl BoxMapping {
    fn check(&self) -> Result<(), String> {
        let ok = self.scale.is_finite()
            && self.scale > 0.0
            && self.left.is_finite()
            && self.top.is_finite()
            && self.frame_w.is_finite()
            && self.frame_w >= 0.0
            && self.frame_h.is_finite()
            && self.frame_h >= 0.0;
        if ok {
            Ok(())
        } else {
            Err(format!(
                "invalid box mapping {self:?}: scale must be > 0 and all values finite, \
                 frame size >= 0"
            ))
        }
    }

    fn x(&self, x: f32) -> f32 {
        clip((x - self.left) / self.scale, self.frame_w)
    }

    fn y(&self, y: f32) -> f32 {
        clip((y - self.top) / self.scale, self.frame_h)
    }
}

/// Clips to `[0, max]`; NaN becomes 0.
fn clip(v: f32, max: f32) -> f32 {
    if !(v > 0.0) {
        0.0
    } else if v > max {
        max
    } else {
        v
    }
}

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
    ) -> Result<(), String> {
        out.clear();
        map.check()?;
        let kind = layout.kind;
        if !kind.is_end2end() && layout.num_classes == 0 {
            return Err(format!("invalid {} layout: it has no class", kind.as_str()));
        }
        if kind.is_pose()
            && (layout.num_keypoints == 0
                || !(layout.keypoint_dims == 2 || layout.keypoint_dims == 3))
        {
            return Err(format!(
                "invalid {} layout: {} keypoints of {} values; expected K >= 1 and D = 2 or 3",
                kind.as_str(),
                layout.num_keypoints,
                layout.keypoint_dims
            ));
        }
        let expected = layout.expected_len();
        if data.len() != expected {
            let hint = if layout.anchors == 0 {
                " (the layout's anchor count is dynamic: resolve it with the concrete shape)"
            } else {
                ""
            };
            return Err(format!(
                "output tensor has {} values but the {} layout expects {expected}{hint}",
                data.len(),
                kind.as_str()
            ));
        }

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
            let keypoints = if kind.is_pose() {
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
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Channel-major `[C, N]` data from per-anchor rows of `C` values.
    fn channel_major(rows: &[Vec<f32>]) -> Vec<f32> {
        let n = rows.len();
        let c = rows[0].len();
        let mut out = vec![0.0; c * n];
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(r.len(), c);
            for (j, &v) in r.iter().enumerate() {
                out[j * n + i] = v;
            }
        }
        out
    }

    fn decode(
        layout: &OutputLayout,
        data: &[f32],
        map: &BoxMapping,
        params: &DecodeParams,
    ) -> Vec<Detection> {
        let mut out = vec![];
        Decoder::new()
            .decode(layout, data, map, params, &mut out)
            .unwrap();
        out
    }

    fn boxes(dets: &[Detection]) -> Vec<(BBox, f32, u32)> {
        dets.iter().map(|d| (d.bbox, d.score, d.class_id)).collect()
    }

    fn identity(w: f32, h: f32) -> BoxMapping {
        BoxMapping {
            scale: 1.0,
            left: 0.0,
            top: 0.0,
            frame_w: w,
            frame_h: h,
        }
    }

    fn meta_with_names(n: usize) -> ModelMetadata {
        ModelMetadata {
            names: (0..n).map(|i| format!("c{i}")).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn model_type_names() {
        for t in [
            ModelType::Yolov5,
            ModelType::Yolov8,
            ModelType::Yolov8Pose,
            ModelType::End2End,
            ModelType::End2EndPose,
        ] {
            assert_eq!(ModelType::parse(t.as_str()), Some(t));
        }
        assert_eq!(ModelType::parse("YOLO11"), Some(ModelType::Yolov8));
        assert_eq!(ModelType::parse("yolo11-pose"), Some(ModelType::Yolov8Pose));
        assert_eq!(ModelType::parse("YOLOv10"), Some(ModelType::End2End));
        assert_eq!(ModelType::parse("yolo26"), Some(ModelType::End2End));
        assert_eq!(
            ModelType::parse("Yolo26-Pose"),
            Some(ModelType::End2EndPose)
        );
        assert_eq!(ModelType::parse("yolov7"), None);
    }

    #[test]
    fn parse_names_ultralytics_dict() {
        assert_eq!(
            parse_names("{0: 'person', 1: 'bicycle', 2: 'car'}").unwrap(),
            vec!["person", "bicycle", "car"]
        );
        assert_eq!(parse_names(r#"{0: "o'clock"}"#).unwrap(), vec!["o'clock"]);
        assert_eq!(
            parse_names(r#"{0: 'o\'clock', 1: "say \"hi\"", 2: 'a\\b'}"#).unwrap(),
            vec!["o'clock", "say \"hi\"", "a\\b"]
        );
        assert_eq!(parse_names("{}").unwrap(), Vec::<String>::new());
        // Trailing comma, odd spacing.
        assert_eq!(parse_names(" {0:'a' ,1 : 'b',} ").unwrap(), vec!["a", "b"]);
    }

    #[test]
    fn parse_names_list_and_gaps() {
        assert_eq!(parse_names("['a', \"b\"]").unwrap(), vec!["a", "b"]);
        assert_eq!(parse_names("[]").unwrap(), Vec::<String>::new());
        // Index = key; 1 and 2 missing → "".
        assert_eq!(
            parse_names("{3: 'd', 0: 'a'}").unwrap(),
            vec!["a", "", "", "d"]
        );
    }

    #[test]
    fn parse_names_errors() {
        assert!(parse_names("").is_err());
        assert!(parse_names("{0: person}").is_err());
        assert!(parse_names("{-1: 'a'}").is_err());
        assert!(parse_names("{0: 'a'").is_err());
        assert!(parse_names("{0: 'a} ").is_err());
        assert!(parse_names("['a'] x").is_err());
        assert!(parse_names("{99999999999: 'a'}").is_err());
    }

    #[test]
    fn parse_int_lists() {
        assert_eq!(parse_int_list("[640, 640]").unwrap(), vec![640, 640]);
        assert_eq!(parse_int_list("[17, 3]").unwrap(), vec![17, 3]);
        assert_eq!(parse_int_list("640").unwrap(), vec![640]);
        assert_eq!(parse_int_list(" (480, 640,) ").unwrap(), vec![480, 640]);
        assert_eq!(parse_int_list("[]").unwrap(), Vec::<i64>::new());
        assert!(parse_int_list("[a]").is_err());
        assert!(parse_int_list("640 480").is_err());
        assert!(parse_int_list("").is_err());
    }

    #[test]
    fn metadata_from_props() {
        let props: HashMap<&str, &str> = [
            ("names", "{0: 'person'}"),
            ("task", "pose"),
            ("kpt_shape", "[17, 3]"),
            ("imgsz", "[480, 640]"),
            ("end2end", "True"),
            ("stride", "32"),
            ("author", "Ultralytics"),
        ]
        .into_iter()
        .collect();
        let meta = ModelMetadata::from_props(|k| props.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(
            meta,
            ModelMetadata {
                names: vec!["person".to_string()],
                task: Some("pose".to_string()),
                kpt_shape: Some((17, 3)),
                imgsz: Some((480, 640)),
                end2end: Some(true),
                stride: Some(32),
            }
        );
        // Nothing present → all unknown.
        assert_eq!(
            ModelMetadata::from_props(|_| None).unwrap(),
            ModelMetadata::default()
        );
        let one = |key: &'static str, value: &'static str| {
            ModelMetadata::from_props(move |k| (k == key).then(|| value.to_string()))
        };
        assert_eq!(one("imgsz", "640").unwrap().imgsz, Some((640, 640)));
        assert_eq!(one("end2end", "False").unwrap().end2end, Some(false));
        let e = one("kpt_shape", "[17, x]").unwrap_err();
        assert!(e.contains("kpt_shape") && e.contains("[17, x]"), "{e}");
        let e = one("kpt_shape", "[17, 4]").unwrap_err();
        assert!(e.contains("kpt_shape") && e.contains("[17, 4]"), "{e}");
        let e = one("end2end", "maybe").unwrap_err();
        assert!(e.contains("end2end") && e.contains("maybe"), "{e}");
        let e = one("names", "{0: person}").unwrap_err();
        assert!(e.contains("names") && e.contains("{0: person}"), "{e}");
        assert!(one("stride", "0").is_err());
        assert!(one("imgsz", "[1, 2, 3]").is_err());
    }

    #[test]
    fn resolve_uses_the_class_count_when_anchors_are_few() {
        // [1, 7, 6]: 4+3 channels × 6 anchors (v8), not 6 rows of 5+2 (with
        // end2end unknown, a last dim of 6 would read as end2end).
        let not_e2e = ModelMetadata {
            end2end: Some(false),
            ..meta_with_names(3)
        };
        let l = resolve_layout(&[1, 7, 6], &not_e2e, None).unwrap();
        assert_eq!(
            (l.kind, l.num_classes, l.anchors),
            (ModelType::Yolov8, 3, 6)
        );
        // [1, 6, 8]: 6 rows of 5+3 (v5).
        let l = resolve_layout(&[1, 6, 8], &meta_with_names(3), None).unwrap();
        assert_eq!(
            (l.kind, l.num_classes, l.anchors),
            (ModelType::Yolov5, 3, 6)
        );
    }

    #[test]
    fn resolve_real_shapes() {
        let detect = ModelMetadata {
            task: Some("detect".to_string()),
            ..meta_with_names(80)
        };
        let l = resolve_layout(&[1, 84, 8400], &detect, None).unwrap();
        assert_eq!(
            l,
            OutputLayout {
                kind: ModelType::Yolov8,
                num_classes: 80,
                num_keypoints: 0,
                keypoint_dims: 0,
                anchors: 8400
            }
        );
        assert_eq!(l.expected_len(), 84 * 8400);

        let pose = ModelMetadata {
            task: Some("pose".to_string()),
            kpt_shape: Some((17, 3)),
            ..meta_with_names(1)
        };
        let l = resolve_layout(&[1, 56, 8400], &pose, None).unwrap();
        assert_eq!(
            l,
            OutputLayout {
                kind: ModelType::Yolov8Pose,
                num_classes: 1,
                num_keypoints: 17,
                keypoint_dims: 3,
                anchors: 8400
            }
        );
        assert_eq!(l.expected_len(), 56 * 8400);

        let e2e = ModelMetadata {
            end2end: Some(true),
            ..meta_with_names(80)
        };
        let l = resolve_layout(&[1, 300, 6], &e2e, None).unwrap();
        assert_eq!(
            (l.kind, l.num_classes, l.anchors),
            (ModelType::End2End, 80, 300)
        );
        assert_eq!(l.expected_len(), 1800);
        // Without the end2end key: width 6 and at most 1000 rows.
        let l = resolve_layout(&[1, 300, 6], &ModelMetadata::default(), None).unwrap();
        assert_eq!((l.kind, l.num_classes), (ModelType::End2End, 0));
        // Many rows of width 6: YOLOv5 with one class.
        let l = resolve_layout(&[1, 8400, 6], &ModelMetadata::default(), None).unwrap();
        assert_eq!((l.kind, l.num_classes), (ModelType::Yolov5, 1));

        let kpt = ModelMetadata {
            kpt_shape: Some((17, 3)),
            ..Default::default()
        };
        let l = resolve_layout(&[1, 300, 57], &kpt, None).unwrap();
        assert_eq!(
            l,
            OutputLayout {
                kind: ModelType::End2EndPose,
                num_classes: 0,
                num_keypoints: 17,
                keypoint_dims: 3,
                anchors: 300
            }
        );
        assert_eq!(l.expected_len(), 300 * 57);

        let l = resolve_layout(&[1, 25200, 85], &meta_with_names(80), None).unwrap();
        assert_eq!(
            (l.kind, l.num_classes, l.anchors),
            (ModelType::Yolov5, 80, 25200)
        );
        assert_eq!(l.expected_len(), 25200 * 85);
    }

    #[test]
    fn resolve_dynamic_dims() {
        let meta = meta_with_names(80);
        let e = resolve_layout(&[1, -1, -1], &meta, None).unwrap_err();
        assert!(e.contains("undecidable") && e.contains("[1, ?, ?]"), "{e}");
        // Dynamic anchors: decidable, anchors unknown until the real shape.
        let l = resolve_layout(&[-1, 84, -1], &meta, None).unwrap();
        assert_eq!(
            (l.kind, l.num_classes, l.anchors),
            (ModelType::Yolov8, 80, 0)
        );
        let l = resolve_layout(&[1, 0, 85], &meta, None).unwrap();
        assert_eq!((l.kind, l.anchors), (ModelType::Yolov5, 0));
        // [1, ?, 6]: YOLOv5 with 1 class or end2end — undecidable...
        let e = resolve_layout(&[1, -1, 6], &ModelMetadata::default(), None).unwrap_err();
        assert!(e.contains("undecidable"), "{e}");
        // ...unless the metadata says.
        let e2e = ModelMetadata {
            end2end: Some(true),
            ..Default::default()
        };
        let l = resolve_layout(&[1, -1, 6], &e2e, None).unwrap();
        assert_eq!((l.kind, l.anchors), (ModelType::End2End, 0));
        // The channel dim may not be dynamic.
        let e = resolve_layout(&[1, -1, 8400], &meta, Some(ModelType::Yolov8)).unwrap_err();
        assert!(e.contains("static"), "{e}");
    }

    #[test]
    fn resolve_errors() {
        let meta = ModelMetadata::default();
        let e = resolve_layout(&[1, 7], &meta, None).unwrap_err();
        assert!(e.contains("[1, 7]") && e.contains("[1, 4+nc, N]"), "{e}");
        let e = resolve_layout(&[2, 84, 8400], &meta, None).unwrap_err();
        assert!(e.contains("batch"), "{e}");
        // v8 needs at least one class.
        assert!(resolve_layout(&[1, 4, 8400], &meta, None).is_err());
        // 80 names, 81 classes.
        let e = resolve_layout(&[1, 85, 8400], &meta_with_names(80), None).unwrap_err();
        assert!(e.contains("80") && e.contains("81"), "{e}");
        // Forced types must fit the shape.
        let e = resolve_layout(&[1, 84, 8400], &meta, Some(ModelType::End2End)).unwrap_err();
        assert!(e.contains("[1, 84, 8400]") && e.contains("end2end"), "{e}");
        let e = resolve_layout(&[1, 56, 8400], &meta, Some(ModelType::Yolov8Pose)).unwrap_err();
        assert!(e.contains("kpt_shape"), "{e}");
        let e = resolve_layout(&[1, 300, 6], &meta_with_names(80), Some(ModelType::Yolov5));
        assert!(e.is_err());
        // A forced type that fits overrides the recognition.
        let l = resolve_layout(&[1, 7, 6], &meta, Some(ModelType::Yolov8)).unwrap();
        assert_eq!(
            (l.kind, l.num_classes, l.anchors),
            (ModelType::Yolov8, 3, 6)
        );
    }

    /// nc = 3, 6 anchors, a 128×64 frame letterboxed into 64×64
    /// (scale 0.5, 16 px padding on top and bottom).
    fn v8_case() -> (OutputLayout, Vec<f32>, BoxMapping) {
        let rows = vec![
            // cx, cy, w, h, s0, s1, s2
            vec![32.0, 32.0, 16.0, 8.0, 0.9, 0.0, 0.0], // a0
            vec![33.0, 32.0, 16.0, 8.0, 0.8, 0.0, 0.0], // a1: IoU 15/17 with a0
            vec![33.0, 32.0, 16.0, 8.0, 0.0, 0.0, 0.7], // a2: other class
            vec![10.0, 10.0, 8.0, 8.0, 0.0, 0.2, 0.0],  // a3: below 0.25
            vec![50.0, 30.0, 2.0, 2.0, 0.0, 0.6, 0.0],  // a4: 4×4 frame px
            vec![60.0, 32.0, 12.0, 12.0, 0.0, 0.5, 0.0], // a5: past the right edge
        ];
        let layout = OutputLayout {
            kind: ModelType::Yolov8,
            num_classes: 3,
            num_keypoints: 0,
            keypoint_dims: 0,
            anchors: 6,
        };
        let map = BoxMapping {
            scale: 0.5,
            left: 0.0,
            top: 16.0,
            frame_w: 128.0,
            frame_h: 64.0,
        };
        (layout, channel_major(&rows), map)
    }

    // a0: xyxy (24, 28, 40, 36) → x (24−0)/0.5 = 48, y (28−16)/0.5 = 24,
    //     x2 80, y2 40 → (48, 24, 32, 16).
    const A0: (BBox, f32, u32) = (BBox::new(48.0, 24.0, 32.0, 16.0), 0.9, 0);
    // a1 / a2: xyxy (25, 28, 41, 36) → (50, 24, 32, 16).
    const A1: (BBox, f32, u32) = (BBox::new(50.0, 24.0, 32.0, 16.0), 0.8, 0);
    const A2: (BBox, f32, u32) = (BBox::new(50.0, 24.0, 32.0, 16.0), 0.7, 2);
    // a4: xyxy (49, 29, 51, 31) → x 98, y (29−16)/0.5 = 26, 4 × 4.
    const A4: (BBox, f32, u32) = (BBox::new(98.0, 26.0, 4.0, 4.0), 0.6, 1);
    // a5: xyxy (54, 26, 66, 38) → x 108, x2 132 clipped to 128, y 20, y2 44
    //     → (108, 20, 20, 24).
    const A5: (BBox, f32, u32) = (BBox::new(108.0, 20.0, 20.0, 24.0), 0.5, 1);

    #[test]
    fn decode_yolov8_nms_and_mapping() {
        let (layout, data, map) = v8_case();
        let p = DecodeParams::default();
        let dets = decode(&layout, &data, &map, &p);
        assert_eq!(boxes(&dets), vec![A0, A2, A4, A5]);
        assert!(dets.iter().all(|d| d.keypoints.is_empty()));
    }

    #[test]
    fn decode_yolov8_filters() {
        let (layout, data, map) = v8_case();
        let with = |f: &dyn Fn(&mut DecodeParams)| {
            let mut p = DecodeParams::default();
            f(&mut p);
            boxes(&decode(&layout, &data, &map, &p))
        };
        // a1 is class 0 too, but suppressed by a0.
        assert_eq!(with(&|p| p.classes = Some(vec![0])), vec![A0]);
        // a4 is 2 / 0.5 = 4 frame px wide.
        assert_eq!(with(&|p| p.min_size = 5.0), vec![A0, A2, A5]);
        assert_eq!(with(&|p| p.min_size = 4.0), vec![A0, A2, A4, A5]);
        assert_eq!(with(&|p| p.max_detections = 1), vec![A0]);
        assert_eq!(with(&|p| p.max_detections = 0), vec![]);
        // IoU 15/17 ≈ 0.88 < 0.95: a1 survives.
        assert_eq!(with(&|p| p.iou_threshold = 0.95), vec![A0, A1, A2, A4, A5]);
        // Strict threshold: a5's 0.5 is not > 0.5.
        assert_eq!(with(&|p| p.confidence_threshold = 0.5), vec![A0, A2, A4]);
    }

    #[test]
    fn decoder_is_reusable() {
        let (layout, data, map) = v8_case();
        let mut dec = Decoder::new();
        let mut out = vec![];
        let p = DecodeParams::default();
        dec.decode(&layout, &data, &map, &p, &mut out).unwrap();
        dec.decode(&layout, &data, &map, &p, &mut out).unwrap();
        assert_eq!(boxes(&out), vec![A0, A2, A4, A5]);
    }

    #[test]
    fn decode_yolov5_objectness() {
        let layout = OutputLayout {
            kind: ModelType::Yolov5,
            num_classes: 2,
            num_keypoints: 0,
            keypoint_dims: 0,
            anchors: 4,
        };
        #[rustfmt::skip]
        let data = vec![
            // cx, cy, w, h, obj, c0, c1
            100.0, 100.0, 20.0, 20.0, 0.5, 0.6, 0.1, // 0.5·0.6 = 0.3 > 0.25
            200.0, 200.0, 20.0, 20.0, 0.2, 0.0, 1.0, // obj 0.2 ≤ 0.25
            300.0, 300.0, 20.0, 20.0, 0.9, 0.1, 0.2, // 0.9·0.2 = 0.18
            400.0, 400.0, 20.0, 40.0, 0.9, 0.0, 0.8, // 0.9·0.8 = 0.72
        ];
        let dets = decode(
            &layout,
            &data,
            &identity(640.0, 640.0),
            &DecodeParams::default(),
        );
        assert_eq!(
            boxes(&dets),
            vec![
                (BBox::new(390.0, 380.0, 20.0, 40.0), 0.9f32 * 0.8f32, 1),
                (BBox::new(90.0, 90.0, 20.0, 20.0), 0.5f32 * 0.6f32, 0),
            ]
        );
    }

    #[test]
    fn decode_yolov8_pose() {
        let (k, d) = (17usize, 3usize);
        let layout = OutputLayout {
            kind: ModelType::Yolov8Pose,
            num_classes: 1,
            num_keypoints: k,
            keypoint_dims: d,
            anchors: 3,
        };
        let kpts = |dx: f32| {
            let mut v = vec![];
            for i in 0..k {
                let x = if i == 3 {
                    4.0
                } else {
                    20.0 + 2.0 * i as f32 + dx
                };
                v.extend([x, 50.0 + 2.0 * i as f32, i as f32 / 20.0]);
            }
            v
        };
        let row = |b: [f32; 5], dx: f32| {
            let mut r = b.to_vec();
            r.extend(kpts(dx));
            r
        };
        let rows = vec![
            row([40.0, 60.0, 20.0, 40.0, 0.9], 0.0),
            // IoU with a0: 19·40 / (800 + 800 − 760) = 760/840 → suppressed.
            row([41.0, 60.0, 20.0, 40.0, 0.8], 1.0),
            row([10.0, 10.0, 4.0, 4.0, 0.1], 0.0),
        ];
        let data = channel_major(&rows);
        assert_eq!(data.len(), layout.expected_len());
        let map = BoxMapping {
            scale: 0.5,
            left: 10.0,
            top: 0.0,
            frame_w: 100.0,
            frame_h: 150.0,
        };
        let dets = decode(&layout, &data, &map, &DecodeParams::default());
        // xyxy (30, 40, 50, 80) → x (30−10)/0.5 = 40, y 80, x2 80,
        // y2 160 clipped to 150.
        assert_eq!(
            boxes(&dets),
            vec![(BBox::new(40.0, 80.0, 40.0, 70.0), 0.9, 0)]
        );
        let kp = &dets[0].keypoints;
        assert_eq!(kp.len(), 17);
        let at = |x: f32, y: f32, i: usize| Keypoint {
            x,
            y,
            confidence: i as f32 / 20.0,
            state: KeypointState::Measured,
        };
        // Keypoint i: x (20 + 2i − 10)/0.5 = 20 + 4i, y (50 + 2i)/0.5 = 100 + 4i.
        assert_eq!(kp[0], at(20.0, 100.0, 0));
        // x 4 → (4 − 10)/0.5 = −12 → clipped to 0.
        assert_eq!(kp[3], at(0.0, 112.0, 3));
        assert_eq!(kp[12], at(68.0, 148.0, 12));
        // y 152 → clipped to 150.
        assert_eq!(kp[13], at(72.0, 150.0, 13));
        assert_eq!(kp[16], at(84.0, 150.0, 16));
    }

    /// Rows of `x1, y1, x2, y2, score, class`.
    fn e2e_rows() -> Vec<f32> {
        #[rustfmt::skip]
        let data = vec![
            10.0, 10.0, 50.0, 50.0, 0.9, 0.0,
            12.0, 12.0, 52.0, 52.0, 0.8, 0.0, // overlaps row 0: kept, no NMS
            60.0, 60.0, 40.0, 80.0, 0.7, 1.0, // x2 < x1: skipped
            5.0, 5.0, 15.0, 15.0, 0.1, 2.0,   // below the threshold
            70.0, 70.0, 90.0, 90.0, 0.6, 2.0,
            30.0, 40.0, 35.0, 40.0, 0.5, 1.0, // y2 = y1: skipped
        ];
        data
    }

    #[test]
    fn decode_end2end() {
        let layout = OutputLayout {
            kind: ModelType::End2End,
            num_classes: 3,
            num_keypoints: 0,
            keypoint_dims: 0,
            anchors: 6,
        };
        let data = e2e_rows();
        let map = identity(100.0, 100.0);
        let r0 = (BBox::new(10.0, 10.0, 40.0, 40.0), 0.9, 0);
        let r1 = (BBox::new(12.0, 12.0, 40.0, 40.0), 0.8, 0);
        let r4 = (BBox::new(70.0, 70.0, 20.0, 20.0), 0.6, 2);
        let p = DecodeParams::default();
        assert_eq!(boxes(&decode(&layout, &data, &map, &p)), vec![r0, r1, r4]);
        let p = DecodeParams {
            max_detections: 2,
            ..Default::default()
        };
        assert_eq!(boxes(&decode(&layout, &data, &map, &p)), vec![r0, r1]);
        let p = DecodeParams {
            classes: Some(vec![2]),
            ..Default::default()
        };
        assert_eq!(boxes(&decode(&layout, &data, &map, &p)), vec![r4]);
        // A class id beyond the known classes is a bogus row.
        let mut bad = data.clone();
        bad[5] = 3.0;
        let p = DecodeParams::default();
        assert_eq!(boxes(&decode(&layout, &bad, &map, &p)), vec![r1, r4]);
    }

    #[test]
    fn decode_end2end_pose() {
        let layout = OutputLayout {
            kind: ModelType::End2EndPose,
            num_classes: 1,
            num_keypoints: 2,
            keypoint_dims: 2,
            anchors: 2,
        };
        #[rustfmt::skip]
        let data = vec![
            10.0, 20.0, 30.0, 60.0, 0.8, 0.0, 12.0, 22.0, 200.0, -4.0,
            0.0, 0.0, 10.0, 10.0, 0.1, 0.0, 1.0, 1.0, 2.0, 2.0,
        ];
        assert_eq!(data.len(), layout.expected_len());
        // A 50×50 frame upscaled into a 100×100 input: frame = input / 2.
        let map = BoxMapping {
            scale: 2.0,
            left: 0.0,
            top: 0.0,
            frame_w: 50.0,
            frame_h: 50.0,
        };
        let dets = decode(&layout, &data, &map, &DecodeParams::default());
        assert_eq!(
            boxes(&dets),
            vec![(BBox::new(5.0, 10.0, 10.0, 20.0), 0.8, 0)]
        );
        let kp = |x, y| Keypoint {
            x,
            y,
            confidence: 1.0,
            state: KeypointState::Measured,
        };
        // (12, 22) → (6, 11); (200, −4) → (100, −2) → clipped (50, 0).
        assert_eq!(dets[0].keypoints, vec![kp(6.0, 11.0), kp(50.0, 0.0)]);
    }

    #[test]
    fn nan_scores_never_pass() {
        let map = identity(64.0, 64.0);
        let p = DecodeParams::default();
        let v8 = OutputLayout {
            kind: ModelType::Yolov8,
            num_classes: 1,
            num_keypoints: 0,
            keypoint_dims: 0,
            anchors: 2,
        };
        let data = channel_major(&[
            vec![10.0, 10.0, 4.0, 4.0, f32::NAN],
            vec![20.0, 20.0, 4.0, 4.0, 0.5],
        ]);
        assert_eq!(
            boxes(&decode(&v8, &data, &map, &p)),
            vec![(BBox::new(18.0, 18.0, 4.0, 4.0), 0.5, 0)]
        );
        let v5 = OutputLayout {
            kind: ModelType::Yolov5,
            num_classes: 2,
            anchors: 2,
            ..v8
        };
        #[rustfmt::skip]
        let data = [
            10.0, 10.0, 4.0, 4.0, f32::NAN, 1.0, 1.0,
            10.0, 10.0, 4.0, 4.0, 1.0, 0.9, f32::NAN,
        ];
        assert!(decode(&v5, &data, &map, &p).is_empty());
        let e2e = OutputLayout {
            kind: ModelType::End2End,
            num_classes: 0,
            anchors: 2,
            ..v8
        };
        #[rustfmt::skip]
        let data = [
            1.0, 1.0, 5.0, 5.0, f32::NAN, 0.0,
            1.0, 1.0, 5.0, 5.0, 0.3, 7.0,
        ];
        assert_eq!(
            boxes(&decode(&e2e, &data, &map, &p)),
            vec![(BBox::new(1.0, 1.0, 4.0, 4.0), 0.3, 7)]
        );
    }

    #[test]
    fn wrong_data_length_is_an_error() {
        let (layout, data, map) = v8_case();
        let mut out = vec![Detection {
            bbox: A0.0,
            score: A0.1,
            class_id: A0.2,
            keypoints: vec![],
        }];
        let e = Decoder::new()
            .decode(
                &layout,
                &data[..41],
                &map,
                &DecodeParams::default(),
                &mut out,
            )
            .unwrap_err();
        assert!(e.contains("41") && e.contains("42"), "{e}");
        assert!(out.is_empty());
        let bad_map = BoxMapping { scale: 0.0, ..map };
        assert!(Decoder::new()
            .decode(&layout, &data, &bad_map, &DecodeParams::default(), &mut out)
            .is_err());
    }
}
