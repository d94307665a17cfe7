// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rscropsink
 *
 * Writes crops of the tracked objects of the tracking meta as JPEG files:
 * at most one crop per track every `interval` frames of the track, only
 * objects with a track id, a confidence of at least `min-confidence`, a box
 * (clipped to the frame) whose shorter side is at least `min-size` pixels
 * (`class-min-size` per class), optionally a sharpness (variance of the
 * 3×3 Laplacian of the luma) of at least `min-sharpness`, at most
 * `max-per-track` crops, `classes` only. Each object is counted in the
 * first filter that rejects it, in the order `filtered-class`,
 * `untracked`, `filtered-confidence`, `filtered-size`,
 * `filtered-interval`, `filtered-max`, `filtered-sharpness`.
 *
 * The **best shot** of each track (the largest crop that passes the
 * confidence, size and sharpness gates; ties to the higher confidence) is
 * written to `best-location` when the track's `track_end` event from
 * rsbytetrack arrives, at a flush, for tracks not seen for 300 frames and
 * at EOS for all others.
 *
 * Crops are copied on the streaming thread and handed to one writer
 * thread through a queue of `max-queue` crops; a crop that finds it full is
 * dropped and counted in `dropped`: the stream never waits for the disk.
 * Files are written under a temporary name and renamed, and each gets a
 * line in the JSON Lines `index-location` once complete. At EOS the element
 * waits up to `drain-timeout` ms for the queue, then posts an
 * `rstracking-crops` element message with every counter and `pending`.
 *
 * The first write failure (e.g. a full disk) is posted as an element
 * error naming the file and the OS error; the stream goes on, later crops
 * are still attempted (and counted in `failed` when they fail too), and
 * the index only ever lists complete files.
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 filesrc location=episode.mp4 ! decodebin ! videoconvert ! \
 *   rsdetect model=yolov8n.onnx ! rsbytetrack ! \
 *   rscropsink location='crops/{track:05}/{frame:06}.jpg' \
 *   best-location='crops/{track:05}/best.jpg' index-location=crops/index.jsonl \
 *   interval=8 min-confidence=0.75 min-size=50 class-min-size=1:90
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;
mod worker;

glib::wrapper! {
    pub struct RsCropSink(ObjectSubclass<imp::RsCropSink>) @extends gst_base::BaseSink, gst::Element, gst::Object;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "rscropsink",
        gst::Rank::NONE,
        RsCropSink::static_type(),
    )
}
