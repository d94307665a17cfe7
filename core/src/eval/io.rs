// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Readers for MOTChallenge ground-truth and result files, with the column
//! rules of TrackEval's `MotChallenge2DBox` loader.

use super::EvalError;
use crate::io::mot::ParseError;
use crate::types::decimal_f64;
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

/// One ground-truth row: `frame, id, x, y, w, h, flag, class[, visibility, …]`.
///
/// Values are kept as TrackEval reads them: `id`, `flag` and `class` are the
/// column values truncated to integers. For MOT15 files columns 8-10 are world
/// coordinates, so `class`/`visibility` carry no meaning there and are unused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GtRow {
    /// 1-based frame number.
    pub frame: u64,
    pub id: i64,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// Column 7: 0 = ignore (TrackEval's `zero_marked`), anything else = evaluate.
    pub flag: i64,
    /// Column 8 (MOT16/17/20 class, 1 = pedestrian).
    pub class: i64,
    /// Column 9 if present, else NaN. Never used by the evaluation.
    pub visibility: f64,
}

/// One tracker result row: `frame, id, x, y, w, h, conf[, class, …]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResultRow {
    /// 1-based frame number.
    pub frame: u64,
    pub id: i64,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub conf: f64,
    /// Column 8 truncated to an integer if present, else 1. TrackEval rejects
    /// values above 1 (only pedestrians are evaluated); `-1` is the usual value.
    pub class: i64,
}

impl ResultRow {
    /// A pedestrian result row (class 1, confidence 1).
    pub fn new(frame: u64, id: i64, x: f64, y: f64, w: f64, h: f64) -> Self {
        ResultRow {
            frame,
            id,
            x,
            y,
            w,
            h,
            conf: 1.0,
            class: 1,
        }
    }
}

impl GtRow {
    /// An evaluated pedestrian ground-truth row (flag 1, class 1, visibility 1).
    pub fn new(frame: u64, id: i64, x: f64, y: f64, w: f64, h: f64) -> Self {
        GtRow {
            frame,
            id,
            x,
            y,
            w,
            h,
            flag: 1,
            class: 1,
            visibility: 1.0,
        }
    }
}

/// Splits a line into trimmed fields. Comma separated (whitespace separated if
/// the line has no comma); one empty trailing field (trailing comma) is dropped.
fn split_fields(line: &str) -> Vec<&str> {
    let mut cols: Vec<&str> = if line.contains(',') {
        line.split(',').map(str::trim).collect()
    } else {
        line.split_whitespace().collect()
    };
    if cols.len() > 1 && cols.last() == Some(&"") {
        cols.pop();
    }
    cols
}

fn number(cols: &[&str], i: usize, name: &str) -> Result<f64, String> {
    let v: f64 = cols[i]
        .parse()
        .map_err(|_| format!("column {} ({name}): cannot parse '{}'", i + 1, cols[i]))?;
    if !v.is_finite() {
        return Err(format!(
            "column {} ({name}): not a finite number '{}'",
            i + 1,
            cols[i]
        ));
    }
    Ok(v)
}

/// Integer column, truncated toward zero as numpy's `astype(int)` does.
fn truncated(cols: &[&str], i: usize, name: &str) -> Result<i64, String> {
    let v = number(cols, i, name)?;
    if v.abs() >= 9.0e18 {
        return Err(format!(
            "column {} ({name}): out of range '{}'",
            i + 1,
            cols[i]
        ));
    }
    Ok(v.trunc() as i64)
}

fn frame_number(cols: &[&str]) -> Result<u64, String> {
    let f = number(cols, 0, "frame")?;
    if !(f >= 1.0 && f.fract() == 0.0 && f < 1e15) {
        return Err(format!(
            "column 1 (frame): expected an integer >= 1, found '{}'",
            cols[0]
        ));
    }
    Ok(f as u64)
}

fn parse_gt_line(line: &str) -> Result<GtRow, String> {
    let cols = split_fields(line);
    if cols.len() < 8 {
        return Err(format!(
            "ground truth needs at least 8 columns (frame,id,x,y,w,h,flag,class[,visibility]), found {}",
            cols.len()
        ));
    }
    Ok(GtRow {
        frame: frame_number(&cols)?,
        id: truncated(&cols, 1, "id")?,
        x: number(&cols, 2, "bb_left")?,
        y: number(&cols, 3, "bb_top")?,
        w: number(&cols, 4, "bb_width")?,
        h: number(&cols, 5, "bb_height")?,
        flag: truncated(&cols, 6, "flag")?,
        class: truncated(&cols, 7, "class")?,
        visibility: if cols.len() > 8 {
            number(&cols, 8, "visibility")?
        } else {
            f64::NAN
        },
    })
}

fn parse_result_line(line: &str) -> Result<ResultRow, String> {
    let cols = split_fields(line);
    if cols.len() < 7 {
        return Err(format!(
            "results need at least 7 columns (frame,id,x,y,w,h,conf[,-1,-1,-1]), found {}",
            cols.len()
        ));
    }
    let class = if cols.len() >= 8 {
        truncated(&cols, 7, "class")?
    } else {
        1
    };
    if class > 1 {
        return Err(format!(
            "column 8 (class) is {class}: only pedestrians (-1 or 1) can be evaluated"
        ));
    }
    Ok(ResultRow {
        frame: frame_number(&cols)?,
        id: truncated(&cols, 1, "id")?,
        x: number(&cols, 2, "bb_left")?,
        y: number(&cols, 3, "bb_top")?,
        w: number(&cols, 4, "bb_width")?,
        h: number(&cols, 5, "bb_height")?,
        conf: number(&cols, 6, "conf")?,
        class,
    })
}

