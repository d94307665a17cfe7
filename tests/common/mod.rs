// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
#![allow(dead_code)]

use gstrstracking::core::types::{BBox, FrameObjects, Object};
use gstrstracking::meta::TrackingMeta;
use std::path::PathBuf;
use std::sync::OnceLock;

pub fn init() {
    use std::sync::Once;
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        // Keep tests away from the user's registry (and its blacklist).
        let reg = std::env::temp_dir().join(format!(
            "rstracking-test-registry-{}.bin",
            std::process::id()
        ));
        std::env::set_var("GST_REGISTRY", reg);
        // ONNX Runtime: the set-up's wheel unless ORT_DYLIB_PATH is set
        // (the plugin does not search the working directory).
        if std::env::var_os("ORT_DYLIB_PATH").is_none() {
            if let Some(lib) = venv_ort_library() {
                std::env::set_var("ORT_DYLIB_PATH", lib);
            }
        }
        gst::init().unwrap();
        gstrstracking::plugin_register_static().unwrap();
    });
}

/// `libonnxruntime.so.*` of the PyPI wheel in the repository's `.venv`.
pub fn venv_ort_library() -> Option<PathBuf> {
    gstrstracking::onnx::wheel_library(&repo().join(".venv"))
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` (or `$RSTRACKING_SHARED`). Tests that need it are marked
/// `#[ignore = "needs ../shared"]`, so a checkout without it reports them
/// as ignored; run with `--include-ignored`, a missing directory fails.
pub fn shared() -> PathBuf {
    let p = std::env::var_os("RSTRACKING_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"));
    assert!(
        p.join("data").is_dir(),
        "{} has no data/: this test needs ../shared (or RSTRACKING_SHARED); without it, run without --include-ignored",
        p.display()
    );
    p
}

/// `target/<profile>` of this test build: the test binary is
/// `target/<profile>/deps/<test>-<hash>`, wherever `CARGO_TARGET_DIR` or
/// `--target-dir` put `target`.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

/// Runs `cargo build <args>` into this build's target directory and
/// profile (`cargo test` builds neither the cdylib nor the binaries of
/// other packages), and returns [`profile_dir`].
fn cargo_build(args: &[&str]) -> PathBuf {
    let dir = profile_dir();
    let profile = match dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev",
        Some(other) => other,
    };
    let mut cmd = std::process::Command::new(env!("CARGO"));
    cmd.arg("build")
        .args(args)
        .args(["--profile", profile])
        .arg("--target-dir")
        .arg(dir.parent().unwrap())
        .current_dir(repo());
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(status.success(), "{cmd:?} failed");
    dir
}

/// The directory holding `libgstrstracking.so` of this build (built once
/// per test binary).
pub fn plugin_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let dir = cargo_build(&["-p", "gst-rstracking", "--lib"]);
            assert!(
                dir.join("libgstrstracking.so").exists(),
                "no libgstrstracking.so in {}",
                dir.display()
            );
            dir
        })
        .clone()
}

/// Loads gst-plugins-rs's fallbackswitch plugin (fallbacksrc, which
/// rscamerasrc wraps), built once per test binary into this build's
/// profile directory.
pub fn load_fallbackswitch() {
    static LOADED: OnceLock<()> = OnceLock::new();
    LOADED.get_or_init(|| {
        init();
        let dir = cargo_build(&["-p", "gst-plugin-fallbackswitch"]);
        let so = dir.join("libgstfallbackswitch.so");
        gst::Plugin::load_file(&so).unwrap_or_else(|e| panic!("cannot load {}: {e}", so.display()));
    });
}

/// A real RTSP camera: `scripts/rtsp-camera.py` (GstRtspServer, Debian's
/// gir1.2-gst-rtsp-server-1.0) on 127.0.0.1, mount `/cam`; stopped by PID
/// when dropped.
pub struct RtspServer {
    child: std::process::Child,
    pub port: u16,
}

impl RtspServer {
    /// Starts a server on a free port; `scene` is `bars` or `still-ball`.
    pub fn start(scene: &str) -> RtspServer {
        RtspServer::start_on(free_port(), scene)
    }

    /// Starts a server on `port` (again, after a stop).
    pub fn start_on(port: u16, scene: &str) -> RtspServer {
        RtspServer::start_args(port, &[scene])
    }

    /// Starts a server on `port` with `mount=scene` arguments (see
    /// scripts/rtsp-camera.py).
    pub fn start_args(port: u16, mounts: &[&str]) -> RtspServer {
        use std::io::BufRead;
        let mut child = std::process::Command::new("/usr/bin/python3")
            .arg(repo().join("scripts/rtsp-camera.py"))
            .arg(port.to_string())
            .args(mounts)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("/usr/bin/python3 with gir1.2-gst-rtsp-server-1.0 (scripts/setup.sh)");
        let stdout = child.stdout.take().unwrap();
        let server = RtspServer { child, port };
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the RTSP server did not start");
        server
    }

