// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;
use rstracking_core::codec::h264::{self, Framing};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "rsstride",
        gst::DebugColorFlags::empty(),
        Some("Passes one buffer in N"),
    )
});

/// Settings and counters are atomics: read per buffer without a lock.
pub struct RsStride {
    interval: AtomicU32,
    /// ns; 0 = count frames.
    interval_time: AtomicU64,
    /// Running time from which the next buffer passes (time mode).
    next_due: AtomicU64,
    key_units_only: AtomicBool,
    drop_non_reference: AtomicBool,
    /// H.264 framing from the caps (with `drop-non-reference`).
    framing: Mutex<Option<Framing>>,
    /// Buffers counted towards the interval since start or the last flush.
    seen: AtomicU64,
    passed: AtomicU64,
    dropped: AtomicU64,
}

impl Default for RsStride {
    fn default() -> Self {
        Self {
            interval: AtomicU32::new(1),
            interval_time: AtomicU64::new(0),
            next_due: AtomicU64::new(0),
            key_units_only: AtomicBool::new(false),
            drop_non_reference: AtomicBool::new(false),
            framing: Mutex::new(None),
            seen: AtomicU64::new(0),
            passed: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        }
    }
}

#[glib::object_subclass]
impl ObjectSubclass for RsStride {
    const NAME: &'static str = "GstRsStride";
    type Type = super::RsStride;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for RsStride {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let counter = |name: &str, blurb: &str| crate::counter_prop(name, name, blurb);
            vec![
                glib::ParamSpecUInt::builder("interval")
                    .nick("Interval")
                    .blurb("Pass one buffer in N (the first, then every N-th), drop the others")
                    .minimum(1)
                    .maximum(1_000_000)
                    .default_value(1)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt64::builder("interval-time")
                    .nick("Interval in time")
                    .blurb("If > 0: pass the first buffer at or after each multiple of this running time (ns) and drop the others, instead of counting buffers (frames missing upstream do not shift the stride)")
                    .default_value(0)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("key-units-only")
                    .nick("Key units only")
                    .blurb("Also drop every delta unit (non-keyframe), before counting: between a parser and a decoder, the decoder decodes keyframes only")
                    .default_value(false)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecBoolean::builder("drop-non-reference")
                    .nick("Drop non-reference pictures")
                    .blurb("H.264 after h264parse (alignment=au): also drop every access unit no other picture references (nal_ref_idc 0, e.g. B-frames of most encoders), before counting: between the parser and the decoder, those pictures are never decoded")
                    .default_value(false)
                    .mutable_ready()
                    .build(),
                counter("passed", "Buffers passed since start (read-only)"),
                counter("dropped", "Buffers dropped since start (read-only)"),
            ]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        match pspec.name() {
            "interval" => self.interval.store(
                value.get().expect("type checked upstream"),
                Ordering::Relaxed,
            ),
            "drop-non-reference" => self.drop_non_reference.store(
                value.get().expect("type checked upstream"),
                Ordering::Relaxed,
            ),
            "interval-time" => self.interval_time.store(
                value.get().expect("type checked upstream"),
                Ordering::Relaxed,
            ),
            "key-units-only" => self.key_units_only.store(
                value.get().expect("type checked upstream"),
                Ordering::Relaxed,
            ),
            other => unreachable!("unknown property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        match pspec.name() {
            "interval" => self.interval.load(Ordering::Relaxed).to_value(),
            "interval-time" => self.interval_time.load(Ordering::Relaxed).to_value(),
            "drop-non-reference" => self.drop_non_reference.load(Ordering::Relaxed).to_value(),
            "key-units-only" => self.key_units_only.load(Ordering::Relaxed).to_value(),
            "passed" => self.passed.load(Ordering::Relaxed).to_value(),
            "dropped" => self.dropped.load(Ordering::Relaxed).to_value(),
            other => unreachable!("unknown property {other}"),
        }
    }
}

impl GstObjectImpl for RsStride {}

impl ElementImpl for RsStride {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static META: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Stride",
                "Filter",
                "Passes one buffer in N (optionally keyframes only) so that conversion, decoding and analysis run on the analysed frames only",
                "gst-rstracking developers",
            )
        });
        Some(&*META)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let caps = gst::Caps::new_any();
            ["src", "sink"]
                .into_iter()
                .map(|name| {
                    let dir = if name == "src" {
                        gst::PadDirection::Src
                    } else {
                        gst::PadDirection::Sink
                    };
                    gst::PadTemplate::new(name, dir, gst::PadPresence::Always, &caps)
                        .expect("valid pad template")
                })
                .collect()
        });
        TEMPLATES.as_ref()
    }
}

