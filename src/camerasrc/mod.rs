// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rscamerasrc
 *
 * A camera (any URI: `rtsp://`, `http://`, `file://`) that survives going
 * away. It wraps gst-plugins-rs's `fallbacksrc` (the fallbackswitch plugin,
 * `libgstfallbackswitch.so`, built and installed beside ours), which
 * decodes the URI, restarts it on error, EOS or stall and keeps the output
 * pad, segment and stream-id across restarts, and adds what a camera user
 * needs on top:
 *
 * * `state` (read-only) and an element message `rstracking-camera` on every
 *   change of state or retry count: `uri`, `state` (`idle`, `connecting`,
 *   `connected`, `reconnecting`, `failed`), `retries` (since the last
 *   connection) and `reason` (the last warning of the source, such as
 *   rtspsrc's `Could not read from resource.` when a server goes away, else
 *   fallbacksrc's retry reason: `source error`, `source timeout`, `source
 *   eos`. fallbacksrc keeps its source's error messages to itself: the
 *   server's own words, e.g. RTSP `Not found`, are only in its debug log,
 *   `GST_DEBUG=fallbacksrc:5`).
 * * `max-retries`: after that many retries without a connection the camera
 *   is `failed` and an error message is posted (naming the URI, the count
 *   and the last reason); -1 (default) retries forever. Nothing else is an
 *   error: outages are warnings from the source and state messages.
 * * `retry-interval`: how long a restarted source may take to connect
 *   before the next retry. fallbacksrc reads its settings at start, so the
 *   interval is fixed (no exponential back-off).
 * * `timeout`: no data for this long counts as a failure (stall). EOS
 *   counts as a failure too (an RTSP server going away over TCP ends the
 *   stream with EOS): the source restarts, so a `file://` URI loops, which
 *   is how a recorded video plays as a camera.
 * * RTSP sources get `protocols`, `latency` and
 *   `add-reference-timestamp-meta=true` (the NTP time of RTCP sender
 *   reports, which rsjsonsink writes as `utc_ns` with `utc_source=ntp`).
 *
 * Output is decoded raw video. During an outage no frames flow (no dummy
 * frames: a tracker downstream counts frames, so a short outage keeps its
 * tracks); after a reconnect the stream goes on with the same stream-id,
 * which rsbytetrack's `reset` policy treats as the same stream.
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 rscamerasrc uri=rtsp://127.0.0.1:8554/cam max-retries=20 ! \
 *   videoconvert ! rsdetect model=yolov8n.onnx ! rsbytetrack ! fakesink
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;

/// The camera's connection state (`state` property, `rstracking-camera`
/// messages).
#[derive(Debug, Eq, PartialEq, Ord, PartialOrd, Hash, Clone, Copy, glib::Enum, Default)]
#[repr(u32)]
#[enum_type(name = "GstRsCameraState")]
pub enum CameraState {
    #[default]
    #[enum_value(name = "Not started", nick = "idle")]
    Idle = 0,
    #[enum_value(name = "Connecting for the first time", nick = "connecting")]
    Connecting = 1,
    #[enum_value(name = "Connected, frames flowing", nick = "connected")]
    Connected = 2,
    #[enum_value(name = "Lost, retrying", nick = "reconnecting")]
    Reconnecting = 3,
    #[enum_value(name = "Gave up after max-retries", nick = "failed")]
    Failed = 4,
}

impl CameraState {
    /// The nick, as in the `rstracking-camera` messages.
    pub fn nick(self) -> &'static str {
        match self {
            CameraState::Idle => "idle",
            CameraState::Connecting => "connecting",
            CameraState::Connected => "connected",
            CameraState::Reconnecting => "reconnecting",
            CameraState::Failed => "failed",
        }
    }
}

/// Lower transport of RTSP sources.
#[derive(Debug, Eq, PartialEq, Ord, PartialOrd, Hash, Clone, Copy, glib::Enum, Default)]
#[repr(u32)]
#[enum_type(name = "GstRsCameraProtocols")]
pub enum Protocols {
    #[default]
    #[enum_value(name = "rtspsrc's default (UDP, then TCP)", nick = "auto")]
    Auto = 0,
    #[enum_value(name = "TCP (interleaved)", nick = "tcp")]
    Tcp = 1,
    #[enum_value(name = "UDP", nick = "udp")]
    Udp = 2,
}

glib::wrapper! {
    pub struct RsCameraSrc(ObjectSubclass<imp::RsCameraSrc>) @extends gst::Bin, gst::Element, gst::Object;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    CameraState::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    Protocols::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    gst::Element::register(
        Some(plugin),
        "rscamerasrc",
        gst::Rank::NONE,
        RsCameraSrc::static_type(),
    )
}
