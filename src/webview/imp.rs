// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::server::{self, Server, StartError, Stream, StreamConfig};
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, LazyLock, Mutex};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rswebview",
        gst::DebugColorFlags::empty(),
        Some("Browser live view: JPEG frames over HTTP (MJPEG)"),
    )
});

const DEFAULT_ADDRESS: &str = "127.0.0.1";
const DEFAULT_PORT: u32 = 8080;
const DEFAULT_MAX_CLIENTS: u32 = 16;
const MAX_MAX_CLIENTS: u32 = 1024;
const DEFAULT_MAX_RATE: f64 = 0.0;
const MAX_MAX_RATE: f64 = 1000.0;

#[derive(Debug, Clone)]
struct Settings {
    address: String,
    port: u32,
    stream_name: Option<String>,
    max_clients: u32,
    max_rate: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            address: DEFAULT_ADDRESS.to_owned(),
            port: DEFAULT_PORT,
            stream_name: None,
            max_clients: DEFAULT_MAX_CLIENTS,
            max_rate: DEFAULT_MAX_RATE,
        }
    }
}

struct State {
    server: Arc<Server>,
    stream: Arc<Stream>,
}

#[derive(Default)]
pub struct RsWebView {
    // Mutex order: settings before state; neither is held while calling
    // into the server registry's shutdown or posting a message.
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
}

#[glib::object_subclass]
impl ObjectSubclass for RsWebView {
    const NAME: &'static str = "GstRsWebView";
    type Type = super::RsWebView;
    type ParentType = gst_base::BaseSink;
}

impl ObjectImpl for RsWebView {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecString::builder("address")
                    .nick("Address")
                    .blurb("IP address to listen on (0.0.0.0: every IPv4 interface, :: for IPv6)")
                    .default_value(Some(DEFAULT_ADDRESS))
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("port")
                    .nick("Port")
                    .blurb("TCP port to listen on; 0 = a free port picked by the system (see bound-port). Instances with the same address and port share one server")
                    .minimum(0)
                    .maximum(u16::MAX as u32)
                    .default_value(DEFAULT_PORT)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("bound-port")
                    .nick("Bound port")
                    .blurb("The port actually listened on while started (from READY->PAUSED to PAUSED->READY); 0 otherwise")
                    .minimum(0)
                    .maximum(u16::MAX as u32)
                    .default_value(0)
                    .read_only()
                    .build(),
                glib::ParamSpecString::builder("stream-name")
                    .nick("Stream name")
                    .blurb("Name in the URLs (/<name>.mjpg, /<name>.jpg): letters, digits, '_', '.', '-'; unset = the element's name")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("max-clients")
                    .nick("Maximum clients")
                    .blurb("Concurrent MJPEG (.mjpg) clients of this stream; more get 503")
                    .minimum(1)
                    .maximum(MAX_MAX_CLIENTS)
                    .default_value(DEFAULT_MAX_CLIENTS)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecDouble::builder("max-rate")
                    .nick("Maximum rate")
                    .blurb("Most frames per second sent to each MJPEG client; 0 = every frame")
                    .minimum(0.0)
                    .maximum(MAX_MAX_RATE)
                    .default_value(DEFAULT_MAX_RATE)
                    .mutable_ready()
                    .build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = self.settings.lock().unwrap();
        match pspec.name() {
            "address" => {
                let v: Option<String> = value.get().expect("type checked upstream");
                let v = v.unwrap_or_else(|| DEFAULT_ADDRESS.to_owned());
                gst::info!(CAT, imp = self, "address: {} -> {}", s.address, v);
                s.address = v;
            }
            "port" => {
                let v = value.get().expect("type checked upstream");
                gst::info!(CAT, imp = self, "port: {} -> {}", s.port, v);
                s.port = v;
            }
            "stream-name" => {
                let v: Option<String> = value.get().expect("type checked upstream");
                gst::info!(
                    CAT,
                    imp = self,
                    "stream-name: {:?} -> {:?}",
                    s.stream_name,
                    v
                );
                s.stream_name = v;
            }
            "max-clients" => {
                let v = value.get().expect("type checked upstream");
                gst::info!(CAT, imp = self, "max-clients: {} -> {}", s.max_clients, v);
                s.max_clients = v;
            }
            "max-rate" => {
                let v = value.get().expect("type checked upstream");
                gst::info!(CAT, imp = self, "max-rate: {} -> {}", s.max_rate, v);
                s.max_rate = v;
            }
            other => unreachable!("unknown property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        match pspec.name() {
            "bound-port" => self
                .state
                .lock()
                .unwrap()
                .as_ref()
                .map_or(0u32, |s| s.server.local_addr().port() as u32)
                .to_value(),
            name => {
                let s = self.settings.lock().unwrap();
                match name {
                    "address" => s.address.to_value(),
                    "port" => s.port.to_value(),
                    "stream-name" => s
                        .stream_name
                        .clone()
                        .unwrap_or_else(|| self.obj().name().to_string())
                        .to_value(),
                    "max-clients" => s.max_clients.to_value(),
                    "max-rate" => s.max_rate.to_value(),
                    other => unreachable!("unknown property {other}"),
                }
            }
        }
    }
}

