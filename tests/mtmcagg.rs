// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rsmtmcagg as an element: live cameras at different frame rates keep
//! flowing while one stalls; global ids across cameras from embeddings;
//! objects without track ids or embeddings pass (counted); embeddings of
//! different lengths and a malformed camera-links file are errors.

mod common;

use common::*;
use gst::glib;
use gst::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One camera's input: per frame, objects as (x, embedding).
type CameraFrames = [Vec<(f32, Option<Vec<f32>>)>];

/// Two appsrc cameras into `rsmtmcagg props`, each out to a counting
/// appsink; the pipeline runs on `clock`.
fn appsrc_cameras(
    props: &str,
    clock: &gst::Clock,
) -> (gst::Pipeline, Vec<gst_app::AppSrc>, Vec<Arc<AtomicU32>>) {
    init();
    let mut desc = format!("rsmtmcagg name=m {props} ");
    for k in 0..2 {
        desc.push_str(&format!(
            "appsrc name=in{k} format=time caps=video/x-raw,format=GRAY8,width=64,height=48,framerate=25/1 ! m.sink_{k} m.src_{k} ! appsink name=out{k} sync=false "
        ));
    }
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    pipeline.use_clock(Some(clock));
    let mut srcs = Vec::new();
    let mut counts = Vec::new();
    for k in 0..2 {
        srcs.push(
            pipeline
                .by_name(&format!("in{k}"))
                .unwrap()
                .downcast::<gst_app::AppSrc>()
                .unwrap(),
        );
        let n = Arc::new(AtomicU32::new(0));
        let n2 = n.clone();
        pipeline
            .by_name(&format!("out{k}"))
            .unwrap()
            .downcast::<gst_app::AppSink>()
            .unwrap()
            .set_callbacks(
                gst_app::AppSinkCallbacks::builder()
                    .new_sample(move |s| {
                        let _ = s.pull_sample();
                        n2.fetch_add(1, Ordering::SeqCst);
                        Ok(gst::FlowSuccess::Ok)
                    })
                    .build(),
            );
        counts.push(n);
    }
    (pipeline, srcs, counts)
}

fn gray_frame(pts_ms: u64) -> gst::Buffer {
    let mut b = gst::Buffer::with_size(64 * 48).unwrap();
    {
        let b = b.get_mut().unwrap();
        b.set_pts(gst::ClockTime::from_mseconds(pts_ms));
        b.set_duration(gst::ClockTime::from_mseconds(40));
    }
    b
}

/// Polls `cond` for up to 10 s of wall time.
fn eventually(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_camera_behind_is_waited_for_until_the_timeout_on_the_pipeline_clock() {
    // Camera 0 runs 1 s ahead of camera 1: its buffer waits for camera 1,
    // for at most `timeout` (200 ms) of the *pipeline* clock. The test
    // clock does not move by itself, so wall time spent waiting must not
    // release the buffer; moving the clock to 200 ms must.
    init();
    let clock = gst_check::TestClock::new();
    let (pipeline, srcs, counts) =
        appsrc_cameras("timeout=200000000 max-skew=40000000", clock.upcast_ref());
    pipeline.set_state(gst::State::Playing).unwrap();
    srcs[0].push_buffer(gray_frame(0)).unwrap();
    srcs[1].push_buffer(gray_frame(0)).unwrap();
    eventually("both first frames out", || {
        counts[0].load(Ordering::SeqCst) == 1 && counts[1].load(Ordering::SeqCst) == 1
    });
    let (r, state, _) = pipeline.state(gst::ClockTime::from_seconds(10));
    assert!(r.is_ok() && state == gst::State::Playing, "{r:?} {state:?}");
    let t0 = clock.time();
    srcs[0].push_buffer(gray_frame(1000)).unwrap();
    // The wait is one single-shot id on the pipeline clock, at the timeout.
    eventually("a wait on the pipeline clock", || {
        clock.peek_next_pending_id().is_some()
    });
    let id = clock.peek_next_pending_id().unwrap();
    assert_eq!(
        id.time(),
        t0 + gst::ClockTime::from_mseconds(200),
        "wake-up at arrival + timeout"
    );
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(
        counts[0].load(Ordering::SeqCst),
        1,
        "released after 600 ms of wall time although the pipeline clock stood still"
    );
    clock.set_time(t0 + gst::ClockTime::from_mseconds(150));
    assert!(
        clock.process_next_clock_id().is_none(),
        "nothing due at 150 ms"
    );
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        counts[0].load(Ordering::SeqCst),
        1,
        "released before the timeout"
    );
    clock.set_time(t0 + gst::ClockTime::from_mseconds(200));
    assert!(clock.process_next_clock_id().is_some());
    eventually("released at the timeout", || {
        counts[0].load(Ordering::SeqCst) == 2
    });
    // Camera 1 catches up: its buffer at 1 s passes at once, and camera 0's
    // next frame (1.04 s, within max-skew) does not wait.
    srcs[1].push_buffer(gray_frame(1000)).unwrap();
    eventually("camera 1 caught up", || {
        counts[1].load(Ordering::SeqCst) == 2
    });
    srcs[0].push_buffer(gray_frame(1040)).unwrap();
    eventually("within the skew", || counts[0].load(Ordering::SeqCst) == 3);
    pipeline.set_state(gst::State::Null).unwrap();
}

