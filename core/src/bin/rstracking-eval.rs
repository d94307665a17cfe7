// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! `rstracking-eval`: MOTChallenge evaluation (TrackEval protocol) of tracker
//! result files against ground truth. See `--help`.

use rstracking_core::eval::{
    combine, evaluate_sequence_with_length, load_gt, load_results, load_seq_length, Benchmark,
    Metrics, SequenceCounts,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
Usage: rstracking-eval --benchmark MOT17|MOT15 --gt <DIR> --results <DIR> [--seqs A,B,...] [--json FILE]

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

fn parse_args(argv: impl IntoIterator<Item = String>) -> Result<Parsed, String> {
    let mut benchmark = None;
    let mut gt = None;
    let mut results = None;
    let mut seqs = None;
    let mut json = None;
    let mut it = argv.into_iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if name == "-h" || name == "--help" {
            return Ok(Parsed::Help);
        }
        let known = ["--benchmark", "--gt", "--results", "--seqs", "--json"];
        if !known.contains(&name.as_str()) {
            return Err(format!("unknown argument '{arg}' (see --help)"));
        }
        let value = match inline {
            Some(v) => v,
            None => it
                .next()
                .ok_or_else(|| format!("{name} needs a value (see --help)"))?,
        };
        match name.as_str() {
            "--benchmark" => benchmark = Some(value.parse::<Benchmark>()?),
            "--gt" => gt = Some(PathBuf::from(value)),
            "--results" => results = Some(PathBuf::from(value)),
            "--seqs" => {
                let list: Vec<String> = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect();
                if list.is_empty() {
                    return Err("--seqs: empty list".to_string());
                }
                seqs = Some(list);
            }
            _ => json = Some(PathBuf::from(value)),
        }
    }
    let missing = |what: &str| format!("missing {what} (see --help)");
    Ok(Parsed::Run(Args {
        benchmark: benchmark.ok_or_else(|| missing("--benchmark"))?,
        gt: gt.ok_or_else(|| missing("--gt"))?,
        results: results.ok_or_else(|| missing("--results"))?,
        seqs,
        json,
    }))
}

fn gt_file(gt_root: &Path, seq: &str) -> PathBuf {
    gt_root.join(seq).join("gt").join("gt.txt")
}

/// Every `<seq>.txt` in the results directory that has a GT file, sorted.
fn default_seqs(args: &Args) -> Result<Vec<String>, String> {
    let entries =
        std::fs::read_dir(&args.results).map_err(|e| format!("{}: {e}", args.results.display()))?;
    let mut seqs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", args.results.display()))?;
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("txt") || !path.is_file() {
            continue;
        }
        if let Some(seq) = path.file_stem().and_then(|s| s.to_str()) {
            if gt_file(&args.gt, seq).is_file() {
                seqs.push(seq.to_string());
            }
        }
    }
    seqs.sort();
    if seqs.is_empty() {
        return Err(format!(
            "no <seq>.txt in {} has a ground truth <seq>/gt/gt.txt under {}",
            args.results.display(),
            args.gt.display()
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

fn run(args: &Args) -> Result<(), String> {
    let seqs = match &args.seqs {
        Some(s) => s.clone(),
        None => default_seqs(args)?,
    };
    let mut counts = Vec::with_capacity(seqs.len());
    for seq in &seqs {
        counts.push(evaluate(args, seq)?);
    }
    let per_seq: Vec<Metrics> = counts.iter().map(SequenceCounts::metrics).collect();
    let combined = combine(&counts);

    let width = seqs.iter().map(String::len).max().unwrap_or(0).max(8);
    println!(
        "{:<width$} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7}",
        format!("{} seq", args.benchmark),
        "HOTA",
        "DetA",
        "AssA",
        "MOTA",
        "IDF1",
        "IDSW",
        "FP",
        "FN"
    );
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
        let text = serde_json::to_string_pretty(&serde_json::Value::Object(map))
            .map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
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
