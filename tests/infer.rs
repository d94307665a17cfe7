// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rsdetect inference mode with the tiny models of tests/models/make_models.py,
//! whose outputs are known exactly: the boxes (and keypoints) in frame pixels
//! after the letterbox, for several frame sizes, formats and aspect ratios;
//! NMS, class filter, min-size, max-detections, interval; bad input.

mod common;

use common::{collect, init, models, Frames};
use gst::prelude::*;
use gstrstracking::core::types::{KeypointState, Object, TrackState};

/// (x, y, w, h, score, class) of every object, in order.
type Row = (f32, f32, f32, f32, f32, u32);

fn rows(objs: &[Object]) -> Vec<Row> {
    objs.iter()
        .map(|o| {
            (
                o.bbox.x,
                o.bbox.y,
                o.bbox.w,
                o.bbox.h,
                o.confidence,
                o.class_id,
            )
        })
        .collect()
}

#[track_caller]
fn assert_rows(found: &[Object], expected: &[Row]) {
    let f = rows(found);
    assert_eq!(
        f.len(),
        expected.len(),
        "found {f:?}, expected {expected:?}"
    );
    for (a, b) in f.iter().zip(expected) {
        let close = (a.0 - b.0).abs() < 1e-3
            && (a.1 - b.1).abs() < 1e-3
            && (a.2 - b.2).abs() < 1e-3
            && (a.3 - b.3).abs() < 1e-3
            && (a.4 - b.4).abs() < 1e-5
            && a.5 == b.5;
        assert!(close, "found {f:?}, expected {expected:?}");
    }
}

/// `frames` buffers of `videotestsrc` in `format`/`w`×`h` through
/// `rsdetect model=<model> <props>`.
fn run(model: &str, format: &str, w: u32, h: u32, frames: u32, props: &str) -> Frames {
    let (r, warnings) = try_run(model, format, w, h, frames, props, "");
    assert!(warnings.is_empty(), "warnings: {warnings:?}");
    r.unwrap_or_else(|e| panic!("pipeline failed: {e}"))
}

fn try_run(
    model: &str,
    format: &str,
    w: u32,
    h: u32,
    frames: u32,
    props: &str,
    src_props: &str,
) -> (Result<Frames, String>, Vec<String>) {
    let m = models().join(model);
    collect(&format!(
        "videotestsrc num-buffers={frames} {src_props} ! video/x-raw,format={format},width={w},height={h},framerate=30/1 ! rsdetect model={} {props} ! appsink name=sink",
        m.display()
    ))
}

fn only(frames: &Frames) -> &[Object] {
    assert_eq!(frames.len(), 1);
    frames[0].as_deref().expect("meta on the frame")
}

// v8_const anchors (model input px, 64×64): a0 (32,32,16,8) person .9;
// a1 (33,32,16,8) person .8 (IoU 15/17 with a0: suppressed); a2
// (33,32,16,8) car .7; a3 (10,10,8,8) bicycle .2 (below 0.25); a4
// (50,50,2,2) bicycle .6; a5 (60,8,12,12) bicycle .5 (past the right edge).

#[test]
fn v8_identity_size_nms_and_clipping() {
    // 64×64: no letterbox; a5's right edge 66 is clipped to 64.
    let f = run("v8_const.onnx", "RGB", 64, 64, 1, "");
    let o = only(&f);
    assert_rows(
        o,
        &[
            (24.0, 28.0, 16.0, 8.0, 0.9, 0),
            (25.0, 28.0, 16.0, 8.0, 0.7, 2),
            (49.0, 49.0, 2.0, 2.0, 0.6, 1),
            (54.0, 2.0, 10.0, 12.0, 0.5, 1),
        ],
    );
    let labels: Vec<_> = o.iter().map(|o| o.label.as_deref().unwrap()).collect();
    assert_eq!(labels, ["person", "car", "bicycle", "bicycle"]);
    assert!(o
        .iter()
        .all(|o| o.track_id.is_none() && o.keypoints.is_empty()));
}

