// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::worker::{self, Job, Output, Shared, Stats};
use crate::meta::TrackingMeta;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;
use rstracking_core::crops::{self, Check, Config, Crop, Filter, Pattern, Selector};
use rstracking_core::image::PixelLayout;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rscropsink",
        gst::DebugColorFlags::empty(),
        Some("Crops of tracked objects as JPEG files"),
    )
});

const DEFAULT_LOCATION: &str = "crops/{stream}/{track}/{frame}.jpg";
const DEFAULT_BEST_LOCATION: &str = "crops/{stream}/{track}/best.jpg";
const DEFAULT_QUALITY: u32 = 85;
const DEFAULT_MAX_QUEUE: u32 = 64;
const DEFAULT_DRAIN_TIMEOUT_MS: u32 = 10_000;
/// How long `stop` waits for a worker busy with a write.
const STOP_WAIT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
struct Settings {
    location: String,
    best_location: String,
    index_location: Option<String>,
    classes: Option<String>,
    class_min_size: Option<String>,
    select: Config,
    quality: u32,
    max_queue: u32,
    drain_timeout_ms: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            location: DEFAULT_LOCATION.into(),
            best_location: DEFAULT_BEST_LOCATION.into(),
            index_location: None,
            classes: None,
            class_min_size: None,
            select: Config::default(),
            quality: DEFAULT_QUALITY,
            max_queue: DEFAULT_MAX_QUEUE,
            drain_timeout_ms: DEFAULT_DRAIN_TIMEOUT_MS,
        }
    }
}

struct State {
    selector: Selector,
    video: Option<(gst_video::VideoInfo, PixelLayout)>,
    /// Frames rendered (the frame index when the meta has none).
    frames: u64,
    /// Frame index of the last check for stale tracks.
    last_expiry: u64,
    tx: SyncSender<Job>,
    drain_timeout: Duration,
    scratch: Vec<f32>,
}

// Mutex order: settings, state, shared.stats.
#[derive(Default)]
pub struct RsCropSink {
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
    /// The counters and the worker's signals; new at each start (a
    /// worker left behind by `stop` keeps its own).
    shared: Mutex<Arc<Shared>>,
}

#[glib::object_subclass]
impl ObjectSubclass for RsCropSink {
    const NAME: &'static str = "GstRsCropSink";
    type Type = super::RsCropSink;
    type ParentType = gst_base::BaseSink;
}

/// The read-only counters: (property, blurb).
const COUNTERS: [(&str, &str); 11] = [
    ("written", "Sample crops written since start"),
    ("best-written", "Best shots written since start"),
    ("filtered-class", "Objects whose class is not in 'classes' (filter 1)"),
    ("untracked", "Objects without a track id, not exported (filter 2)"),
    ("filtered-confidence", "Objects under 'min-confidence' (filter 3)"),
    ("filtered-size", "Objects whose clipped box is under 'min-size' or has no pixel in the frame (filter 4)"),
    ("filtered-interval", "Objects of tracks with a crop fewer than 'interval' track frames ago (filter 5)"),
    ("filtered-max", "Objects of tracks with 'max-per-track' crops (filter 6)"),
    ("filtered-sharpness", "Crops under 'min-sharpness' (filter 7)"),
    ("dropped", "Crops (samples and best shots) not written because the queue was full (max-queue), or left at stop"),
    ("failed", "Crops whose file or index line could not be written"),
];

fn counter(s: &Stats, name: &str) -> u64 {
    match name {
        "written" => s.written,
        "best-written" => s.best_written,
        "filtered-class" => s.filtered_class,
        "untracked" => s.untracked,
        "filtered-confidence" => s.filtered_confidence,
        "filtered-size" => s.filtered_size,
        "filtered-interval" => s.filtered_interval,
        "filtered-max" => s.filtered_max,
        "filtered-sharpness" => s.filtered_sharpness,
        "dropped" => s.dropped,
        "failed" => s.failed,
        other => unreachable!("unknown counter {other}"),
    }
}

fn count_filter(s: &mut Stats, f: Filter) {
    *match f {
        Filter::Class => &mut s.filtered_class,
        Filter::Untracked => &mut s.untracked,
        Filter::Confidence => &mut s.filtered_confidence,
        Filter::Size => &mut s.filtered_size,
        Filter::Interval => &mut s.filtered_interval,
        Filter::Max => &mut s.filtered_max,
        Filter::Sharpness => &mut s.filtered_sharpness,
    } += 1;
}

use crate::{string_prop_default as string, uint_prop as uint};

