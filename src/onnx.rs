// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The process-wide ONNX Runtime and session creation, shared by every
//! element that runs a model (rsdetect and rsreid).
//!
//! The library is loaded at run time (`ort`'s `load-dynamic`), once per
//! process, from the first of:
//! 1. the element's `ort-library` property,
//! 2. the `ORT_DYLIB_PATH` environment variable,
//! 3. a search: `libonnxruntime.so` / `libonnxruntime.so.1.*` in
//!    `LD_LIBRARY_PATH`, `/usr/local/lib`, `/usr/lib`,
//!    `/usr/lib/x86_64-linux-gnu` (and the aarch64 one); then
//!    `libonnxruntime.so*` in the `rstracking/` directory beside the
//!    plugin's directory (`<libdir>/rstracking/`, where `meson install`
//!    puts it); then `onnxruntime/capi/libonnxruntime.so.*` of the PyPI
//!    wheel in `$VIRTUAL_ENV`, `~/.local/lib/python3.*/site-packages` and
//!    `/usr/local/lib/python3.*/{site,dist}-packages`. Nothing is searched
//!    relative to the host application's working directory. Versions sort
//!    numerically (1.17 above 1.9), the highest first.
//!
//! Once a library is loaded, later elements asking for another path get the
//! loaded one and a warning: one ONNX Runtime per process.

use ort::ep;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Why a model could not be loaded or run. The element maps each kind to
/// its GStreamer error domain ([`ModelError::to_message`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelError {
    /// ONNX Runtime itself: not found, not loadable, or without the
    /// requested execution provider (`LibraryError::Init`).
    Runtime(String),
    /// The model file, its inputs/outputs, or a setting that contradicts
    /// them (`LibraryError::Settings`).
    Model(String),
    /// Running the model on a frame (`StreamError::Failed`).
    Inference(String),
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelError::Runtime(m) | ModelError::Model(m) | ModelError::Inference(m) => {
                f.write_str(m)
            }
        }
    }
}

impl std::error::Error for ModelError {}

/// Per-frame code reports errors as text with the frame number added by
/// the element; a run error keeps its message.
impl From<ModelError> for String {
    fn from(e: ModelError) -> String {
        e.to_string()
    }
}

impl ModelError {
    /// The error message to post, in the domain of its kind.
    pub fn to_message(&self) -> gst::ErrorMessage {
        match self {
            ModelError::Runtime(m) => gst::error_msg!(gst::LibraryError::Init, ("{}", m)),
            ModelError::Model(m) => gst::error_msg!(gst::LibraryError::Settings, ("{}", m)),
            ModelError::Inference(m) => gst::error_msg!(gst::StreamError::Failed, ("{}", m)),
        }
    }
}

/// The loaded library and its environment.
pub struct Runtime {
    pub library: PathBuf,
    pub version: String,
    env: ort::environment::Environment,
}

static RUNTIME: OnceLock<Runtime> = OnceLock::new();
static INIT_LOCK: Mutex<()> = Mutex::new(());

/// Returns the process-wide runtime, loading it on first use. The second
/// value is a warning when `requested` names a library other than the one
/// already loaded.
pub fn runtime(requested: Option<&str>) -> Result<(&'static Runtime, Option<String>), ModelError> {
    load_runtime(requested).map_err(ModelError::Runtime)
}

