// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use crate::meta::TrackingMeta;
use crate::TrackingEvent as _;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;
use rstracking_core::track::bytetrack::{
    ByteTrackConfig, ByteTracker, Detection, TrackOutput, UpdateReport,
};
use rstracking_core::types::{decimal_f64, BBox, FrameObjects, Object, TrackState};
use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, Mutex};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rsbytetrack",
        gst::DebugColorFlags::empty(),
        Some("ByteTrack multi-object tracker"),
    )
});

/// Frame rate assumed when neither the caps nor `frame-rate` give one.
const FALLBACK_FPS: f64 = 30.0;

#[derive(Debug, Clone, Copy)]
struct Settings {
    track_high: f64,
    track_low: f64,
    new_track: f64,
    match_thresh: f64,
    track_buffer: u32,
    max_lost_time: u64,
    frame_rate: f64,
    min_hits: u32,
    per_class: bool,
    fuse_score: bool,
    output_lost: bool,
    with_reid: bool,
    feature_momentum: f64,
    proximity: f64,
    appearance: f64,
    reid_max_gap: u32,
    track_messages: bool,
    reset: super::ResetPolicy,
    predict_empty: bool,
    young_gate: f64,
    scene_cuts: bool,
    cut_cooldown: u64,
}

impl Default for Settings {
    fn default() -> Self {
        let c = ByteTrackConfig::default();
        Self {
            track_high: c.track_high_thresh,
            track_low: c.track_low_thresh,
            new_track: c.new_track_thresh,
            match_thresh: c.match_thresh,
            track_buffer: c.track_buffer,
            max_lost_time: 0,
            frame_rate: 0.0,
            min_hits: c.min_hits,
            per_class: c.per_class,
            fuse_score: c.fuse_score,
            output_lost: c.output_lost,
            with_reid: c.with_reid,
            feature_momentum: c.feature_momentum,
            proximity: c.proximity_thresh,
            appearance: c.appearance_thresh,
            reid_max_gap: c.reid_max_gap,
            track_messages: false,
            reset: super::ResetPolicy::default(),
            predict_empty: false,
            young_gate: c.young_gate,
            scene_cuts: false,
            cut_cooldown: DEFAULT_CUT_COOLDOWN,
        }
    }
}

impl Settings {
    fn config(&self, caps_fps: Option<f64>) -> ByteTrackConfig {
        let fps = if self.frame_rate > 0.0 {
            self.frame_rate
        } else {
            caps_fps.unwrap_or(FALLBACK_FPS)
        };
        ByteTrackConfig {
            track_high_thresh: self.track_high,
            track_low_thresh: self.track_low,
            new_track_thresh: self.new_track,
            match_thresh: self.match_thresh,
            track_buffer: self.track_buffer,
            frame_rate: fps,
            max_lost_time_ns: (self.max_lost_time > 0).then_some(self.max_lost_time),
            min_hits: self.min_hits,
            per_class: self.per_class,
            fuse_score: self.fuse_score,
            output_lost: self.output_lost,
            with_reid: self.with_reid,
            feature_momentum: self.feature_momentum,
            proximity_thresh: self.proximity,
            appearance_thresh: self.appearance,
            reid_max_gap: self.reid_max_gap,
            young_gate: self.young_gate,
        }
    }
}

struct State {
    tracker: ByteTracker,
    caps_fps: Option<f64>,
    dets: Vec<Detection>,
    out: Vec<TrackOutput>,
    frame: u64,
    /// Tracks output at least once and not ended: id -> lost since.
    alive: HashMap<u64, bool>,
    /// Stream name of the last frame (for the track_end events at EOS).
    stream: Option<String>,
    /// Stream-ids seen, for the reset policy.
    stream_ids: crate::reset::StreamIds,
    /// Scratch: ids tracked this frame, ids the tracker holds.
    tracked_now: HashSet<u64>,
    held: HashSet<u64>,
    /// A scene cut arrived; applied at the next buffer (whose frame and
    /// running time it gets).
    pending_cut: bool,
    /// Running time of the last cut applied.
    last_cut: Option<u64>,
}

