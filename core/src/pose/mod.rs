// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Per-track keypoint smoothing, with predicted and interpolated gaps.
//!
//! Three scalar filters work on one coordinate each (time in seconds, f64):
//!
//! * [`OneEuro`]: the One Euro filter of Casiez, Roussel and Vogel (CHI 2012),
//!   an adaptive low-pass whose cutoff rises with the speed of the signal.
//!   It follows the pseudo-code of the paper, where the derivative is taken
//!   against the previous *filtered* value.
//! * [`Kalman1`]: a constant-velocity Kalman filter with a white-acceleration
//!   process model and a confidence-weighted measurement noise.
//! * [`Ema`]: an exponential moving average.
//!
//! [`PoseSmoother`] runs one filter of the chosen [`FilterKind`] per
//! coordinate of every keypoint of every track (and, optionally, of the box),
//! and fills the frames where a known track is absent:
//!
//! * with a latency of `N` frames, a gap of at most `N` frames that closes
//!   while its frames are still held gets a pose interpolated linearly in
//!   time between the poses on both sides (keypoint state
//!   [`KeypointState::Interpolated`], track state [`TrackState::Tracked`]);
//! * any other gap gets, for up to `max_predict` frames, a pose extrapolated
//!   with constant velocity from the last sighting (keypoint state
//!   [`KeypointState::Predicted`], track state [`TrackState::Predicted`]),
//!   with a confidence that decays per frame.
//!
//! With `lookahead` (Kalman filter, latency `N` ≥ 1), each held frame's
//! filtered keypoints and box are replaced, when the frame leaves, by the
//! fixed-lag Rauch–Tung–Striebel estimate given the `N` frames after it
//! ([`Kalman1::smoothed`]). Interpolated gap frames stay linear between the
//! filtered poses on both sides.
//!
//! Frames leave the smoother in the order they came in, with their payload
//! and timestamp untouched; only the objects are rewritten or added to.
//!
//! Keypoints below the confidence floor, or with a non-finite coordinate, are
//! never fed to a filter: they are marked [`KeypointState::Missing`] and keep
//! the coordinates they came with (a NaN stays a NaN in the output).
//!
//! In steady state (the same tracks with the same keypoint count every frame)
//! the per-frame work allocates only the returned `Vec` of frames: all
//! per-track buffers are reused, and the buffers of dropped tracks are
//! recycled for new ones.

use std::collections::{BTreeMap, VecDeque};

use crate::types::{BBox, Keypoint, KeypointState, Object, TrackState};

/// Time step used when no valid one has been seen yet.
const FALLBACK_DT: f64 = 1.0 / 60.0;

/// Smallest confidence used to scale the Kalman measurement noise.
const MIN_KALMAN_CONFIDENCE: f64 = 0.05;

/// Initial velocity variance of [`Kalman1`] (px²/s²): "unknown".
const KALMAN_INITIAL_VELOCITY_VARIANCE: f64 = 1e4;

/// How many dropped tracks keep their buffers for reuse.
const TRACK_POOL_SIZE: usize = 64;

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

/// Which filter [`PoseSmoother`] runs on each coordinate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FilterKind {
    /// [`OneEuro`] (cutoffs in Hz, `beta` in 1/px).
    OneEuro {
        min_cutoff: f64,
        beta: f64,
        d_cutoff: f64,
    },
    /// [`Kalman1`] (`process_noise` in px²/s³, `measurement_noise` in px²),
    /// weighted by the keypoint (or object) confidence.
    Kalman {
        process_noise: f64,
        measurement_noise: f64,
    },
    /// [`Ema`].
    Ema { alpha: f64 },
}

impl Default for FilterKind {
    fn default() -> Self {
        FilterKind::OneEuro {
            min_cutoff: 1.0,
            beta: 0.007,
            d_cutoff: 1.0,
        }
    }
}

/// Configuration of [`PoseSmoother`].
#[derive(Clone, Debug, PartialEq)]
pub struct SmootherConfig {
    /// Filter run on every coordinate. Default: One Euro (1.0, 0.007, 1.0).
    pub filter: FilterKind,
    /// Keypoints below this confidence are not fed to the filter and are
    /// marked missing. Default 0.3.
    pub min_confidence: f32,
    /// Frames of predicted pose emitted for a missing track before it is
    /// dropped. Default 5.
    pub max_predict: u32,
    /// Factor applied to the confidence per predicted frame. Default 0.8.
    pub predict_decay: f32,
    /// Frames held back so that short gaps can be interpolated. Default 0.
    pub latency: u32,
    /// Kalman only, with `latency` ≥ 1: re-estimate each held frame's
    /// keypoints (and boxes) with the measurements of the frames after it
    /// before it leaves (fixed-lag Rauch–Tung–Striebel smoothing over the
    /// `latency` held frames). Default false. See
    /// [`SmootherConfig::validate`].
    pub lookahead: bool,
    /// Also smooth the box centre, width and height. Default false.
    pub smooth_boxes: bool,
}

