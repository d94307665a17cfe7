// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
#![allow(clippy::non_send_fields_in_send_ty, unused_doc_comments)]

//! gst-rstracking: GStreamer elements for multi-object tracking.
//!
//! * `rsdetect` — attaches detections to video buffers (import mode: MOT
//!   `det.txt` or our JSON Lines).
//! * `rsbytetrack` — ByteTrack multi-object tracker, at parity with the
//!   reference implementation.
//! * `rsjsonsink` — writes JSON Lines (schema `rstracking/1`) or MOTChallenge
//!   result files, plus an optional per-track summary.
//!
//! The algorithms live in the GStreamer-free `rstracking-core` crate,
//! re-exported here as [`core`].

use gst::glib;

pub use rstracking_core as core;

mod bytetrack;
mod detect;
pub use detect::infer;
mod jsonsink;
pub mod meta;
pub mod onnx;

fn plugin_init(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    meta::register();
    detect::register(plugin)?;
    bytetrack::register(plugin)?;
    jsonsink::register(plugin)?;
    Ok(())
}

gst::plugin_define!(
    rstracking,
    env!("CARGO_PKG_DESCRIPTION"),
    plugin_init,
    concat!(env!("CARGO_PKG_VERSION"), "-", env!("COMMIT_ID")),
    "MIT/X11",
    env!("CARGO_PKG_NAME"),
    env!("CARGO_PKG_NAME"),
    "https://example.invalid/gst-rstracking",
    env!("BUILD_REL_DATE")
);

/// Caps accepted by the elements that only read/write the meta: any raw
/// video, in any memory.
pub(crate) fn video_caps_any() -> gst::Caps {
    let mut caps = gst::Caps::builder("video/x-raw").build();
    caps.merge(gst::Caps::builder("video/x-raw").any_features().build());
    caps
}

/// "sink" and "src" Always templates with [`video_caps_any`], for the
/// in-place BaseTransform elements that only touch the meta.
pub(crate) fn meta_transform_pad_templates() -> Vec<gst::PadTemplate> {
    let caps = video_caps_any();
    [
        ("src", gst::PadDirection::Src),
        ("sink", gst::PadDirection::Sink),
    ]
    .into_iter()
    .map(|(name, dir)| {
        gst::PadTemplate::new(name, dir, gst::PadPresence::Always, &caps)
            .expect("valid pad template")
    })
    .collect()
}