#[derive(Default)]
pub struct RsByteTrack {
    publish: crate::interop::PublishSetting,
    stats: crate::stats::StatsProbe,
    // Mutex order: settings before state before stopped_tracker.
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
    /// The tracker of the last run, kept from stop() to the next start() so
    /// that track ids keep increasing when an application restarts the
    /// element (NULL -> PLAYING, e.g. to reconnect a camera): ids are
    /// unique for the element's lifetime.
    stopped_tracker: Mutex<Option<ByteTracker>>,
    cuts: std::sync::atomic::AtomicU64,
    cuts_ignored: std::sync::atomic::AtomicU64,
}

#[glib::object_subclass]
impl ObjectSubclass for RsByteTrack {
    const NAME: &'static str = "GstRsByteTrack";
    type Type = super::RsByteTrack;
    type ParentType = gst_base::BaseTransform;
}

fn threshold(name: &str, nick: &str, blurb: &str, default: f64) -> glib::ParamSpec {
    glib::ParamSpecDouble::builder(name)
        .nick(nick)
        .blurb(blurb)
        .minimum(0.0)
        .maximum(1.0)
        .default_value(default)
        .mutable_playing()
        .build()
}

/// Default `cut-cooldown`: 1 s.
const DEFAULT_CUT_COOLDOWN: u64 = 1_000_000_000;

/// The scene-cut properties and counters.
fn cut_properties(d: &Settings) -> Vec<glib::ParamSpec> {
    vec![
        glib::ParamSpecBoolean::builder("scene-cuts")
            .nick("Scene cuts")
            .blurb("End every track at a scene cut: a downstream force-key-unit event, which GStreamer's scenechange element sends at each shot change (an 'rstracking-cut' event goes downstream, written as a 'cut' line by rsjsonsink). Off by default: encoders and parsers also send these events when they answer keyframe requests")
            .default_value(d.scene_cuts)
            .mutable_playing()
            .build(),
        glib::ParamSpecUInt64::builder("cut-cooldown")
            .nick("Cut cooldown")
            .blurb("Running time in ns after a cut during which further cuts are ignored (counted in cuts-ignored), so that flashes and fades do not reset the tracks repeatedly; 0 = none")
            .default_value(d.cut_cooldown)
            .mutable_playing()
            .build(),
        crate::counter_prop(
            "cuts",
            "Cuts",
            "Scene cuts that ended the tracks since start (read-only)",
        ),
        crate::counter_prop(
            "cuts-ignored",
            "Cuts ignored",
            "Scene cuts ignored within cut-cooldown of the previous one (read-only)",
        ),
    ]
}

/// The improved-mode properties (off by default: the reference ByteTrack).
fn improved_properties(d: &Settings) -> Vec<glib::ParamSpec> {
    vec![
                glib::ParamSpecBoolean::builder("predict-empty-frames")
            .nick("Predict on empty frames")
            .blurb("A frame whose detections meta holds no object counts as a frame the detector skipped: tracks move by their prediction and new tracks wait for the next detections, instead of ByteTrack's update with nothing (which drops unconfirmed tracks). For detections on every Nth frame that the tracker is not told about. false = the reference ByteTrack")
            .default_value(false)
            .mutable_playing()
            .build(),
        glib::ParamSpecDouble::builder("young-gate")
            .nick("Young-track gate")
            .blurb("Improved mode (0 = off, the reference): a track matched at most 3 times that finds no IoU match takes the nearest unmatched high detection whose centre is within this many box sizes of its prediction, before new tracks start (fast objects, detections on every Nth frame)")
            .minimum(0.0)
            .maximum(100.0)
            .default_value(d.young_gate)
            .mutable_playing()
            .build(),
    ]
}

