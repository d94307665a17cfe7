#!/usr/bin/python3
# Copyright (C) 2026 gst-rstracking developers
# SPDX-License-Identifier: MIT
"""Run the episode-harvest pipeline (built by pipelines/episode.sh) to EOS,
print its progress messages and write its final report.

Usage::

    /usr/bin/python3 scripts/episode-run.py '<gst-launch description>' <out dir>

The description names its elements `track` (rsbytetrack), `crops`
(rscropsink), `jsonl` (rsjsonsink) and optionally `reid` (rsreid).
Writes <out>/report.json: frames analysed, progress messages, cuts,
tracks before and after the minimum length (distinct track ids of the
JSON Lines vs the summary's lines), crops written and filtered per
filter, best shots, drops, failures, embeddings computed. Exits 1 on an
error message. Needs python3-gi (Debian python3-gi, gir1.2-gstreamer-1.0).
"""
import json
import os
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

CROP_COUNTERS = ["written", "best-written", "filtered-class", "untracked",
                 "filtered-confidence", "filtered-size", "filtered-interval",
                 "filtered-max", "filtered-sharpness", "dropped", "failed"]


def run(desc):
    """Runs `desc` to EOS; returns (pipeline, progress messages)."""
    p = Gst.parse_launch(desc)
    bus = p.get_bus()
    p.set_state(Gst.State.PLAYING)
    progress = []
    while True:
        msg = bus.timed_pop(Gst.CLOCK_TIME_NONE)
        if msg.type == Gst.MessageType.EOS:
            break
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            p.set_state(Gst.State.NULL)
            sys.stderr.write("error from %s: %s\n%s\n" % (msg.src.get_name(), err.message, dbg))
            sys.exit(1)
        if msg.type == Gst.MessageType.WARNING:
            w, _ = msg.parse_warning()
            sys.stderr.write("warning from %s: %s\n" % (msg.src.get_name(), w.message))
        s = msg.get_structure()
        if msg.type == Gst.MessageType.ELEMENT and s and s.get_name() == "rstracking-progress":
            fields = {k: s.get_value(k) for k in ("frames", "percent", "eta_s", "fps", "tracks")
                      if s.has_field(k)}
            # rsjsonsink's message has no crop count: rscropsink's counter
            # at that moment (its writer thread may still be behind).
            fields["crops_written"] = p.get_by_name("crops").get_property("written")
            progress.append(fields)
            pct = " %5.1f %%, ETA %5.1f s" % (fields["percent"], fields.get("eta_s", 0)) \
                if "percent" in fields else ""
            print("progress: %d frames%s, %.1f frames/s, %d tracks, %d crops written"
                  % (fields["frames"], pct, fields["fps"], fields["tracks"],
                     fields["crops_written"]), flush=True)
    return p, progress


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: %s '<description>' <out dir>\n" % argv[0])
        return 2
    desc, out = argv[1], argv[2]
    Gst.init(None)
    p, progress = run(desc)
    track, crops = p.get_by_name("track"), p.get_by_name("crops")
    reid = p.get_by_name("reid")
    report = {
        "progress_messages": len(progress),
        "cuts": track.get_property("cuts"),
        "cuts_ignored": track.get_property("cuts-ignored"),
        "crops": {c: crops.get_property(c) for c in CROP_COUNTERS},
        "embeddings_computed": reid.get_property("embeddings-computed") if reid else None,
    }
    p.set_state(Gst.State.NULL)
    frames, ids = 0, set()
    for line in open(os.path.join(out, "tracks.jsonl")):
        d = json.loads(line)
        if "objects" in d:
            frames += 1
            ids.update(o["track_id"] for o in d["objects"] if "track_id" in o)
    with open(os.path.join(out, "summary.jsonl")) as f:
        kept = sum(1 for _ in f)
    report.update({"frames_analysed": frames, "tracks_before_min_length": len(ids),
                   "tracks_after_min_length": kept})
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
