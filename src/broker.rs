// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! What rsmsgsink and rsmsgsrc share: the broker connection settings
//! (properties `address`, `client-id`, `qos`, `username`, `password`,
//! `ca-file`, `cert-file`, `key-file`, `keep-alive`, `retry-interval`), the
//! MQTT options and TLS configuration built from them, and the thread that
//! runs rumqttc's event loop on a small tokio runtime.
//!
//! MQTT only today; a second transport (Kafka, NATS) would implement the
//! same [`Connection`] role behind the same properties and message format.

use gst::glib;
use gst::prelude::*;
use rumqttc::{AsyncClient, ConnectionError, Event, EventLoop, MqttOptions, QoS};
use std::sync::Arc;
use std::time::Duration;

pub const DEFAULT_ADDRESS: &str = "127.0.0.1:1883";
pub const DEFAULT_KEEP_ALIVE: u32 = 30;
pub const DEFAULT_RETRY_INTERVAL_MS: u32 = 1000;
/// Largest message in or out (rumqttc's default is 10 KiB, less than a
/// frame with embeddings).
const MAX_PACKET: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct BrokerSettings {
    pub address: String,
    pub client_id: Option<String>,
    pub qos: u32,
    pub username: Option<String>,
    pub password: Option<String>,
    pub ca_file: Option<String>,
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    pub keep_alive: u32,
    pub retry_interval_ms: u32,
}

impl Default for BrokerSettings {
    fn default() -> Self {
        Self {
            address: DEFAULT_ADDRESS.into(),
            client_id: None,
            qos: 1,
            username: None,
            password: None,
            ca_file: None,
            cert_file: None,
            key_file: None,
            keep_alive: DEFAULT_KEEP_ALIVE,
            retry_interval_ms: DEFAULT_RETRY_INTERVAL_MS,
        }
    }
}

use crate::string_prop;

impl BrokerSettings {
    /// The connection properties, the same on both elements.
    pub fn properties() -> Vec<glib::ParamSpec> {
        vec![
            glib::ParamSpecString::builder("address")
                .nick("Broker address")
                .blurb("MQTT broker as host:port (TLS when ca-file is set)")
                .default_value(Some(DEFAULT_ADDRESS))
                .mutable_ready()
                .build(),
            string_prop("client-id", "Client id", "MQTT client id; unset = rstracking-<element name>-<process id>. Keep it stable: the broker keys sessions by it"),
            glib::ParamSpecUInt::builder("qos")
                .nick("QoS")
                .blurb("MQTT quality of service: 0 at most once, 1 at least once (duplicates are dropped by sequence number)")
                .maximum(1)
                .default_value(1)
                .mutable_ready()
                .build(),
            string_prop("username", "User name", "User name (sent in clear text without TLS: a warning says so)"),
            string_prop("password", "Password", "Password (needs username)"),
            string_prop("ca-file", "CA file", "PEM file of the CA certificates that sign the broker's certificate; set = TLS"),
            string_prop("cert-file", "Client certificate", "PEM client certificate (chain) for TLS client authentication (with key-file)"),
            string_prop("key-file", "Client key", "PEM private key of cert-file (PKCS#8, PKCS#1 or SEC1)"),
            glib::ParamSpecUInt::builder("keep-alive")
                .nick("Keep alive")
                .blurb("Seconds between MQTT pings when idle; a broker gone silent is noticed after 1.5 times this")
                .minimum(5)
                .maximum(3600)
                .default_value(DEFAULT_KEEP_ALIVE)
                .mutable_ready()
                .build(),
            glib::ParamSpecUInt::builder("retry-interval")
                .nick("Retry interval")
                .blurb("Milliseconds between connection attempts while the broker is unreachable")
                .minimum(10)
                .maximum(600_000)
                .default_value(DEFAULT_RETRY_INTERVAL_MS)
                .mutable_ready()
                .build(),
        ]
    }

    /// Sets a connection property; false when `name` is not one.
    pub fn set(&mut self, name: &str, value: &glib::Value) -> bool {
        let s = || {
            value
                .get::<Option<String>>()
                .expect("type checked upstream")
        };
        match name {
            "address" => self.address = s().unwrap_or_else(|| DEFAULT_ADDRESS.into()),
            "client-id" => self.client_id = s(),
            "qos" => self.qos = value.get().expect("type checked upstream"),
            "username" => self.username = s(),
            "password" => self.password = s(),
            "ca-file" => self.ca_file = s(),
            "cert-file" => self.cert_file = s(),
            "key-file" => self.key_file = s(),
            "keep-alive" => self.keep_alive = value.get().expect("type checked upstream"),
            "retry-interval" => {
                self.retry_interval_ms = value.get().expect("type checked upstream")
            }
            _ => return false,
        }
        true
    }