fn parse_lines<T>(
    text: &str,
    path: &str,
    what: &str,
    parse: impl Fn(&str) -> Result<T, String>,
    key: impl Fn(&T) -> (u64, i64),
) -> Result<Vec<T>, EvalError> {
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let err = |message: String| {
            EvalError::Parse(ParseError {
                path: path.to_string(),
                line: i + 1,
                message,
            })
        };
        let row = parse(t).map_err(err)?;
        let (frame, id) = key(&row);
        if !seen.insert((frame, id)) {
            return Err(err(format!(
                "{what} id {id} appears more than once in frame {frame}"
            )));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Parses ground-truth text; `path` is only used in error messages.
/// An id repeated within one frame is an error (as in TrackEval).
pub fn parse_gt(text: &str, path: &str) -> Result<Vec<GtRow>, EvalError> {
    parse_lines(text, path, "ground-truth", parse_gt_line, |r| {
        (r.frame, r.id)
    })
}

/// Parses a tracker result text; `path` is only used in error messages.
/// An id repeated within one frame is an error (as in TrackEval).
pub fn parse_results(text: &str, path: &str) -> Result<Vec<ResultRow>, EvalError> {
    parse_lines(text, path, "tracker", parse_result_line, |r| {
        (r.frame, r.id)
    })
}

fn read(path: &Path) -> Result<String, EvalError> {
    std::fs::read_to_string(path).map_err(|e| EvalError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Reads a `gt/gt.txt` file.
pub fn load_gt(path: impl AsRef<Path>) -> Result<Vec<GtRow>, EvalError> {
    let path = path.as_ref();
    parse_gt(&read(path)?, &path.display().to_string())
}

/// Reads a tracker result file (`<seq>.txt`).
pub fn load_results(path: impl AsRef<Path>) -> Result<Vec<ResultRow>, EvalError> {
    let path = path.as_ref();
    parse_results(&read(path)?, &path.display().to_string())
}

/// `seqLength` of a `seqinfo.ini`, if the file exists. A file that exists but
/// cannot be read or parsed is an error.
pub fn load_seq_length(path: impl AsRef<Path>) -> Result<Option<u64>, EvalError> {
    let path = path.as_ref();
    if !path.is_file() {
        return Ok(None);
    }
    let text = read(path)?;
    let err = |message: String| {
        EvalError::Parse(ParseError {
            path: path.display().to_string(),
            line: 0,
            message,
        })
    };
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            if k.trim() == "seqLength" {
                let v = v.trim();
                return match v.parse::<u64>() {
                    Ok(n) => Ok(Some(n)),
                    Err(_) => Err(err(format!("key 'seqLength': cannot parse '{v}'"))),
                };
            }
        }
    }
    Err(err("missing key 'seqLength'".to_string()))
}

/// What was read from a JSON Lines prediction file by
/// [`parse_jsonl_results`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JsonlCounts {
    /// Distinct frames of the frame lines (event lines are skipped).
    pub frames: u64,
    /// Objects of all frame lines.
    pub objects: u64,
    /// Objects without a `global_id`: not evaluated.
    pub without_global_id: u64,
    /// Objects whose global id an earlier object of the same frame already
    /// has: not evaluated (the first one keeps the id, as in the MOT output
    /// of rsjsonsink).
    pub repeated_global_id: u64,
}

/// Reads predictions from our JSON Lines (schema `rstracking/1`) as result
/// rows whose id is the object's `global_id`; `path` is only used in error
/// messages.
///
/// Conversions are those of the MOT output of rsjsonsink: the 0-based frame
/// `f` becomes frame `f + 1`, the 0-based box `[x, y, w, h]` becomes
/// `x + 1, y + 1, w, h` (MOT pixels are 1-based), values are taken as the
/// shortest decimal of the stored `f32`. Every object with a global id
/// counts, whatever its class or track state. Objects without one are
/// skipped, and so is an object whose global id is repeated in its frame;
/// both are counted in the returned [`JsonlCounts`].
pub fn parse_jsonl_results(
    text: &str,
    path: &str,
) -> Result<(Vec<ResultRow>, JsonlCounts), EvalError> {
    let data = crate::io::schema::parse_jsonl(text, path).map_err(EvalError::Parse)?;
    let mut counts = JsonlCounts {
        frames: data.detections.frames.len() as u64,
        ..JsonlCounts::default()
    };
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (&frame, objects) in &data.detections.frames {
        seen.clear();
        for o in objects {
            counts.objects += 1;
            let Some(gid) = o.global_id else {
                counts.without_global_id += 1;
                continue;
            };
            if !seen.insert(gid) {
                counts.repeated_global_id += 1;
                continue;
            }
            let err = |message: String| {
                EvalError::Parse(ParseError {
                    path: path.to_string(),
                    line: 0,
                    message,
                })
            };
            let id = i64::try_from(gid)
                .map_err(|_| err(format!("frame {frame}: global id {gid} is too large")))?;
            let frame = frame
                .checked_add(1)
                .ok_or_else(|| err(format!("frame {frame} is too large")))?;
            let b = o.bbox;
            rows.push(ResultRow {
                frame,
                id,
                x: decimal_f64(b.x) + 1.0,
                y: decimal_f64(b.y) + 1.0,
                w: decimal_f64(b.w),
                h: decimal_f64(b.h),
                conf: decimal_f64(o.confidence),
                class: 1,
            });
        }
    }
    Ok((rows, counts))
}

/// Reads a JSON Lines prediction file, as [`parse_jsonl_results`].
pub fn load_jsonl_results(
    path: impl AsRef<Path>,
) -> Result<(Vec<ResultRow>, JsonlCounts), EvalError> {
    let path = path.as_ref();
    parse_jsonl_results(&read(path)?, &path.display().to_string())
}
