// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rsreid
 *
 * Computes re-identification embeddings for the objects of the tracking
 * meta: each box is cropped from the frame (clipped to it), resized to the
 * model input (default 256×128 H×W), RGB, normalised with `mean`/`std`
 * (ImageNet defaults), all crops of a frame are run as one batch (a
 * fixed-batch model runs in chunks of its batch size, the last one padded),
 * and each output row is L2-normalised and attached to its object with the
 * index of the frame it was computed on.
 *
 * * After a tracker (objects have track ids) it throttles per track: a
 *   track gets a new embedding at most every `interval` frames; in between
 *   its objects carry the last one (and its frame index).
 * * Before a tracker it embeds every object that passes the gates.
 * * Gates: `min-size` (box width and height after clipping, pixels) and
 *   `min-confidence`. Objects that fail them, or whose box has no pixel in
 *   the frame, get no embedding (counted in `skipped`).
 *
 * ONNX Runtime is set up as for rsdetect (`ort-library`, `ORT_DYLIB_PATH`,
 * search; `threads`, `execution-provider`, `fallback`). The model must have
 * one float input [batch, 3, H, W] and a float output [batch, D] (or
 * [batch, D, 1, 1]).
 *
 * Statistics: with `stats-interval=<ms>` (0 = off, the default) the element
 * posts, every that much running time, an element message
 * `rstracking-stats` with `element`, `stream`, `frames`, `fps`,
 * `interval_ms`, `process_us_mean`/`process_us_max` (wall time per frame:
 * crops, batches and the model), `latency_ms_mean`/`latency_ms_max`
 * (pipeline clock now − buffer running time − base time, in PLAYING),
 * `dropped` (gaps in the buffer offsets, when upstream sets them); the
 * last, partial interval is posted at EOS. rswebview's `/stats.json` lists
 * the latest one under `"elements"` (README, "Statistics").
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 filesrc location=video.mp4 ! decodebin ! videoconvert ! \
 *   rsdetect model=yolov8n.onnx classes=0 ! rsbytetrack ! \
 *   rsreid model=osnet_x0_25.onnx interval=24 ! rsjsonsink location=out.jsonl
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

pub mod embedder;
mod imp;

glib::wrapper! {
    pub struct RsReid(ObjectSubclass<imp::RsReid>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    crate::onnx::Provider::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    gst::Element::register(
        Some(plugin),
        "rsreid",
        gst::Rank::NONE,
        RsReid::static_type(),
    )
}
