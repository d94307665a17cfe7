// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Assignment with a cost limit, as ByteTrack does it with
//! `lap.lapjv(cost, extend_cost=True, cost_limit=L)`.
//!
//! `lap` pads the `n × m` cost matrix to a square `(n+m) × (n+m)` one: the
//! extra entries of the real rows and columns cost `L/2` ("leave unmatched")
//! and the dummy-dummy block costs 0, then solves that square problem
//! exactly. Its optimum therefore minimises
//! `Σ_matched c_ij + (n − k)·L/2 + (m − k)·L/2` over matchings of size `k`,
//! i.e. maximises `Σ_matched (L − c_ij)`: only pairs with `c_ij < L` can
//! help, and the problem splits into the connected components of the
//! bipartite graph of those pairs. Each component is solved on its own:
//! single pairs and stars (one row or one column with its leaves) directly,
//! small components (at most a few hundred partial matchings) by exhaustive
//! search, anything larger with an exact rectangular solver ([`crate::track::lsa`])
//! in which non-pairs cost `L`, which has the same optimum as the padded
//! problem restricted to the component. The result equals what `lap.lapjv`
//! returns, except where several assignments have exactly the same total
//! cost (ties), which may be broken differently.
//!
//! On tracking data almost every component is a single pair or a star, so a
//! solve costs about as much as reading the pairs.

use crate::track::lsa::LsaWorkspace;

/// Marker for "not matched" in [`AssignmentWorkspace::row_match`] and
/// [`AssignmentWorkspace::col_match`].
pub const NO_MATCH: u32 = u32::MAX;

/// A candidate pair `(row, col)` with its cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub row: u32,
    pub col: u32,
    pub cost: f64,
}

/// Reusable buffers: after warm-up, solving does not allocate.
#[derive(Debug, Default, Clone)]
pub struct AssignmentWorkspace {
    n_rows: usize,
    n_cols: usize,
    row_match: Vec<u32>,
    col_match: Vec<u32>,
    deg_row: Vec<u32>,
    deg_col: Vec<u32>,
    leaf_row: Vec<u32>,
    leaf_col: Vec<u32>,
    best_row: Vec<u32>,
    best_col: Vec<u32>,
    parent: Vec<u32>,
    comp_keys: Vec<u64>,
    comp_edges: Vec<u32>,
    complex: Vec<u32>,
    rest: Vec<u32>,
    local_row: Vec<u32>,
    local_col: Vec<u32>,
    rows: Vec<u32>,
    cols: Vec<u32>,
    sub: Vec<f64>,
    lsa: LsaWorkspace,
    lsa_out: Vec<Option<usize>>,
    edges: Vec<Edge>,
    matches: Vec<(usize, usize)>,
}

/// Solves the limited assignment of a dense row-major `n_rows × n_cols` cost
/// matrix and returns the matched `(row, col)` pairs in increasing row order.
///
/// This is exactly what `lap.lapjv(cost, extend_cost=True,
/// cost_limit=limit)` returns (rows `i` with `x[i] >= 0`), modulo ties
/// between assignments of equal total cost. Pairs with `cost >= limit` (or
/// NaN) are never matched. Costs must not be `-inf`.
pub fn lapjv_limited<'a>(
    cost: &[f64],
    n_rows: usize,
    n_cols: usize,
    limit: f64,
    ws: &'a mut AssignmentWorkspace,
) -> &'a [(usize, usize)] {
    assert_eq!(cost.len(), n_rows * n_cols, "cost matrix size");
    let mut edges = std::mem::take(&mut ws.edges);
    edges.clear();
    for r in 0..n_rows {
        for c in 0..n_cols {
            let v = cost[r * n_cols + c];
            if v < limit {
                edges.push(Edge {
                    row: r as u32,
                    col: c as u32,
                    cost: v,
                });
            }
        }
    }
    ws.solve_edges(n_rows, n_cols, &edges, limit);
    ws.edges = edges;
    ws.matches.clear();
    for (r, &c) in ws.row_match[..n_rows].iter().enumerate() {
        if c != NO_MATCH {
            ws.matches.push((r, c as usize));
        }
    }
    &ws.matches
}

