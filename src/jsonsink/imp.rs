// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::OutputFormat;
use crate::meta::TrackingMeta;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;
use rstracking_core::io::mot::write_result_line;
use rstracking_core::io::schema;
use rstracking_core::io::summary::TrackSummaries;
use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::{LazyLock, Mutex};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rsjsonsink",
        gst::DebugColorFlags::empty(),
        Some("Tracking meta to JSON Lines / MOTChallenge"),
    )
});

const DEFAULT_SAMPLE_LIMIT: u32 = 8;

#[derive(Debug, Clone)]
struct Settings {
    location: Option<String>,
    format: OutputFormat,
    tracks_location: Option<String>,
    sample_limit: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            location: None,
            format: OutputFormat::default(),
            tracks_location: None,
            sample_limit: DEFAULT_SAMPLE_LIMIT,
        }
    }
}

enum Output {
    Stdout(std::io::Stdout),
    File(BufWriter<File>),
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Stdout(s) => s.write(buf),
            Output::File(f) => f.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(s) => s.flush(),
            Output::File(f) => f.flush(),
        }
    }
}

struct State {
    out: Output,
    location: String,
    format: OutputFormat,
    frame: u64,
    width: u32,
    height: u32,
    summaries: Option<(String, TrackSummaries)>,
    line: String,
    seen: HashSet<u64>,
    duplicate_warned: bool,
}

#[derive(Default)]
pub struct RsJsonSink {
    // Mutex order: settings before state.
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
}

#[glib::object_subclass]
impl ObjectSubclass for RsJsonSink {
    const NAME: &'static str = "GstRsJsonSink";
    type Type = super::RsJsonSink;
    type ParentType = gst_base::BaseSink;
}

impl ObjectImpl for RsJsonSink {
    fn constructed(&self) {
        self.parent_constructed();
        // A file writer: do not pace buffers to the clock (as filesink).
        self.obj().set_sync(false);
    }

    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecString::builder("location")
                    .nick("Location")
                    .blurb("File to write; '-' writes to standard output. Required.")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("format", OutputFormat::default())
                    .nick("Format")
                    .blurb("jsonl: one JSON line per frame (schema rstracking/1); mot: MOTChallenge results, only objects with a track id")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecString::builder("tracks-location")
                    .nick("Tracks summary location")
                    .blurb("If set, at EOS write one JSON line per track (id, first/last frame, frame count, mean confidence, sampled boxes) to this file")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("sample-limit")
                    .nick("Sample limit")
                    .blurb("Maximum number of evenly sampled boxes per track in the tracks summary (0 = none)")
                    .minimum(0)
                    .maximum(10_000)
                    .default_value(DEFAULT_SAMPLE_LIMIT)
                    .mutable_ready()
                    .build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = self.settings.lock().unwrap();
        match pspec.name() {
            "location" => {
                let v: Option<String> = value.get().expect("type checked upstream");
                gst::info!(CAT, imp = self, "location: {:?} -> {:?}", s.location, v);
                s.location = v;
            }
            "format" => {
                let v = value.get().expect("type checked upstream");
                gst::info!(CAT, imp = self, "format: {:?} -> {:?}", s.format, v);
                s.format = v;
            }
            "tracks-location" => {
                let v: Option<String> = value.get().expect("type checked upstream");
                gst::info!(
                    CAT,
                    imp = self,
                    "tracks-location: {:?} -> {:?}",
                    s.tracks_location,
                    v
                );
                s.tracks_location = v;
            }
            "sample-limit" => {
                let v = value.get().expect("type checked upstream");
                gst::info!(CAT, imp = self, "sample-limit: {} -> {}", s.sample_limit, v);
                s.sample_limit = v;
            }
            other => unreachable!("unknown property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = self.settings.lock().unwrap();
        match pspec.name() {
            "location" => s.location.to_value(),
            "format" => s.format.to_value(),
            "tracks-location" => s.tracks_location.to_value(),
            "sample-limit" => s.sample_limit.to_value(),
            other => unreachable!("unknown property {other}"),
        }
    }
}

impl GstObjectImpl for RsJsonSink {}

impl ElementImpl for RsJsonSink {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Tracking JSON / MOT sink",
                "Sink/Analyzer/Video",
                "Writes the tracking meta as JSON Lines (schema rstracking/1) or MOTChallenge results",
                "gst-rstracking developers",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            vec![gst::PadTemplate::new(
                "sink",
                gst::PadDirection::Sink,
                gst::PadPresence::Always,
                &crate::video_caps_any(),
            )
            .unwrap()]
        });
        TEMPLATES.as_ref()
    }
}

