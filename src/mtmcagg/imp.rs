// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use super::RsMtmcSinkPad;
use crate::meta::TrackingMeta;
use crate::TrackingEvent as _;
use crate::{IdKind, MergeEvent};
use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use rstracking_core::mtmc::{
    parse_camera_links, GlobalMerge, MtmcAggregator, MtmcConfig, MtmcError,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, LazyLock, Mutex, MutexGuard};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rsmtmcagg",
        gst::DebugColorFlags::empty(),
        Some("Multi-camera identity"),
    )
});

const DEFAULT_MAX_SKEW: u64 = 40_000_000;
const DEFAULT_TIMEOUT: u64 = 200_000_000;
/// 60 s: a longer wait is a stalled pipeline, not a skew to absorb.
const MAX_TIMEOUT: u64 = 60_000_000_000;

#[derive(Debug, Clone)]
struct Settings {
    match_threshold: f32,
    cluster_interval: u64,
    max_skew: u64,
    timeout: u64,
    max_tracklets: u32,
    max_age: u64,
    camera_links: Option<String>,
    reset: crate::reset::ResetPolicy,
}

impl Default for Settings {
    fn default() -> Self {
        let c = MtmcConfig::default();
        Self {
            match_threshold: c.match_threshold,
            cluster_interval: c.cluster_interval_ns,
            max_skew: DEFAULT_MAX_SKEW,
            timeout: DEFAULT_TIMEOUT,
            max_tracklets: c.max_tracklets as u32,
            max_age: c.max_age_ns,
            camera_links: None,
            reset: crate::reset::ResetPolicy::default(),
        }
    }
}

/// One camera input and its output.
struct Camera {
    sink: RsMtmcSinkPad,
    src: gst::Pad,
    segment: gst::FormattedSegment<gst::ClockTime>,
    /// Running time of the newest buffer that arrived (ns).
    last_rt: Option<u64>,
    /// Clock time (ns) at which that buffer arrived: a camera silent for
    /// longer than `timeout` is stalled and not waited for until it sends
    /// again.
    last_arrival: Option<u64>,
    /// Camera name of the last buffer (pad property, meta or pad name).
    name: Option<String>,
    eos: bool,
    flushing: bool,
    /// Merges to send downstream before this camera's next buffer.
    pending: Vec<MergeEvent>,
    /// Stream-ids seen on this camera's pad, for the reset policy.
    stream_ids: crate::reset::StreamIds,
}

struct Shared {
    agg: Option<MtmcAggregator>,
    cameras: HashMap<u32, Camera>,
    next_index: u32,
    /// Newest running time over all cameras (drives the clustering clock).
    max_rt: u64,
    /// The clock the arrival times were taken on.
    clock: Option<gst::Clock>,
}

pub struct RsMtmcAgg {
    settings: Mutex<Settings>,
    shared: Mutex<Shared>,
    cond: Condvar,
    without_track: AtomicU64,
    without_embedding: AtomicU64,
    merges: AtomicU64,
    publish: crate::interop::PublishSetting,
    /// First global id of the next run: ids stay unique over the element's
    /// lifetime when an application restarts it.
    next_global_id: AtomicU64,
}

impl Default for RsMtmcAgg {
    fn default() -> Self {
        Self {
            settings: Mutex::new(Settings::default()),
            shared: Mutex::new(Shared {
                agg: None,
                cameras: HashMap::new(),
                next_index: 0,
                max_rt: 0,
                clock: None,
            }),
            cond: Condvar::new(),
            without_track: AtomicU64::new(0),
            without_embedding: AtomicU64::new(0),
            merges: AtomicU64::new(0),
            publish: Default::default(),
            next_global_id: AtomicU64::new(1),
        }
    }
}

#[glib::object_subclass]
impl ObjectSubclass for RsMtmcAgg {
    const NAME: &'static str = "GstRsMtmcAgg";
    type Type = super::RsMtmcAgg;
    type ParentType = gst::Element;
}

