// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Crop export (rscropsink): which tracked objects are written as image
//! files, and the best shot of each track.
//!
//! [`Selector::check`] runs the filters on each object, in this order; an
//! object rejected is counted by the first that rejects it ([`Filter`]):
//!
//! 1. `classes`: its class id is not in the list (empty list = all);
//! 2. untracked: it has no track id;
//! 3. `min_confidence`: its confidence is lower (NaN too);
//! 4. `min_size`: the shorter side of its box clipped to the frame is
//!    shorter (per-class values in `class_min_size` replace it), or the
//!    box has no pixel in the frame;
//! 5. `interval`: fewer than `interval` frames *of the track* (frames in
//!    which an object with this track id passed filters 1–2) since its last
//!    exported crop;
//! 6. `max_per_track`: the track has that many exported crops (0 = no
//!    limit);
//! 7. `min_sharpness`: the crop's [`sharpness`] is lower (0 = off). This
//!    one needs the pixels, so it comes last.
//!
//! A crop rejected by 7 does not count as exported: the next frame of the
//! track may give one. The **best shot** of a track is, among all its
//! objects that pass 3, 4 and 7 (not 5 or 6: any frame may give it), the
//! one with the largest pixel area ([`PixelRect::area`]), ties going to
//! the higher confidence, then to the earlier frame. The selector keeps its
//! pixels (copied only when a better one appears) until the track ends
//! ([`Selector::end`], [`Selector::end_all`], [`Selector::expire`]).

mod image;
mod pattern;
#[cfg(test)]
mod tests;

pub use image::{extract_rgb, sharpness, PixelRect, RgbImage};
pub use pattern::{safe_stream, Names, Pattern};

use crate::types::{decimal_f64, Object};
use std::collections::HashMap;

/// Tracks not seen for this many frames are ended by [`Selector::expire`]
/// (for streams without `track_end` events).
pub const STALE_FRAMES: u64 = 300;

/// Why an object gives no sample crop, in the order the filters run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    Class,
    Untracked,
    Confidence,
    Size,
    Interval,
    Max,
    Sharpness,
}

/// The selection settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Frames of a track between two exported crops (1 = every frame).
    pub interval: u32,
    pub min_confidence: f32,
    /// Pixels, shorter side of the clipped box.
    pub min_size: f32,
    /// Per class id, a `min_size` that replaces the default.
    pub class_min_size: Vec<(u32, f32)>,
    /// 0 = off.
    pub min_sharpness: f64,
    /// 0 = unlimited.
    pub max_per_track: u32,
    /// Sorted class ids; `None` = all.
    pub classes: Option<Vec<u32>>,
    /// Whether best shots are kept.
    pub best: bool,
}

impl Default for Config {
    /// The element's defaults: 8, 0.75, 50, none, 0, 0, all, true.
    fn default() -> Self {
        Config {
            interval: 8,
            min_confidence: 0.75,
            min_size: 50.0,
            class_min_size: Vec::new(),
            min_sharpness: 0.0,
            max_per_track: 0,
            classes: None,
            best: true,
        }
    }
}

/// Parses `class-min-size`: `CLASS:PIXELS` pairs, comma-separated (e.g.
/// `1:90,3:70`); empty = none.
pub fn parse_class_min_size(s: &str) -> Result<Vec<(u32, f32)>, String> {
    if s.trim().is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|pair| {
            let bad = || {
                format!(
                    "class-min-size '{s}': '{}' is not CLASS:PIXELS (e.g. 1:90)",
                    pair.trim()
                )
            };
            let (c, v) = pair.split_once(':').ok_or_else(bad)?;
            let c = c.trim().parse::<u32>().map_err(|_| bad())?;
            let v = v.trim().parse::<f32>().map_err(|_| bad())?;
            if !(v.is_finite() && v >= 0.0) {
                return Err(bad());
            }
            Ok((c, v))
        })
        .collect()
}

/// A crop taken from a frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Crop {
    pub stream: Option<String>,
    pub track_id: u64,
    pub class_id: u32,
    pub frame: u64,
    pub pts_ns: Option<u64>,
    pub rect: PixelRect,
    pub confidence: f32,
    pub sharpness: f64,
    pub image: RgbImage,
}

impl Crop {
    /// The JSON index line of this crop written to `path` as `kind`
    /// (`sample` or `best`), without the newline.
    pub fn index_line(&self, kind: &str, path: &str) -> String {
        let r = self.rect;
        serde_json::json!({
            "stream": self.stream,
            "track_id": self.track_id,
            "class_id": self.class_id,
            "frame": self.frame,
            "pts_ns": self.pts_ns,
            "bbox": [r.x, r.y, r.w, r.h],
            "confidence": decimal_f64(self.confidence),
            "sharpness": (self.sharpness * 1000.0).round() / 1000.0,
            "kind": kind,
            "path": path,
        })
        .to_string()
    }

    /// Whether this crop beats `other` as a best shot.
    fn beats(&self, other: Option<&Crop>) -> bool {
        beats(self.rect.area(), self.confidence, other)
    }
}

fn beats(area: u64, confidence: f32, other: Option<&Crop>) -> bool {
    other.is_none_or(|b| {
        let a = b.rect.area();
        area > a || (area == a && confidence > b.confidence)
    })
}

