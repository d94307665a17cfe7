// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The tracking meta follows videoscale (boxes and keypoints rescaled) and
//! survives queue / videoconvert.

mod common;
use common::*;
use gstrstracking::core::types::BBox;

#[test]
fn boxes_and_keypoints_follow_videoscale() {
    init();
    let d = tmpdir("meta-scale");
    let p = d.join("in.jsonl");
    std::fs::write(
        &p,
        r#"{"schema":"rstracking/1","frame":0,"objects":[{"bbox":[100.0,40.0,200.0,80.0],"confidence":0.9,"track_id":4,"keypoints":[[320.0,240.0,1.0]]}]}"#,
    )
    .unwrap();
    let mut h = gst_check::Harness::new_parse(&format!(
        "rsdetect detections={} ! queue ! videoconvert ! videoscale ! capsfilter caps=video/x-raw,format=I420,width=320,height=120",
        p.display()
    ));
    h.set_src_caps_str("video/x-raw,format=I420,width=640,height=480,framerate=30/1");
    h.push(gst::Buffer::with_size(640 * 480 * 3 / 2).unwrap())
        .unwrap();
    let out = h.pull().unwrap();
    let objs = objects_of(&out);
    assert_eq!(objs.len(), 1);
    assert_eq!(objs[0].bbox, BBox::new(50.0, 10.0, 100.0, 20.0));
    assert_eq!(
        (objs[0].keypoints[0].x, objs[0].keypoints[0].y),
        (160.0, 60.0)
    );
    assert_eq!(objs[0].track_id, Some(4));
}