fn param_specs() -> Vec<glib::ParamSpec> {
    let d = Config::default();
    let mut v = vec![
        string("location", "Location", "Pattern of the sample crops' files: {stream}, {track}, {frame}, {kind}, {track:0N}/{frame:0N} zero-padded (see README); default crops/{stream}/{track}/{frame}.jpg", DEFAULT_LOCATION),
        string("best-location", "Best-shot location", "Pattern of the best shot's file per track (written when the track ends and at EOS); empty = no best shots; default crops/{stream}/{track}/best.jpg", DEFAULT_BEST_LOCATION),
        crate::string_prop("index-location", "Index location", "JSON Lines index of the crops written (one line per file, after the file is complete); empty (default) = no index"),
        uint("interval", "Interval", "A track gives at most one sample crop every N of its frames; 1-100000, default 8", (1, 100_000), d.interval),
        crate::float_prop("min-confidence", "Minimum confidence", "Objects below this detection confidence are not exported; 0-1, default 0.75", (0.0, 1.0), d.min_confidence),
        crate::float_prop("min-size", "Minimum size", "Objects whose box clipped to the frame has a shorter side below this (px) are not exported; 0-100000, default 50", (0.0, 100_000.0), d.min_size),
        crate::string_prop("class-min-size", "Per-class minimum size", "min-size per class id, CLASS:PIXELS comma-separated (e.g. 1:90 for faces); other classes use min-size; empty (default) = none"),
        crate::double_prop("min-sharpness", "Minimum sharpness", "Crops whose sharpness (variance of the 3x3 Laplacian of the luma) is below this are not exported and cannot be best shots; 0-1e9, default 0 = off", (0.0, 1e9), d.min_sharpness),
        uint("max-per-track", "Max per track", "Most sample crops per track (best shots not counted); 0-1000000, default 0 = unlimited", (0, 1_000_000), d.max_per_track),
        crate::string_prop("classes", "Classes", "Comma-separated detector class ids to export (e.g. 0,2); empty (default) = all"),
        uint("quality", "Quality", "JPEG quality; 1-100, default 85", (1, 100), DEFAULT_QUALITY),
        uint("max-queue", "Max queue", "Crops waiting for the writer thread; a crop that finds the queue full is dropped (counted in 'dropped'), the stream never waits; 1-100000, default 64", (1, 100_000), DEFAULT_MAX_QUEUE),
        uint("drain-timeout", "Drain timeout", "At EOS, ms to wait for the queued crops to be written before the summary message; 0-3600000, default 10000", (0, 3_600_000), DEFAULT_DRAIN_TIMEOUT_MS),
    ];
    v.extend(
        COUNTERS
            .iter()
            .map(|(n, b)| crate::counter_prop(n, n, &format!("{b}, since start (read-only)"))),
    );
    v
}

impl ObjectImpl for RsCropSink {
    fn constructed(&self) {
        self.parent_constructed();
        self.obj().set_sync(false);
    }

    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(param_specs);
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = self.settings.lock().unwrap();
        let str_ = || {
            value
                .get::<Option<String>>()
                .expect("type checked upstream")
        };
        let u = || value.get::<u32>().expect("type checked upstream");
        let f = || value.get::<f64>().expect("type checked upstream");
        let f32_ = || value.get::<f32>().expect("type checked upstream");
        match pspec.name() {
            "location" => s.location = str_().unwrap_or_default(),
            "best-location" => s.best_location = str_().unwrap_or_default(),
            "index-location" => s.index_location = str_().filter(|p| !p.is_empty()),
            "classes" => s.classes = str_(),
            "class-min-size" => s.class_min_size = str_(),
            "interval" => s.select.interval = u(),
            "min-confidence" => s.select.min_confidence = f32_(),
            "min-size" => s.select.min_size = f32_(),
            "min-sharpness" => s.select.min_sharpness = f(),
            "max-per-track" => s.select.max_per_track = u(),
            "quality" => s.quality = u(),
            "max-queue" => s.max_queue = u(),
            "drain-timeout" => s.drain_timeout_ms = u(),
            other => unreachable!("unknown property {other}"),
        }
        gst::info!(CAT, imp = self, "{} set", pspec.name());
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = self.settings.lock().unwrap();
        match pspec.name() {
            "location" => s.location.to_value(),
            "best-location" => s.best_location.to_value(),
            "index-location" => s.index_location.to_value(),
            "classes" => s.classes.to_value(),
            "class-min-size" => s.class_min_size.to_value(),
            "interval" => s.select.interval.to_value(),
            "min-confidence" => s.select.min_confidence.to_value(),
            "min-size" => s.select.min_size.to_value(),
            "min-sharpness" => s.select.min_sharpness.to_value(),
            "max-per-track" => s.select.max_per_track.to_value(),
            "quality" => s.quality.to_value(),
            "max-queue" => s.max_queue.to_value(),
            "drain-timeout" => s.drain_timeout_ms.to_value(),
            name => counter(&self.shared().stats.lock().unwrap(), name).to_value(),
        }
    }
}

