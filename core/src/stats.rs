// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Per-element statistics over intervals of running time (what DL
//! Streamer's `gvafpscounter` and DeepStream's perf measurement report):
//! frames and frames/s, the element's processing time per frame, the
//! end-to-end latency, frames missing upstream, and element-specific
//! counts.
//!
//! [`IntervalStats`] takes one [`FrameSample`] per buffer and returns a
//! [`Snapshot`] each time an interval is over. Which interval a frame
//! belongs to is decided by its running time only (never a wall clock), so
//! the same stream gives the same intervals however fast it is processed.
//!
//! * The first interval starts at the running time of the first frame that
//!   has one; interval `k` is `[start + k·I, start + (k+1)·I)`.
//! * A frame at or past the end of the current interval closes it: the
//!   snapshot of the closed interval is returned, and the frame counts in
//!   the interval that holds it. Intervals in which no frame arrived are
//!   skipped (nothing is returned for them).
//! * A frame without a running time counts in the current interval (and
//!   closes none).
//! * A running time that goes back (a new segment without a flush) ends the
//!   current interval as [`IntervalStats::finish`] does, and starts a new
//!   one at that frame.
//! * [`IntervalStats::finish`] (end of stream) returns the last, usually
//!   partial, interval if it has frames; its `fps` is over the running time
//!   it covers, up to the end of its last frame (running time + duration).
//! * Dropped frames come from buffer offsets: with frame-number offsets (as
//!   videotestsrc, v4l2src and many applications' appsrc set them) a frame
//!   whose offset is past the one expected (the previous frame's offset end,
//!   else its offset + 1) means `offset − expected` frames never arrived.
//!   An offset that goes back resynchronises without counting. Without
//!   offsets, `dropped` is `None` (unknown, not zero).

use serde::Serialize;

const NS_PER_US: f64 = 1e3;
const NS_PER_MS: f64 = 1e6;
const NS_PER_S: f64 = 1e9;

/// What an element measured for one frame.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FrameSample {
    /// Running time of the frame (ns), if it has a timestamp.
    pub running_time_ns: Option<u64>,
    /// Duration of the frame (ns), if known.
    pub duration_ns: Option<u64>,
    /// Buffer offset (a frame number), if upstream sets one.
    pub offset: Option<u64>,
    /// Buffer offset end, if upstream sets one.
    pub offset_end: Option<u64>,
    /// Wall time the element spent on the frame (ns).
    pub process_ns: u64,
    /// Pipeline clock now − (base time + running time), in ns, when the
    /// element has a clock. Negative: processed before its clock time (a
    /// non-live pipeline running faster than real time).
    pub latency_ns: Option<i64>,
    /// rsdetect: detections on this frame (summed over the interval).
    pub objects: Option<u64>,
    /// rsbytetrack: tracks output on this frame (the interval's last
    /// frame's value is reported).
    pub active_tracks: Option<u64>,
}

/// The statistics of one interval. Field names are those of the bus
/// message and of `/stats.json`; `None` fields are left out of both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// Frames in the interval.
    pub frames: u64,
    /// `frames` / the interval's running time (s).
    pub fps: f64,
    /// Running time the interval covers (ms): the configured interval,
    /// except for the last one at the end of the stream.
    pub interval_ms: f64,
    /// Mean of the element's processing time per frame (µs).
    pub process_us_mean: f64,
    /// Largest processing time of a frame (µs).
    pub process_us_max: f64,
    /// Mean end-to-end latency (ms) of the frames that had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms_mean: Option<f64>,
    /// Largest end-to-end latency (ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms_max: Option<f64>,
    /// Frames missing upstream (offset gaps); None without offsets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dropped: Option<u64>,
    /// Sum of [`FrameSample::objects`] over the interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objects: Option<u64>,
    /// [`FrameSample::active_tracks`] of the interval's last frame that had
    /// one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_tracks: Option<u64>,
}

/// Sums of the current interval.
#[derive(Debug, Clone, Default)]
struct Acc {
    frames: u64,
    process_sum_ns: u128,
    process_max_ns: u64,
    latency_n: u64,
    latency_sum_ns: i128,
    latency_max_ns: i64,
    dropped: Option<u64>,
    objects: Option<u64>,
    active_tracks: Option<u64>,
}