impl RsJsonSink {
    fn write_error(&self, what: &str, location: &str, err: std::io::Error) -> gst::FlowError {
        gst::element_imp_error!(
            self,
            gst::ResourceError::Write,
            ("Failed to write {} to '{}': {}", what, location, err)
        );
        gst::FlowError::Error
    }

    /// Flushes the output and writes the tracks summary. Called at EOS.
    fn finish(&self) -> Result<(), gst::ErrorMessage> {
        let mut guard = self.state.lock().unwrap();
        let Some(state) = guard.as_mut() else {
            return Ok(());
        };
        state.out.flush().map_err(|e| {
            gst::error_msg!(
                gst::ResourceError::Write,
                ("Failed to write to '{}': {}", state.location, e)
            )
        })?;
        if let Some((path, summaries)) = state.summaries.as_mut() {
            let write = || -> std::io::Result<()> {
                let mut f = BufWriter::new(File::create(&*path)?);
                for line in summaries.lines() {
                    f.write_all(line.as_bytes())?;
                    f.write_all(b"\n")?;
                }
                f.flush()
            };
            write().map_err(|e| {
                gst::error_msg!(
                    gst::ResourceError::Write,
                    ("Failed to write tracks summary '{}': {}", path, e)
                )
            })?;
            gst::info!(
                CAT,
                imp = self,
                "Wrote {} track summaries to {}",
                summaries.len(),
                path
            );
        }
        Ok(())
    }
}

impl BaseSinkImpl for RsJsonSink {
    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let settings = self.settings.lock().unwrap().clone();
        let location = settings.location.clone().ok_or_else(|| {
            gst::error_msg!(
                gst::ResourceError::NotFound,
                ("No 'location' set (a file path, or '-' for standard output)")
            )
        })?;
        let out = if location == "-" {
            Output::Stdout(std::io::stdout())
        } else {
            let f = File::create(&location).map_err(|e| {
                gst::error_msg!(
                    gst::ResourceError::OpenWrite,
                    ("Failed to open '{}' for writing: {}", location, e)
                )
            })?;
            Output::File(BufWriter::with_capacity(1 << 16, f))
        };
        if let Some(t) = &settings.tracks_location {
            // Fail early on an unwritable summary path rather than at EOS.
            File::create(t).map_err(|e| {
                gst::error_msg!(
                    gst::ResourceError::OpenWrite,
                    ("Failed to open tracks summary '{}' for writing: {}", t, e)
                )
            })?;
        }
        *self.state.lock().unwrap() = Some(State {
            out,
            location: location.clone(),
            format: settings.format,
            frame: 0,
            width: 0,
            height: 0,
            summaries: settings
                .tracks_location
                .clone()
                .map(|p| (p, TrackSummaries::new(settings.sample_limit as usize))),
            line: String::with_capacity(4096),
            seen: HashSet::new(),
            duplicate_warned: false,
        });
        gst::info!(
            CAT,
            imp = self,
            "Started, writing {:?} to {}",
            settings.format,
            location
        );
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        if let Some(mut state) = self.state.lock().unwrap().take() {
            if let Err(e) = state.out.flush() {
                return Err(gst::error_msg!(
                    gst::ResourceError::Write,
                    ("Failed to write to '{}': {}", state.location, e)
                ));
            }
        }
        gst::info!(CAT, imp = self, "Stopped");
        Ok(())
    }

    fn set_caps(&self, caps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let s = caps
            .structure(0)
            .ok_or_else(|| gst::loggable_error!(CAT, "Empty caps {caps:?}"))?;
        let width = s.get::<i32>("width").unwrap_or(0).max(0) as u32;
        let height = s.get::<i32>("height").unwrap_or(0).max(0) as u32;
        if let Some(state) = self.state.lock().unwrap().as_mut() {
            state.width = width;
            state.height = height;
        }
        gst::debug!(CAT, imp = self, "caps {caps:?}");
        Ok(())
    }

    fn event(&self, event: gst::Event) -> bool {
        match event.view() {
            gst::EventView::Eos(_) => {
                if let Err(msg) = self.finish() {
                    self.post_error_message(msg);
                    return false;
                }
            }
            gst::EventView::FlushStop(_) => {
                if let Some(state) = self.state.lock().unwrap().as_mut() {
                    state.frame = 0;
                }
            }
            gst::EventView::CustomDownstream(c) => {
                if let Some(m) = c.structure().and_then(crate::MergeEvent::from_structure) {
                    if let Err(e) = self.write_merge(&m) {
                        self.post_error_message(e);
                        return false;
                    }
                }
            }
            _ => {}
        }
        self.parent_event(event)
    }

    fn render(&self, buffer: &gst::Buffer) -> Result<gst::FlowSuccess, gst::FlowError> {
        self.render_frame(buffer)
    }
}

