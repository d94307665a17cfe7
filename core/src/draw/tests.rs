// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
use super::*;
use crate::image::YuvMatrix;
use crate::types::{BBox, Keypoint, KeypointState, Object, TrackState};
use std::collections::BTreeSet;

const S: u8 = 0x55;

fn packed_bpp(layout: PixelLayout) -> usize {
    match layout {
        PixelLayout::Rgb | PixelLayout::Bgr => 3,
        _ => 4,
    }
}

fn packed(layout: PixelLayout, w: usize, h: usize, stride: usize, buf: &mut [u8]) -> FrameMut<'_> {
    FrameMut {
        layout,
        width: w,
        height: h,
        planes: [buf, Default::default(), Default::default()],
        strides: [stride, 0, 0],
        yuv: YuvParams::default(),
    }
}

/// Runs `f` on a zeroed `w × h` RGB frame and returns its bytes.
fn rgb_frame(w: usize, h: usize, f: impl FnOnce(&mut Canvas)) -> Vec<u8> {
    let mut buf = vec![0u8; w * h * 3];
    let mut frame = packed(PixelLayout::Rgb, w, h, w * 3, &mut buf);
    let mut canvas = Canvas::new(&mut frame).unwrap();
    f(&mut canvas);
    buf
}

fn touched(buf: &[u8], w: usize) -> BTreeSet<(usize, usize)> {
    buf.chunks_exact(3)
        .enumerate()
        .filter(|(_, p)| p.iter().any(|&v| v != 0))
        .map(|(i, _)| (i % w, i / w))
        .collect()
}

fn pixel(buf: &[u8], w: usize, x: usize, y: usize) -> Rgb {
    let i = (y * w + x) * 3;
    Rgb(buf[i], buf[i + 1], buf[i + 2])
}

fn set(pts: impl IntoIterator<Item = (usize, usize)>) -> BTreeSet<(usize, usize)> {
    pts.into_iter().collect()
}

const RED: Rgb = Rgb(255, 0, 0);

#[test]
fn put_and_fill_rect_write_packed_layouts_in_memory_order() {
    let c = Rgb(10, 20, 30);
    let cases: [(PixelLayout, &[u8]); 10] = [
        (PixelLayout::Rgb, &[10, 20, 30]),
        (PixelLayout::Bgr, &[30, 20, 10]),
        (PixelLayout::Rgbx, &[10, 20, 30, S]),
        (PixelLayout::Bgrx, &[30, 20, 10, S]),
        (PixelLayout::Xrgb, &[S, 10, 20, 30]),
        (PixelLayout::Xbgr, &[S, 30, 20, 10]),
        (PixelLayout::Rgba, &[10, 20, 30, S]),
        (PixelLayout::Bgra, &[30, 20, 10, S]),
        (PixelLayout::Argb, &[S, 10, 20, 30]),
        (PixelLayout::Abgr, &[S, 30, 20, 10]),
    ];
    for (layout, want) in cases {
        let bpp = packed_bpp(layout);
        let (w, h) = (4, 3);
        let stride = w * bpp + 3;
        let mut buf = vec![S; stride * h];
        {
            let mut frame = packed(layout, w, h, stride, &mut buf);
            let mut canvas = Canvas::new(&mut frame).unwrap();
            assert_eq!((canvas.width(), canvas.height()), (4, 3));
            canvas.put(1, 2, c);
            for (x, y) in [(-1, 0), (4, 0), (0, 3), (0, -1), (i64::MIN, i64::MAX)] {
                canvas.put(x, y, RED);
            }
            canvas.fill_rect(2, 0, 4, 1, c);
            canvas.fill_rect(-5, -5, 0, 10, RED);
            canvas.fill_rect(4, 0, i64::MAX, i64::MAX, RED);
            canvas.fill_rect(3, 3, 1, 1, RED);
        }
        let mut expect = vec![S; stride * h];
        for (x, y) in [(1, 2), (2, 0), (3, 0)] {
            let o = y * stride + x * bpp;
            expect[o..o + bpp].copy_from_slice(want);
        }
        assert_eq!(buf, expect, "{layout:?}");
    }
}

fn yuv_frame_put(layout: PixelLayout, p: YuvParams, c: Rgb) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    // 5×3: chroma 3×2; strides padded.
    let (w, h) = (5, 3);
    let mut y = vec![S; 7 * h];
    let nv12 = layout == PixelLayout::Nv12;
    let cstride = if nv12 { 8 } else { 4 };
    let mut u = vec![S; cstride * 2];
    let mut v = if nv12 {
        Vec::new()
    } else {
        vec![S; cstride * 2]
    };
    {
        let mut frame = FrameMut {
            layout,
            width: w,
            height: h,
            planes: [&mut y, &mut u, &mut v],
            strides: [7, cstride, if nv12 { 0 } else { cstride }],
            yuv: p,
        };
        let mut canvas = Canvas::new(&mut frame).unwrap();
        canvas.put(4, 2, c);
        canvas.put(5, 2, RED);
        canvas.put(-1, 0, RED);
    }
    (y, u, v)
}

