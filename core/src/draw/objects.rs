// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Tracked objects drawn with the [`Canvas`] primitives: boxes and id
//! labels in a colour per id, COCO-17 skeletons ([`draw_objects`]).

use std::fmt::Write as _;

use super::{box_px, text_size, Canvas, Rgb, UNTRACKED_COLOUR};
use crate::types::{Keypoint, KeypointState, Object};

/// A colour per id: the hue advances by the golden ratio conjugate of a turn
/// per id; saturation cycles over three levels (`id mod 3`) and value over
/// two (`id mod 2`, both ≥ 0.8) so that ids whose hues come close differ
/// in saturation or brightness.
pub fn id_colour(id: u64) -> Rgb {
    // frac(id / φ), exactly, as a 64-bit fixed-point fraction.
    let frac = id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
    let hue = (frac as f64 / (1u64 << 53) as f64 + 0.07).fract();
    let sat = [0.95, 0.7, 0.5][(id % 3) as usize];
    let val = [1.0, 0.82][(id % 2) as usize];
    hsv(hue, sat, val)
}

/// HSV (all in `0..=1`) to RGB.
fn hsv(h: f64, s: f64, v: f64) -> Rgb {
    let h6 = h * 6.0;
    let sector = (h6.floor() as i64).rem_euclid(6);
    let f = h6 - h6.floor();
    let (p, q, t) = (v * (1.0 - s), v * (1.0 - s * f), v * (1.0 - s * (1.0 - f)));
    let (r, g, b) = match sector {
        0 => (v, t, p),
        1 => (q, v, p),
        2 => (p, v, t),
        3 => (p, q, v),
        4 => (t, p, v),
        _ => (v, p, q),
    };
    let q8 = |c: f64| (c * 255.0).round().clamp(0.0, 255.0) as u8;
    Rgb(q8(r), q8(g), q8(b))
}

/// COCO-17 skeleton: the usual 19 limb pairs (0-based keypoint indices).
pub const COCO17_SKELETON: [(usize, usize); 19] = [
    (15, 13),
    (13, 11),
    (16, 14),
    (14, 12),
    (11, 12),
    (5, 11),
    (6, 12),
    (5, 6),
    (5, 7),
    (6, 8),
    (7, 9),
    (8, 10),
    (1, 2),
    (0, 1),
    (0, 2),
    (1, 3),
    (2, 4),
    (3, 5),
    (4, 6),
];

/// What [`draw_objects`] draws, and how big.
#[derive(Clone, Debug, PartialEq)]
pub struct OverlayStyle {
    /// Object boxes (default true).
    pub boxes: bool,
    /// Id / class labels (default true).
    pub labels: bool,
    /// Skeleton lines and keypoint dots (default true).
    pub skeleton: bool,
    /// Line thickness in pixels; 0 (default) = `max(1, min(w, h) / 360)`.
    pub thickness: u32,
    /// Text scale; 0 (default) = `max(1, min(w, h) / 240)`.
    pub text_scale: u32,
    /// Keypoints below this confidence are not drawn (default 0.3).
    pub min_keypoint_confidence: f32,
}

impl Default for OverlayStyle {
    fn default() -> Self {
        OverlayStyle {
            boxes: true,
            labels: true,
            skeleton: true,
            thickness: 0,
            text_scale: 0,
            min_keypoint_confidence: 0.3,
        }
    }
}

/// The colour of an object: by global id, else track id, else grey.
fn object_colour(o: &Object) -> Rgb {
    o.global_id
        .or(o.track_id)
        .map_or(UNTRACKED_COLOUR, id_colour)
}

/// `"#<track_id> g<global_id> <label> <attribute> <score> ... <action>
/// <action score>"`, each part only when present (an attribute or action
/// without a label shows its name or "action" and the class id).
pub(super) fn label_text(o: &Object) -> String {
    let mut s = String::new();
    if let Some(t) = o.track_id {
        let _ = write!(s, "#{t}");
    }
    if let Some(g) = o.global_id {
        if !s.is_empty() {
            s.push(' ');
        }
        let _ = write!(s, "g{g}");
    }
    if let Some(l) = o.label.as_deref().filter(|l| !l.is_empty()) {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(l);
    }
    for a in &o.attributes {
        if !s.is_empty() {
            s.push(' ');
        }
        match a.label.as_deref().filter(|l| !l.is_empty()) {
            Some(l) => s.push_str(l),
            None => {
                let _ = write!(s, "{} {}", a.name, a.class_id);
            }
        }
        let _ = write!(s, " {:.2}", a.score);
    }
    if let Some(a) = &o.action {
        if !s.is_empty() {
            s.push(' ');
        }
        match a.label.as_deref().filter(|l| !l.is_empty()) {
            Some(l) => s.push_str(l),
            None => {
                let _ = write!(s, "action {}", a.class_id);
            }
        }
        let _ = write!(s, " {:.2}", a.score);
    }
    s
}

