// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::model::{ActionModel, ActionModelConfig};
use super::NormalizationProp;
use crate::classify::Activation as ActivationProp;
use crate::meta::TrackingMeta;
use crate::onnx::OrtSettings;
use crate::settings_error;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use rstracking_core::action::{top_class, ActionWindows, Activation, Normalization, WindowConfig};
use rstracking_core::types::Action;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rsaction",
        gst::DebugColorFlags::empty(),
        Some("Skeleton action recognition per track"),
    )
});

const DEFAULT_WINDOW: u32 = 32;
const DEFAULT_STRIDE: u32 = 8;
const DEFAULT_FORGET_AFTER: u32 = 300;

#[derive(Debug, Clone)]
struct Settings {
    model: Option<String>,
    window: u32,
    stride: u32,
    min_frames: u32,
    normalization: NormalizationProp,
    activation: ActivationProp,
    labels: Option<String>,
    labels_file: Option<String>,
    scores: bool,
    forget_after: u32,
    post_messages: bool,
    ort: OrtSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            model: None,
            window: DEFAULT_WINDOW,
            stride: DEFAULT_STRIDE,
            min_frames: 0,
            normalization: NormalizationProp::default(),
            activation: ActivationProp::default(),
            labels: None,
            labels_file: None,
            scores: false,
            forget_after: DEFAULT_FORGET_AFTER,
            post_messages: false,
            ort: OrtSettings::default(),
        }
    }
}

/// Windows and per-stream bookkeeping (never locked during inference).
struct State {
    windows: ActionWindows,
    labels: Vec<String>,
    activation: Activation,
    scores: bool,
    forget_after: u64,
    post_messages: bool,
    width: u32,
    height: u32,
    frame: u64,
    stream: Option<String>,
    /// Scratch, reused: batch tensor, tracks due, output rows (flat).
    tensor: Vec<f32>,
    ready: Vec<u64>,
    rows: Vec<f32>,
}

#[derive(Default)]
pub struct RsAction {
    // Mutex order: settings, model, state. `model` is locked by the
    // streaming thread only (around inference); `state` never across it.
    settings: Mutex<Settings>,
    model: Mutex<Option<ActionModel>>,
    state: Mutex<Option<State>>,
    runs: AtomicU64,
    classified: AtomicU64,
    tracks: AtomicU64,
}

#[glib::object_subclass]
impl ObjectSubclass for RsAction {
    const NAME: &'static str = "GstRsAction";
    type Type = super::RsAction;
    type ParentType = gst_base::BaseTransform;
}

use crate::counter_prop as counter;

