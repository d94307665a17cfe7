// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! YUV → RGB conversion parameters and coefficients.

/// YUV → RGB matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YuvMatrix {
    Bt601,
    Bt709,
    Bt2020,
}

impl YuvMatrix {
    /// `(Kr, Kb)`.
    pub(crate) fn kr_kb(self) -> (f64, f64) {
        match self {
            YuvMatrix::Bt601 => (0.299, 0.114),
            YuvMatrix::Bt709 => (0.2126, 0.0722),
            YuvMatrix::Bt2020 => (0.2627, 0.0593),
        }
    }
}

/// How YUV frames are converted. Ignored for packed RGB layouts.
///
/// The default is BT.601, limited range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YuvParams {
    pub matrix: YuvMatrix,
    /// `true`: Y, U, V use `0..=255`; `false`: Y uses `16..=235` and U, V
    /// `16..=240`.
    pub full_range: bool,
}

impl Default for YuvParams {
    fn default() -> Self {
        YuvParams {
            matrix: YuvMatrix::Bt601,
            full_range: false,
        }
    }
}

/// YUV → normalised RGB as affine functions of the raw bytes:
/// `R = y·Y + rv·V + r0`, `G = y·Y + gu·U + gv·V + g0`, `B = y·Y + bu·U + b0`.
/// Used by the letterbox and the crops.
#[derive(Clone, Copy, Debug)]
pub(crate) struct YuvCoefs {
    pub(crate) y: f32,
    pub(crate) rv: f32,
    pub(crate) gu: f32,
    pub(crate) gv: f32,
    pub(crate) bu: f32,
    pub(crate) r0: f32,
    pub(crate) g0: f32,
    pub(crate) b0: f32,
}

impl YuvCoefs {
    pub(crate) fn new(p: YuvParams) -> Self {
        let (kr, kb) = p.matrix.kr_kb();
        let kg = 1.0 - kr - kb;
        // Scale of Y and of U, V to 0..255, then the final / 255.
        let (y_off, ys, cs) = if p.full_range {
            (0.0, 1.0, 1.0)
        } else {
            (16.0, 255.0 / 219.0, 255.0 / 224.0)
        };
        let y = ys / 255.0;
        let c = cs / 255.0;
        let rv = 2.0 * (1.0 - kr) * c;
        let bu = 2.0 * (1.0 - kb) * c;
        // G = (Y' − Kr·R − Kb·B) / Kg = Y' − (Kr·rv/Kg)·Cr − (Kb·bu/Kg)·Cb.
        let gv = -kr * rv / kg;
        let gu = -kb * bu / kg;
        let base = -y_off * y;
        YuvCoefs {
            y: y as f32,
            rv: rv as f32,
            gu: gu as f32,
            gv: gv as f32,
            bu: bu as f32,
            r0: (base - 128.0 * rv) as f32,
            g0: (base - 128.0 * (gu + gv)) as f32,
            b0: (base - 128.0 * bu) as f32,
        }
    }
}
