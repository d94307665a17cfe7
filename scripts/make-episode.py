#!/usr/bin/python3
# Copyright (C) 2026 gst-rstracking developers
# SPDX-License-Identifier: MIT
"""Generate the "episode" of the harvest job: shots of the sample video
(vtest.avi, PETS2009 S2L1) and of the pose2sim recording (cam01, cam02),
concatenated with hard cuts, scaled into 1280x720 (borders keep the aspect
ratio), 25 frames/s, H.264 (openh264enc) in Matroska; beside it, the
detections of those frames in episode frame numbers and pixels (the public
MOT15 PETS09-S2L1 detections, the pose2sim OpenPose keypoints) as JSON
Lines, and the cut frames.

Usage::

    /usr/bin/python3 scripts/make-episode.py <shared dir> <out dir> [gop]

Writes <out>/episode.mkv, <out>/episode.det.jsonl and <out>/episode.json
({"frames": N, "cuts": [first frame of every shot but the first], "shots":
[...]}). Needs python3-gi with GStreamer (Debian python3-gi,
gir1.2-gstreamer-1.0), gst-plugins-bad (openh264enc) and Python's json.
The source frames are taken one to one (vtest.avi's 7 frames/s and
pose2sim's 60 play at 25 frames/s).
"""
import importlib.util
import json
import os
import re
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

W, H, FPS = 1280, 720, 25
SHOTS = [  # (source, first frame, frames)
    ("vtest", 0, 200),
    ("cam01", 0, 100),
    ("vtest", 300, 200),
    ("cam02", 0, 100),
    ("vtest", 600, 195),
]


def sources(shared):
    pose = os.path.join(shared, "data/keypoints/pose2sim_S00_P00_T01_BalancingTrial")
    return {
        "vtest": (os.path.join(shared, "data/video/vtest.avi"), 768, 576),
        "cam01": (os.path.join(pose, "videos/cam01.mp4"), 1080, 1920),
        "cam02": (os.path.join(pose, "videos/cam02.mp4"), 1080, 1920),
    }


def fit(w, h):
    """Scale and offsets of a w x h frame in W x H with borders."""
    s = min(W / w, H / h)
    return s, (W - w * s) / 2.0, (H - h * s) / 2.0


def mot_detections(path):
    by_frame = {}
    for line in open(path):
        f = line.strip().split(",")
        if len(f) < 7:
            continue
        # 1-based frame and pixel coordinates.
        by_frame.setdefault(int(float(f[0])) - 1, []).append(
            ([float(f[2]) - 1, float(f[3]) - 1, float(f[4]), float(f[5])],
             float(f[6]), None))
    return by_frame


def openpose_detections(json_dir, width, height):
    """OpenPose JSON to (box, confidence, keypoints) per frame, with the
    person box of scripts/pose2sim-to-jsonl.py (shared, not copied)."""
    spec = importlib.util.spec_from_file_location(
        "pose2sim_to_jsonl", os.path.join(os.path.dirname(__file__), "pose2sim-to-jsonl.py"))
    pose2sim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pose2sim)
    by_frame = {}
    for name in sorted(os.listdir(json_dir)):
        m = re.search(r"\.(\d+)\.json$", name)
        if not m:
            continue
        for p in json.load(open(os.path.join(json_dir, name)))["people"]:
            o = pose2sim.person_object(p["pose_keypoints_2d"], width, height)
            if o is not None:
                by_frame.setdefault(int(m.group(1)), []).append(
                    (o["bbox"], o["confidence"], o["keypoints"]))
    return by_frame


def detections(shared, name):
    if name == "vtest":
        return mot_detections(os.path.join(
            shared, "data/MOT15/train/PETS09-S2L1/det/det.txt"))
    pose = os.path.join(shared, "data/keypoints/pose2sim_S00_P00_T01_BalancingTrial")
    return openpose_detections(os.path.join(pose, "pose", name + "_json"), 1080, 1920)


