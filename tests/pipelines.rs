// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Runs the scripts in pipelines/ with the plugin of this build: the bundled
//! synthetic sequence everywhere, and parity with the reference ByteTrack on
//! the 13 shared MOT17/MOT15 sequences when ../shared is present.

mod common;
use common::*;
use gstrstracking::core::io::mot::{MOT15_SEQUENCES, MOT17_SEQUENCES};
use std::path::Path;
use std::process::Command;

fn script(name: &str, args: &[&Path], registry: &Path) -> String {
    let out = Command::new(repo().join("pipelines").join(name))
        .args(args)
        .env("RSTRACKING_PLUGIN_DIR", plugin_dir())
        .env("RSTRACKING_EVAL", tool("rstracking-eval"))
        .env("GST_REGISTRY", registry)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    eprint!("{stdout}");
    stdout
}

fn metrics(json: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap()
}

#[test]
fn synthetic_sequence_is_tracked_without_id_switches() {
    let d = tmpdir("pipe-synth");
    let reg = d.join("registry.bin");
    let seq = repo().join("samples/synthetic/SYN-01");
    std::fs::create_dir(d.join("res")).unwrap();
    script("mot-offline.sh", &[&seq, &d.join("res/SYN-01.txt")], &reg);
    script(
        "mot-eval.sh",
        &[
            Path::new("MOT15"),
            &repo().join("samples/synthetic"),
            &d.join("res"),
            &d.join("m.json"),
        ],
        &reg,
    );
    let m = &metrics(&d.join("m.json"))["SYN-01"];
    // 1013 GT boxes. Misses: the first frame of walkers 4, 5 and 6 (a new
    // track is output from its second match) and walker 3's 6 occluded
    // frames: FN = 9. Low-score false positives never start tracks: FP = 0.
    assert_eq!(m["FN"], 9);
    assert_eq!(m["FP"], 0);
    assert_eq!(m["IDSW"], 0);
    let mota = m["MOTA"].as_f64().unwrap();
    assert!((mota - 100.0 * (1.0 - 9.0 / 1013.0)).abs() < 1e-9, "{mota}");
    let idf1 = m["IDF1"].as_f64().unwrap();
    assert!(
        (idf1 - 100.0 * 2.0 * 1004.0 / 2017.0).abs() < 1e-9,
        "{idf1}"
    );
}

/// (benchmark, sequences) of the shared data.
const SEQS: [(&str, &[&str]); 2] = [("MOT17", &MOT17_SEQUENCES), ("MOT15", &MOT15_SEQUENCES)];

/// Lines of two MOT result files that differ, after sorting both by
/// (frame, id) (the order within a frame carries no meaning): frame/id
/// different, or a coordinate off by more than 0.011 px (our meta holds f32
/// boxes; the reference prints float64 with 2 decimals), or a score off by
/// more than 1e-4.
fn differing_lines(ours: &str, reference: &str) -> usize {
    let parse = |l: &str| -> Vec<f64> { l.split(',').map(|v| v.parse().unwrap()).collect() };
    let sorted = |t: &str| {
        let mut v: Vec<Vec<f64>> = t.lines().map(parse).collect();
        v.sort_by(|x, y| (x[0], x[1]).partial_cmp(&(y[0], y[1])).unwrap());
        v
    };
    let a = sorted(ours);
    let b = sorted(reference);
    let mut diff = a.len().abs_diff(b.len());
    for (x, y) in a.iter().zip(&b) {
        let same = x[0] == y[0]
            && x[1] == y[1]
            && (2..6).all(|i| (x[i] - y[i]).abs() <= 0.011)
            && (x[6] - y[6]).abs() <= 1e-4;
        if !same {
            diff += 1;
        }
    }
    diff
}

