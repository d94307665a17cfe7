// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rsjsonsink
 *
 * Writes the tracking meta of every buffer as JSON Lines (schema
 * `rstracking/1`, one line per frame) or as a MOTChallenge results file
 * (`frame,id,x,y,w,h,conf,-1,-1,-1`, 1-based frames and pixels, only objects
 * with a track id, each id at most once per frame). With `tracks-location`,
 * a per-track summary is written at EOS.
 *
 * Lines are written whole (a reader tailing the file never sees half a
 * line). `flush=auto` (default) hands every frame's line to the operating
 * system as it is rendered when upstream is live, and buffers 64 KiB
 * otherwise; `frame` and `buffered` force one or the other. `append=true`
 * appends to existing files instead of truncating them (for applications
 * that restart the pipeline). The same file cannot be written by two
 * rsjsonsinks (or as both `location` and `tracks-location`) at once.
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 videotestsrc num-buffers=100 pattern=black ! \
 *   video/x-raw,format=GRAY8,width=640,height=480,framerate=30/1 ! \
 *   rsdetect detections=det.txt ! rsbytetrack ! rsjsonsink location=out.jsonl
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;

#[derive(Debug, Eq, PartialEq, Ord, PartialOrd, Hash, Clone, Copy, glib::Enum, Default)]
#[repr(u32)]
#[enum_type(name = "GstRsJsonSinkFormat")]
pub enum OutputFormat {
    #[default]
    #[enum_value(name = "JSON Lines, schema rstracking/1", nick = "jsonl")]
    Jsonl = 0,
    #[enum_value(
        name = "MOTChallenge results (frame,id,x,y,w,h,conf,-1,-1,-1)",
        nick = "mot"
    )]
    Mot = 1,
}

/// When rsjsonsink hands its lines to the operating system.
#[derive(Debug, Eq, PartialEq, Ord, PartialOrd, Hash, Clone, Copy, glib::Enum, Default)]
#[repr(u32)]
#[enum_type(name = "GstRsJsonSinkFlush")]
pub enum FlushMode {
    #[default]
    #[enum_value(
        name = "Every frame when upstream is live, else buffered",
        nick = "auto"
    )]
    Auto = 0,
    #[enum_value(
        name = "After every frame (a reader tailing the file sees each line at once)",
        nick = "frame"
    )]
    Frame = 1,
    #[enum_value(
        name = "When the 64 KiB buffer is full and at EOS (fastest offline)",
        nick = "buffered"
    )]
    Buffered = 2,
}

glib::wrapper! {
    pub struct RsJsonSink(ObjectSubclass<imp::RsJsonSink>) @extends gst_base::BaseSink, gst::Element, gst::Object;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    OutputFormat::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    FlushMode::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    gst::Element::register(
        Some(plugin),
        "rsjsonsink",
        gst::Rank::NONE,
        RsJsonSink::static_type(),
    )
}
