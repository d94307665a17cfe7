// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Throughput of tracker `update()` calls on the MOT17 / MOT15 public
//! detections, ours against other Rust trackers, in one process.
//!
//! Detections are loaded and converted to each tracker's input type before
//! timing; only the per-frame update calls are timed (a fresh tracker per
//! sequence and run). Runs are interleaved (run r of every tracker on every
//! sequence before run r+1) and the median over runs is reported.
//!
//! ```text
//! cargo run --release -p rstracking-bench --bin tracker-bench -- [--runs N] [--only NAME,...]
//! ```
//! The shared data folder is `$RSTRACKING_SHARED` or `../shared` next to the
//! repository.

use rstracking_core::bytetrack::{ByteTrackConfig, ByteTracker, Detection, TrackOutput};
use rstracking_core::mot::{parse_rows, parse_seqinfo};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One detection in a neutral form (MOT pixels, as in det.txt).
#[derive(Debug, Clone, Copy)]
struct Det {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    score: f64,
}

struct Seq {
    bench: &'static str,
    name: String,
    frames: Vec<Vec<Det>>,
}

impl Seq {
    fn n_dets(&self) -> usize {
        self.frames.iter().map(Vec::len).sum()
    }
}

fn shared_dir() -> PathBuf {
    match std::env::var_os("RSTRACKING_SHARED") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    }
}

fn load(shared: &Path, bench: &'static str, name: &str) -> Seq {
    let dir = shared.join(format!("data/{bench}/train/{name}"));
    let ini = std::fs::read_to_string(dir.join("seqinfo.ini"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("seqinfo.ini").display()));
    let info = parse_seqinfo(&ini, "seqinfo.ini").expect("seqinfo");
    let path = dir.join("det/det.txt");
    let text = std::fs::read_to_string(&path).expect("det.txt");
    let rows = parse_rows(&text, &path.to_string_lossy()).expect("det rows");
    let mut frames = vec![Vec::new(); info.seq_length as usize];
    for r in rows {
        frames[(r.frame - 1) as usize].push(Det {
            x: r.x,
            y: r.y,
            w: r.w,
            h: r.h,
            score: r.score,
        });
    }
    Seq {
        bench,
        name: name.to_string(),
        frames,
    }
}

/// A tracker under test: `prepare` converts a sequence once (untimed),
/// `run` processes it with a fresh tracker and returns the time spent in
/// update calls and a checksum (outputs seen) that keeps the work alive.
trait Contender {
    fn name(&self) -> &'static str;
    fn prepare(&mut self, seqs: &[Seq]);
    fn run(&mut self, seq_index: usize) -> (Duration, u64);
}

// ---------------------------------------------------------------- ours

struct Ours {
    seqs: Vec<Vec<Vec<Detection>>>,
    out: Vec<TrackOutput>,
}