fn drawable(k: &Keypoint, min_conf: f32) -> bool {
    k.state != KeypointState::Missing
        && k.confidence >= min_conf
        && k.x.is_finite()
        && k.y.is_finite()
}

fn draw_pose(canvas: &mut Canvas<'_, '_>, kps: &[Keypoint], t: u32, min_conf: f32, c: Rgb) {
    let soft = |k: &Keypoint| {
        matches!(
            k.state,
            KeypointState::Predicted | KeypointState::Interpolated
        )
    };
    let dash = t.saturating_mul(2).saturating_add(1);
    if kps.len() == 17 {
        for &(a, b) in &COCO17_SKELETON {
            let (ka, kb) = (&kps[a], &kps[b]);
            if !(drawable(ka, min_conf) && drawable(kb, min_conf)) {
                continue;
            }
            if soft(ka) || soft(kb) {
                canvas.dashed_line(ka.x, ka.y, kb.x, kb.y, t, dash, c);
            } else {
                canvas.line(ka.x, ka.y, kb.x, kb.y, t, c);
            }
        }
    }
    let r = t.saturating_add(1).max(2);
    let rt = t.div_ceil(2);
    for k in kps.iter().filter(|k| drawable(k, min_conf)) {
        match k.state {
            KeypointState::Predicted => canvas.ring(k.x, k.y, r as f32, rt, c),
            KeypointState::Interpolated => {
                canvas.ring(k.x, k.y, r as f32, rt, c);
                canvas.disc(k.x, k.y, (r - rt) as f32, Rgb(255, 255, 255));
            }
            _ => canvas.disc(k.x, k.y, r as f32, c),
        }
    }
}

/// Draws all objects: box in id_colour(global_id or track_id, else a fixed
/// grey for untracked), label text "#<track_id>" plus " g<global_id>" when
/// present (and the class label if any, e.g. "#7 g3 person") above the box
/// (inside the frame when the box touches the top), skeleton lines between
/// keypoints both with confidence ≥ min and state not Missing (solid for
/// Measured/Smoothed, dashed for Predicted or Interpolated ones), keypoint
/// discs (Measured/Smoothed: filled disc; Predicted: ring; Interpolated: small
/// filled disc in white with a ring in the colour). Objects whose track_state
/// is Predicted/Lost get a dashed box. Keypoints with count 17 use
/// COCO17_SKELETON; other counts: only dots. NaN coordinates are skipped,
/// never panic.
///
/// Boxes and skeletons are drawn first, object by object, then all labels
/// (on a box-coloured background, black or white text by contrast), so that
/// labels stay readable. `style.skeleton` switches lines and dots together.
pub fn draw_objects(canvas: &mut Canvas<'_, '_>, objects: &[Object], style: &OverlayStyle) {
    let short = canvas.width().min(canvas.height());
    let auto = |v: u32, div: usize| {
        if v == 0 {
            (short / div).clamp(1, u32::MAX as usize) as u32
        } else {
            v
        }
    };
    let t = auto(style.thickness, 360);
    let scale = auto(style.text_scale, 240);
    for o in objects {
        let c = object_colour(o);
        if style.skeleton && !o.keypoints.is_empty() {
            draw_pose(canvas, &o.keypoints, t, style.min_keypoint_confidence, c);
        }
        if style.boxes {
            let b = o.bbox;
            if !o.is_observed() {
                canvas.dashed_rect(
                    b.x,
                    b.y,
                    b.w,
                    b.h,
                    t,
                    t.saturating_mul(4).saturating_add(2),
                    c,
                );
            } else {
                canvas.rect(b.x, b.y, b.w, b.h, t, c);
            }
        }
    }
    if !style.labels {
        return;
    }
    let (w, h) = (canvas.w, canvas.h);
    for o in objects {
        let b = o.bbox;
        let Some((x0, y0, x1, y1)) = box_px(b.x, b.y, b.w, b.h) else {
            continue;
        };
        if x1 <= 0 || y1 <= 0 || x0 >= w || y0 >= h {
            continue;
        }
        let text = label_text(o);
        let (tw, th) = text_size(&text, scale);
        if tw == 0 {
            continue;
        }
        let lx = x0.min(w - tw).max(0);
        let ly = if y0 - th >= 0 { y0 - th } else { y0.max(0) };
        let c = object_colour(o);
        let luma = 0.299 * c.0 as f32 + 0.587 * c.1 as f32 + 0.114 * c.2 as f32;
        let fg = if luma > 150.0 {
            Rgb(0, 0, 0)
        } else {
            Rgb(255, 255, 255)
        };
        canvas.text(lx, ly, &text, scale, fg, Some(c));
    }
}
