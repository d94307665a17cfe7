// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! `rstracking-zones`: the zone and line counts of rszones computed on a
//! MOTChallenge file (ground truth or tracker results), with the same code
//! (`rstracking_core::zones`), to compare a pipeline's counts with the ones
//! the ground-truth tracks give.

use rstracking_core::io::mot::parse_rows;
use rstracking_core::types::{BBox, Object};
use rstracking_core::zones::{parse_config, ZoneAnalytics, ZoneEvent};
use std::collections::BTreeMap;
use std::process::ExitCode;

const USAGE: &str = "\
Usage: rstracking-zones <config> <mot file> <width> <height> [--scale S]

Runs the zones/lines of <config> over the tracks of <mot file>
(frame,id,x,y,w,h,conf,...; rows with conf 0 and negative ids are skipped),
boxes multiplied by S (default 1), on frames of width x height, and prints
one line per count: `line <name> <direction> <n>` and `zone <name> enter <n>`.";

fn run(args: &[String]) -> Result<(), String> {
    let [config, mot, width, height, rest @ ..] = args else {
        return Err(USAGE.into());
    };
    let scale: f32 = match rest {
        [] => 1.0,
        [flag, v] if flag == "--scale" => v.parse().map_err(|e| format!("--scale: {e}"))?,
        _ => return Err(USAGE.into()),
    };
    let size = (
        width.parse::<u32>().map_err(|e| format!("width: {e}"))?,
        height.parse::<u32>().map_err(|e| format!("height: {e}"))?,
    );
    let text = std::fs::read_to_string(config).map_err(|e| format!("{config}: {e}"))?;
    let cfg = parse_config(&text, config).map_err(|e| e.to_string())?;
    let rows_text = std::fs::read_to_string(mot).map_err(|e| format!("{mot}: {e}"))?;
    let rows = parse_rows(&rows_text, mot).map_err(|e| e.to_string())?;
    let mut frames: BTreeMap<u64, Vec<Object>> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| r.score != 0.0 && r.id >= 0 && r.frame >= 1)
    {
        let mut o = Object::new(
            BBox::new(
                (r.x as f32 - 1.0) * scale,
                (r.y as f32 - 1.0) * scale,
                r.w as f32 * scale,
                r.h as f32 * scale,
            ),
            1.0,
            0,
        );
        o.track_id = Some(r.id as u64);
        frames.entry(r.frame - 1).or_default().push(o);
    }
    let last = frames.keys().next_back().copied().unwrap_or(0);
    let mut za = ZoneAnalytics::new(cfg);
    let mut enters: BTreeMap<String, u64> = BTreeMap::new();
    for f in 0..=last {
        let mut objs = frames.remove(&f).unwrap_or_default();
        let (events, _) = za.update(f, None, size, &mut objs);
        for e in events {
            if let ZoneEvent::Enter { zone, .. } = e {
                *enters.entry(zone).or_default() += 1;
            }
        }
    }
    for (line, fwd, nf, back, nb) in za.line_counts() {
        println!("line {line} {fwd} {nf}");
        println!("line {line} {back} {nb}");
    }
    for z in za.config().zones.iter().filter(|z| !z.exclude) {
        println!(
            "zone {} enter {}",
            z.name,
            enters.get(&z.name).copied().unwrap_or(0)
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
