// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rsaction
 *
 * Skeleton action recognition per track. Keeps a sliding window of each
 * track's last `window` (T) keypoint frames (x, y normalised by the box or
 * the frame, see `normalization`, and the keypoint confidence as the third
 * channel), and every `stride` new frames of a track (first after
 * `min-frames`) classifies it: the windows of all tracks due in a frame go
 * through an ONNX action model as one batch (`Session::run`), with input
 * `[N, 3, T, V, 1]` (ST-GCN) or `[N, T, V, 3]`. A window holding fewer
 * than T frames is zero-padded at its start (the newest frame is at
 * t = T-1). The top class and its score (after `activation`; every score
 * with `scores=true`) go into the object's `action` (written by
 * rsjsonsink) and stay there until the track's next classification.
 *
 * Only objects with a track id and keypoints, and neither `lost` (a lost
 * track's box is a motion prediction) nor `predicted` (rsposesmooth's
 * extrapolated keypoints), enter windows. A
 * skeleton whose keypoint count differs from the model's V is an error.
 * A `track_end` from rsbytetrack frees the track's window; a track not seen
 * for `forget-after` frames is freed too; a flush frees all.
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 filesrc location=video.mp4 ! decodebin ! videoconvert ! \
 *   rsdetect model=yolov8n-pose.onnx ! rsbytetrack ! rsposesmooth ! \
 *   rsaction model=stgcn.onnx labels-file=actions.txt ! \
 *   rsjsonsink location=out.jsonl
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;
pub mod model;

glib::wrapper! {
    pub struct RsAction(ObjectSubclass<imp::RsAction>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// How keypoints are normalised (`normalization`).
#[derive(Debug, Eq, PartialEq, Clone, Copy, glib::Enum, Default)]
#[repr(u32)]
#[enum_type(name = "GstRsActionNormalization")]
pub enum NormalizationProp {
    #[default]
    #[enum_value(
        name = "By the object's box: (x - box x) / box width, (y - box y) / box height",
        nick = "box"
    )]
    Box = 0,
    #[enum_value(name = "By the frame: x / width, y / height", nick = "frame")]
    Frame = 1,
    #[enum_value(name = "None: pixels", nick = "none")]
    None = 2,
}

impl From<NormalizationProp> for rstracking_core::action::Normalization {
    fn from(n: NormalizationProp) -> Self {
        use rstracking_core::action::Normalization as N;
        match n {
            NormalizationProp::Box => N::Box,
            NormalizationProp::Frame => N::Frame,
            NormalizationProp::None => N::None,
        }
    }
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    NormalizationProp::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    gst::Element::register(
        Some(plugin),
        "rsaction",
        gst::Rank::NONE,
        RsAction::static_type(),
    )
}
