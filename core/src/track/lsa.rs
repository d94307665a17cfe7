// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Exact rectangular linear sum assignment (minimum cost), by the shortest
//! augmenting path method (Jonker–Volgenant family, as described by
//! D. F. Crouse, "On implementing 2D rectangular assignment algorithms",
//! IEEE TAES 2016). Same optimum as SciPy's `linear_sum_assignment`.

/// Reusable buffers so that repeated solves do not allocate.
#[derive(Debug, Default, Clone)]
pub struct LsaWorkspace {
    u: Vec<f64>,
    v: Vec<f64>,
    shortest: Vec<f64>,
    path: Vec<usize>,
    col4row: Vec<usize>,
    row4col: Vec<usize>,
    sr: Vec<bool>,
    sc: Vec<bool>,
    remaining: Vec<usize>,
    transposed: Vec<f64>,
}

const NONE: usize = usize::MAX;

/// Error for cost matrices that have no finite full assignment or contain NaN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LsaError {
    Infeasible,
    InvalidCost,
}

impl std::fmt::Display for LsaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LsaError::Infeasible => write!(f, "cost matrix has no finite assignment"),
            LsaError::InvalidCost => write!(f, "cost matrix contains NaN or -inf"),
        }
    }
}

impl std::error::Error for LsaError {}

/// Minimum-cost assignment of a `nr × nc` row-major cost matrix.
///
/// Every row (if `nr <= nc`) or every column (if `nr > nc`) is assigned.
/// Returns, for each row, its column or `None`. `+inf` marks forbidden pairs.
pub fn linear_sum_assignment(
    cost: &[f64],
    nr: usize,
    nc: usize,
) -> Result<Vec<Option<usize>>, LsaError> {
    let mut ws = LsaWorkspace::default();
    let mut out = Vec::new();
    ws.solve(cost, nr, nc, &mut out)?;
    Ok(out)
}

impl LsaWorkspace {
    /// As [`linear_sum_assignment`], writing the row→column result into `out`.
    pub fn solve(
        &mut self,
        cost: &[f64],
        nr: usize,
        nc: usize,
        out: &mut Vec<Option<usize>>,
    ) -> Result<(), LsaError> {
        assert_eq!(cost.len(), nr * nc, "cost matrix size");
        out.clear();
        out.resize(nr, None);
        if nr == 0 || nc == 0 {
            return Ok(());
        }
        if cost.iter().any(|c| c.is_nan() || *c == f64::NEG_INFINITY) {
            return Err(LsaError::InvalidCost);
        }
        if nr <= nc {
            let c = std::mem::take(&mut self.transposed);
            let r = self.solve_wide(cost, nr, nc);
            self.transposed = c;
            r?;
            for (i, o) in out.iter_mut().enumerate() {
                *o = Some(self.col4row[i]);
            }
        } else {
            let mut t = std::mem::take(&mut self.transposed);
            t.clear();
            t.resize(nr * nc, 0.0);
            for i in 0..nr {
                for j in 0..nc {
                    t[j * nr + i] = cost[i * nc + j];
                }
            }
            let r = self.solve_wide(&t, nc, nr);
            self.transposed = t;
            r?;
            for j in 0..nc {
                out[self.col4row[j]] = Some(j);
            }
        }
        Ok(())
    }

    /// Requires `nr <= nc`; fills `col4row`.
    fn solve_wide(&mut self, cost: &[f64], nr: usize, nc: usize) -> Result<(), LsaError> {
        self.u.clear();
        self.u.resize(nr, 0.0);
        self.v.clear();
        self.v.resize(nc, 0.0);
        self.shortest.clear();
        self.shortest.resize(nc, f64::INFINITY);
        self.path.clear();
        self.path.resize(nc, NONE);
        self.col4row.clear();
        self.col4row.resize(nr, NONE);
        self.row4col.clear();
        self.row4col.resize(nc, NONE);
        self.sr.clear();
        self.sr.resize(nr, false);
        self.sc.clear();
        self.sc.resize(nc, false);
        self.remaining.clear();
        self.remaining.resize(nc, 0);

        for cur_row in 0..nr {
            let (sink, min_val) = self.augmenting_path(cost, nc, cur_row)?;
            self.u[cur_row] += min_val;
            for i in 0..nr {
                if self.sr[i] && i != cur_row {
                    self.u[i] += min_val - self.shortest[self.col4row[i]];
                }
            }
            for j in 0..nc {
                if self.sc[j] {
                    self.v[j] -= min_val - self.shortest[j];
                }
            }
            let mut j = sink;
            loop {
                let i = self.path[j];
                self.row4col[j] = i;
                std::mem::swap(&mut self.col4row[i], &mut j);
                if i == cur_row {
                    break;
                }
            }
        }
        Ok(())
    }