#[test]
fn put_on_i420_and_nv12_writes_luma_and_block_chroma() {
    let limited = YuvParams::default();
    let full = YuvParams {
        matrix: YuvMatrix::Bt601,
        full_range: true,
    };
    let cases: [(YuvParams, Rgb, [u8; 3]); 9] = [
        (limited, Rgb(255, 0, 0), [81, 90, 240]),
        (limited, Rgb(0, 255, 0), [145, 54, 34]),
        (limited, Rgb(0, 0, 255), [41, 240, 110]),
        (limited, Rgb(255, 255, 255), [235, 128, 128]),
        (limited, Rgb(0, 0, 0), [16, 128, 128]),
        (full, Rgb(255, 0, 0), [76, 85, 255]),
        (full, Rgb(0, 255, 0), [150, 44, 21]),
        (full, Rgb(0, 0, 255), [29, 255, 107]),
        (full, Rgb(255, 255, 255), [255, 128, 128]),
    ];
    for (p, c, want) in cases {
        let got = rgb_to_yuv(c, p);
        for i in 0..3 {
            assert!(
                got[i].abs_diff(want[i]) <= 1,
                "{c:?} {p:?}: {got:?} vs {want:?}"
            );
        }
        let [gy, gu, gv] = got;
        let (y, u, v) = yuv_frame_put(PixelLayout::I420, p, c);
        let mut ey = vec![S; 21];
        ey[2 * 7 + 4] = gy;
        assert_eq!(y, ey);
        let mut eu = vec![S; 8];
        let mut ev = vec![S; 8];
        eu[4 + 2] = gu;
        ev[4 + 2] = gv;
        assert_eq!((u, v), (eu, ev));

        let (y, uv, _) = yuv_frame_put(PixelLayout::Nv12, p, c);
        assert_eq!(y, ey);
        let mut euv = vec![S; 16];
        euv[8 + 4] = gu;
        euv[8 + 5] = gv;
        assert_eq!(uv, euv);
    }
    // Other matrices keep grey neutral.
    for matrix in [YuvMatrix::Bt709, YuvMatrix::Bt2020] {
        let p = YuvParams {
            matrix,
            full_range: false,
        };
        assert_eq!(rgb_to_yuv(Rgb(255, 255, 255), p), [235, 128, 128]);
        assert_eq!(rgb_to_yuv(Rgb(0, 0, 0), p), [16, 128, 128]);
    }
}

#[test]
fn fill_rect_on_odd_i420_covers_the_last_chroma_column() {
    let (w, h) = (3, 3);
    let mut y = vec![0u8; 9];
    let mut u = vec![0u8; 4];
    let mut v = vec![0u8; 4];
    {
        let mut frame = FrameMut {
            layout: PixelLayout::I420,
            width: w,
            height: h,
            planes: [&mut y, &mut u, &mut v],
            strides: [3, 2, 2],
            yuv: YuvParams::default(),
        };
        let mut canvas = Canvas::new(&mut frame).unwrap();
        canvas.fill_rect(0, 0, 100, 100, Rgb(255, 255, 255));
    }
    assert_eq!(y, vec![235; 9]);
    assert_eq!(u, vec![128; 4]);
    assert_eq!(v, vec![128; 4]);
}

#[test]
fn rect_outline_touches_exactly_the_border() {
    let buf = rgb_frame(10, 8, |c| c.rect(1.0, 1.0, 4.0, 3.0, 1, RED));
    let want = set([
        (1, 1),
        (2, 1),
        (3, 1),
        (4, 1),
        (1, 2),
        (4, 2),
        (1, 3),
        (2, 3),
        (3, 3),
        (4, 3),
    ]);
    assert_eq!(touched(&buf, 10), want);
    assert_eq!(pixel(&buf, 10, 1, 1), RED);

    let buf = rgb_frame(10, 8, |c| c.rect(1.0, 1.0, 6.0, 5.0, 2, RED));
    let mut want = BTreeSet::new();
    for y in 1..6 {
        for x in 1..7 {
            if !((3..5).contains(&x) && y == 3) {
                want.insert((x, y));
            }
        }
    }
    assert_eq!(touched(&buf, 10), want);
    // Thickness 0 counts as 1.
    let a = rgb_frame(10, 8, |c| c.rect(1.0, 1.0, 4.0, 3.0, 0, RED));
    let b = rgb_frame(10, 8, |c| c.rect(1.0, 1.0, 4.0, 3.0, 1, RED));
    assert_eq!(a, b);
}

#[test]
fn rect_is_clipped_and_ignores_bad_boxes() {
    let buf = rgb_frame(8, 6, |c| c.rect(-2.0, -2.0, 5.0, 5.0, 1, RED));
    assert_eq!(
        touched(&buf, 8),
        set([(0, 2), (1, 2), (2, 2), (2, 0), (2, 1)])
    );
    let buf = rgb_frame(8, 6, |c| c.rect(0.0, 0.0, 8.0, 6.0, 1, RED));
    assert_eq!(touched(&buf, 8).len(), 2 * 8 + 2 * 4);
    let nan = f32::NAN;
    let inf = f32::INFINITY;
    let bad = [
        (20.0, 0.0, 5.0, 5.0),
        (-10.0, -10.0, 5.0, 5.0),
        (0.0, 0.0, 0.0, 5.0),
        (0.0, 0.0, -3.0, 5.0),
        (nan, 0.0, 5.0, 5.0),
        (0.0, 0.0, nan, nan),
        (-inf, 0.0, inf, 5.0),
        (-1e30, -1e30, 3e30, 3e30),
        (f32::MIN, f32::MIN, f32::MAX, f32::MAX),
        (1e30, 1e30, 1e30, 1e30),
    ];
    for (x, y, w, h) in bad {
        let buf = rgb_frame(8, 6, |c| {
            c.rect(x, y, w, h, 3, RED);
            c.dashed_rect(x, y, w, h, 3, 2, RED);
        });
        assert!(touched(&buf, 8).is_empty(), "{x} {y} {w} {h}");
    }
    // Huge thickness: fills the box, no overflow.
    let buf = rgb_frame(8, 6, |c| c.rect(1.0, 1.0, 3.0, 2.0, u32::MAX, RED));
    assert_eq!(touched(&buf, 8).len(), 6);
}

