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
//! cargo run --release -p rstracking-tools --bin crop-bench [-- ITERATIONS]
//! ```

use rstracking_core::image::crop::{crop_resize, Normalize, REID_INPUT_HEIGHT, REID_INPUT_WIDTH};
use rstracking_core::image::{PixelLayout, YuvParams};
use rstracking_tools::synth::{time, OwnedFrame, Rng, WARMUP};

const DEFAULT_ITERATIONS: usize = 200;
const BOXES: usize = 16;

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
