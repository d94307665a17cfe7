// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! MOTChallenge text files: detections (`det.txt`), results and `seqinfo.ini`.
//!
//! MOT files use 1-based frames and 1-based pixel coordinates; the rest of
//! gst-rstracking uses 0-based frames and pixels. Readers subtract 1 from
//! `bb_left`/`bb_top`, writers add it back.
//!
//! Importing detections ([`read_detections`] here, JSON Lines in
//! [`crate::io::schema::parse_jsonl`]) never lets a degenerate box reach a
//! tracker: a detection with a NaN or infinite value (also one that only
//! overflows once narrowed to `f32`, such as `1e39`), or a width or height
//! that is not > 0, is dropped and counted in [`ImportNotes`] with its
//! first line, so rsdetect warns once. Boxes outside the frame are kept.
//! A UTF-8 byte order mark at the start of a file is skipped.
//! [`parse_row`]/[`parse_rows`] (results, ground truth) stay strict: NaN,
//! infinite values and negative sizes are errors there.

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

/// Detections that an importer dropped, or objects whose keypoints or
/// embedding it dropped ([`ImportNotes`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    pub count: u64,
    /// 1-based line of the first one (0 when `count` is 0).
    pub first_line: usize,
}

impl Dropped {
    pub(crate) fn add(&mut self, line: usize) {
        if self.count == 0 {
            self.first_line = line;
        }
        self.count += 1;
    }
}

/// What an importer noticed while reading, for the warnings of rsdetect.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ImportNotes {
    /// Largest score of the kept detections and its 1-based line (the
    /// first line if several).
    pub max_score: Option<(f64, usize)>,
    /// Smallest score of the kept detections and its 1-based line.
    pub min_score: Option<(f64, usize)>,
    /// Detections dropped for a non-finite value or a non-positive box
    /// size ([`importable`]).
    pub dropped: Dropped,
    /// JSON Lines objects kept without their keypoints (a non-finite
    /// keypoint value).
    pub dropped_keypoints: Dropped,
    /// JSON Lines objects kept without their embedding (a non-finite
    /// embedding value).
    pub dropped_embeddings: Dropped,
}

impl ImportNotes {
    /// Records the score of a kept detection read on `line`.
    pub fn score(&mut self, score: f64, line: usize) {
        if self.max_score.is_none_or(|(m, _)| score > m) {
            self.max_score = Some((score, line));
        }
        if self.min_score.is_none_or(|(m, _)| score < m) {
            self.min_score = Some((score, line));
        }
    }
}

/// Whether a box (0-based pixels) and score, as the tracker will see them
/// (`f32`), may be imported: every value finite, width and height > 0,
/// and the right and bottom edges (`x + w`, `y + h`) finite too. A box
/// that fails this would give NaN or infinite tracks.
pub fn importable(b: &BBox, score: f32) -> bool {
    [b.x, b.y, b.w, b.h, score, b.x + b.w, b.y + b.h]
        .iter()
        .all(|v| v.is_finite())
        && b.w > 0.0
        && b.h > 0.0
}

/// Detections grouped by 0-based frame index, as objects in 0-based pixels
/// (JSON Lines import, [`crate::io::schema::parse_jsonl`]).
#[derive(Debug, Clone, Default)]
pub struct DetectionsByFrame {
    pub frames: BTreeMap<u64, Vec<Object>>,
    pub notes: ImportNotes,
}

impl DetectionsByFrame {
    pub fn last_frame(&self) -> Option<u64> {
        self.frames.keys().next_back().copied()
    }
}

/// One imported row of a MOT `det.txt` in 0-based frames and pixels, 28
/// bytes: [`MotDetections`] holds millions of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MotDetection {
    /// 0-based frame index (MOT frame − 1).
    pub frame: u32,
    /// The row's id when ≥ 1 (ground truth or results files), else 0.
    pub track_id: u32,
    pub bbox: BBox,
    pub score: f32,
}

