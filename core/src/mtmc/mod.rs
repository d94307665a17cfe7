// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Online multi-target multi-camera (MTMC) identity: gives every
//! single-camera tracklet — a (camera, track id) pair — a **global id**, so
//! that the same person seen by different cameras (or re-entering one camera)
//! carries the same global id. This is the core of the `rsmtmcagg` element.
//!
//! # Tracklet gallery
//!
//! Per (camera, track id) the aggregator keeps the sum of the L2-normalised
//! appearance embeddings seen so far (its normalisation is the tracklet
//! *mean*), their count, the first and last observation times (ns) and the
//! global id. The gallery is bounded: a new tracklet arriving when
//! [`MtmcConfig::max_tracklets`] are held evicts the one with the oldest last
//! time first (ties: the lowest storage slot), and every clustering first
//! drops the tracklets whose last time is older than `now − max_age_ns`.
//! Camera names are interned once to small indices.
//!
//! The first non-empty embedding fixes the dimension; a later one of another
//! length is an [`MtmcError::EmbeddingLength`] and changes nothing. Empty
//! embeddings count as "no embedding"; embeddings with a zero or non-finite
//! norm update the times only.
//!
//! # Immediate assignment
//!
//! An *identity* is the set of tracklets holding one global id; its mean is
//! the normalised sum of its tracklets' means (kept up to date on every
//! observation, recomputed exactly at each clustering). As soon as a tracklet
//! without a global id has an embedding, [`MtmcAggregator::observe`] gives it
//! the id of the nearest identity by cosine distance (`1 − cos`) with a
//! distance `≤ match_threshold` that has no cannot-link with the tracklet
//! (checked against every member; ties: smallest id); if there is none, a new
//! id. Ids start at 1, increase and are never reused. A tracklet keeps its id
//! on later observations until a clustering changes it.
//!
//! # Cannot-link constraints
//!
//! With spans `[first, last]`, let `gap = max(first_a, first_b) −
//! min(last_a, last_b)` (ns, signed): the time from the earlier tracklet's
//! end to the later one's start, negative when the spans overlap.
//!
//! 1. Same camera: the two spans overlap by more than
//!    `overlap_tolerance_ns`, the overlap being counted in common nanoseconds
//!    of the closed spans (`1 − gap`); with the default tolerance 0 any
//!    common instant forbids the link (one camera cannot see one person as
//!    two tracks at once), while back-to-back spans (`gap ≥ 1`) may link.
//! 2. Camera links ([`MtmcConfig::links`], see [`parse_camera_links`]),
//!    only when a table is given: two tracklets of *different* cameras may
//!    link only if the pair is listed, and then only if `min ≤ gap ≤ max`,
//!    or, for a pair marked `overlapping=true`, also if `gap ≤ 0` (the
//!    fields of view overlap, so the person may be seen by both at once).
//!    A same-camera pair is constrained by the table only when the table
//!    lists it explicitly (`cam cam min max`), in addition to rule 1.
//!    Without a table there is no camera constraint.
//!
//! # Clustering
//!
//! [`MtmcAggregator::cluster`] (or [`MtmcAggregator::maybe_cluster`], every
//! `cluster_interval_ns`) re-clusters all tracklets that have an embedding:
//! agglomerative clustering with average linkage over the cosine distances
//! of the tracklet means, repeatedly merging the closest pair of clusters
//! (ties: lowest indices) while that distance is `≤ match_threshold` and no
//! member of one cannot-link with a member of the other. Tracklets without
//! an embedding are not clustered (they have no global id).
//!
//! The pairwise distance matrix (f32 dot products of the means) and the
//! tracklet cannot-link bitset are computed once per clustering; cluster to
//! cluster distances are then updated with the Lance–Williams formula for
//! average linkage, `d(a∪b, k) = (|a|·d(a,k) + |b|·d(b,k)) / (|a|+|b|)`,
//! the cannot-link rows are OR-ed on a merge, and every cluster caches its
//! nearest allowed neighbour, so a clustering of `n` tracklets costs
//! `O(n²·dim)` for the matrix plus about `O(n²)` for the merges. All work
//! buffers are kept and reused (they grow to the largest `n` seen: `4·n²`
//! bytes of distances and `n²/8` bytes of constraints).
//!
//! # Stable ids
//!
//! The new clusters take over the previous global ids by overlap. All
//! (cluster, previous id, number of the cluster's tracklets holding that id)
//! triples are sorted by that number (descending), then cluster size
//! (descending), then id (ascending), and taken greedily: a triple gives the
//! id to the cluster when neither has been matched yet. So each previous id
//! goes to the cluster holding most of its tracklets, each cluster keeps its
//! majority id when it can (ties: the smallest), and larger clusters win
//! ties. Clusters left without a previous id get new ids (in order of their
//! lowest member slot). A previous id that was not taken although its
//! tracklets are still clustered has been merged away: it is reported as
//! [`GlobalMerge`] `{ from: lost, into: kept }`, `kept` being the id of the
//! cluster holding most of its tracklets (ties: the smallest kept id); such
//! a cluster always holds a previous id. Ids that vanish because their
//! tracklets were evicted are not reported.

