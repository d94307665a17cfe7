// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
use super::*;

// ---- A naive transcription of the One Euro paper's pseudo-code. ----

struct LowPass {
    first_time: bool,
    hatxprev: f64,
}

impl LowPass {
    fn new() -> Self {
        LowPass {
            first_time: true,
            hatxprev: 0.0,
        }
    }

    fn filter(&mut self, x: f64, alpha: f64) -> f64 {
        let hatx = if self.first_time {
            self.first_time = false;
            x
        } else {
            alpha * x + (1.0 - alpha) * self.hatxprev
        };
        self.hatxprev = hatx;
        hatx
    }
}

struct OneEuroRef {
    mincutoff: f64,
    beta: f64,
    dcutoff: f64,
    x: LowPass,
    dx: LowPass,
    last_time: Option<f64>,
}

fn ref_alpha(te: f64, cutoff: f64) -> f64 {
    let tau = 1.0 / (2.0 * std::f64::consts::PI * cutoff);
    1.0 / (1.0 + tau / te)
}

impl OneEuroRef {
    fn filter(&mut self, value: f64, t: f64) -> f64 {
        // Sampling period; the first call's value does not matter.
        let te = match self.last_time {
            Some(last) => t - last,
            None => 1.0,
        };
        self.last_time = Some(t);
        let dvalue = if self.x.first_time {
            0.0
        } else {
            (value - self.x.hatxprev) / te
        };
        let edvalue = self.dx.filter(dvalue, ref_alpha(te, self.dcutoff));
        let cutoff = self.mincutoff + self.beta * edvalue.abs();
        self.x.filter(value, ref_alpha(te, cutoff))
    }
}

/// Deterministic uniform numbers in [0, 1) from a 32-bit LCG.
struct Lcg(u32);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (self.0 >> 8) as f64 / (1u32 << 24) as f64
    }
}

fn kp(x: f32, y: f32, confidence: f32) -> Keypoint {
    Keypoint {
        x,
        y,
        confidence,
        state: KeypointState::Measured,
    }
}

fn tracked(id: u64, bbox: BBox, keypoints: Vec<Keypoint>) -> Object {
    let mut o = Object::new(bbox, 0.9, 0);
    o.track_id = Some(id);
    o.track_state = Some(TrackState::Tracked);
    o.label = Some("person".into());
    o.keypoints = keypoints;
    o
}

fn ema_cfg(alpha: f64) -> SmootherConfig {
    SmootherConfig {
        filter: FilterKind::Ema { alpha },
        ..Default::default()
    }
}

#[test]
fn one_euro_matches_reference_transcription() {
    for &(mincutoff, beta, dcutoff) in &[(1.0, 0.007, 1.0), (0.5, 0.05, 2.0), (3.0, 0.0, 1.0)] {
        let mut ours = OneEuro::new(mincutoff, beta, dcutoff);
        let mut reference = OneEuroRef {
            mincutoff,
            beta,
            dcutoff,
            x: LowPass::new(),
            dx: LowPass::new(),
            last_time: None,
        };
        let mut rng = Lcg(12345);
        let mut t = 0.0;
        let mut max_diff: f64 = 0.0;
        for _ in 0..500 {
            let x = 100.0 * (2.0 * std::f64::consts::PI * 0.5 * t).sin() + 4.0 * (rng.next() - 0.5);
            let a = ours.filter(x, t);
            let b = reference.filter(x, t);
            max_diff = max_diff.max((a - b).abs());
            t += (0.7 + 0.6 * rng.next()) / 60.0;
        }
        assert!(max_diff <= 1e-9, "max diff {max_diff}");
    }
}

#[test]
fn one_euro_first_outputs_by_hand() {
    // x = 0, 1, 2 at t = 0, 0.1, 0.2; min_cutoff 1, beta 0, d_cutoff 1.
    // rate = 10, τ = 1/(2π·1) = 0.1591549…, so
    // alpha = 1/(1 + τ·rate) = 1/(1 + 1/(2π·0.1)) = 2π/(2π + 10)
    //       = 0.3858695450950375.
    // y0 = 0 (first sample passes)
    // y1 = alpha·1 + (1 − alpha)·0 = 0.3858695450950375
    // y2 = alpha·2 + (1 − alpha)·y1 = alpha·(3 − alpha) = 1.0087133294532613
    let mut f = OneEuro::new(1.0, 0.0, 1.0);
    assert_eq!(f.filter(0.0, 0.0), 0.0);
    assert!((f.filter(1.0, 0.1) - 0.385_869_545_095_037_5).abs() < 1e-12);
    assert!((f.filter(2.0, 0.2) - 1.008_713_329_453_261_3).abs() < 1e-12);
}