#[test]
fn the_maximum_skew_never_waits_and_the_maximum_timeout_is_bounded() {
    // max-skew = u64::MAX means "never wait" (no overflow); the timeout is
    // at most 60 s (its maximum), and the latency query saturates.
    init();
    let m = gst::ElementFactory::make("rsmtmcagg").build().unwrap();
    m.set_property("max-skew", u64::MAX);
    let pspec = m.find_property("timeout").unwrap();
    let max = pspec
        .downcast_ref::<glib::ParamSpecUInt64>()
        .unwrap()
        .maximum();
    assert_eq!(max, 60_000_000_000);
    m.set_property("timeout", max);
    assert_eq!(m.property::<u64>("timeout"), max);
    let clock = gst_check::TestClock::new();
    let (pipeline, srcs, counts) = appsrc_cameras(
        "timeout=60000000000 max-skew=18446744073709551615",
        clock.upcast_ref(),
    );
    pipeline.set_state(gst::State::Playing).unwrap();
    srcs[0].push_buffer(gray_frame(0)).unwrap();
    srcs[1].push_buffer(gray_frame(0)).unwrap();
    eventually("first frames", || {
        counts[0].load(Ordering::SeqCst) == 1 && counts[1].load(Ordering::SeqCst) == 1
    });
    for i in 1..50 {
        srcs[0].push_buffer(gray_frame(i * 1000)).unwrap();
    }
    eventually("camera 0 never waits", || {
        counts[0].load(Ordering::SeqCst) == 50
    });
    let mut q = gst::query::Latency::new();
    let src0 = pipeline.by_name("m").unwrap().static_pad("src_0").unwrap();
    assert!(src0.query(&mut q));
    let (_, min, _) = q.result();
    assert_eq!(min, gst::ClockTime::from_seconds(60));
    pipeline.set_state(gst::State::Null).unwrap();
}