impl GstObjectImpl for RsWebView {}

impl ElementImpl for RsWebView {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Browser live view (MJPEG over HTTP)",
                "Sink/Network",
                "Serves JPEG frames over HTTP: an MJPEG stream, the latest frame, an index page and stats, shared by all instances on one address and port",
                "gst-rstracking developers",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            vec![gst::PadTemplate::new(
                "sink",
                gst::PadDirection::Sink,
                gst::PadPresence::Always,
                &gst::Caps::builder("image/jpeg").build(),
            )
            .unwrap()]
        });
        TEMPLATES.as_ref()
    }
}

impl BaseSinkImpl for RsWebView {
    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let settings = self.settings.lock().unwrap().clone();
        let name = settings
            .stream_name
            .clone()
            .unwrap_or_else(|| self.obj().name().to_string());
        if !server::valid_stream_name(&name) {
            return Err(gst::error_msg!(
                gst::ResourceError::Settings,
                (
                    "Invalid stream-name '{}': it must be non-empty and only hold letters, digits, '_', '.' and '-' (it is a URL path)",
                    name
                )
            ));
        }
        let ip: IpAddr = settings.address.trim().parse().map_err(|_| {
            gst::error_msg!(
                gst::ResourceError::Settings,
                (
                    "Invalid address '{}': not an IP address (e.g. 127.0.0.1, 0.0.0.0 or ::1)",
                    settings.address
                )
            )
        })?;
        let port = u16::try_from(settings.port).unwrap_or(u16::MAX);
        let addr = SocketAddr::new(ip, port);
        let server = server::acquire(addr).map_err(|e| match e {
            StartError::Bind(e) if e.kind() == std::io::ErrorKind::AddrInUse => gst::error_msg!(
                gst::ResourceError::Busy,
                (
                    "Cannot listen on {}: port {} is already in use ({})",
                    addr,
                    port,
                    e
                )
            ),
            StartError::Bind(e) => gst::error_msg!(
                gst::ResourceError::OpenReadWrite,
                ("Cannot listen on {}: {}", addr, e)
            ),
            StartError::Runtime(e) => gst::error_msg!(
                gst::LibraryError::Init,
                ("Cannot start the HTTP server's threads for {}: {}", addr, e)
            ),
        })?;
        let config = StreamConfig {
            max_clients: settings.max_clients.max(1) as usize,
            max_rate: settings.max_rate.max(0.0),
        };
        let Some(stream) = server.add_stream(&name, config) else {
            let bound = server.local_addr();
            server::release(server);
            return Err(gst::error_msg!(
                gst::ResourceError::Busy,
                (
                    "stream-name '{}' is already served on {} by another rswebview; give each instance its own stream-name",
                    name,
                    bound
                )
            ));
        };
        let bound = server.local_addr();
        *self.state.lock().unwrap() = Some(State { server, stream });
        gst::info!(
            CAT,
            imp = self,
            "Started: http://{bound}/{name}.mjpg (max-clients {}, max-rate {})",
            config.max_clients,
            config.max_rate
        );
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        let state = self.state.lock().unwrap().take();
        if let Some(State { server, stream }) = state {
            server.remove_stream(&stream);
            drop(stream);
            server::release(server);
        }
        gst::info!(CAT, imp = self, "Stopped");
        Ok(())
    }

    fn render(&self, buffer: &gst::Buffer) -> Result<gst::FlowSuccess, gst::FlowError> {
        let stream = self
            .state
            .lock()
            .unwrap()
            .as_ref()
            .map(|s| s.stream.clone())
            .ok_or(gst::FlowError::Flushing)?;
        let mapped = match buffer.clone().into_mapped_buffer_readable() {
            Ok(m) => m,
            Err(_) => {
                gst::element_imp_error!(
                    self,
                    gst::ResourceError::Read,
                    ("Failed to map a {}-byte buffer for reading", buffer.size())
                );
                return Err(gst::FlowError::Error);
            }
        };
        gst::trace!(CAT, imp = self, "frame of {} bytes", mapped.len());
        // The mapped buffer itself is shared by every client: no copy.
        stream.publish(bytes::Bytes::from_owner(mapped));
        Ok(gst::FlowSuccess::Ok)
    }
}
