// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rscamerasrc against a real RTSP server (scripts/rtsp-camera.py, started on
//! a free loopback port and stopped by PID): a camera that goes away and
//! comes back keeps the pipeline running and its objects' track ids, with
//! its states on the bus in order; a camera that never answers, or a wrong
//! path on a real server, is an error only after `max-retries`.

mod common;

use common::*;
use gst::prelude::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the bus and the sink saw.
#[derive(Default)]
struct Seen {
    /// (state, retries) of every rstracking-camera message, in order.
    states: Vec<(String, u64)>,
    reasons: Vec<String>,
    errors: Vec<String>,
    /// Track ids of the objects of every frame that reached the sink.
    frames: Vec<Vec<Option<u64>>>,
}

struct Run {
    pipeline: gst::Pipeline,
    seen: Arc<Mutex<Seen>>,
}

impl Run {
    fn start(desc: &str) -> Run {
        load_fallbackswitch();
        let pipeline = gst::parse::launch(desc)
            .unwrap()
            .downcast::<gst::Pipeline>()
            .unwrap();
        let seen = Arc::new(Mutex::new(Seen::default()));
        if let Some(sink) = pipeline.by_name("sink") {
            let s2 = seen.clone();
            sink.downcast::<gst_app::AppSink>().unwrap().set_callbacks(
                gst_app::AppSinkCallbacks::builder()
                    .new_sample(move |s| {
                        let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                        let ids = sample
                            .buffer()
                            .and_then(|b| meta_objects(&b.to_owned()))
                            .unwrap_or_default()
                            .iter()
                            .map(|o| o.track_id)
                            .collect();
                        s2.lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .frames
                            .push(ids);
                        Ok(gst::FlowSuccess::Ok)
                    })
                    .build(),
            );
        }
        let s2 = seen.clone();
        let bus = pipeline.bus().unwrap();
        bus.set_sync_handler(move |_, msg| {
            // A failed assertion of the test thread poisons the lock: go on
            // (a panic here, in a C callback, would abort the process).
            let mut s = s2.lock().unwrap_or_else(|e| e.into_inner());
            match msg.view() {
                gst::MessageView::Element(e) => {
                    let st = e.structure().unwrap();
                    if st.name() == "rstracking-camera" {
                        s.states.push((
                            st.get::<String>("state").unwrap(),
                            st.get::<u64>("retries").unwrap(),
                        ));
                        s.reasons.push(st.get::<String>("reason").unwrap());
                    }
                }
                gst::MessageView::Error(e) => s.errors.push(format!(
                    "{} | {}",
                    e.error(),
                    e.debug().map(|d| d.to_string()).unwrap_or_default()
                )),
                _ => {}
            }
            gst::BusSyncReply::Drop
        });
        pipeline.set_state(gst::State::Playing).unwrap();
        Run { pipeline, seen }
    }

