// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rsoverlay: boxes in the id colour on RGB and I420, frames without meta
//! unchanged.

mod common;

use common::*;
use gstrstracking::core::types::{BBox, Object, TrackState};
use gstrstracking::meta::TrackingMeta;

fn overlay_harness(caps: &str) -> gst_check::Harness {
    init();
    let e = gst::ElementFactory::make("rsoverlay").build().unwrap();
    let mut h = gst_check::Harness::with_element(&e, Some("sink"), Some("src"));
    h.set_src_caps_str(caps);
    h
}

#[test]
fn overlay_draws_the_box_in_the_id_colour() {
    use gstrstracking::core::draw::id_colour;
    let mut h = overlay_harness("video/x-raw,format=RGB,width=64,height=48,framerate=30/1");
    let mut b = gst::Buffer::with_size(64 * 48 * 3).unwrap();
    {
        let bm = b.get_mut().unwrap();
        bm.map_writable().unwrap().fill(0);
        let mut o = Object::new(BBox::new(10.0, 20.0, 20.0, 10.0), 0.9, 0);
        o.track_id = Some(5);
        o.track_state = Some(TrackState::Tracked);
        TrackingMeta::add(
            bm,
            gstrstracking::core::types::FrameObjects {
                frame: None,
                stream: None,
                objects: vec![o],
            },
        );
    }
    h.push(b).unwrap();
    let out = h.pull().unwrap();
    // The objects stay in the meta (moved out while drawing, moved back).
    let objs = objects_of(&out);
    assert_eq!(objs.len(), 1);
    assert_eq!(objs[0].track_id, Some(5));
    let m = out.map_readable().unwrap();
    let c = id_colour(5);
    let px = |x: usize, y: usize| {
        let i = (y * 64 + x) * 3;
        (m[i], m[i + 1], m[i + 2])
    };
    // Bottom-left corner of the box outline, well away from the label.
    assert_eq!(px(10, 29), (c.0, c.1, c.2));
    assert_eq!(px(20, 25), (0, 0, 0), "inside the box untouched");
    assert_eq!(px(50, 40), (0, 0, 0), "outside untouched");
}

#[test]
fn overlay_on_i420_and_without_meta() {
    let mut h = overlay_harness("video/x-raw,format=I420,width=64,height=48,framerate=30/1");
    let size = 64 * 48 * 3 / 2;
    // No meta: the frame passes unchanged.
    let mut b = gst::Buffer::with_size(size).unwrap();
    b.get_mut().unwrap().map_writable().unwrap().fill(16);
    h.push(b).unwrap();
    assert!(h
        .pull()
        .unwrap()
        .map_readable()
        .unwrap()
        .iter()
        .all(|&v| v == 16));
    // A tracked box changes luma on its outline.
    let mut b = gst::Buffer::with_size(size).unwrap();
    {
        let bm = b.get_mut().unwrap();
        bm.map_writable().unwrap().fill(16);
        let mut o = Object::new(BBox::new(10.0, 20.0, 20.0, 10.0), 0.9, 0);
        o.track_id = Some(1);
        TrackingMeta::add(
            bm,
            gstrstracking::core::types::FrameObjects {
                frame: None,
                stream: None,
                objects: vec![o],
            },
        );
    }
    h.push(b).unwrap();
    let out = h.pull().unwrap();
    let m = out.map_readable().unwrap();
    assert_ne!(m[29 * 64 + 10], 16, "outline drawn on Y");
    assert_eq!(m[40 * 64 + 50], 16);
}
