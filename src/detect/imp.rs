// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::infer::{self, Detector, ModelConfig};
use crate::meta::TrackingMeta;
use crate::onnx::OrtSettings;
use crate::settings_error;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;
use rstracking_core::detect::yolo::{DecodeParams, ModelType};
use rstracking_core::image::PixelLayout;
use rstracking_core::io::mot::{self, DetectionsByFrame, ImportNotes, MotDetections};
use rstracking_core::io::schema;
use rstracking_core::types::{FrameObjects, Object};
use std::sync::{LazyLock, Mutex};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rsdetect",
        gst::DebugColorFlags::empty(),
        Some("Object detection / detection import"),
    )
});

/// `model-type` property values.
#[derive(Debug, Eq, PartialEq, Ord, PartialOrd, Hash, Clone, Copy, Default, glib::Enum)]
#[repr(u32)]
#[enum_type(name = "GstRsDetectModelType")]
pub enum ModelTypeProp {
    #[default]
    #[enum_value(name = "Recognise from the output shape and metadata", nick = "auto")]
    Auto = 0,
    #[enum_value(name = "YOLOv5: [1, N, 5+nc] with objectness", nick = "yolov5")]
    Yolov5 = 1,
    #[enum_value(name = "YOLOv8/YOLO11: [1, 4+nc, N]", nick = "yolov8")]
    Yolov8 = 2,
    #[enum_value(name = "YOLOv8/YOLO11 pose: [1, 4+nc+3K, N]", nick = "yolov8-pose")]
    Yolov8Pose = 3,
    #[enum_value(name = "NMS-free YOLOv10/YOLO26: [1, N, 6]", nick = "end2end")]
    End2End = 4,
    #[enum_value(name = "NMS-free YOLO26 pose: [1, N, 6+3K]", nick = "end2end-pose")]
    End2EndPose = 5,
}

impl ModelTypeProp {
    fn to_core(self) -> Option<ModelType> {
        match self {
            ModelTypeProp::Auto => None,
            ModelTypeProp::Yolov5 => Some(ModelType::Yolov5),
            ModelTypeProp::Yolov8 => Some(ModelType::Yolov8),
            ModelTypeProp::Yolov8Pose => Some(ModelType::Yolov8Pose),
            ModelTypeProp::End2End => Some(ModelType::End2End),
            ModelTypeProp::End2EndPose => Some(ModelType::End2EndPose),
        }
    }
}

const DEFAULT_CONFIDENCE: f32 = 0.25;
const DEFAULT_IOU: f32 = 0.45;
const DEFAULT_MAX_DETECTIONS: u32 = 300;
const DEFAULT_INTERVAL: u32 = 1;

/// `frame-index` property values.
#[derive(Debug, Eq, PartialEq, Clone, Copy, Default, glib::Enum)]
#[repr(u32)]
#[enum_type(name = "GstRsDetectFrameIndex")]
pub enum FrameIndexProp {
    #[default]
    #[enum_value(
        name = "Count the buffers (0, 1, 2, ... since start; from the stream time after a flush)",
        nick = "count"
    )]
    Count = 0,
    #[enum_value(
        name = "From each buffer's stream time and the caps' frame rate (frames dropped upstream, e.g. by rsstride, keep their numbers)",
        nick = "timestamp"
    )]
    Timestamp = 1,
}

#[derive(Debug, Clone)]
struct Settings {
    detections: Option<String>,
    frame_index: FrameIndexProp,
    stream_name: Option<String>,
    model: Option<String>,
    model_type: ModelTypeProp,
    labels_file: Option<String>,
    input_size: Option<String>,
    confidence_threshold: f32,
    iou_threshold: f32,
    max_detections: u32,
    classes: Option<String>,
    min_size: f32,
    interval: u32,
    ort: OrtSettings,
    spinning: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            detections: None,
            frame_index: FrameIndexProp::Count,
            stream_name: None,
            model: None,
            model_type: ModelTypeProp::Auto,
            labels_file: None,
            input_size: None,
            confidence_threshold: DEFAULT_CONFIDENCE,
            iou_threshold: DEFAULT_IOU,
            max_detections: DEFAULT_MAX_DETECTIONS,
            classes: None,
            min_size: 0.0,
            interval: DEFAULT_INTERVAL,
            ort: OrtSettings::default(),
            spinning: false,
        }
    }
}

/// Imported detections: a MOT det.txt as compact rows (objects are built
/// per buffer), JSON Lines as objects (they carry labels, keypoints,
/// embeddings).
enum Dets {
    Mot(MotDetections),
    Jsonl(DetectionsByFrame),
}

