// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
#![allow(clippy::non_send_fields_in_send_ty, unused_doc_comments)]

//! gst-rstracking: GStreamer elements for multi-object tracking.
//!
//! * `rsdetect` — detects objects and poses with YOLO ONNX models (ONNX
//!   Runtime), or imports stored detections (MOT `det.txt`, our JSON Lines).
//! * `rsbytetrack` — ByteTrack multi-object tracker, at parity with the
//!   reference implementation.
//! * `rsjsonsink` — writes JSON Lines (schema `rstracking/1`) or MOTChallenge
//!   result files, plus an optional per-track summary.
//! * `rsposesmooth` — smooths keypoints per track, predicts and interpolates
//!   short gaps.
//! * `rsoverlay` — draws boxes, ids and skeletons into the video.
//! * `rsreid` — batched re-identification embeddings per object (ONNX).
//! * `rsclassify` — batched secondary classification of object crops (ONNX).
//! * `rscropsink` — writes crops of tracked objects as JPEG files (filters,
//!   best shot per track, bounded writer queue, JSON Lines index).
//! * `rsmtmcagg` — one global id per person across camera streams.
//! * `rsaction` — skeleton action recognition on per-track keypoint windows
//!   (ONNX, batched).
//! * `rsstride` — passes one buffer in N (or keyframes only) so that
//!   decoding, conversion and analysis run on the analysed frames only.
//! * `rswebview` — browser live view: JPEG frames as MJPEG over HTTP.
//!
//! The algorithms live in the GStreamer-free `rstracking-core` crate,
//! re-exported here as [`core`].

use gst::glib;

pub use rstracking_core as core;

mod action;
mod broker;
mod bytetrack;
mod camerasrc;
mod classify;
mod crops;
mod cropsink;
mod detect;
pub use detect::infer;
pub mod interop;
mod jsonsink;
pub mod meta;
mod msgsink;
mod msgsrc;
mod mtmcagg;
pub mod onnx;
mod overlay;
mod posesmooth;
mod reid;
mod reset;
mod times;
/// rsaction's model runner (for the benchmark).
pub use action::model as action_model;
pub use reid::embedder;
pub mod stats;
mod stride;
mod webview;
mod zones;

fn plugin_init(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    meta::register();
    reset::register();
    {
        use gst::prelude::*;
        interop::PublishMeta::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    }
    detect::register(plugin)?;
    bytetrack::register(plugin)?;
    jsonsink::register(plugin)?;
    posesmooth::register(plugin)?;
    overlay::register(plugin)?;
    reid::register(plugin)?;
    classify::register(plugin)?;
    cropsink::register(plugin)?;
    mtmcagg::register(plugin)?;
    camerasrc::register(plugin)?;
    webview::register(plugin)?;
    msgsink::register(plugin)?;
    msgsrc::register(plugin)?;
    zones::register(plugin)?;
    action::register(plugin)?;
    stride::register(plugin)?;
    Ok(())
}

gst::plugin_define!(
    rstracking,
    env!("CARGO_PKG_DESCRIPTION"),
    plugin_init,
    concat!(env!("CARGO_PKG_VERSION"), "-", env!("COMMIT_ID")),
    "MIT/X11",
    env!("CARGO_PKG_NAME"),
    env!("CARGO_PKG_NAME"),
    "https://github.com/gst-rstracking/gst-rstracking",
    env!("BUILD_REL_DATE")
);

/// Caps accepted by the elements that only read/write the meta: any raw
/// video, in any memory.
pub(crate) fn video_caps_any() -> gst::Caps {
    let mut caps = gst::Caps::builder("video/x-raw").build();
    caps.merge(gst::Caps::builder("video/x-raw").any_features().build());
    caps
}

/// "sink" and "src" Always templates with [`video_caps_any`], for the
/// in-place BaseTransform elements that only touch the meta.
pub(crate) fn meta_transform_pad_templates() -> Vec<gst::PadTemplate> {
    sink_src_templates(&video_caps_any())
}

/// "src" and "sink" Always pad templates with `caps`.
fn sink_src_templates(caps: &gst::Caps) -> Vec<gst::PadTemplate> {
    [
        ("src", gst::PadDirection::Src),
        ("sink", gst::PadDirection::Sink),
    ]
    .into_iter()
    .map(|(name, dir)| {
        gst::PadTemplate::new(name, dir, gst::PadPresence::Always, caps)
            .expect("valid pad template")
    })
    .collect()
}

