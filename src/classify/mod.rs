// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rsclassify
 *
 * Secondary classification of the objects of the tracking meta: each box
 * is cropped from the frame, resized and normalised exactly as rsreid does
 * (same crop code: `input-size`, `mean`, `std`), all crops of a frame that
 * need a result are run as one batch through an ONNX classifier, and each
 * object gets an attribute `{name, label, class_id, score, frame}`: `name`
 * is `attribute-name` (default "class"), `class_id` the index of the top
 * output value, `score` its value after `activation` (default softmax),
 * `label` the `labels` entry of that class (omitted without labels) and
 * `frame` the index of the frame it was computed on. An attribute of the
 * same name already on the object is replaced.
 *
 * * Filters: `classes` (detector class ids to classify; empty = all),
 *   `min-size` (box width and height after clipping, pixels; a box with
 *   no pixel in the frame fails it too) and `min-confidence` (detection
 *   confidence). Each skipped object is counted once, in `skipped-class`,
 *   `skipped-size` or `skipped-confidence` (checked in that order).
 * * `interval`: an object with a track id is re-classified every N frames
 *   and carries the last result (with its frame) in between (`reused`);
 *   objects without a track id are classified on every frame. Results of
 *   tracks not seen for max(300, 4 × interval) frames are dropped.
 *
 * The model must have one float input [batch, 3, H, W] and one float output
 * [batch, C] (or [batch, C, 1, 1]); `labels` must then hold C labels.
 * ONNX Runtime is set up as for rsdetect.
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 filesrc location=video.mp4 ! decodebin ! videoconvert ! \
 *   rsdetect model=yolov8n.onnx classes=2 ! rsbytetrack ! \
 *   rsclassify model=car_colour.onnx labels=@colours.txt attribute-name=color \
 *   interval=10 min-size=32 ! rsjsonsink location=out.jsonl
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    pub struct RsClassify(ObjectSubclass<imp::RsClassify>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// How a row of model outputs becomes scores (rsclassify, rsaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, glib::Enum)]
#[enum_type(name = "GstRsTrackingActivation")]
pub enum Activation {
    #[enum_value(name = "None: the raw output values", nick = "none")]
    None,
    #[default]
    #[enum_value(name = "Softmax over the outputs", nick = "softmax")]
    Softmax,
    #[enum_value(name = "Sigmoid of each output", nick = "sigmoid")]
    Sigmoid,
}

impl From<Activation> for rstracking_core::classify::Activation {
    fn from(a: Activation) -> Self {
        match a {
            Activation::None => Self::None,
            Activation::Softmax => Self::Softmax,
            Activation::Sigmoid => Self::Sigmoid,
        }
    }
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    Activation::static_type().mark_as_plugin_api(gst::PluginAPIFlags::empty());
    gst::Element::register(
        Some(plugin),
        "rsclassify",
        gst::Rank::NONE,
        RsClassify::static_type(),
    )
}
