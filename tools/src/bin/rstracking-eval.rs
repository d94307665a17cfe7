// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! `rstracking-eval`: MOTChallenge evaluation (TrackEval protocol) of tracker
//! result files against ground truth, per camera or across cameras with
//! global ids (`cross-camera`). See `--help`.

use rstracking_core::eval::{
    combine, evaluate_cross_camera, evaluate_sequence_with_length, load_gt, load_results,
    load_seq_length, Benchmark, CameraFiles, CrossCameraStats, Metrics, SequenceCounts,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
Usage: rstracking-eval --benchmark MOT17|MOT15 --gt <DIR> --results <DIR> [--seqs A,B,...] [--json FILE]
       rstracking-eval cross-camera --gt <DIR> --pred <DIR> [--cameras A,B,...]
                       [--benchmark NAME] [--frames N] [--json FILE]

Scores tracker results with the official MOTChallenge protocol (as TrackEval):
HOTA, DetA, AssA, MOTA, IDF1, IDSW, FP, FN per sequence and COMBINED.

Options:
  --benchmark NAME  MOT17 (also MOT16): distractor removal, GT class 1 with flag != 0;
                    MOT20: as MOT17, class 6 also a distractor;
                    MOT15: no distractor step, GT rows with flag 0 dropped
  --gt DIR          ground-truth root holding <seq>/gt/gt.txt (and <seq>/seqinfo.ini)
  --results DIR     directory holding one <seq>.txt per sequence
                    (frame,id,x,y,w,h,conf,-1,-1,-1)
  --seqs A,B,...    sequences to evaluate (default: every <seq>.txt in --results
                    that has a <seq>/gt/gt.txt under --gt)
  --json FILE       also write the scores as JSON: {\"<seq>\": {\"HOTA\": ..}, \"COMBINED\": {..}},
                    ratios in percent
  -h, --help        print this help

cross-camera: scores all cameras of a scene as ONE sequence (camera k's frames
follow those of cameras 0..k-1) with global ids, so that IDF1 and HOTA also
measure whether a person keeps one id across cameras. Prints each camera alone
(global ids as track ids), their COMBINED row, and CROSS_CAMERA.
  --gt DIR          (also --gt-root) ground-truth root holding <camera>/gt/gt.txt
                    (and <camera>/seqinfo.ini); GT ids are global across cameras
  --pred DIR        directory holding one <camera>.jsonl per camera: our JSON Lines
                    (schema rstracking/1, 0-based frames); the id scored is each
                    object's global_id, objects without one are ignored (counted)
  --cameras A,B,... cameras in order (default: every <camera>.jsonl in --pred that
                    has a <camera>/gt/gt.txt under --gt, sorted)
  --benchmark NAME  as above (default MOT15: no distractor step)
  --frames N        evaluate only the first N frames of each camera
  --json FILE       as above, with \"CROSS_CAMERA\" and per-camera \"INPUTS\" counts

Exit status: 0 on success, 2 on any error (message on stderr).";

struct Args {
    benchmark: Benchmark,
    gt: PathBuf,
    results: PathBuf,
    seqs: Option<Vec<String>>,
    json: Option<PathBuf>,
}

enum Parsed {
    Help,
    Run(Args),
}

/// Splits `--name value` / `--name=value` pairs, checking names against
/// `known`; `aliases` maps other accepted names to known ones. `None`: help.
fn parse_flags(
    argv: impl IntoIterator<Item = String>,
    known: &[&str],
    aliases: &[(&str, &str)],
) -> Result<Option<Vec<(String, String)>>, String> {
    let mut flags = Vec::new();
    let mut it = argv.into_iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if name == "-h" || name == "--help" {
            return Ok(None);
        }
        let name = match aliases.iter().find(|(a, _)| *a == name) {
            Some((_, to)) => to.to_string(),
            None => name,
        };
        if !known.contains(&name.as_str()) {
            return Err(format!("unknown argument '{arg}' (see --help)"));
        }
        let value = match inline {
            Some(v) => v,
            None => it
                .next()
                .ok_or_else(|| format!("{name} needs a value (see --help)"))?,
        };
        flags.push((name, value));
    }
    Ok(Some(flags))
}

/// A comma-separated, non-empty list.
fn name_list(flag: &str, value: &str) -> Result<Vec<String>, String> {
    let list: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    if list.is_empty() {
        return Err(format!("{flag}: empty list"));
    }
    Ok(list)
}

fn missing(what: &str) -> String {
    format!("missing {what} (see --help)")
}

fn parse_args(argv: impl IntoIterator<Item = String>) -> Result<Parsed, String> {
    let known = ["--benchmark", "--gt", "--results", "--seqs", "--json"];
    let Some(flags) = parse_flags(argv, &known, &[])? else {
        return Ok(Parsed::Help);
    };
    let mut benchmark = None;
    let mut gt = None;
    let mut results = None;
    let mut seqs = None;
    let mut json = None;
    for (name, value) in flags {
        match name.as_str() {
            "--benchmark" => {
                benchmark = Some(value.parse::<Benchmark>().map_err(|e| e.to_string())?)
            }
            "--gt" => gt = Some(PathBuf::from(value)),
            "--results" => results = Some(PathBuf::from(value)),
            "--seqs" => seqs = Some(name_list("--seqs", &value)?),
            _ => json = Some(PathBuf::from(value)),
        }
    }
    Ok(Parsed::Run(Args {
        benchmark: benchmark.ok_or_else(|| missing("--benchmark"))?,
        gt: gt.ok_or_else(|| missing("--gt"))?,
        results: results.ok_or_else(|| missing("--results"))?,
        seqs,
        json,
    }))
}

struct CrossArgs {
    benchmark: Benchmark,
    gt: PathBuf,
    pred: PathBuf,
    cameras: Option<Vec<String>>,
    frames: Option<u64>,
    json: Option<PathBuf>,
}

fn parse_cross_args(argv: impl IntoIterator<Item = String>) -> Result<Option<CrossArgs>, String> {
    let known = [
        "--benchmark",
        "--gt",
        "--pred",
        "--cameras",
        "--frames",
        "--json",
    ];
    let Some(flags) = parse_flags(argv, &known, &[("--gt-root", "--gt")])? else {
        return Ok(None);
    };
    let mut args = CrossArgs {
        benchmark: Benchmark::Mot15,
        gt: PathBuf::new(),
        pred: PathBuf::new(),
        cameras: None,
        frames: None,
        json: None,
    };
    let (mut gt, mut pred) = (None, None);
    for (name, value) in flags {
        match name.as_str() {
            "--benchmark" => {
                args.benchmark = value.parse::<Benchmark>().map_err(|e| e.to_string())?
            }
            "--gt" => gt = Some(PathBuf::from(value)),
            "--pred" => pred = Some(PathBuf::from(value)),
            "--cameras" => {
                let list = name_list("--cameras", &value)?;
                if let Some(c) = list
                    .iter()
                    .find(|c| list.iter().filter(|d| d == c).count() > 1)
                {
                    return Err(format!("--cameras: '{c}' is listed twice"));
                }
                args.cameras = Some(list);
            }
            "--frames" => {
                let n = value
                    .parse::<u64>()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| format!("--frames: expected a count >= 1, found '{value}'"))?;
                args.frames = Some(n);
            }
            _ => args.json = Some(PathBuf::from(value)),
        }
    }
    args.gt = gt.ok_or_else(|| missing("--gt"))?;
    args.pred = pred.ok_or_else(|| missing("--pred"))?;
    Ok(Some(args))
}

