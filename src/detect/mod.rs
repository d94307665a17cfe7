// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rsdetect
 *
 * Attaches detections to video buffers as a `TrackingMeta`.
 *
 * Import mode (`detections=<path>`): reads a MOTChallenge `det.txt` (7 or 10
 * columns, rows in any order, 1-based frames and pixels) or a JSON Lines file
 * of schema `rstracking/1` (as written by rsjsonsink, with keypoints,
 * embeddings, track ids and global ids when present), and attaches the
 * detections of frame index i to the i-th buffer (MOT frame f → buffer f-1;
 * after a flushing seek the count follows the buffer's stream time and the
 * frame rate). Pixel data is never read, so any raw
 * video of the sequence's size works, e.g. `videotestsrc pattern=black`.
 *
 * Inference mode (`model=<file.onnx>`): runs a YOLO detector or pose model
 * (YOLOv5, YOLOv8/YOLO11, their pose heads, NMS-free YOLOv10/YOLO26) through
 * ONNX Runtime on RGB/BGR(x/A) or I420/NV12 frames (put `videoconvert`
 * before it for other formats), letterboxes exactly as Ultralytics does,
 * and maps boxes and keypoints back to frame pixels.
 *
 * ```sh
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! videoconvert ! \
 *   rsdetect model=yolov8n.onnx ! rsbytetrack ! rsjsonsink location=tracks.jsonl
 * ```
 *
 * Statistics: with `stats-interval=<ms>` (0 = off, the default) the element
 * posts, every that much running time, an element message
 * `rstracking-stats` with `element`, `stream`, `frames`, `fps`,
 * `interval_ms`, `process_us_mean`/`process_us_max` (wall time per frame:
 * inference with pre- and post-processing, or the import),
 * `latency_ms_mean`/`latency_ms_max` (pipeline clock now − buffer running
 * time − base time, in PLAYING), `dropped` (gaps in the buffer offsets,
 * when upstream sets them) and `objects` (detections in the interval); the
 * last, partial interval is posted at EOS. rswebview's `/stats.json` lists
 * the latest one under `"elements"` (README, "Statistics").
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 videotestsrc num-buffers=600 pattern=black ! \
 *   video/x-raw,format=GRAY8,width=1920,height=1080,framerate=30/1 ! \
 *   rsdetect detections=MOT17-02-FRCNN/det/det.txt ! rsbytetrack ! \
 *   rsjsonsink format=mot location=MOT17-02-FRCNN.txt
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;
pub mod infer;

glib::wrapper! {
    pub struct RsDetect(ObjectSubclass<imp::RsDetect>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    imp::ModelTypeProp::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    imp::FrameIndexProp::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    crate::onnx::Provider::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    gst::Element::register(
        Some(plugin),
        "rsdetect",
        gst::Rank::NONE,
        RsDetect::static_type(),
    )
}
