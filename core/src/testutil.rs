// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Helpers shared by the unit tests of several modules.

use crate::image::{PixelLayout, YuvMatrix, YuvParams};

/// Deterministic xorshift64.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn byte(&mut self) -> u8 {
        (self.next() >> 32) as u8
    }

    /// Uniform in `-1..1`.
    pub(crate) fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

/// Bytes per pixel and the positions of R, G, B, written out per packed
/// layout (independently of the code under test).
pub(crate) fn positions(layout: PixelLayout) -> (usize, [usize; 3]) {
    match layout {
        PixelLayout::Rgb => (3, [0, 1, 2]),
        PixelLayout::Bgr => (3, [2, 1, 0]),
        PixelLayout::Rgbx | PixelLayout::Rgba => (4, [0, 1, 2]),
        PixelLayout::Bgrx | PixelLayout::Bgra => (4, [2, 1, 0]),
        PixelLayout::Xrgb | PixelLayout::Argb => (4, [1, 2, 3]),
        PixelLayout::Xbgr | PixelLayout::Abgr => (4, [3, 2, 1]),
        _ => unreachable!("not a packed layout"),
    }
}

/// f64 reference of the YUV → RGB conversion, written from the matrix
/// definitions and independent of the code under test: `[R, G, B]` in 0..1.
pub(crate) fn ref_convert(y: f64, u: f64, v: f64, p: YuvParams) -> [f64; 3] {
    let (kr, kb) = match p.matrix {
        YuvMatrix::Bt601 => (0.299, 0.114),
        YuvMatrix::Bt709 => (0.2126, 0.0722),
        YuvMatrix::Bt2020 => (0.2627, 0.0593),
    };
    let (yp, cb, cr) = if p.full_range {
        (y, u - 128.0, v - 128.0)
    } else {
        (
            (y - 16.0) * 255.0 / 219.0,
            (u - 128.0) * 255.0 / 224.0,
            (v - 128.0) * 255.0 / 224.0,
        )
    };
    let r = yp + 2.0 * (1.0 - kr) * cr;
    let b = yp + 2.0 * (1.0 - kb) * cb;
    let g = (yp - kr * r - kb * b) / (1.0 - kr - kb);
    [r, g, b].map(|c| c.clamp(0.0, 255.0) / 255.0)
}
