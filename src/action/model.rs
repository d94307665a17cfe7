// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rsaction's model: a batch of keypoint windows → one `Session::run` →
//! one row of class scores per window. Shared with the benchmark.

use crate::onnx::{self, LoadedModel, ModelError, SessionConfig};
use rstracking_core::action::Layout;
use std::path::Path;

/// V when the model leaves it dynamic: COCO-17.
pub const DEFAULT_JOINTS: usize = 17;

#[derive(Debug, Clone)]
pub struct ActionModelConfig {
    pub model: String,
    /// T: the window the element keeps.
    pub window: usize,
    pub session: SessionConfig,
    pub ort_library: Option<String>,
}

pub struct ActionModel {
    model: LoadedModel,
    input_name: String,
    pub layout: Layout,
    /// V.
    pub joints: usize,
    /// T.
    pub window: usize,
    /// Some(B) for a model with a fixed batch size B.
    pub fixed_batch: Option<usize>,
    /// Classes per output row, when the model declares it.
    pub classes: Option<usize>,
    padded: Vec<f32>,
}

const EXPECTED: &str = "one float32 input [N, 3, T, V, 1] (ST-GCN) or [N, T, V, 3]";

impl ActionModel {
    pub fn load(cfg: &ActionModelConfig) -> Result<(ActionModel, Vec<String>), ModelError> {
        let (rt, rt_warning) = onnx::runtime(cfg.ort_library.as_deref())?;
        let mut warnings: Vec<String> = rt_warning.into_iter().collect();
        let model = onnx::load_model(rt, Path::new(&cfg.model), &cfg.session)?;
        warnings.extend(model.warnings.iter().cloned());
        let m = Self::from_model(cfg, model).map_err(ModelError::Model)?;
        Ok((m, warnings))
    }

    /// Checks the input (rank, C, M, T against `window`) and the output.
    fn from_model(cfg: &ActionModelConfig, model: LoadedModel) -> Result<ActionModel, String> {
        let (inputs, outputs) = onnx::io_info(&model.session);
        let path = &cfg.model;
        if inputs.len() != 1 {
            return Err(format!(
                "Action model '{path}' has {} inputs; expected {EXPECTED}",
                inputs.len()
            ));
        }
        let i = &inputs[0];
        let s = &i.shape;
        let fits = |d: i64, want: i64| d == want || d < 0;
        let (layout, t, v) = match s.len() {
            5 if fits(s[1], 3) && fits(s[4], 1) => (Layout::Nctvm, s[2], s[3]),
            4 if fits(s[3], 3) => (Layout::Ntvc, s[1], s[2]),
            _ => (Layout::Ntvc, 0, 0),
        };
        if !i.is_f32 || v == 0 {
            return Err(format!(
                "Action model '{path}' input '{}' is {}{} (rank {}); expected {EXPECTED}",
                i.name,
                onnx::shape_str(s),
                if i.is_f32 { "" } else { ", not float32" },
                s.len()
            ));
        }
        if t > 0 && t as usize != cfg.window {
            return Err(format!(
                "Action model '{path}' has a fixed window T = {t}; window = {} cannot be used",
                cfg.window
            ));
        }
        let Some(o) = outputs.first() else {
            return Err(format!("Action model '{path}' has no outputs"));
        };
        if !o.is_f32 || o.shape.len() < 2 || o.shape[2..].iter().any(|&d| d != 1) {
            return Err(format!(
                "Action model '{path}' output '{}' is {}; expected float32 [N, classes]",
                o.name,
                onnx::shape_str(&o.shape)
            ));
        }
        Ok(ActionModel {
            input_name: i.name.clone(),
            layout,
            joints: if v > 0 { v as usize } else { DEFAULT_JOINTS },
            window: cfg.window,
            fixed_batch: (s[0] > 0).then_some(s[0] as usize),
            classes: (o.shape[1] > 0).then_some(o.shape[1] as usize),
            padded: Vec::new(),
            model,
        })
    }

    pub fn runtime_description(&self) -> &str {
        &self.model.description
    }

    /// Runs `n` windows (`tensor`: n slots of 3·T·V values in the model's
    /// layout) and calls `row(k, scores)` for each of them in order. One
    /// `Session::run` for all, or one per `fixed_batch` rows (the last
    /// chunk zero-padded). Returns the number of runs.
    pub fn run(
        &mut self,
        tensor: &[f32],
        n: usize,
        row: impl FnMut(usize, &[f32]),
    ) -> Result<u64, String> {
        let slot = 3 * self.window * self.joints;
        debug_assert_eq!(tensor.len(), n * slot);
        let batching = onnx::Batching {
            what: "Action model",
            input_name: &self.input_name,
            slot,
            fixed_batch: self.fixed_batch,
        };
        let (window, joints, layout) = (self.window, self.joints, self.layout);
        onnx::run_batched(
            &mut self.model.session,
            &batching,
            tensor,
            n,
            &mut self.padded,
            |run| shape(layout, run, window, joints),
            row,
        )
    }
}

/// The input shape of a run of `n` windows of `window` frames of `joints`
/// joints in `layout`.
fn shape(layout: Layout, n: usize, window: usize, joints: usize) -> Vec<usize> {
    match layout {
        Layout::Nctvm => vec![n, 3, window, joints, 1],
        Layout::Ntvc => vec![n, window, joints, 3],
    }
}