mod cluster;
mod links;

pub use links::{
    parse_camera_links, CameraLink, CameraLinks, CameraLinksError, CameraLinksErrorKind,
};

use crate::embedding::{dot_f32 as dot, norm};
use cluster::Work;
use links::Rule;
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// Marker for "no index".
pub(crate) const NONE: u32 = u32::MAX;

/// Settings of an [`MtmcAggregator`].
#[derive(Clone, Debug, PartialEq)]
pub struct MtmcConfig {
    /// Largest cosine distance (`1 − cos`) at which a tracklet joins an
    /// identity or two clusters merge. Default 0.3.
    pub match_threshold: f32,
    /// Interval of [`MtmcAggregator::maybe_cluster`]. Default 1 s.
    pub cluster_interval_ns: u64,
    /// Most tracklets held (at least 1); the oldest by last time is evicted
    /// first. Default 4096.
    pub max_tracklets: usize,
    /// Tracklets last seen longer ago than this are dropped at each
    /// clustering. Default 600 s.
    pub max_age_ns: u64,
    /// Same-camera spans may overlap by this much and still link. Default 0.
    pub overlap_tolerance_ns: u64,
    /// Camera-links table; `None`: no camera constraint.
    pub links: Option<CameraLinks>,
}

impl Default for MtmcConfig {
    fn default() -> Self {
        MtmcConfig {
            match_threshold: 0.3,
            cluster_interval_ns: 1_000_000_000,
            max_tracklets: 4096,
            max_age_ns: 600_000_000_000,
            overlap_tolerance_ns: 0,
            links: None,
        }
    }
}

/// A global id that a clustering merged into another one: every tracklet
/// that carried `from` now carries `into`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalMerge {
    /// The id that disappeared.
    pub from: u64,
    /// The id that took its tracklets.
    pub into: u64,
}

/// Errors of [`MtmcAggregator::observe`].
#[derive(Clone, Debug, PartialEq)]
pub enum MtmcError {
    /// An embedding's length differs from the first embedding's.
    EmbeddingLength {
        /// Camera of the observation.
        camera: String,
        /// Track id of the observation.
        track_id: u64,
        /// Length fixed by the first embedding.
        expected: usize,
        /// Length of this embedding.
        found: usize,
    },
}

impl fmt::Display for MtmcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MtmcError::EmbeddingLength {
                camera,
                track_id,
                expected,
                found,
            } => write!(
                f,
                "camera '{camera}' track {track_id}: embedding has {found} values, expected \
                 {expected} (the length of the first embedding)"
            ),
        }
    }
}

impl std::error::Error for MtmcError {}

