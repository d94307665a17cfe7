// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Throughput of tracker `update()` calls on the MOT17 / MOT15 public
//! detections, ours against other Rust trackers, in one process.
//!
//! Detections are loaded and converted to each tracker's input type before
//! timing; only the per-frame update calls are timed (a fresh tracker per
//! sequence and run; trackers whose API consumes the frames get a copy made
//! before the clock starts). Runs are interleaved (run r of every tracker on
//! every sequence before run r+1) and the median over runs is reported.
//! Afterwards each tracker's output is scored once (untimed) with the HOTA of
//! `rstracking_core::eval` against the sequences' ground truth.
//!
//! Settings: ours = ByteTrack paper settings (0.6/0.1/0.7, cost limit 0.8,
//! buffer 30); the others as close as their APIs allow (high 0.6, low 0.1,
//! IoU ≥ 0.2, 30 frames or 1 s at 30 fps). Their algorithms differ (greedy
//! matching, SORT, ...), so their HOTA differs too.
//!
//! ```text
//! cargo run --release -p rstracking-tools --bin tracker-bench -- \
//!     [--runs N] [--only tracker,...] [--seqs sequence,...] [--no-hota]
//! ```
//! The shared data folder is `$RSTRACKING_SHARED` or `../shared` next to the
//! repository.

use rstracking_core::eval::{
    combine, evaluate_sequence_with_length, load_gt, Benchmark, ResultRow, SequenceCounts,
};
use rstracking_core::io::mot::{parse_rows, parse_seqinfo};
use rstracking_core::io::mot::{MOT15_SEQUENCES as MOT15, MOT17_SEQUENCES as MOT17};
use rstracking_core::track::bytetrack::{ByteTrackConfig, ByteTracker, Detection, TrackOutput};
use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Detections of every sequence: `[sequence][frame][detection]`.
type PerSeq<T> = Vec<Vec<Vec<T>>>;

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
    dir: PathBuf,
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
        dir,
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
    /// The tracker's output on a sequence as MOT result rows (untimed), for
    /// the HOTA table.
    fn results(&mut self, seq_index: usize) -> Vec<ResultRow>;
}

/// Gives the tracker's own track keys (ids, UUIDs) small integer ids.
struct IdMap<K>(HashMap<K, i64>);

impl<K: std::hash::Hash + Eq> IdMap<K> {
    fn new() -> Self {
        IdMap(HashMap::new())
    }
    fn get(&mut self, k: K) -> i64 {
        let n = self.0.len() as i64 + 1;
        *self.0.entry(k).or_insert(n)
    }
}

fn row_tlwh(frame: usize, id: i64, x: f64, y: f64, w: f64, h: f64) -> ResultRow {
    ResultRow::new(frame as u64 + 1, id, x, y, w, h)
}

// ---------------------------------------------------------------- ours

struct Ours {
    seqs: PerSeq<Detection>,
    out: Vec<TrackOutput>,
    /// Exact (the reference) or the improved preset's tracker settings.
    improved: bool,
}

impl Ours {
    fn config(&self) -> ByteTrackConfig {
        if self.improved {
            // pipelines/mot-offline.sh --preset improved, tracker part
            // (the offline refinement runs at EOS, outside update()).
            ByteTrackConfig {
                track_buffer: 60,
                young_gate: 3.0,
                ..Default::default()
            }
        } else {
            ByteTrackConfig::default()
        }
    }
}

impl Contender for Ours {
    fn name(&self) -> &'static str {
        if self.improved {
            "rstracking (ours, improved)"
        } else {
            "rstracking (ours)"
        }
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
                                embedding: None,
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
    }
    fn run(&mut self, i: usize) -> (Duration, u64) {
        let mut t = ByteTracker::new(self.config());
        let mut sum = 0u64;
        let start = Instant::now();
        for dets in &self.seqs[i] {
            t.update(black_box(dets), None, &mut self.out);
            sum += self.out.len() as u64;
        }
        (start.elapsed(), black_box(sum))
    }
    fn results(&mut self, i: usize) -> Vec<ResultRow> {
        let mut t = ByteTracker::new(self.config());
        let mut rows = Vec::new();
        for (f, dets) in self.seqs[i].iter().enumerate() {
            t.update(dets, None, &mut self.out);
            for o in &self.out {
                let [x, y, w, h] = o.tlwh;
                rows.push(row_tlwh(f, o.track_id as i64, x, y, w, h));
            }
        }
        rows
    }
}

