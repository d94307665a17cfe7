// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Files in and out: MOTChallenge text files ([`mot`]), the JSON Lines
//! schema written by rsjsonsink ([`schema`]) and its per-track summaries
//! ([`summary`]), and the same lines as broker messages ([`msg`]).

pub mod mot;
pub mod msg;
pub mod schema;
pub mod summary;

#[cfg(test)]
mod import_tests;
