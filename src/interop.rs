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
//! unless the next element, looking through queues, is one of ours that
//! publishes itself or ends the stream (rsjsonsink); in front of rsoverlay,
//! which passes frames on, they are attached).

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

/// Elements that pass buffers on untouched, looked through by `auto`:
/// `rsdetect ! queue ! rsbytetrack` publishes once, at rsbytetrack.
const PASS_THROUGH: [&str; 2] = ["queue", "queue2"];

/// `auto`'s answer for `src`: whether its downstream peer, looking through
/// up to 4 queues, is an object writer of ours (which publishes itself) or
/// rsjsonsink, then it does not publish; and whether the answer depends
/// on `src`'s own link only (no queue in between), so it may be kept
/// until `src` is relinked.
fn auto_answer(src: &gst::Pad) -> (bool, bool) {
    let mut pad = src.clone();
    for hops in 0..5 {
        let Some(next) = pad.peer().and_then(|p| p.parent_element()) else {
            return (true, hops == 0);
        };
        let Some(name) = next.factory().map(|f| f.name()) else {
            return (true, hops == 0);
        };
        if SELF_SUFFICIENT.contains(&name.as_str()) {
            return (false, hops == 0);
        }
        match next.static_pad("src") {
            Some(out) if PASS_THROUGH.contains(&name.as_str()) => pad = out,
            _ => return (true, hops == 0),
        }
    }
    (true, false)
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

/// An empty `keypoints` param, copied per object: a copy reuses the
/// interned name, `Structure::new_empty` interns it again each time.
static KEYPOINTS: std::sync::LazyLock<gst::Structure> =
    std::sync::LazyLock::new(|| gst::Structure::new_empty("keypoints"));

static Q: std::sync::LazyLock<Quarks> = std::sync::LazyLock::new(|| {
    let q = glib::Quark::from_str;
    Quarks {
        index: q("rstracking_index"),
        track_id: q("track_id"),
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
        Some(l) => label_quark(l),
        None => match CLASSES.get(o.class_id as usize) {
            Some(q) => *q,
            None => glib::Quark::from_str(o.class_id.to_string()),
        },
    }
}

/// The quark of a label, from this thread's cache of the labels it met
/// (up to 64): `Quark::from_str` takes GLib's global quark lock and hashes
/// the string, and the labels are read twice per object and frame.
fn label_quark(label: &str) -> glib::Quark {
    thread_local! {
        static CACHE: std::cell::RefCell<Vec<(Box<str>, glib::Quark)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    CACHE.with_borrow_mut(|cache| {
        if let Some((_, q)) = cache.iter().find(|(l, _)| **l == *label) {
            return *q;
        }
        let q = glib::Quark::from_str(label);
        if cache.len() < 64 {
            cache.push((label.into(), q));
        }
        q
    })
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
    roi.add_param(crate::meta::detection_param(&crate::meta::Detection {
        bbox: [
            b.x as f64 / fw,
            b.y as f64 / fh,
            (b.x + b.w) as f64 / fw,
            (b.y + b.h) as f64 / fh,
        ],
        confidence: o.confidence as f64,
        label_id: o.class_id as i32,
        // A tracked object is found in the view by its track id; the
        // index as well would make the param spill out of the 8 fields
        // GStreamer allocates with it (1 µs per frame of 15 objects).
        id: match o.track_id {
            Some(t) => crate::meta::RoiId::Track(t),
            None => crate::meta::RoiId::Index(index as u32),
        },
        global_id: o.global_id,
        state: o.track_state.map(track_state_str),
    }));
    if !o.keypoints.is_empty() {
        let mut k = KEYPOINTS.clone();
        k.set_by_quark(
            q.positions,
            gst::Array::new(o.keypoints.iter().flat_map(|k| [k.x, k.y])),
        );
        k.set_by_quark(
            q.confidences,
            gst::Array::new(o.keypoints.iter().map(|k| k.confidence)),
        );
        k.set_value_by_quark(
            q.states,
            crate::meta::static_str_array(o.keypoints.iter().map(|k| keypoint_state_str(k.state))),
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

fn keypoint_state_str(s: rstracking_core::types::KeypointState) -> &'static glib::GStr {
    use rstracking_core::types::KeypointState as S;
    let g: &'static glib::GStr = match s {
        S::Measured => glib::gstr!("measured"),
        S::Smoothed => glib::gstr!("smoothed"),
        S::Predicted => glib::gstr!("predicted"),
        S::Interpolated => glib::gstr!("interpolated"),
        S::Missing => glib::gstr!("missing"),
    };
    debug_assert_eq!(g.as_str(), s.as_str());
    g
}

/// One column of the structure view: `count` values, little-endian,
/// written in place into a `GBytes` (g_malloc'd, so aligned for any type
/// and readers in C may cast it).
fn column<T: bytemuck::Pod>(count: usize, values: impl IntoIterator<Item = T>) -> glib::Bytes {
    let size = std::mem::size_of::<T>();
    crate::meta::bytes_with(count * size, |buf| {
        let mut written = 0;
        for (dst, v) in buf.chunks_exact_mut(size).zip(values) {
            dst.copy_from_slice(bytemuck::bytes_of(&v));
            written += 1;
        }
        debug_assert_eq!(written, count);
    })
}

/// `v` as stored in a column (little-endian whatever the host).
fn le_f32(v: f32) -> f32 {
    f32::from_bits(v.to_bits().to_le())
}

/// An optional id as stored in a column: int64, -1 for none.
fn id_column(v: Option<u64>) -> i64 {
    v.map_or(-1, |v| v.min(i64::MAX as u64) as i64).to_le()
}

/// Sets the structure view's fields of `frame` on `s`: the frame's fields,
/// then one column per object field (see the module documentation); a
/// column none of the objects has a value for is left out.
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
    let objects = &frame.objects;
    let n = objects.len();
    s.set_by_quark(q.count, n as u32);
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
    let boxes = objects
        .iter()
        .flat_map(|o| [o.bbox.x, o.bbox.y, o.bbox.w, o.bbox.h].map(le_f32));
    s.set_by_quark(q.boxes, column(4 * n, boxes));
    let confidences = objects.iter().map(|o| le_f32(o.confidence));
    s.set_by_quark(q.confidences, column(n, confidences));
    let class_ids = objects.iter().map(|o| o.class_id.to_le());
    s.set_by_quark(q.class_ids, column(n, class_ids));
    const NONE: &glib::GStr = glib::gstr!("");
    if labels {
        let labels = objects.iter().map(|o| match &o.label {
            // Quark strings live as long as the process.
            Some(l) => label_quark(l).as_str(),
            None => NONE,
        });
        s.set_value_by_quark(q.labels, crate::meta::static_str_array(labels));
    }
    if tracks {
        let ids = objects.iter().map(|o| id_column(o.track_id));
        s.set_by_quark(q.track_ids, column(n, ids));
    }
    if states {
        let states = objects
            .iter()
            .map(|o| o.track_state.map_or(NONE, track_state_str));
        s.set_value_by_quark(q.states, crate::meta::static_str_array(states));
    }
    if globals {
        let ids = objects.iter().map(|o| id_column(o.global_id));
        s.set_by_quark(q.global_ids, column(n, ids));
    }
    if points > 0 {
        let counts = objects.iter().map(|o| (o.keypoints.len() as u32).to_le());
        s.set_by_quark(q.keypoint_counts, column(n, counts));
        let keypoints = objects.iter().flat_map(|o| &o.keypoints);
        let xyc = keypoints
            .clone()
            .flat_map(|k| [k.x, k.y, k.confidence].map(le_f32));
        s.set_by_quark(q.keypoints, column(3 * points, xyc));
        let kstates = PointStates(keypoints.map(|k| keypoint_state_str(k.state)), points);
        s.set_value_by_quark(q.keypoint_states, crate::meta::static_str_array(kstates));
    }
    if embeddings {
        let dims = objects
            .iter()
            .map(|o| (o.embedding.as_ref().map_or(0, |e| e.len()) as u32).to_le());
        s.set_by_quark(q.embedding_dims, column(n, dims));
        let all = objects
            .iter()
            .flat_map(|o| o.embedding.as_deref().unwrap_or_default())
            .map(|v| le_f32(*v));
        s.set_by_quark(q.embeddings, column(values, all));
        let frames = objects
            .iter()
            .map(|o| id_column(o.embedding.as_ref().and(o.embedding_frame)));
        s.set_by_quark(q.embedding_frames, column(n, frames));
    }
}

/// An iterator over the keypoint states of all objects with its length
/// (a `FlatMap` does not know it).
struct PointStates<I>(I, usize);

impl<I: Iterator<Item = &'static glib::GStr>> Iterator for PointStates<I> {
    type Item = &'static glib::GStr;

    fn next(&mut self) -> Option<Self::Item> {
        let v = self.0.next()?;
        self.1 -= 1;
        Some(v)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.1, Some(self.1))
    }
}

impl<I: Iterator<Item = &'static glib::GStr>> ExactSizeIterator for PointStates<I> {}

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
        let scaled = bytes.chunks_exact(4).enumerate().map(|(i, c)| {
            let v = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            // Boxes: x, y, w, h; keypoints: x, y, confidence.
            le_f32(match (i % stride, stride) {
                (0, _) | (2, 4) => v * sx,
                (1, _) | (3, 4) => v * sy,
                _ => v,
            })
        });
        s.set(name, column(bytes.len() / 4, scaled));
    }
}

