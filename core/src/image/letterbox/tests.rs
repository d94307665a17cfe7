// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
use super::*;
use crate::image::YuvMatrix;
use crate::testutil::{positions, ref_convert, Rng};

const PAD: f32 = 114.0 / 255.0;

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

/// A packed frame of `layout` with `pad` spare bytes per row; the unused
/// byte and the row padding hold garbage.
fn packed(
    layout: PixelLayout,
    w: usize,
    h: usize,
    pad: usize,
    px: impl Fn(usize, usize) -> [u8; 3],
) -> (Vec<u8>, usize) {
    let (bpp, pos) = positions(layout);
    let stride = w * bpp + pad;
    let mut buf = vec![0xA5u8; stride * h];
    for y in 0..h {
        for x in 0..w {
            let p = px(x, y);
            for c in 0..3 {
                buf[y * stride + x * bpp + pos[c]] = p[c];
            }
        }
    }
    (buf, stride)
}

fn packed_frame(layout: PixelLayout, w: usize, h: usize, buf: &[u8], stride: usize) -> Frame<'_> {
    Frame {
        layout,
        width: w,
        height: h,
        planes: [buf, &[], &[]],
        strides: [stride, 0, 0],
    }
}

fn run_new(frame: &Frame, dst_w: u32, dst_h: u32, yuv: YuvParams) -> (Preprocessor, Vec<f32>) {
    let p = Preprocessor::new(
        frame.layout,
        frame.width as u32,
        frame.height as u32,
        dst_w,
        dst_h,
        yuv,
    )
    .unwrap();
    let mut out = vec![f32::NAN; p.tensor_len()];
    p.run(frame, &mut out).unwrap();
    (p, out)
}

fn in_content(lb: &Letterbox, x: usize, y: usize) -> bool {
    let (l, t) = (lb.left as usize, lb.top as usize);
    x >= l && x < l + lb.new_w as usize && y >= t && y < t + lb.new_h as usize
}

/// Naive sample position: indices and weight of the second one.
fn ref_tap(d: usize, src: usize, new: usize, chroma: bool) -> (usize, usize, f64) {
    let n = if chroma { src.div_ceil(2) } else { src };
    let mut s = (d as f64 + 0.5) * (src as f64 / new as f64) - 0.5;
    if chroma {
        s = (s + 0.5) / 2.0 - 0.5;
    }
    if s < 0.0 {
        s = 0.0;
    }
    let i = s.floor() as usize;
    if i >= n - 1 {
        (n - 1, n - 1, 0.0)
    } else {
        (i, i + 1, s - i as f64)
    }
}

fn ref_bilinear(
    get: impl Fn(usize, usize) -> f64,
    (x0, x1, fx): (usize, usize, f64),
    (y0, y1, fy): (usize, usize, f64),
) -> f64 {
    get(x0, y0) * (1.0 - fx) * (1.0 - fy)
        + get(x1, y0) * fx * (1.0 - fy)
        + get(x0, y1) * (1.0 - fx) * fy
        + get(x1, y1) * fx * fy
}

/// Naive letterbox: `content(dx, dy)` gives the RGB (0..1) of content
/// pixel (dx, dy); padding is 114/255.
fn ref_tensor(lb: &Letterbox, content: impl Fn(usize, usize) -> [f64; 3]) -> Vec<f64> {
    let (dw, dh) = (lb.dst_w as usize, lb.dst_h as usize);
    let mut out = vec![114.0 / 255.0; 3 * dw * dh];
    for y in 0..dh {
        for x in 0..dw {
            if in_content(lb, x, y) {
                let rgb = content(x - lb.left as usize, y - lb.top as usize);
                for c in 0..3 {
                    out[c * dw * dh + y * dw + x] = rgb[c];
                }
            }
        }
    }
    out
}

