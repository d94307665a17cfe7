// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! MOTChallenge text files: detections (`det.txt`), results and `seqinfo.ini`.
//!
//! MOT files use 1-based frames and 1-based pixel coordinates; the rest of
//! gst-rstracking uses 0-based frames and pixels. Readers subtract 1 from
//! `bb_left`/`bb_top`, writers add it back.

use crate::types::{decimal_f64, BBox, Object};
use std::collections::BTreeMap;
use std::fmt;

/// The MOT17 training sequences (FRCNN detections) that the shared
/// reference ByteTrack outputs cover (`data/reference_bytetrack`).
pub const MOT17_SEQUENCES: [&str; 5] = [
    "MOT17-02-FRCNN",
    "MOT17-05-FRCNN",
    "MOT17-09-FRCNN",
    "MOT17-10-FRCNN",
    "MOT17-13-FRCNN",
];

/// The MOT15 training sequences that the shared reference outputs cover.
pub const MOT15_SEQUENCES: [&str; 8] = [
    "ADL-Rundle-6",
    "ETH-Bahnhof",
    "ETH-Sunnyday",
    "KITTI-17",
    "PETS09-S2L1",
    "TUD-Campus",
    "TUD-Stadtmitte",
    "Venice-2",
];

/// A parse error that names the file, the 1-based line and the cause.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.path, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ParseError {}

/// One row of a MOT detection or result file, in MOT conventions
/// (1-based frame, 1-based pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MotRow {
    pub frame: u64,
    pub id: i64,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub score: f64,
}

/// Why a line of a det/result file cannot be read ([`parse_row`]).
/// Columns are 1-based.
#[derive(Debug, Clone, PartialEq)]
pub enum RowError {
    /// Not 7 to 10 comma-separated columns.
    Columns { found: usize },
    /// A column that is not a number (`value`: trimmed).
    Unparsable {
        column: usize,
        name: &'static str,
        value: String,
    },
    /// A frame that is not an integer ≥ 1.
    Frame { value: String },
    /// An id that is not an integer.
    Id { value: String },
    /// A box value or score that is NaN or infinite.
    NotFinite { column: usize, name: &'static str },
    /// A negative width or height.
    NegativeSize { w: f64, h: f64 },
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowError::Columns { found } => write!(
                f,
                "expected 7 to 10 comma-separated columns (frame,id,x,y,w,h,score[,x,y,z]), found {found}"
            ),
            RowError::Unparsable {
                column,
                name,
                value,
            } => write!(f, "column {column} ({name}): cannot parse '{value}'"),
            RowError::Frame { value } => write!(
                f,
                "column 1 (frame): expected an integer >= 1, found '{value}'"
            ),
            RowError::Id { value } => {
                write!(f, "column 2 (id): expected an integer, found '{value}'")
            }
            RowError::NotFinite { column, name } => {
                write!(f, "column {column} ({name}): not a finite number")
            }
            RowError::NegativeSize { w, h } => {
                write!(f, "negative box size {w}x{h} (columns 5-6)")
            }
        }
    }
}

impl std::error::Error for RowError {}

fn field<T: std::str::FromStr>(cols: &[&str], i: usize, name: &'static str) -> Result<T, RowError> {
    cols[i]
        .trim()
        .parse::<T>()
        .map_err(|_| RowError::Unparsable {
            column: i + 1,
            name,
            value: cols[i].trim().to_string(),
        })
}

