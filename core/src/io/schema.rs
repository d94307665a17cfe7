// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! JSON Lines schema v1 (`"schema":"rstracking/1"`): one line per frame,
//! optional lifecycle/event lines. Absent fields are omitted, unknown fields
//! are ignored on read.
//!
//! Reading ([`parse_jsonl`]) never yields a non-finite value: an object
//! with a non-finite box or confidence, or a width or height of 0 or less,
//! is dropped; a non-finite keypoint value drops the keypoints of its
//! object (the object is kept, without keypoints), a non-finite embedding
//! value its embedding. All are counted for rsdetect's warnings.

use crate::io::mot::{DetectionsByFrame, ParseError};
use crate::types::{Action, Attribute, BBox, Keypoint, KeypointState, Object, TrackState};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// Value of the `schema` field written on every line.
pub const SCHEMA: &str = "rstracking/1";

fn is_zero(v: &u32) -> bool {
    *v == 0
}

/// One object as it appears in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonObject {
    pub bbox: [f32; 4],
    pub confidence: f32,
    #[serde(default)]
    pub class_id: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub track_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub global_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub keypoints: Option<Vec<[f32; 3]>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub keypoint_states: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub embedding: Option<Vec<f32>>,
    /// The embedding as base64 (standard alphabet, padded) of its
    /// little-endian f32 values: the compact form broker messages use
    /// (see [`crate::io::msg`]). Read as `embedding` when that is absent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub embedding_b64: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub embedding_frame: Option<u64>,
    /// Zones (rszones) the object is inside.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub zones: Vec<String>,
    /// The track's last action classification (rsaction).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub action: Option<JsonAction>,
    /// Classifications (rsclassify).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub attributes: Vec<JsonAttribute>,
}

/// `action` of an object: top class, its score, the frame classified, and
/// every class's score when the element writes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonAction {
    pub class_id: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub label: Option<String>,
    pub score: f32,
    pub frame: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub scores: Option<Vec<f32>>,
}

impl From<&Action> for JsonAction {
    fn from(a: &Action) -> Self {
        JsonAction {
            class_id: a.class_id,
            label: a.label.clone(),
            score: a.score,
            frame: a.frame,
            scores: a.scores.as_ref().map(|s| s.to_vec()),
        }
    }
}

/// One classification as it appears in JSON:
/// `{"name":"color","label":"red","class_id":0,"score":0.5,"frame":3}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonAttribute {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub label: Option<String>,
    #[serde(default)]
    pub class_id: u32,
    pub score: f32,
    #[serde(default)]
    pub frame: u64,
}

impl From<&Attribute> for JsonAttribute {
    fn from(a: &Attribute) -> Self {
        JsonAttribute {
            name: a.name.clone(),
            label: a.label.clone(),
            class_id: a.class_id,
            score: a.score,
            frame: a.frame,
        }
    }
}

impl JsonAction {
    /// None when a score is not finite (the object keeps no action).
    fn to_action(&self) -> Option<Action> {
        let finite = self.score.is_finite() && self.scores.iter().flatten().all(|v| v.is_finite());
        finite.then(|| Action {
            class_id: self.class_id,
            label: self.label.clone(),
            score: self.score,
            scores: self.scores.as_deref().map(Arc::from),
            frame: self.frame,
        })
    }
}

impl JsonAttribute {
    fn to_attribute(&self) -> Result<Attribute, ObjectError> {
        if !self.score.is_finite() {
            return Err(ObjectError::NonFiniteAttributeScore {
                name: self.name.clone(),
            });
        }
        Ok(Attribute {
            name: self.name.clone(),
            label: self.label.clone(),
            class_id: self.class_id,
            score: self.score,
            frame: self.frame,
        })
    }
}

/// One frame line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameLine {
    pub schema: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stream: Option<String>,
    pub frame: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pts_ns: Option<u64>,
    /// Running time of the buffer in its pipeline (ns).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub running_time_ns: Option<u64>,
    /// Wall-clock time (UTC, ns since 1970) the frame belongs to, where
    /// known; `utc_source` says where it came from (`ntp`: the sender's
    /// NTP time of a GstReferenceTimestampMeta, e.g. RTCP sender reports of
    /// an RTSP camera; `clock`: the pipeline clock at the buffer's running
    /// time, mapped to the system's wall clock).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub utc_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub utc_source: Option<String>,
    #[serde(skip_serializing_if = "is_zero", default)]
    pub width: u32,
    #[serde(skip_serializing_if = "is_zero", default)]
    pub height: u32,
    #[serde(default)]
    pub objects: Vec<JsonObject>,
}