fn ref_packed(lb: &Letterbox, px: &impl Fn(usize, usize) -> [u8; 3]) -> Vec<f64> {
    let (w, h) = (lb.src_w as usize, lb.src_h as usize);
    ref_tensor(lb, |dx, dy| {
        let tx = ref_tap(dx, w, lb.new_w as usize, false);
        let ty = ref_tap(dy, h, lb.new_h as usize, false);
        let mut rgb = [0.0; 3];
        for (c, v) in rgb.iter_mut().enumerate() {
            *v = ref_bilinear(|x, y| f64::from(px(x, y)[c]), tx, ty) / 255.0;
        }
        rgb
    })
}

fn max_diff(a: &[f32], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (f64::from(x) - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn letterbox_geometry() {
    // (src, dst, scale, new, left, top)
    let cases = [
        ((1920, 1080), (640, 640), 1.0 / 3.0, (640, 360), 0, 140),
        ((480, 360), (640, 640), 4.0 / 3.0, (640, 480), 0, 80),
        ((1280, 720), (640, 384), 0.5, (640, 360), 0, 12),
        ((100, 50), (64, 64), 0.64, (64, 32), 0, 16),
        ((50, 100), (64, 64), 0.64, (32, 64), 16, 0),
        ((64, 64), (64, 64), 1.0, (64, 64), 0, 0),
        // dh = 1.5: top = round(1.4) = 1 (bottom gets 2).
        ((64, 61), (64, 64), 1.0, (64, 61), 0, 1),
    ];
    for (src, dst, scale, new, left, top) in cases {
        let lb = Letterbox::new(src.0, src.1, dst.0, dst.1);
        assert_eq!(
            lb,
            Letterbox {
                src_w: src.0,
                src_h: src.1,
                dst_w: dst.0,
                dst_h: dst.1,
                scale,
                new_w: new.0,
                new_h: new.1,
                left,
                top,
            },
            "{src:?} -> {dst:?}"
        );
    }
}

#[test]
fn letterbox_rounds_half_to_even() {
    // r = 0.5: 5 × 0.5 = 2.5 rounds to 2 (Python), not 3.
    let lb = Letterbox::new(10, 5, 5, 5);
    assert_eq!((lb.new_w, lb.new_h, lb.left, lb.top), (5, 2, 0, 1));
    // dw = 2.5 → left = round(2.4) = 2.
    let lb = Letterbox::new(5, 10, 10, 10);
    assert_eq!((lb.new_w, lb.new_h, lb.left, lb.top), (5, 10, 2, 0));
}

#[test]
fn to_frame_inverts_mapping() {
    let lb = Letterbox::new(1920, 1080, 640, 640);
    assert_eq!(lb.to_frame(320.0, 320.0), (960.0, 540.0));
    assert_eq!(lb.to_frame(0.0, 140.0), (0.0, 0.0));
    let lb = Letterbox::new(50, 100, 64, 64);
    let (fx, fy) = (12.5f64, 77.25f64);
    let mx = fx * lb.scale + f64::from(lb.left);
    let my = fy * lb.scale + f64::from(lb.top);
    let (x, y) = lb.to_frame(mx as f32, my as f32);
    assert!((f64::from(x) - fx).abs() < 1e-4 && (f64::from(y) - fy).abs() < 1e-4);
    // Not clipped: padding maps outside the frame.
    assert!(lb.to_frame(0.0, 0.0).0 < 0.0);
}

#[test]
fn packed_uniform_every_layout() {
    let (w, h) = (100, 50);
    for layout in PACKED {
        let (buf, stride) = packed(layout, w, h, 3, |_, _| [200, 100, 50]);
        let frame = packed_frame(layout, w, h, &buf, stride);
        let (p, out) = run_new(&frame, 64, 64, YuvParams::default());
        let lb = *p.letterbox();
        let expect = [200.0f32 / 255.0, 100.0 / 255.0, 50.0 / 255.0];
        for c in 0..3 {
            for y in 0..64 {
                for x in 0..64 {
                    let v = out[c * 4096 + y * 64 + x];
                    let e = if in_content(&lb, x, y) {
                        expect[c]
                    } else {
                        PAD
                    };
                    assert_eq!(v, e, "{layout:?} c{c} ({x},{y})");
                }
            }
        }
    }
}

#[test]
fn identity_is_exact() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let px: Vec<[u8; 3]> = (0..64 * 64)
        .map(|_| [rng.byte(), rng.byte(), rng.byte()])
        .collect();
    let get = |x: usize, y: usize| px[y * 64 + x];
    for layout in [PixelLayout::Rgb, PixelLayout::Bgrx] {
        let (buf, stride) = packed(layout, 64, 64, 8, get);
        let frame = packed_frame(layout, 64, 64, &buf, stride);
        let (_, out) = run_new(&frame, 64, 64, YuvParams::default());
        for c in 0..3 {
            for y in 0..64 {
                for x in 0..64 {
                    let e = f32::from(get(x, y)[c]) / 255.0;
                    assert_eq!(out[c * 4096 + y * 64 + x], e, "{layout:?} c{c} ({x},{y})");
                }
            }
        }
    }
}

fn check_packed_against_reference(layout: PixelLayout, w: usize, h: usize, dw: u32, dh: u32) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (w * 131 + h) as u64);
    let px: Vec<[u8; 3]> = (0..w * h)
        .map(|_| [rng.byte(), rng.byte(), rng.byte()])
        .collect();
    let get = |x: usize, y: usize| px[y * w + x];
    let (buf, stride) = packed(layout, w, h, 5, get);
    let frame = packed_frame(layout, w, h, &buf, stride);
    let (p, out) = run_new(&frame, dw, dh, YuvParams::default());
    let reference = ref_packed(p.letterbox(), &get);
    let d = max_diff(&out, &reference);
    assert!(d <= 1e-5, "{layout:?} {w}×{h} → {dw}×{dh}: max diff {d}");
}

