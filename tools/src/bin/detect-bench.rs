// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Benchmark of rsdetect's inference mode.
//!
//! 1. Stage costs on one frame: a frame of the video, scaled to
//!    `--size` (default 1920x1080) as NV12 and as BGRx, goes through the
//!    detector's letterbox, `Session::run` + decoding, and, in the same run,
//!    a bare `Session::run` on the same tensor. Medians over `--runs`.
//! 2. The whole pipeline on the video (`filesrc ! decodebin ! queue !
//!    videoconvert ! rsdetect ! rsbytetrack ! rsjsonsink`), frames/s, next
//!    to the inference-only frames/s of part 1.
//!
//! ```sh
//! cargo run --release -p rstracking-tools --bin detect-bench -- \
//!   --model ../shared/models/yolov8n_random.onnx \
//!   --video ../shared/data/video/vtest.avi --runs 30
//! ```

use gst::prelude::*;
use gstrstracking::core::detect::yolo::DecodeParams;
use gstrstracking::core::image::{Frame, PixelLayout, YuvParams};
use gstrstracking::infer::{Detector, ModelConfig};
use gstrstracking::onnx::{Provider, SessionConfig};
use rstracking_tools::{median, ms};
use std::time::{Duration, Instant};

struct Args {
    model: String,
    video: String,
    width: u32,
    height: u32,
    runs: usize,
    threads: u32,
    frame: u32,
    pipeline_runs: usize,
    spinning: bool,
}

fn parse_args() -> Args {
    let mut a = Args {
        model: "../shared/models/yolov8n_random.onnx".into(),
        video: "../shared/data/video/vtest.avi".into(),
        width: 1920,
        height: 1080,
        runs: 30,
        threads: 0,
        frame: 100,
        pipeline_runs: 3,
        spinning: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--model" => a.model = v(),
            "--video" => a.video = v(),
            "--size" => {
                let s = v();
                let (w, h) = s.split_once('x').expect("--size WxH");
                a.width = w.parse().expect("width");
                a.height = h.parse().expect("height");
            }
            "--runs" => a.runs = v().parse().expect("--runs N"),
            "--threads" => a.threads = v().parse().expect("--threads N"),
            "--frame" => a.frame = v().parse().expect("--frame N"),
            "--pipeline-runs" => a.pipeline_runs = v().parse().expect("--pipeline-runs N"),
            "--spinning" => a.spinning = true,
            "-h" | "--help" => {
                println!("detect-bench [--model M] [--video V] [--size 1920x1080] [--runs 30] [--threads 0] [--frame 100] [--pipeline-runs 3] [--spinning]");
                std::process::exit(0);
            }
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

/// Frame `index` of `video`, scaled to `w`×`h` in `format`: (bytes,
/// plane offsets, strides).
fn grab_frame(
    video: &str,
    index: u32,
    w: u32,
    h: u32,
    format: &str,
) -> (Vec<u8>, Vec<usize>, Vec<usize>) {
    let desc = format!(
        "filesrc location={video} ! decodebin ! videoconvert ! videoscale ! video/x-raw,format={format},width={w},height={h} ! appsink name=sink sync=false"
    );
    let p = gst::parse::launch(&desc)
        .expect("pipeline")
        .downcast::<gst::Pipeline>()
        .unwrap();
    let sink = p
        .by_name("sink")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    p.set_state(gst::State::Playing).expect("play");
    let mut got = None;
    for i in 0..=index {
        let Ok(s) = sink.pull_sample() else { break };
        if i == index {
            got = Some(s);
        }
    }
    p.set_state(gst::State::Null).unwrap();
    let s = got.unwrap_or_else(|| panic!("{video} has fewer than {} frames", index + 1));
    let info = gst_video::VideoInfo::from_caps(s.caps().unwrap()).unwrap();
    let map = s.buffer().unwrap().map_readable().unwrap();
    let offsets = info.offset().to_vec();
    let strides = info.stride().iter().map(|&s| s as usize).collect();
    (map.as_slice().to_vec(), offsets, strides)
}

fn frame_of<'a>(
    layout: PixelLayout,
    w: u32,
    h: u32,
    data: &'a (Vec<u8>, Vec<usize>, Vec<usize>),
) -> Frame<'a> {
    let (bytes, offs, strides) = data;
    let mut planes: [&[u8]; 3] = [&[]; 3];
    let mut st = [0usize; 3];
    for i in 0..offs.len().min(3) {
        let end = offs.get(i + 1).copied().unwrap_or(bytes.len());
        planes[i] = &bytes[offs[i]..end];
        st[i] = strides[i];
    }
    Frame {
        layout,
        width: w as usize,
        height: h as usize,
        planes,
        strides: st,
    }
}

fn main() {
    let a = parse_args();
    gst::init().unwrap();
    gstrstracking::plugin_register_static().unwrap();
    let mut det = load_detector(&a);
    // Part 1: stage costs on one real frame.
    let infer_fps = stage_costs(&mut det, &a);
    drop(det);
    // Part 2: the whole pipeline on the video.
    if a.pipeline_runs > 0 {
        pipeline_runs(&a, infer_fps);
    }
}