    pub fn uri(&self) -> String {
        format!("rtsp://127.0.0.1:{}/cam", self.port)
    }
}

impl Drop for RtspServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback TCP port nobody listens on (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The path of a binary of the `rstracking-tools` crate: `rstracking-eval`
/// or `rstracking-pose-eval` (both built once per test binary, without the
/// benchmarks' competitor trackers).
pub fn tool(name: &str) -> PathBuf {
    const TOOLS: [&str; 3] = [
        "rstracking-eval",
        "rstracking-pose-eval",
        "rstracking-zones",
    ];
    assert!(TOOLS.contains(&name), "{name} is not one of {TOOLS:?}");
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let dir = BUILT.get_or_init(|| {
        let mut args = vec!["-p", "rstracking-tools", "--no-default-features"];
        for t in TOOLS {
            args.extend(["--bin", t]);
        }
        cargo_build(&args)
    });
    let path = dir.join(name);
    assert!(path.exists(), "no {name} in {}", dir.display());
    path
}

/// The example application `rstracking-read-meta` (crate
/// examples/rust-reader, which does not link the plugin), built once per
/// test binary.
pub fn rust_reader() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            cargo_build(&["-p", "rstracking-reader-example"]).join("rstracking-read-meta")
        })
        .clone()
}

/// The example application `rstracking-live-mtmc` (crate
/// examples/live-mtmc: the live multi-camera system with cameras added and
/// removed while it runs; it does not link the plugin), built once per test
/// binary.
pub fn live_mtmc_app() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            cargo_build(&["-p", "rstracking-live-mtmc-example"]).join("rstracking-live-mtmc")
        })
        .clone()
}

/// A fresh temporary directory for one test.
pub fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rstracking-{}-{}", name, std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn obj(x: f32, y: f32, w: f32, h: f32, score: f32) -> Object {
    Object::new(BBox::new(x, y, w, h), score, 0)
}

/// A buffer with pts `i * 33 ms` carrying `objects`.
pub fn buffer_with(i: u64, objects: Vec<Object>) -> gst::Buffer {
    with_objects(gst::Buffer::with_size(1).unwrap(), i, objects)
}

/// `b` (pixels of a frame) with pts `i * 33 ms` and `objects` in its meta.
pub fn with_objects(mut b: gst::Buffer, i: u64, objects: Vec<Object>) -> gst::Buffer {
    {
        let b = b.get_mut().unwrap();
        b.set_pts(gst::ClockTime::from_mseconds(i * 33));
        TrackingMeta::add(
            b,
            FrameObjects {
                frame: None,
                stream: None,
                objects,
            },
        );
    }
    b
}

/// The objects of the buffer's meta, or None when it carries no meta
/// ("no detector ran", which rsbytetrack treats unlike "nothing found").
pub fn meta_objects(b: &gst::Buffer) -> Option<Vec<Object>> {
    b.meta::<TrackingMeta>().map(|m| m.objects().to_vec())
}

/// The objects of the buffer's meta; empty without a meta too (see
/// [`meta_objects`] where the difference matters).
pub fn objects_of(b: &gst::Buffer) -> Vec<Object> {
    b.meta::<TrackingMeta>()
        .map(|m| m.objects().to_vec())
        .unwrap_or_default()
}

/// Sets `pipeline` to PLAYING, waits (at most 30 s) for EOS, panicking on
/// an error message or a timeout, and sets it back to NULL.
pub fn play_to_eos(pipeline: &gst::Element) {
    use gst::prelude::*;
    pipeline.set_state(gst::State::Playing).unwrap();
    let bus = pipeline.bus().unwrap();
    let mut ended = false;
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(30)) {
        match msg.view() {
            gst::MessageView::Eos(_) => {
                ended = true;
                break;
            }
            gst::MessageView::Error(e) => panic!("{}", e.error()),
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    assert!(ended, "no EOS within 30 s");
}

/// Runs a gst-launch style pipeline to EOS and returns (errors, warnings)
/// as strings "domain-message: debug".
pub fn run_pipeline(desc: &str) -> (Vec<String>, Vec<String>) {
    use gst::prelude::*;
    init();
    let pipeline = gst::parse::launch(desc).unwrap();
    let bus = pipeline.bus().unwrap();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    if pipeline.set_state(gst::State::Playing).is_err() {
        // The error message is on the bus.
    }
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(120)) {
        use gst::MessageView;
        match msg.view() {
            MessageView::Eos(..) => break,
            MessageView::Error(e) => {
                errors.push(e.error().to_string());
                break;
            }
            MessageView::Warning(w) => warnings.push(w.error().to_string()),
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    (errors, warnings)
}

/// The tiny test models of `tests/models/make_models.py`, built once per
/// test process into `target/test-models` with the set-up's `.venv` Python
/// (or `$RSTRACKING_PYTHON`, else `python3`).
pub fn models() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = repo().join("target/test-models");
        let venv = repo().join(".venv/bin/python");
        let py = std::env::var_os("RSTRACKING_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                if venv.exists() {
                    venv
                } else {
                    PathBuf::from("python3")
                }
            });
        let st = std::process::Command::new(&py)
            .arg(repo().join("tests/models/make_models.py"))
            .arg(&out)
            .status()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", py.display()));
        assert!(
            st.success(),
            "tests/models/make_models.py failed with {}: the tests need Python with onnx and numpy (run scripts/setup.sh, which creates .venv)",
            py.display()
        );
        out
    })
    .clone()
}

