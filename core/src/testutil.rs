// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Helpers shared by the unit tests of several modules.

use crate::preprocess::PixelLayout;

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
