// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Bilinear sampling with half-pixel centres, shared by the letterbox
//! ([`super::letterbox`]) and the crops ([`super::crop`]).

/// `byte / 255`, exact.
pub(crate) const UNIT: [f32; 256] = {
    let mut t = [0.0f32; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = i as f32 / 255.0;
        i += 1;
    }
    t
};

/// One bilinear tap along an axis: the two source positions (byte offsets
/// in a row for columns, row indices for rows) and the weight of the second.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Tap {
    pub(crate) i0: usize,
    pub(crate) i1: usize,
    pub(crate) f: f32,
}

/// Tap of a non-negative position `s` on samples `0..=last`: samples
/// `floor(s)` and the next one with weight `s − floor(s)`, or `last` alone
/// from `last` on. Positions are multiplied by `mul` (bytes per sample).
#[inline(always)]
pub(crate) fn tap(s: f64, last: usize, mul: usize) -> Tap {
    let fl = s.floor();
    // `s ≥ 0`; `as` saturates anyway.
    let i = fl as usize;
    if i >= last {
        Tap {
            i0: last * mul,
            i1: last * mul,
            f: 0.0,
        }
    } else {
        Tap {
            i0: i * mul,
            i1: (i + 1) * mul,
            f: (s - fl) as f32,
        }
    }
}

#[inline(always)]
pub(crate) fn lerp(a: f32, b: f32, t: f32) -> f32 {
    a + (b - a) * t
}

/// Branch-free clamp to `0..=1` (`f32::clamp` can compile to branches, which
/// mispredict on real images).
#[inline(always)]
#[allow(clippy::manual_clamp)]
pub(crate) fn clamp01(v: f32) -> f32 {
    v.max(0.0).min(1.0)
}