// ---------------------------------------------------------------- competitors

/// yscv-track 0.2.0 `ByteTracker` (greedy IoU matching, no motion model).
#[derive(Default)]
struct Yscv {
    seqs: PerSeq<yscv_detect::Detection>,
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
    fn results(&mut self, i: usize) -> Vec<ResultRow> {
        let mut t = yscv_track::ByteTracker::new(0.6, 0.1, 0.2, 30);
        let mut rows = Vec::new();
        for (f, dets) in self.seqs[i].iter().enumerate() {
            for o in t.update(dets) {
                let b = o.detection.bbox;
                let (x, y) = (b.x1 as f64, b.y1 as f64);
                let (w, h) = (b.x2 as f64 - x, b.y2 as f64 - y);
                rows.push(row_tlwh(f, o.track_id as i64, x, y, w, h));
            }
        }
        rows
    }
}

/// trackforge 0.5.1 `ByteTrack` (takes each frame's detections by value).
#[derive(Default)]
struct Trackforge {
    seqs: PerSeq<([f32; 4], f32, i64)>,
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
    fn results(&mut self, i: usize) -> Vec<ResultRow> {
        let mut t = trackforge::trackers::byte_track::ByteTrack::new(0.6, 30, 0.8, 0.7);
        let mut rows = Vec::new();
        for (f, dets) in self.seqs[i].clone().into_iter().enumerate() {
            for o in t.update(dets) {
                let [x, y, w, h] = o.tlwh.map(f64::from);
                rows.push(row_tlwh(f, o.track_id as i64, x, y, w, h));
            }
        }
        rows
    }
}