fn load_runtime(requested: Option<&str>) -> Result<(&'static Runtime, Option<String>), String> {
    let _guard = INIT_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(rt) = RUNTIME.get() {
        let warning = requested
            .filter(|r| Path::new(r) != rt.library)
            .map(|r| {
                format!(
                    "ONNX Runtime is already loaded in this process from '{}' (version {}); ort-library '{}' is ignored (one ONNX Runtime per process)",
                    rt.library.display(),
                    rt.version,
                    r
                )
            });
        return Ok((rt, warning));
    }
    let (library, how) = match requested {
        Some(p) => (PathBuf::from(p), "ort-library property"),
        None => match std::env::var_os("ORT_DYLIB_PATH").filter(|v| !v.is_empty()) {
            Some(p) => (PathBuf::from(p), "ORT_DYLIB_PATH"),
            None => (search()?, "search"),
        },
    };
    if !library.exists() {
        return Err(format!(
            "ONNX Runtime library '{}' (from the {how}) does not exist",
            library.display()
        ));
    }
    let builder = ort::init_from(&library).map_err(|e| {
        let why = elf_problem(&library).unwrap_or_else(|| {
            format!(
                "(run `ldd {}` to see missing dependencies)",
                library.display()
            )
        });
        format!(
            "Failed to load ONNX Runtime from '{}' (from the {how}): {e}: {why}",
            library.display()
        )
    })?;
    let env = builder
        .with_name("rstracking")
        .with_telemetry(false)
        .build()
        .map_err(|e| format!("Failed to create the ONNX Runtime environment: {e}"))?;
    // ONNX Runtime has checked that its API level is ours (>= 1.17); for
    // logs, the version comes from the file name (libonnxruntime.so.1.31.1)
    // or the build info of release builds ("git-branch=rel-1.31.1").
    let version = library
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("libonnxruntime.so."))
        .map(str::to_string)
        .or_else(|| {
            ort::info()
                .split([',', ' '])
                .find_map(|kv| kv.trim().strip_prefix("git-branch=rel-"))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "(version unknown)".to_string());
    let rt = Runtime {
        library,
        version,
        env,
    };
    Ok((RUNTIME.get_or_init(|| rt), None))
}

/// Where the documented search looks, in order.
fn search_candidates() -> Vec<PathBuf> {
    let mut lib_dirs: Vec<PathBuf> = std::env::var_os("LD_LIBRARY_PATH")
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_default();
    for d in [
        "/usr/local/lib",
        "/usr/lib",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
    ] {
        lib_dirs.push(PathBuf::from(d));
    }
    // meson install puts the wheel's library in <libdir>/rstracking, the
    // plugin being in <libdir>/gstreamer-1.0.
    if let Some(dir) = plugin_dir().and_then(|d| d.parent().map(|p| p.join("rstracking"))) {
        lib_dirs.insert(0, dir);
    }
    let mut site_roots: Vec<PathBuf> = Vec::new();
    if let Some(v) = std::env::var_os("VIRTUAL_ENV") {
        site_roots.push(PathBuf::from(v).join("lib"));
    }
    if let Some(h) = std::env::var_os("HOME") {
        site_roots.push(PathBuf::from(h).join(".local/lib"));
    }
    site_roots.push(PathBuf::from("/usr/local/lib"));
    let mut out = Vec::new();
    for d in lib_dirs {
        out.push(d.join("libonnxruntime.so"));
        out.extend(sorted_entries(&d, |n| n.starts_with("libonnxruntime.so.1")));
    }
    for root in site_roots {
        out.extend(wheel_libraries(&root));
    }
    out
}

/// The PyPI wheel's `onnxruntime/capi/libonnxruntime.so.*` under a
/// `lib` directory holding `python3.*/{site,dist}-packages`, highest
/// Python and library version first.
fn wheel_libraries(lib_root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for py in sorted_entries(lib_root, |n| n.starts_with("python3")) {
        for pk in ["site-packages", "dist-packages"] {
            let capi = py.join(pk).join("onnxruntime/capi");
            out.extend(sorted_entries(&capi, |n| {
                n.starts_with("libonnxruntime.so.")
            }));
        }
    }
    out
}

/// The wheel's library in the virtual environment `venv` (e.g. the
/// set-up's `.venv`), for tools and tests that run from the repository;
/// the plugin's own search never looks at a working directory.
pub fn wheel_library(venv: &Path) -> Option<PathBuf> {
    wheel_libraries(&venv.join("lib"))
        .into_iter()
        .find(|p| p.is_file())
}

