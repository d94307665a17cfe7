// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
use super::*;
use crate::types::BBox;

const CFG: &str = "\
# a door line across the frame and a shop zone below it
hysteresis 5
line door 0,100 400,100 in out
zone shop 50,150 350,150 350,300 50,300
";

/// A 20x40 box whose bottom-centre is at (x, y).
fn at(id: Option<u64>, x: f32, y: f32) -> Object {
    let mut o = Object::new(BBox::new(x - 10.0, y - 40.0, 20.0, 40.0), 0.9, 0);
    o.track_id = id;
    o
}

fn run(za: &mut ZoneAnalytics, path: &[(f32, f32)]) -> Vec<ZoneEvent> {
    let mut all = Vec::new();
    for (f, &(x, y)) in path.iter().enumerate() {
        let mut objs = [at(Some(1), x, y)];
        let (ev, _) = za.update(f as u64, Some(f as u64 * 40), (400, 400), &mut objs);
        all.extend(ev);
    }
    all
}

fn crossings(ev: &[ZoneEvent]) -> Vec<&str> {
    ev.iter()
        .filter_map(|e| match e {
            ZoneEvent::LineCross { direction, .. } => Some(direction.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_box_jittering_on_the_line_is_counted_once() {
    let cfg = parse_config(CFG, "z.txt").unwrap();
    let mut za = ZoneAnalytics::new(cfg);
    // Down across the line (left of A→B is above it: "in"), stopping on
    // it and jittering ±3 px (inside the 5 px band), then on down.
    let mut path = vec![(200.0, 60.0), (200.0, 80.0), (200.0, 97.0)];
    for k in 0..20 {
        path.push((200.0, if k % 2 == 0 { 103.0 } else { 97.0 }));
    }
    path.extend([(200.0, 100.0), (200.0, 120.0), (200.0, 140.0)]);
    assert_eq!(crossings(&run(&mut za, &path)), ["in"]);
    assert_eq!(za.line_counts(), [("door", "in", 1, "out", 0)]);
}

#[test]
fn crossing_back_and_walking_around_the_end() {
    let cfg = parse_config(CFG, "z.txt").unwrap();
    let mut za = ZoneAnalytics::new(cfg);
    // Down through the line, back up through it, then around its right end
    // (x > 400) down again: in, out, and no third crossing.
    let path = [
        (100.0, 50.0),
        (100.0, 150.0),
        (100.0, 50.0),
        (450.0, 50.0),
        (450.0, 150.0),
    ];
    assert_eq!(crossings(&run(&mut za, &path)), ["in", "out"]);
}

#[test]
fn zone_enter_exit_with_dwell_and_untracked_objects_count_per_frame_only() {
    let cfg = parse_config(CFG, "z.txt").unwrap();
    let mut za = ZoneAnalytics::new(cfg);
    // Outside, then inside for frames 1..=3 (one of them 3 px from the edge:
    // inside the band, still inside), then out.
    let path = [
        (200.0, 140.0),
        (200.0, 200.0),
        (200.0, 153.0),
        (200.0, 250.0),
        (200.0, 320.0),
    ];
    let ev = run(&mut za, &path);
    let zone_ev: Vec<&ZoneEvent> = ev
        .iter()
        .filter(|e| !matches!(e, ZoneEvent::LineCross { .. }))
        .collect();
    assert_eq!(
        zone_ev,
        [
            &ZoneEvent::Enter {
                zone: "shop".into(),
                track_id: 1,
                class_id: 0
            },
            &ZoneEvent::Exit {
                zone: "shop".into(),
                track_id: 1,
                class_id: 0,
                dwell_frames: 3,
                dwell_ns: Some(120)
            }
        ]
    );
    // Two untracked objects inside: occupancy 2, no events; the tracked
    // one inside gets the zone name on the object.
    let mut objs = [
        at(None, 100.0, 200.0),
        at(None, 300.0, 250.0),
        at(Some(7), 200.0, 200.0),
    ];
    let (ev, occ) = za.update(10, None, (400, 400), &mut objs);
    assert_eq!(
        ev,
        [ZoneEvent::Enter {
            zone: "shop".into(),
            track_id: 7,
            class_id: 0
        }]
    );
    assert_eq!(occ.get(&("shop".to_string(), 0)), Some(&3));
    assert_eq!(objs[0].zones, ["shop"]);
    assert_eq!(objs[2].zones, ["shop"]);
    // A track that ends inside exits with its dwell.
    assert_eq!(
        za.end_track(7),
        [ZoneEvent::Exit {
            zone: "shop".into(),
            track_id: 7,
            class_id: 0,
            dwell_frames: 1,
            dwell_ns: None
        }]
    );
}

#[test]
fn exclude_zones_and_normalized_coordinates() {
    let text = "coordinates normalized\nhysteresis 0.01\nline l 0,0.5 1,0.5\nexclude tv 0,0 0.2,0 0.2,1 0,1\n";
    let mut za = ZoneAnalytics::new(parse_config(text, "n.txt").unwrap());
    // Crossing at x = 40 (inside the excluded strip x < 80 of 400): ignored;
    // at x = 200: counted (forward: from above to below).
    let mut ev = Vec::new();
    for (f, (x, y)) in [(40.0, 100.0), (40.0, 300.0), (200.0, 100.0), (200.0, 300.0)]
        .into_iter()
        .enumerate()
    {
        let id = if x < 100.0 { 1 } else { 2 };
        let mut objs = [at(Some(id), x, y)];
        ev.extend(za.update(f as u64, None, (400, 400), &mut objs).0);
    }
    assert_eq!(crossings(&ev), ["forward"]);
}

#[test]
fn config_errors_name_the_file_and_line() {
    let e = |t: &str| parse_config(t, "zones.txt").unwrap_err().to_string();
    assert_eq!(
        e("hysteresis 2\nzone a 1,1 2,2\n"),
        "zones.txt:2: zone 'a': a polygon needs at least 3 points, found 2"
    );
    assert_eq!(e("line d 1,1 x\n"), "zones.txt:1: 'x' is not a point x,y");
    assert_eq!(
        e("line d 1,1 1,1\n"),
        "zones.txt:1: line 'd': its two points are the same"
    );
    assert_eq!(
        e("circle c 1,1\n"),
        "zones.txt:1: unknown entry 'circle' (expected coordinates, anchor, hysteresis, zone, exclude or line)"
    );
    assert_eq!(e("# nothing\n"), "zones.txt:0: no zone and no line");
    assert_eq!(
        e("line d 0,0 9,9 x x\n"),
        "zones.txt:1: line 'd': the two directions need different names"
    );
    assert_eq!(
        e("zone a 0,0 1,0 1,1\nline a 0,0 1,1\n"),
        "zones.txt:2: 'a' is defined twice"
    );
    assert_eq!(
        e("anchor middle\nzone a 0,0 1,0 1,1\n"),
        "zones.txt:1: anchor: expected bottom-center, center, top-center or keypoint:<index>, found Some(\"middle\")"
    );
}

#[test]
fn forgotten_tracks_are_freed() {
    let cfg = parse_config(CFG, "z.txt").unwrap();
    let mut za = ZoneAnalytics::new(cfg);
    za.forget_frames = 10;
    let mut objs = [at(Some(1), 200.0, 200.0)];
    za.update(0, None, (400, 400), &mut objs);
    assert_eq!(za.tracks_held(), 1);
    let (ev, _) = za.update(20, None, (400, 400), &mut []);
    assert_eq!(za.tracks_held(), 0);
    // The dwell ends at the last frame the track was seen on.
    assert!(matches!(
        ev[..],
        [ZoneEvent::Exit {
            dwell_frames: 1,
            ..
        }]
    ));
    // Frames going backwards end the tracks of before.
    let mut objs = [at(Some(2), 200.0, 200.0)];
    za.update(30, None, (400, 400), &mut objs);
    let (ev, _) = za.update(0, None, (400, 400), &mut []);
    assert!(matches!(
        ev[..],
        [ZoneEvent::Exit {
            track_id: 2,
            dwell_frames: 1,
            ..
        }]
    ));
    assert_eq!(za.tracks_held(), 0);
}
