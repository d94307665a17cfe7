// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rswebview: real pipelines serving on loopback (port 0 or a port just
//! found free), read with a small hand-written HTTP client over
//! `std::net::TcpStream` (every socket has a read timeout, every wait a
//! bound), and headless Chromium for what a browser shows.

mod common;

use common::*;
use gst::prelude::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BOUNDARY: &str = "rswebviewframe";
const IO_TIMEOUT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------
// HTTP client (test code)

/// A response's status line and headers; the body is read from `body`.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: BufReader<Body>,
}

/// The body of a response: chunked or read to the end of the connection.
struct Body {
    inner: BufReader<TcpStream>,
    chunked: bool,
    /// Bytes left in the current chunk; None before the first chunk.
    left: Option<usize>,
    done: bool,
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.chunked {
            return self.inner.read(buf);
        }
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.left.is_none_or(|l| l == 0) {
            if self.left == Some(0) {
                // CRLF after the previous chunk's data.
                let mut crlf = [0u8; 2];
                self.inner.read_exact(&mut crlf)?;
            }
            let mut line = String::new();
            self.inner.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|e| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("bad chunk size line {line:?}: {e}"),
                    )
                })?;
            if size == 0 {
                self.done = true;
                return Ok(0);
            }
            self.left = Some(size);
        }
        let left = self.left.unwrap();
        let want = buf.len().min(left);
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        self.left = Some(left - n);
        Ok(n)
    }
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn body_bytes(mut self) -> Vec<u8> {
        let mut v = Vec::new();
        self.body.read_to_end(&mut v).unwrap();
        v
    }

    fn body_text(self) -> String {
        String::from_utf8(self.body_bytes()).unwrap()
    }

    /// The next part of a multipart MJPEG body (its JPEG bytes, checked
    /// against its Content-Length and Content-Type), or None at the
    /// closing boundary.
    fn next_part(&mut self) -> Option<Vec<u8>> {
        let mut line = String::new();
        loop {
            line.clear();
            let n = self.body.read_line(&mut line).expect("read a part");
            assert!(n > 0, "body ended without the closing boundary");
            if !line.trim().is_empty() {
                break;
            }
        }
        let line = line.trim_end();
        if line == format!("--{BOUNDARY}--") {
            return None;
        }
        assert_eq!(line, format!("--{BOUNDARY}"), "part boundary");
        let mut len = None;
        let mut ctype = None;
        loop {
            let mut h = String::new();
            self.body.read_line(&mut h).unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (k, v) = h.split_once(':').expect("part header");
            match k.to_ascii_lowercase().as_str() {
                "content-length" => len = Some(v.trim().parse::<usize>().unwrap()),
                "content-type" => ctype = Some(v.trim().to_owned()),
                _ => {}
            }
        }
        assert_eq!(ctype.as_deref(), Some("image/jpeg"));
        let len = len.expect("part has a Content-Length");
        let mut jpeg = vec![0u8; len];
        self.body.read_exact(&mut jpeg).unwrap();
        let mut crlf = [0u8; 2];
        self.body.read_exact(&mut crlf).unwrap();
        assert_eq!(&crlf, b"\r\n", "CRLF after the part's {len} bytes");
        Some(jpeg)
    }
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    s
}

/// Reads the status line and headers of a response on `s`.
fn read_response(s: TcpStream) -> Response {
    let mut r = BufReader::new(s);
    let mut status = String::new();
    r.read_line(&mut status).unwrap();
    let code = status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status:?}"));
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').expect("header line");
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    Response {
        status: code,
        headers,
        body: BufReader::new(Body {
            inner: r,
            chunked,
            left: None,
            done: false,
        }),
    }
}

/// Sends `method path` (HTTP/1.1, `Connection: close`) and reads the head.
fn request(port: u16, method: &str, path: &str) -> Response {
    let mut s = connect(port);
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    read_response(s)
}

fn get(port: u16, path: &str) -> Response {
    request(port, "GET", path)
}

fn stats(port: u16) -> serde_json::Value {
    let r = get(port, "/stats.json");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    serde_json::from_str(&r.body_text()).unwrap()
}

/// `/stats.json`'s `streams.<name>.<field>` as an integer.
fn stat(port: u16, name: &str, field: &str) -> u64 {
    let s = stats(port);
    s["streams"][name][field]
        .as_u64()
        .unwrap_or_else(|| panic!("no streams.{name}.{field} in {s}"))
}

