// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::META_ONLY_FEATURE;
use crate::broker::{self, BrokerSettings, BrokerState, Connection, Step};
use crate::meta::TrackingMeta;
use crate::TrackingEvent;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::base_src::CreateSuccess;
use gst_base::subclass::prelude::*;
use rstracking_core::io::msg::{self, Message, SeqTracker, Verdict};
use rstracking_core::types::FrameObjects;
use rumqttc::{Event, Packet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rsmsgsrc",
        gst::DebugColorFlags::empty(),
        Some("Tracking meta from an MQTT broker"),
    )
});

/// Messages waiting for the streaming thread; when full, the connection
/// thread waits (TCP back-pressure to the broker, which keeps the rest).
const QUEUE: usize = 4096;

#[derive(Debug, Clone, Default)]
struct Settings {
    broker: BrokerSettings,
    topic: Option<String>,
    embedding_dim: u32,
}

enum Effect {
    Warning(String),
    Missing(String),
    Caps(gst::Caps),
}

enum Item {
    Message {
        topic: String,
        payload: bytes::Bytes,
    },
    Report(gst::Structure),
    Fatal(String),
}

#[derive(Default, Clone, Copy)]
struct Counters {
    state: BrokerState,
    received: u64,
    duplicates: u64,
    missed: u64,
    malformed: u64,
}

struct State {
    // Dropped before the connection: a connection thread blocked on a full
    // queue then fails its send and ends, so dropping `_conn` (which joins
    // it) cannot hang.
    rx: Receiver<Item>,
    _conn: Connection,
    seq: SeqTracker,
    size: Option<(u32, u32)>,
    embedding_dim: Option<usize>,
    /// Events to push in front of the next buffer.
    events: Vec<gst::Event>,
    /// Warnings to post and caps to set once the state lock is released.
    effects: Vec<Effect>,
    segment_sent: bool,
}

#[derive(Default)]
pub struct RsMsgSrc {
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
    counters: Mutex<Counters>,
    flushing: AtomicBool,
}

#[glib::object_subclass]
impl ObjectSubclass for RsMsgSrc {
    const NAME: &'static str = "GstRsMsgSrc";
    type Type = super::RsMsgSrc;
    type ParentType = gst_base::PushSrc;
}

impl ObjectImpl for RsMsgSrc {
    fn constructed(&self) {
        self.parent_constructed();
        let obj = self.obj();
        obj.set_format(gst::Format::Time);
        obj.set_live(false);
    }

    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let mut v = BrokerSettings::properties();
            let counter = |name: &str, nick: &str, blurb: &str| {
                glib::ParamSpecUInt64::builder(name)
                    .nick(nick)
                    .blurb(blurb)
                    .read_only()
                    .build()
            };
            v.extend([
                glib::ParamSpecString::builder("topic")
                    .nick("Topic")
                    .blurb("The one camera topic to subscribe to (no wildcards), e.g. site1/cam0")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("embedding-dim")
                    .nick("Embedding dimension")
                    .blurb("Expected embedding length; 0 = the length of the first embedding received. Others are malformed")
                    .default_value(0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("state", BrokerState::default())
                    .nick("State")
                    .blurb("Connection state")
                    .read_only()
                    .build(),
                counter("received", "Received", "Messages taken (not duplicates, not malformed)"),
                counter("duplicates", "Duplicates", "Redelivered messages dropped by sequence number"),
                counter("missed", "Missed", "Messages missing from the sequence numbers"),
                counter("malformed", "Malformed", "Messages skipped as malformed"),
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
            "topic" => s.topic = value.get().expect("type checked upstream"),
            "embedding-dim" => s.embedding_dim = value.get().expect("type checked upstream"),
            other => unreachable!("unknown property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = self.settings.lock().unwrap();
        if let Some(v) = s.broker.get(pspec.name()) {
            return v;
        }
        let c = *self.counters.lock().unwrap();
        match pspec.name() {
            "topic" => s.topic.to_value(),
            "embedding-dim" => s.embedding_dim.to_value(),
            "state" => c.state.to_value(),
            "received" => c.received.to_value(),
            "duplicates" => c.duplicates.to_value(),
            "missed" => c.missed.to_value(),
            "malformed" => c.malformed.to_value(),
            other => unreachable!("unknown property {other}"),
        }
    }
}

impl GstObjectImpl for RsMsgSrc {}

impl ElementImpl for RsMsgSrc {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Tracking MQTT subscriber",
                "Source/Analyzer/Network",
                "Rebuilds one camera's meta-only stream from rsmsgsink's MQTT messages (JSON Lines schema rstracking/1), dropping duplicates",
                "gst-rstracking developers",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let caps = gst::Caps::builder("video/x-raw")
                .features([META_ONLY_FEATURE])
                .build();
            vec![gst::PadTemplate::new(
                "src",
                gst::PadDirection::Src,
                gst::PadPresence::Always,
                &caps,
            )
            .unwrap()]
        });
        TEMPLATES.as_ref()
    }
}

