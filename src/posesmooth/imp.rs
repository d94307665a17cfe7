// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::Filter;
use crate::meta::TrackingMeta;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use rstracking_core::pose::{FilterKind, PoseSmoother, SmootherConfig};
use rstracking_core::types::{FrameObjects, Object};
use std::sync::{LazyLock, Mutex};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rsposesmooth",
        gst::DebugColorFlags::empty(),
        Some("Keypoint smoothing per track"),
    )
});

#[derive(Debug, Clone, Copy)]
struct Settings {
    filter: Filter,
    min_cutoff: f64,
    beta: f64,
    d_cutoff: f64,
    process_noise: f64,
    measurement_noise: f64,
    alpha: f64,
    min_confidence: f32,
    max_predict: u32,
    predict_decay: f32,
    latency: u32,
    reset: crate::reset::ResetPolicy,
    lookahead: bool,
    smooth_boxes: bool,
}

impl Default for Settings {
    fn default() -> Self {
        let d = SmootherConfig::default();
        let (min_cutoff, beta, d_cutoff) = match d.filter {
            FilterKind::OneEuro {
                min_cutoff,
                beta,
                d_cutoff,
            } => (min_cutoff, beta, d_cutoff),
            _ => (1.0, 0.007, 1.0),
        };
        Self {
            filter: Filter::OneEuro,
            min_cutoff,
            beta,
            d_cutoff,
            process_noise: DEFAULT_PROCESS_NOISE,
            measurement_noise: DEFAULT_MEASUREMENT_NOISE,
            alpha: DEFAULT_ALPHA,
            min_confidence: d.min_confidence,
            max_predict: d.max_predict,
            predict_decay: d.predict_decay,
            latency: d.latency,
            reset: crate::reset::ResetPolicy::default(),
            lookahead: d.lookahead,
            smooth_boxes: d.smooth_boxes,
        }
    }
}

const DEFAULT_PROCESS_NOISE: f64 = 20_000.0;
const DEFAULT_MEASUREMENT_NOISE: f64 = 4.0;
const DEFAULT_ALPHA: f64 = 0.5;

impl Settings {
    fn config(&self) -> SmootherConfig {
        SmootherConfig {
            filter: match self.filter {
                Filter::OneEuro => FilterKind::OneEuro {
                    min_cutoff: self.min_cutoff,
                    beta: self.beta,
                    d_cutoff: self.d_cutoff,
                },
                Filter::Kalman => FilterKind::Kalman {
                    process_noise: self.process_noise,
                    measurement_noise: self.measurement_noise,
                },
                Filter::Ema => FilterKind::Ema { alpha: self.alpha },
            },
            min_confidence: self.min_confidence,
            max_predict: self.max_predict,
            predict_decay: self.predict_decay,
            latency: self.latency,
            lookahead: self.lookahead,
            smooth_boxes: self.smooth_boxes,
        }
    }
}

/// What a held buffer needs besides its objects.
struct Held {
    buffer: gst::Buffer,
    stream: Option<String>,
    frame: Option<u64>,
    /// Serialized events that arrived just before this buffer: they leave
    /// with it, in front of it, so that (for instance) a `merge` event stays
    /// in front of the frame it belongs to.
    events: Vec<gst::Event>,
}

struct State {
    smoother: PoseSmoother<Held>,
    /// Seconds of the last buffer, to make up a time for buffers without
    /// a timestamp (1/30 s later).
    last_t: Option<f64>,
    /// Frame duration from the caps, for the latency query.
    frame_ns: Option<u64>,
    /// Frame duration measured from the buffers (their duration, else the
    /// PTS step), used when the caps give no frame rate (e.g. 0/1).
    measured_frame_ns: Option<u64>,
    /// PTS of the last buffer (ns), for the PTS step.
    last_pts: Option<u64>,
    /// Held latency (ns) last reported, to post a Latency message when it
    /// changes.
    reported_latency: u64,
    /// Serialized events received since the last buffer while frames were
    /// held; they go out with the next buffer (or at the next drain).
    pending_events: Vec<gst::Event>,
}

impl State {
    /// Duration of one frame (ns), from the caps or else the buffers.
    fn frame_duration(&self) -> Option<u64> {
        self.frame_ns.or(self.measured_frame_ns)
    }
}

