// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Detector outputs.

pub mod yolo;
