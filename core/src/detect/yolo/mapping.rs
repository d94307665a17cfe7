// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Model-input pixels back to frame pixels: the inverse of the letterbox
//! ([`Letterbox`]), in `f32` and clipped to the frame, as the decoder maps
//! boxes and keypoints ([`Letterbox::to_frame`] is the unclipped `f64`
//! variant for single points).

use super::DecodeError;
use crate::image::letterbox::Letterbox;

/// How model-input pixels map back to frame pixels (the inverse letterbox):
/// `frame_x = (x_in − left) / scale`, clipped to `[0, frame_w]`; the same for
/// `y` with `top` and `frame_h`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoxMapping {
    pub scale: f32,
    pub left: f32,
    pub top: f32,
    pub frame_w: f32,
    pub frame_h: f32,
}

impl From<&Letterbox> for BoxMapping {
    /// The inverse of `lb`: its scale and padding, and its frame size.
    fn from(lb: &Letterbox) -> Self {
        BoxMapping {
            scale: lb.scale as f32,
            left: lb.left as f32,
            top: lb.top as f32,
            frame_w: lb.src_w as f32,
            frame_h: lb.src_h as f32,
        }
    }
}

impl BoxMapping {
    pub(super) fn check(&self) -> Result<(), DecodeError> {
        let ok = self.scale.is_finite()
            && self.scale > 0.0
            && self.left.is_finite()
            && self.top.is_finite()
            && self.frame_w.is_finite()
            && self.frame_w >= 0.0
            && self.frame_h.is_finite()
            && self.frame_h >= 0.0;
        if ok {
            Ok(())
        } else {
            Err(DecodeError::Mapping(*self))
        }
    }

    pub(super) fn x(&self, x: f32) -> f32 {
        clip((x - self.left) / self.scale, self.frame_w)
    }

    pub(super) fn y(&self, y: f32) -> f32 {
        clip((y - self.top) / self.scale, self.frame_h)
    }
}

/// Clips to `[0, max]`; NaN becomes 0.
fn clip(v: f32, max: f32) -> f32 {
    if !(v > 0.0) {
        0.0
    } else if v > max {
        max
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverts_the_letterbox_and_clips() {
        // 1920×1080 → 640×640: scale 1/3, 140 px padding on top.
        let lb = Letterbox::new(1920, 1080, 640, 640);
        let map = BoxMapping::from(&lb);
        assert_eq!(map.frame_w, 1920.0);
        assert_eq!(map.frame_h, 1080.0);
        assert_eq!((map.left, map.top), (0.0, 140.0));
        assert_eq!((map.x(320.0), map.y(320.0)), (960.0, 540.0));
        assert_eq!((map.x(-5.0), map.y(0.0)), (0.0, 0.0));
        assert_eq!((map.x(700.0), map.y(600.0)), (1920.0, 1080.0));
        assert!(map.check().is_ok());
    }
}
