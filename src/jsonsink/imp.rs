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
use rstracking_core::track::refine::{refine, RefineConfig, TrackBox};
use rstracking_core::types::Object;
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
    refine: RefineConfig,
    progress_interval: u32,
    progress_lines: bool,
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
            refine: RefineConfig::default(),
            progress_interval: 0,
            progress_lines: false,
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

/// The `tracks-location` path and its writer.
type TracksFile = (String, BufWriter<File>);

struct State {
    out: Output,
    location: String,
    /// Files claimed in [`OPEN_FILES`], released at stop.
    claimed: Vec<PathBuf>,
    /// Flush after every frame (from `flush`, or `auto` with a live
    /// upstream; None until the first frame decides).
    flush_each_frame: Option<bool>,
    format: OutputFormat,
    frame: u64,
    width: u32,
    height: u32,
    /// Per-track summaries (JSONL, for the `track_end` lines, or with
    /// `tracks-location`).
    summaries: Option<TrackSummaries>,
    /// The open `tracks-location` file: a track's summary is written when
    /// it ends, the others at EOS.
    tracks_out: Option<TracksFile>,
    /// Whether upstream is live (None until the first frame asked).
    live: Option<bool>,
    /// Wall clock minus pipeline clock (ns), taken once per start so that
    /// UTC times keep the exact spacing of the running times.
    wall_offset: Option<i128>,
    /// Frame index the next line belongs to (the last frame's + 1), for
    /// event lines, which precede their frame.
    next_frame: u64,
    line: String,
    seen: HashSet<u64>,
    duplicate_warned: bool,
    /// MOT output with refinement: every tracked box, written at EOS.
    held: Option<(RefineConfig, Vec<TrackBox>)>,
    /// With `progress-interval`.
    progress: Option<Progress>,
}

/// Progress bookkeeping (`progress-interval`).
struct Progress {
    interval: u64,
    lines: bool,
    frames: u64,
    started: Option<std::time::Instant>,
    tracks: HashSet<u64>,
}