pub struct RsPoseSmooth {
    publish: crate::interop::PublishSetting,
    sinkpad: gst::Pad,
    srcpad: gst::Pad,
    // Mutex order: settings before state.
    settings: Mutex<Settings>,
    state: Mutex<State>,
    stream_ids: Mutex<crate::reset::StreamIds>,
}

impl RsPoseSmooth {
    fn new_state(settings: &Settings) -> State {
        State {
            smoother: PoseSmoother::new(settings.config()),
            last_t: None,
            frame_ns: None,
            measured_frame_ns: None,
            last_pts: None,
            reported_latency: 0,
            pending_events: Vec::new(),
        }
    }

    /// Puts the objects back into the buffers' metas and pushes them.
    fn push_out(
        &self,
        frames: Vec<(Held, Vec<Object>)>,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut ret = Ok(gst::FlowSuccess::Ok);
        for (held, objects) in frames {
            if ret.is_ok() {
                for event in held.events {
                    self.srcpad.push_event(event);
                }
            }
            let mut buffer = held.buffer;
            {
                let b = buffer.make_mut();
                TrackingMeta::add(
                    b,
                    FrameObjects {
                        stream: held.stream,
                        frame: held.frame,
                        objects,
                    },
                );
            }
            if ret.is_ok() {
                crate::interop::maybe_publish(
                    &self.sinkpad,
                    &self.srcpad,
                    &self.publish,
                    buffer.make_mut(),
                );
                ret = self.srcpad.push(buffer);
            }
        }
        ret
    }

    fn sink_chain(&self, mut buffer: gst::Buffer) -> Result<gst::FlowSuccess, gst::FlowError> {
        let (stream, frame, objects) = match buffer.meta::<TrackingMeta>() {
            Some(_) => {
                let b = buffer.make_mut();
                let mut m = b.meta_mut::<TrackingMeta>().expect("meta present");
                let f = m.frame_mut();
                (f.stream.take(), f.frame, std::mem::take(&mut f.objects))
            }
            None => (None, None, Vec::new()),
        };
        let latency_frames = self.settings.lock().unwrap().latency as u64;
        let (out, latency_changed) = {
            let mut state = self.state.lock().unwrap();
            let t = match buffer.pts() {
                Some(pts) => pts.nseconds() as f64 * 1e-9,
                None => state.last_t.map_or(0.0, |t| t + 1.0 / 30.0),
            };
            state.last_t = Some(t);
            let latency_changed = Self::measure_frame(&mut state, &buffer, latency_frames);
            let events = std::mem::take(&mut state.pending_events);
            let held = Held {
                buffer,
                stream,
                frame,
                events,
            };
            let out = state.smoother.push(t, objects, held);
            gst::trace!(
                CAT,
                imp = self,
                "t {t:.4}: {} frames out, {} held, {} tracks",
                out.len(),
                state.smoother.held_frames(),
                state.smoother.num_tracks()
            );
            (out, latency_changed)
        };
        if latency_changed {
            gst::debug!(CAT, imp = self, "held latency changed");
            let _ = self
                .obj()
                .post_message(gst::message::Latency::builder().src(&*self.obj()).build());
        }
        self.push_out(out)
    }

    /// Measures the frame duration from `buffer` when the caps give none;
    /// returns true when the held latency (`latency_frames` frames) changed.
    fn measure_frame(state: &mut State, buffer: &gst::BufferRef, latency_frames: u64) -> bool {
        let pts = buffer.pts().map(|p| p.nseconds());
        if state.frame_ns.is_none() {
            let step = buffer
                .duration()
                .map(|d| d.nseconds())
                .filter(|d| *d > 0)
                .or_else(|| match (state.last_pts, pts) {
                    (Some(a), Some(b)) if b > a => Some(b - a),
                    _ => None,
                });
            if step.is_some() {
                state.measured_frame_ns = step;
            }
        }
        state.last_pts = pts.or(state.last_pts);
        let held = state
            .frame_duration()
            .unwrap_or(0)
            .saturating_mul(latency_frames);
        let changed = latency_frames > 0 && held != state.reported_latency;
        state.reported_latency = held;
        changed
    }