#[test]
fn one_euro_bad_dt_uses_previous_dt() {
    let mut a = OneEuro::new(1.0, 0.007, 1.0);
    let mut b = OneEuro::new(1.0, 0.007, 1.0);
    a.filter(0.0, 0.0);
    b.filter(0.0, 0.0);
    a.filter(1.0, 0.1);
    b.filter(1.0, 0.1);
    // A repeated timestamp behaves as the previous dt (0.1).
    let ya = a.filter(2.0, 0.1);
    let yb = b.filter(2.0, 0.2);
    assert_eq!(ya, yb);
    // No valid dt yet: 1/60 s.
    let mut c = OneEuro::new(1.0, 0.0, 1.0);
    let mut d = OneEuro::new(1.0, 0.0, 1.0);
    c.filter(0.0, 5.0);
    d.filter(0.0, 0.0);
    assert_eq!(c.filter(1.0, f64::NAN), d.filter(1.0, 1.0 / 60.0));
    c.reset();
    assert_eq!(c.filter(7.0, 3.0), 7.0);
}

#[test]
fn one_euro_output_velocity_follows_a_ramp() {
    let mut f = OneEuro::new(1.0, 0.0, 1.0);
    for i in 0..600 {
        let t = i as f64 / 60.0;
        f.filter(5.0 + 30.0 * t, t);
    }
    assert!((f.output_velocity() - 30.0).abs() < 1e-3);
    // The derivative against the filtered value carries the lag.
    assert!(f.velocity() > 60.0);
}

#[test]
fn kalman_tracks_a_constant_velocity_ramp() {
    let mut k = Kalman1::new(1.0, 1.0);
    let mut errors = Vec::new();
    for i in 0..40 {
        let t = i as f64 / 30.0;
        let truth = 5.0 + 30.0 * t;
        errors.push((k.update(truth, t, 1.0) - truth).abs());
    }
    assert!(errors[39] < 1e-2, "{errors:?}");
    assert!(errors[39] < errors[3]);
    assert!((k.velocity() - 30.0).abs() < 0.1);
}

#[test]
fn kalman_low_confidence_corrects_less() {
    let mut corrections = Vec::new();
    for &conf in &[1.0, 0.5, 0.2, 0.01] {
        let mut k = Kalman1::new(10.0, 4.0);
        for i in 0..10 {
            let t = i as f64 / 30.0;
            k.update(2.0 * t, t, 1.0);
        }
        let t = 10.0 / 30.0;
        let (prior, _) = k.predict_to(t);
        let post = k.update(2.0 * t + 10.0, t, conf);
        corrections.push(post - prior);
    }
    assert!(corrections[0] > corrections[1], "{corrections:?}");
    assert!(corrections[1] > corrections[2], "{corrections:?}");
    assert!(corrections[2] > corrections[3], "{corrections:?}");
    assert!(corrections[3] > 0.0);
}

type M2 = [[f64; 2]; 2];

fn mul(a: &M2, b: &M2) -> M2 {
    std::array::from_fn(|i| std::array::from_fn(|j| a[i][0] * b[0][j] + a[i][1] * b[1][j]))
}

fn transpose(a: &M2) -> M2 {
    [[a[0][0], a[1][0]], [a[0][1], a[1][1]]]
}

fn inverse(a: &M2) -> M2 {
    let d = a[0][0] * a[1][1] - a[0][1] * a[1][0];
    [[a[1][1] / d, -a[0][1] / d], [-a[1][0] / d, a[0][0] / d]]
}