/// Parses one non-empty line of a det/result file (7 to 10 columns).
pub fn parse_row(line: &str) -> Result<MotRow, RowError> {
    let cols: Vec<&str> = line.split(',').collect();
    if !(7..=10).contains(&cols.len()) {
        return Err(RowError::Columns { found: cols.len() });
    }
    let frame_f: f64 = field(&cols, 0, "frame")?;
    if !(frame_f >= 1.0 && frame_f.fract() == 0.0 && frame_f < 1e12) {
        return Err(RowError::Frame {
            value: cols[0].trim().to_string(),
        });
    }
    let id_f: f64 = field(&cols, 1, "id")?;
    if id_f.fract() != 0.0 {
        return Err(RowError::Id {
            value: cols[1].trim().to_string(),
        });
    }
    let row = MotRow {
        frame: frame_f as u64,
        id: id_f as i64,
        x: field(&cols, 2, "bb_left")?,
        y: field(&cols, 3, "bb_top")?,
        w: field(&cols, 4, "bb_width")?,
        h: field(&cols, 5, "bb_height")?,
        score: field(&cols, 6, "score")?,
    };
    for (v, name, column) in [
        (row.x, "bb_left", 3),
        (row.y, "bb_top", 4),
        (row.w, "bb_width", 5),
        (row.h, "bb_height", 6),
        (row.score, "score", 7),
    ] {
        if !v.is_finite() {
            return Err(RowError::NotFinite { column, name });
        }
    }
    if row.w < 0.0 || row.h < 0.0 {
        return Err(RowError::NegativeSize { w: row.w, h: row.h });
    }
    Ok(row)
}

/// Parses a whole det/result text (rows in any order). Blank lines and lines
/// starting with `#` are skipped.
pub fn parse_rows(text: &str, path: &str) -> Result<Vec<MotRow>, ParseError> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let row = parse_row(t).map_err(|e| ParseError {
            path: path.to_string(),
            line: i + 1,
            message: e.to_string(),
        })?;
        rows.push(row);
    }
    Ok(rows)
}

/// Detections grouped by 0-based frame index, as objects in 0-based pixels.
#[derive(Debug, Clone, Default)]
pub struct DetectionsByFrame {
    pub frames: BTreeMap<u64, Vec<Object>>,
    /// Largest score seen and the 1-based line where it was seen.
    pub max_score: Option<(f64, usize)>,
}

impl DetectionsByFrame {
    pub fn last_frame(&self) -> Option<u64> {
        self.frames.keys().next_back().copied()
    }
}

/// Reads a MOT `det.txt` into per-frame objects (MOT frame f → index f-1).
/// A row id ≥ 1 (ground truth or results files) becomes the object's track id.
pub fn parse_detections(text: &str, path: &str) -> Result<DetectionsByFrame, ParseError> {
    let mut out = DetectionsByFrame::default();
    let mut line_no = 0usize;
    for line in text.lines() {
        line_no += 1;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let row = parse_row(t).map_err(|e| ParseError {
            path: path.to_string(),
            line: line_no,
            message: e.to_string(),
        })?;
        if out.max_score.is_none_or(|(m, _)| row.score > m) {
            out.max_score = Some((row.score, line_no));
        }
        let mut obj = Object::new(
            BBox::new(
                (row.x - 1.0) as f32,
                (row.y - 1.0) as f32,
                row.w as f32,
                row.h as f32,
            ),
            row.score as f32,
            0,
        );
        if row.id >= 1 {
            obj.track_id = Some(row.id as u64);
        }
        out.frames.entry(row.frame - 1).or_default().push(obj);
    }
    if line_no == 0 || out.frames.is_empty() {
        return Err(ParseError {
            path: path.to_string(),
            line: 0,
            message: "file holds no detections (empty)".into(),
        });
    }
    Ok(out)
}

/// Appends one MOT result line `frame,id,x,y,w,h,conf,-1,-1,-1\n` to
/// `out`, with a 1-based frame and 1-based pixels, from a 0-based frame
/// index and box. Appends in place: no allocation once `out` has grown.
pub fn write_result_line(out: &mut String, frame_index: u64, id: u64, b: &BBox, conf: f32) {
    use std::fmt::Write;
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "{},{},{:.2},{:.2},{:.2},{:.2},{:.4},-1,-1,-1",
        frame_index + 1,
        id,
        decimal_f64(b.x) + 1.0,
        decimal_f64(b.y) + 1.0,
        decimal_f64(b.w),
        decimal_f64(b.h),
        decimal_f64(conf)
    );
}

