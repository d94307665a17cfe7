// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use std::sync::{LazyLock, Mutex};

#[derive(Default)]
pub struct RsMtmcSinkPad {
    pub(super) camera: Mutex<Option<String>>,
}

#[glib::object_subclass]
impl ObjectSubclass for RsMtmcSinkPad {
    const NAME: &'static str = "GstRsMtmcSinkPad";
    type Type = super::RsMtmcSinkPad;
    type ParentType = gst::Pad;
}

impl ObjectImpl for RsMtmcSinkPad {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPS: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![glib::ParamSpecString::builder("camera")
                .nick("Camera")
                .blurb(
                    "Camera name of this input (default: the meta's stream id, else the pad name)",
                )
                .mutable_ready()
                .build()]
        });
        PROPS.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        match pspec.name() {
            "camera" => {
                *self.camera.lock().unwrap() = value
                    .get::<Option<String>>()
                    .expect("type checked upstream")
                    .filter(|s| !s.is_empty())
            }
            other => unreachable!("unknown property {other}"),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        match pspec.name() {
            "camera" => self.camera.lock().unwrap().to_value(),
            other => unreachable!("unknown property {other}"),
        }
    }
}

impl GstObjectImpl for RsMtmcSinkPad {}
impl PadImpl for RsMtmcSinkPad {}
