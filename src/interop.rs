// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Results readable by any application, from the buffer, with the stock
//! GStreamer API (C, Python with python3-gi, Rust), on GStreamer 1.22:
//!
//! * one standard `GstVideoRegionOfInterestMeta` per object: `x, y, w, h`
//!   (pixels, rounded), `roi_type` = the label (else the class id as text),
//!   `id` = the track id (-1 without one), and `params` structures named as
//!   DL Streamer's consumers expect where a convention exists:
//!   `detection` (`x_min, y_min, x_max, y_max` normalised to the frame,
//!   `confidence`, `label_id`, `label`), `tracking` (`track_id`, `state`,
//!   `global_id`), `keypoints` (`positions` = x0, y0, x1, y1, ... in
//!   pixels, `confidences`, `states`) and `rstracking` (`index` of the
//!   object in the frame, `x, y, w, h` unrounded);
//! * the structure view, a `GstCustomMeta` named
//!   [`crate::meta::FRAME_META_NAME`] whose structure holds the frame as our
//!   JSON Lines schema does: `schema`, `stream`, `frame`, `pts_ns`, `width`,
//!   `height` and `objects`, an array of `object` structures with `x, y, w,
//!   h, confidence` (float), `class_id` (uint), `label`, `track_id`
//!   (uint64), `state`, `global_id` (uint64), `keypoints` (array of floats
//!   x, y, c per point), `keypoint_states` (array of strings), `embedding`
//!   (GBytes, little-endian float32) and `embedding_frame` (uint64). Absent
//!   fields are omitted, as in the JSON.
//!
//! Both are rescaled with the frame by `videoscale`/`videoconvertscale`
//! (tags `video`, `size`) and copied by `queue`, `tee`, buffer copies.
//! Elements that write objects attach them with `publish-meta` (`auto`:
//! only when the next element is not one of ours, which reads the fast
//! Rust meta instead).

use crate::meta::FRAME_META_NAME;
use gst::glib;
use gst::prelude::*;
use rstracking_core::types::{FrameObjects, Object};

/// When an element attaches the ROI metas and the structure view.
#[derive(Debug, Eq, PartialEq, Ord, PartialOrd, Hash, Clone, Copy, glib::Enum, Default)]
#[repr(u32)]
#[enum_type(name = "GstRsPublishMeta")]
pub enum PublishMeta {
    #[default]
    #[enum_value(
        name = "Attach them when the next element is not one of ours",
        nick = "auto"
    )]
    Auto = 0,
    #[enum_value(name = "Always attach them", nick = "on")]
    On = 1,
    #[enum_value(name = "Never attach them", nick = "off")]
    Off = 2,
}

/// The `publish-meta` property, shared by the elements that write objects.
pub fn publish_meta_param_spec() -> glib::ParamSpec {
    glib::ParamSpecEnum::builder_with_default("publish-meta", PublishMeta::default())
        .nick("Publish meta")
        .blurb("Attach GstVideoRegionOfInterestMeta per object and the RsTrackingFrameMeta structure for applications")
        .mutable_playing()
        .build()
}

/// Whether `element` should publish for `mode`: `auto` publishes unless the
/// downstream peer of its src pad is an element of this plugin.
pub fn should_publish(element: &gst::Element, src: &gst::Pad, mode: PublishMeta) -> bool {
    match mode {
        PublishMeta::On => true,
        PublishMeta::Off => false,
        PublishMeta::Auto => {
            let next = src.peer().and_then(|p| p.parent_element());
            let ours = next
                .and_then(|e| e.factory())
                .and_then(|f| f.plugin_name())
                .is_some_and(|n| n == "rstracking");
            let _ = element;
            !ours
        }
    }
}

/// Frame-level fields of the structure view.
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameInfo {
    pub pts_ns: Option<u64>,
    pub width: u32,
    pub height: u32,
}

/// Attaches the ROI metas and the structure view of `frame` to `buffer`,
/// replacing those attached earlier by our elements.
pub fn publish(buffer: &mut gst::BufferRef, frame: &FrameObjects, info: FrameInfo) {
    remove_our_rois(buffer);
    for (i, o) in frame.objects.iter().enumerate() {
        add_roi(buffer, i, o, info);
    }
    set_frame_structure(buffer, frame_structure(frame, info));
}

