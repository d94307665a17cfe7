// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The scalar filters of the pose smoother, one coordinate each (time in
//! seconds, `f64`): [`OneEuro`], [`Kalman1`] (with its fixed-lag
//! Rauch–Tung–Striebel pass) and [`Ema`], and the per-coordinate dispatch
//! of [`super::PoseSmoother`].
//!
//! [`Kalman1`] is a continuous-time constant-velocity filter with variable
//! `dt` and confidence-weighted noise; it is unrelated to the tracker's
//! [`crate::track::kalman::KalmanState`], which reproduces deep_sort's
//! fixed-step box filter bit for bit.

use std::collections::VecDeque;

use super::FilterKind;
#[cfg(doc)]
use super::PoseSmoother;

/// Time step used when no valid one has been seen yet.
const FALLBACK_DT: f64 = 1.0 / 60.0;

/// Smallest confidence used to scale the Kalman measurement noise.
const MIN_KALMAN_CONFIDENCE: f64 = 0.05;

/// Initial velocity variance of [`Kalman1`] (px²/s²): "unknown".
const KALMAN_INITIAL_VELOCITY_VARIANCE: f64 = 1e4;

/// Smoothing factor of a first-order low-pass at `rate` Hz with cutoff `fc`
/// Hz: `1 / (1 + τ·rate)` with `τ = 1 / (2π·fc)`.
#[inline]
fn lowpass_alpha(rate: f64, cutoff: f64) -> f64 {
    let tau = 1.0 / (2.0 * std::f64::consts::PI * cutoff);
    1.0 / (1.0 + tau * rate)
}

/// The One Euro filter (Casiez, Roussel, Vogel, CHI 2012) on one scalar.
///
/// The first sample is returned unchanged (derivative 0). Then, with
/// `dt = t − t_prev` (the previous valid `dt` or 1/60 s when `dt` is not
/// positive and finite) and `rate = 1/dt`:
///
/// ```text
/// dx     = (x − x̂_prev) · rate
/// edx    = lowpass(dx, alpha(rate, d_cutoff))
/// cutoff = min_cutoff + beta · |edx|
/// x̂      = lowpass(x, alpha(rate, cutoff))
/// ```
///
/// A non-finite `x` poisons the state (as in the paper); callers filter such
/// values out.
#[derive(Clone, Debug, PartialEq)]
pub struct OneEuro {
    min_cutoff: f64,
    beta: f64,
    d_cutoff: f64,
    started: bool,
    x_hat: f64,
    dx_hat: f64,
    out_vel: f64,
    t_prev: f64,
    dt_prev: f64,
}

impl OneEuro {
    /// `min_cutoff` (Hz) sets the smoothing at rest, `beta` (1/px) how fast
    /// the cutoff rises with speed, `d_cutoff` (Hz) the cutoff of the
    /// derivative filter.
    pub fn new(min_cutoff: f64, beta: f64, d_cutoff: f64) -> Self {
        Self {
            min_cutoff,
            beta,
            d_cutoff,
            started: false,
            x_hat: 0.0,
            dx_hat: 0.0,
            out_vel: 0.0,
            t_prev: 0.0,
            dt_prev: 0.0,
        }
    }

    /// Filters sample `x` taken at time `t` (seconds).
    pub fn filter(&mut self, x: f64, t: f64) -> f64 {
        if !self.started {
            self.started = true;
            self.x_hat = x;
            self.dx_hat = 0.0;
            self.out_vel = 0.0;
            self.t_prev = t;
            return x;
        }
        let raw_dt = t - self.t_prev;
        if t.is_finite() {
            self.t_prev = t;
        }
        let dt = if raw_dt > 0.0 && raw_dt.is_finite() {
            self.dt_prev = raw_dt;
            raw_dt
        } else if self.dt_prev > 0.0 {
            self.dt_prev
        } else {
            FALLBACK_DT
        };
        let rate = 1.0 / dt;
        let a_d = lowpass_alpha(rate, self.d_cutoff);
        let dx = (x - self.x_hat) * rate;
        self.dx_hat = a_d * dx + (1.0 - a_d) * self.dx_hat;
        let cutoff = self.min_cutoff + self.beta * self.dx_hat.abs();
        let a = lowpass_alpha(rate, cutoff);
        let prev = self.x_hat;
        self.x_hat = a * x + (1.0 - a) * prev;
        let ov = (self.x_hat - prev) * rate;
        self.out_vel = a_d * ov + (1.0 - a_d) * self.out_vel;
        self.x_hat
    }

