// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Drawing in place on raw video frames, for the overlay element.
//!
//! A [`Canvas`] wraps a [`FrameMut`] (packed RGB layouts, I420 or NV12, see
//! [`PixelLayout`]) whose plane sizes it checks once; its primitives (pixels,
//! filled rectangles, box outlines, thick and dashed lines, discs, rings and
//! text in a built-in 5×7 bitmap font) clip to the frame and never panic,
//! whatever the coordinates (negative, huge, NaN). [`draw_objects`] draws
//! tracked [`Object`](crate::types::Object)s with them: boxes and id labels
//! in a colour per id ([`id_colour`]) and COCO-17 skeletons.
//!
//! Coordinates: pixel `(x, y)` is column `x`, row `y`. Float coordinates are
//! rounded to the nearest pixel; a box `(x, y, w, h)` covers columns
//! `round(x) .. round(x + w)` and rows `round(y) .. round(y + h)` (end
//! exclusive) and its outline is drawn inside it.
//!
//! Packed layouts get the colour's bytes in their memory order; the alpha or
//! padding byte is left as it is. For I420 and NV12 the colour is converted to
//! Y, U, V with the frame's [`YuvParams`] (see [`rgb_to_yuv`]); a pixel sets
//! its luma sample and the chroma sample of its 2×2 block, so thin lines get
//! coarse colour edges.

mod font;
mod objects;
pub mod zones;

pub use font::text_size;
pub use objects::{draw_objects, id_colour, OverlayStyle, COCO17_SKELETON};

use font::glyph;
#[cfg(test)]
use objects::label_text;
use std::fmt;

use crate::image::{check_planes, PixelLayout, PlaneError, YuvParams};

/// An 8-bit RGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// Colour of objects without a track or global id.
pub const UNTRACKED_COLOUR: Rgb = Rgb(160, 160, 160);

/// A mutable frame: packed layouts use `planes[0]`; I420 Y,U,V; NV12 Y,UV.
///
/// Unused planes may be empty slices. Strides are in bytes. The chroma
/// planes of I420 and NV12 have `⌈w/2⌉` samples (NV12: pairs) per row and
/// `⌈h/2⌉` rows. `yuv` is ignored for packed layouts.
pub struct FrameMut<'a> {
    pub layout: PixelLayout,
    pub width: usize,
    pub height: usize,
    pub planes: [&'a mut [u8]; 3],
    pub strides: [usize; 3],
    pub yuv: YuvParams,
}

/// Why a frame cannot be drawn on.
#[derive(Debug, Clone, PartialEq)]
pub enum DrawError {
    /// The frame has no pixels.
    ZeroSize { width: usize, height: usize },
    /// A plane's stride or length does not fit the frame size (a plane
    /// needs `stride × (rows − 1) + row_bytes` bytes).
    Plane(PlaneError),
}

impl fmt::Display for DrawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DrawError::ZeroSize { width, height } => {
                write!(f, "frame is {width}×{height}, cannot draw on it")
            }
            DrawError::Plane(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for DrawError {}

/// Converts an RGB colour to `[Y, U, V]` with the matrix and range of `p`
/// (the inverse of the conversion in [`crate::image::letterbox`]), rounded and
/// clamped to `0..=255`.
pub fn rgb_to_yuv(c: Rgb, p: YuvParams) -> [u8; 3] {
    let (kr, kb) = p.matrix.kr_kb();
    let (r, g, b) = (c.0 as f64, c.1 as f64, c.2 as f64);
    let y = kr * r + (1.0 - kr - kb) * g + kb * b;
    let cb = (b - y) / (2.0 * (1.0 - kb));
    let cr = (r - y) / (2.0 * (1.0 - kr));
    let (y, u, v) = if p.full_range {
        (y, 128.0 + cb, 128.0 + cr)
    } else {
        (
            16.0 + y * 219.0 / 255.0,
            128.0 + cb * 224.0 / 255.0,
            128.0 + cr * 224.0 / 255.0,
        )
    };
    let q = |v: f64| v.round().clamp(0.0, 255.0) as u8;
    [q(y), q(u), q(v)]
}

/// How the pixels of a validated frame are written.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Bytes per pixel and the offsets of R, G, B in a pixel.
    Packed {
        bpp: usize,
        r: usize,
        g: usize,
        b: usize,
    },
    I420,
    Nv12,
}

/// Coordinates are clamped to `±COORD_LIMIT` (far outside any frame) so that
/// integer arithmetic on them cannot overflow.
const COORD_LIMIT: f64 = 1.0e12;

