// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

//! The HTTP side of rswebview, free of GStreamer: a process-wide registry
//! of servers keyed by their socket address, each serving the streams of
//! the rswebview instances that use it.
//!
//! One server = one listening socket and one small tokio runtime (hyper,
//! HTTP/1.1). A stream holds its latest frame in a `watch` channel: the
//! element's `render` replaces it and returns at once, and every MJPEG
//! client (one task each) waits for a newer sequence number and sends the
//! latest frame, skipping the ones that came while it was still writing.
//! A client that reads nothing only stalls its own task.
//!
//! Lock order: the registry ([`SERVERS`]) before a server's stream map
//! before a stream's `arrivals` / `kills`; the `watch` channel's own lock
//! is only taken for a swap or a clone.

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full, StreamBody};
use hyper::body::Frame;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};

type Body = UnsyncBoxBody<Bytes, Infallible>;

/// The multipart boundary of the `.mjpg` responses.
pub const BOUNDARY: &str = "rswebviewframe";
/// Window of the measured frame rate.
const FPS_WINDOW: Duration = Duration::from_secs(3);
/// Arrival times kept for the frame rate, at most.
const MAX_ARRIVALS: usize = 4096;
/// How long a closed stream's client gets to receive the end of its
/// response before its connection is dropped (a stalled client never does).
const CLOSE_GRACE: Duration = Duration::from_millis(500);
/// How long the last instance's stop waits for the server's threads.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);
/// hyper's per-connection buffer: request heads up to this size, and at
/// most this much response queued above the socket (so that a slow client
/// gets the latest frame, not a backlog).
const CONNECTION_BUFFER: usize = 64 * 1024;

/// Whether `name` can be a stream name (and so a URL path segment).
pub fn valid_stream_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// A stream's newest frame, as the clients see it.
#[derive(Clone, Default)]
struct Latest {
    /// Frames published so far (the frame's number, from 1).
    seq: u64,
    frame: Option<Bytes>,
    /// Set when the element stopped: clients end their responses.
    closed: bool,
}

/// Per-stream limits, fixed when the element starts.
#[derive(Debug, Clone, Copy)]
pub struct StreamConfig {
    pub max_clients: usize,
    /// Frames per second sent to each MJPEG client; 0 = every frame.
    pub max_rate: f64,
}

/// Where one MJPEG client is in the stream.
#[derive(Default)]
struct Progress {
    /// Sequence number of the last frame sent or counted as missed (None
    /// before the first frame).
    acc: Option<u64>,
    /// From handing a part to the connection to asking for the next one.
    busy: bool,
}

/// Dropped and skipped frames of a stream's MJPEG clients.
#[derive(Default)]
struct Accounting {
    next_id: u64,
    clients: HashMap<u64, Progress>,
    /// Missed because the client was still busy with an earlier frame.
    dropped: u64,
    /// Left out by max-rate.
    rate_skipped: u64,
}

impl Accounting {
    /// Frames a client missed so far, counted or not yet: a busy client
    /// will never send those older than the latest.
    fn dropped_now(&self, latest: u64) -> u64 {
        self.dropped
            + self
                .clients
                .values()
                .filter(|p| p.busy)
                .filter_map(|p| p.acc)
                .map(|a| latest.saturating_sub(a + 1))
                .sum::<u64>()
    }
}

/// One rswebview's stream: its latest frame and counters.
pub struct Stream {
    name: String,
    config: StreamConfig,
    tx: watch::Sender<Latest>,
    clients: AtomicUsize,
    received: AtomicU64,
    sent: AtomicU64,
    accounting: Mutex<Accounting>,
    refused: AtomicU64,
    last_bytes: AtomicU64,
    arrivals: Mutex<VecDeque<Instant>>,
    /// The connections streaming it, woken when it closes.
    kills: Mutex<Vec<Weak<Notify>>>,
}