/// The `[Sequence]` section of a MOTChallenge `seqinfo.ini`.
#[derive(Debug, Clone, PartialEq)]
pub struct SeqInfo {
    pub name: String,
    pub frame_rate: f64,
    pub seq_length: u64,
    pub width: u32,
    pub height: u32,
}

/// Parses `seqinfo.ini` (keys name, frameRate, seqLength, imWidth, imHeight).
pub fn parse_seqinfo(text: &str, path: &str) -> Result<SeqInfo, ParseError> {
    let mut kv = BTreeMap::new();
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            kv.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    let get = |k: &str| -> Result<&String, ParseError> {
        kv.get(k).ok_or_else(|| ParseError {
            path: path.to_string(),
            line: 0,
            message: format!("missing key '{k}'"),
        })
    };
    let num = |k: &str| -> Result<f64, ParseError> {
        let v = get(k)?;
        v.parse::<f64>().map_err(|_| ParseError {
            path: path.to_string(),
            line: 0,
            message: format!("key '{k}': cannot parse '{v}'"),
        })
    };
    Ok(SeqInfo {
        name: get("name")?.clone(),
        frame_rate: num("frameRate")?,
        seq_length: num("seqLength")? as u64,
        width: num("imWidth")? as u32,
        height: num("imHeight")? as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_and_ten_columns_unsorted() {
        let text = "3,-1,11,21,5,6,0.9\n1,-1,1,1,10,20,0.5,-1,-1,-1\n\n3,-1,2,2,3,3,0.1\n";
        let d = parse_detections(text, "det.txt").unwrap();
        assert_eq!(d.frames.keys().copied().collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(d.frames[&0][0].bbox, BBox::new(0.0, 0.0, 10.0, 20.0));
        assert_eq!(d.frames[&2].len(), 2);
        assert_eq!(d.frames[&2][0].bbox, BBox::new(10.0, 20.0, 5.0, 6.0));
        assert_eq!(d.frames[&2][0].confidence, 0.9);
        assert_eq!(d.max_score, Some((0.9, 1)));
        assert_eq!(d.last_frame(), Some(2));
    }

    #[test]
    fn malformed_lines_name_the_line() {
        let e = parse_detections("1,-1,1,1,10,20,0.5\n2,-1,1,x,10,20,0.5\n", "d.txt").unwrap_err();
        assert_eq!(
            e.to_string(),
            "d.txt:2: column 4 (bb_top): cannot parse 'x'"
        );
        let e = parse_detections("1,-1,1,1\n", "d.txt").unwrap_err();
        assert_eq!(
            e.to_string(),
            "d.txt:1: expected 7 to 10 comma-separated columns (frame,id,x,y,w,h,score[,x,y,z]), found 4"
        );
        let e = parse_detections("0,-1,1,1,2,2,1\n", "d.txt").unwrap_err();
        assert_eq!(
            e.to_string(),
            "d.txt:1: column 1 (frame): expected an integer >= 1, found '0'"
        );
        let e = parse_detections("", "d.txt").unwrap_err();
        assert_eq!(e.to_string(), "d.txt: file holds no detections (empty)");
    }

    #[test]
    fn result_line_round_trip() {
        let mut l = String::from("x\n");
        write_result_line(&mut l, 0, 7, &BBox::new(914.1, 480.5, 94.7, 113.5), 1.0);
        let l = l.split_off(2);
        assert_eq!(l, "1,7,915.10,481.50,94.70,113.50,1.0000,-1,-1,-1\n");
        let r = parse_row(l.trim()).unwrap();
        assert_eq!(r.frame, 1);
        assert_eq!(r.id, 7);
    }

    #[test]
    fn seqinfo() {
        let s = parse_seqinfo(
            "[Sequence]\nname=MOT17-02-FRCNN\nframeRate=30\nseqLength=600\nimWidth=1920\nimHeight=1080\n",
            "seqinfo.ini",
        )
        .unwrap();
        assert_eq!(s.seq_length, 600);
        assert_eq!((s.width, s.height), (1920, 1080));
        assert_eq!(s.frame_rate, 30.0);
    }
}