/// Why `path` cannot be a shared library for this process, from its ELF
/// header (dlopen's own reason does not reach us through ort): not ELF, or
/// another word size or machine. None when the header looks right.
fn elf_problem(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut head = [0u8; 20];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    if n < head.len() || &head[..4] != b"\x7fELF" {
        let first: Vec<String> = head[..n.min(4)]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        return Some(format!(
            "it is not an ELF shared library (first bytes: {})",
            first.join(" ")
        ));
    }
    let class = if cfg!(target_pointer_width = "64") {
        2
    } else {
        1
    };
    if head[4] != class {
        return Some(format!(
            "it is a {}-bit library, this process is {}-bit",
            if head[4] == 1 { 32 } else { 64 },
            if class == 1 { 32 } else { 64 }
        ));
    }
    let machine = u16::from_le_bytes([head[18], head[19]]);
    let ours = match std::env::consts::ARCH {
        "x86_64" => Some(62),
        "aarch64" => Some(183),
        _ => None,
    };
    match ours {
        Some(m) if m != machine => Some(format!(
            "it is built for another machine (ELF e_machine {machine}, this process is {})",
            std::env::consts::ARCH
        )),
        _ => None,
    }
}

/// Directory of the loaded plugin file, from the GStreamer registry.
fn plugin_dir() -> Option<PathBuf> {
    if !gst::INITIALIZED.load(std::sync::atomic::Ordering::SeqCst) {
        return None;
    }
    let plugin = gst::Registry::get().find_plugin("rstracking")?;
    let file = plugin.filename()?;
    file.parent().map(Path::to_path_buf)
}

/// Sort key of a file name by its numeric parts: `python3.11` above
/// `python3.9`, `libonnxruntime.so.1.17.0` above `libonnxruntime.so.1.9.0`.
fn version_key(name: &str) -> Vec<u64> {
    name.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap_or(u64::MAX))
        .collect()
}

/// Entries of `dir` whose file name satisfies `keep`, highest version
/// first (numeric comparison of the version parts).
fn sorted_entries(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_str().is_some_and(&keep))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    v.sort_by_cached_key(|p| {
        std::cmp::Reverse(version_key(
            &p.file_name().unwrap_or_default().to_string_lossy(),
        ))
    });
    v
}

fn search() -> Result<PathBuf, String> {
    let candidates = search_candidates();
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| {
            format!(
                "ONNX Runtime library not found: set the 'ort-library' property or ORT_DYLIB_PATH to a libonnxruntime.so (>= 1.17), e.g. the one in the PyPI wheel (pip install onnxruntime: site-packages/onnxruntime/capi/libonnxruntime.so.<version>); searched LD_LIBRARY_PATH, <libdir>/rstracking, /usr/local/lib, /usr/lib and the Python site-packages of $VIRTUAL_ENV, ~/.local, /usr/local ({} places)",
                candidates.len()
            )
        })
}

/// Execution providers that can be asked for.
#[derive(Debug, Eq, PartialEq, Ord, PartialOrd, Hash, Clone, Copy, Default, glib::Enum)]
#[repr(u32)]
#[enum_type(name = "GstRsExecutionProvider")]
pub enum Provider {
    #[default]
    #[enum_value(name = "CPU", nick = "cpu")]
    Cpu = 0,
    #[enum_value(name = "CUDA (needs an ONNX Runtime built with CUDA)", nick = "cuda")]
    Cuda = 1,
    #[enum_value(
        name = "TensorRT (needs an ONNX Runtime built with TensorRT)",
        nick = "tensorrt"
    )]
    TensorRt = 2,
    #[enum_value(
        name = "OpenVINO (needs an ONNX Runtime built with OpenVINO)",
        nick = "openvino"
    )]
    OpenVino = 3,
}

use gst::glib;

/// How to build a session.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Intra-op threads; 0 = ONNX Runtime's default.
    pub threads: u32,
    pub provider: Provider,
    /// Use the CPU (with a warning) when `provider` cannot be registered.
    pub fallback: bool,
    /// Let the intra-op worker threads busy-wait between operators.
    pub spinning: bool,
}

