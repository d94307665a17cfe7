// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rsmsgsink / rsmsgsrc against a real broker: Debian's mosquitto, started
//! by each test on a free loopback port with a generated config and
//! stopped by PID.

mod common;

use common::Mosquitto;
use gst::prelude::*;
use rstracking_core::io::schema;
use rstracking_core::types::{BBox, Object};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `frames` frames of two objects crossing a 320x240 frame, each with an
/// 8-d embedding, stream `cam0`.
fn fixture(dir: &Path, frames: u64) -> PathBuf {
    let mut text = String::new();
    for f in 0..frames {
        let x = f as f32 * 2.0;
        let objects: Vec<Object> = (0..2)
            .map(|k| {
                let mut o = Object::new(
                    BBox::new(
                        10.0 + x + 100.0 * k as f32,
                        50.0 + 60.0 * k as f32,
                        30.0,
                        60.0,
                    ),
                    0.9,
                    0,
                );
                let e: Vec<f32> = (0..8).map(|i| ((i + k * 8) as f32 * 0.37).sin()).collect();
                o.embedding = Some(Arc::from(e.as_slice()));
                o
            })
            .collect();
        text.push_str(&schema::frame_line(
            Some("cam0"),
            f,
            Some(f * 40_000_000),
            320,
            240,
            &objects,
        ));
        text.push('\n');
    }
    let p = dir.join("cam0-in.jsonl");
    std::fs::write(&p, text).unwrap();
    p
}

/// A pipeline running in the background, its bus messages collected.
struct Running {
    pipeline: gst::Element,
    thread: Option<std::thread::JoinHandle<Vec<gst::Message>>>,
}

impl Running {
    fn launch(desc: &str) -> Running {
        common::init();
        let pipeline = gst::parse::launch(desc).unwrap();
        let bus = pipeline.bus().unwrap();
        let _ = pipeline.set_state(gst::State::Playing);
        let thread = std::thread::spawn(move || {
            let mut msgs = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(90);
            while Instant::now() < deadline {
                let Some(m) = bus.timed_pop(gst::ClockTime::from_mseconds(100)) else {
                    continue;
                };
                let end = matches!(
                    m.view(),
                    gst::MessageView::Eos(_) | gst::MessageView::Error(_)
                );
                msgs.push(m);
                if end {
                    break;
                }
            }
            msgs
        });
        Running {
            pipeline,
            thread: Some(thread),
        }
    }

    fn element(&self, name: &str) -> gst::Element {
        self.pipeline
            .downcast_ref::<gst::Bin>()
            .unwrap()
            .by_name(name)
            .unwrap()
    }

    /// Waits for EOS or an error (90 s at most), then stops the pipeline.
    fn finish(mut self) -> Vec<gst::Message> {
        let msgs = self.thread.take().unwrap().join().unwrap();
        self.pipeline.set_state(gst::State::Null).unwrap();
        msgs
    }

