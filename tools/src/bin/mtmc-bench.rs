// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Timing and memory check of the multi-camera identity clustering
//! ([`rstracking_core::mtmc`]) on one core.
//!
//! 1. One clustering: 16 cameras × 20 simultaneous tracklets (320
//!    tracklets), 40 people (each seen by several cameras), 512-d random
//!    unit appearance vectors plus noise, 10 observations per tracklet.
//!    Prints the median and minimum time of one `cluster()` over 50 runs
//!    and how well the identities were recovered.
//! 2. A long run with churn: every simulated second each of the 16 cameras
//!    keeps 20 live tracks (each ends with probability 1/20 and is replaced
//!    by a new track of one of 200 people), every live track is observed
//!    once (person vector plus half of one of 1024 precomputed random unit
//!    vectors), and the aggregator clusters (tracklets expire after 5 s).
//!    Prints the tracklet and identity counts and the resident memory after
//!    100 clusterings, at 10 % and 50 % of the run, and at the end.
//!
//! ```text
//! cargo run --release -p rstracking-tools --bin mtmc-bench [-- LONG_RUN_CLUSTERINGS]
//! ```

use std::collections::HashMap;
use std::time::Instant;

use rstracking_core::mtmc::{MtmcAggregator, MtmcConfig};
use rstracking_tools::synth::Rng;

const DIM: usize = 512;
const CAMERAS: usize = 16;
const TRACKS_PER_CAMERA: usize = 20;
const PEOPLE: usize = 40;
const RUNS: usize = 50;
const DEFAULT_LONG_RUN: usize = 10_000;
const S: u64 = 1_000_000_000;

fn normalize(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= n);
}

/// A random unit vector.
fn random_unit(rng: &mut Rng) -> Vec<f32> {
    let mut v: Vec<f32> = (0..DIM).map(|_| rng.gauss()).collect();
    normalize(&mut v);
    v
}

/// `base` plus isotropic noise of total norm about `noise`, normalised.
fn noisy(rng: &mut Rng, base: &[f32], noise: f32, out: &mut Vec<f32>) {
    let sigma = noise / (DIM as f32).sqrt();
    out.clear();
    out.extend(base.iter().map(|&x| x + sigma * rng.gauss()));
    normalize(out);
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn rss_text() -> String {
    rss_kib().map_or_else(|| "n/a".to_string(), |k| format!("{k} KiB"))
}

fn median_ms(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2] * 1e3
}

fn one_clustering() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let people: Vec<Vec<f32>> = (0..PEOPLE).map(|_| random_unit(&mut rng)).collect();
    let mut agg = MtmcAggregator::new(MtmcConfig::default());
    let mut truth: HashMap<(String, u64), usize> = HashMap::new();
    let mut e = Vec::new();
    let mut last_t = 0;
    for c in 0..CAMERAS {
        let cam = format!("cam{c:02}");
        for k in 0..TRACKS_PER_CAMERA {
            // Distinct people per camera: 3 is invertible mod 40.
            let p = (7 * c + 3 * k) % PEOPLE;
            let track = k as u64 + 1;
            truth.insert((cam.clone(), track), p);
            // The 20 tracks of a camera are visible together for 5 s; the
            // cameras see them one after the other.
            let t0 = c as u64 * 6 * S + k as u64 * S / 20;
            for f in 0..10u64 {
                noisy(&mut rng, &people[p], 1.0, &mut e);
                let t = t0 + f * S / 2;
                agg.observe(&cam, track, t, Some(&e)).unwrap();
                last_t = last_t.max(t);
            }
        }
    }
    let now = last_t + S;
    agg.cluster(now);
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        let merges = agg.cluster(now);
        times.push(start.elapsed().as_secs_f64());
        assert!(merges.is_empty());
    }
    let min = times.iter().copied().fold(f64::INFINITY, f64::min) * 1e3;
    // Recovery: tracklets whose global id is their person's majority id.
    let mut votes: HashMap<(usize, u64), usize> = HashMap::new();
    for ((cam, track), &p) in &truth {
        let g = agg.global_id(cam, *track).unwrap();
        *votes.entry((p, g)).or_default() += 1;
    }
    let mut best: HashMap<usize, usize> = HashMap::new();
    for (&(p, _), &n) in &votes {
        let b = best.entry(p).or_default();
        *b = (*b).max(n);
    }
    let correct: usize = best.values().sum();
    println!(
        "one clustering: {} tracklets ({CAMERAS} cameras x {TRACKS_PER_CAMERA}, {PEOPLE} people, \
         {DIM}-d): median {:.3} ms, min {:.3} ms over {RUNS} runs",
        agg.num_tracklets(),
        median_ms(times),
        min
    );
    println!(
        "  identities: {} (truth {PEOPLE}); tracklets on their person's majority id: {}/{}",
        agg.num_identities(),
        correct,
        truth.len()
    );
}

