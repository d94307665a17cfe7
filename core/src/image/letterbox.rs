// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Pre-processing for YOLO ONNX models: letterbox a video frame into a
//! `float32` NCHW RGB tensor with values in `0..=1`.
//!
//! The geometry is that of Ultralytics' `LetterBox` (`auto=False`,
//! `scaleup=True`, `center=True`): the frame is scaled by
//! `r = min(dst_h / src_h, dst_w / src_w)`, the scaled size is rounded with
//! Python's `round` (half to even), and the image is centred with the padding
//! split as `round(d - 0.1)` before / `round(d + 0.1)` after. The padding value
//! is [`PAD_VALUE`] (114) on every channel.
//!
//! The resize is bilinear with half-pixel centres, like OpenCV's
//! `INTER_LINEAR`: output column `dx` samples source column
//! `sx = (dx + 0.5) · src_w / new_w − 0.5`, clamped to the image. The
//! per-column and per-row sample positions and weights are computed once in
//! [`Preprocessor::new`]; [`Preprocessor::run`] then makes one pass over the
//! output, reading the frame directly (no intermediate RGB image, no
//! allocation).
//!
//! For YUV frames (I420, NV12) Y is interpolated on the luma plane and U, V on
//! the chroma plane (at `c = (s + 0.5) / 2 − 0.5`), and only the output pixels
//! are converted to RGB, with the matrix and range of [`YuvParams`].
//!
//! The arithmetic is `f32`. For packed RGB layouts the bytes are first mapped
//! to `byte / 255` through a table, so that an unscaled frame (or a uniform
//! one) gives exactly `byte / 255`.

use std::fmt;

use super::{
    check_planes, clamp01, lerp, tap, Frame, PixelLayout, PlaneError, PlaneSpec, Tap, YuvCoefs,
    YuvParams, UNIT,
};

/// Value of the letterbox padding on every channel (before the `/ 255`).
pub const PAD_VALUE: u8 = 114;

/// Ultralytics letterbox geometry: the frame (`src_w × src_h`) is scaled by
/// `scale` to `new_w × new_h` and placed at (`left`, `top`) in the
/// `dst_w × dst_h` model input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Letterbox {
    pub src_w: u32,
    pub src_h: u32,
    pub dst_w: u32,
    pub dst_h: u32,
    pub scale: f64,
    pub new_w: u32,
    pub new_h: u32,
    pub left: u32,
    pub top: u32,
}

/// Python's `round` (half to even) of a non-negative size, kept in
/// `min(1, max)..=max` so that a degenerate aspect ratio still leaves one row
/// or column of content.
fn round_size(v: f64, max: u32) -> u32 {
    let v = v.round_ties_even();
    if !(v >= 1.0) {
        1.min(max)
    } else if v >= f64::from(max) {
        max
    } else {
        v as u32
    }
}

impl Letterbox {
    /// Computes the geometry. Sizes should be non-zero (see
    /// [`Preprocessor::new`]); zero sizes give a meaningless but finite
    /// result.
    pub fn new(src_w: u32, src_h: u32, dst_w: u32, dst_h: u32) -> Letterbox {
        let r = (f64::from(dst_h) / f64::from(src_h)).min(f64::from(dst_w) / f64::from(src_w));
        let new_w = round_size(f64::from(src_w) * r, dst_w);
        let new_h = round_size(f64::from(src_h) * r, dst_h);
        let dw = f64::from(dst_w - new_w) / 2.0;
        let dh = f64::from(dst_h - new_h) / 2.0;
        // `as` saturates: round(-0.1) = -0 gives 0.
        let left = (dw - 0.1).round_ties_even() as u32;
        let top = (dh - 0.1).round_ties_even() as u32;
        Letterbox {
            src_w,
            src_h,
            dst_w,
            dst_h,
            scale: r,
            new_w,
            new_h,
            left,
            top,
        }
    }

    /// Model-input pixel → frame pixel: `((x − left) / scale, (y − top) / scale)`.
    /// Not clipped to the frame.
    pub fn to_frame(&self, x: f32, y: f32) -> (f32, f32) {
        (
            ((f64::from(x) - f64::from(self.left)) / self.scale) as f32,
            ((f64::from(y) - f64::from(self.top)) / self.scale) as f32,
        )
    }
}

