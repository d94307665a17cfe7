// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Evaluation and benchmark of the keypoint smoother (`rsposesmooth`'s core).
//!
//! ```sh
//! rstracking-pose-eval [--pose2sim DIR] [--csv OUT_DIR] [--only-pose2sim | --only-synthetic]
//! ```
//! 1. Real detector jitter: the OpenPose keypoints of the pose2sim recording
//!    (4 cameras, 60 fps; the first 17 BODY_25B points are COCO-17), people
//!    linked over frames by ByteTrack on their keypoint boxes, smoothed at
//!    the defaults (One Euro 1.0 / 0.007 / 1.0, min-confidence 0.3): mean
//!    absolute second difference (jitter) raw vs smoothed, and the lag
//!    (cross-correlation delay of the velocities).
//! 2. Synthetic ground truth (this file's generator, seeded): a 17-point
//!    skeleton moving smoothly, Gaussian noise, dropped keypoints and
//!    dropped frames; error to the truth and lag for the One Euro defaults,
//!    the One Euro and Kalman filters tuned on a grid, the Kalman fixed-lag
//!    smoother (`lookahead`) at latency 1–3, and an EMA tuned to the same
//!    jitter reduction as the tuned One Euro.
//! 3. Cost per keypoint per frame.
//!
//! With `--csv`, writes the series of the plot (`pose-trajectory.csv`,
//! `synthetic-trajectory.csv`) for `scripts/plot-pose.py`.

use rstracking_core::pose::{mean_abs_second_difference, FilterKind, PoseSmoother, SmootherConfig};
use rstracking_core::track::bytetrack::{ByteTrackConfig, ByteTracker, Detection, TrackOutput};
use rstracking_core::types::{BBox, Keypoint, KeypointState, Object, TrackState};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

const FPS: f64 = 60.0;
const K: usize = 17;

/// Per track id: per frame, 17 (x, y, conf) or None when absent.
type Series = BTreeMap<u64, Vec<Option<[[f64; 3]; K]>>>;

