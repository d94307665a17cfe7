// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::Embeddings;
use crate::broker::{self, BrokerSettings, BrokerState, Connection, Step};
use crate::meta::TrackingMeta;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;
use rstracking_core::io::{msg, schema};
use rumqttc::{Event, Outgoing, Packet, QoS};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, LazyLock, Mutex};
use std::time::{Duration, Instant};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rsmsgsink",
        gst::DebugColorFlags::empty(),
        Some("Tracking meta to an MQTT broker"),
    )
});

const DEFAULT_TOPIC: &str = "rstracking/{stream}";
const DEFAULT_MAX_BUFFERED: u32 = 100_000;
const DEFAULT_MAX_INFLIGHT: u32 = 100;
const DEFAULT_DRAIN_TIMEOUT_MS: u32 = 10_000;

#[derive(Debug, Clone)]
struct Settings {
    broker: BrokerSettings,
    topic: String,
    embeddings: Embeddings,
    max_buffered: u32,
    max_buffered_bytes: u64,
    max_inflight: u32,
    drain_timeout_ms: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            broker: BrokerSettings::default(),
            topic: DEFAULT_TOPIC.into(),
            embeddings: Embeddings::default(),
            max_buffered: DEFAULT_MAX_BUFFERED,
            max_buffered_bytes: 0,
            max_inflight: DEFAULT_MAX_INFLIGHT,
            drain_timeout_ms: DEFAULT_DRAIN_TIMEOUT_MS,
        }
    }
}

struct Msg {
    topic: String,
    payload: Vec<u8>,
}

/// Messages on their way, shared by the streaming thread (which adds) and
/// the connection's thread (which hands them to the connection and drops
/// them when acknowledged). Invariant: the order of `inflight` is the order
/// they were handed over, which is the order rumqttc sends them, so packet
/// ids are assigned to them in order.
struct Outbox {
    /// Waiting for the connection, oldest first: the first `resent` were
    /// handed to a connection before (and went back after an error).
    pending: VecDeque<Msg>,
    resent: usize,
    /// Handed over, not yet acknowledged (packet id once sent).
    inflight: VecDeque<(Option<u16>, Msg)>,
    /// Set once the connection is started.
    client: Option<rumqttc::AsyncClient>,
    qos: QoS,
    connected: bool,
    state: BrokerState,
    reason: Option<String>,
    max_buffered: usize,
    /// 0 = no limit.
    max_buffered_bytes: usize,
    /// Payload bytes of `pending` and `inflight`.
    bytes: usize,
    /// Payload bytes of the never-handed-over part of `pending`.
    fresh_bytes: usize,
    window: usize,
    dropped: u64,
    /// Dropped since the last warning about it.
    dropped_unreported: u64,
    acked: u64,
    /// `unlock`: stop waiting for the drain.
    cancel: bool,
}

impl Outbox {
    fn new(qos: QoS, max_buffered: usize, max_buffered_bytes: usize, window: usize) -> Self {
        Outbox {
            pending: VecDeque::new(),
            resent: 0,
            inflight: VecDeque::new(),
            client: None,
            qos,
            connected: false,
            state: BrokerState::Connecting,
            reason: None,
            max_buffered,
            max_buffered_bytes,
            bytes: 0,
            fresh_bytes: 0,
            window,
            dropped: 0,
            dropped_unreported: 0,
            acked: 0,
            cancel: false,
        }
    }

    fn buffered(&self) -> usize {
        self.pending.len() + self.inflight.len()
    }

    /// Hands pending messages to the connection while the window allows.
    fn forward(&mut self) {
        let Some(client) = self.client.clone() else {
            return;
        };
        while self.connected && self.inflight.len() < self.window {
            let Some(m) = self.pending.pop_front() else {
                break;
            };
            match client.try_publish(m.topic.clone(), self.qos, false, m.payload.clone()) {
                Ok(()) => {
                    if self.resent > 0 {
                        self.resent -= 1;
                    } else {
                        self.fresh_bytes -= m.payload.len();
                    }
                    self.inflight.push_back((None, m));
                }
                Err(_) => {
                    // Channel full or closed: try again on the next event.
                    self.pending.push_front(m);
                    break;
                }
            }
        }
    }

