// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rscropsink on RGB frames with known pixels and boxes: exact counts per
//! filter, the best shot (largest sharp crop, JPEG size checked), a writer
//! blocked on a FIFO without reader (the stream never waits, exact drops),
//! a full disk (/dev/full) and an unwritable directory.

mod common;

use common::*;
use gst::prelude::*;
use gstrstracking::core::types::{BBox, Object};
use gstrstracking::{TrackEvent, TrackEventKind, TrackingEvent};
use std::path::Path;
use std::time::{Duration, Instant};

const W: usize = 320;
const H: usize = 240;

/// A W×H RGB frame: a checkerboard of 2×2 blocks (0 / 200), except a
/// uniform grey (128) block at x ≥ 200, y ≥ 100.
fn frame_pixels() -> Vec<u8> {
    let mut px = Vec::with_capacity(W * H * 3);
    for y in 0..H {
        for x in 0..W {
            let v = if x >= 200 && y >= 100 {
                128
            } else if (x / 2 + y / 2) % 2 == 0 {
                0
            } else {
                200
            };
            px.extend([v, v, v]);
        }
    }
    px
}

/// Frame `i` (pts i × 33 ms) with `objects` in its meta.
fn frame(i: u64, objects: Vec<Object>) -> gst::Buffer {
    with_objects(gst::Buffer::from_mut_slice(frame_pixels()), i, objects)
}

fn tracked(track: Option<u64>, class: u32, conf: f32, b: [f32; 4]) -> Object {
    let mut o = Object::new(BBox::new(b[0], b[1], b[2], b[3]), conf, class);
    o.track_id = track;
    o
}

/// An rscropsink with `props` (and a bus) in a harness.
fn harness(props: &[(&str, &str)]) -> (gst_check::Harness, gst::Element, gst::Bus) {
    init();
    let mut b = gst::ElementFactory::make("rscropsink");
    for (k, v) in props {
        b = b.property_from_str(k, v);
    }
    let e = b.build().unwrap();
    let bus = gst::Bus::new();
    e.set_bus(Some(&bus));
    let mut h = gst_check::Harness::with_element(&e, Some("sink"), None);
    h.set_src_caps_str(&format!(
        "video/x-raw,format=RGB,width={W},height={H},framerate=30/1"
    ));
    (h, e, bus)
}

/// Waits (10 s at most) for the `rstracking-crops` message; collects the
/// error messages seen before it.
fn summary(bus: &gst::Bus) -> (gst::Structure, Vec<String>) {
    let mut errors = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(100)) else {
            continue;
        };
        match msg.view() {
            gst::MessageView::Error(e) => errors.push(e.error().to_string()),
            gst::MessageView::Element(m) => {
                if let Some(s) = m.structure().filter(|s| s.name() == "rstracking-crops") {
                    return (s.to_owned(), errors);
                }
            }
            _ => {}
        }
    }
    panic!("no rstracking-crops message within 10 s (errors: {errors:?})");
}

fn get(s: &gst::Structure, f: &str) -> u64 {
    s.get::<u64>(f).unwrap()
}

/// (width, height) of a baseline or progressive JPEG, from its SOF.
fn jpeg_size(path: &Path) -> (u16, u16) {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..2], [0xFF, 0xD8], "{} is no JPEG", path.display());
    let mut i = 2;
    while i + 9 < b.len() {
        assert_eq!(b[i], 0xFF);
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        if matches!(b[i + 1], 0xC0 | 0xC2) {
            let h = u16::from_be_bytes([b[i + 5], b[i + 6]]);
            let w = u16::from_be_bytes([b[i + 7], b[i + 8]]);
            return (w, h);
        }
        i += 2 + len;
    }
    panic!("no SOF in {}", path.display());
}