impl Acc {
    fn add(&mut self, s: &FrameSample, dropped: Option<u64>) {
        self.frames += 1;
        self.process_sum_ns += s.process_ns as u128;
        self.process_max_ns = self.process_max_ns.max(s.process_ns);
        if let Some(l) = s.latency_ns {
            self.latency_max_ns = if self.latency_n == 0 {
                l
            } else {
                self.latency_max_ns.max(l)
            };
            self.latency_n += 1;
            self.latency_sum_ns += l as i128;
        }
        if let Some(d) = dropped {
            self.dropped = Some(self.dropped.unwrap_or(0).saturating_add(d));
        }
        if let Some(o) = s.objects {
            self.objects = Some(self.objects.unwrap_or(0).saturating_add(o));
        }
        if s.active_tracks.is_some() {
            self.active_tracks = s.active_tracks;
        }
    }

    fn snapshot(&self, duration_ns: u64) -> Snapshot {
        let n = self.frames.max(1) as f64;
        let latency = (self.latency_n > 0).then(|| {
            (
                self.latency_sum_ns as f64 / self.latency_n as f64 / NS_PER_MS,
                self.latency_max_ns as f64 / NS_PER_MS,
            )
        });
        Snapshot {
            frames: self.frames,
            fps: if duration_ns > 0 {
                self.frames as f64 * NS_PER_S / duration_ns as f64
            } else {
                0.0
            },
            interval_ms: duration_ns as f64 / NS_PER_MS,
            process_us_mean: self.process_sum_ns as f64 / n / NS_PER_US,
            process_us_max: self.process_max_ns as f64 / NS_PER_US,
            latency_ms_mean: latency.map(|l| l.0),
            latency_ms_max: latency.map(|l| l.1),
            dropped: self.dropped,
            objects: self.objects,
            active_tracks: self.active_tracks,
        }
    }
}

/// Accumulates frames into intervals of running time (see the module
/// documentation for the rules).
#[derive(Debug, Clone)]
pub struct IntervalStats {
    interval_ns: u64,
    /// Start of the current interval; None before the first running time.
    start_ns: Option<u64>,
    /// Largest running time + duration seen in the current interval.
    end_ns: Option<u64>,
    /// The offset the next frame should have.
    next_offset: Option<u64>,
    acc: Acc,
}

impl IntervalStats {
    /// Intervals of `interval_ns` ns of running time (at least 1 ns).
    pub fn new(interval_ns: u64) -> Self {
        Self {
            interval_ns: interval_ns.max(1),
            start_ns: None,
            end_ns: None,
            next_offset: None,
            acc: Acc::default(),
        }
    }

    /// The interval length (ns).
    pub fn interval_ns(&self) -> u64 {
        self.interval_ns
    }

    /// Forgets the current interval and the expected offset (a flush).
    pub fn reset(&mut self) {
        *self = Self::new(self.interval_ns);
    }

    /// Adds a frame; returns the snapshot of the interval it closed, if
    /// any.
    pub fn push(&mut self, s: &FrameSample) -> Option<Snapshot> {
        let mut closed = None;
        if let Some(rt) = s.running_time_ns {
            match self.start_ns {
                None => self.start_ns = Some(rt),
                Some(start) if rt < start => {
                    closed = self.finish();
                    self.start_ns = Some(rt);
                }
                Some(start) if rt - start >= self.interval_ns => {
                    closed = (self.acc.frames > 0).then(|| self.acc.snapshot(self.interval_ns));
                    let k = (rt - start) / self.interval_ns;
                    self.start_ns = Some(start + k * self.interval_ns);
                    self.end_ns = None;
                    self.acc = Acc::default();
                }
                Some(_) => {}
            }
            let end = rt.saturating_add(s.duration_ns.unwrap_or(0));
            self.end_ns = Some(self.end_ns.map_or(end, |e| e.max(end)));
        }
        let dropped = self.dropped(s);
        self.acc.add(s, dropped);
        closed
    }

    /// Frames missing before `s` according to its offset (None without an
    /// offset).
    fn dropped(&mut self, s: &FrameSample) -> Option<u64> {
        let offset = s.offset?;
        let missing = match self.next_offset {
            Some(expected) if offset > expected => offset - expected,
            _ => 0,
        };
        self.next_offset = Some(match s.offset_end {
            Some(end) if end > offset => end,
            _ => offset.saturating_add(1),
        });
        Some(missing)
    }