    /// Releases every held frame and the events queued behind them (before
    /// a serialized event that ends or redefines the stream, or at EOS).
    fn drain(&self) -> Result<gst::FlowSuccess, gst::FlowError> {
        let (out, events) = {
            let mut state = self.state.lock().unwrap();
            let out = state.smoother.flush();
            (out, std::mem::take(&mut state.pending_events))
        };
        if !out.is_empty() {
            gst::debug!(CAT, imp = self, "releasing {} held frames", out.len());
        }
        let ret = self.push_out(out);
        for event in events {
            self.srcpad.push_event(event);
        }
        ret
    }

    fn sink_event(&self, pad: &gst::Pad, event: gst::Event) -> bool {
        use gst::EventView;
        match event.view() {
            EventView::FlushStop(_) => {
                let settings = *self.settings.lock().unwrap();
                let mut state = self.state.lock().unwrap();
                let dropped = state.smoother.reset();
                gst::debug!(
                    CAT,
                    imp = self,
                    "flush: dropped {} held frames",
                    dropped.len()
                );
                *state = Self::new_state(&settings);
            }
            EventView::Caps(c) => {
                let fps = c
                    .caps()
                    .structure(0)
                    .and_then(|s| s.get::<gst::Fraction>("framerate").ok())
                    .filter(|f| f.numer() > 0 && f.denom() > 0);
                if let Err(e) = self.drain() {
                    gst::debug!(CAT, imp = self, "drain before caps: {e:?}");
                }
                self.state.lock().unwrap().frame_ns = fps.map(|f| {
                    gst::ClockTime::SECOND
                        .nseconds()
                        .mul_div_floor(f.denom() as u64, f.numer() as u64)
                        .unwrap_or(0)
                });
            }
            // Events that end or redefine the held frames' stream release
            // them first.
            EventView::Eos(_)
            | EventView::Segment(_)
            | EventView::StreamStart(_)
            | EventView::SegmentDone(_) => {
                if let Err(e) = self.drain() {
                    gst::debug!(CAT, imp = self, "drain before {:?}: {e:?}", event.type_());
                }
                if let EventView::StreamStart(_) = event.view() {
                    let settings = *self.settings.lock().unwrap();
                    let why = self
                        .stream_ids
                        .lock()
                        .unwrap()
                        .check(settings.reset, &event);
                    if let Some(why) = why {
                        gst::debug!(CAT, imp = self, "{why}: filters reset");
                        *self.state.lock().unwrap() = Self::new_state(&settings);
                    }
                }
            }
            // Other serialized events (custom, tags, gaps) keep their place
            // between the frames: while frames are held they wait for the
            // next buffer and leave in front of it.
            _ if event.is_serialized() => {
                let mut state = self.state.lock().unwrap();
                if state.smoother.held_frames() > 0 {
                    state.pending_events.push(event);
                    return true;
                }
            }
            _ => {}
        }
        gst::Pad::event_default(pad, Some(&*self.obj()), event)
    }

    fn src_query(&self, pad: &gst::Pad, query: &mut gst::QueryRef) -> bool {
        if let gst::QueryViewMut::Latency(q) = query.view_mut() {
            if !self.sinkpad.peer_query(q.query_mut()) {
                return false;
            }
            let (live, min, max) = q.result();
            let latency = self.settings.lock().unwrap().latency as u64;
            let frame_ns = self.state.lock().unwrap().frame_duration();
            if latency > 0 && frame_ns.is_none() {
                gst::warning!(
                    CAT,
                    imp = self,
                    "latency of {latency} frames but no frame rate in the caps and no buffer yet: reporting no extra latency until a buffer gives the frame duration"
                );
            }
            let extra =
                gst::ClockTime::from_nseconds(latency.saturating_mul(frame_ns.unwrap_or(0)));
            q.set(
                live,
                min.saturating_add(extra),
                max.map(|m| m.saturating_add(extra)),
            );
            return true;
        }
        gst::Pad::query_default(pad, Some(&*self.obj()), query)
    }
}

#[glib::object_subclass]
impl ObjectSubclass for RsPoseSmooth {
    const NAME: &'static str = "GstRsPoseSmooth";
    type Type = super::RsPoseSmooth;
    type ParentType = gst::Element;