/// A loaded model plus what was noticed while loading it.
pub struct LoadedModel {
    pub session: Session,
    /// Warnings to post (e.g. the provider fell back to the CPU).
    pub warnings: Vec<String>,
    /// The execution provider actually in use.
    pub provider: Provider,
    /// `"ONNX Runtime <version> from <library> (<provider>)"`, for logging.
    pub description: String,
}

/// Loads `model` into a session of the process-wide runtime.
pub fn load_model(
    rt: &Runtime,
    model: &Path,
    cfg: &SessionConfig,
) -> Result<LoadedModel, ModelError> {
    if model.is_dir() {
        return Err(ModelError::Model(format!(
            "Model '{}' is a directory, not an ONNX file",
            model.display()
        )));
    }
    if !model.is_file() {
        return Err(ModelError::Model(format!(
            "Model file '{}' does not exist",
            model.display()
        )));
    }
    let err = |what: &str, e: &dyn std::fmt::Display| ModelError::Runtime(format!("{what}: {e}"));
    let mut b = Session::builder(&rt.env).map_err(|e| err("Failed to create a session", &e))?;
    b = b
        .with_optimization_level(GraphOptimizationLevel::Level3)
        .map_err(|e| err("Failed to set the optimisation level", &e))?;
    if cfg.threads > 0 {
        b = b
            .with_intra_threads(cfg.threads as usize)
            .map_err(|e| err("Failed to set the thread count", &e))?
            .with_inter_threads(1)
            .map_err(|e| err("Failed to set the thread count", &e))?;
    }
    b = b
        .with_intra_op_spinning(cfg.spinning)
        .map_err(|e| err("Failed to set intra-op spinning", &e))?;
    let mut warnings = Vec::new();
    let mut provider = cfg.provider;
    let dispatch = match cfg.provider {
        Provider::Cpu => None,
        Provider::Cuda => Some(ep::CUDA::default().build()),
        Provider::TensorRt => Some(ep::TensorRT::default().build()),
        Provider::OpenVino => Some(ep::OpenVINO::default().build()),
    };
    if let Some(d) = dispatch {
        let name = d.name();
        b = match b.with_execution_providers([d.error_on_failure()]) {
            Ok(b) => b,
            Err(e) if cfg.fallback => {
                warnings.push(format!(
                    "Execution provider {name} is not available in ONNX Runtime '{}' ({}); running on the CPU (fallback=true)",
                    rt.library.display(),
                    e.message()
                ));
                provider = Provider::Cpu;
                e.recover()
            }
            Err(e) => {
                return Err(ModelError::Runtime(format!(
                    "Execution provider {name} is not available in ONNX Runtime '{}': {} (set fallback=true to run on the CPU instead)",
                    rt.library.display(),
                    e.message()
                )))
            }
        };
    }
    let session = b.commit_from_file(model).map_err(|e| {
        ModelError::Model(format!("Failed to load model '{}': {e}", model.display()))
    })?;
    let description = format!(
        "ONNX Runtime {} from {} ({provider:?})",
        rt.version,
        rt.library.display()
    );
    Ok(LoadedModel {
        session,
        warnings,
        provider,
        description,
    })
}

/// `Session::run` on one float NCHW input of `shape`, borrowed without a
/// copy (rsdetect, rsreid).
pub fn run_nchw<'s>(
    session: &'s mut Session,
    input_name: &str,
    tensor: &[f32],
    shape: [usize; 4],
) -> Result<ort::session::SessionOutputs<'s>, ModelError> {
    run_f32(session, input_name, tensor, &shape)
}

/// `Session::run` on one float input of any `shape`, borrowed without a
/// copy.
pub fn run_f32<'s>(
    session: &'s mut Session,
    input_name: &str,
    tensor: &[f32],
    shape: &[usize],
) -> Result<ort::session::SessionOutputs<'s>, ModelError> {
    let input = ort::value::TensorRef::from_array_view((shape, tensor))
        .map_err(|e| ModelError::Inference(format!("Failed to wrap the input tensor: {e}")))?;
    session
        .run(ort::inputs![input_name => input])
        .map_err(|e| ModelError::Inference(format!("Inference failed: {e}")))
}

