// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::Activation;
use crate::crops::{self, Batch, Blurbs, CropElement, CropSettings, FrameModel, Gate, TrackCache};
use crate::embedder::Embedder;
use crate::meta::TrackingMeta;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use rstracking_core::classify::top_class;
use rstracking_core::types::{Attribute, Object};
use std::sync::{LazyLock, Mutex};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rsclassify",
        gst::DebugColorFlags::empty(),
        Some("Secondary classification of object crops"),
    )
});

const DEFAULT_ATTRIBUTE_NAME: &str = "class";

#[derive(Debug, Clone)]
struct Settings {
    crop: CropSettings,
    labels: Option<String>,
    attribute_name: String,
    classes: Option<String>,
    activation: Activation,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            crop: CropSettings::default(),
            labels: None,
            attribute_name: DEFAULT_ATTRIBUTE_NAME.into(),
            classes: None,
            activation: Activation::default(),
        }
    }
}

/// Objects per outcome, for one frame and in total since start.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    /// Given a new result by the model.
    classified: u64,
    /// Carried their track's last result (interval).
    reused: u64,
    skipped_class: u64,
    skipped_size: u64,
    skipped_confidence: u64,
    /// Run, but the model gave a non-finite row.
    failed: u64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.classified += o.classified;
        self.reused += o.reused;
        self.skipped_class += o.skipped_class;
        self.skipped_size += o.skipped_size;
        self.skipped_confidence += o.skipped_confidence;
        self.failed += o.failed;
    }

    fn skipped(&self) -> u64 {
        self.skipped_class + self.skipped_size + self.skipped_confidence + self.failed
    }
}

struct State {
    model: Embedder,
    model_path: String,
    labels: Vec<String>,
    attribute_name: String,
    classes: Option<Vec<u32>>,
    activation: rstracking_core::classify::Activation,
    min_size: f32,
    min_confidence: f32,
    batch: Batch,
    cache: TrackCache<Attribute>,
    // Scratch, reused.
    /// Objects whose track has a fresh result (not run).
    fresh: Vec<usize>,
    results: Vec<Option<(u32, f32)>>,
}

#[derive(Default)]
pub struct RsClassify {
    // Mutex order: settings, base.state, totals.
    settings: Mutex<Settings>,
    base: CropElement<State>,
    totals: Mutex<Counts>,
}

#[glib::object_subclass]
impl ObjectSubclass for RsClassify {
    const NAME: &'static str = "GstRsClassify";
    type Type = super::RsClassify;
    type ParentType = gst_base::BaseTransform;
}

/// Parses `labels`: "a,b,c", or "@path" for a file with one label per line
/// (blank lines ignored); empty = no labels.
fn parse_labels(s: &str) -> Result<Vec<String>, String> {
    let s = s.trim();
    if let Some(path) = s.strip_prefix('@') {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("Failed to read labels file '{path}': {e}"))?;
        return Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect());
    }
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .enumerate()
        .map(|(i, l)| match l.trim() {
            "" => Err(format!("labels '{s}': label {i} is empty")),
            l => Ok(l.to_string()),
        })
        .collect()
}

/// The error for `labels` whose count differs from the model's outputs.
fn labels_mismatch(labels: usize, outputs: usize, model: &str) -> String {
    format!("labels has {labels} labels but the model '{model}' has {outputs} outputs per crop")
}

/// The counters: (property, nick, blurb).
const COUNTERS: [(&str, &str, &str); 6] = [
    ("classified", "Classified", "Objects given a new result by the model since start (read-only)"),
    ("reused", "Reused", "Objects that carried their track's last result (interval) since start (read-only)"),
    ("skipped", "Skipped", "Objects that got no result since start: the three skipped-* counts plus crops the model gave a non-finite output for (read-only)"),
    ("skipped-class", "Skipped by class", "Objects whose class is not in 'classes' since start (read-only)"),
    ("skipped-size", "Skipped by size", "Objects whose box (clipped to the frame) is empty or under 'min-size' since start (read-only)"),
    ("skipped-confidence", "Skipped by confidence", "Objects under 'min-confidence' since start (read-only)"),
];

fn own_param_specs() -> Vec<glib::ParamSpec> {
    let s = crate::string_prop;
    let mut v = vec![
        s("labels", "Labels", "Class labels: comma-separated (e.g. red,green,blue) or @path of a file with one label per line; their number must equal the model's outputs per crop; empty (default) = no labels (attributes carry class ids only)"),
        glib::ParamSpecString::builder("attribute-name")
            .nick("Attribute name")
            .blurb("Name of the attribute group written on each object (e.g. color); an attribute of this name already there is replaced")
            .default_value(Some(DEFAULT_ATTRIBUTE_NAME))
            .mutable_ready()
            .build(),
        s("classes", "Classes", "Comma-separated detector class ids to classify (e.g. 0,2); empty (default) = all"),
        glib::ParamSpecEnum::builder_with_default("activation", Activation::default())
            .nick("Activation")
            .blurb("Applied to each crop's outputs; the score is the activated top value")
            .mutable_ready()
            .build(),
    ];
    v.extend(
        COUNTERS
            .iter()
            .map(|(n, k, b)| crate::counter_prop(n, k, b)),
    );
    v
}