    pub fn get(&self, name: &str) -> Option<glib::Value> {
        Some(match name {
            "address" => self.address.to_value(),
            "client-id" => self.client_id.to_value(),
            "qos" => self.qos.to_value(),
            "username" => self.username.to_value(),
            // Write-only in spirit: never read back.
            "password" => None::<String>.to_value(),
            "ca-file" => self.ca_file.to_value(),
            "cert-file" => self.cert_file.to_value(),
            "key-file" => self.key_file.to_value(),
            "keep-alive" => self.keep_alive.to_value(),
            "retry-interval" => self.retry_interval_ms.to_value(),
            _ => return None,
        })
    }

    pub fn qos(&self) -> QoS {
        if self.qos == 0 {
            QoS::AtMostOnce
        } else {
            QoS::AtLeastOnce
        }
    }

    pub fn retry_interval(&self) -> Duration {
        Duration::from_millis(u64::from(self.retry_interval_ms))
    }

    /// Credentials that would travel unencrypted.
    pub fn clear_text_credentials(&self) -> bool {
        self.username.is_some() && self.ca_file.is_none()
    }

    /// MQTT options; errors (bad address, unreadable or invalid
    /// certificate files, a password without user name) name the property
    /// and the cause.
    pub fn mqtt_options(
        &self,
        default_client_id: &str,
        clean_session: bool,
    ) -> Result<MqttOptions, gst::ErrorMessage> {
        let settings_error =
            |msg: String| gst::error_msg!(gst::ResourceError::Settings, ("{}", msg));
        let (host, port) = self
            .address
            .rsplit_once(':')
            .and_then(|(h, p)| {
                Some((
                    h.trim_start_matches('[').trim_end_matches(']'),
                    p.parse::<u16>().ok()?,
                ))
            })
            .filter(|(h, p)| !h.is_empty() && *p > 0)
            .ok_or_else(|| {
                settings_error(format!(
                    "address '{}': expected host:port (e.g. 127.0.0.1:1883)",
                    self.address
                ))
            })?;
        let id = match self.client_id.as_deref() {
            Some("") => return Err(settings_error("client-id is empty".to_string())),
            Some(id) => id,
            None => default_client_id,
        };
        let mut o = MqttOptions::new(id, host, port);
        o.set_keep_alive(Duration::from_secs(u64::from(self.keep_alive)))
            .set_clean_session(clean_session)
            .set_max_packet_size(MAX_PACKET, MAX_PACKET);
        match (&self.username, &self.password) {
            (Some(u), p) => {
                o.set_credentials(u.clone(), p.clone().unwrap_or_default());
            }
            (None, Some(_)) => {
                return Err(settings_error(
                    "password is set but username is not".to_string(),
                ))
            }
            (None, None) => {}
        }
        if let Some(tls) = self.tls_config()? {
            o.set_transport(rumqttc::Transport::Tls(rumqttc::TlsConfiguration::Rustls(
                Arc::new(tls),
            )));
        } else if self.cert_file.is_some() || self.key_file.is_some() {
            return Err(settings_error(
                "cert-file/key-file need ca-file (TLS)".to_string(),
            ));
        }
        Ok(o)
    }

    fn tls_config(&self) -> Result<Option<rustls::ClientConfig>, gst::ErrorMessage> {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::{CertificateDer, PrivateKeyDer};
        let Some(ca_file) = &self.ca_file else {
            return Ok(None);
        };
        let bad = |prop: &str, path: &str, e: String| {
            gst::error_msg!(gst::ResourceError::Settings, ("{} '{}': {}", prop, path, e))
        };
        let certs =
            |prop: &str, path: &str| -> Result<Vec<CertificateDer<'static>>, gst::ErrorMessage> {
                let v = CertificateDer::pem_file_iter(path)
                    .map_err(|e| bad(prop, path, e.to_string()))?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| bad(prop, path, e.to_string()))?;
                if v.is_empty() {
                    return Err(bad(prop, path, "no PEM certificate in the file".into()));
                }
                Ok(v)
            };
        let mut roots = rustls::RootCertStore::empty();
        for c in certs("ca-file", ca_file)? {
            roots
                .add(c)
                .map_err(|e| bad("ca-file", ca_file, e.to_string()))?;
        }
        // ring, not aws-lc-rs: no C/cmake build of aws-lc. rustls 0.23.48
        // deprecates it for lacking post-quantum key exchange, which
        // mosquitto (OpenSSL) does not offer MQTT clients by default anyway.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| bad("ca-file", ca_file, e.to_string()))?
            .with_root_certificates(roots);
        let config = match (&self.cert_file, &self.key_file) {
            (Some(cert), Some(key)) => {
                let chain = certs("cert-file", cert)?;
                let key_der = PrivateKeyDer::from_pem_file(key)
                    .map_err(|e| bad("key-file", key, e.to_string()))?;
                builder
                    .with_client_auth_cert(chain, key_der)
                    .map_err(|e| bad("cert-file", cert, e.to_string()))?
            }
            (None, None) => builder.with_no_client_auth(),
            _ => {
                return Err(gst::error_msg!(
                    gst::ResourceError::Settings,
                    ("cert-file and key-file go together")
                ))
            }
        };
        Ok(Some(config))
    }
}