/// Why a preprocessor could not be built or a frame could not be processed.
#[derive(Debug, Clone, PartialEq)]
pub enum PreprocessError {
    /// A source or model-input dimension is zero.
    ZeroSize {
        src_w: u32,
        src_h: u32,
        dst_w: u32,
        dst_h: u32,
    },
    /// The sizes overflow the tensor length or the byte offsets.
    TooLarge {
        src_w: u32,
        src_h: u32,
        dst_w: u32,
        dst_h: u32,
    },
    /// The frame has no pixels.
    EmptyFrame { width: usize, height: usize },
    /// The frame layout is not the one the preprocessor was built for.
    LayoutMismatch {
        frame: PixelLayout,
        expected: PixelLayout,
    },
    /// The frame size is not the one the preprocessor was built for.
    SizeMismatch {
        width: usize,
        height: usize,
        expected_width: u32,
        expected_height: u32,
    },
    /// The output slice is not `3 × dst_w × dst_h` floats long.
    OutputLength {
        len: usize,
        expected: usize,
        dst_w: u32,
        dst_h: u32,
    },
    /// A plane's stride or length does not fit the frame size (a plane
    /// needs `stride × rows` bytes).
    Plane(PlaneError),
}

impl fmt::Display for PreprocessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PreprocessError::ZeroSize {
                src_w,
                src_h,
                dst_w,
                dst_h,
            } => write!(
                f,
                "frame size {src_w}×{src_h} and model input size {dst_w}×{dst_h} must both be non-zero"
            ),
            PreprocessError::TooLarge {
                src_w,
                src_h,
                dst_w,
                dst_h,
            } => write!(
                f,
                "frame size {src_w}×{src_h} or model input size {dst_w}×{dst_h} is too large"
            ),
            PreprocessError::EmptyFrame { width, height } => {
                write!(f, "frame is {width}×{height}")
            }
            PreprocessError::LayoutMismatch { frame, expected } => write!(
                f,
                "frame layout {frame:?} does not match the preprocessor's {expected:?}"
            ),
            PreprocessError::SizeMismatch {
                width,
                height,
                expected_width,
                expected_height,
            } => write!(
                f,
                "frame is {width}×{height}, the preprocessor was built for {expected_width}×{expected_height}"
            ),
            PreprocessError::OutputLength {
                len,
                expected,
                dst_w,
                dst_h,
            } => write!(
                f,
                "output slice has {len} floats, expected {expected} (3×{dst_w}×{dst_h})"
            ),
            PreprocessError::Plane(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PreprocessError {}

/// A [`Tap`] with `u32` positions: the per-column and per-row tables are
/// half the size, which makes the packed layouts about 12 % faster.
/// Positions fit: [`Preprocessor::new`] rejects rows of more than
/// `u32::MAX` bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Tap32 {
    i0: u32,
    i1: u32,
    f: f32,
}

/// Taps of an axis scaled from `src` to `new` samples (`INTER_LINEAR`,
/// half-pixel centres). With `chroma`, positions are mapped onto a plane of
/// `⌈src/2⌉` samples. Positions are multiplied by `mul` (bytes per sample).
fn axis_taps(src: u32, new: u32, chroma: bool, mul: u32) -> Vec<Tap32> {
    let n = if chroma { src.div_ceil(2) } else { src };
    let last = (n - 1) as usize;
    let ratio = f64::from(src) / f64::from(new);
    (0..new)
        .map(|d| {
            let mut s = (f64::from(d) + 0.5) * ratio - 0.5;
            if chroma {
                s = (s + 0.5) / 2.0 - 0.5;
            }
            let Tap { i0, i1, f } = tap(s.max(0.0), last, mul as usize);
            Tap32 {
                i0: i0 as u32,
                i1: i1 as u32,
                f,
            }
        })
        .collect()
}

/// Letterboxes frames of one layout and size into a model input tensor.
///
/// All sample positions are computed in [`Preprocessor::new`]; running on a
/// frame allocates nothing.
#[derive(Clone, Debug)]
pub struct Preprocessor {
    lb: Letterbox,
    layout: PixelLayout,
    coefs: YuvCoefs,
    /// Column taps: byte offsets in a packed row, or luma column indices.
    cols: Vec<Tap32>,
    /// Row taps (luma rows for YUV).
    rows: Vec<Tap32>,
    /// Chroma column taps (byte offsets in a U, V or UV row); YUV only.
    ccols: Vec<Tap32>,
    /// Chroma row taps; YUV only.
    crows: Vec<Tap32>,
    planes: [PlaneSpec; 3],
    n_planes: usize,
    /// `byte as f32` (a load is cheaper than a conversion in the YUV loop).
    raw: [f32; 256],
}

