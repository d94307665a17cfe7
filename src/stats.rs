// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Per-element statistics (`stats-interval` on rsdetect, rsbytetrack,
//! rsreid and rsoverlay): the GStreamer side of
//! [`rstracking_core::stats`].
//!
//! Each element holds a [`StatsProbe`] and calls [`StatsProbe::begin`] and
//! [`StatsProbe::end`] around its `transform_ip`, [`StatsProbe::sink_event`]
//! for every sink event and [`StatsProbe::stop`] when it stops. Every
//! interval of running time the probe posts an element message named
//! [`MESSAGE_NAME`] and stores the same fields in a process-wide registry
//! that rswebview serves as the `"elements"` object of `/stats.json`
//! ([`snapshots`]).
//!
//! Per frame: the running time is the buffer's PTS in the element's
//! segment; the processing time is the wall time from `begin` to `end`;
//! the latency is pipeline clock time now − (base time + running time),
//! measured only in PLAYING; dropped frames are gaps in the buffer offsets
//! (see the core module). The last, partial interval is posted at EOS; a
//! flush discards the current interval.
//!
//! Lock order: a probe's own mutex, then the registry; neither is held
//! while a message is posted.

use crate::meta::TrackingMeta;
use gst::glib;
use gst::prelude::*;
use gst_base::prelude::*;
use rstracking_core::stats::{FrameSample, IntervalStats, Snapshot};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Instant;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rstracking-stats",
        gst::DebugColorFlags::empty(),
        Some("Per-element statistics"),
    )
});

/// The name of the property.
pub const PROPERTY: &str = "stats-interval";
/// The largest `stats-interval` (ms): one hour.
pub const MAX_INTERVAL_MS: u32 = 3_600_000;
/// The name of the element message (and of its structure).
pub const MESSAGE_NAME: &str = "rstracking-stats";

/// The `stats-interval` property.
pub fn param_spec() -> glib::ParamSpec {
    glib::ParamSpecUInt::builder(PROPERTY)
        .nick("Statistics interval")
        .blurb("Every this many ms of running time, post an 'rstracking-stats' element message (frames, fps, processing time, latency, dropped frames) and update rswebview's /stats.json; 0 = off")
        .minimum(0)
        .maximum(MAX_INTERVAL_MS)
        .default_value(0)
        .mutable_playing()
        .build()
}

/// The latest snapshot per element name: (owner probe, fields).
type Registry = BTreeMap<String, (u64, serde_json::Map<String, serde_json::Value>)>;

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(|| Mutex::new(BTreeMap::new()));

/// The latest snapshot of every element of this process that has
/// `stats-interval` set and has completed an interval, keyed by element
/// name (an element's entry goes when it stops). The fields are those of
/// the bus message.
pub fn snapshots() -> serde_json::Map<String, serde_json::Value> {
    lock(&REGISTRY)
        .iter()
        .map(|(name, (_, fields))| (name.clone(), serde_json::Value::Object(fields.clone())))
        .collect()
}

fn unregister(owner: u64) {
    lock(&REGISTRY).retain(|_, (o, _)| *o != owner);
}

/// Locks, also after a panic elsewhere (statistics never take a streaming
/// thread down).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Detections in the buffer's tracking meta (rsdetect's `objects`).
pub fn objects(buf: &gst::BufferRef) -> u64 {
    buf.meta::<TrackingMeta>()
        .map_or(0, |m| m.objects().len() as u64)
}

/// Objects with a track id in the buffer's tracking meta (rsbytetrack's
/// `active_tracks`).
pub fn tracks(buf: &gst::BufferRef) -> u64 {
    buf.meta::<TrackingMeta>().map_or(0, |m| {
        m.objects().iter().filter(|o| o.track_id.is_some()).count() as u64
    })
}

/// When [`StatsProbe::begin`] was called (statistics on).
pub struct Started(Instant);

/// The current interval and the last stream name seen.
#[derive(Default)]
struct Inner {
    stats: Option<IntervalStats>,
    stream: Option<String>,
}

/// The statistics of one element: its `stats-interval` and the current
/// interval.
pub struct StatsProbe {
    /// Owner id of this probe's registry entry.
    id: u64,
    interval_ms: AtomicU32,
    inner: Mutex<Inner>,
}

impl Default for StatsProbe {
    fn default() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            interval_ms: AtomicU32::new(0),
            inner: Mutex::new(Inner::default()),
        }
    }
}

impl StatsProbe {
    /// `stats-interval` (ms; 0 = off).
    pub fn interval_ms(&self) -> u32 {
        self.interval_ms.load(Ordering::Relaxed)
    }

    /// Sets `stats-interval`: the current interval is discarded (the next
    /// one starts at the next frame); 0 also removes the element's
    /// snapshot from the registry.
    pub fn set_interval_ms(&self, ms: u32) {
        let old = self.interval_ms.swap(ms, Ordering::Relaxed);
        if old != ms {
            lock(&self.inner).stats = None;
            if ms == 0 {
                unregister(self.id);
            }
        }
    }