    fn wait_connected(&self, name: &str) {
        let e = self.element(name);
        let deadline = Instant::now() + Duration::from_secs(10);
        while enum_nick(&e.property_value("state")) != "connected" {
            assert!(Instant::now() < deadline, "{name} not connected in 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

fn enum_nick(v: &gst::glib::Value) -> String {
    gst::glib::EnumValue::from_value(v)
        .map(|(_, e)| e.nick().to_string())
        .unwrap_or_default()
}

fn errors(msgs: &[gst::Message]) -> Vec<String> {
    msgs.iter()
        .filter_map(|m| match m.view() {
            gst::MessageView::Error(e) => Some(e.error().to_string()),
            _ => None,
        })
        .collect()
}

fn warnings(msgs: &[gst::Message]) -> Vec<String> {
    msgs.iter()
        .filter_map(|m| match m.view() {
            gst::MessageView::Warning(w) => Some(w.error().to_string()),
            _ => None,
        })
        .collect()
}

fn ended(msgs: &[gst::Message]) -> bool {
    msgs.iter()
        .any(|m| matches!(m.view(), gst::MessageView::Eos(_)))
}

/// The `state` of every `rstracking-broker` message from `element`.
fn states(msgs: &[gst::Message], element: &str) -> Vec<String> {
    msgs.iter()
        .filter(|m| m.src().is_some_and(|s| s.name() == element))
        .filter_map(|m| m.structure())
        .filter(|s| s.name() == "rstracking-broker")
        .map(|s| s.get::<String>("state").unwrap())
        .collect()
}

fn edge(
    address: &str,
    input: &Path,
    dir: &Path,
    frames: u64,
    live: bool,
    sink_props: &str,
) -> String {
    format!(
        "videotestsrc is-live={live} num-buffers={frames} pattern=black ! video/x-raw,format=GRAY8,width=320,height=240,framerate=25/1 \
         ! rsdetect detections={} ! rsbytetrack with-reid=true ! tee name=t \
         ! queue ! rsmsgsink name=pub address={address} topic=site/{{stream}} retry-interval=100 {sink_props} \
         t. ! queue ! rsjsonsink location={}",
        input.display(),
        dir.join("direct.jsonl").display()
    )
}

fn central(address: &str, dir: &Path) -> String {
    format!(
        "rsmsgsrc name=sub address={address} topic=site/cam0 retry-interval=100 ! rsjsonsink location={}",
        dir.join("central.jsonl").display()
    )
}

/// The lines of a JSONL file without the wall-clock fields (a live edge
/// writes `utc_ns` from its clock; the central pipeline is not live).
fn read(p: PathBuf) -> Vec<String> {
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    text.lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let o = v.as_object_mut().unwrap();
            o.remove("utc_ns");
            o.remove("utc_source");
            v.to_string()
        })
        .collect()
}

/// Equal line lists, with a short message (not the whole files).
fn assert_same(central: &[String], direct: &[String]) {
    assert_eq!(central.len(), direct.len(), "line counts differ");
    for (i, (c, d)) in central.iter().zip(direct).enumerate() {
        assert!(
            c == d,
            "line {} differs:\n central {c}\n direct  {d}",
            i + 1
        );
    }
}

#[test]
fn the_central_pipeline_writes_exactly_what_the_edge_wrote() {
    let broker = Mosquitto::start("broker-roundtrip", "");
    let dir = broker.dir.clone();
    let input = fixture(&dir, 60);
    let sub = Running::launch(&central(&broker.address(), &dir));
    sub.wait_connected("sub");
    let publ = Running::launch(&edge(&broker.address(), &input, &dir, 60, false, ""));
    let pm = publ.finish();
    assert!(errors(&pm).is_empty(), "{:?}", errors(&pm));
    let sm = sub.finish();
    assert!(errors(&sm).is_empty() && ended(&sm), "{:?}", errors(&sm));
    let direct = read(dir.join("direct.jsonl"));
    let central = read(dir.join("central.jsonl"));
    // 60 frame lines and the two tracks' start and end.
    assert_eq!(direct.len(), 64);
    assert_same(&central, &direct);
    assert_eq!(states(&pm, "pub"), ["connecting", "connected"]);
}

/// The broker stopped for 2 s twice while a live edge publishes: nothing
/// lost, no duplicate reaches the central pipeline, order kept.
#[test]
fn a_broker_restarting_twice_loses_nothing() {
    let mut broker = Mosquitto::start("broker-outage", "");
    let dir = broker.dir.clone();
    let frames = 250; // 10 s at 25 frames/s
    let input = fixture(&dir, frames);
    let sub = Running::launch(&central(&broker.address(), &dir));
    sub.wait_connected("sub");
    let publ = Running::launch(&edge(&broker.address(), &input, &dir, frames, true, ""));
    for _ in 0..2 {
        std::thread::sleep(Duration::from_secs(2));
        broker.stop();
        std::thread::sleep(Duration::from_secs(2));
        broker.restart();
    }
    let s = sub.element("sub");
    let pm = publ.finish();
    let sm = sub.finish();
    assert!(errors(&pm).is_empty(), "{:?}", errors(&pm));
    assert!(errors(&sm).is_empty() && ended(&sm), "{:?}", errors(&sm));
    let direct = read(dir.join("direct.jsonl"));
    let central = read(dir.join("central.jsonl"));
    assert_eq!(direct.len(), frames as usize + 4);
    assert_same(&central, &direct);
    assert_eq!(
        states(&pm, "pub"),
        [
            "connecting",
            "connected",
            "reconnecting",
            "connected",
            "reconnecting",
            "connected"
        ]
    );
    assert_eq!(s.property::<u64>("missed"), 0);
    eprintln!(
        "duplicates dropped by the central pipeline: {}",
        s.property::<u64>("duplicates")
    );
}

#[test]
fn a_buffer_smaller_than_the_outage_drops_the_oldest_and_counts_them() {
    let mut broker = Mosquitto::start("broker-overflow", "");
    let dir = broker.dir.clone();
    let frames = 150; // 6 s
    let input = fixture(&dir, frames);
    let sub = Running::launch(&central(&broker.address(), &dir));
    sub.wait_connected("sub");
    let publ = Running::launch(&edge(
        &broker.address(),
        &input,
        &dir,
        frames,
        true,
        "max-buffered=10",
    ));
    std::thread::sleep(Duration::from_secs(1));
    broker.stop();
    std::thread::sleep(Duration::from_secs(3));
    broker.restart();
    let s = sub.element("sub");
    let pm = publ.finish();
    let sm = sub.finish();
    assert!(errors(&pm).is_empty(), "{:?}", errors(&pm));
    assert!(errors(&sm).is_empty() && ended(&sm), "{:?}", errors(&sm));
    let dropped = publ_prop(&pm, "dropped");
    assert!(
        dropped >= 50,
        "only {dropped} dropped in a 3 s outage of 25 frames/s"
    );
    let direct = read(dir.join("direct.jsonl"));
    let central = read(dir.join("central.jsonl"));
    // What is missing is exactly what was dropped, and the rest is in order.
    assert_eq!(central.len() as u64, direct.len() as u64 - dropped);
    // track_end lines carry a summary of the frames the sink saw: the
    // central one saw fewer. Every other line is as written, in order.
    let mut rest = direct.iter();
    for line in central
        .iter()
        .filter(|l| !l.contains(r#""event":"track_end""#))
    {
        assert!(rest.any(|d| d == line), "out of order or altered: {line}");
    }
    let w = warnings(&pm);
    assert!(
        w.iter()
            .any(|w| w.starts_with(&format!("Dropped {dropped} messages (the oldest)"))),
        "{w:?}"
    );
    assert_eq!(s.property::<u64>("missed"), dropped);
}

/// The last `field` of the sink's `rstracking-broker` messages.
fn publ_prop(msgs: &[gst::Message], field: &str) -> u64 {
    msgs.iter()
        .filter_map(|m| m.structure())
        .filter(|s| s.name() == "rstracking-broker" && s.has_field(field))
        .map(|s| s.get::<u64>(field).unwrap())
        .next_back()
        .unwrap_or(0)
}

fn openssl(dir: &Path, args: &[&str]) {
    let st = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl");
    assert!(st.success(), "openssl {args:?}");
}

/// A CA (`<name>-ca.crt`) and a certificate it signs (`<cn>.crt`, `.key`).
fn certificates(dir: &Path, ca: &str, certs: &[(&str, &str)]) {
    let ca_key = format!("{ca}.key");
    let ca_crt = format!("{ca}.crt");
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &ca_key,
            "-out",
            &ca_crt,
            "-days",
            "2",
            "-subj",
            &format!("/CN={ca}"),
        ],
    );
    for (name, san) in certs {
        std::fs::write(
            dir.join(format!("{name}.ext")),
            format!("subjectAltName={san}\n"),
        )
        .unwrap();
        let (key, csr, crt, ext) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.crt"),
            format!("{name}.ext"),
        );
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &key,
                "-out",
                &csr,
                "-subj",
                &format!("/CN={name}"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca_crt,
                "-CAkey",
                &ca_key,
                "-CAcreateserial",
                "-out",
                &crt,
                "-days",
                "2",
                "-extfile",
                &ext,
            ],
        );
    }
}