/// The detector of `rsdetect` on the model, CPU, with the bench's threads.
fn load_detector(a: &Args) -> Detector {
    let cfg = ModelConfig {
        model: a.model.clone(),
        model_type: None,
        labels_file: None,
        input_size: None,
        session: SessionConfig {
            threads: a.threads,
            provider: Provider::Cpu,
            fallback: false,
            spinning: a.spinning,
        },
        ort_library: rstracking_tools::ort_library(),
        params: DecodeParams::default(),
    };
    let (det, warnings) = Detector::load(&cfg).unwrap_or_else(|e| panic!("{e}"));
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let (iw, ih) = det.input_size();
    println!(
        "model {} (input {iw}x{ih}, {:?}), {}; threads {} ({}), spinning {}; {} cores",
        a.model,
        det.layout().map(|l| l.kind),
        det.runtime_description(),
        a.threads,
        if a.threads == 0 { "ORT default" } else { "set" },
        a.spinning,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    det
}

/// Part 1: letterbox, `Session::run`, decode and a bare `Session::run` on one
/// frame of the video as NV12 and as BGRx; returns the inference-only
/// frames/s (median bare run).
fn stage_costs(det: &mut Detector, a: &Args) -> f64 {
    let nv12 = grab_frame(&a.video, a.frame, a.width, a.height, "NV12");
    let bgrx = grab_frame(&a.video, a.frame, a.width, a.height, "BGRx");
    let mut bare_all = Vec::new();
    println!(
        "\n## Stage costs, frame {} of {} scaled to {}x{}, median of {} runs (ms per frame)",
        a.frame, a.video, a.width, a.height, a.runs
    );
    println!("| input | letterbox | Session::run (in rsdetect) | decode+NMS | bare Session::run | pre+post / bare | detections |");
    println!("|---|---|---|---|---|---|---|");
    for (name, layout, data) in [
        ("NV12", PixelLayout::Nv12, &nv12),
        ("BGRx", PixelLayout::Bgrx, &bgrx),
    ] {
        det.configure(layout, a.width, a.height, YuvParams::default())
            .unwrap();
        let frame = frame_of(layout, a.width, a.height, data);
        bare_all.extend(stage_row(det, a, name, &frame));
    }
    let bare = median(&mut bare_all);
    let infer_fps = 1.0 / bare.as_secs_f64();
    println!(
        "\ninference-only: {:.2} ms = {infer_fps:.2} frames/s",
        ms(bare)
    );
    infer_fps
}

/// One row of the stage table (3 warm-up runs, then `a.runs`); returns the
/// bare `Session::run` times.
fn stage_row(det: &mut Detector, a: &Args, name: &str, frame: &Frame) -> Vec<Duration> {
    let mut objects = Vec::new();
    for _ in 0..3 {
        det.preprocess(frame).unwrap();
        det.infer(&mut objects).unwrap();
        det.run_bare().unwrap();
    }
    let (mut pre, mut inf, mut post, mut bare) = (vec![], vec![], vec![], vec![]);
    for _ in 0..a.runs {
        det.preprocess(frame).unwrap();
        det.infer(&mut objects).unwrap();
        let t = det.times;
        pre.push(t.pre);
        inf.push(t.infer);
        post.push(t.post);
        bare.push(det.run_bare().unwrap());
    }
    let (p, i, q, b) = (
        median(&mut pre),
        median(&mut inf),
        median(&mut post),
        median(&mut bare),
    );
    println!(
        "| {name} {}x{} | {:.3} | {:.2} | {:.3} | {:.2} | {:.1} % | {} |",
        a.width,
        a.height,
        ms(p),
        ms(i),
        ms(q),
        ms(b),
        100.0 * (p + q).as_secs_f64() / b.as_secs_f64(),
        objects.len()
    );
    bare
}

/// Part 2: `a.pipeline_runs` runs of the whole pipeline on the video, and
/// their median frames/s against `infer_fps`.
fn pipeline_runs(a: &Args, infer_fps: f64) {
    let mut threads = if a.threads > 0 {
        format!(" threads={}", a.threads)
    } else {
        String::new()
    };
    if a.spinning {
        threads.push_str(" spinning=true");
    }
    let desc = format!(
        "filesrc location={} ! decodebin ! queue max-size-buffers=8 max-size-bytes=0 max-size-time=0 ! videoconvert ! rsdetect name=det model={}{threads} ! rsbytetrack ! rsjsonsink location=/dev/null",
        a.video, a.model
    );
    println!("\n## Pipeline: gst-launch-1.0 {desc}");
    let mut fps_runs = Vec::new();
    for run in 0..a.pipeline_runs {
        let (n, dt) = run_pipeline(&desc);
        let fps = n as f64 / dt.as_secs_f64();
        println!(
            "run {}: {n} frames in {:.2} s = {fps:.2} frames/s (incl. start-up and model load)",
            run + 1,
            dt.as_secs_f64()
        );
        fps_runs.push(fps);
    }
    fps_runs.sort_by(f64::total_cmp);
    let fps = fps_runs[fps_runs.len() / 2];
    println!(
        "pipeline median {fps:.2} frames/s = {:.1} % of inference-only {infer_fps:.2} frames/s",
        100.0 * fps / infer_fps
    );
}

/// Runs `desc` to EOS: the buffers out of `det` and the wall time.
fn run_pipeline(desc: &str) -> (u64, Duration) {
    let p = gst::parse::launch(desc).unwrap();
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let c2 = counter.clone();
    let det = p
        .downcast_ref::<gst::Bin>()
        .unwrap()
        .by_name("det")
        .unwrap();
    det.static_pad("src")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            c2.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            gst::PadProbeReturn::Ok
        });
    let t0 = Instant::now();
    p.set_state(gst::State::Playing).unwrap();
    let bus = p.bus().unwrap();
    for msg in bus.iter_timed(gst::ClockTime::NONE) {
        match msg.view() {
            gst::MessageView::Eos(..) => break,
            gst::MessageView::Error(e) => {
                panic!("pipeline error: {} {:?}", e.error(), e.debug())
            }
            _ => {}
        }
    }
    let dt = t0.elapsed();
    p.set_state(gst::State::Null).unwrap();
    (counter.load(std::sync::atomic::Ordering::Relaxed), dt)
}
