// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Pre-processing for re-identification (ReID) models: crop each object box
//! out of a video frame and stretch it to the model input. The embeddings
//! the model returns are normalised with [`crate::embedding::l2_normalize`].
//!
//! [`crop_resize`] clips a box (`x, y, w, h` in frame pixels) to the frame and
//! resizes the clipped region to `out_w × out_h` (a stretch: no letterbox, the
//! aspect ratio is not kept). Each output value is
//! `(pixel / 255 − mean[c]) / std[c]` ([`Normalize`], ImageNet by default),
//! channel 0 = R, 1 = G, 2 = B, written in NCHW order into one slot of a batch
//! tensor. The usual ReID input is [`REID_INPUT_HEIGHT`] ×
//! [`REID_INPUT_WIDTH`] (256 × 128).
//!
//! The resize is bilinear with half-pixel centres. With `(x0, cw)` the clipped
//! box along x, output column `dx` samples source column
//! `sx = x0 + (dx + 0.5) · cw / out_w − 0.5`, clamped to the pixels the clipped
//! box touches, `floor(x0) ..= ceil(x0 + cw) − 1`; rows likewise. Pixels
//! outside the box never bleed in (except for YUV chroma, see below).
//!
//! Frames are [`Frame`]s in any [`PixelLayout`], and the colour handling is
//! that of the letterbox ([`super::letterbox`]): packed bytes are mapped to
//! `byte / 255` (so a uniform frame gives exactly `byte / 255`); for I420 and
//! NV12, Y is interpolated on the luma plane and U, V on the chroma plane at
//! `c = (s + 0.5) / 2 − 0.5` (`s` the clamped luma position, `c` clamped to
//! the chroma samples covering the box's pixels,
//! `floor(floor(x0) / 2) ..= floor((ceil(x0 + cw) − 1) / 2)`), then converted
//! to RGB with the matrix and range of [`YuvParams`] and clamped to `0..=1`.
//! A chroma sample covers two luma pixels, so at a box edge on an odd column
//! (or row) the colour of the pixel just outside can contribute, as it does
//! in the frame itself.
//!
//! The arithmetic is `f32` (sample positions `f64`). Nothing is allocated on
//! success: the column positions are computed into a fixed-size array on the
//! stack, in chunks for wide outputs.

use std::fmt;

use super::{
    check_planes, clamp01, lerp, tap, Frame, PixelLayout, PlaneError, Tap, YuvCoefs, YuvParams,
    UNIT,
};

/// Usual ReID model input width.
pub const REID_INPUT_WIDTH: usize = 128;
/// Usual ReID model input height.
pub const REID_INPUT_HEIGHT: usize = 256;

/// Per-channel normalisation: `value = (pixel / 255 − mean[c]) / std[c]`,
/// channels in R, G, B order. The default is ImageNet's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Normalize {
    pub mean: [f32; 3],
    pub std: [f32; 3],
}

impl Default for Normalize {
    fn default() -> Self {
        Normalize {
            mean: [0.485, 0.456, 0.406],
            std: [0.229, 0.224, 0.225],
        }
    }
}

/// Why a box could not be cropped.
#[derive(Clone, Debug, PartialEq)]
pub enum CropError {
    /// The box (as given) has no pixels inside the frame after clipping: it
    /// lies fully outside, its width or height is zero or negative, or a
    /// coordinate is NaN or infinite.
    Empty { x: f32, y: f32, w: f32, h: f32 },
    /// The frame is unusable (no pixels, or too wide for the YUV scratch
    /// rows); the message has the numbers.
    Frame(String),
    /// A plane's stride is smaller than a row, or the plane is shorter than
    /// `stride × rows`.
    Plane(PlaneError),
    /// The output slice is not `3 × out_h × out_w` floats long (`expected` is
    /// `usize::MAX` when that product overflows).
    Output { expected: usize, found: usize },
}

impl fmt::Display for CropError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CropError::Empty { x, y, w, h } => write!(
                f,
                "box (x {x}, y {y}, w {w}, h {h}) has no pixels inside the frame"
            ),
            CropError::Frame(msg) => f.write_str(msg),
            CropError::Plane(e) => e.fmt(f),
            CropError::Output { expected, found } => {
                write!(f, "output slice has {found} floats, expected {expected}")
            }
        }
    }
}