fn remove_our_rois(buffer: &mut gst::BufferRef) {
    if buffer
        .meta::<gst_video::VideoRegionOfInterestMeta>()
        .is_none()
    {
        return;
    }
    buffer.foreach_meta_mut(|mut meta| {
        use std::ops::ControlFlow::Continue;
        let ours = meta
            .downcast_ref::<gst_video::VideoRegionOfInterestMeta>()
            .is_some_and(|r| r.param("rstracking").is_some());
        Continue(if ours {
            gst::buffer::BufferMetaForeachAction::Remove
        } else {
            gst::buffer::BufferMetaForeachAction::Keep
        })
    });
}

fn add_roi(buffer: &mut gst::BufferRef, index: usize, o: &Object, info: FrameInfo) {
    let b = o.bbox;
    let px = |v: f32| v.max(0.0).round() as u32;
    let label = o.label.clone().unwrap_or_else(|| o.class_id.to_string());
    let mut roi = gst_video::VideoRegionOfInterestMeta::add(
        buffer,
        &label,
        (px(b.x), px(b.y), px(b.w), px(b.h)),
    );
    roi.set_id(o.track_id.map_or(-1, |t| t.min(i32::MAX as u64) as i32));
    let (fw, fh) = (info.width.max(1) as f64, info.height.max(1) as f64);
    let mut det = gst::Structure::builder("detection")
        .field("x_min", b.x as f64 / fw)
        .field("y_min", b.y as f64 / fh)
        .field("x_max", (b.x + b.w) as f64 / fw)
        .field("y_max", (b.y + b.h) as f64 / fh)
        .field("confidence", o.confidence as f64)
        .field("label_id", o.class_id as i32);
    if let Some(l) = &o.label {
        det = det.field("label", l.as_str());
    }
    roi.add_param(det.build());
    if o.track_id.is_some() || o.global_id.is_some() {
        let mut t = gst::Structure::builder("tracking");
        if let Some(id) = o.track_id {
            t = t.field("track_id", id);
        }
        if let Some(s) = o.track_state {
            t = t.field("state", s.as_str());
        }
        if let Some(g) = o.global_id {
            t = t.field("global_id", g);
        }
        roi.add_param(t.build());
    }
    if !o.keypoints.is_empty() {
        roi.add_param(
            gst::Structure::builder("keypoints")
                .field(
                    "positions",
                    gst::Array::new(o.keypoints.iter().flat_map(|k| [k.x, k.y])),
                )
                .field(
                    "confidences",
                    gst::Array::new(o.keypoints.iter().map(|k| k.confidence)),
                )
                .field(
                    "states",
                    gst::Array::new(o.keypoints.iter().map(|k| k.state.as_str())),
                )
                .build(),
        );
    }
    roi.add_param(
        gst::Structure::builder("rstracking")
            .field("index", index as u32)
            .field("x", b.x)
            .field("y", b.y)
            .field("w", b.w)
            .field("h", b.h)
            .build(),
    );
}

/// The structure view of `frame` (see the module docs for the fields).
pub fn frame_structure(frame: &FrameObjects, info: FrameInfo) -> gst::Structure {
    let mut s = gst::Structure::builder(FRAME_META_NAME).field("schema", "rstracking/1");
    if let Some(stream) = &frame.stream {
        s = s.field("stream", stream.as_str());
    }
    if let Some(f) = frame.frame {
        s = s.field("frame", f);
    }
    if let Some(pts) = info.pts_ns {
        s = s.field("pts_ns", pts);
    }
    s.field("width", info.width)
        .field("height", info.height)
        .field(
            "objects",
            gst::Array::new(
                frame
                    .objects
                    .iter()
                    .map(|o| object_structure(o).to_send_value()),
            ),
        )
        .build()
}

