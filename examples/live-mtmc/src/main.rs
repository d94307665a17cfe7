// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! The live multi-camera system of `pipelines/live-mtmc.sh`, built by an
//! application: gst-rstracking is loaded from `GST_PLUGIN_PATH` (with
//! gst-plugins-rs's fallbackswitch plugin, which rscamerasrc wraps), never
//! linked, and the results are read with `rstracking-meta`.
//!
//! ```text
//! rstracking-live-mtmc --model M --reid R [--port P] [--address A] [--seconds S]
//!                      [--add-after SECS name=uri]... [--remove-after SECS name]...
//!                      name=uri [name=uri ...]
//! ```
//!
//! Per camera: `rscamerasrc ! videoconvert ! rsdetect stream-name=<name> !
//! rsbytetrack with-reid=true ! rsreid ! queue ! rsmtmcagg.sink_K`, then
//! `rsmtmcagg.src_K ! rsoverlay ! videoconvert ! jpegenc ! queue !
//! rswebview stream-name=<name>` (the browser view on one port). For every
//! object of every buffer that leaves rsmtmcagg it prints
//!
//! ```text
//! <camera> frame=<n> track=<id> global=<gid>
//! ```
//!
//! (`-` where a value is missing), `merge from=<gid> to=<gid>` when two
//! global ids turn out to be one person, and `added <name>` / `removed
//! <name>` when a camera joins or leaves while the others keep running.
//! `--seconds` and Ctrl-C (SIGINT, SIGTERM) end the stream with EOS and
//! exit 0 once it has reached every sink; an error on the bus is printed
//! and the exit status is 1.

use gst::glib;
use gst::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// Bus message (application) posted when a camera's EOS left rsmtmcagg.
const CAMERA_EOS: &str = "live-mtmc-camera-eos";
/// Bus message (application) posted by the signal thread.
const SIGNAL: &str = "live-mtmc-signal";
/// How long a removed camera's EOS may take to drain its branch before the
/// branch is stopped anyway.
const REMOVE_DRAIN: Duration = Duration::from_secs(3);
/// How long the final EOS may take to reach every sink.
const EOS_WAIT: Duration = Duration::from_secs(10);

const USAGE: &str = "usage: rstracking-live-mtmc --model M --reid R [--port P] [--address A] \
[--seconds S] [--add-after SECS name=uri]... [--remove-after SECS name]... name=uri [name=uri ...]";

#[derive(Debug, Default)]
struct Args {
    model: String,
    reid: String,
    port: u32,
    address: String,
    seconds: Option<f64>,
    cameras: Vec<(String, String)>,
    adds: Vec<(f64, String, String)>,
    removes: Vec<(f64, String)>,
}

/// `name=uri`; a path to an existing file becomes a `file://` URI (played
/// as a looping live camera by rscamerasrc).
fn camera_arg(arg: &str) -> Result<(String, String), String> {
    let (name, uri) = arg
        .split_once('=')
        .filter(|(n, u)| !n.is_empty() && !u.is_empty())
        .ok_or_else(|| format!("camera '{arg}' is not <name>=<uri or file>"))?;
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err(format!(
            "camera name '{name}': use letters, digits, '_', '.', '-'"
        ));
    }
    let uri = if uri.contains("://") {
        uri.to_string()
    } else {
        let path = std::fs::canonicalize(uri)
            .map_err(|e| format!("camera {name}: no file {uri} ({e})"))?;
        glib::filename_to_uri(&path, None)
            .map_err(|e| format!("camera {name}: {e}"))?
            .to_string()
    };
    Ok((name.to_string(), uri))
}

