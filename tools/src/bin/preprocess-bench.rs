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
//! cargo run --release -p rstracking-tools --bin preprocess-bench [-- ITERATIONS]
//! ```

use rstracking_core::image::{letterbox::Preprocessor, PixelLayout, YuvParams};
use rstracking_tools::synth::{time, OwnedFrame, WARMUP};

const DEFAULT_ITERATIONS: usize = 200;

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
