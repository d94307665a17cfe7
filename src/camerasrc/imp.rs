// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::{CameraState, Protocols};
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use std::sync::{LazyLock, Mutex, OnceLock};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rscamerasrc",
        gst::DebugColorFlags::empty(),
        Some("Camera source with reconnect (over fallbacksrc)"),
    )
});

const DEFAULT_RETRY_INTERVAL_MS: u32 = 1000;
const DEFAULT_MAX_RETRIES: i32 = -1;
const DEFAULT_TIMEOUT_MS: u32 = 5000;
const DEFAULT_LATENCY_MS: u32 = 200;
/// The message posted on every change of state or retry count.
pub const MESSAGE_NAME: &str = "rstracking-camera";

#[derive(Debug, Clone)]
struct Settings {
    uri: Option<String>,
    retry_interval_ms: u32,
    max_retries: i32,
    timeout_ms: u32,
    latency_ms: u32,
    protocols: Protocols,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            uri: None,
            retry_interval_ms: DEFAULT_RETRY_INTERVAL_MS,
            max_retries: DEFAULT_MAX_RETRIES,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            latency_ms: DEFAULT_LATENCY_MS,
            protocols: Protocols::Auto,
        }
    }
}

#[derive(Debug, Default)]
struct Status {
    state: CameraState,
    ever_connected: bool,
    /// fallbacksrc's cumulative retry count at the last connection.
    retry_base: u64,
    retries: u64,
    /// The last error or warning of the source.
    reason: Option<String>,
    /// (state, retries) of the last message posted.
    posted: Option<(CameraState, u64)>,
}

#[derive(Default)]
pub struct RsCameraSrc {
    settings: Mutex<Settings>,
    status: Mutex<Status>,
    /// Serialises [`Self::on_status`] (fallbacksrc notifies from several
    /// threads: a snapshot read before another one must not be applied
    /// after it). Taken before reading fallbacksrc and before `status`;
    /// nothing else takes it.
    following: Mutex<()>,
    /// The wrapped fallbacksrc; None when the fallbackswitch plugin is not
    /// installed (an error at start, not at construction, so that the
    /// element can be inspected).
    inner: OnceLock<Option<gst::Element>>,
    ghost: OnceLock<gst::GhostPad>,
}

#[glib::object_subclass]
impl ObjectSubclass for RsCameraSrc {
    const NAME: &'static str = "GstRsCameraSrc";
    type Type = super::RsCameraSrc;
    type ParentType = gst::Bin;
}