fn seconds_arg(option: &str, value: Option<String>) -> Result<f64, String> {
    let value = value.ok_or_else(|| format!("{option} needs a value"))?;
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .ok_or_else(|| format!("{option} {value}: not a number of seconds"))
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        port: 8080,
        address: "127.0.0.1".into(),
        ..Args::default()
    };
    while let Some(arg) = it.next() {
        let mut value = |what: &str| it.next().ok_or_else(|| format!("{arg} needs {what}"));
        match arg.as_str() {
            "--model" => a.model = value("a file")?,
            "--reid" => a.reid = value("a file")?,
            "--address" => a.address = value("an address")?,
            "--port" => {
                let v = value("a port")?;
                a.port = v
                    .parse::<u16>()
                    .map_err(|_| format!("--port {v}: not a port"))?
                    .into();
            }
            "--seconds" => a.seconds = Some(seconds_arg("--seconds", it.next())?),
            "--add-after" => {
                let t = seconds_arg("--add-after", it.next())?;
                let cam = it.next().ok_or("--add-after needs seconds and name=uri")?;
                let (name, uri) = camera_arg(&cam)?;
                a.adds.push((t, name, uri));
            }
            "--remove-after" => {
                let t = seconds_arg("--remove-after", it.next())?;
                let name = it.next().ok_or("--remove-after needs seconds and a name")?;
                a.removes.push((t, name));
            }
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            _ => a.cameras.push(camera_arg(&arg)?),
        }
    }
    if a.model.is_empty() || a.reid.is_empty() {
        return Err("--model and --reid are required".into());
    }
    for f in [&a.model, &a.reid] {
        if !std::path::Path::new(f).is_file() {
            return Err(format!("no model {f}"));
        }
    }
    if a.cameras.is_empty() {
        return Err("no camera".into());
    }
    // (A camera added later may reuse the name of one removed before.)
    let names: Vec<&str> = a.cameras.iter().map(|(n, _)| n.as_str()).collect();
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(format!("camera name '{n}' given twice"));
        }
    }
    Ok(a)
}

/// One camera's two branches around rsmtmcagg.
struct Camera {
    name: String,
    /// rscamerasrc ... queue, source first.
    upstream: Vec<gst::Element>,
    /// rsoverlay ... rswebview, rsmtmcagg's side first.
    downstream: Vec<gst::Element>,
    /// rsmtmcagg's request pad `sink_K` (its `src_K` goes with it).
    agg_sink: gst::Pad,
    removing: bool,
}

struct App {
    args: Args,
    pipeline: gst::Pipeline,
    agg: gst::Element,
    cameras: Vec<Camera>,
    main_loop: glib::MainLoop,
    exit_code: i32,
    stopping: bool,
}

fn make(factory: &str, props: &[(&str, &dyn ToValue)]) -> Result<gst::Element, String> {
    let mut b = gst::ElementFactory::make(factory);
    for (k, v) in props {
        b = b.property(k, v.to_value());
    }
    b.build().map_err(|e| {
        format!("cannot create {factory}: {e} (is GST_PLUGIN_PATH set to the directory of libgstrstracking.so and libgstfallbackswitch.so?)")
    })
}

/// Prints one line per object of `buffer`, read from the
/// `RsTrackingFrameMeta` structure view.
fn print_objects(camera: &str, buffer: &gst::BufferRef) {
    let Some(frame) = rstracking_meta::read(buffer) else {
        return;
    };
    let opt = |v: Option<u64>| v.map_or_else(|| "-".to_string(), |v| v.to_string());
    let mut out = String::new();
    for o in &frame.objects {
        out += &format!(
            "{camera} frame={} track={} global={}\n",
            opt(frame.frame),
            opt(o.track_id),
            opt(o.global_id)
        );
    }
    if !out.is_empty() {
        use std::io::Write;
        // One write per buffer: the lines of two cameras never interleave.
        let _ = std::io::stdout().lock().write_all(out.as_bytes());
    }
}

