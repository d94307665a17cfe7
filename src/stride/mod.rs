// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rsstride
 *
 * Passes one buffer in `interval` and drops the others, so that the work
 * behind it (conversion, scaling, analysis) is done on the analysed frames
 * only. Placed right after the decoder (`avdec_h264 ! rsstride interval=6
 * ! videoconvert ! ... ! rsdetect frame-index=timestamp`), a stride-6 job
 * converts and scales one frame in six. With `key-units-only=true` it
 * also drops every delta unit (`GST_BUFFER_FLAG_DELTA_UNIT`): placed
 * between the parser and the decoder (`h264parse ! rsstride
 * key-units-only=true ! avdec_h264`), the decoder sees keyframes only and
 * decodes nothing else (the analysed frames are then the keyframes, one
 * per GOP; with `interval` N, one keyframe in N).
 *
 * With `interval-time` (ns) the stride is in running time instead: the
 * first buffer at or after each multiple passes, so frames missing
 * upstream (dropped by QoS, a variable frame rate) do not shift it.
 *
 * Timestamps are kept: the frames that pass have their original PTS, so
 * `rsdetect frame-index=timestamp` numbers them as in the full stream and
 * rsbytetrack's time-based settings (`max-lost-time`) stay right at any
 * stride. A flush (seek) restarts the count. Counters `passed` and
 * `dropped` are read-only properties.
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 filesrc location=episode.mkv ! matroskademux ! h264parse \
 *   ! avdec_h264 ! rsstride interval=6 ! videoconvert ! videoscale \
 *   ! rsdetect model=yolov8n.onnx frame-index=timestamp ! rsbytetrack \
 *   ! rsjsonsink location=out.jsonl
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    pub struct RsStride(ObjectSubclass<imp::RsStride>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "rsstride",
        gst::Rank::NONE,
        RsStride::static_type(),
    )
}