    fn with_class(klass: &Self::Class) -> Self {
        let templ = klass.pad_template("sink").unwrap();
        let sinkpad = gst::Pad::builder_from_template(&templ)
            .chain_function(|_pad, parent, buffer| {
                RsPoseSmooth::catch_panic_pad_function(
                    parent,
                    || Err(gst::FlowError::Error),
                    |imp| imp.sink_chain(buffer),
                )
            })
            .event_function(|pad, parent, event| {
                RsPoseSmooth::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.sink_event(pad, event),
                )
            })
            .flags(gst::PadFlags::PROXY_CAPS | gst::PadFlags::PROXY_ALLOCATION)
            .build();
        let templ = klass.pad_template("src").unwrap();
        let srcpad = gst::Pad::builder_from_template(&templ)
            .query_function(|pad, parent, query| {
                RsPoseSmooth::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.src_query(pad, query),
                )
            })
            .flags(gst::PadFlags::PROXY_CAPS | gst::PadFlags::PROXY_ALLOCATION)
            .build();
        let settings = Settings::default();
        Self {
            publish: Default::default(),
            sinkpad,
            srcpad,
            state: Mutex::new(Self::new_state(&settings)),
            settings: Mutex::new(settings),
            stream_ids: Mutex::new(Default::default()),
        }
    }
}