/// The re-id (BoT-SORT) and stitching properties.
fn reid_properties(d: &Settings) -> Vec<glib::ParamSpec> {
    vec![
                glib::ParamSpecBoolean::builder("with-reid")
                .nick("With re-id")
                .blurb("BoT-SORT association with the embeddings of rsreid upstream: cost = min(IoU cost, appearance cost); without embeddings, plain ByteTrack")
                .default_value(d.with_reid)
                .mutable_playing()
                .build(),
            threshold("feature-momentum", "Feature momentum",
                "Per-track feature = momentum x feature + (1 - momentum) x new embedding, L2-normalised", d.feature_momentum),
            threshold("proximity-threshold", "Proximity threshold",
                "Appearance only counts for pairs with 1 - IoU at most this", d.proximity),
            threshold("appearance-threshold", "Appearance threshold",
                "Appearance cost (1 - cosine) / 2 above this counts as no match", d.appearance),
            glib::ParamSpecUInt::builder("reid-max-gap")
                .nick("Re-id stitching gap")
                .blurb("With with-reid: frames within which a new track that looks like a lost one continues its id (a merge event goes downstream); 0 = off")
                .minimum(0)
                .maximum(1_000_000)
                .default_value(d.reid_max_gap)
                .mutable_playing()
                .build(),
    ]
}