/// An MJPEG client whose response head has been read (so the server
/// counted it).
fn mjpeg_client(port: u16, name: &str) -> Response {
    let r = get(port, &format!("/{name}.mjpg"));
    assert_eq!(r.status, 200, "GET /{name}.mjpg");
    assert_eq!(
        r.header("content-type"),
        Some(format!("multipart/x-mixed-replace; boundary={BOUNDARY}").as_str())
    );
    r
}

fn is_jpeg(b: &[u8]) -> bool {
    b.len() > 4 && b[..2] == [0xFF, 0xD8] && b[b.len() - 2..] == [0xFF, 0xD9]
}

// ---------------------------------------------------------------------------
// Pipelines

/// A port that was free a moment ago (bind port 0, read it, release it).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn launch(desc: &str) -> gst::Pipeline {
    init();
    gst::parse::launch(desc)
        .unwrap_or_else(|e| panic!("{desc}: {e}"))
        .downcast::<gst::Pipeline>()
        .unwrap()
}

fn bound_port(p: &gst::Pipeline, name: &str) -> u16 {
    let port: u32 = p.by_name(name).unwrap().property("bound-port");
    assert_ne!(port, 0, "{name} has no bound-port");
    port as u16
}

/// Waits (at most `secs`) for EOS; panics on an error message.
fn wait_eos(p: &gst::Pipeline, secs: u64) {
    let bus = p.bus().unwrap();
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(secs)) {
        match msg.view() {
            gst::MessageView::Eos(_) => return,
            gst::MessageView::Error(e) => panic!("{} ({:?})", e.error(), e.debug()),
            _ => {}
        }
    }
    panic!("no EOS within {secs} s");
}

/// Waits until `cond` holds, polling, at most `secs`.
fn wait_for(secs: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(Instant::now() < until, "{what}: not within {secs} s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sets `p` to NULL and checks that it took less than 5 s (stop joins the
/// server's threads within a bound even with stalled clients).
fn stop(p: &gst::Pipeline) {
    let t = Instant::now();
    p.set_state(gst::State::Null).unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "stop took {:?}",
        t.elapsed()
    );
}

/// The last buffer that reached `element`'s sink pad (a pad probe).
fn last_buffer(p: &gst::Pipeline, element: &str) -> Arc<Mutex<Option<Vec<u8>>>> {
    let slot = Arc::new(Mutex::new(None));
    let s = slot.clone();
    p.by_name(element)
        .unwrap()
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(b) = info.buffer() {
                *s.lock().unwrap() = Some(b.map_readable().unwrap().to_vec());
            }
            gst::PadProbeReturn::Ok
        });
    slot
}

/// Sets `p` to PLAYING and expects the state change to fail; returns the
/// error message posted on the bus ("message (debug)").
fn start_error(p: &gst::Pipeline) -> String {
    assert!(
        p.set_state(gst::State::Playing).is_err(),
        "the state change should fail"
    );
    let msg = p
        .bus()
        .unwrap()
        .timed_pop_filtered(gst::ClockTime::from_seconds(5), &[gst::MessageType::Error])
        .expect("an error message on the bus");
    let gst::MessageView::Error(e) = msg.view() else {
        unreachable!()
    };
    let text = format!("{} ({:?})", e.error(), e.debug());
    p.set_state(gst::State::Null).unwrap();
    text
}

const LIVE: &str = "videotestsrc is-live=true pattern=ball";
const CAPS: &str = "video/x-raw,width=320,height=240,framerate=30/1";

// ---------------------------------------------------------------------------
// Tests

