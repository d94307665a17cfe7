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
}

/// Collects summaries of all tracks seen. Memory per track is bounded by
/// `2 * limit + 1` boxes whatever the track length.
#[derive(Debug, Clone)]
pub struct TrackSummaries {
    limit: usize,
    tracks: BTreeMap<u64, Track>,
}

#[derive(Serialize)]
struct Sample {
    frame: u64,
    bbox: [f32; 4],
}

#[derive(Serialize)]
struct Line<'a> {
    schema: &'a str,
    track_id: u64,
    first_frame: u64,
    last_frame: u64,
    frames: u64,
    mean_confidence: f64,
    samples: Vec<Sample>,
}

impl TrackSummaries {
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            tracks: BTreeMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }

    /// Records one observation of track `id` on frame `frame`.
    pub fn add(&mut self, id: u64, frame: u64, bbox: &BBox, confidence: f32) {
        let limit = self.limit;
        let t = self.tracks.entry(id).or_insert_with(|| Track {
            first: frame,
            last: frame,
            count: 0,
            conf_sum: 0.0,
            kept: Vec::new(),
            stride: 1,
        });
        let k = t.count;
        t.last = frame;
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

    /// One JSON line per track, ordered by id.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        self.tracks.iter().map(move |(&id, t)| {
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
            serde_json::to_string(&Line {
                schema: crate::io::schema::SCHEMA,
                track_id: id,
                first_frame: t.first,
                last_frame: t.last,
                frames: t.count,
                mean_confidence: t.conf_sum / t.count as f64,
                samples,
            })
            .expect("summary serialises")
        })
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
}