impl std::error::Error for CropError {}

/// The box actually sampled (clipped to the frame, in pixels).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CropRect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// Output columns whose sample positions are computed at once.
const CHUNK: usize = 256;

/// Length of the stack rows of the YUV vertical pass: the widest frame
/// (luma pixels, or bytes of an NV12 chroma row) the YUV path handles.
const SCRATCH: usize = 8192;

/// Sample positions along one axis of the clipped box.
#[derive(Clone, Copy, Debug)]
struct Axis {
    start: f64,
    ratio: f64,
    /// Luma (or packed) pixels the box touches: `lo..=hi`.
    lo: f64,
    hi: f64,
    last: usize,
    /// 4:2:0 chroma samples covering them: `clo..=chi`.
    clo: f64,
    chi: f64,
    clast: usize,
}

impl Axis {
    /// `start ≥ 0`, `len > 0`, `start + len ≤ frame size`, `n > 0`.
    fn new(start: f64, len: f64, n: usize) -> Axis {
        let lo = start.floor();
        let hi = ((start + len).ceil() - 1.0).max(lo);
        let clo = (lo / 2.0).floor();
        let chi = (hi / 2.0).floor();
        Axis {
            start,
            ratio: len / n as f64,
            lo,
            hi,
            last: hi as usize,
            clo,
            chi,
            clast: chi as usize,
        }
    }

    /// Clamped source position of output sample `d`.
    #[inline(always)]
    fn pos(&self, d: usize) -> f64 {
        (self.start + (d as f64 + 0.5) * self.ratio - 0.5)
            .max(self.lo)
            .min(self.hi)
    }

    /// Chroma tap of the (clamped) luma position `s`, offsets times `mul`.
    #[inline(always)]
    fn chroma_tap(&self, s: f64, mul: usize) -> Tap {
        let c = ((s + 0.5) / 2.0 - 0.5).max(self.clo).min(self.chi);
        tap(c, self.clast, mul)
    }
}

/// Clips `pos .. pos + len` to `0 .. size`; `None` if nothing is left.
fn clip(pos: f32, len: f32, size: usize) -> Option<(f64, f64)> {
    let (p, l) = (f64::from(pos), f64::from(len));
    if !(p.is_finite() && l.is_finite() && l > 0.0) {
        return None;
    }
    let a = p.max(0.0);
    let b = (p + l).min(size as f64);
    if !(b > a) {
        return None;
    }
    Some((a, b - a))
}

/// `(v − mean) · (1 / std)` per channel.
#[derive(Clone, Copy, Debug)]
struct Norm {
    mean: [f32; 3],
    inv: [f32; 3],
}

impl Norm {
    fn new(n: &Normalize) -> Self {
        Norm {
            mean: n.mean,
            inv: n.std.map(|s| 1.0 / s),
        }
    }

    #[inline(always)]
    fn apply(&self, c: usize, v: f32) -> f32 {
        (v - self.mean[c]) * self.inv[c]
    }
}

fn check_frame(frame: &Frame) -> Result<(), CropError> {
    let (w, h) = (frame.width, frame.height);
    if w == 0 || h == 0 {
        return Err(CropError::Frame(format!("frame is {w}×{h}")));
    }
    let (specs, n) = frame.layout.planes(w, h);
    let lens = frame.planes.map(<[u8]>::len);
    check_planes(lens, frame.strides, &specs[..n], true).map_err(CropError::Plane)
}

/// Geometry of one crop and the output planes.
struct Job<'o> {
    xa: Axis,
    ya: Axis,
    out_w: usize,
    out_h: usize,
    r: &'o mut [f32],
    g: &'o mut [f32],
    b: &'o mut [f32],
}

/// Chroma plane of a YUV frame: bytes per row, and bytes per chroma sample in
/// a row (2 for NV12).
#[derive(Clone, Copy, Debug)]
struct Chroma {
    row_bytes: usize,
    mul: usize,
}