/// One progress report, built under the state lock, posted without it.
struct ProgressReport {
    frames: u64,
    tracks: u64,
    elapsed: f64,
    frame: u64,
    stream: Option<String>,
    lines: bool,
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
                glib::ParamSpecUInt::builder("refine-max-gap")
                    .nick("Refine: maximum gap")
                    .blurb("MOT output, offline: fill gaps of at most this many missing frames in a track by linear interpolation; the file is then written at EOS (0 = off)")
                    .maximum(100_000)
                    .default_value(0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("refine-fill-min-length")
                    .nick("Refine: tracks to fill")
                    .blurb("With refine-max-gap: fill the gaps of tracks with at least this many boxes only (0 = all)")
                    .default_value(0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecFloat::builder("refine-sigma")
                    .nick("Refine: smoothing")
                    .blurb("MOT output, offline: Gaussian smoothing of each track's boxes over this many frames (0 = off); written at EOS")
                    .minimum(0.0)
                    .maximum(1000.0)
                    .default_value(0.0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("min-track-length")
                    .nick("Minimum track length")
                    .blurb("Drop tracks with fewer boxes than this (0 = keep all) from the MOT output (offline: written at EOS) and from the tracks-location summary; JSON Lines frame and track_end lines, written as frames arrive, keep every track")
                    .default_value(0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("progress-interval")
                    .nick("Progress interval")
                    .blurb("Post an 'rstracking-progress' element message every N frames written (frames, position, duration, percent, ETA, frames/s, tracks so far); 0 = off")
                    .default_value(0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("progress-lines")
                    .nick("Progress lines")
                    .blurb("With progress-interval and JSON Lines: also write each progress report as a 'progress' event line")
                    .default_value(false)
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
            "refine-max-gap" => s.refine.max_gap = value.get().expect("type checked upstream"),
            "refine-fill-min-length" => {
                s.refine.fill_min_length = value.get().expect("type checked upstream")
            }
            "refine-sigma" => s.refine.sigma = value.get().expect("type checked upstream"),
            "min-track-length" => s.refine.min_length = value.get().expect("type checked upstream"),
            "progress-interval" => {
                s.progress_interval = value.get().expect("type checked upstream")
            }
            "progress-lines" => s.progress_lines = value.get().expect("type checked upstream"),
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
            "progress-interval" => s.progress_interval.to_value(),
            "progress-lines" => s.progress_lines.to_value(),
            "refine-max-gap" => s.refine.max_gap.to_value(),
            "refine-fill-min-length" => s.refine.fill_min_length.to_value(),
            "refine-sigma" => s.refine.sigma.to_value(),
            "min-track-length" => s.refine.min_length.to_value(),
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
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> =
            LazyLock::new(crate::meta_sink_pad_templates);
        TEMPLATES.as_ref()
    }
}

impl State {
    /// The MOT result lines of one frame into `line` (objects with a track
    /// id, the first of each id); returns the first duplicated id, once per
    /// run, for a warning.
    fn mot_lines(&mut self, frame: u64, objects: &[Object]) -> Option<u64> {
        let mut duplicate = None;
        self.seen.clear();
        for o in objects {
            let Some(id) = o.track_id else { continue };
            if !self.seen.insert(id) {
                if !self.duplicate_warned {
                    self.duplicate_warned = true;
                    duplicate = Some(id);
                }
                continue;
            }
            match self.held.as_mut() {
                Some((_, held)) => held.push(TrackBox {
                    frame,
                    id,
                    bbox: o.bbox,
                    score: o.confidence,
                    interpolated: false,
                }),
                None => write_result_line(&mut self.line, frame, id, &o.bbox, o.confidence),
            }
        }
        duplicate
    }

    /// Adds the frame's tracked objects to the per-track summaries (same
    /// rule as the MOT output: the first object of an id counts).
    fn summarise(&mut self, frame: u64, pts: Option<u64>, objects: &[Object]) {
        let Some(s) = self.summaries.as_mut() else {
            return;
        };
        self.seen.clear();
        for o in objects {
            if let Some(id) = o.track_id {
                if self.seen.insert(id) {
                    s.add_at(id, frame, pts, &o.bbox, o.confidence);
                }
            }
        }
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
    /// Opens the output and the summary file.
    fn open_outputs(
        &self,
        settings: &Settings,
        location: &str,
    ) -> Result<(Output, Option<TracksFile>), gst::ErrorMessage> {
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
        let tracks_out = match &settings.tracks_location {
            Some(t) => {
                let f = open_for_writing(t, settings.append).map_err(|e| {
                    gst::error_msg!(
                        gst::ResourceError::OpenWrite,
                        ("Failed to open tracks summary '{}' for writing: {}", t, e)
                    )
                })?;
                Some((t.clone(), BufWriter::new(f)))
            }
            None => None,
        };
        Ok((out, tracks_out))
    }

    fn write_error(&self, what: &str, location: &str, err: std::io::Error) -> gst::FlowError {
        gst::element_imp_error!(
            self,
            gst::ResourceError::Write,
            ("Failed to write {} to '{}': {}", what, location, err)
        );
        gst::FlowError::Error
    }

    /// Flushes the output and writes the summaries of the tracks that did
    /// not end before EOS. Called at EOS.
    /// MOT output with refinement: refines the held boxes and writes them
    /// (at EOS, or at stop when the pipeline ends without EOS).
    fn write_refined(&self, state: &mut State) -> Result<(), gst::ErrorMessage> {
        let Some((cfg, held)) = state.held.as_mut() else {
            return Ok(());
        };
        if held.is_empty() {
            return Ok(());
        }
        let boxes = refine(held, cfg);
        let filled = boxes.iter().filter(|b| b.interpolated).count();
        let observed = held.len();
        held.clear();
        let mut text = String::with_capacity(boxes.len() * 48);
        for b in &boxes {
            write_result_line(&mut text, b.frame, b.id, &b.bbox, b.score);
        }
        state.out.write_all(text.as_bytes()).map_err(|e| {
            gst::error_msg!(
                gst::ResourceError::Write,
                ("Failed to write to '{}': {}", state.location, e)
            )
        })?;
        gst::info!(
            CAT,
            imp = self,
            "Refined {observed} boxes into {} ({filled} filled in)",
            boxes.len()
        );
        Ok(())
    }

    fn finish(&self) -> Result<(), gst::ErrorMessage> {
        let mut guard = self.state.lock().unwrap();
        let Some(state) = guard.as_mut() else {
            return Ok(());
        };
        self.write_refined(state)?;
        state.out.flush().map_err(|e| {
            gst::error_msg!(
                gst::ResourceError::Write,
                ("Failed to write to '{}': {}", state.location, e)
            )
        })?;
        if let (Some((path, f)), Some(summaries)) = (state.tracks_out.as_mut(), &state.summaries) {
            let mut write = || -> std::io::Result<()> {
                for line in summaries.lines() {
                    f.write_all(format!("{line}\n").as_bytes())?;
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
                "Wrote {} track summaries to {} at EOS",
                summaries.len(),
                path
            );
        }
        if let Some(s) = state.summaries.as_mut() {
            s.clear();
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
        if settings.progress_lines && settings.progress_interval == 0 {
            return Err(gst::error_msg!(
                gst::ResourceError::Settings,
                ("progress-lines writes the reports of progress-interval, which is 0 (off)")
            ));
        }
        if settings.progress_lines && settings.format != OutputFormat::Jsonl {
            return Err(gst::error_msg!(
                gst::ResourceError::Settings,
                ("progress-lines needs format=jsonl (MOT files have no event lines); progress messages need only progress-interval")
            ));
        }
        // min-track-length alone also applies to JSON Lines (the summary).
        let smooths = settings.refine.max_gap > 0 || settings.refine.sigma > 0.0;
        if smooths && settings.format != OutputFormat::Mot {
            return Err(gst::error_msg!(
                gst::ResourceError::Settings,
                ("refine-max-gap and refine-sigma apply to format=mot only (JSON Lines output is written as frames arrive)")
            ));
        }
        let claimed = claim_files(&location, settings.tracks_location.as_deref())?;
        match self.open_outputs(&settings, &location) {
            Ok((out, tracks_out)) => {
                *self.state.lock().unwrap() = Some(State {
                    out,
                    location: location.clone(),
                    claimed,
                    flush_each_frame: match settings.flush {
                        FlushMode::Auto => None,
                        FlushMode::Frame => Some(true),
                        FlushMode::Buffered => Some(false),
                    },
                    format: settings.format,
                    frame: 0,
                    width: 0,
                    height: 0,
                    summaries: (settings.tracks_location.is_some()
                        || settings.format == OutputFormat::Jsonl)
                        .then(|| {
                            TrackSummaries::new(settings.sample_limit as usize)
                                .with_min_frames(u64::from(settings.refine.min_length))
                        }),
                    tracks_out,
                    live: None,
                    wall_offset: None,
                    next_frame: 0,
                    line: String::with_capacity(4096),
                    seen: HashSet::new(),
                    duplicate_warned: false,
                    held: (!settings.refine.is_off() && settings.format == OutputFormat::Mot)
                        .then(|| (settings.refine, Vec::new())),
                    progress: (settings.progress_interval > 0).then(|| Progress {
                        interval: u64::from(settings.progress_interval),
                        lines: settings.progress_lines,
                        frames: 0,
                        started: None,
                        tracks: HashSet::new(),
                    }),
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
            self.write_refined(&mut state)?;
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
        let (width, height) = crate::caps_size(caps);
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
                    state.next_frame = 0;
                }
            }
            gst::EventView::CustomDownstream(c) => {
                let written = if let Some(m) =
                    c.structure().and_then(crate::MergeEvent::from_structure)
                {
                    self.write_merge(&m)
                } else if let Some(t) = c.structure().and_then(crate::TrackEvent::from_structure) {
                    self.write_track_event(&t)
                } else if let Some(z) = c.structure().filter(|s| crate::is_line_event(s)) {
                    self.write_structure_event(z)
                } else {
                    Ok(())
                };
                if let Err(e) = written {
                    self.post_error_message(e);
                    return false;
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
        if m.id_kind == crate::IdKind::TrackId {
            // One identity from now on: its summary includes the absorbed
            // track.
            if let Some(s) = state.summaries.as_mut() {
                s.merge(m.from, m.to);
            }
        }
        if !matches!(state.format, OutputFormat::Jsonl) {
            return Ok(());
        }
        let line = schema::merge_line(
            m.stream.as_deref(),
            state.next_frame,
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

    /// The line of an rszones event (`line_cross`, `zone_enter`,
    /// `zone_exit`, `zone_occupancy`) or of rsbytetrack's `cut`, with the
    /// event's fields (JSON Lines only).
    fn write_structure_event(&self, z: &gst::StructureRef) -> Result<(), gst::ErrorMessage> {
        let mut guard = self.state.lock().unwrap();
        let Some(state) = guard.as_mut() else {
            return Ok(());
        };
        if state.format != OutputFormat::Jsonl {
            return Ok(());
        }
        let line = crate::structure_event_line(z);
        state
            .out
            .write_all(format!("{line}\n").as_bytes())
            .map_err(|e| {
                gst::error_msg!(
                    gst::ResourceError::Write,
                    (
                        "Failed to write an event line to '{}': {}",
                        state.location,
                        e
                    )
                )
            })
    }

    /// A life-cycle line (JSON Lines): `track_start` / `track_lost` with the
    /// track id, `track_end` with the track's summary, which also goes to
    /// `tracks-location` now.
    fn write_track_event(&self, t: &crate::TrackEvent) -> Result<(), gst::ErrorMessage> {
        let mut guard = self.state.lock().unwrap();
        let Some(state) = guard.as_mut() else {
            return Ok(());
        };
        let frame = state.next_frame;
        let mut summary = None;
        let line = match t.kind {
            crate::TrackEventKind::End => {
                let ended = state
                    .summaries
                    .as_mut()
                    .and_then(|s| s.take_end(t.track_id, t.stream.as_deref(), frame));
                match ended {
                    Some((s, end)) => {
                        summary = s;
                        end
                    }
                    None => schema::track_event_line(
                        t.kind.as_str(),
                        t.stream.as_deref(),
                        frame,
                        t.track_id,
                    ),
                }
            }
            _ => schema::track_event_line(t.kind.as_str(), t.stream.as_deref(), frame, t.track_id),
        };
        let flush = state.flush_each_frame == Some(true);
        let write = |state: &mut State| -> std::io::Result<()> {
            if let (Some(s), Some((_, f))) = (&summary, state.tracks_out.as_mut()) {
                f.write_all(format!("{s}\n").as_bytes())?;
                if flush {
                    f.flush()?;
                }
            }
            if state.format == OutputFormat::Jsonl {
                state.out.write_all(format!("{line}\n").as_bytes())?;
            }
            Ok(())
        };
        write(state).map_err(|e| {
            gst::error_msg!(
                gst::ResourceError::Write,
                (
                    "Failed to write a {} line to '{}': {}",
                    t.kind.as_str(),
                    state.location,
                    e
                )
            )
        })
    }

    /// Whether upstream is live (latency query), asked once per start,
    /// without holding the state lock: decides `flush=auto` and whether
    /// frame lines get a clock-based `utc_ns`.
    fn decide_flush(&self) {
        let undecided = matches!(
            self.state.lock().unwrap().as_ref(),
            Some(State { live: None, .. })
        );
        if !undecided {
            return;
        }
        let live = crate::times::upstream_live(&*self.obj());
        gst::debug!(
            CAT,
            imp = self,
            "upstream is {}",
            if live { "live" } else { "not live" }
        );
        if let Some(state) = self.state.lock().unwrap().as_mut() {
            state.live = Some(live);
            if state.flush_each_frame.is_none() {
                state.flush_each_frame = Some(live);
            }
        }
    }

    fn render_frame(&self, buffer: &gst::Buffer) -> Result<gst::FlowSuccess, gst::FlowError> {
        self.decide_flush();
        let (live, offset, jsonl) =
            self.state
                .lock()
                .unwrap()
                .as_ref()
                .map_or((false, None, false), |s| {
                    (
                        s.live.unwrap_or(false),
                        s.wall_offset,
                        s.format == OutputFormat::Jsonl,
                    )
                });
        // Times are JSONL fields only: MOT lines have none.
        let mut offset = offset;
        let times = if jsonl {
            crate::times::frame_times(&*self.obj(), buffer, live, &mut offset)
        } else {
            crate::times::SinkTimes::default()
        };
        let mut guard = self.state.lock().unwrap();
        let state = guard.as_mut().ok_or(gst::FlowError::Flushing)?;
        state.wall_offset = offset;
        let meta = buffer.meta::<TrackingMeta>();
        // The frame index set where the objects were created (it does not
        // drift when frames are dropped on the way), else our count.
        let frame = meta
            .as_ref()
            .and_then(|m| m.frame().frame)
            .unwrap_or(state.frame);
        state.frame += 1;
        state.next_frame = frame + 1;
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
                    schema::FrameTimes {
                        pts_ns: buffer.pts().map(|p| p.nseconds()),
                        running_time_ns: times.running_time_ns,
                        utc_ns: times.utc_ns,
                        utc_source: times.utc_source,
                    },
                    state.width,
                    state.height,
                    objects,
                ));
                state.line.push('\n');
            }
            OutputFormat::Mot => {
                if let Some(id) = state.mot_lines(frame, objects) {
                    gst::warning!(
                        CAT,
                        imp = self,
                        "Track id {id} appears twice in frame {frame}; MOT output keeps the first"
                    );
                }
            }
        }
        state.summarise(frame, buffer.pts().map(|p| p.nseconds()), objects);
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
        let report = state
            .progress
            .as_mut()
            .and_then(|p| p.count(objects, frame, stream));
        drop(guard);
        if let Some(r) = report {
            self.report_progress(buffer, r)?;
        }
        Ok(gst::FlowSuccess::Ok)
    }

    /// Posts (and writes, with `progress-lines`) a progress report;
    /// percent and ETA only where upstream answers a duration query.
    fn report_progress(
        &self,
        buffer: &gst::Buffer,
        r: ProgressReport,
    ) -> Result<(), gst::FlowError> {
        let obj = self.obj();
        let position = buffer.pts().and_then(|pts| {
            obj.segment()
                .downcast_ref::<gst::ClockTime>()
                .and_then(|s| s.to_stream_time(pts))
        });
        let duration = obj
            .sink_pad()
            .peer_query_duration::<gst::ClockTime>()
            .filter(|d| d.nseconds() > 0);
        let mut b = gst::Structure::builder("rstracking-progress")
            .field("event", "progress")
            .field("frame", r.frame)
            .field("frames", r.frames)
            .field("tracks", r.tracks)
            .field("elapsed_s", r.elapsed)
            .field(
                "fps",
                if r.elapsed > 0.0 {
                    r.frames as f64 / r.elapsed
                } else {
                    0.0
                },
            );
        if let Some(p) = position {
            b = b.field("position_ns", p.nseconds());
        }
        if let (Some(p), Some(d)) = (position, duration) {
            let done = (p.nseconds() as f64 / d.nseconds() as f64).min(1.0);
            b = b
                .field("duration_ns", d.nseconds())
                .field("percent", 100.0 * done);
            if done > 0.0 {
                b = b.field("eta_s", r.elapsed * (1.0 - done) / done);
            }
        }
        if let Some(s) = &r.stream {
            b = b.field("stream", s);
        }
        let s = b.build();
        if r.lines {
            let line = crate::structure_event_line(&s);
            let mut guard = self.state.lock().unwrap();
            if let Some(state) = guard.as_mut() {
                if let Err(e) = state.out.write_all(format!("{line}\n").as_bytes()) {
                    let loc = state.location.clone();
                    drop(guard);
                    return Err(self.write_error("progress", &loc, e));
                }
            }
        }
        crate::post_element_message(&*obj, s);
        Ok(())
    }
}

impl Progress {
    /// Counts a frame; a report every `interval` frames.
    fn count(
        &mut self,
        objects: &[rstracking_core::types::Object],
        frame: u64,
        stream: Option<&str>,
    ) -> Option<ProgressReport> {
        let started = *self.started.get_or_insert_with(std::time::Instant::now);
        self.frames += 1;
        self.tracks
            .extend(objects.iter().filter_map(|o| o.track_id));
        self.frames
            .is_multiple_of(self.interval)
            .then(|| ProgressReport {
                frames: self.frames,
                tracks: self.tracks.len() as u64,
                elapsed: started.elapsed().as_secs_f64(),
                frame,
                stream: stream.map(str::to_string),
                lines: self.lines,
            })
    }
}