/// Textbook matrix form of the same model: forward Kalman filter, then
/// the full Rauch–Tung–Striebel pass over all of `zs` (times, values,
/// confidences). Returns (filtered, smoothed) positions.
fn reference_rts(q: f64, r: f64, zs: &[(f64, f64, f64)]) -> (Vec<f64>, Vec<f64>) {
    let mut x_post: Vec<[f64; 2]> = Vec::new();
    let mut p_post: Vec<M2> = Vec::new();
    let mut x_prior: Vec<[f64; 2]> = Vec::new();
    let mut p_prior: Vec<M2> = Vec::new();
    let mut fs: Vec<M2> = Vec::new();
    for (i, &(t, z, c)) in zs.iter().enumerate() {
        let rk = r / c.max(0.05);
        if i == 0 {
            x_prior.push([z, 0.0]);
            p_prior.push([[rk, 0.0], [0.0, 1e4]]);
            x_post.push([z, 0.0]);
            p_post.push([[rk, 0.0], [0.0, 1e4]]);
            fs.push([[1.0, 0.0], [0.0, 1.0]]);
            continue;
        }
        let dt = t - zs[i - 1].0;
        let f = [[1.0, dt], [0.0, 1.0]];
        let qm = [
            [q * dt.powi(3) / 3.0, q * dt * dt / 2.0],
            [q * dt * dt / 2.0, q * dt],
        ];
        let x = x_post[i - 1];
        let xp = [x[0] + dt * x[1], x[1]];
        let pp = mul(&mul(&f, &p_post[i - 1]), &transpose(&f));
        let pp: M2 = std::array::from_fn(|a| std::array::from_fn(|b| pp[a][b] + qm[a][b]));
        // H = [1, 0].
        let s = pp[0][0] + rk;
        let k = [pp[0][0] / s, pp[1][0] / s];
        let innovation = z - xp[0];
        x_post.push([xp[0] + k[0] * innovation, xp[1] + k[1] * innovation]);
        let ikh = [[1.0 - k[0], 0.0], [-k[1], 1.0]];
        p_post.push(mul(&ikh, &pp));
        x_prior.push(xp);
        p_prior.push(pp);
        fs.push(f);
    }
    let n = zs.len();
    let mut xs = x_post.clone();
    for k in (0..n - 1).rev() {
        let c = mul(
            &mul(&p_post[k], &transpose(&fs[k + 1])),
            &inverse(&p_prior[k + 1]),
        );
        let d = [
            xs[k + 1][0] - x_prior[k + 1][0],
            xs[k + 1][1] - x_prior[k + 1][1],
        ];
        xs[k] = [
            x_post[k][0] + c[0][0] * d[0] + c[0][1] * d[1],
            x_post[k][1] + c[1][0] * d[0] + c[1][1] * d[1],
        ];
    }
    (
        x_post.iter().map(|x| x[0]).collect(),
        xs.iter().map(|x| x[0]).collect(),
    )
}

/// Irregular times (one repeated), a noisy curve, varying confidence.
fn rts_samples() -> Vec<(f64, f64, f64)> {
    let mut rng = Lcg(99);
    let mut t = 0.0;
    (0..40)
        .map(|i| {
            if i != 17 {
                t += 0.01 + 0.03 * rng.next();
            }
            let z = 50.0 * (3.0 * t).sin() + 4.0 * (rng.next() - 0.5);
            (t, z, 0.3 + 0.7 * rng.next())
        })
        .collect()
}

#[test]
fn kalman_fixed_lag_equals_the_textbook_rts_smoother() {
    let (q, r) = (5000.0, 4.0);
    let zs = rts_samples();
    let lag = 3usize;
    let mut k = Kalman1::with_history(q, r, lag + 1);
    let mut plain = Kalman1::new(q, r);
    for (n, &(t, z, c)) in zs.iter().enumerate() {
        let filtered = k.update_tagged(z, t, c, n as u64);
        assert_eq!(filtered, plain.update(z, t, c), "history changes nothing");
        // The estimate at n − lag given everything up to n is the full
        // smoother's on the first n + 1 samples.
        let (f_ref, s_ref) = reference_rts(q, r, &zs[..=n]);
        assert!(
            (filtered - f_ref[n]).abs() < 1e-9,
            "{n}: {filtered} vs {}",
            f_ref[n]
        );
        assert_eq!(k.smoothed(n as u64), Some(filtered), "newest = filtered");
        for back in 1..=lag.min(n) {
            let m = n - back;
            let got = k.smoothed(m as u64).unwrap();
            assert!(
                (got - s_ref[m]).abs() < 1e-9,
                "{n} back {back}: {got} vs {}",
                s_ref[m]
            );
        }
        if n > lag {
            assert_eq!(
                k.smoothed((n - lag - 1) as u64),
                None,
                "older than the history"
            );
        }
    }
    // Smoothing moves estimates (this is not the filter again).
    let (f_ref, s_ref) = reference_rts(q, r, &zs);
    let moved = f_ref
        .iter()
        .zip(&s_ref)
        .filter(|(a, b)| (*a - *b).abs() > 0.1)
        .count();
    assert!(moved > 20, "{moved}");
    assert_eq!(Kalman1::new(q, r).smoothed(0), None);
    k.reset();
    assert_eq!(k.smoothed(39), None, "reset forgets the history");
}

#[test]
fn lookahead_needs_kalman_and_latency() {
    let kalman = FilterKind::Kalman {
        process_noise: 1.0,
        measurement_noise: 1.0,
    };
    let cfg = |filter, latency| SmootherConfig {
        filter,
        latency,
        lookahead: true,
        ..Default::default()
    };
    assert!(cfg(kalman, 1).validate().is_ok());
    let e = cfg(FilterKind::default(), 1)
        .validate()
        .unwrap_err()
        .to_string();
    assert!(e.contains("filter=kalman"), "{e}");
    let e = cfg(FilterKind::Ema { alpha: 0.5 }, 2)
        .validate()
        .unwrap_err()
        .to_string();
    assert!(e.contains("filter=kalman"), "{e}");
    let e = cfg(kalman, 0).validate().unwrap_err().to_string();
    assert!(e.contains("latency"), "{e}");
    assert!(SmootherConfig::default().validate().is_ok());
}

