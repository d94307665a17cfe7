// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
use super::*;
use crate::types::{BBox, Keypoint, KeypointState};
use std::collections::HashMap;

/// Channel-major `[C, N]` data from per-anchor rows of `C` values.
fn channel_major(rows: &[Vec<f32>]) -> Vec<f32> {
    let n = rows.len();
    let c = rows[0].len();
    let mut out = vec![0.0; c * n];
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.len(), c);
        for (j, &v) in r.iter().enumerate() {
            out[j * n + i] = v;
        }
    }
    out
}

fn decode(
    layout: &OutputLayout,
    data: &[f32],
    map: &BoxMapping,
    params: &DecodeParams,
) -> Vec<Detection> {
    let mut out = vec![];
    Decoder::new()
        .decode(layout, data, map, params, &mut out)
        .unwrap();
    out
}

fn boxes(dets: &[Detection]) -> Vec<(BBox, f32, u32)> {
    dets.iter().map(|d| (d.bbox, d.score, d.class_id)).collect()
}

fn identity(w: f32, h: f32) -> BoxMapping {
    BoxMapping {
        scale: 1.0,
        left: 0.0,
        top: 0.0,
        frame_w: w,
        frame_h: h,
    }
}

fn meta_with_names(n: usize) -> ModelMetadata {
    ModelMetadata {
        names: (0..n).map(|i| format!("c{i}")).collect(),
        ..Default::default()
    }
}

#[test]
fn model_type_names() {
    for t in [
        ModelType::Yolov5,
        ModelType::Yolov8,
        ModelType::Yolov8Pose,
        ModelType::End2End,
        ModelType::End2EndPose,
    ] {
        assert_eq!(ModelType::parse(t.as_str()), Some(t));
    }
    assert_eq!(ModelType::parse("YOLO11"), Some(ModelType::Yolov8));
    assert_eq!(ModelType::parse("yolo11-pose"), Some(ModelType::Yolov8Pose));
    assert_eq!(ModelType::parse("YOLOv10"), Some(ModelType::End2End));
    assert_eq!(ModelType::parse("yolo26"), Some(ModelType::End2End));
    assert_eq!(
        ModelType::parse("Yolo26-Pose"),
        Some(ModelType::End2EndPose)
    );
    assert_eq!(ModelType::parse("yolov7"), None);
}