/// The connection thread's handler: subscribes on every connection, hands
/// messages and state changes to the streaming thread.
fn handler(
    tx: SyncSender<Item>,
    topic: String,
    qos: rumqttc::QoS,
    client: Arc<Mutex<Option<rumqttc::AsyncClient>>>,
    address: String,
    retry: Duration,
) -> impl FnMut(&mut rumqttc::EventLoop, Result<Event, rumqttc::ConnectionError>) -> Step + Send + 'static
{
    let mut state = BrokerState::Connecting;
    let addr = address.clone();
    let report = move |state: BrokerState, topic: &str, reason: Option<String>| {
        Item::Report(
            gst::Structure::builder("rstracking-broker")
                .field("address", address.as_str())
                .field("state", state.nick())
                .field("topic", topic)
                .field("reason", reason)
                .build(),
        )
    };
    move |_el, r| {
        let item = match r {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                // A persistent session keeps the subscription, a new one
                // (broker without persistence) needs it again: always ask.
                if let Some(c) = client.lock().unwrap().as_ref() {
                    let _ = c.try_subscribe(topic.clone(), qos);
                }
                return Step::Continue;
            }
            // Connected means subscribed: messages published from now on
            // reach this element.
            Ok(Event::Incoming(Packet::SubAck(ack))) => {
                if ack
                    .return_codes
                    .iter()
                    .any(|c| matches!(c, rumqttc::SubscribeReasonCode::Failure))
                {
                    let _ = tx.send(Item::Fatal(format!(
                        "broker {addr} refused the subscription to '{topic}' (not authorized?)"
                    )));
                    return Step::Stop;
                }
                if state == BrokerState::Connected {
                    return Step::Continue;
                }
                state = BrokerState::Connected;
                report(state, &topic, None)
            }
            Ok(Event::Incoming(Packet::Publish(p))) => Item::Message {
                topic: p.topic.clone(),
                payload: p.payload.clone(),
            },
            Ok(_) => return Step::Continue,
            Err(e) => {
                let (fatal, text) = broker::describe(&addr, &e);
                if fatal {
                    let _ = tx.send(Item::Fatal(text));
                    return Step::Stop;
                }
                if state == BrokerState::Connected {
                    state = BrokerState::Reconnecting;
                    let _ = tx.send(report(state, &topic, Some(text)));
                }
                return Step::Wait(retry);
            }
        };
        if tx.send(item).is_err() {
            return Step::Stop;
        }
        Step::Continue
    }
}

/// What one message turned into.
enum Taken {
    Buffer(gst::Buffer),
    Skip,
    Eos,
}

