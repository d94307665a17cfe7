// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Reads what gst-rstracking's elements attach to buffers, through the
//! stock GStreamer API only: the `RsTrackingFrameMeta` structure view (a
//! `GstCustomMeta` holding a `GstStructure`) and the standard
//! `GstVideoRegionOfInterestMeta` per object. Nothing here depends on the
//! plugin's build or its Rust types, so an application can read buffers
//! of any installed plugin whose view has the column layout (a `count`
//! field; plugins from before the columns held an `objects` array, which
//! reads as no view) without linking it.
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
/// track id of its `detection` params.
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

/// The structure view of `buffer`, if it has one in the column layout.
pub fn read(buffer: &gst::BufferRef) -> Option<Frame> {
    let meta = gst::meta::CustomMeta::from_buffer(buffer, FRAME_META_NAME).ok()?;
    frame(meta.structure())
}

/// A frame from the structure view's structure: one field per frame field,
/// one column (a `GBytes` of little-endian numbers or an array of strings,
/// one entry per object, or per keypoint / embedding value) per object
/// field; a column no object has a value for is absent. None without a
/// `count` (not the column layout).
pub fn frame(s: &gst::StructureRef) -> Option<Frame> {
    let n = s.get::<u32>("count").ok()? as usize;
    let boxes = column4(s, "boxes", f32::from_le_bytes);
    let confidences = column4(s, "confidences", f32::from_le_bytes);
    let class_ids = column4(s, "class_ids", u32::from_le_bytes);
    let labels = strings(s, "labels");
    let track_ids = ids(s, "track_ids");
    let states = strings(s, "states");
    let global_ids = ids(s, "global_ids");
    let keypoint_counts = column4(s, "keypoint_counts", u32::from_le_bytes);
    let keypoints = column4(s, "keypoints", f32::from_le_bytes);
    let keypoint_states = strings(s, "keypoint_states");
    let embedding_dims = column4(s, "embedding_dims", u32::from_le_bytes);
    let embeddings = column4(s, "embeddings", f32::from_le_bytes);
    let embedding_frames = ids(s, "embedding_frames");
    let (mut kp, mut emb) = (0usize, 0usize);
    let objects = (0..n)
        .map(|i| {
            let nk = keypoint_counts.get(i).copied().unwrap_or(0) as usize;
            let ne = embedding_dims.get(i).copied().unwrap_or(0) as usize;
            let o = Object {
                bbox: std::array::from_fn(|k| boxes.get(4 * i + k).copied().unwrap_or(f32::NAN)),
                confidence: confidences.get(i).copied().unwrap_or(f32::NAN),
                class_id: class_ids.get(i).copied().unwrap_or(0),
                label: labels.get(i).filter(|l| !l.is_empty()).cloned(),
                track_id: track_ids.get(i).copied().flatten(),
                state: states.get(i).filter(|l| !l.is_empty()).cloned(),
                global_id: global_ids.get(i).copied().flatten(),
                keypoints: keypoints
                    .get(3 * kp..3 * (kp + nk))
                    .unwrap_or_default()
                    .chunks_exact(3)
                    .map(|c| [c[0], c[1], c[2]])
                    .collect(),
                keypoint_states: keypoint_states
                    .get(kp..kp + nk)
                    .unwrap_or_default()
                    .to_vec(),
                embedding: (ne > 0)
                    .then(|| embeddings.get(emb..emb + ne).unwrap_or_default().to_vec()),
                embedding_frame: embedding_frames.get(i).copied().flatten(),
            };
            kp += nk;
            emb += ne;
            o
        })
        .collect();
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

/// The 4-byte little-endian values of column `name`, each read by `f`
/// (`f32::from_le_bytes`, `u32::from_le_bytes`; empty if absent).
fn column4<T>(s: &gst::StructureRef, name: &str, f: fn([u8; 4]) -> T) -> Vec<T> {
    s.get::<gst::glib::Bytes>(name)
        .map(|b| {
            b.chunks_exact(4)
                .map(|c| f([c[0], c[1], c[2], c[3]]))
                .collect()
        })
        .unwrap_or_default()
}

/// An int64 id column: -1 is no id.
fn ids(s: &gst::StructureRef, name: &str) -> Vec<Option<u64>> {
    s.get::<gst::glib::Bytes>(name)
        .map(|b| {
            b.chunks_exact(8)
                .map(|c| {
                    let v = i64::from_le_bytes(c.try_into().expect("8 bytes"));
                    u64::try_from(v).ok()
                })
                .collect()
        })
        .unwrap_or_default()
}

fn strings(s: &gst::StructureRef, name: &str) -> Vec<String> {
    s.get::<gst::Array>(name)
        .map(|a| a.iter().filter_map(|v| v.get::<String>().ok()).collect())
        .unwrap_or_default()
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
                .param("detection")
                .and_then(|p| p.get::<u64>("track_id").ok()),
        })
        .collect()
}
