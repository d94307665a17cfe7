// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rsmsgsrc
 *
 * Subscribes to one camera's topic on an MQTT broker (messages written by
 * rsmsgsink, JSON Lines schema `rstracking/1`) and produces that camera's
 * stream as meta-only buffers: no pixels (caps
 * `video/x-raw(meta:GstRsTrackingMeta)` with the sender's width and
 * height), the tracking meta with the message's stream name, frame index
 * and objects (embeddings included), timestamped with the message's
 * `running_time_ns` (else `pts_ns`), so `rsmtmcagg` aligns remote cameras
 * as it aligns local ones. `track_*` and `merge` messages become the same
 * custom events rsbytetrack and rsmtmcagg send; the `eos` message ends the
 * stream.
 *
 * Delivery: a persistent session (clean session off, QoS from `qos`), so
 * the broker keeps the camera's messages while this element reconnects
 * (and, with broker persistence, across a broker restart). Duplicates
 * (QoS 1 redeliveries) are dropped by sequence number and counted
 * (`duplicates`); a gap in the numbers is counted (`missed`) with a
 * warning. Malformed messages (not JSON, another schema, an invalid
 * object, an embedding whose length differs from the first one seen or
 * from `embedding-dim`) are skipped, counted (`malformed`) and reported
 * in a warning naming the topic; they never stop the pipeline. Refused
 * credentials and TLS failures are errors.
 *
 * The source is not live: the aggregator downstream waits for every
 * camera, so a camera that stops publishing without its `eos` message
 * holds the others back until it comes back.
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 rsmsgsrc topic=site1/cam0 ! m.sink_0 \
 *   rsmsgsrc topic=site1/cam1 ! m.sink_1 rsmtmcagg name=m \
 *   m.src_0 ! rsjsonsink location=cam0.jsonl m.src_1 ! rsjsonsink location=cam1.jsonl
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;

/// The caps feature of meta-only buffers.
pub const META_ONLY_FEATURE: &str = "meta:GstRsTrackingMeta";

glib::wrapper! {
    pub struct RsMsgSrc(ObjectSubclass<imp::RsMsgSrc>) @extends gst_base::PushSrc, gst_base::BaseSrc, gst::Element, gst::Object;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "rsmsgsrc",
        gst::Rank::NONE,
        RsMsgSrc::static_type(),
    )
}
