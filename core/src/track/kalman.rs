// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Constant-velocity Kalman filter on boxes in `xyah` space, with the noise
//! model of deep_sort (as used by ByteTrack).
//!
//! The state is `(cx, cy, a, h, vcx, vcy, va, vh)`. The motion matrix, the
//! process and measurement noise, and the initial covariance all couple a
//! coordinate only with its own velocity, so the 8×8 filter is exactly four
//! independent 2×2 filters: coordinate `i` with velocity `i`. Cross-block
//! covariance entries start at zero and stay exactly zero, so storing only the
//! four 2×2 blocks loses nothing.
//!
//! The arithmetic mirrors what the dense numpy/LAPACK implementation computes
//! entry by entry (each dense sum has at most two non-zero terms), including
//! the Cholesky-based gain, so that results agree bit for bit.
//!
//! Noise (σ's use the current height `h`): `σp = h/20`, `σv = h/160`;
//! initial std `[2σp, 2σp, 1e-2, 2σp, 10σv, 10σv, 1e-5, 10σv]`; process std
//! `[σp, σp, 1e-2, σp, σv, σv, 1e-5, σv]`; measurement std
//! `[σp, σp, 1e-1, σp]`.
//!
//! The keypoint smoother's [`crate::pose::Kalman1`] is a different filter
//! (one coordinate, continuous-time noise, variable time step, fixed-lag
//! smoothing); the two share no code because this one must reproduce
//! deep_sort's arithmetic exactly.

/// Weight of the position standard deviation relative to the height.
pub const STD_WEIGHT_POSITION: f64 = 1.0 / 20.0;
/// Weight of the velocity standard deviation relative to the height.
pub const STD_WEIGHT_VELOCITY: f64 = 1.0 / 160.0;

/// State of one track: mean and the four 2×2 covariance blocks, stored
/// "structure of arrays" (index `i` = coordinate `cx, cy, a, h`).
///
/// Block `i` of the covariance is `[[pxx[i], pxv[i]], [pvx[i], pvv[i]]]`,
/// i.e. rows/columns `(i, i + 4)` of the dense 8×8 matrix. The two
/// off-diagonal entries are kept separately: the update does not produce an
/// exactly symmetric matrix in floating point, and neither does the
/// reference.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct KalmanState {
    /// Position part of the mean: `cx, cy, a, h`.
    pub x: [f64; 4],
    /// Velocity part of the mean: `vcx, vcy, va, vh`.
    pub v: [f64; 4],
    pub pxx: [f64; 4],
    pub pxv: [f64; 4],
    pub pvx: [f64; 4],
    pub pvv: [f64; 4],
}

#[inline(always)]
fn sq(x: f64) -> f64 {
    x * x
}

impl KalmanState {
    /// Creates a track from an unassociated measurement `xyah`, with zero
    /// velocity.
    #[inline]
    pub fn initiate(m: &[f64; 4]) -> Self {
        let h = m[3];
        let sp = 2.0 * STD_WEIGHT_POSITION * h;
        let sv = 10.0 * STD_WEIGHT_VELOCITY * h;
        KalmanState {
            x: *m,
            v: [0.0; 4],
            pxx: [sq(sp), sq(sp), sq(1e-2), sq(sp)],
            pxv: [0.0; 4],
            pvx: [0.0; 4],
            pvv: [sq(sv), sq(sv), sq(1e-5), sq(sv)],
        }
    }

    /// One constant-velocity step (dt = 1): `x ← F x`, `P ← F P Fᵀ + Q`,
    /// with `Q` computed from the height before the step.
    #[inline]
    pub fn predict(&mut self) {
        let h = self.x[3];
        let sp = sq(STD_WEIGHT_POSITION * h);
        let sv = sq(STD_WEIGHT_VELOCITY * h);
        let qx = [sp, sp, sq(1e-2), sp];
        let qv = [sv, sv, sq(1e-5), sv];
        for i in 0..4 {
            let (a, b, c, d) = (self.pxx[i], self.pxv[i], self.pvx[i], self.pvv[i]);
            // F P = [[a + c, b + d], [c, d]];  (F P) Fᵀ = [[(a+c) + (b+d), b + d], [c + d, d]].
            self.pxx[i] = ((a + c) + (b + d)) + qx[i];
            self.pxv[i] = b + d;
            self.pvx[i] = c + d;
            self.pvv[i] = d + qv[i];
            self.x[i] += self.v[i];
        }
    }