impl From<&Object> for JsonObject {
    fn from(o: &Object) -> Self {
        let b = o.bbox;
        JsonObject {
            bbox: [b.x, b.y, b.w, b.h],
            confidence: o.confidence,
            class_id: o.class_id,
            label: o.label.clone(),
            track_id: o.track_id,
            state: o.track_state.map(|s| s.as_str().to_string()),
            global_id: o.global_id,
            keypoints: (!o.keypoints.is_empty()).then(|| {
                o.keypoints
                    .iter()
                    .map(|k| [k.x, k.y, k.confidence])
                    .collect()
            }),
            keypoint_states: (!o.keypoints.is_empty()).then(|| {
                o.keypoints
                    .iter()
                    .map(|k| k.state.as_str().to_string())
                    .collect()
            }),
            embedding: o.embedding.as_ref().map(|e| e.to_vec()),
            embedding_b64: None,
            embedding_frame: o.embedding_frame,
            zones: o.zones.clone(),
            action: o.action.as_ref().map(JsonAction::from),
            attributes: o.attributes.iter().map(JsonAttribute::from).collect(),
        }
    }
}

/// How a frame line writes embeddings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmbeddingEncoding {
    /// `embedding`: a JSON array of numbers (rsjsonsink).
    #[default]
    Json,
    /// `embedding_b64`: base64 of the little-endian f32 values, about a
    /// third of the JSON size.
    Base64,
    /// Left out (`embedding_frame` too).
    Omit,
}

impl JsonObject {
    /// Moves an `embedding_b64` into `embedding` (when `embedding` is
    /// absent); the error says what is wrong with the text.
    pub fn decode_embedding(&mut self) -> Result<(), String> {
        if let Some(b) = self.embedding_b64.take() {
            if self.embedding.is_none() {
                self.embedding = Some(crate::io::msg::decode_embedding(&b)?);
            }
        }
        Ok(())
    }

    /// Converts to the object model, validating values.
    pub fn to_object(&self) -> Result<Object, ObjectError> {
        let [x, y, w, h] = self.bbox;
        if !(x.is_finite() && y.is_finite() && w.is_finite() && h.is_finite()) {
            return Err(ObjectError::NonFiniteBox);
        }
        if w < 0.0 || h < 0.0 {
            return Err(ObjectError::NegativeSize { w, h });
        }
        if !self.confidence.is_finite() {
            return Err(ObjectError::NonFiniteConfidence);
        }
        let track_state = match &self.state {
            None => None,
            Some(s) => Some(
                TrackState::parse(s)
                    .ok_or_else(|| ObjectError::UnknownState { state: s.clone() })?,
            ),
        };
        let kps = self.keypoints.as_deref().unwrap_or(&[]);
        let states = self.keypoint_states.as_deref();
        if let Some(st) = states {
            if st.len() != kps.len() {
                return Err(ObjectError::KeypointStates {
                    states: st.len(),
                    keypoints: kps.len(),
                });
            }
        }
        let mut keypoints = Vec::with_capacity(kps.len());
        for (i, k) in kps.iter().enumerate() {
            let state = match states {
                None => KeypointState::Measured,
                Some(st) => KeypointState::parse(&st[i]).ok_or_else(|| {
                    ObjectError::UnknownKeypointState {
                        index: i,
                        state: st[i].clone(),
                    }
                })?,
            };
            keypoints.push(Keypoint {
                x: k[0],
                y: k[1],
                confidence: k[2],
                state,
            });
        }
        Ok(Object {
            bbox: BBox::new(x, y, w, h),
            confidence: self.confidence,
            class_id: self.class_id,
            label: self.label.clone(),
            track_id: self.track_id,
            track_state,
            global_id: self.global_id,
            keypoints,
            embedding: self.embedding.as_ref().map(|e| Arc::from(e.as_slice())),
            embedding_frame: self.embedding_frame,
            zones: self.zones.clone(),
            action: self.action.as_ref().and_then(JsonAction::to_action),
            attributes: self
                .attributes
                .iter()
                .map(JsonAttribute::to_attribute)
                .collect::<Result<_, _>>()?,
        })
    }
}

/// Why a [`JsonObject`] is not a valid object ([`JsonObject::to_object`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectError {
    /// A box value is NaN or infinite.
    NonFiniteBox,
    /// A negative box width or height.
    NegativeSize { w: f32, h: f32 },
    /// The confidence is NaN or infinite.
    NonFiniteConfidence,
    /// A track state other than tentative, tracked, lost or predicted.
    UnknownState { state: String },
    /// `keypoint_states` and `keypoints` differ in length.
    KeypointStates { states: usize, keypoints: usize },
    /// An unknown keypoint state (`index`: the keypoint).
    UnknownKeypointState { index: usize, state: String },
    /// An attribute's score is NaN or infinite.
    NonFiniteAttributeScore { name: String },
}

