// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Results readable by any application, from the buffer, with the stock
//! GStreamer API (C, Python with python3-gi, Rust), on GStreamer 1.22:
//!
//! * one standard `GstVideoRegionOfInterestMeta` per object: `x, y, w, h`
//!   (pixels, rounded), `roi_type` = the label (else the class id as text),
//!   `id` = the track id (-1 without one), and a `detection` param with
//!   the fields DL Streamer's consumers read (`x_min, y_min, x_max, y_max`
//!   normalised to the frame, `confidence`, `label_id`) and ours:
//!   `track_id`, `state`, `global_id`, and on objects without a track
//!   `rstracking_index` (the object's position in the view's columns; a
//!   tracked object is found there by its track id). `rstracking_index`
//!   or `track_id` marks the ROI as ours;
//!   objects with keypoints also get a `keypoints` param (`positions` =
//!   x0, y0, x1, y1, ... in pixels, `confidences`, `states`);
//! * the structure view, a `GstCustomMeta` named
//!   `RsTrackingFrameMeta` ([`crate::meta::FRAME_META_NAME`]) whose
//!   structure holds the frame as columns: the frame's fields `schema`, `stream`, `frame`, `pts_ns`,
//!   `width`, `height` and `count` (objects), then one field per object
//!   field, each holding the values of all `count` objects in order:
//!   `GBytes` of little-endian numbers (aligned for their type) `boxes`
//!   (float32 x, y, w, h), `confidences` (float32), `class_ids` (uint32),
//!   `track_ids` and `global_ids` (int64, -1 for none), and arrays of
//!   strings `labels` and `states` ("" for none); with keypoints on any
//!   object `keypoint_counts` (uint32 per object), `keypoints` (float32 x,
//!   y, confidence per point, objects one after the other) and
//!   `keypoint_states` (string per point); with embeddings
//!   `embedding_dims` (uint32 per object, 0 for none), `embeddings`
//!   (float32, one after the other) and `embedding_frames` (int64, -1).
//!   One value per field and frame instead of a structure per object: a
//!   GValue costs ≈ 50 ns to set and free, and a structure per object cost
//!   as much as all ROI metas together (README "Decisions").
//!
//! Both are rescaled with the frame by `videoscale`/`videoconvertscale`
//! (tags `video`, `size`) and copied by `queue`, `tee`, buffer copies.
//! Elements that write objects attach them with `publish-meta` (`auto`:
//! unless the next element is one of ours that publishes itself or ends the
//! stream (rsjsonsink); in front of rsoverlay, which passes frames on, they
//! are attached).

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
    if let Some(s) = crate::meta::frame_view_mut(buffer) {
        s.remove_all_fields();
        fill_frame_structure(s, frame, info);
    }
}

/// Whether a ROI's `detection` param is ours: it has our `track_id` or
/// (objects without a track) `rstracking_index`, names DL Streamer does
/// not use.
#[allow(deprecated)] // `value_by_quark`: see `add_roi`
fn is_ours(d: &gst::StructureRef) -> bool {
    let has = |q: glib::Quark, t: glib::Type| d.value_by_quark(q).is_ok_and(|v| v.type_() == t);
    has(Q.track_id, u64::static_type()) || has(Q.index, u32::static_type())
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
            .is_some_and(|r| r.param("detection").is_some_and(is_ours));
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
    index: glib::Quark,
    track_id: glib::Quark,
    state: glib::Quark,
    global_id: glib::Quark,
    positions: glib::Quark,
    confidences: glib::Quark,
    states: glib::Quark,
    schema: glib::Quark,
    stream: glib::Quark,
    frame: glib::Quark,
    pts_ns: glib::Quark,
    width: glib::Quark,
    height: glib::Quark,
    count: glib::Quark,
    boxes: glib::Quark,
    class_ids: glib::Quark,
    labels: glib::Quark,
    track_ids: glib::Quark,
    global_ids: glib::Quark,
    keypoint_counts: glib::Quark,
    keypoints: glib::Quark,
    keypoint_states: glib::Quark,
    embedding_dims: glib::Quark,
    embeddings: glib::Quark,
    embedding_frames: glib::Quark,
}

/// Empty structures of each name, copied per object: a copy reuses the
/// interned name, `Structure::new_empty` interns it again each time.
struct Empty {
    detection: gst::Structure,
    keypoints: gst::Structure,
}

static EMPTY: std::sync::LazyLock<Empty> = std::sync::LazyLock::new(|| Empty {
    detection: gst::Structure::new_empty("detection"),
    keypoints: gst::Structure::new_empty("keypoints"),
});

