// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The object model carried by the tracking meta and written as JSON.

use std::sync::Arc;

/// The f64 nearest to the shortest decimal that round-trips `v`.
///
/// Objects store f32. A score read from a file as "0.1" must compare with
/// a 0.1 threshold (and enter costs and printed output) as the float64 0.1,
/// not as 0.10000000149. Costs ~100 ns, no allocation.
pub fn decimal_f64(v: f32) -> f64 {
    use std::fmt::Write;
    struct Buf {
        b: [u8; 48],
        n: usize,
    }
    impl Write for Buf {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let end = self.n + s.len();
            if end > self.b.len() {
                return Err(std::fmt::Error);
            }
            self.b[self.n..end].copy_from_slice(s.as_bytes());
            self.n = end;
            Ok(())
        }
    }
    let mut buf = Buf { b: [0; 48], n: 0 };
    if write!(buf, "{v}").is_err() {
        return v as f64;
    }
    std::str::from_utf8(&buf.b[..buf.n])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(v as f64)
}

/// Axis-aligned box in pixels of the frame it belongs to: top-left corner
/// (0-based) plus width and height.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BBox {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl BBox {
    pub const fn new(x: f32, y: f32, w: f32, h: f32) -> Self {
        Self { x, y, w, h }
    }

    /// Multiplies x and w by `sx`, y and h by `sy` (a frame rescale).
    pub fn scale(&mut self, sx: f32, sy: f32) {
        self.x *= sx;
        self.w *= sx;
        self.y *= sy;
        self.h *= sy;
    }
}

/// Life-cycle state of a track as written on an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackState {
    /// Seen, not yet confirmed (not output by default).
    Tentative,
    /// Confirmed and matched in this frame.
    Tracked,
    /// Confirmed but unmatched in this frame (box is the motion prediction).
    Lost,
    /// Produced by a predictor (e.g. gap filling), not by a measurement.
    Predicted,
}

impl TrackState {
    pub fn as_str(self) -> &'static str {
        match self {
            TrackState::Tentative => "tentative",
            TrackState::Tracked => "tracked",
            TrackState::Lost => "lost",
            TrackState::Predicted => "predicted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "tentative" => TrackState::Tentative,
            "tracked" => TrackState::Tracked,
            "lost" => TrackState::Lost,
            "predicted" => TrackState::Predicted,
            _ => return None,
        })
    }
}

/// Where a keypoint value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeypointState {
    /// As measured by the detector.
    #[default]
    Measured,
    /// Filtered by a smoother.
    Smoothed,
    /// Extrapolated while the measurement is missing.
    Predicted,
    /// Interpolated between two measured poses.
    Interpolated,
    /// Below the confidence floor: not used.
    Missing,
}

impl KeypointState {
    pub fn as_str(self) -> &'static str {
        match self {
            KeypointState::Measured => "measured",
            KeypointState::Smoothed => "smoothed",
            KeypointState::Predicted => "predicted",
            KeypointState::Interpolated => "interpolated",
            KeypointState::Missing => "missing",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "measured" => KeypointState::Measured,
            "smoothed" => KeypointState::Smoothed,
            "predicted" => KeypointState::Predicted,
            "interpolated" => KeypointState::Interpolated,
            "missing" => KeypointState::Missing,
            _ => return None,
        })
    }
}

/// One keypoint in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Keypoint {
    pub x: f32,
    pub y: f32,
    pub confidence: f32,
    pub state: KeypointState,
}

/// One detected / tracked object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object {
    pub bbox: BBox,
    pub confidence: f32,
    pub class_id: u32,
    pub label: Option<String>,
    pub track_id: Option<u64>,
    pub track_state: Option<TrackState>,
    pub global_id: Option<u64>,
    pub keypoints: Vec<Keypoint>,
    pub embedding: Option<Arc<[f32]>>,
    /// Index of the frame the embedding was computed on.
    pub embedding_frame: Option<u64>,
    /// Names of the zones (rszones) the object is inside.
    pub zones: Vec<String>,
    /// The track's last action classification (rsaction), kept until the
    /// next one.
    pub action: Option<Action>,
    /// Classification results (rsclassify), one per attribute group.
    pub attributes: Vec<Attribute>,
}

/// Result of an action model on a track's keypoint window (rsaction).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Action {
    /// Index of the top class in the model's output.
    pub class_id: u32,
    /// Its label, where the element has labels.
    pub label: Option<String>,
    /// Its score (after the element's activation).
    pub score: f32,
    /// Every class's score, when the element is asked for them.
    pub scores: Option<Arc<[f32]>>,
    /// Index of the frame whose window was classified.
    pub frame: u64,
}

/// One classification of an object's crop (rsclassify).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attribute {
    /// The attribute group (rsclassify's `attribute-name`, e.g. "color").
    pub name: String,
    /// The class label, where the classifier has labels.
    pub label: Option<String>,
    /// Index of the top class in the model's output.
    pub class_id: u32,
    /// The activated top value (softmax/sigmoid probability, or raw).
    pub score: f32,
    /// Index of the frame the classification was computed on.
    pub frame: u64,
}

impl Object {
    pub fn new(bbox: BBox, confidence: f32, class_id: u32) -> Self {
        Self {
            bbox,
            confidence,
            class_id,
            ..Default::default()
        }
    }

    /// Whether the box was observed in this frame: false for a lost track
    /// (a motion prediction) and for rsposesmooth's predicted keypoints.
    /// Elements that crop, classify or window observations skip the others.
    pub fn is_observed(&self) -> bool {
        !matches!(
            self.track_state,
            Some(TrackState::Lost | TrackState::Predicted)
        )
    }

    /// Rescales the box and keypoints (frame resize by `sx` × `sy`).
    pub fn scale(&mut self, sx: f32, sy: f32) {
        self.bbox.scale(sx, sy);
        for k in &mut self.keypoints {
            k.x *= sx;
            k.y *= sy;
        }
    }
}

/// All objects of one frame plus the stream (camera) they belong to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FrameObjects {
    pub stream: Option<String>,
    /// 0-based index of the frame in its stream, counted by the element
    /// that created the objects (the detector), so that it does not drift
    /// when later elements or the sink drop frames. None when unknown.
    pub frame: Option<u64>,
    pub objects: Vec<Object>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_f64_recovers_the_written_decimal() {
        assert_eq!(decimal_f64(0.1), 0.1f64);
        assert_ne!(0.1f32 as f64, 0.1f64);
        assert_eq!(decimal_f64(914.1), 914.1f64);
        assert_eq!(decimal_f64(0.995616), 0.995616f64);
        assert_eq!(decimal_f64(-3.0e-7), -3.0e-7f64);
        assert!(decimal_f64(f32::NAN).is_nan());
        assert_eq!(decimal_f64(f32::INFINITY), f64::INFINITY);
    }
}