impl fmt::Display for ObjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectError::NonFiniteBox => f.write_str("bbox holds a non-finite value"),
            ObjectError::NegativeSize { w, h } => write!(f, "bbox has negative size {w}x{h}"),
            ObjectError::NonFiniteConfidence => f.write_str("confidence is not finite"),
            ObjectError::UnknownState { state } => write!(
                f,
                "unknown state '{state}' (expected tentative, tracked, lost or predicted)"
            ),
            ObjectError::KeypointStates { states, keypoints } => write!(
                f,
                "keypoint_states has {states} entries, keypoints has {keypoints}"
            ),
            ObjectError::UnknownKeypointState { index, state } => {
                write!(f, "keypoint {index}: unknown state '{state}'")
            }
            ObjectError::NonFiniteAttributeScore { name } => {
                write!(f, "attribute '{name}': score is not finite")
            }
        }
    }
}

impl std::error::Error for ObjectError {}

/// A lifecycle line telling that id `from` is the same identity as `to`
/// from now on: `{"schema":"rstracking/1","event":"merge","stream":"cam0",
/// "frame":12,"id":"track_id","from":7,"to":3}` (without the trailing
/// newline). `id_kind` is `track_id` (a tracker stitched two tracklets) or
/// `global_id` (two cross-camera identities were found to be one). `frame`
/// is the frame the change takes effect on.
pub fn merge_line(stream: Option<&str>, frame: u64, id_kind: &str, from: u64, to: u64) -> String {
    let quote = |v: &str| serde_json::Value::from(v).to_string();
    let stream = stream
        .map(|s| format!(",\"stream\":{}", quote(s)))
        .unwrap_or_default();
    format!(
        "{{\"schema\":\"{SCHEMA}\",\"event\":\"merge\"{stream},\"frame\":{frame},\"id\":{},\"from\":{from},\"to\":{to}}}",
        quote(id_kind)
    )
}

/// Times of a frame line (all optional; absent ones are omitted).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FrameTimes<'a> {
    pub pts_ns: Option<u64>,
    pub running_time_ns: Option<u64>,
    pub utc_ns: Option<u64>,
    /// `ntp` or `clock`, with `utc_ns`.
    pub utc_source: Option<&'a str>,
}

impl From<Option<u64>> for FrameTimes<'_> {
    /// Only a PTS.
    fn from(pts_ns: Option<u64>) -> Self {
        FrameTimes {
            pts_ns,
            ..Default::default()
        }
    }
}

/// A track life-cycle line (`track_start`, `track_lost`, or a `track_end`
/// without a summary), numbered with the frame it precedes.
pub fn track_event_line(event: &str, stream: Option<&str>, frame: u64, track_id: u64) -> String {
    let quote = |v: &str| serde_json::Value::from(v).to_string();
    let stream = stream
        .map(|s| format!(",\"stream\":{}", quote(s)))
        .unwrap_or_default();
    format!(
        "{{\"schema\":\"{SCHEMA}\",\"event\":{}{stream},\"frame\":{frame},\"track_id\":{track_id}}}",
        quote(event)
    )
}

/// Serialises one frame line (without the trailing newline).
pub fn frame_line<'a>(
    stream: Option<&str>,
    frame: u64,
    times: impl Into<FrameTimes<'a>>,
    width: u32,
    height: u32,
    objects: &[Object],
) -> String {
    frame_line_encoded(
        stream,
        frame,
        times,
        (width, height),
        objects,
        EmbeddingEncoding::Json,
    )
}

/// [`frame_line`] with a choice of how embeddings are written.
pub fn frame_line_encoded<'a>(
    stream: Option<&str>,
    frame: u64,
    times: impl Into<FrameTimes<'a>>,
    (width, height): (u32, u32),
    objects: &[Object],
    embeddings: EmbeddingEncoding,
) -> String {
    let times = times.into();
    let object = |o: &Object| {
        let mut jo = JsonObject::from(o);
        match embeddings {
            EmbeddingEncoding::Json => {}
            EmbeddingEncoding::Base64 => {
                jo.embedding_b64 = jo
                    .embedding
                    .take()
                    .map(|e| crate::io::msg::encode_embedding(&e));
            }
            EmbeddingEncoding::Omit => {
                jo.embedding = None;
                jo.embedding_frame = None;
            }
        }
        jo
    };
    let line = FrameLine {
        schema: SCHEMA.to_string(),
        stream: stream.map(str::to_string),
        frame,
        pts_ns: times.pts_ns,
        running_time_ns: times.running_time_ns,
        utc_ns: times.utc_ns,
        utc_source: times.utc_source.map(str::to_string),
        width,
        height,
        objects: objects.iter().map(object).collect(),
    };
    serde_json::to_string(&line).expect("frame line serialises")
}