#[test]
fn v8_letterbox_maps_back_for_several_aspect_ratios() {
    // 128×64: r = 0.5, content 64×32 at top = 16. a4 and a5 lie in the
    // padding and are dropped.
    let f = run("v8_const.onnx", "RGB", 128, 64, 1, "");
    assert_rows(
        only(&f),
        &[
            (48.0, 24.0, 32.0, 16.0, 0.9, 0),
            (50.0, 24.0, 32.0, 16.0, 0.7, 2),
        ],
    );
    // 64×128: r = 0.5, content 32×64 at left = 16.
    let f = run("v8_const.onnx", "RGB", 64, 128, 1, "");
    assert_rows(
        only(&f),
        &[
            (16.0, 56.0, 32.0, 16.0, 0.9, 0),
            (18.0, 56.0, 32.0, 16.0, 0.7, 2),
        ],
    );
    // 100×50: r = 0.64, content 64×32 at top = 16.
    let f = run("v8_const.onnx", "RGB", 100, 50, 1, "");
    assert_rows(
        only(&f),
        &[
            (37.5, 18.75, 25.0, 12.5, 0.9, 0),
            (39.0625, 18.75, 25.0, 12.5, 0.7, 2),
        ],
    );
    // 1920×1080 NV12: r = 1/30, content 64×36 at top = round(13.9) = 14,
    // so a4 (rows 49..51) is half inside: clipped at the bottom.
    let f = run("v8_const.onnx", "NV12", 1920, 1080, 1, "");
    assert_rows(
        only(&f),
        &[
            (720.0, 420.0, 480.0, 240.0, 0.9, 0),
            (750.0, 420.0, 480.0, 240.0, 0.7, 2),
            (1470.0, 1050.0, 60.0, 30.0, 0.6, 1),
        ],
    );
}

#[test]
fn every_input_format_gives_the_same_boxes() {
    let expected = [
        (48.0, 24.0, 32.0, 16.0, 0.9, 0),
        (50.0, 24.0, 32.0, 16.0, 0.7, 2),
    ];
    for fmt in [
        "RGB", "BGR", "RGBx", "BGRx", "xRGB", "xBGR", "RGBA", "BGRA", "ARGB", "ABGR", "I420",
        "NV12",
    ] {
        let f = run("v8_const.onnx", fmt, 128, 64, 1, "");
        assert_rows(only(&f), &expected);
    }
}

#[test]
fn unsupported_formats_are_converted_upstream() {
    // GRAY8 is not read directly: with videoconvert in front, negotiation
    // picks a supported format.
    let m = models().join("v8_const.onnx");
    let (r, _) = collect(&format!(
        "videotestsrc num-buffers=1 ! video/x-raw,format=GRAY8,width=64,height=64 ! videoconvert ! rsdetect model={} ! appsink name=sink",
        m.display()
    ));
    assert_eq!(r.unwrap()[0].as_ref().unwrap().len(), 4);
}

#[test]
fn filters_class_min_size_max_detections_threshold() {
    let f = run("v8_const.onnx", "RGB", 64, 64, 1, "classes=0,2");
    assert_rows(
        only(&f),
        &[
            (24.0, 28.0, 16.0, 8.0, 0.9, 0),
            (25.0, 28.0, 16.0, 8.0, 0.7, 2),
        ],
    );
    // a4 is 2×2 px: dropped by min-size=5; a5 (10×12 after clipping, 12×12
    // before) stays.
    let f = run("v8_const.onnx", "RGB", 64, 64, 1, "min-size=5");
    assert_rows(
        only(&f),
        &[
            (24.0, 28.0, 16.0, 8.0, 0.9, 0),
            (25.0, 28.0, 16.0, 8.0, 0.7, 2),
            (54.0, 2.0, 10.0, 12.0, 0.5, 1),
        ],
    );
    let f = run("v8_const.onnx", "RGB", 64, 64, 1, "max-detections=1");
    assert_rows(only(&f), &[(24.0, 28.0, 16.0, 8.0, 0.9, 0)]);
    let f = run(
        "v8_const.onnx",
        "RGB",
        64,
        64,
        1,
        "confidence-threshold=0.65",
    );
    assert_rows(
        only(&f),
        &[
            (24.0, 28.0, 16.0, 8.0, 0.9, 0),
            (25.0, 28.0, 16.0, 8.0, 0.7, 2),
        ],
    );
    // a3 (0.2) appears when the threshold is lowered; IoU 0.9 keeps a1.
    let f = run(
        "v8_const.onnx",
        "RGB",
        64,
        64,
        1,
        "confidence-threshold=0.1 iou-threshold=0.9",
    );
    assert_rows(
        only(&f),
        &[
            (24.0, 28.0, 16.0, 8.0, 0.9, 0),
            (25.0, 28.0, 16.0, 8.0, 0.8, 0),
            (25.0, 28.0, 16.0, 8.0, 0.7, 2),
            (49.0, 49.0, 2.0, 2.0, 0.6, 1),
            (54.0, 2.0, 10.0, 12.0, 0.5, 1),
            (6.0, 6.0, 8.0, 8.0, 0.2, 1),
        ],
    );
}

