// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rsoverlay
 *
 * Draws the tracking meta into the video, in place: boxes, `#track_id`
 * and `g<global_id>` labels (a built-in bitmap font scaled to the frame
 * size), COCO-17 skeletons and keypoints. Colours follow the global id, else
 * the track id (untracked objects are grey). Predicted and lost objects get
 * dashed boxes; predicted keypoints are rings, interpolated ones white
 * dots, and limbs touching either are dashed. Reads RGB, BGR, RGBx, BGRx,
 * xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, I420 and NV12 directly (put a
 * videoconvert in front for others).
 *
 * Statistics: with `stats-interval=<ms>` (0 = off, the default) the element
 * posts, every that much running time, an element message
 * `rstracking-stats` with `element`, `stream`, `frames`, `fps`,
 * `interval_ms`, `process_us_mean`/`process_us_max` (wall time of the
 * drawing per frame), `latency_ms_mean`/`latency_ms_max` (pipeline clock
 * now − buffer running time − base time, in PLAYING), `dropped` (gaps in
 * the buffer offsets, when upstream sets them); the last, partial interval
 * is posted at EOS. rswebview's `/stats.json` lists the latest one under
 * `"elements"` (README, "Statistics").
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 filesrc location=video.mp4 ! decodebin ! \
 *   rsdetect model=yolov8n-pose.onnx ! rsbytetrack ! rsposesmooth ! \
 *   rsoverlay ! videoconvert ! autovideosink
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    pub struct RsOverlay(ObjectSubclass<imp::RsOverlay>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "rsoverlay",
        gst::Rank::NONE,
        RsOverlay::static_type(),
    )
}
