// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use crate::meta::TrackingMeta;
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use gst_video::prelude::*;
use rstracking_core::draw::zones::{draw_zones, ZoneCounts};
use rstracking_core::draw::{draw_objects, Canvas, FrameMut, OverlayStyle};
use rstracking_core::image::PixelLayout;
use rstracking_core::zones::{parse_config, ZoneConfig};
use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rsoverlay",
        gst::DebugColorFlags::empty(),
        Some("Draws the tracking meta"),
    )
});

struct State {
    info: gst_video::VideoInfo,
    layout: PixelLayout,
}

/// `zones-config`: the zones and lines drawn, and the counts taken from
/// rszones' `rstracking-zone` events passing through.
struct Zones {
    cfg: ZoneConfig,
    counts: ZoneCounts,
    by_class: BTreeMap<(String, u32), u64>,
}

#[derive(Default)]
pub struct RsOverlay {
    stats: crate::stats::StatsProbe,
    zones_path: Mutex<Option<String>>,
    zones: Mutex<Option<Zones>>,
    // Mutex order: settings, zones, state.
    settings: Mutex<OverlayStyle>,
    state: Mutex<Option<State>>,
}

#[glib::object_subclass]
impl ObjectSubclass for RsOverlay {
    const NAME: &'static str = "GstRsOverlay";
    type Type = super::RsOverlay;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for RsOverlay {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let d = OverlayStyle::default();
            let flag = |name: &'static str, nick: &'static str, blurb: &'static str, def: bool| {
                glib::ParamSpecBoolean::builder(name)
                    .nick(nick)
                    .blurb(blurb)
                    .default_value(def)
                    .mutable_playing()
                    .build()
            };
            vec![
                flag("boxes", "Boxes", "Draw object boxes", d.boxes),
                flag("labels", "Labels", "Draw '#track_id g<global_id> label' above the boxes", d.labels),
                flag("skeleton", "Skeleton", "Draw keypoints and, for 17 keypoints, the COCO-17 skeleton", d.skeleton),
                glib::ParamSpecUInt::builder("thickness")
                    .nick("Line thickness")
                    .blurb("Line thickness in pixels; 0 = from the frame size (min(w,h)/360, at least 1)")
                    .minimum(0)
                    .maximum(64)
                    .default_value(d.thickness)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("text-scale")
                    .nick("Text scale")
                    .blurb("Size of the 5x7 font in multiples; 0 = from the frame size (min(w,h)/240, at least 1)")
                    .minimum(0)
                    .maximum(64)
                    .default_value(d.text_scale)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecFloat::builder("min-confidence")
                    .nick("Minimum keypoint confidence")
                    .blurb("Keypoints below this confidence are not drawn")
                    .minimum(0.0)
                    .maximum(1.0)
                    .default_value(d.min_keypoint_confidence)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecString::builder("zones-config")
                    .nick("Zones config")
                    .blurb("rszones config file whose zones and lines are drawn, with the counts of the rszones events passing through (crossings per direction, occupancy)")
                    .mutable_ready()
                    .build(),
                crate::stats::param_spec(),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        if pspec.name() == crate::stats::PROPERTY {
            self.stats
                .set_interval_ms(value.get().expect("type checked upstream"));
            return;
        }
        if pspec.name() == "zones-config" {
            *self.zones_path.lock().unwrap() = value.get().expect("type checked upstream");
            return;
        }
        let mut s = self.settings.lock().unwrap();
        match pspec.name() {
            "boxes" => s.boxes = value.get().expect("type checked upstream"),
            "labels" => s.labels = value.get().expect("type checked upstream"),
            "skeleton" => s.skeleton = value.get().expect("type checked upstream"),
            "thickness" => s.thickness = value.get().expect("type checked upstream"),
            "text-scale" => s.text_scale = value.get().expect("type checked upstream"),
            "min-confidence" => {
                s.min_keypoint_confidence = value.get().expect("type checked upstream")
            }
            other => unreachable!("unknown property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        if pspec.name() == "zones-config" {
            return self.zones_path.lock().unwrap().to_value();
        }
        if pspec.name() == crate::stats::PROPERTY {
            return self.stats.interval_ms().to_value();
        }
        let s = self.settings.lock().unwrap();
        match pspec.name() {
            "boxes" => s.boxes.to_value(),
            "labels" => s.labels.to_value(),
            "skeleton" => s.skeleton.to_value(),
            "thickness" => s.thickness.to_value(),
            "text-scale" => s.text_scale.to_value(),
            "min-confidence" => s.min_keypoint_confidence.to_value(),
            other => unreachable!("unknown property {other}"),
        }
    }
}

impl GstObjectImpl for RsOverlay {}

impl ElementImpl for RsOverlay {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Tracking overlay",
                "Filter/Effect/Video",
                "Draws boxes, track/global ids and skeletons of the tracking meta into the video",
                "gst-rstracking developers",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> =
            LazyLock::new(crate::raw_transform_pad_templates);
        TEMPLATES.as_ref()
    }
}

