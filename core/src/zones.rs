// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Zones and lines on tracks (rszones): polygon zones (enter, exit, dwell,
//! occupancy per class), exclude zones, and lines with a direction
//! (crossings), evaluated at one point of each object (its *anchor*,
//! bottom-centre of the box by default), with hysteresis so that a box
//! jittering on a line or an edge does not count twice.
//!
//! # Config file (one entry per line, `#` comments)
//!
//! ```text
//! coordinates pixels            # or: normalized (0..1 of the frame)
//! anchor bottom-center          # or: center, top-center, keypoint:<index>
//! hysteresis 5                  # band half-width, in the coordinates' unit
//! zone shop 10,10 300,10 300,200 10,200
//! exclude screen 400,0 480,0 480,60 400,60
//! line door 100,300 500,300 in out
//! ```
//!
//! * `zone <name> <x,y> <x,y> <x,y> ...`: a polygon of at least 3 points.
//! * `exclude <name> <points>`: objects whose anchor is inside are ignored
//!   by every zone and line (and counted nowhere).
//! * `line <name> <x,y> <x,y> [<forward> <backward>]`: a segment from A to
//!   B. Crossing it from the left of A→B to its right (image coordinates,
//!   y down: for a horizontal line drawn left to right, from above to
//!   below) is `forward` (default name `forward`), the other way
//!   `backward`.
//!
//! # Rules
//! * A track is on one side of a line once its anchor is more than
//!   `hysteresis` from the line; inside the band it keeps the side it had.
//!   A crossing is counted when the committed side changes and the path
//!   from the last point on the old side to the current point passes
//!   between A and B (walking around the end of a line is not a crossing).
//! * Likewise a track is inside a zone once its anchor is inside and at
//!   least `hysteresis` from the edges, outside once it is outside by that
//!   much. Enter and exit are events; an exit carries the dwell time.
//! * Objects without a track id are counted in the occupancy of the frame
//!   (anchor inside the polygon, no hysteresis) but never make events.
//! * A track not seen for `forget_frames` frames (or ended with
//!   [`ZoneAnalytics::end_track`]) leaves its zones (exit events; the dwell
//!   runs to the last frame it was seen on). Frames going backwards end
//!   every track first (a new stream).
//! * With `coordinates normalized`, `hysteresis` is a fraction of the
//!   frame's shorter side.

