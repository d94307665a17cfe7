// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rscropsink's worker thread: JPEG encoding, file writing and the index.

use gst::glib;
use gst::prelude::*;
use rstracking_core::crops::{Crop, Names, Pattern, RgbImage};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Condvar, Mutex};

/// One crop to write.
pub(super) struct Job {
    pub crop: Crop,
    /// A best shot (`best-location`) rather than a sample (`location`).
    pub best: bool,
}

/// The counters, shared by the streaming thread, the worker and the
/// property getters.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Stats {
    pub written: u64,
    pub best_written: u64,
    pub failed: u64,
    pub dropped: u64,
    pub filtered_class: u64,
    pub untracked: u64,
    pub filtered_confidence: u64,
    pub filtered_size: u64,
    pub filtered_interval: u64,
    pub filtered_max: u64,
    pub filtered_sharpness: u64,
    /// Jobs accepted by the queue, and finished by the worker (written or
    /// failed, or discarded at stop).
    pub queued: u64,
    pub done: u64,
    /// `unlock`: stop waiting for the queue or the drain.
    pub cancel: bool,
    /// `stop`: discard the jobs left.
    pub stopping: bool,
    pub exited: bool,
}

impl Stats {
    /// Jobs accepted and not finished.
    pub fn pending(&self) -> u64 {
        self.queued - self.done
    }
}

#[derive(Default)]
pub(super) struct Shared {
    pub stats: Mutex<Stats>,
    pub cond: Condvar,
}

/// What the worker needs to write.
pub(super) struct Output {
    pub location: Pattern,
    pub best_location: Option<Pattern>,
    pub quality: u8,
    /// The index file and its path.
    pub index: Option<(File, PathBuf)>,
}

/// Runs until the channel closes: writes each job, appends its index line,
/// counts. The first failure is posted as an element error of `element`
/// (no lock held); later ones are logged, and every later crop is still
/// attempted.
pub(super) fn run(
    rx: Receiver<Job>,
    mut out: Output,
    shared: Arc<Shared>,
    element: glib::WeakRef<super::RsCropSink>,
    cat: gst::DebugCategory,
) {
    let mut reported = false;
    for job in rx {
        // Taking a job made room in the queue: wake the streaming thread if
        // it waits for room (EOS). Locked first, so that it either finds
        // the room or is already waiting.
        let stopping = shared.stats.lock().unwrap().stopping;
        shared.cond.notify_all();
        if stopping {
            finish(&shared, |s| s.dropped += 1);
            continue;
        }
        let result = out.write(&job);
        if let Err(msg) = &result {
            match element.upgrade() {
                Some(e) if !reported => {
                    reported = true;
                    e.post_error_message(gst::error_msg!(gst::ResourceError::Write, ("{}", msg)));
                }
                Some(e) => gst::warning!(cat, obj = e, "{msg}"),
                None => {}
            }
        }
        finish(&shared, |s| match (&result, job.best) {
            (Err(_), _) => s.failed += 1,
            (Ok(()), true) => s.best_written += 1,
            (Ok(()), false) => s.written += 1,
        });
    }
    let mut s = shared.stats.lock().unwrap();
    s.exited = true;
    drop(s);
    shared.cond.notify_all();
}

/// Counts a finished job with `f` and wakes the waiters.
fn finish(shared: &Shared, f: impl FnOnce(&mut Stats)) {
    let mut s = shared.stats.lock().unwrap();
    f(&mut s);
    s.done += 1;
    drop(s);
    shared.cond.notify_all();
}

impl Output {
    /// Writes the job's file, then its index line; the error names the
    /// path and the OS error.
    fn write(&mut self, job: &Job) -> Result<(), String> {
        let c = &job.crop;
        let (pattern, kind) = match (&self.best_location, job.best) {
            (Some(p), true) => (p, "best"),
            _ => (&self.location, "sample"),
        };
        let path = pattern.expand(&Names {
            stream: c.stream.as_deref(),
            track: c.track_id,
            frame: c.frame,
            kind,
        });
        write_jpeg(&path, &c.image, self.quality)
            .map_err(|e| format!("Failed to write crop '{}': {e}", path.display()))?;
        if let Some((file, index)) = self.index.as_mut() {
            let line = c.index_line(kind, &path.to_string_lossy()) + "\n";
            append_whole(file, line.as_bytes()).map_err(|e| {
                format!("Failed to write the crop index '{}': {e}", index.display())
            })?;
        }
        Ok(())
    }
}

/// Appends `line`; on an error the file is cut back to its length before,
/// so it never ends with a partial line.
fn append_whole(file: &mut File, line: &[u8]) -> io::Result<()> {
    let len = file.metadata()?.len();
    file.write_all(line).inspect_err(|_| {
        let _ = file.set_len(len);
    })
}

/// Encodes `img` and writes it to `path` (parent directories created):
/// through a hidden temporary file in the same directory renamed over
/// `path`, so a complete file appears at once; a `path` that exists and is
/// neither a regular file nor a directory (a device, a FIFO) is written
/// directly instead.
pub(super) fn write_jpeg(path: &Path, img: &RgbImage, quality: u8) -> io::Result<()> {
    let (w, h) = (
        u16::try_from(img.width).map_err(io::Error::other)?,
        u16::try_from(img.height).map_err(io::Error::other)?,
    );
    let mut bytes = Vec::new();
    jpeg_encoder::Encoder::new(&mut bytes, quality)
        .encode(&img.data, w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(io::Error::other)?;
    if fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return fs::OpenOptions::new()
            .write(true)
            .open(path)?
            .write_all(&bytes);
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        fs::create_dir_all(dir)?;
    }
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("no file name"))?;
    let tmp = path.with_file_name(format!(".{}.part", name.to_string_lossy()));
    fs::write(&tmp, &bytes)
        .and_then(|()| fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        })
}