impl ObjectImpl for RsCameraSrc {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            // Applied when the element starts (NULL -> READY), where
            // fallbacksrc copies its settings: changeable in NULL only.
            let ready = glib::ParamFlags::READWRITE;
            vec![
                glib::ParamSpecString::builder("uri")
                    .nick("URI")
                    .blurb("The camera: rtsp://, http://, file:// or any URI GStreamer decodes")
                    .flags(ready)
                    .build(),
                glib::ParamSpecUInt::builder("retry-interval")
                    .nick("Retry interval")
                    .blurb("Milliseconds a (re)started source may take to connect before the next retry (fixed: no back-off)")
                    .minimum(100)
                    .maximum(600_000)
                    .default_value(DEFAULT_RETRY_INTERVAL_MS)
                    .flags(ready)
                    .build(),
                glib::ParamSpecInt::builder("max-retries")
                    .nick("Maximum retries")
                    .blurb("Retries without a connection before the camera fails with an error; -1 = retry forever")
                    .minimum(-1)
                    .maximum(i32::MAX)
                    .default_value(DEFAULT_MAX_RETRIES)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("timeout")
                    .nick("Stall timeout")
                    .blurb("Milliseconds without data after which a connected source counts as failed and is restarted")
                    .minimum(100)
                    .maximum(600_000)
                    .default_value(DEFAULT_TIMEOUT_MS)
                    .flags(ready)
                    .build(),
                glib::ParamSpecUInt::builder("latency")
                    .nick("Latency")
                    .blurb("Jitter buffer of RTSP sources, in milliseconds")
                    .maximum(60_000)
                    .default_value(DEFAULT_LATENCY_MS)
                    .flags(ready)
                    .build(),
                glib::ParamSpecEnum::builder_with_default("protocols", Protocols::Auto)
                    .nick("Protocols")
                    .blurb("Lower transport of RTSP sources")
                    .flags(ready)
                    .build(),
                glib::ParamSpecEnum::builder_with_default("state", CameraState::Idle)
                    .nick("State")
                    .blurb("Connection state (also posted as rstracking-camera element messages)")
                    .read_only()
                    .build(),
                glib::ParamSpecUInt64::builder("retries")
                    .nick("Retries")
                    .blurb("Retries since the last connection")
                    .read_only()
                    .build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = self.settings.lock().unwrap();
        match pspec.name() {
            "uri" => s.uri = value.get().expect("type checked"),
            "retry-interval" => s.retry_interval_ms = value.get().expect("type checked"),
            "max-retries" => s.max_retries = value.get().expect("type checked"),
            "timeout" => s.timeout_ms = value.get().expect("type checked"),
            "latency" => s.latency_ms = value.get().expect("type checked"),
            "protocols" => s.protocols = value.get().expect("type checked"),
            other => unreachable!("no writable property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        match pspec.name() {
            "state" => return self.status.lock().unwrap().state.to_value(),
            "retries" => return self.status.lock().unwrap().retries.to_value(),
            _ => {}
        }
        let s = self.settings.lock().unwrap();
        match pspec.name() {
            "uri" => s.uri.to_value(),
            "retry-interval" => s.retry_interval_ms.to_value(),
            "max-retries" => s.max_retries.to_value(),
            "timeout" => s.timeout_ms.to_value(),
            "latency" => s.latency_ms.to_value(),
            "protocols" => s.protocols.to_value(),
            other => unreachable!("no property {other}"),
        }
    }

    fn constructed(&self) {
        self.parent_constructed();
        let obj = self.obj();
        let templ = obj.pad_template("src").expect("src template");
        let ghost = gst::GhostPad::builder_from_template(&templ)
            .name("src")
            .build();
        obj.add_pad(&ghost).expect("new pad");
        let _ = self.ghost.set(ghost);
        let inner = gst::ElementFactory::make("fallbacksrc")
            .name("fallbacksrc")
            .property("enable-audio", false)
            .property("enable-dummy", false)
            // A camera does not end: an RTSP server that goes away over TCP
            // ends the stream with EOS, which is one more failure to retry
            // (and a file:// URI loops).
            .property("restart-on-eos", true)
            // rscamerasrc decides when to give up (max-retries).
            .property("retry-timeout", u64::MAX - 1)
            .build()
            .ok();
        if let Some(inner) = &inner {
            obj.add(inner).expect("fresh bin");
            let weak = obj.downgrade();
            inner.connect_pad_added(move |_, pad| {
                if let Some(obj) = weak.upgrade() {
                    obj.imp().expose(pad);
                }
            });
            // fallbacksrc notifies `status` on some retries and only
            // `statistics` on others (EOS, restart timeout, state-change
            // failure): follow both.
            let weak = obj.downgrade();
            inner.connect_notify(None, move |inner, pspec| {
                if !matches!(pspec.name(), "status" | "statistics") {
                    return;
                }
                if let Some(obj) = weak.upgrade() {
                    obj.imp().on_status(inner);
                }
            });
            let weak = obj.downgrade();
            obj.connect_deep_element_added(move |_, _, element| {
                if let Some(obj) = weak.upgrade() {
                    obj.imp().configure(element);
                }
            });
        }
        let _ = self.inner.set(inner);
    }
}

impl GstObjectImpl for RsCameraSrc {}

impl ElementImpl for RsCameraSrc {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Camera source with reconnect",
                "Source/Video/Network",
                "Decodes a camera URI (RTSP or any), retries when it goes away, reports its state",
                "gst-rstracking developers",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            vec![gst::PadTemplate::new(
                "src",
                gst::PadDirection::Src,
                gst::PadPresence::Always,
                &gst::Caps::new_any(),
            )
            .expect("src template")]
        });
        TEMPLATES.as_ref()
    }

    /// EOS sent to the element (`gst-launch-1.0 -e` on Ctrl-C, an
    /// application ending a recording) ends the stream: fallbacksrc would
    /// take it for a camera that ended and restart the source
    /// (`restart-on-eos`), so it goes straight out of our pad instead.
    fn send_event(&self, event: gst::Event) -> bool {
        if let gst::EventView::Eos(_) = event.view() {
            gst::debug!(CAT, imp = self, "EOS: ending the stream");
            self.status.lock().unwrap().state = CameraState::Idle;
            self.obj().notify("state");
            let Some(ghost) = self.ghost.get().cloned() else {
                return false;
            };
            // Pushed from another thread: send_event runs under the
            // element's state lock, and a sink that has not prerolled yet
            // (a camera that never connected) waits in the push for a state
            // change that needs that lock.
            self.obj().call_async(move |obj| {
                // Never connected: the stream needs its start before its end.
                if ghost.sticky_event::<gst::event::StreamStart>(0).is_none() {
                    let id = ghost.create_stream_id(obj, None::<&str>);
                    ghost.push_event(gst::event::StreamStart::new(&id));
                }
                ghost.push_event(event);
            });
            return true;
        }
        self.parent_send_event(event)
    }

    fn change_state(
        &self,
        transition: gst::StateChange,
    ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
        if transition == gst::StateChange::NullToReady {
            self.prepare().map_err(|e| {
                self.post_error_message(e);
                gst::StateChangeError
            })?;
        }
        let ret = self.parent_change_state(transition)?;
        if transition == gst::StateChange::ReadyToNull {
            *self.status.lock().unwrap() = Status::default();
            self.obj().notify("state");
        }
        Ok(ret)
    }
}

