// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The evaluator against TrackEval: the reference ByteTrack result files of
//! `shared/data/reference_bytetrack/*` are scored and compared with the
//! TrackEval numbers stored in their `summary.json` ("trackeval"), for every
//! sequence and for the combination ("OVERALL").

mod common;
use common::shared_dir;
use rstracking_core::eval::{
    combine, evaluate_sequence_with_length, load_gt, load_results, load_seq_length, Benchmark,
    Metrics,
};
use std::path::Path;

const DIRS: [&str; 8] = [
    "MOT15_shared_official",
    "MOT15_shared_paper",
    "MOT15_shared_paper_nopf",
    "MOT15_shared_sv_paper",
    "MOT17_shared_official",
    "MOT17_shared_paper",
    "MOT17_shared_paper_nopf",
    "MOT17_shared_sv_paper",
];

/// Differences against one TrackEval row, as readable lines.
fn compare(label: &str, m: &Metrics, expected: &serde_json::Value) -> Vec<String> {
    let mut bad = Vec::new();
    for (key, got) in [
        ("HOTA", m.hota),
        ("DetA", m.deta),
        ("AssA", m.assa),
        ("MOTA", m.mota),
        ("IDF1", m.idf1),
    ] {
        let want = expected[key].as_f64().expect(key);
        if (100.0 * got - want).abs() > 0.05 {
            bad.push(format!(
                "{label} {key}: got {:.4}, TrackEval {want:.4}",
                100.0 * got
            ));
        }
    }
    for (key, got) in [("IDSW", m.idsw), ("FP", m.fp), ("FN", m.fn_)] {
        let want = expected[key].as_u64().expect(key);
        if got != want {
            bad.push(format!("{label} {key}: got {got}, TrackEval {want}"));
        }
    }
    bad
}

fn check_dir(shared: &Path, dir: &str) -> (Vec<String>, f64) {
    let (bench_name, benchmark) = if dir.starts_with("MOT15") {
        ("MOT15", Benchmark::Mot15)
    } else {
        ("MOT17", Benchmark::Mot17)
    };
    let root = shared.join("data/reference_bytetrack").join(dir);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("summary.json")).unwrap()).unwrap();
    let expected = summary["trackeval"].as_object().unwrap();
    let mut bad = Vec::new();
    let mut counts = Vec::new();
    let mut max_diff: f64 = 0.0;
    let mut seqs: Vec<&String> = expected.keys().filter(|k| *k != "OVERALL").collect();
    seqs.sort();
    assert!(!seqs.is_empty());
    for seq in seqs {
        let seq_dir = shared.join("data").join(bench_name).join("train").join(seq);
        let gt = load_gt(seq_dir.join("gt/gt.txt")).unwrap();
        let res = load_results(root.join("data").join(format!("{seq}.txt"))).unwrap();
        let len = load_seq_length(seq_dir.join("seqinfo.ini")).unwrap();
        let c = evaluate_sequence_with_length(&gt, &res, benchmark, len).unwrap();
        let m = c.metrics();
        max_diff = max_diff.max(max_pct_diff(&m, &expected[seq.as_str()]));
        bad.extend(compare(
            &format!("{dir}/{seq}"),
            &m,
            &expected[seq.as_str()],
        ));
        counts.push(c);
    }
    let m = combine(&counts);
    max_diff = max_diff.max(max_pct_diff(&m, &expected["OVERALL"]));
    bad.extend(compare(&format!("{dir}/OVERALL"), &m, &expected["OVERALL"]));
    (bad, max_diff)
}

fn max_pct_diff(m: &Metrics, e: &serde_json::Value) -> f64 {
    [
        (m.hota, "HOTA"),
        (m.deta, "DetA"),
        (m.assa, "AssA"),
        (m.mota, "MOTA"),
        (m.idf1, "IDF1"),
    ]
    .iter()
    .map(|(v, k)| (100.0 * v - e[*k].as_f64().unwrap()).abs())
    .fold(0.0, f64::max)
}

#[test]
#[ignore = "needs ../shared"]
fn matches_trackeval_on_reference_bytetrack_runs() {
    let shared = shared_dir();
    let mut bad = Vec::new();
    for dir in DIRS {
        let (b, max_diff) = check_dir(&shared, dir);
        println!("{dir}: largest difference of a percentage: {max_diff:.2e}");
        bad.extend(b);
    }
    assert!(bad.is_empty(), "differences:\n{}", bad.join("\n"));
}
