// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rsjsonsink: exact JSONL / MOT output, track summaries, write errors.

mod common;
use common::*;
use gst::prelude::*;
use gstrstracking::core::types::TrackState;

fn sink_harness(props: &[(&str, &str)]) -> gst_check::Harness {
    init();
    let e = gst::ElementFactory::make("rsjsonsink").build().unwrap();
    for (k, v) in props {
        e.set_property_from_str(k, v);
    }
    let mut h = gst_check::Harness::with_element(&e, Some("sink"), None);
    h.set_src_caps_str("video/x-raw,format=GRAY8,width=640,height=480,framerate=30/1");
    h
}

fn frames() -> Vec<gst::Buffer> {
    let mut a = obj(10.0, 20.0, 30.0, 40.0, 0.75);
    a.track_id = Some(1);
    a.track_state = Some(TrackState::Tracked);
    let b = obj(100.0, 20.0, 30.0, 40.0, 0.5); // no track id
    let mut dup = a.clone();
    dup.bbox.x = 300.0;
    let mut a2 = a.clone();
    a2.bbox.x = 12.0;
    a2.confidence = 0.25;
    vec![buffer_with(0, vec![a, b]), buffer_with(1, vec![a2, dup])]
}

#[test]
fn jsonl_output_is_schema_v1() {
    let d = tmpdir("sink-jsonl");
    let p = d.join("out.jsonl");
    let mut h = sink_harness(&[("location", p.to_str().unwrap())]);
    for b in frames() {
        h.push(b).unwrap();
    }
    h.push_event(gst::event::Eos::new());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i128;
    let text = std::fs::read_to_string(&p).unwrap();
    // The harness is a live source: frame lines carry the pipeline clock's
    // UTC time, within 50 ms of the system clock (buffer 1 is 33 ms after
    // buffer 0 in running time).
    let utc: Vec<i128> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["utc_source"], "clock");
            v["utc_ns"].as_u64().unwrap() as i128
        })
        .collect();
    assert_eq!(utc[1] - utc[0], 33_000_000);
    assert!(
        (now - utc[0]).abs() < 50_000_000,
        "{} ms",
        (now - utc[0]) / 1_000_000
    );
    let text = text
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let o = v.as_object_mut().unwrap();
            o.remove("utc_ns");
            o.remove("utc_source");
            // Same field order as written (serde_json without preserve_order
            // sorts), so compare the remaining fields by value.
            serde_json::to_string(&v).unwrap()
        })
        .collect::<Vec<_>>();
    let expected: Vec<String> = [
        r#"{"schema":"rstracking/1","frame":0,"pts_ns":0,"running_time_ns":0,"width":640,"height":480,"objects":[{"bbox":[10.0,20.0,30.0,40.0],"confidence":0.75,"class_id":0,"track_id":1,"state":"tracked"},{"bbox":[100.0,20.0,30.0,40.0],"confidence":0.5,"class_id":0}]}"#,
        r#"{"schema":"rstracking/1","frame":1,"pts_ns":33000000,"running_time_ns":33000000,"width":640,"height":480,"objects":[{"bbox":[12.0,20.0,30.0,40.0],"confidence":0.25,"class_id":0,"track_id":1,"state":"tracked"},{"bbox":[300.0,20.0,30.0,40.0],"confidence":0.75,"class_id":0,"track_id":1,"state":"tracked"}]}"#,
    ]
    .iter()
    .map(|l| serde_json::to_string(&serde_json::from_str::<serde_json::Value>(l).unwrap()).unwrap())
    .collect();
    assert_eq!(text, expected);
    // The exact text of a line, as written (field order):
    let first = std::fs::read_to_string(&p).unwrap();
    assert!(first.starts_with(
        r#"{"schema":"rstracking/1","frame":0,"pts_ns":0,"running_time_ns":0,"utc_ns":"#
    ));
}

