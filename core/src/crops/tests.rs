// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::*;
use crate::image::{Frame, PixelLayout, YuvParams};
use crate::types::BBox;

fn grey(w: usize, h: usize, luma: &[u8]) -> RgbImage {
    RgbImage {
        width: w,
        height: h,
        data: luma.iter().flat_map(|&v| [v, v, v]).collect(),
    }
}

#[test]
fn sharpness_is_the_laplacian_variance() {
    // Interior pixels (1,1) and (2,1): L = −4·100 = −400 and L = 100;
    // mean −150, variance ((−250)² + 250²) / 2.
    let mut px = vec![0u8; 12];
    px[5] = 100;
    assert_eq!(sharpness(&grey(4, 3, &px)), 62_500.0);
    assert_eq!(sharpness(&grey(4, 3, &[77; 12])), 0.0);
    // Too small for one interior pixel.
    assert_eq!(
        sharpness(&grey(2, 5, &[0, 255, 0, 255, 0, 255, 0, 255, 0, 255])),
        0.0
    );
    // A checkerboard of 0/10: every interior L is ±40, mean 0 (4×4 has 4
    // interior pixels, two of each sign).
    let cb: Vec<u8> = (0..16)
        .map(|i| if (i % 4 + i / 4) % 2 == 0 { 0 } else { 10 })
        .collect();
    assert_eq!(sharpness(&grey(4, 4, &cb)), 1600.0);
}

#[test]
fn pixel_rects_clip_and_round_outwards() {
    let r = |x, y, w, h| PixelRect::of_box(&BBox::new(x, y, w, h), 100, 50);
    assert_eq!(
        r(10.2, 5.0, 10.0, 20.5),
        Some(PixelRect {
            x: 10,
            y: 5,
            w: 11,
            h: 21
        })
    );
    assert_eq!(
        r(-5.0, 40.0, 20.0, 30.0),
        Some(PixelRect {
            x: 0,
            y: 40,
            w: 15,
            h: 10
        })
    );
    assert_eq!(r(100.0, 0.0, 5.0, 5.0), None);
    assert_eq!(r(1.0, 1.0, 0.0, 5.0), None);
    assert_eq!(r(f32::NAN, 1.0, 3.0, 5.0), None);
}

#[test]
fn rgb_crops_of_every_layout() {
    // A 4×2 frame whose pixel (x, y) is (10x + y, 100 + x, 200 − y).
    let px = |x: usize, y: usize| [(10 * x + y) as u8, 100 + x as u8, 200 - y as u8];
    let want: Vec<u8> = [(1, 0), (2, 0), (1, 1), (2, 1)]
        .iter()
        .flat_map(|&(x, y)| px(x, y))
        .collect();
    let rect = PixelRect {
        x: 1,
        y: 0,
        w: 2,
        h: 2,
    };
    let orders: [(PixelLayout, usize, [usize; 3]); 10] = [
        (PixelLayout::Rgb, 3, [0, 1, 2]),
        (PixelLayout::Bgr, 3, [2, 1, 0]),
        (PixelLayout::Rgbx, 4, [0, 1, 2]),
        (PixelLayout::Rgba, 4, [0, 1, 2]),
        (PixelLayout::Bgrx, 4, [2, 1, 0]),
        (PixelLayout::Bgra, 4, [2, 1, 0]),
        (PixelLayout::Xrgb, 4, [1, 2, 3]),
        (PixelLayout::Argb, 4, [1, 2, 3]),
        (PixelLayout::Xbgr, 4, [3, 2, 1]),
        (PixelLayout::Abgr, 4, [3, 2, 1]),
    ];
    let mut scratch = Vec::new();
    for (layout, bpp, pos) in orders {
        let stride = 4 * bpp + 3;
        let mut data = vec![7u8; stride * 2];
        for y in 0..2 {
            for x in 0..4 {
                for (c, &p) in pos.iter().enumerate() {
                    data[y * stride + x * bpp + p] = px(x, y)[c];
                }
            }
        }
        let frame = Frame {
            layout,
            width: 4,
            height: 2,
            planes: [&data, &[], &[]],
            strides: [stride, 0, 0],
        };
        let img = extract_rgb(&frame, YuvParams::default(), rect, &mut scratch).unwrap();
        assert_eq!((img.width, img.height), (2, 2), "{layout:?}");
        assert_eq!(img.data, want, "{layout:?}");
    }
}