impl ObjectImpl for RsAction {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                crate::string_prop("model", "ONNX model", "Action model: float input [N, 3, T, V, 1] (ST-GCN) or [N, T, V, 3], output [N, classes]"),
                crate::uint_prop("window", "Window", "T: keypoint frames per track window (a model with a fixed T must match)", (1, 4096), DEFAULT_WINDOW),
                crate::uint_prop("stride", "Stride", "New frames of a track between two classifications", (1, 4096), DEFAULT_STRIDE),
                crate::uint_prop("min-frames", "Minimum frames", "Frames a track needs before its first classification (a shorter window is zero-padded at its start); 0 = window", (0, 4096), 0),
                glib::ParamSpecEnum::builder_with_default("normalization", NormalizationProp::default())
                    .nick("Normalization")
                    .blurb("How keypoint x, y are normalised before they enter a window")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("activation", ActivationProp::default())
                    .nick("Activation")
                    .blurb("Applied to the model's outputs before the top class is taken")
                    .mutable_ready()
                    .build(),
                crate::string_prop("labels", "Labels", "Comma-separated class labels (as many as the model's classes); default: none"),
                crate::string_prop("labels-file", "Labels file", "One class label per line (line i = class i); instead of labels"),
                glib::ParamSpecBoolean::builder("scores")
                    .nick("All scores")
                    .blurb("Also attach every class's score (action.scores)")
                    .default_value(false)
                    .mutable_ready()
                    .build(),
                crate::uint_prop("forget-after", "Forget after", "Frames after which the window of a track not seen is freed", (1, 1_000_000), DEFAULT_FORGET_AFTER),
                glib::ParamSpecBoolean::builder("post-messages")
                    .nick("Post messages")
                    .blurb("Post an 'rstracking-action' element message for every classification")
                    .default_value(false)
                    .mutable_ready()
                    .build(),
                counter("runs", "Model runs", "Session::run calls since start (read-only)"),
                counter("classified", "Windows classified", "Track windows classified since start (read-only)"),
                counter("tracks", "Tracks", "Track windows held now (read-only)"),
            ]
            .into_iter()
            .chain(OrtSettings::param_specs())
            .collect()
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = self.settings.lock().unwrap();
        if s.ort.set(pspec.name(), value) {
            return;
        }
        let opt = crate::opt_string;
        let get = |v: &glib::Value| v.get::<u32>().expect("type checked upstream");
        match pspec.name() {
            "model" => s.model = opt(value),
            "window" => s.window = get(value),
            "stride" => s.stride = get(value),
            "min-frames" => s.min_frames = get(value),
            "normalization" => s.normalization = value.get().expect("type checked upstream"),
            "activation" => s.activation = value.get().expect("type checked upstream"),
            "labels" => s.labels = opt(value),
            "labels-file" => s.labels_file = opt(value),
            "scores" => s.scores = value.get().expect("type checked upstream"),
            "forget-after" => s.forget_after = get(value),
            "post-messages" => s.post_messages = value.get().expect("type checked upstream"),
            other => unreachable!("unknown property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = self.settings.lock().unwrap();
        if let Some(v) = s.ort.get(pspec.name()) {
            return v;
        }
        match pspec.name() {
            "model" => s.model.to_value(),
            "window" => s.window.to_value(),
            "stride" => s.stride.to_value(),
            "min-frames" => s.min_frames.to_value(),
            "normalization" => s.normalization.to_value(),
            "activation" => s.activation.to_value(),
            "labels" => s.labels.to_value(),
            "labels-file" => s.labels_file.to_value(),
            "scores" => s.scores.to_value(),
            "forget-after" => s.forget_after.to_value(),
            "post-messages" => s.post_messages.to_value(),
            "runs" => self.runs.load(Ordering::Relaxed).to_value(),
            "classified" => self.classified.load(Ordering::Relaxed).to_value(),
            "tracks" => self.tracks.load(Ordering::Relaxed).to_value(),
            other => unreachable!("unknown property {other}"),
        }
    }
}

impl GstObjectImpl for RsAction {}

impl ElementImpl for RsAction {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Skeleton action recognition",
                "Filter/Analyzer/Video",
                "Keeps a keypoint window per track and classifies the windows due, batched, with an ONNX skeleton action model (ST-GCN style)",
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

/// The labels of `labels` or `labels-file` (not both).
fn load_labels(s: &Settings) -> Result<Vec<String>, String> {
    match (&s.labels, &s.labels_file) {
        (Some(_), Some(_)) => Err("Set either 'labels' or 'labels-file', not both".into()),
        (Some(l), None) => Ok(l.split(',').map(|t| t.trim().to_string()).collect()),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("Failed to read labels-file '{path}': {e}"))?;
            // Blank lines at the end (a final newline) are not labels.
            let mut labels: Vec<String> = text.lines().map(|l| l.trim().to_string()).collect();
            while labels.last().is_some_and(|l| l.is_empty()) {
                labels.pop();
            }
            Ok(labels)
        }
        (None, None) => Ok(Vec::new()),
    }
}

/// A classification as an `rstracking-action` message structure.
fn action_structure(track_id: u64, a: &Action, stream: Option<&str>) -> gst::Structure {
    let mut b = gst::Structure::builder("rstracking-action")
        .field("track_id", track_id)
        .field("class_id", a.class_id)
        .field("score", a.score)
        .field("frame", a.frame);
    if let Some(l) = &a.label {
        b = b.field("label", l);
    }
    if let Some(s) = stream {
        b = b.field("stream", s);
    }
    b.build()
}

