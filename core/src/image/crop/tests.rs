// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
use super::*;
use crate::image::YuvMatrix;
use crate::testutil::{positions, ref_convert, Rng};

const PACKED: [PixelLayout; 10] = [
    PixelLayout::Rgb,
    PixelLayout::Bgr,
    PixelLayout::Rgbx,
    PixelLayout::Bgrx,
    PixelLayout::Xrgb,
    PixelLayout::Xbgr,
    PixelLayout::Rgba,
    PixelLayout::Bgra,
    PixelLayout::Argb,
    PixelLayout::Abgr,
];

const IDENTITY: Normalize = Normalize {
    mean: [0.0; 3],
    std: [1.0; 3],
};

/// An owned frame: planes and strides.
struct Owned {
    layout: PixelLayout,
    w: usize,
    h: usize,
    planes: Vec<Vec<u8>>,
    strides: [usize; 3],
}

impl Owned {
    fn frame(&self) -> Frame<'_> {
        let plane = |i: usize| self.planes.get(i).map_or(&[][..], |p| &p[..]);
        Frame {
            layout: self.layout,
            width: self.w,
            height: self.h,
            planes: [plane(0), plane(1), plane(2)],
            strides: self.strides,
        }
    }
}

/// A packed frame with 3 spare bytes per row; the unused byte and the row
/// padding hold garbage.
fn packed(layout: PixelLayout, w: usize, h: usize, px: impl Fn(usize, usize) -> [u8; 3]) -> Owned {
    let (bpp, pos) = positions(layout);
    let stride = w * bpp + 3;
    let mut buf = vec![0xA5u8; stride * h];
    for y in 0..h {
        for x in 0..w {
            let p = px(x, y);
            for c in 0..3 {
                buf[y * stride + x * bpp + pos[c]] = p[c];
            }
        }
    }
    Owned {
        layout,
        w,
        h,
        planes: vec![buf],
        strides: [stride, 0, 0],
    }
}

/// Y, U, V sample arrays of a 4:2:0 frame (U, V are `⌈w/2⌉ × ⌈h/2⌉`).
struct Yuv {
    w: usize,
    h: usize,
    y: Vec<u8>,
    u: Vec<u8>,
    v: Vec<u8>,
}

impl Yuv {
    fn from_fn(
        w: usize,
        h: usize,
        luma: impl Fn(usize, usize) -> u8,
        chroma: impl Fn(usize, usize) -> [u8; 2],
    ) -> Yuv {
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let y = (0..w * h).map(|i| luma(i % w, i / w)).collect();
        let uv: Vec<[u8; 2]> = (0..cw * ch).map(|i| chroma(i % cw, i / cw)).collect();
        Yuv {
            w,
            h,
            y,
            u: uv.iter().map(|p| p[0]).collect(),
            v: uv.iter().map(|p| p[1]).collect(),
        }
    }

    fn uniform(w: usize, h: usize, c: [u8; 3]) -> Yuv {
        Yuv::from_fn(w, h, |_, _| c[0], |_, _| [c[1], c[2]])
    }

    fn random(w: usize, h: usize, seed: u64) -> Yuv {
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let mut rng = Rng(seed | 1);
        let y: Vec<u8> = (0..w * h).map(|_| rng.byte()).collect();
        let uv: Vec<[u8; 2]> = (0..cw * ch).map(|_| [rng.byte(), rng.byte()]).collect();
        Yuv::from_fn(w, h, |x, yy| y[yy * w + x], |x, yy| uv[yy * cw + x])
    }

    /// As I420 or NV12, rows padded with garbage.
    fn owned(&self, layout: PixelLayout) -> Owned {
        let (w, h) = (self.w, self.h);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let copy = |src: &[u8], n: usize, rows: usize, stride: usize| {
            let mut out = vec![0x5Au8; stride * rows];
            for (row, s) in out.chunks_mut(stride).zip(src.chunks(n)) {
                row[..n].copy_from_slice(s);
            }
            out
        };
        let ys = w + 5;
        let y = copy(&self.y, w, h, ys);
        if layout == PixelLayout::I420 {
            let cs = cw + 2;
            Owned {
                layout,
                w,
                h,
                planes: vec![y, copy(&self.u, cw, ch, cs), copy(&self.v, cw, ch, cs)],
                strides: [ys, cs, cs],
            }
        } else {
            let cs = 2 * cw + 1;
            let mut uv = vec![0x5Au8; cs * ch];
            for r in 0..ch {
                for c in 0..cw {
                    uv[r * cs + 2 * c] = self.u[r * cw + c];
                    uv[r * cs + 2 * c + 1] = self.v[r * cw + c];
                }
            }
            Owned {
                layout,
                w,
                h,
                planes: vec![y, uv],
                strides: [ys, cs, 0],
            }
        }
    }
}