static Q: std::sync::LazyLock<Quarks> = std::sync::LazyLock::new(|| {
    let q = glib::Quark::from_str;
    Quarks {
        index: q("rstracking_index"),
        track_id: q("track_id"),
        state: q("state"),
        global_id: q("global_id"),
        positions: q("positions"),
        confidences: q("confidences"),
        states: q("states"),
        schema: q("schema"),
        stream: q("stream"),
        frame: q("frame"),
        pts_ns: q("pts_ns"),
        width: q("width"),
        height: q("height"),
        count: q("count"),
        boxes: q("boxes"),
        class_ids: q("class_ids"),
        labels: q("labels"),
        track_ids: q("track_ids"),
        global_ids: q("global_ids"),
        keypoint_counts: q("keypoint_counts"),
        keypoints: q("keypoints"),
        keypoint_states: q("keypoint_states"),
        embedding_dims: q("embedding_dims"),
        embeddings: q("embeddings"),
        embedding_frames: q("embedding_frames"),
    }
});

/// The ROI type of an object, interned: its label, else its class id as
/// text (class ids below 256 interned once).
fn roi_type(o: &Object) -> glib::Quark {
    static CLASSES: std::sync::LazyLock<Vec<glib::Quark>> = std::sync::LazyLock::new(|| {
        (0..256u32)
            .map(|c| glib::Quark::from_str(c.to_string()))
            .collect()
    });
    match &o.label {
        Some(l) => glib::Quark::from_str(l.as_str()),
        None => match CLASSES.get(o.class_id as usize) {
            Some(q) => *q,
            None => glib::Quark::from_str(o.class_id.to_string()),
        },
    }
}

// `set_by_quark` is deprecated in favour of `set_by_id`, whose GstIdStr
// needs GStreamer 1.26; on 1.22 `set_by_id` interns the name on every call,
// the quark setter does not.
#[allow(deprecated)]
fn add_roi(buffer: &mut gst::BufferRef, index: usize, o: &Object, info: FrameInfo) {
    let q = &*Q;
    let b = o.bbox;
    let px = |v: f32| v.max(0.0).round() as u32;
    let mut roi = crate::meta::add_roi(buffer, roi_type(o), (px(b.x), px(b.y), px(b.w), px(b.h)));
    roi.set_id(o.track_id.map_or(-1, |t| t.min(i32::MAX as u64) as i32));
    let (fw, fh) = (info.width.max(1) as f64, info.height.max(1) as f64);
    // One param for the box and the track (a second structure per object
    // cost 2 µs per frame of 15 objects); the label is the ROI type.
    let mut det = EMPTY.detection.clone();
    crate::meta::set_detection(
        &mut det,
        [
            b.x as f64 / fw,
            b.y as f64 / fh,
            (b.x + b.w) as f64 / fw,
            (b.y + b.h) as f64 / fh,
        ],
        o.confidence as f64,
        o.class_id as i32,
        // A tracked object is found in the view by its track id; the
        // index would make the param spill out of the 8 fields GStreamer
        // allocates with it (1 µs per frame of 15 objects).
        o.track_id.is_none().then_some(index as u32),
    );
    if let Some(id) = o.track_id {
        det.set_by_quark(q.track_id, id);
    }
    if let Some(s) = o.track_state {
        det.set_value_by_quark(q.state, static_str(track_state_str(s)));
    }
    if let Some(g) = o.global_id {
        det.set_by_quark(q.global_id, g);
    }
    roi.add_param(det);
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
            gst::Array::from_values(o.keypoints.iter().map(|k| keypoint_state_value(k.state))),
        );
        roi.add_param(k);
    }
}

/// A string value that points at `s` instead of a copy (an allocation and
/// a free less per value).
fn static_str(s: &'static glib::GStr) -> glib::SendValue {
    glib::Value::from_static_str(s)
        .try_into_send_value::<String>()
        .expect("a string value")
}

fn track_state_str(s: rstracking_core::types::TrackState) -> &'static glib::GStr {
    use rstracking_core::types::TrackState as S;
    let g: &'static glib::GStr = match s {
        S::Tentative => glib::gstr!("tentative"),
        S::Tracked => glib::gstr!("tracked"),
        S::Lost => glib::gstr!("lost"),
        S::Predicted => glib::gstr!("predicted"),
    };
    debug_assert_eq!(g.as_str(), s.as_str());
    g
}

fn keypoint_state_value(s: rstracking_core::types::KeypointState) -> glib::SendValue {
    use rstracking_core::types::KeypointState as S;
    let g: &'static glib::GStr = match s {
        S::Measured => glib::gstr!("measured"),
        S::Smoothed => glib::gstr!("smoothed"),
        S::Predicted => glib::gstr!("predicted"),
        S::Interpolated => glib::gstr!("interpolated"),
        S::Missing => glib::gstr!("missing"),
    };
    debug_assert_eq!(g.as_str(), s.as_str());
    static_str(g)
}