fn read_openpose(dir: &Path) -> Vec<Vec<[[f64; 3]; K]>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            v["people"]
                .as_array()
                .map(|people| {
                    people
                        .iter()
                        .map(|p| {
                            let k = p["pose_keypoints_2d"].as_array().unwrap();
                            let mut out = [[0.0; 3]; K];
                            for (i, o) in out.iter_mut().enumerate() {
                                for j in 0..3 {
                                    o[j] = k[3 * i + j].as_f64().unwrap_or(0.0);
                                }
                            }
                            out
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

fn keypoint_box(p: &[[f64; 3]; K]) -> Option<[f64; 4]> {
    let seen: Vec<&[f64; 3]> = p.iter().filter(|k| k[2] > 0.0).collect();
    if seen.is_empty() {
        return None;
    }
    let x0 = seen.iter().map(|k| k[0]).fold(f64::MAX, f64::min);
    let x1 = seen.iter().map(|k| k[0]).fold(f64::MIN, f64::max);
    let y0 = seen.iter().map(|k| k[1]).fold(f64::MAX, f64::min);
    let y1 = seen.iter().map(|k| k[1]).fold(f64::MIN, f64::max);
    Some([x0, y0, (x1 - x0).max(1.0), (y1 - y0).max(1.0)])
}

/// Objects of one frame as the pipeline would have them after rsbytetrack
/// (track ids on the matched detections).
fn track_frames(frames: &[Vec<[[f64; 3]; K]>]) -> Vec<Vec<Object>> {
    let mut tracker = ByteTracker::new(ByteTrackConfig {
        track_high_thresh: 0.4,
        new_track_thresh: 0.5,
        frame_rate: FPS,
        ..ByteTrackConfig::default()
    });
    let mut out: Vec<TrackOutput> = Vec::new();
    frames
        .iter()
        .map(|people| {
            let mut objs = Vec::new();
            let mut dets = Vec::new();
            for p in people {
                let Some(b) = keypoint_box(p) else { continue };
                let seen: Vec<f64> = p.iter().map(|k| k[2]).filter(|&c| c > 0.0).collect();
                let conf = seen.iter().sum::<f64>() / seen.len() as f64;
                let mut o = Object::new(
                    BBox::new(b[0] as f32, b[1] as f32, b[2] as f32, b[3] as f32),
                    conf as f32,
                    0,
                );
                o.keypoints = p
                    .iter()
                    .map(|k| Keypoint {
                        x: k[0] as f32,
                        y: k[1] as f32,
                        confidence: k[2] as f32,
                        state: KeypointState::Measured,
                    })
                    .collect();
                dets.push(Detection {
                    tlwh: b,
                    score: conf,
                    class_id: 0,
                    embedding: None,
                });
                objs.push(o);
            }
            tracker.update(&dets, None, &mut out);
            for t in &out {
                if let (Some(i), TrackState::Tracked) = (t.det_index, t.state) {
                    objs[i].track_id = Some(t.track_id);
                    objs[i].track_state = Some(TrackState::Tracked);
                }
            }
            objs
        })
        .collect()
}

/// Runs `frames` (at 60 fps) through a smoother; returns per track id the
/// per-frame keypoints (x, y, conf) of the measured objects (None where
/// the track has no measured object), before and after.
fn smooth_series(frames: &[Vec<Object>], cfg: &SmootherConfig) -> (Series, Series) {
    let mut sm = PoseSmoother::new(cfg.clone());
    let n = frames.len();
    let mut raw: Series = BTreeMap::new();
    let mut smoothed: Series = BTreeMap::new();
    let record = |series: &mut Series, f: usize, objs: &[Object], measured_only: bool| {
        for o in objs {
            let Some(id) = o.track_id else { continue };
            if o.keypoints.len() != K
                || (measured_only && o.track_state != Some(TrackState::Tracked))
            {
                continue;
            }
            if o.keypoints.iter().any(|k| {
                k.state == KeypointState::Interpolated || k.state == KeypointState::Predicted
            }) {
                continue;
            }
            let mut p = [[0.0; 3]; K];
            for (d, k) in p.iter_mut().zip(&o.keypoints) {
                let valid = k.state != KeypointState::Missing && k.x.is_finite() && k.y.is_finite();
                *d = [
                    k.x as f64,
                    k.y as f64,
                    if valid { k.confidence as f64 } else { 0.0 },
                ];
            }
            series.entry(id).or_insert_with(|| vec![None; n])[f] = Some(p);
        }
    };
    let mut outs = Vec::new();
    for (f, objs) in frames.iter().enumerate() {
        record(&mut raw, f, objs, true);
        outs.extend(sm.push(f as f64 / FPS, objs.clone(), f));
    }
    outs.extend(sm.flush());
    for (f, objs) in &outs {
        record(&mut smoothed, *f, objs, true);
    }
    (raw, smoothed)
}

/// Coordinate series (x then y of each keypoint of each track), only runs
/// of frames where the keypoint is valid (conf ≥ min) in both series.
fn coordinate_runs(a: &Series, b: &Series, min_conf: f64) -> Vec<(Vec<f64>, Vec<f64>)> {
    let mut runs = Vec::new();
    for (id, sa) in a {
        let Some(sb) = b.get(id) else { continue };
        for k in 0..K {
            for c in 0..2 {
                let mut ra = Vec::new();
                let mut rb = Vec::new();
                for (pa, pb) in sa.iter().zip(sb) {
                    match (pa, pb) {
                        (Some(pa), Some(pb)) if pa[k][2] >= min_conf && pb[k][2] >= min_conf => {
                            ra.push(pa[k][c]);
                            rb.push(pb[k][c]);
                        }
                        _ => {
                            if ra.len() >= 3 {
                                runs.push((std::mem::take(&mut ra), std::mem::take(&mut rb)));
                            }
                            ra.clear();
                            rb.clear();
                        }
                    }
                }
                if ra.len() >= 3 {
                    runs.push((ra, rb));
                }
            }
        }
    }
    runs
}

/// Mean |second difference| over runs, weighted by run length.
fn jitter(runs: &[(Vec<f64>, Vec<f64>)], second: bool) -> f64 {
    let (mut s, mut n) = (0.0, 0.0);
    for (a, b) in runs {
        let x = if second { b } else { a };
        let w = (x.len() - 2) as f64;
        s += mean_abs_second_difference(x) * w;
        n += w;
    }
    s / n
}

/// Delay d (frames, positive = `b` later than `a`) that minimises the mean
/// squared difference between `b[t]` and `a` at `t − d` (linear
/// interpolation inside each run), searched on −2..8 frames in 0.05 steps.
fn lag(runs: &[(Vec<f64>, Vec<f64>)]) -> f64 {
    let mut best = (f64::MAX, 0.0);
    for step in -40..=160 {
        let d = step as f64 * 0.05;
        let (mut se, mut n) = (0.0, 0usize);
        for (a, b) in runs {
            for (t, &bv) in b.iter().enumerate() {
                let u = t as f64 - d;
                if u < 0.0 || u > (a.len() - 1) as f64 {
                    continue;
                }
                let i = (u.floor() as usize).min(a.len() - 2);
                let f = u - i as f64;
                let av = a[i] * (1.0 - f) + a[i + 1] * f;
                se += (bv - av).powi(2);
                n += 1;
            }
        }
        if n > 0 && se / (n as f64) < best.0 {
            best = (se / n as f64, d);
        }
    }
    best.1
}

/// Deterministic generator (xorshift64*), uniform and Gaussian.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn gauss(&mut self) -> f64 {
        let u = self.next().max(1e-12);
        let v = self.next();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// The synthetic set: truth per frame, and the noisy detections.
struct Synthetic {
    truth: Vec<[[f64; 2]; K]>,
    frames: Vec<Vec<Object>>,
}

/// One coordinate that holds still and moves, alternately: holds of
/// 0.3–1.5 s, moves of 0.4–1.0 s over 10–100 px along a minimum-jerk
/// profile (peak speed up to ~470 px/s), like a limb that pauses and moves.
fn move_and_hold(n: usize, start: f64, rng: &mut Rng) -> Vec<f64> {
    let mut out = Vec::with_capacity(n);
    let mut pos = start;
    while out.len() < n {
        let hold = (0.3 + 1.2 * rng.next()) * FPS;
        for _ in 0..hold as usize {
            out.push(pos);
        }
        let frames = ((0.4 + 0.6 * rng.next()) * FPS) as usize;
        let dist = (10.0 + 90.0 * rng.next()) * if rng.next() < 0.5 { -1.0 } else { 1.0 };
        // Stay within a 600 px window around the start.
        let dist = if (pos + dist - start).abs() > 300.0 {
            -dist
        } else {
            dist
        };
        for i in 1..=frames {
            let tau = i as f64 / frames as f64;
            let s = tau * tau * tau * (10.0 - 15.0 * tau + 6.0 * tau * tau);
            out.push(pos + dist * s);
        }
        pos += dist;
    }
    out.truncate(n);
    out
}

/// A 17-point skeleton whose coordinates move and hold independently
/// (`move_and_hold`), 60 fps, `n` frames; measurements = truth + N(0,
/// `noise`²) px, each keypoint dropped (confidence 0) with probability
/// `drop_kp`, whole frames missing with probability `drop_frame` (gaps of
/// 1–3 frames).
// The frame index walks several parallel per-keypoint arrays.
#[allow(clippy::needless_range_loop)]
fn synthetic(n: usize, noise: f64, drop_kp: f64, drop_frame: f64, seed: u64) -> Synthetic {
    let mut rng = Rng(seed);
    let tracks: Vec<[Vec<f64>; 2]> = (0..K)
        .map(|_| {
            let (x0, y0) = (300.0 + 400.0 * rng.next(), 300.0 + 600.0 * rng.next());
            [
                move_and_hold(n, x0, &mut rng),
                move_and_hold(n, y0, &mut rng),
            ]
        })
        .collect();
    let mut truth = Vec::with_capacity(n);
    let mut frames = Vec::with_capacity(n);
    let mut gap = 0;
    for f in 0..n {
        let p: [[f64; 2]; K] = std::array::from_fn(|k| [tracks[k][0][f], tracks[k][1][f]]);
        truth.push(p);
        if gap == 0 && f > 10 && rng.next() < drop_frame {
            gap = 1 + (rng.next() * 3.0) as usize;
        }
        if gap > 0 {
            gap -= 1;
            frames.push(Vec::new());
            continue;
        }
        let mut o = Object::new(BBox::new(0.0, 0.0, 1.0, 1.0), 0.9, 0);
        o.track_id = Some(1);
        o.track_state = Some(TrackState::Tracked);
        o.keypoints = p
            .iter()
            .map(|q| {
                let dropped = rng.next() < drop_kp;
                Keypoint {
                    x: (q[0] + noise * rng.gauss()) as f32,
                    y: (q[1] + noise * rng.gauss()) as f32,
                    confidence: if dropped { 0.0 } else { 0.9 },
                    state: KeypointState::Measured,
                }
            })
            .collect();
        let xs = o.keypoints.iter().map(|k| k.x);
        let x0 = xs.clone().fold(f32::MAX, f32::min);
        let y0 = o.keypoints.iter().map(|k| k.y).fold(f32::MAX, f32::min);
        o.bbox = BBox::new(x0, y0, 100.0, 100.0);
        frames.push(vec![o]);
    }
    Synthetic { truth, frames }
}

/// Error to the truth (RMSE, px) over the measured keypoints, and the
/// jitter, of the series of track 1.
fn truth_error(s: &Synthetic, series: &Series, min_conf: f64) -> f64 {
    let Some(tr) = series.get(&1) else {
        return f64::NAN;
    };
    let (mut se, mut n) = (0.0, 0.0);
    for (f, p) in tr.iter().enumerate() {
        let Some(p) = p else { continue };
        for (q, t) in p.iter().zip(&s.truth[f]) {
            if q[2] >= min_conf {
                se += (q[0] - t[0]).powi(2) + (q[1] - t[1]).powi(2);
                n += 2.0;
            }
        }
    }
    (se / n).sqrt()
}

/// Runs of the truth next to `series` (for lag against the truth).
fn truth_runs(s: &Synthetic, series: &Series, min_conf: f64) -> Vec<(Vec<f64>, Vec<f64>)> {
    let mut truth: Series = BTreeMap::new();
    truth.insert(
        1,
        s.truth
            .iter()
            .map(|p| Some(std::array::from_fn(|k| [p[k][0], p[k][1], 1.0])))
            .collect(),
    );
    coordinate_runs(&truth, series, min_conf)
}

/// One synthetic run (3000 frames at one noise level) and its raw series.
struct SyntheticRun<'a> {
    noise: f64,
    syn: Synthetic,
    defaults: &'a SmootherConfig,
    min_conf: f64,
    raw: Series,
    raw_err: f64,
}

impl<'a> SyntheticRun<'a> {
    fn new(noise: f64, drop_kp: f64, drop_frame: f64, defaults: &'a SmootherConfig) -> Self {
        let syn = synthetic(3000, noise, drop_kp, drop_frame, 0x5eed_1234);
        let min_conf = defaults.min_confidence as f64;
        let (raw, _) = smooth_series(&syn.frames, defaults);
        let raw_err = truth_error(&syn, &raw, min_conf);
        SyntheticRun {
            noise,
            syn,
            defaults,
            min_conf,
            raw,
            raw_err,
        }
    }

    /// The smoothed series of `cfg`.
    fn smooth(&self, cfg: &SmootherConfig) -> Series {
        smooth_series(&self.syn.frames, cfg).1
    }

    fn error(&self, s: &Series) -> f64 {
        truth_error(&self.syn, s, self.min_conf)
    }

    fn one_euro(&self, min_cutoff: f64, beta: f64, d_cutoff: f64) -> SmootherConfig {
        SmootherConfig {
            filter: FilterKind::OneEuro {
                min_cutoff,
                beta,
                d_cutoff,
            },
            ..self.defaults.clone()
        }
    }

    /// The constant-velocity Kalman filter; with `latency` > 0 the
    /// fixed-lag smoother (`lookahead`).
    fn kalman(&self, q: f64, r: f64, latency: u32) -> SmootherConfig {
        SmootherConfig {
            filter: FilterKind::Kalman {
                process_noise: q,
                measurement_noise: r,
            },
            latency,
            lookahead: latency > 0,
            ..self.defaults.clone()
        }
    }

    fn ema(&self, alpha: f64) -> SmootherConfig {
        SmootherConfig {
            filter: FilterKind::Ema { alpha },
            ..self.defaults.clone()
        }
    }

    /// One Euro tuned for this motion and noise: (error, min-cutoff, beta,
    /// d-cutoff) of a small grid with the lowest error to the truth.
    fn tune_one_euro(&self) -> (f64, f64, f64, f64) {
        let mut tuned = (f64::MAX, 1.0, 0.007, 1.0);
        for mc in [0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0] {
            for beta in [0.007, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.5] {
                for dc in [0.5, 1.0, 2.0, 4.0] {
                    let e = self.error(&self.smooth(&self.one_euro(mc, beta, dc)));
                    if e < tuned.0 {
                        tuned = (e, mc, beta, dc);
                    }
                }
            }
        }
        tuned
    }

    /// The Kalman filter at `latency` tuned the same way: (error, process
    /// noise, measurement noise at confidence 1).
    fn tune_kalman(&self, latency: u32) -> (f64, f64, f64) {
        let noise = self.noise;
        let mut kq = (f64::MAX, 1.0, noise * noise);
        for e in 0..=16 {
            let q = 10f64.powf(1.0 + 0.5 * e as f64);
            for rf in [0.5, 1.0, 2.0, 4.0, 8.0] {
                let r = rf * noise * noise;
                let err = self.error(&self.smooth(&self.kalman(q, r, latency)));
                if err < kq.0 {
                    kq = (err, q, r);
                }
            }
        }
        kq
    }

    /// Jitter reduction of `s` against the raw series.
    fn jitter_reduction(&self, s: &Series) -> f64 {
        let runs = coordinate_runs(&self.raw, s, self.min_conf);
        1.0 - jitter(&runs, true) / jitter(&runs, false)
    }

    /// The EMA with the jitter reduction of `target` (bisection on alpha):
    /// its alpha and series.
    fn same_jitter_ema(&self, target: &Series) -> (f64, Series) {
        let goal = self.jitter_reduction(target);
        let (mut lo, mut hi) = (0.001, 1.0);
        for _ in 0..40 {
            let mid = 0.5 * (lo + hi);
            if self.jitter_reduction(&self.smooth(&self.ema(mid))) > goal {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let alpha = 0.5 * (lo + hi);
        (alpha, self.smooth(&self.ema(alpha)))
    }

    fn truth_lag(&self, s: &Series) -> f64 {
        lag(&truth_runs(&self.syn, s, self.min_conf))
    }

    fn reduction(&self, s: &Series) -> f64 {
        1.0 - self.error(s) / self.raw_err
    }

    /// One table row per named series.
    fn print_rows(&self, rows: &[(String, u32, &Series)]) {
        for (name, latency, series) in rows {
            let err = self.error(series);
            let j = jitter(&coordinate_runs(&self.raw, series, self.min_conf), true);
            println!(
                "| {name} | {latency} | {err:.3} | {:.1} % | {j:.3} | {:.1} % | {:.2} |",
                100.0 * (1.0 - err / self.raw_err),
                100.0 * self.jitter_reduction(series),
                self.truth_lag(series)
            );
        }
    }
}

/// The series of the synthetic table, each with its tuned parameters.
struct Filtered {
    sm_defaults: Series,
    /// (error, min-cutoff, beta, d-cutoff) and the series.
    tuned: (f64, f64, f64, f64),
    one_euro: Series,
    /// (error, process noise, measurement noise) and the series.
    kq: (f64, f64, f64),
    kalman: Series,
    /// Fixed-lag smoothers at latency 1, 2, 3.
    lookahead: Vec<(u32, (f64, f64, f64), Series)>,
    /// EMAs with the jitter reduction of the tuned One Euro and of the
    /// fixed-lag smoother at latency 1: alpha and series.
    ema: (f64, Series),
    ema_k: (f64, Series),
}

impl Filtered {
    fn new(run: &SyntheticRun) -> Self {
        let tuned = run.tune_one_euro();
        let one_euro = run.smooth(&run.one_euro(tuned.1, tuned.2, tuned.3));
        // Measurement noise tuned too, around the generator's σ².
        let kq = run.tune_kalman(0);
        let kalman = run.smooth(&run.kalman(kq.1, kq.2, 0));
        let lookahead: Vec<(u32, (f64, f64, f64), Series)> = [1, 2, 3]
            .into_iter()
            .map(|latency| {
                let kq = run.tune_kalman(latency);
                (latency, kq, run.smooth(&run.kalman(kq.1, kq.2, latency)))
            })
            .collect();
        let ema = run.same_jitter_ema(&one_euro);
        let ema_k = run.same_jitter_ema(&lookahead[0].2);
        Filtered {
            sm_defaults: run.smooth(run.defaults),
            tuned,
            one_euro,
            kq,
            kalman,
            lookahead,
            ema,
            ema_k,
        }
    }

    /// The table rows: name, latency, series.
    fn rows(&self) -> Vec<(String, u32, &Series)> {
        let (tuned, kq) = (self.tuned, self.kq);
        let mut rows: Vec<(String, u32, &Series)> = vec![
            (
                "One Euro, defaults (1.0, 0.007)".to_string(),
                0,
                &self.sm_defaults,
            ),
            (
                format!(
                    "One Euro, tuned (min-cutoff {}, beta {}, d-cutoff {})",
                    tuned.1, tuned.2, tuned.3
                ),
                0,
                &self.one_euro,
            ),
            (
                format!(
                    "Kalman, tuned (process-noise {:.0}, measurement-noise {})",
                    kq.1, kq.2
                ),
                0,
                &self.kalman,
            ),
        ];
        for (latency, kq, series) in &self.lookahead {
            rows.push((
                format!(
                    "Kalman fixed-lag (lookahead=true, latency={latency}), tuned (process-noise {:.0}, measurement-noise {})",
                    kq.1, kq.2
                ),
                *latency,
                series,
            ));
        }
        rows.push((
            format!(
                "EMA α = {:.3} (same jitter reduction as tuned One Euro)",
                self.ema.0
            ),
            0,
            &self.ema.1,
        ));
        rows.push((
            format!(
                "EMA α = {:.3} (same jitter reduction as Kalman fixed-lag, latency 1)",
                self.ema_k.0
            ),
            0,
            &self.ema_k.1,
        ));
        rows
    }
}

/// The synthetic-truth table at one noise level; returns (error reduction,
/// lag) of the tuned One Euro, of the tuned Kalman fixed-lag smoother at
/// latency 1 and of the same-jitter EMA for the sweep.
fn synthetic_table(
    noise: f64,
    defaults: &SmootherConfig,
    csv: Option<&Path>,
    print: bool,
) -> [(f64, f64); 3] {
    let (drop_kp, drop_frame) = (0.05, 0.02);
    let run = SyntheticRun::new(noise, drop_kp, drop_frame, defaults);
    if print {
        println!("## Synthetic truth: 3000 frames at 60 fps, noise σ = {noise} px, {:.0} % keypoints and {:.0} % frames (gaps of 1-3) dropped\n", drop_kp * 100.0, drop_frame * 100.0);
    }
    let f = Filtered::new(&run);
    let (sm, fixed_lag_1, ema) = (&f.one_euro, &f.lookahead[0].2, &f.ema.1);
    let sweep = [
        (run.reduction(sm), run.truth_lag(sm)),
        (run.reduction(fixed_lag_1), run.truth_lag(fixed_lag_1)),
        (run.reduction(ema), run.truth_lag(ema)),
    ];
    if !print {
        return sweep;
    }
    let jit_raw = jitter(&coordinate_runs(&run.raw, sm, run.min_conf), false);
    println!("| filter | latency (frames) | RMSE to truth (px) | error reduction | jitter (px) | jitter reduction | lag vs truth (frames) |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| raw detections | 0 | {:.3} | – | {jit_raw:.3} | – | {:.2} |",
        run.raw_err,
        run.truth_lag(&run.raw)
    );
    run.print_rows(&f.rows());
    if let Some(dir) = csv {
        write_synthetic_csv(dir, &run.syn, &run.raw, [sm, fixed_lag_1, ema]);
    }
    sweep
}

/// Command-line options.
struct Args {
    pose2sim: PathBuf,
    csv: Option<PathBuf>,
    only_pose2sim: bool,
    only_synthetic: bool,
}

fn parse_args() -> Args {
    let mut args = Args {
        pose2sim: PathBuf::from(
            "../shared/data/keypoints/pose2sim_S00_P00_T01_BalancingTrial/pose",
        ),
        csv: None,
        only_pose2sim: false,
        only_synthetic: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--pose2sim" => args.pose2sim = PathBuf::from(it.next().expect("--pose2sim DIR")),
            "--csv" => args.csv = Some(PathBuf::from(it.next().expect("--csv DIR"))),
            "--only-pose2sim" => args.only_pose2sim = true,
            "--only-synthetic" => args.only_synthetic = true,
            other => panic!(
                "unknown argument {other} (use --pose2sim DIR, --csv DIR, --only-pose2sim, --only-synthetic)"
            ),
        }
    }
    args
}

fn main() {
    let args = parse_args();
    let defaults = SmootherConfig::default();
    println!("defaults: {:?}\n", defaults);
    if args.only_synthetic {
        synthetic_table(3.0, &defaults, args.csv.as_deref(), true);
        return;
    }
    // 1. pose2sim.
    if args.pose2sim.is_dir() {
        pose2sim_table(&args.pose2sim, &defaults, args.csv.as_deref());
    } else {
        println!("skipping pose2sim: {} not found\n", args.pose2sim.display());
    }
    if args.only_pose2sim {
        return;
    }
    // 2. Synthetic truth: the full table at σ = 3 px, then a noise sweep.
    synthetic_table(3.0, &defaults, args.csv.as_deref(), true);
    noise_sweep(&defaults);
    // 3. Cost.
    cost_table(&defaults);
}

/// The jitter of the pose2sim keypoints per camera, raw and smoothed at the
/// defaults; camera 1's series go to `csv`.
fn pose2sim_table(pose2sim: &Path, defaults: &SmootherConfig, csv: Option<&Path>) {
    let min_conf = defaults.min_confidence as f64;
    println!("## pose2sim (real OpenPose keypoints, 60 fps), One Euro defaults\n");
    println!("| camera | tracks | coordinate runs | jitter raw (px) | jitter smoothed (px) | reduction | lag vs raw (frames) |");
    println!("|---|---|---|---|---|---|---|");
    let (mut all_raw, mut all_sm) = (Vec::new(), Vec::new());
    for cam in 1..=4 {
        let dir = pose2sim.join(format!("cam{cam:02}_json"));
        let frames = track_frames(&read_openpose(&dir));
        let (raw, sm) = smooth_series(&frames, defaults);
        let runs = coordinate_runs(&raw, &sm, min_conf);
        let (jr, js) = (jitter(&runs, false), jitter(&runs, true));
        println!(
            "| cam{cam:02} | {} | {} | {jr:.3} | {js:.3} | {:.1} % | {:.2} |",
            raw.len(),
            runs.len(),
            100.0 * (1.0 - js / jr),
            lag(&runs)
        );
        if cam == 1 {
            if let Some(dir) = csv {
                write_pose_csv(dir, &raw, &sm);
            }
        }
        all_raw.push(jr * runs.len() as f64);
        all_sm.push(js * runs.len() as f64);
    }
    let (r, s): (f64, f64) = (all_raw.iter().sum(), all_sm.iter().sum());
    println!("| all | | | | | {:.1} % | |\n", 100.0 * (1.0 - s / r));
}

/// The synthetic table's three filters over several noise levels.
fn noise_sweep(defaults: &SmootherConfig) {
    println!("\n### Noise sweep (same motion and dropouts)\n");
    println!("| noise σ (px) | One Euro tuned: error reduction | lag (frames) | Kalman fixed-lag, latency 1: error reduction | lag (frames) | EMA same jitter as One Euro: error reduction | lag (frames) |");
    println!("|---|---|---|---|---|---|---|");
    for noise in [1.0, 2.0, 3.0, 4.0, 6.0] {
        let [(oe, ol), (ke, kl), (ee, el)] = synthetic_table(noise, defaults, None, false);
        println!(
            "| {noise} | {:.1} % | {ol:.2} | {:.1} % | {kl:.2} | {:.1} % | {el:.2} |",
            100.0 * oe,
            100.0 * ke,
            100.0 * ee
        );
    }
}

/// 64 frames of `tracks` objects each: the first `tracks` frames of
/// synthetic runs as the tracks' poses.
fn cost_frames(tracks: usize) -> Vec<Vec<Object>> {
    let mut frames: Vec<Vec<Object>> = Vec::with_capacity(64);
    for seed in 0..64u64 {
        let s = synthetic(tracks, 2.0, 0.0, 0.0, 1000 + seed);
        let mut objs = Vec::new();
        for (i, f) in s.frames.into_iter().enumerate() {
            if let Some(mut o) = f.into_iter().next() {
                o.track_id = Some(i as u64 + 1);
                objs.push(o);
            }
        }
        frames.push(objs);
    }
    frames
}

/// Cost per keypoint per frame of each filter.
fn cost_table(defaults: &SmootherConfig) {
    println!("\n## Cost (release build; 20 tracks × 17 keypoints, 20,000 frames)\n");
    let tracks = 20;
    let n = 20_000;
    let frames = cost_frames(tracks);
    let kalman = FilterKind::Kalman {
        process_noise: 20_000.0,
        measurement_noise: 4.0,
    };
    for (name, cfg) in [
        ("one-euro", defaults.clone()),
        (
            "kalman",
            SmootherConfig {
                filter: kalman,
                ..defaults.clone()
            },
        ),
        (
            "kalman, lookahead, latency 1",
            SmootherConfig {
                filter: kalman,
                latency: 1,
                lookahead: true,
                ..defaults.clone()
            },
        ),
        (
            "ema",
            SmootherConfig {
                filter: FilterKind::Ema { alpha: 0.5 },
                ..defaults.clone()
            },
        ),
    ] {
        let mut sm: PoseSmoother<()> = PoseSmoother::new(cfg);
        let mut kp = 0u64;
        let t0 = Instant::now();
        for f in 0..n {
            let objs = frames[f % frames.len()].clone();
            kp += objs.iter().map(|o| o.keypoints.len() as u64).sum::<u64>();
            let out = sm.push(f as f64 / FPS, objs, ());
            std::hint::black_box(out);
        }
        let dt = t0.elapsed();
        println!(
            "{name}: {:.3} µs per keypoint per frame ({kp} keypoints, {:.2} ms per frame of {tracks} people; includes cloning the frame's objects)",
            dt.as_secs_f64() * 1e6 / kp as f64,
            dt.as_secs_f64() * 1e3 / n as f64
        );
    }
}

fn write_pose_csv(dir: &Path, raw: &Series, sm: &Series) {
    std::fs::create_dir_all(dir).unwrap();
    let Some((&id, r)) = raw
        .iter()
        .max_by_key(|(_, v)| v.iter().filter(|p| p.is_some()).count())
    else {
        return;
    };
    let s = &sm[&id];
    // Right wrist (10): x and y.
    let mut text = String::from("frame,raw_x,raw_y,smoothed_x,smoothed_y\n");
    for (f, (a, b)) in r.iter().zip(s).enumerate() {
        if let (Some(a), Some(b)) = (a, b) {
            if a[10][2] >= 0.3 {
                text.push_str(&format!(
                    "{f},{},{},{},{}\n",
                    a[10][0], a[10][1], b[10][0], b[10][1]
                ));
            }
        }
    }
    std::fs::write(dir.join("pose-trajectory.csv"), text).unwrap();
}

/// `filtered`: tuned One Euro, Kalman fixed-lag (latency 1), EMA.
fn write_synthetic_csv(dir: &Path, syn: &Synthetic, raw: &Series, filtered: [&Series; 3]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut text = String::from("frame,truth,raw,one_euro,kalman_fixed_lag_1,ema\n");
    let (r, s, k, e) = (
        &raw[&1],
        &filtered[0][&1],
        &filtered[1][&1],
        &filtered[2][&1],
    );
    for f in 0..600.min(syn.truth.len()) {
        let v = |p: &Option<[[f64; 3]; K]>| match p {
            Some(p) if p[9][2] >= 0.3 => format!("{}", p[9][0]),
            _ => String::new(),
        };
        text.push_str(&format!(
            "{f},{},{},{},{},{}\n",
            syn.truth[f][9][0],
            v(&r[f]),
            v(&s[f]),
            v(&k[f]),
            v(&e[f])
        ));
    }
    std::fs::write(dir.join("synthetic-trajectory.csv"), text).unwrap();
}
