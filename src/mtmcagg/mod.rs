// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rsmtmcagg
 *
 * One identity per person across cameras, online: every camera's stream
 * (already tracked, ideally with rsreid embeddings) enters on its own
 * request pad `sink_%u` and leaves on the matching `src_%u`; each object
 * with a track id gets a `global_id` in the meta
 * (`rstracking_core::mtmc`: a gallery per (camera, track id) tracklet,
 * immediate assignment to the nearest identity under `match-threshold`,
 * constrained agglomerative re-clustering every `cluster-interval`, ids kept
 * stable between clusterings; when two identities turn out to be one, a
 * `merge` event goes downstream on every camera's src pad (rsjsonsink writes
 * it) and an element message `rstracking-merge` is posted on the bus).
 *
 * Cameras are aligned by running time: a camera's buffer waits until every
 * other active camera has reached its time minus `max-skew`, or at most
 * `timeout` (wall clock), so a stalled camera never holds the others for
 * longer; a camera that has sent nothing for `timeout` counts as stalled
 * and is not waited for until it sends again. A camera that has not sent
 * anything yet, or is at EOS, is not waited for;
 * EOS on one camera does not stop the others; what `reset` names (by
 * default a flush or a new stream-start) on one pad resets only that
 * camera's tracklets. The latency query adds `timeout`.
 *
 * The camera name is the sink pad's `camera` property, else the stream id
 * of the meta, else the pad name. Objects without a track id or without an
 * embedding pass through (a tracklet that got a global id keeps it) and are
 * counted (`objects-without-track-id`, `objects-without-embedding`).
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 rsmtmcagg name=m \
 *   videotestsrc num-buffers=500 ! video/x-raw,width=360,height=288,framerate=25/1 ! \
 *     rsdetect detections=cam0.jsonl ! rsbytetrack ! m.sink_0 \
 *   m.src_0 ! rsjsonsink location=out-cam0.jsonl \
 *   videotestsrc num-buffers=500 ! video/x-raw,width=360,height=288,framerate=25/1 ! \
 *     rsdetect detections=cam1.jsonl ! rsbytetrack ! m.sink_1 \
 *   m.src_1 ! rsjsonsink location=out-cam1.jsonl
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;
mod pad;

glib::wrapper! {
    pub struct RsMtmcAgg(ObjectSubclass<imp::RsMtmcAgg>) @extends gst::Element, gst::Object;
}

glib::wrapper! {
    /// Sink pad of rsmtmcagg, with the `camera` property.
    pub struct RsMtmcSinkPad(ObjectSubclass<pad::RsMtmcSinkPad>) @extends gst::Pad, gst::Object;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    RsMtmcSinkPad::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    gst::Element::register(
        Some(plugin),
        "rsmtmcagg",
        gst::Rank::NONE,
        RsMtmcAgg::static_type(),
    )
}