#[test]
fn dashed_rect_alternates_dashes_from_the_corner() {
    let buf = rgb_frame(12, 8, |c| c.dashed_rect(0.0, 0.0, 10.0, 6.0, 1, 2, RED));
    let t = touched(&buf, 12);
    let top: Vec<usize> = (0..12).filter(|&x| t.contains(&(x, 0))).collect();
    assert_eq!(top, vec![0, 1, 4, 5, 8, 9]);
    let left: Vec<usize> = (0..8).filter(|&y| t.contains(&(0, y))).collect();
    assert_eq!(left, vec![0, 1, 4, 5]);
    let right: Vec<usize> = (0..8).filter(|&y| t.contains(&(9, y))).collect();
    assert_eq!(right, vec![0, 1, 4, 5]);
    // A box starting far to the left still has its phase.
    let buf = rgb_frame(12, 8, |c| {
        c.dashed_rect(-1000.0, 0.0, 1010.0, 6.0, 1, 2, RED)
    });
    let t = touched(&buf, 12);
    let top: Vec<usize> = (0..12).filter(|&x| t.contains(&(x, 0))).collect();
    assert_eq!(top, vec![0, 1, 4, 5, 8, 9]);
}

#[test]
fn line_endpoints_diagonal_and_steep() {
    let buf = rgb_frame(8, 6, |c| c.line(1.0, 1.0, 5.0, 1.0, 1, RED));
    assert_eq!(touched(&buf, 8), set((1..=5).map(|x| (x, 1))));
    let buf = rgb_frame(8, 6, |c| c.line(0.0, 0.0, 4.0, 4.0, 1, RED));
    assert_eq!(touched(&buf, 8), set((0..=4).map(|i| (i, i))));
    let rev = rgb_frame(8, 6, |c| c.line(4.0, 4.0, 0.0, 0.0, 1, RED));
    assert_eq!(buf, rev);
    let buf = rgb_frame(8, 6, |c| c.line(2.0, 0.0, 2.0, 5.0, 1, RED));
    assert_eq!(touched(&buf, 8), set((0..=5).map(|y| (2, y))));
    // One pixel per row on a steep line, both endpoints drawn.
    let buf = rgb_frame(8, 6, |c| c.line(1.0, 0.0, 3.0, 5.0, 1, RED));
    let t = touched(&buf, 8);
    assert_eq!(t.len(), 6);
    assert!(t.contains(&(1, 0)) && t.contains(&(3, 5)));
    // A point.
    let buf = rgb_frame(8, 6, |c| c.line(3.4, 2.6, 3.4, 2.6, 1, RED));
    assert_eq!(touched(&buf, 8), set([(3, 3)]));
}

#[test]
fn line_is_clipped_and_ignores_non_finite_endpoints() {
    let buf = rgb_frame(8, 6, |c| c.line(-10.0, -10.0, 20.0, 20.0, 1, RED));
    assert_eq!(touched(&buf, 8), set((0..6).map(|i| (i, i))));
    let buf = rgb_frame(8, 6, |c| c.line(-10.0, 2.0, 100.0, 2.0, 1, RED));
    assert_eq!(touched(&buf, 8), set((0..8).map(|x| (x, 2))));
    let nan = f32::NAN;
    for (x0, y0, x1, y1) in [
        (nan, 0.0, 3.0, 3.0),
        (0.0, 0.0, 3.0, nan),
        (f32::INFINITY, 0.0, 3.0, 3.0),
        (-20.0, -20.0, -10.0, 30.0),
        (20.0, 0.0, 30.0, 5.0),
    ] {
        let buf = rgb_frame(8, 6, |c| {
            c.line(x0, y0, x1, y1, 3, RED);
            c.dashed_line(x0, y0, x1, y1, 3, 2, RED);
        });
        assert!(touched(&buf, 8).is_empty(), "{x0} {y0} {x1} {y1}");
    }
    // Huge finite endpoints: bounded work, something drawn, no panic.
    let buf = rgb_frame(8, 6, |c| c.line(-1e30, -1e30, 1e30, 1e30, 1, RED));
    assert!(!touched(&buf, 8).is_empty());
    let _ = rgb_frame(8, 6, |c| {
        c.line(f32::MIN, 0.0, f32::MAX, 1.0, u32::MAX, RED);
        c.dashed_line(f32::MAX, f32::MIN, 0.0, 0.0, 5, u32::MAX, RED);
    });
}

