// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Benchmark of rsreid: 16 pedestrian-sized boxes of one 1920×1080 frame
//! are cropped, resized to 256×128 and normalised (`Embedder::crop`), then
//! run through the re-id model as one batch; in the same run, the bare
//! batched `Session::run` on the same tensor and 16 single-crop runs.
//!
//! Second table, rsclassify's path (the same crop code; the model's output
//! rows go through softmax + top class instead of L2 normalisation): per
//! object, for batches of 1, 8 and 32 objects, crop + batched run + top
//! class against the bare batched `Session::run` of the same tensor.
//!
//! ```sh
//! cargo run --release -p rstracking-tools --bin reid-bench -- \
//!   --model ../shared/models/reid_osnet_x0_25_random.onnx --runs 30
//! ```

use gstrstracking::core::image::crop::Normalize;
use gstrstracking::core::image::{Frame, PixelLayout, YuvParams};
use gstrstracking::embedder::{Embedder, EmbedderConfig};
use rstracking_tools::{median, ms};
use std::time::Instant;

/// Command-line options.
struct Args {
    model: String,
    runs: usize,
    threads: u32,
}

fn parse_args() -> Args {
    let mut a = Args {
        model: "../shared/models/reid_osnet_x0_25_random.onnx".to_string(),
        runs: 30,
        threads: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--model" => a.model = it.next().expect("--model PATH"),
            "--runs" => a.runs = it.next().expect("--runs N").parse().expect("number"),
            "--threads" => a.threads = it.next().expect("--threads N").parse().expect("number"),
            other => panic!("unknown argument {other} (--model, --runs, --threads)"),
        }
    }
    a
}

/// The embedder of `rsreid` on the model, CPU.
fn load_embedder(a: &Args) -> Embedder {
    let (emb, warnings) = Embedder::load(&EmbedderConfig {
        kind: "Re-id",
        model: a.model.clone(),
        input_size: None,
        norm: Normalize::default(),
        session: rstracking_tools::cpu_session(a.threads),
        ort_library: rstracking_tools::ort_library(),
    })
    .unwrap_or_else(|e| panic!("{e}"));
    for w in warnings {
        eprintln!("warning: {w}");
    }
    println!(
        "model {}, input {:?}, {}, threads {} (0 = ORT default)",
        a.model,
        emb.input_size(),
        emb.runtime_description(),
        a.threads
    );
    emb
}

/// A deterministic textured frame: Y and interleaved UV planes (NV12), and
/// BGRx bytes.
struct Planes {
    y: Vec<u8>,
    uv: Vec<u8>,
    bgrx: Vec<u8>,
}

fn textured(w: usize, h: usize) -> Planes {
    let mut seed = 0x1234_5678u32;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let y: Vec<u8> = (0..w * h)
        .map(|i| ((i % w + i / w) as u32 ^ rnd() & 31) as u8)
        .collect();
    let uv: Vec<u8> = (0..w * h / 2).map(|_| (rnd() & 255) as u8).collect();
    let bgrx: Vec<u8> = (0..w * h * 4).map(|_| (rnd() & 255) as u8).collect();
    Planes { y, uv, bgrx }
}

/// `n` pedestrian-sized boxes, 60×150 to 200×500 px (16 sizes and
/// positions, repeated 300 px lower for the next 16).
fn pedestrian_boxes(n: usize) -> Vec<[f32; 4]> {
    (0..n)
        .map(|i| {
            let k = i % 16;
            let bw = 60.0 + 140.0 * (k as f32 / 15.0);
            let bh = 2.5 * bw;
            [
                40.0 + 110.0 * k as f32,
                100.0 + 20.0 * (k % 4) as f32 + 300.0 * (i / 16 % 2) as f32,
                bw,
                bh,
            ]
        })
        .collect()
}