#[test]
fn upscale_matches_reference() {
    check_packed_against_reference(PixelLayout::Rgb, 7, 5, 64, 64);
    check_packed_against_reference(PixelLayout::Xbgr, 7, 5, 64, 64);
    check_packed_against_reference(PixelLayout::Bgra, 480, 360, 640, 640);
}

#[test]
fn downscale_matches_reference() {
    check_packed_against_reference(PixelLayout::Bgrx, 200, 100, 64, 64);
    check_packed_against_reference(PixelLayout::Bgr, 200, 100, 64, 64);
    check_packed_against_reference(PixelLayout::Argb, 333, 517, 96, 64);
    check_packed_against_reference(PixelLayout::Rgba, 1920, 1080, 640, 640);
}

#[test]
fn tiny_frames() {
    for (w, h) in [(1, 1), (1, 9), (9, 1), (2, 2)] {
        check_packed_against_reference(PixelLayout::Rgb, w, h, 16, 16);
        check_yuv_against_reference(w, h, 16, 16, YuvParams::default());
    }
}

/// Y, U, V planes (tightly packed) of a `w × h` 4:2:0 frame.
struct Yuv {
    w: usize,
    h: usize,
    y: Vec<u8>,
    u: Vec<u8>,
    v: Vec<u8>,
}

impl Yuv {
    fn random(w: usize, h: usize, seed: u64) -> Self {
        let mut rng = Rng(seed);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let y = (0..w * h).map(|_| rng.byte()).collect();
        let u = (0..cw * ch).map(|_| rng.byte()).collect();
        let v = (0..cw * ch).map(|_| rng.byte()).collect();
        Yuv { w, h, y, u, v }
    }

    fn uniform(w: usize, h: usize, yuv: [u8; 3]) -> Self {
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        Yuv {
            w,
            h,
            y: vec![yuv[0]; w * h],
            u: vec![yuv[1]; cw * ch],
            v: vec![yuv[2]; cw * ch],
        }
    }