impl Dets {
    fn notes(&self) -> &ImportNotes {
        match self {
            Dets::Mot(d) => &d.notes,
            Dets::Jsonl(d) => &d.notes,
        }
    }

    fn objects(&self, frame: u64) -> Vec<Object> {
        match self {
            Dets::Mot(d) => d.objects(frame),
            // Cloned, not taken: after a flush the same frames are replayed.
            Dets::Jsonl(d) => d.frames.get(&frame).cloned().unwrap_or_default(),
        }
    }

    /// The frames with detections (or, JSONL, a frame line) at or after
    /// `frame`: (how many, first, last).
    fn frames_from(&self, frame: u64) -> Option<(usize, u64, u64)> {
        let count = |it: &mut dyn Iterator<Item = u64>| {
            it.fold(None, |acc, f| match acc {
                None => Some((1, f, f)),
                Some((n, first, _)) => Some((n + 1, first, f)),
            })
        };
        match self {
            Dets::Mot(d) => count(&mut d.frames_from(frame)),
            Dets::Jsonl(d) => count(&mut d.frames.range(frame..).map(|(f, _)| *f)),
        }
    }

    /// Detections and frames (for the log).
    fn size(&self) -> (usize, usize) {
        match self {
            Dets::Mot(d) => (d.rows().len(), d.frames_from(0).count()),
            Dets::Jsonl(d) => (d.frames.values().map(Vec::len).sum(), d.frames.len()),
        }
    }

    /// Detections whose box lies entirely outside a `width`×`height` frame
    /// (no overlap; touching an edge counts as outside): how many, and the
    /// first frame that has one.
    fn outside(&self, width: u32, height: u32) -> (u64, Option<u64>) {
        let (w, h) = (width as f32, height as f32);
        let out = |b: &rstracking_core::types::BBox| {
            b.x + b.w <= 0.0 || b.y + b.h <= 0.0 || b.x >= w || b.y >= h
        };
        let mut n = 0u64;
        let mut first = None;
        let mut add = |frame: u64| {
            n += 1;
            first.get_or_insert(frame);
        };
        match self {
            Dets::Mot(d) => d
                .rows()
                .iter()
                .filter(|r| out(&r.bbox))
                .for_each(|r| add(u64::from(r.frame))),
            Dets::Jsonl(d) => d
                .frames
                .iter()
                .flat_map(|(f, objs)| objs.iter().map(move |o| (*f, o)))
                .filter(|(_, o)| out(&o.bbox))
                .for_each(|(f, _)| add(f)),
        }
        (n, first)
    }
}

struct Imported {
    path: String,
    dets: Dets,
    stream: Option<String>,
    /// JSONL: the frame size its lines record (`width`, `height`).
    recorded_size: Option<(u32, u32)>,
    /// The stream's frame size, from the caps.
    caps_size: Option<(u32, u32)>,
    /// The checks against the frame size were made (once per start, at
    /// the first buffer with caps).
    frame_checked: bool,
}

struct Model {
    detector: Detector,
    interval: u32,
    /// Negotiated video info (None before caps).
    info: Option<gst_video::VideoInfo>,
    layout: PixelLayout,
    objects: Vec<Object>,
}

enum Mode {
    Import(Imported),
    Model(Box<Model>),
}

struct State {
    mode: Mode,
    /// Buffers since start or the last flush.
    frame: u64,
    /// Stream (camera) name of the objects: `stream-name`, else the
    /// stream-start's stream id, else the element name. Upstream metas and
    /// JSONL files that carry one keep theirs.
    stream: String,
    /// `stream` came from the property (a stream-start does not replace it).
    stream_from_property: bool,
    /// After a flush (a flushing seek), the next buffer's frame index is
    /// taken from its stream time and the frame rate.
    resync: bool,
    /// `frame-index=timestamp`: every buffer's is.
    index_from_timestamp: bool,
}

#[derive(Default)]
pub struct RsDetect {
    publish: crate::interop::PublishSetting,
    stats: crate::stats::StatsProbe,
    // Mutex order: settings before state.
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
    /// The "put videoconvert before rsdetect" error was posted (once per
    /// start).
    format_hint_posted: std::sync::atomic::AtomicBool,
}

#[glib::object_subclass]
impl ObjectSubclass for RsDetect {
    const NAME: &'static str = "GstRsDetect";
    type Type = super::RsDetect;
    type ParentType = gst_base::BaseTransform;
}

use crate::string_prop;

