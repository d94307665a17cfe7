// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Decoding of Ultralytics YOLO ONNX outputs into frame-pixel detections.
//!
//! Supported output layouts (batch must be 1; a dynamic batch counts as 1):
//! * YOLOv5: `[1, N, 5+nc]`, one row per anchor: `cx, cy, w, h, obj, cls…`;
//! * YOLOv8 / YOLO11: `[1, 4+nc, N]`, channel-major: `cx, cy, w, h, cls…`;
//! * YOLOv8 / YOLO11 pose: `[1, 4+nc+K·D, N]`, channel-major, the class
//!   scores followed by `K` keypoints of `D` values (`x, y[, visibility]`);
//! * end2end (YOLOv10, YOLO26; NMS-free): `[1, N, 6]`, one row per
//!   detection: `x1, y1, x2, y2, score, class`;
//! * end2end pose: `[1, N, 6+K·D]`.
//!
//! [`resolve_layout`] recognises the layout from the output shape and the
//! `metadata_props` the Ultralytics exporter writes ([`ModelMetadata`]).
//! [`Decoder::decode`] then applies, in the order of Ultralytics
//! `non_max_suppression`: the confidence threshold, the class filter, the
//! minimum size, class-aware NMS (not for end2end models) and the maximum
//! number of detections, and finally maps the boxes and keypoints back
//! through the letterbox ([`BoxMapping`]) and clips them to the frame.

mod decode;
mod layout;
mod mapping;
mod metadata;
#[cfg(test)]
mod tests;

pub use decode::{DecodeError, DecodeParams, Decoder, Detection};
pub use layout::{resolve_layout, LayoutError, ModelType, OutputLayout};
pub use mapping::BoxMapping;
pub use metadata::{
    parse_int_list, parse_names, LiteralError, MetadataError, MetadataReason, ModelMetadata,
};