/// One live track of the churn run.
struct Live {
    track: u64,
    person: usize,
}

fn long_run(clusterings: usize) {
    const POOL: usize = 200;
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let people: Vec<Vec<f32>> = (0..POOL).map(|_| random_unit(&mut rng)).collect();
    let mut agg = MtmcAggregator::new(MtmcConfig {
        max_age_ns: 5 * S,
        ..Default::default()
    });
    let cams: Vec<String> = (0..CAMERAS).map(|c| format!("cam{c:02}")).collect();
    let mut next_track = 1u64;
    let mut live: Vec<Vec<Live>> = (0..CAMERAS)
        .map(|_| {
            (0..TRACKS_PER_CAMERA)
                .map(|_| {
                    next_track += 1;
                    Live {
                        track: next_track,
                        person: rng.below(POOL),
                    }
                })
                .collect()
        })
        .collect();
    // Precomputed noise directions keep the data generation cheap.
    let noise: Vec<Vec<f32>> = (0..1024).map(|_| random_unit(&mut rng)).collect();
    let mut e = Vec::new();
    let mut merges = 0usize;
    let mut per_cluster = Vec::with_capacity(clusterings);
    let mut checkpoints = Vec::new();
    let wall = Instant::now();
    for step in 0..clusterings {
        let t = step as u64 * S;
        for (c, tracks) in live.iter_mut().enumerate() {
            for l in tracks.iter_mut() {
                if rng.below(20) == 0 {
                    next_track += 1;
                    *l = Live {
                        track: next_track,
                        person: rng.below(POOL),
                    };
                }
                let n = &noise[rng.below(noise.len())];
                e.clear();
                e.extend(people[l.person].iter().zip(n).map(|(p, n)| p + 0.5 * n));
                normalize(&mut e);
                agg.observe(&cams[c], l.track, t, Some(&e)).unwrap();
            }
        }
        let start = Instant::now();
        merges += agg.maybe_cluster(t).len();
        per_cluster.push(start.elapsed().as_secs_f64());
        if step == 99 || step + 1 == clusterings / 10 || step + 1 == clusterings / 2 {
            checkpoints.push((
                step + 1,
                agg.num_tracklets(),
                agg.num_identities(),
                rss_text(),
            ));
        }
    }
    println!(
        "long run: {clusterings} clusterings with churn ({} tracks started) in {:.1} s, median \
         clustering {:.3} ms, {merges} merges",
        next_track - 1,
        wall.elapsed().as_secs_f64(),
        median_ms(per_cluster)
    );
    for (step, tracklets, identities, rss) in checkpoints {
        println!(
            "  after {step:>6} clusterings: {tracklets} tracklets, {identities} identities, RSS \
             {rss}"
        );
    }
    println!(
        "  after {clusterings:>6} clusterings: {} tracklets, {} identities, RSS {} (end)",
        agg.num_tracklets(),
        agg.num_identities(),
        rss_text()
    );
}

fn main() {
    let clusterings = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("LONG_RUN_CLUSTERINGS: a number"))
        .unwrap_or(DEFAULT_LONG_RUN);
    one_clustering();
    if clusterings > 0 {
        long_run(clusterings);
    }
}