impl ObjectImpl for RsDetect {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                string_prop("detections", "Detections file", "Import mode: MOTChallenge det.txt (7 or 10 columns) or JSON Lines (schema rstracking/1, recognised by a first '{'); detections of frame i go to the i-th buffer"),
                string_prop("model", "ONNX model", "Inference mode: an Ultralytics-style YOLO ONNX model (YOLOv5, YOLOv8/YOLO11, their pose heads, NMS-free YOLOv10/YOLO26); recognised from its output shape and metadata"),
                glib::ParamSpecEnum::builder_with_default("model-type", ModelTypeProp::Auto)
                    .nick("Model type")
                    .blurb("Output layout of the model; auto recognises it from the output shape and the Ultralytics metadata (task, kpt_shape, end2end)")
                    .mutable_ready()
                    .build(),
                string_prop("stream-name", "Stream name", "Camera/stream name written with the objects (also over the stream of an imported JSONL file); default: the JSONL file's stream in import mode, else the stream-start's stream id, else the element name"),
                string_prop("labels-file", "Labels file", "One class label per line (line i = class i); default: the model's 'names' metadata"),
                string_prop("input-size", "Input size", "Model input size for models with a dynamic input, 'N' or 'WIDTHxHEIGHT' (e.g. 640x384); default: the model's fixed size, else its imgsz metadata"),
                glib::ParamSpecFloat::builder("confidence-threshold")
                    .nick("Confidence threshold")
                    .blurb("Detections with a score at or below this are dropped")
                    .minimum(0.0)
                    .maximum(1.0)
                    .default_value(DEFAULT_CONFIDENCE)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecFloat::builder("iou-threshold")
                    .nick("NMS IoU threshold")
                    .blurb("Class-aware non-maximum suppression: a box overlapping a better box of the same class by more than this IoU is dropped (not used by NMS-free models)")
                    .minimum(0.0)
                    .maximum(1.0)
                    .default_value(DEFAULT_IOU)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("max-detections")
                    .nick("Maximum detections")
                    .blurb("At most this many detections per frame, best first")
                    .minimum(1)
                    .maximum(100_000)
                    .default_value(DEFAULT_MAX_DETECTIONS)
                    .mutable_ready()
                    .build(),
                string_prop("classes", "Classes", "Keep only these class ids, comma-separated (e.g. '0,2'); empty = all"),
                glib::ParamSpecFloat::builder("min-size")
                    .nick("Minimum size")
                    .blurb("Drop boxes narrower or shorter than this many frame pixels (before NMS); 0 = off")
                    .minimum(0.0)
                    .maximum(100_000.0)
                    .default_value(0.0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("interval")
                    .nick("Inference interval")
                    .blurb("Run the model on one frame in N (frames 0, N, 2N, ... since start/flush); the others pass without a detections meta, so a tracker downstream predicts")
                    .minimum(1)
                    .maximum(10_000)
                    .default_value(DEFAULT_INTERVAL)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("frame-index", FrameIndexProp::Count)
                    .nick("Frame index")
                    .blurb("How each frame's index (JSON 'frame', the detections file's frame) is counted")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("spinning")
                    .nick("Spinning worker threads")
                    .blurb("Let ONNX Runtime's threads busy-wait between operators (a little lower latency on idle cores; off leaves the cores to the pipeline)")
                    .default_value(false)
                    .mutable_ready()
                    .build(),
            ]
            .into_iter()
            .chain(OrtSettings::param_specs())
            .collect()
        });
        static ALL: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            PROPS
                .iter()
                .cloned()
                .chain([
                    crate::interop::publish_meta_param_spec(),
                    crate::stats::param_spec(),
                ])
                .collect()
        });
        ALL.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        if pspec.name() == "publish-meta" {
            self.publish
                .set(value.get().expect("type checked upstream"));
            return;
        }
        if pspec.name() == crate::stats::PROPERTY {
            self.stats
                .set_interval_ms(value.get().expect("type checked upstream"));
            return;
        }
        let mut s = self.settings.lock().unwrap();
        if s.ort.set(pspec.name(), value) {
            return;
        }
        use crate::opt_string;
        match pspec.name() {
            "detections" => s.detections = opt_string(value),
            "model" => s.model = opt_string(value),
            "model-type" => s.model_type = value.get().expect("type checked upstream"),
            "labels-file" => s.labels_file = opt_string(value),
            "stream-name" => s.stream_name = opt_string(value),
            "frame-index" => s.frame_index = value.get().expect("type checked upstream"),
            "input-size" => s.input_size = opt_string(value),
            "confidence-threshold" => {
                s.confidence_threshold = value.get().expect("type checked upstream")
            }
            "iou-threshold" => s.iou_threshold = value.get().expect("type checked upstream"),
            "max-detections" => s.max_detections = value.get().expect("type checked upstream"),
            "classes" => s.classes = opt_string(value),
            "min-size" => s.min_size = value.get().expect("type checked upstream"),
            "interval" => s.interval = value.get().expect("type checked upstream"),
            "spinning" => s.spinning = value.get().expect("type checked upstream"),
            other => unreachable!("unknown property {other}"),
        }
        gst::info!(CAT, imp = self, "{} set", pspec.name());
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        if pspec.name() == "publish-meta" {
            return self.publish.get().to_value();
        }
        if pspec.name() == crate::stats::PROPERTY {
            return self.stats.interval_ms().to_value();
        }
        let s = self.settings.lock().unwrap();
        if let Some(v) = s.ort.get(pspec.name()) {
            return v;
        }
        match pspec.name() {
            "detections" => s.detections.to_value(),
            "model" => s.model.to_value(),
            "model-type" => s.model_type.to_value(),
            "labels-file" => s.labels_file.to_value(),
            "stream-name" => s.stream_name.to_value(),
            "frame-index" => s.frame_index.to_value(),
            "input-size" => s.input_size.to_value(),
            "confidence-threshold" => s.confidence_threshold.to_value(),
            "iou-threshold" => s.iou_threshold.to_value(),
            "max-detections" => s.max_detections.to_value(),
            "classes" => s.classes.to_value(),
            "min-size" => s.min_size.to_value(),
            "interval" => s.interval.to_value(),
            "spinning" => s.spinning.to_value(),
            other => unreachable!("unknown property {other}"),
        }
    }
}

