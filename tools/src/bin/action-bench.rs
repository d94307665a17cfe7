// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Benchmark of rsaction: for 1, 8 and 32 tracks due in the same frame,
//! the cost of one batched `Session::run` of all their windows (what the
//! element does) against one run per track, with the window bookkeeping
//! (push of each track's skeleton, batch tensor fill) timed apart, on an
//! ST-GCN-sized model with random weights:
//!
//! ```sh
//! .venv/bin/python scripts/make-stgcn.py target/stgcn_random.onnx
//! cargo run --release -p rstracking-tools --bin action-bench -- \
//!   --model target/stgcn_random.onnx --runs 10
//! ```

use gstrstracking::action_model::{ActionModel, ActionModelConfig};
use gstrstracking::core::action::{ActionWindows, Normalization, WindowConfig};
use gstrstracking::core::types::{BBox, Keypoint};
use rstracking_tools::{median, ms};
use std::time::{Duration, Instant};

struct Args {
    model: String,
    window: usize,
    runs: usize,
    threads: u32,
}

fn parse_args() -> Args {
    let mut a = Args {
        model: "target/stgcn_random.onnx".to_string(),
        window: 32,
        runs: 10,
        threads: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut num = |what: &str| -> usize {
            it.next()
                .unwrap_or_else(|| panic!("{what} N"))
                .parse()
                .expect("a number")
        };
        match arg.as_str() {
            "--model" => a.model = it.next().expect("--model PATH"),
            "--window" => a.window = num("--window"),
            "--runs" => a.runs = num("--runs"),
            "--threads" => a.threads = num("--threads") as u32,
            other => panic!("unknown argument {other} (--model, --window, --runs, --threads)"),
        }
    }
    a
}

/// `n` tracks with full windows of deterministic skeletons.
fn windows(n: usize, m: &ActionModel) -> ActionWindows {
    let mut w = ActionWindows::new(WindowConfig {
        window: m.window,
        stride: 1,
        min_frames: 1,
        joints: m.joints,
        normalization: Normalization::Box,
    });
    for f in 0..m.window as u64 {
        for id in 0..n as u64 {
            let kps: Vec<Keypoint> = (0..m.joints)
                .map(|j| Keypoint {
                    x: 100.0 + (7 * id + 3 * f + j as u64) as f32 % 50.0,
                    y: 200.0 + (5 * id + 2 * f + 3 * j as u64) as f32 % 120.0,
                    confidence: 0.5 + 0.02 * j as f32,
                    ..Default::default()
                })
                .collect();
            w.push(
                id,
                &kps,
                BBox::new(90.0, 190.0, 70.0, 140.0),
                (1920, 1080),
                f,
            )
            .unwrap();
        }
    }
    w
}

/// Median times of `runs`: (push + fill, one batched run, n single runs).
fn measure(m: &mut ActionModel, n: usize, runs: usize) -> (Duration, Duration, Duration) {
    let w = windows(n, m);
    let mut ids = Vec::new();
    w.ready(&mut ids);
    let mut tensor = Vec::new();
    let slot = w.slot();
    let (mut prep, mut batched, mut single) = (Vec::new(), Vec::new(), Vec::new());
    let mut sink = 0.0f32;
    // One warm-up of each shape.
    w.fill(&ids, m.layout, &mut tensor);
    m.run(&tensor, n, |_, r| sink += r[0]).unwrap();
    m.run(&tensor[..slot], 1, |_, r| sink += r[0]).unwrap();
    for _ in 0..runs {
        let t0 = Instant::now();
        let mut fresh = windows(n, m);
        fresh.fill(&ids, m.layout, &mut tensor);
        // The push of one new skeleton per track is what a frame costs;
        // `windows` pushes T of them, so its time is divided by T.
        prep.push(t0.elapsed() / m.window as u32);
        let t0 = Instant::now();
        m.run(&tensor, n, |_, r| sink += r[0]).unwrap();
        batched.push(t0.elapsed());
        let t0 = Instant::now();
        for k in 0..n {
            m.run(&tensor[k * slot..(k + 1) * slot], 1, |_, r| sink += r[0])
                .unwrap();
        }
        single.push(t0.elapsed());
        fresh.clear();
    }
    assert!(sink.is_finite());
    (median(&mut prep), median(&mut batched), median(&mut single))
}

fn main() {
    let a = parse_args();
    let (mut m, warnings) = ActionModel::load(&ActionModelConfig {
        model: a.model.clone(),
        window: a.window,
        session: rstracking_tools::cpu_session(a.threads),
        ort_library: rstracking_tools::ort_library(),
    })
    .unwrap_or_else(|e| panic!("{e}"));
    for w in warnings {
        eprintln!("warning: {w}");
    }
    println!(
        "model {}, {:?}, T {}, V {}, {}, threads {} (0 = ORT default)",
        a.model,
        m.layout,
        m.window,
        m.joints,
        m.runtime_description(),
        a.threads
    );
    println!(
        "\n## Tracks due in one frame, median of {} runs (ms)\n\n| tracks | windows push+fill | one batched run | one run per track | per track, batched | per track, single | single / batched |\n|---|---|---|---|---|---|---|",
        a.runs
    );
    for n in [1usize, 8, 32] {
        let (prep, batched, single) = measure(&mut m, n, a.runs);
        println!(
            "| {n} | {:.3} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            ms(prep),
            ms(batched),
            ms(single),
            ms(batched) / n as f64,
            ms(single) / n as f64,
            single.as_secs_f64() / batched.as_secs_f64()
        );
    }
}