impl ObjectImpl for RsClassify {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let blurbs = Blurbs {
                model: "Classifier: float input [batch, 3, H, W], output [batch, C] (required)",
                min_size: "Objects whose box (clipped to the frame) is narrower or shorter than this (px) are not classified; 0-100000, default 0",
                min_confidence: "Objects below this detection confidence are not classified; 0-1, default 0",
                interval: "Objects with a track id are re-classified every N frames and keep the last result in between; objects without a track id are classified on every frame; 1-100000, default 1",
            };
            own_param_specs()
                .into_iter()
                .chain(CropSettings::param_specs(&blurbs))
                .chain(CropElement::<State>::param_specs())
                .collect()
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let get = || {
            value
                .get::<Option<String>>()
                .expect("type checked upstream")
        };
        if self.base.set_property(pspec.name(), value) {
            return;
        }
        let mut s = self.settings.lock().unwrap();
        match pspec.name() {
            "labels" => s.labels = get(),
            "attribute-name" => s.attribute_name = get().unwrap_or_default(),
            "classes" => s.classes = get(),
            "activation" => s.activation = value.get().expect("type checked upstream"),
            other if s.crop.set(other, value) => {}
            other => unreachable!("unknown property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        if let Some(v) = self.base.property(pspec.name()) {
            return v;
        }
        let s = self.settings.lock().unwrap();
        let t = *self.totals.lock().unwrap();
        match pspec.name() {
            "labels" => s.labels.to_value(),
            "attribute-name" => s.attribute_name.to_value(),
            "classes" => s.classes.to_value(),
            "activation" => s.activation.to_value(),
            "classified" => t.classified.to_value(),
            "reused" => t.reused.to_value(),
            "skipped" => t.skipped().to_value(),
            "skipped-class" => t.skipped_class.to_value(),
            "skipped-size" => t.skipped_size.to_value(),
            "skipped-confidence" => t.skipped_confidence.to_value(),
            other => s
                .crop
                .get(other)
                .unwrap_or_else(|| unreachable!("unknown property {other}")),
        }
    }
}

impl GstObjectImpl for RsClassify {}

impl ElementImpl for RsClassify {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Object classifier",
                "Filter/Analyzer/Video",
                "Crops the objects of the tracking meta, runs them as one batch through an ONNX classifier and attaches the top class (label, score) as an attribute",
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

impl BaseTransformImpl for RsClassify {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let s = self.settings.lock().unwrap().clone();
        let cfg = s.crop.embedder_config("Classification")?;
        let labels =
            parse_labels(s.labels.as_deref().unwrap_or("")).map_err(crate::settings_error)?;
        let classes = crate::infer::parse_classes(s.classes.as_deref().unwrap_or(""))
            .map_err(crate::settings_error)?;
        if s.attribute_name.trim().is_empty() {
            return Err(crate::settings_error("attribute-name is empty".into()));
        }
        let model = crops::load_model(self.obj().upcast_ref(), *CAT, &cfg)?;
        if let Some(dim) = model.output_dim() {
            if !labels.is_empty() && labels.len() != dim {
                return Err(crate::settings_error(labels_mismatch(
                    labels.len(),
                    dim,
                    &cfg.model,
                )));
            }
        }
        *self.totals.lock().unwrap() = Counts::default();
        self.base.start(State {
            model,
            model_path: cfg.model,
            labels,
            attribute_name: s.attribute_name.trim().to_string(),
            classes,
            activation: s.activation.into(),
            min_size: s.crop.min_size,
            min_confidence: s.crop.min_confidence,
            batch: Batch::new(),
            cache: TrackCache::new(s.crop.interval),
            fresh: Vec::new(),
            results: Vec::new(),
        });
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        self.base.stop();
        Ok(())
    }

    fn set_caps(&self, incaps: &gst::Caps, _outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        self.base.set_caps(*CAT, incaps)
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        self.base.sink_event(self.obj().upcast_ref(), &event);
        self.parent_sink_event(event)
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        self.base
            .transform_ip(self.obj().upcast_ref(), buf, |state, c| {
                gst::trace!(
                    CAT,
                    imp = self,
                    "frame {}: {c:?} in {:?} crop + {:?} run, {} tracks cached",
                    state.batch.frame - 1,
                    state.model.times.crop,
                    state.model.times.infer,
                    state.cache.len()
                );
                self.totals.lock().unwrap().add(&c);
            })
    }
}

impl FrameModel for State {
    type Counts = Counts;

    fn batch(&mut self) -> &mut Batch {
        &mut self.batch
    }

    fn forget_tracks(&mut self) {
        self.cache.clear();
    }

