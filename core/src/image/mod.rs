// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Video frames and what is computed from their pixels.

pub mod crop;
pub mod letterbox;

pub use letterbox::{Frame, PixelLayout, PlaneError, YuvMatrix, YuvParams};