    /// Adds a message; over `max-buffered`, drops the oldest message that
    /// was never handed to a connection (one that was may have reached
    /// the broker: it is kept, so `dropped` counts exactly what is lost).
    ///
    /// The bounds count the never-handed-over messages only (those sent
    /// and not yet acknowledged, at most `max-inflight`, are held besides).
    /// A message pushed with `keep` (the `eos` message) is never dropped.
    fn push(&mut self, m: Msg, keep: bool) {
        self.bytes += m.payload.len();
        self.fresh_bytes += m.payload.len();
        self.pending.push_back(m);
        loop {
            let fresh = self.pending.len() - self.resent;
            let over = fresh > self.max_buffered
                || (self.max_buffered_bytes > 0 && self.fresh_bytes > self.max_buffered_bytes);
            // The newest message is the one being kept: never drop it then.
            if !over || fresh == 0 || (keep && fresh == 1) {
                break;
            }
            if let Some(m) = self.pending.remove(self.resent) {
                self.bytes -= m.payload.len();
                self.fresh_bytes -= m.payload.len();
            }
            self.dropped += 1;
            self.dropped_unreported += 1;
        }
        self.forward();
    }

    /// After a connection error: rumqttc forgets what it held (clean
    /// session), the un-acknowledged messages go back in front, in order.
    fn requeue(&mut self) {
        while let Some((_, m)) = self.inflight.pop_back() {
            self.pending.push_front(m);
            self.resent += 1;
        }
    }

    /// A connection is up: resend and send on.
    fn on_connected(&mut self, address: &str) -> Notice {
        self.connected = true;
        self.state = BrokerState::Connected;
        self.reason = None;
        let mut n = Notice::default();
        if self.dropped_unreported > 0 {
            n.warning = Some(format!(
                "Dropped {} messages (the oldest) while broker {address} was unreachable: max-buffered reached ({} in total)",
                self.dropped_unreported, self.dropped
            ));
            self.dropped_unreported = 0;
        }
        self.forward();
        n.report = Some(self.report(address));
        n
    }

    /// rumqttc wrote a publish: QoS 1 gets its packet id (in order), QoS 0
    /// is done.
    fn on_sent(&mut self, pkid: u16) {
        if self.qos == QoS::AtMostOnce {
            if let Some((_, m)) = self.inflight.pop_front() {
                self.bytes -= m.payload.len();
            }
            self.acked += 1;
            self.forward();
        } else if let Some(e) = self.inflight.iter_mut().find(|e| e.0.is_none()) {
            e.0 = Some(pkid);
        }
    }

    fn on_acked(&mut self, pkid: u16) {
        if let Some(i) = self.inflight.iter().position(|e| e.0 == Some(pkid)) {
            if let Some((_, m)) = self.inflight.remove(i) {
                self.bytes -= m.payload.len();
            }
            self.acked += 1;
        }
        self.forward();
    }

    /// A connection error: everything unacknowledged goes back in front;
    /// `error` is set when retrying cannot help.
    fn on_error(
        &mut self,
        el: &mut rumqttc::EventLoop,
        e: &rumqttc::ConnectionError,
        address: &str,
    ) -> Notice {
        // rumqttc would resend what it holds only on a resumed session; we
        // resend ourselves, in order. Events queued before the failed write
        // (an Outgoing::Publish whose packet never left) and a stale
        // collision must not leak into the next connection: packet ids are
        // assigned in order.
        el.clean();
        el.pending.clear();
        el.state.events.clear();
        el.state.collision = None;
        self.connected = false;
        self.requeue();
        let (fatal, text) = broker::describe(address, e);
        let before = self.state;
        self.reason = Some(text.clone());
        let mut n = Notice::default();
        if fatal {
            n.error = Some(text);
        } else if self.state == BrokerState::Connected {
            self.state = BrokerState::Reconnecting;
        }
        if self.state != before {
            n.report = Some(self.report(address));
        }
        n
    }

