// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Per-track summaries (first/last frame, count, mean confidence, evenly
//! sampled boxes) in bounded memory per track.

use crate::types::BBox;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
struct Track {
    first: u64,
    last: u64,
    count: u64,
    conf_sum: f64,
    /// (frame, box) of the observations k (0-based per track) with
    /// k % stride == 0, in order.
    kept: Vec<(u64, BBox)>,
    stride: u64,
    first_pts: Option<u64>,
    last_pts: Option<u64>,
}

/// Collects summaries of all tracks seen. Memory per track is bounded by
/// `2 * limit + 1` boxes whatever the track length.
#[derive(Debug, Clone)]
pub struct TrackSummaries {
    limit: usize,
    /// Tracks with fewer observations get no summary line (their
    /// `track_end` line is still made).
    min_frames: u64,
    tracks: BTreeMap<u64, Track>,
}

#[derive(Serialize)]
struct Sample {
    frame: u64,
    bbox: [f32; 4],
}

#[derive(Serialize)]
struct Body {
    track_id: u64,
    first_frame: u64,
    last_frame: u64,
    frames: u64,
    mean_confidence: f64,
    samples: Vec<Sample>,
}

#[derive(Serialize)]
struct Line<'a> {
    schema: &'a str,
    #[serde(flatten)]
    body: &'a Body,
}

#[derive(Serialize)]
struct EndLine<'a> {
    schema: &'a str,
    event: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream: Option<&'a str>,
    frame: u64,
    #[serde(flatten)]
    body: &'a Body,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_pts_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_pts_ns: Option<u64>,
}

