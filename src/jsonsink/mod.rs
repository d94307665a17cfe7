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

glib::wrapper! {
    pub struct RsJsonSink(ObjectSubclass<imp::RsJsonSink>) @extends gst_base::BaseSink, gst::Element, gst::Object;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    OutputFormat::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    gst::Element::register(
        Some(plugin),
        "rsjsonsink",
        gst::Rank::NONE,
        RsJsonSink::static_type(),
    )
}