/// Raw video formats that rsdetect and rsoverlay read and write directly,
/// and their core pixel layouts.
const RAW_FORMATS: [(gst_video::VideoFormat, core::image::PixelLayout); 12] = {
    use core::image::PixelLayout as L;
    use gst_video::VideoFormat as F;
    [
        (F::Rgb, L::Rgb),
        (F::Bgr, L::Bgr),
        (F::Rgbx, L::Rgbx),
        (F::Bgrx, L::Bgrx),
        (F::Xrgb, L::Xrgb),
        (F::Xbgr, L::Xbgr),
        (F::Rgba, L::Rgba),
        (F::Bgra, L::Bgra),
        (F::Argb, L::Argb),
        (F::Abgr, L::Abgr),
        (F::I420, L::I420),
        (F::Nv12, L::Nv12),
    ]
};

/// System-memory raw video in one of [`RAW_FORMATS`].
pub(crate) fn raw_rgb_yuv_caps() -> gst::Caps {
    gst_video::VideoCapsBuilder::new()
        .format_list(RAW_FORMATS.iter().map(|(f, _)| *f))
        .build()
}

pub(crate) fn pixel_layout(f: gst_video::VideoFormat) -> Option<core::image::PixelLayout> {
    RAW_FORMATS.iter().find(|(g, _)| *g == f).map(|(_, l)| *l)
}

/// A mapped video frame as the core's borrowed [`core::image::Frame`].
pub(crate) fn core_frame<'a>(
    vf: &'a gst_video::VideoFrameRef<&gst::BufferRef>,
    layout: core::image::PixelLayout,
) -> core::image::Frame<'a> {
    use gst_video::prelude::*;
    let mut planes: [&[u8]; 3] = [&[]; 3];
    let mut strides = [0usize; 3];
    let n = (vf.n_planes() as usize).min(3);
    for (i, (p, st)) in planes
        .iter_mut()
        .zip(strides.iter_mut())
        .enumerate()
        .take(n)
    {
        *p = vf.plane_data(i as u32).unwrap_or(&[]);
        *st = vf.plane_stride()[i].max(0) as usize;
    }
    core::image::Frame {
        layout,
        width: vf.width() as usize,
        height: vf.height() as usize,
        planes,
        strides,
    }
}

/// "sink" and "src" Always templates with [`raw_rgb_yuv_caps`], for the
/// in-place elements that read or draw pixels.
pub(crate) fn raw_transform_pad_templates() -> Vec<gst::PadTemplate> {
    sink_src_templates(&raw_rgb_yuv_caps())
}

/// The YUV matrix and range of the caps' colorimetry (BT.601 when unset).
pub(crate) fn yuv_params(info: &gst_video::VideoInfo) -> core::image::YuvParams {
    use core::image::{YuvMatrix, YuvParams};
    let c = info.colorimetry();
    YuvParams {
        matrix: match c.matrix() {
            gst_video::VideoColorMatrix::Bt709 => YuvMatrix::Bt709,
            gst_video::VideoColorMatrix::Bt2020 => YuvMatrix::Bt2020,
            _ => YuvMatrix::Bt601,
        },
        full_range: c.range() == gst_video::VideoColorRange::Range0_255,
    }
}

/// An identity merge travelling downstream as a serialized custom event
/// (`rstracking-merge`), in order with the buffers: rsbytetrack sends one
/// when stitching continues an old track id instead of a new one, and
/// rsmtmcagg when re-clustering finds two global ids to be one;
/// rsjsonsink writes it as a `merge` line. Applications can watch for it
/// with a pad probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeEvent {
    /// Which id the merge is about.
    pub id_kind: IdKind,
    pub from: u64,
    pub to: u64,
    pub stream: Option<String>,
}

/// A track's life cycle, travelling downstream as a serialized custom
/// event (`rstracking-track`) in front of the frame it concerns:
/// rsbytetrack sends `track_start` before the first frame that outputs the
/// track, `track_lost` before the first frame it is no longer tracked in,
/// and `track_end` before the first frame after the tracker dropped it (and
/// at EOS, flush or a new stream for the tracks still alive). rsjsonsink
/// writes them as lines (`track_end` with the track's summary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackEvent {
    pub kind: TrackEventKind,
    pub track_id: u64,
    pub stream: Option<String>,
}

/// What happened to the track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackEventKind {
    Start,
    Lost,
    End,
}

impl TrackEventKind {
    /// The JSON `event` value.
    pub fn as_str(self) -> &'static str {
        match self {
            TrackEventKind::Start => "track_start",
            TrackEventKind::Lost => "track_lost",
            TrackEventKind::End => "track_end",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "track_start" => Some(TrackEventKind::Start),
            "track_lost" => Some(TrackEventKind::Lost),
            "track_end" => Some(TrackEventKind::End),
            _ => None,
        }
    }
}