/// Writes `<dir>/<cam>.jsonl`: per frame a list of (x, track-less box,
/// embedding or none).
fn camera_file(dir: &std::path::Path, cam: &str, frames: &CameraFrames) -> String {
    let mut text = String::new();
    for (i, objs) in frames.iter().enumerate() {
        let o: Vec<String> = objs
            .iter()
            .map(|(x, e)| {
                let emb = e
                    .as_ref()
                    .map(|e| {
                        let v: Vec<String> = e.iter().map(|v| v.to_string()).collect();
                        format!(",\"embedding\":[{}]", v.join(","))
                    })
                    .unwrap_or_default();
                format!("{{\"bbox\":[{x},20,30,60],\"confidence\":0.9,\"class_id\":0{emb}}}")
            })
            .collect();
        text.push_str(&format!(
            "{{\"schema\":\"rstracking/1\",\"stream\":\"{cam}\",\"frame\":{i},\"objects\":[{}]}}\n",
            o.join(",")
        ));
    }
    let p = dir.join(format!("{cam}.jsonl"));
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// Two cameras through rsbytetrack into rsmtmcagg `props`; returns the
/// frames of each camera and the aggregator's counters.
fn two_cameras(
    a: &CameraFrames,
    b: &CameraFrames,
    props: &str,
    tracker: &str,
) -> (Result<(Frames, Frames), String>, u64, u64) {
    two_cameras_with(a, b, props, tracker, |_| {})
}

/// [`two_cameras`], with `setup` called on the pipeline before it starts.
fn two_cameras_with(
    a: &CameraFrames,
    b: &CameraFrames,
    props: &str,
    tracker: &str,
    setup: impl FnOnce(&gst::Pipeline),
) -> (Result<(Frames, Frames), String>, u64, u64) {
    init();
    let dir = tmpdir(&format!("mtmc-{}-{}", props.len(), tracker.len()));
    let (fa, fb) = (camera_file(&dir, "camA", a), camera_file(&dir, "camB", b));
    let n = a.len().max(b.len());
    let desc = format!(
        "rsmtmcagg name=m {props} \
         videotestsrc num-buffers={n} ! video/x-raw,width=160,height=120,framerate=25/1 ! rsdetect detections={fa} ! {tracker} ! m.sink_0 m.src_0 ! appsink name=a sync=false \
         videotestsrc num-buffers={n} ! video/x-raw,width=160,height=120,framerate=25/1 ! rsdetect detections={fb} ! {tracker} ! m.sink_1 m.src_1 ! appsink name=b sync=false"
    );
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    let out: Vec<Arc<Mutex<Frames>>> = (0..2)
        .map(|_| Arc::new(Mutex::new(Frames::new())))
        .collect();
    for (name, o) in ["a", "b"].iter().zip(&out) {
        let o = o.clone();
        pipeline
            .by_name(name)
            .unwrap()
            .downcast::<gst_app::AppSink>()
            .unwrap()
            .set_callbacks(
                gst_app::AppSinkCallbacks::builder()
                    .new_sample(move |s| {
                        let s = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                        o.lock()
                            .unwrap()
                            .push(Some(objects_of(&s.buffer_owned().unwrap())));
                        Ok(gst::FlowSuccess::Ok)
                    })
                    .build(),
            );
    }
    setup(&pipeline);
    let _ = pipeline.set_state(gst::State::Playing);
    let mut error = None;
    for msg in pipeline
        .bus()
        .unwrap()
        .iter_timed(gst::ClockTime::from_seconds(30))
    {
        match msg.view() {
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(e) => {
                error = Some(e.error().to_string());
                break;
            }
            _ => {}
        }
    }
    let m = pipeline.by_name("m").unwrap();
    let no_track: u64 = m.property("objects-without-track-id");
    let no_emb: u64 = m.property("objects-without-embedding");
    pipeline.set_state(gst::State::Null).unwrap();
    let take = |i: usize| std::mem::take(&mut *out[i].lock().unwrap());
    (
        error.map_or_else(|| Ok((take(0), take(1))), Err),
        no_track,
        no_emb,
    )
}

fn unit(v: &[f32]) -> Option<Vec<f32>> {
    Some(v.to_vec())
}

#[test]
fn the_same_person_gets_one_global_id_across_cameras() {
    // camA sees persons P (x = 10) and Q (x = 100); camB sees P later.
    let p = [1.0f32, 0.0, 0.0];
    let q = [0.0f32, 1.0, 0.0];
    let a: Vec<_> = (0..10)
        .map(|_| vec![(10.0, unit(&p)), (100.0, unit(&q))])
        .collect();
    let b: Vec<_> = (0..10)
        .map(|i| {
            if i < 5 {
                vec![]
            } else {
                vec![(50.0, unit(&p))]
            }
        })
        .collect();
    let (r, no_track, no_emb) = two_cameras(&a, &b, "", "rsbytetrack");
    let (fa, fb) = r.unwrap();
    let gid = |f: &Frames, i: usize, x: f32| {
        f[i].as_ref()
            .unwrap()
            .iter()
            .find(|o| (o.bbox.x - x).abs() < 5.0)
            .and_then(|o| o.global_id)
    };
    let (gp, gq) = (gid(&fa, 9, 10.0), gid(&fa, 9, 100.0));
    assert!(gp.is_some() && gq.is_some() && gp != gq, "{gp:?} {gq:?}");
    assert_eq!(gid(&fb, 9, 50.0), gp, "camB's P gets camA's P id");
    // ByteTrack does not output a track on every first-sight frame of a
    // later track (tentative), so some objects have no track id: counted.
    assert_eq!(no_emb, 0);
    assert!(no_track <= 1, "{no_track}");
}

#[test]
fn a_sync_bus_handler_may_release_a_pad_when_identities_merge() {
    // camA sees P ([1,0,0]); camB sees Q, whose appearance starts as
    // [0,1,0] and then matches P: a re-clustering merges their global ids
    // and posts an `rstracking-merge` message. A sync bus handler that
    // releases a (spare) request pad runs in the streaming thread that
    // posted it: the aggregator must not hold its lock while posting.
    let p = [1.0f32, 0.0, 0.0];
    let q = [0.0f32, 1.0, 0.0];
    let a: Vec<_> = (0..40).map(|_| vec![(10.0, unit(&p))]).collect();
    let b: Vec<_> = (0..40)
        .map(|i| vec![(50.0, unit(if i < 10 { &q } else { &p }))])
        .collect();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let released = Arc::new(AtomicU32::new(0));
        let rel = released.clone();
        let (r, _, _) = two_cameras_with(
            &a,
            &b,
            "cluster-interval=200000000",
            "rsbytetrack",
            move |pipeline| {
                let m = pipeline.by_name("m").unwrap();
                let spare = m.request_pad_simple("sink_%u").unwrap();
                let bus = pipeline.bus().unwrap();
                bus.set_sync_handler(move |_, msg| {
                    let is_merge = msg.structure().is_some_and(|s| {
                        s.name() == "rstracking-merge"
                            && s.get::<&str>("id") == Ok("global_id")
                            && s.get::<u64>("from").is_ok()
                            && s.get::<u64>("to").is_ok()
                    });
                    if is_merge && rel.fetch_add(1, Ordering::SeqCst) == 0 {
                        m.release_request_pad(&spare);
                    }
                    gst::BusSyncReply::Pass
                });
            },
        );
        let _ = tx.send((r.map(|_| ()), released.load(Ordering::SeqCst)));
    });
    let (r, merges) = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("deadlock: the pipeline did not finish within 60 s");
    r.unwrap();
    assert!(merges >= 1, "no merge message was posted");
}

