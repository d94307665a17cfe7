// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::embedder::{Embedder, EmbedderConfig};
use crate::meta::TrackingMeta;
use crate::onnx::OrtSettings;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;
use rstracking_core::image::crop::Normalize;
use rstracking_core::image::PixelLayout;
use rstracking_core::types::Object;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rsreid",
        gst::DebugColorFlags::empty(),
        Some("Re-identification embeddings"),
    )
});

const DEFAULT_INTERVAL: u32 = 1;
/// A track not seen for this many frames (at least) loses its cached
/// embedding.
const CACHE_KEEP_FRAMES: u64 = 300;

#[derive(Debug, Clone)]
struct Settings {
    model: Option<String>,
    input_size: Option<String>,
    mean: String,
    std: String,
    min_size: f32,
    min_confidence: f32,
    interval: u32,
    ort: OrtSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            model: None,
            input_size: None,
            mean: "0.485,0.456,0.406".into(),
            std: "0.229,0.224,0.225".into(),
            min_size: 0.0,
            min_confidence: 0.0,
            interval: DEFAULT_INTERVAL,
            ort: OrtSettings::default(),
        }
    }
}

struct Cached {
    embedding: Arc<[f32]>,
    frame: u64,
    last_seen: u64,
}

struct State {
    embedder: Embedder,
    interval: u64,
    min_size: f32,
    min_confidence: f32,
    info: Option<gst_video::VideoInfo>,
    layout: PixelLayout,
    frame: u64,
    cache: HashMap<u64, Cached>,
    // Scratch, reused.
    boxes: Vec<[f32; 4]>,
    which: Vec<usize>,
    valid: Vec<bool>,
    embeddings: Vec<Option<Arc<[f32]>>>,
}

#[derive(Default)]
pub struct RsReid {
    publish: crate::interop::PublishSetting,
    stats: crate::stats::StatsProbe,
    // Mutex order: settings before state.
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
    computed: AtomicU64,
    skipped: AtomicU64,
}

#[glib::object_subclass]
impl ObjectSubclass for RsReid {
    const NAME: &'static str = "GstRsReid";
    type Type = super::RsReid;
    type ParentType = gst_base::BaseTransform;
}