#[test]
fn lookahead_releases_fixed_lag_estimates() {
    let (q, r) = (5000.0, 4.0);
    let latency = 2u32;
    let cfg = SmootherConfig {
        filter: FilterKind::Kalman {
            process_noise: q,
            measurement_noise: r,
        },
        latency,
        lookahead: true,
        smooth_boxes: true,
        ..Default::default()
    };
    let zs = rts_samples();
    // Keypoint 1 is invalid on frame 10 (skipped by its filter only);
    // track 2 appears on frame 5 (its own history).
    let mut s = PoseSmoother::new(cfg);
    let mut out = Vec::new();
    for (n, &(t, z, c)) in zs.iter().enumerate() {
        let conf = if n == 10 { 0.1 } else { 0.9 };
        let mut objs = vec![tracked(
            1,
            BBox::new(z as f32, 0.0, 10.0, 10.0),
            vec![kp(z as f32, 0.0, c as f32), kp(-(z as f32), 5.0, conf)],
        )];
        if n >= 5 {
            objs.push(tracked(
                2,
                BBox::default(),
                vec![kp(2.0 * z as f32, 1.0, 0.9)],
            ));
        }
        out.extend(s.push(t, objs, n));
    }
    assert_eq!(out.len(), zs.len() - latency as usize);
    out.extend(s.flush());
    assert_eq!(out.len(), zs.len());
    let mut x0 = Kalman1::with_history(q, r, latency as usize + 1);
    let mut x1 = Kalman1::with_history(q, r, latency as usize + 1);
    let mut x2 = Kalman1::with_history(q, r, latency as usize + 1);
    let mut cx = Kalman1::with_history(q, r, latency as usize + 1);
    let mut want = vec![[f64::NAN; 4]; zs.len()];
    let estimate = |n: usize, ks: [&Kalman1; 4], w: &mut Vec<[f64; 4]>| {
        w[n] = std::array::from_fn(|i| ks[i].smoothed(n as u64).unwrap_or(f64::NAN));
    };
    for (n, &(t, z, c)) in zs.iter().enumerate() {
        x0.update_tagged(z as f32 as f64, t, c as f32 as f64, n as u64);
        if n != 10 {
            x1.update_tagged(-(z as f32) as f64, t, 0.9f32 as f64, n as u64);
        }
        if n >= 5 {
            x2.update_tagged((2.0 * z as f32) as f64, t, 0.9f32 as f64, n as u64);
        }
        cx.update_tagged(z as f32 as f64 + 5.0, t, 0.9f32 as f64, n as u64);
        if n >= latency as usize {
            estimate(n - latency as usize, [&x0, &x1, &x2, &cx], &mut want);
        }
    }
    for n in zs.len() - latency as usize..zs.len() {
        estimate(n, [&x0, &x1, &x2, &cx], &mut want);
    }
    for (n, (payload, objs)) in out.iter().enumerate() {
        assert_eq!(*payload, n);
        let [w0, w1, w2, wc] = want[n];
        let k0 = objs[0].keypoints[0];
        assert_eq!(k0.state, KeypointState::Smoothed);
        assert!(
            (k0.x as f64 - w0).abs() < 1e-3,
            "frame {n}: {} vs {w0}",
            k0.x
        );
        let k1 = objs[0].keypoints[1];
        if n == 10 {
            assert_eq!(k1.state, KeypointState::Missing);
            assert_eq!(k1.x, -(zs[10].1 as f32));
        } else {
            assert!(
                (k1.x as f64 - w1).abs() < 1e-3,
                "frame {n}: {} vs {w1}",
                k1.x
            );
        }
        let b = objs[0].bbox;
        assert!(
            (b.x as f64 + 5.0 - wc).abs() < 1e-3,
            "frame {n}: box {b:?} vs {wc}"
        );
        if n >= 5 {
            let k2 = objs[1].keypoints[0];
            assert!(
                (k2.x as f64 - w2).abs() < 1e-3,
                "frame {n}: {} vs {w2}",
                k2.x
            );
        }
    }
}

#[test]
fn kalman_predict_to_extrapolates_without_changing_state() {
    let mut k = Kalman1::new(1.0, 1.0);
    assert!(k.predict_to(0.0).0.is_nan());
    for i in 0..60 {
        let t = i as f64 / 30.0;
        k.update(-3.0 + 12.0 * t, t, 1.0);
    }
    let before = k.clone();
    let t_last = 59.0 / 30.0;
    let (p, v) = k.predict_to(t_last + 0.5);
    assert_eq!(k, before);
    assert!((p - (-3.0 + 12.0 * (t_last + 0.5))).abs() < 1e-2, "{p}");
    assert!((v - 12.0).abs() < 1e-2);
    k.reset();
    assert_eq!(k.update(4.0, 9.0, 1.0), 4.0);
}