fn gt_file(gt_root: &Path, seq: &str) -> PathBuf {
    gt_root.join(seq).join("gt").join("gt.txt")
}

/// Every `<seq>.<ext>` in the results directory that has a GT file, sorted.
fn default_seqs(results: &Path, ext: &str, gt: &Path) -> Result<Vec<String>, String> {
    let entries = std::fs::read_dir(results).map_err(|e| format!("{}: {e}", results.display()))?;
    let mut seqs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", results.display()))?;
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some(ext) || !path.is_file() {
            continue;
        }
        if let Some(seq) = path.file_stem().and_then(|s| s.to_str()) {
            if gt_file(gt, seq).is_file() {
                seqs.push(seq.to_string());
            }
        }
    }
    seqs.sort();
    if seqs.is_empty() {
        return Err(format!(
            "no <seq>.{ext} in {} has a ground truth <seq>/gt/gt.txt under {}",
            results.display(),
            gt.display()
        ));
    }
    Ok(seqs)
}

fn evaluate(args: &Args, seq: &str) -> Result<SequenceCounts, String> {
    let gt_path = gt_file(&args.gt, seq);
    let res_path = args.results.join(format!("{seq}.txt"));
    for p in [&gt_path, &res_path] {
        if !p.is_file() {
            return Err(format!("{}: file not found", p.display()));
        }
    }
    let gt = load_gt(&gt_path).map_err(|e| e.to_string())?;
    let results = load_results(&res_path).map_err(|e| e.to_string())?;
    let len = load_seq_length(args.gt.join(seq).join("seqinfo.ini")).map_err(|e| e.to_string())?;
    evaluate_sequence_with_length(&gt, &results, args.benchmark, len).map_err(|e| {
        // Errors found during evaluation name a frame; add the files.
        format!(
            "sequence {seq} ({} vs {}): {e}",
            res_path.display(),
            gt_path.display()
        )
    })
}

fn row(name: &str, width: usize, m: &Metrics) -> String {
    format!(
        "{name:<width$} {:>6.1} {:>6.1} {:>6.1} {:>6.1} {:>6.1} {:>6} {:>7} {:>7}",
        100.0 * m.hota,
        100.0 * m.deta,
        100.0 * m.assa,
        100.0 * m.mota,
        100.0 * m.idf1,
        m.idsw,
        m.fp,
        m.fn_
    )
}