    /// I420 planes with `pad` spare bytes per row, and their strides.
    fn i420(&self, pad: usize) -> ([Vec<u8>; 3], [usize; 3]) {
        let cw = self.w.div_ceil(2);
        let copy = |src: &[u8], w: usize, stride: usize| {
            let mut out = vec![0x5Au8; stride * (src.len() / w)];
            for (row, s) in out.chunks_mut(stride).zip(src.chunks(w)) {
                row[..w].copy_from_slice(s);
            }
            out
        };
        let (ys, cs) = (self.w + pad, cw + pad);
        (
            [
                copy(&self.y, self.w, ys),
                copy(&self.u, cw, cs),
                copy(&self.v, cw, cs),
            ],
            [ys, cs, cs],
        )
    }

    fn nv12(&self, pad: usize) -> ([Vec<u8>; 2], [usize; 2]) {
        let (cw, ch) = (self.w.div_ceil(2), self.h.div_ceil(2));
        let ys = self.w + pad;
        let cs = 2 * cw + pad;
        let mut y = vec![0x5Au8; ys * self.h];
        for (row, s) in y.chunks_mut(ys).zip(self.y.chunks(self.w)) {
            row[..self.w].copy_from_slice(s);
        }
        let mut uv = vec![0x5Au8; cs * ch];
        for r in 0..ch {
            for c in 0..cw {
                uv[r * cs + 2 * c] = self.u[r * cw + c];
                uv[r * cs + 2 * c + 1] = self.v[r * cw + c];
            }
        }
        ([y, uv], [ys, cs])
    }

    fn run(&self, layout: PixelLayout, dw: u32, dh: u32, params: YuvParams) -> Vec<f32> {
        let (planes, strides): (Vec<Vec<u8>>, [usize; 3]) = match layout {
            PixelLayout::I420 => {
                let (p, s) = self.i420(3);
                (p.to_vec(), s)
            }
            _ => {
                let (p, s) = self.nv12(1);
                (p.to_vec(), [s[0], s[1], 0])
            }
        };
        let frame = Frame {
            layout,
            width: self.w,
            height: self.h,
            planes: [
                &planes[0],
                &planes[1],
                planes.get(2).map_or(&[][..], |p| &p[..]),
            ],
            strides,
        };
        run_new(&frame, dw, dh, params).1
    }
}

fn check_yuv_against_reference(w: usize, h: usize, dw: u32, dh: u32, params: YuvParams) {
    let img = Yuv::random(w, h, 0xdead_beef_0bad_f00d ^ (w * 977 + h) as u64);
    let lb = Letterbox::new(w as u32, h as u32, dw, dh);
    let (nw, nh) = (lb.new_w as usize, lb.new_h as usize);
    let cw = w.div_ceil(2);
    let reference = ref_tensor(&lb, |dx, dy| {
        let (tx, ty) = (ref_tap(dx, w, nw, false), ref_tap(dy, h, nh, false));
        let (cx, cy) = (ref_tap(dx, w, nw, true), ref_tap(dy, h, nh, true));
        let yy = ref_bilinear(|x, y| f64::from(img.y[y * w + x]), tx, ty);
        let uu = ref_bilinear(|x, y| f64::from(img.u[y * cw + x]), cx, cy);
        let vv = ref_bilinear(|x, y| f64::from(img.v[y * cw + x]), cx, cy);
        ref_convert(yy, uu, vv, params)
    });
    for layout in [PixelLayout::I420, PixelLayout::Nv12] {
        let out = img.run(layout, dw, dh, params);
        let d = max_diff(&out, &reference);
        assert!(d <= 1e-5, "{layout:?} {w}×{h} → {dw}×{dh} {params:?}: {d}");
    }
}

#[test]
fn yuv_matches_reference() {
    for matrix in [YuvMatrix::Bt601, YuvMatrix::Bt709, YuvMatrix::Bt2020] {
        for full_range in [false, true] {
            let params = YuvParams { matrix, full_range };
            check_yuv_against_reference(101, 51, 64, 64, params);
            check_yuv_against_reference(7, 5, 64, 48, params);
        }
    }
    check_yuv_against_reference(1920, 1080, 640, 640, YuvParams::default());
}

