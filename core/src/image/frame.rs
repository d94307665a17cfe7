// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Borrowed video frames: pixel layouts, planes and their checks.

use std::fmt;

/// Memory layout of a frame.
///
/// `Rgb`/`Bgr` use 3 bytes per pixel; the other packed layouts use 4, named in
/// memory order (`Rgbx` = R, G, B, ignored byte; `Argb` = alpha, R, G, B). The
/// alpha or padding byte is ignored.
///
/// `I420`: three planes, Y (`w × h`), U and V (`⌈w/2⌉ × ⌈h/2⌉` each).
/// `Nv12`: two planes, Y (`w × h`) and interleaved U, V (`⌈w/2⌉` pairs per
/// row, `⌈h/2⌉` rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelLayout {
    Rgb,
    Bgr,
    Rgbx,
    Bgrx,
    Xrgb,
    Xbgr,
    Rgba,
    Bgra,
    Argb,
    Abgr,
    I420,
    Nv12,
}

impl PixelLayout {
    /// Bytes per pixel of a packed layout; `None` for planar YUV.
    pub(crate) fn packed_bytes(self) -> Option<u32> {
        match self {
            PixelLayout::Rgb | PixelLayout::Bgr => Some(3),
            PixelLayout::I420 | PixelLayout::Nv12 => None,
            _ => Some(4),
        }
    }

    /// The planes a `w`×`h` frame of this layout has (row bytes saturate),
    /// and how many of the three are used. Shared by the letterbox, the crops
    /// ([`crate::image::crop`]) and drawing ([`crate::draw`]).
    pub(crate) fn planes(self, w: usize, h: usize) -> ([PlaneSpec; 3], usize) {
        let spec = |name, row_bytes, rows| PlaneSpec {
            name,
            row_bytes,
            rows,
        };
        let none = spec("", 0, 0);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        match self {
            PixelLayout::I420 => ([spec("Y", w, h), spec("U", cw, ch), spec("V", cw, ch)], 3),
            PixelLayout::Nv12 => ([spec("Y", w, h), spec("UV", 2 * cw, ch), none], 2),
            packed => {
                let bpp = packed.packed_bytes().unwrap_or(4) as usize;
                (
                    [spec("packed pixels", w.saturating_mul(bpp), h), none, none],
                    1,
                )
            }
        }
    }
}

/// Why a frame's plane cannot be read (or written): its stride is smaller
/// than one row, or it holds fewer bytes than its rows need. Shared by the
/// letterbox ([`super::letterbox::PreprocessError::Plane`]), the crop and
/// the drawing code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaneError {
    /// A plane's stride is smaller than one row of it.
    StrideTooSmall {
        plane: usize,
        name: &'static str,
        stride: usize,
        row_bytes: usize,
    },
    /// A plane is shorter than its rows need (`needed` bytes: `stride ×
    /// rows`, or without the last row's padding where the caller allows it).
    PlaneTooShort {
        plane: usize,
        name: &'static str,
        len: usize,
        needed: usize,
        stride: usize,
        rows: usize,
    },
}

impl fmt::Display for PlaneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PlaneError::StrideTooSmall {
                plane,
                name,
                stride,
                row_bytes,
            } => write!(
                f,
                "plane {plane} ({name}) has stride {stride}, smaller than its rows of {row_bytes} bytes"
            ),
            PlaneError::PlaneTooShort {
                plane,
                name,
                len,
                needed,
                stride,
                rows,
            } => write!(
                f,
                "plane {plane} ({name}) has {len} bytes, needs at least {needed} (stride {stride}, {rows} rows)"
            ),
        }
    }
}

impl std::error::Error for PlaneError {}

/// Checks that each plane `i` of `specs` has a stride of at least one row
/// and `lens[i]` bytes: `stride × rows`, or with `padded_last_row = false`
/// `stride × (rows − 1) + row_bytes` (the last row without its padding).
pub(crate) fn check_planes(
    lens: [usize; 3],
    strides: [usize; 3],
    specs: &[PlaneSpec],
    padded_last_row: bool,
) -> Result<(), PlaneError> {
    for (plane, spec) in specs.iter().enumerate() {
        let (name, row_bytes, rows) = (spec.name, spec.row_bytes, spec.rows);
        let stride = strides[plane];
        if stride < row_bytes {
            return Err(PlaneError::StrideTooSmall {
                plane,
                name,
                stride,
                row_bytes,
            });
        }
        let needed = if padded_last_row {
            stride.saturating_mul(rows)
        } else {
            stride
                .saturating_mul(rows.saturating_sub(1))
                .saturating_add(row_bytes)
        };
        if lens[plane] < needed {
            return Err(PlaneError::PlaneTooShort {
                plane,
                name,
                len: lens[plane],
                needed,
                stride,
                rows,
            });
        }
    }
    Ok(())
}

/// A borrowed frame.
///
/// Packed layouts use `planes[0]`/`strides[0]` only; I420 uses planes 0, 1, 2
/// (Y, U, V); NV12 uses 0, 1 (Y, UV). Unused planes may be empty slices.
/// Strides are in bytes.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    pub layout: PixelLayout,
    pub width: usize,
    pub height: usize,
    pub planes: [&'a [u8]; 3],
    pub strides: [usize; 3],
}

/// What a frame plane must hold.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PlaneSpec {
    pub(crate) name: &'static str,
    pub(crate) row_bytes: usize,
    pub(crate) rows: usize,
}
