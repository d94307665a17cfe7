// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! `stats-interval`: the `rstracking-stats` element messages of rsdetect,
//! rsbytetrack, rsreid and rsoverlay in real non-live pipelines (running
//! time decides the intervals, so the counts are exact), dropped frames
//! from offset gaps (Harness), and the snapshots in rswebview's
//! `/stats.json`.
//!
//! Tests run in parallel in one process and the registry is process-wide:
//! every element whose snapshot is looked up has a name of its own.

mod common;

use common::*;
use gst::prelude::*;
use std::io::{Read, Write};
use std::time::Duration;

/// Objects per frame in [`det_file`].
const OBJECTS: u64 = 2;

/// A MOT det.txt with [`OBJECTS`] well separated, slowly moving boxes on
/// each of `frames` frames (320x240).
fn det_file(name: &str, frames: u64) -> String {
    let p = tmpdir(name).join("det.txt");
    let mut text = String::new();
    for f in 1..=frames {
        text.push_str(&format!("{f},-1,{},20,40,80,0.9\n", 10 + f));
        text.push_str(&format!("{f},-1,200,{},40,80,0.8\n", 30 + f / 2));
    }
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// `frames` frames of 320x240 RGB at 30 fps (non-live).
fn src(frames: u64) -> String {
    format!(
        "videotestsrc num-buffers={frames} pattern=black ! \
         video/x-raw,format=RGB,width=320,height=240,framerate=30/1"
    )
}

/// Runs `desc` to EOS; returns the `rstracking-stats` structures in bus
/// order with the name of the element that posted each.
fn run(desc: &str) -> Vec<(String, gst::Structure)> {
    init();
    let p = gst::parse::launch(desc)
        .unwrap_or_else(|e| panic!("{desc}: {e}"))
        .downcast::<gst::Pipeline>()
        .unwrap();
    p.set_state(gst::State::Playing).unwrap();
    let msgs = collect_until_eos(&p);
    p.set_state(gst::State::Null).unwrap();
    msgs
}

fn collect_until_eos(p: &gst::Pipeline) -> Vec<(String, gst::Structure)> {
    let mut out = Vec::new();
    for msg in p
        .bus()
        .unwrap()
        .iter_timed(gst::ClockTime::from_seconds(60))
    {
        match msg.view() {
            gst::MessageView::Eos(_) => return out,
            gst::MessageView::Error(e) => panic!("{} ({:?})", e.error(), e.debug()),
            gst::MessageView::Element(e) => {
                let s = e.structure().unwrap();
                if s.name() == gstrstracking::stats::MESSAGE_NAME {
                    let src = msg.src().unwrap().name().to_string();
                    out.push((src, s.to_owned()));
                }
            }
            _ => {}
        }
    }
    panic!("no EOS within 60 s");
}

fn from<'a>(msgs: &'a [(String, gst::Structure)], name: &str) -> Vec<&'a gst::Structure> {
    msgs.iter()
        .filter(|(n, _)| n == name)
        .map(|(_, s)| s)
        .collect()
}

/// The fields every message has, with their types.
fn check_common(s: &gst::Structure, element: &str) {
    assert_eq!(s.get::<&str>("element").unwrap(), element, "{s}");
    let mean = s.get::<f64>("process_us_mean").unwrap();
    let max = s.get::<f64>("process_us_max").unwrap();
    assert!(mean > 0.0 && max >= mean, "{s}");
    s.get::<u64>("frames").unwrap();
    s.get::<f64>("fps").unwrap();
    s.get::<f64>("interval_ms").unwrap();
}

/// 90 frames at 30 fps, intervals of 1 s: frames 30 and 60 start at
/// exactly 1 s and 2 s and close the first two intervals; EOS posts the
/// third. Each has 30 frames at 30.0 fps; the tracker reports both objects
/// as active tracks, rsdetect 2 × 30 detections; videotestsrc's offsets
/// say nothing was dropped.
#[test]
fn three_intervals_of_thirty_frames() {
    let det = det_file("stats-three", 90);
    let msgs = run(&format!(
        "{} ! rsdetect name=d3 detections={det} stream-name=cam0 stats-interval=1000 ! \
         rsbytetrack name=t3 stats-interval=1000 ! fakesink",
        src(90)
    ));
    let tracker = from(&msgs, "t3");
    assert_eq!(tracker.len(), 3, "{msgs:?}");
    for s in &tracker {
        check_common(s, "t3");
        assert_eq!(s.get::<&str>("stream").unwrap(), "cam0");
        assert_eq!(s.get::<u64>("frames").unwrap(), 30);
        assert_eq!(s.get::<f64>("fps").unwrap(), 30.0);
        assert_eq!(s.get::<f64>("interval_ms").unwrap(), 1000.0);
        assert_eq!(s.get::<u64>("active_tracks").unwrap(), OBJECTS);
        assert_eq!(s.get::<u64>("dropped").unwrap(), 0);
        assert!(!s.has_field("objects"), "{s}");
        // The latency is only measured in PLAYING: in a non-live pipeline
        // the first frames may pass before the tracker is PLAYING (the
        // sinks start first), so it may be absent (see `live_latency`).
        if let Ok(mean) = s.get::<f64>("latency_ms_mean") {
            assert!(s.get::<f64>("latency_ms_max").unwrap() >= mean, "{s}");
        }
    }
    let detector = from(&msgs, "d3");
    assert_eq!(detector.len(), 3, "{msgs:?}");
    for s in &detector {
        check_common(s, "d3");
        assert_eq!(s.get::<&str>("stream").unwrap(), "cam0");
        assert_eq!(s.get::<u64>("frames").unwrap(), 30);
        assert_eq!(s.get::<f64>("fps").unwrap(), 30.0);
        assert_eq!(s.get::<u64>("objects").unwrap(), OBJECTS * 30);
        assert!(!s.has_field("active_tracks"), "{s}");
    }
}