    fn report(&self, address: &str) -> gst::Structure {
        gst::Structure::builder("rstracking-broker")
            .field("address", address)
            .field("state", self.state.nick())
            .field("buffered", self.buffered() as u64)
            .field("dropped", self.dropped)
            .field("acked", self.acked)
            .field("reason", self.reason.clone())
            .build()
    }
}

/// What the connection thread posts after a poll (outside the outbox lock).
#[derive(Default)]
struct Notice {
    report: Option<gst::Structure>,
    warning: Option<String>,
    error: Option<String>,
}

struct Shared {
    outbox: Mutex<Outbox>,
    cond: Condvar,
}

struct State {
    shared: Arc<Shared>,
    _conn: Connection,
    /// Random per start: receivers reset their sequence tracking when it
    /// changes (the sender restarted).
    run: u64,
    seq: u64,
    frames: u64,
    next_frame: u64,
    width: u32,
    height: u32,
    stream: Option<String>,
    topic: String,
    embeddings: Embeddings,
    drain_timeout: Duration,
    address: String,
    /// Upstream is live (asked at the first frame): frames get `utc_ns`.
    live: Option<bool>,
    wall_offset: Option<i128>,
}

impl State {
    /// The topic of a message; MQTT wildcards (`+`, `#`) and `/` in the
    /// stream name become `_` (a topic to publish to may hold none).
    fn topic_for(&self, stream: Option<&str>, fallback: &str) -> String {
        let name: String = stream
            .unwrap_or(fallback)
            .chars()
            .map(|c| if matches!(c, '+' | '#' | '/') { '_' } else { c })
            .collect();
        self.topic.replace("{stream}", &name)
    }
}

#[derive(Default)]
pub struct RsMsgSink {
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
}

#[glib::object_subclass]
impl ObjectSubclass for RsMsgSink {
    const NAME: &'static str = "GstRsMsgSink";
    type Type = super::RsMsgSink;
    type ParentType = gst_base::BaseSink;
}