impl GstObjectImpl for RsDetect {}

impl ElementImpl for RsDetect {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Object detector",
                "Filter/Analyzer/Video",
                "Detects objects (and poses) with a YOLO ONNX model, or imports stored detections (MOT det.txt, rstracking JSON Lines), into the tracking meta",
                "gst-rstracking developers",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> =
            LazyLock::new(crate::meta_transform_pad_templates);
        TEMPLATES.as_ref()
    }
}

/// Whether the file's first character, after a UTF-8 byte order mark and
/// whitespace, is `{` (JSON Lines).
fn starts_with_brace(path: &str) -> std::io::Result<bool> {
    use std::io::BufRead;
    let mut r = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut start = true;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        let skip = if start && buf.starts_with("\u{feff}".as_bytes()) {
            3
        } else {
            0
        };
        start = false;
        match buf[skip..]
            .iter()
            .position(|b| !(b.is_ascii_whitespace() || *b == 0x0b))
        {
            Some(i) => return Ok(buf[skip + i] == b'{'),
            None => {
                let n = buf.len();
                r.consume(n);
            }
        }
    }
}

/// Reads and parses a detections file; the format is chosen by content.
/// A MOT det.txt is read line by line into compact rows.
fn load(path: &str) -> Result<Imported, gst::ErrorMessage> {
    // A FIFO or device would block start() until a writer appears (and
    // could not be interrupted); a directory gives a confusing OS error.
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            return Err(gst::error_msg!(
                gst::ResourceError::OpenRead,
                (
                    "Detections file '{}' is not a regular file ({}): detections are read whole at start",
                    path,
                    if m.is_dir() { "a directory" } else { "a FIFO, socket or device" }
                )
            ))
        }
        _ => {}
    }
    let read_error = |e: std::io::Error| {
        gst::error_msg!(
            gst::ResourceError::OpenRead,
            ("Failed to read detections file '{}': {}", path, e)
        )
    };
    let malformed = |e: mot::ParseError| {
        gst::error_msg!(
            gst::StreamError::Format,
            ("Malformed detections file {}", e)
        )
    };
    if starts_with_brace(path).map_err(read_error)? {
        let text = std::fs::read_to_string(path).map_err(read_error)?;
        let j = schema::parse_jsonl(&text, path).map_err(malformed)?;
        Ok(Imported {
            path: path.to_string(),
            dets: Dets::Jsonl(j.detections),
            stream: j.stream,
            recorded_size: j.frame_size.map(|(w, h, _)| (w, h)),
            caps_size: None,
            frame_checked: false,
        })
    } else {
        let file = std::fs::File::open(path).map_err(read_error)?;
        let reader = std::io::BufReader::with_capacity(1 << 16, file);
        let dets = mot::read_detections(reader, path).map_err(|e| match e {
            mot::ReadError::Io(e) => read_error(e),
            mot::ReadError::Parse(e) => malformed(e),
        })?;
        Ok(Imported {
            path: path.to_string(),
            dets: Dets::Mot(dets),
            stream: None,
            recorded_size: None,
            caps_size: None,
            frame_checked: false,
        })
    }
}