impl BaseTransformImpl for RsAction {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let s = self.settings.lock().unwrap().clone();
        let Some(path) = s.model.clone() else {
            return Err(settings_error(
                "No 'model' set (an ONNX skeleton action model)".into(),
            ));
        };
        let min_frames = if s.min_frames == 0 {
            s.window
        } else {
            s.min_frames
        };
        if min_frames > s.window {
            return Err(settings_error(format!(
                "min-frames {} is larger than window {}",
                s.min_frames, s.window
            )));
        }
        let labels = load_labels(&s).map_err(settings_error)?;
        let cfg = ActionModelConfig {
            model: path.clone(),
            window: s.window as usize,
            session: s.ort.session(false),
            ort_library: s.ort.ort_library.clone(),
        };
        let (model, warnings) = ActionModel::load(&cfg).map_err(|e| e.to_message())?;
        for w in warnings {
            gst::element_imp_warning!(self, gst::LibraryError::Settings, ("{}", w));
        }
        if let Some(k) = model
            .classes
            .filter(|&k| !labels.is_empty() && labels.len() != k)
        {
            return Err(settings_error(format!(
                "{} labels for the {k} classes of action model '{path}'",
                labels.len()
            )));
        }
        gst::info!(
            CAT,
            imp = self,
            "Loaded {path}: {:?}, T {}, V {}, fixed batch {:?}, {}",
            model.layout,
            model.window,
            model.joints,
            model.fixed_batch,
            model.runtime_description()
        );
        let windows = ActionWindows::new(WindowConfig {
            window: s.window as usize,
            stride: s.stride as usize,
            min_frames: min_frames as usize,
            joints: model.joints,
            normalization: s.normalization.into(),
        });
        for c in [&self.runs, &self.classified, &self.tracks] {
            c.store(0, Ordering::Relaxed);
        }
        *self.model.lock().unwrap() = Some(model);
        *self.state.lock().unwrap() = Some(State {
            windows,
            labels,
            activation: s.activation.into(),
            scores: s.scores,
            forget_after: u64::from(s.forget_after),
            post_messages: s.post_messages,
            width: 0,
            height: 0,
            frame: 0,
            stream: None,
            tensor: Vec::new(),
            ready: Vec::new(),
            rows: Vec::new(),
        });
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *self.state.lock().unwrap() = None;
        *self.model.lock().unwrap() = None;
        Ok(())
    }

    fn set_caps(&self, incaps: &gst::Caps, _outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        if let Some(st) = self.state.lock().unwrap().as_mut() {
            (st.width, st.height) = crate::caps_size(incaps);
        }
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        match event.view() {
            gst::EventView::CustomDownstream(_) => {
                if let Some(id) = crate::ended_track(&event) {
                    if let Some(st) = self.state.lock().unwrap().as_mut() {
                        st.windows.end(id);
                        self.tracks
                            .store(st.windows.len() as u64, Ordering::Relaxed);
                    }
                }
            }
            gst::EventView::FlushStop(_) => {
                if let Some(st) = self.state.lock().unwrap().as_mut() {
                    st.windows.clear();
                    self.tracks.store(0, Ordering::Relaxed);
                }
            }
            _ => {}
        }
        self.parent_sink_event(event)
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        match self.process(buf) {
            Ok(messages) => {
                for m in messages {
                    crate::post_element_message(&*self.obj(), m);
                }
                Ok(gst::FlowSuccess::Ok)
            }
            Err(e) => {
                self.post_error_message(e);
                Err(gst::FlowError::Error)
            }
        }
    }
}

