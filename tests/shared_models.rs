// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Every model of ../shared/models loads and runs on real video frames
//! (random weights: only formats and shapes are checked, never accuracy).

mod common;

use common::{collect, shared, tmpdir};
use gstrstracking::core::types::KeypointState;

/// Model file, layout expected, keypoints per object.
const DETECTORS: [(&str, usize); 6] = [
    ("yolov8n_random.onnx", 0),
    ("yolov8n_dynamic_random.onnx", 0),
    ("yolo11n_random.onnx", 0),
    ("yolov8n-pose_random.onnx", 17),
    ("yolo26n_random.onnx", 0),
    ("yolo26n-pose_random.onnx", 17),
];

#[test]
#[ignore = "needs ../shared"]
fn every_shared_detector_loads_and_runs_on_vtest() {
    let sh = shared();
    let video = sh.join("data/video/vtest.avi");
    for (model, kpts) in DETECTORS {
        let m = sh.join("models").join(model);
        let (r, warnings) = collect(&format!(
            "filesrc location={} ! decodebin ! videoconvert ! identity eos-after=3 ! rsdetect model={} ! appsink name=sink",
            video.display(),
            m.display()
        ));
        let frames = r.unwrap_or_else(|e| panic!("{model}: {e}"));
        assert!(warnings.is_empty(), "{model}: {warnings:?}");
        // identity eos-after ends the stream after a few frames (not
        // exactly 3: buffers already on their way still pass).
        assert!(frames.len() >= 3, "{model}");
        for objs in &frames {
            let objs = objs.as_ref().expect("meta on every frame");
            // The random weights were tuned to give detections on vtest.
            assert!(!objs.is_empty(), "{model}: no detections");
            assert!(objs.len() <= 300, "{model}");
            for o in objs {
                assert!(o.confidence > 0.25 && o.confidence <= 1.0, "{model}: {o:?}");
                let b = o.bbox;
                assert!(
                    b.x >= 0.0 && b.y >= 0.0 && b.w > 0.0 && b.h > 0.0,
                    "{model}: {b:?}"
                );
                assert!(
                    b.x + b.w <= 480.001 && b.y + b.h <= 360.001,
                    "{model}: {b:?}"
                );
                assert!(o.label.is_some(), "{model}: COCO names from the metadata");
                assert_eq!(o.keypoints.len(), kpts, "{model}");
                for k in &o.keypoints {
                    assert!((0.0..=480.0).contains(&k.x) && (0.0..=360.0).contains(&k.y));
                    assert!((0.0..=1.0).contains(&k.confidence));
                    assert_eq!(k.state, KeypointState::Measured);
                }
            }
        }
    }
}

#[test]
#[ignore = "needs ../shared"]
fn pose_keypoints_reach_the_jsonl() {
    let sh = shared();
    let out = tmpdir("pose-jsonl").join("pose.jsonl");
    let (errors, _) = common::run_pipeline(&format!(
        "filesrc location={} ! decodebin ! videoconvert ! identity eos-after=2 ! rsdetect model={} ! rsbytetrack ! rsjsonsink location={}",
        sh.join("data/video/vtest.avi").display(),
        sh.join("models/yolov8n-pose_random.onnx").display(),
        out.display()
    ));
    assert!(errors.is_empty(), "{errors:?}");
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v.get("event").is_none())
        .collect();
    assert!(lines.len() >= 2);
    let objs = lines[0]["objects"].as_array().unwrap();
    assert!(!objs.is_empty());
    for o in objs {
        let k = o["keypoints"].as_array().expect("keypoints in JSONL");
        assert_eq!(k.len(), 17);
        assert_eq!(k[0].as_array().unwrap().len(), 3);
    }
}

#[test]
#[ignore = "needs ../shared"]
fn the_reid_model_loads_and_runs_but_is_not_a_detector() {
    let sh = shared();
    let m = sh.join("models/reid_osnet_x0_25_random.onnx");
    // Loads and runs in the shared runtime (rsreid will use it) ...
    let (rt, _) = gstrstracking::onnx::runtime(None).unwrap();
    let cfg = gstrstracking::onnx::SessionConfig {
        threads: 1,
        provider: gstrstracking::onnx::Provider::Cpu,
        fallback: false,
        spinning: false,
    };
    let mut loaded = gstrstracking::onnx::load_model(rt, &m, &cfg).unwrap();
    let input = vec![0.5f32; 2 * 3 * 256 * 128];
    let t =
        ort::value::TensorRef::from_array_view(([2usize, 3, 256, 128], input.as_slice())).unwrap();
    let out = loaded.session.run(ort::inputs!["images" => t]).unwrap();
    let (shape, data) = out[0].try_extract_tensor::<f32>().unwrap();
    assert_eq!(shape.iter().copied().collect::<Vec<i64>>(), [2, 512]);
    assert!(data.iter().all(|v| v.is_finite()));
    drop(out);
    // ... and rsdetect says why it cannot detect with it.
    let (r, _) = collect(&format!(
        "videotestsrc num-buffers=1 ! video/x-raw,format=RGB,width=64,height=64 ! rsdetect model={} ! appsink name=sink",
        m.display()
    ));
    let e = r.unwrap_err();
    // Its input [?, 3, 256, 128] is a valid image input; the output is not
    // a detection head.
    assert!(
        e.contains("output shape [?, 512] fits no known YOLO layout"),
        "{e}"
    );
}