fn index_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn exact_counts_per_filter() {
    let dir = tmpdir("cropsink-counts");
    let loc = format!("{}/{{stream}}/{{track}}/{{frame:03}}.jpg", dir.display());
    let best = format!("{}/{{stream}}/{{track}}/best.jpg", dir.display());
    let index = dir.join("index.jsonl");
    let (mut h, e, bus) = harness(&[
        ("location", &loc),
        ("best-location", &best),
        ("index-location", index.to_str().unwrap()),
        ("classes", "0,1"),
        ("class-min-size", "1:90"),
        ("min-sharpness", "1"),
        ("max-per-track", "2"),
    ]);
    // Defaults: interval 8, min-confidence 0.75, min-size 50.
    let objects = || {
        vec![
            tracked(Some(1), 0, 0.9, [0.0, 0.0, 60.0, 80.0]), // A: max 2
            tracked(Some(2), 0, 0.6, [140.0, 0.0, 60.0, 60.0]), // confidence
            tracked(None, 0, 0.9, [0.0, 100.0, 60.0, 60.0]),  // untracked
            tracked(Some(3), 5, 0.9, [70.0, 100.0, 60.0, 60.0]), // class
            tracked(Some(4), 0, 0.9, [140.0, 100.0, 40.0, 100.0]), // size (40)
            tracked(Some(5), 1, 0.9, [200.0, 0.0, 70.0, 70.0]), // size (class 1: 90)
            tracked(Some(6), 0, 0.9, [70.0, 0.0, 60.0, 60.0]), // G: max 2
            tracked(Some(7), 0, 0.9, [250.0, 150.0, 65.0, 85.0]), // uniform: sharpness
        ]
    };
    for i in 0..20 {
        assert_eq!(h.push(frame(i, objects())), Ok(gst::FlowSuccess::Ok));
    }
    assert!(h.push_event(gst::event::Eos::new()));
    let (s, errors) = summary(&bus);
    assert!(errors.is_empty(), "{errors:?}");
    let counts: Vec<(&str, u64)> = [
        ("written", 4),
        ("best-written", 2),
        ("filtered-class", 20),
        ("untracked", 20),
        ("filtered-confidence", 20),
        ("filtered-size", 40),
        // A and G: frames 1-7 and 9-15.
        ("filtered-interval", 28),
        // A and G: frames 16-19.
        ("filtered-max", 8),
        ("filtered-sharpness", 20),
        ("dropped", 0),
        ("failed", 0),
        ("pending", 0),
    ]
    .to_vec();
    for (name, want) in &counts {
        assert_eq!(get(&s, name), *want, "{name} in {s}");
        if *name != "pending" {
            assert_eq!(e.property::<u64>(name), *want, "property {name}");
        }
    }
    let lines = index_lines(&index);
    let got: Vec<(u64, u64, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["track_id"].as_u64().unwrap(),
                l["frame"].as_u64().unwrap(),
                l["kind"].as_str().unwrap(),
            )
        })
        .collect();
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            (1, 0, "best"),
            (1, 0, "sample"),
            (1, 8, "sample"),
            (6, 0, "best"),
            (6, 0, "sample"),
            (6, 8, "sample"),
        ]
    );
    for l in &lines {
        let p = Path::new(l["path"].as_str().unwrap());
        let bbox = &l["bbox"];
        let want = (
            bbox[2].as_u64().unwrap() as u16,
            bbox[3].as_u64().unwrap() as u16,
        );
        assert_eq!(jpeg_size(p), want, "{}", p.display());
    }
    assert_eq!(
        lines[0]["path"],
        format!("{}/default/1/000.jpg", dir.display())
    );
    assert_eq!(lines[0]["bbox"], serde_json::json!([0, 0, 60, 80]));
    assert_eq!(lines[0]["pts_ns"], 0);
    // No temporary file is left.
    let left = std::fs::read_dir(dir.join("default/1")).unwrap().count();
    assert_eq!(left, 3);
    drop(h);
}

#[test]
fn best_shot_is_the_largest_sharp_crop() {
    let dir = tmpdir("cropsink-best");
    let best = dir.join("best-{track}.jpg");
    let (mut h, e, bus) = harness(&[
        (
            "location",
            &format!("{}/{{track}}-{{frame}}.jpg", dir.display()),
        ),
        ("best-location", best.to_str().unwrap()),
        ("interval", "1"),
        ("min-size", "10"),
        ("min-sharpness", "1"),
    ]);
    let boxes = [
        [0.0, 0.0, 40.0, 40.0],       // textured, first best
        [210.0, 120.0, 100.0, 100.0], // largest, uniform: blurred
        [50.0, 0.0, 60.0, 50.0],      // textured, larger: the best
        [0.0, 60.0, 30.0, 30.0],      // textured, smaller
    ];
    for (i, b) in boxes.iter().enumerate() {
        h.push(frame(i as u64, vec![tracked(Some(1), 0, 0.9, *b)]))
            .unwrap();
    }
    // rsbytetrack's track_end writes it.
    let end = TrackEvent {
        kind: TrackEventKind::End,
        track_id: 1,
        stream: None,
    };
    assert!(h.push_event(end.to_event()));
    let deadline = Instant::now() + Duration::from_secs(10);
    while e.property::<u64>("best-written") == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(e.property::<u64>("best-written"), 1);
    assert_eq!(jpeg_size(&dir.join("best-1.jpg")), (60, 50));
    assert!(h.push_event(gst::event::Eos::new()));
    let (s, errors) = summary(&bus);
    assert!(errors.is_empty(), "{errors:?}");
    // The track ended: nothing more at EOS.
    assert_eq!((get(&s, "written"), get(&s, "best-written")), (3, 1));
    assert_eq!(get(&s, "filtered-sharpness"), 1);
    assert!(!dir.join("1-1.jpg").exists());
}