#[test]
fn rgb_crops_of_yuv_frames() {
    // Full-range BT.601 grey: Y = v, U = V = 128 gives R = G = B = v.
    let yuv = YuvParams {
        matrix: crate::image::YuvMatrix::Bt601,
        full_range: true,
    };
    let y: Vec<u8> = (0..16).map(|i| 10 * i as u8).collect();
    let (u, v, uv) = ([128u8; 4], [128u8; 4], [128u8; 8]);
    let rect = PixelRect {
        x: 1,
        y: 2,
        w: 3,
        h: 2,
    };
    let want: Vec<u8> = [9u8, 10, 11, 13, 14, 15]
        .iter()
        .flat_map(|&i| [10 * i; 3])
        .collect();
    let mut scratch = Vec::new();
    for (layout, planes, strides) in [
        (PixelLayout::I420, [&y[..], &u[..], &v[..]], [4, 2, 2]),
        (PixelLayout::Nv12, [&y[..], &uv[..], &[][..]], [4, 4, 0]),
    ] {
        let frame = Frame {
            layout,
            width: 4,
            height: 4,
            planes,
            strides,
        };
        let img = extract_rgb(&frame, yuv, rect, &mut scratch).unwrap();
        assert_eq!(img.data, want, "{layout:?}");
    }
}

#[test]
fn patterns_expand_and_name_their_directory() {
    let p = Pattern::parse("out/{stream}/{track:04}/{kind}-{frame}.jpg").unwrap();
    let n = Names {
        stream: Some("cam/../1"),
        track: 7,
        frame: 123,
        kind: "best",
    };
    assert_eq!(
        p.expand(&n).to_str(),
        Some("out/cam_.._1/0007/best-123.jpg")
    );
    assert_eq!(p.fixed_dir().to_str(), Some("out/"));
    assert!(!p.is_fixed());
    let n = Names { stream: None, ..n };
    assert_eq!(
        Pattern::parse("{stream}{frame:03}")
            .unwrap()
            .expand(&n)
            .to_str(),
        Some("default123")
    );
    assert_eq!(safe_stream(Some("..")), "_");
    let f = Pattern::parse("/dev/full").unwrap();
    assert!(f.is_fixed());
    assert_eq!(f.fixed_dir().to_str(), Some("/dev"));
    assert_eq!(
        Pattern::parse("{track}.jpg").unwrap().fixed_dir().to_str(),
        Some(".")
    );
    assert_eq!(
        Pattern::parse("a/{id}.jpg").unwrap_err(),
        "'a/{id}.jpg': unknown placeholder '{id}' (expected {stream}, {track}, {frame} or {kind})"
    );
    assert_eq!(
        Pattern::parse("a/{track").unwrap_err(),
        "'a/{track': unmatched brace"
    );
    assert_eq!(Pattern::parse("a}").unwrap_err(), "'a}': unmatched brace");
    assert_eq!(
        Pattern::parse("{kind:03}").unwrap_err(),
        "'{kind:03}': '{kind:03}': only {track} and {frame} take a padding"
    );
    assert!(Pattern::parse("{frame:3}").is_err());
    assert!(Pattern::parse("").is_err());
}

#[test]
fn class_min_sizes_parse() {
    assert_eq!(
        parse_class_min_size(" 1:90, 3:70.5").unwrap(),
        [(1, 90.0), (3, 70.5)]
    );
    assert!(parse_class_min_size("").unwrap().is_empty());
    assert_eq!(
        parse_class_min_size("1:90,x").unwrap_err(),
        "class-min-size '1:90,x': 'x' is not CLASS:PIXELS (e.g. 1:90)"
    );
}

fn tracked(track: Option<u64>, class: u32, conf: f32, b: [f32; 4]) -> Object {
    let mut o = Object::new(BBox::new(b[0], b[1], b[2], b[3]), conf, class);
    o.track_id = track;
    o
}

/// Runs `check` and `take` (with `sharp` as the crop's sharpness).
fn step(s: &mut Selector, o: &Object, frame: u64, sharp: f64) -> Result<Crop, Filter> {
    let c = s.check(o, 640, 480, frame);
    let Some(rect) = c.rect else {
        return Err(c.sample.unwrap_err());
    };
    let crop = Crop {
        stream: None,
        track_id: o.track_id.unwrap(),
        class_id: o.class_id,
        frame,
        pts_ns: None,
        rect,
        confidence: o.confidence,
        sharpness: sharp,
        image: RgbImage::default(),
    };
    s.take(&c, crop)
}