/// `n` and `word`, plural unless `n` is 1.
fn count(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The warnings about what import dropped or noticed, posted at start.
fn import_warnings(path: &str, notes: &ImportNotes) -> Vec<String> {
    let mut w = Vec::new();
    let d = notes.dropped;
    if d.count > 0 {
        w.push(format!(
            "'{}': {} dropped (non-finite value or non-positive box size), first at line {}",
            path,
            count(d.count, "detection"),
            d.first_line
        ));
    }
    for (d, what) in [
        (notes.dropped_keypoints, "keypoints"),
        (notes.dropped_embeddings, "embeddings"),
    ] {
        if d.count > 0 {
            w.push(format!(
                "'{}': {} of {} dropped (non-finite value), first at line {}",
                path,
                what,
                count(d.count, "object"),
                d.first_line
            ));
        }
    }
    if let Some((max, line)) = notes.max_score.filter(|(m, _)| *m > 1.0) {
        w.push(format!("Detection scores in '{path}' go up to {max} (line {line}), above 1.0; score thresholds of the tracker assume scores in [0,1]"));
    }
    if let Some((min, line)) = notes.min_score.filter(|(m, _)| *m < 0.0) {
        w.push(format!("Detection scores in '{path}' go down to {min} (line {line}), below 0.0; score thresholds of the tracker assume scores in [0,1]"));
    }
    w
}

/// The warnings about the imported boxes and the stream's frame size,
/// once `imp.caps_size` is known (then `imp.frame_checked` is set).
fn frame_warnings(imp: &mut Imported) -> Vec<String> {
    let Some((width, height)) = imp.caps_size else {
        return Vec::new();
    };
    imp.frame_checked = true;
    let mut w = Vec::new();
    if let Some((rw, rh)) = imp.recorded_size.filter(|s| *s != (width, height)) {
        w.push(format!(
            "'{}' was recorded at {rw}x{rh} but the stream is {width}x{height}: boxes are in the recorded frame's pixels",
            imp.path
        ));
    }
    if let (n, Some(first)) = imp.dets.outside(width, height) {
        w.push(format!(
            "'{}': {} entirely outside the {width}x{height} frame (first on frame {first}, 0-based); they are kept, not clipped",
            imp.path,
            count(n, "detection")
        ));
    }
    w
}

impl RsDetect {
    fn start_import(&self, path: &str) -> Result<Mode, gst::ErrorMessage> {
        let imported = load(path)?;
        let (n, frames) = imported.dets.size();
        gst::info!(
            CAT,
            imp = self,
            "Loaded {n} detections on {frames} frames from {path}"
        );
        for w in import_warnings(path, imported.dets.notes()) {
            gst::element_imp_warning!(self, gst::StreamError::Format, ("{}", w));
        }
        Ok(Mode::Import(imported))
    }

    fn start_model(&self, s: &Settings, model: &str) -> Result<Mode, gst::ErrorMessage> {
        let input_size = s
            .input_size
            .as_deref()
            .map(infer::parse_input_size)
            .transpose()
            .map_err(settings_error)?;
        let classes =
            infer::parse_classes(s.classes.as_deref().unwrap_or("")).map_err(settings_error)?;
        let cfg = ModelConfig {
            model: model.to_string(),
            model_type: s.model_type.to_core(),
            labels_file: s.labels_file.clone(),
            input_size,
            session: s.ort.session(s.spinning),
            ort_library: s.ort.ort_library.clone(),
            params: DecodeParams {
                confidence_threshold: s.confidence_threshold,
                iou_threshold: s.iou_threshold,
                max_detections: s.max_detections as usize,
                classes,
                min_size: s.min_size,
            },
        };
        let (detector, warnings) = Detector::load(&cfg).map_err(|e| e.to_message())?;
        for w in warnings {
            gst::element_imp_warning!(self, gst::LibraryError::Settings, ("{}", w));
        }
        gst::info!(
            CAT,
            imp = self,
            "Loaded model {model}: input {:?}, layout {:?}, {}",
            detector.input_size(),
            detector.layout(),
            detector.runtime_description()
        );
        Ok(Mode::Model(Box::new(Model {
            detector,
            interval: s.interval,
            info: None,
            layout: PixelLayout::Rgb,
            objects: Vec::new(),
        })))
    }

    /// Runs the model on one frame. Errors come back as messages, posted by
    /// the caller once the state lock is released.
    fn detect(
        &self,
        m: &mut Model,
        buf: &mut gst::BufferRef,
        frame: u64,
        stream: &str,
    ) -> Result<(), gst::ErrorMessage> {
        let Some(info) = m.info.as_ref() else {
            return Err(gst::error_msg!(
                gst::CoreError::Negotiation,
                (
                    "Frame {}: no caps negotiated before the first buffer",
                    frame
                )
            ));
        };
        {
            let vf =
                gst_video::VideoFrameRef::from_buffer_ref_readable(&*buf, info).map_err(|_| {
                    gst::error_msg!(
                        gst::StreamError::Failed,
                        ("Failed to map video buffer {} readable", frame)
                    )
                })?;
            let f = crate::core_frame(&vf, m.layout);
            m.detector.preprocess(&f).map_err(|e| {
                gst::error_msg!(gst::StreamError::Failed, ("Frame {}: {}", frame, e))
            })?;
        }
        m.detector
            .infer(&mut m.objects)
            .map_err(|e| gst::error_msg!(gst::StreamError::Failed, ("Frame {}: {}", frame, e)))?;
        let t = m.detector.times;
        gst::trace!(
            CAT,
            imp = self,
            "frame {frame}: {} detections; pre {:?} infer {:?} post {:?}",
            m.objects.len(),
            t.pre,
            t.infer,
            t.post
        );
        let stream = buf
            .meta::<TrackingMeta>()
            .and_then(|mt| mt.frame().stream.clone())
            .unwrap_or_else(|| stream.to_string());
        TrackingMeta::add(
            buf,
            FrameObjects {
                stream: Some(stream),
                frame: Some(frame),
                objects: std::mem::take(&mut m.objects),
            },
        );
        Ok(())
    }
}

impl RsDetect {
    /// The other side of the element offers only `caps`, none of which the
    /// model can read: a warning that names them and the fix (once per
    /// start), just before negotiation fails.
    fn post_format_hint(&self, caps: &gst::Caps) {
        use std::sync::atomic::Ordering;
        if self.format_hint_posted.swap(true, Ordering::Relaxed) {
            return;
        }
        // A warning, not an error: negotiation fails anyway (upstream
        // posts not-negotiated); this says why and what to do.
        gst::element_imp_warning!(
            self,
            gst::CoreError::Negotiation,
            (
                "The model cannot read {} (supported: RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, I420, NV12 in system memory); put videoconvert before rsdetect",
                caps
            )
        );
    }

    /// At EOS in import mode: the warning about detections for frames the
    /// stream never reached, if any.
    ///
    /// With `frame-index=timestamp`, frames dropped upstream (rsstride)
    /// are not past the end: the end is the stream's duration (from a
    /// duration query and the caps' frame rate); without one, no warning.
    fn detections_past_the_end(&self) -> Option<String> {
        let by_timestamp = self
            .state
            .lock()
            .unwrap()
            .as_ref()
            .is_some_and(|s| s.index_from_timestamp);
        let end_by_duration = if by_timestamp {
            Some(self.frames_in_duration()?)
        } else {
            None
        };
        let guard = self.state.lock().unwrap();
        let State {
            mode: Mode::Import(imp),
            frame,
            ..
        } = guard.as_ref()?
        else {
            return None;
        };
        let frame = &end_by_duration.unwrap_or(*frame);
        let (n, first, last) = imp.dets.frames_from(*frame)?;
        Some(format!(
            "'{}' has detections for {} frames past the end of the stream ({} frames; frames {}..={}, 0-based)",
            imp.path, n, frame, first, last
        ))
    }
}

impl BaseTransformImpl for RsDetect {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let settings = self.settings.lock().unwrap().clone();
        if settings.frame_index == FrameIndexProp::Timestamp && settings.interval > 1 {
            return Err(settings_error(format!(
                "frame-index=timestamp with interval={}: the frames not analysed would carry no frame number; drop them before conversion with rsstride interval={} instead",
                settings.interval, settings.interval
            )));
        }
        let mode = match (&settings.detections, &settings.model) {
            (Some(_), Some(_)) => {
                return Err(settings_error(
                    "Set either 'detections' (import mode) or 'model' (inference mode), not both"
                        .to_string(),
                ))
            }
            (None, None) => {
                return Err(settings_error(
                    "Neither 'model' (an ONNX file) nor 'detections' (a detections file to import) is set".to_string(),
                ))
            }
            (Some(path), None) => self.start_import(path)?,
            (None, Some(model)) => self.start_model(&settings, model)?,
        };
        let stream_from_property = settings.stream_name.is_some();
        let stream = settings
            .stream_name
            .clone()
            .unwrap_or_else(|| self.obj().name().to_string());
        *self.state.lock().unwrap() = Some(State {
            mode,
            frame: 0,
            stream,
            stream_from_property,
            resync: false,
            index_from_timestamp: settings.frame_index == FrameIndexProp::Timestamp,
        });
        self.format_hint_posted
            .store(false, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *self.state.lock().unwrap() = None;
        self.stats.stop();
        gst::info!(CAT, imp = self, "Stopped");
        Ok(())
    }

    fn transform_caps(
        &self,
        _direction: gst::PadDirection,
        caps: &gst::Caps,
        filter: Option<&gst::Caps>,
    ) -> Option<gst::Caps> {
        // Inference reads pixels: only the formats it converts itself, in
        // system memory (so a videoconvert in front converts to one of
        // them). When data flows and the other side offers none of them, a
        // warning names the caps and the fix before negotiation fails (at
        // link time GStreamer's own "can't handle caps" error says it).
        // Import mode never reads pixels: any video.
        let model_mode = self.settings.lock().unwrap().model.is_some();
        let negotiating = self.obj().current_state() >= gst::State::Paused;
        if !model_mode {
            return Some(match filter {
                Some(f) => f.intersect_with_mode(caps, gst::CapsIntersectMode::First),
                None => caps.clone(),
            });
        }
        let readable =
            caps.intersect_with_mode(&crate::raw_rgb_yuv_caps(), gst::CapsIntersectMode::First);
        let out = match filter {
            Some(f) => f.intersect_with_mode(&readable, gst::CapsIntersectMode::First),
            None => readable.clone(),
        };
        if negotiating && out.is_empty() {
            // Name the side that offers nothing readable.
            let offered = if readable.is_empty() {
                Some(caps)
            } else {
                filter
            };
            if let Some(offered) = offered.filter(|c| !c.is_empty() && !c.is_any()) {
                self.post_format_hint(offered);
            }
        }
        Some(out)
    }

    fn set_caps(&self, incaps: &gst::Caps, _outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let mut guard = self.state.lock().unwrap();
        let m = match guard.as_mut() {
            Some(State {
                mode: Mode::Model(m),
                ..
            }) => m,
            Some(State {
                mode: Mode::Import(imp),
                ..
            }) => {
                // Import mode reads no pixels: only the frame size, for
                // the checks at the first buffer.
                let s = incaps.structure(0);
                let dim = |name: &str| {
                    s.and_then(|s| s.get::<i32>(name).ok())
                        .and_then(|v| u32::try_from(v).ok())
                };
                if let (Some(w), Some(h)) = (dim("width"), dim("height")) {
                    imp.caps_size = Some((w, h));
                }
                return Ok(());
            }
            None => return Ok(()),
        };
        let info = gst_video::VideoInfo::from_caps(incaps)
            .map_err(|_| gst::loggable_error!(CAT, "Cannot parse caps {incaps}"))?;
        let Some(layout) = crate::pixel_layout(info.format()) else {
            gst::element_imp_error!(
                self,
                gst::CoreError::Negotiation,
                ("Video format {:?} cannot be read by the model (supported: RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, I420, NV12); put videoconvert before rsdetect", info.format())
            );
            return Err(gst::loggable_error!(CAT, "unsupported format"));
        };
        let yuv = crate::yuv_params(&info);
        if let Err(e) = m
            .detector
            .configure(layout, info.width(), info.height(), yuv)
        {
            gst::element_imp_error!(
                self,
                gst::CoreError::Negotiation,
                (
                    "Cannot prepare the letterbox for {}x{} {:?}: {}",
                    info.width(),
                    info.height(),
                    info.format(),
                    e
                )
            );
            return Err(gst::loggable_error!(CAT, "configure failed"));
        }
        gst::debug!(
            CAT,
            imp = self,
            "caps {}x{} {:?} ({:?}) -> model input {:?}",
            info.width(),
            info.height(),
            info.format(),
            yuv,
            m.detector.input_size()
        );
        m.layout = layout;
        m.info = Some(info);
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        match event.view() {
            gst::EventView::StreamStart(s) => {
                if let Some(state) = self.state.lock().unwrap().as_mut() {
                    if !state.stream_from_property {
                        state.stream = s.stream_id().to_string();
                    }
                }
            }
            gst::EventView::FlushStop(_) => {
                if let Some(state) = self.state.lock().unwrap().as_mut() {
                    gst::debug!(
                        CAT,
                        imp = self,
                        "flush: the frame count follows the next buffer's position"
                    );
                    state.frame = 0;
                    state.resync = true;
                }
            }
            gst::EventView::Eos(_) => {
                if let Some(warning) = self.detections_past_the_end() {
                    gst::element_imp_warning!(self, gst::StreamError::Format, ("{}", warning));
                }
            }
            _ => {}
        }
        self.stats.sink_event(self.obj().upcast_ref(), &event);
        self.parent_sink_event(event)
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let started = self.stats.begin();
        let ret = self.process(buf)?;
        let obj = self.obj();
        crate::interop::maybe_publish(obj.sink_pad(), obj.src_pad(), &self.publish, buf);
        self.stats.end(obj.upcast_ref(), started, buf, |b, s| {
            s.objects = Some(crate::stats::objects(b))
        });
        Ok(ret)
    }
}

/// Frames in `t` at `fps`: the nearest frame, or rounded up.
fn frames_at(t: gst::ClockTime, fps: gst::Fraction, round_up: bool) -> Option<u64> {
    let num = t.nseconds() as u128 * fps.numer() as u128;
    let den = fps.denom() as u128 * 1_000_000_000;
    let n = if round_up {
        num.div_ceil(den)
    } else {
        (num + den / 2) / den
    };
    u64::try_from(n).ok()
}

impl RsDetect {
    /// The sink caps' frame rate, if fixed and not 0.
    fn caps_fps(&self) -> Option<gst::Fraction> {
        self.obj()
            .sink_pad()
            .current_caps()?
            .structure(0)?
            .get::<gst::Fraction>("framerate")
            .ok()
            .filter(|f| f.numer() > 0 && f.denom() > 0)
    }

    /// Frames in the stream's duration (a duration query upstream and the
    /// caps' frame rate), rounded up.
    fn frames_in_duration(&self) -> Option<u64> {
        let d = self
            .obj()
            .sink_pad()
            .peer_query_duration::<gst::ClockTime>()?;
        frames_at(d, self.caps_fps()?, true)
    }

    /// The frame index of `buf` from its stream time and the caps' frame
    /// rate (None without either).
    fn frame_at_position(&self, buf: &gst::BufferRef) -> Option<u64> {
        let fps = self.caps_fps()?;
        let segment = self.obj().segment();
        let st = segment
            .downcast_ref::<gst::ClockTime>()?
            .to_stream_time(buf.pts()?)?;
        frames_at(st, fps, false)
    }

    fn process(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let resync = self
            .state
            .lock()
            .unwrap()
            .as_ref()
            .is_some_and(|s| s.resync || s.index_from_timestamp);
        let position = if resync {
            self.frame_at_position(buf)
        } else {
            None
        };
        let mut guard = self.state.lock().unwrap();
        let state = guard.as_mut().ok_or(gst::FlowError::Flushing)?;
        if state.index_from_timestamp && position.is_none() {
            drop(guard);
            gst::element_imp_error!(
                self,
                gst::StreamError::Format,
                ("frame-index=timestamp needs buffers with timestamps and a frame rate in the caps (got {:?})", self.obj().sink_pad().current_caps())
            );
            return Err(gst::FlowError::NotNegotiated);
        }
        if resync {
            state.resync = false;
            if let Some(f) = position {
                gst::debug!(CAT, imp = self, "after the flush: frame {f}");
                state.frame = f;
            }
        }
        let frame = state.frame;
        state.frame += 1;
        match &mut state.mode {
            Mode::Import(imp) => {
                let warnings = if imp.frame_checked {
                    Vec::new()
                } else {
                    frame_warnings(imp)
                };
                let objects = imp.dets.objects(frame);
                gst::trace!(
                    CAT,
                    imp = self,
                    "frame {frame}: {} detections",
                    objects.len()
                );
                // An explicit stream-name wins over the file's stream.
                let file_stream = imp.stream.clone().filter(|_| !state.stream_from_property);
                let stream = buf
                    .meta::<TrackingMeta>()
                    .and_then(|m| m.frame().stream.clone())
                    .or(file_stream)
                    .unwrap_or_else(|| state.stream.clone());
                TrackingMeta::add(
                    buf,
                    FrameObjects {
                        stream: Some(stream),
                        frame: Some(frame),
                        objects,
                    },
                );
                drop(guard);
                for w in warnings {
                    gst::element_imp_warning!(self, gst::StreamError::Format, ("{}", w));
                }
                Ok(gst::FlowSuccess::Ok)
            }
            Mode::Model(m) => {
                if frame % m.interval as u64 != 0 {
                    gst::trace!(CAT, imp = self, "frame {frame}: skipped (interval)");
                    return Ok(gst::FlowSuccess::Ok);
                }
                let result = self.detect(m, buf, frame, &state.stream);
                drop(guard);
                result.map(|()| gst::FlowSuccess::Ok).map_err(|e| {
                    self.post_error_message(e);
                    gst::FlowError::Error
                })
            }
        }
    }
}