/// 100 frames: three full intervals and, at EOS, a partial one of 10
/// frames covering 3 s .. 3.333333333 s (the end of frame 99).
#[test]
fn last_partial_interval_is_posted_at_eos() {
    let det = det_file("stats-partial", 100);
    let msgs = run(&format!(
        "{} ! rsdetect detections={det} ! rsbytetrack name=tp stats-interval=1000 ! fakesink",
        src(100)
    ));
    let t = from(&msgs, "tp");
    let frames: Vec<u64> = t.iter().map(|s| s.get("frames").unwrap()).collect();
    assert_eq!(frames, [30, 30, 30, 10]);
    let last = t[3];
    assert_eq!(last.get::<f64>("interval_ms").unwrap(), 333.333333);
    assert_eq!(last.get::<f64>("fps").unwrap(), 10.0 * 1e9 / 333_333_333.0);
}

/// Intervals of 500 ms: six messages of 15 frames at 30 fps; the same on
/// rsoverlay and rsreid (no element-specific fields there).
#[test]
fn half_second_intervals_on_overlay_and_reid() {
    let det = det_file("stats-half", 90);
    let reid = models().join("reid_mean.onnx");
    let msgs = run(&format!(
        "{} ! rsdetect detections={det} ! \
         rsbytetrack ! rsreid name=r5 model={} stats-interval=500 ! \
         rsoverlay name=o5 stats-interval=500 ! fakesink",
        src(90),
        reid.display()
    ));
    for name in ["r5", "o5"] {
        let m = from(&msgs, name);
        assert_eq!(m.len(), 6, "{name}: {msgs:?}");
        for s in m {
            check_common(s, name);
            assert_eq!(s.get::<u64>("frames").unwrap(), 15);
            assert_eq!(s.get::<f64>("fps").unwrap(), 30.0);
            assert_eq!(s.get::<f64>("interval_ms").unwrap(), 500.0);
            assert!(!s.has_field("objects") && !s.has_field("active_tracks"));
        }
    }
}

/// A live source produces only in PLAYING, so every frame has an
/// end-to-end latency: clock time now − (base time + running time), not
/// negative (the live source pushes a frame once the clock has reached its
/// time). Intervals of 200 ms over 20 frames: 6, 6, 6 and, at EOS, 2
/// frames (600 ms .. 666.666666 ms, the end of frame 19).
#[test]
fn live_latency() {
    let det = det_file("stats-live", 20);
    let msgs = run(&format!(
        "videotestsrc is-live=true num-buffers=20 pattern=black ! \
         video/x-raw,format=RGB,width=320,height=240,framerate=30/1 ! \
         rsdetect detections={det} ! rsbytetrack name=tl stats-interval=200 ! fakesink sync=true"
    ));
    let t = from(&msgs, "tl");
    let frames: Vec<u64> = t.iter().map(|s| s.get("frames").unwrap()).collect();
    assert_eq!(frames, [6, 6, 6, 2], "{msgs:?}");
    assert_eq!(t[3].get::<f64>("interval_ms").unwrap(), 66.666666);
    for s in &t {
        check_common(s, "tl");
        let mean = s.get::<f64>("latency_ms_mean").unwrap();
        let max = s.get::<f64>("latency_ms_max").unwrap();
        assert!(mean >= 0.0 && max >= mean && max < 10_000.0, "{s}");
    }
}

/// stats-interval is 0 (off) by default: no message.
#[test]
fn off_by_default() {
    init();
    for f in ["rsdetect", "rsbytetrack", "rsreid", "rsoverlay"] {
        let e = gst::ElementFactory::make(f).build().unwrap();
        assert_eq!(e.property::<u32>("stats-interval"), 0, "{f}");
    }
    let det = det_file("stats-off", 60);
    let msgs = run(&format!(
        "{} ! rsdetect detections={det} ! rsbytetrack ! rsoverlay ! fakesink",
        src(60)
    ));
    assert!(msgs.is_empty(), "{msgs:?}");
}

