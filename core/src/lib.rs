// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! GStreamer-free core of gst-rstracking.
//!
//! Everything here is plain, deterministic Rust without any gst/glib
//! dependency: what a user of the crate could call without GStreamer. The
//! elements of the `gst-rstracking` crate are thin glue around these modules
//! (caps, properties, meta in and out, logging, errors).
//!
//! # Where things are
//!
//! | concept | module |
//! |---|---|
//! | objects, boxes, keypoints, track states (the meta's data model) | [`types`] |
//! | box formats and conversions; IoU, one per format (the "+1" one of ByteTrack) | [`geometry`] |
//! | embeddings: norm, L2 normalisation, cosine distance | [`embedding`] |
//! | frames, pixel layouts, planes, YUV parameters, bilinear taps | [`image`] |
//! | YOLO model input (Ultralytics letterbox) | [`image::letterbox`] |
//! | ReID model input (box crops) | [`image::crop`] |
//! | classifier outputs: activation (softmax, sigmoid), top class | [`classify`] |
//! | YOLO outputs: exporter metadata, layout recognition, mapping back, decode + NMS | [`detect::yolo`] |
//! | the tracker's Kalman box filter (deep_sort noise model) | [`track::kalman`] |
//! | limited assignment (`lap.lapjv`) and exact rectangular assignment | [`track::assignment`], [`track::lsa`] |
//! | ByteTrack, BoT-SORT re-id and tracklet stitching | [`track::bytetrack`] |
//! | multi-camera global ids (camera links, clustering) | [`mtmc`] |
//! | keypoint smoothing, its scalar filters (One Euro, Kalman, EMA), gap filling | [`pose`] |
//! | drawing boxes, labels and skeletons on frames | [`draw`] |
//! | MOTChallenge files, the JSON Lines schema, per-track summaries | [`io::mot`], [`io::schema`], [`io::summary`] |
//! | MOTChallenge evaluation (TrackEval protocol), cross-camera included | [`eval`] |
//! | zones and lines on tracks: enter/exit/dwell, crossings with hysteresis, occupancy | [`zones`] |
//! | per-track keypoint windows for skeleton action models, activations | [`action`] |
//! | H.264 access units: reference or not, from NAL headers only (rsstride) | [`codec::h264`] |
//! | per-element statistics over intervals of running time (fps, processing time, latency, dropped frames) | [`stats`] |
//!
//! The command-line tools (evaluators, benchmarks) are in the
//! `rstracking-tools` crate.

// `!(a < b)` is used on purpose where a NaN must take the "reject" branch.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod action;
pub mod classify;
pub mod codec;
pub mod crops;
pub mod detect;
pub mod draw;
pub mod embedding;
pub mod eval;
pub mod geometry;
pub mod image;
pub mod io;
pub mod mtmc;
pub mod pose;
pub mod stats;
#[cfg(test)]
mod testutil;
pub mod track;
pub mod types;
pub mod zones;