impl ObjectImpl for RsPoseSmooth {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let d = Settings::default();
            vec![
                glib::ParamSpecEnum::builder_with_default("filter", Filter::OneEuro)
                    .nick("Filter")
                    .blurb("Smoothing filter per keypoint coordinate")
                    .mutable_ready()
                    .build(),
                crate::double_prop("min-cutoff", "Minimum cutoff", "one-euro: cutoff frequency at rest (Hz); lower = smoother when still", (1e-4, 1000.0), d.min_cutoff),
                crate::double_prop("beta", "Speed coefficient", "one-euro: cutoff increase per px/s of speed; higher = less lag when moving", (0.0, 100.0), d.beta),
                crate::double_prop("d-cutoff", "Derivative cutoff", "one-euro: cutoff frequency of the speed estimate (Hz)", (1e-4, 1000.0), d.d_cutoff),
                crate::double_prop("process-noise", "Process noise", "kalman: acceleration noise spectral density (px²/s³)", (1e-6, 1e12), d.process_noise),
                crate::double_prop("measurement-noise", "Measurement noise", "kalman: measurement variance (px²) at confidence 1 (divided by the keypoint confidence)", (1e-6, 1e9), d.measurement_noise),
                crate::double_prop("alpha", "EMA weight", "ema: weight of the new sample", (1e-4, 1.0), d.alpha),
                glib::ParamSpecFloat::builder("min-confidence")
                    .nick("Minimum confidence")
                    .blurb("Keypoints below this confidence are not fed to the filter (state missing)")
                    .minimum(0.0)
                    .maximum(1.0)
                    .default_value(d.min_confidence)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("max-predict")
                    .nick("Maximum predicted frames")
                    .blurb("Frames a missing track's skeleton is predicted before its filters are dropped (0 = none)")
                    .minimum(0)
                    .maximum(1000)
                    .default_value(d.max_predict)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecFloat::builder("predict-decay")
                    .nick("Prediction confidence decay")
                    .blurb("Predicted keypoint confidence is multiplied by this per predicted frame")
                    .minimum(0.0)
                    .maximum(1.0)
                    .default_value(d.predict_decay)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("latency")
                    .nick("Latency (frames)")
                    .blurb("Frames held back so that gaps up to this long are interpolated instead of predicted (0 = none)")
                    .minimum(0)
                    .maximum(300)
                    .default_value(d.latency)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("reset", d.reset)
                    .nick("Reset")
                    .blurb("What drops the filters of every track: a new stream-start (another stream-id) under flush-and-stream-start and stream-start; a flush always does (it restarts the timestamps the filters run on)")
                    .mutable_playing()
                    .build(),
                glib::ParamSpecBoolean::builder("lookahead")
                    .nick("Look ahead")
                    .blurb("kalman with latency >= 1: re-estimate each frame with the held frames after it (fixed-lag Rauch-Tung-Striebel smoother; removes the filter's lag)")
                    .default_value(d.lookahead)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("smooth-boxes")
                    .nick("Smooth boxes")
                    .blurb("Filter the box centre and size too")
                    .default_value(d.smooth_boxes)
                    .mutable_ready()
                    .build(),
            ]
        });
        static ALL: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            PROPS
                .iter()
                .cloned()
                .chain([crate::interop::publish_meta_param_spec()])
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
        let mut s = self.settings.lock().unwrap();
        let v = value;
        match pspec.name() {
            "filter" => s.filter = v.get().expect("type checked upstream"),
            "min-cutoff" => s.min_cutoff = v.get().expect("type checked upstream"),
            "beta" => s.beta = v.get().expect("type checked upstream"),
            "d-cutoff" => s.d_cutoff = v.get().expect("type checked upstream"),
            "process-noise" => s.process_noise = v.get().expect("type checked upstream"),
            "measurement-noise" => s.measurement_noise = v.get().expect("type checked upstream"),
            "alpha" => s.alpha = v.get().expect("type checked upstream"),
            "min-confidence" => s.min_confidence = v.get().expect("type checked upstream"),
            "max-predict" => s.max_predict = v.get().expect("type checked upstream"),
            "predict-decay" => s.predict_decay = v.get().expect("type checked upstream"),
            "latency" => s.latency = v.get().expect("type checked upstream"),
            "reset" => s.reset = v.get().expect("type checked upstream"),
            "lookahead" => s.lookahead = v.get().expect("type checked upstream"),
            "smooth-boxes" => s.smooth_boxes = v.get().expect("type checked upstream"),
            other => unreachable!("unknown property {other}"),
        }
        gst::info!(CAT, imp = self, "{} set", pspec.name());
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        if pspec.name() == "publish-meta" {
            return self.publish.get().to_value();
        }
        let s = self.settings.lock().unwrap();
        match pspec.name() {
            "filter" => s.filter.to_value(),
            "min-cutoff" => s.min_cutoff.to_value(),
            "beta" => s.beta.to_value(),
            "d-cutoff" => s.d_cutoff.to_value(),
            "process-noise" => s.process_noise.to_value(),
            "measurement-noise" => s.measurement_noise.to_value(),
            "alpha" => s.alpha.to_value(),
            "min-confidence" => s.min_confidence.to_value(),
            "max-predict" => s.max_predict.to_value(),
            "predict-decay" => s.predict_decay.to_value(),
            "latency" => s.latency.to_value(),
            "reset" => s.reset.to_value(),
            "lookahead" => s.lookahead.to_value(),
            "smooth-boxes" => s.smooth_boxes.to_value(),
            other => unreachable!("unknown property {other}"),
        }
    }

    fn constructed(&self) {
        self.parent_constructed();
        let obj = self.obj();
        obj.add_pad(&self.sinkpad).unwrap();
        obj.add_pad(&self.srcpad).unwrap();
    }
}

impl GstObjectImpl for RsPoseSmooth {}

impl ElementImpl for RsPoseSmooth {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Pose smoother",
                "Filter/Analyzer/Video",
                "Smooths keypoints per track (One Euro, Kalman or EMA) and predicts or interpolates short gaps",
                "gst-rstracking developers",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> =
            LazyLock::new(crate::meta_transform_pad_templates);
        TEMPLATES.as_ref()
    }

    fn change_state(
        &self,
        transition: gst::StateChange,
    ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
        if transition == gst::StateChange::ReadyToPaused {
            let settings = *self.settings.lock().unwrap();
            if let Err(e) = settings.config().validate() {
                gst::element_imp_error!(self, gst::LibraryError::Settings, ("{}", e));
                return Err(gst::StateChangeError);
            }
            *self.state.lock().unwrap() = Self::new_state(&settings);
        }
        let ret = self.parent_change_state(transition)?;
        if transition == gst::StateChange::PausedToReady {
            let settings = *self.settings.lock().unwrap();
            *self.state.lock().unwrap() = Self::new_state(&settings);
        }
        Ok(ret)
    }
}