/// Two rswebview in one pipeline on one port: one server, an index that
/// lists both, and each `.jpg` equal to the last buffer of its sink.
#[test]
fn two_streams_share_one_server_and_serve_their_last_frames() {
    let port = free_port();
    let p = launch(&format!(
        "{LIVE} num-buffers=10 ! {CAPS} ! jpegenc ! rswebview name=wa stream-name=a port={port} \
         videotestsrc is-live=true pattern=smpte num-buffers=15 ! \
         video/x-raw,width=160,height=120,framerate=30/1 ! jpegenc ! \
         rswebview name=wb stream-name=b port={port}"
    ));
    let last_a = last_buffer(&p, "wa");
    let last_b = last_buffer(&p, "wb");
    p.set_state(gst::State::Playing).unwrap();
    assert_eq!(bound_port(&p, "wa"), port);
    assert_eq!(bound_port(&p, "wb"), port);
    wait_eos(&p, 30);

    let r = get(port, "/");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let html = r.body_text();
    let ia = html.find("<img src=\"/a.mjpg\"").expect(&html);
    let ib = html.find("<img src=\"/b.mjpg\"").expect(&html);
    assert!(ia < ib, "streams sorted by name");
    assert!(html.contains("<a href=\"/a.jpg\">") && html.contains("<a href=\"/b.jpg\">"));

    for (name, last, frames) in [("a", &last_a, 10), ("b", &last_b, 15)] {
        let r = get(port, &format!("/{name}.jpg"));
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("image/jpeg"));
        let len: usize = r.header("content-length").unwrap().parse().unwrap();
        let jpeg = r.body_bytes();
        assert_eq!(jpeg.len(), len);
        assert!(is_jpeg(&jpeg), "{name}.jpg is a JPEG");
        let last = last.lock().unwrap().clone().unwrap();
        assert!(jpeg == last, "{name}.jpg is the last buffer of its sink");
        assert_eq!(stat(port, name, "frames_received"), frames);
        assert_eq!(stat(port, name, "last_frame_bytes"), last.len() as u64);
        assert_eq!(stat(port, name, "clients"), 0);
    }
    let s = stats(port);
    assert_eq!(
        s["streams"].as_object().unwrap().len(),
        2,
        "two streams in {s}"
    );
    stop(&p);
}

/// `.mjpg`: K complete parts with the right Content-Length; the response
/// ends with the closing boundary when the element stops.
#[test]
fn mjpeg_parts_are_complete_jpegs_and_end_at_stop() {
    const K: usize = 5;
    let p = launch(&format!(
        "{LIVE} num-buffers=60 ! {CAPS} ! jpegenc ! rswebview name=w stream-name=cam port=0"
    ));
    p.set_state(gst::State::Playing).unwrap();
    let port = bound_port(&p, "w");
    let mut c = mjpeg_client(port, "cam");
    let mut parts = Vec::new();
    for _ in 0..K {
        parts.push(c.next_part().expect("a part"));
    }
    for (i, j) in parts.iter().enumerate() {
        assert!(is_jpeg(j), "part {i} is a complete JPEG");
    }
    assert!(stat(port, "cam", "frames_sent") >= K as u64);
    assert_eq!(stat(port, "cam", "clients"), 1);
    wait_eos(&p, 30);
    // Read what is left; stopping ends the response.
    let reader = std::thread::spawn(move || {
        let mut n = 0;
        while c.next_part().is_some() {
            n += 1;
        }
        // After the closing boundary: the last chunk, then nothing.
        let mut rest = Vec::new();
        c.body.read_to_end(&mut rest).unwrap();
        (n, rest)
    });
    std::thread::sleep(Duration::from_millis(200));
    stop(&p);
    let (more, rest) = reader.join().unwrap();
    assert!(K + more <= 60, "{} parts of 60 frames", K + more);
    assert!(rest.iter().all(|b| b.is_ascii_whitespace()), "{rest:?}");
}

/// 404 for unknown streams and paths, 405 for POST, HEAD without a body,
/// and a client sending garbage does not disturb the stream.
#[test]
fn errors_and_garbage_do_not_disturb_streaming() {
    let p = launch(&format!(
        "{LIVE} num-buffers=60 ! {CAPS} ! jpegenc ! rswebview name=w stream-name=cam port=0"
    ));
    p.set_state(gst::State::Playing).unwrap();
    let port = bound_port(&p, "w");
    for path in ["/nope.mjpg", "/nope.jpg", "/cam", "/cam.png", "/a/cam.jpg"] {
        let r = get(port, path);
        assert_eq!(r.status, 404, "{path}");
        let body = r.body_text();
        assert!(body.contains("streams: cam"), "{path}: {body}");
    }
    for method in ["POST", "PUT", "DELETE"] {
        let r = request(port, method, "/cam.mjpg");
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow"), Some("GET, HEAD"));
    }
    let r = request(port, "HEAD", "/cam.mjpg");
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("multipart/x-mixed-replace"));
    assert!(r.body_bytes().is_empty(), "HEAD has no body");
    assert_eq!(stat(port, "cam", "clients"), 0, "HEAD is not a client");

    // Garbage, then close.
    {
        let mut s = connect(port);
        s.write_all(b"\x00\xff\xfeGARBAGE \x01\x02 /// HTTP/9\r\n\r\n")
            .unwrap();
        let _ = s.shutdown(std::net::Shutdown::Both);
    }
    // Garbage on a connection left open: the server answers 400 or closes.
    let mut open = connect(port);
    open.write_all(b"GET /cam.mjpg HTTP/1.1\r\nHost\r\n\x00\x00\r\n\r\n")
        .unwrap();
    let mut c = mjpeg_client(port, "cam");
    for _ in 0..3 {
        assert!(is_jpeg(&c.next_part().unwrap()));
    }
    let mut buf = Vec::new();
    let _ = open.read_to_end(&mut buf);
    let answer = String::from_utf8_lossy(&buf);
    assert!(
        buf.is_empty() || answer.starts_with("HTTP/1.1 400"),
        "{answer}"
    );
    wait_eos(&p, 30);
    assert_eq!(stat(port, "cam", "frames_received"), 60);
    stop(&p);
}

