// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Camera-links tables: which camera pairs a person can move between, and
//! how long the transit takes (rule 2 of the cannot-link constraints, see
//! the [module documentation](super)).

use std::collections::HashMap;
use std::fmt;

/// One listed camera pair of a camera-links table (symmetric).
#[derive(Clone, Debug, PartialEq)]
pub struct CameraLink {
    /// First camera name.
    pub a: String,
    /// Second camera name (may equal `a` to constrain re-entries).
    pub b: String,
    /// Minimum transit time in seconds (from leaving one camera to appearing
    /// in the other).
    pub min_s: f64,
    /// Maximum transit time in seconds.
    pub max_s: f64,
    /// The fields of view overlap: tracklets seen at the same time may link.
    pub overlapping: bool,
}

/// A camera-links table: the camera pairs between which a person can move,
/// with their transit times. A camera pair not listed cannot link.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CameraLinks {
    /// The listed pairs.
    pub links: Vec<CameraLink>,
}

/// Why a camera-links table cannot be used: the file, the 1-based line and
/// the cause. Displays as `camera-links <path>:<line>: <cause>`.
#[derive(Clone, Debug, PartialEq)]
pub struct CameraLinksError {
    /// The path given to [`parse_camera_links`].
    pub path: String,
    /// 1-based line.
    pub line: usize,
    pub kind: CameraLinksErrorKind,
}

/// The cause of a [`CameraLinksError`].
#[derive(Clone, Debug, PartialEq)]
pub enum CameraLinksErrorKind {
    /// Not 4 or 5 fields (the line without its comment).
    Fields { content: String },
    /// A transit time that is not a finite number.
    BadNumber { token: String, what: &'static str },
    /// A negative transit time.
    Negative { token: String, what: &'static str },
    /// `min_s > max_s` (the fields as written).
    MinAboveMax { min: String, max: String },
    /// A fifth field other than `overlapping=true|false`.
    UnknownOption { option: String },
    /// The camera pair (either order) was listed before, on `first_line`.
    Duplicate {
        a: String,
        b: String,
        first_line: usize,
    },
}

impl fmt::Display for CameraLinksErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CameraLinksErrorKind::Fields { content } => write!(
                f,
                "expected 'camA camB min_s max_s [overlapping=true]', found '{content}'"
            ),
            CameraLinksErrorKind::BadNumber { token, what } => {
                write!(f, "bad number '{token}' for {what}")
            }
            CameraLinksErrorKind::Negative { token, what } => {
                write!(f, "{what} must not be negative, found '{token}'")
            }
            CameraLinksErrorKind::MinAboveMax { min, max } => {
                write!(f, "min_s {min} is greater than max_s {max}")
            }
            CameraLinksErrorKind::UnknownOption { option } => write!(
                f,
                "unknown option '{option}' (expected overlapping=true or overlapping=false)"
            ),
            CameraLinksErrorKind::Duplicate { a, b, first_line } => write!(
                f,
                "camera pair '{a} {b}' already listed on line {first_line}"
            ),
        }
    }
}

impl fmt::Display for CameraLinksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "camera-links {}:{}: {}", self.path, self.line, self.kind)
    }
}

impl std::error::Error for CameraLinksError {}

/// Parses a camera-links table.
///
/// Text format, one pair per line: `camA camB min_seconds max_seconds
/// [overlapping=true|false]`; `#` starts a comment (to the end of the line),
/// blank lines are ignored, pairs are symmetric. Errors name the path and the
/// 1-based line, e.g. `camera-links links.txt:3: expected 'camA camB min_s
/// max_s [overlapping=true]', found 'a b 1'`; numbers must be finite and not
/// negative, `min_s ≤ max_s`, the only option is `overlapping=true|false`,
/// and a pair may be listed once.
pub fn parse_camera_links(text: &str, path: &str) -> Result<CameraLinks, CameraLinksError> {
    let mut links = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let link = parse_link(content).map_err(|kind| CameraLinksError {
            path: path.to_string(),
            line,
            kind,
        })?;
        let key = if link.a <= link.b {
            (link.a.clone(), link.b.clone())
        } else {
            (link.b.clone(), link.a.clone())
        };
        if let Some(first_line) = seen.insert(key, line) {
            return Err(CameraLinksError {
                path: path.to_string(),
                line,
                kind: CameraLinksErrorKind::Duplicate {
                    a: link.a,
                    b: link.b,
                    first_line,
                },
            });
        }
        links.push(link);
    }
    Ok(CameraLinks { links })
}

/// One line of a camera-links table, comment and blanks removed.
fn parse_link(content: &str) -> Result<CameraLink, CameraLinksErrorKind> {
    let tokens: Vec<&str> = content.split_whitespace().collect();
    if tokens.len() != 4 && tokens.len() != 5 {
        return Err(CameraLinksErrorKind::Fields {
            content: content.to_string(),
        });
    }
    let number = |tok: &str, what: &'static str| -> Result<f64, CameraLinksErrorKind> {
        let token = tok.to_string();
        let v: f64 = tok
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| CameraLinksErrorKind::BadNumber {
                token: token.clone(),
                what,
            })?;
        if v < 0.0 {
            return Err(CameraLinksErrorKind::Negative { token, what });
        }
        Ok(v)
    };
    let min_s = number(tokens[2], "min_s")?;
    let max_s = number(tokens[3], "max_s")?;
    if min_s > max_s {
        return Err(CameraLinksErrorKind::MinAboveMax {
            min: tokens[2].to_string(),
            max: tokens[3].to_string(),
        });
    }
    let overlapping = match tokens.get(4) {
        None => false,
        Some(&"overlapping=true") => true,
        Some(&"overlapping=false") => false,
        Some(other) => {
            return Err(CameraLinksErrorKind::UnknownOption {
                option: other.to_string(),
            })
        }
    };
    Ok(CameraLink {
        a: tokens[0].to_string(),
        b: tokens[1].to_string(),
        min_s,
        max_s,
        overlapping,
    })
}

/// A camera-link rule resolved to nanoseconds.
#[derive(Clone, Copy, Debug)]
pub(super) struct Rule {
    pub(super) min_ns: i128,
    pub(super) max_ns: i128,
    pub(super) overlapping: bool,
}

impl Rule {
    pub(super) fn allows(&self, gap: i128) -> bool {
        (self.overlapping && gap <= 0) || (gap >= self.min_ns && gap <= self.max_ns)
    }
}