    /// Forgets all samples; the next one passes unchanged.
    pub fn reset(&mut self) {
        *self = Self::new(self.min_cutoff, self.beta, self.d_cutoff);
    }

    /// The filtered derivative `edx` that drives the cutoff (units/s).
    ///
    /// Because it is taken against the previous *filtered* value, it
    /// includes the filter's lag: on a ramp of slope `v` it settles near
    /// `v / alpha`, not `v`. Use [`OneEuro::output_velocity`] to extrapolate.
    pub fn velocity(&self) -> f64 {
        self.dx_hat
    }

    /// Derivative of the filter's output, low-passed with `d_cutoff`
    /// (units/s). On a ramp of slope `v` it settles at `v`; this is what
    /// [`PoseSmoother`] extrapolates with.
    pub fn output_velocity(&self) -> f64 {
        self.out_vel
    }

    /// The last output (0 before the first sample).
    pub fn value(&self) -> f64 {
        self.x_hat
    }
}

/// Constant-velocity Kalman filter on one coordinate: state `(p, v)`.
///
/// Prediction over `dt` uses `F = [[1, dt], [0, 1]]` and
/// `Q = q·[[dt³/3, dt²/2], [dt²/2, dt]]` (continuous white acceleration of
/// spectral density `q`); the measurement noise is
/// `R = measurement_noise / max(confidence, 0.05)`. A `dt` that is not
/// positive and finite skips the prediction.
///
/// With a history of `n` steps ([`Kalman1::with_history`]), the filter keeps
/// its last `n` priors and posteriors, and [`Kalman1::smoothed`] gives the
/// fixed-lag Rauch–Tung–Striebel estimate of an earlier step: the position
/// at that step given every measurement up to the newest one.
#[derive(Clone, Debug, PartialEq)]
pub struct Kalman1 {
    q: f64,
    r: f64,
    started: bool,
    p: f64,
    v: f64,
    p00: f64,
    p01: f64,
    p11: f64,
    t: f64,
    keep: usize,
    history: VecDeque<KalmanStep>,
}

/// One update of a [`Kalman1`], as the fixed-lag smoother needs it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct KalmanStep {
    tag: u64,
    /// Time step from the previous update (0: no prediction was made).
    dt: f64,
    /// Prior state and covariance (after the prediction, before the update).
    prior: [f64; 5],
    /// Posterior state and covariance `(p, v, p00, p01, p11)`.
    post: [f64; 5],
}

impl Kalman1 {
    /// `process_noise`: acceleration spectral density `q` (px²/s³);
    /// `measurement_noise`: measurement variance (px²) at confidence 1.
    pub fn new(process_noise: f64, measurement_noise: f64) -> Self {
        Self::with_history(process_noise, measurement_noise, 0)
    }

    /// As [`Kalman1::new`], keeping the last `steps` updates for
    /// [`Kalman1::smoothed`] (0 = none). The history is allocated once.
    pub fn with_history(process_noise: f64, measurement_noise: f64, steps: usize) -> Self {
        Self {
            q: process_noise,
            r: measurement_noise,
            started: false,
            p: 0.0,
            v: 0.0,
            p00: 0.0,
            p01: 0.0,
            p11: 0.0,
            t: 0.0,
            keep: steps,
            history: VecDeque::with_capacity(steps),
        }
    }

    /// Predicts to `t`, then corrects with measurement `z` of the given
    /// confidence. Returns the corrected position.
    pub fn update(&mut self, z: f64, t: f64, confidence: f64) -> f64 {
        self.update_tagged(z, t, confidence, 0)
    }

