// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Inference mode of rsdetect: an ONNX YOLO model, its pre-processing
//! (letterbox in one pass from the frame) and its decoding. No GStreamer
//! types here beyond what the element hands in, so the benchmark can drive
//! the same code.

use crate::onnx::{self, LoadedModel, ModelError, SessionConfig, TensorInfo};
use rstracking_core::detect::yolo::{
    self, BoxMapping, DecodeParams, Decoder, Detection, ModelMetadata, ModelType, OutputLayout,
};
use rstracking_core::image::{letterbox::Preprocessor, Frame, PixelLayout, YuvParams};
use rstracking_core::types::{KeypointState, Object};
use std::path::Path;
use std::time::{Duration, Instant};

/// Everything needed to load a model.
#[derive(Debug, Clone)]
pub struct ModelConfig {
    pub model: String,
    pub model_type: Option<ModelType>,
    pub labels_file: Option<String>,
    /// (width, height) for models with dynamic input sizes.
    pub input_size: Option<(u32, u32)>,
    pub session: SessionConfig,
    pub ort_library: Option<String>,
    pub params: DecodeParams,
}

/// Time spent in each stage of the last frame.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    pub pre: Duration,
    pub infer: Duration,
    pub post: Duration,
}

/// A loaded detector, configured per caps with [`Detector::configure`].
pub struct Detector {
    model: LoadedModel,
    input_name: String,
    /// Model input (width, height).
    input_w: u32,
    input_h: u32,
    meta: ModelMetadata,
    forced: Option<ModelType>,
    /// Resolved from the declared output shape, or at the first run when the
    /// shape is dynamic.
    layout: Option<OutputLayout>,
    labels: Vec<String>,
    pre: Option<Preprocessor>,
    tensor: Vec<f32>,
    decoder: Decoder,
    params: DecodeParams,
    dets: Vec<Detection>,
    pub times: StageTimes,
}

/// Parses `input-size`: "640" or "640x384" (width x height), multiples of 32
/// are not required but both must be > 0.
pub fn parse_input_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("input-size '{s}' is not N or WIDTHxHEIGHT (e.g. 640 or 640x384)");
    let t = s.trim();
    let (w, h) = match t.split_once(['x', 'X']) {
        Some((w, h)) => (w.trim(), h.trim()),
        None => (t, t),
    };
    let w: u32 = w.parse().map_err(|_| bad())?;
    let h: u32 = h.parse().map_err(|_| bad())?;
    if w == 0 || h == 0 || w > 8192 || h > 8192 {
        return Err(format!("input-size '{s}' must be within 1..=8192"));
    }
    Ok((w, h))
}

/// Parses `classes`: comma-separated class ids, e.g. "0,2".
pub fn parse_classes(s: &str) -> Result<Option<Vec<u32>>, String> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let mut v = s
        .split(',')
        .map(|t| {
            t.trim().parse::<u32>().map_err(|_| {
                format!(
                    "classes '{s}': '{}' is not a class id (expected e.g. 0,2)",
                    t.trim()
                )
            })
        })
        .collect::<Result<Vec<u32>, String>>()?;
    v.sort_unstable();
    v.dedup();
    Ok(Some(v))
}

impl Detector {
    /// Loads the runtime (once per process) and the model; checks its input
    /// and output against the supported layouts. Returns warnings to post.
    pub fn load(cfg: &ModelConfig) -> Result<(Detector, Vec<String>), ModelError> {
        let (rt, rt_warning) = onnx::runtime(cfg.ort_library.as_deref())?;
        let mut warnings: Vec<String> = rt_warning.into_iter().collect();
        let model = onnx::load_model(rt, Path::new(&cfg.model), &cfg.session)?;
        warnings.extend(model.warnings.iter().cloned());
        let detector = Self::from_model(cfg, model).map_err(ModelError::Model)?;
        if let (Some(l), Some(classes)) = (&detector.layout, &cfg.params.classes) {
            let out: Vec<String> = classes
                .iter()
                .filter(|c| **c as usize >= l.num_classes)
                .map(|c| c.to_string())
                .collect();
            if !out.is_empty() {
                warnings.push(format!(
                    "classes: {} out of range: model '{}' has {} classes (0..={}); those are never detected",
                    out.join(","),
                    cfg.model,
                    l.num_classes,
                    l.num_classes.saturating_sub(1)
                ));
            }
        }
        Ok((detector, warnings))
    }

