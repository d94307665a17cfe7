// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! What the elements need to know about coded video without decoding it.

pub mod h264;