impl Default for SmootherConfig {
    fn default() -> Self {
        Self {
            filter: FilterKind::default(),
            min_confidence: 0.3,
            max_predict: 5,
            predict_decay: 0.8,
            latency: 0,
            lookahead: false,
            smooth_boxes: false,
        }
    }
}

impl SmootherConfig {
    /// Checks the combinations the fields cannot express alone: `lookahead`
    /// needs the Kalman filter (the only one with a backward pass) and a
    /// latency of at least one frame (nothing to look ahead to otherwise).
    pub fn validate(&self) -> Result<(), String> {
        if self.lookahead {
            if !matches!(self.filter, FilterKind::Kalman { .. }) {
                return Err("lookahead needs filter=kalman (the fixed-lag smoother is a Kalman backward pass)".into());
            }
            if self.latency == 0 {
                return Err(
                    "lookahead needs latency of at least 1 frame (the frames it looks ahead to)"
                        .into(),
                );
            }
        }
        Ok(())
    }

    /// Steps of history each Kalman filter keeps: the released frame and the
    /// `latency` frames after it.
    fn history(&self) -> usize {
        if self.lookahead {
            self.latency as usize + 1
        } else {
            0
        }
    }
}

/// Counters of [`PoseSmoother`] since its creation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SmootherStats {
    /// Keypoints fed to a filter and written back as smoothed.
    pub smoothed_keypoints: u64,
    /// Keypoints of measured objects below `min_confidence` or non-finite.
    pub missing_keypoints: u64,
    /// Predicted objects added to released frames.
    pub predicted_objects: u64,
    /// Interpolated objects added to released frames.
    pub interpolated_objects: u64,
    /// Objects without a track id (passed unchanged).
    pub passed_without_track_id: u64,
    /// Times a track's keypoint count changed (its filters were rebuilt).
    pub keypoint_count_changes: u64,
}