fn parse_triplet(name: &str, s: &str) -> Result<[f32; 3], String> {
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

impl ObjectImpl for RsReid {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let s =
                |name: &'static str, nick: &'static str, blurb: &'static str, def: Option<&str>| {
                    glib::ParamSpecString::builder(name)
                        .nick(nick)
                        .blurb(blurb)
                        .default_value(def)
                        .mutable_ready()
                        .build()
                };
            vec![
                s("model", "ONNX model", "Re-id model: float input [batch, 3, H, W], output [batch, D]", None),
                s("input-size", "Input size", "WIDTHxHEIGHT of the crops for models with a dynamic size (default: the model's size, else 128x256)", None),
                s("mean", "Mean", "Per-channel mean (R,G,B) subtracted from pixel/255", Some("0.485,0.456,0.406")),
                s("std", "Std", "Per-channel standard deviation (R,G,B) dividing pixel/255 - mean", Some("0.229,0.224,0.225")),
                glib::ParamSpecFloat::builder("min-size")
                    .nick("Minimum size")
                    .blurb("Objects whose box (clipped to the frame) is narrower or shorter than this get no embedding")
                    .minimum(0.0)
                    .maximum(100_000.0)
                    .default_value(0.0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecFloat::builder("min-confidence")
                    .nick("Minimum confidence")
                    .blurb("Objects below this confidence get no embedding")
                    .minimum(0.0)
                    .maximum(1.0)
                    .default_value(0.0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("interval")
                    .nick("Interval per track")
                    .blurb("Objects with a track id get a new embedding at most every N frames (others keep the last one); objects without a track id are embedded on every frame")
                    .minimum(1)
                    .maximum(100_000)
                    .default_value(DEFAULT_INTERVAL)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt64::builder("embeddings-computed")
                    .nick("Embeddings computed")
                    .blurb("Embeddings computed since start (read-only)")
                    .read_only()
                    .build(),
                glib::ParamSpecUInt64::builder("skipped")
                    .nick("Objects skipped")
                    .blurb("Objects that got no embedding (gates, box outside the frame) since start (read-only)")
                    .read_only()
                    .build(),
            ]
            .into_iter()
            .chain(OrtSettings::param_specs())
            .collect()
        });
        static ALL: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            PROPS
                .iter()
                .cloned()
                .chain([
                    crate::interop::publish_meta_param_spec(),
                    crate::stats::param_spec(),
                ])
                .collect()
        });
        ALL.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        if pspec.name() == "publish-meta" {
            self.publish
                .set(value.get().expect("type checked upstream"));
            return;
        }
        if pspec.name() == crate::stats::PROPERTY {
            self.stats
                .set_interval_ms(value.get().expect("type checked upstream"));
            return;
        }
        let mut s = self.settings.lock().unwrap();
        if s.ort.set(pspec.name(), value) {
            return;
        }
        let opt = |v: &glib::Value| {
            v.get::<Option<String>>()
                .expect("type checked upstream")
                .filter(|s| !s.is_empty())
        };
        match pspec.name() {
            "model" => s.model = opt(value),
            "input-size" => s.input_size = opt(value),
            "mean" => s.mean = opt(value).unwrap_or_default(),
            "std" => s.std = opt(value).unwrap_or_default(),
            "min-size" => s.min_size = value.get().expect("type checked upstream"),
            "min-confidence" => s.min_confidence = value.get().expect("type checked upstream"),
            "interval" => s.interval = value.get().expect("type checked upstream"),
            other => unreachable!("unknown property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        if pspec.name() == "publish-meta" {
            return self.publish.get().to_value();
        }
        if pspec.name() == crate::stats::PROPERTY {
            return self.stats.interval_ms().to_value();
        }
        let s = self.settings.lock().unwrap();
        if let Some(v) = s.ort.get(pspec.name()) {
            return v;
        }
        match pspec.name() {
            "model" => s.model.to_value(),
            "input-size" => s.input_size.to_value(),
            "mean" => s.mean.to_value(),
            "std" => s.std.to_value(),
            "min-size" => s.min_size.to_value(),
            "min-confidence" => s.min_confidence.to_value(),
            "interval" => s.interval.to_value(),
            "embeddings-computed" => self.computed.load(Ordering::Relaxed).to_value(),
            "skipped" => self.skipped.load(Ordering::Relaxed).to_value(),
            other => unreachable!("unknown property {other}"),
        }
    }
}

impl GstObjectImpl for RsReid {}

impl ElementImpl for RsReid {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Re-identification embedder",
                "Filter/Analyzer/Video",
                "Crops the objects of the tracking meta, runs them as one batch through an ONNX re-id model and attaches L2-normalised embeddings",
                "gst-rstracking developers",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> =
            LazyLock::new(crate::raw_transform_pad_templates);
        TEMPLATES.as_ref()
    }
}

fn settings_error(msg: String) -> gst::ErrorMessage {
    gst::error_msg!(gst::LibraryError::Settings, ("{}", msg))
}