impl BaseTransformImpl for RsOverlay {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn set_caps(&self, incaps: &gst::Caps, _outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let info = gst_video::VideoInfo::from_caps(incaps)
            .map_err(|_| gst::loggable_error!(CAT, "Cannot parse caps {incaps}"))?;
        let layout = crate::pixel_layout(info.format())
            .ok_or_else(|| gst::loggable_error!(CAT, "Unsupported format {:?}", info.format()))?;
        *self.state.lock().unwrap() = Some(State { info, layout });
        Ok(())
    }

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let path = self.zones_path.lock().unwrap().clone();
        let zones = match path {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    gst::error_msg!(
                        gst::ResourceError::OpenRead,
                        ("Failed to read zones config '{}': {}", path, e)
                    )
                })?;
                let cfg = parse_config(&text, &path)
                    .map_err(|e| gst::error_msg!(gst::ResourceError::Settings, ("{}", e)))?;
                Some(Zones {
                    cfg,
                    counts: ZoneCounts::default(),
                    by_class: BTreeMap::new(),
                })
            }
        };
        *self.zones.lock().unwrap() = zones;
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *self.zones.lock().unwrap() = None;
        *self.state.lock().unwrap() = None;
        self.stats.stop();
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        self.stats.sink_event(self.obj().upcast_ref(), &event);
        if let gst::EventView::CustomDownstream(c) = event.view() {
            if let Some(s) = c.structure().filter(|s| s.name() == "rstracking-zone") {
                if let Some(z) = self.zones.lock().unwrap().as_mut() {
                    z.count(s);
                }
            }
        }
        self.parent_sink_event(event)
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let started = self.stats.begin();
        let ret = self.draw_meta(buf)?;
        self.stats
            .end(self.obj().upcast_ref(), started, buf, |_, _| {});
        Ok(ret)
    }
}

impl RsOverlay {
    fn draw_meta(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        // The objects are moved out of the meta while the frame is mapped
        // (the meta cannot stay borrowed then) and moved back after: no
        // copy of the objects per frame.
        let zones = self.zones.lock().unwrap().is_some();
        let objects = match buf.meta_mut::<TrackingMeta>() {
            Some(mut m) if !m.objects().is_empty() => std::mem::take(m.objects_mut()),
            _ if zones => Vec::new(),
            _ => return Ok(gst::FlowSuccess::Ok),
        };
        let res = self.draw(buf, &objects);
        if let Some(mut m) = buf.meta_mut::<TrackingMeta>() {
            *m.objects_mut() = objects;
        }
        res
    }
}

impl RsOverlay {
    fn draw(
        &self,
        buf: &mut gst::BufferRef,
        objects: &[rstracking_core::types::Object],
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let style = self.settings.lock().unwrap().clone();
        // Held while drawing (no per-frame copy of the config and counts);
        // lock order: settings, zones, state.
        let zones = self.zones.lock().unwrap();
        let guard = self.state.lock().unwrap();
        let state = guard.as_ref().ok_or(gst::FlowError::NotNegotiated)?;
        let yuv = crate::yuv_params(&state.info);
        let mut vf =
            gst_video::VideoFrameRef::from_buffer_ref_writable(buf, &state.info).map_err(|_| {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Failed,
                    ("Failed to map the video buffer writable")
                );
                gst::FlowError::Error
            })?;
        let n = (vf.n_planes() as usize).min(3);
        let mut strides = [0usize; 3];
        for (s, &v) in strides.iter_mut().zip(vf.plane_stride()).take(n) {
            *s = v.max(0) as usize;
        }
        let (width, height) = (vf.width() as usize, vf.height() as usize);
        let mut planes: [&mut [u8]; 3] = [&mut [], &mut [], &mut []];
        // One mutable borrow per plane: split the frame's planes.
        for (slot, p) in planes.iter_mut().zip(vf.planes_data_mut()).take(n) {
            *slot = p;
        }
        let mut frame = FrameMut {
            layout: state.layout,
            width,
            height,
            planes,
            strides,
            yuv,
        };
        let mut canvas = Canvas::new(&mut frame).map_err(|e| {
            gst::element_imp_error!(self, gst::StreamError::Failed, ("{}", e));
            gst::FlowError::Error
        })?;
        if let Some(z) = zones.as_ref() {
            let short = width.min(height);
            let auto = |v: u32, div: usize| {
                if v == 0 {
                    (short / div).max(1) as u32
                } else {
                    v
                }
            };
            draw_zones(
                &mut canvas,
                &z.cfg,
                &z.counts,
                auto(style.thickness, 360),
                auto(style.text_scale, 240),
            );
        }
        draw_objects(&mut canvas, objects, &style);
        gst::trace!(CAT, imp = self, "drew {} objects", objects.len());
        Ok(gst::FlowSuccess::Ok)
    }
}

impl Zones {
    /// Takes one rszones event into the counts.
    fn count(&mut self, s: &gst::StructureRef) {
        match s.get::<&str>("event").unwrap_or("") {
            "line_cross" => {
                let (Ok(line), Ok(dir)) = (s.get::<&str>("line"), s.get::<&str>("direction"))
                else {
                    return;
                };
                let Some(l) = self.cfg.lines.iter().find(|l| l.name == line) else {
                    return;
                };
                let c = self.counts.lines.entry(line.to_string()).or_default();
                if dir == l.directions.0 {
                    c.0 += 1;
                } else {
                    c.1 += 1;
                }
            }
            "zone_occupancy" => {
                let (Ok(zone), Ok(class), Ok(count)) = (
                    s.get::<&str>("zone"),
                    s.get::<u32>("class_id"),
                    s.get::<u32>("count"),
                ) else {
                    return;
                };
                self.by_class
                    .insert((zone.to_string(), class), u64::from(count));
                let total = self
                    .by_class
                    .iter()
                    .filter(|((z, _), _)| z == zone)
                    .map(|(_, n)| n)
                    .sum();
                self.counts.occupancy.insert(zone.to_string(), total);
            }
            _ => {}
        }
    }
}
