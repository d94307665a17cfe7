// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Single-camera multi-object tracking.

pub mod assignment;
pub mod bytetrack;
pub mod kalman;
pub mod lsa;