/// max-clients=2: the third concurrent `.mjpg` client gets 503 naming the
/// limit; a slot freed by a client that leaves is given again.
#[test]
fn max_clients_refuses_the_third_client() {
    let p = launch(&format!(
        "{LIVE} num-buffers=300 ! {CAPS} ! jpegenc ! rswebview name=w stream-name=cam port=0 max-clients=2"
    ));
    p.set_state(gst::State::Playing).unwrap();
    let port = bound_port(&p, "w");
    let mut c1 = mjpeg_client(port, "cam");
    let mut c2 = mjpeg_client(port, "cam");
    assert!(c1.next_part().is_some() && c2.next_part().is_some());
    let r3 = get(port, "/cam.mjpg");
    assert_eq!(r3.status, 503);
    let body = r3.body_text();
    assert!(body.contains("max-clients=2"), "{body}");
    assert_eq!(stat(port, "cam", "clients"), 2);
    assert_eq!(stat(port, "cam", "clients_refused"), 1);
    drop(c1);
    wait_for(5, "the slot is freed", || stat(port, "cam", "clients") == 1);
    let mut c4 = mjpeg_client(port, "cam");
    assert!(c4.next_part().is_some());
    stop(&p);
}

/// max-rate=5 on a 30 fps stream: a client gets about 5 frames a second,
/// the others are counted as skipped by the rate, not as dropped.
#[test]
fn max_rate_limits_what_a_client_gets() {
    let p = launch(&format!(
        "{LIVE} num-buffers=300 ! {CAPS} ! jpegenc ! rswebview name=w stream-name=cam port=0 max-rate=5"
    ));
    p.set_state(gst::State::Playing).unwrap();
    let port = bound_port(&p, "w");
    let mut c = mjpeg_client(port, "cam");
    assert!(c.next_part().is_some());
    let t = Instant::now();
    let mut n = 0;
    while t.elapsed() < Duration::from_secs(2) {
        assert!(c.next_part().is_some());
        n += 1;
    }
    // 10 in 2 s at 5/s; loose bounds for a loaded machine.
    assert!((6..=13).contains(&n), "{n} frames in 2 s at max-rate=5");
    assert!(stat(port, "cam", "frames_rate_skipped") > 0);
    stop(&p);
}

/// Ten clients, one of which never reads (4 KiB receive buffer): a
/// `sync=false` pipeline of 300 noisy frames still reaches EOS in time,
/// the readers get frames, the stalled client's frames are counted as
/// dropped, and stopping ends its connection.
#[test]
fn a_stalled_client_blocks_only_itself() {
    const FRAMES: u64 = 300;
    let p = launch(&format!(
        "videotestsrc num-buffers={FRAMES} pattern=snow ! {CAPS} ! jpegenc ! \
         rswebview name=w stream-name=cam port=0 sync=false"
    ));
    // Started (bound) in PAUSED; no frame is rendered before PLAYING.
    let _ = p.set_state(gst::State::Paused);
    let port = bound_port(&p, "w");
    // The stalled client: a small receive buffer set before connecting.
    let stalled = {
        let sock =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        sock.set_recv_buffer_size(4096).unwrap();
        sock.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into())
            .unwrap();
        let mut s: TcpStream = sock.into();
        s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        write!(
            s,
            "GET /cam.mjpg HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
        )
        .unwrap();
        s
    };
    let readers: Vec<_> = (0..9)
        .map(|_| {
            let mut c = mjpeg_client(port, "cam");
            std::thread::spawn(move || {
                let mut n = 0u64;
                while let Some(j) = c.next_part() {
                    assert!(is_jpeg(&j));
                    n += 1;
                }
                n
            })
        })
        .collect();
    wait_for(10, "10 clients", || stat(port, "cam", "clients") == 10);
    let t = Instant::now();
    p.set_state(gst::State::Playing).unwrap();
    wait_eos(&p, 60);
    let took = t.elapsed();
    assert!(took < Duration::from_secs(30), "EOS after {took:?}");
    assert_eq!(stat(port, "cam", "frames_received"), FRAMES);
    let dropped = stat(port, "cam", "frames_dropped");
    assert!(dropped > 0, "the stalled client dropped frames");
    stop(&p);
    let got: Vec<u64> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    assert!(
        got.iter().all(|&n| n >= 1),
        "every reader got frames: {got:?}"
    );
    // The stalled connection was dropped: reading it now drains what was
    // buffered and ends.
    let mut s = stalled;
    let mut sink = [0u8; 1 << 16];
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        match s.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => assert!(Instant::now() < until, "stalled connection still open"),
        }
    }
    eprintln!("readers got {got:?} frames; {dropped} dropped in all; 300 frames in {took:?}");
}

