// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rsmsgsink
 *
 * Publishes the tracking meta to an MQTT broker: one message per frame and
 * per life-cycle event (`track_start`, `track_lost`, `track_end`, `merge`),
 * each the JSON line rsjsonsink would write (schema `rstracking/1`) with a
 * per-sink sequence number `seq` after `schema`, and an `eos` message
 * (`"frames":N`) when the stream ends. Anything that reads rsjsonsink's
 * files reads the messages (`rsdetect detections=` replays a saved
 * sequence of them). Embeddings are `embedding_b64` (base64 of the
 * little-endian f32 values) by default (`embeddings`).
 *
 * Topics come from `topic`, where `{stream}` is the stream name of the
 * meta (else the element's name). With `qos=1` (default) every message is
 * kept until the broker acknowledges it: while the broker is unreachable
 * messages are buffered in memory, in order, and sent again on reconnect
 * (a message whose acknowledgement was lost is sent twice; rsmsgsrc drops
 * the second copy by `seq`). `max-buffered` bounds the messages not yet
 * handed to the connection; beyond it the oldest are dropped, counted in
 * the `dropped` property and the `rstracking-broker` messages, and a
 * warning with the count is posted when the broker is back (or at EOS).
 * Up to `max-inflight` more (sent, not yet acknowledged) are held besides.
 * At EOS the sink waits up to `drain-timeout` for every message to be
 * acknowledged before passing EOS on (a warning counts what was not).
 *
 * Every change of connection state is an element message
 * `rstracking-broker` (`address`, `state` idle/connecting/connected/
 * reconnecting/failed, `buffered`, `dropped`, `acked`, `reason`). Refused
 * credentials and TLS failures (untrusted broker certificate, bad client
 * certificate) are errors; network failures are retried every
 * `retry-interval`. Setting `username` without TLS (`ca-file`) posts a
 * warning that credentials travel in clear text.
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 videotestsrc num-buffers=100 pattern=black ! \
 *   video/x-raw,format=GRAY8,width=640,height=480,framerate=25/1 ! \
 *   rsdetect detections=cam0.jsonl ! rsbytetrack with-reid=true ! \
 *   rsmsgsink address=127.0.0.1:1883 topic=site1/{stream}
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;

/// How rsmsgsink writes embeddings.
#[derive(Debug, Eq, PartialEq, Ord, PartialOrd, Hash, Clone, Copy, glib::Enum, Default)]
#[repr(u32)]
#[enum_type(name = "GstRsTrackingEmbeddings")]
pub enum Embeddings {
    #[default]
    #[enum_value(name = "embedding_b64: base64 of little-endian f32", nick = "base64")]
    Base64 = 0,
    #[enum_value(name = "embedding: JSON array of numbers", nick = "json")]
    Json = 1,
    #[enum_value(name = "Left out", nick = "none")]
    Omit = 2,
}

glib::wrapper! {
    pub struct RsMsgSink(ObjectSubclass<imp::RsMsgSink>) @extends gst_base::BaseSink, gst::Element, gst::Object;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    Embeddings::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    crate::broker::BrokerState::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    gst::Element::register(
        Some(plugin),
        "rsmsgsink",
        gst::Rank::NONE,
        RsMsgSink::static_type(),
    )
}