impl App {
    /// Builds camera `name`'s branches, links them to a new pair of
    /// rsmtmcagg pads and, in a running pipeline, starts them.
    fn add_camera(&mut self, name: &str, uri: &str) -> Result<(), String> {
        let a = &self.args;
        let upstream = vec![
            make("rscamerasrc", &[("uri", &uri)])?,
            make("videoconvert", &[])?,
            make(
                "rsdetect",
                &[("model", &a.model.as_str()), ("stream-name", &name)],
            )?,
            // Cameras' caps often have no frame rate: keep lost tracks for a
            // time (1 s, the default 30 frames at 30 fps) instead of frames.
            make(
                "rsbytetrack",
                &[("with-reid", &true), ("max-lost-time", &1_000_000_000u64)],
            )?,
            make("rsreid", &[("model", &a.reid.as_str())])?,
            make(
                "queue",
                &[
                    ("max-size-buffers", &4u32),
                    ("max-size-bytes", &0u32),
                    ("max-size-time", &0u64),
                ],
            )?,
        ];
        let leaky = make("queue", &[("max-size-buffers", &2u32)])?;
        leaky.set_property_from_str("leaky", "downstream");
        let downstream = vec![
            make("rsoverlay", &[])?,
            make("videoconvert", &[])?,
            make("jpegenc", &[("quality", &85i32)])?,
            leaky,
            make(
                "rswebview",
                &[
                    ("stream-name", &name),
                    ("address", &a.address.as_str()),
                    ("port", &a.port),
                    ("max-rate", &10.0f64),
                    // A sink added to a running pipeline must not change
                    // state asynchronously: its ASYNC_START would make the
                    // pipeline lose its PLAYING state, and the camera's
                    // branch would be started in PAUSED only (no frames).
                    ("async", &false),
                ],
            )?,
        ];
        let all: Vec<&gst::Element> = upstream.iter().chain(&downstream).collect();
        self.pipeline
            .add_many(all.iter().copied())
            .map_err(|e| format!("camera {name}: {e}"))?;
        let undo = |p: &gst::Pipeline| {
            for e in &all {
                let _ = e.set_state(gst::State::Null);
                let _ = p.remove(*e);
            }
        };
        let linked =
            gst::Element::link_many(&upstream).and_then(|()| gst::Element::link_many(&downstream));
        if let Err(e) = linked {
            undo(&self.pipeline);
            return Err(format!("camera {name}: {e}"));
        }
        let Some(agg_sink) = self.agg.request_pad_simple("sink_%u") else {
            undo(&self.pipeline);
            return Err(format!("camera {name}: rsmtmcagg gave no sink pad"));
        };
        // rsmtmcagg's src_K comes with sink_K, same index.
        let index = agg_sink.name().trim_start_matches("sink_").to_string();
        let agg_src = self.agg.static_pad(&format!("src_{index}"));
        let queue_src = upstream.last().and_then(|q| q.static_pad("src"));
        let overlay_sink = downstream[0].static_pad("sink");
        let (Some(agg_src), Some(queue_src), Some(overlay_sink)) =
            (agg_src, queue_src, overlay_sink)
        else {
            self.agg.release_request_pad(&agg_sink);
            undo(&self.pipeline);
            return Err(format!("camera {name}: missing pads"));
        };
        agg_sink.set_property("camera", name);
        let linked = queue_src
            .link(&agg_sink)
            .and_then(|_| agg_src.link(&overlay_sink));
        if let Err(e) = linked {
            let _ = queue_src.unlink(&agg_sink);
            self.agg.release_request_pad(&agg_sink);
            undo(&self.pipeline);
            return Err(format!("camera {name}: cannot link to rsmtmcagg: {e}"));
        }
        let camera = name.to_string();
        let bus = self.pipeline.bus().expect("a pipeline has a bus");
        agg_src.add_probe(
            gst::PadProbeType::BUFFER | gst::PadProbeType::EVENT_DOWNSTREAM,
            move |_, info| {
                match &info.data {
                    Some(gst::PadProbeData::Buffer(b)) => print_objects(&camera, b),
                    Some(gst::PadProbeData::Event(e)) if e.type_() == gst::EventType::Eos => {
                        // Removal must not run on this streaming thread
                        // (it stops the queue that runs it): the main loop
                        // does it.
                        let s = gst::Structure::builder(CAMERA_EOS)
                            .field("camera", &camera)
                            .build();
                        let _ = bus.post(gst::message::Application::new(s));
                    }
                    _ => {}
                }
                gst::PadProbeReturn::Ok
            },
        );
        println!("added {name}");
        // Start from the sink end, so nothing pushes into a stopped element
        // (no-op while the pipeline itself is still in NULL).
        for e in downstream.iter().rev().chain(upstream.iter().rev()) {
            if let Err(e) = e.sync_state_with_parent() {
                return Err(format!("camera {name}: cannot start: {e}"));
            }
        }
        self.cameras.push(Camera {
            name: name.to_string(),
            upstream,
            downstream,
            agg_sink,
            removing: false,
        });
        Ok(())
    }

    /// Ends camera `name`'s stream with EOS; the branch is taken out when
    /// the EOS has left rsmtmcagg ([`Self::finish_remove`]), or after
    /// [`REMOVE_DRAIN`] if it does not come.
    fn start_remove(app: &Rc<RefCell<App>>, name: &str) {
        let mut me = app.borrow_mut();
        if me.stopping {
            return;
        }
        let Some(cam) = me.cameras.iter_mut().find(|c| c.name == name) else {
            eprintln!("--remove-after: no camera {name}");
            return;
        };
        if cam.removing {
            return;
        }
        cam.removing = true;
        // rscamerasrc sends an EOS it receives out of its pad (instead of
        // restarting its source): the branch drains, rsmtmcagg stops
        // waiting for this camera and forwards the EOS to src_K.
        let src = cam.upstream[0].clone();
        drop(me);
        if !src.send_event(gst::event::Eos::new()) {
            eprintln!("camera {name}: EOS not accepted; stopping it now");
            Self::finish_remove(app, name);
            return;
        }
        let (weak, name) = (Rc::downgrade(app), name.to_string());
        glib::timeout_add_local_once(REMOVE_DRAIN, move || {
            if let Some(app) = weak.upgrade() {
                Self::finish_remove(&app, &name);
            }
        });
    }