    /// Checks a loaded model against the supported layouts and settings.
    fn from_model(cfg: &ModelConfig, model: LoadedModel) -> Result<Detector, String> {
        let (inputs, outputs) = onnx::io_info(&model.session);
        let input = check_input(cfg, &inputs)?;
        let meta_props = model
            .session
            .metadata()
            .map_err(|e| format!("Model '{}': cannot read its metadata: {e}", cfg.model))?;
        let meta = ModelMetadata::from_props(|k| meta_props.custom(k))
            .map_err(|e| format!("Model '{}': {e}", cfg.model))?;
        drop(meta_props);
        let (input_w, input_h) = input_size(cfg, &input.shape, &meta)?;
        let layout = output_layout(cfg, &outputs, &meta)?;
        let labels = load_labels(cfg, &meta, layout.as_ref())?;
        Ok(Detector {
            input_name: input.name.clone(),
            model,
            input_w,
            input_h,
            meta,
            forced: cfg.model_type,
            layout,
            labels,
            pre: None,
            tensor: Vec::new(),
            decoder: Decoder::new(),
            params: cfg.params.clone(),
            dets: Vec::new(),
            times: StageTimes::default(),
        })
    }

    /// Where the ONNX Runtime library came from, its version and the
    /// provider in use, for logging.
    pub fn runtime_description(&self) -> &str {
        &self.model.description
    }

    /// Model input size (width, height).
    pub fn input_size(&self) -> (u32, u32) {
        (self.input_w, self.input_h)
    }

    pub fn layout(&self) -> Option<&OutputLayout> {
        self.layout.as_ref()
    }

    /// Prepares the letterbox tables and the input tensor for frames of
    /// this layout and size (once per caps, not per frame).
    pub fn configure(
        &mut self,
        layout: PixelLayout,
        width: u32,
        height: u32,
        yuv: YuvParams,
    ) -> Result<(), String> {
        let pre = Preprocessor::new(layout, width, height, self.input_w, self.input_h, yuv)
            .map_err(|e| e.to_string())?;
        self.tensor.clear();
        self.tensor.resize(pre.tensor_len(), 0.0);
        pre.fill_padding(&mut self.tensor);
        self.pre = Some(pre);
        Ok(())
    }

    /// Letterboxes `frame` into the input tensor.
    pub fn preprocess(&mut self, frame: &Frame) -> Result<(), String> {
        let t0 = Instant::now();
        let pre = self
            .pre
            .as_ref()
            .ok_or_else(|| "rsdetect: no caps negotiated before the first frame".to_string())?;
        pre.run_content(frame, &mut self.tensor)
            .map_err(|e| e.to_string())?;
        self.times.pre = t0.elapsed();
        Ok(())
    }

    /// Runs the model on the tensor filled by [`Detector::preprocess`] and
    /// decodes into `out` (cleared first).
    pub fn infer(&mut self, out: &mut Vec<Object>) -> Result<(), String> {
        let pre = self
            .pre
            .as_ref()
            .ok_or_else(|| "rsdetect: no caps negotiated before the first frame".to_string())?;
        let lb = *pre.letterbox();
        let t0 = Instant::now();
        let outputs = onnx::run_nchw(
            &mut self.model.session,
            &self.input_name,
            &self.tensor,
            [1, 3, self.input_h as usize, self.input_w as usize],
        )?;
        let t1 = Instant::now();
        let (oshape, data) = outputs[0]
            .try_extract_tensor::<f32>()
            .map_err(|e| format!("Model output is not a float32 tensor: {e}"))?;
        let layout = match self.layout {
            Some(l) => l,
            None => {
                let dims: Vec<i64> = oshape.iter().copied().collect();
                let l = yolo::resolve_layout(&dims, &self.meta, self.forced)
                    .map_err(|e| e.to_string())?;
                self.layout = Some(l);
                l
            }
        };
        let map = BoxMapping {
            scale: lb.scale as f32,
            left: lb.left as f32,
            top: lb.top as f32,
            frame_w: lb.src_w as f32,
            frame_h: lb.src_h as f32,
        };
        self.decoder
            .decode(&layout, data, &map, &self.params, &mut self.dets)
            .map_err(|e| e.to_string())?;
        drop(outputs);
        out.clear();
        out.extend(self.dets.drain(..).map(|d| {
            let mut o = Object::new(d.bbox, d.score, d.class_id);
            o.label = self
                .labels
                .get(d.class_id as usize)
                .filter(|l| !l.is_empty())
                .cloned();
            o.keypoints = d.keypoints;
            for k in &mut o.keypoints {
                k.state = KeypointState::Measured;
            }
            o
        }));
        let t2 = Instant::now();
        self.times.infer = t1 - t0;
        self.times.post = t2 - t1;
        Ok(())
    }

