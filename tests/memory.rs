// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! No per-frame growth: a 200,000-frame stream through rsbytetrack with
//! constant track churn ends with the resident memory it had after 2,000.

mod common;
use common::*;

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// Ten objects alive at any time; object k lives frames [30k, 30k + 300).
fn scene(i: u64) -> Vec<gstrstracking::core::types::Object> {
    let first = (i / 30).saturating_sub(9);
    (first..=i / 30)
        .map(|k| {
            let age = (i - 30 * k) as f32;
            let lane = (k % 10) as f32;
            obj(20.0 + 3.0 * age, 40.0 + 100.0 * lane, 40.0, 80.0, 0.9)
        })
        .collect()
}

#[test]
fn resident_memory_is_flat_over_200k_frames() {
    init();
    let mut h = gst_check::Harness::new("rsbytetrack");
    h.set_src_caps_str("video/x-raw,format=GRAY8,width=1920,height=1080,framerate=30/1");
    let mut max_id = 0;
    let mut after_2k = 0;
    for i in 0..200_000u64 {
        h.push(buffer_with(i, scene(i))).unwrap();
        let out = h.pull().unwrap();
        // The harness keeps every event it receives (the track life-cycle
        // events) until pulled, as a sink would consume them.
        while h.try_pull_event().is_some() {}
        for o in objects_of(&out) {
            max_id = max_id.max(o.track_id.unwrap_or(0));
        }
        if i == 1_999 {
            after_2k = rss_bytes();
        }
    }
    let end = rss_bytes();
    let diff = end as i64 - after_2k as i64;
    eprintln!("RSS after 2,000 frames: {after_2k} B, after 200,000: {end} B, diff {diff} B; {max_id} track ids");
    // Tracks really churned (about one new object every 30 frames).
    assert!(max_id > 6_000, "{max_id}");
    assert!(diff.abs() < 5 * 1024 * 1024, "grew by {diff} bytes");
}
