// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Crops at the frame's own resolution as 8-bit RGB, and their sharpness.

use crate::image::crop::{crop_resize, CropError, Normalize};
use crate::image::{Frame, YuvParams};
use crate::types::BBox;

/// A box in whole frame pixels: columns `x .. x + w`, rows `y .. y + h`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PixelRect {
    pub x: usize,
    pub y: usize,
    pub w: usize,
    pub h: usize,
}

impl PixelRect {
    /// The pixels `b` touches in a `fw`×`fh` frame: the box is clipped to
    /// the frame, its left and top edges rounded down and its right and
    /// bottom edges rounded up. `None` when nothing is left (box outside,
    /// empty, NaN or infinite).
    pub fn of_box(b: &BBox, fw: usize, fh: usize) -> Option<PixelRect> {
        let axis = |p: f32, l: f32, size: usize| -> Option<(usize, usize)> {
            let (p, l) = (f64::from(p), f64::from(l));
            if !(p.is_finite() && l.is_finite() && l > 0.0) {
                return None;
            }
            let a = p.max(0.0).floor();
            let b = (p + l).min(size as f64).ceil();
            (b > a).then_some((a as usize, (b - a) as usize))
        };
        let (x, w) = axis(b.x, b.w, fw)?;
        let (y, h) = axis(b.y, b.h, fh)?;
        Some(PixelRect { x, y, w, h })
    }

    pub fn area(&self) -> u64 {
        self.w as u64 * self.h as u64
    }
}

/// An 8-bit RGB image, rows packed (`3 × width` bytes each).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RgbImage {
    pub width: usize,
    pub height: usize,
    pub data: Vec<u8>,
}

/// Copies `rect` out of `frame` as RGB, pixel for pixel: packed layouts
/// keep their bytes, I420 and NV12 are converted with `yuv` by the crop
/// code of [`crate::image::crop`] (chroma interpolated at the luma
/// positions). `scratch` is reused between calls.
pub fn extract_rgb(
    frame: &Frame,
    yuv: YuvParams,
    rect: PixelRect,
    scratch: &mut Vec<f32>,
) -> Result<RgbImage, CropError> {
    let (w, h) = (rect.w, rect.h);
    let plane = w * h;
    scratch.clear();
    scratch.resize(3 * plane, 0.0);
    let identity = Normalize {
        mean: [0.0; 3],
        std: [1.0; 3],
    };
    let bbox = [rect.x as f32, rect.y as f32, w as f32, h as f32];
    crop_resize(frame, yuv, bbox, w, h, &identity, scratch)?;
    let (r, rest) = scratch.split_at(plane);
    let (g, b) = rest.split_at(plane);
    let byte = |v: f32| (v * 255.0).round().clamp(0.0, 255.0) as u8;
    let mut data = Vec::with_capacity(3 * plane);
    for ((r, g), b) in r.iter().zip(g).zip(b) {
        data.extend([byte(*r), byte(*g), byte(*b)]);
    }
    Ok(RgbImage {
        width: w,
        height: h,
        data,
    })
}

/// Sharpness of `img`: the variance of the 3×3 Laplacian
/// (`[0 1 0; 1 −4 1; 0 1 0]`) of its luma `Y = (299 R + 587 G + 114 B) /
/// 1000` over the interior pixels (those with four neighbours). A uniform
/// image gives 0, a blurred one little, a textured one much (in squared
/// luma levels). Images narrower or shorter than 3 pixels give 0.
pub fn sharpness(img: &RgbImage) -> f64 {
    let (w, h) = (img.width, img.height);
    if w < 3 || h < 3 || img.data.len() < 3 * w * h {
        return 0.0;
    }
    let luma: Vec<f64> = img
        .data
        .chunks_exact(3)
        .map(|p| {
            (299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2])) as f64 / 1000.0
        })
        .collect();
    let (mut sum, mut sq) = (0.0f64, 0.0f64);
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let i = y * w + x;
            let l = luma[i - 1] + luma[i + 1] + luma[i - w] + luma[i + w] - 4.0 * luma[i];
            sum += l;
            sq += l * l;
        }
    }
    let n = ((w - 2) * (h - 2)) as f64;
    let mean = sum / n;
    (sq / n - mean * mean).max(0.0)
}