/// One entry per buffer that reached the sink: the objects of its
/// TrackingMeta, or None when it carried no meta.
pub type Frames = Vec<Option<Vec<Object>>>;

/// Runs `desc`, which must end in `appsink name=sink`, to EOS. Returns the
/// frames, or the first error message ("message: debug") from the bus, and
/// the warnings posted on the way.
pub fn collect(desc: &str) -> (Result<Frames, String>, Vec<String>) {
    use gst::prelude::*;
    init();
    let pipeline = match gst::parse::launch(desc) {
        Ok(p) => p.downcast::<gst::Pipeline>().unwrap(),
        Err(e) => return (Err(e.to_string()), Vec::new()),
    };
    let sink = pipeline
        .by_name("sink")
        .expect("pipeline has appsink name=sink");
    sink.set_property("sync", false);
    let frames = std::sync::Arc::new(std::sync::Mutex::new(Frames::new()));
    let f2 = frames.clone();
    let sink = sink.downcast::<gst_app::AppSink>().unwrap();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |s| {
                let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let buf = sample.buffer().ok_or(gst::FlowError::Error)?;
                f2.lock()
                    .unwrap()
                    .push(buf.meta::<TrackingMeta>().map(|m| m.objects().to_vec()));
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    let bus = pipeline.bus().unwrap();
    let _ = pipeline.set_state(gst::State::Playing);
    let mut warnings = Vec::new();
    let mut error = None;
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(300)) {
        use gst::MessageView;
        match msg.view() {
            MessageView::Eos(..) => break,
            MessageView::Error(e) => {
                error = Some(format!(
                    "{}: {}",
                    e.error(),
                    e.debug().map(|d| d.to_string()).unwrap_or_default()
                ));
                break;
            }
            MessageView::Warning(w) => warnings.push(w.error().to_string()),
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    let frames = std::mem::take(&mut *frames.lock().unwrap());
    (error.map_or(Ok(frames), Err), warnings)
}

/// A real MQTT broker: Debian's `mosquitto` (scripts/setup.sh) on
/// 127.0.0.1 with a generated config (persistence in its own directory),
/// started on a free port; `stop` ends it with SIGTERM (it saves its
/// sessions), `restart` starts it again on the same port; killed by PID
/// when dropped.
#[allow(dead_code)]
pub struct Mosquitto {
    child: Option<std::process::Child>,
    pub port: u16,
    pub dir: PathBuf,
}

#[allow(dead_code)]
impl Mosquitto {
    /// `extra` is appended to the config (e.g. TLS settings); anonymous
    /// clients are allowed unless it says otherwise.
    pub fn start(name: &str, extra: &str) -> Mosquitto {
        let dir = tmpdir(name);
        let port = free_port();
        let user = std::process::Command::new("id")
            .arg("-un")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_else(|_| "root".into());
        let anon = if extra.contains("allow_anonymous") {
            ""
        } else {
            "allow_anonymous true\n"
        };
        let conf = format!(
            "user {user}\nlistener {port} 127.0.0.1\n{anon}persistence true\npersistence_location {}/\nlog_dest file {}/mosquitto.log\n{extra}\n",
            dir.display(),
            dir.display()
        );
        std::fs::write(dir.join("mosquitto.conf"), conf).unwrap();
        let mut m = Mosquitto {
            child: None,
            port,
            dir,
        };
        m.restart();
        m
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Starts the broker (again) and waits until it accepts connections.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "broker already running");
        let bin = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("mosquitto is not installed (scripts/setup.sh installs it)");
        let child = std::process::Command::new(bin)
            .arg("-c")
            .arg(self.dir.join("mosquitto.conf"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start mosquitto");
        self.child = Some(child);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "mosquitto did not listen on {} (see {}/mosquitto.log)",
                self.port,
                self.dir.display()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// SIGTERM (the broker saves its persistent sessions) and wait.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = std::process::Command::new("kill")
                .arg("-TERM")
                .arg(c.id().to_string())
                .status();
            let _ = c.wait();
        }
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