#[test]
fn tls_with_client_certificates_and_an_untrusted_broker() {
    let dir = common::tmpdir("broker-tls-certs");
    certificates(
        &dir,
        "ca",
        &[("server", "IP:127.0.0.1"), ("edge", "DNS:edge")],
    );
    certificates(&dir, "other-ca", &[]);
    let p = |f: &str| dir.join(f).display().to_string();
    let broker = Mosquitto::start(
        "broker-tls",
        &format!(
            "cafile {}\ncertfile {}\nkeyfile {}\nrequire_certificate true\n",
            p("ca.crt"),
            p("server.crt"),
            p("server.key")
        ),
    );
    let tls = format!(
        "ca-file={} cert-file={} key-file={}",
        p("ca.crt"),
        p("edge.crt"),
        p("edge.key")
    );
    let input = fixture(&broker.dir, 20);
    let sub = Running::launch(&format!(
        "rsmsgsrc name=sub address={} topic=site/cam0 {tls} ! rsjsonsink location={}",
        broker.address(),
        broker.dir.join("central.jsonl").display()
    ));
    sub.wait_connected("sub");
    let pm = Running::launch(&edge(
        &broker.address(),
        &input,
        &broker.dir,
        20,
        false,
        &tls,
    ))
    .finish();
    assert!(errors(&pm).is_empty(), "{:?}", errors(&pm));
    let sm = sub.finish();
    assert!(errors(&sm).is_empty() && ended(&sm), "{:?}", errors(&sm));
    assert_eq!(
        read(broker.dir.join("central.jsonl")),
        read(broker.dir.join("direct.jsonl"))
    );

    // A broker certificate signed by another CA: an error at start.
    let untrusted = format!(
        "ca-file={} cert-file={} key-file={}",
        p("other-ca.crt"),
        p("edge.crt"),
        p("edge.key")
    );
    let pm = Running::launch(&edge(
        &broker.address(),
        &input,
        &broker.dir,
        20,
        false,
        &untrusted,
    ))
    .finish();
    assert_eq!(
        errors(&pm),
        [format!(
            "TLS with broker {} failed: I/O: invalid peer certificate: UnknownIssuer",
            broker.address()
        )]
    );
}

