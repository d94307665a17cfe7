// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The example applications (examples/python/read_meta.py,
//! examples/c/read_meta.c, examples/rust-reader) run a pipeline with the
//! built plugin and print, per buffer, what they read from the buffer
//! metadata with the stock API. Each must print exactly the objects that
//! rsjsonsink writes for the same frames (a tee in the same run), also
//! through videoscale (boxes scaled) and queue. examples/live-mtmc (the
//! live multi-camera system) runs on a real RTSP server while cameras are
//! added and removed.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Detections of a small scene: three people, one with COCO keypoints
/// (JSONL import keeps them), on frames 0-7; frame 8 has none (an empty
/// view: no objects, not "no view").
fn detections(dir: &Path) -> PathBuf {
    let p = dir.join("det.jsonl");
    let mut text = String::new();
    for f in 0..8u32 {
        let x = 20.0 + 4.0 * f as f32;
        let kps: Vec<String> = (0..17)
            .map(|k| format!("[{},{},0.9]", x + k as f32, 60.5 + k as f32))
            .collect();
        text.push_str(&format!(
            "{{\"schema\":\"rstracking/1\",\"frame\":{f},\"objects\":[\
             {{\"bbox\":[{x},50.5,40,90],\"confidence\":0.9,\"class_id\":0,\"keypoints\":[{}]}},\
             {{\"bbox\":[200,{},30,60],\"confidence\":0.8,\"class_id\":2}},\
             {{\"bbox\":[100,150,20,20],\"confidence\":0.3,\"class_id\":1}}]}}\n",
            kps.join(","),
            40.0 + f as f32
        ));
    }
    text.push_str("{\"schema\":\"rstracking/1\",\"frame\":8,\"objects\":[]}\n");
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs `cmd` (an app given the pipeline as its one argument) with the
/// plugin; returns its stdout lines as JSON and the JSONL frame lines.
fn run_app(
    name: &str,
    mut cmd: Command,
    scale: u32,
) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    init();
    let dir = tmpdir(&format!("app-{name}-{scale}"));
    let det = detections(&dir);
    let out = dir.join("out.jsonl");
    let desc = format!(
        "videotestsrc num-buffers=9 ! video/x-raw,width=320,height=240,framerate=30/1 \
         ! rsdetect detections={} ! rsbytetrack ! tee name=t \
         t. ! queue ! rsjsonsink location={} \
         t. ! queue ! videoscale ! video/x-raw,width={},height={} ! appsink name=sink",
        det.display(),
        out.display(),
        320 * scale,
        240 * scale
    );
    let output = cmd
        .arg(&desc)
        .env("GST_PLUGIN_PATH", plugin_dir())
        .env("GST_REGISTRY", dir.join("registry.bin"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {name}: {e}"));
    assert!(
        output.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: {e}: {l}")))
        .collect();
    let frames = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v.get("event").is_none())
        .collect();
    (printed, frames)
}

/// f32 of a JSON number (values were f32 in the meta; each app prints them
/// with enough digits to round-trip).
fn f(v: &serde_json::Value) -> f32 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")) as f32
}

/// Compares what an app printed with the JSONL frames; returns the number
/// of objects compared.
fn compare(
    name: &str,
    printed: &[serde_json::Value],
    frames: &[serde_json::Value],
    scale: u32,
) -> usize {
    assert_eq!(printed.len(), frames.len(), "{name}: one line per buffer");
    let k = scale as f32;
    let mut n = 0;
    for (p, j) in printed.iter().zip(frames) {
        let got = p["objects"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: no structure view: {p}"));
        let want = j["objects"].as_array().unwrap();
        assert_eq!(got.len(), want.len(), "{name}: objects of {p}");
        for (g, w) in got.iter().zip(want) {
            for i in 0..4 {
                assert_eq!(
                    f(&g["bbox"][i]),
                    k * f(&w["bbox"][i]),
                    "{name}: bbox {g} vs {w}"
                );
            }
            assert_eq!(f(&g["confidence"]), f(&w["confidence"]), "{name}");
            assert_eq!(g["class_id"], w["class_id"], "{name}");
            assert_eq!(g.get("track_id"), w.get("track_id"), "{name}");
            assert_eq!(g.get("state"), w.get("state"), "{name}");
            assert_eq!(g.get("global_id"), w.get("global_id"), "{name}");
            let gk = g
                .get("keypoints")
                .and_then(|v| v.as_array())
                .cloned()
                .unwrap_or_default();
            let wk = w
                .get("keypoints")
                .and_then(|v| v.as_array())
                .cloned()
                .unwrap_or_default();
            assert_eq!(gk.len(), wk.len(), "{name}: keypoints");
            for (a, b) in gk.iter().zip(&wk) {
                assert_eq!(f(&a[0]), k * f(&b[0]), "{name}");
                assert_eq!(f(&a[1]), k * f(&b[1]), "{name}");
                assert_eq!(f(&a[2]), f(&b[2]), "{name}");
            }
            n += 1;
        }
        // ROI metas: the tracked objects' rectangles (integer pixels of the
        // frame the tracker saw, rescaled by videoscale), id = track id.
        let tracked: Vec<&serde_json::Value> = want
            .iter()
            .filter(|o| o.get("track_id").is_some())
            .collect();
        let rois = p["rois"].as_array().unwrap();
        for o in &tracked {
            let id = o["track_id"].as_i64().unwrap();
            let r = rois
                .iter()
                .find(|r| r[4].as_i64() == Some(id))
                .unwrap_or_else(|| panic!("{name}: no ROI with id {id}: {p}"));
            let b = &o["bbox"];
            for i in 0..4 {
                assert_eq!(
                    r[i].as_u64().unwrap() as u32,
                    scale * f(&b[i]).max(0.0).round() as u32,
                    "{name}: ROI {r} vs {o}"
                );
            }
        }
    }
    n
}

fn python() -> Command {
    // Debian's python3 (python3-gi, python3-gst-1.0), not a virtualenv's.
    let mut c = Command::new("/usr/bin/python3");
    c.arg(repo().join("examples/python/read_meta.py"));
    c
}

fn c_app() -> Command {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let exe = BUILT.get_or_init(|| {
        let exe = profile_dir().join("read_meta_c");
        let flags = Command::new("pkg-config")
            .args([
                "--cflags",
                "--libs",
                "gstreamer-1.0",
                "gstreamer-app-1.0",
                "gstreamer-video-1.0",
            ])
            .output()
            .unwrap();
        assert!(flags.status.success());
        let flags = String::from_utf8(flags.stdout).unwrap();
        let st = Command::new("cc")
            .arg(repo().join("examples/c/read_meta.c"))
            .arg("-o")
            .arg(&exe)
            .args(["-Wall", "-Wextra", "-Werror"])
            .args(flags.split_whitespace())
            .status()
            .unwrap();
        assert!(st.success(), "cc failed");
        exe
    });
    Command::new(exe)
}

fn check(name: &str, make: fn() -> Command) {
    for scale in [1, 2] {
        let (printed, frames) = run_app(name, make(), scale);
        let n = compare(name, &printed, &frames, scale);
        // 8 frames x 3 objects (the low one is dropped by ByteTrack only
        // for ids, not from the list): everything the JSONL has.
        assert_eq!(
            n,
            frames
                .iter()
                .map(|f| f["objects"].as_array().unwrap().len())
                .sum::<usize>()
        );
        assert!(n >= 16, "{name}: {n} objects");
        // The last frame: an empty list, in the JSONL and in the app.
        assert_eq!(frames.len(), 9, "{name}");
        assert_eq!(printed[8]["objects"], serde_json::json!([]), "{name}");
    }
}

#[test]
fn the_python_app_reads_what_the_jsonl_has() {
    check("python", python);
}

#[test]
fn the_c_app_reads_what_the_jsonl_has() {
    check("c", c_app);
}

#[test]
fn the_rust_app_reads_what_the_jsonl_has() {
    check("rust", || Command::new(rust_reader()));
}

/// One `<camera> frame=<n> track=<id> global=<gid>` line of
/// rstracking-live-mtmc: (position in the output, camera, frame, global id).
type ObjectLine = (usize, String, u64, Option<u64>);

fn object_line(i: usize, line: &str) -> Option<ObjectLine> {
    let mut f = line.split(' ');
    let camera = f.next()?.to_string();
    let frame = f.next()?.strip_prefix("frame=")?.parse().ok()?;
    f.next()?.strip_prefix("track=")?;
    let global = f.next()?.strip_prefix("global=")?.parse().ok();
    Some((i, camera, frame, global))
}

#[test]
fn the_live_app_adds_and_removes_cameras_while_running() {
    // examples/live-mtmc on a real RTSP server: cam0 and cam1 show the
    // same ball (cam1 mirrored) from the start, cam2 (a still ball) is
    // added after 3 s, cam1 removed after 6 s, EOS after 10 s.
    load_fallbackswitch();
    let app = live_mtmc_app();
    let port = free_port();
    let server = RtspServer::start_args(port, &["a=ball", "b=ball-mirror", "c=still-ball"]);
    let dir = tmpdir("live-app");
    let uri = |m: &str| format!("rtsp://127.0.0.1:{port}/{m}");
    let mut child = Command::new(&app)
        .args(["--port", &free_port().to_string()])
        .arg("--model")
        .arg(models().join("ball_detector.onnx"))
        .arg("--reid")
        .arg(models().join("reid_mean.onnx"))
        .args(["--seconds", "10"])
        .args(["--add-after", "3", &format!("cam2={}", uri("c"))])
        .args(["--remove-after", "6", "cam1"])
        .arg(format!("cam0={}", uri("a")))
        .arg(format!("cam1={}", uri("b")))
        .env("GST_PLUGIN_PATH", plugin_dir())
        .env("GST_REGISTRY", dir.join("registry.bin"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", app.display()));
    let read = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > std::time::Duration::from_secs(40) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "rstracking-live-mtmc still running after 40 s\n{}\n{}",
                stdout.join().unwrap(),
                stderr.join().unwrap()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    drop(server);
    let (out, err) = (stdout.join().unwrap(), stderr.join().unwrap());
    assert!(status.success(), "exit {status}\n{out}\n{err}");
    let lines: Vec<&str> = out.lines().collect();
    let at = |l: &str| {
        let found: Vec<usize> = (0..lines.len()).filter(|&i| lines[i] == l).collect();
        assert_eq!(found.len(), 1, "one '{l}' line\n{out}\n{err}");
        found[0]
    };
    let (added, removed) = (at("added cam2"), at("removed cam1"));
    assert!(added < removed, "added cam2, then removed cam1\n{out}");
    let objects: Vec<ObjectLine> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("cam"))
        .map(|(i, l)| object_line(i, l).unwrap_or_else(|| panic!("bad line '{l}'\n{out}")))
        .collect();
    let of = |cam: &str| -> Vec<&ObjectLine> { objects.iter().filter(|o| o.1 == cam).collect() };
    let (cam0, cam1, cam2) = (of("cam0"), of("cam1"), of("cam2"));
    assert_eq!(
        objects.len(),
        cam0.len() + cam1.len() + cam2.len(),
        "only cam0, cam1 and cam2\n{out}"
    );
    // Every object (the ball, which every frame has) has a global id.
    for o in &objects {
        assert!(o.3.is_some(), "no global id: {o:?}\n{out}");
    }
    // cam0 kept flowing through the add and the removal: lines before the
    // add, between the two and after the removal, frames in order.
    let count = |v: &[&ObjectLine], from: usize, to: usize| {
        v.iter().filter(|o| o.0 > from && o.0 < to).count()
    };
    assert!(count(&cam0, 0, added) >= 5, "cam0 before the add\n{out}");
    assert!(count(&cam0, added, removed) >= 10, "cam0 between\n{out}");
    assert!(
        count(&cam0, removed, lines.len()) >= 10,
        "cam0 after the removal\n{out}"
    );
    assert!(
        cam0.windows(2).all(|w| w[0].2 < w[1].2),
        "cam0's frames strictly increase\n{out}"
    );
    // cam1 ran until its removal, not after; cam2 only after its add.
    assert!(
        count(&cam1, 0, removed) >= 10,
        "cam1 before its removal\n{out}"
    );
    assert_eq!(
        count(&cam1, removed, lines.len()),
        0,
        "cam1 after its removal\n{out}"
    );
    assert_eq!(count(&cam2, 0, added), 0, "cam2 before its add\n{out}");
    assert!(
        count(&cam2, added, lines.len()) >= 10,
        "cam2 after its add\n{out}"
    );
    // The same ball in cam0 and cam1 (same appearance): one global id, the
    // one each camera had most often while both ran.
    let majority = |v: &[&ObjectLine]| {
        let mut n = std::collections::BTreeMap::new();
        for o in v.iter().filter(|o| o.0 < removed) {
            *n.entry(o.3.unwrap()).or_insert(0) += 1;
        }
        n.into_iter().max_by_key(|(_, c)| *c).map(|(g, _)| g)
    };
    assert_eq!(
        majority(&cam0),
        majority(&cam1),
        "cam0 and cam1 share the ball's global id\n{out}"
    );
    eprintln!(
        "cam0 {} lines, cam1 {}, cam2 {}; added cam2 at line {added}, removed cam1 at line {removed}",
        cam0.len(),
        cam1.len(),
        cam2.len()
    );
}