#[test]
fn two_pads_with_the_same_camera_name_are_an_error() {
    let a: Vec<_> = (0..3).map(|_| vec![(10.0, None)]).collect();
    let (r, _, _) = two_cameras_with(&a, &a, "", "rsbytetrack", |pipeline| {
        let m = pipeline.by_name("m").unwrap();
        for k in 0..2 {
            m.static_pad(&format!("sink_{k}"))
                .unwrap()
                .set_property("camera", "lobby");
        }
    });
    assert_eq!(
        r.unwrap_err(),
        "Pads sink_0 and sink_1 both carry camera 'lobby': give each pad its own 'camera' name"
    );
}

#[test]
fn objects_without_track_id_or_embedding_pass_and_are_counted() {
    // No tracker: no track ids; then a tracker but no embeddings.
    let a: Vec<_> = (0..4).map(|_| vec![(10.0, None)]).collect();
    let b: Vec<_> = (0..4).map(|_| vec![(10.0, None), (80.0, None)]).collect();
    let (r, no_track, no_emb) = two_cameras(&a, &b, "", "identity");
    let (fa, fb) = r.unwrap();
    assert_eq!((fa.len(), fb.len()), (4, 4));
    assert_eq!((no_track, no_emb), (12, 0));
    assert!(fa
        .iter()
        .chain(&fb)
        .flatten()
        .flatten()
        .all(|o| o.global_id.is_none()));
    let (r, no_track, no_emb) = two_cameras(&a, &b, "", "rsbytetrack");
    r.unwrap();
    assert_eq!(no_track, 0);
    assert_eq!(no_emb, 12);
}

#[test]
fn embeddings_of_different_lengths_are_an_error() {
    let a: Vec<_> = (0..6)
        .map(|_| vec![(10.0, unit(&[1.0, 0.0, 0.0]))])
        .collect();
    let b: Vec<_> = (0..6).map(|_| vec![(10.0, unit(&[1.0, 0.0]))]).collect();
    let (r, _, _) = two_cameras(&a, &b, "", "rsbytetrack");
    let e = r.unwrap_err();
    assert!(
        e.contains("embedding has 2 values, expected 3")
            || e.contains("embedding has 3 values, expected 2"),
        "{e}"
    );
    assert!(e.contains("Camera 'cam"), "{e}");
}

#[test]
fn a_malformed_camera_links_file_is_an_error_with_its_line() {
    let dir = tmpdir("links");
    let p = dir.join("links.txt");
    std::fs::write(&p, "# cameras\ncamA camB 0 10\ncamA camC ten 20\n").unwrap();
    let a: Vec<_> = (0..2).map(|_| vec![]).collect();
    let (r, _, _) = two_cameras(
        &a,
        &a,
        &format!("camera-links={}", p.display()),
        "rsbytetrack",
    );
    let e = r.unwrap_err();
    assert!(e.contains(&format!("{}:3", p.display())), "{e}");
}

