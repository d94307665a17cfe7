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
//!   `confidence`, `label_id`, `label`, and ours: `rstracking_index`, the
//!   object's position in the view's `objects`, which also marks the ROI as
//!   ours), `tracking` (`track_id`, `state`, `global_id`) and `keypoints`
//!   (`positions` = x0, y0, x1, y1, ... in pixels, `confidences`, `states`);
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
//! unless the next element is one of ours that publishes itself or ends the
//! stream (rsjsonsink); in front of rsoverlay, which passes frames on, they
//! are attached).

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

/// Our elements that read the fast meta and either publish themselves or
/// end the stream (rsjsonsink): nothing needs to be published in front of
/// them. rsoverlay is not one: it passes the frames on without publishing.
const SELF_SUFFICIENT: [&str; 7] = [
    "rsdetect",
    "rsbytetrack",
    "rsreid",
    "rsclassify",
    "rsposesmooth",
    "rsmtmcagg",
    "rsjsonsink",
];

/// Whether to publish on `src` for `mode`: `auto` publishes unless the
/// downstream peer of `src` is an object writer of ours (which publishes
/// itself) or rsjsonsink.
pub fn should_publish(src: &gst::Pad, mode: PublishMeta) -> bool {
    match mode {
        PublishMeta::On => true,
        PublishMeta::Off => false,
        PublishMeta::Auto => {
            let next = src.peer().and_then(|p| p.parent_element());
            let covered = next
                .and_then(|e| e.factory())
                .is_some_and(|f| SELF_SUFFICIENT.contains(&f.name().as_str()));
            !covered
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
    publish_rois(buffer, frame, info);
    publish_view(buffer, frame, info);
}

/// The ROI metas of [`publish`] alone (the benchmark times both halves).
pub fn publish_rois(buffer: &mut gst::BufferRef, frame: &FrameObjects, info: FrameInfo) {
    remove_our_rois(buffer);
    for (i, o) in frame.objects.iter().enumerate() {
        add_roi(buffer, i, o, info);
    }
}

/// The structure view of [`publish`] alone.
pub fn publish_view(buffer: &mut gst::BufferRef, frame: &FrameObjects, info: FrameInfo) {
    if let Some(mut view) = frame_view(buffer) {
        let s = view.mut_structure();
        s.remove_all_fields();
        fill_frame_structure(s, frame, info);
    }
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
            .is_some_and(|r| {
                r.param("detection")
                    .is_some_and(|d| d.has_field_with_type("rstracking_index", u32::static_type()))
            });
        Continue(if ours {
            gst::buffer::BufferMetaForeachAction::Remove
        } else {
            gst::buffer::BufferMetaForeachAction::Keep
        })
    });
}

/// Field names, interned once: GStreamer 1.22 has no static-string field
/// API, and interning a name costs a hash lookup under a global lock, which
/// dominated the cost of publishing (tens of fields per object).
struct Quarks {
    x_min: glib::Quark,
    y_min: glib::Quark,
    x_max: glib::Quark,
    y_max: glib::Quark,
    confidence: glib::Quark,
    label_id: glib::Quark,
    label: glib::Quark,
    track_id: glib::Quark,
    state: glib::Quark,
    global_id: glib::Quark,
    positions: glib::Quark,
    confidences: glib::Quark,
    states: glib::Quark,
    index: glib::Quark,
    x: glib::Quark,
    y: glib::Quark,
    w: glib::Quark,
    h: glib::Quark,
    class_id: glib::Quark,
    keypoints: glib::Quark,
    keypoint_states: glib::Quark,
    embedding: glib::Quark,
    embedding_frame: glib::Quark,
}

/// Empty structures of each name, copied per object: a copy reuses the
/// interned name, `Structure::new_empty` interns it again each time.
struct Empty {
    detection: gst::Structure,
    tracking: gst::Structure,
    keypoints: gst::Structure,
    object: gst::Structure,
}

static EMPTY: std::sync::LazyLock<Empty> = std::sync::LazyLock::new(|| Empty {
    detection: gst::Structure::new_empty("detection"),
    tracking: gst::Structure::new_empty("tracking"),
    keypoints: gst::Structure::new_empty("keypoints"),
    object: gst::Structure::new_empty("object"),
});

