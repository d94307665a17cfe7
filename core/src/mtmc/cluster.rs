// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The clustering of [`MtmcAggregator::cluster`]: constrained
//! average-linkage agglomeration, then stable global ids (see the
//! [module documentation](super), "Clustering" and "Stable ids").

use super::{GlobalMerge, MtmcAggregator, Tracklet, NONE};
use crate::embedding::dot_f32 as dot;
use std::collections::HashSet;

/// Reused buffers of a clustering.
#[derive(Debug, Default)]
pub(super) struct Work {
    /// Tracklet slot of each clustered item.
    pub(super) slots: Vec<u32>,
    /// `n × n` cluster distances (row-major, symmetric).
    pub(super) dist: Vec<f32>,
    /// `n × words` cannot-link bits between clusters.
    pub(super) cannot: Vec<u64>,
    pub(super) words: usize,
    pub(super) size: Vec<u32>,
    pub(super) active: Vec<bool>,
    /// Nearest allowed neighbour and its distance, per cluster.
    pub(super) nn: Vec<u32>,
    pub(super) nnd: Vec<f32>,
    /// Member lists as linked lists: `next[i]`, and the tail of each root.
    pub(super) next: Vec<u32>,
    pub(super) tail: Vec<u32>,
    /// Global id given to each root (0 = none yet).
    pub(super) assigned: Vec<u64>,
    /// (count, cluster size, previous id, root) triples.
    pub(super) triples: Vec<(u32, u32, u64, u32)>,
    pub(super) gids: Vec<u64>,
    pub(super) taken: HashSet<u64>,
}

impl Work {
    #[inline]
    fn bit(&self, i: usize, j: usize) -> bool {
        (self.cannot[i * self.words + j / 64] >> (j % 64)) & 1 != 0
    }

    #[inline]
    fn set_bit(&mut self, i: usize, j: usize) {
        self.cannot[i * self.words + j / 64] |= 1 << (j % 64);
    }

    /// Nearest active cluster to `i` that `i` may merge with.
    fn scan(&self, i: usize) -> (u32, f32) {
        let n = self.slots.len();
        let row = &self.dist[i * n..(i + 1) * n];
        let mut best = (NONE, f32::INFINITY);
        for (k, &d) in row.iter().enumerate() {
            if k != i && self.active[k] && d < best.1 && !self.bit(i, k) {
                best = (k as u32, d);
            }
        }
        best
    }
}

impl Work {
    /// Empties the buffers for `n` singleton clusters.
    fn reset(&mut self, n: usize) {
        self.words = n.div_ceil(64);
        self.dist.clear();
        self.dist.resize(n * n, 0.0);
        self.cannot.clear();
        self.cannot.resize(n * self.words, 0);
        self.size.clear();
        self.size.resize(n, 1);
        self.active.clear();
        self.active.resize(n, true);
        self.next.clear();
        self.next.resize(n, NONE);
        self.tail.clear();
        self.tail.extend(0..n as u32);
    }

    /// Every cluster's nearest allowed neighbour.
    fn init_neighbours(&mut self) {
        self.nn.clear();
        self.nnd.clear();
        for i in 0..self.slots.len() {
            let (k, dist) = self.scan(i);
            self.nn.push(k);
            self.nnd.push(dist);
        }
    }

    /// The closest pair of active clusters (by cached nearest neighbour), if
    /// its distance is at most `thr`.
    fn closest_pair(&self, thr: f32) -> Option<(usize, usize)> {
        let mut best = (NONE, f32::INFINITY);
        for (i, &dist) in self.nnd.iter().enumerate() {
            if self.active[i] && dist < best.1 {
                best = (i as u32, dist);
            }
        }
        if best.0 == NONE || !(best.1 <= thr) {
            return None;
        }
        let (x, y) = (best.0 as usize, self.nn[best.0 as usize] as usize);
        Some((x.min(y), x.max(y)))
    }