    /// Stops camera `name`'s branches, releases its rsmtmcagg pads and
    /// takes the elements out of the pipeline. Runs on the main loop
    /// (never on a streaming thread of the branch).
    fn finish_remove(app: &Rc<RefCell<App>>, name: &str) {
        let mut me = app.borrow_mut();
        let Some(i) = me.cameras.iter().position(|c| c.name == name && c.removing) else {
            return;
        };
        let cam = me.cameras.remove(i);
        // Upstream first, from its queue back to the source: the queue's
        // thread leaves rsmtmcagg (its waits are bounded), then nothing
        // pushes into sink_K any more.
        for e in cam.upstream.iter().rev() {
            let _ = e.set_state(gst::State::Null);
        }
        if let Some(peer) = cam.agg_sink.peer() {
            let _ = peer.unlink(&cam.agg_sink);
        }
        // Removes sink_K and src_K (src_K's link to rsoverlay goes with it).
        me.agg.release_request_pad(&cam.agg_sink);
        for e in &cam.downstream {
            let _ = e.set_state(gst::State::Null);
        }
        let all: Vec<&gst::Element> = cam.upstream.iter().chain(&cam.downstream).collect();
        if let Err(e) = me.pipeline.remove_many(all) {
            eprintln!("camera {name}: {e}");
        }
        println!("removed {name}");
    }

    /// Ends the stream: EOS into every source, then wait for it on the bus.
    fn stop(app: &Rc<RefCell<App>>, why: &str) {
        let mut me = app.borrow_mut();
        if me.stopping {
            // A second Ctrl-C: do not wait any longer.
            eprintln!("{why} again: stopping without waiting for EOS");
            me.exit_code = 130;
            me.main_loop.quit();
            return;
        }
        me.stopping = true;
        eprintln!("{why}: sending EOS");
        let pipeline = me.pipeline.clone();
        drop(me);
        pipeline.send_event(gst::event::Eos::new());
        let weak = Rc::downgrade(app);
        glib::timeout_add_local_once(EOS_WAIT, move || {
            if let Some(app) = weak.upgrade() {
                let mut me = app.borrow_mut();
                eprintln!("error: no EOS within {} s", EOS_WAIT.as_secs());
                me.exit_code = 1;
                me.main_loop.quit();
            }
        });
    }

    fn on_message(app: &Rc<RefCell<App>>, msg: &gst::Message) {
        use gst::MessageView;
        match msg.view() {
            MessageView::Eos(_) => {
                let me = app.borrow();
                if me.stopping {
                    me.main_loop.quit();
                }
            }
            MessageView::Error(e) => {
                let src = msg.src().map(|s| s.path_string().to_string());
                eprintln!(
                    "error from {}: {} ({})",
                    src.as_deref().unwrap_or("?"),
                    e.error(),
                    e.debug().as_deref().unwrap_or("")
                );
                let mut me = app.borrow_mut();
                me.exit_code = 1;
                me.main_loop.quit();
            }
            MessageView::Warning(w) => {
                let src = msg.src().map(|s| s.path_string().to_string());
                eprintln!(
                    "warning from {}: {}",
                    src.as_deref().unwrap_or("?"),
                    w.error()
                );
            }
            MessageView::Element(m) => {
                let Some(s) = m.structure() else { return };
                let from_agg = msg.src() == Some(app.borrow().agg.upcast_ref());
                if s.name() == "rstracking-merge" && from_agg {
                    if let (Ok(from), Ok(to)) = (s.get::<u64>("from"), s.get::<u64>("to")) {
                        println!("merge from={from} to={to}");
                    }
                }
            }
            MessageView::Application(m) => {
                let Some(s) = m.structure() else { return };
                if s.name() == CAMERA_EOS {
                    if let Ok(name) = s.get::<String>("camera") {
                        Self::finish_remove(app, &name);
                    }
                } else if s.name() == SIGNAL {
                    let sig = s.get::<String>("signal").unwrap_or_default();
                    Self::stop(app, &sig);
                }
            }
            _ => {}
        }
    }
}

