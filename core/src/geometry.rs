// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
