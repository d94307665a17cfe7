// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Box formats, their conversions and their intersection over union (IoU).
//!
//! Box layouts:
//! * `tlwh`: left, top, width, height;
//! * `tlbr` (or `xyxy`): left, top, right, bottom (`right = left + width`);
//! * `xyah`: centre x, centre y, aspect ratio `w / h`, height (the Kalman
//!   measurement space of the tracker).
//!
//! The tracker's conversions (in `f64`) perform the same floating-point
//! operations, in the same order, as the reference ByteTrack (`STrack` in
//! `byte_tracker.py`), so that results are reproducible bit for bit.
//!
//! One IoU per use, each bit-identical to the reference it follows:
//! * [`iou_tlbr_plus1`] (`f64`, `tlbr`): the "+1 pixel" convention of the
//!   reference ByteTrack (`cython_bbox`), which the tracker needs for parity;
//! * [`iou_xyxy`] (`f32`, `xyxy`): continuous coordinates, for the NMS of
//!   the YOLO decoder (Ultralytics' `box_iou`);
//! * [`iou_tlwh`] (`f64`, `tlwh`): continuous coordinates with TrackEval's
//!   guards against degenerate boxes, for the evaluation.

/// `[x, y, w, h]` → `[x, y, x + w, y + h]`.
#[inline]
pub fn tlwh_to_tlbr(b: &[f64; 4]) -> [f64; 4] {
    [b[0], b[1], b[2] + b[0], b[3] + b[1]]
}

/// `[x1, y1, x2, y2]` → `[x1, y1, x2 - x1, y2 - y1]`.
#[inline]
pub fn tlbr_to_tlwh(b: &[f64; 4]) -> [f64; 4] {
    [b[0], b[1], b[2] - b[0], b[3] - b[1]]
}

/// `[x, y, w, h]` → `[x + w/2, y + h/2, w/h, h]`.
#[inline]
pub fn tlwh_to_xyah(b: &[f64; 4]) -> [f64; 4] {
    [b[0] + b[2] / 2.0, b[1] + b[3] / 2.0, b[2] / b[3], b[3]]
}

/// `[cx, cy, a, h]` → `[cx - a·h/2, cy - h/2, a·h, h]`.
#[inline]
pub fn xyah_to_tlwh(m: &[f64; 4]) -> [f64; 4] {
    let w = m[2] * m[3];
    [m[0] - w / 2.0, m[1] - m[3] / 2.0, w, m[3]]
}

/// `[cx, cy, a, h]` → `[x1, y1, x2, y2]` (via [`xyah_to_tlwh`]).
#[inline]
pub fn xyah_to_tlbr(m: &[f64; 4]) -> [f64; 4] {
    tlwh_to_tlbr(&xyah_to_tlwh(m))
}

/// Area of a `tlbr` box with the "+1 pixel" convention: `(x2-x1+1)(y2-y1+1)`.
#[inline]
pub fn area_tlbr_plus1(b: &[f64; 4]) -> f64 {
    (b[2] - b[0] + 1.0) * (b[3] - b[1] + 1.0)
}

/// Intersection over union of two `tlbr` boxes with the "+1 pixel"
/// convention of Fast R-CNN's `bbox_overlaps` (used by ByteTrack through
/// `cython_bbox`): widths and heights are `x2 - x1 + 1`.
///
/// `a` plays the role of `boxes[n]` and `b` of `query_boxes[k]`; the
/// expression order is the same, so the result is bit-identical. Returns 0
/// when the boxes do not overlap.
#[inline]
pub fn iou_tlbr_plus1(a: &[f64; 4], b: &[f64; 4]) -> f64 {
    iou_tlbr_plus1_with_areas(a, area_tlbr_plus1(a), b, area_tlbr_plus1(b))
}

/// As [`iou_tlbr_plus1`], with both `+1` areas precomputed by
/// [`area_tlbr_plus1`].
#[inline]
pub fn iou_tlbr_plus1_with_areas(a: &[f64; 4], area_a: f64, b: &[f64; 4], area_b: f64) -> f64 {
    let iw = min_f(a[2], b[2]) - max_f(a[0], b[0]) + 1.0;
    if iw > 0.0 {
        let ih = min_f(a[3], b[3]) - max_f(a[1], b[1]) + 1.0;
        if ih > 0.0 {
            let inter = iw * ih;
            let union = area_a + area_b - inter;
            return inter / union;
        }
    }
    0.0
}