#[test]
fn ema_exact_values() {
    let mut e = Ema::new(0.5);
    let out: Vec<f64> = [4.0, 8.0, 0.0, 2.0].iter().map(|&x| e.filter(x)).collect();
    assert_eq!(out, vec![4.0, 6.0, 3.0, 2.5]);
    let mut e = Ema::new(0.25);
    assert_eq!(e.filter(8.0), 8.0);
    assert_eq!(e.filter(0.0), 6.0);
    assert_eq!(e.filter(6.0), 6.0);
    e.reset();
    assert_eq!(e.filter(1.0), 1.0);
}

#[test]
fn objects_without_measurement_pass_unchanged() {
    let mut s = PoseSmoother::new(SmootherConfig::default());
    let mut anonymous = Object::new(BBox::new(1.0, 2.0, 3.0, 4.0), 0.7, 3);
    anonymous.keypoints = vec![kp(1.5, 2.5, 0.9)];
    let mut lost = tracked(9, BBox::new(5.0, 5.0, 5.0, 5.0), vec![kp(6.0, 6.0, 0.9)]);
    lost.track_state = Some(TrackState::Lost);
    let bare = tracked(10, BBox::new(0.0, 0.0, 1.0, 1.0), Vec::new());
    let input = vec![anonymous, lost, bare];
    let out = s.push(0.0, input.clone(), ());
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].1, input);
    assert_eq!(s.stats().passed_without_track_id, 1);
    assert_eq!(s.num_tracks(), 0);
}

#[test]
fn low_confidence_keypoint_is_missing_and_unchanged() {
    let mut s = PoseSmoother::new(SmootherConfig::default());
    let b = BBox::new(0.0, 0.0, 50.0, 50.0);
    for i in 0..5 {
        let t = i as f64 / 30.0;
        let o = tracked(
            1,
            b,
            vec![kp(10.0 + i as f32, 10.0, 0.9), kp(20.0, 21.0, 0.1)],
        );
        let out = s.push(t, vec![o], i);
        let kps = &out[0].1[0].keypoints;
        assert_eq!(kps[0].state, KeypointState::Smoothed);
        assert_eq!(kps[0].confidence, 0.9);
        assert_eq!(
            kps[1],
            Keypoint {
                x: 20.0,
                y: 21.0,
                confidence: 0.1,
                state: KeypointState::Missing,
            }
        );
        if i > 0 {
            // Smoothing lags behind the moving point.
            assert!(kps[0].x < 10.0 + i as f32);
        }
        assert_eq!(out[0].1[0].bbox, b);
    }
    assert_eq!(s.stats().smoothed_keypoints, 5);
    assert_eq!(s.stats().missing_keypoints, 5);
}

#[test]
fn non_finite_keypoints_are_missing_and_never_filtered() {
    let mut s = PoseSmoother::new(SmootherConfig::default());
    let b = BBox::new(0.0, 0.0, 50.0, 50.0);
    let o = tracked(
        1,
        b,
        vec![kp(f32::NAN, 5.0, 0.9), kp(1.0, f32::INFINITY, 0.9)],
    );
    let out = s.push(0.0, vec![o], ());
    let kps = &out[0].1[0].keypoints;
    assert!(kps[0].x.is_nan());
    assert_eq!(kps[0].y, 5.0);
    assert_eq!(kps[0].state, KeypointState::Missing);
    assert_eq!(kps[1].y, f32::INFINITY);
    assert_eq!(kps[1].state, KeypointState::Missing);
    for i in 1..20 {
        let t = i as f64 / 30.0;
        let o = tracked(1, b, vec![kp(3.0, 5.0, 0.9), kp(1.0, 2.0, 0.9)]);
        let out = s.push(t, vec![o], ());
        for k in &out[0].1[0].keypoints {
            assert!(k.x.is_finite() && k.y.is_finite());
            assert_eq!(k.state, KeypointState::Smoothed);
        }
    }
    // Predictions after a gap stay finite too.
    let out = s.push(1.0, Vec::new(), ());
    for k in &out[0].1[0].keypoints {
        assert!(k.x.is_finite() && k.y.is_finite());
    }
    assert_eq!(s.stats().missing_keypoints, 2);
}