#[test]
fn mot_output_and_track_summary() {
    let d = tmpdir("sink-mot");
    let p = d.join("out.txt");
    let t = d.join("tracks.jsonl");
    let mut h = sink_harness(&[
        ("location", p.to_str().unwrap()),
        ("format", "mot"),
        ("tracks-location", t.to_str().unwrap()),
        ("sample-limit", "1"),
    ]);
    for b in frames() {
        h.push(b).unwrap();
    }
    h.push_event(gst::event::Eos::new());
    // 1-based frames and pixels, untracked object skipped, id once per frame.
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "1,1,11.00,21.00,30.00,40.00,0.7500,-1,-1,-1\n2,1,13.00,21.00,30.00,40.00,0.2500,-1,-1,-1\n"
    );
    assert_eq!(
        std::fs::read_to_string(&t).unwrap(),
        concat!(
            r#"{"schema":"rstracking/1","track_id":1,"first_frame":0,"last_frame":1,"frames":2,"mean_confidence":0.5,"samples":[{"frame":0,"bbox":[10.0,20.0,30.0,40.0]}]}"#,
            "\n"
        )
    );
}

#[test]
fn unwritable_location_is_an_error() {
    let (errors, _) =
        run_pipeline("videotestsrc num-buffers=1 ! rsjsonsink location=/nonexistent-dir/out.jsonl");
    assert_eq!(
        errors,
        vec!["Failed to open '/nonexistent-dir/out.jsonl' for writing: No such file or directory (os error 2)"]
    );
    let (errors, _) = run_pipeline("videotestsrc num-buffers=1 ! rsjsonsink");
    assert_eq!(
        errors,
        vec!["No 'location' set (a file path, or '-' for standard output)"]
    );
}

#[test]
fn disk_full_is_an_error() {
    assert!(
        std::path::Path::new("/dev/full").exists(),
        "this test writes to /dev/full (Linux)"
    );
    // Enough frames to overflow the 64 KiB write buffer.
    let (errors, _) = run_pipeline(
        "videotestsrc num-buffers=2000 ! video/x-raw,width=16,height=16 ! rsjsonsink location=/dev/full",
    );
    assert_eq!(
        errors,
        vec!["Failed to write frame to '/dev/full': No space left on device (os error 28)"]
    );
}