static Q: std::sync::LazyLock<Quarks> = std::sync::LazyLock::new(|| {
    let q = glib::Quark::from_str;
    Quarks {
        x_min: q("x_min"),
        y_min: q("y_min"),
        x_max: q("x_max"),
        y_max: q("y_max"),
        confidence: q("confidence"),
        label_id: q("label_id"),
        label: q("label"),
        track_id: q("track_id"),
        state: q("state"),
        global_id: q("global_id"),
        positions: q("positions"),
        confidences: q("confidences"),
        states: q("states"),
        index: q("rstracking_index"),
        x: q("x"),
        y: q("y"),
        w: q("w"),
        h: q("h"),
        class_id: q("class_id"),
        keypoints: q("keypoints"),
        keypoint_states: q("keypoint_states"),
        embedding: q("embedding"),
        embedding_frame: q("embedding_frame"),
    }
});

// `set_by_quark` is deprecated in favour of `set_by_id`, whose GstIdStr
// needs GStreamer 1.26; on 1.22 `set_by_id` interns the name on every call,
// the quark setter does not.
#[allow(deprecated)]
fn add_roi(buffer: &mut gst::BufferRef, index: usize, o: &Object, info: FrameInfo) {
    let q = &*Q;
    let b = o.bbox;
    let px = |v: f32| v.max(0.0).round() as u32;
    let class_label;
    let label = match &o.label {
        Some(l) => l.as_str(),
        None => {
            class_label = o.class_id.to_string();
            class_label.as_str()
        }
    };
    let mut roi = gst_video::VideoRegionOfInterestMeta::add(
        buffer,
        label,
        (px(b.x), px(b.y), px(b.w), px(b.h)),
    );
    roi.set_id(o.track_id.map_or(-1, |t| t.min(i32::MAX as u64) as i32));
    let (fw, fh) = (info.width.max(1) as f64, info.height.max(1) as f64);
    let mut det = EMPTY.detection.clone();
    det.set_by_quark(q.x_min, b.x as f64 / fw);
    det.set_by_quark(q.y_min, b.y as f64 / fh);
    det.set_by_quark(q.x_max, (b.x + b.w) as f64 / fw);
    det.set_by_quark(q.y_max, (b.y + b.h) as f64 / fh);
    det.set_by_quark(q.confidence, o.confidence as f64);
    det.set_by_quark(q.label_id, o.class_id as i32);
    if let Some(l) = &o.label {
        det.set_by_quark(q.label, l.as_str());
    }
    det.set_by_quark(q.index, index as u32);
    roi.add_param(det);
    if o.track_id.is_some() || o.global_id.is_some() {
        let mut t = EMPTY.tracking.clone();
        if let Some(id) = o.track_id {
            t.set_by_quark(q.track_id, id);
        }
        if let Some(s) = o.track_state {
            t.set_value_by_quark(q.state, state_value(s));
        }
        if let Some(g) = o.global_id {
            t.set_by_quark(q.global_id, g);
        }
        roi.add_param(t);
    }
    if !o.keypoints.is_empty() {
        let mut k = EMPTY.keypoints.clone();
        k.set_by_quark(
            q.positions,
            gst::Array::new(o.keypoints.iter().flat_map(|k| [k.x, k.y])),
        );
        k.set_by_quark(
            q.confidences,
            gst::Array::new(o.keypoints.iter().map(|k| k.confidence)),
        );
        k.set_by_quark(
            q.states,
            gst::Array::new(o.keypoints.iter().map(|k| k.state.as_str())),
        );
        roi.add_param(k);
    }
}

/// A track state as a string value that points at a static string
/// instead of a copy (two allocations less per object).
fn state_value(s: rstracking_core::types::TrackState) -> glib::SendValue {
    use rstracking_core::types::TrackState as S;
    let g: &'static glib::GStr = match s {
        S::Tentative => glib::gstr!("tentative"),
        S::Tracked => glib::gstr!("tracked"),
        S::Lost => glib::gstr!("lost"),
        S::Predicted => glib::gstr!("predicted"),
    };
    debug_assert_eq!(g.as_str(), s.as_str());
    glib::Value::from_static_str(g)
        .try_into_send_value::<String>()
        .expect("a string value")
}