/// Opens `fifo` for reading without waiting for a writer and reads it
/// until `stop` is set (so every writer's open returns).
fn drain_fifo(
    fifo: &Path,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<usize> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(fifo)
        .unwrap();
    std::thread::spawn(move || {
        let (mut total, mut buf) = (0, vec![0u8; 65536]);
        loop {
            // Once stopped, what is left in the pipe is still read.
            let stopping = stop.load(std::sync::atomic::Ordering::SeqCst);
            match f.read(&mut buf) {
                Ok(n) if n > 0 => total += n,
                _ if stopping => return total,
                _ => std::thread::sleep(Duration::from_millis(1)),
            }
        }
    })
}

#[test]
fn a_blocked_writer_never_blocks_the_stream() {
    let dir = tmpdir("cropsink-fifo");
    let fifo = dir.join("crops.fifo");
    let st = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(st.success());
    let (mut h, e, bus) = harness(&[
        ("location", fifo.to_str().unwrap()),
        ("best-location", ""),
        ("interval", "1"),
        ("min-size", "10"),
        ("max-queue", "4"),
        ("drain-timeout", "5000"),
    ]);
    let obj = || vec![tracked(Some(1), 0, 0.9, [0.0, 0.0, 64.0, 64.0])];
    h.push(frame(0, obj())).unwrap();
    // The worker takes the first crop and blocks opening the FIFO.
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let mut slowest = Duration::ZERO;
    for i in 1..50 {
        let t = Instant::now();
        assert_eq!(h.push(frame(i, obj())), Ok(gst::FlowSuccess::Ok));
        slowest = slowest.max(t.elapsed());
    }
    let total = start.elapsed();
    assert!(
        slowest < Duration::from_millis(100),
        "slowest push {slowest:?}"
    );
    assert!(total < Duration::from_secs(2), "49 pushes took {total:?}");
    // One crop in the writer, four queued: the other 45 dropped.
    assert_eq!(e.property::<u64>("dropped"), 45);
    assert_eq!(e.property::<u64>("written"), 0);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = drain_fifo(&fifo, stop.clone());
    assert!(h.push_event(gst::event::Eos::new()));
    let (s, errors) = summary(&bus);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let bytes = reader.join().unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        (get(&s, "written"), get(&s, "dropped"), get(&s, "pending")),
        (5, 45, 0)
    );
    assert!(bytes > 5 * 100, "read {bytes} bytes");
    eprintln!("49 pushes with a blocked writer: {total:?}, slowest {slowest:?}");
}

#[test]
fn a_full_disk_is_an_error_and_the_summary_stays_valid() {
    let dir = tmpdir("cropsink-full");
    let index = dir.join("index.jsonl");
    let (mut h, _e, bus) = harness(&[
        ("location", "/dev/full"),
        ("best-location", ""),
        ("index-location", index.to_str().unwrap()),
        ("interval", "1"),
        ("min-size", "10"),
    ]);
    for i in 0..3 {
        h.push(frame(
            i,
            vec![tracked(Some(1), 0, 0.9, [0.0, 0.0, 32.0, 32.0])],
        ))
        .unwrap();
    }
    assert!(h.push_event(gst::event::Eos::new()));
    let (s, errors) = summary(&bus);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("Failed to write crop '/dev/full': No space left on device"),
        "{}",
        errors[0]
    );
    assert_eq!((get(&s, "written"), get(&s, "failed")), (0, 3));
    assert_eq!(std::fs::read_to_string(&index).unwrap(), "");
}

#[test]
fn an_unwritable_directory_is_an_error_at_start() {
    init();
    let dir = tmpdir("cropsink-unwritable");
    let file = dir.join("file.txt");
    std::fs::write(&file, "x").unwrap();
    let loc = format!("{}/crops/{{track}}.jpg", file.display());
    assert_eq!(
        start_error(&loc),
        format!(
            "Cannot write crops to directory '{}/crops/' (location '{loc}'): Not a directory (os error 20)",
            file.display()
        )
    );
    // A bad pattern is a settings error naming it.
    let bad = format!("{}/{{id}}.jpg", dir.display());
    assert_eq!(
        start_error(&bad),
        format!("location '{bad}': unknown placeholder '{{id}}' (expected {{stream}}, {{track}}, {{frame}} or {{kind}})")
    );
}

/// The error message of an rscropsink with `location` that fails to start
/// (on a bus of its own).
fn start_error(location: &str) -> String {
    let e = gst::ElementFactory::make("rscropsink")
        .property("location", location)
        .build()
        .unwrap();
    let bus = gst::Bus::new();
    e.set_bus(Some(&bus));
    assert!(e.set_state(gst::State::Paused).is_err());
    let msg = bus
        .iter()
        .find_map(|m| match m.view() {
            gst::MessageView::Error(err) => Some(err.error().to_string()),
            _ => None,
        })
        .expect("an error message");
    e.set_state(gst::State::Null).unwrap();
    msg
}
