// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Timing of the YOLO letterbox pre-processing on one core.
//!
//! Builds deterministic pseudo-random frames in several layouts and sizes,
//! letterboxes each many times into a model input tensor and prints the
//! median and minimum time per frame, for `run` (content and padding) and
//! `run_content` (content only).
//!
//! ```text
//! cargo run --release -p rstracking-core --example preprocess-bench [-- ITERATIONS]
//! ```

use std::time::Instant;

use rstracking_core::preprocess::{Frame, PixelLayout, Preprocessor, YuvParams};

const WARMUP: usize = 20;
const DEFAULT_ITERATIONS: usize = 200;

/// Deterministic xorshift64 byte source.
struct Rng(u64);

impl Rng {
    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *b = (self.0 >> 24) as u8;
        }
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
    let layouts = [
        PixelLayout::Nv12,
        PixelLayout::I420,
        PixelLayout::Bgrx,
        PixelLayout::Rgb,
    ];
    let sizes = [
        (1920, 1080, 640, 640),
        (640, 480, 640, 640),
        (1280, 720, 640, 640),
    ];

    println!("letterbox pre-processing, one thread, {iterations} runs after {WARMUP} warm-up");
    println!(
        "{:<6} {:>9} → {:<7} {:>10} {:>10} {:>12} {:>12}",
        "layout", "frame", "input", "run med", "run min", "content med", "content min"
    );
    let mut checksum = 0.0f64;
    for (sw, sh, dw, dh) in sizes {
        for layout in layouts {
            let owned = OwnedFrame::new(layout, sw, sh, 0x5eed ^ (sw * 31 + sh) as u64);
            let frame = owned.frame();
            let pre = Preprocessor::new(layout, sw as u32, sh as u32, dw, dh, YuvParams::default())
                .expect("valid sizes");
            let mut out = vec![0.0f32; pre.tensor_len()];
            let (run_med, run_min) = time(iterations, || {
                pre.run(&frame, &mut out).expect("valid frame");
            });
            let (content_med, content_min) = time(iterations, || {
                pre.run_content(&frame, &mut out).expect("valid frame");
            });
            checksum += out.iter().map(|&v| f64::from(v)).sum::<f64>();
            println!(
                "{:<6} {:>9} → {:<7} {:>7.3} ms {:>7.3} ms {:>9.3} ms {:>9.3} ms",
                format!("{layout:?}"),
                format!("{sw}×{sh}"),
                format!("{dw}×{dh}"),
                run_med,
                run_min,
                content_med,
                content_min
            );
        }
    }
    // Keeps the work observable.
    println!("checksum {checksum:.3}");
}