impl ObjectImpl for RsByteTrack {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let d = Settings::default();
            vec![
                threshold("track-high-threshold", "High score threshold",
                    "Detections scoring above this take part in the first association (ByteTrack track_thresh)", d.track_high),
                threshold("track-low-threshold", "Low score threshold",
                    "Detections scoring above this and below track-high-threshold take part in the second association", d.track_low),
                threshold("new-track-threshold", "New track threshold",
                    "An unmatched high detection scoring at least this starts a new track", d.new_track),
                threshold("match-threshold", "Match threshold",
                    "Cost limit of the first association (cost = 1 - IoU x score); 0.8 rejects IoU below 0.2", d.match_thresh),
                glib::ParamSpecUInt::builder("track-buffer")
                    .nick("Track buffer")
                    .blurb("Frames (at 30 fps; scaled by frame-rate/30) a lost track is kept before it is removed")
                    .minimum(1)
                    .maximum(1_000_000)
                    .default_value(d.track_buffer)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt64::builder("max-lost-time")
                    .nick("Maximum lost time")
                    .blurb("If > 0: running time in ns a lost track is kept; overrides track-buffer so behaviour does not depend on the frame rate")
                    .minimum(0)
                    .maximum(u64::MAX)
                    .default_value(0)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecDouble::builder("frame-rate")
                    .nick("Frame rate")
                    .blurb("Frame rate used to scale track-buffer; 0 = from the caps (30 if the caps have none)")
                    .minimum(0.0)
                    .maximum(10_000.0)
                    .default_value(d.frame_rate)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("min-hits")
                    .nick("Minimum hits")
                    .blurb("A track is output only once it was matched on at least this many frames (0 = as soon as ByteTrack activates it)")
                    .minimum(0)
                    .maximum(10_000)
                    .default_value(d.min_hits)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecBoolean::builder("per-class")
                    .nick("Per class")
                    .blurb("Only match detections to tracks of the same class id")
                    .default_value(d.per_class)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecBoolean::builder("fuse-score")
                    .nick("Fuse score")
                    .blurb("First association cost = 1 - IoU x score (ByteTrack's default); false: 1 - IoU (ByteTrack's MOT20 mode)")
                    .default_value(d.fuse_score)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecBoolean::builder("output-lost")
                    .nick("Output lost tracks")
                    .blurb("Append the predicted boxes of lost (not yet removed) tracks as objects with state 'lost'")
                    .default_value(d.output_lost)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("reset", d.reset)
                    .nick("Reset")
                    .blurb("What drops all tracks: a flush and a new stream-start, one of them, or never")
                    .mutable_playing()
                    .build(),
                glib::ParamSpecBoolean::builder("track-messages")
                    .nick("Track messages")
                    .blurb("Also post track_start/track_lost/track_end ('rstracking-track') and stitching merges ('rstracking-merge') as element messages on the bus")
                    .default_value(d.track_messages)
                    .mutable_playing()
                    .build(),
            ]
            .into_iter()
            .chain(improved_properties(&d))
            .chain(cut_properties(&d))
            .chain(reid_properties(&d))
            .chain([
                crate::interop::publish_meta_param_spec(),
                crate::stats::param_spec(),
            ])
            .collect()
        });
        PROPS.as_ref()
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
        let name = pspec.name();
        let old = format!("{:?}", property_value(&s, name));
        match name {
            "track-high-threshold" => s.track_high = value.get().expect("type checked"),
            "track-low-threshold" => s.track_low = value.get().expect("type checked"),
            "new-track-threshold" => s.new_track = value.get().expect("type checked"),
            "match-threshold" => s.match_thresh = value.get().expect("type checked"),
            "track-buffer" => s.track_buffer = value.get().expect("type checked"),
            "max-lost-time" => s.max_lost_time = value.get().expect("type checked"),
            "frame-rate" => s.frame_rate = value.get().expect("type checked"),
            "min-hits" => s.min_hits = value.get().expect("type checked"),
            "per-class" => s.per_class = value.get().expect("type checked"),
            "fuse-score" => s.fuse_score = value.get().expect("type checked"),
            "output-lost" => s.output_lost = value.get().expect("type checked"),
            "predict-empty-frames" => s.predict_empty = value.get().expect("type checked"),
            "young-gate" => s.young_gate = value.get().expect("type checked"),
            "scene-cuts" => s.scene_cuts = value.get().expect("type checked"),
            "cut-cooldown" => s.cut_cooldown = value.get().expect("type checked"),
            "with-reid" => s.with_reid = value.get().expect("type checked"),
            "feature-momentum" => s.feature_momentum = value.get().expect("type checked"),
            "proximity-threshold" => s.proximity = value.get().expect("type checked"),
            "appearance-threshold" => s.appearance = value.get().expect("type checked"),
            "reid-max-gap" => s.reid_max_gap = value.get().expect("type checked"),
            "track-messages" => s.track_messages = value.get().expect("type checked"),
            "reset" => s.reset = value.get().expect("type checked"),
            other => unreachable!("unknown property {other}"),
        }
        gst::info!(
            CAT,
            imp = self,
            "{name}: {old} -> {:?}",
            property_value(&s, name)
        );
        let settings = *s;
        drop(s);
        if let Some(state) = self.state.lock().unwrap().as_mut() {
            state.tracker.set_config(settings.config(state.caps_fps));
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        if pspec.name() == "publish-meta" {
            return self.publish.get().to_value();
        }
        if pspec.name() == crate::stats::PROPERTY {
            return self.stats.interval_ms().to_value();
        }
        use std::sync::atomic::Ordering::Relaxed;
        match pspec.name() {
            "cuts" => return self.cuts.load(Relaxed).to_value(),
            "cuts-ignored" => return self.cuts_ignored.load(Relaxed).to_value(),
            _ => {}
        }
        let s = self.settings.lock().unwrap();
        property_value(&s, pspec.name())
    }
}

fn property_value(s: &Settings, name: &str) -> glib::Value {
    match name {
        "track-high-threshold" => s.track_high.to_value(),
        "track-low-threshold" => s.track_low.to_value(),
        "new-track-threshold" => s.new_track.to_value(),
        "match-threshold" => s.match_thresh.to_value(),
        "track-buffer" => s.track_buffer.to_value(),
        "max-lost-time" => s.max_lost_time.to_value(),
        "frame-rate" => s.frame_rate.to_value(),
        "min-hits" => s.min_hits.to_value(),
        "per-class" => s.per_class.to_value(),
        "fuse-score" => s.fuse_score.to_value(),
        "output-lost" => s.output_lost.to_value(),
        "predict-empty-frames" => s.predict_empty.to_value(),
        "young-gate" => s.young_gate.to_value(),
        "scene-cuts" => s.scene_cuts.to_value(),
        "cut-cooldown" => s.cut_cooldown.to_value(),
        "with-reid" => s.with_reid.to_value(),
        "feature-momentum" => s.feature_momentum.to_value(),
        "proximity-threshold" => s.proximity.to_value(),
        "appearance-threshold" => s.appearance.to_value(),
        "reid-max-gap" => s.reid_max_gap.to_value(),
        "track-messages" => s.track_messages.to_value(),
        "reset" => s.reset.to_value(),
        other => unreachable!("unknown property {other}"),
    }
}

