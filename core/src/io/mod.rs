// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Files in and out.

pub mod mot;
pub mod schema;
pub mod summary;