fn header(label: &str, width: usize) -> String {
    format!(
        "{label:<width$} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7}",
        "HOTA", "DetA", "AssA", "MOTA", "IDF1", "IDSW", "FP", "FN"
    )
}

fn write_json(path: &Path, map: serde_json::Map<String, serde_json::Value>) -> Result<(), String> {
    let text =
        serde_json::to_string_pretty(&serde_json::Value::Object(map)).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))
}

fn run(args: &Args) -> Result<(), String> {
    let seqs = match &args.seqs {
        Some(s) => s.clone(),
        None => default_seqs(&args.results, "txt", &args.gt)?,
    };
    let mut counts = Vec::with_capacity(seqs.len());
    for seq in &seqs {
        counts.push(evaluate(args, seq)?);
    }
    let per_seq: Vec<Metrics> = counts.iter().map(SequenceCounts::metrics).collect();
    let combined = combine(&counts);

    let width = seqs.iter().map(String::len).max().unwrap_or(0).max(8);
    println!("{}", header(&format!("{} seq", args.benchmark), width));
    for (seq, m) in seqs.iter().zip(&per_seq) {
        println!("{}", row(seq, width, m));
    }
    println!("{}", row("COMBINED", width, &combined));

    if let Some(path) = &args.json {
        let mut map = serde_json::Map::new();
        for (seq, m) in seqs.iter().zip(&per_seq) {
            map.insert(seq.clone(), m.summary_json());
        }
        map.insert("COMBINED".to_string(), combined.summary_json());
        write_json(path, map)?;
    }
    Ok(())
}

fn run_cross(args: &CrossArgs) -> Result<(), String> {
    let cameras = match &args.cameras {
        Some(c) => c.clone(),
        None => default_seqs(&args.pred, "jsonl", &args.gt)?,
    };
    let mut files = Vec::with_capacity(cameras.len());
    for cam in &cameras {
        let f = CameraFiles {
            max_frames: args.frames,
            ..CameraFiles::mot_layout(&args.gt, &args.pred, cam)
        };
        for p in [&f.gt, &f.predictions] {
            if !p.is_file() {
                return Err(format!("{}: file not found", p.display()));
            }
        }
        files.push(f);
    }
    let (cross, stats) =
        evaluate_cross_camera(&files, args.benchmark).map_err(|e| e.to_string())?;
    print_cross(args, &cross, &stats);

    if let Some(path) = &args.json {
        let mut map = serde_json::Map::new();
        let mut inputs = serde_json::Map::new();
        for c in &stats.cameras {
            map.insert(c.name.clone(), c.counts.metrics().summary_json());
            inputs.insert(
                c.name.clone(),
                serde_json::json!({
                    "frames": c.num_frames,
                    "offset": c.offset,
                    "objects": c.input.objects,
                    "without_global_id": c.input.without_global_id,
                    "repeated_global_id": c.input.repeated_global_id,
                }),
            );
        }
        map.insert("COMBINED".to_string(), stats.combined().summary_json());
        map.insert("CROSS_CAMERA".to_string(), cross.summary_json());
        map.insert("INPUTS".to_string(), serde_json::Value::Object(inputs));
        write_json(path, map)?;
    }
    Ok(())
}

fn print_cross(args: &CrossArgs, cross: &Metrics, stats: &CrossCameraStats) {
    let width = stats
        .cameras
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0)
        .max(12);
    println!("{}", header(&format!("{} camera", args.benchmark), width));
    for c in &stats.cameras {
        println!("{}", row(&c.name, width, &c.counts.metrics()));
    }
    println!("{}", row("COMBINED", width, &stats.combined()));
    println!("{}", row("CROSS_CAMERA", width, cross));
    println!();
    for c in &stats.cameras {
        println!(
            "{}: frames {}..={} of the joined sequence, {} objects read, {} without global id (ignored), {} with a global id repeated in its frame (ignored)",
            c.name,
            c.offset + 1,
            c.offset + c.num_frames,
            c.input.objects,
            c.input.without_global_id,
            c.input.repeated_global_id
        );
    }
    if stats.without_global_id() > 0 {
        eprintln!(
            "rstracking-eval: warning: {} of {} objects have no global id and were not evaluated",
            stats.without_global_id(),
            stats.objects()
        );
    }
}

fn main() -> ExitCode {
    let mut argv = std::env::args().skip(1).peekable();
    if argv.peek().map(String::as_str) == Some("cross-camera") {
        argv.next();
        let result = match parse_cross_args(argv) {
            Ok(None) => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            Ok(Some(a)) => run_cross(&a),
            Err(e) => Err(e),
        };
        return match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("rstracking-eval: {e}");
                ExitCode::from(2)
            }
        };
    }
    let args = match parse_args(argv) {
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::Run(a)) => a,
        Err(e) => {
            eprintln!("rstracking-eval: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rstracking-eval: {e}");
            ExitCode::from(2)
        }
    }
}
