// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
use super::*;
use crate::testutil::Rng;

const S: u64 = 1_000_000_000;

/// Basis vector `k` of length `dim` plus uniform noise of amplitude
/// `noise`, normalised.
fn person(rng: &mut Rng, dim: usize, k: usize, noise: f32) -> Vec<f32> {
    let mut v: Vec<f32> = (0..dim).map(|_| noise * rng.unit()).collect();
    v[k] += 1.0;
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= n);
    v
}

#[test]
fn parse_camera_links_good_file() {
    let text = "# links\n\ncam1 cam2 0 5\n  cam2 cam3 1.5 10 overlapping=true # c\n\
                    cam3 cam3 0 30 overlapping=false\n";
    let links = parse_camera_links(text, "l.txt").unwrap();
    assert_eq!(
        links.links,
        vec![
            CameraLink {
                a: "cam1".into(),
                b: "cam2".into(),
                min_s: 0.0,
                max_s: 5.0,
                overlapping: false
            },
            CameraLink {
                a: "cam2".into(),
                b: "cam3".into(),
                min_s: 1.5,
                max_s: 10.0,
                overlapping: true
            },
            CameraLink {
                a: "cam3".into(),
                b: "cam3".into(),
                min_s: 0.0,
                max_s: 30.0,
                overlapping: false
            },
        ]
    );
    assert_eq!(parse_camera_links("", "e").unwrap(), CameraLinks::default());
}

#[test]
fn parse_camera_links_errors() {
    let e = parse_camera_links("a b 0 5\n\n# x\na b 1\n", "p.txt")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "camera-links p.txt:4: expected 'camA camB min_s max_s [overlapping=true]', \
             found 'a b 1'"
    );
    let e = parse_camera_links("a b 0 5 overlapping=true x\n", "p")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("camera-links p:1: expected"), "{e}");
    let e = parse_camera_links("#\na b 6 5\n", "p")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "camera-links p:2: min_s 6 is greater than max_s 5");
    let e = parse_camera_links("a b -1 5\n", "p")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "camera-links p:1: min_s must not be negative, found '-1'"
    );
    let e = parse_camera_links("\n\na b 0 x5\n", "p")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "camera-links p:3: bad number 'x5' for max_s");
    let e = parse_camera_links("a b 0 inf\n", "p")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "camera-links p:1: bad number 'inf' for max_s");
    let e = parse_camera_links("a b 0 5 overlap=true\n", "p")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "camera-links p:1: unknown option 'overlap=true' (expected overlapping=true or \
             overlapping=false)"
    );
    let e = parse_camera_links("a b 0 5\nb a 0 6\n", "p")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "camera-links p:2: camera pair 'b a' already listed on line 1"
    );
}

#[test]
fn same_person_across_cameras_gets_same_id_immediately() {
    let mut rng = Rng(7);
    let mut agg = MtmcAggregator::new(MtmcConfig::default());
    let dim = 64;
    // Camera 1 sees person 0 (track 1) and person 1 (track 2); camera 2
    // sees them later as tracks 11 and 12.
    let mut ids = HashMap::new();
    for (cam, track, p, t0) in [
        ("c1", 1, 0, 0),
        ("c1", 2, 1, 0),
        ("c2", 11, 0, 5),
        ("c2", 12, 1, 5),
    ] {
        for f in 0..5 {
            let e = person(&mut rng, dim, p, 0.05);
            let gid = agg
                .observe(cam, track, (t0 + f) * S / 10, Some(&e))
                .unwrap()
                .unwrap();
            assert_eq!(*ids.entry((cam, track)).or_insert(gid), gid);
        }
    }
    assert_eq!(ids[&("c1", 1)], ids[&("c2", 11)]);
    assert_eq!(ids[&("c1", 2)], ids[&("c2", 12)]);
    assert_ne!(ids[&("c1", 1)], ids[&("c1", 2)]);
    assert_eq!(agg.num_identities(), 2);
    assert_eq!(agg.num_tracklets(), 4);
    assert!(agg.cluster(10 * S).is_empty());
    for (&(cam, track), &gid) in &ids {
        assert_eq!(agg.global_id(cam, track), Some(gid));
    }
    assert_eq!(agg.global_id("c3", 1), None);
    // No embedding yet: no id.
    assert_eq!(agg.observe("c3", 5, 11 * S, None).unwrap(), None);
    assert_eq!(agg.global_id("c3", 5), None);
    assert_eq!(agg.num_tracklets(), 5);
}