impl GstObjectImpl for RsByteTrack {}

impl ElementImpl for RsByteTrack {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "ByteTrack tracker",
                "Filter/Analyzer/Video",
                "Assigns persistent track ids to the detections of the tracking meta (ByteTrack)",
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
}

impl RsByteTrack {
    /// Drops every track (flush, new stream); their `track_end` events go
    /// downstream first.
    fn reset(&self, why: &str) {
        let ended = match self.state.lock().unwrap().as_mut() {
            Some(state) => {
                gst::debug!(CAT, imp = self, "{why}: tracker reset");
                state.tracker.reset();
                state.frame = 0;
                // Running times restart: a cut of before neither applies
                // nor starts a cooldown.
                state.pending_cut = false;
                state.last_cut = None;
                state.end_all()
            }
            None => Vec::new(),
        };
        self.send_track_events(ended);
    }

    /// Pushes life-cycle events downstream (and posts them on the bus with
    /// `track-messages`), without holding a lock.
    fn send_track_events(&self, events: Vec<crate::TrackEvent>) {
        if events.is_empty() {
            return;
        }
        let post = self.settings.lock().unwrap().track_messages;
        let obj = self.obj();
        for e in events {
            gst::log!(CAT, imp = self, "{} {}", e.kind.as_str(), e.track_id);
            if post {
                let _ = obj.post_message(e.to_message(obj.upcast_ref()));
            }
            obj.src_pad().push_event(e.to_event());
        }
    }
}