fn object_structure(o: &Object) -> gst::Structure {
    let b = o.bbox;
    let mut s = gst::Structure::builder("object")
        .field("x", b.x)
        .field("y", b.y)
        .field("w", b.w)
        .field("h", b.h)
        .field("confidence", o.confidence)
        .field("class_id", o.class_id);
    if let Some(l) = &o.label {
        s = s.field("label", l.as_str());
    }
    if let Some(t) = o.track_id {
        s = s.field("track_id", t);
    }
    if let Some(st) = o.track_state {
        s = s.field("state", st.as_str());
    }
    if let Some(g) = o.global_id {
        s = s.field("global_id", g);
    }
    if !o.keypoints.is_empty() {
        s = s
            .field(
                "keypoints",
                gst::Array::new(o.keypoints.iter().flat_map(|k| [k.x, k.y, k.confidence])),
            )
            .field(
                "keypoint_states",
                gst::Array::new(o.keypoints.iter().map(|k| k.state.as_str())),
            );
    }
    if let Some(e) = &o.embedding {
        let bytes: Vec<u8> = e.iter().flat_map(|v| v.to_le_bytes()).collect();
        s = s.field("embedding", glib::Bytes::from_owned(bytes));
        if let Some(f) = o.embedding_frame {
            s = s.field("embedding_frame", f);
        }
    }
    s.build()
}

/// Puts `content`'s fields into the buffer's structure view (added if
/// missing), replacing what it held.
pub(crate) fn set_frame_structure(buffer: &mut gst::BufferRef, content: gst::Structure) {
    let meta = match gst::meta::CustomMeta::from_mut_buffer(buffer, FRAME_META_NAME) {
        Ok(m) => Some(m),
        Err(_) => gst::meta::CustomMeta::add(buffer, FRAME_META_NAME).ok(),
    };
    let Some(mut meta) = meta else {
        return;
    };
    let s = meta.mut_structure();
    s.remove_all_fields();
    for (name, value) in content.iter() {
        s.set_value(name, value.clone());
    }
}

/// Rescales the structure view for a frame resized by `sx` × `sy` to
/// `width` × `height`.
pub(crate) fn scale_structure(
    s: &mut gst::StructureRef,
    width: u32,
    height: u32,
    sx: f32,
    sy: f32,
) {
    s.set("width", width);
    s.set("height", height);
    let Ok(objects) = s.get::<gst::Array>("objects") else {
        return;
    };
    let scaled = gst::Array::new(objects.iter().map(|v| {
        let Ok(mut o) = v.get::<gst::Structure>() else {
            return v.clone();
        };
        for (f, k) in [("x", sx), ("w", sx), ("y", sy), ("h", sy)] {
            if let Ok(x) = o.get::<f32>(f) {
                o.set(f, x * k);
            }
        }
        if let Ok(kp) = o.get::<gst::Array>("keypoints") {
            let scaled = gst::Array::new(kp.iter().enumerate().map(|(i, v)| {
                let x = v.get::<f32>().unwrap_or(f32::NAN);
                match i % 3 {
                    0 => x * sx,
                    1 => x * sy,
                    _ => x,
                }
            }));
            o.set("keypoints", scaled);
        }
        o.to_send_value()
    }));
    s.set("objects", scaled);
}

/// Publishes the buffer's tracking meta when `mode` says so for the
/// element owning `sinkpad`/`srcpad` (frame size from `sinkpad`'s caps).
pub fn maybe_publish(
    sinkpad: &gst::Pad,
    srcpad: &gst::Pad,
    mode: PublishMeta,
    buffer: &mut gst::BufferRef,
) {
    let Some(element) = srcpad.parent_element() else {
        return;
    };
    if !should_publish(&element, srcpad, mode) {
        return;
    }
    let Some(frame) = buffer
        .meta::<crate::meta::TrackingMeta>()
        .map(|m| m.frame().clone())
    else {
        return;
    };
    let (width, height) = sinkpad
        .current_caps()
        .and_then(|c| {
            let s = c.structure(0)?;
            Some((s.get::<i32>("width").ok()?, s.get::<i32>("height").ok()?))
        })
        .map_or((0, 0), |(w, h)| (w.max(0) as u32, h.max(0) as u32));
    let info = FrameInfo {
        pts_ns: buffer.pts().map(|p| p.nseconds()),
        width,
        height,
    };
    publish(buffer, &frame, info);
}

/// The `publish-meta` setting of an element (lock-free: read per buffer).
#[derive(Debug, Default)]
pub struct PublishSetting(std::sync::atomic::AtomicU32);

impl PublishSetting {
    pub fn get(&self) -> PublishMeta {
        match self.0.load(std::sync::atomic::Ordering::Relaxed) {
            1 => PublishMeta::On,
            2 => PublishMeta::Off,
            _ => PublishMeta::Auto,
        }
    }

    pub fn set(&self, v: PublishMeta) {
        self.0.store(v as u32, std::sync::atomic::Ordering::Relaxed);
    }
}