impl AssignmentWorkspace {
    pub fn new() -> Self {
        Self::default()
    }

    /// For each row, the matched column or [`NO_MATCH`] (last solve).
    #[inline]
    pub fn row_match(&self) -> &[u32] {
        &self.row_match[..self.n_rows]
    }

    /// For each column, the matched row or [`NO_MATCH`] (last solve).
    #[inline]
    pub fn col_match(&self) -> &[u32] {
        &self.col_match[..self.n_cols]
    }

    /// Solves the limited assignment given the candidate pairs of an
    /// `n_rows × n_cols` problem; every pair not listed costs at least
    /// `limit`. Listed pairs with `cost >= limit` are ignored, pairs must be
    /// distinct. Results are read with [`Self::row_match`] /
    /// [`Self::col_match`].
    pub fn solve_edges(&mut self, n_rows: usize, n_cols: usize, edges: &[Edge], limit: f64) {
        grow(&mut self.row_match, n_rows, NO_MATCH);
        grow(&mut self.col_match, n_cols, NO_MATCH);
        self.n_rows = n_rows;
        self.n_cols = n_cols;
        self.row_match[..n_rows].fill(NO_MATCH);
        self.col_match[..n_cols].fill(NO_MATCH);
        if edges.is_empty() {
            return;
        }
        // Per-node arrays only grow and are kept at their neutral value
        // between calls (entries touched by a call are reset at its end), so
        // a call costs O(edges), not O(rows + columns).
        grow(&mut self.deg_row, n_rows, 0);
        grow(&mut self.deg_col, n_cols, 0);
        for e in edges {
            if e.cost < limit {
                self.deg_row[e.row as usize] += 1;
                self.deg_col[e.col as usize] += 1;
            }
        }
        // Isolated pairs are their own component and always matched.
        self.complex.clear();
        for (i, e) in edges.iter().enumerate() {
            if !(e.cost < limit) {
                continue;
            }
            let (r, c) = (e.row as usize, e.col as usize);
            if self.deg_row[r] == 1 && self.deg_col[c] == 1 {
                self.row_match[r] = e.col;
                self.col_match[c] = e.row;
            } else {
                self.complex.push(i as u32);
            }
        }
        if !self.complex.is_empty() {
            self.solve_components(n_rows, n_cols, edges, limit);
        }
        for e in edges {
            self.deg_row[e.row as usize] = 0;
            self.deg_col[e.col as usize] = 0;
        }
    }

    /// The pairs of `complex` (those not isolated) by component: stars
    /// directly ([`Self::solve_stars`]), the other components one by one
    /// ([`Self::solve_rest`]).
    fn solve_components(&mut self, n_rows: usize, n_cols: usize, edges: &[Edge], limit: f64) {
        self.solve_stars(n_rows, n_cols, edges);
        if !self.rest.is_empty() {
            self.solve_rest(n_rows, n_cols, edges, limit);
        }
    }