    fn augmenting_path(
        &mut self,
        cost: &[f64],
        nc: usize,
        start_row: usize,
    ) -> Result<(usize, f64), LsaError> {
        let mut min_val = 0.0;
        let mut num_remaining = nc;
        for it in 0..nc {
            self.remaining[it] = nc - it - 1;
        }
        self.sr.iter_mut().for_each(|x| *x = false);
        self.sc.iter_mut().for_each(|x| *x = false);
        self.shortest.iter_mut().for_each(|x| *x = f64::INFINITY);

        let mut i = start_row;
        loop {
            let mut index = NONE;
            let mut lowest = f64::INFINITY;
            self.sr[i] = true;
            for it in 0..num_remaining {
                let j = self.remaining[it];
                let r = min_val + cost[i * nc + j] - self.u[i] - self.v[j];
                if r < self.shortest[j] {
                    self.path[j] = i;
                    self.shortest[j] = r;
                }
                if self.shortest[j] < lowest
                    || (self.shortest[j] == lowest && self.row4col[j] == NONE)
                {
                    lowest = self.shortest[j];
                    index = it;
                }
            }
            min_val = lowest;
            if min_val == f64::INFINITY || index == NONE {
                return Err(LsaError::Infeasible);
            }
            let j = self.remaining[index];
            self.sc[j] = true;
            num_remaining -= 1;
            self.remaining[index] = self.remaining[num_remaining];
            if self.row4col[j] == NONE {
                return Ok((j, min_val));
            }
            i = self.row4col[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(cost: &[f64], nc: usize, a: &[Option<usize>]) -> f64 {
        a.iter()
            .enumerate()
            .filter_map(|(i, c)| c.map(|j| cost[i * nc + j]))
            .sum()
    }

    /// Brute force over all injective maps of the smaller side.
    fn brute(cost: &[f64], nr: usize, nc: usize) -> f64 {
        fn rec(cost: &[f64], nr: usize, nc: usize, i: usize, used: &mut Vec<bool>) -> f64 {
            if i == nr {
                return 0.0;
            }
            let mut best = f64::INFINITY;
            for j in 0..nc {
                if !used[j] {
                    used[j] = true;
                    best = best.min(cost[i * nc + j] + rec(cost, nr, nc, i + 1, used));
                    used[j] = false;
                }
            }
            best
        }
        if nr <= nc {
            rec(cost, nr, nc, 0, &mut vec![false; nc])
        } else {
            let mut t = vec![0.0; nr * nc];
            for i in 0..nr {
                for j in 0..nc {
                    t[j * nr + i] = cost[i * nc + j];
                }
            }
            rec(&t, nc, nr, 0, &mut vec![false; nr])
        }
    }

    #[test]
    fn known_3x3() {
        let c = [4.0, 1.0, 3.0, 2.0, 0.0, 5.0, 3.0, 2.0, 2.0];
        let a = linear_sum_assignment(&c, 3, 3).unwrap();
        assert_eq!(a, vec![Some(1), Some(0), Some(2)]);
        assert_eq!(total(&c, 3, &a), 5.0);
    }

    #[test]
    fn rectangular_both_ways_match_brute_force() {
        // Deterministic pseudo-random matrices (LCG).
        let mut s: u64 = 12345;
        let mut rnd = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) % 1000) as f64 / 10.0
        };
        for nr in 1..6 {
            for nc in 1..6 {
                for _ in 0..20 {
                    let c: Vec<f64> = (0..nr * nc).map(|_| rnd()).collect();
                    let a = linear_sum_assignment(&c, nr, nc).unwrap();
                    let assigned = a.iter().filter(|x| x.is_some()).count();
                    assert_eq!(assigned, nr.min(nc));
                    assert!((total(&c, nc, &a) - brute(&c, nr, nc)).abs() < 1e-9);
                }
            }
        }
    }

    #[test]
    fn infeasible_and_nan() {
        let inf = f64::INFINITY;
        assert_eq!(
            linear_sum_assignment(&[inf, inf, 1.0, 2.0], 2, 2),
            Err(LsaError::Infeasible)
        );
        assert_eq!(
            linear_sum_assignment(&[f64::NAN], 1, 1),
            Err(LsaError::InvalidCost)
        );
        assert_eq!(linear_sum_assignment(&[], 0, 3).unwrap(), vec![]);
    }
}