    /// Ends the current interval (end of stream): its snapshot if it has
    /// frames, over the running time from its start to the end of its last
    /// frame (at most the interval; the whole interval when that is
    /// unknown or zero). The offsets stay: a later frame continues them.
    pub fn finish(&mut self) -> Option<Snapshot> {
        let acc = std::mem::take(&mut self.acc);
        let start = self.start_ns.take();
        let end = self.end_ns.take();
        if acc.frames == 0 {
            return None;
        }
        let covered = match (start, end) {
            (Some(s), Some(e)) if e > s => (e - s).min(self.interval_ns),
            _ => self.interval_ns,
        };
        Some(acc.snapshot(covered))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    /// Frame `i` of a 30 fps stream as videotestsrc timestamps it.
    fn frame30(i: u64) -> FrameSample {
        let pts = i * 1_000_000_000 / 30;
        let next = (i + 1) * 1_000_000_000 / 30;
        FrameSample {
            running_time_ns: Some(pts),
            duration_ns: Some(next - pts),
            offset: Some(i),
            offset_end: Some(i + 1),
            process_ns: 1000 * (i % 10 + 1),
            latency_ns: None,
            objects: None,
            active_tracks: None,
        }
    }

    #[test]
    fn three_full_intervals_at_30_fps() {
        let mut st = IntervalStats::new(1000 * MS);
        let mut snaps = Vec::new();
        for i in 0..90 {
            let mut s = frame30(i);
            s.active_tracks = Some(2);
            s.objects = Some(3);
            snaps.extend(st.push(&s));
        }
        // Frames 30 and 60 start at exactly 1 s and 2 s: they close the
        // first two intervals.
        assert_eq!(snaps.len(), 2);
        snaps.extend(st.finish());
        assert_eq!(snaps.len(), 3);
        for s in &snaps {
            assert_eq!(s.frames, 30);
            assert_eq!(s.fps, 30.0);
            assert_eq!(s.interval_ms, 1000.0);
            // 1..=10 µs, three times: mean 5.5, max 10.
            assert_eq!(s.process_us_mean, 5.5);
            assert_eq!(s.process_us_max, 10.0);
            assert_eq!(s.latency_ms_mean, None);
            assert_eq!(s.dropped, Some(0));
            assert_eq!(s.objects, Some(90));
            assert_eq!(s.active_tracks, Some(2));
        }
        assert_eq!(st.finish(), None);
    }

    #[test]
    fn final_partial_interval_over_the_time_it_covers() {
        let mut st = IntervalStats::new(1000 * MS);
        let n: Vec<Snapshot> = (0..45).filter_map(|i| st.push(&frame30(i))).collect();
        assert_eq!(n.len(), 1);
        let last = st.finish().unwrap();
        assert_eq!(last.frames, 15);
        // Frames 30..44 cover 1 s .. 1.5 s.
        assert_eq!(last.interval_ms, 500.0);
        assert_eq!(last.fps, 30.0);
    }

    #[test]
    fn intervals_start_at_the_first_running_time_and_skip_empty_ones() {
        let mut st = IntervalStats::new(100 * MS);
        let at = |rt_ms: u64| FrameSample {
            running_time_ns: Some(rt_ms * MS),
            process_ns: 2000,
            ..Default::default()
        };
        assert_eq!(st.push(&at(50)), None); // interval [50, 150)
        assert_eq!(st.push(&at(149)), None);
        // 420 ms is in [350, 450): closes [50, 150), skips two empty ones.
        let s = st.push(&at(420)).unwrap();
        assert_eq!(s.frames, 2);
        assert_eq!(s.fps, 20.0);
        assert_eq!(s.dropped, None);
        assert_eq!(st.push(&at(449)), None);
        let s = st.push(&at(450)).unwrap();
        assert_eq!(s.frames, 2);
        assert_eq!(s.process_us_mean, 2.0);
        // The last one: no duration, so it covers [450, 450]: a whole
        // interval is used.
        let s = st.finish().unwrap();
        assert_eq!((s.frames, s.interval_ms, s.fps), (1, 100.0, 10.0));
    }

    #[test]
    fn frames_without_running_time_count_in_the_current_interval() {
        let mut st = IntervalStats::new(100 * MS);
        let none = FrameSample::default();
        assert_eq!(st.push(&none), None);
        assert_eq!(
            st.push(&FrameSample {
                running_time_ns: Some(0),
                ..Default::default()
            }),
            None
        );
        assert_eq!(st.push(&none), None);
        let s = st
            .push(&FrameSample {
                running_time_ns: Some(100 * MS),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(s.frames, 3);
        assert_eq!(s.fps, 30.0);
    }

    #[test]
    fn offset_gaps_are_dropped_frames() {
        let mut st = IntervalStats::new(1000 * MS);
        for o in [0, 1, 2, 5, 6] {
            let s = FrameSample {
                running_time_ns: Some(o * 40 * MS),
                offset: Some(o),
                ..Default::default()
            };
            assert_eq!(st.push(&s), None);
        }
        let s = st.finish().unwrap();
        assert_eq!(s.frames, 5);
        assert_eq!(s.dropped, Some(2));
        // Back to 0 (a seek without offsets continuing): no drop counted.
        for o in [0, 1, 3] {
            let s = FrameSample {
                running_time_ns: Some(o * 40 * MS),
                offset: Some(o),
                offset_end: Some(o + 1),
                ..Default::default()
            };
            assert_eq!(st.push(&s), None);
        }
        assert_eq!(st.finish().unwrap().dropped, Some(1));
    }

    #[test]
    fn offset_end_gives_the_next_expected_offset() {
        let mut st = IntervalStats::new(1000 * MS);
        // Two frames per buffer (offset_end = offset + 2): 0-2, 2-4, 6-8.
        for (o, e) in [(0, 2), (2, 4), (6, 8)] {
            st.push(&FrameSample {
                offset: Some(o),
                offset_end: Some(e),
                ..Default::default()
            });
        }
        assert_eq!(st.finish().unwrap().dropped, Some(2));
    }

    #[test]
    fn latency_mean_and_max_in_ms() {
        let mut st = IntervalStats::new(1000 * MS);
        for (i, l) in [Some(-2 * MS as i64), None, Some(5 * MS as i64), Some(0)]
            .into_iter()
            .enumerate()
        {
            st.push(&FrameSample {
                running_time_ns: Some(i as u64 * 10 * MS),
                latency_ns: l,
                ..Default::default()
            });
        }
        let s = st.finish().unwrap();
        assert_eq!(s.frames, 4);
        assert_eq!(s.latency_ms_mean, Some(1.0));
        assert_eq!(s.latency_ms_max, Some(5.0));
        // Only negative latencies: the max is the largest of them.
        st.push(&FrameSample {
            running_time_ns: Some(0),
            latency_ns: Some(-3 * MS as i64),
            ..Default::default()
        });
        assert_eq!(st.finish().unwrap().latency_ms_max, Some(-3.0));
    }

    #[test]
    fn running_time_going_back_ends_the_interval() {
        let mut st = IntervalStats::new(1000 * MS);
        for i in 30..40 {
            assert_eq!(st.push(&frame30(i)), None);
        }
        let mut back = frame30(0);
        back.offset = None;
        let s = st.push(&back).unwrap();
        assert_eq!(s.frames, 10);
        assert_eq!(s.interval_ms, 333.333333);
        let s = st.finish().unwrap();
        assert_eq!(s.frames, 1);
    }

    #[test]
    fn reset_forgets_the_interval_and_offsets() {
        let mut st = IntervalStats::new(1000 * MS);
        st.push(&frame30(0));
        st.reset();
        assert_eq!(st.finish(), None);
        st.push(&frame30(5));
        assert_eq!(st.finish().unwrap().dropped, Some(0));
        assert_eq!(st.interval_ns(), 1000 * MS);
    }

    #[test]
    fn snapshot_json_leaves_out_unknown_fields() {
        let mut st = IntervalStats::new(1000 * MS);
        st.push(&FrameSample {
            running_time_ns: Some(0),
            duration_ns: Some(500 * MS),
            process_ns: 1500,
            ..Default::default()
        });
        let v = serde_json::to_value(st.finish().unwrap()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "frames": 1, "fps": 2.0, "interval_ms": 500.0,
                "process_us_mean": 1.5, "process_us_max": 1.5
            })
        );
    }
}