    /// Stars among the pairs of `complex`: a node whose neighbours all have
    /// degree 1 forms a component with them, solved by taking its cheapest
    /// pair. The pairs of other components are left in `rest`.
    fn solve_stars(&mut self, n_rows: usize, n_cols: usize, edges: &[Edge]) {
        grow(&mut self.leaf_row, n_rows, 0);
        grow(&mut self.leaf_col, n_cols, 0);
        grow(&mut self.best_row, n_rows, NO_MATCH);
        grow(&mut self.best_col, n_cols, NO_MATCH);
        for &ei in &self.complex {
            let e = edges[ei as usize];
            let (r, c) = (e.row as usize, e.col as usize);
            if self.deg_row[r] == 1 {
                self.leaf_col[c] += 1;
            }
            if self.deg_col[c] == 1 {
                self.leaf_row[r] += 1;
            }
        }
        self.rest.clear();
        for &ei in &self.complex {
            let e = edges[ei as usize];
            let (r, c) = (e.row as usize, e.col as usize);
            if self.leaf_col[c] == self.deg_col[c] {
                let b = self.best_col[c];
                if b == NO_MATCH || e.cost < edges[b as usize].cost {
                    self.best_col[c] = ei;
                }
            } else if self.leaf_row[r] == self.deg_row[r] {
                let b = self.best_row[r];
                if b == NO_MATCH || e.cost < edges[b as usize].cost {
                    self.best_row[r] = ei;
                }
            } else {
                self.rest.push(ei);
            }
        }
        for &ei in &self.complex {
            let e = edges[ei as usize];
            let (r, c) = (e.row as usize, e.col as usize);
            if self.best_col[c] == ei || self.best_row[r] == ei {
                self.row_match[r] = e.col;
                self.col_match[c] = e.row;
            }
        }
        for &ei in &self.complex {
            let e = edges[ei as usize];
            let (r, c) = (e.row as usize, e.col as usize);
            self.leaf_row[r] = 0;
            self.leaf_col[c] = 0;
            self.best_row[r] = NO_MATCH;
            self.best_col[c] = NO_MATCH;
        }
    }

    /// The components of the pairs in `rest`: union-find over their nodes
    /// (rows are nodes `r`, columns `n_rows + c`), then each component
    /// ([`Self::solve_one`]) in order of its root.
    fn solve_rest(&mut self, n_rows: usize, n_cols: usize, edges: &[Edge], limit: f64) {
        grow(&mut self.parent, n_rows + n_cols, 0);
        for &ei in &self.rest {
            let e = edges[ei as usize];
            self.parent[e.row as usize] = e.row;
            self.parent[n_rows + e.col as usize] = n_rows as u32 + e.col;
        }
        for &ei in &self.rest {
            let e = edges[ei as usize];
            let a = find(&mut self.parent, e.row);
            let b = find(&mut self.parent, n_rows as u32 + e.col);
            if a != b {
                let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                self.parent[hi as usize] = lo;
            }
        }
        // Group the pairs by component (root, then pair order).
        self.comp_keys.clear();
        for &ei in &self.rest {
            let root = find(&mut self.parent, edges[ei as usize].row);
            self.comp_keys.push(((root as u64) << 32) | ei as u64);
        }
        self.comp_keys.sort_unstable();
        self.comp_edges.clear();
        self.comp_edges
            .extend(self.comp_keys.iter().map(|&k| k as u32));
        grow(&mut self.local_row, n_rows, NO_MATCH);
        grow(&mut self.local_col, n_cols, NO_MATCH);
        let mut start = 0usize;
        while start < self.comp_keys.len() {
            let root = self.comp_keys[start] >> 32;
            let mut end = start + 1;
            while end < self.comp_keys.len() && self.comp_keys[end] >> 32 == root {
                end += 1;
            }
            self.solve_one(start, end, edges, limit);
            start = end;
        }
    }

    /// Solves the component made of `comp_edges[start..end]`: a star by its
    /// cheapest pair, a small component exhaustively, a larger one exactly
    /// ([`Self::solve_exact`]).
    fn solve_one(&mut self, start: usize, end: usize, edges: &[Edge], limit: f64) {
        self.rows.clear();
        self.cols.clear();
        for k in start..end {
            let e = edges[self.comp_edges[k] as usize];
            if self.local_row[e.row as usize] == NO_MATCH {
                self.local_row[e.row as usize] = self.rows.len() as u32;
                self.rows.push(e.row);
            }
            if self.local_col[e.col as usize] == NO_MATCH {
                self.local_col[e.col as usize] = self.cols.len() as u32;
                self.cols.push(e.col);
            }
        }
        let (kr, kc) = (self.rows.len(), self.cols.len());
        if kr == 1 || kc == 1 {
            // A star: the cheapest pair wins (first one on equal cost).
            let mut best = self.comp_edges[start] as usize;
            for k in start + 1..end {
                let ei = self.comp_edges[k] as usize;
                if edges[ei].cost < edges[best].cost {
                    best = ei;
                }
            }
            let e = edges[best];
            self.row_match[e.row as usize] = e.col;
            self.col_match[e.col as usize] = e.row;
        } else if small_enough(kr, kc) {
            self.solve_small(start, end, edges, limit);
        } else {
            self.solve_exact(start, end, edges, limit);
        }
        for &r in &self.rows {
            self.local_row[r as usize] = NO_MATCH;
        }
        for &c in &self.cols {
            self.local_col[c as usize] = NO_MATCH;
        }
    }