impl RsMsgSrc {
    fn malformed(&self, st: &mut State, topic: &str, why: &str) {
        let n = {
            let mut c = self.counters.lock().unwrap();
            c.malformed += 1;
            c.malformed
        };
        gst::warning!(
            CAT,
            imp = self,
            "topic '{topic}': malformed message skipped: {why}"
        );
        st.effects.push(Effect::Warning(format!(
            "Malformed message on topic '{topic}' skipped ({n} so far): {why}"
        )));
    }

    /// Posts the warnings and sets the caps collected under the lock.
    fn apply(&self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Warning(text) => {
                    gst::element_imp_warning!(self, gst::StreamError::Decode, ("{}", text))
                }
                Effect::Missing(text) => {
                    gst::element_imp_warning!(self, gst::StreamError::Failed, ("{}", text))
                }
                Effect::Caps(caps) => {
                    if self.obj().set_caps(&caps).is_err() {
                        gst::warning!(CAT, imp = self, "downstream refused {caps:?}");
                    }
                }
            }
        }
    }

    /// Turns one message into a buffer, events or nothing.
    fn take(&self, st: &mut State, topic: &str, payload: &[u8]) -> Taken {
        let env = match msg::parse_message(payload) {
            Ok(e) => e,
            Err(why) => {
                self.malformed(st, topic, &why);
                return Taken::Skip;
            }
        };
        // The sequence first: a malformed message still takes its number
        // (it is counted as malformed, not as missing).
        if !self.accept_seq(st, env.run, env.seq, topic) {
            return Taken::Skip;
        }
        let stream = env.stream;
        let taken = match env.message {
            // A frame is validated as a whole: one bad object skips it.
            Message::Frame(fl) => match self.frame_objects(st, fl) {
                Ok((f, size, time)) => Taken::Buffer(frame_buffer(st, f, size, time)),
                Err(why) => {
                    self.malformed(st, topic, &why);
                    return Taken::Skip;
                }
            },
            Message::Eos { .. } => Taken::Eos,
            m => {
                st.events.extend(message_event(m, stream));
                Taken::Skip
            }
        };
        self.counters.lock().unwrap().received += 1;
        taken
    }

    /// De-duplication: false for a message seen before; gaps are counted.
    fn accept_seq(&self, st: &mut State, run: Option<u64>, seq: Option<u64>, topic: &str) -> bool {
        let Some(seq) = seq else {
            return true;
        };
        match st.seq.accept(run, seq) {
            Verdict::Duplicate => {
                self.counters.lock().unwrap().duplicates += 1;
                gst::debug!(CAT, imp = self, "duplicate seq {seq} on '{topic}' dropped");
                false
            }
            Verdict::New { missed } => {
                if missed > 0 {
                    self.counters.lock().unwrap().missed += missed;
                    st.effects.push(Effect::Missing(format!(
                        "{missed} messages missing on topic '{topic}' before seq {seq}"
                    )));
                }
                true
            }
        }
    }

    /// The objects of a frame line, validated; with the frame size and
    /// the buffer time (running time, else PTS).
    #[allow(clippy::type_complexity)]
    fn frame_objects(
        &self,
        st: &mut State,
        fl: rstracking_core::io::schema::FrameLine,
    ) -> Result<(FrameObjects, (u32, u32), Option<u64>), String> {
        let mut objects = Vec::with_capacity(fl.objects.len());
        // Learnt from the first embedding of a message that is taken.
        let mut dim = st.embedding_dim;
        for (k, mut jo) in fl.objects.into_iter().enumerate() {
            jo.decode_embedding()
                .map_err(|e| format!("object {k}: embedding_b64: {e}"))?;
            let o = jo.to_object().map_err(|e| format!("object {k}: {e}"))?;
            if let Some(e) = &o.embedding {
                let want = *dim.get_or_insert(e.len());
                if e.len() != want {
                    return Err(format!(
                        "object {k}: embedding of {} values, expected {want}",
                        e.len()
                    ));
                }
            }
            objects.push(o);
        }
        st.embedding_dim = dim;
        Ok((
            FrameObjects {
                stream: fl.stream,
                frame: Some(fl.frame),
                objects,
            },
            (fl.width.max(1), fl.height.max(1)),
            fl.running_time_ns.or(fl.pts_ns),
        ))
    }

    fn set_state(&self, s: &gst::StructureRef) {
        let state = match s.get::<&str>("state").unwrap_or("") {
            "connected" => BrokerState::Connected,
            "reconnecting" => BrokerState::Reconnecting,
            _ => BrokerState::Connecting,
        };
        self.counters.lock().unwrap().state = state;
    }

    /// Pushes the queued events; before the first buffer the segment goes
    /// first (events must follow it).
    fn push_events(&self, events: Vec<gst::Event>, segment_sent: bool) {
        let pad = self.obj().static_pad("src").expect("src pad");
        if !events.is_empty() && !segment_sent {
            let segment = self.obj().segment();
            if let Some(s) = segment.downcast_ref::<gst::ClockTime>() {
                pad.push_event(gst::event::Segment::new(s));
            }
        }
        for e in events {
            pad.push_event(e);
        }
    }
}