/// The NAL framing of H.264 access-unit caps, None for other caps.
fn h264_framing(caps: &gst::Caps) -> Option<Framing> {
    let s = caps.structure(0)?;
    if s.name() != "video/x-h264" || s.get::<&str>("alignment").ok()? != "au" {
        return None;
    }
    match s.get::<&str>("stream-format").ok()? {
        "byte-stream" => Some(Framing::ByteStream),
        "avc" => {
            let cd = s.get::<gst::Buffer>("codec_data").ok()?;
            let map = cd.map_readable().ok()?;
            h264::avc_length_size(&map).map(Framing::Avc)
        }
        _ => None,
    }
}

impl RsStride {
    /// With `drop-non-reference`: whether `buf` is an access unit no
    /// picture references (one that cannot be parsed passes).
    fn non_reference(&self, buf: &gst::Buffer) -> bool {
        if !self.drop_non_reference.load(Ordering::Relaxed) {
            return false;
        }
        let Some(framing) = *self.framing.lock().unwrap() else {
            return false;
        };
        buf.map_readable()
            .ok()
            .and_then(|m| h264::is_reference(&m, framing))
            == Some(false)
    }

    /// Time mode: whether `buf` is the first at or after the next multiple
    /// of `period` (running time); a buffer without a timestamp passes.
    fn due_in_time(&self, buf: &gst::Buffer, period: u64) -> bool {
        let Some(rt) = crate::running_time(&self.obj().segment(), buf) else {
            return true;
        };
        let rt = rt.nseconds();
        if rt < self.next_due.load(Ordering::Relaxed) {
            return false;
        }
        self.next_due
            .store((rt / period + 1) * period, Ordering::Relaxed);
        true
    }
}

impl BaseTransformImpl for RsStride {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = true;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = true;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let (interval, period) = (
            self.interval.load(Ordering::Relaxed),
            self.interval_time.load(Ordering::Relaxed),
        );
        if interval > 1 && period > 0 {
            return Err(gst::error_msg!(
                gst::LibraryError::Settings,
                (
                    "Set either interval ({}) or interval-time ({} ns), not both",
                    interval,
                    period
                )
            ));
        }
        for c in [&self.seen, &self.passed, &self.dropped, &self.next_due] {
            c.store(0, Ordering::Relaxed);
        }
        Ok(())
    }

    fn set_caps(&self, incaps: &gst::Caps, outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        if !self.drop_non_reference.load(Ordering::Relaxed) {
            return self.parent_set_caps(incaps, outcaps);
        }
        match h264_framing(incaps) {
            Some(f) => {
                *self.framing.lock().unwrap() = Some(f);
                self.parent_set_caps(incaps, outcaps)
            }
            None => {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Format,
                    (
                        "drop-non-reference needs H.264 access units (video/x-h264, alignment=au, stream-format avc with codec_data or byte-stream: put h264parse in front); got {}",
                        incaps
                    )
                );
                Err(gst::loggable_error!(CAT, "caps not H.264 access units"))
            }
        }
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        if let gst::EventView::FlushStop(_) = event.view() {
            self.seen.store(0, Ordering::Relaxed);
            self.next_due.store(0, Ordering::Relaxed);
        }
        self.parent_sink_event(event)
    }

    fn transform_ip_passthrough(
        &self,
        buf: &gst::Buffer,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let delta = buf.flags().contains(gst::BufferFlags::DELTA_UNIT);
        let period = self.interval_time.load(Ordering::Relaxed);
        let skipped =
            (delta && self.key_units_only.load(Ordering::Relaxed)) || self.non_reference(buf);
        let keep = if skipped {
            false
        } else if period > 0 {
            self.due_in_time(buf, period)
        } else {
            let n = self.seen.fetch_add(1, Ordering::Relaxed);
            n.is_multiple_of(u64::from(self.interval.load(Ordering::Relaxed)))
        };
        if keep {
            self.passed.fetch_add(1, Ordering::Relaxed);
            Ok(gst::FlowSuccess::Ok)
        } else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            gst::trace!(CAT, imp = self, "dropping {:?}", buf.pts());
            Ok(gst_base::BASE_TRANSFORM_FLOW_DROPPED)
        }
    }
}