impl RsJsonSink {
    /// A `merge` event line (JSON Lines only; MOT files have no events),
    /// numbered with the frame that follows it.
    fn write_merge(&self, m: &crate::MergeEvent) -> Result<(), gst::ErrorMessage> {
        let mut guard = self.state.lock().unwrap();
        let Some(state) = guard.as_mut() else {
            return Ok(());
        };
        if !matches!(state.format, OutputFormat::Jsonl) {
            return Ok(());
        }
        let line = schema::merge_line(m.stream.as_deref(), state.frame, m.id_kind, m.from, m.to);
        state
            .out
            .write_all(line.as_bytes())
            .and_then(|_| state.out.write_all(b"\n"))
            .map_err(|e| {
                gst::error_msg!(
                    gst::ResourceError::Write,
                    (
                        "Failed to write a merge event to '{}': {}",
                        state.location,
                        e
                    )
                )
            })
    }

    fn render_frame(&self, buffer: &gst::Buffer) -> Result<gst::FlowSuccess, gst::FlowError> {
        let mut guard = self.state.lock().unwrap();
        let state = guard.as_mut().ok_or(gst::FlowError::Flushing)?;
        let frame = state.frame;
        state.frame += 1;
        let meta = buffer.meta::<TrackingMeta>();
        let empty = Vec::new();
        let (stream, objects) = match &meta {
            Some(m) => (m.frame().stream.as_deref(), m.objects()),
            None => (None, &empty[..]),
        };
        state.line.clear();
        match state.format {
            OutputFormat::Jsonl => {
                state.line.push_str(&schema::frame_line(
                    stream,
                    frame,
                    buffer.pts().map(|p| p.nseconds()),
                    state.width,
                    state.height,
                    objects,
                ));
                state.line.push('\n');
            }
            OutputFormat::Mot => {
                state.seen.clear();
                for o in objects {
                    let Some(id) = o.track_id else { continue };
                    if !state.seen.insert(id) {
                        if !state.duplicate_warned {
                            gst::warning!(
                                CAT,
                                imp = self,
                                "Track id {id} appears twice in frame {frame}; MOT output keeps the first"
                            );
                            state.duplicate_warned = true;
                        }
                        continue;
                    }
                    write_result_line(&mut state.line, frame, id, &o.bbox, o.confidence);
                }
            }
        }
        if let Some((_, s)) = state.summaries.as_mut() {
            // Same rule as the MOT output: the first object of an id counts.
            state.seen.clear();
            for o in objects {
                if let Some(id) = o.track_id {
                    if state.seen.insert(id) {
                        s.add(id, frame, &o.bbox, o.confidence);
                    }
                }
            }
        }
        if let Err(e) = state.out.write_all(state.line.as_bytes()) {
            let loc = state.location.clone();
            drop(guard);
            return Err(self.write_error("frame", &loc, e));
        }
        gst::trace!(CAT, imp = self, "frame {frame}: {} objects", objects.len());
        Ok(gst::FlowSuccess::Ok)
    }
}