/// What travels downstream as a serialized custom event and may also be
/// posted as an element message with the same structure.
pub trait TrackingEvent {
    /// The structure's name.
    const NAME: &'static str;

    /// The fields, in a structure named [`TrackingEvent::NAME`].
    fn structure(&self) -> gst::Structure;

    /// The serialized downstream event.
    fn to_event(&self) -> gst::Event {
        gst::event::CustomDownstream::new(self.structure())
    }

    /// The element message an application sees on the bus (same fields).
    fn to_message(&self, src: &gst::Element) -> gst::Message {
        gst::message::Element::builder(self.structure())
            .src(src)
            .build()
    }
}

impl TrackingEvent for TrackEvent {
    const NAME: &'static str = "rstracking-track";

    fn structure(&self) -> gst::Structure {
        gst::Structure::builder(Self::NAME)
            .field("event", self.kind.as_str())
            .field("track_id", self.track_id)
            .field("stream", self.stream.clone())
            .build()
    }
}

impl TrackEvent {
    pub fn from_structure(s: &gst::StructureRef) -> Option<Self> {
        if s.name() != Self::NAME {
            return None;
        }
        Some(Self {
            kind: TrackEventKind::parse(s.get::<&str>("event").ok()?)?,
            track_id: s.get("track_id").ok()?,
            stream: s.get::<Option<String>>("stream").ok().flatten(),
        })
    }
}

/// The kind of id a [`MergeEvent`] merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// A tracker's `track_id` (rsbytetrack stitching).
    TrackId,
    /// A cross-camera `global_id` (rsmtmcagg).
    GlobalId,
}

impl IdKind {
    /// The name used in events, bus messages and JSON (`track_id`,
    /// `global_id`).
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::TrackId => "track_id",
            IdKind::GlobalId => "global_id",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "track_id" => Some(IdKind::TrackId),
            "global_id" => Some(IdKind::GlobalId),
            _ => None,
        }
    }
}

impl TrackingEvent for MergeEvent {
    const NAME: &'static str = "rstracking-merge";

    fn structure(&self) -> gst::Structure {
        gst::Structure::builder(Self::NAME)
            .field("id", self.id_kind.as_str())
            .field("from", self.from)
            .field("to", self.to)
            .field("stream", self.stream.clone())
            .build()
    }
}

impl MergeEvent {
    pub fn from_structure(s: &gst::StructureRef) -> Option<Self> {
        if s.name() != Self::NAME {
            return None;
        }
        let id_kind = IdKind::parse(s.get::<&str>("id").ok()?)?;
        Some(Self {
            id_kind,
            from: s.get("from").ok()?,
            to: s.get("to").ok()?,
            stream: s.get::<Option<String>>("stream").ok().flatten(),
        })
    }
}

/// The track id of a `track_end` event (rsbytetrack), None for any other
/// event: what the elements that keep per-track state free on.
pub(crate) fn ended_track(event: &gst::Event) -> Option<u64> {
    event
        .structure()
        .and_then(TrackEvent::from_structure)
        .filter(|t| t.kind == TrackEventKind::End)
        .map(|t| t.track_id)
}

/// The running time of `buffer`'s PTS in `segment` (a time segment).
pub(crate) fn running_time(
    segment: &gst::Segment,
    buffer: &gst::BufferRef,
) -> Option<gst::ClockTime> {
    let pts = buffer.pts()?;
    segment
        .downcast_ref::<gst::ClockTime>()?
        .to_running_time(pts)
}

/// Width and height of raw video caps; 0 where a field is missing (meta-only
/// or unfixed caps).
#[allow(deprecated)] // `value_by_quark`: see `interop::add_roi`
pub(crate) fn caps_size(caps: &gst::Caps) -> (u32, u32) {
    // Interned once: a field name is looked up under GLib's global quark
    // lock otherwise, and this runs per buffer where metas are published.
    static NAMES: std::sync::LazyLock<[glib::Quark; 2]> = std::sync::LazyLock::new(|| {
        [
            glib::Quark::from_str("width"),
            glib::Quark::from_str("height"),
        ]
    });
    let Some(s) = caps.structure(0) else {
        return (0, 0);
    };
    let dim = |q: glib::Quark| {
        s.value_by_quark(q)
            .ok()
            .and_then(|v| v.get::<i32>().ok())
            .unwrap_or(0)
            .max(0) as u32
    };
    (dim(NAMES[0]), dim(NAMES[1]))
}

/// Custom events written as JSON lines as they are (fields in order):
/// rszones' `rstracking-zone` and rsbytetrack's `rstracking-cut`.
pub(crate) fn is_line_event(s: &gst::StructureRef) -> bool {
    matches!(s.name().as_str(), "rstracking-zone" | "rstracking-cut")
}