#[test]
fn the_same_file_cannot_be_written_twice() {
    let d = tmpdir("sink-same");
    let p = d.join("out.jsonl");
    let src = "videotestsrc num-buffers=2 ! video/x-raw,width=64,height=48";
    // location = tracks-location, spelled differently.
    let (errors, _) = run_pipeline(&format!(
        "{src} ! rsjsonsink location={} tracks-location={}/./out.jsonl",
        p.display(),
        d.display()
    ));
    assert_eq!(
        errors,
        [format!(
            "tracks-location '{}/./out.jsonl' is the same file as location '{}': the track summary would overwrite the frame lines; give them different files",
            d.display(),
            p.display()
        )]
    );
    // Two sinks of one process on one file.
    let (errors, _) = run_pipeline(&format!(
        "{src} ! tee name=t t. ! queue ! rsjsonsink location={p} t. ! queue ! rsjsonsink location={p}",
        p = p.display()
    ));
    assert_eq!(
        errors,
        [format!(
            "'{}' is already being written by another rsjsonsink of this process; give each sink its own file",
            p.display()
        )]
    );
    // Released at stop: the file can be written again afterwards.
    let (errors, _) = run_pipeline(&format!("{src} ! rsjsonsink location={}", p.display()));
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_restarted_pipeline_appends_and_track_ids_continue() {
    // An application restarts the same elements (NULL -> PLAYING, as to
    // reconnect a camera): with append=true both runs are in the files,
    // and rsbytetrack's ids are unique over the element's lifetime.
    init();
    let d = tmpdir("sink-restart");
    let det = d.join("det.txt");
    std::fs::write(&det, "1,-1,10,10,50,80,0.9\n2,-1,11,10,50,80,0.9\n").unwrap();
    let out = d.join("out.jsonl");
    let tracks = d.join("tracks.jsonl");
    let pipeline = gst::parse::launch(&format!(
        "videotestsrc num-buffers=2 ! video/x-raw,width=320,height=240,framerate=30/1 ! rsdetect detections={} ! rsbytetrack ! rsjsonsink append=true location={} tracks-location={}",
        det.display(),
        out.display(),
        tracks.display()
    ))
    .unwrap();
    for _ in 0..2 {
        play_to_eos(pipeline.upcast_ref());
    }
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<u64> = lines
        .iter()
        .filter(|v| v.get("event").is_none())
        .map(|v| v["objects"][0]["track_id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1, 1, 2, 2]);
    // Each run: the track starts before its first frame and ends at EOS.
    let events: Vec<(String, u64, u64)> = lines
        .iter()
        .filter_map(|v| {
            Some((
                v.get("event")?.as_str()?.to_string(),
                v["track_id"].as_u64()?,
                v["frame"].as_u64()?,
            ))
        })
        .collect();
    assert_eq!(
        events,
        [
            ("track_start".to_string(), 1, 0),
            ("track_end".to_string(), 1, 2),
            ("track_start".to_string(), 2, 0),
            ("track_end".to_string(), 2, 2)
        ]
    );
    let summaries: Vec<u64> = std::fs::read_to_string(&tracks)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["track_id"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(summaries, [1, 2]);
}

#[test]
fn a_live_pipeline_streams_complete_lines() {
    // Live source, default flush=auto: each frame's line is in the file
    // within 100 ms of the buffer reaching the sink, and a reader only
    // ever sees complete lines.
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    init();
    let d = tmpdir("sink-live");
    let out = d.join("live.jsonl");
    let pipeline = gst::parse::launch(&format!(
        "videotestsrc is-live=true num-buffers=20 ! video/x-raw,width=64,height=48,framerate=20/1 ! rsdetect detections={} ! rsjsonsink name=sink location={}",
        {
            let det = d.join("det.txt");
            std::fs::write(&det, "1,-1,10,10,20,20,0.9\n").unwrap();
            det.display().to_string()
        },
        out.display()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let arrived: Arc<Mutex<Vec<Instant>>> = Arc::new(Mutex::new(Vec::new()));
    let a2 = arrived.clone();
    pipeline
        .by_name("sink")
        .unwrap()
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            a2.lock().unwrap().push(Instant::now());
            gst::PadProbeReturn::Ok
        });
    pipeline.set_state(gst::State::Playing).unwrap();
    let mut seen: HashMap<u64, Instant> = HashMap::new();
    let bus = pipeline.bus().unwrap();
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(&out) {
            assert!(
                text.is_empty() || text.ends_with('\n'),
                "half a line: {text:?}"
            );
            for l in text.lines() {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                seen.entry(v["frame"].as_u64().unwrap())
                    .or_insert_with(Instant::now);
            }
        }
        if let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(2)) {
            match msg.view() {
                gst::MessageView::Eos(_) => break,
                gst::MessageView::Error(e) => panic!("{}", e.error()),
                _ => {}
            }
        }
        assert!(start.elapsed() < Duration::from_secs(20));
    }
    pipeline.set_state(gst::State::Null).unwrap();
    let arrived = arrived.lock().unwrap();
    assert_eq!(arrived.len(), 20);
    // Frames seen by the reader while the pipeline ran (the last ones may
    // only be read at EOS, which is fine): each within 100 ms.
    assert!(seen.len() >= 15, "{} frames seen live", seen.len());
    for (f, t) in &seen {
        let delay = t.saturating_duration_since(arrived[*f as usize]);
        assert!(delay < Duration::from_millis(100), "frame {f}: {delay:?}");
    }
}

/// Checks the life-cycle lines of a JSONL file: every track id of the
/// frame lines has exactly one `track_start` before its first frame line
/// and exactly one `track_end` after its last; returns the number of
/// tracks. Also checks the tracks-location file against summaries rebuilt
/// from the frame lines (what the sink wrote at EOS before it streamed).
fn check_lifecycle(jsonl: &str, tracks: &str, sample_limit: usize) -> usize {
    use gstrstracking::core::io::summary::TrackSummaries;
    use gstrstracking::core::types::BBox;
    use std::collections::BTreeMap;
    let mut starts: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    let mut ends: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    let mut seen: BTreeMap<u64, (usize, usize)> = BTreeMap::new();
    let mut rebuilt = TrackSummaries::new(sample_limit);
    for (i, l) in jsonl.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        match v.get("event").and_then(|e| e.as_str()) {
            Some("track_start") => starts
                .entry(v["track_id"].as_u64().unwrap())
                .or_default()
                .push(i),
            Some("track_end") => ends
                .entry(v["track_id"].as_u64().unwrap())
                .or_default()
                .push(i),
            Some(_) => {}
            None => {
                let frame = v["frame"].as_u64().unwrap();
                let mut first_of_id = std::collections::HashSet::new();
                for o in v["objects"].as_array().unwrap() {
                    let Some(id) = o["track_id"].as_u64() else {
                        continue;
                    };
                    let e = seen.entry(id).or_insert((i, i));
                    e.1 = i;
                    if first_of_id.insert(id) {
                        let b: Vec<f32> = o["bbox"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|x| x.as_f64().unwrap() as f32)
                            .collect();
                        rebuilt.add(
                            id,
                            frame,
                            &BBox::new(b[0], b[1], b[2], b[3]),
                            o["confidence"].as_f64().unwrap() as f32,
                        );
                    }
                }
            }
        }
    }
    for (id, (first, last)) in &seen {
        let s = starts
            .get(id)
            .unwrap_or_else(|| panic!("track {id}: no track_start"));
        let e = ends
            .get(id)
            .unwrap_or_else(|| panic!("track {id}: no track_end"));
        assert_eq!((s.len(), e.len()), (1, 1), "track {id}: one start, one end");
        assert!(
            s[0] < *first,
            "track {id}: start before its first frame line"
        );
        assert!(e[0] > *last, "track {id}: end after its last frame line");
    }
    let mut written: Vec<&str> = tracks.lines().collect();
    written.sort_by_key(|l| {
        serde_json::from_str::<serde_json::Value>(l).unwrap()["track_id"].as_u64()
    });
    let expected: Vec<String> = rebuilt.lines().collect();
    assert_eq!(written, expected, "summaries per track");
    seen.len()
}

#[test]
fn lifecycle_lines_bracket_every_track_through_an_occlusion() {
    // Two people cross: B is hidden behind A (undetected) for 8 frames and
    // comes back; C appears late and leaves early (removed after the
    // 30-frame buffer, before EOS).
    let d = tmpdir("sink-life");
    let det = d.join("det.txt");
    let mut t = String::new();
    for f in 1..=120u32 {
        let x = f as f32 * 2.0;
        t.push_str(&format!("{f},-1,{},100,40,90,0.9\n", 20.0 + x));
        if !(50..58).contains(&f) {
            t.push_str(&format!("{f},-1,{},104,40,90,0.85\n", 300.0 - x));
        }
        if (20..40).contains(&f) {
            t.push_str(&format!("{f},-1,500,300,30,60,0.8\n"));
        }
    }
    std::fs::write(&det, t).unwrap();
    let out = d.join("out.jsonl");
    let tracks = d.join("tracks.jsonl");
    let (errors, _) = run_pipeline(&format!(
        "videotestsrc num-buffers=120 ! video/x-raw,width=640,height=480,framerate=30/1 ! rsdetect detections={} ! rsbytetrack ! rsposesmooth latency=3 ! rsjsonsink location={} tracks-location={}",
        det.display(),
        out.display(),
        tracks.display()
    ));
    assert!(errors.is_empty(), "{errors:?}");
    let jsonl = std::fs::read_to_string(&out).unwrap();
    let n = check_lifecycle(&jsonl, &std::fs::read_to_string(&tracks).unwrap(), 8);
    assert!(n >= 3, "{n} tracks");
    // C ended before EOS (dropped by the tracker): its track_end is not the
    // last line block.
    let lost: Vec<&str> = jsonl
        .lines()
        .filter(|l| l.contains("\"track_lost\""))
        .collect();
    assert!(!lost.is_empty(), "occlusion gives track_lost lines");
    let all: Vec<&str> = jsonl.lines().collect();
    let last_frame_line = all.iter().rposition(|l| !l.contains("\"event\"")).unwrap();
    let early_end = jsonl
        .lines()
        .position(|l| l.contains("\"track_end\""))
        .unwrap();
    assert!(early_end < last_frame_line, "a track ended before EOS");
}

#[test]
#[ignore = "needs ../shared"]
fn lifecycle_on_mot17_02() {
    let sh = shared();
    let seq = sh.join("data/MOT17/train/MOT17-02-FRCNN");
    let d = tmpdir("sink-life-mot");
    let out = d.join("out.jsonl");
    let tracks = d.join("tracks.jsonl");
    let (errors, _) = run_pipeline(&format!(
        "videotestsrc num-buffers=600 pattern=black ! video/x-raw,format=GRAY8,width=1920,height=1080,framerate=30/1 ! rsdetect detections={} ! rsbytetrack ! rsjsonsink location={} tracks-location={}",
        seq.join("det/det.txt").display(),
        out.display(),
        tracks.display()
    ));
    assert!(errors.is_empty(), "{errors:?}");
    let n = check_lifecycle(
        &std::fs::read_to_string(&out).unwrap(),
        &std::fs::read_to_string(&tracks).unwrap(),
        8,
    );
    assert!(n > 50, "{n} tracks");
}

#[test]
fn kill_9_leaves_valid_jsonl_up_to_the_last_frame() {
    // A live pipeline in its own process, killed with SIGKILL while it
    // writes: every line in the file is complete and parses, frames are
    // consecutive from 0, and the file holds at least what a reader had
    // already seen before the kill.
    use std::time::{Duration, Instant};
    let d = tmpdir("sink-kill");
    let det = d.join("det.txt");
    std::fs::write(&det, "1,-1,10,10,20,20,0.9\n").unwrap();
    let out = d.join("live.jsonl");
    let mut child = std::process::Command::new("gst-launch-1.0")
        .args(["-q", "videotestsrc", "is-live=true", "!"])
        .arg("video/x-raw,width=64,height=48,framerate=30/1")
        .arg("!")
        .arg("rsdetect")
        .arg(format!("detections={}", det.display()))
        .args(["!", "rsjsonsink"])
        .arg(format!("location={}", out.display()))
        .env("GST_PLUGIN_PATH", plugin_dir())
        .env("GST_REGISTRY", d.join("registry.bin"))
        .spawn()
        .unwrap();
    let start = Instant::now();
    let seen = loop {
        let n = std::fs::read_to_string(&out)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if n >= 15 {
            break n;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "only {n} lines");
        std::thread::sleep(Duration::from_millis(5));
    };
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.ends_with('\n'), "a partial last line");
    let frames: Vec<u64> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["frame"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert!(frames.len() >= seen, "{} < {seen}", frames.len());
    assert_eq!(frames, (0..frames.len() as u64).collect::<Vec<_>>());
}

/// Offline refinement of the MOT output: a track missing on frames 1-3 gets
/// them filled in at EOS; a one-frame track is dropped by min-track-length.
#[test]
fn refined_mot_output_fills_gaps_and_drops_short_tracks() {
    let d = tmpdir("sink-refine");
    let p = d.join("out.txt");
    let mut h = sink_harness(&[
        ("location", p.to_str().unwrap()),
        ("format", "mot"),
        ("refine-max-gap", "3"),
        ("min-track-length", "2"),
    ]);
    let tracked = |id: u64, x: f32| {
        let mut o = obj(x, 20.0, 30.0, 40.0, 0.75);
        o.track_id = Some(id);
        o.track_state = Some(TrackState::Tracked);
        o
    };
    h.push(buffer_with(0, vec![tracked(1, 10.0), tracked(2, 300.0)]))
        .unwrap();
    for i in 1..4 {
        h.push(buffer_with(i, vec![])).unwrap();
    }
    // Nothing is written before EOS.
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "");
    h.push(buffer_with(4, vec![tracked(1, 50.0)])).unwrap();
    h.push_event(gst::event::Eos::new());
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "1,1,11.00,21.00,30.00,40.00,0.7500,-1,-1,-1\n\
         2,1,21.00,21.00,30.00,40.00,0.7500,-1,-1,-1\n\
         3,1,31.00,21.00,30.00,40.00,0.7500,-1,-1,-1\n\
         4,1,41.00,21.00,30.00,40.00,0.7500,-1,-1,-1\n\
         5,1,51.00,21.00,30.00,40.00,0.7500,-1,-1,-1\n"
    );
}