    /// [`Kalman1::update`], remembering the step under `tag` (e.g. a frame
    /// number) when a history is kept.
    pub fn update_tagged(&mut self, z: f64, t: f64, confidence: f64, tag: u64) -> f64 {
        let r = self.r / confidence.max(MIN_KALMAN_CONFIDENCE);
        if !self.started {
            self.started = true;
            self.p = z;
            self.v = 0.0;
            self.p00 = r;
            self.p01 = 0.0;
            self.p11 = KALMAN_INITIAL_VELOCITY_VARIANCE;
            self.t = t;
            self.record(tag, 0.0, self.state());
            return z;
        }
        let mut dt = t - self.t;
        if t.is_finite() {
            self.t = t;
        }
        if dt > 0.0 && dt.is_finite() {
            let dt2 = dt * dt;
            self.p += self.v * dt;
            self.p00 += 2.0 * dt * self.p01 + dt2 * self.p11 + self.q * dt2 * dt / 3.0;
            self.p01 += dt * self.p11 + self.q * dt2 / 2.0;
            self.p11 += self.q * dt;
        } else {
            dt = 0.0;
        }
        let prior = self.state();
        let s = self.p00 + r;
        let k0 = self.p00 / s;
        let k1 = self.p01 / s;
        let innovation = z - self.p;
        self.p += k0 * innovation;
        self.v += k1 * innovation;
        let (p00, p01, p11) = (self.p00, self.p01, self.p11);
        self.p00 = (1.0 - k0) * p00;
        self.p01 = (1.0 - k0) * p01;
        self.p11 = p11 - k1 * p01;
        self.record(tag, dt, prior);
        self.p
    }

    #[inline]
    fn state(&self) -> [f64; 5] {
        [self.p, self.v, self.p00, self.p01, self.p11]
    }

    #[inline]
    fn record(&mut self, tag: u64, dt: f64, prior: [f64; 5]) {
        if self.keep == 0 {
            return;
        }
        if self.history.len() == self.keep {
            self.history.pop_front();
        }
        let post = self.state();
        self.history.push_back(KalmanStep {
            tag,
            dt,
            prior,
            post,
        });
    }

    /// The fixed-lag smoothed position of the kept step tagged `tag`: the
    /// Rauch–Tung–Striebel backward pass from the newest step,
    /// `x̂ₖ = xₖ + Cₖ·(x̂ₖ₊₁ − x⁻ₖ₊₁)` with `Cₖ = Pₖ·Fᵀ·(P⁻ₖ₊₁)⁻¹`. The newest
    /// step is its own filtered position. `None` when no kept step has that
    /// tag (no history, or the step is older than the history).
    pub fn smoothed(&self, tag: u64) -> Option<f64> {
        let i = self.history.iter().rposition(|s| s.tag == tag)?;
        let last = self.history.back()?;
        let (mut sp, mut sv) = (last.post[0], last.post[1]);
        for k in (i..self.history.len() - 1).rev() {
            let cur = &self.history[k];
            let next = &self.history[k + 1];
            let [p, v, c00, c01, c11] = cur.post;
            let [pp, pv, q00, q01, q11] = next.prior;
            let dt = next.dt;
            let det = q00 * q11 - q01 * q01;
            if !(det > 0.0 && det.is_finite()) {
                // A degenerate prior: keep the filtered estimate here.
                (sp, sv) = (p, v);
                continue;
            }
            // A = P·Fᵀ, F = [[1, dt], [0, 1]].
            let (a00, a01) = (c00 + dt * c01, c01);
            let (a10, a11) = (c01 + dt * c11, c11);
            // C = A·(P⁻)⁻¹.
            let (i00, i01, i11) = (q11 / det, -q01 / det, q00 / det);
            let (g00, g01) = (a00 * i00 + a01 * i01, a00 * i01 + a01 * i11);
            let (g10, g11) = (a10 * i00 + a11 * i01, a10 * i01 + a11 * i11);
            let (dp, dv) = (sp - pp, sv - pv);
            (sp, sv) = (p + g00 * dp + g01 * dv, v + g10 * dp + g11 * dv);
        }
        Some(sp)
    }