#[test]
#[ignore = "needs ../shared"]
fn mot_offline_matches_the_reference_bytetrack() {
    let shared = shared();
    let data = shared.join("data");
    let d = tmpdir("pipe-parity");
    let reg = d.join("registry.bin");
    for (bench, seqs) in SEQS {
        let res = d.join(bench);
        std::fs::create_dir_all(&res).unwrap();
        let reference = data.join(format!(
            "reference_bytetrack/{bench}_shared_paper_nopf/data"
        ));
        let mut total_diff = 0;
        for seq in seqs {
            let out = res.join(format!("{seq}.txt"));
            script(
                "mot-offline.sh",
                &[&data.join(bench).join("train").join(seq), &out],
                &reg,
            );
            let ours = std::fs::read_to_string(&out).unwrap();
            let theirs = std::fs::read_to_string(reference.join(format!("{seq}.txt"))).unwrap();
            let n = differing_lines(&ours, &theirs);
            eprintln!(
                "{seq}: {} lines, {n} differ from the reference",
                theirs.lines().count()
            );
            total_diff += n;
        }
        assert_eq!(
            total_diff, 0,
            "{bench}: result lines differ from the reference ByteTrack"
        );

        let json = d.join(format!("{bench}.json"));
        script(
            "mot-eval.sh",
            &[
                Path::new(bench),
                &data.join(bench).join("train"),
                &res,
                &json,
            ],
            &reg,
        );
        let ours = metrics(&json);
        let summary: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(data.join(format!(
                "reference_bytetrack/{bench}_shared_paper/summary.json"
            )))
            .unwrap(),
        )
        .unwrap();
        let paper = &summary["trackeval"];
        for seq in seqs.iter().copied().chain(["OVERALL"]) {
            let key = if seq == "OVERALL" { "COMBINED" } else { seq };
            for m in ["HOTA", "MOTA", "IDF1"] {
                let (a, b) = (
                    ours[key][m].as_f64().unwrap(),
                    paper[seq][m].as_f64().unwrap(),
                );
                assert!(
                    (a - b).abs() <= 0.1,
                    "{bench} {seq} {m}: ours {a}, reference {b}"
                );
            }
            let (a, b) = (
                ours[key]["IDSW"].as_f64().unwrap(),
                paper[seq]["IDSW"].as_f64().unwrap(),
            );
            assert!(
                (a - b).abs() <= 0.02 * b,
                "{bench} {seq} IDSW: ours {a}, reference {b}"
            );
        }
    }
}

#[test]
fn detect_track_file_follows_the_sample_ball_with_one_id() {
    // The main job's pipeline: the generated sample video through the
    // generated ball detector, rsbytetrack and rsjsonsink.
    let dir = tmpdir("detect-track-file");
    let reg = dir.join("registry.bin");
    let video = dir.join("ball.avi");
    script("make-sample-video.sh", &[&video, Path::new("90")], &reg);
    let out = dir.join("ball.jsonl");
    script(
        "detect-track-file.sh",
        &[&video, &models().join("ball_detector.onnx"), &out],
        &reg,
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v.get("event").is_none())
        .collect();
    assert_eq!(lines.len(), 90);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["frame"], i, "{l}");
        assert_eq!(
            (l["width"].as_u64(), l["height"].as_u64()),
            (Some(320), Some(240))
        );
        let objs = l["objects"].as_array().unwrap();
        assert_eq!(objs.len(), 1, "frame {i}: {l}");
        assert_eq!(objs[0]["label"], "ball", "frame {i}");
        assert_eq!(objs[0]["track_id"], 1, "frame {i}: one id all along");
        assert_eq!(objs[0]["state"], "tracked", "frame {i}");
    }
}

#[test]
#[ignore = "needs ../shared"]
fn pose2sim_jitter_is_reduced_at_the_defaults() {
    let sh = shared();
    let out = Command::new(tool("rstracking-pose-eval"))
        .arg("--pose2sim")
        .arg(sh.join("data/keypoints/pose2sim_S00_P00_T01_BalancingTrial/pose"))
        .arg("--only-pose2sim")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    eprintln!("{text}");
    // The figure of the README: jitter (mean |second difference|) of all
    // 4 cameras' keypoints reduced by 72.7 % (goal ≥ 60 %).
    assert!(text.contains("| all | | | | | 72.7 % | |"), "{text}");
    assert!(
        text.contains("| cam01 | 2 | 98 | 3.860 | 1.077 | 72.1 % |"),
        "{text}"
    );
}

#[test]
#[ignore = "needs ../shared"]
fn pose_scripts_write_frames_and_the_side_by_side_image() {
    let sh = shared();
    let p = sh.join("data/keypoints/pose2sim_S00_P00_T01_BalancingTrial");
    let dir = tmpdir("pose-scripts");
    let reg = dir.join("registry.bin");
    let jsonl = dir.join("cam02.jsonl");
    let st = Command::new("python3")
        .arg(repo().join("scripts/pose2sim-to-jsonl.py"))
        .arg(p.join("pose/cam02_json"))
        .arg(&jsonl)
        .args(["1080", "1920", "cam02"])
        .status()
        .unwrap();
    assert!(st.success());
    let frames = dir.join("frames");
    script(
        "pose-overlay.sh",
        &[
            &p.join("videos/cam02.mp4"),
            &jsonl,
            &frames,
            Path::new("latency=2"),
        ],
        &reg,
    );
    assert_eq!(std::fs::read_dir(&frames).unwrap().count(), 100);
    let jpg = dir.join("side.jpg");
    script(
        "pose-side-by-side.sh",
        &[&p.join("videos/cam02.mp4"), &jsonl, &jpg, Path::new("30")],
        &reg,
    );
    let bytes = std::fs::read(&jpg).unwrap();
    assert_eq!(&bytes[..2], &[0xff, 0xd8], "a JPEG");
}