fn crop(
    o: &Owned,
    yuv: YuvParams,
    bbox: [f32; 4],
    ow: usize,
    oh: usize,
    norm: &Normalize,
) -> (CropRect, Vec<f32>) {
    let mut out = vec![f32::NAN; 3 * ow * oh];
    let rect = crop_resize(&o.frame(), yuv, bbox, ow, oh, norm, &mut out).unwrap();
    (rect, out)
}

fn expect(c: usize, v: f64, n: &Normalize) -> f64 {
    (v - f64::from(n.mean[c])) / f64::from(n.std[c])
}

/// Asserts every value of channel `c` of `out` is `expected[c]` within `tol`.
fn assert_uniform(out: &[f32], expected: [f64; 3], tol: f64, what: &str) {
    let plane = out.len() / 3;
    for (i, &v) in out.iter().enumerate() {
        let e = expected[i / plane];
        assert!(
            (f64::from(v) - e).abs() <= tol,
            "{what}: value {i} = {v}, expected {e}"
        );
    }
}

#[test]
fn uniform_packed_every_layout() {
    let c = [200u8, 17, 93];
    for layout in PACKED {
        let o = packed(layout, 37, 23, |_, _| c);
        for norm in [Normalize::default(), IDENTITY] {
            for (bbox, ow, oh) in [
                ([3.3, 2.7, 20.1, 15.2], 128, 256),
                ([-5.0, -5.0, 100.0, 100.0], 16, 8),
                ([30.5, 20.5, 0.25, 0.25], 7, 9),
            ] {
                let (_, out) = crop(&o, YuvParams::default(), bbox, ow, oh, &norm);
                let e = std::array::from_fn(|k| expect(k, f64::from(c[k]) / 255.0, &norm));
                assert_uniform(&out, e, 1e-5, &format!("{layout:?} {bbox:?}"));
                if norm == IDENTITY {
                    for (i, &v) in out.iter().enumerate() {
                        assert_eq!(v, f32::from(c[i / (ow * oh)]) / 255.0);
                    }
                }
            }
        }
    }
}

#[test]
fn uniform_yuv_known_values() {
    let limited = YuvParams::default();
    let full601 = YuvParams {
        matrix: YuvMatrix::Bt601,
        full_range: true,
    };
    let full2020 = YuvParams {
        matrix: YuvMatrix::Bt2020,
        full_range: true,
    };
    let bt709 = YuvParams {
        matrix: YuvMatrix::Bt709,
        full_range: false,
    };
    let g = 110.0 / 219.0;
    let cases: [([u8; 3], YuvParams, [f64; 3]); 6] = [
        ([126, 128, 128], limited, [g; 3]),
        ([16, 128, 128], limited, [0.0; 3]),
        ([235, 128, 128], limited, [1.0; 3]),
        ([128, 128, 128], full601, [128.0 / 255.0; 3]),
        // R = 167.1872, G = 106.32419, B = 67.3208.
        (
            [120, 100, 160],
            full2020,
            [167.1872 / 255.0, 106.32419 / 255.0, 67.3208 / 255.0],
        ),
        // R = 178.46360, G = 110.01375, B = 61.94864.
        (
            [120, 100, 160],
            bt709,
            [178.4636 / 255.0, 110.01375 / 255.0, 61.94864 / 255.0],
        ),
    ];
    for (c, params, rgb) in cases {
        let r = ref_convert(c[0].into(), c[1].into(), c[2].into(), params);
        for k in 0..3 {
            assert!((r[k] - rgb[k]).abs() < 1e-6, "{c:?} {r:?} {rgb:?}");
        }
        let img = Yuv::uniform(41, 27, c);
        for layout in [PixelLayout::I420, PixelLayout::Nv12] {
            let o = img.owned(layout);
            for norm in [Normalize::default(), IDENTITY] {
                for bbox in [[3.3, 2.7, 20.1, 15.2], [-5.0, 11.0, 100.0, 100.0]] {
                    let (_, out) = crop(&o, params, bbox, 32, 64, &norm);
                    let e = std::array::from_fn(|k| expect(k, rgb[k], &norm));
                    assert_uniform(&out, e, 1e-5, &format!("{layout:?} {c:?} {params:?}"));
                }
            }
        }
    }
}