/// edgefirst-tracker 0.38.2 `ByteTrack` (time-based expiry: 30 frames = 1 s at 30 fps).
#[derive(Default)]
struct Edgefirst {
    seqs: PerSeq<edgefirst_tracker::MockDetection>,
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
    fn results(&mut self, i: usize) -> Vec<ResultRow> {
        use edgefirst_tracker::Tracker as _;
        let mut t = edgefirst_tracker::bytetrack::ByteTrackBuilder::new()
            .track_high_conf(0.6)
            .track_iou(0.2)
            .track_extra_lifespan(1_000_000_000)
            .build::<edgefirst_tracker::MockDetection>();
        let mut ids = IdMap::new();
        let mut rows = Vec::new();
        for (f, dets) in self.seqs[i].iter().enumerate() {
            for info in t.update(dets, f as u64 * 33_333_333).into_iter().flatten() {
                let [x1, y1, x2, y2] = info.tracked_location.map(f64::from);
                rows.push(row_tlwh(f, ids.get(info.uuid), x1, y1, x2 - x1, y2 - y1));
            }
        }
        rows
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
    fn results(&mut self, i: usize) -> Vec<ResultRow> {
        let mut t = mot_rs::mot::ByteTracker::<mot_rs::mot::BlobBBox>::new(
            30,
            0.2,
            0.6,
            0.1,
            mot_rs::mot::MatchingAlgorithm::Hungarian,
        );
        let mut ids = IdMap::new();
        let mut rows = Vec::new();
        for (f, (mut blobs, confs)) in self.seqs[i].clone().into_iter().enumerate() {
            t.match_objects(&mut blobs, &confs).expect("mot-rs");
            // Tracks matched on this frame, in a stable order.
            let mut cur: Vec<_> = t
                .objects
                .values()
                .filter(|b| b.get_no_match_times() == 0)
                .map(|b| (ids.get(b.get_id()), b.get_bbox()))
                .collect();
            cur.sort_by_key(|c| c.0);
            for (id, r) in cur {
                let (x, y) = (r.x as f64, r.y as f64);
                rows.push(row_tlwh(f, id, x, y, r.width as f64, r.height as f64));
            }
        }
        rows
    }
}

/// similari 0.26.2 `Sort` (IoU metric, one shard).
#[derive(Default)]
struct Similari {
    seqs: PerSeq<(similari::prelude::Universal2DBox, Option<i64>)>,
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
    fn results(&mut self, i: usize) -> Vec<ResultRow> {
        use similari::prelude::{PositionalMetricType, Sort};
        let mut t = Sort::new(1, 1, 30, PositionalMetricType::IoU(0.2), 0.1, None);
        let mut rows = Vec::new();
        for (f, dets) in self.seqs[i].iter().enumerate() {
            for o in t.predict(dets) {
                let b = &o.predicted_bbox;
                let (h, w) = (b.height as f64, (b.aspect * b.height) as f64);
                let (x, y) = (b.xc as f64 - w / 2.0, b.yc as f64 - h / 2.0);
                rows.push(row_tlwh(f, o.id as i64, x, y, w, h));
            }
        }
        rows
    }
}

fn convert<T>(seqs: &[Seq], f: impl Fn(&Det) -> T) -> PerSeq<T> {
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

/// Command-line options.
struct Args {
    runs: usize,
    only: Option<Vec<String>>,
    seq_filter: Option<Vec<String>>,
    hota: bool,
}

/// The options, or `None` after printing `--help`.
fn parse_args() -> Option<Args> {
    let mut a = Args {
        runs: 30,
        only: None,
        seq_filter: None,
        hota: true,
    };
    let list = |v: Option<String>, what: &str| -> Vec<String> {
        v.expect(what).split(',').map(str::to_lowercase).collect()
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => a.runs = args.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            "--only" => a.only = Some(list(args.next(), "--only NAME,...")),
            "--seqs" => a.seq_filter = Some(list(args.next(), "--seqs NAME,...")),
            "--no-hota" => a.hota = false,
            "-h" | "--help" => {
                println!(
                    "tracker-bench [--runs N (default 30)] [--only tracker,...] [--seqs sequence,...] [--no-hota]\n\
                     (names match case-insensitively by substring)"
                );
                return None;
            }
            _ => panic!("unknown argument {arg}"),
        }
    }
    Some(a)
}

fn main() {
    let Some(args) = parse_args() else {
        return;
    };
    let shared = shared_dir();
    let mut seqs = Vec::new();
    for s in MOT17 {
        seqs.push(load(&shared, "MOT17", s));
    }
    for s in MOT15 {
        seqs.push(load(&shared, "MOT15", s));
    }
    if let Some(f) = &args.seq_filter {
        seqs.retain(|s| f.iter().any(|p| s.name.to_lowercase().contains(p)));
    }

    let mut contenders: Vec<Box<dyn Contender>> = vec![
        Box::new(Ours {
            seqs: Vec::new(),
            out: Vec::new(),
            improved: false,
        }),
        Box::new(Ours {
            seqs: Vec::new(),
            out: Vec::new(),
            improved: true,
        }),
        Box::new(Yscv::default()),
        Box::new(Trackforge::default()),
        Box::new(Edgefirst::default()),
        Box::new(MotRs::default()),
        Box::new(Similari::default()),
    ];
    if let Some(only) = &args.only {
        contenders.retain(|c| only.iter().any(|o| c.name().to_lowercase().contains(o)));
    }
    for c in contenders.iter_mut() {
        c.prepare(&seqs);
    }
    let (mut times, checks) = time_runs(&mut contenders, seqs.len(), args.runs);
    print_throughput(&seqs, &contenders, &mut times, &checks, args.runs);
    if args.hota {
        print_hota(&seqs, &mut contenders);
    }
}

/// `runs` interleaved runs (run r of every tracker on every sequence before
/// run r+1): `times[contender][seq][run]` and the output checksums
/// `checks[contender][seq]`.
fn time_runs(
    contenders: &mut [Box<dyn Contender>],
    n_seqs: usize,
    runs: usize,
) -> (Vec<Vec<Vec<Duration>>>, Vec<Vec<u64>>) {
    let mut times = vec![vec![Vec::with_capacity(runs); n_seqs]; contenders.len()];
    let mut checks = vec![vec![0u64; n_seqs]; contenders.len()];
    for _ in 0..runs {
        for (ci, c) in contenders.iter_mut().enumerate() {
            for si in 0..n_seqs {
                let (d, sum) = c.run(si);
                times[ci][si].push(d);
                checks[ci][si] = sum;
            }
        }
    }
    (times, checks)
}

/// The frames/s table: per sequence, per benchmark, and the checksums.
fn print_throughput(
    seqs: &[Seq],
    contenders: &[Box<dyn Contender>],
    times: &mut [Vec<Vec<Duration>>],
    checks: &[Vec<u64>],
    runs: usize,
) {
    println!(
        "tracker update throughput, frames/s (median of {runs} interleaved runs; detections preloaded)"
    );
    let mut header = format!("{:<34}", "sequence");
    for c in contenders {
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
        if idx.is_empty() {
            continue;
        }
        let frames: usize = idx.iter().map(|&i| seqs[i].frames.len()).sum();
        let mut line = format!("{:<34}", format!("{bench} overall ({frames}f)"));
        for m in &medians {
            let total: Duration = idx.iter().map(|&i| m[i]).sum();
            line += &format!(" | {:>22}", fmt_fps(frames, total));
        }
        println!("{line}");
    }
    let mut line = format!("{:<34}", "outputs (checksum)");
    for c in checks {
        line += &format!(" | {:>22}", c.iter().sum::<u64>());
    }
    println!("{line}");
}

/// HOTA of each tracker's output (as the tracker returns it, no filtering)
/// with the TrackEval protocol of `rstracking_core::eval`.
fn print_hota(seqs: &[Seq], contenders: &mut [Box<dyn Contender>]) {
    println!();
    println!("HOTA (%) of the output as returned (TrackEval protocol, rstracking_core::eval)");
    let mut header = format!("{:<34}", "sequence");
    for c in contenders.iter() {
        header += &format!(" | {:>22}", c.name());
    }
    println!("{header}");
    // counts[contender] = (bench, counts) of the evaluated sequences.
    let mut counts: Vec<Vec<(&str, SequenceCounts)>> = vec![Vec::new(); contenders.len()];
    for (si, s) in seqs.iter().enumerate() {
        let gt = match load_gt(s.dir.join("gt/gt.txt")) {
            Ok(gt) => gt,
            Err(e) => {
                println!("{:<34} | no ground truth ({e})", s.name);
                continue;
            }
        };
        let bench = if s.bench == "MOT15" {
            Benchmark::Mot15
        } else {
            Benchmark::Mot17
        };
        let mut line = format!("{:<34}", s.name);
        for (ci, c) in contenders.iter_mut().enumerate() {
            let rows = c.results(si);
            let cell =
                match evaluate_sequence_with_length(&gt, &rows, bench, Some(s.frames.len() as u64))
                {
                    Ok(sc) => {
                        let h = sc.metrics().hota * 100.0;
                        counts[ci].push((s.bench, sc));
                        format!("{h:.1}")
                    }
                    Err(e) => format!("error: {e}"),
                };
            line += &format!(" | {cell:>22}");
        }
        println!("{line}");
    }
    for bench in ["MOT17", "MOT15"] {
        let mut line = format!("{:<34}", format!("{bench} combined"));
        let mut any = false;
        for c in &counts {
            let sc: Vec<SequenceCounts> = c
                .iter()
                .filter(|(b, _)| *b == bench)
                .map(|(_, sc)| sc.clone())
                .collect();
            any |= !sc.is_empty();
            let cell = if sc.is_empty() {
                "-".to_string()
            } else {
                format!("{:.1}", combine(&sc).hota * 100.0)
            };
            line += &format!(" | {cell:>22}");
        }
        if any {
            println!("{line}");
        }
    }
}
