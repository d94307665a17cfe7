// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! GStreamer-free core of gst-rstracking.
//!
//! Everything here is plain, deterministic Rust: the data model shared with the
//! GStreamer meta ([`types`]), the JSON Lines schema ([`io::schema`]), MOTChallenge
//! file I/O ([`io::mot`]), geometry, the Kalman filter, the assignment solvers,
//! ByteTrack, and the MOTChallenge evaluation. The GStreamer elements in the
//! `gst-rstracking` crate are thin glue around these modules.

// `!(a < b)` is used on purpose where a NaN must take the "reject" branch.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod detect;
pub mod draw;
pub mod embedding;
pub mod eval;
pub mod geometry;
pub mod image;
pub mod io;
pub mod mtmc;
pub mod pose;
#[cfg(test)]
mod testutil;
pub mod track;
pub mod types;