impl BaseTransformImpl for RsReid {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let s = self.settings.lock().unwrap().clone();
        let Some(model) = s.model.clone() else {
            return Err(settings_error(
                "No 'model' set (an ONNX re-id model)".into(),
            ));
        };
        let mean = parse_triplet("mean", &s.mean).map_err(settings_error)?;
        let std = parse_triplet("std", &s.std).map_err(settings_error)?;
        if std.contains(&0.0) {
            return Err(settings_error(format!("std '{}' has a zero", s.std)));
        }
        let input_size = s
            .input_size
            .as_deref()
            .map(crate::infer::parse_input_size)
            .transpose()
            .map_err(settings_error)?;
        let cfg = EmbedderConfig {
            model,
            input_size,
            norm: Normalize { mean, std },
            session: s.ort.session(false),
            ort_library: s.ort.ort_library.clone(),
        };
        let (embedder, warnings) = Embedder::load(&cfg).map_err(|e| e.to_message())?;
        for w in warnings {
            gst::element_imp_warning!(self, gst::LibraryError::Settings, ("{}", w));
        }
        gst::info!(
            CAT,
            imp = self,
            "Loaded {}: input {:?}, fixed batch {:?}, {}",
            cfg.model,
            embedder.input_size(),
            embedder.fixed_batch(),
            embedder.runtime_description()
        );
        self.computed.store(0, Ordering::Relaxed);
        self.skipped.store(0, Ordering::Relaxed);
        *self.state.lock().unwrap() = Some(State {
            embedder,
            interval: s.interval as u64,
            min_size: s.min_size,
            min_confidence: s.min_confidence,
            info: None,
            layout: PixelLayout::Rgb,
            frame: 0,
            cache: HashMap::new(),
            boxes: Vec::new(),
            which: Vec::new(),
            valid: Vec::new(),
            embeddings: Vec::new(),
        });
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *self.state.lock().unwrap() = None;
        self.stats.stop();
        Ok(())
    }

    fn set_caps(&self, incaps: &gst::Caps, _outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let info = gst_video::VideoInfo::from_caps(incaps)
            .map_err(|_| gst::loggable_error!(CAT, "Cannot parse caps {incaps}"))?;
        let layout = crate::pixel_layout(info.format())
            .ok_or_else(|| gst::loggable_error!(CAT, "Unsupported format {:?}", info.format()))?;
        if let Some(state) = self.state.lock().unwrap().as_mut() {
            state.info = Some(info);
            state.layout = layout;
        }
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        if let gst::EventView::FlushStop(_) = event.view() {
            if let Some(state) = self.state.lock().unwrap().as_mut() {
                state.cache.clear();
                state.frame = 0;
            }
        }
        self.stats.sink_event(self.obj().upcast_ref(), &event);
        self.parent_sink_event(event)
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let started = self.stats.begin();
        let ret = self.process(buf)?;
        let obj = self.obj();
        crate::interop::maybe_publish(obj.sink_pad(), obj.src_pad(), self.publish.get(), buf);
        self.stats.end(obj.upcast_ref(), started, buf, |_, _| {});
        Ok(ret)
    }
}

impl RsReid {
    fn process(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut guard = self.state.lock().unwrap();
        let state = guard.as_mut().ok_or(gst::FlowError::Flushing)?;
        let frame_idx = state.frame;
        state.frame += 1;
        let result = state.embed_frame(buf, frame_idx);
        if let Ok((computed, skipped)) = result {
            gst::trace!(
                CAT,
                imp = self,
                "frame {frame_idx}: {computed} embeddings in {:?} crop + {:?} run, {skipped} skipped, {} tracks cached",
                state.embedder.times.crop,
                state.embedder.times.infer,
                state.cache.len()
            );
        }
        // Errors are posted once the state lock is released.
        drop(guard);
        match result {
            Ok((computed, skipped)) => {
                self.computed.fetch_add(computed, Ordering::Relaxed);
                self.skipped.fetch_add(skipped, Ordering::Relaxed);
                Ok(gst::FlowSuccess::Ok)
            }
            Err(e) => {
                self.post_error_message(e);
                Err(gst::FlowError::Error)
            }
        }
    }
}

impl State {
    /// Embeds the objects of one frame that need it; returns the counts of
    /// embeddings computed and objects skipped.
    fn embed_frame(
        &mut self,
        buf: &mut gst::BufferRef,
        frame_idx: u64,
    ) -> Result<(u64, u64), gst::ErrorMessage> {
        let Some(info) = self.info.as_ref() else {
            return Err(gst::error_msg!(
                gst::CoreError::Negotiation,
                (
                    "Frame {}: no caps negotiated before the first buffer",
                    frame_idx
                )
            ));
        };
        let (fw, fh) = (info.width() as f32, info.height() as f32);
        let Some(meta) = buf.meta::<TrackingMeta>() else {
            return Ok((0, 0));
        };
        let mut skipped = self.select(meta.objects(), fw, fh, frame_idx);
        self.run_model(buf, frame_idx)?;
        let Some(mut meta) = buf.meta_mut::<TrackingMeta>() else {
            return Ok((0, skipped));
        };
        let objects = meta.objects_mut();
        let (computed, invalid) = self.attach(objects, frame_idx);
        skipped += invalid;
        self.reuse_throttled(objects, frame_idx);
        if frame_idx.is_multiple_of(64) {
            let keep = CACHE_KEEP_FRAMES.max(4 * self.interval);
            self.cache.retain(|_, c| c.last_seen + keep >= frame_idx);
        }
        Ok((computed, skipped))
    }

