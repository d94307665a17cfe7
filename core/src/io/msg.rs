// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The JSON Lines schema v1 as broker messages (rsmsgsink / rsmsgsrc): one
//! message per line, the line rsjsonsink writes plus, right after `schema`,
//! the sender's `run` (a random number per start of the sender) and a
//! per-sender sequence number `seq`:
//!
//! ```text
//! {"schema":"rstracking/1","run":7310,"seq":41,"stream":"cam0","frame":40,...,"objects":[...]}
//! {"schema":"rstracking/1","run":7310,"seq":42,"event":"track_end","stream":"cam0","frame":41,"track_id":3}
//! {"schema":"rstracking/1","run":7310,"seq":97,"event":"eos","stream":"cam0","frames":96}
//! ```
//!
//! `seq` counts every message of a sender from 0, so a receiver drops
//! redeliveries (QoS 1) and counts what is missing; a new `run` (the sender
//! restarted, its `seq` starts again) resets that. The `eos` event closes
//! a stream and says how many frame messages were sent. Embeddings are
//! `embedding_b64`: base64 of the little-endian f32 values ([`encode_embedding`]).
//! A message without `seq` is a plain JSONL line (e.g. published by hand) and
//! is never taken for a duplicate.

use crate::io::schema::{FrameLine, SCHEMA};
use base64::Engine as _;

/// Base64 (standard alphabet, padded) of the little-endian bytes of `v`.
pub fn encode_embedding(v: &[f32]) -> String {
    base64::engine::general_purpose::STANDARD.encode(crate::embedding::to_le_bytes(v))
}

/// Inverse of [`encode_embedding`]; the error names what is wrong.
pub fn decode_embedding(text: &str) -> Result<Vec<f32>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| format!("not base64: {e}"))?;
    if bytes.len() % 4 != 0 {
        return Err(format!(
            "{} bytes, not a whole number of f32 values (4 bytes each)",
            bytes.len()
        ));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

/// `line` (a schema line starting with `{"schema":"rstracking/1",`) with
/// `"run":run,"seq":seq` inserted after the schema.
pub fn with_seq(line: &str, run: u64, seq: u64) -> String {
    let head = format!("{{\"schema\":\"{SCHEMA}\",");
    match line.strip_prefix(&head) {
        Some(rest) => format!("{head}\"run\":{run},\"seq\":{seq},{rest}"),
        None => line.to_string(),
    }
}

/// The `eos` line closing a stream after `frames` frame messages.
pub fn eos_line(stream: Option<&str>, frames: u64) -> String {
    let stream = stream
        .map(|s| format!(",\"stream\":{}", serde_json::Value::from(s)))
        .unwrap_or_default();
    format!("{{\"schema\":\"{SCHEMA}\",\"event\":\"eos\"{stream},\"frames\":{frames}}}")
}

/// What a message carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A frame line (objects not yet validated: see
    /// [`crate::io::schema::JsonObject::to_object`]).
    Frame(FrameLine),
    /// `track_start`, `track_lost` or `track_end`.
    Track {
        event: String,
        frame: u64,
        track_id: u64,
    },
    /// `merge` of `from` into `to`; `id` is `track_id` or `global_id`.
    Merge {
        id: String,
        frame: u64,
        from: u64,
        to: u64,
    },
    /// End of the stream after `frames` frame messages.
    Eos { frames: u64 },
    /// Another event (`cut`, `progress`, ...): passed over.
    Other { event: String },
}

/// A parsed message: its sequence number (None: the sender numbers
/// nothing), stream and content.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// The sender's run (None: not given).
    pub run: Option<u64>,
    pub seq: Option<u64>,
    pub stream: Option<String>,
    pub message: Message,
}