/// One column of the structure view: the values of one field for every
/// object, little-endian, copied into a `GBytes` (g_malloc'd, so aligned
/// for any type and readers in C may cast it; a Vec handed over would be
/// aligned only for its element type).
fn column<T: bytemuck::Pod>(v: Vec<T>) -> glib::Bytes {
    glib::Bytes::from(bytemuck::cast_slice::<T, u8>(&v))
}

/// `v` as stored in a column (little-endian whatever the host).
fn le_f32(v: f32) -> f32 {
    f32::from_bits(v.to_bits().to_le())
}

/// The per-object columns of the structure view.
struct Columns {
    boxes: Vec<f32>,
    confidences: Vec<f32>,
    class_ids: Vec<u32>,
    labels: Vec<glib::SendValue>,
    track_ids: Vec<i64>,
    states: Vec<glib::SendValue>,
    global_ids: Vec<i64>,
    keypoint_counts: Vec<u32>,
    keypoints: Vec<f32>,
    keypoint_states: Vec<glib::SendValue>,
    embedding_dims: Vec<u32>,
    embeddings: Vec<f32>,
    embedding_frames: Vec<i64>,
}

impl Columns {
    /// The columns of `objects`; a column none of them has a value for
    /// stays empty (and is left out of the view).
    fn of(objects: &[Object]) -> Self {
        let n = objects.len();
        let (mut labels, mut tracks, mut states, mut globals) = (false, false, false, false);
        let (mut points, mut embeddings, mut values) = (0usize, false, 0usize);
        for o in objects {
            labels |= o.label.is_some();
            tracks |= o.track_id.is_some();
            states |= o.track_state.is_some();
            globals |= o.global_id.is_some();
            points += o.keypoints.len();
            embeddings |= o.embedding.is_some();
            values += o.embedding.as_ref().map_or(0, |e| e.len());
        }
        let keypoints = points > 0;
        let per_object = |present: bool| if present { n } else { 0 };
        let mut c = Columns {
            boxes: Vec::with_capacity(4 * n),
            confidences: Vec::with_capacity(n),
            class_ids: Vec::with_capacity(n),
            labels: Vec::with_capacity(per_object(labels)),
            track_ids: Vec::with_capacity(per_object(tracks)),
            states: Vec::with_capacity(per_object(states)),
            global_ids: Vec::with_capacity(per_object(globals)),
            keypoint_counts: Vec::with_capacity(per_object(keypoints)),
            keypoints: Vec::with_capacity(3 * points),
            keypoint_states: Vec::with_capacity(points),
            embedding_dims: Vec::with_capacity(per_object(embeddings)),
            embeddings: Vec::with_capacity(values),
            embedding_frames: Vec::with_capacity(per_object(embeddings)),
        };
        let none = || static_str(glib::gstr!(""));
        let id = |v: Option<u64>| v.map_or(-1, |v| v.min(i64::MAX as u64) as i64).to_le();
        for o in objects {
            let b = o.bbox;
            c.boxes.extend([b.x, b.y, b.w, b.h].map(le_f32));
            c.confidences.push(le_f32(o.confidence));
            c.class_ids.push(o.class_id.to_le());
            if labels {
                c.labels.push(match &o.label {
                    Some(l) => static_str(glib::Quark::from_str(l.as_str()).as_str()),
                    None => none(),
                });
            }
            if tracks {
                c.track_ids.push(id(o.track_id));
            }
            if states {
                c.states.push(
                    o.track_state
                        .map_or_else(none, |s| static_str(track_state_str(s))),
                );
            }
            if globals {
                c.global_ids.push(id(o.global_id));
            }
            if keypoints {
                c.keypoint_counts.push((o.keypoints.len() as u32).to_le());
                for k in &o.keypoints {
                    c.keypoints.extend([k.x, k.y, k.confidence].map(le_f32));
                    c.keypoint_states.push(keypoint_state_value(k.state));
                }
            }
            if embeddings {
                let e = o.embedding.as_deref().unwrap_or_default();
                c.embedding_dims.push((e.len() as u32).to_le());
                c.embeddings.extend(e.iter().copied().map(le_f32));
                c.embedding_frames
                    .push(id(o.embedding.as_ref().and(o.embedding_frame)));
            }
        }
        c
    }
}

