// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Parity of `ByteTracker` with the reference ByteTrack run
//! (`shared/data/reference_bytetrack`, see its ALGORITHM.md): the result
//! files must be identical, line for line.

mod common;
use common::shared_dir;
use rstracking_core::io::mot::{parse_rows, parse_seqinfo};
use rstracking_core::io::mot::{MOT15_SEQUENCES as MOT15, MOT17_SEQUENCES as MOT17};
use rstracking_core::track::bytetrack::{ByteTrackConfig, ByteTracker, Detection, TrackOutput};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Write as _;
use std::path::Path;

/// Counts the allocations of the current thread (tests run on several
/// threads), to check that tracking does not allocate in steady state.
struct CountingAlloc;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: forwards every call unchanged to the system allocator.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc;

/// Detections per frame (index 0 = frame 1), in file order, as the reference
/// feeds them: `x2 = x + w`, then back to `tlwh` with `w = x2 − x`.
fn load_sequence(seq_dir: &Path) -> Vec<Vec<Detection>> {
    let ini = std::fs::read_to_string(seq_dir.join("seqinfo.ini")).unwrap();
    let info = parse_seqinfo(&ini, "seqinfo.ini").unwrap();
    let path = seq_dir.join("det/det.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let rows = parse_rows(&text, &path.to_string_lossy()).unwrap();
    let mut frames = vec![Vec::new(); info.seq_length as usize];
    for r in rows {
        let (x2, y2) = (r.x + r.w, r.y + r.h);
        frames[(r.frame - 1) as usize].push(Detection {
            tlwh: [r.x, r.y, x2 - r.x, y2 - r.y],
            score: r.score,
            class_id: 0,
            embedding: None,
        });
    }
    frames
}

/// Runs the tracker over a sequence and writes the result file. With
/// `postfilter`, ByteTrack's evaluation-time filter is applied to the output
/// (keep boxes with `w·h > 100` and `w/h ≤ 1.6`).
fn run(frames: &[Vec<Detection>], cfg: ByteTrackConfig, postfilter: bool) -> String {
    let mut tracker = ByteTracker::new(cfg);
    let mut out: Vec<TrackOutput> = Vec::new();
    let mut text = String::new();
    for (i, dets) in frames.iter().enumerate() {
        tracker.update(dets, None, &mut out);
        for t in &out {
            let (w, h) = (t.tlwh[2], t.tlwh[3]);
            if postfilter && (w * h <= 100.0 || w / h > 1.6) {
                continue;
            }
            writeln!(
                text,
                "{},{},{:.2},{:.2},{:.2},{:.2},{:.4},-1,-1,-1",
                i + 1,
                t.track_id,
                t.tlwh[0],
                t.tlwh[1],
                t.tlwh[2],
                t.tlwh[3],
                t.score
            )
            .unwrap();
        }
    }
    text
}

/// Number of differing lines (position by position, plus the length
/// difference); prints the first few.
fn diff_lines(name: &str, ours: &str, reference: &str) -> usize {
    let a: Vec<&str> = ours.lines().collect();
    let b: Vec<&str> = reference.lines().collect();
    let mut n = a.len().abs_diff(b.len());
    let mut shown = 0;
    for (k, (x, y)) in a.iter().zip(b.iter()).enumerate() {
        if x != y {
            n += 1;
            if shown < 5 {
                println!("{name}:{}: ours {x} | reference {y}", k + 1);
                shown += 1;
            }
        }
    }
    println!(
        "{name}: {} lines, reference {}, {n} differ",
        a.len(),
        b.len()
    );
    n
}

fn paper() -> ByteTrackConfig {
    ByteTrackConfig {
        track_high_thresh: 0.6,
        track_low_thresh: 0.1,
        new_track_thresh: 0.6 + 0.1,
        match_thresh: 0.8,
        track_buffer: 30,
        frame_rate: 30.0,
        ..Default::default()
    }
}

fn check(
    shared: &Path,
    bench: &str,
    seqs: &[&str],
    run_name: &str,
    cfg_of: impl Fn(&str) -> ByteTrackConfig,
) -> Vec<usize> {
    seqs.iter()
        .map(|seq| {
            let frames = load_sequence(&shared.join(format!("data/{bench}/train/{seq}")));
            let ours = run(&frames, cfg_of(seq), !run_name.contains("_nopf"));
            let reference = std::fs::read_to_string(shared.join(format!(
                "data/reference_bytetrack/{run_name}/data/{seq}.txt"
            )))
            .unwrap();
            diff_lines(seq, &ours, &reference)
        })
        .collect()
}

#[test]
#[ignore = "needs ../shared"]
fn mot17_paper_matches_reference() {
    let shared = shared_dir();
    let d = check(&shared, "MOT17", &MOT17, "MOT17_shared_paper_nopf", |_| {
        paper()
    });
    assert_eq!(d, vec![0; MOT17.len()]);
}

#[test]
#[ignore = "needs ../shared"]
fn mot15_paper_matches_reference() {
    let shared = shared_dir();
    let d = check(&shared, "MOT15", &MOT15, "MOT15_shared_paper_nopf", |_| {
        paper()
    });
    assert_eq!(d, vec![0; MOT15.len()]);
}

fn official(seq: &str) -> ByteTrackConfig {
    // tools/track.py defaults plus the per-sequence overrides of mot_evaluator.py.
    let buffer = match seq {
        "MOT17-05-FRCNN" | "MOT17-06-FRCNN" => 14,
        "MOT17-13-FRCNN" | "MOT17-14-FRCNN" => 25,
        _ => 30,
    };
    ByteTrackConfig {
        match_thresh: 0.9,
        track_buffer: buffer,
        ..paper()
    }
}

// The official and paper runs also apply ByteTrack's output filter, applied
// here to our output before comparing.
#[test]
#[ignore = "needs ../shared"]
fn mot17_official_matches_reference() {
    let shared = shared_dir();
    let d = check(&shared, "MOT17", &MOT17, "MOT17_shared_official", official);
    assert_eq!(d, vec![0; MOT17.len()]);
}

#[test]
#[ignore = "needs ../shared"]
fn mot15_official_matches_reference() {
    let shared = shared_dir();
    let d = check(&shared, "MOT15", &MOT15, "MOT15_shared_official", official);
    assert_eq!(d, vec![0; MOT15.len()]);
}

#[test]
#[ignore = "needs ../shared"]
fn mot17_paper_postfilter_matches_reference() {
    let shared = shared_dir();
    let d = check(&shared, "MOT17", &MOT17, "MOT17_shared_paper", |_| paper());
    assert_eq!(d, vec![0; MOT17.len()]);
}

#[test]
#[ignore = "needs ../shared"]
fn steady_state_does_not_allocate() {
    let shared = shared_dir();
    // The densest sequence; a second pass after reset() must fit in the
    // buffers grown by the first.
    let frames = load_sequence(&shared.join("data/MOT17/train/MOT17-10-FRCNN"));
    let start = ALLOCATIONS.with(Cell::get);
    let mut tracker = ByteTracker::new(paper());
    let mut out = Vec::new();
    for dets in &frames {
        tracker.update(dets, None, &mut out);
    }
    // The counter works: warming up grows buffers.
    assert!(ALLOCATIONS.with(Cell::get) > start);
    tracker.reset();
    let before = ALLOCATIONS.with(Cell::get);
    let mut outputs = 0;
    for dets in &frames {
        tracker.update(dets, None, &mut out);
        outputs += out.len();
    }
    let allocations = ALLOCATIONS.with(Cell::get) - before;
    assert!(outputs > 0);
    assert_eq!(
        allocations,
        0,
        "allocations while tracking {} frames",
        frames.len()
    );
}
