// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Timing of the ReID crop pre-processing on one core.
//!
//! Builds a deterministic pseudo-random 1920×1080 frame in NV12 and BGRx,
//! crops 16 boxes of typical pedestrian sizes (60×150 to 200×500 px, a few
//! partly outside the frame) into one `16 × 3 × 256 × 128` batch tensor, and
//! prints the median and minimum time per frame (all 16 crops).
//!
//! ```text
//! cargo run --release -p rstracking-core --example crop-bench [-- ITERATIONS]
//! ```

use std::time::Instant;

use rstracking_core::crop::{crop_resize, Normalize, REID_INPUT_HEIGHT, REID_INPUT_WIDTH};
use rstracking_core::preprocess::{Frame, PixelLayout, YuvParams};

const WARMUP: usize = 20;
const DEFAULT_ITERATIONS: usize = 200;
const BOXES: usize = 16;

/// Deterministic xorshift64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            *b = (self.next() >> 24) as u8;
        }
    }

    /// Uniform in `lo..hi`.
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * ((self.next() >> 40) as f32 / (1u64 << 24) as f32)
    }
}

/// Owned planes and strides of a synthetic frame.
struct OwnedFrame {
    layout: PixelLayout,
    width: usize,
    height: usize,
    planes: Vec<Vec<u8>>,
    strides: [usize; 3],
}

impl OwnedFrame {
    fn new(layout: PixelLayout, width: usize, height: usize, seed: u64) -> Self {
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

    fn frame(&self) -> Frame<'_> {
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
fn time(iterations: usize, mut f: impl FnMut()) -> (f64, f64) {
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

fn main() {
    let iterations = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(DEFAULT_ITERATIONS);
    let (fw, fh) = (1920, 1080);
    let (ow, oh) = (REID_INPUT_WIDTH, REID_INPUT_HEIGHT);

    // Pedestrian boxes: width 60..200 px, height 2.5 × width (150..500 px),
    // fractional positions, the last two partly outside the frame.
    let mut rng = Rng(0xb0c5);
    let mut boxes: Vec<[f32; 4]> = (0..BOXES)
        .map(|_| {
            let w = rng.range(60.0, 200.0);
            let h = 2.5 * w;
            [
                rng.range(0.0, fw as f32 - w),
                rng.range(0.0, fh as f32 - h),
                w,
                h,
            ]
        })
        .collect();
    boxes[BOXES - 2][0] = -30.5;
    boxes[BOXES - 1][1] = fh as f32 - 100.25;

    let slot = 3 * ow * oh;
    let mut batch = vec![0.0f32; BOXES * slot];
    let norm = Normalize::default();
    let yuv = YuvParams::default();

    println!(
        "ReID crop pre-processing, one thread: {fw}×{fh} frame, {BOXES} boxes \
         (60×150 .. 200×500 px) → {BOXES}×3×{oh}×{ow}, {iterations} runs after {WARMUP} warm-up"
    );
    println!(
        "{:<6} {:>10} {:>10} {:>12}",
        "layout", "median", "min", "per crop"
    );
    let mut checksum = 0.0f64;
    for layout in [PixelLayout::Nv12, PixelLayout::Bgrx] {
        let owned = OwnedFrame::new(layout, fw, fh, 0x5eed);
        let frame = owned.frame();
        let (med, min) = time(iterations, || {
            for (b, out) in boxes.iter().zip(batch.chunks_exact_mut(slot)) {
                crop_resize(&frame, yuv, *b, ow, oh, &norm, out).expect("valid box");
            }
        });
        checksum += batch.iter().map(|&v| f64::from(v)).sum::<f64>();
        println!(
            "{:<6} {:>7.3} ms {:>7.3} ms {:>9.1} µs",
            format!("{layout:?}"),
            med,
            min,
            med * 1e3 / BOXES as f64
        );
    }
    // Keeps the work observable.
    println!("checksum {checksum:.3}");
}