/// Rounds a finite coordinate to a pixel index, clamped to `±COORD_LIMIT`.
fn px(v: f64) -> i64 {
    v.round().clamp(-COORD_LIMIT, COORD_LIMIT) as i64
}

/// `floor(sqrt(v))` for `v ≥ 0`, corrected for rounding.
fn floor_sqrt(v: f64) -> f64 {
    let mut s = v.sqrt().floor();
    if (s + 1.0) * (s + 1.0) <= v {
        s += 1.0;
    }
    if s > 0.0 && s * s > v {
        s -= 1.0;
    }
    s
}

/// The pixel rectangle of a box, `None` when not finite or empty.
pub(super) fn box_px(x: f32, y: f32, w: f32, h: f32) -> Option<(i64, i64, i64, i64)> {
    let (x, y, w, h) = (x as f64, y as f64, w as f64, h as f64);
    if !(x.is_finite() && y.is_finite() && w.is_finite() && h.is_finite()) {
        return None;
    }
    let (x0, y0, x1, y1) = (px(x), px(y), px(x + w), px(y + h));
    (x1 > x0 && y1 > y0).then_some((x0, y0, x1, y1))
}

/// Liang–Barsky: the part of a segment inside `[xmin, xmax] × [ymin, ymax]`.
fn clip_segment(
    (x0, y0, x1, y1): (f64, f64, f64, f64),
    (xmin, ymin, xmax, ymax): (f64, f64, f64, f64),
) -> Option<(f64, f64, f64, f64)> {
    let (dx, dy) = (x1 - x0, y1 - y0);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, x0 - xmin),
        (dx, xmax - x0),
        (-dy, y0 - ymin),
        (dy, ymax - y0),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                if r > t1 {
                    return None;
                }
                t0 = t0.max(r);
            } else {
                if r < t0 {
                    return None;
                }
                t1 = t1.min(r);
            }
        }
    }
    if !(t0 <= t1) {
        return None;
    }
    let (ax, ay) = if t0 > 0.0 {
        (x0 + t0 * dx, y0 + t0 * dy)
    } else {
        (x0, y0)
    };
    let (bx, by) = if t1 < 1.0 {
        (x0 + t1 * dx, y0 + t1 * dy)
    } else {
        (x1, y1)
    };
    Some((ax, ay, bx, by))
}

/// Drawing primitives on one frame. Everything is clipped to the frame.
pub struct Canvas<'a, 'b> {
    frame: &'b mut FrameMut<'a>,
    kind: Kind,
    w: i64,
    h: i64,
}

impl<'a, 'b> Canvas<'a, 'b> {
    /// Checks the frame's size, strides and plane lengths (once, so that the
    /// primitives can index without further checks).
    ///
    /// A plane must hold `stride × (rows − 1) + row_bytes` bytes.
    pub fn new(frame: &'b mut FrameMut<'a>) -> Result<Self, DrawError> {
        let (w, h) = (frame.width, frame.height);
        if w == 0 || h == 0 {
            return Err(DrawError::ZeroSize {
                width: w,
                height: h,
            });
        }
        let packed = |bpp, r, g, b| Kind::Packed { bpp, r, g, b };
        let kind = match frame.layout {
            PixelLayout::Rgb => packed(3, 0, 1, 2),
            PixelLayout::Bgr => packed(3, 2, 1, 0),
            PixelLayout::Rgbx | PixelLayout::Rgba => packed(4, 0, 1, 2),
            PixelLayout::Bgrx | PixelLayout::Bgra => packed(4, 2, 1, 0),
            PixelLayout::Xrgb | PixelLayout::Argb => packed(4, 1, 2, 3),
            PixelLayout::Xbgr | PixelLayout::Abgr => packed(4, 3, 2, 1),
            PixelLayout::I420 => Kind::I420,
            PixelLayout::Nv12 => Kind::Nv12,
        };
        let (specs, n) = frame.layout.planes(w, h);
        let lens = frame.planes.each_ref().map(|p| p.len());
        check_planes(lens, frame.strides, &specs[..n], false).map_err(DrawError::Plane)?;
        // The plane checks bound the sizes by the memory, far below i64::MAX.
        Ok(Canvas {
            kind,
            w: w as i64,
            h: h as i64,
            frame,
        })
    }

    /// Frame width in pixels.
    pub fn width(&self) -> usize {
        self.frame.width
    }

    /// Frame height in pixels.
    pub fn height(&self) -> usize {
        self.frame.height
    }

    /// The bytes written for a colour: R, G, B or Y, U, V.
    fn ink(&self, c: Rgb) -> [u8; 3] {
        match self.kind {
            Kind::Packed { .. } => [c.0, c.1, c.2],
            Kind::I420 | Kind::Nv12 => rgb_to_yuv(c, self.frame.yuv),
        }
    }