impl BaseSrcImpl for RsMsgSrc {
    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let settings = self.settings.lock().unwrap().clone();
        let b = &settings.broker;
        let topic = settings
            .topic
            .clone()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                gst::error_msg!(
                    gst::ResourceError::Settings,
                    ("No 'topic' set (the camera's topic, e.g. site1/cam0)")
                )
            })?;
        if topic.contains(['+', '#']) {
            return Err(gst::error_msg!(
                gst::ResourceError::Settings,
                (
                    "topic '{}': one camera per rsmsgsrc, wildcards (+, #) are not allowed",
                    topic
                )
            ));
        }
        let options = b.mqtt_options(&broker::default_client_id(&*self.obj()), false)?;
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
        let (tx, rx) = std::sync::mpsc::sync_channel(QUEUE);
        let client = Arc::new(Mutex::new(None));
        let conn = Connection::start(
            format!("{}-mqtt", self.obj().name()),
            options,
            64,
            handler(
                tx,
                topic.clone(),
                b.qos(),
                client.clone(),
                b.address.clone(),
                b.retry_interval(),
            ),
        )
        .map_err(|e| {
            gst::error_msg!(
                gst::ResourceError::Failed,
                ("Failed to start the MQTT connection thread: {}", e)
            )
        })?;
        *client.lock().unwrap() = Some(conn.client.clone());
        // A ConnAck before the client was set subscribed nothing: ask now
        // too (a second SUBSCRIBE of the same filter is harmless).
        let _ = conn.client.try_subscribe(topic.clone(), b.qos());
        *self.counters.lock().unwrap() = Counters {
            state: BrokerState::Connecting,
            ..Default::default()
        };
        *self.state.lock().unwrap() = Some(State {
            _conn: conn,
            rx,
            seq: SeqTracker::default(),
            size: None,
            embedding_dim: (settings.embedding_dim > 0).then_some(settings.embedding_dim as usize),
            events: Vec::new(),
            effects: Vec::new(),
            segment_sent: false,
        });
        gst::info!(
            CAT,
            imp = self,
            "Subscribed to '{}' on {}",
            topic,
            b.address
        );
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        // Dropping the state stops and joins the connection thread.
        let st = self.state.lock().unwrap().take();
        drop(st);
        self.counters.lock().unwrap().state = BrokerState::Idle;
        Ok(())
    }

    fn negotiate(&self) -> Result<(), gst::LoggableError> {
        // Caps are set from the first frame message (its width, height).
        Ok(())
    }

    fn is_seekable(&self) -> bool {
        false
    }

    fn unlock(&self) -> Result<(), gst::ErrorMessage> {
        self.flushing.store(true, Ordering::SeqCst);
        Ok(())
    }

    fn unlock_stop(&self) -> Result<(), gst::ErrorMessage> {
        self.flushing.store(false, Ordering::SeqCst);
        Ok(())
    }
}

