// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! What the crop-model elements (rsreid, rsclassify) share: the model,
//! normalisation and gate properties, the per-object gates, cropping a
//! mapped frame into the model's batch, and the per-track cache that
//! throttles a track to one model run every `interval` frames.

use crate::embedder::{Embedder, EmbedderConfig};
use crate::onnx::OrtSettings;
use gst::glib;
use gst::prelude::*;
use rstracking_core::image::crop::Normalize;
use rstracking_core::image::PixelLayout;
use rstracking_core::types::Object;
use std::collections::HashMap;

/// A track not seen for this many frames (at least, and at least four
/// intervals) loses its cached result.
pub(crate) const CACHE_KEEP_FRAMES: u64 = 300;

/// Blurbs of the properties whose meaning depends on the element.
pub(crate) struct Blurbs {
    pub model: &'static str,
    pub min_size: &'static str,
    pub min_confidence: &'static str,
    pub interval: &'static str,
}

/// The properties of a crop-model element: `model`, `input-size`, `mean`,
/// `std`, `min-size`, `min-confidence`, `interval` and the ORT ones.
#[derive(Debug, Clone)]
pub(crate) struct CropSettings {
    pub model: Option<String>,
    pub input_size: Option<String>,
    pub mean: String,
    pub std: String,
    pub min_size: f32,
    pub min_confidence: f32,
    pub interval: u32,
    pub ort: OrtSettings,
}

impl Default for CropSettings {
    fn default() -> Self {
        Self {
            model: None,
            input_size: None,
            mean: "0.485,0.456,0.406".into(),
            std: "0.229,0.224,0.225".into(),
            min_size: 0.0,
            min_confidence: 0.0,
            interval: 1,
            ort: OrtSettings::default(),
        }
    }
}

impl CropSettings {
    pub fn param_specs(b: &Blurbs) -> Vec<glib::ParamSpec> {
        let s = |name: &'static str, nick: &'static str, blurb: &'static str, def: Option<&str>| {
            glib::ParamSpecString::builder(name)
                .nick(nick)
                .blurb(blurb)
                .default_value(def)
                .mutable_ready()
                .build()
        };
        let d = Self::default();
        vec![
            s("model", "ONNX model", b.model, None),
            s("input-size", "Input size", "WIDTHxHEIGHT of the crops for models with a dynamic size (default: the model's size, else 128x256)", None),
            s("mean", "Mean", "Per-channel mean (R,G,B) subtracted from pixel/255", Some(&d.mean)),
            s("std", "Std", "Per-channel standard deviation (R,G,B) dividing pixel/255 - mean", Some(&d.std)),
            glib::ParamSpecFloat::builder("min-size")
                .nick("Minimum size")
                .blurb(b.min_size)
                .minimum(0.0)
                .maximum(100_000.0)
                .default_value(0.0)
                .mutable_ready()
                .build(),
            glib::ParamSpecFloat::builder("min-confidence")
                .nick("Minimum confidence")
                .blurb(b.min_confidence)
                .minimum(0.0)
                .maximum(1.0)
                .default_value(0.0)
                .mutable_ready()
                .build(),
            glib::ParamSpecUInt::builder("interval")
                .nick("Interval per track")
                .blurb(b.interval)
                .minimum(1)
                .maximum(100_000)
                .default_value(d.interval)
                .mutable_ready()
                .build(),
        ]
        .into_iter()
        .chain(OrtSettings::param_specs())
        .collect()
    }

    /// Sets one of these properties; false if `name` is not one of them.
    pub fn set(&mut self, name: &str, value: &glib::Value) -> bool {
        if self.ort.set(name, value) {
            return true;
        }
        match name {
            "model" => self.model = crate::opt_string(value),
            "input-size" => self.input_size = crate::opt_string(value),
            "mean" => self.mean = crate::opt_string(value).unwrap_or_default(),
            "std" => self.std = crate::opt_string(value).unwrap_or_default(),
            "min-size" => self.min_size = value.get().expect("type checked upstream"),
            "min-confidence" => self.min_confidence = value.get().expect("type checked upstream"),
            "interval" => self.interval = value.get().expect("type checked upstream"),
            _ => return false,
        }
        true
    }

    pub fn get(&self, name: &str) -> Option<glib::Value> {
        if let Some(v) = self.ort.get(name) {
            return Some(v);
        }
        Some(match name {
            "model" => self.model.to_value(),
            "input-size" => self.input_size.to_value(),
            "mean" => self.mean.to_value(),
            "std" => self.std.to_value(),
            "min-size" => self.min_size.to_value(),
            "min-confidence" => self.min_confidence.to_value(),
            "interval" => self.interval.to_value(),
            _ => return None,
        })
    }

    /// The model configuration; errors name the property at fault.
    /// `kind` names the model in messages ("Re-id", "Classification").
    pub fn embedder_config(&self, kind: &'static str) -> Result<EmbedderConfig, gst::ErrorMessage> {
        let Some(model) = self.model.clone() else {
            return Err(crate::settings_error(format!(
                "No 'model' set (an ONNX {} model)",
                kind.to_lowercase()
            )));
        };
        let mean = parse_triplet("mean", &self.mean).map_err(crate::settings_error)?;
        let std = parse_triplet("std", &self.std).map_err(crate::settings_error)?;
        if std.contains(&0.0) {
            return Err(crate::settings_error(format!(
                "std '{}' has a zero",
                self.std
            )));
        }
        let input_size = self
            .input_size
            .as_deref()
            .map(crate::infer::parse_input_size)
            .transpose()
            .map_err(crate::settings_error)?;
        Ok(EmbedderConfig {
            kind,
            model,
            input_size,
            norm: Normalize { mean, std },
            session: self.ort.session(false),
            ort_library: self.ort.ort_library.clone(),
        })
    }
}