    /// Kalman correction with measurement `z` (`xyah`).
    #[inline]
    pub fn update(&mut self, z: &[f64; 4]) {
        let h = self.x[3];
        let sr = sq(STD_WEIGHT_POSITION * h);
        let r = [sr, sr, sq(1e-1), sr];
        for i in 0..4 {
            // Innovation covariance (diagonal), its Cholesky factor, and the gain
            // K = P Hᵀ S⁻¹ solved through the factor as LAPACK potrs does
            // (two triangular solves, each multiplying by the inverted diagonal,
            // as OpenBLAS's dtrsm does; dividing instead differs by an ulp at
            // most, which the reference result files cannot tell apart).
            let s = self.pxx[i] + r[i];
            let inv_l = 1.0 / s.sqrt();
            let kx = (self.pxx[i] * inv_l) * inv_l;
            let kv = (self.pvx[i] * inv_l) * inv_l;
            let innov = z[i] - self.x[i];
            self.x[i] += innov * kx;
            self.v[i] += innov * kv;
            // P ← P − K (S Kᵀ).
            let skx = s * kx;
            let skv = s * kv;
            self.pxx[i] -= kx * skx;
            self.pxv[i] -= kx * skv;
            self.pvx[i] -= kv * skx;
            self.pvv[i] -= kv * skv;
        }
    }

    /// The mean as the dense 8-vector `(cx, cy, a, h, vcx, vcy, va, vh)`.
    pub fn mean(&self) -> [f64; 8] {
        let mut m = [0.0; 8];
        m[..4].copy_from_slice(&self.x);
        m[4..].copy_from_slice(&self.v);
        m
    }

    /// The covariance as the dense 8×8 matrix (row-major).
    pub fn covariance(&self) -> [[f64; 8]; 8] {
        let mut p = [[0.0; 8]; 8];
        for i in 0..4 {
            p[i][i] = self.pxx[i];
            p[i][i + 4] = self.pxv[i];
            p[i + 4][i] = self.pvx[i];
            p[i + 4][i + 4] = self.pvv[i];
        }
        p
    }

    /// Current box as `tlwh`.
    #[inline]
    pub fn tlwh(&self) -> [f64; 4] {
        crate::geometry::xyah_to_tlwh(&self.x)
    }