    /// Call before the element's work on a frame; None when statistics are
    /// off.
    pub fn begin(&self) -> Option<Started> {
        (self.interval_ms() > 0).then(|| Started(Instant::now()))
    }

    /// Call after the element's work on `buf` with what `begin` returned;
    /// `extra` fills the element's own counts into the sample. Posts the
    /// interval's message when `buf` closed one.
    pub fn end(
        &self,
        element: &gst_base::BaseTransform,
        started: Option<Started>,
        buf: &gst::BufferRef,
        extra: impl FnOnce(&gst::BufferRef, &mut FrameSample),
    ) {
        let Some(Started(t0)) = started else {
            return;
        };
        let process_ns = u64::try_from(t0.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let interval_ms = self.interval_ms();
        if interval_ms == 0 {
            return;
        }
        let running_time = crate::running_time(&element.segment(), buf);
        let mut sample = FrameSample {
            running_time_ns: running_time.map(|t| t.nseconds()),
            duration_ns: buf.duration().map(|d| d.nseconds()),
            offset: Some(buf.offset()).filter(|&o| o != gst::format::Buffers::OFFSET_NONE),
            offset_end: Some(buf.offset_end()).filter(|&o| o != gst::format::Buffers::OFFSET_NONE),
            process_ns,
            latency_ns: running_time.and_then(|rt| latency_ns(element.upcast_ref(), rt)),
            objects: None,
            active_tracks: None,
        };
        extra(buf, &mut sample);
        let stream = buf
            .meta::<TrackingMeta>()
            .and_then(|m| m.frame().stream.clone());
        let interval_ns = interval_ms as u64 * 1_000_000;
        let closed = {
            let mut inner = lock(&self.inner);
            if stream.is_some() {
                inner.stream = stream;
            }
            let stats = match &mut inner.stats {
                Some(s) if s.interval_ns() == interval_ns => s,
                other => other.insert(IntervalStats::new(interval_ns)),
            };
            stats.push(&sample).map(|snap| (snap, inner.stream.clone()))
        };
        if let Some((snap, stream)) = closed {
            self.publish(element.upcast_ref(), stream, snap);
        }
    }

    /// Call for every sink event: EOS posts the last (partial) interval, a
    /// flush discards the current one.
    pub fn sink_event(&self, element: &gst_base::BaseTransform, event: &gst::Event) {
        match event.view() {
            gst::EventView::Eos(_) => {
                let last = {
                    let mut inner = lock(&self.inner);
                    let stream = inner.stream.clone();
                    inner
                        .stats
                        .as_mut()
                        .and_then(IntervalStats::finish)
                        .map(|snap| (snap, stream))
                };
                if let Some((snap, stream)) = last {
                    self.publish(element.upcast_ref(), stream, snap);
                }
            }
            gst::EventView::FlushStop(_) => {
                if let Some(s) = lock(&self.inner).stats.as_mut() {
                    s.reset();
                }
            }
            _ => {}
        }
    }

    /// Call when the element stops: forgets the interval and removes the
    /// element's snapshot from the registry.
    pub fn stop(&self) {
        *lock(&self.inner) = Inner::default();
        unregister(self.id);
    }

    /// Stores the snapshot in the registry, then posts it (no lock held).
    fn publish(&self, element: &gst::Element, stream: Option<String>, snap: Snapshot) {
        let name = element.name().to_string();
        let mut fields = serde_json::Map::new();
        fields.insert("element".into(), name.clone().into());
        if let Some(s) = &stream {
            fields.insert("stream".into(), s.clone().into());
        }
        if let Ok(serde_json::Value::Object(m)) = serde_json::to_value(&snap) {
            fields.extend(m);
        }
        gst::debug!(
            CAT,
            obj = element,
            "{}",
            serde_json::Value::Object(fields.clone())
        );
        let mut s = gst::Structure::new_empty(MESSAGE_NAME);
        for (k, v) in &fields {
            match v {
                serde_json::Value::String(t) => s.set(k.as_str(), t.as_str()),
                serde_json::Value::Number(n) => match (n.as_u64(), n.as_f64()) {
                    (Some(u), _) if !n.is_f64() => s.set(k.as_str(), u),
                    (_, Some(f)) => s.set(k.as_str(), f),
                    _ => {}
                },
                _ => {}
            }
        }
        {
            let mut reg = lock(&REGISTRY);
            reg.retain(|_, (o, _)| *o != self.id);
            reg.insert(name, (self.id, fields));
        }
        let _ = element.post_message(gst::message::Element::builder(s).src(element).build());
    }
}

/// Pipeline clock time now − (base time + running time), in ns, while the
/// element is PLAYING with a clock.
fn latency_ns(element: &gst::Element, running_time: gst::ClockTime) -> Option<i64> {
    if element.current_state() != gst::State::Playing {
        return None;
    }
    let now = element.clock()?.time();
    let base = element.base_time()?;
    let l = now.nseconds() as i128 - base.nseconds() as i128 - running_time.nseconds() as i128;
    Some(l.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
}
