// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Import hardening of both readers: degenerate values in JSON Lines, and a
//! seeded fuzz test of [`mot::read_detections`] and [`schema::parse_jsonl`].

use crate::io::mot::{self, Dropped};
use crate::io::schema;
use crate::types::BBox;

fn frame_line(frame: u64, objects: &str) -> String {
    format!(r#"{{"schema":"rstracking/1","frame":{frame},"objects":[{objects}]}}"#)
}

#[test]
fn jsonl_degenerate_boxes_are_dropped_and_counted() {
    let text = [
        frame_line(0, r#"{"bbox":[1,2,3,4],"confidence":0.5}"#),
        frame_line(
            1,
            concat!(
                r#"{"bbox":[10,10,50,0],"confidence":1},"#,
                r#"{"bbox":[10,10,0,0],"confidence":1},"#,
                r#"{"bbox":[10,10,-5,10],"confidence":1},"#,
                r#"{"bbox":[10,10,1e39,10],"confidence":1},"#,
                r#"{"bbox":[1e39,10,5,10],"confidence":1},"#,
                r#"{"bbox":[10,10,5,10],"confidence":1e39},"#,
                r#"{"bbox":[3e38,10,3e38,10],"confidence":1},"#,
                r#"{"bbox":[7,8,9,10],"confidence":0.75}"#
            ),
        ),
        frame_line(2, r#"{"bbox":[10,10,5,0],"confidence":1}"#),
    ]
    .join("\n");
    let d = schema::parse_jsonl(&text, "a.jsonl").unwrap().detections;
    assert_eq!(
        d.notes.dropped,
        Dropped {
            count: 8,
            first_line: 2
        }
    );
    assert_eq!(d.frames[&0].len(), 1);
    assert_eq!(d.frames[&1].len(), 1);
    assert_eq!(d.frames[&1][0].bbox, BBox::new(7.0, 8.0, 9.0, 10.0));
    assert!(d.frames[&2].is_empty());
    assert_eq!(d.notes.max_score, Some((0.75, 2)));
    assert_eq!(d.notes.min_score, Some((0.5, 1)));
}

#[test]
fn jsonl_non_finite_keypoints_and_embeddings_are_dropped() {
    let text = [
        frame_line(
            0,
            concat!(
                r#"{"bbox":[1,2,3,4],"confidence":0.5,"keypoints":[[1,2,0.5],[1e39,2,0.5]],"keypoint_states":["measured","measured"]},"#,
                r#"{"bbox":[1,2,3,4],"confidence":0.5,"keypoints":[[1,2,0.5]],"embedding":[0.6,0.8],"embedding_frame":0}"#
            ),
        ),
        frame_line(
            1,
            r#"{"bbox":[1,2,3,4],"confidence":0.5,"keypoints":[[1,2,-1e39]],"embedding":[1e39,0.0],"embedding_frame":1}"#,
        ),
    ]
    .join("\n");
    let d = schema::parse_jsonl(&text, "a.jsonl").unwrap().detections;
    assert_eq!(
        d.notes.dropped_keypoints,
        Dropped {
            count: 2,
            first_line: 1
        }
    );
    assert_eq!(
        d.notes.dropped_embeddings,
        Dropped {
            count: 1,
            first_line: 2
        }
    );
    assert_eq!(d.notes.dropped, Dropped::default());
    let (a, b) = (&d.frames[&0][0], &d.frames[&0][1]);
    assert!(a.keypoints.is_empty());
    assert_eq!(b.keypoints.len(), 1);
    assert_eq!(b.embedding.as_deref(), Some(&[0.6f32, 0.8][..]));
    let c = &d.frames[&1][0];
    assert!(c.keypoints.is_empty());
    assert_eq!((c.embedding.as_deref(), c.embedding_frame), (None, None));
}

#[test]
fn jsonl_byte_order_mark_frame_size_and_negative_scores() {
    let text = format!(
        "\u{feff}{}\n{}\n{}\n",
        frame_line(0, r#"{"bbox":[1,2,3,4],"confidence":-0.5}"#),
        r#"{"schema":"rstracking/1","frame":1,"width":1920,"height":1080,"objects":[]}"#,
        r#"{"schema":"rstracking/1","frame":2,"width":640,"height":480,"objects":[]}"#,
    );
    let j = schema::parse_jsonl(&text, "a.jsonl").unwrap();
    assert_eq!(j.frame_size, Some((1920, 1080, 2)));
    assert_eq!(j.detections.notes.min_score, Some((-0.5, 1)));
    assert_eq!(j.detections.frames.len(), 3);
}

/// xorshift64*: a small seeded generator, enough for test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len())]
    }
}

const ODD_NUMBERS: [&str; 22] = [
    "0",
    "-0",
    "-1",
    "-0.5",
    "1e39",
    "-1e39",
    "3e38",
    "1e-46",
    "1e308",
    "1e400",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "infinity",
    "1.5",
    "",
    " ",
    "x",
    "1e",
    "4294967297",
    "18446744073709551616",
];

/// A field of a valid MOT line: a realistic value or, one time in 12, an
/// odd one.
fn mot_field(r: &mut Rng, col: usize) -> String {
    if r.below(12) == 0 {
        return r.pick(&ODD_NUMBERS).to_string();
    }
    match col {
        0 => (1 + r.below(50)).to_string(),
        1 => ["-1".to_string(), (1 + r.below(9)).to_string()][r.below(2)].clone(),
        6 => format!("{:.3}", r.below(1200) as f64 / 1000.0),
        _ => format!("{:.1}", r.below(20000) as f64 / 10.0),
    }
}

fn mot_line(r: &mut Rng) -> String {
    let cols = [7, 10, 7, 7, 10, 1 + r.below(12)][r.below(6)];
    let mut line = (0..cols)
        .map(|c| mot_field(r, c))
        .collect::<Vec<_>>()
        .join(",");
    if r.below(10) == 0 {
        let cut = r.below(line.len() + 1);
        line.truncate(cut);
    }
    line
}

fn json_number(r: &mut Rng) -> String {
    match r.below(6) {
        0 => ["1e39", "-1e39", "3e38", "1e-46", "0", "-0", "-3", "1e308"][r.below(8)].to_string(),
        _ => format!("{:.2}", r.below(200000) as f64 / 100.0 - 100.0),
    }
}

fn json_object(r: &mut Rng) -> String {
    let mut o = format!(
        r#"{{"bbox":[{},{},{},{}],"confidence":{}"#,
        json_number(r),
        json_number(r),
        json_number(r),
        json_number(r),
        json_number(r)
    );
    if r.below(3) == 0 {
        let n = r.below(4);
        let kps: Vec<String> = (0..n)
            .map(|_| format!("[{},{},{}]", json_number(r), json_number(r), json_number(r)))
            .collect();
        o += &format!(r#","keypoints":[{}]"#, kps.join(","));
        if r.below(2) == 0 {
            let st = vec![r#""measured""#; n];
            o += &format!(r#","keypoint_states":[{}]"#, st.join(","));
        }
    }
    if r.below(4) == 0 {
        o += &format!(
            r#","embedding":[{},{}],"embedding_frame":3"#,
            json_number(r),
            json_number(r)
        );
    }
    o + "}"
}

fn json_line(r: &mut Rng) -> String {
    let objects: Vec<String> = (0..r.below(4)).map(|_| json_object(r)).collect();
    let mut line = format!(
        r#"{{"schema":"rstracking/1","frame":{},"width":{},"height":480,"objects":[{}]}}"#,
        r.below(30),
        [0, 640, 1920][r.below(3)],
        objects.join(",")
    );
    if r.below(10) == 0 {
        // Truncated at a character boundary (the line is ASCII).
        let cut = r.below(line.len() + 1);
        line.truncate(cut);
    }
    line
}

/// Random bytes or a mutation of `line`: a byte replaced, inserted or
/// deleted.
fn mutate(r: &mut Rng, line: String) -> Vec<u8> {
    let mut b = line.into_bytes();
    match r.below(8) {
        0 => (0..r.below(40)).map(|_| r.next() as u8).collect(),
        1 if !b.is_empty() => {
            let i = r.below(b.len());
            b[i] = r.next() as u8;
            b
        }
        2 => {
            let i = r.below(b.len() + 1);
            let set = b",-.e{}[]\"0\xef\xbb\xbf\r\n";
            let c = set[r.below(set.len())];
            b.insert(i, c);
            b
        }
        3 if !b.is_empty() => {
            b.remove(r.below(b.len()));
            b
        }
        _ => b,
    }
}

fn assert_finite_objects<'a>(objects: impl Iterator<Item = &'a crate::types::Object>) -> usize {
    let mut n = 0;
    for o in objects {
        let b = o.bbox;
        assert!(
            [b.x, b.y, b.w, b.h, o.confidence, b.x + b.w, b.y + b.h]
                .iter()
                .all(|v| v.is_finite()),
            "{o:?}"
        );
        assert!(b.w > 0.0 && b.h > 0.0, "{o:?}");
        for k in &o.keypoints {
            assert!(
                k.x.is_finite() && k.y.is_finite() && k.confidence.is_finite(),
                "{o:?}"
            );
        }
        if let Some(e) = &o.embedding {
            assert!(e.iter().all(|v| v.is_finite()), "{o:?}");
        }
        n += 1;
    }
    n
}

/// Reads `bytes` with the importer of its kind; returns (read without
/// error, objects read), after checking what was read.
fn read_checked(bytes: &[u8], jsonl: bool) -> (usize, usize) {
    if jsonl {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return (0, 0);
        };
        match schema::parse_jsonl(text, "f.jsonl") {
            Ok(j) => (
                1,
                assert_finite_objects(j.detections.frames.values().flatten()),
            ),
            Err(_) => (0, 0),
        }
    } else {
        let Ok(d) = mot::read_detections(bytes, "det.txt") else {
            return (0, 0);
        };
        assert!(d.rows().is_sorted_by_key(|row| row.frame));
        let mut n = 0;
        for f in d.frames_from(0) {
            let objects = d.objects(f);
            assert!(!objects.is_empty());
            n += assert_finite_objects(objects.iter());
        }
        assert_eq!(d.rows().len(), n);
        (1, n)
    }
}

/// Files of valid, mutated, truncated and random lines (with BOMs, huge
/// numbers, NaN/inf, negative sizes) never make a reader panic, and what
/// they read is finite with positive sizes. Each line is also read alone.
#[test]
fn fuzz_both_importers() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let mut lines_read = 0;
    // [MOT, JSONL]: (reads without error, objects read)
    let mut ok = [(0, 0); 2];
    for file in 0..1500 {
        let jsonl = file % 2 == 1;
        let mut bytes = Vec::new();
        if r.below(5) == 0 {
            bytes.extend_from_slice("\u{feff}".as_bytes());
        }
        for _ in 0..1 + r.below(12) {
            let line = if jsonl {
                json_line(&mut r)
            } else {
                mot_line(&mut r)
            };
            let mut line = if r.below(3) == 0 {
                mutate(&mut r, line)
            } else {
                line.into_bytes()
            };
            line.extend_from_slice([&b"\n"[..], b"\r\n"][r.below(2)]);
            let (k, n) = read_checked(&line, jsonl);
            ok[jsonl as usize].0 += k;
            ok[jsonl as usize].1 += n;
            lines_read += 1;
            bytes.extend_from_slice(&line);
        }
        let (k, n) = read_checked(&bytes, jsonl);
        ok[jsonl as usize].0 += k;
        ok[jsonl as usize].1 += n;
    }
    assert!(lines_read > 9000, "{lines_read}");
    // The generator reaches the readers' success paths too.
    for (k, n) in ok {
        assert!(k > 1000 && n > 1000, "{ok:?}");
    }
}

#[test]
fn jsonl_actions_round_trip_and_non_finite_scores_drop_the_action() {
    use crate::types::{Action, Object};
    let mut o = Object::new(BBox::new(1.0, 2.0, 3.0, 4.0), 0.5, 0);
    o.track_id = Some(7);
    o.action = Some(Action {
        class_id: 1,
        label: Some("wave".into()),
        score: 0.75,
        scores: Some(std::sync::Arc::from(vec![0.25, 0.75])),
        frame: 31,
    });
    let json = serde_json::to_string(&schema::JsonObject::from(&o)).unwrap();
    assert_eq!(
        json,
        r#"{"bbox":[1.0,2.0,3.0,4.0],"confidence":0.5,"class_id":0,"track_id":7,"action":{"class_id":1,"label":"wave","score":0.75,"frame":31,"scores":[0.25,0.75]}}"#
    );
    let back: schema::JsonObject = serde_json::from_str(&json).unwrap();
    assert_eq!(back.to_object().unwrap(), o);
    let bad =
        r#"{"bbox":[1,2,3,4],"confidence":0.5,"action":{"class_id":0,"score":1e39,"frame":3}}"#;
    let back: schema::JsonObject = serde_json::from_str(bad).unwrap();
    assert_eq!(back.to_object().unwrap().action, None);
}