    /// Fills `boxes`/`which` with the objects that need a new embedding
    /// (visible, large and confident enough, not throttled); returns how
    /// many were skipped by the gates.
    fn select(&mut self, objects: &[Object], fw: f32, fh: f32, frame_idx: u64) -> u64 {
        self.boxes.clear();
        self.which.clear();
        let mut skipped = 0u64;
        for (i, o) in objects.iter().enumerate() {
            let b = o.bbox;
            let (cw, ch) = (
                (b.x + b.w).min(fw) - b.x.max(0.0),
                (b.y + b.h).min(fh) - b.y.max(0.0),
            );
            let visible = cw > 0.0 && ch > 0.0;
            if !visible
                || cw < self.min_size
                || ch < self.min_size
                || o.confidence < self.min_confidence
            {
                skipped += 1;
                continue;
            }
            if let Some(c) = o.track_id.and_then(|t| self.cache.get(&t)) {
                if frame_idx - c.frame < self.interval {
                    continue;
                }
            }
            self.boxes.push([b.x, b.y, b.w, b.h]);
            self.which.push(i);
        }
        skipped
    }

    /// Crops the selected boxes and runs them through the model as one batch.
    fn run_model(&mut self, buf: &gst::BufferRef, frame_idx: u64) -> Result<(), gst::ErrorMessage> {
        let frame_error =
            |e: String| gst::error_msg!(gst::StreamError::Failed, ("Frame {}: {}", frame_idx, e));
        if !self.boxes.is_empty() {
            let info = self.info.as_ref().expect("checked by embed_frame");
            let vf =
                gst_video::VideoFrameRef::from_buffer_ref_readable(buf, info).map_err(|_| {
                    gst::error_msg!(
                        gst::StreamError::Failed,
                        ("Frame {}: failed to map the video buffer", frame_idx)
                    )
                })?;
            let frame = crate::core_frame(&vf, self.layout);
            self.embedder
                .crop(
                    &frame,
                    crate::yuv_params(info),
                    &self.boxes,
                    &mut self.valid,
                )
                .map_err(frame_error)?;
        }
        let n = self.boxes.len();
        self.embedder
            .infer(n, &mut self.embeddings)
            .map_err(frame_error)
    }

    /// Attaches the new embeddings and caches them per track; returns the
    /// counts of embeddings attached and of crops that gave none.
    fn attach(&mut self, objects: &mut [Object], frame_idx: u64) -> (u64, u64) {
        let (mut computed, mut invalid) = (0u64, 0u64);
        for (k, &i) in self.which.iter().enumerate() {
            match (self.valid[k], &self.embeddings[k]) {
                (true, Some(e)) => {
                    computed += 1;
                    let o = &mut objects[i];
                    o.embedding = Some(e.clone());
                    o.embedding_frame = Some(frame_idx);
                    if let Some(t) = o.track_id {
                        self.cache.insert(
                            t,
                            Cached {
                                embedding: e.clone(),
                                frame: frame_idx,
                                last_seen: frame_idx,
                            },
                        );
                    }
                }
                _ => invalid += 1,
            }
        }
        (computed, invalid)
    }

    /// Throttled tracks keep their last embedding.
    fn reuse_throttled(&mut self, objects: &mut [Object], frame_idx: u64) {
        for o in objects.iter_mut().filter(|o| o.embedding.is_none()) {
            if let Some(c) = o.track_id.and_then(|t| self.cache.get_mut(&t)) {
                if frame_idx - c.frame < self.interval {
                    o.embedding = Some(c.embedding.clone());
                    o.embedding_frame = Some(c.frame);
                    c.last_seen = frame_idx;
                }
            }
        }
    }
}