/// How [`run_batched`] splits rows into `Session::run` calls.
pub struct Batching<'a> {
    /// The model in error messages ("Re-id", "Action model").
    pub what: &'a str,
    pub input_name: &'a str,
    /// Values per row.
    pub slot: usize,
    /// Rows per run of a model with a fixed batch size.
    pub fixed_batch: Option<usize>,
}

/// Runs the `n` rows of `tensor` (`b.slot` values each) through `session`:
/// one `Session::run` for all, or one per `b.fixed_batch` rows, the last
/// chunk zero-padded (in `padded`) where `tensor` ends before the batch
/// does; `shape(rows)` is the input shape of a run of `rows`. Calls
/// `row(i, output)` for each row in order with its part of the first
/// output (float32, the batch first). Returns the number of runs.
pub fn run_batched(
    session: &mut Session,
    b: &Batching,
    tensor: &[f32],
    n: usize,
    padded: &mut Vec<f32>,
    shape: impl Fn(usize) -> Vec<usize>,
    mut row: impl FnMut(usize, &[f32]),
) -> Result<u64, String> {
    let (what, slot) = (b.what, b.slot);
    let chunk = b.fixed_batch.unwrap_or(n);
    let (mut start, mut runs) = (0, 0);
    while start < n {
        let rows = chunk.min(n - start);
        let run = b.fixed_batch.unwrap_or(rows);
        let data = if tensor.len() >= (start + run) * slot {
            &tensor[start * slot..(start + run) * slot]
        } else {
            padded.clear();
            padded.extend_from_slice(&tensor[start * slot..(start + rows) * slot]);
            padded.resize(run * slot, 0.0);
            &padded[..]
        };
        let outputs = run_f32(session, b.input_name, data, &shape(run))?;
        let (oshape, values) = outputs[0]
            .try_extract_tensor::<f32>()
            .map_err(|e| format!("{what} output is not a float32 tensor: {e}"))?;
        let got = oshape.first().copied().unwrap_or(0).max(0) as usize;
        if got != run || values.is_empty() || values.len() % run != 0 {
            return Err(format!(
                "{what} output has shape {:?} for a batch of {run}",
                oshape.iter().collect::<Vec<_>>()
            ));
        }
        let k = values.len() / run;
        for r in 0..rows {
            row(start + r, &values[r * k..(r + 1) * k]);
        }
        start += rows;
        runs += 1;
    }
    Ok(runs)
}

/// A tensor input or output of a session: name and shape (−1 = dynamic).
#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
    pub name: String,
    pub shape: Vec<i64>,
    pub is_f32: bool,
}

/// The inputs and outputs of `session`, or an error naming a non-tensor one.
pub fn io_info(session: &Session) -> (Vec<TensorInfo>, Vec<TensorInfo>) {
    let conv = |o: &ort::value::Outlet| match o.dtype() {
        ort::value::ValueType::Tensor { ty, shape, .. } => TensorInfo {
            name: o.name().to_string(),
            shape: shape.iter().copied().collect(),
            is_f32: *ty == ort::value::TensorElementType::Float32,
        },
        _ => TensorInfo {
            name: o.name().to_string(),
            shape: Vec::new(),
            is_f32: false,
        },
    };
    (
        session.inputs().iter().map(conv).collect(),
        session.outputs().iter().map(conv).collect(),
    )
}