#[test]
fn thick_line_covers_its_width_with_square_caps() {
    let buf = rgb_frame(10, 10, |c| c.line(2.0, 4.0, 7.0, 4.0, 3, RED));
    let mut want = BTreeSet::new();
    for y in 3..=5 {
        for x in 1..=8 {
            want.insert((x, y));
        }
    }
    assert_eq!(touched(&buf, 10), want);
    let buf = rgb_frame(10, 10, |c| c.line(4.0, 1.0, 4.0, 8.0, 2, RED));
    let t = touched(&buf, 10);
    for y in 1..=8 {
        assert!(t.contains(&(4, y)) && t.contains(&(5, y)) && !t.contains(&(3, y)));
    }
    // A diagonal: every row crossed holds `thickness` pixels or more.
    let buf = rgb_frame(20, 20, |c| c.line(2.0, 2.0, 17.0, 17.0, 3, RED));
    let t = touched(&buf, 20);
    for y in 3..=16 {
        assert!(t.iter().filter(|p| p.1 == y).count() >= 3, "row {y}");
    }
}

#[test]
fn dashed_line_skips_every_other_dash() {
    let buf = rgb_frame(12, 4, |c| c.dashed_line(0.0, 1.0, 9.0, 1.0, 1, 2, RED));
    let xs: Vec<usize> = touched(&buf, 12).iter().map(|p| p.0).collect();
    assert_eq!(xs, vec![0, 1, 4, 5, 8, 9]);
    // dash 0 = solid.
    let a = rgb_frame(12, 4, |c| c.dashed_line(0.0, 1.0, 9.0, 1.0, 1, 0, RED));
    let b = rgb_frame(12, 4, |c| c.line(0.0, 1.0, 9.0, 1.0, 1, RED));
    assert_eq!(a, b);
    // The phase is that of the unclipped line.
    let buf = rgb_frame(12, 4, |c| c.dashed_line(-100.0, 1.0, 20.0, 1.0, 1, 2, RED));
    let xs: Vec<usize> = touched(&buf, 12).iter().map(|p| p.0).collect();
    assert_eq!(xs, vec![0, 1, 4, 5, 8, 9]);
}

#[test]
fn disc_and_ring_shapes() {
    let buf = rgb_frame(11, 11, |c| c.disc(5.0, 5.0, 0.0, RED));
    assert_eq!(touched(&buf, 11), set([(5, 5)]));
    let buf = rgb_frame(11, 11, |c| c.disc(5.0, 5.0, 1.0, RED));
    assert_eq!(
        touched(&buf, 11),
        set((4..=6).flat_map(|y| (4..=6).map(move |x| (x, y))))
    );
    let disc2 = touched(&rgb_frame(11, 11, |c| c.disc(5.0, 5.0, 2.0, RED)), 11);
    assert_eq!(disc2.len(), 21);
    assert!(!disc2.contains(&(3, 3)) && disc2.contains(&(3, 4)) && disc2.contains(&(5, 7)));
    let ring = touched(&rgb_frame(11, 11, |c| c.ring(5.0, 5.0, 2.0, 1, RED)), 11);
    assert_eq!(ring.len(), 12);
    assert!(!ring.contains(&(5, 5)) && !ring.contains(&(4, 4)) && ring.contains(&(5, 3)));
    // Thick ring degenerates to a disc.
    let a = rgb_frame(11, 11, |c| c.ring(5.0, 5.0, 2.0, 9, RED));
    let b = rgb_frame(11, 11, |c| c.disc(5.0, 5.0, 2.0, RED));
    assert_eq!(a, b);
    // Clipped, huge, bad.
    let buf = rgb_frame(6, 4, |c| c.disc(0.0, 0.0, 1.0, RED));
    assert_eq!(touched(&buf, 6), set([(0, 0), (1, 0), (0, 1), (1, 1)]));
    let buf = rgb_frame(6, 4, |c| c.disc(2.0, 2.0, 1e9, RED));
    assert_eq!(touched(&buf, 6).len(), 24);
    let buf = rgb_frame(6, 4, |c| {
        c.disc(f32::NAN, 1.0, 2.0, RED);
        c.disc(1.0, 1.0, f32::NAN, RED);
        c.disc(1.0, 1.0, -1.0, RED);
        c.ring(1.0, 1.0, f32::INFINITY, 1, RED);
        c.disc(1e30, -1e30, 5.0, RED);
        c.ring(2.0, 2.0, 1e30, 1, RED);
    });
    assert!(touched(&buf, 6).is_empty());
    let _ = rgb_frame(6, 4, |c| {
        c.ring(1e30, 1e30, 1e30, u32::MAX, RED);
        c.disc(-1e30, 2.0, 1e30, RED);
        c.ring(f32::MAX, f32::MIN, f32::MAX, 3, RED);
    });
}

fn pattern(rows: [&str; 7]) -> BTreeSet<(usize, usize)> {
    let mut s = BTreeSet::new();
    for (y, r) in rows.iter().enumerate() {
        for (x, ch) in r.chars().enumerate() {
            if ch == '#' {
                s.insert((x, y));
            }
        }
    }
    s
}

fn shifted(
    s: &BTreeSet<(usize, usize)>,
    dx: usize,
    dy: usize,
    sc: usize,
) -> BTreeSet<(usize, usize)> {
    let mut out = BTreeSet::new();
    for &(x, y) in s {
        for j in 0..sc {
            for i in 0..sc {
                out.insert((dx + x * sc + i, dy + y * sc + j));
            }
        }
    }
    out
}