/// Result of reading a JSONL file: detections per frame plus the stream name
/// of the first frame line that has one.
#[derive(Debug, Clone, Default)]
pub struct JsonlDetections {
    pub detections: DetectionsByFrame,
    pub stream: Option<String>,
    /// The frame size (`width`, `height`) of the first frame line that
    /// records one, and that line (1-based).
    pub frame_size: Option<(u32, u32, usize)>,
}

/// Reads a JSONL file written by rsjsonsink (or by hand). Event lines are
/// skipped; a frame that appears twice has its objects appended. A UTF-8
/// byte order mark at the start is skipped.
///
/// Non-finite values never reach the output (JSON has no NaN, but a number
/// such as `1e39` overflows `f32`): an object whose box or confidence is
/// not finite, or whose width or height is not > 0
/// ([`crate::io::mot::importable`]), is dropped; an object with a
/// non-finite keypoint value (x, y or confidence) is kept without its
/// keypoints (and their states), one with a non-finite embedding value
/// without its embedding (and `embedding_frame`). Each is counted in
/// [`DetectionsByFrame::notes`] with its first line. Other invalid values
/// (unknown states, mismatched `keypoint_states`) are errors.
pub fn parse_jsonl(text: &str, path: &str) -> Result<JsonlDetections, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = JsonlDetections::default();
    let mut any_line = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        any_line = true;
        let line_no = i + 1;
        let err = |message: String| ParseError {
            path: path.to_string(),
            line: line_no,
            message,
        };
        let v: serde_json::Value =
            serde_json::from_str(t).map_err(|e| err(format!("invalid JSON: {e}")))?;
        let obj = v
            .as_object()
            .ok_or_else(|| err("expected a JSON object".into()))?;
        match obj.get("schema").and_then(|s| s.as_str()) {
            Some(SCHEMA) => {}
            Some(other) => {
                return Err(err(format!(
                    "unsupported schema '{other}' (expected '{SCHEMA}')"
                )))
            }
            None => return Err(err(format!("missing \"schema\":\"{SCHEMA}\""))),
        }
        if obj.contains_key("event") {
            continue;
        }
        let fl: FrameLine =
            serde_json::from_value(v).map_err(|e| err(format!("bad frame line: {e}")))?;
        if out.stream.is_none() {
            out.stream = fl.stream.clone();
        }
        if out.frame_size.is_none() && fl.width > 0 && fl.height > 0 {
            out.frame_size = Some((fl.width, fl.height, line_no));
        }
        let notes = &mut out.detections.notes;
        let objs = out.detections.frames.entry(fl.frame).or_default();
        for (k, mut jo) in fl.objects.into_iter().enumerate() {
            let [x, y, w, h] = jo.bbox;
            if !crate::io::mot::importable(&BBox::new(x, y, w, h), jo.confidence) {
                notes.dropped.add(line_no);
                continue;
            }
            jo.decode_embedding()
                .map_err(|m| err(format!("object {k}: embedding_b64: {m}")))?;
            let finite = |v: &[f32]| v.iter().all(|v| v.is_finite());
            if jo
                .keypoints
                .as_ref()
                .is_some_and(|kps| !kps.iter().all(|k| finite(k)))
            {
                jo.keypoints = None;
                jo.keypoint_states = None;
                notes.dropped_keypoints.add(line_no);
            }
            if jo.embedding.as_deref().is_some_and(|e| !finite(e)) {
                jo.embedding = None;
                jo.embedding_frame = None;
                notes.dropped_embeddings.add(line_no);
            }
            let o = jo
                .to_object()
                .map_err(|m| err(format!("object {k}: {m}")))?;
            notes.score(f64::from(o.confidence), line_no);
            objs.push(o);
        }
    }
    if !any_line {
        return Err(ParseError {
            path: path.to_string(),
            line: 0,
            message: "file holds no frame lines (empty)".into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read_keeps_everything() {
        let mut o = Object::new(BBox::new(10.0, 20.0, 50.0, 120.0), 0.91, 0);
        o.label = Some("person".into());
        o.track_id = Some(7);
        o.track_state = Some(TrackState::Tracked);
        o.global_id = Some(3);
        o.keypoints = vec![Keypoint {
            x: 1.5,
            y: 2.5,
            confidence: 0.8,
            state: KeypointState::Smoothed,
        }];
        o.embedding = Some(Arc::from(&[0.6f32, 0.8][..]));
        o.embedding_frame = Some(4);
        let line = frame_line(Some("cam0"), 5, Some(1000), 1920, 1080, &[o.clone()]);
        assert_eq!(
            line,
            r#"{"schema":"rstracking/1","stream":"cam0","frame":5,"pts_ns":1000,"width":1920,"height":1080,"objects":[{"bbox":[10.0,20.0,50.0,120.0],"confidence":0.91,"class_id":0,"label":"person","track_id":7,"state":"tracked","global_id":3,"keypoints":[[1.5,2.5,0.8]],"keypoint_states":["smoothed"],"embedding":[0.6,0.8],"embedding_frame":4}]}"#
        );
        let back = parse_jsonl(&format!("{line}\n"), "x.jsonl").unwrap();
        assert_eq!(back.stream.as_deref(), Some("cam0"));
        assert_eq!(back.detections.frames[&5], vec![o]);
    }

    #[test]
    fn attributes_round_trip_exactly() {
        let mut o = Object::new(BBox::new(1.0, 2.0, 3.0, 4.0), 0.5, 2);
        o.attributes = vec![
            Attribute {
                name: "color".into(),
                label: Some("red".into()),
                class_id: 0,
                score: 0.5,
                frame: 3,
            },
            Attribute {
                name: "type".into(),
                label: None,
                class_id: 7,
                score: 0.25,
                frame: 4,
            },
        ];
        let line = frame_line(None, 4, None, 0, 0, &[o.clone()]);
        assert_eq!(
            line,
            r#"{"schema":"rstracking/1","frame":4,"objects":[{"bbox":[1.0,2.0,3.0,4.0],"confidence":0.5,"class_id":2,"attributes":[{"name":"color","label":"red","class_id":0,"score":0.5,"frame":3},{"name":"type","class_id":7,"score":0.25,"frame":4}]}]}"#
        );
        let back = parse_jsonl(&format!("{line}\n"), "x.jsonl").unwrap();
        assert_eq!(back.detections.frames[&4], vec![o]);
        let e = parse_jsonl(
            r#"{"schema":"rstracking/1","frame":0,"objects":[{"bbox":[0,0,1,1],"confidence":1,"attributes":[{"name":"c","score":1e39}]}]}"#,
            "a.jsonl",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.jsonl:1: object 0: attribute 'c': score is not finite"
        );
    }

    #[test]
    fn minimal_object_omits_absent_fields() {
        let o = Object::new(BBox::new(1.0, 2.0, 3.0, 4.0), 0.5, 2);
        assert_eq!(
            frame_line(None, 0, None, 0, 0, &[o]),
            r#"{"schema":"rstracking/1","frame":0,"objects":[{"bbox":[1.0,2.0,3.0,4.0],"confidence":0.5,"class_id":2}]}"#
        );
    }

    #[test]
    fn errors_name_the_line() {
        let good = r#"{"schema":"rstracking/1","frame":0,"objects":[]}"#;
        let e = parse_jsonl(&format!("{good}\n{{\"schema\":\"rstracking/1\",\"frame\":1,\"objects\":[{{\"bbox\":[1,2,3],\"confidence\":1}}]}}\n"), "a.jsonl").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.starts_with("bad frame line: "), "{}", e.message);
        let e = parse_jsonl("{\"frame\":1}\n", "a.jsonl").unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.jsonl:1: missing \"schema\":\"rstracking/1\""
        );
        let e = parse_jsonl("not json\n", "a.jsonl").unwrap_err();
        assert!(e.to_string().starts_with("a.jsonl:1: invalid JSON"));
        let e = parse_jsonl(r#"{"schema":"rstracking/1","frame":0,"objects":[{"bbox":[0,0,1,1],"confidence":1,"state":"gone"}]}"#, "a.jsonl").unwrap_err();
        assert_eq!(e.to_string(), "a.jsonl:1: object 0: unknown state 'gone' (expected tentative, tracked, lost or predicted)");
        // event lines are skipped
        let ok = parse_jsonl(
            &format!(
                "{{\"schema\":\"rstracking/1\",\"event\":\"merge\",\"from\":1,\"to\":2}}\n{good}\n"
            ),
            "a.jsonl",
        )
        .unwrap();
        assert_eq!(ok.detections.frames.len(), 1);
    }
}