fn pad_index(pad: &gst::Pad) -> Option<u32> {
    pad.name().rsplit('_').next().and_then(|s| s.parse().ok())
}

/// The camera name of a buffer on `pad`: the pad's `camera` property, else
/// the meta's stream id, else the pad name.
fn camera_name(pad: &RsMtmcSinkPad, buffer: &gst::Buffer) -> String {
    let configured = pad.imp().camera.lock().unwrap().clone();
    configured
        .or_else(|| {
            buffer
                .meta::<TrackingMeta>()
                .and_then(|m| m.frame().stream.clone())
        })
        .unwrap_or_else(|| pad.name().to_string())
}

/// Records `name` as camera `idx`'s name; `Err(other pad)` when another
/// pad already carries it.
fn claim_camera_name(shared: &mut Shared, idx: u32, name: &str) -> Result<(), u32> {
    if let Some((other, _)) = shared
        .cameras
        .iter()
        .find(|(i, c)| **i != idx && c.name.as_deref() == Some(name))
    {
        return Err(*other);
    }
    if let Some(cam) = shared.cameras.get_mut(&idx) {
        if cam.name.as_deref() != Some(name) {
            cam.name = Some(name.to_owned());
        }
    }
    Ok(())
}

/// Arrival times on another clock (e.g. the system clock before PLAYING)
/// cannot be compared with `clock`'s: the cameras that had arrived count as
/// arriving now.
fn adopt_clock(shared: &mut Shared, clock: &gst::Clock) {
    if shared.clock.as_ref() == Some(clock) {
        return;
    }
    let now = clock.time().nseconds();
    for c in shared.cameras.values_mut() {
        if c.last_arrival.is_some() {
            c.last_arrival = Some(now);
        }
    }
    shared.clock = Some(clock.clone());
}

/// Books the arrival of `buffer` on camera `idx` at clock time `now`;
/// returns its running time (ns).
fn arrive(
    shared: &mut Shared,
    idx: u32,
    buffer: &gst::Buffer,
    now: gst::ClockTime,
) -> Result<u64, gst::FlowError> {
    let cam = shared
        .cameras
        .get_mut(&idx)
        .ok_or(gst::FlowError::Flushing)?;
    let rt = buffer
        .pts()
        .and_then(|pts| cam.segment.to_running_time(pts))
        .map(|t| t.nseconds())
        .or(cam.last_rt)
        .unwrap_or(0);
    cam.last_rt = Some(cam.last_rt.map_or(rt, |l| l.max(rt)));
    cam.last_arrival = Some(now.nseconds());
    shared.max_rt = shared.max_rt.max(rt);
    Ok(rt)
}

/// Gives every tracked object of `buffer` its global id; returns the counts
/// of objects without a track id and without an embedding.
fn observe_objects(
    agg: &mut MtmcAggregator,
    camera: &str,
    rt: u64,
    buffer: &mut gst::Buffer,
) -> Result<(u64, u64), MtmcError> {
    let (mut no_track, mut no_emb) = (0u64, 0u64);
    if buffer.meta::<TrackingMeta>().is_none() {
        return Ok((0, 0));
    }
    let b = buffer.make_mut();
    let Some(mut meta) = b.meta_mut::<TrackingMeta>() else {
        return Ok((0, 0));
    };
    for o in meta.objects_mut() {
        let Some(track) = o.track_id else {
            no_track += 1;
            continue;
        };
        if o.embedding.is_none() {
            no_emb += 1;
        }
        o.global_id = agg.observe(camera, track, rt, o.embedding.as_deref())?;
    }
    Ok((no_track, no_emb))
}