    /// Writes columns `x0..x1` of row `y`; the caller has clipped them
    /// (`x0 < x1 ≤ width`, `y < height`).
    fn span(&mut self, y: usize, x0: usize, x1: usize, ink: [u8; 3]) {
        let f = &mut *self.frame;
        match self.kind {
            Kind::Packed { bpp, r, g, b } => {
                let start = y * f.strides[0];
                let row = &mut f.planes[0][start + x0 * bpp..start + x1 * bpp];
                for p in row.chunks_exact_mut(bpp) {
                    p[r] = ink[0];
                    p[g] = ink[1];
                    p[b] = ink[2];
                }
            }
            Kind::I420 | Kind::Nv12 => {
                let start = y * f.strides[0];
                f.planes[0][start + x0..start + x1].fill(ink[0]);
                let (c0, c1) = (x0 / 2, (x1 - 1) / 2 + 1);
                let cy = y / 2;
                if matches!(self.kind, Kind::I420) {
                    let su = cy * f.strides[1];
                    f.planes[1][su + c0..su + c1].fill(ink[1]);
                    let sv = cy * f.strides[2];
                    f.planes[2][sv + c0..sv + c1].fill(ink[2]);
                } else {
                    let s = cy * f.strides[1];
                    for uv in f.planes[1][s + 2 * c0..s + 2 * c1].chunks_exact_mut(2) {
                        uv[0] = ink[1];
                        uv[1] = ink[2];
                    }
                }
            }
        }
    }

    /// Fills `x0..x1 × y0..y1`, clipped.
    fn fill_ink(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, ink: [u8; 3]) {
        let (x0, x1) = (x0.max(0), x1.min(self.w));
        let (y0, y1) = (y0.max(0), y1.min(self.h));
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        for y in y0..y1 {
            self.span(y as usize, x0 as usize, x1 as usize, ink);
        }
    }

    /// Sets one pixel (ignored when outside). For I420/NV12 write Y at (x,y)
    /// and the chroma sample of its 2×2 block.
    pub fn put(&mut self, x: i64, y: i64, c: Rgb) {
        if (0..self.w).contains(&x) && (0..self.h).contains(&y) {
            let ink = self.ink(c);
            self.span(y as usize, x as usize, x as usize + 1, ink);
        }
    }

    /// Fills columns `x0..x1` and rows `y0..y1` (end exclusive), clipped.
    pub fn fill_rect(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, c: Rgb) {
        let ink = self.ink(c);
        self.fill_ink(x0, y0, x1, y1, ink);
    }