/// Intersection over union of two `[x1, y1, x2, y2]` boxes on continuous
/// coordinates (no "+1"), in `f32` as the YOLO decoder's NMS needs it; 0
/// when they do not overlap or the union is not positive.
pub fn iou_xyxy(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let iw = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let ih = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = iw * ih;
    let area_a = (a[2] - a[0]) * (a[3] - a[1]);
    let area_b = (b[2] - b[0]) * (b[3] - b[1]);
    let union = area_a + area_b - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// IoU of two `[x, y, w, h]` boxes on continuous coordinates, computed as
/// TrackEval does (corners `x + w`, `y + h`; boxes or a union of area at
/// most `f64::EPSILON` give 0).
pub fn iou_tlwh(a: [f64; 4], b: [f64; 4]) -> f64 {
    let (ax0, ay0, ax1, ay1) = (a[0], a[1], a[0] + a[2], a[1] + a[3]);
    let (bx0, by0, bx1, by1) = (b[0], b[1], b[0] + b[2], b[1] + b[3]);
    let iw = (ax1.min(bx1) - ax0.max(bx0)).max(0.0);
    let ih = (ay1.min(by1) - ay0.max(by0)).max(0.0);
    let inter = iw * ih;
    let area_a = (ax1 - ax0) * (ay1 - ay0);
    let area_b = (bx1 - bx0) * (by1 - by0);
    let union = area_a + area_b - inter;
    let eps = f64::EPSILON;
    if area_a <= eps || area_b <= eps || union <= eps {
        0.0
    } else {
        inter / union
    }
}

#[inline(always)]
pub(crate) fn min_f(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

#[inline(always)]
pub(crate) fn max_f(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_trip() {
        let tlwh = [10.0, 20.0, 30.0, 60.0];
        assert_eq!(tlwh_to_tlbr(&tlwh), [10.0, 20.0, 40.0, 80.0]);
        assert_eq!(tlbr_to_tlwh(&[10.0, 20.0, 40.0, 80.0]), tlwh);
        let xyah = tlwh_to_xyah(&tlwh);
        assert_eq!(xyah, [25.0, 50.0, 0.5, 60.0]);
        assert_eq!(xyah_to_tlwh(&xyah), tlwh);
        assert_eq!(xyah_to_tlbr(&xyah), [10.0, 20.0, 40.0, 80.0]);
    }

    #[test]
    fn iou_plus_one_convention() {
        // Identical boxes: IoU 1.
        let a = [0.0, 0.0, 9.0, 9.0];
        assert_eq!(area_tlbr_plus1(&a), 100.0);
        assert_eq!(iou_tlbr_plus1(&a, &a), 1.0);
        // Half overlap in x: 10x10 boxes shifted by 5 → inter 5*10, union 150.
        let b = [5.0, 0.0, 14.0, 9.0];
        assert_eq!(iou_tlbr_plus1(&a, &b), 50.0 / 150.0);
        // Touching edges still overlap by one pixel under the +1 convention.
        let c = [9.0, 0.0, 18.0, 9.0];
        assert_eq!(iou_tlbr_plus1(&a, &c), 10.0 / 190.0);
        assert_eq!(iou_xyxy(&a.map(|v| v as f32), &c.map(|v| v as f32)), 0.0);
        // Disjoint.
        let d = [20.0, 20.0, 30.0, 30.0];
        assert_eq!(iou_tlbr_plus1(&a, &d), 0.0);
        // Plain IoU for comparison.
        assert_eq!(iou_xyxy(&[0.0, 0.0, 9.0, 9.0], &[0.0, 0.0, 9.0, 4.5]), 0.5);
    }

    #[test]
    fn iou_of_xyxy_boxes() {
        // Intersection 15 × 8 = 120, union 128 + 128 − 120 = 136.
        let a = [24.0, 28.0, 40.0, 36.0];
        let b = [25.0, 28.0, 41.0, 36.0];
        assert_eq!(iou_xyxy(&a, &b), 120.0 / 136.0);
        assert_eq!(iou_xyxy(&a, &a), 1.0);
        assert_eq!(iou_xyxy(&a, &[50.0, 50.0, 60.0, 60.0]), 0.0);
        assert_eq!(iou_xyxy(&[0.0; 4], &[0.0; 4]), 0.0);
    }
}