#[test]
fn labels_file_overrides_the_metadata() {
    let dir = common::tmpdir("labels");
    let p = dir.join("labels.txt");
    std::fs::write(&p, "pedestrian\ncycle\nvehicle\n").unwrap();
    let f = run(
        "v8_const.onnx",
        "RGB",
        64,
        64,
        1,
        &format!("labels-file={}", p.display()),
    );
    let labels: Vec<_> = only(&f).iter().map(|o| o.label.clone().unwrap()).collect();
    assert_eq!(labels, ["pedestrian", "vehicle", "cycle", "cycle"]);
    std::fs::write(&p, "one\n").unwrap();
    let (r, _) = try_run(
        "v8_const.onnx",
        "RGB",
        64,
        64,
        1,
        &format!("labels-file={}", p.display()),
        "",
    );
    let e = r.unwrap_err();
    assert!(e.contains("has 1 lines; the model has 3 classes"), "{e}");
}

#[test]
fn yolov5_objectness_multiplies_the_class_score() {
    let f = run("v5_const.onnx", "RGB", 64, 64, 1, "");
    assert_rows(
        only(&f),
        &[
            (24.0, 28.0, 16.0, 8.0, 0.9, 0),
            (25.0, 28.0, 16.0, 8.0, 0.7, 2),
            (54.0, 2.0, 10.0, 12.0, 0.5, 1),
            (6.0, 6.0, 8.0, 8.0, 0.3, 1),
        ],
    );
}

fn expected_keypoints(o: &Object, map: impl Fn(f32, f32) -> (f32, f32)) {
    assert_eq!(o.keypoints.len(), 17);
    for (i, k) in o.keypoints.iter().enumerate() {
        let (x, y) = map(24.0 + i as f32, 16.0 + 2.0 * i as f32);
        assert!(
            (k.x - x).abs() < 1e-3 && (k.y - y).abs() < 1e-3,
            "kp {i}: {k:?} vs ({x}, {y})"
        );
        assert_eq!(k.confidence, (0.5 + 0.02 * i as f64) as f32, "kp {i}");
        assert_eq!(k.state, KeypointState::Measured);
    }
}

#[test]
fn yolov8_pose_keypoints_in_frame_pixels() {
    let f = run("v8pose_const.onnx", "RGB", 64, 64, 1, "");
    let o = only(&f);
    assert_rows(o, &[(24.0, 16.0, 16.0, 32.0, 0.9, 0)]);
    assert_eq!(o[0].label.as_deref(), Some("person"));
    expected_keypoints(&o[0], |x, y| (x, y));
    // 128×64: x / 0.5, (y − 16) / 0.5.
    let f = run("v8pose_const.onnx", "RGB", 128, 64, 1, "");
    let o = only(&f);
    assert_rows(o, &[(48.0, 0.0, 32.0, 64.0, 0.9, 0)]);
    expected_keypoints(&o[0], |x, y| (x * 2.0, ((y - 16.0) * 2.0).clamp(0.0, 64.0)));
}

#[test]
fn end2end_rows_without_nms() {
    // r1 overlaps r0 but NMS-free heads are not suppressed; r3 is inverted
    // (skipped); r4 is under the threshold.
    let f = run("e2e_const.onnx", "RGB", 64, 64, 1, "");
    assert_rows(
        only(&f),
        &[
            (24.0, 28.0, 16.0, 8.0, 0.9, 0),
            (25.0, 28.0, 16.0, 8.0, 0.8, 0),
            (10.0, 10.0, 10.0, 10.0, 0.7, 2),
        ],
    );
    let f = run("e2e_const.onnx", "RGB", 128, 64, 1, "classes=2");
    assert_rows(only(&f), &[(20.0, 0.0, 20.0, 8.0, 0.7, 2)]);
    let f = run("e2e_pose_const.onnx", "RGB", 64, 64, 1, "");
    let o = only(&f);
    assert_rows(o, &[(24.0, 16.0, 16.0, 32.0, 0.9, 0)]);
    expected_keypoints(&o[0], |x, y| (x, y));
}