/// Whether a connection error is fatal (true) and its text: refused
/// credentials and TLS certificate failures (untrusted certificate, bad
/// client certificate) need a change of settings; network errors are
/// retried.
pub fn describe(address: &str, e: &ConnectionError) -> (bool, String) {
    match e {
        ConnectionError::ConnectionRefused(code) => {
            let why = match code {
                rumqttc::ConnectReturnCode::BadUserNamePassword => "bad user name or password",
                rumqttc::ConnectReturnCode::NotAuthorized => {
                    "not authorized (user name or password refused)"
                }
                rumqttc::ConnectReturnCode::BadClientId => "client id refused",
                rumqttc::ConnectReturnCode::RefusedProtocolVersion => "protocol version refused",
                rumqttc::ConnectReturnCode::ServiceUnavailable => "service unavailable",
                rumqttc::ConnectReturnCode::Success => "success",
            };
            (
                !matches!(code, rumqttc::ConnectReturnCode::ServiceUnavailable),
                format!("broker {address} refused the connection: {why}"),
            )
        }
        // Certificate and protocol failures need new settings; a reset or
        // a closed socket during the handshake (a broker restarting, a
        // load balancer) is retried like any network error.
        ConnectionError::Tls(t) => {
            let transient = matches!(t, rumqttc::TlsError::Io(io) if io.kind() != std::io::ErrorKind::InvalidData);
            (!transient, format!("TLS with broker {address} failed: {t}"))
        }
        ConnectionError::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            (true, format!("TLS with broker {address} failed: {io}"))
        }
        other => (false, format!("broker {address}: {other}")),
    }
}

/// What the event handler wants next.
pub enum Step {
    Continue,
    /// Wait this long before polling again (reconnect pacing).
    Wait(Duration),
    Stop,
}

/// rumqttc's event loop running on its own thread; dropping it stops the
/// loop (in-flight work is abandoned) and joins the thread.
pub struct Connection {
    pub client: AsyncClient,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Connection {
    /// Starts the loop; `handle` sees every poll result (with the event
    /// loop, e.g. to clean it after an error) on the loop's thread.
    pub fn start(
        thread_name: String,
        options: MqttOptions,
        channel_capacity: usize,
        mut handle: impl FnMut(&mut EventLoop, Result<Event, ConnectionError>) -> Step + Send + 'static,
    ) -> std::io::Result<Self> {
        let (client, mut eventloop) = AsyncClient::new(options, channel_capacity);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name(thread_name)
            .spawn(move || {
                rt.block_on(async move {
                    let run = async {
                        loop {
                            let r = eventloop.poll().await;
                            match handle(&mut eventloop, r) {
                                Step::Continue => {}
                                Step::Wait(d) => tokio::time::sleep(d).await,
                                Step::Stop => break,
                            }
                        }
                    };
                    tokio::select! {
                        _ = run => {}
                        _ = rx => {}
                    }
                });
            })?;
        Ok(Self {
            client,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A default client id: `rstracking-<host>-<element name>-<pid>` (edge
/// containers often share pids and element names; the host name tells
/// them apart).
pub fn default_client_id(element: &impl IsA<gst::Object>) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    format!(
        "rstracking-{}-{}-{}",
        if host.is_empty() { "host" } else { &host },
        element.as_ref().name(),
        std::process::id()
    )
}

/// A random number per start of a sender (`run` in the messages).
pub fn run_id() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.write_u32(std::process::id());
    // JSON readers in other languages lose precision above 2^53.
    h.finish() & ((1 << 53) - 1)
}

/// Broker connection state, in `rstracking-broker` messages and the
/// elements' `state` property.
#[derive(Debug, Eq, PartialEq, Ord, PartialOrd, Hash, Clone, Copy, glib::Enum, Default)]
#[repr(u32)]
#[enum_type(name = "GstRsTrackingBrokerState")]
pub enum BrokerState {
    #[default]
    #[enum_value(name = "Not started", nick = "idle")]
    Idle = 0,
    #[enum_value(name = "Connecting for the first time", nick = "connecting")]
    Connecting = 1,
    #[enum_value(name = "Connected", nick = "connected")]
    Connected = 2,
    #[enum_value(name = "Lost, retrying (messages are buffered)", nick = "reconnecting")]
    Reconnecting = 3,
    #[enum_value(
        name = "Refused (credentials, TLS): an error was posted",
        nick = "failed"
    )]
    Failed = 4,
}

impl BrokerState {
    pub fn nick(self) -> &'static str {
        match self {
            BrokerState::Idle => "idle",
            BrokerState::Connecting => "connecting",
            BrokerState::Connected => "connected",
            BrokerState::Reconnecting => "reconnecting",
            BrokerState::Failed => "failed",
        }
    }
}