/// One (camera, track id) tracklet. Its embedding sum and mean live in
/// [`MtmcAggregator::sums`] / [`MtmcAggregator::means`] at `slot · dim`.
#[derive(Clone, Debug)]
struct Tracklet {
    cam: u32,
    track_id: u64,
    first: u64,
    last: u64,
    /// Number of embeddings accumulated.
    count: u32,
    /// Global id, 0 = none.
    gid: u64,
    /// Identity slot, [`NONE`] when `gid == 0`.
    ident: u32,
    live: bool,
}

/// The tracklets holding one global id; its sum of tracklet means lives in
/// [`MtmcAggregator::isums`] at `slot · dim`.
#[derive(Clone, Debug, Default)]
struct Identity {
    gid: u64,
    members: Vec<u32>,
    live: bool,
}

/// Online multi-camera identity aggregator; see the [module](self) docs.
#[derive(Debug)]
pub struct MtmcAggregator {
    cfg: MtmcConfig,
    /// Interned camera names.
    cam_names: Vec<String>,
    cam_index: HashMap<String, u32>,
    /// Per interned camera: its index among the cameras of the links table,
    /// or [`NONE`].
    cam_link: Vec<u32>,
    /// Cameras of the links table and the `L × L` rule matrix.
    link_cams: HashMap<String, u32>,
    link_rules: Vec<Option<Rule>>,
    /// Embedding dimension, 0 until the first embedding.
    dim: usize,
    tracklets: Vec<Tracklet>,
    sums: Vec<f32>,
    means: Vec<f32>,
    free_slots: Vec<u32>,
    keys: HashMap<(u32, u64), u32>,
    /// Live tracklets by (last time, slot).
    order: BTreeSet<(u64, u32)>,
    idents: Vec<Identity>,
    isums: Vec<f32>,
    free_idents: Vec<u32>,
    ident_by_gid: HashMap<u64, u32>,
    next_gid: u64,
    last_cluster: Option<u64>,
    /// Scratch: a tracklet mean, and candidate identities.
    tmp: Vec<f32>,
    cand: Vec<(f32, u64, u32)>,
    work: Work,
}