/// Loads the model of `cfg`, posts its warnings on `element` and logs it.
pub(crate) fn load_model(
    element: &gst::Element,
    cat: gst::DebugCategory,
    cfg: &EmbedderConfig,
) -> Result<Embedder, gst::ErrorMessage> {
    let (model, warnings) = Embedder::load(cfg).map_err(|e| e.to_message())?;
    for w in warnings {
        gst::element_warning!(element, gst::LibraryError::Settings, ("{}", w));
    }
    gst::info!(
        cat,
        obj = element,
        "Loaded {}: input {:?}, fixed batch {:?}, output {:?}, {}",
        cfg.model,
        model.input_size(),
        model.fixed_batch(),
        model.output_dim(),
        model.runtime_description()
    );
    Ok(model)
}

pub(crate) fn parse_triplet(name: &str, s: &str) -> Result<[f32; 3], String> {
    let v: Vec<f32> = s
        .split(',')
        .map(|t| t.trim().parse::<f32>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("{name} '{s}' is not three comma-separated numbers"))?;
    match v.as_slice() {
        [a, b, c] if v.iter().all(|x| x.is_finite()) => Ok([*a, *b, *c]),
        _ => Err(format!(
            "{name} '{s}' must hold exactly three finite numbers (R,G,B)"
        )),
    }
}

/// Why an object is not run through the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gate {
    /// The box has no pixel in the frame, or is narrower or shorter (after
    /// clipping) than `min-size`.
    Size,
    /// Its confidence is below `min-confidence`.
    Confidence,
    /// A lost track's motion prediction or rsposesmooth's predicted pose:
    /// no pixels of the object to run. Not a skip: the object carries its
    /// track's cached result where the cache has a fresh one.
    Unobserved,
}

/// The gate `o` fails in a `fw`×`fh` frame, if any.
pub(crate) fn gate(
    o: &Object,
    fw: f32,
    fh: f32,
    min_size: f32,
    min_confidence: f32,
) -> Option<Gate> {
    if !o.is_observed() {
        return Some(Gate::Unobserved);
    }
    let b = o.bbox;
    let (cw, ch) = (
        (b.x + b.w).min(fw) - b.x.max(0.0),
        (b.y + b.h).min(fh) - b.y.max(0.0),
    );
    if !(cw > 0.0 && ch > 0.0) || cw < min_size || ch < min_size {
        Some(Gate::Size)
    } else if o.confidence < min_confidence {
        Some(Gate::Confidence)
    } else {
        None
    }
}

/// Parses negotiated caps into the video info and the pixel layout.
pub(crate) fn video_layout(
    cat: gst::DebugCategory,
    incaps: &gst::Caps,
) -> Result<(gst_video::VideoInfo, PixelLayout), gst::LoggableError> {
    let info = gst_video::VideoInfo::from_caps(incaps)
        .map_err(|_| gst::loggable_error!(cat, "Cannot parse caps {incaps}"))?;
    let layout = crate::pixel_layout(info.format())
        .ok_or_else(|| gst::loggable_error!(cat, "Unsupported format {:?}", info.format()))?;
    Ok((info, layout))
}

/// The error of a frame that arrives before caps.
pub(crate) fn no_caps_error(frame_idx: u64) -> gst::ErrorMessage {
    gst::error_msg!(
        gst::CoreError::Negotiation,
        (
            "Frame {}: no caps negotiated before the first buffer",
            frame_idx
        )
    )
}