use crate::types::Object;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// A config error: the file, the line (1-based; 0 = the file as a whole)
/// and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Which point of an object is tested.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Anchor {
    BottomCenter,
    Center,
    TopCenter,
    /// A keypoint (falls back to the bottom-centre when the object has no
    /// such keypoint or its confidence is 0).
    Keypoint(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    pub name: String,
    pub polygon: Vec<(f32, f32)>,
    pub exclude: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub name: String,
    pub a: (f32, f32),
    pub b: (f32, f32),
    /// Names of the two directions: (left→right of A→B, right→left).
    pub directions: (String, String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ZoneConfig {
    pub normalized: bool,
    pub anchor: Anchor,
    pub hysteresis: f32,
    pub zones: Vec<Zone>,
    pub lines: Vec<Line>,
}

fn point(s: &str) -> Option<(f32, f32)> {
    let (x, y) = s.split_once(',')?;
    let (x, y) = (x.trim().parse::<f32>().ok()?, y.trim().parse::<f32>().ok()?);
    (x.is_finite() && y.is_finite()).then_some((x, y))
}

/// The points of `words` (each `x,y`).
fn points(words: &[&str]) -> Result<Vec<(f32, f32)>, String> {
    words
        .iter()
        .map(|w| point(w).ok_or_else(|| format!("'{w}' is not a point x,y")))
        .collect()
}

fn parse_anchor(word: Option<&str>) -> Result<Anchor, String> {
    Ok(match word {
        Some("bottom-center") => Anchor::BottomCenter,
        Some("center") => Anchor::Center,
        Some("top-center") => Anchor::TopCenter,
        Some(k) if k.starts_with("keypoint:") => Anchor::Keypoint(
            k["keypoint:".len()..]
                .parse()
                .map_err(|_| format!("anchor: bad keypoint index in '{k}'"))?,
        ),
        other => {
            return Err(format!(
                "anchor: expected bottom-center, center, top-center or keypoint:<index>, found {other:?}"
            ))
        }
    })
}

/// `zone|exclude <name> <points>` (`words[0]` is the kind).
fn parse_zone(words: &[&str]) -> Result<Zone, String> {
    let kind = words[0];
    let name = words
        .get(1)
        .ok_or_else(|| format!("{kind}: no name"))?
        .to_string();
    let polygon = points(&words[2..])?;
    if polygon.len() < 3 {
        return Err(format!(
            "{kind} '{name}': a polygon needs at least 3 points, found {}",
            polygon.len()
        ));
    }
    Ok(Zone {
        name,
        polygon,
        exclude: kind == "exclude",
    })
}

/// `line <name> <x,y> <x,y> [<forward> <backward>]`.
fn parse_line(words: &[&str]) -> Result<Line, String> {
    let name = words.get(1).ok_or("line: no name")?.to_string();
    if words.len() != 4 && words.len() != 6 {
        return Err(format!(
            "line '{name}': expected <name> <x,y> <x,y> [<forward> <backward>]"
        ));
    }
    let ends = points(&words[2..4])?;
    let (a, b) = (ends[0], ends[1]);
    if a == b {
        return Err(format!("line '{name}': its two points are the same"));
    }
    let directions = match words.get(4..6) {
        Some([f, b]) if f == b => {
            return Err(format!(
                "line '{name}': the two directions need different names"
            ))
        }
        Some([f, b]) => (f.to_string(), b.to_string()),
        _ => ("forward".to_string(), "backward".to_string()),
    };
    Ok(Line {
        name,
        a,
        b,
        directions,
    })
}

/// Parses a config file's text; `path` names it in errors.
pub fn parse_config(text: &str, path: &str) -> Result<ZoneConfig, ConfigError> {
    let mut cfg = ZoneConfig {
        normalized: false,
        anchor: Anchor::BottomCenter,
        hysteresis: 0.0,
        zones: Vec::new(),
        lines: Vec::new(),
    };
    let mut names = std::collections::BTreeSet::new();
    let error = |line: usize, message: String| ConfigError {
        path: path.to_string(),
        line,
        message,
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let name = match words[0] {
            "coordinates" => {
                cfg.normalized = match words.get(1).copied() {
                    Some("pixels") => false,
                    Some("normalized") => true,
                    other => {
                        return Err(error(
                            i + 1,
                            format!("coordinates: expected pixels or normalized, found {other:?}"),
                        ))
                    }
                };
                None
            }
            "anchor" => {
                cfg.anchor =
                    parse_anchor(words.get(1).copied()).map_err(|m| error(i + 1, m))?;
                None
            }
            "hysteresis" => {
                cfg.hysteresis = words
                    .get(1)
                    .and_then(|v| v.parse::<f32>().ok())
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| error(i + 1, "hysteresis: expected a number >= 0".into()))?;
                None
            }
            "zone" | "exclude" => {
                let z = parse_zone(&words).map_err(|m| error(i + 1, m))?;
                let name = z.name.clone();
                cfg.zones.push(z);
                Some(name)
            }
            "line" => {
                let l = parse_line(&words).map_err(|m| error(i + 1, m))?;
                let name = l.name.clone();
                cfg.lines.push(l);
                Some(name)
            }
            other => {
                return Err(error(
                    i + 1,
                    format!(
                        "unknown entry '{other}' (expected coordinates, anchor, hysteresis, zone, exclude or line)"
                    ),
                ))
            }
        };
        if let Some(name) = name {
            if !names.insert(name.clone()) {
                return Err(error(i + 1, format!("'{name}' is defined twice")));
            }
        }
    }
    if cfg.zones.is_empty() && cfg.lines.is_empty() {
        return Err(error(0, "no zone and no line".into()));
    }
    Ok(cfg)
}

/// What happened on a frame.
#[derive(Debug, Clone, PartialEq)]
pub enum ZoneEvent {
    /// A track crossed a line; `direction` is one of the line's names.
    LineCross {
        line: String,
        direction: String,
        track_id: u64,
        class_id: u32,
    },
    Enter {
        zone: String,
        track_id: u64,
        class_id: u32,
    },
    /// With the time inside: frames, and ns where timestamps were given.
    Exit {
        zone: String,
        track_id: u64,
        class_id: u32,
        dwell_frames: u64,
        dwell_ns: Option<u64>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Unknown,
    Left,
    Right,
}

#[derive(Debug, Clone)]
struct TrackState {
    class_id: u32,
    /// Last frame (and its time) the track was seen on.
    last_frame: u64,
    last_time: Option<u64>,
    /// Per line: committed side and the last point seen on it.
    sides: Vec<(Side, (f32, f32))>,
    /// Per zone: Some((frame, time)) of the entry while inside.
    inside: Vec<Option<(u64, Option<u64>)>>,
}

/// The config in pixels for one frame size: (width, height, zones, lines,
/// hysteresis).
type Scaled = (u32, u32, Vec<Zone>, Vec<Line>, f32);

/// Per-frame results besides events: occupancy per zone and class.
pub type Occupancy = BTreeMap<(String, u32), u32>;

/// The zone/line state of a stream.
#[derive(Debug, Clone)]
pub struct ZoneAnalytics {
    cfg: ZoneConfig,
    /// The config in pixels (normalized ones are scaled at the first
    /// frame size, and again if it changes).
    px: Option<Scaled>,
    tracks: HashMap<u64, TrackState>,
    /// Crossings per line and direction (0 forward, 1 backward).
    counts: Vec<[u64; 2]>,
    /// The last frame given to [`ZoneAnalytics::update`].
    last_frame: Option<u64>,
    pub forget_frames: u64,
}

/// Signed distance of `p` from the line through a→b (> 0: right side in
/// image coordinates).
fn side_distance(a: (f32, f32), b: (f32, f32), p: (f32, f32)) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt();
    (dx * (p.1 - a.1) - dy * (p.0 - a.0)) / len
}

/// Whether segment p→q crosses segment a→b (touching counts).
fn segments_cross(p: (f32, f32), q: (f32, f32), a: (f32, f32), b: (f32, f32)) -> bool {
    let cross = |o: (f32, f32), u: (f32, f32), v: (f32, f32)| {
        (u.0 - o.0) * (v.1 - o.1) - (u.1 - o.1) * (v.0 - o.0)
    };
    let d1 = cross(a, b, p);
    let d2 = cross(a, b, q);
    let d3 = cross(p, q, a);
    let d4 = cross(p, q, b);
    (d1 * d2 <= 0.0) && (d3 * d4 <= 0.0)
}

fn inside_polygon(poly: &[(f32, f32)], p: (f32, f32)) -> bool {
    let mut inside = false;
    let mut j = poly.len() - 1;
    for i in 0..poly.len() {
        let (xi, yi) = poly[i];
        let (xj, yj) = poly[j];
        if (yi > p.1) != (yj > p.1) && p.0 < (xj - xi) * (p.1 - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

fn edge_distance(poly: &[(f32, f32)], p: (f32, f32)) -> f32 {
    let mut best = f32::INFINITY;
    for i in 0..poly.len() {
        let a = poly[i];
        let b = poly[(i + 1) % poly.len()];
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (cx, cy) = (a.0 + t * dx, a.1 + t * dy);
        best = best.min(((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt());
    }
    best
}

/// A tracked object on one frame, for [`step_lines`] and [`step_zones`].
struct Seen {
    id: u64,
    class_id: u32,
    frame: u64,
    time_ns: Option<u64>,
    /// The anchor point.
    p: (f32, f32),
    hyst: f32,
}

/// Line sides of a track: a crossing when its committed side changes and
/// the path passes between the line's ends.
fn step_lines(
    st: &mut TrackState,
    lines: &[Line],
    o: &Seen,
    counts: &mut [[u64; 2]],
    events: &mut Vec<ZoneEvent>,
) {
    for (k, l) in lines.iter().enumerate() {
        let d = side_distance(l.a, l.b, o.p);
        let now = if d > o.hyst {
            Side::Right
        } else if d < -o.hyst {
            Side::Left
        } else {
            continue;
        };
        let (was, from) = st.sides[k];
        if was != Side::Unknown && was != now && segments_cross(from, o.p, l.a, l.b) {
            let forward = now == Side::Right;
            counts[k][usize::from(!forward)] += 1;
            events.push(ZoneEvent::LineCross {
                line: l.name.clone(),
                direction: if forward {
                    l.directions.0.clone()
                } else {
                    l.directions.1.clone()
                },
                track_id: o.id,
                class_id: o.class_id,
            });
        }
        st.sides[k] = (now, o.p);
    }
}

/// Zone states of a track: enter once inside and clear of the edges, exit
/// once outside and clear.
fn step_zones(st: &mut TrackState, zones: &[Zone], o: &Seen, events: &mut Vec<ZoneEvent>) {
    for (k, z) in zones.iter().enumerate() {
        if z.exclude {
            continue;
        }
        let inside = inside_polygon(&z.polygon, o.p);
        let clear = edge_distance(&z.polygon, o.p) >= o.hyst;
        if inside && clear && st.inside[k].is_none() {
            events.push(ZoneEvent::Enter {
                zone: z.name.clone(),
                track_id: o.id,
                class_id: o.class_id,
            });
            st.inside[k] = Some((o.frame, o.time_ns));
        } else if !inside && clear {
            if let Some((f0, t0)) = st.inside[k].take() {
                events.push(ZoneEvent::Exit {
                    zone: z.name.clone(),
                    track_id: o.id,
                    class_id: o.class_id,
                    dwell_frames: o.frame.saturating_sub(f0),
                    dwell_ns: o.time_ns.zip(t0).map(|(t, t0)| t.saturating_sub(t0)),
                });
            }
        }
    }
}

impl ZoneAnalytics {
    pub fn new(cfg: ZoneConfig) -> Self {
        let n = cfg.lines.len();
        Self {
            cfg,
            px: None,
            tracks: HashMap::new(),
            counts: vec![[0, 0]; n],
            last_frame: None,
            forget_frames: 300,
        }
    }

    pub fn config(&self) -> &ZoneConfig {
        &self.cfg
    }

    /// Crossings so far: (line, forward name, count, backward name, count).
    pub fn line_counts(&self) -> Vec<(&str, &str, u64, &str, u64)> {
        self.cfg
            .lines
            .iter()
            .zip(&self.counts)
            .map(|(l, c)| {
                (
                    l.name.as_str(),
                    l.directions.0.as_str(),
                    c[0],
                    l.directions.1.as_str(),
                    c[1],
                )
            })
            .collect()
    }

    fn anchor(&self, o: &Object) -> (f32, f32) {
        let b = o.bbox;
        match self.cfg.anchor {
            Anchor::Center => (b.x + b.w / 2.0, b.y + b.h / 2.0),
            Anchor::TopCenter => (b.x + b.w / 2.0, b.y),
            Anchor::Keypoint(k) => match o.keypoints.get(k) {
                Some(kp) if kp.confidence > 0.0 => (kp.x, kp.y),
                _ => (b.x + b.w / 2.0, b.y + b.h),
            },
            Anchor::BottomCenter => (b.x + b.w / 2.0, b.y + b.h),
        }
    }

    /// The config in pixels for frames of `width` × `height`.
    fn pixels(&mut self, width: u32, height: u32) {
        if matches!(&self.px, Some((w, h, ..)) if *w == width && *h == height) {
            return;
        }
        let (sx, sy) = if self.cfg.normalized {
            (width.max(1) as f32, height.max(1) as f32)
        } else {
            (1.0, 1.0)
        };
        let sc = |p: (f32, f32)| (p.0 * sx, p.1 * sy);
        let zones = self
            .cfg
            .zones
            .iter()
            .map(|z| Zone {
                polygon: z.polygon.iter().map(|p| sc(*p)).collect(),
                ..z.clone()
            })
            .collect();
        let lines = self
            .cfg
            .lines
            .iter()
            .map(|l| Line {
                a: sc(l.a),
                b: sc(l.b),
                ..l.clone()
            })
            .collect();
        let h = if self.cfg.normalized {
            self.cfg.hysteresis * sx.min(sy)
        } else {
            self.cfg.hysteresis
        };
        self.px = Some((width, height, zones, lines, h));
    }

    /// One frame: updates the tracks' states, writes each object's zones
    /// (`Object::zones`, the names it is inside), returns the events and the
    /// occupancy per (zone, class). `time_ns` (e.g. the PTS) gives dwell
    /// times in ns.
    pub fn update(
        &mut self,
        frame: u64,
        time_ns: Option<u64>,
        (width, height): (u32, u32),
        objects: &mut [Object],
    ) -> (Vec<ZoneEvent>, Occupancy) {
        self.pixels(width, height);
        // Taken out for the frame (no copy), put back at the end.
        let scaled = self.px.take().expect("set above");
        let (zones, lines, hyst) = (&scaled.2, &scaled.3, scaled.4);
        let mut events = Vec::new();
        // Frames going backwards (a new stream, a restarted sender): the
        // tracks of before end first.
        if self.last_frame.is_some_and(|l| frame < l) {
            events.extend(self.reset());
        }
        self.last_frame = Some(frame);
        let mut occupancy = Occupancy::new();
        for o in objects.iter_mut() {
            o.zones.clear();
            let p = self.anchor(o);
            if zones
                .iter()
                .any(|z| z.exclude && inside_polygon(&z.polygon, p))
            {
                // Ignored, but still seen (not forgotten); a track keeps
                // its line sides and zones across an exclude zone.
                if let Some(st) = o.track_id.and_then(|id| self.tracks.get_mut(&id)) {
                    st.last_frame = frame;
                    st.last_time = time_ns;
                }
                continue;
            }
            let Some(id) = o.track_id else {
                for z in zones.iter().filter(|z| !z.exclude) {
                    if inside_polygon(&z.polygon, p) {
                        *occupancy.entry((z.name.clone(), o.class_id)).or_default() += 1;
                        o.zones.push(z.name.clone());
                    }
                }
                continue;
            };
            let st = self.tracks.entry(id).or_insert_with(|| TrackState {
                class_id: o.class_id,
                last_frame: frame,
                last_time: time_ns,
                sides: vec![(Side::Unknown, p); lines.len()],
                inside: vec![None; zones.len()],
            });
            st.last_frame = frame;
            st.last_time = time_ns;
            st.class_id = o.class_id;
            let seen = Seen {
                id,
                class_id: o.class_id,
                frame,
                time_ns,
                p,
                hyst,
            };
            step_lines(st, lines, &seen, &mut self.counts, &mut events);
            step_zones(st, zones, &seen, &mut events);
            for (k, z) in zones.iter().enumerate() {
                if st.inside[k].is_some() {
                    *occupancy.entry((z.name.clone(), o.class_id)).or_default() += 1;
                    o.zones.push(z.name.clone());
                }
            }
        }
        self.px = Some(scaled);
        let stale: Vec<u64> = self
            .tracks
            .iter()
            .filter(|(_, s)| frame.saturating_sub(s.last_frame) > self.forget_frames)
            .map(|(id, _)| *id)
            .collect();
        for id in stale {
            events.extend(self.end_track(id));
        }
        (events, occupancy)
    }

    /// A track ended: exit events for the zones it is inside, state freed.
    /// The dwell runs to the last frame the track was seen on (inclusive)
    /// and, in ns, to that frame's time.
    pub fn end_track(&mut self, id: u64) -> Vec<ZoneEvent> {
        let Some(st) = self.tracks.remove(&id) else {
            return Vec::new();
        };
        let zones = &self.cfg.zones;
        st.inside
            .iter()
            .enumerate()
            .filter_map(|(k, e)| {
                e.map(|(f0, t0)| ZoneEvent::Exit {
                    zone: zones[k].name.clone(),
                    track_id: id,
                    class_id: st.class_id,
                    dwell_frames: (st.last_frame + 1).saturating_sub(f0),
                    dwell_ns: st.last_time.zip(t0).map(|(t, t0)| t.saturating_sub(t0)),
                })
            })
            .collect()
    }

    /// Ends every track (a new stream): their exit events.
    pub fn reset(&mut self) -> Vec<ZoneEvent> {
        let mut ids: Vec<u64> = self.tracks.keys().copied().collect();
        ids.sort_unstable();
        let events = ids.into_iter().flat_map(|id| self.end_track(id)).collect();
        self.last_frame = None;
        events
    }

    /// Whether the config needs the frame size (normalized coordinates).
    pub fn needs_frame_size(&self) -> bool {
        self.cfg.normalized
    }

    /// Tracks held (for tests and memory checks).
    pub fn tracks_held(&self) -> usize {
        self.tracks.len()
    }
}

#[cfg(test)]
mod tests;