/// Offsets 0, 1, 2, 5, 6 (pushed with a Harness): frames 3 and 4 never
/// arrived, so dropped = 2. Without offsets `dropped` is left out.
#[test]
fn offset_gaps_count_as_dropped() {
    init();
    let mut h = gst_check::Harness::new("rsbytetrack");
    let e = h.element().unwrap();
    e.set_property("name", "hdrop");
    e.set_property("stats-interval", 1000u32);
    let bus = gst::Bus::new();
    e.set_bus(Some(&bus));
    h.set_src_caps_str("video/x-raw,format=GRAY8,width=64,height=64,framerate=25/1");
    let push = |h: &mut gst_check::Harness, offset: Option<u64>, i: u64| {
        let mut b = gst::Buffer::with_size(64 * 64).unwrap();
        {
            let b = b.get_mut().unwrap();
            b.set_pts(gst::ClockTime::from_mseconds(40 * i));
            b.set_duration(gst::ClockTime::from_mseconds(40));
            if let Some(o) = offset {
                b.set_offset(o);
                b.set_offset_end(o + 1);
            }
        }
        h.push(b).unwrap();
    };
    for o in [0, 1, 2, 5, 6] {
        push(&mut h, Some(o), o);
    }
    assert!(h.push_event(gst::event::Eos::new()));
    let s = next_stats(&bus);
    assert_eq!(s.get::<&str>("element").unwrap(), "hdrop");
    assert_eq!(s.get::<u64>("frames").unwrap(), 5);
    assert_eq!(s.get::<u64>("dropped").unwrap(), 2);
    // 0 .. 280 ms (the end of the frame at 240 ms).
    assert_eq!(s.get::<f64>("interval_ms").unwrap(), 280.0);
    assert_eq!(s.get::<u64>("active_tracks").unwrap(), 0);
    assert!(!s.has_field("stream"), "{s}");

    // A flush, then frames without offsets: dropped is unknown.
    assert!(h.push_event(gst::event::FlushStart::new()));
    assert!(h.push_event(gst::event::FlushStop::new(true)));
    h.push_event(gst::event::Segment::new(&gst::FormattedSegment::<
        gst::ClockTime,
    >::new()));
    for i in 0..3 {
        push(&mut h, None, i);
    }
    assert!(h.push_event(gst::event::Eos::new()));
    let s = next_stats(&bus);
    assert_eq!(s.get::<u64>("frames").unwrap(), 3);
    assert!(!s.has_field("dropped"), "{s}");
    assert!(bus.pop().is_none());
}

fn next_stats(bus: &gst::Bus) -> gst::Structure {
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(5),
            &[gst::MessageType::Element],
        )
        .expect("an rstracking-stats message");
    let s = msg.structure().unwrap();
    assert_eq!(s.name(), gstrstracking::stats::MESSAGE_NAME);
    s.to_owned()
}

/// GET `path` from 127.0.0.1:`port`; the body as JSON.
fn get_json(port: u16, path: &str) -> serde_json::Value {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let text = String::from_utf8(resp).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// rswebview's `/stats.json` has the tracker's latest snapshot under
/// `"elements"`, beside `"streams"`, with the message's field names; it is
/// gone when the tracker stops.
#[test]
fn webview_stats_json_has_the_elements() {
    let det = det_file("stats-web", 90);
    init();
    let p = gst::parse::launch(&format!(
        "{} ! rsdetect detections={det} stream-name=web0 ! \
         rsbytetrack name=tweb stats-interval=1000 ! fakesink \
         videotestsrc num-buffers=3 ! video/x-raw,width=64,height=48 ! jpegenc ! \
         rswebview name=wv stream-name=wv port=0",
        src(90)
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    p.set_state(gst::State::Playing).unwrap();
    let msgs = collect_until_eos(&p);
    let last = from(&msgs, "tweb").last().copied().cloned().unwrap();
    let port: u32 = p.by_name("wv").unwrap().property("bound-port");
    let v = get_json(port as u16, "/stats.json");
    assert!(v["streams"]["wv"].is_object(), "{v}");
    let t = &v["elements"]["tweb"];
    assert_eq!(t["element"], "tweb", "{v}");
    assert_eq!(t["stream"], "web0");
    assert_eq!(t["frames"], 30);
    assert_eq!(t["fps"], 30.0);
    assert_eq!(t["interval_ms"], 1000.0);
    assert_eq!(t["active_tracks"], OBJECTS);
    assert_eq!(t["dropped"], 0);
    // The same fields and values as the last message (floats to the
    // precision of serde_json's parser, which may round the last digit).
    let obj = t.as_object().unwrap();
    assert_eq!(obj.len(), last.n_fields(), "{t} vs {last}");
    for (k, val) in obj {
        if let Ok(u) = last.get::<u64>(k) {
            assert_eq!(val.as_u64(), Some(u), "{k}");
        } else if let Ok(f) = last.get::<f64>(k) {
            let v = val.as_f64().unwrap();
            assert!((v - f).abs() <= 1e-12 * f.abs(), "{k}: {v} vs {f}");
        } else {
            assert_eq!(val.as_str(), Some(last.get::<&str>(k).unwrap()), "{k}");
        }
    }
    assert!(gstrstracking::stats::snapshots().contains_key("tweb"));
    p.set_state(gst::State::Null).unwrap();
    assert!(!gstrstracking::stats::snapshots().contains_key("tweb"));
}