/// EMA plus a finite-difference velocity of its output.
#[derive(Clone, Debug)]
struct EmaAxis {
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
enum AxisFilter {
    OneEuro(OneEuro),
    Kalman(Kalman1),
    Ema(EmaAxis),
}

impl AxisFilter {
    fn new(kind: &FilterKind, history: usize) -> Self {
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
    fn step(&mut self, x: f64, t: f64, confidence: f64, seq: u64) -> f64 {
        match self {
            AxisFilter::OneEuro(f) => f.filter(x, t),
            AxisFilter::Kalman(f) => f.update_tagged(x, t, confidence, seq),
            AxisFilter::Ema(f) => f.step(x, t),
        }
    }

    /// The fixed-lag estimate of the step tagged `seq`, if one is kept.
    #[inline]
    fn smoothed(&self, seq: u64) -> Option<f64> {
        match self {
            AxisFilter::Kalman(f) => f.smoothed(seq),
            _ => None,
        }
    }

    /// Velocity used to extrapolate (units/s).
    #[inline]
    fn velocity(&self) -> f64 {
        match self {
            AxisFilter::OneEuro(f) => f.output_velocity(),
            AxisFilter::Kalman(f) => f.velocity(),
            AxisFilter::Ema(f) => f.vel,
        }
    }
}

/// One keypoint of a track's last sighting.
#[derive(Clone, Copy, Debug)]
struct PoseKp {
    /// Smoothed position and its velocity (valid keypoints only).
    x: f64,
    y: f64,
    vx: f64,
    vy: f64,
    confidence: f32,
    /// Fed to the filter at that sighting (not missing).
    valid: bool,
    /// The keypoint as output at that sighting.
    out: Keypoint,
}

/// Filter state and last sighting of one track.
#[derive(Debug, Default)]
struct Track {
    /// Two filters (x, y) per keypoint.
    kp_filters: Vec<AxisFilter>,
    /// Centre x, centre y, width, height (only with `smooth_boxes`).
    box_filters: Vec<AxisFilter>,
    pose: Vec<PoseKp>,
    prev_pose: Vec<PoseKp>,
    t_last: f64,
    bbox: BBox,
    /// Velocity of the smoothed box centre (only with `smooth_boxes`).
    box_vel: [f64; 2],
    confidence: f32,
    class_id: u32,
    label: Option<String>,
    global_id: Option<u64>,
    /// Frame sequence number of the last sighting; `u64::MAX` when new.
    last_seen: u64,
    /// Last frame that carried a non-measurement object of this track.
    covered: u64,
}

impl Track {
    fn clear(&mut self) {
        self.kp_filters.clear();
        self.box_filters.clear();
        self.pose.clear();
        self.prev_pose.clear();
        self.t_last = 0.0;
        self.bbox = BBox::default();
        self.box_vel = [0.0; 2];
        self.confidence = 0.0;
        self.class_id = 0;
        self.label = None;
        self.global_id = None;
        self.last_seen = u64::MAX;
        self.covered = u64::MAX;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SynthKind {
    Predicted,
    Interpolated,
}

/// An object made by the smoother for a frame where its track is absent.
#[derive(Debug)]
struct Synth {
    track_id: u64,
    kind: SynthKind,
    object: Object,
}

#[derive(Debug)]
struct Held<T> {
    seq: u64,
    t: f64,
    payload: T,
    objects: Vec<Object>,
    synth: Vec<Synth>,
    /// (object index, track id) of the objects filtered in this frame, for
    /// the fixed-lag pass at release (only with `lookahead`).
    measured: Vec<(usize, u64)>,
}

/// A missing keypoint in a made-up object: the coordinates of the last
/// sighting, confidence 0.
#[inline]
fn missing_keypoint(out: &Keypoint) -> Keypoint {
    Keypoint {
        x: out.x,
        y: out.y,
        confidence: 0.0,
        state: KeypointState::Missing,
    }
}

#[inline]
fn lerp(a: f64, b: f64, s: f64) -> f64 {
    a + (b - a) * s
}

#[inline]
fn lerp32(a: f32, b: f32, s: f64) -> f32 {
    lerp(a as f64, b as f64, s) as f32
}

/// Smooths keypoints per track and fills short gaps; see the module docs.
///
/// `T` is an opaque per-frame payload (e.g. a buffer) handed back with the
/// frame's objects.
#[derive(Debug)]
pub struct PoseSmoother<T> {
    cfg: SmootherConfig,
    tracks: BTreeMap<u64, Track>,
    pool: Vec<Track>,
    held: VecDeque<Held<T>>,
    next_seq: u64,
    stats: SmootherStats,
    to_drop: Vec<u64>,
    /// Emptied per-frame lists of filtered objects, reused (`lookahead`).
    spare_lists: Vec<Vec<(usize, u64)>>,
}

impl<T> PoseSmoother<T> {
    pub fn new(cfg: SmootherConfig) -> Self {
        let cap = cfg.latency as usize + 1;
        Self {
            cfg,
            tracks: BTreeMap::new(),
            pool: Vec::new(),
            held: VecDeque::with_capacity(cap),
            next_seq: 0,
            stats: SmootherStats::default(),
            to_drop: Vec::new(),
            spare_lists: Vec::new(),
        }
    }

    pub fn config(&self) -> &SmootherConfig {
        &self.cfg
    }

    /// Tracks whose filter state is held.
    pub fn num_tracks(&self) -> usize {
        self.tracks.len()
    }

    /// Frames held back (at most `latency`).
    pub fn held_frames(&self) -> usize {
        self.held.len()
    }

    pub fn stats(&self) -> SmootherStats {
        self.stats
    }

    /// One frame in: timestamp `t` (seconds), its objects, and an opaque
    /// payload. Returns the frames complete now, oldest first: with latency
    /// 0 exactly this frame; with latency `N` the frame pushed `N` frames
    /// ago (nothing during the first `N` pushes).
    ///
    /// Per object: without a track id, without keypoints, with track state
    /// `Lost`/`Predicted` (no measurement), or a second object of a track in
    /// the same frame: unchanged. Otherwise its keypoints (and with
    /// `smooth_boxes` its box) are filtered and the track's sighting is
    /// recorded. A frame that carries an unchanged object of a track gets no
    /// made-up object for that track.
    pub fn push(&mut self, t: f64, mut objects: Vec<Object>, payload: T) -> Vec<(T, Vec<Object>)> {
        let seq = self.next_seq;
        self.next_seq += 1;
        let Self {
            cfg,
            tracks,
            pool,
            held,
            stats,
            to_drop,
            spare_lists,
            ..
        } = self;

        let mut filtered = spare_lists.pop().unwrap_or_default();
        for (index, obj) in objects.iter_mut().enumerate() {
            let Some(id) = obj.track_id else {
                stats.passed_without_track_id += 1;
                continue;
            };
            let measured = !obj.keypoints.is_empty()
                && !matches!(
                    obj.track_state,
                    Some(TrackState::Lost) | Some(TrackState::Predicted)
                );
            if !measured {
                if let Some(tr) = tracks.get_mut(&id) {
                    tr.covered = seq;
                }
                continue;
            }
            let track = tracks.entry(id).or_insert_with(|| {
                let mut tr = pool.pop().unwrap_or_default();
                tr.clear();
                tr
            });
            if track.last_seen == seq {
                continue;
            }
            measure(cfg, track, obj, t, seq, held, id, stats);
            if cfg.lookahead {
                filtered.push((index, id));
            }
        }

        // Tracks absent from this frame.
        let keep_past = cfg.max_predict.max(cfg.latency.saturating_add(1)) as u64;
        let mut synth = Vec::new();
        for (&id, tr) in tracks.iter() {
            if tr.last_seen == seq {
                continue;
            }
            let missed = seq - tr.last_seen;
            if missed <= cfg.max_predict as u64 && tr.covered != seq {
                synth.push(Synth {
                    track_id: id,
                    kind: SynthKind::Predicted,
                    object: predict(cfg, tr, id, t, missed),
                });
            }
            if missed >= keep_past {
                to_drop.push(id);
            }
        }
        for id in to_drop.drain(..) {
            if let Some(tr) = tracks.remove(&id) {
                if pool.len() < TRACK_POOL_SIZE {
                    pool.push(tr);
                }
            }
        }

        held.push_back(Held {
            seq,
            t,
            payload,
            objects,
            synth,
            measured: filtered,
        });
        let mut out = Vec::with_capacity(1);
        while held.len() > cfg.latency as usize {
            if let Some(h) = held.pop_front() {
                out.push(release(h, cfg, tracks, stats, spare_lists));
            }
        }
        out
    }

    /// End of stream: every held frame, oldest first (gaps still open get
    /// their predictions). Track state is kept.
    pub fn flush(&mut self) -> Vec<(T, Vec<Object>)> {
        let Self {
            cfg,
            tracks,
            held,
            stats,
            spare_lists,
            ..
        } = self;
        held.drain(..)
            .map(|h| release(h, cfg, tracks, stats, spare_lists))
            .collect()
    }

    /// Drops all tracks (e.g. on a seek) and returns the held frames as
    /// [`PoseSmoother::flush`] does.
    pub fn reset(&mut self) -> Vec<(T, Vec<Object>)> {
        let out = self.flush();
        while let Some((_, tr)) = self.tracks.pop_first() {
            if self.pool.len() < TRACK_POOL_SIZE {
                self.pool.push(tr);
            }
        }
        out
    }
}

/// Replaces the filtered keypoints (and boxes) of the frame's measured
/// objects by their fixed-lag smoothed values, appends the made-up objects
/// and hands the frame out. The emptied list of measured objects goes back
/// to `spare_lists` (at most one per held frame is kept).
fn release<T>(
    h: Held<T>,
    cfg: &SmootherConfig,
    tracks: &BTreeMap<u64, Track>,
    stats: &mut SmootherStats,
    spare_lists: &mut Vec<Vec<(usize, u64)>>,
) -> (T, Vec<Object>) {
    let Held {
        seq,
        payload,
        mut objects,
        synth,
        mut measured,
        ..
    } = h;
    for &(index, id) in &measured {
        let (Some(obj), Some(tr)) = (objects.get_mut(index), tracks.get(&id)) else {
            continue;
        };
        look_ahead(cfg, tr, obj, seq);
    }
    if measured.capacity() > 0 && spare_lists.len() <= cfg.latency as usize {
        measured.clear();
        spare_lists.push(measured);
    }
    objects.reserve(synth.len());
    for s in synth {
        match s.kind {
            SynthKind::Predicted => stats.predicted_objects += 1,
            SynthKind::Interpolated => stats.interpolated_objects += 1,
        }
        objects.push(s.object);
    }
    (payload, objects)
}

/// The fixed-lag pass for one object filtered at frame `seq`. Filters rebuilt
/// since (keypoint count change) keep no step of `seq`: the object keeps its
/// filtered values.
fn look_ahead(cfg: &SmootherConfig, tr: &Track, obj: &mut Object, seq: u64) {
    for (kp, f) in obj.keypoints.iter_mut().zip(tr.kp_filters.chunks_exact(2)) {
        if kp.state != KeypointState::Smoothed {
            continue;
        }
        if let (Some(x), Some(y)) = (f[0].smoothed(seq), f[1].smoothed(seq)) {
            kp.x = x as f32;
            kp.y = y as f32;
        }
    }
    if cfg.smooth_boxes && tr.box_filters.len() == 4 {
        let s: [Option<f64>; 4] = std::array::from_fn(|i| tr.box_filters[i].smoothed(seq));
        if let [Some(cx), Some(cy), Some(w), Some(h)] = s {
            obj.bbox = BBox::new(
                (cx - w / 2.0) as f32,
                (cy - h / 2.0) as f32,
                w as f32,
                h as f32,
            );
        }
    }
}

/// Filters one measured object of a track, records the sighting, and
/// interpolates the gap before it when its frames are all held.
#[allow(clippy::too_many_arguments)]
fn measure<T>(
    cfg: &SmootherConfig,
    track: &mut Track,
    obj: &mut Object,
    t: f64,
    seq: u64,
    held: &mut VecDeque<Held<T>>,
    id: u64,
    stats: &mut SmootherStats,
) {
    let n = obj.keypoints.len();
    let fresh = track.last_seen == u64::MAX;
    let mut rebuilt = false;
    if track.pose.len() != n || fresh {
        if !fresh {
            stats.keypoint_count_changes += 1;
        }
        rebuilt = true;
        track.kp_filters.clear();
        track
            .kp_filters
            .extend((0..2 * n).map(|_| AxisFilter::new(&cfg.filter, cfg.history())));
        track.pose.clear();
        track.prev_pose.clear();
    }
    track.prev_pose.clear();
    track.prev_pose.extend_from_slice(&track.pose);
    track.pose.clear();

    let min_conf = cfg.min_confidence;
    for (kp, f) in obj
        .keypoints
        .iter_mut()
        .zip(track.kp_filters.chunks_exact_mut(2))
    {
        let valid = kp.confidence >= min_conf && kp.x.is_finite() && kp.y.is_finite();
        let mut p = PoseKp {
            x: kp.x as f64,
            y: kp.y as f64,
            vx: 0.0,
            vy: 0.0,
            confidence: kp.confidence,
            valid,
            out: *kp,
        };
        if valid {
            let c = kp.confidence as f64;
            p.x = f[0].step(kp.x as f64, t, c, seq);
            p.y = f[1].step(kp.y as f64, t, c, seq);
            p.vx = f[0].velocity();
            p.vy = f[1].velocity();
            kp.x = p.x as f32;
            kp.y = p.y as f32;
            kp.state = KeypointState::Smoothed;
            stats.smoothed_keypoints += 1;
        } else {
            kp.state = KeypointState::Missing;
            stats.missing_keypoints += 1;
        }
        p.out = *kp;
        track.pose.push(p);
    }

    if cfg.smooth_boxes {
        if track.box_filters.len() != 4 {
            track.box_filters.clear();
            track
                .box_filters
                .extend((0..4).map(|_| AxisFilter::new(&cfg.filter, cfg.history())));
        }
        let b = obj.bbox;
        let m = [
            b.x as f64 + b.w as f64 / 2.0,
            b.y as f64 + b.h as f64 / 2.0,
            b.w as f64,
            b.h as f64,
        ];
        if m.iter().all(|v| v.is_finite()) {
            let c = obj.confidence as f64;
            let mut s = [0.0; 4];
            for ((out, f), v) in s.iter_mut().zip(&mut track.box_filters).zip(m) {
                *out = f.step(v, t, c, seq);
            }
            track.box_vel = [
                track.box_filters[0].velocity(),
                track.box_filters[1].velocity(),
            ];
            obj.bbox = BBox::new(
                (s[0] - s[2] / 2.0) as f32,
                (s[1] - s[3] / 2.0) as f32,
                s[2] as f32,
                s[3] as f32,
            );
        }
    }

    if !fresh && !rebuilt {
        let gap = seq - track.last_seen - 1;
        if gap >= 1 && gap <= cfg.latency as u64 {
            interpolate(track, obj, t, seq, held, id);
        }
    }

    track.t_last = t;
    track.bbox = obj.bbox;
    track.confidence = obj.confidence;
    track.class_id = obj.class_id;
    track.label.clone_from(&obj.label);
    track.global_id = obj.global_id;
    track.last_seen = seq;
}

/// Replaces the made-up objects of the held gap frames of a track with poses
/// interpolated between `track.prev_pose` (before the gap, at
/// `track.t_last`) and `track.pose` (now, at `t`).
fn interpolate<T>(
    track: &Track,
    obj: &Object,
    t: f64,
    seq: u64,
    held: &mut VecDeque<Held<T>>,
    id: u64,
) {
    let (s0, t0) = (track.last_seen, track.t_last);
    let span_t = t - t0;
    let span_n = (seq - s0) as f64;
    for h in held.iter_mut() {
        if h.seq <= s0 || h.seq >= seq {
            continue;
        }
        h.synth.retain(|s| s.track_id != id);
        if h.objects.iter().any(|o| o.track_id == Some(id)) {
            continue;
        }
        let mut s = (h.t - t0) / span_t;
        if !(s.is_finite() && span_t > 0.0) {
            s = (h.seq - s0) as f64 / span_n;
        }
        let s = s.clamp(0.0, 1.0);
        let keypoints = track
            .prev_pose
            .iter()
            .zip(&track.pose)
            .map(|(a, b)| {
                if a.valid && b.valid {
                    Keypoint {
                        x: lerp(a.x, b.x, s) as f32,
                        y: lerp(a.y, b.y, s) as f32,
                        confidence: lerp32(a.confidence, b.confidence, s),
                        state: KeypointState::Interpolated,
                    }
                } else {
                    missing_keypoint(&a.out)
                }
            })
            .collect();
        let (b0, b1) = (track.bbox, obj.bbox);
        let object = Object {
            bbox: BBox::new(
                lerp32(b0.x, b1.x, s),
                lerp32(b0.y, b1.y, s),
                lerp32(b0.w, b1.w, s),
                lerp32(b0.h, b1.h, s),
            ),
            confidence: lerp32(track.confidence, obj.confidence, s),
            class_id: obj.class_id,
            label: obj.label.clone(),
            track_id: Some(id),
            track_state: Some(TrackState::Tracked),
            global_id: obj.global_id,
            keypoints,
            embedding: None,
            embedding_frame: None,
        };
        h.synth.push(Synth {
            track_id: id,
            kind: SynthKind::Interpolated,
            object,
        });
    }
}

/// The predicted object of a track `missed` frames after its last sighting.
fn predict(cfg: &SmootherConfig, tr: &Track, id: u64, t: f64, missed: u64) -> Object {
    let dt = t - tr.t_last;
    let decay = cfg.predict_decay.powi(missed.min(i32::MAX as u64) as i32);
    let (mut svx, mut svy, mut n) = (0.0, 0.0, 0usize);
    let keypoints = tr
        .pose
        .iter()
        .map(|p| {
            if p.valid {
                svx += p.vx;
                svy += p.vy;
                n += 1;
                Keypoint {
                    x: (p.x + p.vx * dt) as f32,
                    y: (p.y + p.vy * dt) as f32,
                    confidence: p.confidence * decay,
                    state: KeypointState::Predicted,
                }
            } else {
                missing_keypoint(&p.out)
            }
        })
        .collect();
    let (vx, vy) = if cfg.smooth_boxes && tr.box_filters.len() == 4 {
        (tr.box_vel[0], tr.box_vel[1])
    } else if n > 0 {
        (svx / n as f64, svy / n as f64)
    } else {
        (0.0, 0.0)
    };
    let mut bbox = tr.bbox;
    let (dx, dy) = (vx * dt, vy * dt);
    if dx.is_finite() && dy.is_finite() {
        bbox.x = (bbox.x as f64 + dx) as f32;
        bbox.y = (bbox.y as f64 + dy) as f32;
    }
    Object {
        bbox,
        confidence: tr.confidence * decay,
        class_id: tr.class_id,
        label: tr.label.clone(),
        track_id: Some(id),
        track_state: Some(TrackState::Predicted),
        global_id: tr.global_id,
        keypoints,
        embedding: None,
        embedding_frame: None,
    }
}

/// Mean of `|x[t+1] − 2·x[t] + x[t−1]|` over all `t` whose three samples are
/// finite (a jitter measure). NaN when there is no such `t`.
pub fn mean_abs_second_difference(xs: &[f64]) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for w in xs.windows(3) {
        let d = w[2] - 2.0 * w[1] + w[0];
        if d.is_finite() {
            sum += d.abs();
            n += 1;
        }
    }
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

#[cfg(test)]
mod tests;