impl RsMtmcAgg {
    fn config(&self) -> Result<MtmcConfig, gst::ErrorMessage> {
        let s = self.settings.lock().unwrap().clone();
        let links = match &s.camera_links {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    gst::error_msg!(
                        gst::ResourceError::OpenRead,
                        ("Failed to read camera-links file '{}': {}", path, e)
                    )
                })?;
                Some(
                    parse_camera_links(&text, path)
                        .map_err(|e| gst::error_msg!(gst::StreamError::Format, ("{}", e)))?,
                )
            }
            None => None,
        };
        Ok(MtmcConfig {
            match_threshold: s.match_threshold,
            cluster_interval_ns: s.cluster_interval,
            max_tracklets: s.max_tracklets as usize,
            max_age_ns: s.max_age,
            links,
            ..MtmcConfig::default()
        })
    }

    /// The pipeline clock (or the system clock outside a pipeline): waits
    /// and stall detection run on it, so a test clock drives them.
    fn clock(&self) -> gst::Clock {
        self.obj().clock().unwrap_or_else(gst::SystemClock::obtain)
    }

    fn sink_chain(
        &self,
        pad: &RsMtmcSinkPad,
        mut buffer: gst::Buffer,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let idx = pad_index(pad.upcast_ref()).ok_or(gst::FlowError::Error)?;
        let (max_skew, timeout) = {
            let s = self.settings.lock().unwrap();
            (s.max_skew, s.timeout)
        };
        let clock = self.clock();
        let camera = camera_name(pad, &buffer);
        let mut shared = self.shared.lock().unwrap();
        if let Err(other) = claim_camera_name(&mut shared, idx, &camera) {
            drop(shared);
            gst::element_imp_error!(
                self,
                gst::StreamError::Failed,
                (
                    "Pads sink_{} and sink_{} both carry camera '{}': give each pad its own 'camera' name",
                    other.min(idx),
                    other.max(idx),
                    camera
                )
            );
            return Err(gst::FlowError::Error);
        }
        adopt_clock(&mut shared, &clock);
        let rt = arrive(&mut shared, idx, &buffer, clock.time())?;
        self.cond.notify_all();
        shared = self.wait_for_others(shared, &clock, idx, rt, max_skew, timeout)?;

        let max_rt = shared.max_rt;
        let Shared { agg, cameras, .. } = &mut *shared;
        let agg = agg.as_mut().ok_or(gst::FlowError::Flushing)?;
        let merges = agg.maybe_cluster(max_rt);
        for c in cameras.values_mut() {
            c.pending.extend(merges.iter().map(|m| MergeEvent {
                id_kind: IdKind::GlobalId,
                from: m.from,
                to: m.into,
                stream: None,
            }));
        }
        let observed = observe_objects(agg, &camera, rt, &mut buffer);
        let cam = cameras.get_mut(&idx).ok_or(gst::FlowError::Flushing)?;
        let pending: Vec<MergeEvent> = cam.pending.drain(..).collect();
        let src = cam.src.clone();
        // Nothing below holds the lock: a bus handler may request or
        // release pads in reply to what is posted here.
        drop(shared);
        if !merges.is_empty() {
            self.merges
                .fetch_add(merges.len() as u64, Ordering::Relaxed);
            self.post_merges(&merges);
        }
        let (no_track, no_emb) = match observed {
            Ok(counts) => counts,
            Err(e) => {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Format,
                    ("Camera '{}': {}", camera, e)
                );
                return Err(gst::FlowError::Error);
            }
        };
        self.without_track.fetch_add(no_track, Ordering::Relaxed);
        self.without_embedding.fetch_add(no_emb, Ordering::Relaxed);
        for mut m in pending {
            m.stream = Some(camera.clone());
            src.push_event(m.to_event());
        }
        crate::interop::maybe_publish_from_pads(
            pad.upcast_ref(),
            &src,
            &self.publish,
            buffer.make_mut(),
        );
        src.push(buffer)
    }

    /// Waits until every other active camera is at most `max_skew` behind
    /// `rt`, or until `timeout` has passed on the clock. Cameras that sent
    /// nothing for `timeout` count as stalled and are not waited for.
    fn wait_for_others<'a>(
        &'a self,
        mut shared: MutexGuard<'a, Shared>,
        clock: &gst::Clock,
        idx: u32,
        rt: u64,
        max_skew: u64,
        timeout: u64,
    ) -> Result<MutexGuard<'a, Shared>, gst::FlowError> {
        let now = clock.time().nseconds();
        let deadline = now.saturating_add(timeout);
        let mut wake: Option<(u64, gst::SingleShotClockId)> = None;
        let result = loop {
            let me = shared.cameras.get(&idx).ok_or(gst::FlowError::Flushing)?;
            if me.flushing {
                break Err(gst::FlowError::Flushing);
            }
            let now = clock.time().nseconds();
            // The earliest moment something can change without a buffer
            // arriving: our deadline, or a camera we wait for stalling.
            let mut next = deadline;
            let mut behind = false;
            for (i, c) in &shared.cameras {
                if *i == idx || c.eos || c.flushing {
                    continue;
                }
                let (Some(arrival), Some(last)) = (c.last_arrival, c.last_rt) else {
                    continue;
                };
                let stalls_at = arrival.saturating_add(timeout);
                if now < stalls_at && last.saturating_add(max_skew) < rt {
                    behind = true;
                    next = next.min(stalls_at);
                }
            }
            if !behind {
                break Ok(());
            }
            if now >= deadline {
                gst::debug!(
                    CAT,
                    imp = self,
                    "camera {idx}: released after the {} ns timeout",
                    timeout
                );
                break Ok(());
            }
            if wake.as_ref().is_none_or(|(t, _)| *t != next) {
                if let Some((_, id)) = wake.take() {
                    id.unschedule();
                }
                let id = clock.new_single_shot_id(gst::ClockTime::from_nseconds(next));
                let this = self.obj().downgrade();
                let scheduled = id.wait_async(move |_, _, _| {
                    if let Some(obj) = this.upgrade() {
                        let imp = obj.imp();
                        let _guard = imp.shared.lock().unwrap();
                        imp.cond.notify_all();
                    }
                });
                if scheduled.is_err() {
                    break Ok(());
                }
                wake = Some((next, id));
            }
            shared = self.cond.wait(shared).unwrap();
        };
        if let Some((_, id)) = wake {
            id.unschedule();
        }
        result.map(|()| shared)
    }

    /// One `rstracking-merge` element message per merge, with the fields
    /// of the merge event (as rsbytetrack posts its stitches).
    fn post_merges(&self, merges: &[GlobalMerge]) {
        let obj = self.obj();
        for m in merges {
            let event = MergeEvent {
                id_kind: IdKind::GlobalId,
                from: m.from,
                to: m.into,
                stream: None,
            };
            let _ = obj.post_message(event.to_message(obj.upcast_ref()));
        }
    }

    fn sink_event(&self, pad: &RsMtmcSinkPad, event: gst::Event) -> bool {
        let Some(idx) = pad_index(pad.upcast_ref()) else {
            return false;
        };
        let policy = self.settings.lock().unwrap().reset;
        let src = {
            let mut shared = self.shared.lock().unwrap();
            let camera = pad.imp().camera.lock().unwrap().clone();
            let Shared { cameras, agg, .. } = &mut *shared;
            let Some(cam) = cameras.get_mut(&idx) else {
                return false;
            };
            if let Some(why) = cam.stream_ids.check(policy, &event) {
                // The pad's camera name, else the one its buffers carried.
                let name = camera.as_deref().or(cam.name.as_deref());
                if let (Some(agg), Some(name)) = (agg.as_mut(), name) {
                    gst::debug!(CAT, imp = self, "camera {name}: {why}: tracklets reset");
                    agg.reset_camera(name);
                }
            }
            match event.view() {
                gst::EventView::Segment(s) => {
                    if let Ok(seg) = s.segment().clone().downcast::<gst::ClockTime>() {
                        cam.segment = seg;
                    }
                }
                gst::EventView::FlushStart(_) => cam.flushing = true,
                gst::EventView::FlushStop(_) => {
                    cam.flushing = false;
                    cam.last_rt = None;
                    cam.last_arrival = None;
                    cam.eos = false;
                }
                gst::EventView::Eos(_) => cam.eos = true,
                gst::EventView::StreamStart(_) => cam.eos = false,
                _ => {}
            }
            self.cond.notify_all();
            cam.src.clone()
        };
        src.push_event(event)
    }
}

