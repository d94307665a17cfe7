// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The crop model of rsreid and rsclassify: crops of one frame → one
//! batched `Session::run` → one output row per crop (rsreid L2-normalises
//! the rows into embeddings, rsclassify takes their top class). Shared with
//! the benchmarks.

use crate::onnx::{self, LoadedModel, ModelError, SessionConfig};
use rstracking_core::embedding::l2_normalize;
use rstracking_core::image::crop::{crop_resize, Normalize};
use rstracking_core::image::{Frame, YuvParams};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct EmbedderConfig {
    /// What the model is for, in error messages ("Re-id", "Classification").
    pub kind: &'static str,
    pub model: String,
    /// (width, height); None = the model's fixed size, else 128×256.
    pub input_size: Option<(u32, u32)>,
    pub norm: Normalize,
    pub session: SessionConfig,
    pub ort_library: Option<String>,
}

/// Time spent on the last call.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmbedTimes {
    pub crop: Duration,
    pub infer: Duration,
}

pub struct Embedder {
    kind: &'static str,
    model: LoadedModel,
    input_name: String,
    input_w: usize,
    input_h: usize,
    /// Some(B) for a model with a fixed batch size B.
    fixed_batch: Option<usize>,
    /// D of a [batch, D] output, when the model fixes it.
    output_dim: Option<usize>,
    tensor: Vec<f32>,
    norm: Normalize,
    pub times: EmbedTimes,
}

impl Embedder {
    pub fn load(cfg: &EmbedderConfig) -> Result<(Embedder, Vec<String>), ModelError> {
        let (rt, rt_warning) = onnx::runtime(cfg.ort_library.as_deref())?;
        let mut warnings: Vec<String> = rt_warning.into_iter().collect();
        let model = onnx::load_model(rt, Path::new(&cfg.model), &cfg.session)?;
        warnings.extend(model.warnings.iter().cloned());
        let embedder = Self::from_model(cfg, model).map_err(ModelError::Model)?;
        Ok((embedder, warnings))
    }

    /// Checks a loaded crop model's input and output.
    fn from_model(cfg: &EmbedderConfig, model: LoadedModel) -> Result<Embedder, String> {
        let kind = cfg.kind;
        let (inputs, outputs) = onnx::io_info(&model.session);
        let expected = "one float32 input [batch, 3, H, W]";
        if inputs.len() != 1 {
            return Err(format!(
                "{kind} model '{}' has {} inputs; expected {expected}",
                cfg.model,
                inputs.len()
            ));
        }
        let i = &inputs[0];
        let s = &i.shape;
        if !i.is_f32 || s.len() != 4 || s[1] != 3 {
            return Err(format!(
                "{kind} model '{}' input '{}' is {}{}; expected {expected}",
                cfg.model,
                i.name,
                onnx::shape_str(s),
                if i.is_f32 { "" } else { " (not float32)" }
            ));
        }
        let (input_w, input_h) = match (s[3] > 0 && s[2] > 0, cfg.input_size) {
            (true, None) => (s[3] as usize, s[2] as usize),
            (true, Some((w, h))) if (w as i64, h as i64) == (s[3], s[2]) => {
                (w as usize, h as usize)
            }
            (true, Some((w, h))) => {
                return Err(format!(
                "{kind} model '{}' has a fixed input size {}x{}; input-size {w}x{h} cannot be used",
                cfg.model, s[3], s[2]
            ))
            }
            (false, Some((w, h))) => (w as usize, h as usize),
            (false, None) => (128, 256),
        };
        let Some(o) = outputs.first() else {
            return Err(format!("{kind} model '{}' has no outputs", cfg.model));
        };
        if !o.is_f32 || o.shape.len() < 2 || o.shape[2..].iter().any(|&d| d != 1) {
            return Err(format!(
                "{kind} model '{}' output '{}' is {}; expected a float32 [batch, D] (or [batch, D, 1, 1])",
                cfg.model,
                o.name,
                onnx::shape_str(&o.shape)
            ));
        }
        let fixed_batch = (s[0] > 0).then_some(s[0] as usize);
        let output_dim = o.shape.get(1).filter(|&&d| d > 0).map(|&d| d as usize);
        Ok(Embedder {
            kind,
            output_dim,
            input_name: i.name.clone(),
            model,
            input_w,
            input_h,
            fixed_batch,
            tensor: Vec::new(),
            norm: cfg.norm,
            times: EmbedTimes::default(),
        })
    }