    /// Bare `Session::run` on the current tensor (for the benchmark: the
    /// inference-only reference, same tensor, same session).
    pub fn run_bare(&mut self) -> Result<Duration, String> {
        let t0 = Instant::now();
        let outputs = onnx::run_nchw(
            &mut self.model.session,
            &self.input_name,
            &self.tensor,
            [1, 3, self.input_h as usize, self.input_w as usize],
        )?;
        drop(outputs);
        Ok(t0.elapsed())
    }
}

/// The model's one float32 `[1, 3, H, W]` image input.
fn check_input<'a>(cfg: &ModelConfig, inputs: &'a [TensorInfo]) -> Result<&'a TensorInfo, String> {
    let expected_in = "one float32 image input [1, 3, H, W]";
    if inputs.len() != 1 {
        let names: Vec<String> = inputs
            .iter()
            .map(|i| format!("{} {}", i.name, onnx::shape_str(&i.shape)))
            .collect();
        return Err(format!(
            "Model '{}' has {} inputs ({}); expected {expected_in}",
            cfg.model,
            inputs.len(),
            names.join(", ")
        ));
    }
    let input = &inputs[0];
    let s = &input.shape;
    if !input.is_f32 || s.len() != 4 || !(s[0] == 1 || s[0] < 0) || s[1] != 3 {
        return Err(format!(
            "Model '{}' input '{}' is {}{}; expected {expected_in}",
            cfg.model,
            input.name,
            onnx::shape_str(s),
            if input.is_f32 { "" } else { " (not float32)" }
        ));
    }
    Ok(input)
}

/// Input (width, height): the model's fixed size, else `input-size`, else
/// its `imgsz` metadata.
fn input_size(cfg: &ModelConfig, s: &[i64], meta: &ModelMetadata) -> Result<(u32, u32), String> {
    match (s[3] > 0, s[2] > 0, cfg.input_size) {
        (true, true, None) => Ok((s[3] as u32, s[2] as u32)),
        (true, true, Some((w, h))) if (w, h) == (s[3] as u32, s[2] as u32) => Ok((w, h)),
        (true, true, Some((w, h))) => Err(format!(
            "Model '{}' has a fixed input size {}x{} (input {}); input-size {w}x{h} cannot be used",
            cfg.model,
            s[3],
            s[2],
            onnx::shape_str(s)
        )),
        (_, _, Some(size)) => Ok(size),
        (_, _, None) => match meta.imgsz {
            Some((h, w)) => Ok((w, h)),
            None => Err(format!(
                "Model '{}' has a dynamic input {} and no imgsz metadata: set input-size (e.g. 640 or 640x384)",
                cfg.model,
                onnx::shape_str(s)
            )),
        },
    }
}

/// The output layout: resolved now for a fully declared shape, at the first
/// frame for a dynamic one (rank and batch are still checked here).
fn output_layout(
    cfg: &ModelConfig,
    outputs: &[TensorInfo],
    meta: &ModelMetadata,
) -> Result<Option<OutputLayout>, String> {
    let Some(output) = outputs.first() else {
        return Err(format!("Model '{}' has no outputs", cfg.model));
    };
    if !output.is_f32 {
        return Err(format!(
            "Model '{}' output '{}' is not a float32 tensor",
            cfg.model, output.name
        ));
    }
    let resolve = || {
        yolo::resolve_layout(&output.shape, meta, cfg.model_type)
            .map_err(|e| format!("Model '{}': {e}", cfg.model))
    };
    if output.shape.iter().all(|&d| d > 0) {
        return resolve().map(Some);
    }
    if output.shape.len() != 3 {
        resolve()?;
    }
    Ok(None)
}

/// Labels from `labels-file` (one per line), else the model's `names`.
fn load_labels(
    cfg: &ModelConfig,
    meta: &ModelMetadata,
    layout: Option<&OutputLayout>,
) -> Result<Vec<String>, String> {
    let Some(path) = &cfg.labels_file else {
        return Ok(meta.names.clone());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("Failed to read labels-file '{path}': {e}"))?;
    let labels: Vec<String> = text.lines().map(|l| l.trim().to_string()).collect();
    if let Some(l) = layout {
        if labels.len() < l.num_classes {
            return Err(format!(
                "labels-file '{path}' has {} lines; the model has {} classes",
                labels.len(),
                l.num_classes
            ));
        }
    }
    Ok(labels)
}