impl ObjectImpl for RsMtmcAgg {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let d = Settings::default();
            let ns = |name: &'static str,
                      nick: &'static str,
                      blurb: &'static str,
                      def: u64,
                      max: u64| {
                glib::ParamSpecUInt64::builder(name)
                    .nick(nick)
                    .blurb(blurb)
                    .minimum(0)
                    .maximum(max)
                    .default_value(def)
                    .mutable_ready()
                    .build()
            };
            let counter = |name: &'static str, nick: &'static str, blurb: &'static str| {
                glib::ParamSpecUInt64::builder(name)
                    .nick(nick)
                    .blurb(blurb)
                    .read_only()
                    .build()
            };
            vec![
                glib::ParamSpecFloat::builder("match-threshold")
                    .nick("Match threshold")
                    .blurb("Largest cosine distance (1 - cos) between appearance means of tracklets/identities that are the same person")
                    .minimum(0.0)
                    .maximum(2.0)
                    .default_value(d.match_threshold)
                    .mutable_ready()
                    .build(),
                ns("cluster-interval", "Cluster interval", "Running time (ns) between two re-clusterings of all tracklets", d.cluster_interval, u64::MAX),
                ns("max-skew", "Maximum skew", "A buffer waits until the other active cameras are at most this far behind (ns; the maximum never waits)", d.max_skew, u64::MAX),
                ns("timeout", "Timeout", "Longest wait (ns of pipeline clock, at most 60 s) for the other cameras; added to the latency", d.timeout, MAX_TIMEOUT),
                glib::ParamSpecUInt::builder("max-tracklets")
                    .nick("Maximum tracklets")
                    .blurb("Gallery size: the oldest tracklets are forgotten beyond it")
                    .minimum(16)
                    .maximum(10_000_000)
                    .default_value(d.max_tracklets)
                    .mutable_ready()
                    .build(),
                ns("max-age", "Maximum age", "Tracklets not seen for this long (ns of running time) are forgotten", d.max_age, u64::MAX),
                glib::ParamSpecEnum::builder_with_default("reset", crate::reset::ResetPolicy::default())
                    .nick("Reset")
                    .blurb("What drops one camera's tracklets (its objects get global ids anew; the other cameras keep theirs): a flush and a new stream-start (another stream-id), one of them, or never")
                    .mutable_playing()
                    .build(),
                glib::ParamSpecString::builder("camera-links")
                    .nick("Camera links file")
                    .blurb("Optional file: one line per camera pair 'camA camB min_seconds max_seconds [overlapping=true]'; pairs not listed cannot share identities")
                    .mutable_ready()
                    .build(),
                counter("objects-without-track-id", "Objects without track id", "Objects passed through without a track id (no global id possible)"),
                counter("objects-without-embedding", "Objects without embedding", "Tracked objects that carried no embedding"),
                counter("merges", "Merges", "Identities merged by re-clustering"),
            ]
        });
        static ALL: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            PROPS
                .iter()
                .cloned()
                .chain([crate::interop::publish_meta_param_spec()])
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
        let mut s = self.settings.lock().unwrap();
        match pspec.name() {
            "match-threshold" => s.match_threshold = value.get().expect("type checked upstream"),
            "cluster-interval" => s.cluster_interval = value.get().expect("type checked upstream"),
            "max-skew" => s.max_skew = value.get().expect("type checked upstream"),
            "timeout" => s.timeout = value.get().expect("type checked upstream"),
            "max-tracklets" => s.max_tracklets = value.get().expect("type checked upstream"),
            "max-age" => s.max_age = value.get().expect("type checked upstream"),
            "reset" => s.reset = value.get().expect("type checked upstream"),
            "camera-links" => {
                s.camera_links = value
                    .get::<Option<String>>()
                    .expect("type checked upstream")
                    .filter(|s| !s.is_empty())
            }
            other => unreachable!("unknown property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        if pspec.name() == "publish-meta" {
            return self.publish.get().to_value();
        }
        let s = self.settings.lock().unwrap();
        match pspec.name() {
            "match-threshold" => s.match_threshold.to_value(),
            "cluster-interval" => s.cluster_interval.to_value(),
            "max-skew" => s.max_skew.to_value(),
            "timeout" => s.timeout.to_value(),
            "max-tracklets" => s.max_tracklets.to_value(),
            "max-age" => s.max_age.to_value(),
            "camera-links" => s.camera_links.to_value(),
            "reset" => s.reset.to_value(),
            "objects-without-track-id" => self.without_track.load(Ordering::Relaxed).to_value(),
            "objects-without-embedding" => {
                self.without_embedding.load(Ordering::Relaxed).to_value()
            }
            "merges" => self.merges.load(Ordering::Relaxed).to_value(),
            other => unreachable!("unknown property {other}"),
        }
    }
}