    /// Position and velocity extrapolated to `t`, state unchanged.
    /// `(NaN, NaN)` before the first update.
    pub fn predict_to(&self, t: f64) -> (f64, f64) {
        if !self.started {
            return (f64::NAN, f64::NAN);
        }
        let dt = t - self.t;
        let dt = if dt.is_finite() { dt } else { 0.0 };
        (self.p + self.v * dt, self.v)
    }

    /// The estimated velocity (units/s).
    pub fn velocity(&self) -> f64 {
        self.v
    }

    /// The estimated position at the last update.
    pub fn position(&self) -> f64 {
        self.p
    }

    /// Forgets all measurements.
    pub fn reset(&mut self) {
        self.started = false;
        self.history.clear();
    }
}

/// Exponential moving average: `y = alpha·x + (1 − alpha)·y_prev`; the first
/// sample passes unchanged. `alpha` in `(0, 1]` is the weight of the new
/// sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Ema {
    alpha: f64,
    started: bool,
    y: f64,
}

impl Ema {
    pub fn new(alpha: f64) -> Self {
        Self {
            alpha,
            started: false,
            y: 0.0,
        }
    }

    pub fn filter(&mut self, x: f64) -> f64 {
        if self.started {
            self.y = self.alpha * x + (1.0 - self.alpha) * self.y;
        } else {
            self.started = true;
            self.y = x;
        }
        self.y
    }

    /// Forgets all samples.
    pub fn reset(&mut self) {
        self.started = false;
        self.y = 0.0;
    }
}

/// EMA plus a finite-difference velocity of its output.
#[derive(Clone, Debug)]
pub(super) struct EmaAxis {
    ema: Ema,
    last: f64,
    last_t: f64,
    vel: f64,
    started: bool,
}

impl EmaAxis {
    fn step(&mut self, x: f64, t: f64) -> f64 {
        let y = self.ema.filter(x);
        if self.started {
            let dt = t - self.last_t;
            if dt > 0.0 && dt.is_finite() {
                self.vel = (y - self.last) / dt;
            }
        }
        self.started = true;
        self.last = y;
        if t.is_finite() {
            self.last_t = t;
        }
        y
    }
}

/// One coordinate's filter, of the configured kind.
#[derive(Clone, Debug)]
pub(super) enum AxisFilter {
    OneEuro(OneEuro),
    Kalman(Kalman1),
    Ema(EmaAxis),
}

impl AxisFilter {
    pub(super) fn new(kind: &FilterKind, history: usize) -> Self {
        match *kind {
            FilterKind::OneEuro {
                min_cutoff,
                beta,
                d_cutoff,
            } => AxisFilter::OneEuro(OneEuro::new(min_cutoff, beta, d_cutoff)),
            FilterKind::Kalman {
                process_noise,
                measurement_noise,
            } => AxisFilter::Kalman(Kalman1::with_history(
                process_noise,
                measurement_noise,
                history,
            )),
            FilterKind::Ema { alpha } => AxisFilter::Ema(EmaAxis {
                ema: Ema::new(alpha),
                last: 0.0,
                last_t: 0.0,
                vel: 0.0,
                started: false,
            }),
        }
    }

    /// Filters `x`; `seq` tags the step for the fixed-lag smoother.
    #[inline]
    pub(super) fn step(&mut self, x: f64, t: f64, confidence: f64, seq: u64) -> f64 {
        match self {
            AxisFilter::OneEuro(f) => f.filter(x, t),
            AxisFilter::Kalman(f) => f.update_tagged(x, t, confidence, seq),
            AxisFilter::Ema(f) => f.step(x, t),
        }
    }

    /// The fixed-lag estimate of the step tagged `seq`, if one is kept.
    #[inline]
    pub(super) fn smoothed(&self, seq: u64) -> Option<f64> {
        match self {
            AxisFilter::Kalman(f) => f.smoothed(seq),
            _ => None,
        }
    }

    /// Velocity used to extrapolate (units/s).
    #[inline]
    pub(super) fn velocity(&self) -> f64 {
        match self {
            AxisFilter::OneEuro(f) => f.output_velocity(),
            AxisFilter::Kalman(f) => f.velocity(),
            AxisFilter::Ema(f) => f.vel,
        }
    }
}