impl BinImpl for RsCameraSrc {
    fn handle_message(&self, message: gst::Message) {
        // Remember why the source failed, for the messages and the final
        // error. fallbacksrc handles its source's errors itself and posts
        // nothing about them (they are in its debug log, GST_DEBUG=
        // fallbacksrc:5); what reaches us are warnings, such as rtspsrc's
        // "Could not read from resource." when a server goes away.
        let reason = match message.view() {
            gst::MessageView::Warning(w) => Some(w.error().to_string()),
            gst::MessageView::Error(e) => Some(e.error().to_string()),
            _ => None,
        };
        if let Some(reason) = reason {
            gst::debug!(CAT, imp = self, "source: {reason}");
            self.status.lock().unwrap().reason = Some(reason);
        }
        self.parent_handle_message(message)
    }
}

impl RsCameraSrc {
    /// Applies the settings to fallbacksrc before it starts.
    fn prepare(&self) -> Result<(), gst::ErrorMessage> {
        let Some(inner) = self.inner.get().and_then(Option::as_ref) else {
            return Err(gst::error_msg!(
                gst::CoreError::MissingPlugin,
                (
                    "rscamerasrc needs the fallbacksrc element (gst-plugins-rs fallbackswitch plugin, libgstfallbackswitch.so), which is not in the registry: build it with `cargo build --release -p gst-plugin-fallbackswitch` and put it beside libgstrstracking.so (meson install does)"
                )
            ));
        };
        let s = self.settings.lock().unwrap().clone();
        let Some(uri) = s.uri.filter(|u| !u.is_empty()) else {
            return Err(gst::error_msg!(
                gst::ResourceError::NotFound,
                ("rscamerasrc: no uri set")
            ));
        };
        if !has_scheme(&uri) {
            return Err(gst::error_msg!(
                gst::ResourceError::NotFound,
                ("rscamerasrc: uri {uri:?} is not a URI (expected scheme://...)")
            ));
        }
        inner.set_property("uri", &uri);
        let ms = |v: u32| u64::from(v) * 1_000_000;
        inner.set_property("restart-timeout", ms(s.retry_interval_ms));
        inner.set_property("timeout", ms(s.timeout_ms));
        *self.status.lock().unwrap() = Status {
            state: CameraState::Connecting,
            ..Status::default()
        };
        gst::info!(CAT, imp = self, "camera {uri}");
        Ok(())
    }

    /// Exposes fallbacksrc's video pad as ours.
    fn expose(&self, pad: &gst::Pad) {
        if !pad.name().starts_with("video") {
            return;
        }
        if let Some(ghost) = self.ghost.get() {
            if let Err(e) = ghost.set_target(Some(pad)) {
                gst::warning!(CAT, imp = self, "cannot expose {}: {e}", pad.name());
            }
        }
    }

    /// Sets the RTSP options on the rtspsrc fallbacksrc creates (anywhere
    /// inside it).
    fn configure(&self, element: &gst::Element) {
        let is_rtspsrc = element.factory().is_some_and(|f| f.name() == "rtspsrc");
        if !is_rtspsrc {
            return;
        }
        let s = self.settings.lock().unwrap().clone();
        element.set_property("latency", s.latency_ms);
        element.set_property("add-reference-timestamp-meta", true);
        match s.protocols {
            Protocols::Auto => {}
            Protocols::Tcp => element.set_property_from_str("protocols", "tcp"),
            Protocols::Udp => element.set_property_from_str("protocols", "udp"),
        }
        gst::debug!(CAT, imp = self, "configured {}", element.name());
    }