#[test]
fn nv12_equals_i420() {
    for (w, h, dw, dh) in [(101, 51, 64, 64), (640, 480, 320, 320), (33, 65, 64, 64)] {
        let img = Yuv::random(w, h, 42 + w as u64);
        let params = YuvParams {
            matrix: YuvMatrix::Bt709,
            full_range: false,
        };
        let a = img.run(PixelLayout::I420, dw, dh, params);
        let b = img.run(PixelLayout::Nv12, dw, dh, params);
        assert_eq!(a, b, "{w}×{h}");
        assert!(a.iter().all(|v| (0.0..=1.0).contains(v)));
    }
}

/// Runs a uniform 101×51 YUV frame (odd size) in both layouts and checks
/// every content value against `rgb` within `tol`.
fn check_uniform_yuv(yuv: [u8; 3], params: YuvParams, rgb: [f32; 3], tol: f32) {
    let img = Yuv::uniform(101, 51, yuv);
    let lb = Letterbox::new(101, 51, 64, 64);
    for layout in [PixelLayout::I420, PixelLayout::Nv12] {
        let out = img.run(layout, 64, 64, params);
        for c in 0..3 {
            for y in 0..64 {
                for x in 0..64 {
                    let v = out[c * 4096 + y * 64 + x];
                    if in_content(&lb, x, y) {
                        assert!(
                            (v - rgb[c]).abs() <= tol,
                            "{layout:?} {yuv:?} {params:?} c{c}: {v} vs {}",
                            rgb[c]
                        );
                    } else {
                        assert_eq!(v, PAD);
                    }
                }
            }
        }
    }
}

#[test]
fn yuv_uniform_bt601_limited() {
    let p = YuvParams::default();
    assert_eq!(
        p,
        YuvParams {
            matrix: YuvMatrix::Bt601,
            full_range: false
        }
    );
    // Studio-swing red and green.
    check_uniform_yuv([81, 90, 240], p, [1.0, 0.0, 0.0], 1.0 / 255.0);
    check_uniform_yuv([145, 54, 34], p, [0.0, 1.0, 0.0], 1.0 / 255.0);
    // R = 65·255/219 + 1.402·112·255/224 = 254.440 → 0.997804.
    check_uniform_yuv([81, 90, 240], p, [0.997_803_7, 0.0, 0.0], 1e-5);
    // Black, white and mid grey.
    check_uniform_yuv([16, 128, 128], p, [0.0; 3], 1e-6);
    check_uniform_yuv([235, 128, 128], p, [1.0; 3], 1e-6);
    check_uniform_yuv([126, 128, 128], p, [110.0 / 219.0; 3], 1e-6);
}

#[test]
fn yuv_uniform_full_range() {
    let p = YuvParams {
        matrix: YuvMatrix::Bt601,
        full_range: true,
    };
    check_uniform_yuv([128, 128, 128], p, [128.0 / 255.0; 3], 1e-6);
    // R = 76 + 1.402·127 = 254.054, G = 0.10255, B < 0.
    check_uniform_yuv([76, 85, 255], p, [0.996_290_2, 0.000_402_2, 0.0], 1e-5);
    check_uniform_yuv([76, 85, 255], p, [1.0, 0.0, 0.0], 1.0 / 255.0);
    let p = YuvParams {
        matrix: YuvMatrix::Bt2020,
        full_range: true,
    };
    // R = 167.1872, G = 106.32419, B = 67.3208.
    check_uniform_yuv(
        [120, 100, 160],
        p,
        [0.655_636_1, 0.416_957_6, 0.264_003_1],
        1e-5,
    );
}

#[test]
fn yuv_uniform_bt709() {
    let p = YuvParams {
        matrix: YuvMatrix::Bt709,
        full_range: false,
    };
    check_uniform_yuv([63, 102, 240], p, [1.0, 0.0, 0.0], 1.0 / 255.0);
    // R = 178.46360, G = 110.01375, B = 61.94864.
    check_uniform_yuv(
        [120, 100, 160],
        p,
        [0.699_857_3, 0.431_426_5, 0.242_935_8],
        1e-5,
    );
}