/// SIGINT and SIGTERM, blocked in every thread (set before any thread
/// starts) and taken by one thread with `sigwait`, which posts them on
/// the bus: no signal handler, no `unsafe`.
fn block_signals() -> nix::sys::signal::SigSet {
    use nix::sys::signal::{SigSet, Signal};
    let mut set = SigSet::empty();
    set.add(Signal::SIGINT);
    set.add(Signal::SIGTERM);
    if let Err(e) = set.thread_block() {
        eprintln!("cannot block SIGINT/SIGTERM ({e}): Ctrl-C will not end with EOS");
    }
    set
}

fn watch_signals(set: nix::sys::signal::SigSet, bus: gst::Bus) {
    std::thread::spawn(move || {
        while let Ok(sig) = set.wait() {
            let s = gst::Structure::builder(SIGNAL)
                .field("signal", sig.as_str())
                .build();
            if bus.post(gst::message::Application::new(s)).is_err() {
                break;
            }
        }
    });
}

fn run(args: Args, signals: nix::sys::signal::SigSet) -> Result<i32, String> {
    let ctx = glib::MainContext::default();
    let _owner = ctx.acquire().map_err(|e| format!("main context: {e}"))?;
    let pipeline = gst::Pipeline::with_name("live-mtmc");
    let agg = make("rsmtmcagg", &[])?;
    pipeline.add(&agg).map_err(|e| e.to_string())?;
    let initial = args.cameras.clone();
    let adds = args.adds.clone();
    let removes = args.removes.clone();
    let seconds = args.seconds;
    let (address, port) = (args.address.clone(), args.port);
    let app = Rc::new(RefCell::new(App {
        args,
        pipeline: pipeline.clone(),
        agg,
        cameras: Vec::new(),
        main_loop: glib::MainLoop::new(Some(&ctx), false),
        exit_code: 0,
        stopping: false,
    }));
    for (name, uri) in &initial {
        app.borrow_mut().add_camera(name, uri)?;
    }
    let bus = pipeline.bus().expect("a pipeline has a bus");
    watch_signals(signals, bus.clone());
    let weak = Rc::downgrade(&app);
    let _watch = bus
        .add_watch_local(move |_, msg| {
            if let Some(app) = weak.upgrade() {
                App::on_message(&app, msg);
            }
            glib::ControlFlow::Continue
        })
        .map_err(|e| e.to_string())?;
    let names: Vec<&str> = initial.iter().map(|(n, _)| n.as_str()).collect();
    println!(
        "live view: http://{address}:{port}/ (cameras: {})",
        names.join(" ")
    );
    if pipeline.set_state(gst::State::Playing).is_err() {
        // The element that failed has posted why.
        let why = bus
            .pop_filtered(&[gst::MessageType::Error])
            .map(|m| match m.view() {
                gst::MessageView::Error(e) => format!(
                    "{}: {}",
                    m.src()
                        .map(|s| s.path_string().to_string())
                        .unwrap_or_default(),
                    e.error()
                ),
                _ => String::new(),
            })
            .unwrap_or_default();
        let _ = pipeline.set_state(gst::State::Null);
        return Err(format!("cannot start the pipeline: {why}"));
    }
    for (t, name, uri) in adds {
        let weak = Rc::downgrade(&app);
        glib::timeout_add_local_once(Duration::from_secs_f64(t), move || {
            let Some(app) = weak.upgrade() else { return };
            let mut me = app.borrow_mut();
            if me.stopping {
                return;
            }
            if me.cameras.iter().any(|c| c.name == name) {
                eprintln!("--add-after: camera {name} is running already");
                return;
            }
            if let Err(e) = me.add_camera(&name, &uri) {
                eprintln!("error: {e}");
                me.exit_code = 1;
                me.main_loop.quit();
            }
        });
    }
    for (t, name) in removes {
        let weak = Rc::downgrade(&app);
        glib::timeout_add_local_once(Duration::from_secs_f64(t), move || {
            if let Some(app) = weak.upgrade() {
                App::start_remove(&app, &name);
            }
        });
    }
    if let Some(s) = seconds {
        let weak = Rc::downgrade(&app);
        glib::timeout_add_local_once(Duration::from_secs_f64(s), move || {
            if let Some(app) = weak.upgrade() {
                App::stop(&app, &format!("{s} s"));
            }
        });
    }
    let main_loop = app.borrow().main_loop.clone();
    main_loop.run();
    let _ = pipeline.set_state(gst::State::Null);
    let code = app.borrow().exit_code;
    Ok(code)
}

fn main() {
    // Before any thread exists, so that every thread inherits the mask.
    let signals = block_signals();
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("rstracking-live-mtmc: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(e) = gst::init() {
        eprintln!("error: GStreamer: {e}");
        std::process::exit(1);
    }
    match run(args, signals) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