#[test]
fn text_renders_digit_glyphs() {
    let zero = pattern([
        ".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###.",
    ]);
    let seven = pattern([
        "#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#...",
    ]);
    let one = pattern([
        "..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###.",
    ]);
    let mut width = 0;
    let buf = rgb_frame(10, 12, |c| width = c.text(0, 0, "0", 1, RED, None));
    assert_eq!(width, 7);
    assert_eq!(touched(&buf, 10), shifted(&zero, 1, 1, 1));
    let buf = rgb_frame(10, 12, |c| width = c.text(2, 3, "7", 1, RED, None));
    assert_eq!(touched(&buf, 10), shifted(&seven, 3, 4, 1));
    // Scale 2 doubles every glyph pixel.
    let buf = rgb_frame(20, 20, |c| width = c.text(0, 0, "1", 2, RED, None));
    assert_eq!(width, 14);
    assert_eq!(touched(&buf, 20), shifted(&one, 2, 2, 2));
    // Two glyphs are 6·scale apart.
    let buf = rgb_frame(20, 12, |c| width = c.text(0, 0, "10", 1, RED, None));
    assert_eq!(width, 13);
    let mut both = shifted(&one, 1, 1, 1);
    both.extend(shifted(&zero, 7, 1, 1));
    assert_eq!(touched(&buf, 20), both);
    // Every digit has a distinct glyph.
    let digits: BTreeSet<[u8; 7]> = ('0'..='9').map(glyph).collect();
    assert_eq!(digits.len(), 10);
}

#[test]
fn text_background_unknown_chars_and_size() {
    let bg = Rgb(0, 0, 200);
    let mut width = 0;
    let buf = rgb_frame(10, 12, |c| width = c.text(1, 1, "0", 1, RED, Some(bg)));
    assert_eq!(width, 7);
    for y in 0..12 {
        for x in 0..10 {
            let inside = (1..8).contains(&x) && (1..10).contains(&y);
            let p = pixel(&buf, 10, x, y);
            if inside {
                assert!(p == RED || p == bg, "({x},{y})");
            } else {
                assert_eq!(p, Rgb(0, 0, 0));
            }
        }
    }
    assert_eq!(pixel(&buf, 10, 1, 1), bg);
    assert_eq!(pixel(&buf, 10, 3, 2), RED);
    let q = rgb_frame(10, 12, |c| {
        c.text(0, 0, "?", 1, RED, None);
    });
    let at = rgb_frame(10, 12, |c| {
        c.text(0, 0, "@", 1, RED, None);
    });
    let accent = rgb_frame(10, 12, |c| {
        c.text(0, 0, "é", 1, RED, None);
    });
    assert_eq!(q, at);
    assert_eq!(q, accent);
    assert!(!touched(&q, 10).is_empty());
    let upper = rgb_frame(10, 12, |c| {
        c.text(0, 0, "P", 1, RED, None);
    });
    let lower = rgb_frame(10, 12, |c| {
        c.text(0, 0, "p", 1, RED, None);
    });
    assert_eq!(upper, lower);
    assert_eq!(text_size("#12 g3 person", 1), (79, 9));
    assert_eq!(text_size("", 3), (0, 0));
    assert_eq!(text_size("ab", 0), text_size("ab", 1));
    let buf = rgb_frame(10, 12, |c| width = c.text(0, 0, "", 1, RED, Some(bg)));
    assert_eq!(width, 0);
    assert!(touched(&buf, 10).is_empty());
    // Far outside: nothing, no panic.
    let buf = rgb_frame(10, 12, |c| {
        c.text(i64::MAX - 3, 0, "123", 4, RED, Some(bg));
        c.text(i64::MIN, i64::MIN, "123", u32::MAX, RED, Some(bg));
        c.text(-1000, 0, "123", 1, RED, Some(bg));
    });
    assert!(touched(&buf, 10).is_empty());
    // Every label character has its own glyph.
    let q = glyph('?');
    for ch in ('a'..='z')
        .chain('0'..='9')
        .chain(['#', ':', '-', '.', '_'])
    {
        assert_ne!(glyph(ch), q, "{ch}");
    }
}

fn dist(a: Rgb, b: Rgb) -> f64 {
    let d = |x: u8, y: u8| (x as f64 - y as f64).powi(2);
    (d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)).sqrt()
}

#[test]
fn id_colours_are_deterministic_distinct_and_bright() {
    let cols: Vec<Rgb> = (1..=50).map(id_colour).collect();
    assert_eq!(cols, (1..=50).map(id_colour).collect::<Vec<_>>());
    let mut min = f64::MAX;
    for i in 0..cols.len() {
        for j in i + 1..cols.len() {
            min = min.min(dist(cols[i], cols[j]));
        }
    }
    assert!(min > 20.0, "closest pair at {min}");
    for id in (0..1000).chain([u64::MAX, u64::MAX - 1]) {
        let c = id_colour(id);
        assert!(c.0.max(c.1).max(c.2) >= 200, "{id}: {c:?}");
    }
}