/// What [`Selector::check`] found for one object.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Check {
    /// The sample crop's verdict before the sharpness gate.
    pub sample: Result<(), Filter>,
    /// Whether the crop could become the track's best shot.
    pub best: bool,
    /// The pixels to crop (set when `sample` is Ok or `best`).
    pub rect: Option<PixelRect>,
}

impl Check {
    /// Whether the crop's pixels are needed ([`Selector::take`]).
    pub fn needs_pixels(&self) -> bool {
        self.rect.is_some()
    }

    fn rejected(f: Filter) -> Check {
        Check {
            sample: Err(f),
            best: false,
            rect: None,
        }
    }
}

#[derive(Debug, Default)]
struct TrackCrops {
    /// Frames of the track since its last exported crop; None = none yet.
    since_export: Option<u64>,
    exported: u32,
    last_seen: u64,
    best: Option<Crop>,
}

/// The per-track state of the crop export.
#[derive(Debug)]
pub struct Selector {
    cfg: Config,
    tracks: HashMap<u64, TrackCrops>,
}

impl Selector {
    pub fn new(cfg: Config) -> Self {
        Selector {
            cfg,
            tracks: HashMap::new(),
        }
    }

    fn min_size(&self, class: u32) -> f32 {
        self.cfg
            .class_min_size
            .iter()
            .find(|(c, _)| *c == class)
            .map_or(self.cfg.min_size, |(_, v)| *v)
    }

    /// Runs filters 1–6 on `o` (frame `frame`, `fw`×`fh` pixels) and counts
    /// the frame for its track.
    pub fn check(&mut self, o: &Object, fw: usize, fh: usize, frame: u64) -> Check {
        if let Some(cl) = &self.cfg.classes {
            if cl.binary_search(&o.class_id).is_err() {
                return Check::rejected(Filter::Class);
            }
        }
        // A lost or predicted box is a prediction, not an observation:
        // treated as untracked.
        let Some(track) = o.track_id.filter(|_| o.is_observed()) else {
            return Check::rejected(Filter::Untracked);
        };
        let min_size = self.min_size(o.class_id);
        let b = o.bbox;
        let side = ((b.x + b.w).min(fw as f32) - b.x.max(0.0))
            .min((b.y + b.h).min(fh as f32) - b.y.max(0.0));
        let rect = PixelRect::of_box(&b, fw, fh).filter(|_| side >= min_size);
        let conf_ok = o.confidence >= self.cfg.min_confidence;
        let (interval, max, best_on) = (
            u64::from(self.cfg.interval.max(1)),
            self.cfg.max_per_track,
            self.cfg.best,
        );
        let t = self.tracks.entry(track).or_default();
        t.last_seen = frame;
        if let Some(s) = t.since_export.as_mut() {
            *s += 1;
        }
        let sample = if !conf_ok {
            Err(Filter::Confidence)
        } else if rect.is_none() {
            Err(Filter::Size)
        } else if t.since_export.is_some_and(|s| s < interval) {
            Err(Filter::Interval)
        } else if max > 0 && t.exported >= max {
            Err(Filter::Max)
        } else {
            Ok(())
        };
        let best = best_on
            && conf_ok
            && rect.is_some_and(|r| beats(r.area(), o.confidence, t.best.as_ref()));
        Check {
            sample,
            best,
            rect: rect.filter(|_| sample.is_ok() || best),
        }
    }

    /// Hands over the pixels of a `check` that needed them (with their
    /// sharpness): keeps them as the track's best shot if they are, and
    /// returns the sample crop to write, or why there is none.
    pub fn take(&mut self, check: &Check, crop: Crop) -> Result<Crop, Filter> {
        let sharp = crop.sharpness >= self.cfg.min_sharpness;
        let t = self.tracks.entry(crop.track_id).or_default();
        let sample = match check.sample {
            Ok(()) if !sharp => Err(Filter::Sharpness),
            other => other,
        };
        let keep_best = check.best && sharp && crop.beats(t.best.as_ref());
        match sample {
            Err(f) => {
                if keep_best {
                    t.best = Some(crop);
                }
                Err(f)
            }
            Ok(()) => {
                if keep_best {
                    t.best = Some(crop.clone());
                }
                t.since_export = Some(0);
                t.exported += 1;
                Ok(crop)
            }
        }
    }

    /// Ends `track`: its best shot, if any; its state is freed.
    pub fn end(&mut self, track: u64) -> Option<Crop> {
        self.tracks.remove(&track).and_then(|t| t.best)
    }

    /// Ends every track: their best shots, by track id.
    pub fn end_all(&mut self) -> Vec<Crop> {
        let mut v: Vec<Crop> = self.tracks.drain().filter_map(|(_, t)| t.best).collect();
        v.sort_by_key(|c| c.track_id);
        v
    }

    /// Ends the tracks not seen for [`STALE_FRAMES`] frames before `frame`.
    pub fn expire(&mut self, frame: u64) -> Vec<Crop> {
        let stale: Vec<u64> = self
            .tracks
            .iter()
            .filter(|(_, t)| t.last_seen + STALE_FRAMES < frame)
            .map(|(id, _)| *id)
            .collect();
        let mut v: Vec<Crop> = stale.into_iter().filter_map(|id| self.end(id)).collect();
        v.sort_by_key(|c| c.track_id);
        v
    }

    /// Tracks held.
    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }
}
