// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Code shared by the command-line tools of gst-rstracking (see
//! `src/bin/`): the evaluators `rstracking-eval` and `rstracking-pose-eval`,
//! and the benchmarks `tracker-bench`, `detect-bench`, `reid-bench`,
//! `crop-bench`, `preprocess-bench` and `mtmc-bench`.

pub mod synth;