#[test]
fn parse_names_ultralytics_dict() {
    assert_eq!(
        parse_names("{0: 'person', 1: 'bicycle', 2: 'car'}").unwrap(),
        vec!["person", "bicycle", "car"]
    );
    assert_eq!(parse_names(r#"{0: "o'clock"}"#).unwrap(), vec!["o'clock"]);
    assert_eq!(
        parse_names(r#"{0: 'o\'clock', 1: "say \"hi\"", 2: 'a\\b'}"#).unwrap(),
        vec!["o'clock", "say \"hi\"", "a\\b"]
    );
    assert_eq!(parse_names("{}").unwrap(), Vec::<String>::new());
    // Trailing comma, odd spacing.
    assert_eq!(parse_names(" {0:'a' ,1 : 'b',} ").unwrap(), vec!["a", "b"]);
}

#[test]
fn parse_names_list_and_gaps() {
    assert_eq!(parse_names("['a', \"b\"]").unwrap(), vec!["a", "b"]);
    assert_eq!(parse_names("[]").unwrap(), Vec::<String>::new());
    // Index = key; 1 and 2 missing → "".
    assert_eq!(
        parse_names("{3: 'd', 0: 'a'}").unwrap(),
        vec!["a", "", "", "d"]
    );
}

#[test]
fn parse_names_errors() {
    assert!(parse_names("").is_err());
    assert!(parse_names("{0: person}").is_err());
    assert!(parse_names("{-1: 'a'}").is_err());
    assert!(parse_names("{0: 'a'").is_err());
    assert!(parse_names("{0: 'a} ").is_err());
    assert!(parse_names("['a'] x").is_err());
    assert!(parse_names("{99999999999: 'a'}").is_err());
}

#[test]
fn parse_int_lists() {
    assert_eq!(parse_int_list("[640, 640]").unwrap(), vec![640, 640]);
    assert_eq!(parse_int_list("[17, 3]").unwrap(), vec![17, 3]);
    assert_eq!(parse_int_list("640").unwrap(), vec![640]);
    assert_eq!(parse_int_list(" (480, 640,) ").unwrap(), vec![480, 640]);
    assert_eq!(parse_int_list("[]").unwrap(), Vec::<i64>::new());
    assert!(parse_int_list("[a]").is_err());
    assert!(parse_int_list("640 480").is_err());
    assert!(parse_int_list("").is_err());
}

#[test]
fn metadata_from_props() {
    let props: HashMap<&str, &str> = [
        ("names", "{0: 'person'}"),
        ("task", "pose"),
        ("kpt_shape", "[17, 3]"),
        ("imgsz", "[480, 640]"),
        ("end2end", "True"),
        ("stride", "32"),
        ("author", "Ultralytics"),
    ]
    .into_iter()
    .collect();
    let meta = ModelMetadata::from_props(|k| props.get(k).map(|v| v.to_string())).unwrap();
    assert_eq!(
        meta,
        ModelMetadata {
            names: vec!["person".to_string()],
            task: Some("pose".to_string()),
            kpt_shape: Some((17, 3)),
            imgsz: Some((480, 640)),
            end2end: Some(true),
            stride: Some(32),
        }
    );
    // Nothing present → all unknown.
    assert_eq!(
        ModelMetadata::from_props(|_| None).unwrap(),
        ModelMetadata::default()
    );
    let one = |key: &'static str, value: &'static str| {
        ModelMetadata::from_props(move |k| (k == key).then(|| value.to_string()))
    };
    assert_eq!(one("imgsz", "640").unwrap().imgsz, Some((640, 640)));
    assert_eq!(one("end2end", "False").unwrap().end2end, Some(false));
    let e = one("kpt_shape", "[17, x]").unwrap_err().to_string();
    assert!(e.contains("kpt_shape") && e.contains("[17, x]"), "{e}");
    let e = one("kpt_shape", "[17, 4]").unwrap_err().to_string();
    assert!(e.contains("kpt_shape") && e.contains("[17, 4]"), "{e}");
    let e = one("end2end", "maybe").unwrap_err().to_string();
    assert!(e.contains("end2end") && e.contains("maybe"), "{e}");
    let e = one("names", "{0: person}").unwrap_err().to_string();
    assert!(e.contains("names") && e.contains("{0: person}"), "{e}");
    assert!(one("stride", "0").is_err());
    assert!(one("imgsz", "[1, 2, 3]").is_err());
}

#[test]
fn resolve_uses_the_class_count_when_anchors_are_few() {
    // [1, 7, 6]: 4+3 channels × 6 anchors (v8), not 6 rows of 5+2 (with
    // end2end unknown, a last dim of 6 would read as end2end).
    let not_e2e = ModelMetadata {
        end2end: Some(false),
        ..meta_with_names(3)
    };
    let l = resolve_layout(&[1, 7, 6], &not_e2e, None).unwrap();
    assert_eq!(
        (l.kind, l.num_classes, l.anchors),
        (ModelType::Yolov8, 3, 6)
    );
    // [1, 6, 8]: 6 rows of 5+3 (v5).
    let l = resolve_layout(&[1, 6, 8], &meta_with_names(3), None).unwrap();
    assert_eq!(
        (l.kind, l.num_classes, l.anchors),
        (ModelType::Yolov5, 3, 6)
    );
}

#[test]
fn resolve_real_shapes() {
    let detect = ModelMetadata {
        task: Some("detect".to_string()),
        ..meta_with_names(80)
    };
    let l = resolve_layout(&[1, 84, 8400], &detect, None).unwrap();
    assert_eq!(
        l,
        OutputLayout {
            kind: ModelType::Yolov8,
            num_classes: 80,
            num_keypoints: 0,
            keypoint_dims: 0,
            anchors: 8400
        }
    );
    assert_eq!(l.expected_len(), 84 * 8400);

    let pose = ModelMetadata {
        task: Some("pose".to_string()),
        kpt_shape: Some((17, 3)),
        ..meta_with_names(1)
    };
    let l = resolve_layout(&[1, 56, 8400], &pose, None).unwrap();
    assert_eq!(
        l,
        OutputLayout {
            kind: ModelType::Yolov8Pose,
            num_classes: 1,
            num_keypoints: 17,
            keypoint_dims: 3,
            anchors: 8400
        }
    );
    assert_eq!(l.expected_len(), 56 * 8400);

    let e2e = ModelMetadata {
        end2end: Some(true),
        ..meta_with_names(80)
    };
    let l = resolve_layout(&[1, 300, 6], &e2e, None).unwrap();
    assert_eq!(
        (l.kind, l.num_classes, l.anchors),
        (ModelType::End2End, 80, 300)
    );
    assert_eq!(l.expected_len(), 1800);
    // Without the end2end key: width 6 and at most 1000 rows.
    let l = resolve_layout(&[1, 300, 6], &ModelMetadata::default(), None).unwrap();
    assert_eq!((l.kind, l.num_classes), (ModelType::End2End, 0));
    // Many rows of width 6: YOLOv5 with one class.
    let l = resolve_layout(&[1, 8400, 6], &ModelMetadata::default(), None).unwrap();
    assert_eq!((l.kind, l.num_classes), (ModelType::Yolov5, 1));

    let kpt = ModelMetadata {
        kpt_shape: Some((17, 3)),
        ..Default::default()
    };
    let l = resolve_layout(&[1, 300, 57], &kpt, None).unwrap();
    assert_eq!(
        l,
        OutputLayout {
            kind: ModelType::End2EndPose,
            num_classes: 0,
            num_keypoints: 17,
            keypoint_dims: 3,
            anchors: 300
        }
    );
    assert_eq!(l.expected_len(), 300 * 57);

    let l = resolve_layout(&[1, 25200, 85], &meta_with_names(80), None).unwrap();
    assert_eq!(
        (l.kind, l.num_classes, l.anchors),
        (ModelType::Yolov5, 80, 25200)
    );
    assert_eq!(l.expected_len(), 25200 * 85);
}

#[test]
fn resolve_dynamic_dims() {
    let meta = meta_with_names(80);
    let e = resolve_layout(&[1, -1, -1], &meta, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("undecidable") && e.contains("[1, ?, ?]"), "{e}");
    // Dynamic anchors: decidable, anchors unknown until the real shape.
    let l = resolve_layout(&[-1, 84, -1], &meta, None).unwrap();
    assert_eq!(
        (l.kind, l.num_classes, l.anchors),
        (ModelType::Yolov8, 80, 0)
    );
    let l = resolve_layout(&[1, 0, 85], &meta, None).unwrap();
    assert_eq!((l.kind, l.anchors), (ModelType::Yolov5, 0));
    // [1, ?, 6]: YOLOv5 with 1 class or end2end — undecidable...
    let e = resolve_layout(&[1, -1, 6], &ModelMetadata::default(), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("undecidable"), "{e}");
    // ...unless the metadata says.
    let e2e = ModelMetadata {
        end2end: Some(true),
        ..Default::default()
    };
    let l = resolve_layout(&[1, -1, 6], &e2e, None).unwrap();
    assert_eq!((l.kind, l.anchors), (ModelType::End2End, 0));
    // The channel dim may not be dynamic.
    let e = resolve_layout(&[1, -1, 8400], &meta, Some(ModelType::Yolov8))
        .unwrap_err()
        .to_string();
    assert!(e.contains("static"), "{e}");
}

#[test]
fn resolve_errors() {
    let meta = ModelMetadata::default();
    let e = resolve_layout(&[1, 7], &meta, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("[1, 7]") && e.contains("[1, 4+nc, N]"), "{e}");
    let e = resolve_layout(&[2, 84, 8400], &meta, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("batch"), "{e}");
    // v8 needs at least one class.
    assert!(resolve_layout(&[1, 4, 8400], &meta, None).is_err());
    // 80 names, 81 classes.
    let e = resolve_layout(&[1, 85, 8400], &meta_with_names(80), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("80") && e.contains("81"), "{e}");
    // Forced types must fit the shape.
    let e = resolve_layout(&[1, 84, 8400], &meta, Some(ModelType::End2End))
        .unwrap_err()
        .to_string();
    assert!(e.contains("[1, 84, 8400]") && e.contains("end2end"), "{e}");
    let e = resolve_layout(&[1, 56, 8400], &meta, Some(ModelType::Yolov8Pose))
        .unwrap_err()
        .to_string();
    assert!(e.contains("kpt_shape"), "{e}");
    let e = resolve_layout(&[1, 300, 6], &meta_with_names(80), Some(ModelType::Yolov5));
    assert!(e.is_err());
    // A forced type that fits overrides the recognition.
    let l = resolve_layout(&[1, 7, 6], &meta, Some(ModelType::Yolov8)).unwrap();
    assert_eq!(
        (l.kind, l.num_classes, l.anchors),
        (ModelType::Yolov8, 3, 6)
    );
}

/// nc = 3, 6 anchors, a 128×64 frame letterboxed into 64×64
/// (scale 0.5, 16 px padding on top and bottom).
fn v8_case() -> (OutputLayout, Vec<f32>, BoxMapping) {
    let rows = vec![
        // cx, cy, w, h, s0, s1, s2
        vec![32.0, 32.0, 16.0, 8.0, 0.9, 0.0, 0.0],  // a0
        vec![33.0, 32.0, 16.0, 8.0, 0.8, 0.0, 0.0],  // a1: IoU 15/17 with a0
        vec![33.0, 32.0, 16.0, 8.0, 0.0, 0.0, 0.7],  // a2: other class
        vec![10.0, 10.0, 8.0, 8.0, 0.0, 0.2, 0.0],   // a3: below 0.25
        vec![50.0, 30.0, 2.0, 2.0, 0.0, 0.6, 0.0],   // a4: 4×4 frame px
        vec![60.0, 32.0, 12.0, 12.0, 0.0, 0.5, 0.0], // a5: past the right edge
    ];
    let layout = OutputLayout {
        kind: ModelType::Yolov8,
        num_classes: 3,
        num_keypoints: 0,
        keypoint_dims: 0,
        anchors: 6,
    };
    let map = BoxMapping {
        scale: 0.5,
        left: 0.0,
        top: 16.0,
        frame_w: 128.0,
        frame_h: 64.0,
    };
    (layout, channel_major(&rows), map)
}

// a0: xyxy (24, 28, 40, 36) → x (24−0)/0.5 = 48, y (28−16)/0.5 = 24,
//     x2 80, y2 40 → (48, 24, 32, 16).
const A0: (BBox, f32, u32) = (BBox::new(48.0, 24.0, 32.0, 16.0), 0.9, 0);
// a1 / a2: xyxy (25, 28, 41, 36) → (50, 24, 32, 16).
const A1: (BBox, f32, u32) = (BBox::new(50.0, 24.0, 32.0, 16.0), 0.8, 0);
const A2: (BBox, f32, u32) = (BBox::new(50.0, 24.0, 32.0, 16.0), 0.7, 2);
// a4: xyxy (49, 29, 51, 31) → x 98, y (29−16)/0.5 = 26, 4 × 4.
const A4: (BBox, f32, u32) = (BBox::new(98.0, 26.0, 4.0, 4.0), 0.6, 1);
// a5: xyxy (54, 26, 66, 38) → x 108, x2 132 clipped to 128, y 20, y2 44
//     → (108, 20, 20, 24).
const A5: (BBox, f32, u32) = (BBox::new(108.0, 20.0, 20.0, 24.0), 0.5, 1);

#[test]
fn decode_yolov8_nms_and_mapping() {
    let (layout, data, map) = v8_case();
    let p = DecodeParams::default();
    let dets = decode(&layout, &data, &map, &p);
    assert_eq!(boxes(&dets), vec![A0, A2, A4, A5]);
    assert!(dets.iter().all(|d| d.keypoints.is_empty()));
}

#[test]
fn decode_yolov8_filters() {
    let (layout, data, map) = v8_case();
    let with = |f: &dyn Fn(&mut DecodeParams)| {
        let mut p = DecodeParams::default();
        f(&mut p);
        boxes(&decode(&layout, &data, &map, &p))
    };
    // a1 is class 0 too, but suppressed by a0.
    assert_eq!(with(&|p| p.classes = Some(vec![0])), vec![A0]);
    // a4 is 2 / 0.5 = 4 frame px wide.
    assert_eq!(with(&|p| p.min_size = 5.0), vec![A0, A2, A5]);
    assert_eq!(with(&|p| p.min_size = 4.0), vec![A0, A2, A4, A5]);
    assert_eq!(with(&|p| p.max_detections = 1), vec![A0]);
    assert_eq!(with(&|p| p.max_detections = 0), vec![]);
    // IoU 15/17 ≈ 0.88 < 0.95: a1 survives.
    assert_eq!(with(&|p| p.iou_threshold = 0.95), vec![A0, A1, A2, A4, A5]);
    // Strict threshold: a5's 0.5 is not > 0.5.
    assert_eq!(with(&|p| p.confidence_threshold = 0.5), vec![A0, A2, A4]);
}

#[test]
fn decoder_is_reusable() {
    let (layout, data, map) = v8_case();
    let mut dec = Decoder::new();
    let mut out = vec![];
    let p = DecodeParams::default();
    dec.decode(&layout, &data, &map, &p, &mut out).unwrap();
    dec.decode(&layout, &data, &map, &p, &mut out).unwrap();
    assert_eq!(boxes(&out), vec![A0, A2, A4, A5]);
}

#[test]
fn decode_yolov5_objectness() {
    let layout = OutputLayout {
        kind: ModelType::Yolov5,
        num_classes: 2,
        num_keypoints: 0,
        keypoint_dims: 0,
        anchors: 4,
    };
    #[rustfmt::skip]
        let data = vec![
            // cx, cy, w, h, obj, c0, c1
            100.0, 100.0, 20.0, 20.0, 0.5, 0.6, 0.1, // 0.5·0.6 = 0.3 > 0.25
            200.0, 200.0, 20.0, 20.0, 0.2, 0.0, 1.0, // obj 0.2 ≤ 0.25
            300.0, 300.0, 20.0, 20.0, 0.9, 0.1, 0.2, // 0.9·0.2 = 0.18
            400.0, 400.0, 20.0, 40.0, 0.9, 0.0, 0.8, // 0.9·0.8 = 0.72
        ];
    let dets = decode(
        &layout,
        &data,
        &identity(640.0, 640.0),
        &DecodeParams::default(),
    );
    assert_eq!(
        boxes(&dets),
        vec![
            (BBox::new(390.0, 380.0, 20.0, 40.0), 0.9f32 * 0.8f32, 1),
            (BBox::new(90.0, 90.0, 20.0, 20.0), 0.5f32 * 0.6f32, 0),
        ]
    );
}

#[test]
fn decode_yolov8_pose() {
    let (k, d) = (17usize, 3usize);
    let layout = OutputLayout {
        kind: ModelType::Yolov8Pose,
        num_classes: 1,
        num_keypoints: k,
        keypoint_dims: d,
        anchors: 3,
    };
    let kpts = |dx: f32| {
        let mut v = vec![];
        for i in 0..k {
            let x = if i == 3 {
                4.0
            } else {
                20.0 + 2.0 * i as f32 + dx
            };
            v.extend([x, 50.0 + 2.0 * i as f32, i as f32 / 20.0]);
        }
        v
    };
    let row = |b: [f32; 5], dx: f32| {
        let mut r = b.to_vec();
        r.extend(kpts(dx));
        r
    };
    let rows = vec![
        row([40.0, 60.0, 20.0, 40.0, 0.9], 0.0),
        // IoU with a0: 19·40 / (800 + 800 − 760) = 760/840 → suppressed.
        row([41.0, 60.0, 20.0, 40.0, 0.8], 1.0),
        row([10.0, 10.0, 4.0, 4.0, 0.1], 0.0),
    ];
    let data = channel_major(&rows);
    assert_eq!(data.len(), layout.expected_len());
    let map = BoxMapping {
        scale: 0.5,
        left: 10.0,
        top: 0.0,
        frame_w: 100.0,
        frame_h: 150.0,
    };
    let dets = decode(&layout, &data, &map, &DecodeParams::default());
    // xyxy (30, 40, 50, 80) → x (30−10)/0.5 = 40, y 80, x2 80,
    // y2 160 clipped to 150.
    assert_eq!(
        boxes(&dets),
        vec![(BBox::new(40.0, 80.0, 40.0, 70.0), 0.9, 0)]
    );
    let kp = &dets[0].keypoints;
    assert_eq!(kp.len(), 17);
    let at = |x: f32, y: f32, i: usize| Keypoint {
        x,
        y,
        confidence: i as f32 / 20.0,
        state: KeypointState::Measured,
    };
    // Keypoint i: x (20 + 2i − 10)/0.5 = 20 + 4i, y (50 + 2i)/0.5 = 100 + 4i.
    assert_eq!(kp[0], at(20.0, 100.0, 0));
    // x 4 → (4 − 10)/0.5 = −12 → clipped to 0.
    assert_eq!(kp[3], at(0.0, 112.0, 3));
    assert_eq!(kp[12], at(68.0, 148.0, 12));
    // y 152 → clipped to 150.
    assert_eq!(kp[13], at(72.0, 150.0, 13));
    assert_eq!(kp[16], at(84.0, 150.0, 16));
}

/// Rows of `x1, y1, x2, y2, score, class`.
fn e2e_rows() -> Vec<f32> {
    #[rustfmt::skip]
        let data = vec![
            10.0, 10.0, 50.0, 50.0, 0.9, 0.0,
            12.0, 12.0, 52.0, 52.0, 0.8, 0.0, // overlaps row 0: kept, no NMS
            60.0, 60.0, 40.0, 80.0, 0.7, 1.0, // x2 < x1: skipped
            5.0, 5.0, 15.0, 15.0, 0.1, 2.0,   // below the threshold
            70.0, 70.0, 90.0, 90.0, 0.6, 2.0,
            30.0, 40.0, 35.0, 40.0, 0.5, 1.0, // y2 = y1: skipped
        ];
    data
}

#[test]
fn decode_end2end() {
    let layout = OutputLayout {
        kind: ModelType::End2End,
        num_classes: 3,
        num_keypoints: 0,
        keypoint_dims: 0,
        anchors: 6,
    };
    let data = e2e_rows();
    let map = identity(100.0, 100.0);
    let r0 = (BBox::new(10.0, 10.0, 40.0, 40.0), 0.9, 0);
    let r1 = (BBox::new(12.0, 12.0, 40.0, 40.0), 0.8, 0);
    let r4 = (BBox::new(70.0, 70.0, 20.0, 20.0), 0.6, 2);
    let p = DecodeParams::default();
    assert_eq!(boxes(&decode(&layout, &data, &map, &p)), vec![r0, r1, r4]);
    let p = DecodeParams {
        max_detections: 2,
        ..Default::default()
    };
    assert_eq!(boxes(&decode(&layout, &data, &map, &p)), vec![r0, r1]);
    let p = DecodeParams {
        classes: Some(vec![2]),
        ..Default::default()
    };
    assert_eq!(boxes(&decode(&layout, &data, &map, &p)), vec![r4]);
    // A class id beyond the known classes is a bogus row.
    let mut bad = data.clone();
    bad[5] = 3.0;
    let p = DecodeParams::default();
    assert_eq!(boxes(&decode(&layout, &bad, &map, &p)), vec![r1, r4]);
}

#[test]
fn decode_end2end_pose() {
    let layout = OutputLayout {
        kind: ModelType::End2EndPose,
        num_classes: 1,
        num_keypoints: 2,
        keypoint_dims: 2,
        anchors: 2,
    };
    #[rustfmt::skip]
        let data = vec![
            10.0, 20.0, 30.0, 60.0, 0.8, 0.0, 12.0, 22.0, 200.0, -4.0,
            0.0, 0.0, 10.0, 10.0, 0.1, 0.0, 1.0, 1.0, 2.0, 2.0,
        ];
    assert_eq!(data.len(), layout.expected_len());
    // A 50×50 frame upscaled into a 100×100 input: frame = input / 2.
    let map = BoxMapping {
        scale: 2.0,
        left: 0.0,
        top: 0.0,
        frame_w: 50.0,
        frame_h: 50.0,
    };
    let dets = decode(&layout, &data, &map, &DecodeParams::default());
    assert_eq!(
        boxes(&dets),
        vec![(BBox::new(5.0, 10.0, 10.0, 20.0), 0.8, 0)]
    );
    let kp = |x, y| Keypoint {
        x,
        y,
        confidence: 1.0,
        state: KeypointState::Measured,
    };
    // (12, 22) → (6, 11); (200, −4) → (100, −2) → clipped (50, 0).
    assert_eq!(dets[0].keypoints, vec![kp(6.0, 11.0), kp(50.0, 0.0)]);
}

#[test]
fn nan_scores_never_pass() {
    let map = identity(64.0, 64.0);
    let p = DecodeParams::default();
    let v8 = OutputLayout {
        kind: ModelType::Yolov8,
        num_classes: 1,
        num_keypoints: 0,
        keypoint_dims: 0,
        anchors: 2,
    };
    let data = channel_major(&[
        vec![10.0, 10.0, 4.0, 4.0, f32::NAN],
        vec![20.0, 20.0, 4.0, 4.0, 0.5],
    ]);
    assert_eq!(
        boxes(&decode(&v8, &data, &map, &p)),
        vec![(BBox::new(18.0, 18.0, 4.0, 4.0), 0.5, 0)]
    );
    let v5 = OutputLayout {
        kind: ModelType::Yolov5,
        num_classes: 2,
        anchors: 2,
        ..v8
    };
    #[rustfmt::skip]
        let data = [
            10.0, 10.0, 4.0, 4.0, f32::NAN, 1.0, 1.0,
            10.0, 10.0, 4.0, 4.0, 1.0, 0.9, f32::NAN,
        ];
    assert!(decode(&v5, &data, &map, &p).is_empty());
    let e2e = OutputLayout {
        kind: ModelType::End2End,
        num_classes: 0,
        anchors: 2,
        ..v8
    };
    #[rustfmt::skip]
        let data = [
            1.0, 1.0, 5.0, 5.0, f32::NAN, 0.0,
            1.0, 1.0, 5.0, 5.0, 0.3, 7.0,
        ];
    assert_eq!(
        boxes(&decode(&e2e, &data, &map, &p)),
        vec![(BBox::new(1.0, 1.0, 4.0, 4.0), 0.3, 7)]
    );
}

#[test]
fn wrong_data_length_is_an_error() {
    let (layout, data, map) = v8_case();
    let mut out = vec![Detection {
        bbox: A0.0,
        score: A0.1,
        class_id: A0.2,
        keypoints: vec![],
    }];
    let e = Decoder::new()
        .decode(
            &layout,
            &data[..41],
            &map,
            &DecodeParams::default(),
            &mut out,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("41") && e.contains("42"), "{e}");
    assert!(out.is_empty());
    let bad_map = BoxMapping { scale: 0.0, ..map };
    assert!(Decoder::new()
        .decode(&layout, &data, &bad_map, &DecodeParams::default(), &mut out)
        .is_err());
}