#[test]
fn refinement_of_json_lines_is_refused() {
    let (errors, _) = run_pipeline(
        "videotestsrc num-buffers=1 ! rsjsonsink location=/tmp/rstracking-refine-refused.jsonl refine-max-gap=5",
    );
    assert_eq!(
        errors,
        vec!["refine-max-gap and refine-sigma apply to format=mot only (JSON Lines output is written as frames arrive)"]
    );
}

#[test]
fn min_track_length_drops_short_tracks_from_the_summary_only() {
    init();
    let dir = tmpdir("jsonsink-min-length");
    let det = dir.join("det.txt");
    // Track A on frames 1-5, track B on frames 1-2 (MOT frames are 1-based).
    let mut rows = String::new();
    for f in 1..=5 {
        rows.push_str(&format!("{f},-1,11,21,30,40,0.9,-1,-1,-1\n"));
        if f <= 2 {
            rows.push_str(&format!("{f},-1,201,21,30,40,0.9,-1,-1,-1\n"));
        }
    }
    std::fs::write(&det, rows).unwrap();
    let (out, tracks) = (dir.join("out.jsonl"), dir.join("tracks.jsonl"));
    let (errors, _) = run_pipeline(&format!(
        "videotestsrc num-buffers=5 ! video/x-raw,width=320,height=240 ! rsdetect detections={} \
         ! rsbytetrack ! rsjsonsink location={} tracks-location={} min-track-length=3",
        det.display(),
        out.display(),
        tracks.display()
    ));
    assert!(errors.is_empty(), "{errors:?}");
    let summary: Vec<u64> = std::fs::read_to_string(&tracks)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["track_id"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(summary, [1]);
    let text = std::fs::read_to_string(&out).unwrap();
    let ends = text.lines().filter(|l| l.contains("\"track_end\"")).count();
    assert_eq!(ends, 2, "both tracks keep their track_end line");
    assert!(text.contains("\"track_id\":2"));
}

/// The `rstracking-progress` messages of `desc` (run to EOS).
fn progress_messages(desc: &str) -> Vec<gst::Structure> {
    init();
    let pipeline = gst::parse::launch(desc).unwrap();
    let bus = pipeline.bus().unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    let mut out = Vec::new();
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(30)) {
        match msg.view() {
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(e) => panic!("{}", e.error()),
            gst::MessageView::Element(m) => {
                if let Some(s) = m.structure().filter(|s| s.name() == "rstracking-progress") {
                    out.push(s.to_owned());
                }
            }
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    out
}

#[test]
fn progress_every_n_frames_without_a_duration_has_no_percent() {
    init();
    let dir = tmpdir("jsonsink-progress");
    let out = dir.join("out.jsonl");
    let e = gst::ElementFactory::make("rsjsonsink")
        .property("location", out.to_str().unwrap())
        .property("progress-interval", 10u32)
        .property("progress-lines", true)
        .build()
        .unwrap();
    let bus = gst::Bus::new();
    e.set_bus(Some(&bus));
    // The harness answers no duration query.
    let mut h = gst_check::Harness::with_element(&e, Some("sink"), None);
    h.set_src_caps_str("video/x-raw,format=GRAY8,width=160,height=120,framerate=25/1");
    for i in 0..25 {
        let mut o = obj(1.0, 1.0, 5.0, 5.0, 0.9);
        o.track_id = Some(1 + i % 3);
        assert!(h.push(buffer_with(i, vec![o])).is_ok());
    }
    assert!(h.push_event(gst::event::Eos::new()));
    let msgs: Vec<gst::Structure> = std::iter::from_fn(|| bus.pop())
        .filter_map(|m| m.structure().map(|s| s.to_owned()))
        .filter(|s| s.name() == "rstracking-progress")
        .collect();
    let frames: Vec<u64> = msgs.iter().map(|s| s.get("frames").unwrap()).collect();
    assert_eq!(frames, [10, 20]);
    for s in &msgs {
        assert!(!s.has_field("percent") && !s.has_field("eta_s") && !s.has_field("duration_ns"));
        assert_eq!(s.get::<u64>("tracks").unwrap(), 3);
        assert!(s.get::<f64>("fps").unwrap() > 0.0);
    }
    drop(h);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["event"] == "progress")
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["frame"], 19);
    assert_eq!(lines[1]["frames"], 20);
}

