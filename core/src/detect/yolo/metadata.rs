// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The metadata the Ultralytics exporter writes into the ONNX model's
//! `metadata_props` (values are Python literals), and the literal parser.

use std::fmt;

/// Largest class index accepted in a `names` literal.
const MAX_CLASS_INDEX: usize = 100_000;

/// What the Ultralytics exporter writes into `metadata_props` (values are
/// Python literals).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelMetadata {
    /// Class names by class index (empty when unknown).
    pub names: Vec<String>,
    /// `detect`, `pose`, `segment`, …
    pub task: Option<String>,
    /// `(K, D)`: keypoints per object and values per keypoint.
    pub kpt_shape: Option<(usize, usize)>,
    /// Model input size `(h, w)`.
    pub imgsz: Option<(u32, u32)>,
    /// Whether the model has an NMS-free (one-to-one) head.
    pub end2end: Option<bool>,
    /// Largest stride of the model.
    pub stride: Option<u32>,
}

impl ModelMetadata {
    /// Reads the Ultralytics metadata; `get(key)` returns the value string of
    /// a key, `None` when absent. Keys read: `names`, `task`, `kpt_shape`,
    /// `imgsz`, `end2end`, `stride`. A present but unparsable value is an
    /// error naming the key and the value.
    pub fn from_props(
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<ModelMetadata, MetadataError> {
        fn bad(key: &'static str, value: &str, reason: impl Into<MetadataReason>) -> MetadataError {
            MetadataError {
                key,
                value: value.to_string(),
                reason: reason.into(),
            }
        }
        let mut meta = ModelMetadata::default();
        if let Some(v) = get("names") {
            meta.names = parse_names(&v).map_err(|e| bad("names", &v, e))?;
        }
        if let Some(v) = get("task") {
            let t = unquote(v.trim());
            if !t.is_empty() {
                meta.task = Some(t.to_string());
            }
        }
        if let Some(v) = get("kpt_shape") {
            let l = parse_int_list(&v).map_err(|e| bad("kpt_shape", &v, e))?;
            match l[..] {
                [k, d] if k >= 1 && (d == 2 || d == 3) => {
                    meta.kpt_shape = Some((k as usize, d as usize));
                }
                _ => {
                    return Err(bad(
                        "kpt_shape",
                        &v,
                        "expected [K, D] with K >= 1 and D = 2 or 3",
                    ))
                }
            }
        }
        if let Some(v) = get("imgsz") {
            let l = parse_int_list(&v).map_err(|e| bad("imgsz", &v, e))?;
            let dim = |x: i64| u32::try_from(x).ok().filter(|&x| x > 0);
            let hw = match l[..] {
                [s] => dim(s).map(|s| (s, s)),
                [h, w] => dim(h).zip(dim(w)),
                _ => None,
            };
            meta.imgsz =
                Some(hw.ok_or_else(|| {
                    bad("imgsz", &v, "expected [h, w] or a single size, all > 0")
                })?);
        }
        if let Some(v) = get("end2end") {
            meta.end2end = Some(match unquote(v.trim()) {
                "True" | "true" | "1" => true,
                "False" | "false" | "0" => false,
                _ => return Err(bad("end2end", &v, "expected True or False")),
            });
        }
        if let Some(v) = get("stride") {
            let l = parse_int_list(&v).map_err(|e| bad("stride", &v, e))?;
            // A list of strides (one per head) counts by its largest one.
            let s = l.iter().copied().max().and_then(|s| u32::try_from(s).ok());
            match s {
                Some(s) if s > 0 => meta.stride = Some(s),
                _ => return Err(bad("stride", &v, "expected a positive integer")),
            }
        }
        Ok(meta)
    }
}

/// Strips one pair of matching `'` or `"` quotes.
fn unquote(s: &str) -> &str {
    for q in ['\'', '"'] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

/// A cursor over a Python literal.
struct Lit<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Lit<'a> {
    fn new(s: &'a str) -> Self {
        Lit { s, pos: 0 }
    }

    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn err(&self, what: &str) -> LiteralError {
        LiteralError::Unexpected {
            expected: what.to_string(),
            pos: self.pos,
            found: self.peek(),
        }
    }

    fn expect(&mut self, c: char) -> Result<(), LiteralError> {
        if self.peek() == Some(c) {
            self.bump();
            Ok(())
        } else {
            Err(self.err(&format!("{c:?}")))
        }
    }

    fn at_end(&mut self) -> Result<(), LiteralError> {
        self.ws();
        if self.peek().is_none() {
            Ok(())
        } else {
            Err(self.err("the end"))
        }
    }

    fn int(&mut self) -> Result<i64, LiteralError> {
        let start = self.pos;
        if matches!(self.peek(), Some('-' | '+')) {
            self.bump();
        }
        let digits = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
        if self.pos == digits {
            self.pos = start;
            return Err(self.err("an integer"));
        }
        self.s[start..self.pos]
            .parse()
            .map_err(|_| LiteralError::IntegerOutOfRange {
                text: self.s[start..self.pos].to_string(),
            })
    }

    fn hex(&mut self, n: usize) -> Result<char, LiteralError> {
        let mut v = 0u32;
        for _ in 0..n {
            let d = self
                .peek()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.err("a hex digit"))?;
            self.bump();
            v = v * 16 + d;
        }
        char::from_u32(v).ok_or(LiteralError::InvalidEscape { value: v })
    }

