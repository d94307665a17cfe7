#!/usr/bin/env python3
# Copyright (C) 2026 gst-rstracking developers
# SPDX-License-Identifier: MIT
"""An application that embeds gst-rstracking and reads its results from the
buffers with the stock GStreamer API (python3-gi, GStreamer 1.22).

    read_meta.py '<pipeline ending in appsink name=sink>'

Prints one JSON line per buffer: the objects of the RsTrackingFrameMeta
structure view (boxes, class, track id and state, global id, keypoints; the
view holds one column per field, see the README) and
the GstVideoRegionOfInterestMeta rectangles of the tracked objects (looked
up by id = track id). Needs the plugin
on GST_PLUGIN_PATH, and Debian's python3-gi + python3-gst-1.0.
"""
import array
import json
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import Gst, GstVideo  # noqa: E402


def column(s, name, code):
    """Column `name` of the structure view as a list ('f' float32, 'I'
    uint32, 'q' int64, little-endian in a GLib.Bytes; strings in an array);
    [] when no object has the field."""
    if not s.has_field(name):
        return []
    if code == "s":
        return list(s.get_value(name))
    # An empty GBytes has no data (None).
    values = array.array(code, s.get_value(name).get_data() or b"")
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


def objects_of(buf):
    meta = buf.get_custom_meta("RsTrackingFrameMeta")
    if meta is None:
        return None
    s = meta.get_structure()
    if not s.has_field("count"):
        return None  # not the column layout
    cols = {name: column(s, name, code) for name, code in (
        ("boxes", "f"), ("confidences", "f"), ("class_ids", "I"),
        ("labels", "s"), ("track_ids", "q"), ("states", "s"),
        ("global_ids", "q"), ("keypoint_counts", "I"), ("keypoints", "f"))}
    out = []
    kp = 0
    for i in range(s.get_value("count")):
        obj = {
            "bbox": cols["boxes"][4 * i:4 * i + 4],
            "confidence": cols["confidences"][i],
            "class_id": cols["class_ids"][i],
        }
        # Absent columns, "" and -1 mean the object has no such field.
        for key, col, none in (("label", "labels", ""), ("track_id", "track_ids", -1),
                               ("state", "states", ""), ("global_id", "global_ids", -1)):
            if cols[col] and cols[col][i] != none:
                obj[key] = cols[col][i]
        n = cols["keypoint_counts"][i] if cols["keypoint_counts"] else 0
        if n:
            flat = cols["keypoints"][3 * kp:3 * (kp + n)]
            obj["keypoints"] = [flat[j:j + 3] for j in range(0, len(flat), 3)]
            kp += n
        out.append(obj)
    return out


def rois_of(buf, objects):
    """The ROI metas of the tracked objects, looked up by id (= track id):
    PyGObject on 1.22 cannot iterate a buffer's metas, but
    gst_buffer_get_video_region_of_interest_meta_id is introspectable."""
    rois = []
    for o in objects or []:
        if "track_id" not in o:
            continue
        roi = GstVideo.buffer_get_video_region_of_interest_meta_id(buf, o["track_id"])
        if roi is not None:
            rois.append([roi.x, roi.y, roi.w, roi.h, roi.id])
    return rois


def main():
    Gst.init(None)
    pipeline = Gst.parse_launch(sys.argv[1])
    sink = pipeline.get_by_name("sink")
    sink.set_property("sync", False)
    pipeline.set_state(Gst.State.PLAYING)
    n = 0
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        buf = sample.get_buffer()
        objects = objects_of(buf)
        line = {"buffer": n, "objects": objects, "rois": rois_of(buf, objects)}
        print(json.dumps(line), flush=True)
        n += 1
    # The appsink is done; wait until every sink is (EOS) or an error.
    msg = pipeline.get_bus().timed_pop_filtered(
        Gst.CLOCK_TIME_NONE, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    if msg is not None and msg.type == Gst.MessageType.ERROR:
        err, _ = msg.parse_error()
        print(f"error: {err.message}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