    /// Follows fallbacksrc's status: state, retries, messages, and the
    /// error once max-retries is exceeded.
    fn on_status(&self, inner: &gst::Element) {
        let _following = self.following.lock().unwrap();
        let seen = Observed::read(inner);
        let (uri, max_retries) = {
            let s = self.settings.lock().unwrap();
            (s.uri.clone().unwrap_or_default(), s.max_retries)
        };
        let (message, change) = {
            let mut st = self.status.lock().unwrap();
            let Some(change) = st.follow(&seen, max_retries) else {
                return;
            };
            let now = (st.state, st.retries);
            let message = (st.posted != Some(now)).then(|| {
                st.posted = Some(now);
                gst::Structure::builder(MESSAGE_NAME)
                    .field("uri", &uri)
                    .field("state", st.state.nick())
                    .field("retries", st.retries)
                    .field("reason", st.reason.clone().unwrap_or_default())
                    .build()
            });
            (message, change)
        };
        // Posted with no lock held.
        if change.state_changed {
            self.obj().notify("state");
        }
        if let Some(s) = message {
            gst::info!(CAT, imp = self, "{s}");
            let _ = self
                .obj()
                .post_message(gst::message::Element::builder(s).src(&*self.obj()).build());
        }
        if let Some((retries, reason)) = change.failed {
            gst::element_imp_error!(
                self,
                gst::ResourceError::OpenRead,
                (
                    "camera {}: no connection after {} retries (max-retries={}); last failure: {}",
                    uri,
                    retries,
                    max_retries,
                    reason.as_deref().unwrap_or("none reported")
                )
            );
        }
    }
}

/// What fallbacksrc says about its source.
struct Observed {
    /// The `status` nick: stopped, buffering, retrying, running.
    status: String,
    /// Retries since fallbacksrc started.
    num_retry: u64,
    /// fallbacksrc's own word for the last retry (error, eos, timeout,
    /// state-change-failure), used when no message said more.
    retry_reason: Option<String>,
}

impl Observed {
    fn read(inner: &gst::Element) -> Observed {
        let nick =
            |v: &glib::Value| glib::EnumValue::from_value(v).map(|(_, e)| e.nick().to_string());
        let stats = inner.property::<gst::Structure>("statistics");
        Observed {
            status: nick(&inner.property_value("status")).unwrap_or_default(),
            num_retry: stats.get::<u64>("num-retry").unwrap_or(0),
            retry_reason: stats
                .value("last-retry-reason")
                .ok()
                .and_then(|v| nick(v))
                .filter(|n| n != "none"),
        }
    }
}

/// What a status update changed.
struct Change {
    state_changed: bool,
    /// (retries, reason) when the camera just failed.
    failed: Option<(u64, Option<String>)>,
}

impl Status {
    /// Applies fallbacksrc's status; None when there is nothing to follow
    /// (not started, stopping, or a status that changes nothing).
    fn follow(&mut self, seen: &Observed, max_retries: i32) -> Option<Change> {
        if self.state == CameraState::Idle {
            return None;
        }
        let before = self.state;
        match seen.status.as_str() {
            "running" => {
                self.ever_connected = true;
                self.retry_base = seen.num_retry;
                self.retries = 0;
                self.reason = None;
                self.state = CameraState::Connected;
            }
            "retrying" | "buffering" => {
                self.retries = seen.num_retry.saturating_sub(self.retry_base);
                if self.reason.is_none() && self.retries > 0 {
                    self.reason = seen.retry_reason.as_ref().map(|r| format!("source {r}"));
                }
                if self.state != CameraState::Failed {
                    self.state = if self.ever_connected {
                        CameraState::Reconnecting
                    } else {
                        CameraState::Connecting
                    };
                }
            }
            _ => return None,
        }
        let mut failed = None;
        if !matches!(self.state, CameraState::Connected | CameraState::Failed)
            && max_retries >= 0
            && self.retries > max_retries as u64
        {
            self.state = CameraState::Failed;
            failed = Some((self.retries, self.reason.clone()));
        }
        Some(Change {
            state_changed: before != self.state,
            failed,
        })
    }
}

/// `scheme://...` with an RFC 3986 scheme (a letter, then letters, digits,
/// `+`, `-`, `.`).
fn has_scheme(uri: &str) -> bool {
    uri.split_once("://").is_some_and(|(scheme, _)| {
        let mut c = scheme.chars();
        c.next().is_some_and(|f| f.is_ascii_alphabetic())
            && c.all(|ch| ch.is_ascii_alphanumeric() || "+-.".contains(ch))
    })
}