    /// Classifies the objects of one frame that need it and attaches the
    /// results; returns the frame's counts.
    fn run(
        &mut self,
        buf: &mut gst::BufferRef,
        frame_idx: u64,
    ) -> Result<Counts, gst::ErrorMessage> {
        let (fw, fh) = self.batch.begin(frame_idx)?;
        let Some(meta) = buf.meta::<TrackingMeta>() else {
            return Ok(Counts::default());
        };
        let mut counts = self.select(meta.objects(), fw, fh, frame_idx);
        self.run_model(buf, frame_idx)?;
        if let Some(mut meta) = buf.meta_mut::<TrackingMeta>() {
            let objects = meta.objects_mut();
            self.attach(objects, frame_idx, &mut counts);
            self.reuse(objects, frame_idx, &mut counts);
        }
        self.cache.evict(frame_idx);
        Ok(counts)
    }
}

impl State {
    /// Selects the objects that need a new result; counts the ones the
    /// filters skip.
    fn select(&mut self, objects: &[Object], fw: f32, fh: f32, frame_idx: u64) -> Counts {
        self.fresh.clear();
        let mut c = Counts::default();
        for (i, o) in objects.iter().enumerate() {
            if self
                .classes
                .as_ref()
                .is_some_and(|cl| cl.binary_search(&o.class_id).is_err())
            {
                c.skipped_class += 1;
                continue;
            }
            match crops::gate(o, fw, fh, self.min_size, self.min_confidence) {
                Some(Gate::Size) => c.skipped_size += 1,
                Some(Gate::Confidence) => c.skipped_confidence += 1,
                Some(Gate::Unobserved) => self.fresh.push(i),
                None if self.cache.is_fresh(o.track_id, frame_idx) => self.fresh.push(i),
                None => self.batch.push(i, o),
            }
        }
        c
    }

    /// Crops the selected boxes and runs them through the model as one
    /// batch; `results` gets each crop's top class and score.
    fn run_model(&mut self, buf: &gst::BufferRef, frame_idx: u64) -> Result<(), gst::ErrorMessage> {
        self.results.clear();
        self.batch.crop(&mut self.model, buf, frame_idx)?;
        let (labels, activation) = (self.labels.len(), self.activation);
        let results = &mut self.results;
        let mut width = None;
        self.model
            .run_rows(self.batch.len(), |row| {
                width = Some(row.len());
                results.push(top_class(row, activation));
            })
            .map_err(|e| crops::frame_error(frame_idx, e))?;
        match width {
            Some(w) if labels > 0 && w != labels => Err(crops::frame_error(
                frame_idx,
                labels_mismatch(labels, w, &self.model_path),
            )),
            _ => Ok(()),
        }
    }

    /// Attaches the new results and caches them per track.
    fn attach(&mut self, objects: &mut [Object], frame_idx: u64, c: &mut Counts) {
        for (k, &i) in self.batch.which.iter().enumerate() {
            if !self.batch.valid[k] {
                c.skipped_size += 1;
                continue;
            }
            let Some((class_id, score)) = self.results[k] else {
                c.failed += 1;
                continue;
            };
            let a = Attribute {
                name: self.attribute_name.clone(),
                label: self.labels.get(class_id as usize).cloned(),
                class_id,
                score,
                frame: frame_idx,
            };
            let o = &mut objects[i];
            if let Some(t) = o.track_id {
                self.cache.insert(t, a.clone(), frame_idx);
            }
            set_attribute(o, a);
            c.classified += 1;
        }
    }

    /// Objects of fresh tracks carry the cached result.
    fn reuse(&mut self, objects: &mut [Object], frame_idx: u64, c: &mut Counts) {
        for &i in &self.fresh {
            let o = &mut objects[i];
            if let Some((a, _)) = self.cache.reuse(o.track_id, frame_idx) {
                set_attribute(o, a.clone());
                c.reused += 1;
            }
        }
    }
}

/// Sets `a` on `o`, replacing an attribute of the same name.
fn set_attribute(o: &mut Object, a: Attribute) {
    o.attributes.retain(|x| x.name != a.name);
    o.attributes.push(a);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse() {
        assert_eq!(
            parse_labels(" red, green ,blue").unwrap(),
            ["red", "green", "blue"]
        );
        assert!(parse_labels("").unwrap().is_empty());
        assert_eq!(
            parse_labels("a,,b").unwrap_err(),
            "labels 'a,,b': label 1 is empty"
        );
        let p = std::env::temp_dir().join(format!("rsclassify-labels-{}", std::process::id()));
        std::fs::write(&p, "cat\n\n dog \n").unwrap();
        assert_eq!(
            parse_labels(&format!("@{}", p.display())).unwrap(),
            ["cat", "dog"]
        );
        std::fs::remove_file(&p).unwrap();
        assert!(parse_labels("@/nonexistent/l.txt")
            .unwrap_err()
            .starts_with("Failed to read labels file '/nonexistent/l.txt': "));
    }
}