#[test]
fn two_colour_frame() {
    let norm = Normalize::default();
    let (w, h) = (64, 40);
    // (frame, red, blue, tolerance): packed, then NV12 with BT.601
    // limited-range red (81, 90, 240) and blue (41, 240, 110).
    let red_yuv = [81u8, 90, 240];
    let blue_yuv = [41u8, 240, 110];
    let yuv = Yuv::from_fn(
        w,
        h,
        |x, _| if x < w / 2 { red_yuv[0] } else { blue_yuv[0] },
        |x, _| {
            if x < w / 4 {
                [red_yuv[1], red_yuv[2]]
            } else {
                [blue_yuv[1], blue_yuv[2]]
            }
        },
    );
    let p = YuvParams::default();
    let yuv_red = ref_convert(81.0, 90.0, 240.0, p);
    let yuv_blue = ref_convert(41.0, 240.0, 110.0, p);
    assert!(yuv_red[0] > 0.99 && yuv_red[1] < 0.01 && yuv_red[2] < 0.01);
    assert!(yuv_blue[2] > 0.99 && yuv_blue[0] < 0.01 && yuv_blue[1] < 0.01);
    let mut frames = vec![];
    for layout in [PixelLayout::Rgb, PixelLayout::Bgrx, PixelLayout::Argb] {
        let o = packed(layout, w, h, |x, _| {
            if x < w / 2 {
                [255, 0, 0]
            } else {
                [0, 0, 255]
            }
        });
        frames.push((o, [1.0, 0.0, 0.0], [0.0, 0.0, 1.0], 1e-5));
    }
    for layout in [PixelLayout::I420, PixelLayout::Nv12] {
        frames.push((yuv.owned(layout), yuv_red, yuv_blue, 1e-4));
    }
    let (ow, oh) = (64, 128);
    let col = |out: &[f32], c: usize, dx: usize| -> Vec<f32> {
        (0..oh).map(|dy| out[c * ow * oh + dy * ow + dx]).collect()
    };
    for (o, red, blue, tol) in &frames {
        let what = format!("{:?}", o.layout);
        let red_n: [f64; 3] = std::array::from_fn(|k| expect(k, red[k], &norm));
        let blue_n: [f64; 3] = std::array::from_fn(|k| expect(k, blue[k], &norm));
        // Fully on the left half (touching the boundary from the left).
        let (_, out) = crop(o, p, [2.5, 3.0, 29.5, 30.0], ow, oh, &norm);
        assert_uniform(&out, red_n, *tol, &what);
        // Fully on the right half, starting exactly at the boundary.
        let (_, out) = crop(o, p, [32.0, 3.0, 20.0, 30.0], ow, oh, &norm);
        assert_uniform(&out, blue_n, *tol, &what);
        // Straddling: frame columns 16..48, the boundary at output 32.
        let (_, out) = crop(o, p, [16.0, 5.0, 32.0, 30.0], ow, oh, &norm);
        for dx in (0..24).chain(40..ow) {
            let e = if dx < 32 { red_n } else { blue_n };
            for (c, &ec) in e.iter().enumerate() {
                for v in col(&out, c, dx) {
                    assert!(
                        (f64::from(v) - ec).abs() <= *tol,
                        "{what} column {dx} channel {c}: {v} vs {ec}"
                    );
                }
            }
        }
        // Near the boundary the values are between the two colours.
        for dx in 24..40 {
            for v in col(&out, 0, dx) {
                let (lo, hi) = (blue_n[0].min(red_n[0]), blue_n[0].max(red_n[0]));
                assert!(f64::from(v) >= lo - tol && f64::from(v) <= hi + tol);
            }
        }
    }
}