    /// The component `comp_edges[start..end]` with the exact rectangular
    /// solver ([`crate::track::lsa`]), non-pairs costing `limit`.
    fn solve_exact(&mut self, start: usize, end: usize, edges: &[Edge], limit: f64) {
        let (kr, kc) = (self.rows.len(), self.cols.len());
        self.sub.clear();
        self.sub.resize(kr * kc, limit);
        for k in start..end {
            let e = edges[self.comp_edges[k] as usize];
            let lr = self.local_row[e.row as usize] as usize;
            let lc = self.local_col[e.col as usize] as usize;
            self.sub[lr * kc + lc] = e.cost;
        }
        let ok = self.lsa.solve(&self.sub, kr, kc, &mut self.lsa_out).is_ok();
        if !ok {
            // Only reachable with -inf costs.
            self.solve_greedy(limit);
            return;
        }
        for lr in 0..kr {
            if let Some(lc) = self.lsa_out[lr] {
                if self.sub[lr * kc + lc] < limit {
                    let (r, c) = (self.rows[lr], self.cols[lc]);
                    self.row_match[r as usize] = c;
                    self.col_match[c as usize] = r;
                }
            }
        }
    }

    /// Greedy by cost over the component's `sub` matrix: the fallback of
    /// [`Self::solve_exact`] when the solver fails.
    fn solve_greedy(&mut self, limit: f64) {
        let (kr, kc) = (self.rows.len(), self.cols.len());
        loop {
            let mut best: Option<(usize, usize, f64)> = None;
            for lr in 0..kr {
                if self.row_match[self.rows[lr] as usize] != NO_MATCH {
                    continue;
                }
                for lc in 0..kc {
                    if self.col_match[self.cols[lc] as usize] != NO_MATCH {
                        continue;
                    }
                    let v = self.sub[lr * kc + lc];
                    if v < limit && best.is_none_or(|b| v < b.2) {
                        best = Some((lr, lc, v));
                    }
                }
            }
            let Some((lr, lc, _)) = best else { break };
            let (r, c) = (self.rows[lr], self.cols[lc]);
            self.row_match[r as usize] = c;
            self.col_match[c as usize] = r;
        }
    }
}

/// Whether exhaustive search over the matchings of a `kr × kc` component is
/// cheap: at most 256 leaves (each row of the smaller side takes one of the
/// other side's nodes or none).
#[inline]
fn small_enough(kr: usize, kc: usize) -> bool {
    let (a, b) = if kr <= kc { (kr, kc) } else { (kc, kr) };
    match a {
        0..=2 => b <= 15,
        3 => b <= 5,
        4 => b <= 3,
        _ => false,
    }
}

