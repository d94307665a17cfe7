// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Hand-made cases whose scores are worked out by hand in the comments.

use super::metrics::np_sum;
use super::*;

const A: [f64; 4] = [0.0, 0.0, 10.0, 10.0];

fn gt(frame: u64, id: i64, b: [f64; 4]) -> GtRow {
    GtRow::new(frame, id, b[0], b[1], b[2], b[3])
}

fn gt_class(frame: u64, id: i64, b: [f64; 4], flag: i64, class: i64) -> GtRow {
    GtRow {
        flag,
        class,
        ..gt(frame, id, b)
    }
}

fn tr(frame: u64, id: i64, b: [f64; 4]) -> ResultRow {
    ResultRow::new(frame, id, b[0], b[1], b[2], b[3])
}

fn shifted(b: [f64; 4], dx: f64) -> [f64; 4] {
    [b[0] + dx, b[1], b[2], b[3]]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

fn eval(g: &[GtRow], t: &[ResultRow], bench: Benchmark) -> SequenceCounts {
    evaluate_sequence(g, t, bench).unwrap()
}

#[test]
fn iou_on_continuous_coordinates() {
    assert_eq!(iou_tlwh(A, A), 1.0);
    // Overlap 5×10 = 50, union 150 (no "+1" pixel).
    assert!(close(iou_tlwh(A, shifted(A, 5.0)), 1.0 / 3.0));
    assert_eq!(iou_tlwh(A, shifted(A, 10.0)), 0.0);
    assert_eq!(iou_tlwh(A, [0.0, 0.0, 0.0, 10.0]), 0.0);
    // Shift 2.5: 75 / 125.
    assert_eq!(iou_tlwh(A, shifted(A, 2.5)), 0.6);
}

#[test]
fn alphas_are_numpy_arange() {
    let a = hota_alphas();
    assert_eq!(a.len(), 19);
    assert_eq!(a[0], 0.05);
    assert_eq!(a[1], 0.1);
    assert!(close(a[18], 0.95));
}

#[test]
fn numpy_sum_order() {
    let v: Vec<f64> = (1..=300).map(f64::from).collect();
    assert_eq!(np_sum(&v), 45150.0);
    assert_eq!(np_sum(&[]), 0.0);
    // Pairwise blocks: 1e16 + 1 + … loses the ones differently from a
    // left-to-right sum; the 8 partial sums are added pairwise.
    let mut w = vec![1.0; 16];
    w[0] = 1e16;
    let naive: f64 = w.iter().fold(0.0, |s, x| s + x);
    assert_eq!(naive, 1e16);
    // r0 = 1e16 + 1 = 1e16, r1..r7 = 2 → ((1e16 + 2) + 4) + 8 = 1e16 + 14.
    assert_eq!(np_sum(&w), 1e16 + 14.0);
}

#[test]
fn perfect_tracker_scores_100() {
    let mut g = Vec::new();
    let mut t = Vec::new();
    for f in 1..=3 {
        g.push(gt(f, 1, A));
        g.push(gt(f, 2, shifted(A, 50.0)));
        t.push(tr(f, 7, A));
        t.push(tr(f, 9, shifted(A, 50.0)));
    }
    for bench in [Benchmark::Mot17, Benchmark::Mot15] {
        let m = eval(&g, &t, bench).metrics();
        assert_eq!(
            (m.hota, m.deta, m.assa, m.mota, m.idf1),
            (1.0, 1.0, 1.0, 1.0, 1.0)
        );
        assert_eq!((m.idsw, m.fp, m.fn_, m.tp), (0, 0, 0, 6));
        assert_eq!((m.mt, m.pt, m.ml, m.frag), (2, 0, 0, 0));
        assert_eq!((m.motp, m.loca), (1.0, 1.0));
    }
}

/// One GT track over 4 frames, followed by tracker id 1 and then id 2.
fn id_switch() -> (Vec<GtRow>, Vec<ResultRow>) {
    let g = (1..=4).map(|f| gt(f, 1, A)).collect();
    let t = (1..=4)
        .map(|f| tr(f, if f <= 2 { 1 } else { 2 }, A))
        .collect();
    (g, t)
}

#[test]
fn one_id_switch() {
    let (g, t) = id_switch();
    let m = eval(&g, &t, Benchmark::Mot17).metrics();
    // CLEAR: TP 4, one switch → MOTA = (4 − 0 − 1) / 4.
    assert_eq!((m.tp, m.idsw, m.fp, m.fn_), (4, 1, 0, 0));
    assert_eq!(m.mota, 0.75);
    // Identity: best pair covers 2 frames → IDTP 2, IDFN 2, IDFP 2,
    // IDF1 = 2 / (2 + 1 + 1).
    assert_eq!((m.idtp, m.idfn, m.idfp), (2, 2, 2));
    assert_eq!(m.idf1, 0.5);
    // HOTA: DetA 1; each match's association = 2 / (4 + 2 − 2) = 0.5.
    assert_eq!(m.deta, 1.0);
    assert!(close(m.assa, 0.5));
    assert!(close(m.hota, 0.5f64.sqrt()));
    // AssRe: 2/4 for each pair; AssPr: 2/2.
    assert!(close(m.assre, 0.5));
    assert!(close(m.asspr, 1.0));
}

#[test]
fn clear_keeps_the_previous_match() {
    // Frame 2: tracker 1 overlaps the GT with IoU 0.6, tracker 2 with IoU 1.
    // CLEAR keeps tracker 1 (same id as in frame 1): no switch, 1 FP.
    let g = vec![gt(1, 1, A), gt(2, 1, A)];
    let t = vec![tr(1, 1, A), tr(2, 2, A), tr(2, 1, shifted(A, 2.5))];
    let m = eval(&g, &t, Benchmark::Mot17).metrics();
    assert_eq!((m.tp, m.idsw, m.fp, m.fn_), (2, 0, 1, 0));
    assert_eq!(m.mota, 0.5);
    assert!(close(m.motp, 0.8));
    // Identity: (gt 1, tracker 1) overlap in 2 frames → IDTP 2, IDFP 1,
    // IDF1 = 2 / (2 + 0.5).
    assert_eq!((m.idtp, m.idfp, m.idfn), (2, 1, 0));
    assert!(close(m.idf1, 0.8));
}

#[test]
fn hota_depends_on_alpha() {
    // One match of IoU 0.6: matched for the 12 α ≤ 0.6, FN + FP above.
    let m = eval(
        &[gt(1, 1, A)],
        &[tr(1, 1, shifted(A, 2.5))],
        Benchmark::Mot15,
    )
    .metrics();
    assert!(close(m.deta, 12.0 / 19.0));
    assert!(close(m.assa, 12.0 / 19.0));
    assert!(close(m.hota, 12.0 / 19.0));
    // LocA is 0.6 where matched and 1 (no match) elsewhere.
    assert!(close(m.loca, (12.0 * 0.6 + 7.0) / 19.0));
    assert_eq!((m.mota, m.idf1), (1.0, 1.0));
}

#[test]
fn mot17_distractor_removal() {
    let b = shifted(A, 100.0);
    let d = shifted(A, 200.0);
    let g = vec![
        gt_class(1, 1, A, 1, 1),
        gt_class(1, 2, b, 0, 8),                 // distractor
        gt_class(1, 3, d, 0, 7),                 // static person
        gt_class(1, 4, shifted(A, 400.0), 0, 1), // pedestrian marked "ignore"
    ];
    let t = vec![
        tr(1, 1, A),                 // TP
        tr(1, 2, b),                 // on the distractor: removed
        tr(1, 3, shifted(A, 300.0)), // on nothing: FP
        tr(1, 4, shifted(d, 5.0)),   // IoU 1/3 with the static person: FP
        tr(1, 5, shifted(A, 400.0)), // on a flag-0 pedestrian: FP
    ];
    let c = eval(&g, &t, Benchmark::Mot17);
    assert_eq!(c.distractors_removed, 1);
    assert_eq!((c.gt_dets, c.tracker_dets), (1, 4));
    let m = c.metrics();
    assert_eq!((m.tp, m.fp, m.fn_), (1, 3, 0));
    assert_eq!(m.mota, -2.0);

    // MOT15: no distractor step, flag-0 rows dropped, every box counts.
    let c = eval(&g, &t, Benchmark::Mot15);
    assert_eq!(c.distractors_removed, 0);
    let m = c.metrics();
    assert_eq!((m.tp, m.fp, m.fn_), (1, 4, 0));
    assert_eq!(m.mota, -3.0);

    // MOT15 keeps flag-1 rows whatever column 8 holds (world x there).
    let g15 = vec![gt_class(1, 1, A, 1, -3)];
    assert_eq!(eval(&g15, &[tr(1, 1, A)], Benchmark::Mot15).metrics().tp, 1);
}

#[test]
fn distractor_matching_is_an_assignment() {
    // The tracker box overlaps the pedestrian (IoU 0.6) and the distractor
    // (IoU 1): the assignment maximising total IoU takes the distractor, so
    // the box is removed and the pedestrian is missed.
    let g = vec![
        gt_class(1, 1, shifted(A, 2.5), 1, 1),
        gt_class(1, 2, A, 0, 8),
    ];
    let m = eval(&g, &[tr(1, 1, A)], Benchmark::Mot17).metrics();
    assert_eq!((m.tp, m.fp, m.fn_), (0, 0, 1));
    // MOT20 also treats class 6 as a distractor, MOT17 does not.
    let g = vec![gt_class(1, 1, A, 0, 6)];
    assert_eq!(eval(&g, &[tr(1, 1, A)], Benchmark::Mot17).metrics().fp, 1);
    assert_eq!(eval(&g, &[tr(1, 1, A)], Benchmark::Mot20).metrics().fp, 0);
}

#[test]
fn fragmentation_and_gaps() {
    // GT over frames 1-4, tracker absent in frame 3. A frame with no tracker
    // box at all does not break the track for CLEAR (TrackEval skips it).
    let g: Vec<GtRow> = (1..=4).map(|f| gt(f, 1, A)).collect();
    let t: Vec<ResultRow> = [1, 2, 4].iter().map(|&f| tr(f, 1, A)).collect();
    let m = eval(&g, &t, Benchmark::Mot17).metrics();
    assert_eq!((m.tp, m.fn_, m.frag, m.idsw), (3, 1, 0, 0));
    // With an unrelated tracker box in frame 3 the track is broken: 1 Frag.
    let mut t2 = t.clone();
    t2.push(tr(3, 9, shifted(A, 100.0)));
    let m = eval(&g, &t2, Benchmark::Mot17).metrics();
    assert_eq!((m.tp, m.fn_, m.fp, m.frag, m.idsw), (3, 1, 1, 1, 0));
    // MT needs more than 80 % of the frames: 3/4 is PT.
    assert_eq!((m.mt, m.pt, m.ml), (0, 1, 0));
}

#[test]
fn ids_are_relabelled() {
    // Large, negative and unordered ids behave like any others.
    let g = vec![gt(1, 1000, A), gt(1, -5, shifted(A, 50.0)), gt(2, 1000, A)];
    let t = vec![tr(1, 77, shifted(A, 50.0)), tr(1, 3, A), tr(2, 3, A)];
    let m = eval(&g, &t, Benchmark::Mot17).metrics();
    assert_eq!((m.hota, m.mota, m.idf1), (1.0, 1.0, 1.0));
    assert_eq!((m.gt_ids, m.tracker_ids), (2, 2));
}

#[test]
fn combine_sums_counts_and_weights_assa() {
    let (g, t) = id_switch();
    let a = eval(
        &[gt(1, 1, A), gt(2, 1, A)],
        &[tr(1, 1, A), tr(2, 1, A)],
        Benchmark::Mot17,
    );
    let b = eval(&g, &t, Benchmark::Mot17);
    let m = combine(&[a, b]);
    // 6 TP; AssA = (1·2 + 0.5·4) / 6.
    assert_eq!((m.tp, m.idsw, m.fp, m.fn_), (6, 1, 0, 0));
    assert!(close(m.mota, 5.0 / 6.0));
    assert_eq!(m.deta, 1.0);
    assert!(close(m.assa, 2.0 / 3.0));
    assert!(close(m.hota, (2.0f64 / 3.0).sqrt()));
    // IDTP 2 + 2 of 6: IDF1 = 4 / (4 + 1 + 1).
    assert!(close(m.idf1, 2.0 / 3.0));
    assert_eq!(combine(&[]).hota, 0.0);
}

#[test]
fn empty_sides() {
    // GT only: everything missed.
    let c = eval(&[gt(1, 1, A), gt(2, 1, A)], &[], Benchmark::Mot17);
    let m = c.metrics();
    assert_eq!((m.fn_, m.fp, m.ml), (2, 0, 1));
    assert_eq!((m.hota, m.mota, m.idf1, m.loca), (0.0, 0.0, 0.0, 1.0));
    // Tracker only: TrackEval reports MOTA 0 for the sequence, but the
    // combination recomputes it from the counts.
    let c = eval(&[], &[tr(1, 1, A), tr(1, 2, A)], Benchmark::Mot17);
    assert_eq!((c.clear.fp, c.clear.frames), (2, 0));
    assert_eq!(c.metrics().mota, 0.0);
    assert_eq!(combine(&[c]).mota, -2.0);
    let m = eval(&[], &[], Benchmark::Mot15).metrics();
    assert_eq!((m.hota, m.mota, m.fp, m.fn_), (0.0, 0.0, 0, 0));
}

#[test]
fn parse_files() {
    let g = parse_gt(
        "1,1,10,20,30,40,1,1,0.5\n\n1,2,1.5,2,3,4,0,7,1,\n",
        "gt.txt",
    )
    .unwrap();
    assert_eq!(g.len(), 2);
    assert_eq!((g[1].id, g[1].x, g[1].flag, g[1].class), (2, 1.5, 0, 7));
    assert_eq!(g[0].visibility, 0.5);
    // MOT15 GT: columns 8-10 are world coordinates (truncated, unused).
    let g = parse_gt("1,3,1,2,3,4,1,-3.17,16.3,0.45\n", "gt.txt").unwrap();
    assert_eq!((g[0].flag, g[0].class), (1, -3));

    let r = parse_results("1,5,1,2,3,4,0.9,-1,-1,-1\n2 6 1 2 3 4 1\n", "r.txt").unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!((r[0].id, r[0].class, r[0].conf), (5, -1, 0.9));
    assert_eq!((r[1].frame, r[1].id, r[1].class), (2, 6, 1));
}

#[test]
fn parse_errors_name_file_and_line() {
    let e = parse_results("1,1,1,2,3,4,1\n1,2,1,x,3,4,1\n", "r.txt").unwrap_err();
    assert_eq!(
        e.to_string(),
        "r.txt:2: column 4 (bb_top): cannot parse 'x'"
    );
    let e = parse_results("1,1,1,2,3,4,1\n2,1,1,2,3,4,1\n2,1,5,2,3,4,1\n", "r.txt").unwrap_err();
    assert_eq!(
        e.to_string(),
        "r.txt:3: tracker id 1 appears more than once in frame 2"
    );
    let e = parse_results("1,1,1,2,3,4,1,3\n", "r.txt").unwrap_err();
    assert!(e.to_string().starts_with("r.txt:1: column 8 (class) is 3"));
    let e = parse_results("0,1,1,2,3,4,1\n", "r.txt").unwrap_err();
    assert!(e.to_string().starts_with("r.txt:1: column 1 (frame)"));
    let e = parse_gt("1,1,1,2,3,4,1\n", "gt.txt").unwrap_err();
    assert!(e
        .to_string()
        .starts_with("gt.txt:1: ground truth needs at least 8 columns"));
    let e = parse_gt("1,1,1,2,3,4,1,1\n1,1,1,2,3,4,1,1\n", "gt.txt").unwrap_err();
    assert_eq!(
        e.to_string(),
        "gt.txt:2: ground-truth id 1 appears more than once in frame 1"
    );
    let e = load_gt("/nonexistent/gt.txt").unwrap_err();
    assert!(matches!(e, EvalError::Io { .. }));
}

#[test]
fn evaluation_errors() {
    let dup = [tr(3, 4, A), tr(3, 4, shifted(A, 50.0))];
    assert_eq!(
        evaluate_sequence(&[gt(3, 1, A)], &dup, Benchmark::Mot17).unwrap_err(),
        EvalError::DuplicateId {
            what: "tracker",
            frame: 3,
            id: 4
        }
    );
    let car = [ResultRow {
        class: 3,
        ..tr(1, 1, A)
    }];
    assert!(matches!(
        evaluate_sequence(&[], &car, Benchmark::Mot15),
        Err(EvalError::TrackerClass { frame: 1, class: 3 })
    ));
    let bad_gt = [gt_class(1, 1, A, 1, 14)];
    assert!(matches!(
        evaluate_sequence(&bad_gt, &[tr(1, 1, A)], Benchmark::Mot17),
        Err(EvalError::GtClass {
            frame: 1,
            class: 14
        })
    ));
    assert!(evaluate_sequence(&bad_gt, &[tr(1, 1, A)], Benchmark::Mot15).is_ok());
    let e =
        evaluate_sequence_with_length(&[gt(1, 1, A)], &[tr(5, 1, A)], Benchmark::Mot17, Some(4))
            .unwrap_err();
    assert_eq!(
        e.to_string(),
        "tracker frame 5 is outside the sequence (1..=4)"
    );
}

#[test]
fn benchmark_names() {
    assert_eq!("mot17".parse::<Benchmark>(), Ok(Benchmark::Mot17));
    assert_eq!("MOT16".parse::<Benchmark>(), Ok(Benchmark::Mot17));
    assert_eq!("MOT15".parse::<Benchmark>(), Ok(Benchmark::Mot15));
    assert!("KITTI".parse::<Benchmark>().is_err());
    assert_eq!(Benchmark::Mot20.to_string(), "MOT20");
}

/// Two cameras. Camera 0: people 1 and 2 over frames 1-3; camera 1: the same
/// people over frames 1-2. Boxes of different people never overlap. `ids`
/// gives the predicted global id of (camera, person).
fn two_cameras(ids: impl Fn(usize, i64) -> i64) -> Vec<(Vec<GtRow>, Vec<ResultRow>)> {
    let boxes = |p: i64| shifted(A, 50.0 * p as f64);
    [3u64, 2]
        .iter()
        .enumerate()
        .map(|(cam, &len)| {
            let mut g = Vec::new();
            let mut t = Vec::new();
            for f in 1..=len {
                for p in [1, 2] {
                    g.push(gt(f, p, boxes(p)));
                    t.push(tr(f, ids(cam, p), boxes(p)));
                }
            }
            (g, t)
        })
        .collect()
}

fn cross(cams: &[(Vec<GtRow>, Vec<ResultRow>)], lengths: [Option<u64>; 2]) -> CrossCameraCounts {
    let names = ["c0", "c1"];
    let seqs: Vec<CameraSequence<'_>> = cams
        .iter()
        .zip(names.iter().zip(lengths))
        .map(|((g, t), (name, num_frames))| CameraSequence {
            name,
            gt: g,
            results: t,
            num_frames,
        })
        .collect();
    evaluate_cameras(&seqs, Benchmark::Mot15).unwrap()
}

#[test]
fn cross_camera_perfect_global_ids() {
    // Global ids 10 and 20 in both cameras: every score is perfect.
    let cams = two_cameras(|_, p| 10 * p);
    let c = cross(&cams, [Some(5), Some(4)]);
    let m = c.cross.metrics();
    assert_eq!(
        (m.hota, m.deta, m.assa, m.mota, m.idf1),
        (1.0, 1.0, 1.0, 1.0, 1.0)
    );
    assert_eq!((m.tp, m.idsw, m.fp, m.fn_, m.idtp), (10, 0, 0, 0, 10));
    assert_eq!((m.gt_ids, m.tracker_ids), (2, 2));
    // One sequence of 5 + 4 frames.
    assert_eq!(c.num_frames, vec![5, 4]);
    assert_eq!(m.frames, 9);
    assert_eq!(c.per_camera.len(), 2);
    assert_eq!(c.per_camera[1].metrics().idf1, 1.0);
}

#[test]
fn cross_camera_new_id_in_second_camera() {
    // Person 1 gets global id 11 in camera 1 instead of 10. Each camera alone
    // is perfect; together, GT 1 (5 boxes) is split over ids 10 (3) and 11 (2).
    let cams = two_cameras(|cam, p| if cam == 1 && p == 1 { 11 } else { 10 * p });
    let c = cross(&cams, [None, None]);
    for s in &c.per_camera {
        assert_eq!((s.metrics().idf1, s.metrics().hota), (1.0, 1.0));
    }
    let m = c.cross.metrics();
    // Identity: GT 1 ↔ 10 (3 frames), GT 2 ↔ 20 (5): IDTP 8 of 10 boxes each
    // side → IDF1 = 8 / (8 + 1 + 1).
    assert_eq!((m.idtp, m.idfn, m.idfp), (8, 2, 2));
    assert!(close(m.idf1, 0.8));
    // CLEAR: GT 1 switches from 10 to 11 where camera 1 starts.
    assert_eq!((m.tp, m.idsw, m.fp, m.fn_), (10, 1, 0, 0));
    assert!(close(m.mota, 0.9));
    // HOTA: DetA 1. Matches (1, 10): 3 × 3/(5 + 3 − 3); (1, 11): 2 × 2/(5 + 2 − 2);
    // (2, 20): 5 × 1 → AssA = (9/5 + 4/5 + 5) / 10 = 0.76.
    assert_eq!(m.deta, 1.0);
    assert!(close(m.assa, 0.76));
    assert!(close(m.hota, 0.76f64.sqrt()));
    assert_eq!(m.tracker_ids, 3);
}

#[test]
fn cross_camera_swapped_ids_in_second_camera() {
    // Camera 1 swaps the global ids of the two people.
    let cams = two_cameras(|cam, p| if cam == 1 { 30 - 10 * p } else { 10 * p });
    let m = cross(&cams, [None, None]).cross.metrics();
    // Potential overlaps: (1, 10) = (2, 20) = 3, (1, 20) = (2, 10) = 2: IDTP
    // 6 of 10 → IDF1 0.6.
    assert_eq!((m.idtp, m.idfn, m.idfp), (6, 4, 4));
    assert!(close(m.idf1, 0.6));
    assert_eq!(m.idsw, 2);
    // Every id has 5 boxes: matches (p, own id) 3 × 3/7, (p, other id)
    // 2 × 2/8, twice → AssA = 2 · (9/7 + 1/2) / 10 = 5/14.
    assert!(close(m.assa, 5.0 / 14.0));
    assert!(close(m.hota, (5.0f64 / 14.0).sqrt()));
}

#[test]
fn cross_camera_of_one_camera_is_the_single_mode() {
    let (g, t) = id_switch();
    let seq = CameraSequence {
        name: "c0",
        gt: &g,
        results: &t,
        num_frames: Some(6),
    };
    let c = evaluate_cameras(&[seq], Benchmark::Mot17).unwrap();
    let single = evaluate_sequence_with_length(&g, &t, Benchmark::Mot17, Some(6)).unwrap();
    assert_eq!(c.cross, single);
    assert_eq!(c.per_camera, vec![single]);
}

#[test]
fn cross_camera_errors_name_the_camera() {
    let cams = two_cameras(|_, p| p);
    let seqs = [
        CameraSequence {
            name: "c0",
            gt: &cams[0].0,
            results: &cams[0].1,
            num_frames: Some(3),
        },
        CameraSequence {
            name: "c1",
            gt: &cams[1].0,
            results: &cams[1].1,
            num_frames: Some(1),
        },
    ];
    let e = evaluate_cameras(&seqs, Benchmark::Mot15).unwrap_err();
    assert_eq!(
        e.to_string(),
        "camera c1: ground-truth frame 2 is outside the sequence (1..=1)"
    );
}

#[test]
fn jsonl_predictions_use_global_ids() {
    let text = concat!(
        r#"{"schema":"rstracking/1","stream":"c0","frame":0,"objects":["#,
        r#"{"bbox":[0,0,10,10],"confidence":0.9,"track_id":1,"global_id":4},"#,
        r#"{"bbox":[50,0,10,10],"confidence":0.5,"track_id":2},"#,
        r#"{"bbox":[60,0,10,10],"confidence":0.5,"track_id":3,"global_id":4}]}"#,
        "\n",
        r#"{"schema":"rstracking/1","event":"merge","frame":1,"id":"global_id","from":4,"to":2}"#,
        "\n",
        r#"{"schema":"rstracking/1","frame":1,"objects":[{"bbox":[1.5,2,3,4],"confidence":0.1,"global_id":2}]}"#,
        "\n",
    );
    let (rows, counts) = parse_jsonl_results(text, "c0.jsonl").unwrap();
    assert_eq!(
        counts,
        JsonlCounts {
            frames: 2,
            objects: 4,
            without_global_id: 1,
            repeated_global_id: 1,
        }
    );
    // 0-based frames and pixels become MOT's 1-based ones.
    assert_eq!(
        rows,
        vec![
            ResultRow {
                conf: 0.9,
                ..ResultRow::new(1, 4, 1.0, 1.0, 10.0, 10.0)
            },
            ResultRow {
                conf: 0.1,
                ..ResultRow::new(2, 2, 2.5, 3.0, 3.0, 4.0)
            },
        ]
    );
    let e = parse_jsonl_results("", "c0.jsonl").unwrap_err();
    assert!(matches!(e, EvalError::Parse(_)));
}

#[test]
fn cross_camera_from_files() {
    let dir = std::env::temp_dir().join(format!("rstracking-cross-{}", std::process::id()));
    let cams = two_cameras(|cam, p| if cam == 1 && p == 1 { 11 } else { 10 * p });
    let mut files = Vec::new();
    for (k, (g, t)) in cams.iter().enumerate() {
        let name = format!("c{k}");
        let seq = dir.join("gt").join(&name);
        std::fs::create_dir_all(seq.join("gt")).unwrap();
        std::fs::create_dir_all(dir.join("pred")).unwrap();
        let gt_text: String = g
            .iter()
            .map(|r| {
                format!(
                    "{},{},{},{},{},{},1,1,1\n",
                    r.frame, r.id, r.x, r.y, r.w, r.h
                )
            })
            .collect();
        std::fs::write(seq.join("gt").join("gt.txt"), gt_text).unwrap();
        std::fs::write(seq.join("seqinfo.ini"), "[Sequence]\nseqLength=6\n").unwrap();
        // JSON Lines: 0-based frames and pixels, plus one object without a
        // global id per frame.
        let mut lines = String::new();
        for f in 1..=g.iter().map(|r| r.frame).max().unwrap() {
            let objects: Vec<String> = t
                .iter()
                .filter(|r| r.frame == f)
                .map(|r| {
                    format!(
                        r#"{{"bbox":[{},{},{},{}],"confidence":1,"global_id":{}}}"#,
                        r.x - 1.0,
                        r.y - 1.0,
                        r.w,
                        r.h,
                        r.id
                    )
                })
                .chain(std::iter::once(
                    r#"{"bbox":[0,0,5,5],"confidence":1,"track_id":9}"#.to_string(),
                ))
                .collect();
            lines += &format!(
                "{{\"schema\":\"rstracking/1\",\"frame\":{},\"objects\":[{}]}}\n",
                f - 1,
                objects.join(",")
            );
        }
        std::fs::write(dir.join("pred").join(format!("{name}.jsonl")), lines).unwrap();
        files.push(CameraFiles::mot_layout(
            &dir.join("gt"),
            &dir.join("pred"),
            &name,
        ));
    }
    let result = evaluate_cross_camera(&files, Benchmark::Mot15);
    files[1].max_frames = Some(1);
    let limited = evaluate_cross_camera(&files, Benchmark::Mot15);
    std::fs::remove_dir_all(&dir).unwrap();

    let (m, stats) = result.unwrap();
    assert!(close(m.idf1, 0.8));
    assert_eq!((m.idsw, m.fp, m.fn_, m.frames), (1, 0, 0, 12));
    let c1 = &stats.cameras[1];
    assert_eq!((c1.name.as_str(), c1.num_frames, c1.offset), ("c1", 6, 6));
    assert_eq!((c1.input.objects, c1.input.without_global_id), (6, 2));
    assert_eq!((stats.objects(), stats.without_global_id()), (15, 5));
    assert_eq!(stats.combined().idf1, 1.0);

    // Camera 1 cut to its first frame: GT 1 has 3 + 1 boxes.
    let (m, stats) = limited.unwrap();
    assert_eq!(
        (m.gt_dets, m.frames, stats.cameras[1].num_frames),
        (8, 7, 1)
    );
    // IDTP: (1, 10) 3 + (2, 20) 4 of 8 → IDF1 7/8.
    assert!(close(m.idf1, 7.0 / 8.0));
}
