// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The times a sink writes with a frame (rsjsonsink, rsmsgsink): running
//! time, and where known the frame's wall-clock (UTC) time and its source.

use gst::prelude::*;
use gst_base::prelude::*;

/// Times of one frame at a sink.
#[derive(Debug, Clone, Copy, Default)]
pub struct SinkTimes {
    pub running_time_ns: Option<u64>,
    pub utc_ns: Option<u64>,
    /// `ntp` or `clock`, with `utc_ns`.
    pub utc_source: Option<&'static str>,
}

/// Whether the sink's upstream is live (latency query; no lock held).
pub fn upstream_live(sink: &impl IsA<gst_base::BaseSink>) -> bool {
    let mut q = gst::query::Latency::new();
    sink.as_ref()
        .static_pad("sink")
        .is_some_and(|p| p.peer_query(&mut q))
        && q.result().0
}

/// Running time of `buffer` and, where known, its UTC time: the NTP time of
/// a `timestamp/x-ntp` reference timestamp meta (e.g. rtspsrc
/// add-reference-timestamp-meta=true), else (live pipelines) the pipeline
/// clock at its running time mapped to the system's wall clock. `offset`
/// (wall clock minus pipeline clock, ns) is fixed at the first frame that
/// needs it, so the spacing of the running times is kept exactly.
pub fn frame_times(
    sink: &impl IsA<gst_base::BaseSink>,
    buffer: &gst::BufferRef,
    live: bool,
    offset: &mut Option<i128>,
) -> SinkTimes {
    let sink = sink.as_ref();
    let running_time = crate::running_time(&sink.segment(), buffer);
    let running_time_ns = running_time.map(|t| t.nseconds());
    let ntp = buffer
        .iter_meta::<gst::ReferenceTimestampMeta>()
        .find(|m| {
            m.reference()
                .structure(0)
                .is_some_and(|s| s.name() == "timestamp/x-ntp")
        })
        .map(|m| m.timestamp().nseconds());
    if let Some(ntp) = ntp {
        // NTP counts from 1900, UTC from 1970.
        const NTP_TO_UNIX_NS: u64 = 2_208_988_800 * 1_000_000_000;
        let utc = ntp.checked_sub(NTP_TO_UNIX_NS);
        return SinkTimes {
            running_time_ns,
            utc_ns: utc,
            utc_source: utc.map(|_| "ntp"),
        };
    }
    let utc = match (live, running_time, sink.clock(), sink.base_time()) {
        (true, Some(rt), Some(clock), Some(base)) => {
            let off = *offset.get_or_insert_with(|| {
                let wall = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as i128)
                    .unwrap_or(0);
                wall - clock.time().nseconds() as i128
            });
            let at = (base.nseconds() as i128) + (rt.nseconds() as i128);
            u64::try_from(off + at).ok()
        }
        _ => None,
    };
    SinkTimes {
        running_time_ns,
        utc_ns: utc,
        utc_source: utc.map(|_| "clock"),
    }
}