impl ObjectImpl for RsMsgSink {
    fn constructed(&self) {
        self.parent_constructed();
        self.obj().set_sync(false);
    }

    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let mut v = BrokerSettings::properties();
            v.extend([
                glib::ParamSpecString::builder("topic")
                    .nick("Topic")
                    .blurb("Topic pattern; {stream} is replaced by the stream name of the meta (else the element's name)")
                    .default_value(Some(DEFAULT_TOPIC))
                    .mutable_ready()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("embeddings", Embeddings::default())
                    .nick("Embeddings")
                    .blurb("How embeddings are written: base64 (embedding_b64), json (embedding array) or none")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("max-buffered")
                    .nick("Maximum buffered messages")
                    .blurb("Messages kept while the broker is unreachable (not yet handed to the connection); beyond it the oldest are dropped and counted")
                    .minimum(1)
                    .default_value(DEFAULT_MAX_BUFFERED)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt64::builder("max-buffered-bytes")
                    .nick("Maximum buffered bytes")
                    .blurb("Also bound the buffered messages by their size in bytes (0 = no byte limit); the oldest never-sent are dropped and counted first")
                    .default_value(0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("max-inflight")
                    .nick("Maximum in flight")
                    .blurb("Messages sent and not yet acknowledged (QoS 1) at most")
                    .minimum(1)
                    .maximum(65_535)
                    .default_value(DEFAULT_MAX_INFLIGHT)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("drain-timeout")
                    .nick("Drain timeout")
                    .blurb("At EOS, milliseconds to wait for every message to be acknowledged (0 = do not wait)")
                    .default_value(DEFAULT_DRAIN_TIMEOUT_MS)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("state", BrokerState::default())
                    .nick("State")
                    .blurb("Connection state")
                    .read_only()
                    .build(),
                glib::ParamSpecUInt64::builder("buffered")
                    .nick("Buffered")
                    .blurb("Messages not yet acknowledged by the broker")
                    .read_only()
                    .build(),
                glib::ParamSpecUInt64::builder("dropped")
                    .nick("Dropped")
                    .blurb("Messages dropped because max-buffered was reached")
                    .read_only()
                    .build(),
                glib::ParamSpecUInt64::builder("acked")
                    .nick("Acknowledged")
                    .blurb("Messages the broker acknowledged (QoS 1) or that were sent (QoS 0)")
                    .read_only()
                    .build(),
            ]);
            v
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = self.settings.lock().unwrap();
        if s.broker.set(pspec.name(), value) {
            return;
        }
        match pspec.name() {
            "topic" => {
                s.topic = value
                    .get::<Option<String>>()
                    .expect("type checked upstream")
                    .unwrap_or_else(|| DEFAULT_TOPIC.into())
            }
            "embeddings" => s.embeddings = value.get().expect("type checked upstream"),
            "max-buffered" => s.max_buffered = value.get().expect("type checked upstream"),
            "max-buffered-bytes" => {
                s.max_buffered_bytes = value.get().expect("type checked upstream")
            }
            "max-inflight" => s.max_inflight = value.get().expect("type checked upstream"),
            "drain-timeout" => s.drain_timeout_ms = value.get().expect("type checked upstream"),
            other => unreachable!("unknown property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = self.settings.lock().unwrap();
        if let Some(v) = s.broker.get(pspec.name()) {
            return v;
        }
        let counters = || {
            let guard = self.state.lock().unwrap();
            guard.as_ref().map(|st| {
                let ob = st.shared.outbox.lock().unwrap();
                (ob.state, ob.buffered() as u64, ob.dropped, ob.acked)
            })
        };
        match pspec.name() {
            "topic" => s.topic.to_value(),
            "embeddings" => s.embeddings.to_value(),
            "max-buffered" => s.max_buffered.to_value(),
            "max-buffered-bytes" => s.max_buffered_bytes.to_value(),
            "max-inflight" => s.max_inflight.to_value(),
            "drain-timeout" => s.drain_timeout_ms.to_value(),
            "state" => counters().map_or(BrokerState::Idle, |c| c.0).to_value(),
            "buffered" => counters().map_or(0, |c| c.1).to_value(),
            "dropped" => counters().map_or(0, |c| c.2).to_value(),
            "acked" => counters().map_or(0, |c| c.3).to_value(),
            other => unreachable!("unknown property {other}"),
        }
    }
}

impl GstObjectImpl for RsMsgSink {}

impl ElementImpl for RsMsgSink {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Tracking MQTT publisher",
                "Sink/Analyzer/Network",
                "Publishes the tracking meta and life-cycle events to an MQTT broker as JSON Lines schema rstracking/1 messages, buffering while the broker is away",
                "gst-rstracking developers",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> =
            LazyLock::new(crate::meta_sink_pad_templates);
        TEMPLATES.as_ref()
    }
}

impl RsMsgSink {
    fn post_report(&self, s: gst::Structure) {
        crate::post_element_message(&*self.obj(), s);
    }

