// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Classifier outputs (rsclassify): one row of raw model values per crop →
//! the top class and its activated score.

/// How a row of raw outputs becomes scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Activation {
    /// The raw values (the model already outputs probabilities).
    None,
    /// exp(v_i − max) / Σ exp(v_j − max) over the row.
    #[default]
    Softmax,
    /// 1 / (1 + exp(−v_i)) per value (multi-label heads).
    Sigmoid,
}

impl Activation {
    /// Applies the activation to every value of `v` in place.
    pub fn apply(self, v: &mut [f32]) {
        match self {
            Activation::None => {}
            Activation::Sigmoid => v.iter_mut().for_each(|x| *x = 1.0 / (1.0 + (-*x).exp())),
            Activation::Softmax => {
                let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut sum = 0.0f32;
                for x in v.iter_mut() {
                    *x = (*x - max).exp();
                    sum += *x;
                }
                v.iter_mut().for_each(|x| *x /= sum);
            }
        }
    }
}

/// The index of the largest value of `row` (the first one on ties) and its
/// activated score; None for an empty row or one holding a non-finite
/// value.
pub fn top_class(row: &[f32], activation: Activation) -> Option<(u32, f32)> {
    if row.is_empty() || !row.iter().all(|v| v.is_finite()) {
        return None;
    }
    let (mut best, mut max) = (0usize, row[0]);
    for (i, &v) in row.iter().enumerate().skip(1) {
        if v > max {
            best = i;
            max = v;
        }
    }
    let score = match activation {
        Activation::None => max,
        Activation::Sigmoid => 1.0 / (1.0 + (-max).exp()),
        // Every term is exp(≤ 0) and the top one is 1: no overflow.
        Activation::Softmax => 1.0 / row.iter().map(|v| (v - max).exp()).sum::<f32>(),
    };
    Some((best as u32, score))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_class_and_activations() {
        let row = [1.0f32, 3.0, 2.0];
        assert_eq!(top_class(&row, Activation::None), Some((1, 3.0)));
        let (c, s) = top_class(&row, Activation::Softmax).unwrap();
        let want = 3.0f32.exp() / (1.0f32.exp() + 3.0f32.exp() + 2.0f32.exp());
        assert_eq!(c, 1);
        assert!((s - want).abs() < 1e-7, "{s} vs {want}");
        let (_, s) = top_class(&row, Activation::Sigmoid).unwrap();
        assert!((s - 1.0 / (1.0 + (-3.0f32).exp())).abs() < 1e-7);
        // Ties: the first; large values do not overflow.
        assert_eq!(top_class(&[2.0, 2.0], Activation::Softmax), Some((0, 0.5)));
        assert_eq!(
            top_class(&[1000.0, 0.0], Activation::Softmax),
            Some((0, 1.0))
        );
        assert_eq!(top_class(&[], Activation::Softmax), None);
        assert_eq!(top_class(&[1.0, f32::NAN], Activation::None), None);
    }
}
