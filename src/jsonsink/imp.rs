// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::{FlushMode, OutputFormat};
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
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
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
    append: bool,
    flush: FlushMode,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            location: None,
            format: OutputFormat::default(),
            tracks_location: None,
            sample_limit: DEFAULT_SAMPLE_LIMIT,
            append: false,
            flush: FlushMode::default(),
        }
    }
}

/// Files being written by an rsjsonsink of this process (absolute paths),
/// so that a second sink (or `tracks-location`) cannot overwrite them.
static OPEN_FILES: LazyLock<Mutex<HashSet<PathBuf>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

/// `path` made absolute, with its directory resolved (the file itself need
/// not exist yet), so that two spellings of one file compare equal.
fn file_key(path: &str) -> PathBuf {
    let p = Path::new(path);
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(name)) => dir
            .canonicalize()
            .map(|d| d.join(name))
            .unwrap_or(abs.clone()),
        _ => abs,
    }
}

/// Opens `path` for writing, truncating it or appending to it.
fn open_for_writing(path: &str, append: bool) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.create(true);
    if append {
        o.append(true);
    } else {
        o.write(true).truncate(true);
    }
    o.open(path)
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
    /// Files claimed in [`OPEN_FILES`], released at stop.
    claimed: Vec<PathBuf>,
    /// Flush after every frame (from `flush`, or `auto` with a live
    /// upstream; None until the first frame decides).
    flush_each_frame: Option<bool>,
    append: bool,
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
                glib::ParamSpecBoolean::builder("append")
                    .nick("Append")
                    .blurb("Append to existing files (location, tracks-location) instead of truncating them")
                    .default_value(false)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("flush", FlushMode::default())
                    .nick("Flush")
                    .blurb("When lines reach the file: auto = every frame with a live upstream, else buffered")
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
            "append" => {
                let v = value.get().expect("type checked upstream");
                gst::info!(CAT, imp = self, "append: {} -> {}", s.append, v);
                s.append = v;
            }
            "flush" => {
                let v = value.get().expect("type checked upstream");
                gst::info!(CAT, imp = self, "flush: {:?} -> {:?}", s.flush, v);
                s.flush = v;
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
            "append" => s.append.to_value(),
            "flush" => s.flush.to_value(),
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

/// Claims `location` (unless standard output) and `tracks` in
/// [`OPEN_FILES`]; an error names a file that would be written twice.
fn claim_files(location: &str, tracks: Option<&str>) -> Result<Vec<PathBuf>, gst::ErrorMessage> {
    let mut keys = Vec::new();
    if location != "-" {
        keys.push((location, file_key(location)));
    }
    if let Some(t) = tracks {
        let key = file_key(t);
        if keys.iter().any(|(_, k)| *k == key) {
            return Err(gst::error_msg!(
                gst::ResourceError::Settings,
                (
                    "tracks-location '{}' is the same file as location '{}': the track summary would overwrite the frame lines; give them different files",
                    t,
                    location
                )
            ));
        }
        keys.push((t, key));
    }
    let mut open = OPEN_FILES.lock().unwrap();
    if let Some((path, _)) = keys.iter().find(|(_, k)| open.contains(k)) {
        return Err(gst::error_msg!(
            gst::ResourceError::Busy,
            (
                "'{}' is already being written by another rsjsonsink of this process; give each sink its own file",
                path
            )
        ));
    }
    let claimed: Vec<PathBuf> = keys.into_iter().map(|(_, k)| k).collect();
    open.extend(claimed.iter().cloned());
    Ok(claimed)
}

fn release_files(claimed: &[PathBuf]) {
    let mut open = OPEN_FILES.lock().unwrap();
    for k in claimed {
        open.remove(k);
    }
}

impl RsJsonSink {
    /// Opens the output (and checks that the summary file can be written).
    fn open_outputs(
        &self,
        settings: &Settings,
        location: &str,
    ) -> Result<Output, gst::ErrorMessage> {
        let out = if location == "-" {
            Output::Stdout(std::io::stdout())
        } else {
            let f = open_for_writing(location, settings.append).map_err(|e| {
                gst::error_msg!(
                    gst::ResourceError::OpenWrite,
                    ("Failed to open '{}' for writing: {}", location, e)
                )
            })?;
            Output::File(BufWriter::with_capacity(1 << 16, f))
        };
        if let Some(t) = &settings.tracks_location {
            // Fail early on an unwritable summary path rather than at EOS.
            open_for_writing(t, settings.append).map_err(|e| {
                gst::error_msg!(
                    gst::ResourceError::OpenWrite,
                    ("Failed to open tracks summary '{}' for writing: {}", t, e)
                )
            })?;
        }
        Ok(out)
    }

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
        let append = state.append;
        if let Some((path, summaries)) = state.summaries.as_mut() {
            let write = || -> std::io::Result<()> {
                let mut f = BufWriter::new(open_for_writing(path, append)?);
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
        let claimed = claim_files(&location, settings.tracks_location.as_deref())?;
        match self.open_outputs(&settings, &location) {
            Ok(out) => {
                *self.state.lock().unwrap() = Some(State {
                    out,
                    location: location.clone(),
                    claimed,
                    flush_each_frame: match settings.flush {
                        FlushMode::Auto => None,
                        FlushMode::Frame => Some(true),
                        FlushMode::Buffered => Some(false),
                    },
                    append: settings.append,
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
            }
            Err(e) => {
                release_files(&claimed);
                return Err(e);
            }
        }
        gst::info!(
            CAT,
            imp = self,
            "Started, writing {:?} to {} (flush {:?}, append {})",
            settings.format,
            location,
            settings.flush,
            settings.append
        );
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        let state = self.state.lock().unwrap().take();
        if let Some(mut state) = state {
            release_files(&state.claimed);
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
        let line = schema::merge_line(
            m.stream.as_deref(),
            state.frame,
            m.id_kind.as_str(),
            m.from,
            m.to,
        );
        state.line.clear();
        state.line.push_str(&line);
        state.line.push('\n');
        state.out.write_all(state.line.as_bytes()).map_err(|e| {
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

    /// Whether upstream is live (latency query), asked once per start with
    /// `flush=auto`, without holding the state lock.
    fn decide_flush(&self) {
        let undecided = matches!(
            self.state.lock().unwrap().as_ref(),
            Some(State {
                flush_each_frame: None,
                ..
            })
        );
        if !undecided {
            return;
        }
        let mut q = gst::query::Latency::new();
        let live = self.obj().sink_pad().peer_query(&mut q) && q.result().0;
        gst::debug!(
            CAT,
            imp = self,
            "upstream is {}: lines are {}",
            if live { "live" } else { "not live" },
            if live {
                "flushed every frame"
            } else {
                "buffered"
            }
        );
        if let Some(state) = self.state.lock().unwrap().as_mut() {
            state.flush_each_frame = Some(live);
        }
    }

    fn render_frame(&self, buffer: &gst::Buffer) -> Result<gst::FlowSuccess, gst::FlowError> {
        self.decide_flush();
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
        let written = state.out.write_all(state.line.as_bytes()).and_then(|()| {
            if state.flush_each_frame == Some(true) {
                state.out.flush()
            } else {
                Ok(())
            }
        });
        if let Err(e) = written {
            let loc = state.location.clone();
            drop(guard);
            return Err(self.write_error("frame", &loc, e));
        }
        gst::trace!(CAT, imp = self, "frame {frame}: {} objects", objects.len());
        Ok(gst::FlowSuccess::Ok)
    }
}