impl Preprocessor {
    /// Builds a preprocessor for `src_w × src_h` frames of `layout` and a
    /// `dst_w × dst_h` model input. `yuv` is used for I420/NV12 only.
    pub fn new(
        layout: PixelLayout,
        src_w: u32,
        src_h: u32,
        dst_w: u32,
        dst_h: u32,
        yuv: YuvParams,
    ) -> Result<Preprocessor, PreprocessError> {
        if src_w == 0 || src_h == 0 || dst_w == 0 || dst_h == 0 {
            return Err(PreprocessError::ZeroSize {
                src_w,
                src_h,
                dst_w,
                dst_h,
            });
        }
        let too_large = PreprocessError::TooLarge {
            src_w,
            src_h,
            dst_w,
            dst_h,
        };
        // Byte offsets are u32, the tensor length a usize.
        let bpp = layout.packed_bytes().unwrap_or(2);
        if src_w.checked_mul(bpp).is_none()
            || (dst_w as usize)
                .checked_mul(dst_h as usize)
                .and_then(|n| n.checked_mul(3))
                .is_none()
        {
            return Err(too_large);
        }

        let lb = Letterbox::new(src_w, src_h, dst_w, dst_h);
        let w = src_w as usize;
        let h = src_h as usize;
        let (planes, n_planes) = layout.planes(w, h);
        let (cols, ccols, crows) = match layout {
            PixelLayout::I420 | PixelLayout::Nv12 => {
                let nv12 = layout == PixelLayout::Nv12;
                (
                    axis_taps(src_w, lb.new_w, false, 1),
                    axis_taps(src_w, lb.new_w, true, if nv12 { 2 } else { 1 }),
                    axis_taps(src_h, lb.new_h, true, 1),
                )
            }
            _ => (
                axis_taps(src_w, lb.new_w, false, bpp),
                Vec::new(),
                Vec::new(),
            ),
        };
        Ok(Preprocessor {
            lb,
            layout,
            coefs: YuvCoefs::new(yuv),
            cols,
            rows: axis_taps(src_h, lb.new_h, false, 1),
            ccols,
            crows,
            planes,
            n_planes,
            raw: std::array::from_fn(|i| i as f32),
        })
    }

    /// The letterbox geometry.
    pub fn letterbox(&self) -> &Letterbox {
        &self.lb
    }

    /// The frame layout this preprocessor reads.
    pub fn layout(&self) -> PixelLayout {
        self.layout
    }

    /// Number of floats of the output tensor: `3 × dst_w × dst_h`.
    pub fn tensor_len(&self) -> usize {
        3 * self.lb.dst_w as usize * self.lb.dst_h as usize
    }

    /// Writes the whole tensor (content and padding): NCHW, channel 0 = R,
    /// 1 = G, 2 = B, value = pixel / 255, padding = 114 / 255.
    pub fn run(&self, frame: &Frame, out: &mut [f32]) -> Result<(), PreprocessError> {
        self.check(frame, out)?;
        self.fill_padding(out);
        self.content(frame, out);
        Ok(())
    }

    /// Like [`run`](Self::run), but writes only the content rectangle. The
    /// padding must already be in `out` (from [`fill_padding`](Self::fill_padding)
    /// or an earlier `run` on the same buffer).
    pub fn run_content(&self, frame: &Frame, out: &mut [f32]) -> Result<(), PreprocessError> {
        self.check(frame, out)?;
        self.content(frame, out);
        Ok(())
    }

    /// Writes 114 / 255 on the padding of all three channels, leaving the
    /// content rectangle as it is. `out` should be [`tensor_len`](Self::tensor_len)
    /// long; of a shorter slice only the part present is written.
    pub fn fill_padding(&self, out: &mut [f32]) {
        let pad = f32::from(PAD_VALUE) / 255.0;
        let dw = self.lb.dst_w as usize;
        let dh = self.lb.dst_h as usize;
        let left = self.lb.left as usize;
        let right = left + self.lb.new_w as usize;
        let top = self.lb.top as usize;
        let bottom = top + self.lb.new_h as usize;
        for plane in out.chunks_mut(dw * dh).take(3) {
            for (y, row) in plane.chunks_mut(dw).enumerate() {
                if y < top || y >= bottom {
                    row.fill(pad);
                } else {
                    row.iter_mut().take(left).for_each(|v| *v = pad);
                    row.iter_mut().skip(right).for_each(|v| *v = pad);
                }
            }
        }
    }