#[test]
fn yuv_odd_sizes() {
    for (w, h) in [(101, 51), (1, 1), (3, 1), (1, 3), (5, 7)] {
        check_yuv_against_reference(w, h, 64, 64, YuvParams::default());
        let img = Yuv::random(w, h, 7);
        let a = img.run(PixelLayout::I420, 32, 48, YuvParams::default());
        let b = img.run(PixelLayout::Nv12, 32, 48, YuvParams::default());
        assert_eq!(a, b);
    }
}

#[test]
fn run_content_after_fill_padding_equals_run() {
    let img = Yuv::random(101, 51, 99);
    let (planes, strides) = img.nv12(0);
    let frame = Frame {
        layout: PixelLayout::Nv12,
        width: 101,
        height: 51,
        planes: [&planes[0], &planes[1], &[]],
        strides: [strides[0], strides[1], 0],
    };
    let p = Preprocessor::new(PixelLayout::Nv12, 101, 51, 64, 64, YuvParams::default()).unwrap();
    let mut a = vec![f32::NAN; p.tensor_len()];
    p.run(&frame, &mut a).unwrap();
    let mut b = vec![f32::NAN; p.tensor_len()];
    p.fill_padding(&mut b);
    assert_eq!(b.iter().filter(|v| v.is_nan()).count(), 3 * 64 * 32);
    p.run_content(&frame, &mut b).unwrap();
    assert_eq!(a, b);
    // Again on the same buffer, with another frame of the same size.
    let (buf, stride) = packed(PixelLayout::Bgrx, 50, 100, 0, |x, y| [x as u8, y as u8, 7]);
    let frame = packed_frame(PixelLayout::Bgrx, 50, 100, &buf, stride);
    let p = Preprocessor::new(PixelLayout::Bgrx, 50, 100, 64, 64, YuvParams::default()).unwrap();
    p.fill_padding(&mut b);
    p.run_content(&frame, &mut b).unwrap();
    p.run(&frame, &mut a).unwrap();
    assert_eq!(a, b);
    p.run_content(&frame, &mut b).unwrap();
    assert_eq!(a, b);
}

fn err_of(p: &Preprocessor, frame: &Frame, len: usize) -> String {
    let mut out = vec![0.0; len];
    let e = p.run(frame, &mut out).unwrap_err();
    assert_eq!(p.run_content(frame, &mut out).unwrap_err(), e);
    e.to_string()
}

#[test]
fn error_plane_too_short() {
    let img = Yuv::random(64, 64, 1);
    let (planes, strides) = img.nv12(0);
    let p = Preprocessor::new(PixelLayout::Nv12, 64, 64, 64, 64, YuvParams::default()).unwrap();
    let short = &planes[1][..1000];
    let frame = Frame {
        layout: PixelLayout::Nv12,
        width: 64,
        height: 64,
        planes: [&planes[0], short, &[]],
        strides: [strides[0], strides[1], 0],
    };
    let msg = err_of(&p, &frame, p.tensor_len());
    assert_eq!(
        msg,
        "plane 1 (UV) has 1000 bytes, needs at least 2048 (stride 64, 32 rows)"
    );
    let (buf, stride) = packed(PixelLayout::Rgb, 10, 10, 2, |_, _| [0; 3]);
    let p = Preprocessor::new(PixelLayout::Rgb, 10, 10, 8, 8, YuvParams::default()).unwrap();
    let frame = packed_frame(PixelLayout::Rgb, 10, 10, &buf[..buf.len() - 1], stride);
    let msg = err_of(&p, &frame, p.tensor_len());
    assert!(msg.contains("319 bytes") && msg.contains("320"), "{msg}");
    // I420 with an empty V plane.
    let (planes, strides) = img.i420(0);
    let p = Preprocessor::new(PixelLayout::I420, 64, 64, 64, 64, YuvParams::default()).unwrap();
    let frame = Frame {
        layout: PixelLayout::I420,
        width: 64,
        height: 64,
        planes: [&planes[0], &planes[1], &[]],
        strides,
    };
    let msg = err_of(&p, &frame, p.tensor_len());
    assert!(
        msg.starts_with("plane 2 (V) has 0 bytes, needs at least 1024"),
        "{msg}"
    );
}

