// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use crate::meta::TrackingMeta;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use rstracking_core::mot::{self, DetectionsByFrame};
use rstracking_core::schema;
use rstracking_core::types::FrameObjects;
use std::sync::{LazyLock, Mutex};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rsdetect",
        gst::DebugColorFlags::empty(),
        Some("Object detection / detection import"),
    )
});

#[derive(Debug, Clone, Default)]
struct Settings {
    detections: Option<String>,
}

struct Imported {
    path: String,
    dets: DetectionsByFrame,
    stream: Option<String>,
}

struct State {
    imported: Imported,
    frame: u64,
}

#[derive(Default)]
pub struct RsDetect {
    // Mutex order: settings before state.
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
}

#[glib::object_subclass]
impl ObjectSubclass for RsDetect {
    const NAME: &'static str = "GstRsDetect";
    type Type = super::RsDetect;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for RsDetect {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![glib::ParamSpecString::builder("detections")
                .nick("Detections file")
                .blurb("Import mode: MOTChallenge det.txt (7 or 10 columns) or JSON Lines (schema rstracking/1, recognised by a first '{'); detections of frame i go to the i-th buffer")
                .mutable_ready()
                .build()]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = self.settings.lock().unwrap();
        match pspec.name() {
            "detections" => {
                let v: Option<String> = value.get().expect("type checked upstream");
                gst::info!(CAT, imp = self, "detections: {:?} -> {:?}", s.detections, v);
                s.detections = v;
            }
            other => unreachable!("unknown property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = self.settings.lock().unwrap();
        match pspec.name() {
            "detections" => s.detections.to_value(),
            other => unreachable!("unknown property {other}"),
        }
    }
}

impl GstObjectImpl for RsDetect {}

impl ElementImpl for RsDetect {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Object detector",
                "Filter/Analyzer/Video",
                "Attaches object detections to video buffers (import from MOT det.txt or rstracking JSON Lines)",
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

/// Reads and parses a detections file; the format is chosen by content.
fn load(path: &str) -> Result<Imported, gst::ErrorMessage> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        gst::error_msg!(
            gst::ResourceError::OpenRead,
            ("Failed to read detections file '{}': {}", path, e)
        )
    })?;
    let malformed = |e: mot::ParseError| {
        gst::error_msg!(
            gst::StreamError::Format,
            ("Malformed detections file {}", e)
        )
    };
    if text.trim_start().starts_with('{') {
        let j = schema::parse_jsonl(&text, path).map_err(malformed)?;
        Ok(Imported {
            path: path.to_string(),
            dets: j.detections,
            stream: j.stream,
        })
    } else {
        Ok(Imported {
            path: path.to_string(),
            dets: mot::parse_detections(&text, path).map_err(malformed)?,
            stream: None,
        })
    }
}

impl BaseTransformImpl for RsDetect {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let settings = self.settings.lock().unwrap().clone();
        let Some(path) = settings.detections else {
            return Err(gst::error_msg!(
                gst::LibraryError::Settings,
                ("No 'detections' file set (import mode is the only mode of this version)")
            ));
        };
        let imported = load(&path)?;
        let n: usize = imported.dets.frames.values().map(Vec::len).sum();
        gst::info!(
            CAT,
            imp = self,
            "Loaded {n} detections on {} frames from {path}",
            imported.dets.frames.len()
        );
        if let Some((max, line)) = imported.dets.max_score {
            if max > 1.0 {
                gst::element_imp_warning!(
                    self,
                    gst::StreamError::Format,
                    ("Detection scores in '{}' go up to {} (line {}), above 1.0; score thresholds of the tracker assume scores in [0,1]", path, max, line)
                );
            }
        }
        *self.state.lock().unwrap() = Some(State { imported, frame: 0 });
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *self.state.lock().unwrap() = None;
        gst::info!(CAT, imp = self, "Stopped");
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        match event.view() {
            gst::EventView::FlushStop(_) => {
                if let Some(state) = self.state.lock().unwrap().as_mut() {
                    gst::debug!(CAT, imp = self, "flush: frame count restarts at 0");
                    state.frame = 0;
                }
            }
            gst::EventView::Eos(_) => {
                if let Some(State {
                    imported: imp,
                    frame,
                }) = self.state.lock().unwrap().as_ref()
                {
                    let past: Vec<u64> = imp.dets.frames.range(*frame..).map(|(f, _)| *f).collect();
                    if let (Some(first), Some(last)) = (past.first(), past.last()) {
                        gst::element_imp_warning!(
                            self,
                            gst::StreamError::Format,
                            ("'{}' has detections for {} frames past the end of the stream ({} buffers; frames {}..={}, 0-based)", imp.path, past.len(), frame, first, last)
                        );
                    }
                }
            }
            _ => {}
        }
        self.parent_sink_event(event)
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut guard = self.state.lock().unwrap();
        let state = guard.as_mut().ok_or(gst::FlowError::Flushing)?;
        let frame = state.frame;
        state.frame += 1;
        let imp = &state.imported;
        // Cloned, not taken: after a flush the same frames are replayed.
        let objects = imp.dets.frames.get(&frame).cloned().unwrap_or_default();
        gst::trace!(
            CAT,
            imp = self,
            "frame {frame}: {} detections",
            objects.len()
        );
        let stream = buf
            .meta::<TrackingMeta>()
            .and_then(|m| m.frame().stream.clone())
            .or_else(|| imp.stream.clone());
        TrackingMeta::add(buf, FrameObjects { stream, objects });
        Ok(gst::FlowSuccess::Ok)
    }
}