/// Publishes the buffer's tracking meta when `setting` says so for the
/// element owning `sinkpad`/`srcpad`, its only sink and src pads (frame
/// size from the sink pad's caps and `auto`'s answer, kept by `setting`).
pub fn maybe_publish(
    sinkpad: &gst::Pad,
    srcpad: &gst::Pad,
    setting: &PublishSetting,
    buffer: &mut gst::BufferRef,
) {
    if setting.should_publish(srcpad) {
        publish_tracking_meta(buffer, setting.frame_size(sinkpad));
    }
}

/// [`maybe_publish`] for an element with several sink and src pads
/// (rsmtmcagg, a pair per camera): `auto`'s answer and the frame size are
/// read from the pads for each buffer.
pub fn maybe_publish_from_pads(
    sinkpad: &gst::Pad,
    srcpad: &gst::Pad,
    setting: &PublishSetting,
    buffer: &mut gst::BufferRef,
) {
    let publish = match setting.get() {
        PublishMeta::On => true,
        PublishMeta::Off => false,
        PublishMeta::Auto => auto_answer(srcpad).0,
    };
    if publish {
        publish_tracking_meta(buffer, caps_size_of(sinkpad));
    }
}

/// The frame size in `pad`'s current caps ((0, 0) without one).
fn caps_size_of(pad: &gst::Pad) -> (u32, u32) {
    pad.current_caps().map_or((0, 0), |c| crate::caps_size(&c))
}