#[test]
fn keypoint_count_change_rebuilds_filters() {
    let mut s = PoseSmoother::new(SmootherConfig::default());
    let b = BBox::new(0.0, 0.0, 50.0, 50.0);
    for (i, n) in [3usize, 3, 5, 5, 3].into_iter().enumerate() {
        let kps = (0..n)
            .map(|k| kp(k as f32 * 10.0 + i as f32, 1.0, 0.9))
            .collect();
        let out = s.push(i as f64 / 30.0, vec![tracked(4, b, kps)], ());
        let o = &out[0].1[0];
        assert_eq!(o.keypoints.len(), n);
        assert!(o
            .keypoints
            .iter()
            .all(|k| k.state == KeypointState::Smoothed));
        if i == 2 || i == 4 {
            // Fresh filters: the first sample passes unchanged.
            assert_eq!(o.keypoints[1].x, 10.0 + i as f32);
        }
    }
    assert_eq!(s.stats().keypoint_count_changes, 2);
    assert_eq!(s.num_tracks(), 1);
}

#[test]
fn missing_track_is_predicted_then_dropped() {
    let mut s = PoseSmoother::new(ema_cfg(1.0));
    let dt = 1.0 / 30.0;
    for i in 0..5 {
        let x = 100.0 + 2.0 * i as f32; // 60 px/s
        let y = 50.0 - i as f32; // −30 px/s
        let o = tracked(
            7,
            BBox::new(x - 5.0, y - 5.0, 10.0, 10.0),
            vec![kp(x, y, 0.9), kp(0.0, 0.0, 0.1)],
        );
        let out = s.push(i as f64 * dt, vec![o], i);
        assert_eq!(out[0].1.len(), 1);
    }
    for i in 5..12usize {
        let t = i as f64 * dt;
        let out = s.push(t, Vec::new(), i);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, i);
        let objs = &out[0].1;
        let k = i - 4; // frames missed so far
        if k > 5 {
            assert!(objs.is_empty(), "frame {i}");
            continue;
        }
        assert_eq!(objs.len(), 1, "frame {i}");
        let o = &objs[0];
        assert_eq!(o.track_id, Some(7));
        assert_eq!(o.track_state, Some(TrackState::Predicted));
        assert_eq!(o.label.as_deref(), Some("person"));
        let decay = 0.8f32.powi(k as i32);
        let (ex, ey) = (108.0 + 2.0 * k as f64, 46.0 - k as f64);
        let p = o.keypoints[0];
        assert_eq!(p.state, KeypointState::Predicted);
        assert!((p.x as f64 - ex).abs() < 1e-3, "{} vs {ex}", p.x);
        assert!((p.y as f64 - ey).abs() < 1e-3, "{} vs {ey}", p.y);
        assert!((p.confidence - 0.9 * decay).abs() < 1e-6);
        assert!((o.confidence - 0.9 * decay).abs() < 1e-6);
        assert_eq!(o.keypoints[1].state, KeypointState::Missing);
        // The box moves with the mean velocity of the valid keypoints.
        assert!((o.bbox.x as f64 - (ex - 5.0)).abs() < 1e-3);
        assert!((o.bbox.y as f64 - (ey - 5.0)).abs() < 1e-3);
        assert_eq!((o.bbox.w, o.bbox.h), (10.0, 10.0));
        assert_eq!(s.num_tracks(), usize::from(k < 5));
    }
    assert_eq!(s.num_tracks(), 0);
    assert_eq!(s.stats().predicted_objects, 5);
}

#[test]
fn one_euro_prediction_uses_the_output_velocity() {
    let cfg = SmootherConfig {
        filter: FilterKind::OneEuro {
            min_cutoff: 1.0,
            beta: 0.0,
            d_cutoff: 1.0,
        },
        ..Default::default()
    };
    let mut s = PoseSmoother::new(cfg);
    let mut fx = OneEuro::new(1.0, 0.0, 1.0);
    let dt = 1.0 / 60.0;
    let mut last = 0.0;
    for i in 0..60 {
        let t = i as f64 * dt;
        let x = (10.0 + 0.5 * i as f32) as f64;
        last = fx.filter(x, t);
        let o = tracked(1, BBox::default(), vec![kp(x as f32, 0.0, 1.0)]);
        s.push(t, vec![o], ());
    }
    let t = 62.0 * dt;
    let out = s.push(61.0 * dt, Vec::new(), ());
    assert_eq!(out[0].1.len(), 1);
    let out = s.push(t, Vec::new(), ());
    let p = out[0].1[0].keypoints[0];
    let expected = last + fx.output_velocity() * (t - 59.0 * dt);
    assert!(
        (p.x as f64 - expected).abs() < 1e-3,
        "{} vs {expected}",
        p.x
    );
    assert!((p.confidence - 0.64).abs() < 1e-6);
}