/// Maps `buf` and crops `boxes` into the model's batch (`valid`: per box,
/// whether it had pixels in the frame).
fn crop_buffer(
    model: &mut Embedder,
    buf: &gst::BufferRef,
    (info, layout): (&gst_video::VideoInfo, PixelLayout),
    boxes: &[[f32; 4]],
    valid: &mut Vec<bool>,
    frame_idx: u64,
) -> Result<(), gst::ErrorMessage> {
    let vf = gst_video::VideoFrameRef::from_buffer_ref_readable(buf, info).map_err(|_| {
        gst::error_msg!(
            gst::StreamError::Failed,
            ("Frame {}: failed to map the video buffer", frame_idx)
        )
    })?;
    let frame = crate::core_frame(&vf, layout);
    model
        .crop(&frame, crate::yuv_params(info), boxes, valid)
        .map_err(|e| frame_error(frame_idx, e))
}

/// A streaming error of frame `frame_idx`.
pub(crate) fn frame_error(frame_idx: u64, e: String) -> gst::ErrorMessage {
    gst::error_msg!(gst::StreamError::Failed, ("Frame {}: {}", frame_idx, e))
}

struct Cached<T> {
    value: T,
    frame: u64,
    last_seen: u64,
}

/// The last result per track id: a track is due for a new one every
/// `interval` frames and carries the cached one in between.
pub(crate) struct TrackCache<T> {
    map: HashMap<u64, Cached<T>>,
    interval: u64,
}

impl<T> TrackCache<T> {
    pub fn new(interval: u32) -> Self {
        Self {
            map: HashMap::new(),
            interval: u64::from(interval.max(1)),
        }
    }

    /// Whether `track` has a result computed less than `interval` frames
    /// before `frame` (objects without a track id never have one).
    pub fn is_fresh(&self, track: Option<u64>, frame: u64) -> bool {
        track
            .and_then(|t| self.map.get(&t))
            .is_some_and(|c| frame - c.frame < self.interval)
    }

    pub fn insert(&mut self, track: u64, value: T, frame: u64) {
        self.map.insert(
            track,
            Cached {
                value,
                frame,
                last_seen: frame,
            },
        );
    }

    /// The fresh result of `track` and the frame it was computed on,
    /// marking the track as seen on `frame`.
    pub fn reuse(&mut self, track: Option<u64>, frame: u64) -> Option<(&T, u64)> {
        let c = self.map.get_mut(&track?)?;
        if frame - c.frame >= self.interval {
            return None;
        }
        c.last_seen = frame;
        Some((&c.value, c.frame))
    }

    /// Every 64 frames, drops the tracks not seen for a while.
    pub fn evict(&mut self, frame: u64) {
        if frame.is_multiple_of(64) {
            let keep = CACHE_KEEP_FRAMES.max(4 * self.interval);
            self.map.retain(|_, c| c.last_seen + keep >= frame);
        }
    }

    pub fn clear(&mut self) {
        self.map.clear();
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}

/// One frame's crops: the video format, the frame count and the boxes
/// selected for the model (scratch, reused).
pub(crate) struct Batch {
    info: Option<gst_video::VideoInfo>,
    layout: PixelLayout,
    /// Index of the next frame.
    pub frame: u64,
    boxes: Vec<[f32; 4]>,
    /// Per selected box, the index of its object.
    pub which: Vec<usize>,
    /// Per selected box, whether it had pixels in the frame.
    pub valid: Vec<bool>,
}

impl Batch {
    pub fn new() -> Self {
        Self {
            info: None,
            layout: PixelLayout::Rgb,
            frame: 0,
            boxes: Vec::new(),
            which: Vec::new(),
            valid: Vec::new(),
        }
    }

    /// The frame size, or the error of a buffer that came before caps;
    /// clears the selection.
    pub fn begin(&mut self, frame_idx: u64) -> Result<(f32, f32), gst::ErrorMessage> {
        self.boxes.clear();
        self.which.clear();
        let info = self.info.as_ref().ok_or_else(|| no_caps_error(frame_idx))?;
        Ok((info.width() as f32, info.height() as f32))
    }

    /// Selects object `i` for the model.
    pub fn push(&mut self, i: usize, o: &Object) {
        let b = o.bbox;
        self.boxes.push([b.x, b.y, b.w, b.h]);
        self.which.push(i);
    }

    pub fn len(&self) -> usize {
        self.boxes.len()
    }

