// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use crate::meta::TrackingMeta;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;
use rstracking_core::zones::{parse_config, ZoneAnalytics, ZoneEvent};
use std::sync::{LazyLock, Mutex};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rszones",
        gst::DebugColorFlags::empty(),
        Some("Zones and lines on tracks"),
    )
});

const DEFAULT_FORGET_AFTER: u32 = 300;

#[derive(Debug, Clone)]
struct Settings {
    config: Option<String>,
    forget_after: u32,
    post_messages: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            config: None,
            forget_after: DEFAULT_FORGET_AFTER,
            post_messages: true,
        }
    }
}

struct State {
    za: ZoneAnalytics,
    /// Occupancy per (zone, class) of the last frame, to report changes.
    occupancy: rstracking_core::zones::Occupancy,
    width: u32,
    height: u32,
    frame: u64,
    stream: Option<String>,
}

#[derive(Default)]
pub struct RsZones {
    // Mutex order: settings before state.
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
}

#[glib::object_subclass]
impl ObjectSubclass for RsZones {
    const NAME: &'static str = "GstRsZones";
    type Type = super::RsZones;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for RsZones {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecString::builder("config")
                    .nick("Config file")
                    .blurb("Zones and lines file (one entry per line: coordinates, anchor, hysteresis, zone, exclude, line; README \"Zones and lines\")")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("forget-after")
                    .nick("Forget after")
                    .blurb("Frames after which a track not seen is dropped (exit events for its zones)")
                    .minimum(1)
                    .default_value(DEFAULT_FORGET_AFTER)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("post-messages")
                    .nick("Post messages")
                    .blurb("Also post every event as an 'rstracking-zone' element message on the bus")
                    .default_value(true)
                    .mutable_playing()
                    .build(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = self.settings.lock().unwrap();
        match pspec.name() {
            "config" => s.config = value.get().expect("type checked upstream"),
            "forget-after" => s.forget_after = value.get().expect("type checked upstream"),
            "post-messages" => s.post_messages = value.get().expect("type checked upstream"),
            other => unreachable!("unknown property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = self.settings.lock().unwrap();
        match pspec.name() {
            "config" => s.config.to_value(),
            "forget-after" => s.forget_after.to_value(),
            "post-messages" => s.post_messages.to_value(),
            other => unreachable!("unknown property {other}"),
        }
    }
}

impl GstObjectImpl for RsZones {}

impl ElementImpl for RsZones {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Tracking zones and lines",
                "Filter/Analyzer/Video",
                "Zones (enter, exit, dwell, occupancy) and lines (directional crossings with hysteresis) on tracked objects",
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

/// The structure of one event: `rstracking-zone` with `event`
/// (`line_cross`, `zone_enter`, `zone_exit`), `line` or `zone`, `direction`,
/// `track_id`, `class_id`, `dwell_frames`, `dwell_ns`, `stream`, `frame`.
fn event_structure(e: &ZoneEvent, stream: Option<&str>, frame: u64) -> gst::Structure {
    let b = gst::Structure::builder("rstracking-zone");
    let b = match e {
        ZoneEvent::LineCross {
            line,
            direction,
            track_id,
            class_id,
        } => b
            .field("event", "line_cross")
            .field("line", line)
            .field("direction", direction)
            .field("track_id", track_id)
            .field("class_id", class_id),
        ZoneEvent::Enter {
            zone,
            track_id,
            class_id,
        } => b
            .field("event", "zone_enter")
            .field("zone", zone)
            .field("track_id", track_id)
            .field("class_id", class_id),
        ZoneEvent::Exit {
            zone,
            track_id,
            class_id,
            dwell_frames,
            dwell_ns,
        } => {
            let b = b
                .field("event", "zone_exit")
                .field("zone", zone)
                .field("track_id", track_id)
                .field("class_id", class_id)
                .field("dwell_frames", dwell_frames);
            match dwell_ns {
                Some(ns) => b.field("dwell_ns", ns),
                None => b,
            }
        }
    };
    let b = b.field("frame", frame);
    match stream {
        Some(s) => b.field("stream", s),
        None => b,
    }
    .build()
}

impl RsZones {
    /// Pushes (and posts) events, no lock held.
    fn send(&self, events: Vec<gst::Structure>) {
        if events.is_empty() {
            return;
        }
        let post = self.settings.lock().unwrap().post_messages;
        let obj = self.obj();
        for s in events {
            if post {
                let _ =
                    obj.post_message(gst::message::Element::builder(s.clone()).src(&*obj).build());
            }
            obj.src_pad()
                .push_event(gst::event::CustomDownstream::new(s));
        }
    }

    /// The totals of every line, posted at EOS.
    fn post_counts(&self) {
        let s = {
            let guard = self.state.lock().unwrap();
            let Some(st) = guard.as_ref() else {
                return;
            };
            let mut b = gst::Structure::builder("rstracking-zone-counts");
            for (line, fwd, nf, back, nb) in st.za.line_counts() {
                b = b
                    .field(format!("{line}.{fwd}"), nf)
                    .field(format!("{line}.{back}"), nb);
            }
            b.build()
        };
        crate::post_element_message(&*self.obj(), s);
    }
}

impl BaseTransformImpl for RsZones {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let settings = self.settings.lock().unwrap().clone();
        let path = settings.config.ok_or_else(|| {
            gst::error_msg!(
                gst::ResourceError::NotFound,
                ("No 'config' set (a zones and lines file)")
            )
        })?;
        let text = std::fs::read_to_string(&path).map_err(|e| {
            gst::error_msg!(
                gst::ResourceError::OpenRead,
                ("Failed to read zones config '{}': {}", path, e)
            )
        })?;
        let cfg = parse_config(&text, &path)
            .map_err(|e| gst::error_msg!(gst::ResourceError::Settings, ("{}", e)))?;
        gst::info!(
            CAT,
            imp = self,
            "{} zones, {} lines from {}",
            cfg.zones.len(),
            cfg.lines.len(),
            path
        );
        let mut za = ZoneAnalytics::new(cfg);
        za.forget_frames = u64::from(settings.forget_after);
        *self.state.lock().unwrap() = Some(State {
            za,
            occupancy: Default::default(),
            width: 0,
            height: 0,
            frame: 0,
            stream: None,
        });
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *self.state.lock().unwrap() = None;
        Ok(())
    }

    fn set_caps(&self, incaps: &gst::Caps, _outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        if let Some(st) = self.state.lock().unwrap().as_mut() {
            (st.width, st.height) = crate::caps_size(incaps);
        }
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        match event.view() {
            gst::EventView::CustomDownstream(_) => {
                if let Some(id) = crate::ended_track(&event) {
                    let ended = {
                        let mut guard = self.state.lock().unwrap();
                        guard.as_mut().map(|st| {
                            let ev = st.za.end_track(id);
                            let stream = st.stream.clone();
                            let frame = st.frame;
                            ev.iter()
                                .map(|e| event_structure(e, stream.as_deref(), frame))
                                .collect::<Vec<_>>()
                        })
                    };
                    self.send(ended.unwrap_or_default());
                }
            }
            gst::EventView::Eos(_) => self.post_counts(),
            // A flush restarts the frames: the tracks of before end.
            gst::EventView::FlushStop(_) => {
                let ended = {
                    let mut guard = self.state.lock().unwrap();
                    guard.as_mut().map(|st| {
                        let (stream, frame) = (st.stream.clone(), st.frame);
                        st.occupancy.clear();
                        st.za
                            .reset()
                            .iter()
                            .map(|e| event_structure(e, stream.as_deref(), frame))
                            .collect::<Vec<_>>()
                    })
                };
                // Serialized after the flush: sent once the flush-stop passed.
                let ret = self.parent_sink_event(event);
                self.send(ended.unwrap_or_default());
                return ret;
            }
            _ => {}
        }
        self.parent_sink_event(event)
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let pts = buf.pts().map(|t| t.nseconds());
        let events = {
            let mut guard = self.state.lock().unwrap();
            let st = guard.as_mut().ok_or(gst::FlowError::Flushing)?;
            let Some(mut meta) = buf.meta_mut::<TrackingMeta>() else {
                st.frame += 1;
                return Ok(gst::FlowSuccess::Ok);
            };
            let frame = meta.frame().frame.unwrap_or(st.frame);
            st.frame = frame + 1;
            if meta.frame().stream.is_some() {
                st.stream = meta.frame().stream.clone();
            }
            let size = (st.width, st.height);
            if st.za.needs_frame_size() && (size.0 == 0 || size.1 == 0) {
                drop(guard);
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Format,
                    ("The zones config uses normalized coordinates but the caps give no frame size")
                );
                return Err(gst::FlowError::NotNegotiated);
            }
            let (events, occupancy) = st.za.update(frame, pts, size, meta.objects_mut());
            let mut out: Vec<gst::Structure> = events
                .iter()
                .map(|e| event_structure(e, st.stream.as_deref(), frame))
                .collect();
            // Occupancy changes (a count that drops to 0 included).
            let keys: std::collections::BTreeSet<_> = occupancy
                .keys()
                .chain(st.occupancy.keys())
                .cloned()
                .collect();
            for k in keys {
                let (now, before) = (
                    occupancy.get(&k).copied().unwrap_or(0),
                    st.occupancy.get(&k).copied().unwrap_or(0),
                );
                if now != before {
                    let b = gst::Structure::builder("rstracking-zone")
                        .field("event", "zone_occupancy")
                        .field("zone", &k.0)
                        .field("class_id", k.1)
                        .field("count", now)
                        .field("frame", frame);
                    out.push(
                        match &st.stream {
                            Some(s) => b.field("stream", s),
                            None => b,
                        }
                        .build(),
                    );
                }
            }
            st.occupancy = occupancy;
            out
        };
        self.send(events);
        Ok(gst::FlowSuccess::Ok)
    }
}