    /// Outline of the box `(x, y, w, h)`, `thickness` pixels wide (0 counts
    /// as 1) inside the box, clipped. Non-finite or empty boxes draw nothing.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, thickness: u32, c: Rgb) {
        let Some((x0, y0, x1, y1)) = box_px(x, y, w, h) else {
            return;
        };
        let t = thickness.max(1) as i64;
        let ink = self.ink(c);
        self.fill_ink(x0, y0, x1, (y0 + t).min(y1), ink);
        self.fill_ink(x0, (y1 - t).max(y0), x1, y1, ink);
        self.fill_ink(x0, y0, (x0 + t).min(x1), y1, ink);
        self.fill_ink((x1 - t).max(x0), y0, x1, y1, ink);
    }

    /// Like [`Canvas::rect`] with each side dashed: `dash` pixels drawn,
    /// `dash` skipped (0 counts as 1), starting at the top-left corner.
    #[allow(clippy::too_many_arguments)]
    pub fn dashed_rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        thickness: u32,
        dash: u32,
        c: Rgb,
    ) {
        let Some((x0, y0, x1, y1)) = box_px(x, y, w, h) else {
            return;
        };
        let t = thickness.max(1) as i64;
        let d = dash.max(1) as i64;
        let ink = self.ink(c);
        self.dashed_band(true, x0, x1, y0, (y0 + t).min(y1), d, ink);
        self.dashed_band(true, x0, x1, (y1 - t).max(y0), y1, d, ink);
        self.dashed_band(false, y0, y1, x0, (x0 + t).min(x1), d, ink);
        self.dashed_band(false, y0, y1, (x1 - t).max(x0), x1, d, ink);
    }

    /// Dashes along `a..b` (x when `horizontal`, else y), across `c0..c1`.
    /// Only the dashes that can be visible are visited.
    #[allow(clippy::too_many_arguments)]
    fn dashed_band(
        &mut self,
        horizontal: bool,
        a: i64,
        b: i64,
        c0: i64,
        c1: i64,
        d: i64,
        ink: [u8; 3],
    ) {
        let limit = if horizontal { self.w } else { self.h };
        let (lo, hi) = (a.max(0), b.min(limit));
        if lo >= hi {
            return;
        }
        let period = 2 * d;
        let mut s = a + (lo - a) / period * period;
        while s < hi {
            let e = (s + d).min(b);
            if horizontal {
                self.fill_ink(s, c0, e, c1, ink);
            } else {
                self.fill_ink(c0, s, c1, e, ink);
            }
            s += period;
        }
    }

    /// A line from `(x0, y0)` to `(x1, y1)` (both drawn), `thickness` pixels
    /// wide (0 counts as 1), clipped; thick lines get square caps. Nothing is
    /// drawn when an endpoint is not finite.
    pub fn line(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, thickness: u32, c: Rgb) {
        self.stroke([x0, y0, x1, y1], thickness, 0, c);
    }

    /// Like [`Canvas::line`] (without caps), drawing `dash` steps and
    /// skipping `dash` steps from `(x0, y0)` on; `dash == 0` draws a solid
    /// line.
    #[allow(clippy::too_many_arguments)]
    pub fn dashed_line(
        &mut self,
        x0: f32,
        y0: f32,
        x1: f32,
        y1: f32,
        thickness: u32,
        dash: u32,
        c: Rgb,
    ) {
        self.stroke([x0, y0, x1, y1], thickness, dash, c);
    }

    /// Bresenham on the segment clipped to the frame plus a margin; each step
    /// draws a run of `thickness` pixels across the major axis.
    fn stroke(&mut self, p: [f32; 4], thickness: u32, dash: u32, c: Rgb) {
        let [x0, y0, x1, y1] = p.map(|v| v as f64);
        if !(x0.is_finite() && y0.is_finite() && x1.is_finite() && y1.is_finite()) {
            return;
        }
        // Thicker than the frame is pointless; the cap bounds the walk.
        let t = (thickness.max(1) as i64).min(2 * (self.w + self.h) + 1);
        let lo = -((t - 1) / 2);
        let hi = lo + t;
        let m = t + 2;
        let (xmin, ymin, xmax, ymax) = (-m, -m, self.w - 1 + m, self.h - 1 + m);
        let Some((ax, ay, bx, by)) = clip_segment(
            (x0, y0, x1, y1),
            (xmin as f64, ymin as f64, xmax as f64, ymax as f64),
        ) else {
            return;
        };
        // The clamp bounds the walk even where the clipping of a huge segment
        // was imprecise.
        let cx = |v: f64| px(v).clamp(xmin, xmax);
        let cy = |v: f64| px(v).clamp(ymin, ymax);
        let (ax, ay, bx, by) = (cx(ax), cy(ay), cx(bx), cy(by));
        let ink = self.ink(c);
        let (ox, oy) = (x0.round(), y0.round());
        let dx = (bx - ax).abs();
        let dy = -(by - ay).abs();
        let sx = if ax < bx { 1 } else { -1 };
        let sy = if ay < by { 1 } else { -1 };
        let x_major = dx >= -dy;
        let mut err = dx + dy;
        let (mut x, mut y) = (ax, ay);
        // Steps on the same minor coordinate are merged into one run
        // `(minor, first, last)` and drawn as one rectangle.
        let mut run: Option<(i64, i64, i64)> = None;
        loop {
            let on = dash == 0 || {
                let s = (x as f64 - ox).abs().max((y as f64 - oy).abs());
                (s / dash as f64).floor() % 2.0 == 0.0
            };
            let (minor, major) = if x_major { (y, x) } else { (x, y) };
            run = match run {
                Some((m, a, b)) if on && m == minor => Some((m, a.min(major), b.max(major))),
                _ => {
                    if let Some(r) = run {
                        self.flush_run(r, x_major, lo, hi, ink);
                    }
                    on.then_some((minor, major, major))
                }
            };
            if x == bx && y == by {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
        if let Some(r) = run {
            self.flush_run(r, x_major, lo, hi, ink);
        }
        if dash == 0 && t > 1 {
            for (x, y) in [(ax, ay), (bx, by)] {
                self.fill_ink(x + lo, y + lo, x + hi, y + hi, ink);
            }
        }
    }

    /// Draws a run of line steps `first..=last` along the major axis, `lo..hi`
    /// across it.
    fn flush_run(
        &mut self,
        (m, a, b): (i64, i64, i64),
        x_major: bool,
        lo: i64,
        hi: i64,
        ink: [u8; 3],
    ) {
        if x_major {
            self.fill_ink(a, m + lo, b + 1, m + hi, ink);
        } else {
            self.fill_ink(m + lo, a, m + hi, b + 1, ink);
        }
    }

    /// A filled circle: the pixels `(x, y)` with
    /// `(x − cx')² + (y − cy')² ≤ r·(r + 1)`, `(cx', cy')` the centre rounded
    /// (`r = 0`: one pixel, `r = 1`: 3×3). Nothing for a negative or
    /// non-finite radius or centre.
    pub fn disc(&mut self, cx: f32, cy: f32, r: f32, c: Rgb) {
        self.annulus(cx, cy, r, None, c);
    }

    /// A hollow circle: the [`Canvas::disc`] of radius `r` minus that of
    /// radius `r − thickness` (0 counts as 1).
    pub fn ring(&mut self, cx: f32, cy: f32, r: f32, thickness: u32, c: Rgb) {
        let inner = r as f64 - thickness.max(1) as f64;
        self.annulus(cx, cy, r, Some(inner), c);
    }

    fn annulus(&mut self, cx: f32, cy: f32, r: f32, inner: Option<f64>, c: Rgb) {
        let (cx, cy, r) = (cx as f64, cy as f64, r as f64);
        if !(cx.is_finite() && cy.is_finite() && r.is_finite() && r >= 0.0) {
            return;
        }
        // In f64 throughout: spans are clipped before becoming integers.
        let (icx, icy) = (cx.round(), cy.round());
        let outer2 = r * (r + 1.0);
        let inner2 = inner.filter(|&ri| ri >= 0.0).map(|ri| ri * (ri + 1.0));
        let reach = floor_sqrt(outer2);
        let ya = (icy - reach).max(0.0);
        let yb = (icy + reach).min((self.h - 1) as f64);
        if !(ya <= yb) {
            return;
        }
        let w = self.w as f64;
        let col = |v: f64| v.clamp(-1.0, w) as i64;
        let ink = self.ink(c);
        for y in ya as i64..=yb as i64 {
            let dy = y as f64 - icy;
            let rest = outer2 - dy * dy;
            if rest < 0.0 {
                continue;
            }
            let ho = floor_sqrt(rest);
            match inner2 {
                Some(i2) if dy * dy <= i2 => {
                    let hi = floor_sqrt(i2 - dy * dy);
                    self.fill_ink(col(icx - ho), y, col(icx - hi), y + 1, ink);
                    self.fill_ink(col(icx + hi + 1.0), y, col(icx + ho + 1.0), y + 1, ink);
                }
                _ => self.fill_ink(col(icx - ho), y, col(icx + ho + 1.0), y + 1, ink),
            }
        }
    }

    /// Text in the built-in 5×7 font, each glyph pixel a `scale × scale`
    /// square (0 counts as 1), glyphs 6·scale apart, on a filled `bg` box
    /// (None = no box) with `scale` pixels of padding; `(x, y)` is the box's
    /// top-left corner (with or without box). Upper-case letters use the
    /// lower-case glyphs; characters without a glyph draw `?`. Returns the
    /// width of the box, [`text_size`]`.0` (0 for an empty string).
    pub fn text(&mut self, x: i64, y: i64, s: &str, scale: u32, fg: Rgb, bg: Option<Rgb>) -> i64 {
        let (tw, th) = text_size(s, scale);
        if tw == 0 {
            return 0;
        }
        if let Some(bg) = bg {
            self.fill_rect(x, y, x.saturating_add(tw), y.saturating_add(th), bg);
        }
        let sc = scale.max(1) as i64;
        let gy = y.saturating_add(sc);
        if gy >= self.h || gy.saturating_add(7 * sc) <= 0 {
            return tw;
        }
        let ink = self.ink(fg);
        let mut gx = x.saturating_add(sc);
        for ch in s.chars() {
            if gx >= self.w {
                break;
            }
            if gx.saturating_add(5 * sc) > 0 {
                for (row, &bits) in glyph(ch).iter().enumerate() {
                    let py = gy + row as i64 * sc;
                    // Runs of set bits, left to right, as one rectangle each.
                    let mut col = 0;
                    while col < 5 {
                        if bits >> (4 - col) & 1 == 0 {
                            col += 1;
                            continue;
                        }
                        let start = col;
                        while col < 5 && bits >> (4 - col) & 1 == 1 {
                            col += 1;
                        }
                        let (x0, x1) = (gx + start * sc, gx + col * sc);
                        self.fill_ink(x0, py, x1, py + sc, ink);
                    }
                }
            }
            gx = gx.saturating_add(6 * sc);
        }
        tw
    }
}

#[cfg(test)]
mod tests;