impl PushSrcImpl for RsMsgSrc {
    fn create(
        &self,
        _buffer: Option<&mut gst::BufferRef>,
    ) -> Result<CreateSuccess, gst::FlowError> {
        loop {
            if self.flushing.load(Ordering::SeqCst) {
                return Err(gst::FlowError::Flushing);
            }
            let mut guard = self.state.lock().unwrap();
            let st = guard.as_mut().ok_or(gst::FlowError::Flushing)?;
            let item = match st.rx.recv_timeout(Duration::from_millis(50)) {
                Ok(i) => i,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => {
                    drop(guard);
                    gst::element_imp_error!(
                        self,
                        gst::ResourceError::Read,
                        ("The MQTT connection thread ended")
                    );
                    return Err(gst::FlowError::Error);
                }
            };
            let (topic, payload) = match item {
                Item::Message { topic, payload } => (topic, payload),
                Item::Report(s) => {
                    drop(guard);
                    self.set_state(&s);
                    crate::post_element_message(&*self.obj(), s);
                    continue;
                }
                Item::Fatal(text) => {
                    drop(guard);
                    self.counters.lock().unwrap().state = BrokerState::Failed;
                    gst::element_imp_error!(self, gst::ResourceError::OpenRead, ("{}", text));
                    return Err(gst::FlowError::Error);
                }
            };
            let taken = self.take(st, &topic, &payload);
            let effects = std::mem::take(&mut st.effects);
            let ready = !matches!(taken, Taken::Skip);
            let events = if ready {
                std::mem::take(&mut st.events)
            } else {
                Vec::new()
            };
            let sent = st.segment_sent;
            if matches!(taken, Taken::Buffer(_)) {
                st.segment_sent = true;
            }
            // Warnings, caps, events and the buffer leave without our lock.
            drop(guard);
            self.apply(effects);
            match taken {
                Taken::Skip => continue,
                Taken::Buffer(b) => {
                    self.push_events(events, sent);
                    return Ok(CreateSuccess::NewBuffer(b));
                }
                Taken::Eos => {
                    self.push_events(events, sent);
                    return Err(gst::FlowError::Eos);
                }
            }
        }
    }
}

/// The meta-only buffer of a frame message; new caps when its size changes.
fn frame_buffer(
    st: &mut State,
    f: FrameObjects,
    size: (u32, u32),
    time: Option<u64>,
) -> gst::Buffer {
    let mut buffer = gst::Buffer::new();
    {
        let b = buffer.get_mut().expect("new buffer");
        b.set_pts(time.map(gst::ClockTime::from_nseconds));
        if let Some(i) = f.frame {
            b.set_offset(i);
        }
        TrackingMeta::add(b, f);
    }
    if st.size != Some(size) {
        st.size = Some(size);
        st.effects.push(Effect::Caps(
            gst::Caps::builder("video/x-raw")
                .features([META_ONLY_FEATURE])
                .field("width", size.0 as i32)
                .field("height", size.1 as i32)
                .field("framerate", gst::Fraction::new(0, 1))
                .build(),
        ));
    }
    buffer
}

/// The custom event (the same rsbytetrack and rsmtmcagg send) of a
/// `track_*` or `merge` message; None for other events.
fn message_event(m: Message, stream: Option<String>) -> Option<gst::Event> {
    match m {
        Message::Track {
            event, track_id, ..
        } => Some(
            crate::TrackEvent {
                kind: crate::TrackEventKind::parse(&event)?,
                track_id,
                stream,
            }
            .to_event(),
        ),
        Message::Merge { id, from, to, .. } => Some(
            crate::MergeEvent {
                id_kind: crate::IdKind::parse(&id)?,
                from,
                to,
                stream,
            }
            .to_event(),
        ),
        _ => None,
    }
}