impl Contender for Ours {
    fn name(&self) -> &'static str {
        "rstracking (ours)"
    }
    fn prepare(&mut self, seqs: &[Seq]) {
        self.seqs = seqs
            .iter()
            .map(|s| {
                s.frames
                    .iter()
                    .map(|f| {
                        f.iter()
                            .map(|d| Detection {
                                tlwh: [d.x, d.y, d.w, d.h],
                                score: d.score,
                                class_id: 0,
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
    }
    fn run(&mut self, i: usize) -> (Duration, u64) {
        let mut t = ByteTracker::new(ByteTrackConfig::default());
        let mut sum = 0u64;
        let start = Instant::now();
        for dets in &self.seqs[i] {
            t.update(black_box(dets), None, &mut self.out);
            sum += self.out.len() as u64;
        }
        (start.elapsed(), black_box(sum))
    }
}

// ---------------------------------------------------------------- competitors

/// yscv-track 0.2.0 `ByteTracker` (greedy IoU matching, no motion model).
#[derive(Default)]
struct Yscv {
    seqs: Vec<Vec<Vec<yscv_detect::Detection>>>,
}

impl Contender for Yscv {
    fn name(&self) -> &'static str {
        "yscv-track 0.2.0"
    }
    fn prepare(&mut self, seqs: &[Seq]) {
        self.seqs = convert(seqs, |d| yscv_detect::Detection {
            bbox: yscv_detect::BoundingBox {
                x1: d.x as f32,
                y1: d.y as f32,
                x2: (d.x + d.w) as f32,
                y2: (d.y + d.h) as f32,
            },
            score: d.score as f32,
            class_id: 0,
        });
    }
    fn run(&mut self, i: usize) -> (Duration, u64) {
        // high 0.6, low 0.1, IoU ≥ 0.2 (= cost limit 0.8), 30 frames.
        let mut t = yscv_track::ByteTracker::new(0.6, 0.1, 0.2, 30);
        let mut sum = 0u64;
        let start = Instant::now();
        for dets in &self.seqs[i] {
            sum += t.update(black_box(dets)).len() as u64;
        }
        (start.elapsed(), black_box(sum))
    }
}

/// trackforge 0.5.1 `ByteTrack` (takes each frame's detections by value).
#[derive(Default)]
struct Trackforge {
    seqs: Vec<Vec<Vec<([f32; 4], f32, i64)>>>,
}

impl Contender for Trackforge {
    fn name(&self) -> &'static str {
        "trackforge 0.5.1"
    }
    fn prepare(&mut self, seqs: &[Seq]) {
        self.seqs = convert(seqs, |d| {
            (
                [d.x as f32, d.y as f32, d.w as f32, d.h as f32],
                d.score as f32,
                0i64,
            )
        });
    }
    fn run(&mut self, i: usize) -> (Duration, u64) {
        let input = self.seqs[i].clone(); // untimed: the API consumes the frames
        let mut t = trackforge::trackers::byte_track::ByteTrack::new(0.6, 30, 0.8, 0.7);
        let mut sum = 0u64;
        let start = Instant::now();
        for dets in input {
            sum += t.update(black_box(dets)).len() as u64;
        }
        (start.elapsed(), black_box(sum))
    }
}

/// edgefirst-tracker 0.38.2 `ByteTrack` (time-based expiry: 30 frames = 1 s at 30 fps).
#[derive(Default)]
struct Edgefirst {
    seqs: Vec<Vec<Vec<edgefirst_tracker::MockDetection>>>,
}

impl Contender for Edgefirst {
    fn name(&self) -> &'static str {
        "edgefirst-tracker 0.38.2"
    }
    fn prepare(&mut self, seqs: &[Seq]) {
        self.seqs = convert(seqs, |d| {
            edgefirst_tracker::MockDetection::new(
                [
                    d.x as f32,
                    d.y as f32,
                    (d.x + d.w) as f32,
                    (d.y + d.h) as f32,
                ],
                d.score as f32,
                0,
            )
        });
    }
    fn run(&mut self, i: usize) -> (Duration, u64) {
        use edgefirst_tracker::Tracker as _;
        let mut t = edgefirst_tracker::bytetrack::ByteTrackBuilder::new()
            .track_high_conf(0.6)
            .track_iou(0.2)
            .track_extra_lifespan(1_000_000_000)
            .build::<edgefirst_tracker::MockDetection>();
        let mut sum = 0u64;
        let start = Instant::now();
        for (k, dets) in self.seqs[i].iter().enumerate() {
            let r = t.update(black_box(dets), k as u64 * 33_333_333);
            sum += r.iter().filter(|x| x.is_some()).count() as u64;
        }
        (start.elapsed(), black_box(sum))
    }
}

/// mot-rs 0.6.0 `ByteTracker<BlobBBox>` (Kalman on the box, Hungarian matching;
/// takes each frame's blobs as `&mut Vec`).
#[derive(Default)]
struct MotRs {
    seqs: Vec<Vec<(Vec<mot_rs::mot::BlobBBox>, Vec<f32>)>>,
}

impl Contender for MotRs {
    fn name(&self) -> &'static str {
        "mot-rs 0.6.0"
    }
    fn prepare(&mut self, seqs: &[Seq]) {
        self.seqs = seqs
            .iter()
            .map(|s| {
                s.frames
                    .iter()
                    .map(|f| {
                        let blobs = f
                            .iter()
                            .map(|d| {
                                mot_rs::mot::BlobBBox::new_with_dt(
                                    mot_rs::utils::Rect::new(
                                        d.x as f32, d.y as f32, d.w as f32, d.h as f32,
                                    ),
                                    1.0,
                                )
                            })
                            .collect();
                        let confs = f.iter().map(|d| d.score as f32).collect();
                        (blobs, confs)
                    })
                    .collect()
            })
            .collect();
    }
    fn run(&mut self, i: usize) -> (Duration, u64) {
        let input = self.seqs[i].clone(); // untimed: the API mutates the frames
        let mut t = mot_rs::mot::ByteTracker::<mot_rs::mot::BlobBBox>::new(
            30,
            0.2,
            0.6,
            0.1,
            mot_rs::mot::MatchingAlgorithm::Hungarian,
        );
        let mut sum = 0u64;
        let start = Instant::now();
        for (mut blobs, confs) in input {
            t.match_objects(black_box(&mut blobs), &confs)
                .expect("mot-rs");
            sum += t.objects.len() as u64;
        }
        (start.elapsed(), black_box(sum))
    }
}

/// similari 0.26.2 `Sort` (IoU metric, one shard).
#[derive(Default)]
struct Similari {
    seqs: Vec<Vec<Vec<(similari::prelude::Universal2DBox, Option<i64>)>>>,
}

impl Contender for Similari {
    fn name(&self) -> &'static str {
        "similari 0.26.2 SORT"
    }
    fn prepare(&mut self, seqs: &[Seq]) {
        self.seqs = convert(seqs, |d| {
            (
                similari::prelude::Universal2DBox::ltwh_with_confidence(
                    d.x as f32,
                    d.y as f32,
                    d.w as f32,
                    d.h as f32,
                    d.score as f32,
                ),
                None,
            )
        });
    }
    fn run(&mut self, i: usize) -> (Duration, u64) {
        use similari::prelude::{PositionalMetricType, Sort};
        let mut t = Sort::new(1, 1, 30, PositionalMetricType::IoU(0.2), 0.1, None);
        let mut sum = 0u64;
        let start = Instant::now();
        for dets in &self.seqs[i] {
            sum += t.predict(black_box(dets)).len() as u64;
        }
        (start.elapsed(), black_box(sum))
    }
}