#[test]
#[ignore = "needs ../shared"]
fn epfl_terrace_cross_camera_idf1() {
    let sh = shared();
    let work = std::env::temp_dir().join(format!("rstracking-epfl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let out = std::process::Command::new(repo().join("pipelines/mtmc-epfl.sh"))
        .arg(sh.join("data/EPFL-Terrace"))
        .arg(&work)
        .env("RSTRACKING_PLUGIN_DIR", plugin_dir())
        .env("RSTRACKING_EVAL", tool("rstracking-eval"))
        .env("GST_REGISTRY", work.with_extension("registry.bin"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{text}");
    // "0.3   HOTA AssA IDF1 ..." — the default noise level of the script.
    let row: Vec<f64> = text
        .lines()
        .find(|l| l.starts_with("0.3"))
        .unwrap()
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    let idf1 = row[2];
    assert!(idf1 >= 90.0, "cross-camera IDF1 {idf1} < 90");
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn global_ids_stay_unique_when_the_element_is_restarted() {
    init();
    let p = [1.0f32, 0.0, 0.0];
    let a: Vec<_> = (0..6).map(|_| vec![(10.0, unit(&p))]).collect();
    let dir = tmpdir("mtmc-restart");
    let fa = camera_file(&dir, "camA", &a);
    let fb = camera_file(&dir, "camB", &a);
    let pipeline = gst::parse::launch(&format!(
        "rsmtmcagg name=m \
         videotestsrc num-buffers=6 ! video/x-raw,width=160,height=120,framerate=25/1 ! rsdetect detections={fa} ! rsbytetrack ! m.sink_0 m.src_0 ! appsink name=a sync=false \
         videotestsrc num-buffers=6 ! video/x-raw,width=160,height=120,framerate=25/1 ! rsdetect detections={fb} ! rsbytetrack ! m.sink_1 m.src_1 ! appsink name=b sync=false"
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let ids: Arc<Mutex<Vec<u64>>> = Arc::default();
    for name in ["a", "b"] {
        let ids = ids.clone();
        pipeline
            .by_name(name)
            .unwrap()
            .downcast::<gst_app::AppSink>()
            .unwrap()
            .set_callbacks(
                gst_app::AppSinkCallbacks::builder()
                    .new_sample(move |s| {
                        let s = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                        let b = s.buffer_owned().unwrap();
                        ids.lock()
                            .unwrap()
                            .extend(objects_of(&b).iter().filter_map(|o| o.global_id));
                        Ok(gst::FlowSuccess::Ok)
                    })
                    .build(),
            );
    }
    let mut runs = Vec::new();
    for _ in 0..2 {
        play_to_eos(pipeline.upcast_ref());
        let mut got = std::mem::take(&mut *ids.lock().unwrap());
        got.sort_unstable();
        got.dedup();
        runs.push(got);
    }
    // One person seen by both cameras: one global id per run, new each run.
    assert_eq!(runs, [vec![1], vec![2]]);
}

#[test]
fn a_new_stream_on_one_camera_resets_its_tracklets_only() {
    // Both cameras see track 1 with embedding e1 (one global id). Then
    // camera 0 gets a stream-start and its track 1 looks like e2
    // (orthogonal): after a reset (a new stream under the default policy)
    // it is a new tracklet with a new global id; the same stream resumed,
    // or reset=never, keeps the tracklet and its global id.
    let run = |policy: &str, second: &str| -> (u64, u64) {
        init();
        let clock = gst::SystemClock::obtain();
        let (pipeline, srcs, _) = appsrc_cameras(
            &format!("reset={policy} max-skew=18446744073709551615"),
            &clock,
        );
        let seen: Arc<Mutex<Vec<Option<u64>>>> = Arc::default();
        let s2 = seen.clone();
        pipeline
            .by_name("out0")
            .unwrap()
            .static_pad("sink")
            .unwrap()
            .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
                if let Some(b) = info.buffer() {
                    let objs = meta_objects(&b.to_owned()).unwrap_or_default();
                    s2.lock()
                        .unwrap()
                        .push(objs.first().and_then(|o| o.global_id));
                }
                gst::PadProbeReturn::Ok
            });
        pipeline.set_state(gst::State::Playing).unwrap();
        let with = |pts_ms: u64, emb: [f32; 2]| {
            let mut o = obj(10.0, 10.0, 20.0, 40.0, 0.9);
            o.track_id = Some(1);
            o.embedding = Some(emb.to_vec().into());
            let mut b = buffer_with(0, vec![o]);
            let bm = b.get_mut().unwrap();
            bm.set_pts(gst::ClockTime::from_mseconds(pts_ms));
            bm.set_duration(gst::ClockTime::from_mseconds(40));
            b
        };
        for src in &srcs {
            src.send_event(gst::event::StreamStart::new("cam"));
        }
        for i in 0..3 {
            for src in &srcs {
                src.push_buffer(with(i * 40, [1.0, 0.0])).unwrap();
            }
        }
        eventually("3 frames of camera 0", || seen.lock().unwrap().len() == 3);
        let pad = pipeline.by_name("m").unwrap().static_pad("sink_0").unwrap();
        assert!(pad.send_event(gst::event::StreamStart::new(second)));
        srcs[0].push_buffer(with(120, [0.0, 1.0])).unwrap();
        srcs[1].push_buffer(with(120, [1.0, 0.0])).unwrap();
        eventually("4 frames of camera 0", || seen.lock().unwrap().len() == 4);
        pipeline.set_state(gst::State::Null).unwrap();
        let s = seen.lock().unwrap();
        (s[2].unwrap(), s[3].unwrap())
    };
    let (before, after) = run("flush-and-stream-start", "other");
    assert_ne!(before, after, "a new stream: new tracklet, new global id");
    for (policy, second) in [
        ("flush-and-stream-start", "cam"),
        ("never", "other"),
        ("flush", "other"),
    ] {
        let (before, after) = run(policy, second);
        assert_eq!(before, after, "{policy} {second}: the tracklet is kept");
    }
}

/// `publish-meta=auto` decides per camera: the camera whose src pad feeds
/// rsjsonsink (ours) gets no ROI metas, the one feeding an appsink gets
/// one per object, whichever camera's buffer comes first.
#[test]
fn auto_publishes_per_camera() {
    init();
    let dir = tmpdir("mtmc-auto-per-camera");
    let frames: Vec<_> = (0..6).map(|_| vec![(10.0, None), (90.0, None)]).collect();
    let (fa, fb) = (
        camera_file(&dir, "camA", &frames),
        camera_file(&dir, "camB", &frames),
    );
    let out = dir.join("camA.out.jsonl");
    let desc = format!(
        "rsmtmcagg name=m \
         videotestsrc num-buffers=6 ! video/x-raw,width=160,height=120,framerate=25/1 ! rsdetect detections={fa} ! rsbytetrack ! m.sink_0 m.src_0 ! rsjsonsink name=j location={} \
         videotestsrc num-buffers=6 ! video/x-raw,width=160,height=120,framerate=25/1 ! rsdetect detections={fb} ! rsbytetrack ! m.sink_1 m.src_1 ! fakesink name=b",
        out.display()
    );
    let pipeline = gst::parse::launch(&desc).unwrap();
    let bin = pipeline.downcast_ref::<gst::Bin>().unwrap();
    // Per camera: (objects, ROI metas) over all buffers.
    let counts: Vec<Arc<Mutex<(usize, usize)>>> = (0..2).map(|_| Arc::default()).collect();
    for (name, c) in ["j", "b"].iter().zip(&counts) {
        let c = c.clone();
        let pad = bin.by_name(name).unwrap().static_pad("sink").unwrap();
        pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(b) = info.buffer() {
                let rois = b
                    .iter_meta::<gst_video::VideoRegionOfInterestMeta>()
                    .count();
                let mut c = c.lock().unwrap();
                c.0 += objects_of(&b.to_owned()).len();
                c.1 += rois;
            }
            gst::PadProbeReturn::Ok
        });
    }
    play_to_eos(&pipeline);
    let (to_json, to_app) = (*counts[0].lock().unwrap(), *counts[1].lock().unwrap());
    assert!(to_json.0 > 0 && to_app.0 > 0, "{to_json:?} {to_app:?}");
    assert_eq!(to_json.1, 0, "no ROI metas in front of rsjsonsink");
    assert_eq!(to_app.1, to_app.0, "one ROI meta per object for the app");
}