/// A port in use, an invalid address and an invalid stream-name fail the
/// start with an error that names them.
#[test]
fn start_errors_name_the_cause() {
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let p = launch(&format!(
        "videotestsrc num-buffers=1 ! jpegenc ! rswebview port={port}"
    ));
    let err = start_error(&p);
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(err.contains("in use"), "{err}");
    drop(held);

    let p = launch("videotestsrc num-buffers=1 ! jpegenc ! rswebview address=not-an-ip port=0");
    let err = start_error(&p);
    assert!(err.contains("Invalid address 'not-an-ip'"), "{err}");

    let p = launch("videotestsrc num-buffers=1 ! jpegenc ! rswebview name=w port=0");
    p.by_name("w").unwrap().set_property("stream-name", "a b");
    let err = start_error(&p);
    assert!(err.contains("Invalid stream-name 'a b'"), "{err}");

    // An address that is not on this machine (TEST-NET-1).
    let p = launch("videotestsrc num-buffers=1 ! jpegenc ! rswebview address=192.0.2.1 port=0");
    let err = start_error(&p);
    assert!(err.contains("Cannot listen on 192.0.2.1:0"), "{err}");
}

/// Stopping frees the port; stopping one of two instances of a server
/// removes only its stream; a duplicate stream-name fails to start.
#[test]
fn stop_frees_the_port_and_names_are_unique() {
    let p1 = launch(&format!(
        "{LIVE} ! {CAPS} ! jpegenc ! rswebview name=w stream-name=one port=0"
    ));
    p1.set_state(gst::State::Playing).unwrap();
    let port = bound_port(&p1, "w");
    let p2 = launch(&format!(
        "{LIVE} ! {CAPS} ! jpegenc ! rswebview name=w stream-name=two port={port}"
    ));
    p2.set_state(gst::State::Playing).unwrap();
    assert_eq!(bound_port(&p2, "w"), port);
    wait_for(10, "frames on both", || {
        get(port, "/one.jpg").status == 200 && get(port, "/two.jpg").status == 200
    });
    let mut c1 = mjpeg_client(port, "one");
    let mut c2 = mjpeg_client(port, "two");
    assert!(c1.next_part().is_some() && c2.next_part().is_some());

    // A third instance with a name in use on this server.
    let p3 = launch(&format!(
        "{LIVE} ! {CAPS} ! jpegenc ! rswebview name=w stream-name=two port={port}"
    ));
    let err = start_error(&p3);
    assert!(err.contains("stream-name 'two'"), "{err}");

    // Stopping the second: its client's response ends, its stream leaves
    // the index, the first goes on.
    stop(&p2);
    let t = Instant::now();
    while c2.next_part().is_some() {
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "response of 'two' did not end"
        );
    }
    let html = get(port, "/").body_text();
    assert!(
        html.contains("/one.mjpg") && !html.contains("/two.mjpg"),
        "{html}"
    );
    assert_eq!(get(port, "/two.jpg").status, 404);
    assert!(c1.next_part().is_some(), "'one' still streams");

    // Stopping the last one: the port is free again.
    stop(&p1);
    while c1.next_part().is_some() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "response of 'one' did not end"
        );
    }
    TcpListener::bind(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("port {port} not free after stop: {e}"));
    // And the element starts again on it.
    let p4 = launch(&format!(
        "{LIVE} ! {CAPS} ! jpegenc ! rswebview name=w stream-name=one port={port}"
    ));
    p4.set_state(gst::State::Playing).unwrap();
    assert_eq!(bound_port(&p4, "w"), port);
    stop(&p4);
}