#[test]
fn a_wrong_password_is_an_error_naming_the_broker() {
    let dir = common::tmpdir("broker-password");
    let pw = dir.join("passwords");
    let st = std::process::Command::new("mosquitto_passwd")
        .args(["-b", "-c"])
        .arg(&pw)
        .args(["edge", "s3cret"])
        .status()
        .expect("mosquitto_passwd (mosquitto package)");
    assert!(st.success());
    let broker = Mosquitto::start(
        "broker-auth",
        &format!("allow_anonymous false\npassword_file {}\n", pw.display()),
    );
    let input = fixture(&broker.dir, 10);
    let pm = Running::launch(&edge(
        &broker.address(),
        &input,
        &broker.dir,
        10,
        false,
        "username=edge password=wrong",
    ))
    .finish();
    assert_eq!(
        errors(&pm),
        [format!(
            "broker {} refused the connection: not authorized (user name or password refused)",
            broker.address()
        )]
    );
    assert!(warnings(&pm).contains(&format!(
        "Credentials for broker {} are sent in clear text (no ca-file: no TLS)",
        broker.address()
    )));
    let pm = Running::launch(&edge(
        &broker.address(),
        &input,
        &broker.dir,
        10,
        false,
        "username=edge password=s3cret",
    ))
    .finish();
    assert!(errors(&pm).is_empty() && ended(&pm), "{:?}", errors(&pm));
}

#[test]
fn malformed_messages_are_counted_and_skipped() {
    let broker = Mosquitto::start("broker-malformed", "");
    let dir = broker.dir.clone();
    let sub = Running::launch(&central(&broker.address(), &dir));
    sub.wait_connected("sub");
    let frame = |seq: u64, frame: u64, emb: &str| {
        format!(
            r#"{{"schema":"rstracking/1","seq":{seq},"stream":"cam0","frame":{frame},"width":320,"height":240,"objects":[{{"bbox":[1.0,2.0,3.0,4.0],"confidence":0.5,"class_id":0,"embedding_b64":"{emb}"}}]}}"#
        )
    };
    let two = rstracking_core::io::msg::encode_embedding(&[0.6, 0.8]);
    let three = rstracking_core::io::msg::encode_embedding(&[0.6, 0.8, 0.0]);
    let lines = [
        "hello".to_string(),
        r#"{"schema":"other/1","frame":0}"#.to_string(),
        frame(0, 0, &two),
        // A malformed message still takes its number: no gap, no duplicate.
        frame(1, 1, &three),
        frame(2, 1, &two),
        r#"{"schema":"rstracking/1","seq":3,"event":"eos","stream":"cam0","frames":2}"#.to_string(),
    ];
    let mut child = std::process::Command::new("mosquitto_pub")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &broker.port.to_string(),
            "-t",
            "site/cam0",
            "-q",
            "1",
            "-l",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("mosquitto_pub (mosquitto-clients)");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        for l in &lines {
            writeln!(stdin, "{l}").unwrap();
        }
    }
    assert!(child.wait().unwrap().success());
    let s = sub.element("sub");
    let sm = sub.finish();
    assert!(errors(&sm).is_empty() && ended(&sm), "{:?}", errors(&sm));
    let w: Vec<String> = warnings(&sm);
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(
        w[0].starts_with("Malformed message on topic 'site/cam0' skipped (1 so far): not JSON"),
        "{}",
        w[0]
    );
    assert_eq!(w[1], "Malformed message on topic 'site/cam0' skipped (2 so far): schema 'other/1', expected 'rstracking/1'");
    assert_eq!(w[2], "Malformed message on topic 'site/cam0' skipped (3 so far): object 0: embedding of 3 values, expected 2");
    assert_eq!(s.property::<u64>("malformed"), 3);
    assert_eq!(s.property::<u64>("received"), 3);
    assert_eq!(s.property::<u64>("missed"), 0);
    let out = read(dir.join("central.jsonl"));
    assert_eq!(out.len(), 2);
    assert!(out[1].contains(r#""frame":1,"#));
}
