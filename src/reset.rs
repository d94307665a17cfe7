// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

//! The `reset` policy of the elements that keep per-stream state
//! (rsbytetrack's tracks, rsposesmooth's filters, rsmtmcagg's per-camera
//! tracklets), in the spirit of DeepStream's `tracking-id-reset-mode`.

use gst::glib;
use gst::prelude::*;

/// What resets an element's per-stream state. A stream-start counts only
/// when its stream-id differs from the previous one: a source that
/// reconnects to the same stream (rscamerasrc, fallbacksrc) sends the same
/// id again and keeps its state under every policy. After EOS nothing flows
/// until a flush or a stream-start, so EOS needs no policy of its own.
#[derive(Debug, Eq, PartialEq, Ord, PartialOrd, Hash, Clone, Copy, glib::Enum, Default)]
#[repr(u32)]
#[enum_type(name = "GstRsTrackingReset")]
pub enum ResetPolicy {
    #[default]
    #[enum_value(
        name = "A flush or a new stream-start",
        nick = "flush-and-stream-start"
    )]
    FlushAndStreamStart = 0,
    #[enum_value(
        name = "A flush only (a source that starts a new stream keeps the state)",
        nick = "flush"
    )]
    Flush = 1,
    #[enum_value(name = "A new stream-start only", nick = "stream-start")]
    StreamStart = 2,
    #[enum_value(
        name = "Never (state ages out by its own timeouts only)",
        nick = "never"
    )]
    Never = 3,
}

pub fn register() {
    ResetPolicy::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
}

/// Follows the stream-ids of one stream (one per sink pad).
#[derive(Debug, Default)]
pub struct StreamIds {
    last: Option<String>,
}

impl StreamIds {
    /// Whether `event` resets the stream's state under `policy`, and why:
    /// a flush-stop, or a stream-start with another stream-id than the
    /// previous one (the first stream-start is no change: nothing to drop).
    pub fn check(&mut self, policy: ResetPolicy, event: &gst::Event) -> Option<&'static str> {
        let (flush, new_stream) = match event.view() {
            gst::EventView::FlushStop(_) => (true, false),
            gst::EventView::StreamStart(s) => {
                let id = s.stream_id();
                let new = self.last.as_deref().is_some_and(|old| old != id);
                self.last = Some(id.to_string());
                (false, new)
            }
            _ => return None,
        };
        use ResetPolicy::*;
        let reset = match policy {
            FlushAndStreamStart => flush || new_stream,
            Flush => flush,
            StreamStart => new_stream,
            Never => false,
        };
        reset.then_some(if flush { "flush" } else { "new stream-start" })
    }
}