/// Runs one track through a smoother with latency 2; the track is absent
/// in `gap`. Returns the released frames in order.
fn run_latency(gap: &[usize], times: &[f64]) -> (Vec<(usize, Vec<Object>)>, SmootherStats) {
    let cfg = SmootherConfig {
        latency: 2,
        ..ema_cfg(1.0)
    };
    let mut s = PoseSmoother::new(cfg);
    let mut released = Vec::new();
    for (i, &t) in times.iter().enumerate() {
        let mut objs = vec![tracked(
            2,
            BBox::new(0.0, 0.0, 5.0, 5.0),
            vec![kp(-1.0, -1.0, 0.9)],
        )];
        if !gap.contains(&i) {
            let x = (10.0 + 100.0 * t) as f32;
            objs.push(tracked(
                1,
                BBox::new(x, 2.0 * x, 20.0, 40.0),
                vec![kp(x, 20.0, 0.9), kp(x, 30.0, 0.2)],
            ));
        }
        let out = s.push(t, objs, i);
        assert!(s.held_frames() <= 2);
        if i < 2 {
            assert!(out.is_empty());
        } else {
            assert_eq!(out.len(), 1);
            assert_eq!(out[0].0, i - 2);
        }
        released.extend(out);
    }
    assert_eq!(s.held_frames(), 2);
    let rest = s.flush();
    assert_eq!(rest.len(), 2);
    assert_eq!(s.held_frames(), 0);
    released.extend(rest);
    let order: Vec<usize> = released.iter().map(|r| r.0).collect();
    assert_eq!(order, (0..times.len()).collect::<Vec<_>>());
    (released, s.stats())
}

const IRREGULAR: [f64; 10] = [0.0, 0.03, 0.07, 0.1, 0.13, 0.18, 0.2, 0.26, 0.3, 0.33];

#[test]
fn latency_two_interpolates_a_two_frame_gap() {
    let (frames, stats) = run_latency(&[5, 6], &IRREGULAR);
    let x = |i: usize| (10.0 + 100.0 * IRREGULAR[i]) as f32 as f64;
    let (t4, t7) = (IRREGULAR[4], IRREGULAR[7]);
    for i in [5, 6] {
        let objs = &frames[i].1;
        assert_eq!(objs.len(), 2);
        assert_eq!(objs[0].track_id, Some(2));
        let o = &objs[1];
        assert_eq!(o.track_id, Some(1));
        assert_eq!(o.track_state, Some(TrackState::Tracked));
        let s = (IRREGULAR[i] - t4) / (t7 - t4);
        let ex = x(4) + (x(7) - x(4)) * s;
        let k = o.keypoints[0];
        assert_eq!(k.state, KeypointState::Interpolated);
        assert!((k.x as f64 - ex).abs() < 1e-4, "{} vs {ex}", k.x);
        assert_eq!(k.y, 20.0);
        assert!((k.confidence - 0.9).abs() < 1e-6);
        assert_eq!(o.keypoints[1].state, KeypointState::Missing);
        assert!((o.bbox.x as f64 - ex).abs() < 1e-4);
        assert!((o.bbox.y as f64 - 2.0 * ex).abs() < 2e-4);
        assert_eq!((o.bbox.w, o.bbox.h), (20.0, 40.0));
    }
    for (i, f) in frames.iter().enumerate() {
        if ![5, 6].contains(&i) {
            assert_eq!(f.1[1].keypoints[0].state, KeypointState::Smoothed);
        }
    }
    assert_eq!(stats.interpolated_objects, 2);
    assert_eq!(stats.predicted_objects, 0);
}

#[test]
fn latency_two_predicts_a_three_frame_gap() {
    let (frames, stats) = run_latency(&[5, 6, 7], &IRREGULAR);
    for i in [5, 6, 7] {
        let o = &frames[i].1[1];
        assert_eq!(o.track_state, Some(TrackState::Predicted));
        assert_eq!(o.keypoints[0].state, KeypointState::Predicted);
    }
    assert_eq!(stats.interpolated_objects, 0);
    assert_eq!(stats.predicted_objects, 3);
}

#[test]
fn flush_releases_open_gaps_with_predictions() {
    let (frames, stats) = run_latency(&[8, 9], &IRREGULAR);
    for i in [8, 9] {
        assert_eq!(frames[i].1[1].track_state, Some(TrackState::Predicted));
    }
    assert_eq!(stats.predicted_objects, 2);
}

#[test]
fn reset_drops_tracks_and_returns_held_frames() {
    let cfg = SmootherConfig {
        latency: 3,
        ..Default::default()
    };
    let mut s = PoseSmoother::new(cfg);
    for i in 0..3 {
        let o = tracked(1, BBox::default(), vec![kp(1.0, 1.0, 0.9)]);
        assert!(s.push(i as f64 / 30.0, vec![o], i).is_empty());
    }
    let out = s.reset();
    assert_eq!(out.iter().map(|f| f.0).collect::<Vec<_>>(), vec![0, 1, 2]);
    assert_eq!(s.num_tracks(), 0);
    assert_eq!(s.held_frames(), 0);
}