#[test]
fn same_camera_overlap_cannot_link_but_reentry_links() {
    let e = [1.0f32, 0.0, 0.0, 0.0];
    let mut agg = MtmcAggregator::new(MtmcConfig::default());
    // Tracks 1 and 2 coexist in camera c (0..2 s and 1..3 s).
    let g1 = agg.observe("c", 1, 0, Some(&e)).unwrap();
    agg.observe("c", 1, 2 * S, Some(&e)).unwrap();
    let g2 = agg.observe("c", 2, S, Some(&e)).unwrap();
    agg.observe("c", 2, 3 * S, Some(&e)).unwrap();
    assert_ne!(g1, g2);
    // Track 3 re-enters after both left.
    let g3 = agg.observe("c", 3, 10 * S, Some(&e)).unwrap();
    assert!(g3 == g1 || g3 == g2);
    assert!(agg.cluster(11 * S).is_empty());
    let (g1, g2, g3) = (
        agg.global_id("c", 1),
        agg.global_id("c", 2),
        agg.global_id("c", 3),
    );
    assert_ne!(g1, g2);
    assert!(g3 == g1 || g3 == g2);
    assert_eq!(agg.num_identities(), 2);

    // Touching spans in the same camera link; a shared instant does not,
    // unless within the tolerance.
    let mut agg = MtmcAggregator::new(MtmcConfig::default());
    agg.observe("c", 1, 0, Some(&e)).unwrap();
    agg.observe("c", 1, S, Some(&e)).unwrap();
    let a = agg.observe("c", 2, S, Some(&e)).unwrap();
    let b = agg.observe("c", 3, S + 1, Some(&e)).unwrap();
    assert_ne!(a, agg.global_id("c", 1));
    assert_eq!(b, agg.global_id("c", 1));
    let mut agg = MtmcAggregator::new(MtmcConfig {
        overlap_tolerance_ns: 10,
        ..Default::default()
    });
    agg.observe("c", 1, 0, Some(&e)).unwrap();
    agg.observe("c", 1, 100, Some(&e)).unwrap();
    let a = agg.observe("c", 2, 91, Some(&e)).unwrap();
    // The overlap counts the common nanoseconds: [80, 90] shares 11.
    assert_eq!(agg.observe("c", 3, 80, None).unwrap(), None);
    let b = agg.observe("c", 3, 90, Some(&e)).unwrap();
    assert_eq!(a, agg.global_id("c", 1));
    assert_ne!(b, agg.global_id("c", 1));
}

#[test]
fn clustering_respects_same_camera_constraint() {
    // Two simultaneous tracks in c1 with identical embeddings, and two
    // tracks in c2 whose immediate assignment went elsewhere: the
    // clustering must still keep the c1 tracks apart.
    let mut agg = MtmcAggregator::new(MtmcConfig::default());
    let e = [1.0f32, 0.0, 0.0];
    agg.observe("c1", 1, 0, Some(&e)).unwrap();
    agg.observe("c1", 2, 0, Some(&e)).unwrap();
    agg.observe("c2", 1, 0, Some(&e)).unwrap();
    agg.observe("c1", 1, S, Some(&e)).unwrap();
    agg.observe("c1", 2, S, Some(&e)).unwrap();
    agg.cluster(2 * S);
    assert_ne!(agg.global_id("c1", 1), agg.global_id("c1", 2));
    let g = agg.global_id("c2", 1);
    assert!(g == agg.global_id("c1", 1) || g == agg.global_id("c1", 2));
    assert_eq!(agg.num_identities(), 2);
}

