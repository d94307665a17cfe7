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
mod tests;