// ---------------------------------------------------------------------------
// Browser

/// Chromium, or None when it is not installed: then the browser test
/// fails under CI=true, and otherwise is skipped, saying so.
fn chromium() -> Option<std::path::PathBuf> {
    // $CHROMIUM when set (only it), else Debian's.
    let candidates: Vec<std::path::PathBuf> = match std::env::var_os("CHROMIUM") {
        Some(p) => vec![p.into()],
        None => vec![
            "/usr/bin/chromium".into(),
            "/usr/bin/chromium-browser".into(),
        ],
    };
    let found = candidates.iter().find(|p| p.exists()).cloned();
    if found.is_none() {
        let msg = format!(
            "no Chromium at {candidates:?} (scripts/setup.sh installs Debian's chromium; CHROMIUM=<path> picks another)"
        );
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "browser test under CI=true: {msg}"
        );
        eprintln!("SKIPPED browser_shows_the_overlay_box: {msg}");
    }
    found
}

/// Takes a `w`×`h` screenshot of `url` with headless Chromium (a fresh
/// profile in `dir`; killed if it runs over 60 s) and returns it as RGB
/// rows. `--timeout` makes Chromium stop loading and take the screenshot
/// even though an MJPEG response never ends. Chromium can exit with
/// status 0 and leave a truncated PNG (seen once here, with the disk
/// full): a shot that does not decode is taken again, up to three times,
/// with a longer load timeout; every failure is printed, and the test
/// fails with all of them if none decodes.
fn screenshot(
    chromium: &std::path::Path,
    dir: &std::path::Path,
    url: &str,
    w: u32,
    h: u32,
) -> (u32, u32, Vec<u8>) {
    let mut errors = Vec::new();
    for (attempt, timeout_ms) in [3000, 6000, 9000].into_iter().enumerate() {
        match shoot(chromium, dir, url, w, h, timeout_ms) {
            Ok(shot) => return shot,
            Err(e) => {
                eprintln!("screenshot attempt {} of {url}: {e}", attempt + 1);
                errors.push(e);
            }
        }
    }
    panic!("no screenshot of {url} decoded: {errors:?}");
}

/// One Chromium run of [`screenshot`]; the PNG decoded as RGB rows.
fn shoot(
    chromium: &std::path::Path,
    dir: &std::path::Path,
    url: &str,
    w: u32,
    h: u32,
    timeout_ms: u32,
) -> Result<(u32, u32, Vec<u8>), String> {
    let png = dir.join("shot.png");
    let _ = std::fs::remove_file(&png);
    let profile = dir.join("profile");
    let mut child = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--timeout={timeout_ms}"))
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={w},{h}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", chromium.display()));
    let until = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium (pid {}) ran over 60 s on {url}: killed",
                child.id()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if !status.success() {
        return Err(format!("chromium exited with {status}"));
    }
    let file = std::fs::File::open(&png).map_err(|e| format!("{}: {e}", png.display()))?;
    let mut reader = png::Decoder::new(file)
        .read_info()
        .map_err(|e| format!("{}: {e}", png.display()))?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("{}: {e}", png.display()))?;
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let n = info.color_type.samples();
    assert!(n >= 3, "{:?}", info.color_type);
    let rgb: Vec<u8> = buf[..info.buffer_size()]
        .chunks_exact(n)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    Ok((info.width, info.height, rgb))
}