impl MotDetection {
    /// The object the tracker sees: class 0, the id as track id.
    pub fn to_object(&self) -> Object {
        let mut o = Object::new(self.bbox, self.score, 0);
        if self.track_id >= 1 {
            o.track_id = Some(u64::from(self.track_id));
        }
        o
    }
}

/// A MOT `det.txt` read by [`read_detections`]: compact rows sorted by
/// frame (rows of one frame in file order); objects are built per frame
/// with [`MotDetections::objects`].
#[derive(Debug, Clone, Default)]
pub struct MotDetections {
    rows: Vec<MotDetection>,
    pub notes: ImportNotes,
}

impl MotDetections {
    /// All rows, sorted by frame.
    pub fn rows(&self) -> &[MotDetection] {
        &self.rows
    }

    /// The rows of 0-based frame `index`, in file order.
    pub fn frame(&self, index: u64) -> &[MotDetection] {
        let lo = self.rows.partition_point(|r| u64::from(r.frame) < index);
        let hi = self.rows.partition_point(|r| u64::from(r.frame) <= index);
        &self.rows[lo..hi]
    }

    /// The objects of 0-based frame `index`.
    pub fn objects(&self, index: u64) -> Vec<Object> {
        self.frame(index)
            .iter()
            .map(MotDetection::to_object)
            .collect()
    }

    /// The distinct frames of the rows at or after frame `from`, in order.
    pub fn frames_from(&self, from: u64) -> impl Iterator<Item = u64> + '_ {
        let lo = self.rows.partition_point(|r| u64::from(r.frame) < from);
        let mut prev = None;
        self.rows[lo..].iter().filter_map(move |r| {
            let f = u64::from(r.frame);
            (prev.replace(f) != Some(f)).then_some(f)
        })
    }

    pub fn last_frame(&self) -> Option<u64> {
        self.rows.last().map(|r| u64::from(r.frame))
    }
}

/// Why [`read_detections`] failed: the reader (an I/O error, or bytes
/// that are not UTF-8, reported as `InvalidData` like
/// [`std::fs::read_to_string`] does) or a line.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    Parse(ParseError),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => e.fmt(f),
            ReadError::Parse(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads a MOT `det.txt` line by line into compact rows (MOT frame f →
/// index f-1, pixels made 0-based). A row id ≥ 1 (ground truth or results
/// files) becomes the object's track id.
///
/// Blank lines and lines starting with `#` are skipped, and so is a UTF-8
/// byte order mark at the start. A row whose box or score is NaN or
/// infinite (also once narrowed to `f32`: `1e39`), or whose width or
/// height is not > 0, is dropped and counted in
/// [`ImportNotes::dropped`]; any other malformed line is an error naming
/// it. Frames past 4294967296 and ids above 4294967295 are errors (rows
/// are stored in 32 bits). A file without any row is an error.
pub fn read_detections<R: std::io::BufRead>(
    mut reader: R,
    path: &str,
) -> Result<MotDetections, ReadError> {
    let mut out = MotDetections::default();
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    let mut any_row = false;
    let err = |line: usize, message: String| {
        ReadError::Parse(ParseError {
            path: path.to_string(),
            line,
            message,
        })
    };
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).map_err(ReadError::Io)? == 0 {
            break;
        }
        line_no += 1;
        let line = std::str::from_utf8(&buf).map_err(|_| {
            ReadError::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ))
        })?;
        let line = if line_no == 1 {
            line.strip_prefix('\u{feff}').unwrap_or(line)
        } else {
            line
        };
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        any_row = true;
        let row = match parse_row(t) {
            Ok(row) => row,
            Err(RowError::NotFinite { .. } | RowError::NegativeSize { .. }) => {
                out.notes.dropped.add(line_no);
                continue;
            }
            Err(e) => return Err(err(line_no, e.to_string())),
        };
        match compact_row(&row).map_err(|m| err(line_no, m))? {
            Some(d) => {
                out.notes.score(row.score, line_no);
                out.rows.push(d);
            }
            None => out.notes.dropped.add(line_no),
        }
    }
    if !any_row {
        return Err(err(0, "file holds no detections (empty)".into()));
    }
    // Stable: the rows of a frame stay in file order.
    if !out.rows.is_sorted_by_key(|r| r.frame) {
        out.rows.sort_by_key(|r| r.frame);
    }
    out.rows.shrink_to_fit();
    Ok(out)
}