/// Parses one message; the error says what is wrong (not JSON, another
/// schema, a missing field).
pub fn parse_message(payload: &[u8]) -> Result<Envelope, String> {
    let v: serde_json::Value =
        serde_json::from_slice(payload).map_err(|e| format!("not JSON: {e}"))?;
    let obj = v.as_object().ok_or("not a JSON object")?;
    match obj.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => {}
        Some(other) => return Err(format!("schema '{other}', expected '{SCHEMA}'")),
        None => return Err(format!("no \"schema\":\"{SCHEMA}\"")),
    }
    let seq = match obj.get("seq") {
        None => None,
        Some(s) => Some(s.as_u64().ok_or("seq is not a non-negative integer")?),
    };
    let run = match obj.get("run") {
        None => None,
        Some(r) => Some(r.as_u64().ok_or("run is not a non-negative integer")?),
    };
    let stream = obj.get("stream").and_then(|s| s.as_str()).map(String::from);
    let uint = |name: &str| {
        obj.get(name)
            .and_then(|x| x.as_u64())
            .ok_or_else(|| format!("no integer '{name}'"))
    };
    let message = match obj.get("event").map(|e| e.as_str()) {
        None => Message::Frame(
            serde_json::from_value(v.clone()).map_err(|e| format!("bad frame line: {e}"))?,
        ),
        Some(None) => return Err("event is not a string".into()),
        Some(Some(e @ ("track_start" | "track_lost" | "track_end"))) => Message::Track {
            event: e.to_string(),
            frame: uint("frame")?,
            track_id: uint("track_id")?,
        },
        Some(Some("merge")) => Message::Merge {
            id: obj
                .get("id")
                .and_then(|x| x.as_str())
                .filter(|x| *x == "track_id" || *x == "global_id")
                .ok_or("merge without id track_id|global_id")?
                .to_string(),
            frame: uint("frame")?,
            from: uint("from")?,
            to: uint("to")?,
        },
        Some(Some("eos")) => Message::Eos {
            frames: uint("frames")?,
        },
        Some(Some(e)) => Message::Other {
            event: e.to_string(),
        },
    };
    Ok(Envelope {
        run,
        seq,
        stream,
        message,
    })
}

/// What [`SeqTracker::accept`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Next in order (`missed` messages were skipped before it: lost).
    New { missed: u64 },
    /// Seen before (a redelivery): drop it.
    Duplicate,
}

/// Per-sender de-duplication by sequence number: a message is new when its
/// number is above every number seen so far in the sender's run. The last
/// [`SeqTracker::RUNS`] runs are remembered, so a late redelivery from a
/// run before a restart is still a duplicate.
#[derive(Debug, Clone, Default)]
pub struct SeqTracker {
    /// (run, highest number seen), most recent run last.
    runs: Vec<(Option<u64>, u64)>,
}

impl SeqTracker {
    pub const RUNS: usize = 8;