/// What a browser shows: a box drawn by rsoverlay (track id 1's colour,
/// 6 px lines) on black frames, through jpegenc and rswebview, in
/// Chromium's screenshots of the index page and of the `.mjpg` URL.
///
/// JPEG (quality 95, 4:2:0 chroma) and the browser's decoding change
/// colours a little: each channel may differ by at most 16 from the
/// overlay's colour in the middle of a line, and "black" is every channel
/// at most 16 (measured here: 2 and 0). Positions are in the middle of the 6 px lines, 3 px from
/// each edge of a line, away from corners.
#[test]
fn browser_shows_the_overlay_box() {
    use gstrstracking::core::draw::id_colour;
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tmpdir("webview-browser");
    // Box (1-based MOT pixels) 101,61 120×100 → pixels x 100..220, y 60..160.
    let (x0, y0, x1, y1) = (100u32, 60u32, 220u32, 160u32);
    let det = dir.join("det.txt");
    let rows: String = (1..=600)
        .map(|f| format!("{f},-1,101,61,120,100,0.9,-1,-1,-1\n"))
        .collect();
    std::fs::write(&det, rows).unwrap();
    let p = launch(&format!(
        "videotestsrc pattern=black is-live=true num-buffers=600 ! \
         video/x-raw,format=RGB,width=320,height=240,framerate=30/1 ! \
         rsdetect detections={} ! rsbytetrack ! rsoverlay thickness=6 labels=false ! \
         videoconvert ! jpegenc quality=95 ! rswebview name=w stream-name=cam port=0",
        det.display()
    ));
    p.set_state(gst::State::Playing).unwrap();
    let port = bound_port(&p, "w");
    wait_for(10, "frames", || stat(port, "cam", "frames_received") >= 10);

    let c = id_colour(1);
    let colour = [c.0, c.1, c.2];
    let check = |name: &str, (w, h, rgb): &(u32, u32, Vec<u8>), ox: u32, oy: u32| {
        let px = |x: u32, y: u32| {
            let i = (((oy + y) * w + ox + x) * 3) as usize;
            [rgb[i], rgb[i + 1], rgb[i + 2]]
        };
        let near =
            |a: [u8; 3], b: [u8; 3], tol: u8| a.iter().zip(b).all(|(p, q)| p.abs_diff(q) <= tol);
        assert!(ox + 320 <= *w && oy + 240 <= *h, "{name}: {w}x{h}");
        let mid_x = (x0 + x1) / 2;
        let mid_y = (y0 + y1) / 2;
        let border = [
            (x0 + 3, mid_y),   // left line
            (x1 - 3, mid_y),   // right line
            (mid_x, y0 + 3),   // top line
            (mid_x, y1 - 3),   // bottom line
            (x0 + 3, y0 + 30), // left, upper part
            (x1 - 30, y1 - 3), // bottom, right part
        ];
        let dev =
            |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).map(|(p, q)| p.abs_diff(q)).max().unwrap();
        let worst_line = border
            .iter()
            .map(|&(x, y)| dev(px(x, y), colour))
            .max()
            .unwrap();
        eprintln!("{name}: largest deviation on the lines {worst_line}");
        for (x, y) in border {
            let got = px(x, y);
            assert!(
                near(got, colour, 16),
                "{name}: box line at ({x},{y}) is {got:?}, expected {colour:?} ± 16"
            );
        }
        let black = [
            (mid_x, mid_y),     // inside
            (x0 + 20, y0 + 20), // inside, near a corner
            (x0 - 20, mid_y),   // outside, left
            (mid_x, y1 + 20),   // outside, below
            (300, 20),          // frame corner
        ];
        let worst_black = black
            .iter()
            .map(|&(x, y)| dev(px(x, y), [0, 0, 0]))
            .max()
            .unwrap();
        eprintln!("{name}: largest deviation from black {worst_black}");
        for (x, y) in black {
            let got = px(x, y);
            assert!(
                near(got, [0, 0, 0], 16),
                "{name}: ({x},{y}) is {got:?}, expected black ± 16"
            );
        }
    };

    // The index page: no margin, the (only) stream's image at the top-left
    // corner at its natural size; the page background (#111) beside it.
    let shot = screenshot(
        &chromium,
        &dir,
        &format!("http://127.0.0.1:{port}/"),
        480,
        360,
    );
    check("index", &shot, 0, 0);
    let (w, _, rgb) = &shot;
    let i = ((100 * w + 400) * 3) as usize;
    assert_eq!(
        &rgb[i..i + 3],
        &[17, 17, 17],
        "index page background right of the image"
    );

    // The MJPEG URL itself: Chromium centres the image in the window.
    let (ww, wh) = (480u32, 360u32);
    let shot = screenshot(
        &chromium,
        &dir,
        &format!("http://127.0.0.1:{port}/cam.mjpg"),
        ww,
        wh,
    );
    check("cam.mjpg", &shot, (ww - 320) / 2, (wh - 240) / 2);

    assert!(
        stat(port, "cam", "frames_sent") >= 2,
        "the browser was a client"
    );
    stop(&p);
}