    /// Merges cluster `b` into `a` (`a < b`): Lance–Williams distances,
    /// OR-ed constraints, sizes and member lists.
    fn merge(&mut self, a: usize, b: usize) {
        let n = self.slots.len();
        let (sa, sb) = (self.size[a] as f32, self.size[b] as f32);
        let inv = 1.0 / (sa + sb);
        // Lance–Williams, average linkage.
        for k in 0..n {
            if !self.active[k] || k == a || k == b {
                continue;
            }
            let v = (sa * self.dist[a * n + k] + sb * self.dist[b * n + k]) * inv;
            self.dist[a * n + k] = v;
            self.dist[k * n + a] = v;
        }
        // Constraints: row a |= row b, then the column of a.
        for q in 0..self.words {
            let bits = self.cannot[b * self.words + q];
            self.cannot[a * self.words + q] |= bits;
        }
        for q in 0..self.words {
            let mut bits = self.cannot[a * self.words + q];
            while bits != 0 {
                let k = q * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                self.set_bit(k, a);
            }
        }
        self.active[b] = false;
        self.nnd[b] = f32::INFINITY;
        self.size[a] += self.size[b];
        let ta = self.tail[a] as usize;
        self.next[ta] = b as u32;
        self.tail[a] = self.tail[b];
    }

    /// After merging `b` into `a`: `a`'s nearest neighbour, and the clusters
    /// whose nearest was `a` or `b` (rescanned) or is now `a`.
    fn update_neighbours(&mut self, a: usize, b: usize) {
        let n = self.slots.len();
        let (k, dist) = self.scan(a);
        self.nn[a] = k;
        self.nnd[a] = dist;
        for k in 0..n {
            if !self.active[k] || k == a {
                continue;
            }
            let nk = self.nn[k] as usize;
            if nk == a || nk == b {
                let (m, dist) = self.scan(k);
                self.nn[k] = m;
                self.nnd[k] = dist;
            } else if !self.bit(k, a) {
                let v = self.dist[k * n + a];
                if v < self.nnd[k] || (v == self.nnd[k] && (a as u32) < self.nn[k]) {
                    self.nn[k] = a as u32;
                    self.nnd[k] = v;
                }
            }
        }
    }

    /// The (count, cluster size, previous id, root) triples of every active
    /// cluster, sorted as the module documentation says.
    fn count_previous_ids(&mut self, tracklets: &[Tracklet]) {
        let n = self.slots.len();
        self.triples.clear();
        for r in 0..n {
            if !self.active[r] {
                continue;
            }
            self.gids.clear();
            let mut m = r as u32;
            while m != NONE {
                let gid = tracklets[self.slots[m as usize] as usize].gid;
                if gid != 0 {
                    self.gids.push(gid);
                }
                m = self.next[m as usize];
            }
            self.gids.sort_unstable();
            let mut i = 0;
            while i < self.gids.len() {
                let g = self.gids[i];
                let mut j = i;
                while j < self.gids.len() && self.gids[j] == g {
                    j += 1;
                }
                self.triples
                    .push(((j - i) as u32, self.size[r], g, r as u32));
                i = j;
            }
        }
        self.triples.sort_unstable_by(|x, y| {
            y.0.cmp(&x.0)
                .then(y.1.cmp(&x.1))
                .then(x.2.cmp(&y.2))
                .then(x.3.cmp(&y.3))
        });
    }

    /// Gives each cluster a previous id greedily (triples in order), the
    /// others a new id from `next_gid`.
    fn take_ids(&mut self, next_gid: &mut u64) {
        let n = self.slots.len();
        self.assigned.clear();
        self.assigned.resize(n, 0);
        self.taken.clear();
        for &(_, _, g, r) in &self.triples {
            if self.assigned[r as usize] == 0 && !self.taken.contains(&g) {
                self.assigned[r as usize] = g;
                self.taken.insert(g);
            }
        }
        for r in 0..n {
            if self.active[r] && self.assigned[r] == 0 {
                self.assigned[r] = *next_gid;
                *next_gid += 1;
            }
        }
    }

