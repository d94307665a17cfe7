// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! An RTSP camera (a real GstRtspServer started by the test on a free
//! loopback port, stopped by PID): with `rtspsrc
//! add-reference-timestamp-meta=true` the frames carry the sender's NTP
//! time (from RTCP sender reports), and rsjsonsink writes it as `utc_ns`
//! with `"utc_source":"ntp"`; frames before the first sender report use the
//! pipeline clock (`"clock"`).

mod common;

use common::*;
use gst::prelude::*;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn now_ns() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i128
}

#[test]
fn rtsp_frames_carry_the_senders_ntp_time() {
    init();
    let server = RtspServer::start("bars");
    let port = server.port;
    let d = tmpdir("rtsp");
    let det = d.join("det.txt");
    std::fs::write(&det, "1,-1,10,10,20,20,0.9\n").unwrap();
    let out = d.join("out.jsonl");
    let pipeline = gst::parse::launch(&format!(
        "rtspsrc location=rtsp://127.0.0.1:{port}/cam add-reference-timestamp-meta=true latency=100 \
         ! rtph264depay ! avdec_h264 ! videoconvert ! rsdetect stream-name=cam detections={} \
         ! rsjsonsink location={}",
        det.display(),
        out.display()
    ))
    .unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    let bus = pipeline.bus().unwrap();
    let start = Instant::now();
    // Until a frame line with the NTP time has been written (the first RTCP
    // sender report comes within a few seconds).
    let (line, read_at) = loop {
        if let Some(msg) = bus.timed_pop_filtered(
            gst::ClockTime::from_mseconds(20),
            &[gst::MessageType::Error],
        ) {
            if let gst::MessageView::Error(e) = msg.view() {
                panic!("{}", e.error());
            }
        }
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        if let Some(l) = text
            .lines()
            .rev()
            .find(|l| l.contains("\"utc_source\":\"ntp\""))
        {
            break (l.to_string(), now_ns());
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no NTP time after 30 s: {}",
            text.lines().last().unwrap_or("")
        );
    };
    pipeline.set_state(gst::State::Null).unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["stream"], "cam");
    let utc = v["utc_ns"].as_u64().unwrap() as i128;
    // Same host: the sender's NTP clock is this system's clock; the frame
    // was captured at most the pipeline latency (+ the poll) before.
    let age = read_at - utc;
    eprintln!(
        "NTP utc_ns of the last frame: {} ms before the read",
        age / 1_000_000
    );
    assert!(
        (0..2_000_000_000).contains(&age),
        "utc_ns {utc} is {} ms before the read",
        age / 1_000_000
    );
    // Lines are complete and times increase.
    let text = std::fs::read_to_string(&out).unwrap();
    let ntp: Vec<i128> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["utc_source"] == "ntp")
        .map(|v| v["utc_ns"].as_u64().unwrap() as i128)
        .collect();
    assert!(ntp.windows(2).all(|w| w[1] > w[0]), "NTP times increase");
}