    /// Maps `buf` and crops the selected boxes into `model`'s batch.
    pub fn crop(
        &mut self,
        model: &mut Embedder,
        buf: &gst::BufferRef,
        frame_idx: u64,
    ) -> Result<(), gst::ErrorMessage> {
        let Some(info) = self.info.as_ref().filter(|_| !self.boxes.is_empty()) else {
            return Ok(());
        };
        crop_buffer(
            model,
            buf,
            (info, self.layout),
            &self.boxes,
            &mut self.valid,
            frame_idx,
        )
    }
}

/// The per-stream state of a crop-model element, driven by [`CropElement`].
pub(crate) trait FrameModel: Send {
    /// What one frame's run reports.
    type Counts;
    fn batch(&mut self) -> &mut Batch;
    /// Forgets the per-track results (flush).
    fn forget_tracks(&mut self);
    /// Runs the model on the objects of `buf` that need it and attaches
    /// the results.
    fn run(
        &mut self,
        buf: &mut gst::BufferRef,
        frame_idx: u64,
    ) -> Result<Self::Counts, gst::ErrorMessage>;

    /// The negotiated video format.
    fn set_video(&mut self, info: gst_video::VideoInfo, layout: PixelLayout) {
        let b = self.batch();
        b.info = Some(info);
        b.layout = layout;
    }

    /// Forgets the tracks and restarts the frame count.
    fn flush(&mut self) {
        self.forget_tracks();
        self.batch().frame = 0;
    }

    /// Runs the next frame.
    fn process(&mut self, buf: &mut gst::BufferRef) -> Result<Self::Counts, gst::ErrorMessage> {
        let b = self.batch();
        let frame_idx = b.frame;
        b.frame += 1;
        self.run(buf, frame_idx)
    }
}

/// The BaseTransform plumbing rsreid and rsclassify share: the state
/// created by `start`, caps, flushes, `publish-meta` and `stats-interval`.
pub(crate) struct CropElement<S> {
    publish: crate::interop::PublishSetting,
    stats: crate::stats::StatsProbe,
    pub state: std::sync::Mutex<Option<S>>,
}

impl<S> Default for CropElement<S> {
    fn default() -> Self {
        Self {
            publish: Default::default(),
            stats: Default::default(),
            state: std::sync::Mutex::new(None),
        }
    }
}

impl<S: FrameModel> CropElement<S> {
    /// `publish-meta` and `stats-interval`.
    pub fn param_specs() -> [glib::ParamSpec; 2] {
        [
            crate::interop::publish_meta_param_spec(),
            crate::stats::param_spec(),
        ]
    }

    /// Sets one of [`CropElement::param_specs`]; false for another name.
    pub fn set_property(&self, name: &str, value: &glib::Value) -> bool {
        match name {
            "publish-meta" => self
                .publish
                .set(value.get().expect("type checked upstream")),
            crate::stats::PROPERTY => self
                .stats
                .set_interval_ms(value.get().expect("type checked upstream")),
            _ => return false,
        }
        true
    }

    pub fn property(&self, name: &str) -> Option<glib::Value> {
        match name {
            "publish-meta" => Some(self.publish.get().to_value()),
            crate::stats::PROPERTY => Some(self.stats.interval_ms().to_value()),
            _ => None,
        }
    }

    pub fn start(&self, state: S) {
        *self.state.lock().unwrap() = Some(state);
    }

    pub fn stop(&self) {
        *self.state.lock().unwrap() = None;
        self.stats.stop();
    }

    pub fn set_caps(
        &self,
        cat: gst::DebugCategory,
        incaps: &gst::Caps,
    ) -> Result<(), gst::LoggableError> {
        let (info, layout) = video_layout(cat, incaps)?;
        if let Some(state) = self.state.lock().unwrap().as_mut() {
            state.set_video(info, layout);
        }
        Ok(())
    }

    /// Call from `sink_event` before the parent's.
    pub fn sink_event(&self, element: &gst_base::BaseTransform, event: &gst::Event) {
        if let gst::EventView::FlushStop(_) = event.view() {
            if let Some(state) = self.state.lock().unwrap().as_mut() {
                state.flush();
            }
        }
        self.stats.sink_event(element, event);
    }

    /// `transform_ip`: runs the state on `buf` and hands its counts to
    /// `done` (under the state lock); an error is posted once the lock is
    /// released.
    pub fn transform_ip(
        &self,
        element: &gst_base::BaseTransform,
        buf: &mut gst::BufferRef,
        done: impl FnOnce(&S, S::Counts),
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let started = self.stats.begin();
        let mut guard = self.state.lock().unwrap();
        let state = guard.as_mut().ok_or(gst::FlowError::Flushing)?;
        let result = state.process(buf).map(|c| done(state, c));
        drop(guard);
        if let Err(e) = result {
            element.post_error_message(e);
            return Err(gst::FlowError::Error);
        }
        use gst_base::prelude::*;
        crate::interop::maybe_publish(element.sink_pad(), element.src_pad(), &self.publish, buf);
        self.stats.end(element, started, buf, |_, _| {});
        Ok(gst::FlowSuccess::Ok)
    }
}