    /// The previous ids not taken: the first triple of each (most
    /// tracklets, then larger cluster) names where most of its tracklets
    /// went; among equal counts the smallest kept id. Sorted by id.
    fn lost_ids(&self) -> Vec<GlobalMerge> {
        let mut merges: Vec<GlobalMerge> = Vec::new();
        let mut counts: Vec<u32> = Vec::new();
        for &(c, _, g, r) in &self.triples {
            if self.taken.contains(&g) {
                continue;
            }
            let into = self.assigned[r as usize];
            match merges.iter().position(|m| m.from == g) {
                None => {
                    merges.push(GlobalMerge { from: g, into });
                    counts.push(c);
                }
                Some(p) => {
                    if c == counts[p] && into < merges[p].into {
                        merges[p].into = into;
                    }
                }
            }
        }
        merges.sort_unstable_by_key(|m| m.from);
        merges
    }
}

impl MtmcAggregator {
    /// Constrained average-linkage clustering of the tracklets with an
    /// embedding; leaves the roots active in `w.active`, members linked
    /// through `w.next`.
    pub(super) fn agglomerate(&self, w: &mut Work) {
        w.slots.clear();
        w.slots.extend(
            self.tracklets
                .iter()
                .enumerate()
                .filter(|(_, t)| t.live && t.count > 0)
                .map(|(s, _)| s as u32),
        );
        w.reset(w.slots.len());
        self.pairwise(w);
        w.init_neighbours();
        let thr = self.cfg.match_threshold;
        while let Some((a, b)) = w.closest_pair(thr) {
            w.merge(a, b);
            w.update_neighbours(a, b);
        }
    }

    /// Pairwise distances of the tracklet means and cannot-link bits.
    fn pairwise(&self, w: &mut Work) {
        let d = self.dim;
        let n = w.slots.len();
        for i in 0..n {
            let si = w.slots[i] as usize;
            let mi = &self.means[si * d..(si + 1) * d];
            let ti = &self.tracklets[si];
            for j in i + 1..n {
                let sj = w.slots[j] as usize;
                let dist = (1.0 - dot(mi, &self.means[sj * d..(sj + 1) * d])).clamp(0.0, 2.0);
                w.dist[i * n + j] = dist;
                w.dist[j * n + i] = dist;
                if self.cannot_link(ti, &self.tracklets[sj]) {
                    w.set_bit(i, j);
                    w.set_bit(j, i);
                }
            }
        }
    }

    /// Maps the clusters of `w` to previous global ids (module docs), sets
    /// the tracklets' ids and returns the merges.
    pub(super) fn assign_ids(&mut self, w: &mut Work) -> Vec<GlobalMerge> {
        w.count_previous_ids(&self.tracklets);
        w.take_ids(&mut self.next_gid);
        let merges = w.lost_ids();
        for r in 0..w.slots.len() {
            if !w.active[r] {
                continue;
            }
            let mut m = r as u32;
            while m != NONE {
                self.tracklets[w.slots[m as usize] as usize].gid = w.assigned[r];
                m = w.next[m as usize];
            }
        }
        merges
    }

    /// Rebuilds the identity table (exact sums) from the clustered ids.
    pub(super) fn rebuild_identities(&mut self, w: &Work) {
        self.ident_by_gid.clear();
        self.free_idents.clear();
        for (i, id) in self.idents.iter_mut().enumerate().rev() {
            id.live = false;
            id.members.clear();
            self.free_idents.push(i as u32);
        }
        for t in &mut self.tracklets {
            t.ident = NONE;
        }
        for r in 0..w.slots.len() {
            if !w.active[r] {
                continue;
            }
            let ident = self.new_identity(w.assigned[r]);
            let mut m = r as u32;
            while m != NONE {
                self.join(w.slots[m as usize], ident);
                m = w.next[m as usize];
            }
        }
    }
}