    /// The connection thread's handler of every poll result: the outbox
    /// follows the connection, then what it has to say is posted without
    /// its lock.
    fn handler(
        &self,
        shared: Arc<Shared>,
        address: String,
        retry: Duration,
    ) -> impl FnMut(&mut rumqttc::EventLoop, Result<Event, rumqttc::ConnectionError>) -> Step
           + Send
           + 'static {
        let weak = self.obj().downgrade();
        move |el, r| {
            let (notice, step) = {
                let mut ob = shared.outbox.lock().unwrap();
                let step = match r {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        (ob.on_connected(&address), Step::Continue)
                    }
                    Ok(Event::Outgoing(Outgoing::Publish(pkid))) => {
                        ob.on_sent(pkid);
                        (Notice::default(), Step::Continue)
                    }
                    Ok(Event::Incoming(Packet::PubAck(a))) => {
                        ob.on_acked(a.pkid);
                        (Notice::default(), Step::Continue)
                    }
                    Ok(_) => (Notice::default(), Step::Continue),
                    Err(e) => {
                        let notice = ob.on_error(el, &e, &address);
                        let step = if notice.error.is_some() {
                            Step::Stop
                        } else {
                            Step::Wait(retry)
                        };
                        (notice, step)
                    }
                };
                shared.cond.notify_all();
                step
            };
            if let Some(obj) = weak.upgrade() {
                obj.imp().post_notice(notice);
            }
            if matches!(step, Step::Stop) {
                // Failed only once the error is on the bus, so that EOS
                // cannot overtake it.
                shared.outbox.lock().unwrap().state = BrokerState::Failed;
                shared.cond.notify_all();
            }
            step
        }
    }

    /// Posts what the connection thread has to say (no lock held).
    fn post_notice(&self, n: Notice) {
        if let Some(w) = n.warning {
            gst::warning!(CAT, imp = self, "{w}");
            gst::element_imp_warning!(self, gst::ResourceError::Write, ("{}", w));
        }
        if let Some(s) = n.report {
            gst::info!(CAT, imp = self, "{s:?}");
            self.post_report(s);
        }
        if let Some(e) = n.error {
            gst::element_imp_error!(self, gst::ResourceError::OpenWrite, ("{}", e));
        }
    }

    /// Queues one message (never blocks on the network).
    fn publish(&self, line: &str, stream: Option<&str>, frame_line: bool) {
        self.publish_kept(line, stream, frame_line, false)
    }

    fn publish_kept(&self, line: &str, stream: Option<&str>, frame_line: bool, keep: bool) {
        let name = self.obj().name();
        let mut guard = self.state.lock().unwrap();
        let Some(st) = guard.as_mut() else {
            return;
        };
        if stream.is_some() && st.stream.is_none() {
            st.stream = stream.map(String::from);
        }
        let topic = st.topic_for(stream.or(st.stream.as_deref()), &name);
        let payload = msg::with_seq(line, st.run, st.seq).into_bytes();
        st.seq += 1;
        if frame_line {
            st.frames += 1;
        }
        st.shared
            .outbox
            .lock()
            .unwrap()
            .push(Msg { topic, payload }, keep);
    }

    /// At EOS: the `eos` message, then wait (up to drain-timeout) for
    /// every message to be acknowledged.
    fn finish(&self) {
        let (stream, frames, shared, timeout, address) = {
            let guard = self.state.lock().unwrap();
            let Some(st) = guard.as_ref() else {
                return;
            };
            (
                st.stream.clone(),
                st.frames,
                st.shared.clone(),
                st.drain_timeout,
                st.address.clone(),
            )
        };
        self.publish_kept(
            &msg::eos_line(stream.as_deref(), frames),
            stream.as_deref(),
            false,
            true,
        );
        let deadline = Instant::now() + timeout;
        let mut ob = shared.outbox.lock().unwrap();
        while ob.buffered() > 0 && !ob.cancel && ob.state != BrokerState::Failed {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            ob = shared.cond.wait_timeout(ob, deadline - now).unwrap().0;
        }
        let left = ob.buffered();
        let dropped = std::mem::take(&mut ob.dropped_unreported);
        let total_dropped = ob.dropped;
        drop(ob);
        if dropped > 0 {
            gst::element_imp_warning!(
                self,
                gst::ResourceError::Write,
                (
                    "Dropped {} messages (the oldest): max-buffered reached ({} in total)",
                    dropped,
                    total_dropped
                )
            );
        }
        if left > 0 {
            gst::element_imp_warning!(
                self,
                gst::ResourceError::Write,
                (
                    "{} messages not acknowledged by broker {} at EOS (drain-timeout {} ms)",
                    left,
                    address,
                    timeout.as_millis()
                )
            );
        }
    }
}