impl Job<'_> {
    /// Calls `row(t, ct, cols, ccols, r, g, b)` for every output row of every
    /// chunk of columns: `t`/`ct` the luma/chroma row taps, `cols`/`ccols` the
    /// column taps (luma columns times `mul`, chroma sample offsets), and
    /// `r`, `g`, `b` the matching output row segments. Chroma taps are only
    /// computed with `chroma`.
    #[inline(always)]
    fn drive<F>(self, mul: usize, chroma: Option<Chroma>, mut row: F)
    where
        F: FnMut(Tap, Tap, &[Tap], &[Tap], &mut [f32], &mut [f32], &mut [f32]),
    {
        let Job {
            xa,
            ya,
            out_w,
            out_h,
            r,
            g,
            b,
        } = self;
        let mut cols = [Tap::default(); CHUNK];
        let mut ccols = [Tap::default(); CHUNK];
        let mut start = 0;
        while start < out_w {
            let n = (out_w - start).min(CHUNK);
            for (k, (c, cc)) in cols[..n].iter_mut().zip(&mut ccols[..n]).enumerate() {
                let s = xa.pos(start + k);
                *c = tap(s, xa.last, mul);
                if let Some(ch) = chroma {
                    *cc = xa.chroma_tap(s, ch.mul);
                }
            }
            for dy in 0..out_h {
                let s = ya.pos(dy);
                let t = tap(s, ya.last, 1);
                let ct = if chroma.is_some() {
                    ya.chroma_tap(s, 1)
                } else {
                    t
                };
                let o = dy * out_w + start;
                row(
                    t,
                    ct,
                    &cols[..n],
                    &ccols[..n],
                    &mut r[o..o + n],
                    &mut g[o..o + n],
                    &mut b[o..o + n],
                );
            }
            start += n;
        }
    }

    /// Packed RGB: `BPP` bytes per pixel, colour bytes at `R`, `G`, `B`.
    fn packed<const BPP: usize, const R: usize, const G: usize, const B: usize>(
        self,
        data: &[u8],
        stride: usize,
        row_bytes: usize,
        nk: Norm,
    ) {
        self.drive(BPP, None, |t, _, cols, _, ro, go, bo| {
            let a = &data[t.i0 * stride..][..row_bytes];
            let bl = &data[t.i1 * stride..][..row_bytes];
            let fy = t.f;
            let dsts = ro.iter_mut().zip(go.iter_mut()).zip(bo.iter_mut());
            for (c, ((r, g), b)) in cols.iter().zip(dsts) {
                let p = &a[c.i0..c.i0 + BPP];
                let q = &a[c.i1..c.i1 + BPP];
                let u = &bl[c.i0..c.i0 + BPP];
                let v = &bl[c.i1..c.i1 + BPP];
                let fx = c.f;
                let bil = |k: usize| {
                    let top = lerp(UNIT[p[k] as usize], UNIT[q[k] as usize], fx);
                    let bot = lerp(UNIT[u[k] as usize], UNIT[v[k] as usize], fx);
                    lerp(top, bot, fy)
                };
                *r = nk.apply(0, bil(R));
                *g = nk.apply(1, bil(G));
                *b = nk.apply(2, bil(B));
            }
        });
    }

    /// Planar YUV 4:2:0. `planes`/`strides` are Y, U, V; for NV12 U and V are
    /// both the UV plane and `VOFF` = 1 (V follows U), for I420 `VOFF` = 0.
    fn yuv<const VOFF: usize>(
        self,
        planes: [&[u8]; 3],
        strides: [usize; 3],
        chroma: Chroma,
        k: YuvCoefs,
        nk: Norm,
    ) {
        let [yp, up, vp] = planes;
        let [ys, us, vs] = strides;
        let cb = chroma.row_bytes;
        // Vertical pass first: for each output row, the two source rows are
        // blended once over the columns the crop touches (a contiguous,
        // vectorisable loop), then each output pixel needs two taps per
        // plane instead of four. Scratch rows live on the stack; frames
        // wider than them never reach here (see `crop_resize`).
        let mut yrow = [0.0f32; SCRATCH];
        let mut urow = [0.0f32; SCRATCH];
        let mut vrow = [0.0f32; SCRATCH];
        let mut ycol = [0.0f32; CHUNK];
        let mut ucol = [0.0f32; CHUNK];
        let mut vcol = [0.0f32; CHUNK];
        self.drive(1, Some(chroma), |t, ct, cols, ccols, ro, go, bo| {
            // `as f32` of a byte is exact; unlike a table lookup it lets the
            // vertical passes vectorise.
            let f = f32::from;
            let (fy, fcy) = (t.f, ct.f);
            // Luma columns used by this chunk.
            let (xl, xh) = (cols[0].i0, cols[cols.len() - 1].i1);
            let (ya, yb) = (&yp[t.i0 * ys..][xl..=xh], &yp[t.i1 * ys..][xl..=xh]);
            for ((d, &a), &b) in yrow.iter_mut().zip(ya).zip(yb) {
                *d = lerp(f(a), f(b), fy);
            }
            // Chroma bytes used (for NV12 the interleaved U,V pairs).
            let (cl, ch) = (ccols[0].i0, ccols[ccols.len() - 1].i1 + VOFF);
            let (ua, ub) = (&up[ct.i0 * us..][..cb], &up[ct.i1 * us..][..cb]);
            for ((d, &a), &b) in urow.iter_mut().zip(&ua[cl..=ch]).zip(&ub[cl..=ch]) {
                *d = lerp(f(a), f(b), fcy);
            }
            if VOFF == 0 {
                let (va, vb) = (&vp[ct.i0 * vs..][..cb], &vp[ct.i1 * vs..][..cb]);
                for ((d, &a), &b) in vrow.iter_mut().zip(&va[cl..=ch]).zip(&vb[cl..=ch]) {
                    *d = lerp(f(a), f(b), fcy);
                }
            }
            let vsrc: &[f32] = if VOFF == 0 { &vrow } else { &urow };
            // Horizontal taps (gathers) into contiguous Y, U, V rows ...
            let n = cols.len();
            for (((c, cc), (yy, uu)), vv) in cols
                .iter()
                .zip(ccols)
                .zip(ycol.iter_mut().zip(ucol.iter_mut()))
                .zip(vcol.iter_mut())
            {
                *yy = lerp(yrow[c.i0 - xl], yrow[c.i1 - xl], c.f);
                let (c0, c1) = (cc.i0 - cl, cc.i1 - cl);
                *uu = lerp(urow[c0], urow[c1], cc.f);
                *vv = lerp(vsrc[c0 + VOFF], vsrc[c1 + VOFF], cc.f);
            }
            // ... then the conversion on contiguous data, which vectorises.
            let dsts = ro.iter_mut().zip(go.iter_mut()).zip(bo.iter_mut());
            for (((yy, uu), vv), ((r, g), b)) in
                ycol[..n].iter().zip(&ucol[..n]).zip(&vcol[..n]).zip(dsts)
            {
                let yv = yy * k.y;
                *r = nk.apply(0, clamp01(yv + vv * k.rv + k.r0));
                *g = nk.apply(1, clamp01(yv + uu * k.gu + vv * k.gv + k.g0));
                *b = nk.apply(2, clamp01(yv + uu * k.bu + k.b0));
            }
        });
    }
}

