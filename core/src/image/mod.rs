// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Video frames and what is computed from their pixels.
//!
//! * [`Frame`] (a borrowed frame), [`PixelLayout`] (packed RGB layouts,
//!   I420, NV12), [`PlaneError`] (a plane too short for its stride and
//!   rows) and the YUV conversion parameters [`YuvParams`] / [`YuvMatrix`]
//!   are shared by the detector input, the ReID crops and the overlay
//!   drawing ([`crate::draw`]);
//! * [`letterbox`]: the YOLO model input (Ultralytics letterbox);
//! * [`crop`]: object boxes cropped and resized for ReID models.
//!
//! Both resizers sample with the same bilinear taps (half-pixel centres, as
//! OpenCV's `INTER_LINEAR`) and convert YUV with the same coefficients.

mod bilinear;
pub mod crop;
mod frame;
pub mod letterbox;
mod yuv;

pub(crate) use bilinear::{clamp01, lerp, tap, Tap, UNIT};
pub(crate) use frame::{check_planes, PlaneSpec};
pub use frame::{Frame, PixelLayout, PlaneError};
pub(crate) use yuv::YuvCoefs;
pub use yuv::{YuvMatrix, YuvParams};
