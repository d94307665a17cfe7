// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rsreid with the tiny `reid_mean.onnx` (embedding = the per-channel mean
//! of the normalised crop, so a uniformly coloured crop has a known
//! embedding): exact embeddings, throttling counts, gates, boxes outside
//! the frame, bad models; and rsbytetrack with-reid on two coloured objects
//! that meet behind an occluder.

mod common;

use common::*;
use gst::prelude::*;
use std::path::Path;

/// The embedding reid_mean.onnx gives a crop of one colour (0..255).
fn colour_embedding(rgb: [f32; 3]) -> Vec<f32> {
    let mean = [0.485f32, 0.456, 0.406];
    let std = [0.229f32, 0.224, 0.225];
    let v: Vec<f32> = (0..3)
        .map(|c| (rgb[c] / 255.0 - mean[c]) / std[c])
        .collect();
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / n).collect()
}

/// Per frame, objects as ((x, y, w, h), track id).
type SceneDets = Vec<Vec<([f32; 4], Option<u64>)>>;

/// Writes a JSONL detections file: per frame, objects (x, y, w, h, track id).
fn write_jsonl(path: &Path, frames: &[Vec<([f32; 4], Option<u64>)>]) {
    let mut text = String::new();
    for (i, objs) in frames.iter().enumerate() {
        let o: Vec<String> = objs
            .iter()
            .map(|(b, id)| {
                let id = id
                    .map(|t| format!(",\"track_id\":{t},\"state\":\"tracked\""))
                    .unwrap_or_default();
                format!(
                    "{{\"bbox\":[{},{},{},{}],\"confidence\":0.9,\"class_id\":0{id}}}",
                    b[0], b[1], b[2], b[3]
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

fn reid_model() -> String {
    models().join("reid_mean.onnx").display().to_string()
}

#[test]
fn embeddings_of_coloured_crops_are_exact() {
    let dir = tmpdir("reid-exact");
    let dets = dir.join("d.jsonl");
    // A box inside, one partly outside (clipped), one fully outside, one of
    // zero width (dropped at import).
    write_jsonl(
        &dets,
        &[vec![
            ([10.0, 10.0, 20.0, 30.0], None),
            ([-10.0, 40.0, 30.0, 30.0], None),
            ([500.0, 10.0, 20.0, 20.0], None),
            ([30.0, 30.0, 0.0, 10.0], None),
        ]],
    );
    let (r, warnings) = collect(&format!(
        "videotestsrc num-buffers=1 pattern=solid-color foreground-color=0xffff0000 ! video/x-raw,format=RGB,width=64,height=96 ! rsdetect detections={} ! rsreid model={} name=reid ! appsink name=sink",
        dets.display(),
        reid_model()
    ));
    // rsdetect drops the zero-width box at import and warns about it and
    // about the box outside the frame (kept).
    let p = dets.display();
    assert_eq!(
        warnings,
        [
            format!("'{p}': 1 detection dropped (non-finite value or non-positive box size), first at line 1"),
            format!("'{p}': 1 detection entirely outside the 64x96 frame (first on frame 0, 0-based); they are kept, not clipped"),
        ]
    );
    let f = r.unwrap();
    let objs = f[0].as_ref().unwrap();
    assert_eq!(objs.len(), 3);
    let want = colour_embedding([255.0, 0.0, 0.0]);
    for o in &objs[..2] {
        let e = o.embedding.as_ref().expect("embedding");
        assert_eq!(e.len(), 3);
        for (a, b) in e.iter().zip(&want) {
            // ORT's float ReduceMean over 256×128 values rounds at ~1e-5.
            assert!((a - b).abs() < 1e-4, "{e:?} vs {want:?}");
        }
        assert_eq!(o.embedding_frame, Some(0));
    }
    assert!(objs[2].embedding.is_none(), "fully outside: no embedding");
}

/// Runs 10 frames with two objects through rsreid `props`; returns the
/// frames and the element's (embeddings-computed, skipped).
fn run_counts(with_ids: bool, props: &str) -> (Frames, u64, u64) {
    init();
    let dir = tmpdir(&format!("reid-count-{with_ids}-{}", props.len()));
    let dets = dir.join("d.jsonl");
    let frames: Vec<Vec<([f32; 4], Option<u64>)>> = (0..10)
        .map(|i| {
            vec![
                ([5.0 + i as f32, 5.0, 10.0, 20.0], with_ids.then_some(1)),
                ([30.0, 5.0, 4.0, 4.0], with_ids.then_some(2)),
            ]
        })
        .collect();
    write_jsonl(&dets, &frames);
    let pipeline = gst::parse::launch(&format!(
        "videotestsrc num-buffers=10 ! video/x-raw,format=I420,width=64,height=48 ! rsdetect detections={} ! rsreid model={} name=reid {props} ! appsink name=sink",
        dets.display(),
        reid_model()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let sink = pipeline
        .by_name("sink")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    sink.set_property("sync", false);
    pipeline.set_state(gst::State::Playing).unwrap();
    let mut out = Frames::new();
    while let Ok(s) = sink.pull_sample() {
        out.push(Some(objects_of(&s.buffer_owned().unwrap())));
    }
    let reid = pipeline.by_name("reid").unwrap();
    let computed: u64 = reid.property("embeddings-computed");
    let skipped: u64 = reid.property("skipped");
    pipeline.set_state(gst::State::Null).unwrap();
    (out, computed, skipped)
}

#[test]
fn throttling_per_track_and_gates() {
    // After a tracker (track ids), interval 3: frames 0, 3, 6, 9 compute,
    // 2 tracks → 8 embeddings; the other frames carry the last one.
    let (f, computed, skipped) = run_counts(true, "interval=3");
    assert_eq!((computed, skipped), (8, 0));
    for (i, objs) in f.iter().enumerate() {
        for o in objs.as_ref().unwrap() {
            assert!(o.embedding.is_some(), "frame {i}");
            assert_eq!(o.embedding_frame, Some(i as u64 / 3 * 3), "frame {i}");
        }
    }
    // Before a tracker (no ids): every object on every frame.
    let (_, computed, _) = run_counts(false, "interval=3");
    assert_eq!(computed, 20);
    // min-size 5: the 4×4 box is gated out on every frame.
    let (f, computed, skipped) = run_counts(false, "min-size=5");
    assert_eq!((computed, skipped), (10, 10));
    assert!(f.iter().all(|o| o.as_ref().unwrap()[1].embedding.is_none()));
    // min-confidence above the objects' 0.9: nothing.
    let (_, computed, skipped) = run_counts(false, "min-confidence=0.95");
    assert_eq!((computed, skipped), (0, 20));
}

#[test]
fn bad_models_and_settings_are_errors() {
    let run = |props: &str| {
        let (r, _) = collect(&format!(
            "videotestsrc num-buffers=1 ! video/x-raw,format=RGB,width=64,height=48 ! rsreid {props} ! appsink name=sink"
        ));
        r.expect_err("must fail")
    };
    let e = run(&format!(
        "model={}",
        models().join("reid_bad_rank.onnx").display()
    ));
    assert!(
        e.contains("input 'images' is [?, 3, 256]; expected one float32 input [batch, 3, H, W]"),
        "{e}"
    );
    let e = run("");
    assert!(e.contains("No 'model' set"), "{e}");
    let e = run(&format!("model={} mean=1,2", reid_model()));
    assert!(
        e.contains("mean '1,2' must hold exactly three finite numbers"),
        "{e}"
    );
    let e = run("model=/nonexistent.onnx");
    assert!(
        e.contains("Model file '/nonexistent.onnx' does not exist"),
        "{e}"
    );
}

#[test]
#[ignore = "needs ../shared"]
fn shared_osnet_embeds_a_batch() {
    let sh = shared();
    let dir = tmpdir("reid-osnet");
    let dets = dir.join("d.jsonl");
    write_jsonl(
        &dets,
        &(0..3)
            .map(|_| {
                (0..5)
                    .map(|k| {
                        (
                            [10.0 + 60.0 * k as f32, 20.0, 40.0, 100.0],
                            Some(k as u64 + 1),
                        )
                    })
                    .collect()
            })
            .collect::<Vec<_>>(),
    );
    let (r, _) = collect(&format!(
        "filesrc location={} ! decodebin ! videoconvert ! identity eos-after=3 ! rsdetect detections={} ! rsreid model={} ! appsink name=sink",
        sh.join("data/video/vtest.avi").display(),
        dets.display(),
        sh.join("models/reid_osnet_x0_25_random.onnx").display()
    ));
    let f = r.unwrap();
    for o in f[0].as_ref().unwrap() {
        let e = o.embedding.as_ref().unwrap();
        assert_eq!(e.len(), 512);
        let n: f32 = e.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((n - 1.0).abs() < 1e-4, "L2-normalised: {n}");
    }
}

/// Frames and detections of a bounce scene (as in core/tests/botsort.rs):
/// A (red) and B (blue), 120×240 boxes, walk towards each other at
/// 6 px/frame (frames 0-19), are hidden behind an occluder on frames 20-34,
/// and come back on frame 35 each on the side it came from, walking back:
/// A's box at x = 278, B's at 322. The Kalman predictions have crossed by
/// then (A ≈ 314, B ≈ 286), so each prediction is 8 px from the wrong box
/// (IoU ≈ 0.87) and 36 px from the right one (IoU ≈ 0.54, `1 − IoU` inside
/// the proximity gate 0.5): plain ByteTrack swaps the ids.
///
/// Pixels: the background is the ImageNet mean colour (124, 116, 104),
/// which normalises to 0, so reid_mean.onnx's embedding of a crop points
/// along the colour of what is in it. Each object is drawn as a 40 px wide
/// band inside its box (A: left third, B: right third), so even the
/// overlapping boxes of frame 35 do not contain the other's band: red and
/// blue embeddings, (1 − cos)/2 ≈ 0.69 > appearance-threshold 0.25, and
/// with re-id the right pairs win.
fn bounce_scene() -> (Vec<gst::Buffer>, SceneDets) {
    let (w, h) = (640usize, 400usize);
    let mut bufs = Vec::new();
    let mut dets = Vec::new();
    for f in 0..45usize {
        let mut px: Vec<u8> = [124u8, 116, 104].repeat(w * h);
        let mut fill = |x0: f32, y0: f32, bw: f32, bh: f32, c: [u8; 3]| {
            for y in (y0 as usize)..((y0 + bh) as usize).min(h) {
                for x in (x0.max(0.0) as usize)..((x0 + bw) as usize).min(w) {
                    px[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&c);
                }
            }
        };
        let (a, b) = if f < 20 {
            let s = 6.0 * (f + 1) as f32;
            (Some(100.0 + s), Some(500.0 - s))
        } else if f < 35 {
            fill(200.0, 60.0, 240.0, 320.0, [60, 60, 60]);
            (None, None)
        } else {
            let s = 6.0 * (f - 35) as f32;
            (Some(278.0 - s), Some(322.0 + s))
        };
        let mut d = Vec::new();
        if let (Some(a), Some(b)) = (a, b) {
            fill(a, 100.0, 40.0, 240.0, [255, 0, 0]);
            fill(b + 80.0, 100.0, 40.0, 240.0, [0, 0, 255]);
            d.push(([a, 100.0, 120.0, 240.0], None));
            d.push(([b, 100.0, 120.0, 240.0], None));
        }
        let mut buf = gst::Buffer::from_mut_slice(px);
        buf.get_mut()
            .unwrap()
            .set_pts(gst::ClockTime::from_mseconds(f as u64 * 33));
        bufs.push(buf);
        dets.push(d);
    }
    (bufs, dets)
}

/// Track ids of (red, blue) on each frame where both are visible.
fn bounce_ids(tracker_props: &str) -> Vec<(usize, Option<u64>, Option<u64>)> {
    init();
    let (bufs, dets) = bounce_scene();
    let dir = tmpdir(&format!("bounce-{}", tracker_props.len()));
    let path = dir.join("d.jsonl");
    write_jsonl(&path, &dets);
    let pipeline = gst::parse::launch(&format!(
        "appsrc name=src format=time caps=video/x-raw,format=RGB,width=640,height=400,framerate=30/1 ! rsdetect detections={} ! rsreid model={} ! rsbytetrack {tracker_props} ! appsink name=sink sync=false",
        path.display(),
        reid_model()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let src = pipeline
        .by_name("src")
        .unwrap()
        .downcast::<gst_app::AppSrc>()
        .unwrap();
    let sink = pipeline
        .by_name("sink")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    for b in bufs {
        src.push_buffer(b).unwrap();
    }
    src.end_of_stream().unwrap();
    let mut out = Vec::new();
    let mut f = 0;
    while let Ok(s) = sink.pull_sample() {
        let objs = objects_of(&s.buffer_owned().unwrap());
        // The red object's embedding points along +R.
        let id_of = |red: bool| {
            objs.iter()
                .find(|o| {
                    o.embedding.as_ref().is_some_and(|e| (e[0] > 0.0) == red)
                        && o.track_id.is_some()
                })
                .and_then(|o| o.track_id)
        };
        if !objs.is_empty() && objs.iter().any(|o| o.embedding.is_some()) {
            out.push((f, id_of(true), id_of(false)));
        }
        f += 1;
    }
    pipeline.set_state(gst::State::Null).unwrap();
    out
}

#[test]
fn with_reid_keeps_ids_through_the_occlusion_plain_bytetrack_swaps() {
    let plain = bounce_ids("");
    let reid = bounce_ids("with-reid=true");
    assert_eq!(plain.len(), 30);
    for ((f, r, b), (_, r2, b2)) in plain.iter().zip(&reid) {
        if *f < 20 {
            assert_eq!((*r, *b), (Some(1), Some(2)), "frame {f}");
            assert_eq!((*r2, *b2), (Some(1), Some(2)), "frame {f}");
        } else {
            assert_eq!(
                (*r, *b),
                (Some(2), Some(1)),
                "plain ByteTrack swaps, frame {f}"
            );
            assert_eq!((*r2, *b2), (Some(1), Some(2)), "with re-id, frame {f}");
        }
    }
}

#[test]
fn stitching_writes_a_merge_line() {
    // A 50×100 object at x = 100 on frames 0-9, undetected on 10-14 (its
    // track is lost), then detected 60 px to the right with the same
    // embedding: no IoU with the lost track, so a new track starts; when it
    // is confirmed, reid-max-gap=30 stitches it to the lost id (1) and
    // rsjsonsink writes a merge line before that frame.
    let dir = tmpdir("stitch");
    let dets = dir.join("d.jsonl");
    let mut text = String::new();
    for f in 0..25 {
        let obj = match f {
            0..=9 => Some(100.0),
            10..=14 => None,
            _ => Some(160.0 + (f - 15) as f32),
        };
        let objs = obj
            .map(|x| format!("{{\"bbox\":[{x},50,50,100],\"confidence\":0.9,\"class_id\":0,\"embedding\":[1,0,0]}}"))
            .unwrap_or_default();
        text.push_str(&format!(
            "{{\"schema\":\"rstracking/1\",\"frame\":{f},\"objects\":[{objs}]}}\n"
        ));
    }
    std::fs::write(&dets, text).unwrap();
    let run_with = |props: &str, after: &str| {
        let out = dir.join(format!("out-{}-{}.jsonl", props.len(), after.len()));
        let (errors, _) = run_pipeline(&format!(
            "videotestsrc num-buffers=25 ! video/x-raw,width=320,height=240,framerate=30/1 ! rsdetect stream-name=cam detections={} ! rsbytetrack {props} ! {after} ! rsjsonsink location={}",
            dets.display(),
            out.display()
        ));
        assert!(errors.is_empty(), "{errors:?}");
        std::fs::read_to_string(out).unwrap()
    };
    let run = |props: &str| run_with(props, "identity");
    let ids = |text: &str| -> Vec<u64> {
        text.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v.get("event").is_none())
            .flat_map(|v| {
                v["objects"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|o| o["track_id"].as_u64())
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let stitched = run("with-reid=true reid-max-gap=30");
    let merges: Vec<&str> = stitched
        .lines()
        .filter(|l| l.contains("\"event\":\"merge\""))
        .collect();
    assert_eq!(
        merges,
        ["{\"schema\":\"rstracking/1\",\"event\":\"merge\",\"stream\":\"cam\",\"frame\":16,\"id\":\"track_id\",\"from\":2,\"to\":1}"]
    );
    assert!(
        ids(&stitched).iter().all(|&i| i == 1),
        "{:?}",
        ids(&stitched)
    );
    // Through rsposesmooth latency=3, which holds 3 frames, the merge
    // still reaches the sink just before frame 16's line (it used to
    // overtake the held frames and arrive 3 frames early).
    let held = run_with("with-reid=true reid-max-gap=30", "rsposesmooth latency=3");
    let lines: Vec<&str> = held.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("\"event\":\"merge\""))
        .expect("merge line");
    assert_eq!(
        lines[at],
        "{\"schema\":\"rstracking/1\",\"event\":\"merge\",\"stream\":\"cam\",\"frame\":16,\"id\":\"track_id\",\"from\":2,\"to\":1}"
    );
    let frame_lines: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.contains("\"event\""))
        .collect();
    let before = lines[..at]
        .iter()
        .rev()
        .find(|l| !l.contains("\"event\""))
        .unwrap();
    let after = lines[at + 1..]
        .iter()
        .find(|l| !l.contains("\"event\""))
        .unwrap();
    assert!(before.contains("\"frame\":15,"), "{before}");
    assert!(after.contains("\"frame\":16,"), "{after}");
    assert_eq!(frame_lines.len(), 25);
    // Without stitching the object comes back as track 2.
    let plain = run("with-reid=true");
    assert!(!plain.contains("\"event\":\"merge\""));
    assert!(ids(&plain).contains(&2));
}