impl BaseTransformImpl for RsByteTrack {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let settings = *self.settings.lock().unwrap();
        self.cuts.store(0, std::sync::atomic::Ordering::Relaxed);
        self.cuts_ignored
            .store(0, std::sync::atomic::Ordering::Relaxed);
        if settings.track_low > settings.track_high {
            gst::element_imp_warning!(
                self,
                gst::LibraryError::Settings,
                (
                    "track-low-threshold {} is above track-high-threshold {}: the second (low-score) association gets no detections",
                    settings.track_low,
                    settings.track_high
                )
            );
        }
        let tracker = match self.stopped_tracker.lock().unwrap().take() {
            Some(mut t) => {
                // Tracks are dropped, ids go on.
                t.reset();
                t.set_config(settings.config(None));
                t
            }
            None => ByteTracker::new(settings.config(None)),
        };
        *self.state.lock().unwrap() = Some(State {
            tracker,
            caps_fps: None,
            dets: Vec::new(),
            out: Vec::new(),
            frame: 0,
            alive: HashMap::new(),
            stream: None,
            stream_ids: Default::default(),
            tracked_now: HashSet::new(),
            held: HashSet::new(),
            pending_cut: false,
            last_cut: None,
        });
        gst::info!(CAT, imp = self, "Started");
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        let state = self.state.lock().unwrap().take();
        if let Some(state) = state {
            *self.stopped_tracker.lock().unwrap() = Some(state.tracker);
        }
        self.stats.stop();
        gst::info!(CAT, imp = self, "Stopped");
        Ok(())
    }

    fn set_caps(&self, incaps: &gst::Caps, _outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let fps = incaps
            .structure(0)
            .and_then(|s| s.get::<gst::Fraction>("framerate").ok())
            .filter(|f| f.numer() > 0 && f.denom() > 0)
            .map(|f| f.numer() as f64 / f.denom() as f64);
        let settings = *self.settings.lock().unwrap();
        if fps.is_none() && settings.frame_rate <= 0.0 && settings.max_lost_time == 0 {
            gst::element_imp_warning!(
                self,
                gst::StreamError::Format,
                ("Caps have no frame rate; assuming {} fps for track-buffer (set frame-rate or max-lost-time)", FALLBACK_FPS)
            );
        }
        if let Some(state) = self.state.lock().unwrap().as_mut() {
            state.caps_fps = fps;
            state.tracker.set_config(settings.config(fps));
            gst::debug!(
                CAT,
                imp = self,
                "caps frame rate {:?}: lost tracks kept {} frames",
                fps,
                state.tracker.config().max_lost_frames()
            );
        }
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        match event.view() {
            gst::EventView::FlushStop(_) | gst::EventView::StreamStart(_) => {
                let policy = self.settings.lock().unwrap().reset;
                let why = self
                    .state
                    .lock()
                    .unwrap()
                    .as_mut()
                    .and_then(|s| s.stream_ids.check(policy, &event));
                if let Some(why) = why {
                    self.reset(why);
                }
                if let gst::EventView::FlushStop(_) = event.view() {
                    // Running times restart after a flush, whatever the
                    // reset policy: no cut of before, no cooldown.
                    if let Some(s) = self.state.lock().unwrap().as_mut() {
                        s.pending_cut = false;
                        s.last_cut = None;
                    }
                }
            }
            gst::EventView::CustomDownstream(_)
                if gst_video::DownstreamForceKeyUnitEvent::parse(&event).is_ok()
                    && self.settings.lock().unwrap().scene_cuts =>
            {
                if let Some(state) = self.state.lock().unwrap().as_mut() {
                    state.pending_cut = true;
                }
            }
            gst::EventView::Eos(_) => {
                let ended = self
                    .state
                    .lock()
                    .unwrap()
                    .as_mut()
                    .map(State::end_all)
                    .unwrap_or_default();
                self.send_track_events(ended);
            }
            _ => {}
        }
        self.stats.sink_event(self.obj().upcast_ref(), &event);
        self.parent_sink_event(event)
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let started = self.stats.begin();
        let ret = self.process(buf)?;
        let obj = self.obj();
        crate::interop::maybe_publish(obj.sink_pad(), obj.src_pad(), &self.publish, buf);
        self.stats.end(obj.upcast_ref(), started, buf, |b, s| {
            s.active_tracks = Some(crate::stats::tracks(b))
        });
        Ok(ret)
    }
}

impl RsByteTrack {
    fn process(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let running_time = self.running_time(buf);
        self.apply_cut(buf, running_time);
        // Read before the state lock (set_property takes settings, then state).
        let predict_empty = self.settings.lock().unwrap().predict_empty;
        let mut guard = self.state.lock().unwrap();
        let state = guard.as_mut().ok_or(gst::FlowError::Flushing)?;
        let frame = state.frame;
        state.frame += 1;
        let skipped = match buf.meta::<TrackingMeta>() {
            None => true,
            Some(m) => predict_empty && m.objects().is_empty(),
        };
        if skipped {
            // No detector ran on this frame (e.g. rsdetect interval > 1): the
            // tracks move by their prediction; nothing is matched or aged.
            let objects = state.predict();
            gst::log!(
                CAT,
                imp = self,
                "frame {frame}: no detections meta, {} predicted tracks",
                objects.len()
            );
            TrackingMeta::add(
                buf,
                FrameObjects {
                    stream: None,
                    frame: Some(frame),
                    objects,
                },
            );
            return Ok(gst::FlowSuccess::Ok);
        }
        let mut meta = buf.meta_mut::<TrackingMeta>().expect("meta just ensured");
        let stream = meta.frame().stream.clone();
        let report = state.track(meta.objects_mut(), running_time);
        gst::log!(
            CAT,
            imp = self,
            "frame {frame}: {} detections, {} outputs, {report:?}, {} tracks held",
            state.dets.len(),
            state.out.len(),
            state.tracker.num_tracks()
        );
        state.stream.clone_from(&stream);
        let track_events = state.track_events(stream.as_deref());
        let merges = state.merge_events(stream);
        // Life cycle and stitched tracklets: tell downstream (rsjsonsink
        // writes `track_*` and `merge` lines) before this frame, outside
        // our lock.
        drop(guard);
        self.send_track_events(track_events);
        let post = !merges.is_empty() && self.settings.lock().unwrap().track_messages;
        for m in merges {
            gst::debug!(
                CAT,
                imp = self,
                "frame {frame}: track {} continues as {}",
                m.from,
                m.to
            );
            if post {
                let obj = self.obj();
                let _ = obj.post_message(m.to_message(obj.upcast_ref()));
            }
            self.obj().src_pad().push_event(m.to_event());
        }
        Ok(gst::FlowSuccess::Ok)
    }
}