fn person(track: Option<u64>, global: Option<u64>) -> Object {
    let mut o = Object::new(BBox::new(10.0, 12.0, 30.0, 30.0), 0.9, 0);
    o.track_id = track;
    o.global_id = global;
    o.track_state = Some(TrackState::Tracked);
    o.label = Some("person".into());
    // 17 keypoints inside the box, well away from its border.
    o.keypoints = (0..17)
        .map(|i| Keypoint {
            x: 15.0 + (i % 5) as f32 * 4.0,
            y: 17.0 + (i / 5) as f32 * 5.0,
            confidence: 0.9,
            state: KeypointState::Measured,
        })
        .collect();
    o
}

fn draw_rgb(w: usize, h: usize, objects: &[Object], style: &OverlayStyle) -> Vec<u8> {
    rgb_frame(w, h, |c| draw_objects(c, objects, style))
}

fn border(x0: usize, y0: usize, x1: usize, y1: usize) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    for x in x0..x1 {
        v.push((x, y0));
        v.push((x, y1 - 1));
    }
    for y in y0 + 1..y1 - 1 {
        v.push((x0, y));
        v.push((x1 - 1, y));
    }
    v
}

#[test]
fn overlay_style_defaults() {
    let s = OverlayStyle::default();
    assert!(s.boxes && s.labels && s.skeleton);
    assert_eq!((s.thickness, s.text_scale), (0, 0));
    assert_eq!(s.min_keypoint_confidence, 0.3);
}

#[test]
fn draw_objects_box_in_id_colour() {
    let style = OverlayStyle {
        labels: false,
        ..Default::default()
    };
    let buf = draw_rgb(64, 48, &[person(Some(7), Some(3))], &style);
    let c = id_colour(3);
    for (x, y) in border(10, 12, 40, 42) {
        assert_eq!(pixel(&buf, 64, x, y), c, "({x},{y})");
    }
    // Nothing outside the box.
    assert!(touched(&buf, 64)
        .iter()
        .all(|&(x, y)| (10..40).contains(&x) && (12..42).contains(&y)));
    // Track id only, untracked.
    let buf = draw_rgb(64, 48, &[person(Some(7), None)], &style);
    assert_eq!(pixel(&buf, 64, 10, 12), id_colour(7));
    let buf = draw_rgb(64, 48, &[person(None, None)], &style);
    assert_eq!(pixel(&buf, 64, 10, 12), UNTRACKED_COLOUR);
}

#[test]
fn draw_objects_dashes_predicted_and_lost_boxes() {
    let style = OverlayStyle {
        labels: false,
        skeleton: false,
        ..Default::default()
    };
    let solid = draw_rgb(64, 48, &[person(Some(7), None)], &style);
    let n_solid = touched(&solid, 64).len();
    assert_eq!(n_solid, border(10, 12, 40, 42).len());
    for state in [TrackState::Predicted, TrackState::Lost] {
        let mut o = person(Some(7), None);
        o.track_state = Some(state);
        let buf = draw_rgb(64, 48, &[o], &style);
        let t = touched(&buf, 64);
        assert!(t.len() > n_solid / 3 && t.len() < n_solid, "{}", t.len());
        assert!(t
            .iter()
            .all(|&(x, y)| pixel(&buf, 64, x, y) == id_colour(7)));
        assert!(touched(&solid, 64).is_superset(&t));
    }
}

#[test]
fn draw_objects_skips_low_confidence_missing_and_nan_keypoints() {
    let style = OverlayStyle {
        labels: false,
        boxes: false,
        ..Default::default()
    };
    let mut o = person(Some(1), None);
    // Nose far from the others, below the confidence floor.
    o.keypoints[0] = Keypoint {
        x: 55.0,
        y: 40.0,
        confidence: 0.1,
        state: KeypointState::Measured,
    };
    let buf = draw_rgb(64, 48, &[o.clone()], &style);
    assert!(!touched(&buf, 64).is_empty());
    assert!(touched(&buf, 64).iter().all(|&(x, _)| x < 45));
    // Same with Missing state, or NaN confidence.
    for k in [
        Keypoint {
            confidence: 0.9,
            state: KeypointState::Missing,
            ..o.keypoints[0]
        },
        Keypoint {
            confidence: f32::NAN,
            ..o.keypoints[0]
        },
    ] {
        let mut o2 = o.clone();
        o2.keypoints[0] = k;
        assert_eq!(draw_rgb(64, 48, &[o2], &style), buf);
    }
    // A NaN keypoint draws the same as one below the floor.
    let mut low = person(Some(1), None);
    low.keypoints[16].confidence = 0.0;
    let mut nan = person(Some(1), None);
    nan.keypoints[16].x = f32::NAN;
    let mut nan_y = person(Some(1), None);
    nan_y.keypoints[16].y = f32::NAN;
    let want = draw_rgb(64, 48, &[low], &style);
    assert_eq!(draw_rgb(64, 48, &[nan], &style), want);
    assert_eq!(draw_rgb(64, 48, &[nan_y], &style), want);
    // Other keypoint counts: dots only, no lines.
    let mut two = person(Some(1), None);
    two.keypoints.truncate(2);
    two.keypoints[1].x = 40.0;
    let buf = draw_rgb(64, 48, &[two], &style);
    assert!(touched(&buf, 64).iter().all(|&(x, _)| x <= 18 || x >= 37));
    // skeleton: false draws nothing of the pose.
    let style = OverlayStyle {
        skeleton: false,
        ..style
    };
    assert!(touched(&draw_rgb(64, 48, &[person(Some(1), None)], &style), 64).is_empty());
}

