// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rsclassify with the tiny `reid_mean.onnx` as a 3-class colour classifier
//! (its output is the per-channel mean of the normalised crop, so a crop of
//! one colour has known outputs): exact attributes on coloured crops,
//! per-track interval counts, the filters' skipped counts, bad models and
//! settings.

mod common;

use common::*;
use gst::prelude::*;
use gstrstracking::core::types::Object;
use std::path::Path;

const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const STD: [f32; 3] = [0.229, 0.224, 0.225];

/// The (class id, softmax score) reid_mean.onnx gives a crop of one colour
/// (0..255) with the default ImageNet normalisation.
fn expected(rgb: [f32; 3]) -> (u32, f32) {
    let v: Vec<f64> = (0..3)
        .map(|c| ((rgb[c] / 255.0 - MEAN[c]) / STD[c]) as f64)
        .collect();
    let (top, max) = v
        .iter()
        .enumerate()
        .fold((0, f64::MIN), |b, (i, &x)| if x > b.1 { (i, x) } else { b });
    let sum: f64 = v.iter().map(|x| (x - max).exp()).sum();
    (top as u32, (1.0 / sum) as f32)
}

/// One detection: box (x, y, w, h), track id, class id, confidence, track
/// state (with a track id).
#[derive(Clone, Copy)]
struct Det {
    bbox: [f32; 4],
    track: Option<u64>,
    class: u32,
    conf: f32,
    state: &'static str,
}

fn det(bbox: [f32; 4], track: Option<u64>) -> Det {
    Det {
        bbox,
        track,
        class: 0,
        conf: 0.9,
        state: "tracked",
    }
}

/// Writes a JSONL detections file, one line per frame.
fn write_jsonl(path: &Path, frames: &[Vec<Det>]) {
    let mut text = String::new();
    for (i, objs) in frames.iter().enumerate() {
        let o: Vec<String> = objs
            .iter()
            .map(|d| {
                let id = d
                    .track
                    .map(|t| format!(",\"track_id\":{t},\"state\":\"{}\"", d.state))
                    .unwrap_or_default();
                let [x, y, w, h] = d.bbox;
                format!(
                    "{{\"bbox\":[{x},{y},{w},{h}],\"confidence\":{},\"class_id\":{}{id}}}",
                    d.conf, d.class
                )
            })
            .collect();
        text.push_str(&format!(
            "{{\"schema\":\"rstracking/1\",\"frame\":{i},\"objects\":[{}]}}\n",
            o.join(",")
        ));
    }
    std::fs::write(path, text).unwrap();
}

fn model(name: &str) -> String {
    models().join(name).display().to_string()
}