#[test]
fn publish_cost_script_runs_and_publishing_changes_no_result() {
    // The benchmark script on the bundled sequence, one run of each mode:
    // it fails if the MOT results with and without the published metas
    // differ.
    let dir = tmpdir("publish-cost");
    script(
        "publish-cost.sh",
        &[&repo().join("samples/synthetic/SYN-01"), Path::new("1")],
        &dir.join("registry.bin"),
    );
}

#[test]
fn live_mtmc_runs_two_rtsp_cameras_with_cross_camera_ids() {
    // The live system of pipelines/live-mtmc.sh on a real RTSP server with
    // two cameras showing the same ball (one mirrored), for 10 s: every
    // frame of both cameras has the ball, one track id per camera, and the
    // two share their global id (same appearance); the annotated videos
    // are Matroska files.
    load_fallbackswitch();
    let port = free_port();
    let server = RtspServer::start_args(port, &["a=ball", "b=ball-mirror"]);
    let dir = tmpdir("live-mtmc");
    let reg = dir.join("registry.bin");
    let http = free_port().to_string();
    let a = format!("cam0=rtsp://127.0.0.1:{port}/a");
    let b = format!("cam1=rtsp://127.0.0.1:{port}/b");
    script(
        "live-mtmc.sh",
        &[
            Path::new("--seconds"),
            Path::new("10"),
            Path::new("--port"),
            Path::new(&http),
            Path::new("--out"),
            &dir,
            Path::new(&a),
            Path::new(&b),
        ],
        &reg,
    );
    drop(server);
    let mut global = Vec::new();
    for cam in ["cam0", "cam1"] {
        let text = std::fs::read_to_string(dir.join(format!("{cam}.jsonl"))).unwrap();
        let frames: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .filter(|v: &serde_json::Value| v.get("event").is_none())
            .collect();
        assert!(
            frames.len() >= 60,
            "{cam}: {} frames in 10 s at 15/s",
            frames.len()
        );
        let mut tracks = std::collections::BTreeSet::new();
        let mut globals = std::collections::BTreeMap::new();
        for f in &frames {
            assert_eq!(f["stream"], cam);
            let objs = f["objects"].as_array().unwrap();
            assert_eq!(objs.len(), 1, "{cam}: {f}");
            tracks.insert(objs[0]["track_id"].as_u64());
            if let Some(g) = objs[0]["global_id"].as_u64() {
                *globals.entry(g).or_insert(0) += 1;
            }
        }
        assert_eq!(tracks.len(), 1, "{cam}: one track id, got {tracks:?}");
        let (g, n) = globals.iter().max_by_key(|(_, n)| **n).unwrap();
        assert!(*n * 2 > frames.len(), "{cam}: global ids {globals:?}");
        global.push(*g);
        let mkv = std::fs::read(dir.join(format!("{cam}.mkv"))).unwrap();
        assert_eq!(
            &mkv[..4],
            &[0x1a, 0x45, 0xdf, 0xa3],
            "{cam}.mkv is Matroska"
        );
    }
    assert_eq!(global[0], global[1], "the same ball has one global id");
}