#[test]
fn image_dependent_scores_see_the_exact_letterbox() {
    // v8_image: class c score = mean of input channel c over the 64×64
    // input. A red 128×64 frame fills 64×32 with (1, 0, 0) and the rest
    // with 114/255: red = 0.5 + 0.5·114/255, green = blue = 0.5·114/255
    // (under 0.25, so only "red" is detected). The box is the whole input,
    // clipped to the frame.
    let pad = 114.0f64 / 255.0;
    let (r, _) = try_run(
        "v8_image.onnx",
        "RGB",
        128,
        64,
        1,
        "",
        "pattern=solid-color foreground-color=0xffff0000",
    );
    let f = r.unwrap();
    let o = only(&f);
    assert_rows(o, &[(0.0, 0.0, 128.0, 64.0, (0.5 + 0.5 * pad) as f32, 0)]);
    assert_eq!(o[0].label.as_deref(), Some("red"));
    // Blue 64×128 (tall): content 32×64, same fractions.
    let (r, _) = try_run(
        "v8_image.onnx",
        "BGRx",
        64,
        128,
        1,
        "",
        "pattern=solid-color foreground-color=0xff0000ff",
    );
    assert_rows(
        only(&r.unwrap()),
        &[(0.0, 0.0, 64.0, 128.0, (0.5 + 0.5 * pad) as f32, 2)],
    );
    // Dynamic input, input-size 96x64: a 64×64 green frame is centred
    // (left = 16): green = 2/3 + (1/3)·114/255.
    let (r, _) = try_run(
        "dynamic_image.onnx",
        "RGB",
        64,
        64,
        1,
        "input-size=96x64",
        "pattern=solid-color foreground-color=0xff00ff00",
    );
    let g = 2.0 / 3.0 + pad / 3.0;
    assert_rows(only(&r.unwrap()), &[(0.0, 0.0, 64.0, 64.0, g as f32, 1)]);
}

#[test]
fn interval_runs_the_model_on_one_frame_in_n() {
    let f = run("v8_const.onnx", "RGB", 64, 64, 7, "interval=3");
    let with_meta: Vec<bool> = f.iter().map(Option::is_some).collect();
    assert_eq!(with_meta, [true, false, false, true, false, false, true]);
    // Downstream, rsbytetrack predicts on the skipped frames.
    let m = models().join("v8_const.onnx");
    let (r, _) = collect(&format!(
        "videotestsrc num-buffers=7 ! video/x-raw,format=RGB,width=64,height=64,framerate=30/1 ! rsdetect model={} interval=3 ! rsbytetrack ! appsink name=sink",
        m.display()
    ));
    let f = r.unwrap();
    let states: Vec<Vec<Option<TrackState>>> = f
        .iter()
        .map(|o| {
            o.as_ref()
                .unwrap()
                .iter()
                .filter(|o| o.track_id.is_some())
                .map(|o| o.track_state)
                .collect()
        })
        .collect();
    // Frame 0 starts 2 tracks (a0 0.9 and a2 0.7 are above new-track-thresh
    // 0.6; ByteTrack confirms at once on the first frame); frames 1-2
    // predict them, frame 3 matches them again, with the same ids.
    let ids = |i: usize| -> Vec<u64> {
        f[i].as_ref()
            .unwrap()
            .iter()
            .filter_map(|o| o.track_id)
            .collect()
    };
    assert_eq!(states[0], vec![Some(TrackState::Tracked); 2]);
    assert_eq!(states[1], vec![Some(TrackState::Predicted); 2]);
    assert_eq!(states[2], vec![Some(TrackState::Predicted); 2]);
    assert_eq!(states[3], vec![Some(TrackState::Tracked); 2]);
    assert_eq!(ids(0), [1, 2]);
    assert_eq!(ids(1), [1, 2]);
    assert_eq!(ids(3), [1, 2]);
    assert_eq!(ids(6), [1, 2]);
}