/// Sets the structure view's fields of `frame` on `s` (moved in, not
/// copied: the object structures go straight into the array).
fn fill_frame_structure(s: &mut gst::StructureRef, frame: &FrameObjects, info: FrameInfo) {
    s.set("schema", "rstracking/1");
    if let Some(stream) = &frame.stream {
        s.set("stream", stream.as_str());
    }
    if let Some(f) = frame.frame {
        s.set("frame", f);
    }
    if let Some(pts) = info.pts_ns {
        s.set("pts_ns", pts);
    }
    s.set("width", info.width);
    s.set("height", info.height);
    s.set(
        "objects",
        gst::Array::new(frame.objects.iter().map(object_structure)),
    );
}

#[allow(deprecated)] // see add_roi
fn object_structure(o: &Object) -> gst::Structure {
    let q = &*Q;
    let b = o.bbox;
    let mut s = EMPTY.object.clone();
    s.set_by_quark(q.x, b.x);
    s.set_by_quark(q.y, b.y);
    s.set_by_quark(q.w, b.w);
    s.set_by_quark(q.h, b.h);
    s.set_by_quark(q.confidence, o.confidence);
    s.set_by_quark(q.class_id, o.class_id);
    if let Some(l) = &o.label {
        s.set_by_quark(q.label, l.as_str());
    }
    if let Some(t) = o.track_id {
        s.set_by_quark(q.track_id, t);
    }
    if let Some(st) = o.track_state {
        s.set_value_by_quark(q.state, state_value(st));
    }
    if let Some(g) = o.global_id {
        s.set_by_quark(q.global_id, g);
    }
    if !o.keypoints.is_empty() {
        s.set_by_quark(
            q.keypoints,
            gst::Array::new(o.keypoints.iter().flat_map(|k| [k.x, k.y, k.confidence])),
        );
        s.set_by_quark(
            q.keypoint_states,
            gst::Array::new(o.keypoints.iter().map(|k| k.state.as_str())),
        );
    }
    if let Some(e) = &o.embedding {
        let bytes = rstracking_core::embedding::to_le_bytes(e);
        s.set_by_quark(q.embedding, glib::Bytes::from_owned(bytes));
        if let Some(f) = o.embedding_frame {
            s.set_by_quark(q.embedding_frame, f);
        }
    }
    s
}

/// The buffer's structure view, added if missing.
fn frame_view(
    buffer: &mut gst::BufferRef,
) -> Option<gst::MetaRefMut<'_, gst::meta::CustomMeta, gst::meta::Standalone>> {
    if gst::meta::CustomMeta::from_buffer(buffer, FRAME_META_NAME).is_ok() {
        return gst::meta::CustomMeta::from_mut_buffer(buffer, FRAME_META_NAME).ok();
    }
    gst::meta::CustomMeta::add(buffer, FRAME_META_NAME).ok()
}

/// Copies the structure view `src` into `buffer`'s (added if missing,
/// replacing what it held), rescaled with `scale` = (width, height, sx,
/// sy) when the frame was resized. Used by the meta's transform.
pub(crate) fn copy_frame_structure(
    buffer: &mut gst::BufferRef,
    src: &gst::StructureRef,
    scale: Option<(u32, u32, f32, f32)>,
) {
    let Some(mut view) = frame_view(buffer) else {
        return;
    };
    let s = view.mut_structure();
    s.remove_all_fields();
    for (name, value) in src.iter() {
        s.set_value(name, value.clone());
    }
    if let Some((w, h, sx, sy)) = scale {
        scale_structure(s, w, h, sx, sy);
    }
}

/// Rescales the structure view for a frame resized by `sx` × `sy` to
/// `width` × `height`.
fn scale_structure(s: &mut gst::StructureRef, width: u32, height: u32, sx: f32, sy: f32) {
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
    if !should_publish(srcpad, mode) {
        return;
    }
    // Moved out of the meta while the other metas are added (no copy of
    // the objects), then moved back.
    let Some(frame) = buffer
        .meta_mut::<crate::meta::TrackingMeta>()
        .map(|mut m| std::mem::take(m.frame_mut()))
    else {
        return;
    };
    let (width, height) = sinkpad
        .current_caps()
        .map_or((0, 0), |c| crate::caps_size(&c));
    let info = FrameInfo {
        pts_ns: buffer.pts().map(|p| p.nseconds()),
        width,
        height,
    };
    publish(buffer, &frame, info);
    if let Some(mut m) = buffer.meta_mut::<crate::meta::TrackingMeta>() {
        *m.frame_mut() = frame;
    }
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