impl RsByteTrack {
    /// A scene cut received before `buf`: unless within `cut-cooldown` of
    /// the last one, every track ends (`track_end` events) and an
    /// `rstracking-cut` event (`frame`, `running_time_ns`, `stream`) goes
    /// downstream in front of `buf`. Track ids keep increasing.
    fn apply_cut(&self, buf: &gst::BufferRef, running_time: Option<u64>) {
        use std::sync::atomic::Ordering::Relaxed;
        let cooldown = self.settings.lock().unwrap().cut_cooldown;
        let (ended, cut) = {
            let mut guard = self.state.lock().unwrap();
            let Some(state) = guard.as_mut().filter(|s| s.pending_cut) else {
                return;
            };
            state.pending_cut = false;
            // The cooldown needs running times; without one a cut applies.
            if let (Some(rt), Some(last)) = (running_time, state.last_cut) {
                if rt.saturating_sub(last) < cooldown {
                    self.cuts_ignored.fetch_add(1, Relaxed);
                    gst::debug!(
                        CAT,
                        imp = self,
                        "cut at {rt} ns within the cooldown: ignored"
                    );
                    return;
                }
            }
            state.last_cut = running_time;
            let rt = running_time.unwrap_or(0);
            state.tracker.reset();
            let meta = buf.meta::<TrackingMeta>();
            let frame = meta
                .as_ref()
                .and_then(|m| m.frame().frame)
                .unwrap_or(state.frame);
            let stream = meta
                .and_then(|m| m.frame().stream.clone())
                .or_else(|| state.stream.clone());
            let mut b = gst::Structure::builder("rstracking-cut")
                .field("event", "cut")
                .field("frame", frame)
                .field("running_time_ns", rt);
            if let Some(s) = &stream {
                b = b.field("stream", s);
            }
            (state.end_all(), b.build())
        };
        self.cuts.fetch_add(1, Relaxed);
        gst::debug!(CAT, imp = self, "scene cut: {} tracks end", ended.len());
        self.send_track_events(ended);
        self.obj()
            .src_pad()
            .push_event(gst::event::CustomDownstream::new(cut));
    }

    /// Running time (ns) of the buffer's PTS in the current segment.
    fn running_time(&self, buf: &gst::BufferRef) -> Option<u64> {
        crate::running_time(&self.obj().segment(), buf).map(|t| t.nseconds())
    }
}

impl State {
    /// A frame without detections: the tracks' predicted boxes.
    fn predict(&mut self) -> Vec<Object> {
        self.tracker.predict(&mut self.out);
        self.out
            .iter()
            .map(|t| {
                let mut o = Object::new(tlwh_bbox(&t.tlwh), t.score as f32, t.class_id);
                o.track_id = Some(t.track_id);
                o.track_state = Some(t.state);
                o
            })
            .collect()
    }

