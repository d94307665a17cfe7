// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Appearance embeddings: L2 norm and normalisation, cosine distance and the
//! dot product, shared by the ReID element, ByteTrack's re-id
//! ([`crate::track::bytetrack`]) and the multi-camera aggregator
//! ([`crate::mtmc`]).
//!
//! Norms and cosine distances are accumulated in `f64`, so that large finite
//! elements do not overflow and results do not depend on the vector length's
//! rounding in `f32`.

/// Euclidean norm, accumulated in `f64`.
#[inline]
pub fn norm(v: &[f32]) -> f64 {
    v.iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        .sqrt()
}

/// Divides `v` by its L2 norm in place and returns the norm it had.
///
/// A zero vector is left unchanged and 0 returned; a vector with a NaN or
/// infinite element is left unchanged and NaN returned. Either way the result
/// is not `> 0`, which callers take as "no embedding". The norm is computed
/// in `f64` ([`norm`]), so large finite elements do not overflow.
pub fn l2_normalize(v: &mut [f32]) -> f32 {
    let n = norm(v);
    if !n.is_finite() {
        return f32::NAN;
    }
    if n == 0.0 {
        return 0.0;
    }
    for x in v.iter_mut() {
        *x = (f64::from(*x) / n) as f32;
    }
    n as f32
}

/// `1 − cos(a, b)` of two vectors (not assumed normalised), in `0..=2`
/// (rounding is clamped away). NaN if the lengths differ, if a norm is 0 (an
/// empty vector included) or if an element is NaN or infinite. Computed in
/// `f64` ([`cosine_distance_f64`]).
pub fn cosine_distance(a: &[f32], b: &[f32]) -> f32 {
    cosine_distance_f64(a, b).map_or(f32::NAN, |d| d.clamp(0.0, 2.0) as f32)
}

/// `1 − a·b / (|a|·|b|)` in `f64`, not clamped (rounding can take it a
/// little below 0 or above 2), or `None` when it is undefined: the lengths
/// differ, a vector is empty or has norm 0, or an element is NaN or
/// infinite.
#[inline]
pub fn cosine_distance_f64(a: &[f32], b: &[f32]) -> Option<f64> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let (mut dot, mut na, mut nb) = (0.0f64, 0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (f64::from(x), f64::from(y));
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    // A zero norm gives 0 / 0 and a non-finite element NaN or ∞ / ∞: both
    // NaN. With finite elements and non-zero norms the ratio is finite.
    let d = 1.0 - dot / (na.sqrt() * nb.sqrt());
    d.is_finite().then_some(d)
}

/// Dot product of two equally long slices in `f32`, accumulated in 16
/// independent lanes so that the compiler vectorises it (the multi-camera
/// clustering's distance matrix). Not the same rounding as a sequential
/// sum.
#[inline]
pub fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 16];
    let ca = a.chunks_exact(16);
    let cb = b.chunks_exact(16);
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for ((s, &x), &y) in acc.iter_mut().zip(x).zip(y) {
            *s += x * y;
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// The little-endian bytes of `v` (base64-encoded in broker messages).
pub fn to_le_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l2_normalize_values() {
        let mut v = [3.0f32, 4.0];
        assert_eq!(l2_normalize(&mut v), 5.0);
        assert_eq!(v, [0.6, 0.8]);
        let mut z = [0.0f32; 4];
        assert_eq!(l2_normalize(&mut z), 0.0);
        assert_eq!(z, [0.0; 4]);
        let mut e: [f32; 0] = [];
        assert_eq!(l2_normalize(&mut e), 0.0);
        let mut n = [1.0f32, f32::NAN];
        assert!(l2_normalize(&mut n).is_nan());
        assert!(n[0] == 1.0 && n[1].is_nan());
        let mut i = [1.0f32, f32::INFINITY];
        assert!(l2_normalize(&mut i).is_nan());
        assert_eq!(i, [1.0, f32::INFINITY]);
        // Large finite elements do not overflow.
        let k = 2f32.powi(100);
        let mut big = [3.0 * k, 4.0 * k];
        assert_eq!(l2_normalize(&mut big), 5.0 * k);
        assert_eq!(big, [0.6, 0.8]);
        // Normalising twice is (nearly) a no-op with norm 1.
        let mut r: Vec<f32> = (0..512).map(|k| ((k * 37 % 101) as f32) - 50.0).collect();
        l2_normalize(&mut r);
        let n1 = l2_normalize(&mut r);
        assert!((n1 - 1.0).abs() < 1e-6, "{n1}");
    }

    #[test]
    fn cosine_distance_values() {
        let close = |a: f32, b: f32| (a - b).abs() < 1e-6;
        assert!(close(
            cosine_distance(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]),
            0.0
        ));
        assert_eq!(cosine_distance(&[3.0, 4.0], &[3.0, 4.0]), 0.0);
        assert!(close(cosine_distance(&[1.0, 0.0], &[0.0, 5.0]), 1.0));
        assert!(close(cosine_distance(&[1.0, 2.0], &[-2.0, 1.0]), 1.0));
        assert!(close(
            cosine_distance(&[1.0, 2.0, 3.0], &[-0.5, -1.0, -1.5]),
            2.0
        ));
        assert!(close(
            cosine_distance(&[1.0, 1.0], &[1.0, 0.0]),
            1.0 - 0.5f32.sqrt()
        ));
        assert!(cosine_distance(&[1.0, 2.0], &[1.0, 2.0, 3.0]).is_nan());
        assert!(cosine_distance(&[0.0, 0.0], &[1.0, 2.0]).is_nan());
        assert!(cosine_distance(&[1.0, 2.0], &[0.0, 0.0]).is_nan());
        assert!(cosine_distance(&[], &[]).is_nan());
        assert!(cosine_distance(&[f32::NAN, 1.0], &[1.0, 1.0]).is_nan());
        assert!(cosine_distance(&[f32::INFINITY, 1.0], &[1.0, 1.0]).is_nan());
        for d in [
            cosine_distance(&[0.1, 0.7, -0.2], &[0.3, 0.1, 0.9]),
            cosine_distance(&[1e-20, 3e-20], &[2e-20, 6e-20]),
        ] {
            assert!((0.0..=2.0).contains(&d), "{d}");
        }
    }

    #[test]
    fn unclamped_cosine_distance_is_none_when_undefined() {
        assert_eq!(cosine_distance_f64(&[3.0, 4.0], &[3.0, 4.0]), Some(0.0));
        assert_eq!(cosine_distance_f64(&[1.0, 0.0], &[0.0, 5.0]), Some(1.0));
        assert_eq!(cosine_distance_f64(&[], &[]), None);
        assert_eq!(cosine_distance_f64(&[1.0], &[1.0, 2.0]), None);
        assert_eq!(cosine_distance_f64(&[0.0, 0.0], &[1.0, 2.0]), None);
        assert_eq!(cosine_distance_f64(&[f32::NAN, 1.0], &[1.0, 1.0]), None);
        assert_eq!(cosine_distance_f64(&[f32::INFINITY], &[1.0]), None);
    }

    #[test]
    fn lane_dot_product() {
        let a: Vec<f32> = (0..37).map(|k| k as f32 * 0.5).collect();
        let b: Vec<f32> = (0..37).map(|k| 1.0 - k as f32 * 0.25).collect();
        let exact: f64 = a.iter().zip(&b).map(|(&x, &y)| f64::from(x * y)).sum();
        assert!((f64::from(dot_f32(&a, &b)) - exact).abs() < 1e-3);
        assert_eq!(dot_f32(&[], &[]), 0.0);
    }
}