    /// Where the ONNX Runtime library came from, its version and the
    /// provider in use, for logging.
    pub fn runtime_description(&self) -> &str {
        &self.model.description
    }

    /// Model input (width, height).
    pub fn input_size(&self) -> (usize, usize) {
        (self.input_w, self.input_h)
    }

    pub fn fixed_batch(&self) -> Option<usize> {
        self.fixed_batch
    }

    /// D of the model's [batch, D] output, when fixed.
    pub fn output_dim(&self) -> Option<usize> {
        self.output_dim
    }

    fn slot(&self) -> usize {
        3 * self.input_w * self.input_h
    }

    /// Crops `boxes` (x, y, w, h frame px) into the batch tensor. Returns,
    /// per box, whether it has pixels in the frame (false: no embedding).
    pub fn crop(
        &mut self,
        frame: &Frame,
        yuv: YuvParams,
        boxes: &[[f32; 4]],
        valid: &mut Vec<bool>,
    ) -> Result<(), String> {
        let t0 = Instant::now();
        let slot = self.slot();
        let batch = match self.fixed_batch {
            Some(b) => boxes.len().div_ceil(b) * b,
            None => boxes.len(),
        };
        // Grows to the largest batch seen, then stays (no per-frame
        // allocation in steady state).
        if self.tensor.len() < batch * slot {
            self.tensor.resize(batch * slot, 0.0);
        }
        valid.clear();
        for (i, b) in boxes.iter().enumerate() {
            let out = &mut self.tensor[i * slot..(i + 1) * slot];
            match crop_resize(frame, yuv, *b, self.input_w, self.input_h, &self.norm, out) {
                Ok(_) => valid.push(true),
                Err(rstracking_core::image::crop::CropError::Empty { .. }) => {
                    out.fill(0.0);
                    valid.push(false)
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        // Padding rows of a fixed-batch model.
        self.tensor[boxes.len() * slot..batch * slot].fill(0.0);
        self.times.crop = t0.elapsed();
        Ok(())
    }

    /// Runs the crops of the last [`Embedder::crop`] (`n` of them) and
    /// returns one L2-normalised embedding per crop (None when the model
    /// gave a zero or non-finite vector).
    pub fn infer(&mut self, n: usize, out: &mut Vec<Option<Arc<[f32]>>>) -> Result<(), String> {
        out.clear();
        self.run_rows(n, |row| {
            let mut v = row.to_vec();
            let norm = l2_normalize(&mut v);
            out.push((norm.is_finite() && norm > 0.0).then(|| Arc::from(v)));
        })
    }

    /// Runs the crops of the last [`Embedder::crop`] (`n` of them) as one
    /// batch (chunks of a fixed batch size) and calls `row` with each
    /// crop's output row, in order.
    pub fn run_rows(&mut self, n: usize, mut row: impl FnMut(&[f32])) -> Result<(), String> {
        if n == 0 {
            return Ok(());
        }
        let t0 = Instant::now();
        let batching = onnx::Batching {
            what: self.kind,
            input_name: &self.input_name,
            slot: self.slot(),
            fixed_batch: self.fixed_batch,
        };
        let (h, w) = (self.input_h, self.input_w);
        // The tensor holds the padding of a fixed batch already (`crop`).
        onnx::run_batched(
            &mut self.model.session,
            &batching,
            &self.tensor,
            n,
            &mut Vec::new(),
            |run| vec![run, 3, h, w],
            |_, r| row(r),
        )?;
        self.times.infer = t0.elapsed();
        Ok(())
    }

    /// Bare `Session::run` on the first `n` crops as one batch (benchmark).
    pub fn run_bare(&mut self, n: usize) -> Result<Duration, String> {
        let slot = self.slot();
        let shape = [n, 3, self.input_h, self.input_w];
        let t0 = Instant::now();
        let outputs = onnx::run_nchw(
            &mut self.model.session,
            &self.input_name,
            &self.tensor[..n * slot],
            shape,
        )?;
        drop(outputs);
        Ok(t0.elapsed())
    }
}