    fn check(&self, frame: &Frame, out: &[f32]) -> Result<(), PreprocessError> {
        if frame.layout != self.layout {
            return Err(PreprocessError::LayoutMismatch {
                frame: frame.layout,
                expected: self.layout,
            });
        }
        if frame.width == 0 || frame.height == 0 {
            return Err(PreprocessError::EmptyFrame {
                width: frame.width,
                height: frame.height,
            });
        }
        if frame.width != self.lb.src_w as usize || frame.height != self.lb.src_h as usize {
            return Err(PreprocessError::SizeMismatch {
                width: frame.width,
                height: frame.height,
                expected_width: self.lb.src_w,
                expected_height: self.lb.src_h,
            });
        }
        if out.len() != self.tensor_len() {
            return Err(PreprocessError::OutputLength {
                len: out.len(),
                expected: self.tensor_len(),
                dst_w: self.lb.dst_w,
                dst_h: self.lb.dst_h,
            });
        }
        let lens = frame.planes.map(<[u8]>::len);
        check_planes(lens, frame.strides, &self.planes[..self.n_planes], true)
            .map_err(PreprocessError::Plane)?;
        Ok(())
    }

    /// Writes the content rectangle of a validated frame.
    fn content(&self, frame: &Frame, out: &mut [f32]) {
        let plane = self.lb.dst_w as usize * self.lb.dst_h as usize;
        let (r, rest) = out.split_at_mut(plane);
        let (g, b) = rest.split_at_mut(plane);
        let o = Out { r, g, b };
        let p = &frame.planes;
        let s = &frame.strides;
        match self.layout {
            PixelLayout::Rgb => self.packed::<3, 0, 1, 2>(p[0], s[0], o),
            PixelLayout::Bgr => self.packed::<3, 2, 1, 0>(p[0], s[0], o),
            PixelLayout::Rgbx | PixelLayout::Rgba => self.packed::<4, 0, 1, 2>(p[0], s[0], o),
            PixelLayout::Bgrx | PixelLayout::Bgra => self.packed::<4, 2, 1, 0>(p[0], s[0], o),
            PixelLayout::Xrgb | PixelLayout::Argb => self.packed::<4, 1, 2, 3>(p[0], s[0], o),
            PixelLayout::Xbgr | PixelLayout::Abgr => self.packed::<4, 3, 2, 1>(p[0], s[0], o),
            PixelLayout::I420 => self.yuv::<0>([p[0], p[1], p[2]], [s[0], s[1], s[2]], o),
            PixelLayout::Nv12 => self.yuv::<1>([p[0], p[1], p[1]], [s[0], s[1], s[1]], o),
        }
    }

    /// Start of content row `dy` in a channel plane.
    #[inline(always)]
    fn out_row(&self, dy: usize) -> usize {
        (self.lb.top as usize + dy) * self.lb.dst_w as usize + self.lb.left as usize
    }

    /// Packed RGB: `BPP` bytes per pixel, colour bytes at `R`, `G`, `B`.
    fn packed<const BPP: usize, const R: usize, const G: usize, const B: usize>(
        &self,
        data: &[u8],
        stride: usize,
        out: Out,
    ) {
        let nw = self.lb.new_w as usize;
        let row_bytes = self.lb.src_w as usize * BPP;
        let n = &UNIT;
        for (dy, t) in self.rows.iter().enumerate() {
            let o = self.out_row(dy);
            let ro = &mut out.r[o..o + nw];
            let go = &mut out.g[o..o + nw];
            let bo = &mut out.b[o..o + nw];
            let a = &data[t.i0 as usize * stride..][..row_bytes];
            let dsts = ro.iter_mut().zip(go.iter_mut()).zip(bo.iter_mut());
            if t.f == 0.0 {
                // Exactly on a source row: horizontal interpolation only.
                for (c, ((r, g), b)) in self.cols.iter().zip(dsts) {
                    let p = &a[c.i0 as usize..c.i0 as usize + BPP];
                    let q = &a[c.i1 as usize..c.i1 as usize + BPP];
                    *r = lerp(n[p[R] as usize], n[q[R] as usize], c.f);
                    *g = lerp(n[p[G] as usize], n[q[G] as usize], c.f);
                    *b = lerp(n[p[B] as usize], n[q[B] as usize], c.f);
                }
            } else {
                let bl = &data[t.i1 as usize * stride..][..row_bytes];
                let fy = t.f;
                for (c, ((r, g), b)) in self.cols.iter().zip(dsts) {
                    let p = &a[c.i0 as usize..c.i0 as usize + BPP];
                    let q = &a[c.i1 as usize..c.i1 as usize + BPP];
                    let u = &bl[c.i0 as usize..c.i0 as usize + BPP];
                    let v = &bl[c.i1 as usize..c.i1 as usize + BPP];
                    let fx = c.f;
                    let bil = |k: usize| {
                        let top = lerp(n[p[k] as usize], n[q[k] as usize], fx);
                        let bot = lerp(n[u[k] as usize], n[v[k] as usize], fx);
                        lerp(top, bot, fy)
                    };
                    *r = bil(R);
                    *g = bil(G);
                    *b = bil(B);
                }
            }
        }
    }