    pub fn accept(&mut self, run: Option<u64>, seq: u64) -> Verdict {
        match self.runs.iter().position(|(r, _)| *r == run) {
            Some(i) => {
                let last = self.runs[i].1;
                if seq <= last {
                    return Verdict::Duplicate;
                }
                self.runs[i].1 = seq;
                let entry = self.runs.remove(i);
                self.runs.push(entry);
                Verdict::New {
                    missed: seq - last - 1,
                }
            }
            None => {
                if self.runs.len() == Self::RUNS {
                    self.runs.remove(0);
                }
                self.runs.push((run, seq));
                Verdict::New { missed: seq }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::schema::{frame_line_encoded, EmbeddingEncoding};
    use crate::types::{BBox, Object};
    use std::sync::Arc;

    #[test]
    fn embeddings_round_trip_bit_exactly() {
        let v = [0.1f32, -2.5, f32::MIN_POSITIVE, 1e30, 0.0, -0.0];
        let t = encode_embedding(&v);
        assert_eq!(t.len(), 32); // 24 bytes
        let back = decode_embedding(&t).unwrap();
        assert_eq!(
            back.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(encode_embedding(&[1.0]), "AACAPw==");
        assert_eq!(
            decode_embedding("AACA").unwrap_err(),
            "3 bytes, not a whole number of f32 values (4 bytes each)"
        );
        assert!(decode_embedding("#!")
            .unwrap_err()
            .starts_with("not base64"));
    }

    #[test]
    fn a_frame_message_reads_back_with_its_seq_and_embedding() {
        let mut o = Object::new(BBox::new(1.0, 2.0, 3.0, 4.0), 0.5, 0);
        o.track_id = Some(9);
        o.embedding = Some(Arc::from(&[0.6f32, 0.8][..]));
        let line = frame_line_encoded(
            Some("cam0"),
            7,
            Some(280),
            (64, 48),
            &[o],
            EmbeddingEncoding::Base64,
        );
        let msg = with_seq(&line, 99, 12);
        assert_eq!(
            msg,
            r#"{"schema":"rstracking/1","run":99,"seq":12,"stream":"cam0","frame":7,"pts_ns":280,"width":64,"height":48,"objects":[{"bbox":[1.0,2.0,3.0,4.0],"confidence":0.5,"class_id":0,"track_id":9,"embedding_b64":"mpkZP83MTD8="}]}"#
        );
        let env = parse_message(msg.as_bytes()).unwrap();
        assert_eq!(env.seq, Some(12));
        assert_eq!(env.stream.as_deref(), Some("cam0"));
        let Message::Frame(mut fl) = env.message else {
            panic!("not a frame")
        };
        assert_eq!(fl.frame, 7);
        fl.objects[0].decode_embedding().unwrap();
        let o = fl.objects[0].to_object().unwrap();
        assert_eq!(o.embedding.as_deref(), Some(&[0.6f32, 0.8][..]));
        // The same line read as a JSONL file (rsdetect detections=).
        let j = crate::io::schema::parse_jsonl(&msg, "m.jsonl").unwrap();
        let objs = &j.detections.frames[&7];
        assert_eq!(objs[0].embedding.as_deref(), Some(&[0.6f32, 0.8][..]));
    }

    #[test]
    fn events_and_bad_messages() {
        let eos = with_seq(&eos_line(Some("c"), 96), 1, 97);
        assert_eq!(
            eos,
            r#"{"schema":"rstracking/1","run":1,"seq":97,"event":"eos","stream":"c","frames":96}"#
        );
        assert_eq!(
            parse_message(eos.as_bytes()).unwrap().message,
            Message::Eos { frames: 96 }
        );
        let t = with_seq(
            &crate::io::schema::track_event_line("track_end", Some("c"), 4, 3),
            2,
            5,
        );
        assert_eq!(
            parse_message(t.as_bytes()).unwrap(),
            Envelope {
                run: Some(2),
                seq: Some(5),
                stream: Some("c".into()),
                message: Message::Track {
                    event: "track_end".into(),
                    frame: 4,
                    track_id: 3
                }
            }
        );
        let m = crate::io::schema::merge_line(None, 2, "global_id", 5, 1);
        assert_eq!(
            parse_message(m.as_bytes()).unwrap().message,
            Message::Merge {
                id: "global_id".into(),
                frame: 2,
                from: 5,
                to: 1
            }
        );
        assert!(parse_message(b"hello").unwrap_err().starts_with("not JSON"));
        assert_eq!(parse_message(b"[1]").unwrap_err(), "not a JSON object");
        assert_eq!(
            parse_message(br#"{"schema":"x/2","frame":1}"#).unwrap_err(),
            "schema 'x/2', expected 'rstracking/1'"
        );
        assert_eq!(
            parse_message(br#"{"schema":"rstracking/1","seq":-1,"frame":1}"#).unwrap_err(),
            "seq is not a non-negative integer"
        );
        assert!(parse_message(br#"{"schema":"rstracking/1","objects":[]}"#)
            .unwrap_err()
            .starts_with("bad frame line: missing field `frame`"));
    }

    #[test]
    fn redeliveries_are_duplicates_and_gaps_are_counted() {
        let mut t = SeqTracker::default();
        let r = Some(7);
        assert_eq!(t.accept(r, 0), Verdict::New { missed: 0 });
        assert_eq!(t.accept(r, 1), Verdict::New { missed: 0 });
        assert_eq!(t.accept(r, 1), Verdict::Duplicate);
        assert_eq!(t.accept(r, 0), Verdict::Duplicate);
        assert_eq!(t.accept(r, 5), Verdict::New { missed: 3 });
        assert_eq!(t.accept(r, 4), Verdict::Duplicate);
        assert_eq!(t.accept(r, 6), Verdict::New { missed: 0 });
        // The sender restarted: its numbers start again; a late
        // redelivery from the run before is still a duplicate.
        assert_eq!(t.accept(Some(8), 0), Verdict::New { missed: 0 });
        assert_eq!(t.accept(Some(8), 0), Verdict::Duplicate);
        assert_eq!(t.accept(r, 6), Verdict::Duplicate);
        // No overflow at the end of the range.
        assert_eq!(
            t.accept(Some(8), u64::MAX),
            Verdict::New {
                missed: u64::MAX - 1
            }
        );
        assert_eq!(t.accept(Some(8), u64::MAX), Verdict::Duplicate);
        let mut late = SeqTracker::default();
        assert_eq!(late.accept(r, 3), Verdict::New { missed: 3 });
    }
}