impl RsAction {
    /// Adds the frame's skeletons, classifies the windows due and attaches
    /// the results; returns the messages to post.
    fn process(&self, buf: &mut gst::BufferRef) -> Result<Vec<gst::Structure>, gst::ErrorMessage> {
        let Some(mut meta) = buf.meta_mut::<TrackingMeta>() else {
            if let Some(st) = self.state.lock().unwrap().as_mut() {
                st.frame += 1;
            }
            return Ok(Vec::new());
        };
        let mut model_guard = self.model.lock().unwrap();
        let model = model_guard.as_mut().ok_or_else(|| {
            gst::error_msg!(gst::CoreError::StateChange, ("rsaction is not started"))
        })?;
        // 1. Windows in, due windows out (state lock).
        let (frame, ready, tensor, mut scores) = {
            let mut guard = self.state.lock().unwrap();
            let st = guard.as_mut().ok_or_else(|| {
                gst::error_msg!(gst::CoreError::StateChange, ("rsaction is not started"))
            })?;
            let frame = meta.frame().frame.unwrap_or(st.frame);
            st.frame = frame + 1;
            if meta.frame().stream.is_some() {
                st.stream = meta.frame().stream.clone();
            }
            let size = (st.width, st.height);
            if st.windows.config().normalization == Normalization::Frame
                && (size.0 == 0 || size.1 == 0)
            {
                return Err(gst::error_msg!(
                    gst::StreamError::Format,
                    ("normalization=frame needs the frame size in the caps (width and height)")
                ));
            }
            for o in meta.objects() {
                let Some(id) = o.track_id else { continue };
                // Lost: a motion prediction; Predicted: rsposesmooth's
                // extrapolated keypoints. Neither is an observation.
                if o.keypoints.is_empty() || !o.is_observed() {
                    continue;
                }
                st.windows
                    .push(id, &o.keypoints, o.bbox, size, frame)
                    .map_err(|e| {
                        gst::error_msg!(gst::StreamError::Format, ("Frame {}: {}", frame, e))
                    })?;
            }
            let mut ready = std::mem::take(&mut st.ready);
            st.windows.ready(&mut ready);
            let mut tensor = std::mem::take(&mut st.tensor);
            st.windows.fill(&ready, model.layout, &mut tensor);
            (frame, ready, tensor, std::mem::take(&mut st.rows))
        };
        // 2. One batched run, no state lock held; rows of equal length.
        scores.clear();
        let ran = model.run(&tensor, ready.len(), |_, r| scores.extend_from_slice(r));
        drop(model_guard);
        let runs =
            ran.map_err(|e| gst::error_msg!(gst::StreamError::Failed, ("Frame {}: {}", frame, e)))?;
        // 3. Results into the windows and onto the objects (state lock).
        let mut guard = self.state.lock().unwrap();
        let st = guard.as_mut().ok_or_else(|| {
            gst::error_msg!(gst::CoreError::StateChange, ("rsaction is not started"))
        })?;
        let messages = st.apply(&ready, &scores, frame);
        st.tensor = tensor;
        st.ready = ready;
        st.rows = scores;
        let messages = messages?;
        for o in meta.objects_mut() {
            o.action = o.track_id.and_then(|id| st.windows.result(id)).cloned();
        }
        st.windows.forget_older(frame, st.forget_after);
        self.runs.fetch_add(runs, Ordering::Relaxed);
        self.classified
            .fetch_add(st.ready.len() as u64, Ordering::Relaxed);
        self.tracks
            .store(st.windows.len() as u64, Ordering::Relaxed);
        Ok(messages)
    }
}

impl State {
    /// Stores the classifications of the `ready` tracks; returns their
    /// messages when asked for them.
    fn apply(
        &mut self,
        ready: &[u64],
        scores: &[f32],
        frame: u64,
    ) -> Result<Vec<gst::Structure>, gst::ErrorMessage> {
        let mut messages = Vec::new();
        let k = scores.len() / ready.len().max(1);
        for (&id, row) in ready.iter().zip(scores.chunks_exact(k.max(1))) {
            if !self.labels.is_empty() && row.len() != self.labels.len() {
                return Err(gst::error_msg!(
                    gst::StreamError::Failed,
                    (
                        "Frame {}: the action model gave {} scores for {} labels",
                        frame,
                        row.len(),
                        self.labels.len()
                    )
                ));
            }
            let result = top_class(row, self.activation, &self.labels, self.scores, frame);
            if result.is_none() {
                gst::warning!(
                    CAT,
                    "Frame {frame}: track {id}: non-finite action scores, kept the previous result"
                );
            }
            if self.post_messages {
                if let Some(a) = &result {
                    messages.push(action_structure(id, a, self.stream.as_deref()));
                }
            }
            self.windows.set_result(id, result);
        }
        Ok(messages)
    }
}