impl AssignmentWorkspace {
    /// Exhaustive search for the matching of largest total gain `L − c` in
    /// the component `comp_edges[start..end]` (see [`small_enough`]).
    fn solve_small(&mut self, start: usize, end: usize, edges: &[Edge], limit: f64) {
        let (kr, kc) = (self.rows.len(), self.cols.len());
        let tr = kr > kc;
        let (na, nb) = if tr { (kc, kr) } else { (kr, kc) };
        // gain[a * nb + b] > 0 for pairs, 0 otherwise.
        self.sub.clear();
        self.sub.resize(na * nb, 0.0);
        for k in start..end {
            let e = edges[self.comp_edges[k] as usize];
            let lr = self.local_row[e.row as usize] as usize;
            let lc = self.local_col[e.col as usize] as usize;
            let (a, b) = if tr { (lc, lr) } else { (lr, lc) };
            self.sub[a * nb + b] = limit - e.cost;
        }
        let mut cur = [u8::MAX; 4];
        let mut best = [u8::MAX; 4];
        let mut best_gain = 0.0;
        search(
            &self.sub,
            na,
            nb,
            0,
            0,
            0.0,
            &mut cur,
            &mut best,
            &mut best_gain,
        );
        for (a, &b) in best.iter().enumerate().take(na) {
            if b != u8::MAX {
                let (lr, lc) = if tr { (b as usize, a) } else { (a, b as usize) };
                let (r, c) = (self.rows[lr], self.cols[lc]);
                self.row_match[r as usize] = c;
                self.col_match[c as usize] = r;
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn search(
    gain: &[f64],
    na: usize,
    nb: usize,
    a: usize,
    used: u32,
    acc: f64,
    cur: &mut [u8; 4],
    best: &mut [u8; 4],
    best_gain: &mut f64,
) {
    if a == na {
        if acc > *best_gain {
            *best_gain = acc;
            *best = *cur;
        }
        return;
    }
    for b in 0..nb {
        let g = gain[a * nb + b];
        if g > 0.0 && used & (1 << b) == 0 {
            cur[a] = b as u8;
            search(
                gain,
                na,
                nb,
                a + 1,
                used | (1 << b),
                acc + g,
                cur,
                best,
                best_gain,
            );
        }
    }
    cur[a] = u8::MAX;
    search(gain, na, nb, a + 1, used, acc, cur, best, best_gain);
}

/// Grows `v` to at least `n` entries filled with `fill`; never shrinks.
#[inline]
fn grow(v: &mut Vec<u32>, n: usize, fill: u32) {
    if v.len() < n {
        v.resize(n, fill);
    }
}

#[inline]
fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let g = parent[parent[x as usize] as usize];
        parent[x as usize] = g;
        x = g;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force over all permutations of the padded square matrix that
    /// `lap.lapjv(extend_cost=True, cost_limit=limit)` solves.
    fn brute_extended(cost: &[f64], n: usize, m: usize, limit: f64) -> f64 {
        let size = n + m;
        let ext = |i: usize, j: usize| -> f64 {
            match (i < n, j < m) {
                (true, true) => cost[i * m + j],
                (false, false) => 0.0,
                _ => limit / 2.0,
            }
        };
        fn rec(i: usize, size: usize, used: &mut [bool], ext: &dyn Fn(usize, usize) -> f64) -> f64 {
            if i == size {
                return 0.0;
            }
            let mut best = f64::INFINITY;
            for j in 0..size {
                if !used[j] {
                    used[j] = true;
                    best = best.min(ext(i, j) + rec(i + 1, size, used, ext));
                    used[j] = false;
                }
            }
            best
        }
        rec(0, size, &mut vec![false; size], &ext)
    }

    fn value(cost: &[f64], n: usize, m: usize, limit: f64, matches: &[(usize, usize)]) -> f64 {
        let k = matches.len();
        matches.iter().map(|&(r, c)| cost[r * m + c]).sum::<f64>()
            + (n - k) as f64 * limit / 2.0
            + (m - k) as f64 * limit / 2.0
    }

    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
        }
    }

    #[test]
    fn matches_brute_force_on_extended_matrix() {
        let mut rng = Lcg(7);
        let mut ws = AssignmentWorkspace::new();
        for n in 0..5 {
            for m in 0..5 {
                if n + m > 8 {
                    continue;
                }
                for trial in 0..40 {
                    let sparse = trial % 2 == 0;
                    let cost: Vec<f64> = (0..n * m)
                        .map(|_| {
                            let v = rng.next();
                            if sparse && rng.next() < 0.6 {
                                1.0
                            } else {
                                v
                            }
                        })
                        .collect();
                    let limit = [0.5, 0.8, 0.9][trial % 3];
                    let got = lapjv_limited(&cost, n, m, limit, &mut ws).to_vec();
                    // Rows increasing, each row and column at most once, all under limit.
                    assert!(got.windows(2).all(|w| w[0].0 < w[1].0));
                    let mut seen = vec![false; m];
                    for &(r, c) in &got {
                        assert!(cost[r * m + c] < limit);
                        assert!(!seen[c]);
                        seen[c] = true;
                    }
                    let want = brute_extended(&cost, n, m, limit);
                    let have = value(&cost, n, m, limit, &got);
                    assert!(
                        (have - want).abs() < 1e-12,
                        "n={n} m={m} cost={cost:?} limit={limit}: {have} vs {want}"
                    );
                }
            }
        }
    }

    /// Largest total gain `limit − c` over partial matchings (independent
    /// brute force, usable for larger sizes than the padded permutation one).
    fn brute_gain(cost: &[f64], n: usize, m: usize, limit: f64) -> f64 {
        fn rec(cost: &[f64], n: usize, m: usize, limit: f64, i: usize, used: &mut [bool]) -> f64 {
            if i == n {
                return 0.0;
            }
            let mut best = rec(cost, n, m, limit, i + 1, used);
            for j in 0..m {
                let c = cost[i * m + j];
                if !used[j] && c < limit {
                    used[j] = true;
                    best = best.max(limit - c + rec(cost, n, m, limit, i + 1, used));
                    used[j] = false;
                }
            }
            best
        }
        rec(cost, n, m, limit, 0, &mut vec![false; m])
    }

    #[test]
    fn larger_components_match_brute_force() {
        // Dense enough that components exceed the exhaustive-search sizes and
        // go through the rectangular solver.
        let mut rng = Lcg(11);
        let mut ws = AssignmentWorkspace::new();
        for (n, m) in [(5, 5), (6, 4), (4, 7), (6, 6), (3, 6), (7, 2)] {
            for _ in 0..30 {
                let cost: Vec<f64> = (0..n * m).map(|_| rng.next()).collect();
                let got = lapjv_limited(&cost, n, m, 0.9, &mut ws).to_vec();
                let have: f64 = got.iter().map(|&(r, c)| 0.9 - cost[r * m + c]).sum();
                let want = brute_gain(&cost, n, m, 0.9);
                assert!((have - want).abs() < 1e-12, "{n}x{m}: {have} vs {want}");
            }
        }
    }

    #[test]
    fn limit_is_not_hungarian_then_threshold() {
        // Plain Hungarian on the raw matrix picks (0,1) + (1,0) = 1.4 rather
        // than (0,0) + (1,1) = 5.1, and both pairs are under the limit; the
        // padded problem prefers matching (0,0) alone: 0.1 + 0.8 < 1.4.
        let cost = [0.1, 0.7, 0.7, 5.0];
        let mut ws = AssignmentWorkspace::new();
        assert_eq!(lapjv_limited(&cost, 2, 2, 0.8, &mut ws), &[(0, 0)]);
        assert_eq!(lapjv_limited(&cost, 2, 2, 1.5, &mut ws), &[(0, 1), (1, 0)]);
    }

    #[test]
    fn components_and_stars() {
        // Two independent components: a 1×2 star and a 2×2 block.
        let inf = 1.0;
        #[rustfmt::skip]
        let cost = [
            0.3, 0.1, inf, inf,
            inf, inf, 0.2, 0.3,
            inf, inf, 0.25, 0.7,
        ];
        let mut ws = AssignmentWorkspace::new();
        let got = lapjv_limited(&cost, 3, 4, 0.8, &mut ws).to_vec();
        assert_eq!(got, vec![(0, 1), (1, 3), (2, 2)]);
        assert_eq!(ws.col_match(), &[NO_MATCH, 0, 2, 1]);
        // Empty shapes.
        assert!(lapjv_limited(&[], 0, 3, 0.8, &mut ws).is_empty());
        assert_eq!(ws.col_match(), &[NO_MATCH; 3]);
        assert!(lapjv_limited(&[], 2, 0, 0.8, &mut ws).is_empty());
        assert_eq!(ws.row_match(), &[NO_MATCH; 2]);
    }
}