    /// Runs the tracker on `objects` (the frame's detections): matched
    /// detections get their track id and box, other output tracks (lost,
    /// with `output-lost`) are appended.
    fn track(&mut self, objects: &mut Vec<Object>, running_time: Option<u64>) -> UpdateReport {
        let with_reid = self.tracker.config().with_reid;
        self.dets.clear();
        self.dets.extend(objects.iter().map(|o| Detection {
            tlwh: [
                decimal_f64(o.bbox.x),
                decimal_f64(o.bbox.y),
                decimal_f64(o.bbox.w),
                decimal_f64(o.bbox.h),
            ],
            score: decimal_f64(o.confidence),
            class_id: o.class_id,
            embedding: if with_reid { o.embedding.clone() } else { None },
        }));
        // Ids of a previous tracker upstream are replaced, not mixed.
        for o in objects.iter_mut() {
            o.track_id = None;
            o.track_state = None;
        }
        let report = self.tracker.update(&self.dets, running_time, &mut self.out);
        for t in &self.out {
            let bbox = tlwh_bbox(&t.tlwh);
            match t.det_index {
                Some(i) if t.state == TrackState::Tracked => {
                    let o = &mut objects[i];
                    o.track_id = Some(t.track_id);
                    o.track_state = Some(TrackState::Tracked);
                    o.bbox = bbox;
                }
                _ => {
                    let mut o = Object::new(bbox, t.score as f32, t.class_id);
                    o.track_id = Some(t.track_id);
                    o.track_state = Some(t.state);
                    objects.push(o);
                }
            }
        }
        report
    }

    /// Life-cycle changes of the last update: tracks output for the first
    /// time, tracked tracks that are no longer tracked, tracks the tracker
    /// no longer holds.
    fn track_events(&mut self, stream: Option<&str>) -> Vec<crate::TrackEvent> {
        use crate::TrackEventKind::*;
        let mut events = Vec::new();
        let event = |kind, track_id| crate::TrackEvent {
            kind,
            track_id,
            stream: stream.map(str::to_string),
        };
        self.tracked_now.clear();
        for t in self.out.iter().filter(|t| t.state == TrackState::Tracked) {
            self.tracked_now.insert(t.track_id);
            match self.alive.get_mut(&t.track_id) {
                None => {
                    self.alive.insert(t.track_id, false);
                    events.push(event(Start, t.track_id));
                }
                Some(lost) => *lost = false,
            }
        }
        self.held.clear();
        self.held.extend(self.tracker.held_ids());
        let (tracked_now, held) = (&self.tracked_now, &self.held);
        let mut ended = Vec::new();
        for (&id, lost) in self.alive.iter_mut() {
            if tracked_now.contains(&id) {
                continue;
            }
            if !held.contains(&id) {
                ended.push(id);
            } else if !*lost {
                *lost = true;
                events.push(event(Lost, id));
            }
        }
        ended.sort_unstable();
        for id in ended {
            self.alive.remove(&id);
            events.push(event(End, id));
        }
        // Deterministic order within a frame: by kind, then id.
        events.sort_by_key(|e| (e.kind as u8, e.track_id));
        events
    }

    /// `track_end` for every alive track (EOS, flush, new stream).
    fn end_all(&mut self) -> Vec<crate::TrackEvent> {
        let mut ids: Vec<u64> = self.alive.drain().map(|(id, _)| id).collect();
        ids.sort_unstable();
        ids.into_iter()
            .map(|track_id| crate::TrackEvent {
                kind: crate::TrackEventKind::End,
                track_id,
                stream: self.stream.clone(),
            })
            .collect()
    }

    /// The stitches of the last update as merge events.
    fn merge_events(&self, stream: Option<String>) -> Vec<crate::MergeEvent> {
        self.tracker
            .merges()
            .iter()
            .map(|m| crate::MergeEvent {
                id_kind: crate::IdKind::TrackId,
                from: m.from,
                to: m.into,
                stream: stream.clone(),
            })
            .collect()
    }
}

/// A tracker box (f64 tlwh) as a meta box.
fn tlwh_bbox(t: &[f64; 4]) -> BBox {
    BBox::new(t[0] as f32, t[1] as f32, t[2] as f32, t[3] as f32)
}