impl GstObjectImpl for RsMtmcAgg {}

impl ElementImpl for RsMtmcAgg {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Multi-camera identity",
                "Filter/Analyzer/Video",
                "Aligns camera streams by running time and gives every tracked object a global id shared across cameras",
                "gst-rstracking developers",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let caps = crate::video_caps_any();
            vec![
                gst::PadTemplate::with_gtype(
                    "sink_%u",
                    gst::PadDirection::Sink,
                    gst::PadPresence::Request,
                    &caps,
                    RsMtmcSinkPad::static_type(),
                )
                .expect("valid pad template"),
                gst::PadTemplate::new(
                    "src_%u",
                    gst::PadDirection::Src,
                    gst::PadPresence::Sometimes,
                    &caps,
                )
                .expect("valid pad template"),
            ]
        });
        TEMPLATES.as_ref()
    }

    fn request_new_pad(
        &self,
        templ: &gst::PadTemplate,
        name: Option<&str>,
        _caps: Option<&gst::Caps>,
    ) -> Option<gst::Pad> {
        let mut shared = self.shared.lock().unwrap();
        let idx = match name.and_then(|n| n.strip_prefix("sink_")) {
            Some(n) => n.parse::<u32>().ok()?,
            None => shared.next_index,
        };
        if shared.cameras.contains_key(&idx) {
            gst::warning!(CAT, imp = self, "sink_{idx} already exists");
            return None;
        }
        shared.next_index = shared.next_index.max(idx + 1);
        let sink = gst::PadBuilder::<RsMtmcSinkPad>::from_template(templ)
            .name(format!("sink_{idx}"))
            .chain_function(|pad, parent, buffer| {
                RsMtmcAgg::catch_panic_pad_function(
                    parent,
                    || Err(gst::FlowError::Error),
                    |imp| imp.sink_chain(pad, buffer),
                )
            })
            .event_function(|pad, parent, event| {
                RsMtmcAgg::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.sink_event(pad, event),
                )
            })
            .query_function(|pad, parent, query| {
                RsMtmcAgg::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.sink_query(pad, query),
                )
            })
            .build();
        let src_templ = self.obj().pad_template("src_%u").expect("template");
        let src = gst::Pad::builder_from_template(&src_templ)
            .name(format!("src_{idx}"))
            .event_function(|pad, parent, event| {
                RsMtmcAgg::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.src_event(pad, event),
                )
            })
            .query_function(|pad, parent, query| {
                RsMtmcAgg::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.src_query(pad, query),
                )
            })
            .build();
        shared.cameras.insert(
            idx,
            Camera {
                sink: sink.clone(),
                src: src.clone(),
                segment: gst::FormattedSegment::new(),
                last_rt: None,
                last_arrival: None,
                eos: false,
                flushing: false,
                name: None,
                pending: Vec::new(),
                stream_ids: Default::default(),
            },
        );
        drop(shared);
        let obj = self.obj();
        src.set_active(true).ok()?;
        obj.add_pad(&src).ok()?;
        obj.add_pad(&sink).ok()?;
        gst::debug!(CAT, imp = self, "added sink_{idx} / src_{idx}");
        Some(sink.upcast())
    }

    fn release_pad(&self, pad: &gst::Pad) {
        let Some(idx) = pad_index(pad) else { return };
        let cam = self.shared.lock().unwrap().cameras.remove(&idx);
        self.cond.notify_all();
        if let Some(cam) = cam {
            let obj = self.obj();
            let _ = cam.src.set_active(false);
            let _ = obj.remove_pad(&cam.src);
            let _ = obj.remove_pad(&cam.sink);
        }
    }

    fn change_state(
        &self,
        transition: gst::StateChange,
    ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
        if transition == gst::StateChange::ReadyToPaused {
            match self.config() {
                Ok(cfg) => {
                    let mut shared = self.shared.lock().unwrap();
                    let mut agg = MtmcAggregator::new(cfg);
                    agg.continue_ids_from(self.next_global_id.load(Ordering::Relaxed));
                    shared.agg = Some(agg);
                    shared.max_rt = 0;
                    for c in shared.cameras.values_mut() {
                        c.last_rt = None;
                        c.last_arrival = None;
                        c.eos = false;
                        c.flushing = false;
                        c.pending.clear();
                    }
                    self.without_track.store(0, Ordering::Relaxed);
                    self.without_embedding.store(0, Ordering::Relaxed);
                    self.merges.store(0, Ordering::Relaxed);
                }
                Err(e) => {
                    self.post_error_message(e);
                    return Err(gst::StateChangeError);
                }
            }
        }
        if transition == gst::StateChange::PausedToReady {
            // Wake waiting streaming threads.
            let mut shared = self.shared.lock().unwrap();
            if let Some(agg) = &shared.agg {
                self.next_global_id
                    .store(agg.next_global_id(), Ordering::Relaxed);
            }
            for c in shared.cameras.values_mut() {
                c.flushing = true;
            }
            self.cond.notify_all();
        }
        self.parent_change_state(transition)
    }
}