#[test]
fn draw_objects_nan_box_draws_nothing() {
    let mut o = person(Some(7), Some(3));
    o.keypoints.clear();
    o.bbox = BBox::new(f32::NAN, 5.0, 10.0, 10.0);
    let mut o2 = o.clone();
    o2.bbox = BBox::new(1.0, 2.0, f32::NAN, f32::INFINITY);
    let mut o3 = o.clone();
    o3.track_state = Some(TrackState::Lost);
    let buf = draw_rgb(64, 48, &[o, o2, o3], &OverlayStyle::default());
    assert!(touched(&buf, 64).is_empty());
}

#[test]
fn draw_objects_keypoint_states_are_distinguishable() {
    let style = OverlayStyle {
        labels: false,
        boxes: false,
        thickness: 1,
        ..Default::default()
    };
    let mut o = person(Some(2), None);
    let spots = [
        (10.0, 10.0, KeypointState::Measured),
        (30.0, 10.0, KeypointState::Smoothed),
        (10.0, 30.0, KeypointState::Predicted),
        (30.0, 30.0, KeypointState::Interpolated),
    ];
    o.keypoints = spots
        .iter()
        .map(|&(x, y, state)| Keypoint {
            x,
            y,
            confidence: 1.0,
            state,
        })
        .collect();
    let buf = draw_rgb(64, 48, &[o], &style);
    let c = id_colour(2);
    assert_eq!(pixel(&buf, 64, 10, 10), c);
    assert_eq!(pixel(&buf, 64, 30, 10), c);
    assert_eq!(pixel(&buf, 64, 10, 30), Rgb(0, 0, 0));
    assert_eq!(pixel(&buf, 64, 10, 28), c);
    assert_eq!(pixel(&buf, 64, 30, 30), Rgb(255, 255, 255));
    assert_eq!(pixel(&buf, 64, 30, 28), c);

    // Lines to predicted / interpolated keypoints are dashed.
    let mut o = person(Some(2), None);
    for k in &mut o.keypoints {
        k.x = 5.0;
        k.y = 5.0;
    }
    o.keypoints[5] = Keypoint {
        x: 5.0,
        y: 40.0,
        confidence: 1.0,
        state: KeypointState::Measured,
    };
    o.keypoints[6] = Keypoint {
        x: 60.0,
        y: 40.0,
        confidence: 1.0,
        state: KeypointState::Measured,
    };
    let solid = draw_rgb(64, 48, &[o.clone()], &style);
    let run = |buf: &[u8]| {
        (10..55)
            .filter(|&x| pixel(buf, 64, x, 40) != Rgb(0, 0, 0))
            .count()
    };
    assert_eq!(run(&solid), 45);
    for state in [KeypointState::Predicted, KeypointState::Interpolated] {
        let mut o2 = o.clone();
        o2.keypoints[6].state = state;
        let dashed = draw_rgb(64, 48, &[o2], &style);
        let n = run(&dashed);
        assert!(n > 15 && n < 35, "{state:?}: {n}");
    }
}

#[test]
fn draw_objects_labels_above_or_inside_the_box() {
    let style = OverlayStyle {
        boxes: false,
        skeleton: false,
        ..Default::default()
    };
    let c = id_colour(3);
    let fg = if 0.299 * c.0 as f32 + 0.587 * c.1 as f32 + 0.114 * c.2 as f32 > 150.0 {
        Rgb(0, 0, 0)
    } else {
        Rgb(255, 255, 255)
    };
    let text = "#7 g3 person";
    assert_eq!(label_text(&person(Some(7), Some(3))), text);
    // Room above the box (y = 12 ≥ 9).
    let buf = draw_rgb(100, 48, &[person(Some(7), Some(3))], &style);
    let want = rgb_frame(100, 48, |cv| {
        cv.text(10, 3, text, 1, fg, Some(c));
    });
    assert_eq!(buf, want);
    // Box at the top: label inside it.
    let mut o = person(Some(7), Some(3));
    o.bbox.y = 2.0;
    let buf = draw_rgb(100, 48, &[o], &style);
    let want = rgb_frame(100, 48, |cv| {
        cv.text(10, 2, text, 1, fg, Some(c));
    });
    assert_eq!(buf, want);
    // Pushed left to stay inside the frame; 73 px wide.
    let mut o = person(Some(7), Some(3));
    o.bbox.x = 60.0;
    let buf = draw_rgb(100, 48, &[o], &style);
    let want = rgb_frame(100, 48, |cv| {
        cv.text(27, 3, text, 1, fg, Some(c));
    });
    assert_eq!(buf, want);
    // Other label forms.
    let mut o = person(None, None);
    assert_eq!(label_text(&o), "person");
    o.label = None;
    assert_eq!(label_text(&o), "");
    o.global_id = Some(4);
    assert_eq!(label_text(&o), "g4");
    o.action = Some(crate::types::Action {
        class_id: 2,
        score: 0.876,
        ..Default::default()
    });
    assert_eq!(label_text(&o), "g4 action 2 0.88");
    o.action.as_mut().unwrap().label = Some("wave".into());
    assert_eq!(label_text(&o), "g4 wave 0.88");
    o.attributes = vec![
        crate::types::Attribute {
            name: "color".into(),
            label: Some("red".into()),
            score: 0.934,
            ..Default::default()
        },
        crate::types::Attribute {
            name: "age".into(),
            class_id: 3,
            score: 0.5,
            ..Default::default()
        },
    ];
    assert_eq!(label_text(&o), "g4 red 0.93 age 3 0.50 wave 0.88");
    // Box outside the frame: no label.
    let mut o = person(Some(7), Some(3));
    o.bbox.x = -100.0;
    assert!(touched(&draw_rgb(100, 48, &[o], &style), 100).is_empty());
}