/// EPFL-Terrace with each camera in its own edge process publishing to a
/// real mosquitto and one central process aggregating: every frame message
/// arrives and the cross-camera scores equal the in-process run's.
#[test]
#[ignore = "needs ../shared"]
fn epfl_terrace_through_a_broker_matches_the_in_process_run() {
    let dir = tmpdir("epfl-broker");
    let reg = dir.join("registry.bin");
    let out = script(
        "mtmc-epfl-broker.sh",
        &[&shared().join("data/EPFL-Terrace"), &dir.join("work")],
        &reg,
    );
    for cam in 0..4 {
        let row = format!("terrace1-c{cam}    5010     5010");
        assert!(out.contains(&row), "{row} missing in\n{out}");
    }
    // HOTA AssA IDF1 MOTA IDSW of a row.
    let score = |name: &str| -> Vec<f64> {
        out.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row in\n{out}"))
            .split_whitespace()
            .skip(1)
            .map(|v| v.parse().unwrap())
            .collect()
    };
    let (b, i) = (score("broker "), score("in-process "));
    // The tolerance: IDF1 within 0.2 (the in-process run itself
    // varies by 0.1 in AssA between runs on a loaded machine).
    assert!((b[2] - i[2]).abs() <= 0.2, "IDF1 {b:?} vs {i:?}");
    assert!((b[0] - i[0]).abs() <= 0.2, "HOTA {b:?} vs {i:?}");
    // The README's figure (IDF1 92.1 at appearance noise 0.3).
    assert!((b[2] - 92.1).abs() <= 0.2, "{out}");
}

/// Track ids of every frame of a JSONL file (frame lines only).
fn ids_per_frame(path: &Path) -> Vec<Vec<Option<u64>>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v.get("event").is_none())
        .map(|v| {
            v["objects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["track_id"].as_u64())
                .collect()
        })
        .collect()
}

/// rsdetect interval=3 on the sample ball (it moves from the first frame):
/// the reference ByteTrack loses the young track (its velocity is unknown,
/// its prediction stays put, IoU fails three frames later) and starts new
/// ids; with young-gate the ball keeps one id on every frame.
#[test]
fn a_fast_ball_detected_every_third_frame_keeps_one_id_with_young_gate() {
    let dir = tmpdir("ball-interval3");
    let reg = dir.join("registry.bin");
    let video = dir.join("ball.avi");
    script("make-sample-video.sh", &[&video, Path::new("90")], &reg);
    let run = |props: &str, name: &str| {
        let out = dir.join(name);
        let (errors, _) = run_pipeline(&format!(
            "filesrc location={} ! decodebin ! videoconvert ! rsdetect model={} interval=3 \
             ! rsbytetrack {props} ! rsjsonsink location={}",
            video.display(),
            models().join("ball_detector.onnx").display(),
            out.display()
        ));
        assert!(errors.is_empty(), "{errors:?}");
        ids_per_frame(&out)
    };
    let exact = run("", "exact.jsonl");
    let mut exact_ids: Vec<u64> = exact.iter().flatten().flatten().copied().collect();
    exact_ids.sort();
    exact_ids.dedup();
    assert!(
        exact_ids.len() > 1,
        "the reference keeps one id: {exact_ids:?}"
    );
    let improved = run("young-gate=3", "improved.jsonl");
    assert_eq!(improved.len(), 90);
    for (i, f) in improved.iter().enumerate() {
        assert_eq!(f, &vec![Some(1)], "frame {i}");
    }
}

/// `pipelines/mot-benchmark.sh` runs both presets: the exact rows are the
/// reference's, the improved ones meet the goals of the README table
/// (HOTA reference + 1.5 on both sets, IDF1 not lower).
#[test]
#[ignore = "needs ../shared"]
fn improved_preset_beats_the_reference_by_one_and_a_half_hota() {
    let dir = tmpdir("mot-improved");
    let reg = dir.join("registry.bin");
    script(
        "mot-benchmark.sh",
        &[&shared().join("data"), &dir.join("out")],
        &reg,
    );
    let combined = |name: &str| {
        let m = metrics(&dir.join("out").join(format!("{name}.json")));
        let c = &m["COMBINED"];
        (c["HOTA"].as_f64().unwrap(), c["IDF1"].as_f64().unwrap())
    };
    for (bench, hota, idf1) in [("MOT17", 40.7, 48.3), ("MOT15", 39.1, 51.0)] {
        let (h, i) = combined(bench);
        assert!(
            (h - hota).abs() < 0.05 && (i - idf1).abs() < 0.05,
            "{bench} exact: {h} {i}"
        );
        let (h, i) = combined(&format!("{bench}-improved"));
        assert!(h >= hota + 1.5, "{bench} improved HOTA {h}");
        assert!(i >= idf1, "{bench} improved IDF1 {i}");
    }
}

