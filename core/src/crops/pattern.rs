// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! File name patterns of the crops: `{stream}`, `{track}`, `{frame}` and
//! `{kind}`, numbers optionally zero-padded (`{track:06}`).

use std::path::{Path, PathBuf};

/// What a placeholder stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Stream,
    Track,
    Frame,
    Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    /// A placeholder, zero-padded to `width` digits (numbers only).
    Field(Field, usize),
}

/// A parsed `location` pattern.
///
/// Placeholders: `{stream}` (the meta's stream name, or `default`; every
/// character other than ASCII letters, digits, `-`, `_` and `.` becomes
/// `_`, and `.`/`..` become `_`, so a stream name never leaves the
/// directory), `{track}` (track id), `{frame}` (frame index), `{kind}`
/// (`sample` or `best`). `{track:0N}` and `{frame:0N}` pad with zeros to N
/// digits (N ≤ 20). Other braces are an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    parts: Vec<Part>,
}

/// The values a pattern is expanded with.
#[derive(Clone, Copy, Debug)]
pub struct Names<'a> {
    pub stream: Option<&'a str>,
    pub track: u64,
    pub frame: u64,
    pub kind: &'a str,
}

impl Pattern {
    /// Parses `s`; the error names the pattern and the fault.
    pub fn parse(s: &str) -> Result<Pattern, String> {
        if s.is_empty() {
            return Err("empty pattern".into());
        }
        let mut parts = Vec::new();
        let mut rest = s;
        while let Some(open) = rest.find(['{', '}']) {
            let close = match rest[open..].find('}') {
                Some(c) if rest.as_bytes()[open] == b'{' => open + c,
                _ => return Err(format!("'{s}': unmatched brace")),
            };
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            parts.push(parse_field(&rest[open + 1..close]).map_err(|e| format!("'{s}': {e}"))?);
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Pattern { parts })
    }

    /// The path for `n`.
    pub fn expand(&self, n: &Names) -> PathBuf {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Field(Field::Stream, _) => out.push_str(&safe_stream(n.stream)),
                Part::Field(Field::Kind, _) => out.push_str(n.kind),
                Part::Field(Field::Track, w) => out.push_str(&format!("{:0w$}", n.track)),
                Part::Field(Field::Frame, w) => out.push_str(&format!("{:0w$}", n.frame)),
            }
        }
        PathBuf::from(out)
    }

    /// Whether the pattern has no placeholder (one path for every crop).
    pub fn is_fixed(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Text(_)))
    }

    /// The directory every expansion lies in: the text before the first
    /// placeholder up to its last `/` (`.` when there is none).
    pub fn fixed_dir(&self) -> PathBuf {
        let first = match self.parts.first() {
            Some(Part::Text(t)) => t.as_str(),
            _ => "",
        };
        let dir = if self.is_fixed() {
            Path::new(first)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        } else {
            PathBuf::from(first.rfind('/').map_or("", |i| &first[..=i]))
        };
        if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        }
    }
}

fn parse_field(f: &str) -> Result<Part, String> {
    let (name, pad) = match f.split_once(':') {
        Some((n, p)) => (n, Some(p)),
        None => (f, None),
    };
    let field = match name {
        "stream" => Field::Stream,
        "track" => Field::Track,
        "frame" => Field::Frame,
        "kind" => Field::Kind,
        _ => {
            return Err(format!(
            "unknown placeholder '{{{f}}}' (expected {{stream}}, {{track}}, {{frame}} or {{kind}})"
        ))
        }
    };
    let width = match pad {
        None => 0,
        Some(p) if matches!(field, Field::Track | Field::Frame) => p
            .strip_prefix('0')
            .and_then(|d| d.parse::<usize>().ok())
            .filter(|w| (1..=20).contains(w))
            .ok_or_else(|| format!("'{{{f}}}': the padding must be 0N with N in 1..=20"))?,
        Some(_) => {
            return Err(format!(
                "'{{{f}}}': only {{track}} and {{frame}} take a padding"
            ))
        }
    };
    Ok(Part::Field(field, width))
}

/// `stream` as one safe path component (see [`Pattern`]).
pub fn safe_stream(stream: Option<&str>) -> String {
    let s: String = stream
        .filter(|s| !s.is_empty())
        .unwrap_or("default")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s == "." || s == ".." {
        "_".into()
    } else {
        s
    }
}