#[test]
fn draw_objects_on_yuv_frames_of_odd_size() {
    for layout in [PixelLayout::I420, PixelLayout::Nv12] {
        let (w, h) = (63, 47);
        let (cw, ch) = (32, 24);
        let nv12 = layout == PixelLayout::Nv12;
        let mut y = vec![16u8; w * h];
        let mut u = vec![128u8; if nv12 { 2 * cw * ch } else { cw * ch }];
        let mut v = if nv12 {
            Vec::new()
        } else {
            vec![128u8; cw * ch]
        };
        {
            let mut frame = FrameMut {
                layout,
                width: w,
                height: h,
                planes: [&mut y, &mut u, &mut v],
                strides: [w, if nv12 { 2 * cw } else { cw }, cw],
                yuv: YuvParams::default(),
            };
            let mut canvas = Canvas::new(&mut frame).unwrap();
            let mut o = person(Some(5), None);
            o.bbox = BBox::new(40.0, 30.0, 23.0, 17.0);
            draw_objects(
                &mut canvas,
                &[person(Some(1), None), o],
                &OverlayStyle::default(),
            );
        }
        let [cy, cu, cv] = rgb_to_yuv(id_colour(1), YuvParams::default());
        assert_eq!(y[12 * w + 20], cy);
        let ci = 6 * if nv12 { 2 * cw } else { cw } + if nv12 { 20 } else { 10 };
        assert_eq!(u[ci], cu);
        if nv12 {
            assert_eq!(u[ci + 1], cv);
        } else {
            assert_eq!(v[ci], cv);
        }
        // The clipped box reaches the last column and row.
        assert_ne!(y[(h - 1) * w + w - 1], 16);
    }
}

#[test]
fn canvas_new_rejects_bad_frames() {
    let mut buf = vec![0u8; 4 * 3 * 3 - 1];
    let mut f = packed(PixelLayout::Rgb, 4, 3, 12, &mut buf);
    let e = Canvas::new(&mut f).err().unwrap();
    assert_eq!(
        e,
        DrawError::Plane(PlaneError::PlaneTooShort {
            plane: 0,
            name: "packed pixels",
            len: 35,
            needed: 36,
            stride: 12,
            rows: 3,
        })
    );
    assert!(e.to_string().contains("packed pixels"), "{e}");
    // The last row needs no padding.
    let mut buf = vec![0u8; 16 * 2 + 12];
    let mut f = packed(PixelLayout::Rgb, 4, 3, 16, &mut buf);
    assert!(Canvas::new(&mut f).is_ok());

    let mut buf = vec![0u8; 100];
    let mut f = packed(PixelLayout::Bgrx, 4, 3, 15, &mut buf);
    assert!(matches!(
        Canvas::new(&mut f),
        Err(DrawError::Plane(PlaneError::StrideTooSmall {
            plane: 0,
            stride: 15,
            row_bytes: 16,
            ..
        }))
    ));
    let mut f = packed(PixelLayout::Rgb, 0, 3, 15, &mut buf);
    assert!(matches!(
        Canvas::new(&mut f),
        Err(DrawError::ZeroSize { .. })
    ));

    let (mut y, mut u, mut v) = (vec![0u8; 15], vec![0u8; 6], vec![0u8; 5]);
    let mut f = FrameMut {
        layout: PixelLayout::I420,
        width: 5,
        height: 3,
        planes: [&mut y, &mut u, &mut v],
        strides: [5, 3, 3],
        yuv: YuvParams::default(),
    };
    let e = Canvas::new(&mut f).err().unwrap();
    assert!(matches!(
        e,
        DrawError::Plane(PlaneError::PlaneTooShort {
            plane: 2,
            name: "V",
            len: 5,
            needed: 6,
            ..
        })
    ));
    assert!(
        e.to_string().contains("(V)") && e.to_string().contains('6'),
        "{e}"
    );

    let (mut y, mut uv) = (vec![0u8; 15], vec![0u8; 11]);
    let mut f = FrameMut {
        layout: PixelLayout::Nv12,
        width: 5,
        height: 3,
        planes: [&mut y, &mut uv, Default::default()],
        strides: [5, 6, 0],
        yuv: YuvParams::default(),
    };
    let e = Canvas::new(&mut f).err().unwrap();
    assert!(matches!(
        e,
        DrawError::Plane(PlaneError::PlaneTooShort {
            plane: 1,
            name: "UV",
            ..
        })
    ));
    f.strides[1] = 5;
    assert!(matches!(
        Canvas::new(&mut f),
        Err(DrawError::Plane(PlaneError::StrideTooSmall {
            plane: 1,
            name: "UV",
            ..
        }))
    ));
}