/// Crops `bbox` (x, y, w, h in frame pixels; may extend past the frame or be
/// partly/fully outside) from `frame`, clipped to the frame, resized to
/// `out_w × out_h` with bilinear sampling at half-pixel centres (source
/// coordinate `sx = x0 + (dx + 0.5)·(cw / out_w) − 0.5`, clamped to the
/// clipped crop's pixel range `[floor(x0) .. ceil(x0 + cw) − 1]`, where
/// `(x0, cw)` is the clipped box; rows likewise), normalised with `norm`, and
/// written NCHW (R, G, B planes of `out_h × out_w`) into `out`, which must be
/// `3·out_h·out_w` floats long. `yuv` is used for I420/NV12 frames only.
///
/// Returns the clipped box actually sampled. Errors: the frame's planes do
/// not match its layout and size → [`CropError::Frame`]; wrong `out` length
/// → [`CropError::Output`]; box fully outside, zero or negative size, NaN or
/// infinite coordinate → [`CropError::Empty`] (checked in that order; `out`
/// is untouched on error). Never panics; allocates nothing on success.
pub fn crop_resize(
    frame: &Frame,
    yuv: YuvParams,
    bbox: [f32; 4],
    out_w: usize,
    out_h: usize,
    norm: &Normalize,
    out: &mut [f32],
) -> Result<CropRect, CropError> {
    let [x0, cw, y0, ch] = check_crop(frame, bbox, out_w, out_h, out.len())?;
    let rect = CropRect {
        x: x0 as f32,
        y: y0 as f32,
        w: cw as f32,
        h: ch as f32,
    };
    if out_w == 0 || out_h == 0 {
        return Ok(rect);
    }
    let plane = out_w * out_h;
    let (r, rest) = out.split_at_mut(plane);
    let (g, b) = rest.split_at_mut(plane);
    let job = Job {
        xa: Axis::new(x0, cw, out_w),
        ya: Axis::new(y0, ch, out_h),
        out_w,
        out_h,
        r,
        g,
        b,
    };
    job.run(frame, yuv, Norm::new(norm));
    Ok(rect)
}