#[test]
fn camera_links_gate_transitions() {
    let links = parse_camera_links("A B 0 5\n", "t").unwrap();
    let mut agg = MtmcAggregator::new(MtmcConfig {
        links: Some(links),
        ..Default::default()
    });
    let p = [1.0f32, 0.0, 0.0];
    let q = [0.0f32, 1.0, 0.0];
    // p leaves A at 1 s and shows up in B at 11 s: too late.
    let a_p = agg.observe("A", 1, 0, Some(&p)).unwrap();
    agg.observe("A", 1, S, Some(&p)).unwrap();
    let b_p = agg.observe("B", 1, 11 * S, Some(&p)).unwrap();
    assert_ne!(a_p, b_p);
    // q leaves A at 21 s and shows up in B at 24 s: linked.
    let a_q = agg.observe("A", 2, 20 * S, Some(&q)).unwrap();
    agg.observe("A", 2, 21 * S, Some(&q)).unwrap();
    let b_q = agg.observe("B", 2, 24 * S, Some(&q)).unwrap();
    assert_eq!(a_q, b_q);
    // Camera C is not in the table: never linked to A or B.
    let c_q = agg.observe("C", 2, 23 * S, Some(&q)).unwrap();
    assert_ne!(c_q, a_q);
    assert!(agg.cluster(30 * S).is_empty());
    assert_ne!(agg.global_id("A", 1), agg.global_id("B", 1));
    assert_eq!(agg.global_id("A", 2), agg.global_id("B", 2));
    assert_ne!(agg.global_id("C", 2), agg.global_id("A", 2));
    // Same-camera re-entry is not restricted by the table, but the
    // identity's B sighting (24 s) still must be within 5 s.
    assert_eq!(agg.observe("A", 3, 26 * S, Some(&q)).unwrap(), a_q);
    assert_ne!(agg.observe("A", 4, 40 * S, Some(&q)).unwrap(), a_q);

    // Overlapping pair: simultaneous sightings link.
    let links = parse_camera_links("A B 0 2 overlapping=true\n", "t").unwrap();
    let mut agg = MtmcAggregator::new(MtmcConfig {
        links: Some(links),
        ..Default::default()
    });
    let a = agg.observe("A", 1, 0, Some(&p)).unwrap();
    agg.observe("A", 1, 5 * S, Some(&p)).unwrap();
    assert_eq!(agg.observe("B", 1, 3 * S, Some(&p)).unwrap(), a);
    assert_ne!(agg.observe("B", 2, 8 * S, Some(&p)).unwrap(), a);
}

#[test]
fn ids_are_stable_and_premature_identities_merge() {
    let mut rng = Rng(99);
    let dim = 32;
    let mut agg = MtmcAggregator::new(MtmcConfig::default());
    // The first sightings of person 0 in two cameras are poor (strong,
    // different distortions), so they get two identities.
    let mut bad1 = vec![0.0f32; dim];
    bad1[0] = 1.0;
    bad1[1] = 1.0;
    let mut bad2 = vec![0.0f32; dim];
    bad2[0] = 1.0;
    bad2[2] = 1.0;
    let g1 = agg.observe("c1", 1, 0, Some(&bad1)).unwrap().unwrap();
    let g2 = agg.observe("c2", 1, 0, Some(&bad2)).unwrap().unwrap();
    assert_ne!(g1, g2);
    // An unrelated person in c3.
    let g3 = agg
        .observe("c3", 7, 0, Some(&person(&mut rng, dim, 9, 0.05)))
        .unwrap()
        .unwrap();
    assert!(agg.cluster(S / 2).is_empty());
    assert_eq!(agg.global_id("c1", 1), Some(g1));
    assert_eq!(agg.global_id("c2", 1), Some(g2));
    assert_eq!(agg.global_id("c3", 7), Some(g3));
    // More, clean evidence: both means converge to person 0.
    for f in 1..20 {
        let t = f * S / 10;
        for cam in ["c1", "c2"] {
            let e = person(&mut rng, dim, 0, 0.05);
            agg.observe(cam, 1, t, Some(&e)).unwrap();
        }
    }
    // Equal evidence for both ids: the smaller one is kept.
    let merges = agg.cluster(3 * S);
    assert_eq!(merges, vec![GlobalMerge { from: g2, into: g1 }]);
    // A third camera now sees person 0 and joins the merged identity.
    let e = person(&mut rng, dim, 0, 0.05);
    assert_eq!(agg.observe("c4", 1, 3 * S, Some(&e)).unwrap(), Some(g1));
    for cam in ["c1", "c2", "c4"] {
        assert_eq!(agg.global_id(cam, 1), Some(g1));
    }
    assert_eq!(agg.global_id("c3", 7), Some(g3));
    assert_eq!(agg.num_identities(), 2);
    // Stable across further clusterings.
    for k in 0..3 {
        assert!(agg.cluster(4 * S + k).is_empty());
        assert_eq!(agg.global_id("c2", 1), Some(g1));
        assert_eq!(agg.global_id("c3", 7), Some(g3));
    }
    // New ids continue after the largest ever given.
    let g5 = agg
        .observe("c5", 1, 5 * S, Some(&person(&mut rng, dim, 20, 0.05)))
        .unwrap()
        .unwrap();
    assert_eq!(g5, 4);
}

