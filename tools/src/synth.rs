// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! What the core benchmarks share: a deterministic generator, synthetic
//! frames with decoder-like strides, and a median/minimum timer.

use std::time::Instant;

use rstracking_core::image::{Frame, PixelLayout};

/// Warm-up runs before [`time`] measures.
pub const WARMUP: usize = 20;

/// Deterministic xorshift64.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            *b = (self.next_u64() >> 24) as u8;
        }
    }

    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32)
    }

    /// Uniform in `(0, 1]`.
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn gauss(&mut self) -> f32 {
        let (u, v) = (self.uniform(), self.uniform());
        ((-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()) as f32
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Owned planes and strides of a synthetic frame.
pub struct OwnedFrame {
    layout: PixelLayout,
    width: usize,
    height: usize,
    planes: Vec<Vec<u8>>,
    strides: [usize; 3],
}

impl OwnedFrame {
    pub fn new(layout: PixelLayout, width: usize, height: usize, seed: u64) -> Self {
        let mut rng = Rng(seed | 1);
        let (cw, ch) = (width.div_ceil(2), height.div_ceil(2));
        // (stride, rows) per plane; strides rounded up to 64 bytes as a
        // decoder would.
        let align = |n: usize| n.div_ceil(64) * 64;
        let shape: Vec<(usize, usize)> = match layout {
            PixelLayout::I420 => vec![(align(width), height), (align(cw), ch), (align(cw), ch)],
            PixelLayout::Nv12 => vec![(align(width), height), (align(2 * cw), ch)],
            PixelLayout::Rgb | PixelLayout::Bgr => vec![(align(3 * width), height)],
            _ => vec![(align(4 * width), height)],
        };
        let mut strides = [0; 3];
        let planes = shape
            .iter()
            .enumerate()
            .map(|(i, &(stride, rows))| {
                strides[i] = stride;
                let mut p = vec![0u8; stride * rows];
                rng.fill(&mut p);
                p
            })
            .collect();
        OwnedFrame {
            layout,
            width,
            height,
            planes,
            strides,
        }
    }

    pub fn frame(&self) -> Frame<'_> {
        let plane = |i: usize| self.planes.get(i).map_or(&[][..], |p| &p[..]);
        Frame {
            layout: self.layout,
            width: self.width,
            height: self.height,
            planes: [plane(0), plane(1), plane(2)],
            strides: self.strides,
        }
    }
}

/// Median and minimum of per-frame times, in milliseconds.
pub fn time(iterations: usize, mut f: impl FnMut()) -> (f64, f64) {
    for _ in 0..WARMUP {
        f();
    }
    let mut ms: Vec<f64> = (0..iterations)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[0])
}