/// A 96×64 RGB frame: grey, with a red, a green and a blue 20×40 band at
/// x = 0, 30, 60 (y 10..50).
fn coloured_frame() -> gst::Buffer {
    let (w, h) = (96usize, 64usize);
    let mut px: Vec<u8> = [128u8, 128, 128].repeat(w * h);
    for (k, c) in [[255u8, 0, 0], [0, 255, 0], [0, 0, 255]].iter().enumerate() {
        for y in 10..50 {
            for x in 30 * k..30 * k + 20 {
                px[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(c);
            }
        }
    }
    gst::Buffer::from_mut_slice(px)
}

/// The element's counters after a run.
#[derive(Debug, PartialEq, Default)]
struct Counters {
    classified: u64,
    reused: u64,
    skipped: u64,
    class: u64,
    size: u64,
    confidence: u64,
}

/// Pushes `n` coloured frames through `rsdetect detections=<dets> !
/// rsclassify <props>`; returns the objects per frame and the counters.
fn run(name: &str, dets: &[Vec<Det>], props: &str) -> (Vec<Vec<Object>>, Counters) {
    init();
    let dir = tmpdir(&format!("classify-{name}"));
    let path = dir.join("d.jsonl");
    write_jsonl(&path, dets);
    let pipeline = gst::parse::launch(&format!(
        "appsrc name=src format=time caps=video/x-raw,format=RGB,width=96,height=64,framerate=30/1 ! rsdetect detections={} ! rsclassify name=c model={} {props} ! appsink name=sink sync=false",
        path.display(),
        model("reid_mean.onnx")
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let by = |n: &str| pipeline.by_name(n).unwrap();
    let src = by("src").downcast::<gst_app::AppSrc>().unwrap();
    let sink = by("sink").downcast::<gst_app::AppSink>().unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    for i in 0..dets.len() {
        let mut b = coloured_frame();
        b.get_mut()
            .unwrap()
            .set_pts(gst::ClockTime::from_mseconds(i as u64 * 33));
        src.push_buffer(b).unwrap();
    }
    src.end_of_stream().unwrap();
    let mut out = Vec::new();
    while let Ok(s) = sink.pull_sample() {
        out.push(objects_of(&s.buffer_owned().unwrap()));
    }
    let c = by("c");
    let get = |p: &str| c.property::<u64>(p);
    let counters = Counters {
        classified: get("classified"),
        reused: get("reused"),
        skipped: get("skipped"),
        class: get("skipped-class"),
        size: get("skipped-size"),
        confidence: get("skipped-confidence"),
    };
    pipeline.set_state(gst::State::Null).unwrap();
    assert_eq!(out.len(), dets.len(), "every frame reaches the sink");
    (out, counters)
}

#[test]
fn attributes_of_coloured_crops_are_exact() {
    // Boxes inside the red, green and blue bands: one batch of 3.
    let dets = vec![vec![
        det([2.0, 12.0, 16.0, 30.0], None),
        det([32.0, 12.0, 16.0, 30.0], None),
        det([61.0, 10.0, 18.0, 40.0], None),
    ]];
    let (f, c) = run("exact", &dets, "labels=red,green,blue attribute-name=color");
    assert_eq!(
        c,
        Counters {
            classified: 3,
            ..Default::default()
        }
    );
    let colours = [[255.0, 0.0, 0.0], [0.0, 255.0, 0.0], [0.0, 0.0, 255.0]];
    for (k, (o, rgb)) in f[0].iter().zip(colours).enumerate() {
        let (class_id, score) = expected(rgb);
        assert_eq!(class_id, k as u32);
        assert_eq!(o.attributes.len(), 1, "{o:?}");
        let a = &o.attributes[0];
        assert_eq!(a.name, "color");
        assert_eq!(a.label.as_deref(), Some(["red", "green", "blue"][k]));
        assert_eq!((a.class_id, a.frame), (class_id, 0));
        assert!((a.score - score).abs() < 1e-5, "{} vs {score}", a.score);
    }
    // Sigmoid, no labels: the label is omitted, the score is σ(top).
    let (f, _) = run("sigmoid", &dets, "activation=sigmoid");
    let a = &f[0][1].attributes[0];
    let top = (1.0 - MEAN[1]) / STD[1];
    assert_eq!(
        (a.name.as_str(), a.label.as_ref(), a.class_id),
        ("class", None, 1)
    );
    assert!((a.score - 1.0 / (1.0 + (-top).exp())).abs() < 1e-5, "{a:?}");
    // activation=none: the raw value; std=1, mean=0 gives channel means.
    let (f, _) = run("none", &dets, "activation=none mean=0,0,0 std=1,1,1");
    let a = &f[0][2].attributes[0];
    assert_eq!(a.class_id, 2);
    assert!((a.score - 1.0).abs() < 1e-5, "{a:?}");
}

#[test]
fn interval_counts_per_track() {
    // 10 frames: tracks 1 (red) and 2 (green) on every frame, track 3
    // (blue) from frame 2, and an object without a track id on every
    // frame. interval=3: tracks 1 and 2 run on frames 0, 3, 6, 9 (4 each),
    // track 3 on 2, 5, 8 (3), the untracked object on all 10 → 21; the
    // other track objects carry the last result (6 + 6 + 5 = 17).
    let dets: Vec<Vec<Det>> = (0..10)
        .map(|i| {
            let mut v = vec![
                det([2.0, 12.0, 16.0, 30.0], Some(1)),
                det([32.0, 12.0, 16.0, 30.0], Some(2)),
                det([2.0, 12.0, 16.0, 30.0], None),
            ];
            if i >= 2 {
                v.push(det([62.0, 12.0, 16.0, 30.0], Some(3)));
            }
            v
        })
        .collect();
    let (f, c) = run("interval", &dets, "interval=3 labels=red,green,blue");
    assert_eq!(
        c,
        Counters {
            classified: 21,
            reused: 17,
            ..Default::default()
        }
    );
    for (i, objs) in f.iter().enumerate() {
        let i = i as u64;
        let frames: Vec<u64> = objs.iter().map(|o| o.attributes[0].frame).collect();
        let mut want = vec![i / 3 * 3, i / 3 * 3, i];
        if i >= 2 {
            want.push(2 + (i - 2) / 3 * 3);
        }
        assert_eq!(frames, want, "frame {i}");
        let labels: Vec<&str> = objs
            .iter()
            .map(|o| o.attributes[0].label.as_deref().unwrap())
            .collect();
        assert_eq!(labels[..3], ["red", "green", "red"], "frame {i}");
    }
    // interval=1 (default): every object on every frame.
    let (_, c) = run("interval1", &dets, "");
    assert_eq!((c.classified, c.reused), (38, 0));
}

#[test]
fn filters_give_exact_skipped_counts() {
    // 5 frames, per frame: a class-0 object (classified), a class-1 object
    // (skipped by classes=0,2), a 4×4 box (min-size=5), a box outside the
    // frame (size), a confidence-0.3 object (min-confidence=0.5) and a
    // class-2 object (classified).
    let frame = vec![
        det([2.0, 12.0, 16.0, 30.0], None),
        Det {
            class: 1,
            ..det([32.0, 12.0, 16.0, 30.0], None)
        },
        det([40.0, 20.0, 4.0, 4.0], None),
        det([200.0, 10.0, 10.0, 10.0], None),
        Det {
            conf: 0.3,
            ..det([62.0, 12.0, 16.0, 30.0], None)
        },
        Det {
            class: 2,
            ..det([62.0, 12.0, 16.0, 30.0], None)
        },
    ];
    let dets = vec![frame; 5];
    let (f, c) = run(
        "filters",
        &dets,
        "classes=0,2 min-size=5 min-confidence=0.5",
    );
    assert_eq!(
        c,
        Counters {
            classified: 10,
            reused: 0,
            skipped: 20,
            class: 5,
            size: 10,
            confidence: 5,
        }
    );
    for objs in &f {
        let with: Vec<bool> = objs.iter().map(|o| !o.attributes.is_empty()).collect();
        assert_eq!(with, [true, false, false, false, false, true]);
    }
    // Without filters only the box outside the frame is skipped.
    let (_, c) = run("nofilters", &dets, "");
    assert_eq!((c.classified, c.skipped, c.size), (25, 5, 5));
}

/// A lost track's box is a motion prediction: it is not cropped or run,
/// and carries the track's result while that is fresh (interval).
#[test]
fn lost_boxes_are_not_classified() {
    // Track 1 tracked on frames 0-1, lost on frames 2-4 (same box).
    let tracked = det([2.0, 12.0, 16.0, 30.0], Some(1));
    let lost = Det {
        state: "lost",
        ..tracked
    };
    let dets = vec![
        vec![tracked],
        vec![tracked],
        vec![lost],
        vec![lost],
        vec![lost],
    ];
    // interval=1: run on the tracked frames only; nothing cached is fresh
    // on the lost ones.
    let (f, c) = run("lost1", &dets, "");
    assert_eq!((c.classified, c.reused, c.skipped), (2, 0, 0));
    let with: Vec<bool> = f.iter().map(|o| !o[0].attributes.is_empty()).collect();
    assert_eq!(with, [true, true, false, false, false]);
    // interval=3: run on frame 0; frames 1 and 2 (lost) reuse it, 3 and 4
    // are past the interval and, lost, are not run.
    let (f, c) = run("lost3", &dets, "interval=3");
    assert_eq!((c.classified, c.reused, c.skipped), (1, 2, 0));
    let with: Vec<bool> = f.iter().map(|o| !o[0].attributes.is_empty()).collect();
    assert_eq!(with, [true, true, true, false, false]);
}

#[test]
fn bad_models_and_settings_are_errors() {
    let run = |props: &str| {
        let (r, _) = collect(&format!(
            "videotestsrc num-buffers=1 ! video/x-raw,format=RGB,width=64,height=48 ! rsclassify {props} ! appsink name=sink"
        ));
        r.expect_err("must fail")
    };
    let bad = model("reid_bad_rank.onnx");
    let e = run(&format!("model={bad}"));
    assert!(
        e.contains(&format!("Classification model '{bad}' input 'images' is [?, 3, 256]; expected one float32 input [batch, 3, H, W]")),
        "{e}"
    );
    let e = run("");
    assert!(
        e.contains("No 'model' set (an ONNX classification model)"),
        "{e}"
    );
    let good = model("reid_mean.onnx");
    let e = run(&format!("model={good} labels=cat,dog"));
    assert!(
        e.contains(&format!(
            "labels has 2 labels but the model '{good}' has 3 outputs per crop"
        )),
        "{e}"
    );
    let e = run(&format!("model={good} labels=@/nonexistent/labels.txt"));
    assert!(
        e.contains("Failed to read labels file '/nonexistent/labels.txt'"),
        "{e}"
    );
    let e = run(&format!("model={good} classes=a"));
    assert!(e.contains("classes 'a': 'a' is not a class id"), "{e}");
}