    /// Waits (at most `limit`) until `cond` holds.
    fn wait(&self, limit: Duration, what: &str, cond: impl Fn(&Seen) -> bool) {
        let t0 = Instant::now();
        loop {
            {
                let seen = self.seen.lock().unwrap();
                if cond(&seen) {
                    return;
                }
                assert!(
                    t0.elapsed() < limit,
                    "{what}: not within {limit:?}; {} frames, states {:?}, errors {:?}",
                    seen.frames.len(),
                    seen.states,
                    seen.errors
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

/// The states of `states` with runs of the same state folded into one.
fn folded(states: &[(String, u64)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (s, _) in states {
        if out.last() != Some(s) {
            out.push(s.clone());
        }
    }
    out
}

#[test]
fn a_camera_that_restarts_twice_keeps_running_and_keeps_its_track_ids() {
    let mut server = RtspServer::start("still-ball");
    let port = server.port;
    let model = models().join("ball_detector.onnx");
    let run = Run::start(&format!(
        "rscamerasrc name=cam uri={} retry-interval=500 protocols=tcp latency=100 \
         ! videoconvert ! rsdetect model={} ! rsbytetrack ! appsink name=sink sync=false",
        server.uri(),
        model.display()
    ));
    let frames = |n: usize| move |s: &Seen| s.frames.len() >= n;
    run.wait(Duration::from_secs(20), "first 15 frames", frames(15));
    for outage in 0..2 {
        let before = run.seen.lock().unwrap().frames.len();
        drop(server);
        run.wait(Duration::from_secs(10), "reconnecting", |s| {
            s.states.last().is_some_and(|(st, _)| st == "reconnecting")
        });
        std::thread::sleep(Duration::from_secs(5));
        server = RtspServer::start_on(port, "still-ball");
        run.wait(
            Duration::from_secs(20),
            &format!("frames after restart {}", outage + 1),
            frames(before + 15),
        );
    }
    let s = run.seen.lock().unwrap();
    assert!(s.errors.is_empty(), "no error: {:?}", s.errors);
    assert_eq!(
        folded(&s.states),
        [
            "connecting",
            "connected",
            "reconnecting",
            "connected",
            "reconnecting",
            "connected"
        ],
        "{:?}",
        s.states
    );
    // Retry counts grow within an outage and start again after it.
    for w in s.states.windows(2) {
        if w[0].0 == "reconnecting" && w[1].0 == "reconnecting" {
            assert_eq!(w[1].1, w[0].1 + 1, "{:?}", s.states);
        }
    }
    assert!(s
        .states
        .iter()
        .filter(|(st, _)| st == "connected")
        .all(|(_, r)| *r == 0));
    // The still ball is found in (nearly) every frame and keeps track id 1
    // through both outages: no frames flow while the camera is away, and
    // the same stream resumes (rsbytetrack's default reset keeps it).
    let ids: std::collections::BTreeSet<u64> =
        s.frames.iter().flatten().filter_map(|id| *id).collect();
    assert_eq!(ids, [1].into(), "track ids through two outages");
    let with_ball = s.frames.iter().filter(|f| f.len() == 1).count();
    assert!(
        with_ball + 2 >= s.frames.len(),
        "{with_ball} of {} frames have the ball",
        s.frames.len()
    );
    drop(s);
    let cam = run.pipeline.by_name("cam").unwrap();
    let state = cam.property_value("state");
    let (_, v) = gst::glib::EnumValue::from_value(&state).unwrap();
    assert_eq!(v.nick(), "connected");
    assert_eq!(cam.property::<u64>("retries"), 0);
}

#[test]
fn an_unreachable_camera_fails_only_after_max_retries() {
    let port = free_port();
    let uri = format!("rtsp://127.0.0.1:{port}/cam");
    let run = Run::start(&format!(
        "rscamerasrc uri={uri} retry-interval=200 max-retries=2 ! fakesink"
    ));
    run.wait(Duration::from_secs(20), "an error", |s| {
        !s.errors.is_empty()
    });
    let s = run.seen.lock().unwrap();
    let states: Vec<(&str, u64)> = s.states.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    assert_eq!(
        states,
        [
            ("connecting", 0),
            ("connecting", 1),
            ("connecting", 2),
            ("failed", 3)
        ]
    );
    assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
    let e = &s.errors[0];
    assert!(
        e.starts_with(&format!(
            "camera {uri}: no connection after 3 retries (max-retries=2); last failure: "
        )),
        "{e}"
    );
}

#[test]
fn a_wrong_path_on_a_real_server_fails_after_max_retries() {
    let server = RtspServer::start("bars");
    let uri = format!("rtsp://127.0.0.1:{}/nothing-here", server.port);
    let run = Run::start(&format!(
        "rscamerasrc uri={uri} retry-interval=200 max-retries=1 ! fakesink"
    ));
    run.wait(Duration::from_secs(20), "an error", |s| {
        !s.errors.is_empty()
    });
    let s = run.seen.lock().unwrap();
    assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
    assert!(
        s.errors[0].starts_with(&format!(
            "camera {uri}: no connection after 2 retries (max-retries=1); last failure: source error |"
        )),
        "{}",
        s.errors[0]
    );
    // fallbacksrc keeps rtspsrc's "Not found" to itself: the reason is its
    // retry reason.
    assert_eq!(s.reasons, ["", "source error", "source error"]);
}

#[test]
fn a_missing_or_malformed_uri_is_an_error_at_start() {
    load_fallbackswitch();
    for (uri, expected) in [
        ("", "rscamerasrc: no uri set"),
        (
            "127.0.0.1:8554/cam",
            "rscamerasrc: uri \"127.0.0.1:8554/cam\" is not a URI (expected scheme://...)",
        ),
    ] {
        let desc = if uri.is_empty() {
            "rscamerasrc ! fakesink".to_string()
        } else {
            format!("rscamerasrc uri={uri} ! fakesink")
        };
        let pipeline = gst::parse::launch(&desc).unwrap();
        assert!(pipeline.set_state(gst::State::Playing).is_err());
        let msg = pipeline
            .bus()
            .unwrap()
            .timed_pop_filtered(gst::ClockTime::from_seconds(5), &[gst::MessageType::Error])
            .expect("an error message");
        let gst::MessageView::Error(e) = msg.view() else {
            unreachable!()
        };
        assert_eq!(e.error().to_string(), expected);
        pipeline.set_state(gst::State::Null).unwrap();
    }
}