impl TrackSummaries {
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            min_frames: 0,
            tracks: BTreeMap::new(),
        }
    }

    /// Tracks observed on fewer than `n` frames get no summary line
    /// ([`TrackSummaries::take_end`], [`TrackSummaries::lines`]).
    pub fn with_min_frames(mut self, n: u64) -> Self {
        self.min_frames = n;
        self
    }

    /// Forgets every track (settings kept).
    pub fn clear(&mut self) {
        self.tracks.clear();
    }

    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }

    /// Records one observation of track `id` on frame `frame`.
    pub fn add(&mut self, id: u64, frame: u64, bbox: &BBox, confidence: f32) {
        self.add_at(id, frame, None, bbox, confidence)
    }

    /// [`TrackSummaries::add`] with the frame's PTS (ns), kept for the
    /// first and last observation (lifecycle lines carry them).
    pub fn add_at(
        &mut self,
        id: u64,
        frame: u64,
        pts_ns: Option<u64>,
        bbox: &BBox,
        confidence: f32,
    ) {
        let limit = self.limit;
        let t = self.tracks.entry(id).or_insert_with(|| Track {
            first: frame,
            last: frame,
            count: 0,
            conf_sum: 0.0,
            kept: Vec::new(),
            stride: 1,
            first_pts: pts_ns,
            last_pts: pts_ns,
        });
        let k = t.count;
        t.last = frame;
        t.last_pts = pts_ns;
        t.count += 1;
        t.conf_sum += confidence as f64;
        if limit == 0 {
            return;
        }
        if k.is_multiple_of(t.stride) {
            t.kept.push((frame, *bbox));
            if t.kept.len() > 2 * limit {
                // Double the stride: keep every other kept observation.
                t.stride *= 2;
                let mut i = 0;
                t.kept.retain(|_| {
                    let keep = i % 2 == 0;
                    i += 1;
                    keep
                });
            }
        }
    }

    /// Whether track `id` has been seen (and not taken).
    pub fn contains(&self, id: u64) -> bool {
        self.tracks.contains_key(&id)
    }

    /// Removes track `id` and returns its summary line (as
    /// [`TrackSummaries::lines`] writes it; None for a track shorter than
    /// the minimum) and its `track_end` event line
    /// (the summary's fields plus `event`, `stream`, `frame` = the frame it
    /// precedes, and `first_pts_ns`/`last_pts_ns` where known).
    pub fn take_end(
        &mut self,
        id: u64,
        stream: Option<&str>,
        frame: u64,
    ) -> Option<(Option<String>, String)> {
        let t = self.tracks.remove(&id)?;
        let body = self.body(id, &t);
        let summary = (t.count >= self.min_frames).then(|| {
            serde_json::to_string(&Line {
                schema: crate::io::schema::SCHEMA,
                body: &body,
            })
            .expect("summary serialises")
        });
        let end = serde_json::to_string(&EndLine {
            schema: crate::io::schema::SCHEMA,
            event: "track_end",
            stream,
            frame,
            body: &body,
            first_pts_ns: t.first_pts,
            last_pts_ns: t.last_pts,
        })
        .expect("track_end serialises");
        Some((summary, end))
    }

    /// Folds track `from` into track `into` (a stitch or merge: one
    /// identity): counts and confidences add up, first/last span both,
    /// sampled boxes are merged in frame order within the same bound.
    pub fn merge(&mut self, from: u64, into: u64) {
        let Some(f) = self.tracks.remove(&from) else {
            return;
        };
        let Some(t) = self.tracks.get_mut(&into) else {
            self.tracks.insert(into, f);
            return;
        };
        if f.first < t.first {
            t.first = f.first;
            t.first_pts = f.first_pts;
        }
        if f.last > t.last {
            t.last = f.last;
            t.last_pts = f.last_pts;
        }
        t.count += f.count;
        t.conf_sum += f.conf_sum;
        t.kept.extend(f.kept);
        t.kept.sort_by_key(|(frame, _)| *frame);
        t.stride = t.stride.max(f.stride);
        while self.limit > 0 && t.kept.len() > 2 * self.limit {
            t.stride *= 2;
            let mut i = 0;
            t.kept.retain(|_| {
                let keep = i % 2 == 0;
                i += 1;
                keep
            });
        }
    }

    /// One JSON line per track (of at least the minimum length), ordered
    /// by id.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        let min = self.min_frames;
        self.tracks
            .iter()
            .filter(move |(_, t)| t.count >= min)
            .map(move |(&id, t)| {
                serde_json::to_string(&Line {
                    schema: crate::io::schema::SCHEMA,
                    body: &self.body(id, t),
                })
                .expect("summary serialises")
            })
    }

    fn body(&self, id: u64, t: &Track) -> Body {
        {
            let n = t.kept.len();
            let picks: Vec<usize> = if n <= self.limit {
                (0..n).collect()
            } else if self.limit == 1 {
                vec![0]
            } else {
                (0..self.limit)
                    .map(|i| ((i * (n - 1)) as f64 / (self.limit - 1) as f64).round() as usize)
                    .collect()
            };
            let samples = picks
                .into_iter()
                .map(|i| {
                    let (frame, b) = t.kept[i];
                    Sample {
                        frame,
                        bbox: [b.x, b.y, b.w, b.h],
                    }
                })
                .collect();
            Body {
                track_id: id,
                first_frame: t.first,
                last_frame: t.last,
                frames: t.count,
                mean_confidence: t.conf_sum / t.count as f64,
                samples,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_samples_in_bounded_memory() {
        let mut s = TrackSummaries::new(3);
        for f in 0..101u64 {
            s.add(5, f + 10, &BBox::new(f as f32, 0.0, 1.0, 1.0), 0.5);
        }
        s.add(2, 0, &BBox::new(0.0, 0.0, 2.0, 2.0), 1.0);
        assert!(s.tracks[&5].kept.len() <= 7);
        let lines: Vec<String> = s.lines().collect();
        assert_eq!(
            lines[0],
            r#"{"schema":"rstracking/1","track_id":2,"first_frame":0,"last_frame":0,"frames":1,"mean_confidence":1.0,"samples":[{"frame":0,"bbox":[0.0,0.0,2.0,2.0]}]}"#
        );
        // 101 observations, stride grows to 32: kept frames 10, 42, 74, 106;
        // 3 even picks of 4 → indices 0, 2 (1.5 rounds to 2), 3.
        assert_eq!(
            lines[1],
            r#"{"schema":"rstracking/1","track_id":5,"first_frame":10,"last_frame":110,"frames":101,"mean_confidence":0.5,"samples":[{"frame":10,"bbox":[0.0,0.0,1.0,1.0]},{"frame":74,"bbox":[64.0,0.0,1.0,1.0]},{"frame":106,"bbox":[96.0,0.0,1.0,1.0]}]}"#
        );
    }

    #[test]
    fn take_end_gives_the_summary_and_the_track_end_line() {
        let mut s = TrackSummaries::new(2);
        s.add_at(7, 3, Some(100), &BBox::new(1.0, 2.0, 3.0, 4.0), 0.5);
        s.add_at(7, 4, Some(140), &BBox::new(2.0, 2.0, 3.0, 4.0), 1.0);
        let (summary, end) = s.take_end(7, Some("cam"), 9).unwrap();
        assert_eq!(
            summary.unwrap(),
            r#"{"schema":"rstracking/1","track_id":7,"first_frame":3,"last_frame":4,"frames":2,"mean_confidence":0.75,"samples":[{"frame":3,"bbox":[1.0,2.0,3.0,4.0]},{"frame":4,"bbox":[2.0,2.0,3.0,4.0]}]}"#
        );
        assert_eq!(
            end,
            r#"{"schema":"rstracking/1","event":"track_end","stream":"cam","frame":9,"track_id":7,"first_frame":3,"last_frame":4,"frames":2,"mean_confidence":0.75,"samples":[{"frame":3,"bbox":[1.0,2.0,3.0,4.0]},{"frame":4,"bbox":[2.0,2.0,3.0,4.0]}],"first_pts_ns":100,"last_pts_ns":140}"#
        );
        assert!(!s.contains(7));
        assert!(s.take_end(7, None, 10).is_none());
        // A minimum length: a 2-frame track keeps its track_end line but has
        // no summary line, neither at its end nor at EOS.
        let mut s = TrackSummaries::new(2).with_min_frames(3);
        for f in 0..2 {
            s.add(1, f, &BBox::new(0.0, 0.0, 1.0, 1.0), 1.0);
        }
        for f in 0..3 {
            s.add(2, f, &BBox::new(0.0, 0.0, 1.0, 1.0), 1.0);
        }
        assert_eq!(s.lines().count(), 1);
        let (summary, end) = s.take_end(1, None, 5).unwrap();
        assert_eq!(summary, None);
        assert!(end.contains(r#""frames":2"#));
    }

    #[test]
    fn merge_folds_one_track_into_another() {
        let mut s = TrackSummaries::new(8);
        s.add(1, 0, &BBox::new(0.0, 0.0, 1.0, 1.0), 1.0);
        s.add(2, 5, &BBox::new(5.0, 0.0, 1.0, 1.0), 0.5);
        s.add(1, 1, &BBox::new(1.0, 0.0, 1.0, 1.0), 1.0);
        s.merge(2, 1);
        let lines: Vec<String> = s.lines().collect();
        assert_eq!(
            lines,
            [
                r#"{"schema":"rstracking/1","track_id":1,"first_frame":0,"last_frame":5,"frames":3,"mean_confidence":0.8333333333333334,"samples":[{"frame":0,"bbox":[0.0,0.0,1.0,1.0]},{"frame":1,"bbox":[1.0,0.0,1.0,1.0]},{"frame":5,"bbox":[5.0,0.0,1.0,1.0]}]}"#
            ]
        );
    }
}