impl RsMtmcAgg {
    fn src_pad_of(&self, pad: &gst::Pad) -> Option<gst::Pad> {
        let idx = pad_index(pad)?;
        let shared = self.shared.lock().unwrap();
        shared.cameras.get(&idx).map(|c| c.src.clone())
    }

    fn sink_pad_of(&self, pad: &gst::Pad) -> Option<RsMtmcSinkPad> {
        let idx = pad_index(pad)?;
        let shared = self.shared.lock().unwrap();
        shared.cameras.get(&idx).map(|c| c.sink.clone())
    }

    /// Serialized queries and caps/allocation go to the camera's
    /// downstream peer; the others are answered by default.
    fn sink_query(&self, pad: &RsMtmcSinkPad, query: &mut gst::QueryRef) -> bool {
        let forward = query.is_serialized()
            || matches!(
                query.view(),
                gst::QueryView::Caps(_)
                    | gst::QueryView::AcceptCaps(_)
                    | gst::QueryView::Allocation(_)
            );
        match self.src_pad_of(pad.upcast_ref()) {
            Some(src) if forward => src.peer_query(query),
            _ => gst::Pad::query_default(pad, Some(&*self.obj()), query),
        }
    }

    /// Upstream events of `src_N` go to `sink_N`.
    fn src_event(&self, pad: &gst::Pad, event: gst::Event) -> bool {
        self.sink_pad_of(pad).is_some_and(|s| s.push_event(event))
    }

    fn src_query(&self, pad: &gst::Pad, query: &mut gst::QueryRef) -> bool {
        let sink = self.sink_pad_of(pad);
        let Some(sink) = sink else {
            return false;
        };
        if let gst::QueryViewMut::Latency(q) = query.view_mut() {
            if !sink.peer_query(q.query_mut()) {
                return false;
            }
            let (live, min, max) = q.result();
            let extra = gst::ClockTime::from_nseconds(self.settings.lock().unwrap().timeout);
            q.set(
                live,
                min.saturating_add(extra),
                max.map(|m| m.saturating_add(extra)),
            );
            return true;
        }
        sink.peer_query(query)
    }
}