    /// A single- or double-quoted Python string with backslash escapes.
    fn string(&mut self) -> Result<String, LiteralError> {
        let quote = match self.peek() {
            Some(q @ ('\'' | '"')) => q,
            _ => return Err(self.err("a quoted string")),
        };
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(LiteralError::Unterminated { pos: self.pos }),
                Some(c) if c == quote => return Ok(out),
                Some('\\') => match self.bump() {
                    None => return Err(LiteralError::Unterminated { pos: self.pos }),
                    Some(c @ ('\\' | '\'' | '"')) => out.push(c),
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('0') => out.push('\0'),
                    Some('x') => out.push(self.hex(2)?),
                    Some('u') => out.push(self.hex(4)?),
                    Some('U') => out.push(self.hex(8)?),
                    // Python keeps unknown escapes as written.
                    Some(c) => {
                        out.push('\\');
                        out.push(c);
                    }
                },
                Some(c) => out.push(c),
            }
        }
    }

    /// After an item: `,` (then `close` may follow) or `close`. Returns
    /// true when the sequence is closed.
    fn sep(&mut self, close: char) -> Result<bool, LiteralError> {
        self.ws();
        match self.peek() {
            Some(',') => {
                self.bump();
                self.ws();
                if self.peek() == Some(close) {
                    self.bump();
                    return Ok(true);
                }
                Ok(false)
            }
            Some(c) if c == close => {
                self.bump();
                Ok(true)
            }
            _ => Err(self.err(&format!("',' or {close:?}"))),
        }
    }
}

/// Parses the Ultralytics `names` literal: a dict
/// `{0: 'person', 1: 'bicycle'}` (the key is the class index, missing
/// indices become `""`) or a list `['person', 'bicycle']`. Strings may use
/// `'` or `"` and backslash escapes.
pub fn parse_names(s: &str) -> Result<Vec<String>, LiteralError> {
    let mut p = Lit::new(s);
    p.ws();
    let mut names: Vec<String> = Vec::new();
    match p.peek() {
        Some('{') => {
            p.bump();
            p.ws();
            if p.peek() == Some('}') {
                p.bump();
            } else {
                loop {
                    p.ws();
                    let key_pos = p.pos;
                    let key = p.int()?;
                    let idx = usize::try_from(key)
                        .ok()
                        .filter(|&k| k <= MAX_CLASS_INDEX)
                        .ok_or(LiteralError::ClassIndex { key, pos: key_pos })?;
                    p.ws();
                    p.expect(':')?;
                    p.ws();
                    let name = p.string()?;
                    if names.len() <= idx {
                        names.resize(idx + 1, String::new());
                    }
                    names[idx] = name;
                    if p.sep('}')? {
                        break;
                    }
                }
            }
        }
        Some(open @ ('[' | '(')) => {
            let close = if open == '[' { ']' } else { ')' };
            p.bump();
            p.ws();
            if p.peek() == Some(close) {
                p.bump();
            } else {
                loop {
                    p.ws();
                    names.push(p.string()?);
                    if p.sep(close)? {
                        break;
                    }
                }
            }
        }
        _ => return Err(p.err("'{' or '['")),
    }
    p.at_end()?;
    Ok(names)
}