/// Publishes the objects of `buffer`'s tracking meta on it, for a frame
/// of `(width, height)`.
fn publish_tracking_meta(buffer: &mut gst::BufferRef, (width, height): (u32, u32)) {
    // Moved out of the meta while the other metas are added (no copy of
    // the objects), then moved back.
    let Some(frame) = buffer
        .meta_mut::<crate::meta::TrackingMeta>()
        .map(|mut m| std::mem::take(m.frame_mut()))
    else {
        return;
    };
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

/// The `publish-meta` setting of an element and, for `auto`, whether the
/// peer of its src pad publishes itself; the frame size of its sink pad's
/// caps (lock-free: read per buffer).
#[derive(Debug, Default)]
pub struct PublishSetting {
    mode: std::sync::atomic::AtomicU32,
    /// `auto`'s answer for the src pad's current peer: bits 0-1 are 0
    /// (not known), 1 (publish) or 2 (do not); the bits above count the
    /// pad's links and unlinks, so that an answer computed for a peer that
    /// was replaced meanwhile is not kept. Looking the peer's factory up
    /// per buffer took a lock, references and a copy of its name.
    auto: std::sync::Arc<std::sync::atomic::AtomicU32>,
    /// Set once the src pad's linked/unlinked signals reset `auto`.
    watching: std::sync::OnceLock<()>,
    /// The sink pad's frame size, width << 32 | height, plus one (0: not
    /// known), kept by the pad's `notify::caps` once connected: reading
    /// the caps per buffer took a lock, a reference and two field look-ups.
    size: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Set once the sink pad's `notify::caps` updates `size`.
    watching_caps: std::sync::OnceLock<()>,
}

impl PublishSetting {
    pub fn get(&self) -> PublishMeta {
        match self.mode.load(std::sync::atomic::Ordering::Relaxed) {
            1 => PublishMeta::On,
            2 => PublishMeta::Off,
            _ => PublishMeta::Auto,
        }
    }

    pub fn set(&self, v: PublishMeta) {
        self.mode
            .store(v as u32, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether to publish on `src` (the element's only src pad, always
    /// the same one): `on`, `off`, or for `auto` unless the downstream
    /// peer of `src` is an object writer of ours or rsjsonsink.
    pub fn should_publish(&self, src: &gst::Pad) -> bool {
        use std::sync::atomic::Ordering::{AcqRel, Acquire};
        match self.get() {
            PublishMeta::On => return true,
            PublishMeta::Off => return false,
            PublishMeta::Auto => {}
        }
        // Connected before any answer is kept (other callers wait).
        self.watching.get_or_init(|| {
            let forget = |auto: &std::sync::atomic::AtomicU32| {
                // Clears the answer and counts the change.
                let _ = auto.fetch_update(AcqRel, Acquire, |v| Some((v | 3).wrapping_add(1)));
            };
            let auto = self.auto.clone();
            src.connect_linked(move |_, _| forget(&auto));
            let auto = self.auto.clone();
            src.connect_unlinked(move |_, _| forget(&auto));
        });
        let known = self.auto.load(Acquire);
        match known & 3 {
            1 => return true,
            2 => return false,
            _ => {}
        }
        let (publish, keep) = auto_answer(src);
        if keep {
            // Kept unless the pad was linked or unlinked meanwhile.
            let answer = if publish { 1 } else { 2 };
            let _ = self
                .auto
                .compare_exchange(known, known | answer, AcqRel, Acquire);
        }
        publish
    }

    /// The frame size of `sink`'s caps, `sink` being the element's only
    /// sink pad (always the same one).
    fn frame_size(&self, sink: &gst::Pad) -> (u32, u32) {
        use std::sync::atomic::Ordering::{AcqRel, Acquire, Release};
        let pack = |(w, h): (u32, u32)| ((w as u64) << 32 | h as u64) + 1;
        let known = self.size.load(Acquire);
        if known != 0 {
            let v = known - 1;
            return ((v >> 32) as u32, v as u32);
        }
        self.watching_caps.get_or_init(|| {
            let size = self.size.clone();
            sink.connect_notify(Some("caps"), move |pad, _| {
                size.store(pack(caps_size_of(pad)), Release);
            });
        });
        let now = caps_size_of(sink);
        // Unless the caps changed meanwhile (the handler has the new size).
        let _ = self.size.compare_exchange(0, pack(now), AcqRel, Acquire);
        now
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
            assert_eq!(keypoint_state_str(s).as_str(), s.as_str());
        }
    }
}
