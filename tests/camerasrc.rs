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

#[test]
fn another_camera_restarting_stalls_the_others_at_most_the_aggregator_timeout() {
    // Two cameras (two RTSP servers) into rsmtmcagg (timeout 200 ms);
    // camera 1's server goes away for 5 s and comes back. Camera 0's frames
    // keep leaving the aggregator: no gap longer than the timeout plus a
    // frame interval (15 fps) and a scheduling margin; camera 1's ball
    // keeps its track id and its global id through the outage.
    load_fallbackswitch();
    let server0 = RtspServer::start_args(free_port(), &["cam=ball"]);
    let port1 = free_port();
    let mut server1 = RtspServer::start_args(port1, &["cam=still-ball"]);
    let models = models();
    let mut desc = String::from("rsmtmcagg name=m timeout=200000000 ");
    for (k, uri) in [server0.uri(), server1.uri()].iter().enumerate() {
        desc.push_str(&format!(
            "rscamerasrc uri={uri} retry-interval=500 protocols=tcp latency=100 ! videoconvert \
             ! rsdetect model={} stream-name=cam{k} ! rsbytetrack with-reid=true \
             ! rsreid model={} ! queue ! m.sink_{k} m.src_{k} ! appsink name=out{k} sync=false ",
            models.join("ball_detector.onnx").display(),
            models.join("reid_mean.onnx").display()
        ));
    }
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    // Per camera: (arrival, track id, global id) of every frame.
    type Seen = Arc<Mutex<Vec<(Instant, Option<u64>, Option<u64>)>>>;
    let seen: Vec<Seen> = (0..2).map(|_| Seen::default()).collect();
    for (k, s) in seen.iter().enumerate() {
        let s = s.clone();
        pipeline
            .by_name(&format!("out{k}"))
            .unwrap()
            .downcast::<gst_app::AppSink>()
            .unwrap()
            .set_callbacks(
                gst_app::AppSinkCallbacks::builder()
                    .new_sample(move |sink| {
                        let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                        let o = sample
                            .buffer()
                            .and_then(|b| meta_objects(&b.to_owned()))
                            .unwrap_or_default();
                        let first = o.first();
                        s.lock().unwrap_or_else(|e| e.into_inner()).push((
                            Instant::now(),
                            first.and_then(|o| o.track_id),
                            first.and_then(|o| o.global_id),
                        ));
                        Ok(gst::FlowSuccess::Ok)
                    })
                    .build(),
            );
    }
    pipeline.set_state(gst::State::Playing).unwrap();
    let count = |k: usize| seen[k].lock().unwrap().len();
    let wait = |what: &str, cond: &dyn Fn() -> bool| {
        let t0 = Instant::now();
        while !cond() {
            assert!(t0.elapsed() < Duration::from_secs(20), "{what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait("both cameras flowing", &|| count(0) >= 20 && count(1) >= 20);
    let before = count(1);
    let cut = Instant::now();
    drop(server1);
    std::thread::sleep(Duration::from_secs(5));
    server1 = RtspServer::start_on(port1, "still-ball");
    wait("camera 1 back", &|| count(1) >= before + 20);
    let end = Instant::now();
    pipeline.set_state(gst::State::Null).unwrap();
    drop(server1);
    let s0 = seen[0].lock().unwrap();
    let gaps: Vec<Duration> = s0
        .windows(2)
        .filter(|w| w[1].0 > cut && w[0].0 < end)
        .map(|w| w[1].0 - w[0].0)
        .collect();
    let max_gap = gaps.iter().max().copied().unwrap_or_default();
    eprintln!(
        "camera 0: {} frames during camera 1's outage and return, longest gap {max_gap:?}",
        gaps.len()
    );
    assert!(
        gaps.len() > 50,
        "camera 0 kept flowing: {} frames",
        gaps.len()
    );
    // Without the timeout camera 0 would wait out the 5 s outage; the
    // bound leaves room for a loaded 2-core machine (the figure is
    // printed above).
    assert!(
        max_gap < Duration::from_millis(1500),
        "camera 0 stalled {max_gap:?}"
    );
    let s1 = seen[1].lock().unwrap();
    let tracks: std::collections::BTreeSet<_> = s1.iter().filter_map(|f| f.1).collect();
    assert_eq!(tracks.len(), 1, "camera 1 keeps its track: {tracks:?}");
    let g_before = s1[before - 1].2;
    let g_after = s1.last().unwrap().2;
    assert!(g_before.is_some());
    assert_eq!(g_before, g_after, "camera 1 keeps its global id");
}

#[test]
fn an_eos_sent_to_the_camera_ends_the_stream_also_before_any_connection() {
    // gst-launch -e / an application ending a recording: the EOS must come
    // out (fallbacksrc alone would restart its source forever).
    load_fallbackswitch();
    let port = free_port();
    let pipeline = gst::parse::launch(&format!(
        "rscamerasrc name=cam uri=rtsp://127.0.0.1:{port}/cam retry-interval=200 ! fakesink"
    ))
    .unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(pipeline.send_event(gst::event::Eos::new()));
    let msg = pipeline
        .bus()
        .unwrap()
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(10),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("EOS within 10 s");
    assert_eq!(msg.type_(), gst::MessageType::Eos, "{msg:?}");
    let cam = pipeline
        .downcast_ref::<gst::Bin>()
        .unwrap()
        .by_name("cam")
        .unwrap();
    let state = cam.property_value("state");
    let (_, v) = gst::glib::EnumValue::from_value(&state).unwrap();
    assert_eq!(v.nick(), "idle");
    pipeline.set_state(gst::State::Null).unwrap();
}