impl Stream {
    fn new(name: &str, config: StreamConfig) -> Self {
        Stream {
            name: name.to_owned(),
            config,
            tx: watch::Sender::new(Latest::default()),
            clients: AtomicUsize::new(0),
            received: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            accounting: Mutex::new(Accounting::default()),
            refused: AtomicU64::new(0),
            last_bytes: AtomicU64::new(0),
            arrivals: Mutex::new(VecDeque::new()),
            kills: Mutex::new(Vec::new()),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Makes `frame` the latest one and wakes the clients. Never waits for
    /// a client.
    pub fn publish(&self, frame: Bytes) {
        let len = frame.len() as u64;
        self.tx.send_modify(|l| {
            l.seq += 1;
            l.frame = Some(frame);
        });
        self.received.fetch_add(1, Ordering::Relaxed);
        self.last_bytes.store(len, Ordering::Relaxed);
        let now = Instant::now();
        let mut a = self.arrivals.lock().unwrap();
        a.push_back(now);
        while a.len() > MAX_ARRIVALS || a.front().is_some_and(|t| now - *t > FPS_WINDOW) {
            a.pop_front();
        }
    }

    /// Frames per second over the last [`FPS_WINDOW`] (0 with fewer than
    /// two frames in it).
    fn fps(&self) -> f64 {
        let now = Instant::now();
        let a = self.arrivals.lock().unwrap();
        let mut recent = a.iter().filter(|t| now - **t <= FPS_WINDOW);
        let Some(first) = recent.next() else {
            return 0.0;
        };
        let (n, last) = recent.fold((1u64, first), |(n, _), t| (n + 1, t));
        let span = (*last - *first).as_secs_f64();
        if n < 2 || span <= 0.0 {
            0.0
        } else {
            (n - 1) as f64 / span
        }
    }

    /// Ends the clients' responses and waits until their connections are
    /// gone: those that do not take the end within [`CLOSE_GRACE`] (a
    /// stalled client) are dropped by their task.
    fn close(&self) {
        self.tx.send_modify(|l| l.closed = true);
        for k in self.kills.lock().unwrap().iter() {
            if let Some(k) = k.upgrade() {
                k.notify_one();
            }
        }
        let until = Instant::now() + CLOSE_GRACE + Duration::from_millis(500);
        while Instant::now() < until
            && self
                .kills
                .lock()
                .unwrap()
                .iter()
                .any(|k| k.strong_count() > 0)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn stats(&self) -> serde_json::Value {
        let (dropped, rate_skipped) = {
            let a = self.accounting.lock().unwrap();
            (a.dropped_now(self.tx.borrow().seq), a.rate_skipped)
        };
        serde_json::json!({
            "frames_received": self.received.load(Ordering::Relaxed),
            "fps": (self.fps() * 100.0).round() / 100.0,
            "clients": self.clients.load(Ordering::Relaxed),
            "frames_sent": self.sent.load(Ordering::Relaxed),
            "frames_dropped": dropped,
            "frames_rate_skipped": rate_skipped,
            "clients_refused": self.refused.load(Ordering::Relaxed),
            "last_frame_bytes": self.last_bytes.load(Ordering::Relaxed),
            "max_clients": self.config.max_clients,
            "max_rate": self.config.max_rate,
        })
    }
}

/// What the connection tasks share.
struct Shared {
    addr: SocketAddr,
    streams: Mutex<BTreeMap<String, Arc<Stream>>>,
}

/// One listening socket and its runtime.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
}

/// Servers of this process by bound address. Entries are weak: the
/// rswebview instances hold the strong references, and the last one to
/// stop shuts the server down in [`release`].
static SERVERS: LazyLock<Mutex<HashMap<SocketAddr, Weak<Server>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Why a server could not start.
#[derive(Debug)]
pub enum StartError {
    /// The socket could not be bound (in use, not a local address, ...).
    Bind(std::io::Error),
    /// The runtime's threads could not be created.
    Runtime(std::io::Error),
}

/// The running server on `addr`, or a new one bound to it. Port 0 always
/// starts a new server (on a port the system picks), registered under the
/// bound address so that other instances can join it.
pub fn acquire(addr: SocketAddr) -> Result<Arc<Server>, StartError> {
    let mut reg = SERVERS.lock().unwrap();
    if addr.port() != 0 {
        if let Some(s) = reg.get(&addr).and_then(Weak::upgrade) {
            return Ok(s);
        }
    }
    let server = Server::start(addr)?;
    reg.retain(|_, w| w.strong_count() > 0);
    reg.insert(server.addr, Arc::downgrade(&server));
    Ok(server)
}

/// Gives back an instance's reference; the last one shuts the server down
/// (its connections are dropped, its threads joined within
/// [`SHUTDOWN_WAIT`], the port is free again when this returns).
pub fn release(server: Arc<Server>) {
    let mut reg = SERVERS.lock().unwrap();
    // Every clone is made under this lock, so the count cannot grow now.
    if Arc::strong_count(&server) == 1 {
        reg.remove(&server.addr);
        server.shutdown();
    }
}

impl Server {
    fn start(addr: SocketAddr) -> Result<Arc<Server>, StartError> {
        let listener = std::net::TcpListener::bind(addr).map_err(StartError::Bind)?;
        listener.set_nonblocking(true).map_err(StartError::Bind)?;
        let local = listener.local_addr().map_err(StartError::Bind)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("rswebview-http")
            .enable_io()
            .enable_time()
            .build()
            .map_err(StartError::Runtime)?;
        let listener = {
            let _enter = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(StartError::Bind)?
        };
        let shared = Arc::new(Shared {
            addr: local,
            streams: Mutex::new(BTreeMap::new()),
        });
        runtime.spawn(accept_loop(listener, shared.clone()));
        Ok(Arc::new(Server {
            addr: local,
            shared,
            runtime: Mutex::new(Some(runtime)),
        }))
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Adds a stream; fails when the name is taken on this server.
    pub fn add_stream(&self, name: &str, config: StreamConfig) -> Option<Arc<Stream>> {
        let mut streams = self.shared.streams.lock().unwrap();
        if streams.contains_key(name) {
            return None;
        }
        let s = Arc::new(Stream::new(name, config));
        streams.insert(name.to_owned(), s.clone());
        Some(s)
    }

    /// Removes the stream from the index and ends its clients' responses
    /// (waits for that at most [`CLOSE_GRACE`] and a little more).
    pub fn remove_stream(&self, stream: &Arc<Stream>) {
        let mut streams = self.shared.streams.lock().unwrap();
        if streams
            .get(stream.name())
            .is_some_and(|s| Arc::ptr_eq(s, stream))
        {
            streams.remove(stream.name());
        }
        drop(streams);
        stream.close();
    }

    fn shutdown(&self) {
        let rt = self.runtime.lock().unwrap().take();
        if let Some(rt) = rt {
            // Drops every task (the listener and all connections with
            // them) and joins the worker threads. On a thread of its own:
            // tokio refuses to shut a runtime down from async code, and
            // the application that stops the pipeline may be running some.
            // (Should no thread be had, the closure and the runtime in it
            // are dropped here, which shuts it down too.)
            if let Ok(t) = std::thread::Builder::new()
                .name("rswebview-stop".into())
                .spawn(move || rt.shutdown_timeout(SHUTDOWN_WAIT))
            {
                let _ = t.join();
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

async fn accept_loop(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    loop {
        match listener.accept().await {
            Ok((socket, _peer)) => {
                let _ = socket.set_nodelay(true);
                tokio::spawn(serve_connection(socket, shared.clone()));
            }
            // Out of file descriptors and the like: try again a little
            // later rather than spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

async fn serve_connection(socket: tokio::net::TcpStream, shared: Arc<Shared>) {
    let kill = Arc::new(Notify::new());
    let k = kill.clone();
    let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
        let resp = route(&shared, &k, &req);
        async move { Ok::<_, Infallible>(resp) }
    });
    let mut conn = pin!(hyper::server::conn::http1::Builder::new()
        .max_buf_size(CONNECTION_BUFFER)
        .serve_connection(TokioIo::new(socket), service));
    let killed = pin!(kill.notified());
    // Errors (a client that sent garbage or went away) end this
    // connection only.
    if let futures_util::future::Either::Right(_) =
        futures_util::future::select(conn.as_mut(), killed).await
    {
        conn.as_mut().graceful_shutdown();
        let _ = tokio::time::timeout(CLOSE_GRACE, conn).await;
    }
}

fn text(status: StatusCode, body: String) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(body)).boxed_unsync());
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn with_type(body: Bytes, content_type: &'static str) -> Response<Body> {
    let mut r = Response::new(Full::new(body).boxed_unsync());
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn route(
    shared: &Shared,
    kill: &Arc<Notify>,
    req: &Request<hyper::body::Incoming>,
) -> Response<Body> {
    let head = req.method() == Method::HEAD;
    if req.method() != Method::GET && !head {
        let mut r = text(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("method {} not allowed: only GET and HEAD\n", req.method()),
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let path = req.uri().path();
    if path == "/" || path == "/index.html" {
        return with_type(Bytes::from(index_html(shared)), "text/html; charset=utf-8");
    }
    if path == "/stats.json" {
        return with_type(Bytes::from(stats_json(shared)), "application/json");
    }
    let name = path.strip_prefix('/').unwrap_or(path);
    let (name, mjpg) = if let Some(n) = name.strip_suffix(".mjpg") {
        (n, true)
    } else if let Some(n) = name.strip_suffix(".jpg") {
        (n, false)
    } else {
        return not_found(shared, path);
    };
    let Some(stream) = shared.streams.lock().unwrap().get(name).cloned() else {
        return not_found(shared, path);
    };
    if mjpg {
        mjpeg(stream, kill, head)
    } else {
        let frame = stream.tx.borrow().frame.clone();
        match frame {
            Some(f) => with_type(f, "image/jpeg"),
            None => {
                let mut r = text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("stream '{name}' has no frame yet\n"),
                );
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                r
            }
        }
    }
}

fn not_found(shared: &Shared, path: &str) -> Response<Body> {
    let names: Vec<String> = shared.streams.lock().unwrap().keys().cloned().collect();
    text(
        StatusCode::NOT_FOUND,
        format!(
            "{path} not found on this server (streams: {}; routes: /, /<name>.mjpg, /<name>.jpg, /stats.json)\n",
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        ),
    )
}

fn index_html(shared: &Shared) -> String {
    let names: Vec<String> = shared.streams.lock().unwrap().keys().cloned().collect();
    let mut s = String::with_capacity(1024 + 256 * names.len());
    // Layout: no body margin; each stream is a block at its image's
    // natural size, the first one at the page's top-left corner, the
    // caption under the image.
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>rswebview on {}</title>\n\
         <style>body{{margin:0;background:#111;color:#ddd;font:14px sans-serif}}\
         .s{{display:inline-block;vertical-align:top;margin:0 8px 8px 0}}\
         .s img{{display:block}}.s p{{margin:4px}}a{{color:#8cf}}</style>\n</head><body>\n",
        shared.addr
    );
    for n in &names {
        // Names are [A-Za-z0-9_.-] only: nothing to escape.
        let _ = writeln!(
            s,
            "<div class=\"s\" id=\"stream-{n}\"><img src=\"/{n}.mjpg\" alt=\"{n}\">\
             <p>{n} &middot; <a href=\"/{n}.jpg\">{n}.jpg</a> &middot; <a href=\"/{n}.mjpg\">{n}.mjpg</a></p></div>"
        );
    }
    if names.is_empty() {
        s.push_str("<p>No streams.</p>\n");
    }
    s.push_str("<p><a href=\"/stats.json\">stats.json</a></p>\n</body></html>\n");
    s
}

fn stats_json(shared: &Shared) -> String {
    let streams: Vec<Arc<Stream>> = shared.streams.lock().unwrap().values().cloned().collect();
    let map: serde_json::Map<String, serde_json::Value> = streams
        .iter()
        .map(|s| (s.name.clone(), s.stats()))
        .collect();
    // "elements": the latest `stats-interval` snapshot of each element of
    // the process (see src/stats.rs).
    let v = serde_json::json!({
        "address": shared.addr.to_string(),
        "streams": map,
        "elements": crate::stats::snapshots(),
    });
    let mut out = v.to_string();
    out.push('\n');
    out
}

/// An MJPEG client of a stream, counted while it lives.
struct ClientSlot {
    stream: Arc<Stream>,
    id: u64,
}

impl ClientSlot {
    fn new(stream: Arc<Stream>) -> Self {
        let id = {
            let mut a = stream.accounting.lock().unwrap();
            let id = a.next_id;
            a.next_id += 1;
            a.clients.insert(id, Progress::default());
            id
        };
        ClientSlot { stream, id }
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let latest = self.stream.tx.borrow().seq;
        let mut a = self.stream.accounting.lock().unwrap();
        if let Some(p) = a.clients.remove(&self.id) {
            if let (true, Some(acc)) = (p.busy, p.acc) {
                a.dropped += latest.saturating_sub(acc + 1);
            }
        }
        drop(a);
        self.stream.clients.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One MJPEG client's progress.
struct Client {
    slot: ClientSlot,
    rx: watch::Receiver<Latest>,
    /// Sequence number of the last frame sent or counted (as in its
    /// [`Progress`]).
    acc: Option<u64>,
    /// Not before this instant (max-rate).
    next_at: Option<tokio::time::Instant>,
    /// Body chunks of the part being sent.
    pending: VecDeque<Bytes>,
    ended: bool,
}

impl Client {
    /// The connection asks for more after a part: the frames that came
    /// while it was busy with it, but the latest, are dropped.
    fn part_written(&mut self) {
        let latest = self.rx.borrow().seq;
        let stream = &self.slot.stream;
        let mut a = stream.accounting.lock().unwrap();
        let Accounting {
            clients, dropped, ..
        } = &mut *a;
        if let Some(p) = clients.get_mut(&self.slot.id) {
            if let (true, Some(acc)) = (p.busy, p.acc) {
                if latest > acc + 1 {
                    *dropped += latest - acc - 1;
                    p.acc = Some(latest - 1);
                    self.acc = p.acc;
                }
            }
            p.busy = false;
        }
    }

    /// Frame `seq` is being sent: the ones since the last are missed
    /// (skipped by max-rate, or dropped when every frame is wanted).
    fn sending(&mut self, seq: u64) {
        let stream = &self.slot.stream;
        let rate = stream.config.max_rate > 0.0;
        let mut a = stream.accounting.lock().unwrap();
        let Accounting {
            clients,
            dropped,
            rate_skipped,
            ..
        } = &mut *a;
        if let Some(p) = clients.get_mut(&self.slot.id) {
            if let Some(acc) = p.acc {
                let missed = seq.saturating_sub(acc + 1);
                if rate {
                    *rate_skipped += missed;
                } else {
                    *dropped += missed;
                }
            }
            p.acc = Some(seq);
            p.busy = true;
        }
        drop(a);
        self.acc = Some(seq);
        stream.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// The next body chunk: the rest of the current part, else the next
    /// frame's part (the latest one), else None when the stream closed.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        if let Some(b) = self.pending.pop_front() {
            return Some(b);
        }
        if self.ended {
            return None;
        }
        self.part_written();
        if let Some(at) = self.next_at {
            tokio::time::sleep_until(at).await;
        }
        let (seq, frame) = loop {
            let (seq, frame, closed) = {
                let l = self.rx.borrow_and_update();
                (l.seq, l.frame.clone(), l.closed)
            };
            if closed {
                self.ended = true;
                return Some(Bytes::from(format!("--{BOUNDARY}--\r\n")));
            }
            if let Some(f) = frame.filter(|_| self.acc.is_none_or(|a| seq > a)) {
                break (seq, f);
            }
            if self.rx.changed().await.is_err() {
                self.ended = true;
                return None;
            }
        };
        self.sending(seq);
        let rate = self.slot.stream.config.max_rate;
        if rate > 0.0 {
            let period = Duration::from_secs_f64(1.0 / rate);
            self.next_at = Some(tokio::time::Instant::now() + period);
        }
        self.pending.push_back(frame.clone());
        self.pending.push_back(Bytes::from_static(b"\r\n"));
        Some(Bytes::from(format!(
            "--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
            frame.len()
        )))
    }
}

fn mjpeg(stream: Arc<Stream>, kill: &Arc<Notify>, head: bool) -> Response<Body> {
    let content_type =
        HeaderValue::from_str(&format!("multipart/x-mixed-replace; boundary={BOUNDARY}"))
            .expect("ASCII header value");
    let body = if head {
        Empty::new().boxed_unsync()
    } else {
        let max = stream.config.max_clients;
        if stream
            .clients
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .is_err()
        {
            stream.refused.fetch_add(1, Ordering::Relaxed);
            let mut r = text(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "stream '{}' already has {max} clients (max-clients={max}); try again later\n",
                    stream.name
                ),
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            return r;
        }
        {
            let mut kills = stream.kills.lock().unwrap();
            kills.retain(|k| k.strong_count() > 0);
            kills.push(Arc::downgrade(kill));
        }
        let client = Client {
            rx: stream.tx.subscribe(),
            slot: ClientSlot::new(stream),
            acc: None,
            next_at: None,
            pending: VecDeque::new(),
            ended: false,
        };
        let chunks = futures_util::stream::unfold(client, |mut c| async move {
            let chunk = c.next_chunk().await?;
            Some((Ok::<_, Infallible>(Frame::data(chunk)), c))
        });
        StreamBody::new(chunks).boxed_unsync()
    };
    let mut r = Response::new(body);
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store"),
    );
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_names() {
        for ok in ["a", "cam-1", "Cam_2.left", "0"] {
            assert!(valid_stream_name(ok), "{ok}");
        }
        for bad in ["", "a b", "a/b", "é", "a?x", "a%20"] {
            assert!(!valid_stream_name(bad), "{bad}");
        }
    }
}