#[test]
fn split_keeps_majority_id_and_new_id_for_rest() {
    // Two people wrongly joined at first (similar poor embeddings), then
    // separated by clustering: the larger part keeps the id.
    let dim = 8;
    let mut agg = MtmcAggregator::new(MtmcConfig::default());
    let mut mix = vec![0.0f32; dim];
    mix[0] = 1.0;
    mix[1] = 1.0;
    let g = agg.observe("a", 1, 0, Some(&mix)).unwrap().unwrap();
    assert_eq!(agg.observe("b", 1, 0, Some(&mix)).unwrap(), Some(g));
    assert_eq!(agg.observe("c", 1, 0, Some(&mix)).unwrap(), Some(g));
    let mut p = vec![0.0f32; dim];
    p[0] = 1.0;
    let mut q = vec![0.0f32; dim];
    q[1] = 1.0;
    for f in 1..30 {
        agg.observe("a", 1, f, Some(&p)).unwrap();
        agg.observe("b", 1, f, Some(&p)).unwrap();
        agg.observe("c", 1, f, Some(&q)).unwrap();
    }
    assert!(agg.cluster(100).is_empty());
    assert_eq!(agg.global_id("a", 1), Some(g));
    assert_eq!(agg.global_id("b", 1), Some(g));
    let other = agg.global_id("c", 1).unwrap();
    assert_ne!(other, g);
    assert_eq!(agg.num_identities(), 2);
}

#[test]
fn embedding_length_mismatch_is_an_error() {
    let mut agg = MtmcAggregator::new(MtmcConfig::default());
    let g = agg.observe("cam", 3, 0, Some(&[1.0, 0.0, 0.0])).unwrap();
    let err = agg.observe("cam", 3, 1, Some(&[1.0, 0.0])).unwrap_err();
    assert_eq!(
        err,
        MtmcError::EmbeddingLength {
            camera: "cam".into(),
            track_id: 3,
            expected: 3,
            found: 2
        }
    );
    assert!(err.to_string().contains("camera 'cam' track 3"), "{err}");
    // Nothing changed, not even a new tracklet.
    assert!(agg.observe("new", 1, 2, Some(&[1.0; 4])).is_err());
    assert_eq!(agg.num_tracklets(), 1);
    assert_eq!(agg.global_id("cam", 3), g);
    // Empty, zero and non-finite embeddings carry no appearance.
    assert_eq!(agg.observe("x", 1, 3, Some(&[])).unwrap(), None);
    assert_eq!(agg.observe("x", 1, 4, Some(&[0.0; 3])).unwrap(), None);
    assert_eq!(
        agg.observe("x", 1, 5, Some(&[f32::NAN, 1.0, 0.0])).unwrap(),
        None
    );
    assert!(agg
        .observe("x", 1, 6, Some(&[0.0, 1.0, 0.0]))
        .unwrap()
        .is_some());
}

#[test]
fn gallery_is_bounded() {
    let dim = 4;
    let mut rng = Rng(3);
    let mut agg = MtmcAggregator::new(MtmcConfig {
        max_tracklets: 4096,
        max_age_ns: 600 * S,
        ..Default::default()
    });
    let mut peak = 0;
    for i in 0..100_000u64 {
        let t = i * 1_000_000; // 1 ms apart
        let e = (i % 50 == 0).then(|| person(&mut rng, dim, (i % 4) as usize, 0.1));
        agg.observe(&format!("cam{}", i % 16), i, t, e.as_deref())
            .unwrap();
        if i % 1000 == 999 {
            agg.maybe_cluster(t);
        }
        peak = peak.max(agg.num_tracklets());
    }
    assert_eq!(peak, 4096);
    assert_eq!(agg.num_tracklets(), 4096);
    assert!(agg.num_identities() <= 4096 / 50 + 1);
    // The oldest were evicted first.
    assert_eq!(agg.global_id("cam0", 0), None);
    assert!(agg.tracklets.len() <= 4096);

    // Age bound: 10 s at 100 tracklets per second.
    let mut agg = MtmcAggregator::new(MtmcConfig {
        max_age_ns: 10 * S,
        ..Default::default()
    });
    for i in 0..100_000u64 {
        let t = i * 10_000_000; // 10 ms apart
        let e = (i % 20 == 0).then(|| person(&mut rng, dim, (i % 4) as usize, 0.1));
        agg.observe(&format!("cam{}", i % 16), i, t, e.as_deref())
            .unwrap();
        agg.maybe_cluster(t);
        // 10 s + 1 ns of history plus up to 1 s since the last clustering.
        assert!(agg.num_tracklets() <= 1101);
    }
    assert!(agg.tracklets.len() <= 1101);
    assert!(agg.idents.len() <= 1101);
}