/// Parses an integer list literal: `[640, 640]`, `(17, 3)` or a single
/// integer `640` (→ `[640]`).
pub fn parse_int_list(s: &str) -> Result<Vec<i64>, LiteralError> {
    let mut p = Lit::new(s);
    p.ws();
    let mut out = Vec::new();
    match p.peek() {
        Some(open @ ('[' | '(')) => {
            let close = if open == '[' { ']' } else { ')' };
            p.bump();
            p.ws();
            if p.peek() == Some(close) {
                p.bump();
            } else {
                loop {
                    p.ws();
                    out.push(p.int()?);
                    if p.sep(close)? {
                        break;
                    }
                }
            }
        }
        _ => out.push(p.int()?),
    }
    p.at_end()?;
    Ok(out)
}

/// Why a Python literal ([`parse_names`], [`parse_int_list`]) cannot be
/// parsed. Positions are byte offsets in the literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiteralError {
    /// Something other than `expected` at `pos` (`found`: `None` at the end).
    Unexpected {
        expected: String,
        pos: usize,
        found: Option<char>,
    },
    /// An integer that does not fit in `i64`.
    IntegerOutOfRange { text: String },
    /// A `\x`, `\u` or `\U` escape that is not a character.
    InvalidEscape { value: u32 },
    /// A string without its closing quote.
    Unterminated { pos: usize },
    /// A `names` key outside `0..=100000`.
    ClassIndex { key: i64, pos: usize },
}

impl fmt::Display for LiteralError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LiteralError::Unexpected {
                expected,
                pos,
                found: Some(c),
            } => write!(f, "expected {expected} at byte {pos}, found {c:?}"),
            LiteralError::Unexpected {
                expected,
                pos,
                found: None,
            } => write!(f, "expected {expected} at byte {pos}, found the end"),
            LiteralError::IntegerOutOfRange { text } => write!(f, "integer {text} out of range"),
            LiteralError::InvalidEscape { value } => write!(f, "invalid escape value {value:#x}"),
            LiteralError::Unterminated { pos } => write!(f, "unterminated string at byte {pos}"),
            LiteralError::ClassIndex { key, pos } => write!(
                f,
                "class index {key} at byte {pos} is not in 0..={MAX_CLASS_INDEX}"
            ),
        }
    }
}

impl std::error::Error for LiteralError {}

/// A metadata value of [`ModelMetadata::from_props`] that cannot be used:
/// `model metadata <key> = "<value>" cannot be parsed: <reason>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataError {
    /// The metadata key (`names`, `kpt_shape`, `imgsz`, `end2end`, `stride`).
    pub key: &'static str,
    /// The value as found.
    pub value: String,
    pub reason: MetadataReason,
}

/// Why a metadata value cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetadataReason {
    /// It is not a valid literal.
    Literal(LiteralError),
    /// It is a literal, but not one the key allows (what is expected).
    Invalid(&'static str),
}

impl From<LiteralError> for MetadataReason {
    fn from(e: LiteralError) -> Self {
        MetadataReason::Literal(e)
    }
}

impl From<&'static str> for MetadataReason {
    fn from(expected: &'static str) -> Self {
        MetadataReason::Invalid(expected)
    }
}

impl fmt::Display for MetadataReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetadataReason::Literal(e) => e.fmt(f),
            MetadataReason::Invalid(expected) => f.write_str(expected),
        }
    }
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "model metadata {} = {:?} cannot be parsed: {}",
            self.key, self.value, self.reason
        )
    }
}

impl std::error::Error for MetadataError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.reason {
            MetadataReason::Literal(e) => Some(e),
            MetadataReason::Invalid(_) => None,
        }
    }
}