/// `[1, 3, ?, ?]` style formatting of a shape.
pub fn shape_str(shape: &[i64]) -> String {
    let parts: Vec<String> = shape
        .iter()
        .map(|&d| {
            if d < 0 {
                "?".to_string()
            } else {
                d.to_string()
            }
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The ONNX Runtime properties every model element has (`threads`,
/// `execution-provider`, `fallback`, `ort-library`), one copy of their specs
/// and plumbing.
#[derive(Debug, Clone, Default)]
pub struct OrtSettings {
    pub threads: u32,
    pub execution_provider: Provider,
    pub fallback: bool,
    pub ort_library: Option<String>,
}

impl OrtSettings {
    pub fn param_specs() -> Vec<glib::ParamSpec> {
        use gst::prelude::*;
        vec![
            glib::ParamSpecUInt::builder("threads")
                .nick("Threads")
                .blurb("ONNX Runtime intra-op threads; 0 = ONNX Runtime's default (one per core)")
                .minimum(0)
                .maximum(1024)
                .default_value(0)
                .mutable_ready()
                .build(),
            glib::ParamSpecEnum::builder_with_default("execution-provider", Provider::Cpu)
                .nick("Execution provider")
                .blurb("ONNX Runtime execution provider; one that the loaded ONNX Runtime lacks is an error (or the CPU with a warning if fallback=true)")
                .mutable_ready()
                .build(),
            glib::ParamSpecBoolean::builder("fallback")
                .nick("Fall back to the CPU")
                .blurb("Run on the CPU, with a warning, when the execution provider is not available")
                .default_value(false)
                .mutable_ready()
                .build(),
            glib::ParamSpecString::builder("ort-library")
                .nick("ONNX Runtime library")
                .blurb("Path of libonnxruntime.so (>= 1.17); default: ORT_DYLIB_PATH, else a search (see README). Loaded once per process")
                .mutable_ready()
                .build(),
        ]
    }

    /// Sets one of these properties; false if `name` is not one of them.
    pub fn set(&mut self, name: &str, value: &glib::Value) -> bool {
        match name {
            "threads" => self.threads = value.get().expect("type checked upstream"),
            "execution-provider" => {
                self.execution_provider = value.get().expect("type checked upstream")
            }
            "fallback" => self.fallback = value.get().expect("type checked upstream"),
            "ort-library" => {
                self.ort_library = value
                    .get::<Option<String>>()
                    .expect("type checked upstream")
                    .filter(|s| !s.is_empty())
            }
            _ => return false,
        }
        true
    }

    pub fn get(&self, name: &str) -> Option<glib::Value> {
        use gst::prelude::*;
        Some(match name {
            "threads" => self.threads.to_value(),
            "execution-provider" => self.execution_provider.to_value(),
            "fallback" => self.fallback.to_value(),
            "ort-library" => self.ort_library.to_value(),
            _ => return None,
        })
    }

    pub fn session(&self, spinning: bool) -> SessionConfig {
        SessionConfig {
            threads: self.threads,
            provider: self.execution_provider,
            fallback: self.fallback,
            spinning,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_numerically_highest_first() {
        let dir = std::env::temp_dir().join(format!("rstracking-ort-sort-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for n in [
            "libonnxruntime.so.1.9.0",
            "libonnxruntime.so.1.17.3",
            "libonnxruntime.so.1.17.10",
            "other.so",
        ] {
            std::fs::write(dir.join(n), b"").unwrap();
        }
        let names: Vec<String> = sorted_entries(&dir, |n| n.starts_with("libonnxruntime.so."))
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            names,
            [
                "libonnxruntime.so.1.17.10",
                "libonnxruntime.so.1.17.3",
                "libonnxruntime.so.1.9.0"
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_a_library_is_named_as_such() {
        let p = std::env::temp_dir().join(format!("rstracking-not-elf-{}.so", std::process::id()));
        std::fs::write(&p, b"not a library").unwrap();
        let why = elf_problem(&p);
        std::fs::remove_file(&p).unwrap();
        assert_eq!(
            why.as_deref(),
            Some("it is not an ELF shared library (first bytes: 6e 6f 74 20)")
        );
        // A real library of this machine passes the header check.
        let lib = [
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu",
            "/usr/lib",
        ]
        .iter()
        .map(|d| Path::new(d).join("libgstreamer-1.0.so.0"))
        .find(|p| p.exists())
        .unwrap();
        assert_eq!(elf_problem(&lib), None);
    }

    #[test]
    fn the_search_ignores_the_working_directory() {
        let cwd_venv = PathBuf::from(".venv/lib");
        assert!(search_candidates()
            .iter()
            .all(|p| !p.starts_with(&cwd_venv) && !p.starts_with("./.venv")));
    }
}
