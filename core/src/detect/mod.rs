// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Detector outputs into frame-pixel detections: Ultralytics YOLO models
//! ([`yolo`]). Their input is made by [`crate::image::letterbox`].

pub mod yolo;
