// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! `rstracking-refine`: offline refinement of a MOTChallenge results file
//! (gap filling, Gaussian smoothing, minimum track length; see
//! `rstracking_core::track::refine`), the same code rsjsonsink runs with
//! `refine-max-gap` / `refine-sigma` / `min-track-length`.

use rstracking_core::io::mot::{parse_rows, write_result_line};
use rstracking_core::track::refine::{refine, RefineConfig, TrackBox};
use rstracking_core::types::BBox;
use std::process::ExitCode;

const USAGE: &str = "\
Usage: rstracking-refine <in results.txt> <out results.txt> [--max-gap N] [--sigma S] [--min-length L]

  --max-gap N     fill gaps of at most N missing frames by linear interpolation (default 0: off)
  --sigma S       Gaussian smoothing of boxes over S frames (default 0: off)
  --min-length L  drop tracks with fewer than L boxes (default 0: keep all)
  --fill-min-length L  fill gaps only in tracks of at least L boxes (default 0: all)";

fn run(args: &[String]) -> Result<(), String> {
    let mut cfg = RefineConfig::default();
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| format!("{name} needs a value"))
                .cloned()
        };
        match a.as_str() {
            "--max-gap" => {
                cfg.max_gap = value(a)?.parse().map_err(|e| format!("--max-gap: {e}"))?
            }
            "--sigma" => cfg.sigma = value(a)?.parse().map_err(|e| format!("--sigma: {e}"))?,
            "--fill-min-length" => {
                cfg.fill_min_length = value(a)?
                    .parse()
                    .map_err(|e| format!("--fill-min-length: {e}"))?
            }
            "--min-length" => {
                cfg.min_length = value(a)?
                    .parse()
                    .map_err(|e| format!("--min-length: {e}"))?
            }
            "-h" | "--help" => return Err(USAGE.into()),
            f if !f.starts_with('-') => files.push(f.to_string()),
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    let [input, output] = files.as_slice() else {
        return Err(USAGE.into());
    };
    let text = std::fs::read_to_string(input).map_err(|e| format!("{input}: {e}"))?;
    let rows = parse_rows(&text, input).map_err(|e| e.to_string())?;
    let boxes: Vec<TrackBox> = rows
        .iter()
        .filter(|r| r.id >= 0 && r.frame >= 1)
        .map(|r| TrackBox {
            frame: r.frame - 1,
            id: r.id as u64,
            bbox: BBox::new(
                (r.x - 1.0) as f32,
                (r.y - 1.0) as f32,
                r.w as f32,
                r.h as f32,
            ),
            score: r.score as f32,
            interpolated: false,
        })
        .collect();
    let mut out = String::new();
    for b in refine(&boxes, &cfg) {
        write_result_line(&mut out, b.frame, b.id, &b.bbox, b.score);
    }
    std::fs::write(output, out).map_err(|e| format!("{output}: {e}"))
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