fn convert<T>(seqs: &[Seq], f: impl Fn(&Det) -> T) -> Vec<Vec<Vec<T>>> {
    seqs.iter()
        .map(|s| {
            s.frames
                .iter()
                .map(|fr| fr.iter().map(&f).collect())
                .collect()
        })
        .collect()
}

// ---------------------------------------------------------------- driver

const MOT17: [&str; 5] = [
    "MOT17-02-FRCNN",
    "MOT17-05-FRCNN",
    "MOT17-09-FRCNN",
    "MOT17-10-FRCNN",
    "MOT17-13-FRCNN",
];
const MOT15: [&str; 8] = [
    "ADL-Rundle-6",
    "ETH-Bahnhof",
    "ETH-Sunnyday",
    "KITTI-17",
    "PETS09-S2L1",
    "TUD-Campus",
    "TUD-Stadtmitte",
    "Venice-2",
];

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}

fn fmt_fps(frames: usize, d: Duration) -> String {
    let fps = frames as f64 / d.as_secs_f64();
    if fps >= 1e6 {
        format!("{:.2}M", fps / 1e6)
    } else if fps >= 1e3 {
        format!("{:.1}k", fps / 1e3)
    } else {
        format!("{fps:.0}")
    }
}

fn main() {
    let mut runs = 30usize;
    let mut only: Option<Vec<String>> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            "--only" => {
                only = Some(
                    args.next()
                        .expect("--only NAME,...")
                        .split(',')
                        .map(str::to_lowercase)
                        .collect(),
                )
            }
            "-h" | "--help" => {
                println!("tracker-bench [--runs N (default 30)] [--only name,name]");
                return;
            }
            _ => panic!("unknown argument {a}"),
        }
    }
    let shared = shared_dir();
    let mut seqs = Vec::new();
    for s in MOT17 {
        seqs.push(load(&shared, "MOT17", s));
    }
    for s in MOT15 {
        seqs.push(load(&shared, "MOT15", s));
    }

    let mut contenders: Vec<Box<dyn Contender>> = vec![
        Box::new(Ours {
            seqs: Vec::new(),
            out: Vec::new(),
        }),
        Box::new(Yscv::default()),
        Box::new(Trackforge::default()),
        Box::new(Edgefirst::default()),
        Box::new(MotRs::default()),
        Box::new(Similari::default()),
    ];
    if let Some(only) = &only {
        contenders.retain(|c| only.iter().any(|o| c.name().to_lowercase().contains(o)));
    }
    for c in contenders.iter_mut() {
        c.prepare(&seqs);
    }

    // times[contender][seq][run]
    let mut times = vec![vec![Vec::with_capacity(runs); seqs.len()]; contenders.len()];
    let mut checks = vec![vec![0u64; seqs.len()]; contenders.len()];
    for _ in 0..runs {
        for (ci, c) in contenders.iter_mut().enumerate() {
            for si in 0..seqs.len() {
                let (d, sum) = c.run(si);
                times[ci][si].push(d);
                checks[ci][si] = sum;
            }
        }
    }

    println!(
        "tracker update throughput, frames/s (median of {runs} interleaved runs; detections preloaded)"
    );
    let mut header = format!("{:<34}", "sequence");
    for c in &contenders {
        header += &format!(" | {:>22}", c.name());
    }
    println!("{header}");
    let mut medians = vec![vec![Duration::ZERO; seqs.len()]; contenders.len()];
    for (si, s) in seqs.iter().enumerate() {
        let mut line = format!(
            "{:<34}",
            format!(
                "{} ({}f, {:.1}d/f)",
                s.name,
                s.frames.len(),
                s.n_dets() as f64 / s.frames.len() as f64
            )
        );
        for ci in 0..contenders.len() {
            let m = median(&mut times[ci][si]);
            medians[ci][si] = m;
            line += &format!(" | {:>22}", fmt_fps(s.frames.len(), m));
        }
        println!("{line}");
    }
    for bench in ["MOT17", "MOT15"] {
        let idx: Vec<usize> = (0..seqs.len())
            .filter(|&i| seqs[i].bench == bench)
            .collect();
        let frames: usize = idx.iter().map(|&i| seqs[i].frames.len()).sum();
        let mut line = format!("{:<34}", format!("{bench} overall ({frames}f)"));
        for ci in 0..contenders.len() {
            let total: Duration = idx.iter().map(|&i| medians[ci][i]).sum();
            line += &format!(" | {:>22}", fmt_fps(frames, total));
        }
        println!("{line}");
    }
    let mut line = format!("{:<34}", "outputs (checksum)");
    for c in &checks {
        line += &format!(" | {:>22}", c.iter().sum::<u64>());
    }
    println!("{line}");
}
