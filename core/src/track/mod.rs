// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Single-camera multi-object tracking: ByteTrack ([`bytetrack`]) with the
//! Kalman box filter ([`kalman`]) and the assignment solvers it uses
//! ([`assignment`]: the limited assignment of `lap.lapjv`; [`lsa`]: exact
//! rectangular assignment, also used by the evaluation).

pub mod assignment;
pub mod bytetrack;
pub mod kalman;
pub mod lsa;
pub mod refine;