impl MtmcAggregator {
    /// A new, empty aggregator.
    pub fn new(cfg: MtmcConfig) -> Self {
        let mut link_cams: HashMap<String, u32> = HashMap::new();
        let mut link_rules = Vec::new();
        if let Some(links) = &cfg.links {
            for l in &links.links {
                for name in [&l.a, &l.b] {
                    let next = link_cams.len() as u32;
                    link_cams.entry(name.clone()).or_insert(next);
                }
            }
            let l = link_cams.len();
            link_rules = vec![None; l * l];
            let to_ns = |s: f64| (s * 1e9) as i128;
            for link in &links.links {
                let (a, b) = (link_cams[&link.a] as usize, link_cams[&link.b] as usize);
                let rule = Rule {
                    min_ns: to_ns(link.min_s),
                    max_ns: to_ns(link.max_s),
                    overlapping: link.overlapping,
                };
                link_rules[a * l + b] = Some(rule);
                link_rules[b * l + a] = Some(rule);
            }
        }
        MtmcAggregator {
            cfg,
            cam_names: Vec::new(),
            cam_index: HashMap::new(),
            cam_link: Vec::new(),
            link_cams,
            link_rules,
            dim: 0,
            tracklets: Vec::new(),
            sums: Vec::new(),
            means: Vec::new(),
            free_slots: Vec::new(),
            keys: HashMap::new(),
            order: BTreeSet::new(),
            idents: Vec::new(),
            isums: Vec::new(),
            free_idents: Vec::new(),
            ident_by_gid: HashMap::new(),
            next_gid: 1,
            last_cluster: None,
            tmp: Vec::new(),
            cand: Vec::new(),
            work: Work::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &MtmcConfig {
        &self.cfg
    }

    /// One observation. Returns the tracklet's global id (None while it has
    /// never had an embedding).
    pub fn observe(
        &mut self,
        camera: &str,
        track_id: u64,
        t_ns: u64,
        embedding: Option<&[f32]>,
    ) -> Result<Option<u64>, MtmcError> {
        let embedding = embedding.filter(|e| !e.is_empty());
        if let Some(e) = embedding {
            if self.dim != 0 && e.len() != self.dim {
                return Err(MtmcError::EmbeddingLength {
                    camera: camera.to_string(),
                    track_id,
                    expected: self.dim,
                    found: e.len(),
                });
            }
        }
        let cam = self.intern(camera);
        let slot = match self.keys.get(&(cam, track_id)) {
            Some(&s) => s,
            None => self.insert(cam, track_id, t_ns),
        };
        let t = &mut self.tracklets[slot as usize];
        if t_ns > t.last {
            self.order.remove(&(t.last, slot));
            t.last = t_ns;
            self.order.insert((t_ns, slot));
        }
        t.first = t.first.min(t_ns);
        if let Some(e) = embedding {
            self.add_embedding(slot, e);
        }
        let gid = self.tracklets[slot as usize].gid;
        Ok((gid != 0).then_some(gid))
    }

    /// The global id of a tracklet, if it is held and has one.
    pub fn global_id(&self, camera: &str, track_id: u64) -> Option<u64> {
        let cam = *self.cam_index.get(camera)?;
        let slot = *self.keys.get(&(cam, track_id))?;
        let gid = self.tracklets[slot as usize].gid;
        (gid != 0).then_some(gid)
    }

    /// Clusters when `cluster_interval_ns` has passed since the last
    /// clustering (or there was none, or time went backwards); else does
    /// nothing and returns no merges.
    pub fn maybe_cluster(&mut self, now_ns: u64) -> Vec<GlobalMerge> {
        match self.last_cluster {
            Some(last) if now_ns >= last && now_ns - last < self.cfg.cluster_interval_ns => {
                Vec::new()
            }
            _ => self.cluster(now_ns),
        }
    }

    /// Drops the tracklets older than `max_age_ns`, re-clusters all
    /// tracklets with an embedding and re-assigns the global ids; returns the
    /// ids merged away (sorted by `from`).
    pub fn cluster(&mut self, now_ns: u64) -> Vec<GlobalMerge> {
        self.last_cluster = Some(now_ns);
        let cutoff = now_ns.saturating_sub(self.cfg.max_age_ns);
        while let Some(&(last, slot)) = self.order.first() {
            if last >= cutoff {
                break;
            }
            self.remove(slot);
        }
        if self.dim == 0 {
            return Vec::new();
        }
        let mut w = std::mem::take(&mut self.work);
        self.agglomerate(&mut w);
        let merges = self.assign_ids(&mut w);
        self.rebuild_identities(&w);
        self.work = w;
        merges
    }

    /// Number of tracklets held (with or without embedding).
    pub fn num_tracklets(&self) -> usize {
        self.keys.len()
    }

    /// Number of global ids currently held by at least one tracklet.
    pub fn num_identities(&self) -> usize {
        self.ident_by_gid.len()
    }

    /// The global id the next new identity will get.
    pub fn next_global_id(&self) -> u64 {
        self.next_gid
    }

    /// Continues the numbering of an earlier aggregator (an element that is
    /// restarted keeps its ids unique): new identities get ids from `id`
    /// on. Never lowers the counter.
    pub fn continue_ids_from(&mut self, id: u64) {
        self.next_gid = self.next_gid.max(id);
    }

    /// Forget one camera's tracklets (its stream restarted / flushed).
    pub fn reset_camera(&mut self, camera: &str) {
        let Some(&cam) = self.cam_index.get(camera) else {
            return;
        };
        let mut slots: Vec<u32> = self
            .keys
            .iter()
            .filter(|(k, _)| k.0 == cam)
            .map(|(_, &s)| s)
            .collect();
        // Slot order, not hash order: later slot reuse stays deterministic.
        slots.sort_unstable();
        for slot in slots {
            self.remove(slot);
        }
    }

    fn intern(&mut self, camera: &str) -> u32 {
        if let Some(&c) = self.cam_index.get(camera) {
            return c;
        }
        let c = self.cam_names.len() as u32;
        self.cam_names.push(camera.to_string());
        self.cam_index.insert(camera.to_string(), c);
        self.cam_link
            .push(self.link_cams.get(camera).copied().unwrap_or(NONE));
        c
    }

    /// Creates a tracklet, evicting the oldest one when the gallery is full.
    fn insert(&mut self, cam: u32, track_id: u64, t_ns: u64) -> u32 {
        while self.keys.len() >= self.cfg.max_tracklets.max(1) {
            let Some(&(_, oldest)) = self.order.first() else {
                break;
            };
            self.remove(oldest);
        }
        let t = Tracklet {
            cam,
            track_id,
            first: t_ns,
            last: t_ns,
            count: 0,
            gid: 0,
            ident: NONE,
            live: true,
        };
        let slot = match self.free_slots.pop() {
            Some(s) => {
                self.tracklets[s as usize] = t;
                let r = s as usize * self.dim..(s as usize + 1) * self.dim;
                self.sums[r.clone()].fill(0.0);
                self.means[r].fill(0.0);
                s
            }
            None => {
                self.tracklets.push(t);
                self.sums.resize(self.tracklets.len() * self.dim, 0.0);
                self.means.resize(self.tracklets.len() * self.dim, 0.0);
                (self.tracklets.len() - 1) as u32
            }
        };
        self.keys.insert((cam, track_id), slot);
        self.order.insert((t_ns, slot));
        slot
    }

    /// Removes a live tracklet (and its share of its identity).
    fn remove(&mut self, slot: u32) {
        let s = slot as usize;
        let t = &mut self.tracklets[s];
        if !t.live {
            return;
        }
        t.live = false;
        let (ident, key, last) = (t.ident, (t.cam, t.track_id), t.last);
        t.ident = NONE;
        t.gid = 0;
        self.order.remove(&(last, slot));
        self.keys.remove(&key);
        self.free_slots.push(slot);
        if ident != NONE {
            let d = self.dim;
            let i = ident as usize;
            for (a, &m) in self.isums[i * d..(i + 1) * d]
                .iter_mut()
                .zip(&self.means[s * d..(s + 1) * d])
            {
                *a -= m;
            }
            let id = &mut self.idents[i];
            if let Some(p) = id.members.iter().position(|&m| m == slot) {
                id.members.swap_remove(p);
            }
            if id.members.is_empty() {
                id.live = false;
                self.ident_by_gid.remove(&id.gid);
                self.free_idents.push(ident);
            }
        }
    }

    /// Adds one embedding (of the right length) to a tracklet, keeps its
    /// identity's sum up to date and assigns a global id if it has none.
    fn add_embedding(&mut self, slot: u32, e: &[f32]) {
        if self.dim == 0 {
            self.dim = e.len();
            let n = self.tracklets.len() * self.dim;
            self.sums.resize(n, 0.0);
            self.means.resize(n, 0.0);
            self.isums.resize(self.idents.len() * self.dim, 0.0);
        }
        let n = norm(e);
        if !n.is_finite() || n == 0.0 {
            return;
        }
        let d = self.dim;
        let s = slot as usize;
        let sum = &mut self.sums[s * d..(s + 1) * d];
        for (a, &x) in sum.iter_mut().zip(e) {
            *a = (f64::from(*a) + f64::from(x) / n) as f32;
        }
        let sn = norm(sum);
        self.tmp.clear();
        if sn > 0.0 && sn.is_finite() {
            self.tmp
                .extend(sum.iter().map(|&x| (f64::from(x) / sn) as f32));
        } else {
            self.tmp.resize(d, 0.0);
        }
        let t = &mut self.tracklets[s];
        t.count += 1;
        let ident = t.ident;
        let mean = &mut self.means[s * d..(s + 1) * d];
        if ident != NONE {
            let i = ident as usize;
            for ((a, old), &new) in self.isums[i * d..(i + 1) * d]
                .iter_mut()
                .zip(mean.iter())
                .zip(&self.tmp)
            {
                *a += new - old;
            }
        }
        mean.copy_from_slice(&self.tmp);
        if ident == NONE {
            self.assign(slot);
        }
    }

    /// Immediate assignment of a tracklet without global id.
    fn assign(&mut self, slot: u32) {
        let d = self.dim;
        let s = slot as usize;
        let mean = &self.means[s * d..(s + 1) * d];
        self.cand.clear();
        for (i, id) in self.idents.iter().enumerate() {
            if !id.live {
                continue;
            }
            let isum = &self.isums[i * d..(i + 1) * d];
            let n = norm(isum) as f32;
            if !(n > 0.0) {
                continue;
            }
            let dist = 1.0 - dot(mean, isum) / n;
            if dist <= self.cfg.match_threshold {
                self.cand.push((dist, id.gid, i as u32));
            }
        }
        self.cand
            .sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let t = &self.tracklets[s];
        let chosen = self
            .cand
            .iter()
            .find(|&&(_, _, i)| {
                self.idents[i as usize]
                    .members
                    .iter()
                    .all(|&m| !self.cannot_link(t, &self.tracklets[m as usize]))
            })
            .map(|&(_, _, i)| i);
        let ident = match chosen {
            Some(i) => i,
            None => {
                let gid = self.next_gid;
                self.next_gid += 1;
                self.new_identity(gid)
            }
        };
        self.join(slot, ident);
    }

    /// A new, empty identity slot for `gid`.
    fn new_identity(&mut self, gid: u64) -> u32 {
        let d = self.dim;
        let i = match self.free_idents.pop() {
            Some(i) => {
                let id = &mut self.idents[i as usize];
                id.gid = gid;
                id.live = true;
                id.members.clear();
                self.isums[i as usize * d..(i as usize + 1) * d].fill(0.0);
                i
            }
            None => {
                self.idents.push(Identity {
                    gid,
                    members: Vec::new(),
                    live: true,
                });
                self.isums.resize(self.idents.len() * d, 0.0);
                (self.idents.len() - 1) as u32
            }
        };
        self.ident_by_gid.insert(gid, i);
        i
    }

    /// Makes a tracklet a member of an identity.
    fn join(&mut self, slot: u32, ident: u32) {
        let d = self.dim;
        let (s, i) = (slot as usize, ident as usize);
        let id = &mut self.idents[i];
        id.members.push(slot);
        let t = &mut self.tracklets[s];
        t.gid = id.gid;
        t.ident = ident;
        for (a, &m) in self.isums[i * d..(i + 1) * d]
            .iter_mut()
            .zip(&self.means[s * d..(s + 1) * d])
        {
            *a += m;
        }
    }

    /// The cannot-link rules of the module docs.
    fn cannot_link(&self, a: &Tracklet, b: &Tracklet) -> bool {
        let gap = i128::from(a.first.max(b.first)) - i128::from(a.last.min(b.last));
        if a.cam == b.cam {
            if 1 - gap > i128::from(self.cfg.overlap_tolerance_ns) {
                return true;
            }
            if self.link_rules.is_empty() {
                return false;
            }
            let la = self.cam_link[a.cam as usize];
            if la == NONE {
                return false;
            }
            let l = self.link_cams.len();
            return match self.link_rules[la as usize * l + la as usize] {
                Some(r) => !r.allows(gap),
                None => false,
            };
        }
        if self.cfg.links.is_none() {
            return false;
        }
        let (la, lb) = (self.cam_link[a.cam as usize], self.cam_link[b.cam as usize]);
        if la == NONE || lb == NONE {
            return true;
        }
        let l = self.link_cams.len();
        match self.link_rules[la as usize * l + lb as usize] {
            Some(r) => !r.allows(gap),
            None => true,
        }
    }
}

#[cfg(test)]
mod tests;