#[test]
#[ignore = "needs ../shared"]
fn pose_action_classifies_each_track_every_stride_frames() {
    let dir = tmpdir("pose-action");
    let stdout = script("pose-action.sh", &[&dir], &dir.join("registry.bin"));
    // "track N: K classifications (frame:label score): F:L S, ..." → the
    // frames and labels (scores depend on float rounding in the last
    // printed digit).
    let got: Vec<String> = stdout
        .lines()
        .filter(|l| l.starts_with("track "))
        .map(|l| {
            let (head, list) = l.split_once("): ").unwrap();
            let frames: Vec<&str> = list
                .split(", ")
                .map(|c| c.split_once(' ').unwrap().0)
                .collect();
            format!("{} {}", head.split(':').next().unwrap(), frames.join(","))
        })
        .collect();
    // Window 32, stride 8: track 1 (first output at frame 0) from frame 31,
    // track 2 (first output at frame 23) from frame 54, every 8 frames.
    assert_eq!(
        got,
        [
            "track 1 31:still,39:moving,47:moving,55:moving,63:moving,71:still,79:still,87:still,95:still",
            "track 2 54:still,62:still,70:still,78:still,86:still,94:still"
        ]
    );
    let jsonl = std::fs::read_to_string(dir.join("actions.jsonl")).unwrap();
    let frames = jsonl.lines().filter(|l| l.contains("\"objects\":")).count();
    assert_eq!(frames, 100);
    assert!(std::fs::metadata(dir.join("actions.webm")).unwrap().len() > 10_000);
}

#[test]
#[ignore = "needs ../shared"]
fn episode_job_ends_tracks_at_every_cut_and_reports_its_counts() {
    let dir = tmpdir("episode");
    let st = Command::new("/usr/bin/python3")
        .arg(repo().join("scripts/make-episode.py"))
        .arg(shared())
        .arg(&dir)
        .status()
        .unwrap();
    assert!(st.success());
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("episode.json")).unwrap()).unwrap();
    assert_eq!(info["cuts"], serde_json::json!([200, 300, 500, 600]));
    let out = dir.join("run");
    script(
        "episode.sh",
        &[
            Path::new("--threads"),
            Path::new("1"),
            &dir.join("episode.mkv"),
            &dir.join("episode.det.jsonl"),
            &out,
            Path::new("6"),
        ],
        &dir.join("registry.bin"),
    );
    // Stride 6: each cut is seen on the first analysed frame of its shot.
    let text = std::fs::read_to_string(out.join("tracks.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let cuts: Vec<u64> = lines
        .iter()
        .filter(|l| l["event"] == "cut")
        .map(|l| l["frame"].as_u64().unwrap())
        .collect();
    assert_eq!(cuts, [204, 300, 504, 600]);
    // No track id spans a cut.
    let mut span: std::collections::BTreeMap<u64, (u64, u64)> = Default::default();
    for l in lines.iter().filter(|l| l["objects"].is_array()) {
        let f = l["frame"].as_u64().unwrap();
        for o in l["objects"].as_array().unwrap() {
            if let Some(t) = o["track_id"].as_u64() {
                let e = span.entry(t).or_insert((f, f));
                e.0 = e.0.min(f);
                e.1 = e.1.max(f);
            }
        }
    }
    let spanning: Vec<u64> = span
        .iter()
        .filter(|(_, (a, b))| cuts.iter().any(|c| a < c && c <= b))
        .map(|(t, _)| *t)
        .collect();
    assert!(spanning.is_empty(), "tracks across a cut: {spanning:?}");
    // New ids within the 1 s cooldown after each cut: the people of the
    // shot's first analysed frame, no burst (the pose2sim shots have no
    // track: their detections' confidence, the mean keypoint confidence,
    // stays below new-track-threshold 0.7).
    let starts: Vec<usize> = cuts
        .iter()
        .map(|&c| {
            lines
                .iter()
                .filter(|l| l["event"] == "track_start")
                .filter(|l| (c..c + 25).contains(&l["frame"].as_u64().unwrap()))
                .count()
        })
        .collect();
    assert_eq!(starts, [0, 2, 0, 3]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["frames_analysed"], 133);
    assert_eq!(report["progress_messages"], 4);
    assert_eq!(report["cuts"], 4);
    assert_eq!(report["cuts_ignored"], 0);
    assert_eq!(report["tracks_before_min_length"], 58);
    assert_eq!(report["tracks_after_min_length"], 35);
    assert_eq!(report["crops"]["written"], 34);
    assert_eq!(report["crops"]["best-written"], 32);
    assert_eq!(report["crops"]["dropped"], 0);
    assert_eq!(report["threads"], 1);
    let index = std::fs::read_to_string(out.join("crops/index.jsonl")).unwrap();
    assert_eq!(index.lines().count(), 66);
}