#[test]
fn error_stride_too_small() {
    let (buf, _) = packed(PixelLayout::Bgrx, 10, 10, 0, |_, _| [0; 3]);
    let p = Preprocessor::new(PixelLayout::Bgrx, 10, 10, 8, 8, YuvParams::default()).unwrap();
    let frame = packed_frame(PixelLayout::Bgrx, 10, 10, &buf, 39);
    let msg = err_of(&p, &frame, p.tensor_len());
    assert!(
        msg.contains("stride 39") && msg.contains("40 bytes"),
        "{msg}"
    );
}

#[test]
fn error_wrong_layout() {
    let img = Yuv::random(64, 64, 1);
    let (planes, strides) = img.nv12(0);
    let p = Preprocessor::new(PixelLayout::I420, 64, 64, 64, 64, YuvParams::default()).unwrap();
    let frame = Frame {
        layout: PixelLayout::Nv12,
        width: 64,
        height: 64,
        planes: [&planes[0], &planes[1], &[]],
        strides: [strides[0], strides[1], 0],
    };
    assert_eq!(
        err_of(&p, &frame, p.tensor_len()),
        "frame layout Nv12 does not match the preprocessor's I420"
    );
}

#[test]
fn error_wrong_size() {
    let (buf, stride) = packed(PixelLayout::Rgb, 10, 12, 0, |_, _| [0; 3]);
    let p = Preprocessor::new(PixelLayout::Rgb, 12, 10, 8, 8, YuvParams::default()).unwrap();
    let frame = packed_frame(PixelLayout::Rgb, 10, 12, &buf, stride);
    let msg = err_of(&p, &frame, p.tensor_len());
    assert!(msg.contains("10×12") && msg.contains("12×10"), "{msg}");
    let frame = packed_frame(PixelLayout::Rgb, 0, 0, &[], 0);
    assert_eq!(err_of(&p, &frame, p.tensor_len()), "frame is 0×0");
}

#[test]
fn error_output_length() {
    let (buf, stride) = packed(PixelLayout::Rgb, 10, 10, 0, |_, _| [0; 3]);
    let p = Preprocessor::new(PixelLayout::Rgb, 10, 10, 64, 64, YuvParams::default()).unwrap();
    assert_eq!(p.tensor_len(), 12288);
    let frame = packed_frame(PixelLayout::Rgb, 10, 10, &buf, stride);
    assert_eq!(
        err_of(&p, &frame, 100),
        "output slice has 100 floats, expected 12288 (3×64×64)"
    );
    // fill_padding on a short slice neither panics nor writes past it.
    let mut short = vec![0.0f32; 100];
    p.fill_padding(&mut short);
}

#[test]
fn error_zero_size() {
    for (sw, sh, dw, dh) in [
        (0, 10, 64, 64),
        (10, 0, 64, 64),
        (10, 10, 0, 64),
        (10, 10, 64, 0),
    ] {
        let e =
            Preprocessor::new(PixelLayout::Rgb, sw, sh, dw, dh, YuvParams::default()).unwrap_err();
        assert!(matches!(e, PreprocessError::ZeroSize { .. }));
        assert!(e.to_string().contains(&format!("{sw}×{sh}")), "{e}");
    }
}

#[test]
fn accessors() {
    let p = Preprocessor::new(
        PixelLayout::Nv12,
        1920,
        1080,
        640,
        384,
        YuvParams::default(),
    )
    .unwrap();
    assert_eq!(p.layout(), PixelLayout::Nv12);
    assert_eq!(p.tensor_len(), 3 * 640 * 384);
    assert_eq!(*p.letterbox(), Letterbox::new(1920, 1080, 640, 384));
    assert_eq!(p.letterbox().top, 12);
}
