// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rsbytetrack
 *
 * ByteTrack multi-object tracker (Zhang et al., ECCV 2022), the same algorithm
 * as the reference implementation (two-stage association of high and low
 * score detections, Kalman filter on centre/aspect/height, lapjv assignment
 * with a cost limit). Reads the detections in the `TrackingMeta` of each
 * buffer and writes track ids and states into it: a detection matched to a
 * confirmed track gets `track_id`, state `tracked` and the track's filtered
 * box (as the reference outputs it). Detections matched to a not yet
 * confirmed track, or unmatched, keep no track id. With `output-lost=true`
 * the predicted boxes of lost tracks are appended with state `lost`.
 *
 * A buffer without a `TrackingMeta` means that no detector ran on it (for
 * example `rsdetect interval=3` skips two frames in three): the tracker then
 * moves its confirmed tracks by their Kalman prediction and writes them with
 * state `predicted`; nothing is matched, created or aged on that frame.
 *
 * Track ids are u64, unique per element instance and never reused (also
 * when the element is restarted). `reset` chooses what drops the tracks
 * (their ids end; new ones keep increasing): a flush and a new stream-start
 * (default), only one of them, or never (a camera that reconnects keeps its
 * tracks over a short outage). Removed tracks are dropped, so memory stays
 * flat on endless streams.
 *
 * The lost-track buffer is `track-buffer` frames at 30 fps, scaled to the
 * stream's frame rate as ByteTrack does (`frame-rate / 30 * track-buffer`),
 * unless `max-lost-time` is set, which counts running time instead.
 *
 * Statistics: with `stats-interval=<ms>` (0 = off, the default) the element
 * posts, every that much running time, an element message
 * `rstracking-stats` with `element`, `stream`, `frames`, `fps`,
 * `interval_ms`, `process_us_mean`/`process_us_max` (wall time of the
 * tracking per frame), `latency_ms_mean`/`latency_ms_max` (pipeline clock
 * now − buffer running time − base time, in PLAYING), `dropped` (gaps in
 * the buffer offsets, when upstream sets them) and `active_tracks` (objects
 * with a track id on the interval's last frame); the last, partial interval
 * is posted at EOS. rswebview's `/stats.json` lists the latest one under
 * `"elements"` (README, "Statistics").
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 videotestsrc num-buffers=600 pattern=black ! \
 *   video/x-raw,format=GRAY8,width=1920,height=1080,framerate=30/1 ! \
 *   rsdetect detections=det.txt ! rsbytetrack track-buffer=30 ! \
 *   rsjsonsink format=mot location=results.txt
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;

pub use crate::reset::ResetPolicy;

glib::wrapper! {
    pub struct RsByteTrack(ObjectSubclass<imp::RsByteTrack>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "rsbytetrack",
        gst::Rank::NONE,
        RsByteTrack::static_type(),
    )
}
