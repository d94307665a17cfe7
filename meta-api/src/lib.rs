// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Reads what gst-rstracking's elements attach to buffers, through the
//! stock GStreamer API only: the `RsTrackingFrameMeta` structure view (a
//! `GstCustomMeta` holding a `GstStructure`) and the standard
//! `GstVideoRegionOfInterestMeta` per object. Nothing here depends on the
//! plugin's build or its Rust types, so an application can read buffers
//! produced by any installed version of the plugin (schema `rstracking/1`)
//! without linking it.
//!
//! ```no_run
//! # fn f(buffer: &gst::BufferRef) {
//! if let Some(frame) = rstracking_meta::read(buffer) {
//!     for o in &frame.objects {
//!         println!("{:?} track {:?}", o.bbox, o.track_id);
//!     }
//! }
//! # }
//! ```

/// Name of the structure view meta.
pub const FRAME_META_NAME: &str = "RsTrackingFrameMeta";

/// One frame's results, as the JSON Lines schema `rstracking/1` has them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    pub schema: String,
    pub stream: Option<String>,
    pub frame: Option<u64>,
    pub pts_ns: Option<u64>,
    pub width: u32,
    pub height: u32,
    pub objects: Vec<Object>,
}

/// One object: box (x, y, w, h in pixels of the buffer), scores, ids,
/// keypoints (x, y, confidence) and their states, embedding.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object {
    pub bbox: [f32; 4],
    pub confidence: f32,
    pub class_id: u32,
    pub label: Option<String>,
    pub track_id: Option<u64>,
    pub state: Option<String>,
    pub global_id: Option<u64>,
    pub keypoints: Vec<[f32; 3]>,
    pub keypoint_states: Vec<String>,
    pub embedding: Option<Vec<f32>>,
    pub embedding_frame: Option<u64>,
}

/// One region of interest: rectangle (rounded pixels), type (the label,
/// else the class id as text), id (the track id, -1 without one) and the
/// track id of its `tracking` params.
#[derive(Debug, Clone, PartialEq)]
pub struct Roi {
    pub rect: (u32, u32, u32, u32),
    pub roi_type: String,
    pub id: i32,
    pub track_id: Option<u64>,
}

/// Registers the structure view if nobody has (look-up-or-register: never
/// panics, and a no-op once the plugin is loaded). Only needed by an
/// application that attaches the meta itself before the plugin is loaded;
/// reading needs no registration. Registered here without a transform,
/// the meta is dropped (not left stale) by `videoscale`; the plugin's own
/// registration rescales it.
pub fn register() {
    if !gst::meta::CustomMeta::is_registered(FRAME_META_NAME) {
        gst::meta::CustomMeta::register(FRAME_META_NAME, &["video", "size"]);
    }
}

/// The structure view of `buffer`, if it has one.
pub fn read(buffer: &gst::BufferRef) -> Option<Frame> {
    let meta = gst::meta::CustomMeta::from_buffer(buffer, FRAME_META_NAME).ok()?;
    let s = meta.structure();
    let objects = s
        .get::<gst::Array>("objects")
        .map(|a| {
            a.iter()
                .filter_map(|v| v.get::<gst::Structure>().ok())
                .map(|o| object(&o))
                .collect()
        })
        .unwrap_or_default();
    Some(Frame {
        schema: s.get::<String>("schema").unwrap_or_default(),
        stream: s.get::<String>("stream").ok(),
        frame: s.get::<u64>("frame").ok(),
        pts_ns: s.get::<u64>("pts_ns").ok(),
        width: s.get::<u32>("width").unwrap_or(0),
        height: s.get::<u32>("height").unwrap_or(0),
        objects,
    })
}

fn object(o: &gst::StructureRef) -> Object {
    let f = |name: &str| o.get::<f32>(name).unwrap_or(f32::NAN);
    let floats = |name: &str| -> Vec<f32> {
        o.get::<gst::Array>(name)
            .map(|a| a.iter().filter_map(|v| v.get::<f32>().ok()).collect())
            .unwrap_or_default()
    };
    Object {
        bbox: [f("x"), f("y"), f("w"), f("h")],
        confidence: f("confidence"),
        class_id: o.get::<u32>("class_id").unwrap_or(0),
        label: o.get::<String>("label").ok(),
        track_id: o.get::<u64>("track_id").ok(),
        state: o.get::<String>("state").ok(),
        global_id: o.get::<u64>("global_id").ok(),
        keypoints: floats("keypoints")
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2]])
            .collect(),
        keypoint_states: o
            .get::<gst::Array>("keypoint_states")
            .map(|a| a.iter().filter_map(|v| v.get::<String>().ok()).collect())
            .unwrap_or_default(),
        embedding: o.get::<gst::glib::Bytes>("embedding").ok().map(|b| {
            b.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        }),
        embedding_frame: o.get::<u64>("embedding_frame").ok(),
    }
}

/// Every `GstVideoRegionOfInterestMeta` of `buffer`, in order.
pub fn rois(buffer: &gst::BufferRef) -> Vec<Roi> {
    buffer
        .iter_meta::<gst_video::VideoRegionOfInterestMeta>()
        .map(|r| Roi {
            rect: r.rect(),
            roi_type: r.roi_type().to_string(),
            id: r.id(),
            track_id: r
                .param("tracking")
                .and_then(|p| p.get::<u64>("track_id").ok()),
        })
        .collect()
}