/// Sets the structure view's fields of `frame` on `s`: the frame's fields,
/// then one column per object field (see the module documentation).
#[allow(deprecated)] // see add_roi
fn fill_frame_structure(s: &mut gst::StructureRef, frame: &FrameObjects, info: FrameInfo) {
    let q = &*Q;
    const SCHEMA: &glib::GStr = glib::gstr!("rstracking/1");
    debug_assert_eq!(SCHEMA.as_str(), rstracking_core::io::schema::SCHEMA);
    s.set_value_by_quark(q.schema, static_str(SCHEMA));
    if let Some(stream) = &frame.stream {
        s.set_by_quark(q.stream, stream.as_str());
    }
    if let Some(f) = frame.frame {
        s.set_by_quark(q.frame, f);
    }
    if let Some(pts) = info.pts_ns {
        s.set_by_quark(q.pts_ns, pts);
    }
    s.set_by_quark(q.width, info.width);
    s.set_by_quark(q.height, info.height);
    s.set_by_quark(q.count, frame.objects.len() as u32);
    let c = Columns::of(&frame.objects);
    s.set_by_quark(q.boxes, column(c.boxes));
    s.set_by_quark(q.confidences, column(c.confidences));
    s.set_by_quark(q.class_ids, column(c.class_ids));
    if !c.labels.is_empty() {
        s.set_by_quark(q.labels, gst::Array::from_values(c.labels));
    }
    if !c.track_ids.is_empty() {
        s.set_by_quark(q.track_ids, column(c.track_ids));
    }
    if !c.states.is_empty() {
        s.set_by_quark(q.states, gst::Array::from_values(c.states));
    }
    if !c.global_ids.is_empty() {
        s.set_by_quark(q.global_ids, column(c.global_ids));
    }
    if !c.keypoint_counts.is_empty() {
        s.set_by_quark(q.keypoint_counts, column(c.keypoint_counts));
        s.set_by_quark(q.keypoints, column(c.keypoints));
        s.set_by_quark(
            q.keypoint_states,
            gst::Array::from_values(c.keypoint_states),
        );
    }
    if !c.embedding_dims.is_empty() {
        s.set_by_quark(q.embedding_dims, column(c.embedding_dims));
        s.set_by_quark(q.embeddings, column(c.embeddings));
        s.set_by_quark(q.embedding_frames, column(c.embedding_frames));
    }
}

/// Copies the structure view `src` into `buffer`'s (added if missing,
/// replacing what it held), rescaled with `scale` = (width, height, sx,
/// sy) when the frame was resized. Used by the meta's transform.
pub(crate) fn copy_frame_structure(
    buffer: &mut gst::BufferRef,
    src: &gst::StructureRef,
    scale: Option<(u32, u32, f32, f32)>,
) {
    let Some(s) = crate::meta::frame_view_mut(buffer) else {
        return;
    };
    s.remove_all_fields();
    for (name, value) in src.iter() {
        s.set_value(name, value.clone());
    }
    if let Some((w, h, sx, sy)) = scale {
        scale_structure(s, w, h, sx, sy);
    }
}

/// Rescales the structure view for a frame resized by `sx` × `sy` to
/// `width` × `height`: its `boxes` and the x, y of its `keypoints`.
fn scale_structure(s: &mut gst::StructureRef, width: u32, height: u32, sx: f32, sy: f32) {
    s.set("width", width);
    s.set("height", height);
    for (name, stride) in [("boxes", 4), ("keypoints", 3)] {
        let Ok(bytes) = s.get::<glib::Bytes>(name) else {
            continue;
        };
        let scaled: Vec<f32> = bytes
            .chunks_exact(4)
            .enumerate()
            .map(|(i, c)| {
                let v = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                // Boxes: x, y, w, h; keypoints: x, y, confidence.
                le_f32(match (i % stride, stride) {
                    (0, _) | (2, 4) => v * sx,
                    (1, _) | (3, 4) => v * sy,
                    _ => v,
                })
            })
            .collect();
        s.set(name, column(scaled));
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use rstracking_core::types::{KeypointState, TrackState};

    /// The static strings of the view and the ROI params are the core's
    /// names, for every state (not only those a run meets).
    #[test]
    fn state_strings_are_the_core_names() {
        for s in [
            TrackState::Tentative,
            TrackState::Tracked,
            TrackState::Lost,
            TrackState::Predicted,
        ] {
            assert_eq!(track_state_str(s).as_str(), s.as_str());
        }
        for s in [
            KeypointState::Measured,
            KeypointState::Smoothed,
            KeypointState::Predicted,
            KeypointState::Interpolated,
            KeypointState::Missing,
        ] {
            let v = keypoint_state_value(s);
            assert_eq!(v.get::<&str>().unwrap(), s.as_str());
        }
    }
}