#[track_caller]
fn expect_error(model_path: &str, props: &str, needles: &[&str]) {
    let (r, _) = collect(&format!(
        "videotestsrc num-buffers=1 ! video/x-raw,format=RGB,width=64,height=64 ! rsdetect model={model_path} {props} ! appsink name=sink"
    ));
    let e = r.expect_err("must fail");
    for n in needles {
        assert!(e.contains(n), "error {e:?} lacks {n:?}");
    }
}

#[test]
fn bad_models_are_clear_errors() {
    let m = models();
    expect_error(
        "/nonexistent/model.onnx",
        "",
        &["Model file '/nonexistent/model.onnx' does not exist"],
    );
    let dir = common::tmpdir("badmodel");
    let txt = dir.join("not-onnx.onnx");
    std::fs::write(&txt, "this is not a protobuf\n").unwrap();
    expect_error(
        txt.to_str().unwrap(),
        "",
        &["Failed to load model", "not-onnx.onnx"],
    );
    expect_error(
        m.join("bad_rank.onnx").to_str().unwrap(),
        "",
        &["output shape [1, 7] fits no known YOLO layout", "expected"],
    );
    expect_error(
        m.join("bad_channels.onnx").to_str().unwrap(),
        "",
        &[
            "input 'images' is [1, 1, 64, 64]",
            "expected one float32 image input [1, 3, H, W]",
        ],
    );
    expect_error(
        m.join("two_inputs.onnx").to_str().unwrap(),
        "",
        &["has 2 inputs (images [1, 3, 64, 64], extra [1])"],
    );
    expect_error(
        m.join("dynamic_image.onnx").to_str().unwrap(),
        "",
        &["dynamic input [1, 3, ?, ?] and no imgsz metadata: set input-size"],
    );
    expect_error(
        m.join("v8_const.onnx").to_str().unwrap(),
        "input-size=640",
        &[
            "fixed input size 64x64",
            "input-size 640x640 cannot be used",
        ],
    );
    expect_error(
        m.join("v8_const.onnx").to_str().unwrap(),
        "classes=0,x",
        &["classes '0,x': 'x' is not a class id"],
    );
    expect_error(
        m.join("v8_const.onnx").to_str().unwrap(),
        "model-type=yolov5",
        &["yolov5"],
    );
    expect_error(
        m.join("v8_const.onnx").to_str().unwrap(),
        "detections=/tmp/x.txt",
        &["not both"],
    );
}

#[test]
fn unavailable_execution_provider_errors_or_falls_back() {
    let m = models().join("v8_const.onnx");
    // The PyPI CPU wheel has no CUDA.
    expect_error(
        m.to_str().unwrap(),
        "execution-provider=cuda",
        &["CUDAExecutionProvider is not available", "fallback=true"],
    );
    let (r, warnings) = try_run(
        "v8_const.onnx",
        "RGB",
        64,
        64,
        1,
        "execution-provider=cuda fallback=true",
        "",
    );
    assert_eq!(only(&r.unwrap()).len(), 4);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("running on the CPU"), "{warnings:?}");
    // An unknown provider name is refused by the property itself.
    let (r, _) = collect(&format!(
        "videotestsrc num-buffers=1 ! rsdetect model={} execution-provider=tpu ! appsink name=sink",
        m.display()
    ));
    let e = r.unwrap_err();
    assert!(e.contains("execution-provider") || e.contains("tpu"), "{e}");
}