#[test]
fn progress_of_a_file_has_percent_and_eta() {
    let dir = tmpdir("jsonsink-progress-file");
    let clip = dir.join("clip.mkv");
    let (errors, _) = run_pipeline(&format!(
        "videotestsrc num-buffers=50 ! video/x-raw,width=160,height=120,framerate=25/1 \
         ! openh264enc ! h264parse ! matroskamux ! filesink location={}",
        clip.display()
    ));
    assert!(errors.is_empty(), "{errors:?}");
    let msgs = progress_messages(&format!(
        "filesrc location={} ! matroskademux ! h264parse ! avdec_h264 \
         ! rsjsonsink location={} progress-interval=10",
        clip.display(),
        dir.join("out.jsonl").display()
    ));
    assert_eq!(msgs.len(), 5);
    // Frame 9 (the 10th) starts at 360 ms of 2 s: 18 %.
    let first = &msgs[0];
    assert_eq!(first.get::<u64>("duration_ns").unwrap(), 2_000_000_000);
    assert_eq!(first.get::<u64>("position_ns").unwrap(), 360_000_000);
    assert!((first.get::<f64>("percent").unwrap() - 18.0).abs() < 1e-9);
    assert!(first.get::<f64>("eta_s").unwrap() >= 0.0);
}

#[test]
fn progress_lines_in_a_mot_file_are_refused() {
    let (errors, _) = run_pipeline(
        "videotestsrc num-buffers=1 ! rsjsonsink format=mot location=/tmp/rstracking-progress-mot.txt progress-interval=1 progress-lines=true",
    );
    assert_eq!(
        errors,
        ["progress-lines needs format=jsonl (MOT files have no event lines); progress messages need only progress-interval"]
    );
    // progress-lines without progress-interval would write nothing.
    let (errors, _) = run_pipeline(
        "videotestsrc num-buffers=1 ! rsjsonsink location=/tmp/rstracking-progress-off.jsonl progress-lines=true",
    );
    assert_eq!(
        errors,
        ["progress-lines writes the reports of progress-interval, which is 0 (off)"]
    );
}