fn main() {
    let a = parse_args();
    let mut emb = load_embedder(&a);
    let (w, h) = (1920usize, 1080usize);
    let p = textured(w, h);
    let boxes = pedestrian_boxes(16);
    println!(
        "\n## 16 crops of a 1920x1080 frame, median of {} runs (ms)\n\n| input | crop+resize+normalise | batched Session::run (16) | crop / run | 16 single runs | single / batched |\n|---|---|---|---|---|---|",
        a.runs
    );
    for (name, layout, planes, strides) in [
        (
            "NV12",
            PixelLayout::Nv12,
            [&p.y[..], &p.uv[..], &[][..]],
            [w, w, 0],
        ),
        (
            "BGRx",
            PixelLayout::Bgrx,
            [&p.bgrx[..], &[][..], &[][..]],
            [4 * w, 0, 0],
        ),
    ] {
        let frame = Frame {
            layout,
            width: w,
            height: h,
            planes,
            strides,
        };
        crop_row(&mut emb, a.runs, name, &frame, &boxes);
    }
    println!("\n(16 single runs include their 16 one-box crops.)");
    let frame = Frame {
        layout: PixelLayout::Nv12,
        width: w,
        height: h,
        planes: [&p.y[..], &p.uv[..], &[][..]],
        strides: [w, w, 0],
    };
    println!(
        "\n## rsclassify path per object (NV12 1920x1080), median of {} runs (ms)\n\n| objects | crop + run + top class | bare batched Session::run | element / bare |\n|---|---|---|---|",
        a.runs
    );
    for n in [1, 8, 32] {
        classify_row(&mut emb, a.runs, &frame, &pedestrian_boxes(n));
    }
}

/// One row of the classification table: per object, rsclassify's path on
/// `boxes` (one batch) and the bare batched run of the same tensor.
fn classify_row(emb: &mut Embedder, runs: usize, frame: &Frame, boxes: &[[f32; 4]]) {
    use gstrstracking::core::classify::{top_class, Activation};
    let n = boxes.len();
    let (mut path, mut bare) = (vec![], vec![]);
    let mut valid = Vec::new();
    let mut results = Vec::with_capacity(n);
    for r in 0..runs + 3 {
        let t0 = Instant::now();
        emb.crop(frame, YuvParams::default(), boxes, &mut valid)
            .unwrap();
        results.clear();
        emb.run_rows(n, |row| results.push(top_class(row, Activation::Softmax)))
            .unwrap();
        let e = t0.elapsed();
        assert_eq!(results.iter().filter(|r| r.is_some()).count(), n);
        let b = emb.run_bare(n).unwrap();
        if r >= 3 {
            path.push(e);
            bare.push(b);
        }
    }
    let (e, b) = (median(&mut path), median(&mut bare));
    println!(
        "| {n} | {:.3} | {:.3} | {:.2}× |",
        ms(e) / n as f64,
        ms(b) / n as f64,
        e.as_secs_f64() / b.as_secs_f64()
    );
}

/// One row of the table: the crops, the batched run and 16 single runs
/// (3 warm-up runs, then `runs`).
fn crop_row(emb: &mut Embedder, runs: usize, name: &str, frame: &Frame, boxes: &[[f32; 4]]) {
    let mut valid = Vec::new();
    let mut out = Vec::new();
    let (mut crop, mut batched, mut singles) = (vec![], vec![], vec![]);
    for r in 0..runs + 3 {
        emb.crop(frame, YuvParams::default(), boxes, &mut valid)
            .unwrap();
        let c = emb.times.crop;
        emb.infer(16, &mut out).unwrap();
        assert_eq!(out.iter().filter(|e| e.is_some()).count(), 16);
        let b = emb.run_bare(16).unwrap();
        // 16 single runs: one crop each, batch 1.
        let t0 = Instant::now();
        for i in 0..16 {
            emb.crop(frame, YuvParams::default(), &boxes[i..i + 1], &mut valid)
                .unwrap();
            emb.run_bare(1).unwrap();
        }
        let s = t0.elapsed();
        if r >= 3 {
            crop.push(c);
            batched.push(b);
            singles.push(s);
        }
    }
    let (c, b, s) = (
        median(&mut crop),
        median(&mut batched),
        median(&mut singles),
    );
    println!(
        "| {name} | {:.3} | {:.2} | {:.1} % | {:.2} | {:.2}× |",
        ms(c),
        ms(b),
        100.0 * c.as_secs_f64() / b.as_secs_f64(),
        ms(s),
        s.as_secs_f64() / b.as_secs_f64()
    );
}