impl GstObjectImpl for RsCropSink {}

impl ElementImpl for RsCropSink {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Crop sink",
                "Sink/Analyzer/Video",
                "Writes crops of tracked objects as JPEG files (per-track interval, confidence, size and sharpness filters, a best shot per track), encoded on a worker thread behind a bounded queue, with a JSON Lines index",
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
                &crate::raw_rgb_yuv_caps(),
            )
            .expect("valid template")]
        });
        TEMPLATES.as_ref()
    }
}

fn settings_error(msg: String) -> gst::ErrorMessage {
    gst::error_msg!(gst::ResourceError::Settings, ("{}", msg))
}

/// Checks that crops can be written under the fixed directory of
/// `pattern` (property `prop`): creates it and a probe file in it. A fixed
/// path that exists as a device or FIFO is written directly, no probe.
fn check_location(prop: &str, pattern: &Pattern, raw: &str) -> Result<(), gst::ErrorMessage> {
    if pattern.is_fixed() && std::fs::metadata(raw).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return Ok(());
    }
    let dir = pattern.fixed_dir();
    let probe = dir.join(format!(".rscropsink-probe-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::File::create_new(&probe).map(drop))
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|e| {
            gst::error_msg!(
                gst::ResourceError::OpenWrite,
                (
                    "Cannot write crops to directory '{}' ({} '{}'): {}",
                    dir.display(),
                    prop,
                    raw,
                    e
                )
            )
        })
}

fn open_index(path: &str) -> Result<std::fs::File, gst::ErrorMessage> {
    let p = Path::new(path);
    p.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or(Ok(()), std::fs::create_dir_all)
        // Append mode: after a partial line is cut back, the next line is
        // written at the new end (no hole).
        .and_then(|()| {
            std::fs::OpenOptions::new()
                .create(true)
                .truncate(true)
                .write(true)
                .open(p)?;
            std::fs::OpenOptions::new().append(true).open(p)
        })
        .map_err(|e| {
            gst::error_msg!(
                gst::ResourceError::OpenWrite,
                ("Cannot write the crop index '{}': {}", path, e)
            )
        })
}

/// The parsed location patterns and selection settings of `s`.
fn outputs(s: &Settings) -> Result<(Output, Config), gst::ErrorMessage> {
    let parse = |prop: &str, raw: &str| {
        Pattern::parse(raw).map_err(|e| settings_error(format!("{prop} {e}")))
    };
    let location = parse("location", &s.location)?;
    check_location("location", &location, &s.location)?;
    let best_location = match s.best_location.as_str() {
        "" => None,
        raw => {
            let p = parse("best-location", raw)?;
            check_location("best-location", &p, raw)?;
            Some(p)
        }
    };
    let index = match &s.index_location {
        Some(p) => Some((open_index(p)?, PathBuf::from(p))),
        None => None,
    };
    let mut cfg = s.select.clone();
    cfg.best = best_location.is_some();
    cfg.classes =
        crate::infer::parse_classes(s.classes.as_deref().unwrap_or("")).map_err(settings_error)?;
    cfg.class_min_size = crops::parse_class_min_size(s.class_min_size.as_deref().unwrap_or(""))
        .map_err(settings_error)?;
    let out = Output {
        location,
        best_location,
        quality: s.quality.clamp(1, 100) as u8,
        index,
    };
    Ok((out, cfg))
}

/// Queues `job` without waiting; a full queue drops it. Call with `stats`
/// locked, so the worker cannot count it done before it is counted queued.
fn try_queue(tx: &SyncSender<Job>, stats: &mut Stats, job: Job) {
    match tx.try_send(job) {
        Ok(()) => stats.queued += 1,
        Err(_) => stats.dropped += 1,
    }
}

