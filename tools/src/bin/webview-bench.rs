// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Throughput of rswebview with and without clients.
//!
//! Runs `videotestsrc num-buffers=N ! video/x-raw,WxH,30/1 ! jpegenc !
//! rswebview sync=false` to EOS (loopback, port 0) in three set-ups, in
//! turn, `RUNS` times each: no client (the baseline); 10 MJPEG clients
//! that read everything; 10 clients of which one never reads. Prints the
//! median frames/s of each, and the server's counters of the last run.
//! The clients connect while the pipeline is PAUSED, before any frame.
//!
//! ```text
//! cargo run --release -p rstracking-tools --bin webview-bench [-- FRAMES [RUNS [WIDTHxHEIGHT]]]
//! ```

use gst::prelude::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const CLIENTS: usize = 10;

#[derive(Clone, Copy, PartialEq)]
enum Setup {
    NoClient,
    Readers,
    OneStalled,
}

impl Setup {
    fn label(self) -> &'static str {
        match self {
            Setup::NoClient => "no client (baseline)",
            Setup::Readers => "10 reading clients",
            Setup::OneStalled => "10 clients, 1 stalled",
        }
    }
}

/// GET `path` (Connection: close); the body as text.
fn get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read");
    text.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default()
}

fn stats(port: u16) -> serde_json::Value {
    serde_json::from_str(&get(port, "/stats.json")).expect("stats JSON")
}

/// An MJPEG client; a reading one drains its response on a thread until
/// the server ends it, and returns the bytes read.
fn client(port: u16, read: bool) -> (TcpStream, Option<std::thread::JoinHandle<u64>>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(s, "GET /bench.mjpg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut status = String::new();
    r.read_line(&mut status).unwrap();
    assert!(status.contains(" 200 "), "{status}");
    let reader = read.then(|| {
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 16];
            let mut n = 0u64;
            while let Ok(k) = r.read(&mut buf) {
                if k == 0 {
                    break;
                }
                n += k as u64;
            }
            n
        })
    });
    (s, reader)
}

/// One run: frames/s, and the stream's counters at EOS.
fn run(frames: u32, width: u32, height: u32, setup: Setup) -> (f64, serde_json::Value) {
    let pipeline = gst::parse::launch(&format!(
        "videotestsrc num-buffers={frames} pattern=smpte ! \
         video/x-raw,width={width},height={height},framerate=30/1 ! jpegenc ! \
         rswebview name=w stream-name=bench port=0 sync=false"
    ))
    .expect("pipeline")
    .downcast::<gst::Pipeline>()
    .unwrap();
    let _ = pipeline.set_state(gst::State::Paused);
    let port = pipeline.by_name("w").unwrap().property::<u32>("bound-port") as u16;
    assert_ne!(port, 0, "rswebview did not start");
    let mut clients = Vec::new();
    if setup != Setup::NoClient {
        for i in 0..CLIENTS {
            clients.push(client(port, !(setup == Setup::OneStalled && i == 0)));
        }
        let until = Instant::now() + Duration::from_secs(10);
        while stats(port)["streams"]["bench"]["clients"].as_u64() != Some(CLIENTS as u64) {
            assert!(Instant::now() < until, "clients not connected");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let bus = pipeline.bus().unwrap();
    let t = Instant::now();
    pipeline.set_state(gst::State::Playing).unwrap();
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(300)) {
        match msg.view() {
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(e) => panic!("{} ({:?})", e.error(), e.debug()),
            _ => {}
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let st = stats(port)["streams"]["bench"].clone();
    pipeline.set_state(gst::State::Null).unwrap();
    for (_, reader) in clients {
        if let Some(r) = reader {
            r.join().unwrap();
        }
    }
    (frames as f64 / secs, st)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let frames: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(900);
    let runs: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .filter(|&r| r > 0)
        .unwrap_or(5);
    let (width, height) = args
        .next()
        .and_then(|a| {
            let (w, h) = a.split_once('x')?;
            Some((w.parse().ok()?, h.parse().ok()?))
        })
        .unwrap_or((640, 480));
    gst::init().unwrap();
    gstrstracking::plugin_register_static().unwrap();
    let setups = [Setup::NoClient, Setup::Readers, Setup::OneStalled];
    println!(
        "rswebview: videotestsrc {width}x{height} ! jpegenc ! rswebview sync=false, \
         {frames} frames, {runs} runs per set-up (interleaved), median frames/s"
    );
    let mut fps: Vec<Vec<f64>> = vec![Vec::new(); setups.len()];
    let mut last = vec![serde_json::Value::Null; setups.len()];
    for _ in 0..runs {
        for (i, s) in setups.iter().enumerate() {
            let (f, st) = run(frames, width, height, *s);
            fps[i].push(f);
            last[i] = st;
        }
    }
    println!(
        "{:<24} {:>9} {:>9} {:>9} {:>12} {:>14}",
        "set-up", "median", "min", "max", "frames_sent", "frames_dropped"
    );
    for (i, s) in setups.iter().enumerate() {
        let v = &mut fps[i];
        v.sort_by(f64::total_cmp);
        println!(
            "{:<24} {:>9.1} {:>9.1} {:>9.1} {:>12} {:>14}",
            s.label(),
            v[v.len() / 2],
            v[0],
            v[v.len() - 1],
            last[i]["frames_sent"],
            last[i]["frames_dropped"]
        );
    }
}