#[test]
fn reset_camera_forgets_its_tracklets() {
    let mut agg = MtmcAggregator::new(MtmcConfig::default());
    let e = [1.0f32, 0.0];
    let g = agg.observe("a", 1, 0, Some(&e)).unwrap();
    assert_eq!(agg.observe("b", 1, 0, Some(&e)).unwrap(), g);
    agg.observe("a", 2, 0, None).unwrap();
    agg.reset_camera("a");
    agg.reset_camera("unknown");
    assert_eq!(agg.num_tracklets(), 1);
    assert_eq!(agg.global_id("a", 1), None);
    assert_eq!(agg.global_id("b", 1), g);
    assert_eq!(agg.num_identities(), 1);
    // The same track id restarts as a new tracklet and rejoins.
    assert_eq!(agg.observe("a", 1, 5, Some(&e)).unwrap(), g);
    agg.reset_camera("a");
    agg.reset_camera("b");
    assert_eq!(agg.num_identities(), 0);
    // Ids are never reused.
    assert_eq!(agg.observe("a", 1, 9, Some(&e)).unwrap(), Some(2));
}

#[test]
fn maybe_cluster_follows_interval() {
    let mut agg = MtmcAggregator::new(MtmcConfig::default());
    agg.observe("a", 1, 0, Some(&[1.0, 0.0])).unwrap();
    agg.maybe_cluster(0);
    assert_eq!(agg.last_cluster, Some(0));
    agg.maybe_cluster(S - 1);
    assert_eq!(agg.last_cluster, Some(0));
    agg.maybe_cluster(S);
    assert_eq!(agg.last_cluster, Some(S));
    assert_eq!(agg.config().cluster_interval_ns, S);
}

#[test]
fn clustering_matches_brute_force() {
    // The incremental clustering equals a naive O(n³) one, on easy and
    // on noisy data.
    for (seed, noise) in [(12345, 0.35), (1, 0.6), (2, 0.6), (3, 0.8)] {
        check_against_brute_force(seed, noise);
    }
}

fn check_against_brute_force(seed: u64, noise: f32) {
    let dim = 16;
    let mut rng = Rng(seed);
    let mut agg = MtmcAggregator::new(MtmcConfig {
        match_threshold: 0.35,
        ..Default::default()
    });
    for cam in 0..6u64 {
        for k in 0..10u64 {
            let p = ((cam * 3 + k * 7) % 12) as usize;
            let t0 = k * 2 * S + cam * S / 3;
            for f in 0..3 {
                let e = person(&mut rng, dim, p, noise);
                agg.observe(&format!("c{cam}"), k, t0 + f * S, Some(&e))
                    .unwrap();
            }
        }
    }
    agg.cluster(100 * S);
    // Brute force on the same tracklets.
    let d = agg.dim;
    let slots: Vec<usize> = (0..agg.tracklets.len())
        .filter(|&s| agg.tracklets[s].live && agg.tracklets[s].count > 0)
        .collect();
    let mut clusters: Vec<Vec<usize>> = slots.iter().map(|&s| vec![s]).collect();
    let pair = |a: usize, b: usize| {
        (1.0 - dot(
            &agg.means[a * d..(a + 1) * d],
            &agg.means[b * d..(b + 1) * d],
        ))
        .clamp(0.0, 2.0)
    };
    loop {
        let mut best: Option<(f32, usize, usize)> = None;
        for i in 0..clusters.len() {
            for j in i + 1..clusters.len() {
                let blocked = clusters[i].iter().any(|&a| {
                    clusters[j]
                        .iter()
                        .any(|&b| agg.cannot_link(&agg.tracklets[a], &agg.tracklets[b]))
                });
                if blocked {
                    continue;
                }
                let mut s = 0.0;
                for &a in &clusters[i] {
                    for &b in &clusters[j] {
                        s += pair(a, b);
                    }
                }
                let avg = s / (clusters[i].len() * clusters[j].len()) as f32;
                if best.is_none_or(|b| avg < b.0 - 1e-5) {
                    best = Some((avg, i, j));
                }
            }
        }
        match best {
            Some((dist, i, j)) if dist <= 0.35 => {
                let m = clusters.remove(j);
                clusters[i].extend(m);
            }
            _ => break,
        }
    }
    assert!(clusters.len() >= 12);
    for c in &clusters {
        let g = agg.tracklets[c[0]].gid;
        assert!(c.iter().all(|&s| agg.tracklets[s].gid == g));
    }
    assert_eq!(agg.num_identities(), clusters.len());
}