/// The JSON line of an event of [`is_line_event`]: `schema`, then the
/// structure's fields in order (strings, integers, floats, booleans; other
/// types are left out).
pub(crate) fn structure_event_line(z: &gst::StructureRef) -> String {
    let mut line = format!("{{\"schema\":\"{}\"", core::io::schema::SCHEMA);
    for (k, v) in z.iter() {
        let j: serde_json::Value = if let Ok(s) = v.get::<String>() {
            s.into()
        } else if let Ok(n) = v.get::<u64>() {
            n.into()
        } else if let Ok(n) = v.get::<u32>() {
            n.into()
        } else if let Ok(n) = v.get::<i64>() {
            n.into()
        } else if let Ok(n) = v.get::<i32>() {
            n.into()
        } else if let Ok(f) = v.get::<f64>() {
            f.into()
        } else if let Ok(b) = v.get::<bool>() {
            b.into()
        } else {
            continue;
        };
        line.push_str(&format!(",{}:{}", serde_json::Value::from(k.as_str()), j));
    }
    line.push('}');
    line
}

/// The error of a setting an element cannot start with (`msg` names the
/// property and the cause).
pub(crate) fn settings_error(msg: String) -> gst::ErrorMessage {
    gst::error_msg!(gst::LibraryError::Settings, ("{}", msg))
}

/// A string property's value; None when unset or empty.
pub(crate) fn opt_string(v: &gst::glib::Value) -> Option<String> {
    v.get::<Option<String>>()
        .expect("type checked upstream")
        .filter(|s| !s.is_empty())
}

/// A property function `$name(name, nick, blurb, (min, max), default)` of
/// `$spec` for `$t` values in `min..=max`, settable in NULL/READY.
macro_rules! range_prop {
    ($(#[$doc:meta])* $name:ident, $spec:ty, $t:ty) => {
        $(#[$doc])*
        pub(crate) fn $name(
            name: &str,
            nick: &str,
            blurb: &str,
            (min, max): ($t, $t),
            default: $t,
        ) -> gst::glib::ParamSpec {
            use gst::prelude::*;
            <$spec>::builder(name)
                .nick(nick)
                .blurb(blurb)
                .minimum(min)
                .maximum(max)
                .default_value(default)
                .mutable_ready()
                .build()
        }
    };
}

range_prop!(
    /// A uint property in `min..=max`, settable in NULL/READY.
    uint_prop, gst::glib::ParamSpecUInt, u32
);
range_prop!(
    /// A double property in `min..=max`, settable in NULL/READY.
    double_prop, gst::glib::ParamSpecDouble, f64
);
range_prop!(
    /// A float property in `min..=max`, settable in NULL/READY.
    float_prop, gst::glib::ParamSpecFloat, f32
);

/// A read-only uint64 counter property.
pub(crate) fn counter_prop(name: &str, nick: &str, blurb: &str) -> gst::glib::ParamSpec {
    use gst::prelude::*;
    gst::glib::ParamSpecUInt64::builder(name)
        .nick(nick)
        .blurb(blurb)
        .read_only()
        .build()
}

/// A string property settable in NULL/READY with a default value.
pub(crate) fn string_prop_default(
    name: &str,
    nick: &str,
    blurb: &str,
    default: &str,
) -> gst::glib::ParamSpec {
    use gst::prelude::*;
    gst::glib::ParamSpecString::builder(name)
        .nick(nick)
        .blurb(blurb)
        .default_value(Some(default))
        .mutable_ready()
        .build()
}

/// A string property settable in NULL/READY (paths, names).
pub(crate) fn string_prop(name: &str, nick: &str, blurb: &str) -> gst::glib::ParamSpec {
    use gst::prelude::*;
    gst::glib::ParamSpecString::builder(name)
        .nick(nick)
        .blurb(blurb)
        .mutable_ready()
        .build()
}

/// The "sink" Always pad template of the meta sinks (rsjsonsink,
/// rsmsgsink): any video, pixels not read.
pub(crate) fn meta_sink_pad_templates() -> Vec<gst::PadTemplate> {
    vec![gst::PadTemplate::new(
        "sink",
        gst::PadDirection::Sink,
        gst::PadPresence::Always,
        &video_caps_any(),
    )
    .expect("valid template")]
}

/// Posts `s` as an element message of `element` (call without locks held).
pub(crate) fn post_element_message(
    element: &impl gst::prelude::IsA<gst::Element>,
    s: gst::Structure,
) {
    use gst::prelude::ElementExt;
    let e = element.as_ref();
    let _ = e.post_message(gst::message::Element::builder(s).src(e).build());
}
