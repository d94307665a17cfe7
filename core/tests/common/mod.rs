// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! What the core's integration tests share.

use std::path::{Path, PathBuf};

/// The shared data folder: `$RSTRACKING_SHARED`, or `../shared` next to the
/// repository. The tests that read it are `#[ignore = "needs ../shared"]`
/// (run them with `cargo test -p rstracking-core -- --include-ignored`);
/// they fail, rather than pass silently, when it is missing.
pub fn shared_dir() -> PathBuf {
    let p = match std::env::var_os("RSTRACKING_SHARED") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    assert!(
        p.join("data").is_dir(),
        "{}/data not found: this test needs ../shared next to the repository \
         (or RSTRACKING_SHARED)",
        p.display()
    );
    p
}
