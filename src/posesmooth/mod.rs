// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rsposesmooth
 *
 * Smooths the keypoints of tracked objects, per track id and per keypoint,
 * and fills short gaps (`rstracking_core::pose`).
 *
 * * `filter=one-euro` (default; `min-cutoff`, `beta`, `d-cutoff`; the rate
 *   comes from the buffer timestamps, so variable frame rates work),
 *   `kalman` (constant velocity per coordinate, measurement noise divided
 *   by the keypoint's confidence; `process-noise`, `measurement-noise`) or
 *   `ema` (`alpha`).
 * * Keypoints under `min-confidence` (or NaN) are not fed to the filter and
 *   get state `missing`; smoothed ones get state `smoothed`.
 * * A tracked object that disappears gets a predicted skeleton (velocity
 *   extrapolation, confidence × `predict-decay` per frame, state
 *   `predicted`) for up to `max-predict` frames; then its filters are freed.
 * * `latency=N` holds N frames: a track missing for up to N frames that
 *   comes back gets interpolated keypoints (state `interpolated`) in the
 *   held frames instead of predictions. Buffer timestamps are not changed;
 *   the latency query reports N frame durations more. Caps, segment,
 *   stream-start and EOS events first release the held frames.
 * * `lookahead=true` (with `filter=kalman` and `latency` ≥ 1; other
 *   combinations fail at start with an error): before a held frame leaves,
 *   its smoothed keypoints and boxes are re-estimated with the frames held
 *   after it (fixed-lag Rauch–Tung–Striebel smoother), which removes most of
 *   the filter's lag.
 * * `smooth-boxes` filters box centre and size too.
 * * Objects without a track id (no tracker upstream) pass unsmoothed.
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 filesrc location=cam01.mp4 ! decodebin ! \
 *   rsdetect detections=cam01.jsonl ! rsbytetrack ! rsposesmooth latency=3 ! \
 *   rsoverlay ! videoconvert ! autovideosink
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    pub struct RsPoseSmooth(ObjectSubclass<imp::RsPoseSmooth>) @extends gst::Element, gst::Object;
}

/// `filter` property values.
#[derive(Debug, Eq, PartialEq, Ord, PartialOrd, Hash, Clone, Copy, Default, glib::Enum)]
#[repr(u32)]
#[enum_type(name = "GstRsPoseSmoothFilter")]
pub enum Filter {
    #[default]
    #[enum_value(name = "One Euro filter (Casiez et al. 2012)", nick = "one-euro")]
    OneEuro = 0,
    #[enum_value(name = "Constant-velocity Kalman filter", nick = "kalman")]
    Kalman = 1,
    #[enum_value(name = "Exponential moving average", nick = "ema")]
    Ema = 2,
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    Filter::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    gst::Element::register(
        Some(plugin),
        "rsposesmooth",
        gst::Rank::NONE,
        RsPoseSmooth::static_type(),
    )
}