    /// Current box as `tlbr`.
    #[inline]
    pub fn tlbr(&self) -> [f64; 4] {
        crate::geometry::xyah_to_tlbr(&self.x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn initiate_values() {
        let k = KalmanState::initiate(&[100.0, 50.0, 0.5, 80.0]);
        // σp = 80/20 = 4, σv = 80/160 = 0.5.
        assert!(close(k.pxx[0], 64.0)); // (2·4)²
        assert!(close(k.pxx[2], 1e-4));
        assert!(close(k.pvv[0], 25.0)); // (10·0.5)²
        assert!(close(k.pvv[2], 1e-10));
        assert_eq!(k.v, [0.0; 4]);
        assert_eq!(k.pxv, [0.0; 4]);
    }

    #[test]
    fn predict_values() {
        let mut k = KalmanState::initiate(&[100.0, 50.0, 0.5, 80.0]);
        k.v = [2.0, -1.0, 0.0, 4.0];
        k.predict();
        assert_eq!(k.x, [102.0, 49.0, 0.5, 84.0]);
        // P' = F P Fᵀ + Q with P = diag(64, 25), Q = diag(16, 0.25) (h = 80).
        assert!(close(k.pxx[0], 64.0 + 25.0 + 16.0));
        assert!(close(k.pxv[0], 25.0));
        assert!(close(k.pvx[0], 25.0));
        assert!(close(k.pvv[0], 25.0 + 0.25));
        assert!(close(k.pxx[2], 1e-4 + 1e-10 + 1e-4));
        assert!(close(k.pvv[2], 1e-10 + 1e-10));
    }

    #[test]
    fn update_values() {
        let mut k = KalmanState::initiate(&[100.0, 50.0, 0.5, 80.0]);
        k.predict();
        // After predict (zero velocity): block 0 = [[105, 25], [25, 25.25]].
        k.update(&[110.0, 50.0, 0.5, 80.0]);
        // S = 105 + 16 = 121, K = [105/121, 25/121].
        let s = 121.0;
        let (kx, kv) = (105.0 / s, 25.0 / s);
        assert!(close(k.x[0], 100.0 + 10.0 * kx));
        assert!(close(k.v[0], 10.0 * kv));
        assert!(close(k.pxx[0], 105.0 - kx * kx * s));
        assert!(close(k.pxv[0], 25.0 - kx * kv * s));
        assert!(close(k.pvv[0], 25.25 - kv * kv * s));
        // Unchanged coordinate: mean stays, covariance shrinks.
        assert_eq!(k.x[1], 50.0);
        assert!(k.pxx[1] < 105.0);
    }

    #[test]
    fn matches_dense_filter() {
        // Dense 8×8 reference implementation (textbook formulas).
        fn dense_predict(m: &mut [f64; 8], p: &mut [[f64; 8]; 8]) {
            let h = m[3];
            let mut q = [0.0; 8];
            for (i, qi) in q.iter_mut().enumerate() {
                let s = match i {
                    2 => 1e-2,
                    6 => 1e-5,
                    0..=3 => h / 20.0,
                    _ => h / 160.0,
                };
                *qi = s * s;
            }
            let mut f = [[0.0; 8]; 8];
            for (i, row) in f.iter_mut().enumerate() {
                row[i] = 1.0;
                if i < 4 {
                    row[i + 4] = 1.0;
                }
            }
            let mut nm = [0.0; 8];
            for i in 0..8 {
                for j in 0..8 {
                    nm[i] += f[i][j] * m[j];
                }
            }
            let mut fp = [[0.0; 8]; 8];
            let mut fpf = [[0.0; 8]; 8];
            for i in 0..8 {
                for j in 0..8 {
                    for k in 0..8 {
                        fp[i][j] += f[i][k] * p[k][j];
                    }
                }
            }
            for i in 0..8 {
                for j in 0..8 {
                    for k in 0..8 {
                        fpf[i][j] += fp[i][k] * f[j][k];
                    }
                }
                fpf[i][i] += q[i];
            }
            *m = nm;
            *p = fpf;
        }
        let mut k = KalmanState::initiate(&[300.0, 200.0, 0.4, 120.0]);
        let mut m = k.mean();
        let mut p = k.covariance();
        let zs = [
            [303.0, 201.0, 0.41, 121.0],
            [307.5, 203.0, 0.39, 123.0],
            [311.0, 204.5, 0.40, 122.0],
        ];
        for z in &zs {
            k.predict();
            dense_predict(&mut m, &mut p);
            // Dense update with S diagonal.
            let h = m[3];
            let r = [
                (h / 20.0).powi(2),
                (h / 20.0).powi(2),
                1e-2,
                (h / 20.0).powi(2),
            ];
            let mut kg = [[0.0; 4]; 8];
            for (i, row) in kg.iter_mut().enumerate() {
                for (j, g) in row.iter_mut().enumerate() {
                    *g = p[i][j] / (p[j][j] + r[j]);
                }
            }
            let s: Vec<f64> = (0..4).map(|j| p[j][j] + r[j]).collect();
            let mut np = p;
            let innov: Vec<f64> = (0..4).map(|j| z[j] - m[j]).collect();
            for (i, mi) in m.iter_mut().enumerate() {
                *mi += (0..4).map(|j| kg[i][j] * innov[j]).sum::<f64>();
            }
            for i in 0..8 {
                for j in 0..8 {
                    np[i][j] -= (0..4).map(|a| kg[i][a] * s[a] * kg[j][a]).sum::<f64>();
                }
            }
            p = np;
            k.update(z);
            let kp = k.covariance();
            let km = k.mean();
            for i in 0..8 {
                assert!(close(km[i], m[i]), "mean[{i}]");
            }
            for i in 0..8 {
                for j in 0..8 {
                    assert!(close(kp[i][j], p[i][j]), "P[{i}][{j}]");
                }
            }
        }
    }
}