#[test]
fn smooth_boxes_filters_centre_and_size() {
    let cfg = SmootherConfig {
        smooth_boxes: true,
        ..ema_cfg(0.5)
    };
    let mut s = PoseSmoother::new(cfg);
    let o = tracked(1, BBox::new(0.0, 0.0, 10.0, 10.0), vec![kp(0.0, 0.0, 0.9)]);
    s.push(0.0, vec![o], ());
    let o = tracked(1, BBox::new(10.0, 0.0, 10.0, 20.0), vec![kp(0.0, 0.0, 0.9)]);
    let out = s.push(0.1, vec![o], ());
    // centre x 5 → 15: 10; centre y 5 → 10: 7.5; h 10 → 20: 15.
    assert_eq!(out[0].1[0].bbox, BBox::new(5.0, 0.0, 10.0, 15.0));
    // Predicted: the centre moves on with the box velocity (50, 25) px/s.
    let out = s.push(0.2, Vec::new(), ());
    assert_eq!(out[0].1[0].bbox, BBox::new(10.0, 2.5, 10.0, 15.0));
}

#[test]
fn kalman_smoother_produces_smoothed_keypoints() {
    let cfg = SmootherConfig {
        filter: FilterKind::Kalman {
            process_noise: 100.0,
            measurement_noise: 4.0,
        },
        ..Default::default()
    };
    let mut s = PoseSmoother::new(cfg);
    let mut rng = Lcg(7);
    let mut last = 0.0;
    for i in 0..120 {
        let t = i as f64 / 30.0;
        let x = 50.0 + 30.0 * t + 2.0 * (rng.next() - 0.5);
        let o = tracked(3, BBox::default(), vec![kp(x as f32, 0.0, 0.8)]);
        let out = s.push(t, vec![o], ());
        let k = out[0].1[0].keypoints[0];
        assert_eq!(k.state, KeypointState::Smoothed);
        last = k.x as f64;
    }
    assert!((last - (50.0 + 30.0 * 119.0 / 30.0)).abs() < 1.5);
    let out = s.push(4.0, Vec::new(), ());
    let p = out[0].1[0].keypoints[0];
    assert!((p.x as f64 - 170.0).abs() < 2.0, "{}", p.x);
}

#[test]
fn one_euro_defaults_reduce_jitter_of_a_static_point() {
    let mut rng = Lcg(42);
    let raw: Vec<f64> = (0..600).map(|_| 100.0 + 4.0 * (rng.next() - 0.5)).collect();
    let mut s = PoseSmoother::new(SmootherConfig::default());
    let mut smoothed = Vec::new();
    for (i, &x) in raw.iter().enumerate() {
        let o = tracked(1, BBox::default(), vec![kp(x as f32, 0.0, 1.0)]);
        let out = s.push(i as f64 / 60.0, vec![o], ());
        smoothed.push(out[0].1[0].keypoints[0].x as f64);
    }
    let before = mean_abs_second_difference(&raw);
    let after = mean_abs_second_difference(&smoothed);
    assert!(after < 0.2 * before, "{after} vs {before}");
}

#[test]
fn many_short_tracks_keep_memory_bounded() {
    let cfg = SmootherConfig {
        latency: 2,
        ..Default::default()
    };
    let mut s = PoseSmoother::new(cfg);
    let mut max_tracks = 0;
    let mut frames = 0usize;
    // 4 new tracks per frame, each visible for 3 frames: 10,000 tracks.
    for f in 0..2500u64 {
        let first = (4 * f).saturating_sub(8);
        let objs = (first..4 * f + 4)
            .map(|id| {
                let x = id as f32 + f as f32;
                tracked(id, BBox::new(x, 0.0, 5.0, 5.0), vec![kp(x, 1.0, 0.9); 17])
            })
            .collect();
        frames += s.push(f as f64 / 30.0, objs, f).len();
        max_tracks = max_tracks.max(s.num_tracks());
        assert!(s.held_frames() <= 2);
    }
    // 12 visible + 4 per frame kept for up to 5 missed frames.
    assert!(max_tracks <= 32, "{max_tracks}");
    frames += s.flush().len();
    for f in 2500..2510 {
        frames += s.push(f as f64 / 30.0, Vec::new(), f).len();
    }
    frames += s.flush().len();
    assert_eq!(frames, 2510);
    assert_eq!(s.num_tracks(), 0);
    assert_eq!(s.held_frames(), 0);
    assert!(s.pool.len() <= TRACK_POOL_SIZE);
}

#[test]
fn second_difference_skips_nan() {
    assert_eq!(mean_abs_second_difference(&[0.0, 1.0, 4.0, 9.0]), 2.0);
    assert_eq!(
        mean_abs_second_difference(&[0.0, 1.0, f64::NAN, 9.0, 16.0, 25.0]),
        2.0
    );
    assert!(mean_abs_second_difference(&[1.0, 2.0]).is_nan());
}