/// The checks of [`crop_resize`], in its order: the frame, the output
/// length, then the box, clipped to the frame: `[x0, cw, y0, ch]`.
fn check_crop(
    frame: &Frame,
    bbox: [f32; 4],
    out_w: usize,
    out_h: usize,
    out_len: usize,
) -> Result<[f64; 4], CropError> {
    check_frame(frame)?;
    if matches!(frame.layout, PixelLayout::I420 | PixelLayout::Nv12) && frame.width > SCRATCH {
        return Err(CropError::Frame(format!(
            "{:?} frames wider than {SCRATCH} pixels are not supported (width {})",
            frame.layout, frame.width
        )));
    }
    let plane = out_w.checked_mul(out_h);
    let expected = plane.and_then(|p| p.checked_mul(3));
    if expected != Some(out_len) {
        return Err(CropError::Output {
            expected: expected.unwrap_or(usize::MAX),
            found: out_len,
        });
    }
    let [x, y, w, h] = bbox;
    let empty = CropError::Empty { x, y, w, h };
    let (x0, cw) = clip(x, w, frame.width).ok_or_else(|| empty.clone())?;
    let (y0, ch) = clip(y, h, frame.height).ok_or(empty)?;
    Ok([x0, cw, y0, ch])
}

impl Job<'_> {
    /// Runs the crop on a checked frame with the sampler of its layout.
    fn run(self, frame: &Frame, yuv: YuvParams, nk: Norm) {
        let p = &frame.planes;
        let s = &frame.strides;
        let fw = frame.width;
        let chroma = |mul| Chroma {
            row_bytes: fw.div_ceil(2) * mul,
            mul,
        };
        match frame.layout {
            PixelLayout::Rgb => self.packed::<3, 0, 1, 2>(p[0], s[0], fw * 3, nk),
            PixelLayout::Bgr => self.packed::<3, 2, 1, 0>(p[0], s[0], fw * 3, nk),
            PixelLayout::Rgbx | PixelLayout::Rgba => {
                self.packed::<4, 0, 1, 2>(p[0], s[0], fw * 4, nk)
            }
            PixelLayout::Bgrx | PixelLayout::Bgra => {
                self.packed::<4, 2, 1, 0>(p[0], s[0], fw * 4, nk)
            }
            PixelLayout::Xrgb | PixelLayout::Argb => {
                self.packed::<4, 1, 2, 3>(p[0], s[0], fw * 4, nk)
            }
            PixelLayout::Xbgr | PixelLayout::Abgr => {
                self.packed::<4, 3, 2, 1>(p[0], s[0], fw * 4, nk)
            }
            PixelLayout::I420 => self.yuv::<0>(
                [p[0], p[1], p[2]],
                [s[0], s[1], s[2]],
                chroma(1),
                YuvCoefs::new(yuv),
                nk,
            ),
            PixelLayout::Nv12 => self.yuv::<1>(
                [p[0], p[1], p[1]],
                [s[0], s[1], s[1]],
                chroma(2),
                YuvCoefs::new(yuv),
                nk,
            ),
        }
    }
}

#[cfg(test)]
mod tests;