/// Queues `job`, waiting for room until `deadline` (EOS only): woken
/// when the worker takes a job off the queue (and when it finishes one,
/// exits) or `unlock` cancels.
fn queue_until(tx: &SyncSender<Job>, shared: &Shared, mut job: Job, deadline: Instant) {
    let mut s = shared.stats.lock().unwrap();
    loop {
        let now = Instant::now();
        if s.cancel || now >= deadline {
            s.dropped += 1;
            return;
        }
        match tx.try_send(job) {
            Ok(()) => {
                s.queued += 1;
                return;
            }
            Err(TrySendError::Full(j)) => job = j,
            Err(TrySendError::Disconnected(_)) => {
                s.dropped += 1;
                return;
            }
        }
        // The queue is full: the worker notifies, under this lock (so not
        // before we wait), when it takes the next job off it.
        s = shared.cond.wait_timeout(s, deadline - now).unwrap().0;
    }
}

impl State {
    /// Filters the objects of `buffer`, crops the ones that need pixels and
    /// queues the sample crops (and the best shots of stale tracks).
    fn process(
        &mut self,
        buffer: &gst::BufferRef,
        shared: &Shared,
    ) -> Result<(), gst::ErrorMessage> {
        let meta = buffer.meta::<TrackingMeta>();
        let frame_idx = meta
            .as_ref()
            .and_then(|m| m.frame().frame)
            .unwrap_or(self.frames);
        self.frames += 1;
        let Some(meta) = meta else {
            return Ok(());
        };
        let (info, layout) = self
            .video
            .clone()
            .ok_or_else(|| crate::crops::no_caps_error(frame_idx))?;
        let (fw, fh) = (info.width() as usize, info.height() as usize);
        let objects = meta.objects();
        let checks: Vec<Check> = objects
            .iter()
            .map(|o| self.selector.check(o, fw, fh, frame_idx))
            .collect();
        let mut filtered: Vec<Filter> = checks
            .iter()
            .filter(|c| !c.needs_pixels())
            .filter_map(|c| c.sample.err())
            .collect();
        let mut samples = Vec::new();
        if checks.iter().any(Check::needs_pixels) {
            let vf = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info).map_err(
                |_| crate::crops::frame_error(frame_idx, "failed to map the video buffer".into()),
            )?;
            let frame = crate::core_frame(&vf, layout);
            let yuv = crate::yuv_params(&info);
            for (o, c) in objects.iter().zip(&checks) {
                let Some(rect) = c.rect else { continue };
                let image = crops::extract_rgb(&frame, yuv, rect, &mut self.scratch)
                    .map_err(|e| crate::crops::frame_error(frame_idx, e.to_string()))?;
                let crop = Crop {
                    stream: meta.frame().stream.clone(),
                    track_id: o.track_id.unwrap_or_default(),
                    class_id: o.class_id,
                    frame: frame_idx,
                    pts_ns: buffer.pts().map(gst::ClockTime::nseconds),
                    rect,
                    confidence: o.confidence,
                    sharpness: crops::sharpness(&image),
                    image,
                };
                match self.selector.take(c, crop) {
                    Ok(crop) => samples.push(crop),
                    Err(f) => filtered.push(f),
                }
            }
        }
        // Every 64 frames of the index (which may skip values behind
        // rsstride).
        let stale = if frame_idx >= self.last_expiry + 64 {
            self.last_expiry = frame_idx;
            self.selector.expire(frame_idx)
        } else {
            Vec::new()
        };
        let mut s = shared.stats.lock().unwrap();
        filtered.into_iter().for_each(|f| count_filter(&mut s, f));
        for crop in samples {
            try_queue(&self.tx, &mut s, Job { crop, best: false });
        }
        for crop in stale {
            try_queue(&self.tx, &mut s, Job { crop, best: true });
        }
        Ok(())
    }
}

impl RsCropSink {
    fn shared(&self) -> Arc<Shared> {
        self.shared.lock().unwrap().clone()
    }

    /// Queues the best shot of `track` (its `track_end`), or of every track
    /// (a flush).
    fn end_tracks(&self, track: Option<u64>) {
        let shared = self.shared();
        let mut guard = self.state.lock().unwrap();
        let Some(st) = guard.as_mut() else {
            return;
        };
        let bests = match track {
            Some(t) => st.selector.end(t).into_iter().collect(),
            None => st.selector.end_all(),
        };
        let mut s = shared.stats.lock().unwrap();
        for crop in bests {
            try_queue(&st.tx, &mut s, Job { crop, best: true });
        }
    }