impl BaseSinkImpl for RsMsgSink {
    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let settings = self.settings.lock().unwrap().clone();
        let b = &settings.broker;
        if settings.topic.is_empty() || settings.topic.contains(['+', '#']) {
            return Err(gst::error_msg!(
                gst::ResourceError::Settings,
                ("topic '{}': a topic to publish to must be non-empty and hold no wildcard (+, #)", settings.topic)
            ));
        }
        let options = b.mqtt_options(&broker::default_client_id(&*self.obj()), true)?;
        let mut options = options;
        options.set_inflight(settings.max_inflight.min(65_535) as u16);
        if b.clear_text_credentials() {
            gst::element_imp_warning!(
                self,
                gst::ResourceError::Settings,
                (
                    "Credentials for broker {} are sent in clear text (no ca-file: no TLS)",
                    b.address
                )
            );
        }
        let window = settings.max_inflight as usize;
        let shared = Arc::new(Shared {
            outbox: Mutex::new(Outbox::new(
                b.qos(),
                settings.max_buffered as usize,
                usize::try_from(settings.max_buffered_bytes).unwrap_or(usize::MAX),
                window,
            )),
            cond: Condvar::new(),
        });
        let handler = self.handler(shared.clone(), b.address.clone(), b.retry_interval());
        let conn = Connection::start(
            format!("{}-mqtt", self.obj().name()),
            options,
            window + 16,
            handler,
        )
        .map_err(|e| {
            gst::error_msg!(
                gst::ResourceError::Failed,
                ("Failed to start the MQTT connection thread: {}", e)
            )
        })?;
        let report = {
            let mut ob = shared.outbox.lock().unwrap();
            ob.client = Some(conn.client.clone());
            ob.forward();
            ob.report(&b.address)
        };
        *self.state.lock().unwrap() = Some(State {
            shared,
            _conn: conn,
            run: broker::run_id(),
            seq: 0,
            frames: 0,
            next_frame: 0,
            width: 0,
            height: 0,
            stream: None,
            topic: settings.topic.clone(),
            embeddings: settings.embeddings,
            drain_timeout: Duration::from_millis(u64::from(settings.drain_timeout_ms)),
            address: b.address.clone(),
            live: None,
            wall_offset: None,
        });
        self.post_report(report);
        gst::info!(
            CAT,
            imp = self,
            "Publishing to {} as {}",
            b.address,
            settings.topic
        );
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        let state = self.state.lock().unwrap().take();
        if let Some(st) = state {
            let left = st.shared.outbox.lock().unwrap().buffered();
            drop(st);
            if left > 0 {
                gst::element_imp_warning!(
                    self,
                    gst::ResourceError::Write,
                    (
                        "Stopped with {} messages not acknowledged by the broker",
                        left
                    )
                );
            }
        }
        Ok(())
    }

    fn unlock(&self) -> Result<(), gst::ErrorMessage> {
        if let Some(st) = self.state.lock().unwrap().as_ref() {
            st.shared.outbox.lock().unwrap().cancel = true;
            st.shared.cond.notify_all();
        }
        Ok(())
    }

    fn unlock_stop(&self) -> Result<(), gst::ErrorMessage> {
        if let Some(st) = self.state.lock().unwrap().as_ref() {
            st.shared.outbox.lock().unwrap().cancel = false;
        }
        Ok(())
    }

    fn set_caps(&self, caps: &gst::Caps) -> Result<(), gst::LoggableError> {
        if let Some(st) = self.state.lock().unwrap().as_mut() {
            (st.width, st.height) = crate::caps_size(caps);
        }
        Ok(())
    }

    fn event(&self, event: gst::Event) -> bool {
        match event.view() {
            gst::EventView::Eos(_) => self.finish(),
            gst::EventView::CustomDownstream(c) => {
                let next_frame = self
                    .state
                    .lock()
                    .unwrap()
                    .as_ref()
                    .map_or(0, |s| s.next_frame);
                if let Some(m) = c.structure().and_then(crate::MergeEvent::from_structure) {
                    let line = schema::merge_line(
                        m.stream.as_deref(),
                        next_frame,
                        m.id_kind.as_str(),
                        m.from,
                        m.to,
                    );
                    self.publish(&line, m.stream.as_deref(), false);
                } else if let Some(z) = c.structure().filter(|s| crate::is_line_event(s)) {
                    let stream = z.get::<String>("stream").ok();
                    self.publish(&crate::structure_event_line(z), stream.as_deref(), false);
                } else if let Some(t) = c.structure().and_then(crate::TrackEvent::from_structure) {
                    let line = schema::track_event_line(
                        t.kind.as_str(),
                        t.stream.as_deref(),
                        next_frame,
                        t.track_id,
                    );
                    self.publish(&line, t.stream.as_deref(), false);
                }
            }
            _ => {}
        }
        self.parent_event(event)
    }

    fn render(&self, buffer: &gst::Buffer) -> Result<gst::FlowSuccess, gst::FlowError> {
        let (live, mut offset) = {
            let guard = self.state.lock().unwrap();
            let st = guard.as_ref().ok_or(gst::FlowError::Flushing)?;
            (st.live, st.wall_offset)
        };
        // Asked without holding our lock (a query goes upstream).
        let live = live.unwrap_or_else(|| crate::times::upstream_live(&*self.obj()));
        let times = crate::times::frame_times(&*self.obj(), buffer, live, &mut offset);
        let meta = buffer.meta::<TrackingMeta>();
        let (line, stream) = {
            let mut guard = self.state.lock().unwrap();
            let st = guard.as_mut().ok_or(gst::FlowError::Flushing)?;
            st.live = Some(live);
            st.wall_offset = offset;
            if st.shared.outbox.lock().unwrap().state == BrokerState::Failed {
                // The connection thread posted the error.
                return Err(gst::FlowError::Error);
            }
            let frame = meta
                .as_ref()
                .and_then(|m| m.frame().frame)
                .unwrap_or(st.frames);
            st.next_frame = frame + 1;
            let stream = meta.as_ref().and_then(|m| m.frame().stream.clone());
            let objects = meta.as_ref().map_or(&[][..], |m| m.objects());
            let encoding = match st.embeddings {
                Embeddings::Base64 => schema::EmbeddingEncoding::Base64,
                Embeddings::Json => schema::EmbeddingEncoding::Json,
                Embeddings::Omit => schema::EmbeddingEncoding::Omit,
            };
            let line = schema::frame_line_encoded(
                stream.as_deref(),
                frame,
                schema::FrameTimes {
                    pts_ns: buffer.pts().map(|p| p.nseconds()),
                    running_time_ns: times.running_time_ns,
                    utc_ns: times.utc_ns,
                    utc_source: times.utc_source,
                },
                (st.width, st.height),
                objects,
                encoding,
            );
            (line, stream)
        };
        self.publish(&line, stream.as_deref(), true);
        Ok(gst::FlowSuccess::Ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(n: usize) -> Msg {
        Msg {
            topic: "t".into(),
            payload: vec![b'x'; n],
        }
    }

    #[test]
    fn the_oldest_never_sent_messages_are_dropped_first() {
        let mut ob = Outbox::new(QoS::AtLeastOnce, 3, 0, 10);
        for _ in 0..5 {
            ob.push(msg(1), false);
        }
        assert_eq!((ob.buffered(), ob.dropped), (3, 2));
        // Two were handed to a connection, then it failed: they go back in
        // front and are never dropped (they may have arrived).
        ob.inflight
            .push_back((Some(1), ob.pending.pop_front().unwrap()));
        ob.inflight
            .push_back((Some(2), ob.pending.pop_front().unwrap()));
        ob.requeue();
        assert_eq!(ob.resent, 2);
        ob.push(msg(1), false);
        ob.push(msg(1), false);
        // Only never-sent messages count for the bound: these 2 fit.
        assert_eq!((ob.buffered(), ob.dropped, ob.resent), (5, 2, 2));
        ob.push(msg(1), false);
        assert_eq!((ob.buffered(), ob.dropped), (5, 3));
        // The eos message is kept even over the bound.
        let mut full = Outbox::new(QoS::AtLeastOnce, 1, 0, 10);
        full.push(msg(1), false);
        full.push(msg(1), true);
        assert_eq!((full.buffered(), full.dropped), (1, 1));
    }

    #[test]
    fn a_byte_limit_drops_by_size() {
        let mut ob = Outbox::new(QoS::AtLeastOnce, 100, 250, 10);
        for _ in 0..3 {
            ob.push(msg(100), false);
        }
        assert_eq!((ob.buffered(), ob.bytes, ob.dropped), (2, 200, 1));
    }
}
