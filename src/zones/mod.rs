// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rszones
 *
 * Zones and lines on tracks, from a config file (`config`; format in the
 * README, "Zones and lines"): polygons (enter, exit with dwell time,
 * occupancy per class), exclude zones, and lines with named directions
 * (crossings), evaluated at the anchor point of each object (bottom-centre
 * of the box by default, or a keypoint), with hysteresis so that a box
 * jittering on a line or an edge does not count twice. Objects without a
 * track id count in the occupancy of their frame only, never as events.
 *
 * Per object, the names of the zones it is inside go into the meta
 * (`zones`, written by rsjsonsink). Every event goes downstream as a
 * serialized custom event `rstracking-zone` in front of its frame
 * (rsjsonsink writes `line_cross`, `zone_enter`, `zone_exit` lines) and,
 * with `post-messages` (default), to the bus as an element message with the
 * same fields. At EOS an element message `rstracking-zone-counts` carries
 * each line's totals per direction. A `track_end` from rsbytetrack ends a
 * track's zones (exit events); tracks not seen for `forget-after` frames
 * are dropped the same way.
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 filesrc location=vtest.avi ! decodebin ! videoconvert ! \
 *   rsdetect detections=det.txt ! rsbytetrack ! rszones config=zones.txt ! \
 *   rsjsonsink location=out.jsonl
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    pub struct RsZones(ObjectSubclass<imp::RsZones>) @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "rszones",
        gst::Rank::NONE,
        RsZones::static_type(),
    )
}