    /// At EOS: queues the best shots of the tracks left, waits (up to
    /// drain-timeout) for the worker, then posts `rstracking-crops`.
    fn finish(&self) {
        let shared = self.shared();
        let (tx, bests, timeout) = {
            let mut guard = self.state.lock().unwrap();
            let Some(st) = guard.as_mut() else {
                return;
            };
            (st.tx.clone(), st.selector.end_all(), st.drain_timeout)
        };
        let deadline = Instant::now() + timeout;
        for crop in bests {
            queue_until(&tx, &shared, Job { crop, best: true }, deadline);
        }
        let mut s = shared.stats.lock().unwrap();
        while s.pending() > 0 && !s.cancel && !s.exited {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            s = shared.cond.wait_timeout(s, deadline - now).unwrap().0;
        }
        let s = *s;
        if s.pending() > 0 {
            gst::element_imp_warning!(
                self,
                gst::ResourceError::Write,
                (
                    "{} crops not written at EOS (drain-timeout {} ms)",
                    s.pending(),
                    timeout.as_millis()
                )
            );
        }
        let mut b = gst::Structure::builder("rstracking-crops");
        for (name, _) in COUNTERS {
            b = b.field(name, counter(&s, name));
        }
        crate::post_element_message(&*self.obj(), b.field("pending", s.pending()).build());
    }
}

impl BaseSinkImpl for RsCropSink {
    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let s = self.settings.lock().unwrap().clone();
        let (out, cfg) = outputs(&s)?;
        let shared = Arc::new(Shared::default());
        *self.shared.lock().unwrap() = shared.clone();
        let (tx, rx) = sync_channel(s.max_queue.max(1) as usize);
        let weak = self.obj().downgrade();
        std::thread::Builder::new()
            .name(format!("{}-crops", self.obj().name()))
            .spawn(move || worker::run(rx, out, shared, weak, *CAT))
            .map_err(|e| {
                gst::error_msg!(
                    gst::ResourceError::Failed,
                    ("Failed to start the crop writer thread: {}", e)
                )
            })?;
        *self.state.lock().unwrap() = Some(State {
            selector: Selector::new(cfg),
            video: None,
            frames: 0,
            last_expiry: 0,
            tx,
            drain_timeout: Duration::from_millis(u64::from(s.drain_timeout_ms)),
            scratch: Vec::new(),
        });
        gst::info!(
            CAT,
            imp = self,
            "Writing crops to {} (best shots: '{}')",
            s.location,
            s.best_location
        );
        Ok(())
    }

    /// Discards the crops still queued; waits at most [`STOP_WAIT`] for a
    /// write in progress (a worker stuck in one, e.g. on a FIFO without
    /// reader, is left to end by itself).
    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        let shared = self.shared();
        let Some(st) = self.state.lock().unwrap().take() else {
            return Ok(());
        };
        shared.stats.lock().unwrap().stopping = true;
        drop(st);
        let deadline = Instant::now() + STOP_WAIT;
        let mut s = shared.stats.lock().unwrap();
        while !s.exited && Instant::now() < deadline {
            s = shared
                .cond
                .wait_timeout(s, deadline - Instant::now())
                .unwrap()
                .0;
        }
        if !s.exited {
            gst::warning!(
                CAT,
                imp = self,
                "The crop writer is still busy with a write; left behind"
            );
        }
        Ok(())
    }

    fn unlock(&self) -> Result<(), gst::ErrorMessage> {
        let shared = self.shared();
        shared.stats.lock().unwrap().cancel = true;
        shared.cond.notify_all();
        Ok(())
    }

    fn unlock_stop(&self) -> Result<(), gst::ErrorMessage> {
        self.shared().stats.lock().unwrap().cancel = false;
        Ok(())
    }

    fn set_caps(&self, caps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let video = crate::crops::video_layout(*CAT, caps)?;
        if let Some(st) = self.state.lock().unwrap().as_mut() {
            st.video = Some(video);
        }
        Ok(())
    }

    fn event(&self, event: gst::Event) -> bool {
        match event.view() {
            gst::EventView::CustomDownstream(_) => {
                if let Some(id) = crate::ended_track(&event) {
                    self.end_tracks(Some(id));
                }
            }
            gst::EventView::FlushStop(_) => self.end_tracks(None),
            gst::EventView::Eos(_) => self.finish(),
            _ => {}
        }
        self.parent_event(event)
    }

    fn render(&self, buffer: &gst::Buffer) -> Result<gst::FlowSuccess, gst::FlowError> {
        let shared = self.shared();
        let mut guard = self.state.lock().unwrap();
        let st = guard.as_mut().ok_or(gst::FlowError::Flushing)?;
        let result = st.process(buffer, &shared);
        drop(guard);
        result.map(|()| gst::FlowSuccess::Ok).map_err(|e| {
            self.obj().post_error_message(e);
            gst::FlowError::Error
        })
    }
}