/// A parsed row as a compact detection (0-based frame and pixels, 32-bit
/// frame and id); None when the box or score is not importable (dropped);
/// an error message when the frame or id does not fit 32 bits.
fn compact_row(row: &MotRow) -> Result<Option<MotDetection>, String> {
    let Ok(frame) = u32::try_from(row.frame - 1) else {
        return Err(format!(
            "column 1 (frame): {} is past frame 4294967296, the last one import can address",
            row.frame
        ));
    };
    let track_id = if row.id >= 1 {
        u32::try_from(row.id).map_err(|_| {
            format!(
                "column 2 (id): {} is above 4294967295, the largest id import keeps",
                row.id
            )
        })?
    } else {
        0
    };
    let bbox = BBox::new(
        (row.x - 1.0) as f32,
        (row.y - 1.0) as f32,
        row.w as f32,
        row.h as f32,
    );
    let score = row.score as f32;
    if !importable(&bbox, score) {
        return Ok(None);
    }
    Ok(Some(MotDetection {
        frame,
        track_id,
        bbox,
        score,
    }))
}

/// [`read_detections`] of a text.
pub fn parse_detections(text: &str, path: &str) -> Result<MotDetections, ParseError> {
    read_detections(text.as_bytes(), path).map_err(|e| match e {
        ReadError::Parse(e) => e,
        // Not expected: a &str is UTF-8 and reading a slice cannot fail.
        ReadError::Io(e) => ParseError {
            path: path.to_string(),
            line: 0,
            message: e.to_string(),
        },
    })
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
        assert_eq!(d.frames_from(0).collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(d.frames_from(1).collect::<Vec<_>>(), vec![2]);
        assert_eq!(d.frames_from(3).count(), 0);
        assert_eq!(d.objects(0)[0].bbox, BBox::new(0.0, 0.0, 10.0, 20.0));
        assert!(d.objects(1).is_empty());
        assert_eq!(d.objects(2).len(), 2);
        assert_eq!(d.objects(2)[0].bbox, BBox::new(10.0, 20.0, 5.0, 6.0));
        assert_eq!(d.objects(2)[0].confidence, 0.9);
        // Rows of a frame stay in file order.
        assert_eq!(d.objects(2)[1].bbox, BBox::new(1.0, 1.0, 3.0, 3.0));
        assert_eq!(d.notes.max_score, Some((0.9, 1)));
        assert_eq!(d.notes.min_score, Some((0.1, 4)));
        assert_eq!(d.notes.dropped, Dropped::default());
        assert_eq!(d.last_frame(), Some(2));
        assert_eq!(std::mem::size_of::<MotDetection>(), 28);
    }

    #[test]
    fn ids_become_track_ids() {
        let d =
            parse_detections("1,7,1,1,2,2,1\n1,-1,1,1,2,2,1\n1,0,1,1,2,2,1\n", "gt.txt").unwrap();
        let ids: Vec<_> = d.objects(0).iter().map(|o| o.track_id).collect();
        assert_eq!(ids, vec![Some(7), None, None]);
    }

    #[test]
    fn degenerate_boxes_are_dropped_and_counted() {
        let text = concat!(
            "1,-1,1,1,10,10,0.5\n", // kept
            "1,-1,10,10,50,0,1\n",  // zero height
            "# comment\n",
            "1,-1,10,10,0,0,1\n",       // 0x0
            "2,-1,10,10,-5,10,1\n",     // negative width
            "2,-1,nan,10,5,10,1\n",     // NaN
            "2,-1,10,10,inf,10,1\n",    // infinite
            "2,-1,10,10,1e39,10,1\n",   // infinite in f32
            "2,-1,10,10,5,10,NaN\n",    // NaN score
            "2,-1,10,10,5,10,-1e39\n",  // score infinite in f32
            "2,-1,3e38,10,3e38,10,1\n", // right edge infinite in f32
            "2,-1,10,10,1e-46,10,1\n",  // width 0 in f32
            "3,-1,1,1,20,20,0.7\n",     // kept
        );
        let d = parse_detections(text, "det.txt").unwrap();
        assert_eq!(
            d.notes.dropped,
            Dropped {
                count: 10,
                first_line: 2
            }
        );
        assert_eq!(d.rows().len(), 2);
        assert_eq!(d.frames_from(0).collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(d.notes.max_score, Some((0.7, 13)));
        // Only dropped rows: not an error (rsdetect warns about the drops).
        let d = parse_detections("1,-1,1,1,0,5,0.5\n", "det.txt").unwrap();
        assert!(d.rows().is_empty());
        assert_eq!(d.notes.dropped.count, 1);
        assert_eq!(d.notes.max_score, None);
        // Results and ground truth stay strict.
        assert_eq!(
            parse_row("1,-1,1,1,-5,5,1"),
            Err(RowError::NegativeSize { w: -5.0, h: 5.0 })
        );
    }

    #[test]
    fn negative_scores_are_noted() {
        let d = parse_detections(
            "1,-1,1,1,10,10,0.5\n1,-1,1,1,10,10,-0.25\n2,-1,1,1,10,10,-0.5\n2,-1,1,1,10,10,-0.5\n",
            "det.txt",
        )
        .unwrap();
        assert_eq!(d.notes.min_score, Some((-0.5, 3)));
        assert_eq!(d.notes.max_score, Some((0.5, 1)));
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let d = parse_detections(
            "\u{feff}1,-1,1,1,10,20,0.5\r\n2,-1,1,1,10,20,0.5\r\n",
            "det.txt",
        )
        .unwrap();
        assert_eq!(d.rows().len(), 2);
        assert_eq!(d.objects(0)[0].bbox, BBox::new(0.0, 0.0, 10.0, 20.0));
        // Only at the start of the file.
        let e = parse_detections(
            "1,-1,1,1,10,20,0.5\n\u{feff}2,-1,1,1,10,20,0.5\n",
            "det.txt",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "det.txt:2: column 1 (frame): cannot parse '\u{feff}2'"
        );
    }

    #[test]
    fn reading_streams_and_checks_encoding_and_ranges() {
        let text = "2,-1,1,1,10,20,0.5\n1,-1,5,5,10,20,0.25\n";
        // A reader with a tiny buffer gives the same rows as the text.
        let r = std::io::BufReader::with_capacity(3, text.as_bytes());
        let d = read_detections(r, "det.txt").unwrap();
        assert_eq!(d.rows(), parse_detections(text, "det.txt").unwrap().rows());
        assert_eq!(d.rows()[0].frame, 0);
        let e = read_detections(
            &b"1,-1,1,1,10,20,0.5\n1,-1,\xff,1,10,20,0.5\n"[..],
            "det.txt",
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "stream did not contain valid UTF-8");
        assert!(matches!(e, ReadError::Io(ref io) if io.kind() == std::io::ErrorKind::InvalidData));
        let e = parse_detections("4294967297,-1,1,1,10,20,0.5\n", "det.txt").unwrap_err();
        assert_eq!(
            e.to_string(),
            "det.txt:1: column 1 (frame): 4294967297 is past frame 4294967296, the last one import can address"
        );
        let d = parse_detections("4294967296,4294967295,1,1,10,20,0.5\n", "det.txt").unwrap();
        assert_eq!(d.last_frame(), Some(4294967295));
        assert_eq!(d.objects(4294967295)[0].track_id, Some(4294967295));
        let e = parse_detections("1,4294967296,1,1,10,20,0.5\n", "det.txt").unwrap_err();
        assert_eq!(
            e.to_string(),
            "det.txt:1: column 2 (id): 4294967296 is above 4294967295, the largest id import keeps"
        );
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