    /// Planar YUV 4:2:0. `planes`/`strides` are Y, U, V; for NV12 U and V are
    /// both the UV plane and `VOFF` = 1 (V follows U), for I420 `VOFF` = 0.
    fn yuv<const VOFF: usize>(&self, planes: [&[u8]; 3], strides: [usize; 3], out: Out) {
        let nw = self.lb.new_w as usize;
        let yb = self.planes[0].row_bytes;
        let cb = self.planes[1].row_bytes;
        let k = self.coefs;
        let [yp, up, vp] = planes;
        let raw = &self.raw;
        let [ys, us, vs] = strides;
        for (dy, (t, ct)) in self.rows.iter().zip(&self.crows).enumerate() {
            let o = self.out_row(dy);
            let ro = &mut out.r[o..o + nw];
            let go = &mut out.g[o..o + nw];
            let bo = &mut out.b[o..o + nw];
            let y0 = &yp[t.i0 as usize * ys..][..yb];
            let y1 = &yp[t.i1 as usize * ys..][..yb];
            let u0 = &up[ct.i0 as usize * us..][..cb];
            let u1 = &up[ct.i1 as usize * us..][..cb];
            let v0 = &vp[ct.i0 as usize * vs..][..cb];
            let v1 = &vp[ct.i1 as usize * vs..][..cb];
            let (fy, fcy) = (t.f, ct.f);
            let dsts = ro.iter_mut().zip(go.iter_mut()).zip(bo.iter_mut());
            for ((c, cc), ((r, g), b)) in self.cols.iter().zip(&self.ccols).zip(dsts) {
                let (x0, x1) = (c.i0 as usize, c.i1 as usize);
                let (c0, c1) = (cc.i0 as usize, cc.i1 as usize);
                let f = |v: u8| raw[v as usize];
                let yy = lerp(
                    lerp(f(y0[x0]), f(y0[x1]), c.f),
                    lerp(f(y1[x0]), f(y1[x1]), c.f),
                    fy,
                );
                let uu = lerp(
                    lerp(f(u0[c0]), f(u0[c1]), cc.f),
                    lerp(f(u1[c0]), f(u1[c1]), cc.f),
                    fcy,
                );
                let vv = lerp(
                    lerp(f(v0[c0 + VOFF]), f(v0[c1 + VOFF]), cc.f),
                    lerp(f(v1[c0 + VOFF]), f(v1[c1 + VOFF]), cc.f),
                    fcy,
                );
                let yv = yy * k.y;
                *r = clamp01(yv + vv * k.rv + k.r0);
                *g = clamp01(yv + uu * k.gu + vv * k.gv + k.g0);
                *b = clamp01(yv + uu * k.bu + k.b0);
            }
        }
    }
}

/// The three channel planes of the output tensor.
struct Out<'a> {
    r: &'a mut [f32],
    g: &'a mut [f32],
    b: &'a mut [f32],
}

#[cfg(test)]
mod tests {
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

    fn packed_frame(
        layout: PixelLayout,
        w: usize,
        h: usize,
        buf: &[u8],
        stride: usize,
    ) -> Frame<'_> {
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
        let p =
            Preprocessor::new(PixelLayout::Nv12, 101, 51, 64, 64, YuvParams::default()).unwrap();
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
        let p =
            Preprocessor::new(PixelLayout::Bgrx, 50, 100, 64, 64, YuvParams::default()).unwrap();
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
            let e = Preprocessor::new(PixelLayout::Rgb, sw, sh, dw, dh, YuvParams::default())
                .unwrap_err();
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
}