#[test]
fn filters_run_in_order_and_count_once() {
    let cfg = Config {
        interval: 3,
        min_confidence: 0.5,
        min_size: 20.0,
        class_min_size: vec![(1, 40.0)],
        min_sharpness: 10.0,
        max_per_track: 2,
        classes: Some(vec![0, 1]),
        best: true,
    };
    let mut s = Selector::new(cfg);
    let b = [10.0, 10.0, 30.0, 30.0];
    assert_eq!(
        step(&mut s, &tracked(Some(1), 2, 0.9, b), 0, 99.0).unwrap_err(),
        Filter::Class
    );
    assert_eq!(
        step(&mut s, &tracked(None, 0, 0.9, b), 0, 99.0).unwrap_err(),
        Filter::Untracked
    );
    assert_eq!(
        step(&mut s, &tracked(Some(1), 0, 0.4, b), 0, 99.0).unwrap_err(),
        Filter::Confidence
    );
    assert_eq!(
        step(&mut s, &tracked(Some(1), 1, 0.9, b), 0, 99.0).unwrap_err(),
        Filter::Size
    );
    // Clipped to 630..640: 10 px wide.
    let edge = [630.0, 10.0, 30.0, 30.0];
    assert_eq!(
        step(&mut s, &tracked(Some(1), 0, 0.9, edge), 0, 99.0).unwrap_err(),
        Filter::Size
    );
    // Blurred: not exported, so the next frame may export.
    assert_eq!(
        step(&mut s, &tracked(Some(2), 0, 0.9, b), 0, 1.0).unwrap_err(),
        Filter::Sharpness
    );
    let exported: Vec<u64> = (1..20)
        .filter_map(|f| step(&mut s, &tracked(Some(2), 0, 0.9, b), f, 99.0).ok())
        .map(|c| c.frame)
        .collect();
    // Frames 1 and 4 (interval 3), then max-per-track 2.
    assert_eq!(exported, [1, 4]);
    assert_eq!(
        step(&mut s, &tracked(Some(2), 0, 0.9, b), 20, 99.0).unwrap_err(),
        Filter::Max
    );
    assert_eq!(
        step(&mut s, &tracked(Some(3), 0, 0.9, b), 20, 99.0)
            .unwrap()
            .frame,
        20
    );
    assert_eq!(
        step(&mut s, &tracked(Some(3), 0, 0.9, b), 21, 99.0).unwrap_err(),
        Filter::Interval
    );
    assert_eq!(s.len(), 3);
}

#[test]
fn the_best_shot_is_the_largest_sharp_confident_crop() {
    let cfg = Config {
        interval: 100,
        min_confidence: 0.5,
        min_size: 10.0,
        min_sharpness: 5.0,
        ..Config::default()
    };
    let mut s = Selector::new(cfg);
    let o = |w: f32, conf: f32| tracked(Some(9), 0, conf, [0.0, 0.0, w, 20.0]);
    let _ = step(&mut s, &o(20.0, 0.9), 0, 50.0); // exported, first best
    let _ = step(&mut s, &o(60.0, 0.9), 1, 1.0); // largest but blurred
    let _ = step(&mut s, &o(70.0, 0.3), 2, 50.0); // largest but not confident
    let _ = step(&mut s, &o(40.0, 0.6), 3, 50.0); // interval-filtered, best
    let _ = step(&mut s, &o(40.0, 0.55), 4, 50.0); // same area, lower conf
    let _ = step(&mut s, &o(40.0, 0.8), 5, 50.0); // same area, higher conf
    let _ = step(&mut s, &o(30.0, 0.99), 6, 99.0);
    let best = s.end(9).unwrap();
    assert_eq!((best.frame, best.rect.w, best.confidence), (5, 40, 0.8));
    assert_eq!(s.end(9), None);
    assert!(s.is_empty());
}

#[test]
fn tracks_end_on_request_or_when_stale() {
    let mut s = Selector::new(Config {
        min_size: 1.0,
        ..Config::default()
    });
    let b = [0.0, 0.0, 10.0, 10.0];
    for t in [3, 1, 2] {
        step(&mut s, &tracked(Some(t), 0, 0.9, b), 0, 0.0).unwrap();
    }
    step(&mut s, &tracked(Some(2), 0, 0.9, b), 200, 0.0).unwrap_err();
    let stale: Vec<u64> = s.expire(301).iter().map(|c| c.track_id).collect();
    assert_eq!(stale, [1, 3]);
    assert_eq!(s.end_all().len(), 1);
    assert!(s.is_empty());
    // No best shots kept with best = false.
    let mut s = Selector::new(Config {
        min_size: 1.0,
        best: false,
        ..Config::default()
    });
    step(&mut s, &tracked(Some(1), 0, 0.9, b), 0, 0.0).unwrap();
    assert_eq!(s.end(1), None);
}

#[test]
fn index_lines() {
    let c = Crop {
        stream: Some("cam1".into()),
        track_id: 4,
        class_id: 0,
        frame: 17,
        pts_ns: Some(566_666_666),
        rect: PixelRect {
            x: 1,
            y: 2,
            w: 3,
            h: 4,
        },
        confidence: 0.9,
        sharpness: 12.34567,
        image: RgbImage::default(),
    };
    assert_eq!(
        c.index_line("sample", "crops/cam1/4/17.jpg"),
        r#"{"bbox":[1,2,3,4],"class_id":0,"confidence":0.9,"frame":17,"kind":"sample","path":"crops/cam1/4/17.jpg","pts_ns":566666666,"sharpness":12.346,"stream":"cam1","track_id":4}"#
    );
}