def frames_of(path, first, count):
    """The decoded frames first..first+count-1 of `path`, as I420 W x H."""
    p = Gst.parse_launch(
        "filesrc name=src ! decodebin ! videoconvert ! videoscale add-borders=true "
        "! video/x-raw,format=I420,width=%d,height=%d,pixel-aspect-ratio=1/1 "
        "! appsink name=sink sync=false max-buffers=8" % (W, H))
    p.get_by_name("src").set_property("location", path)
    sink = p.get_by_name("sink")
    p.set_state(Gst.State.PLAYING)
    n = 0
    try:
        while n < first + count:
            sample = sink.emit("pull-sample")
            if sample is None:
                raise SystemExit("%s: only %d frames, %d needed" % (path, n, first + count))
            if n >= first:
                yield sample.get_buffer()
            n += 1
    finally:
        p.set_state(Gst.State.NULL)


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write("usage: %s <shared dir> <out dir> [gop]\n" % argv[0])
        return 2
    shared, out = argv[1], argv[2]
    gop = int(argv[3]) if len(argv) == 4 else 50
    os.makedirs(out, exist_ok=True)
    Gst.init(None)
    enc = Gst.parse_launch(
        "appsrc name=src format=time block=true max-bytes=20000000 caps=video/x-raw,format=I420,width=%d,height=%d,"
        "framerate=%d/1,pixel-aspect-ratio=1/1 ! openh264enc gop-size=%d bitrate=3000000 "
        "scene-change-detection=false ! h264parse ! matroskamux ! filesink name=sink"
        % (W, H, FPS, gop))
    enc.get_by_name("sink").set_property("location", os.path.join(out, "episode.mkv"))
    src = enc.get_by_name("src")
    enc.set_state(Gst.State.PLAYING)
    srcs = sources(shared)
    n, cuts, shots = 0, [], []
    with open(os.path.join(out, "episode.det.jsonl"), "w") as det:
        for k, (name, first, count) in enumerate(SHOTS):
            path, w, h = srcs[name]
            s, ox, oy = fit(w, h)
            dets = detections(shared, name)
            if k > 0:
                cuts.append(n)
            shots.append({"source": name, "first_source_frame": first,
                          "first_frame": n, "frames": count})
            for i, buf in enumerate(frames_of(path, first, count)):
                b = buf.copy_deep()
                b.pts = n * Gst.SECOND // FPS
                b.duration = Gst.SECOND // FPS
                src.emit("push-buffer", b)
                objs = []
                for box, conf, kps in dets.get(first + i, []):
                    o = {"bbox": [round(box[0] * s + ox, 3), round(box[1] * s + oy, 3),
                                  round(box[2] * s, 3), round(box[3] * s, 3)],
                         "confidence": round(conf, 6), "class_id": 0, "label": "person"}
                    if kps:
                        o["keypoints"] = [[round(x * s + ox, 3) if c > 0 else 0.0,
                                           round(y * s + oy, 3) if c > 0 else 0.0, c]
                                          for x, y, c in kps]
                    objs.append(o)
                det.write(json.dumps({"schema": "rstracking/1", "frame": n,
                                      "width": W, "height": H, "objects": objs},
                                     separators=(",", ":")) + "\n")
                n += 1
    src.emit("end-of-stream")
    bus = enc.get_bus()
    msg = bus.timed_pop_filtered(Gst.CLOCK_TIME_NONE,
                                 Gst.MessageType.EOS | Gst.MessageType.ERROR)
    enc.set_state(Gst.State.NULL)
    if msg.type == Gst.MessageType.ERROR:
        raise SystemExit("encoder: %s" % msg.parse_error()[0].message)
    with open(os.path.join(out, "episode.json"), "w") as f:
        json.dump({"frames": n, "fps": FPS, "width": W, "height": H, "gop": gop,
                   "cuts": cuts, "shots": shots}, f, indent=1)
    print("%s: %d frames, cuts at %s" % (os.path.join(out, "episode.mkv"), n, cuts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