#[test]
fn identity_geometry_exact_pixels() {
    let mut rng = Rng(0x1234_5678);
    let (w, h) = (40, 30);
    let px: Vec<[u8; 3]> = (0..w * h)
        .map(|_| [rng.byte(), rng.byte(), rng.byte()])
        .collect();
    for layout in PACKED {
        let o = packed(layout, w, h, |x, y| px[y * w + x]);
        for (bx, by, ow, oh) in [
            (5, 3, 16, 12),
            (0, 0, 40, 30),
            (39, 29, 1, 1),
            (24, 0, 16, 30),
        ] {
            let bbox = [bx as f32, by as f32, ow as f32, oh as f32];
            let (rect, out) = crop(&o, YuvParams::default(), bbox, ow, oh, &IDENTITY);
            assert_eq!(
                rect,
                CropRect {
                    x: bbox[0],
                    y: bbox[1],
                    w: bbox[2],
                    h: bbox[3]
                }
            );
            for c in 0..3 {
                for dy in 0..oh {
                    for dx in 0..ow {
                        let e = f32::from(px[(by + dy) * w + bx + dx][c]) / 255.0;
                        assert_eq!(out[c * ow * oh + dy * ow + dx], e, "{layout:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn clipping_and_empty_boxes() {
    let o = packed(PixelLayout::Rgb, 32, 24, |x, y| [x as u8, y as u8, 0]);
    let run = |bbox: [f32; 4]| {
        let mut out = vec![7.0f32; 3 * 8 * 4];
        let r = crop_resize(
            &o.frame(),
            YuvParams::default(),
            bbox,
            4,
            8,
            &Normalize::default(),
            &mut out,
        );
        if r.is_err() {
            assert!(out.iter().all(|&v| v == 7.0), "written on error");
        } else {
            assert!(out.iter().all(|v| v.is_finite()));
        }
        r
    };
    let rect = |x, y, w, h| Ok(CropRect { x, y, w, h });
    assert_eq!(run([-10.0, 5.0, 50.0, 20.0]), rect(0.0, 5.0, 32.0, 19.0));
    assert_eq!(run([20.5, -3.25, 30.0, 10.0]), rect(20.5, 0.0, 11.5, 6.75));
    assert_eq!(run([-1.0, -1.0, 100.0, 100.0]), rect(0.0, 0.0, 32.0, 24.0));
    assert_eq!(run([31.5, 23.0, 10.0, 10.0]), rect(31.5, 23.0, 0.5, 1.0));
    assert_eq!(run([1.0, 2.0, 3.0, 4.0]), rect(1.0, 2.0, 3.0, 4.0));
    let empty = |b: [f32; 4]| {
        assert_eq!(
            run(b),
            Err(CropError::Empty {
                x: b[0],
                y: b[1],
                w: b[2],
                h: b[3]
            }),
            "{b:?}"
        );
    };
    // Fully outside, on every side, and touching an edge from outside.
    empty([40.0, 0.0, 10.0, 10.0]);
    empty([-20.0, 0.0, 10.0, 10.0]);
    empty([0.0, 30.0, 10.0, 10.0]);
    empty([0.0, -10.0, 10.0, 5.0]);
    empty([32.0, 0.0, 10.0, 10.0]);
    empty([-10.0, 0.0, 10.0, 10.0]);
    // Zero and negative sizes.
    empty([5.0, 5.0, 0.0, 10.0]);
    empty([5.0, 5.0, 10.0, 0.0]);
    empty([5.0, 5.0, -4.0, 10.0]);
    empty([5.0, 5.0, 10.0, -0.0]);
    // NaN and infinities.
    for i in 0..4 {
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let mut b = [5.0, 5.0, 10.0, 10.0];
            b[i] = bad;
            let r = run(b);
            assert!(matches!(r, Err(CropError::Empty { .. })), "{b:?}: {r:?}");
        }
    }
    let e = run([40.0, 1.0, 2.0, 3.0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "box (x 40, y 1, w 2, h 3) has no pixels inside the frame"
    );
}

/// Bilinear tap in the reference: the two positions and the weight.
fn ref_tap(s: f64, last: usize) -> (usize, usize, f64) {
    let fl = s.floor();
    let i = fl as usize;
    if i >= last {
        (last, last, 0.0)
    } else {
        (i, i + 1, s - fl)
    }
}

fn ref_bilinear(
    px: impl Fn(usize, usize) -> f64,
    (x0, x1, fx): (usize, usize, f64),
    (y0, y1, fy): (usize, usize, f64),
) -> f64 {
    let top = px(x0, y0) * (1.0 - fx) + px(x1, y0) * fx;
    let bot = px(x0, y1) * (1.0 - fx) + px(x1, y1) * fx;
    top * (1.0 - fy) + bot * fy
}

/// Naive reference: per output pixel, the clamped luma position (and the
/// chroma one for YUV) straight from the documented formulas, in `f64`.
/// `rgb(sx, sy)` gets the two clamped positions and returns RGB in 0..=1.
fn reference(
    (w, h): (usize, usize),
    bbox: [f32; 4],
    ow: usize,
    oh: usize,
    norm: &Normalize,
    rgb: impl Fn(f64, f64) -> [f64; 3],
) -> Vec<f64> {
    let [bx, by, bw, bh] = bbox.map(f64::from);
    let x0 = bx.max(0.0);
    let x1 = (bx + bw).min(w as f64);
    let y0 = by.max(0.0);
    let y1 = (by + bh).min(h as f64);
    let (cw, ch) = (x1 - x0, y1 - y0);
    let mut out = vec![0.0; 3 * ow * oh];
    for dy in 0..oh {
        let sy = (y0 + (dy as f64 + 0.5) * ch / oh as f64 - 0.5).clamp(y0.floor(), y1.ceil() - 1.0);
        for dx in 0..ow {
            let sx =
                (x0 + (dx as f64 + 0.5) * cw / ow as f64 - 0.5).clamp(x0.floor(), x1.ceil() - 1.0);
            let v = rgb(sx, sy);
            for c in 0..3 {
                out[c * ow * oh + dy * ow + dx] = expect(c, v[c], norm);
            }
        }
    }
    out
}

fn max_diff(a: &[f32], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (f64::from(x) - y).abs())
        .fold(0.0, f64::max)
}

/// Boxes and output sizes: upscale, downscale, wider than a chunk, partly
/// outside, tiny.
const CASES: [([f32; 4], usize, usize); 7] = [
    ([10.3, 7.6, 33.7, 41.2], 128, 256),
    ([10.3, 7.6, 33.7, 41.2], 9, 13),
    ([0.7, 1.2, 95.9, 59.1], 16, 24),
    ([5.25, 3.5, 60.5, 20.0], 300, 40),
    ([-12.4, 40.3, 50.2, 90.0], 32, 64),
    ([80.9, -3.3, 40.0, 30.7], 20, 10),
    ([44.1, 22.9, 0.6, 0.3], 4, 5),
];

#[test]
fn matches_reference_packed() {
    let (w, h) = (97, 61);
    let mut rng = Rng(0xdead_beef);
    let px: Vec<[u8; 3]> = (0..w * h)
        .map(|_| [rng.byte(), rng.byte(), rng.byte()])
        .collect();
    let norm = Normalize::default();
    for layout in [PixelLayout::Rgb, PixelLayout::Bgrx, PixelLayout::Xbgr] {
        let o = packed(layout, w, h, |x, y| px[y * w + x]);
        for (bbox, ow, oh) in CASES {
            let (_, out) = crop(&o, YuvParams::default(), bbox, ow, oh, &norm);
            let reference = reference((w, h), bbox, ow, oh, &norm, |sx, sy| {
                let (tx, ty) = (ref_tap(sx, w - 1), ref_tap(sy, h - 1));
                std::array::from_fn(|c| {
                    ref_bilinear(|x, y| f64::from(px[y * w + x][c]) / 255.0, tx, ty)
                })
            });
            let d = max_diff(&out, &reference);
            assert!(d <= 1e-4, "{layout:?} {bbox:?} → {ow}×{oh}: {d}");
        }
    }
}

#[test]
fn matches_reference_yuv() {
    let (w, h) = (97usize, 61);
    let cw = w.div_ceil(2);
    let img = Yuv::random(w, h, 0x0bad_f00d);
    let norm = Normalize::default();
    for params in [
        YuvParams::default(),
        YuvParams {
            matrix: YuvMatrix::Bt709,
            full_range: true,
        },
    ] {
        for layout in [PixelLayout::I420, PixelLayout::Nv12] {
            let o = img.owned(layout);
            for (bbox, ow, oh) in CASES {
                let (_, out) = crop(&o, params, bbox, ow, oh, &norm);
                let reference = reference((w, h), bbox, ow, oh, &norm, |sx, sy| {
                    // The luma taps stay inside the clipped box: `sx` is
                    // clamped to it, and a tap at its last pixel has
                    // weight 0 on the next one.
                    let (tx, ty) = (ref_tap(sx, w - 1), ref_tap(sy, h - 1));
                    // Chroma: clamped to the samples covering the
                    // box's pixels.
                    let chroma = |s: f64, a: f64, b: f64| {
                        let lo = (a.max(0.0).floor() / 2.0).floor();
                        let hi = ((b.ceil() - 1.0) / 2.0).floor();
                        ref_tap(((s + 0.5) / 2.0 - 0.5).clamp(lo, hi), hi as usize)
                    };
                    let [bx, by, bw, bh] = bbox.map(f64::from);
                    let cx = chroma(sx, bx, (bx + bw).min(w as f64));
                    let cy = chroma(sy, by, (by + bh).min(h as f64));
                    let yy = ref_bilinear(|x, y| f64::from(img.y[y * w + x]), tx, ty);
                    let uu = ref_bilinear(|x, y| f64::from(img.u[y * cw + x]), cx, cy);
                    let vv = ref_bilinear(|x, y| f64::from(img.v[y * cw + x]), cx, cy);
                    ref_convert(yy, uu, vv, params)
                });
                let d = max_diff(&out, &reference);
                assert!(d <= 1e-4, "{layout:?} {params:?} {bbox:?} → {ow}×{oh}: {d}");
            }
        }
    }
}

#[test]
fn only_pixels_of_the_box_are_read() {
    // A white box in a frame of random noise: any crop inside the box,
    // however fractional, is exactly white.
    let mut rng = Rng(77);
    let noise: Vec<[u8; 3]> = (0..50 * 40)
        .map(|_| [rng.byte(), rng.byte(), rng.byte()])
        .collect();
    let o = packed(PixelLayout::Bgra, 50, 40, |x, y| {
        if (10..30).contains(&x) && (5..25).contains(&y) {
            [255; 3]
        } else {
            noise[y * 50 + x]
        }
    });
    for bbox in [
        [10.0, 5.0, 20.0, 20.0],
        [10.75, 5.5, 19.25, 19.5],
        [12.3, 7.7, 0.4, 11.0],
    ] {
        let (_, out) = crop(&o, YuvParams::default(), bbox, 33, 65, &IDENTITY);
        assert!(out.iter().all(|&v| v == 1.0), "{bbox:?}");
    }
    // YUV: a uniform box aligned on the 4:2:0 grid (even columns and
    // rows), the chroma samples of the noise around it are not read
    // either.
    let noise = Yuv::random(50, 40, 78);
    let inside = |x: usize, y: usize| (10..30).contains(&x) && (6..26).contains(&y);
    let img = Yuv::from_fn(
        50,
        40,
        |x, y| {
            if inside(x, y) {
                180
            } else {
                noise.y[y * 50 + x]
            }
        },
        |x, y| {
            if inside(2 * x, 2 * y) {
                [60, 200]
            } else {
                [noise.u[y * 25 + x], noise.v[y * 25 + x]]
            }
        },
    );
    let p = YuvParams::default();
    let e = ref_convert(180.0, 60.0, 200.0, p);
    for layout in [PixelLayout::I420, PixelLayout::Nv12] {
        let o = img.owned(layout);
        for bbox in [
            [10.0, 6.0, 20.0, 20.0],
            [10.75, 6.5, 19.25, 19.5],
            [12.3, 7.7, 0.4, 11.0],
        ] {
            let (_, out) = crop(&o, p, bbox, 33, 65, &IDENTITY);
            assert_uniform(&out, e, 1e-6, &format!("{layout:?} {bbox:?}"));
        }
    }
}

#[test]
fn errors_with_numbers() {
    let img = Yuv::random(64, 64, 1);
    let o = img.owned(PixelLayout::Nv12);
    let mut out = vec![0.0f32; 3 * 8 * 8];
    let b = [1.0, 1.0, 10.0, 10.0];
    let n = Normalize::default();
    let p = YuvParams::default();
    let uv = &o.planes[1][..1000];
    let frame = Frame {
        planes: [&o.planes[0], uv, &[]],
        ..o.frame()
    };
    let e = crop_resize(&frame, p, b, 8, 8, &n, &mut out).unwrap_err();
    assert_eq!(
        e,
        CropError::Plane(PlaneError::PlaneTooShort {
            plane: 1,
            name: "UV",
            len: 1000,
            needed: 2080,
            stride: 65,
            rows: 32,
        })
    );
    assert_eq!(
        e.to_string(),
        "plane 1 (UV) has 1000 bytes, needs at least 2080 (stride 65, 32 rows)"
    );
    // A packed frame one byte short.
    let o = packed(PixelLayout::Rgb, 10, 10, |_, _| [0; 3]);
    let buf = &o.planes[0][..o.planes[0].len() - 1];
    let frame = Frame {
        planes: [buf, &[], &[]],
        ..o.frame()
    };
    let e = crop_resize(&frame, p, b, 8, 8, &n, &mut out).unwrap_err();
    assert_eq!(
        e.to_string(),
        "plane 0 (packed pixels) has 329 bytes, needs at least 330 (stride 33, 10 rows)"
    );
    // I420 without a V plane.
    let o = img.owned(PixelLayout::I420);
    let frame = Frame {
        planes: [&o.planes[0], &o.planes[1], &[]],
        ..o.frame()
    };
    let e = crop_resize(&frame, p, b, 8, 8, &n, &mut out).unwrap_err();
    assert_eq!(
        e.to_string(),
        "plane 2 (V) has 0 bytes, needs at least 1088 (stride 34, 32 rows)"
    );
    // Stride smaller than a row.
    let o = packed(PixelLayout::Bgrx, 10, 10, |_, _| [0; 3]);
    let frame = Frame {
        strides: [39, 0, 0],
        ..o.frame()
    };
    let e = crop_resize(&frame, p, b, 8, 8, &n, &mut out).unwrap_err();
    assert_eq!(
        e.to_string(),
        "plane 0 (packed pixels) has stride 39, smaller than its rows of 40 bytes"
    );
    // Empty frame.
    let frame = Frame {
        width: 0,
        ..o.frame()
    };
    let e = crop_resize(&frame, p, b, 8, 8, &n, &mut out).unwrap_err();
    assert_eq!(e, CropError::Frame("frame is 0×10".into()));
    // Wrong output length, and an overflowing one.
    let e = crop_resize(&o.frame(), p, b, 8, 9, &n, &mut out).unwrap_err();
    assert_eq!(
        e,
        CropError::Output {
            expected: 216,
            found: 192
        }
    );
    assert_eq!(e.to_string(), "output slice has 192 floats, expected 216");
    let e = crop_resize(&o.frame(), p, b, usize::MAX, 2, &n, &mut out).unwrap_err();
    assert!(matches!(
        e,
        CropError::Output {
            expected: usize::MAX,
            ..
        }
    ));
    // A zero-sized output is valid and writes nothing.
    let r = crop_resize(&o.frame(), p, b, 0, 8, &n, &mut []).unwrap();
    assert_eq!(
        r,
        CropRect {
            x: 1.0,
            y: 1.0,
            w: 9.0,
            h: 9.0
        }
    );
}

#[test]
fn batch_slots() {
    // Crops written into consecutive slots of one batch tensor do not
    // disturb each other.
    let o = packed(PixelLayout::Bgrx, 20, 20, |x, _| {
        if x < 10 {
            [10; 3]
        } else {
            [250; 3]
        }
    });
    let len = 3 * 16 * 8;
    let mut batch = vec![f32::NAN; 2 * len];
    let (a, b) = batch.split_at_mut(len);
    let p = YuvParams::default();
    crop_resize(&o.frame(), p, [0.0, 0.0, 10.0, 20.0], 8, 16, &IDENTITY, a).unwrap();
    crop_resize(&o.frame(), p, [10.0, 0.0, 10.0, 20.0], 8, 16, &IDENTITY, b).unwrap();
    assert!(batch[..len].iter().all(|&v| v == 10.0 / 255.0));
    assert!(batch[len..].iter().all(|&v| v == 250.0 / 255.0));
}

#[test]
fn default_normalize_is_imagenet() {
    let n = Normalize::default();
    assert_eq!(n.mean, [0.485, 0.456, 0.406]);
    assert_eq!(n.std, [0.229, 0.224, 0.225]);
}