/// Centre of the bright pixels (> 128) of each GRAY8 frame of
/// `videotestsrc pattern=ball` at `w`×`h`.
fn ball_truth(n: u32, w: u32, h: u32) -> Vec<(f32, f32)> {
    use gst::prelude::*;
    common::init();
    let p = gst::parse::launch(&format!(
        "videotestsrc pattern=ball num-buffers={n} ! video/x-raw,format=GRAY8,width={w},height={h},framerate=30/1 ! appsink name=sink sync=false"
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let sink = p
        .by_name("sink")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap();
    p.set_state(gst::State::Playing).unwrap();
    let mut out = Vec::new();
    while let Ok(s) = sink.pull_sample() {
        let info = gst_video::VideoInfo::from_caps(s.caps().unwrap()).unwrap();
        let stride = info.stride()[0] as usize;
        let map = s.buffer().unwrap().map_readable().unwrap();
        let (mut x0, mut x1, mut y0, mut y1) = (usize::MAX, 0, usize::MAX, 0);
        for y in 0..h as usize {
            for x in 0..w as usize {
                if map[y * stride + x] > 128 {
                    x0 = x0.min(x);
                    x1 = x1.max(x);
                    y0 = y0.min(y);
                    y1 = y1.max(y);
                }
            }
        }
        out.push(((x0 + x1 + 1) as f32 / 2.0, (y0 + y1 + 1) as f32 / 2.0));
    }
    p.set_state(gst::State::Null).unwrap();
    out
}

#[test]
fn the_sample_ball_detector_finds_the_ball_where_it_is() {
    // ball_detector.onnx (hand-written, see make_models.py): one 40×40 box
    // per frame centred on a 48 px window of an 8 px grid that holds the
    // whole ball, so its centre is within 5 px (4 of grid, 1 of the ball's
    // anti-aliased edge) of the true centre; 320×240 letterboxes into
    // 320×320 at top = 40 with r = 1.
    let n = 60;
    let truth = ball_truth(n, 320, 240);
    let (r, _) = try_run(
        "ball_detector.onnx",
        "I420",
        320,
        240,
        n,
        "",
        "pattern=ball",
    );
    let f = r.unwrap();
    assert_eq!(f.len(), n as usize);
    for (i, (objs, (tx, ty))) in f.iter().zip(&truth).enumerate() {
        let objs = objs.as_ref().unwrap();
        assert_eq!(objs.len(), 1, "frame {i}: {:?}", rows(objs));
        let b = objs[0].bbox;
        let (cx, cy) = (b.x + b.w / 2.0, b.y + b.h / 2.0);
        assert!(
            (cx - tx).abs() <= 5.0 && (cy - ty).abs() <= 5.0,
            "frame {i}: box centre ({cx}, {cy}) vs ball ({tx}, {ty})"
        );
        assert_eq!(objs[0].label.as_deref(), Some("ball"));
        assert!(
            objs[0].confidence > 0.8,
            "frame {i}: {}",
            objs[0].confidence
        );
    }
    // The ball moves: the detections are not constant.
    let xs: Vec<f32> = f.iter().map(|o| o.as_ref().unwrap()[0].bbox.x).collect();
    assert!(xs.iter().any(|&x| (x - xs[0]).abs() > 50.0));
}

#[test]
fn an_unreadable_format_at_negotiation_says_put_videoconvert_before() {
    // Linked without caps checks (as a dynamic pad may be): the Y444
    // caps reach rsdetect at negotiation, which names them and the fix.
    init();
    let m = models().join("v8_const.onnx");
    let pipeline = gst::Pipeline::new();
    let src = gst_app::AppSrc::builder()
        .caps(
            &gst::Caps::builder("video/x-raw")
                .field("format", "Y444")
                .field("width", 64i32)
                .field("height", 64i32)
                .field("framerate", gst::Fraction::new(30, 1))
                .build(),
        )
        .format(gst::Format::Time)
        .build();
    let det = gst::ElementFactory::make("rsdetect")
        .property("model", m.to_str().unwrap())
        .build()
        .unwrap();
    let sink = gst::ElementFactory::make("fakesink").build().unwrap();
    pipeline.add_many([src.upcast_ref(), &det, &sink]).unwrap();
    src.static_pad("src")
        .unwrap()
        .link_full(&det.static_pad("sink").unwrap(), gst::PadLinkCheck::empty())
        .unwrap();
    det.link(&sink).unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    src.push_buffer(gst::Buffer::with_size(64 * 64 * 3).unwrap())
        .unwrap();
    let _ = src.end_of_stream();
    let mut warning = None;
    for msg in pipeline
        .bus()
        .unwrap()
        .iter_timed(gst::ClockTime::from_seconds(10))
    {
        match msg.view() {
            gst::MessageView::Warning(w) => warning = Some(w.error().to_string()),
            gst::MessageView::Error(_) | gst::MessageView::Eos(_) => break,
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    let w = warning.expect("a warning naming the format");
    assert!(
        w.starts_with("The model cannot read video/x-raw, format=(string)Y444"),
        "{w}"
    );
    assert!(w.ends_with("; put videoconvert before rsdetect"), "{w}");
}
