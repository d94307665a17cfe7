// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::embedder::Embedder;
use crate::crops::{self, Batch, Blurbs, CropElement, CropSettings, FrameModel, TrackCache};
use crate::meta::TrackingMeta;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use rstracking_core::types::Object;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rsreid",
        gst::DebugColorFlags::empty(),
        Some("Re-identification embeddings"),
    )
});

struct State {
    embedder: Embedder,
    min_size: f32,
    min_confidence: f32,
    batch: Batch,
    cache: TrackCache<Arc<[f32]>>,
    // Scratch, reused.
    embeddings: Vec<Option<Arc<[f32]>>>,
}

#[derive(Default)]
pub struct RsReid {
    // Mutex order: settings before base.state.
    settings: Mutex<CropSettings>,
    base: CropElement<State>,
    computed: AtomicU64,
    skipped: AtomicU64,
}

#[glib::object_subclass]
impl ObjectSubclass for RsReid {
    const NAME: &'static str = "GstRsReid";
    type Type = super::RsReid;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for RsReid {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let blurbs = Blurbs {
                model: "Re-id model: float input [batch, 3, H, W], output [batch, D]",
                min_size: "Objects whose box (clipped to the frame) is narrower or shorter than this get no embedding",
                min_confidence: "Objects below this confidence get no embedding",
                interval: "Objects with a track id get a new embedding at most every N frames (others keep the last one); objects without a track id are embedded on every frame",
            };
            vec![
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
            .chain(CropSettings::param_specs(&blurbs))
            .collect()
        });
        static ALL: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            PROPS
                .iter()
                .cloned()
                .chain(CropElement::<State>::param_specs())
                .collect()
        });
        ALL.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        if self.base.set_property(pspec.name(), value) {
            return;
        }
        let mut s = self.settings.lock().unwrap();
        if !s.set(pspec.name(), value) {
            unreachable!("unknown property {}", pspec.name());
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        if let Some(v) = self.base.property(pspec.name()) {
            return v;
        }
        if let Some(v) = self.settings.lock().unwrap().get(pspec.name()) {
            return v;
        }
        match pspec.name() {
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

impl BaseTransformImpl for RsReid {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let s = self.settings.lock().unwrap().clone();
        let cfg = s.embedder_config("Re-id")?;
        let embedder = crops::load_model(self.obj().upcast_ref(), *CAT, &cfg)?;
        self.computed.store(0, Ordering::Relaxed);
        self.skipped.store(0, Ordering::Relaxed);
        self.base.start(State {
            embedder,
            min_size: s.min_size,
            min_confidence: s.min_confidence,
            batch: Batch::new(),
            cache: TrackCache::new(s.interval),
            embeddings: Vec::new(),
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
            .transform_ip(self.obj().upcast_ref(), buf, |state, (computed, skipped)| {
                gst::trace!(
                    CAT,
                    imp = self,
                    "frame {}: {computed} embeddings in {:?} crop + {:?} run, {skipped} skipped, {} tracks cached",
                    state.batch.frame - 1,
                    state.embedder.times.crop,
                    state.embedder.times.infer,
                    state.cache.len()
                );
                self.computed.fetch_add(computed, Ordering::Relaxed);
                self.skipped.fetch_add(skipped, Ordering::Relaxed);
            })
    }
}

impl FrameModel for State {
    type Counts = (u64, u64);

    fn batch(&mut self) -> &mut Batch {
        &mut self.batch
    }

    fn forget_tracks(&mut self) {
        self.cache.clear();
    }

    fn run(
        &mut self,
        buf: &mut gst::BufferRef,
        frame_idx: u64,
    ) -> Result<(u64, u64), gst::ErrorMessage> {
        let (fw, fh) = self.batch.begin(frame_idx)?;
        let Some(meta) = buf.meta::<TrackingMeta>() else {
            return Ok((0, 0));
        };
        let mut skipped = self.select(meta.objects(), fw, fh, frame_idx);
        self.batch.crop(&mut self.embedder, buf, frame_idx)?;
        self.embedder
            .infer(self.batch.len(), &mut self.embeddings)
            .map_err(|e| crops::frame_error(frame_idx, e))?;
        let Some(mut meta) = buf.meta_mut::<TrackingMeta>() else {
            return Ok((0, skipped));
        };
        let objects = meta.objects_mut();
        let (computed, invalid) = self.attach(objects, frame_idx);
        skipped += invalid;
        self.reuse_throttled(objects, frame_idx);
        self.cache.evict(frame_idx);
        Ok((computed, skipped))
    }
}

impl State {
    /// Selects the objects that need a new embedding
    /// (visible, large and confident enough, not throttled); returns how
    /// many were skipped by the gates.
    fn select(&mut self, objects: &[Object], fw: f32, fh: f32, frame_idx: u64) -> u64 {
        let mut skipped = 0u64;
        for (i, o) in objects.iter().enumerate() {
            match crops::gate(o, fw, fh, self.min_size, self.min_confidence) {
                // Carries the track's last embedding (reuse_throttled).
                Some(crops::Gate::Unobserved) => continue,
                Some(_) => {
                    skipped += 1;
                    continue;
                }
                None => {}
            }
            if self.cache.is_fresh(o.track_id, frame_idx) {
                continue;
            }
            self.batch.push(i, o);
        }
        skipped
    }

    /// Attaches the new embeddings and caches them per track; returns the
    /// counts of embeddings attached and of crops that gave none.
    fn attach(&mut self, objects: &mut [Object], frame_idx: u64) -> (u64, u64) {
        let (mut computed, mut invalid) = (0u64, 0u64);
        for (k, &i) in self.batch.which.iter().enumerate() {
            match (self.batch.valid[k], &self.embeddings[k]) {
                (true, Some(e)) => {
                    computed += 1;
                    let o = &mut objects[i];
                    o.embedding = Some(e.clone());
                    o.embedding_frame = Some(frame_idx);
                    if let Some(t) = o.track_id {
                        self.cache.insert(t, e.clone(), frame_idx);
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
            if let Some((e, frame)) = self.cache.reuse(o.track_id, frame_idx) {
                o.embedding = Some(e.clone());
                o.embedding_frame = Some(frame);
            }
        }
    }
}
