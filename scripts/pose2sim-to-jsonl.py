#!/usr/bin/env python3
# Copyright (C) 2026 gst-rstracking developers
# SPDX-License-Identifier: MIT
"""Convert OpenPose per-frame JSON files (as in pose2sim's demo) into our
JSON Lines (schema rstracking/1), one line per frame, for
`rsdetect detections=<out.jsonl>`.

Usage::

    scripts/pose2sim-to-jsonl.py <camXX_json dir> <out.jsonl> WIDTH HEIGHT [STREAM]

Each person of `pose_keypoints_2d` (BODY_25B: ids 0-16 are COCO-17) becomes
one object of class 0 ("person") with the first 17 keypoints as
[x, y, confidence] (undetected ones, written 0,0,0 by OpenPose, keep
confidence 0); its box is the extent of the keypoints with confidence > 0,
widened by 10 % of its size on each side and clipped to the frame; its
confidence is the mean confidence of those keypoints. People with no
keypoint above 0 are skipped. The frame index is the 0-based NNNN of
`camXX.NNNN.json`. Standard library only.
"""
import json
import os
import re
import sys

COCO17 = 17


def person_object(flat, width, height):
    pts = [flat[i:i + 3] for i in range(0, 3 * COCO17, 3)]
    seen = [(x, y, c) for x, y, c in pts if c > 0]
    if not seen:
        return None
    xs = [p[0] for p in seen]
    ys = [p[1] for p in seen]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    mx, my = 0.1 * (x1 - x0), 0.1 * (y1 - y0)
    x0, y0 = max(0.0, x0 - mx), max(0.0, y0 - my)
    x1, y1 = min(float(width), x1 + mx), min(float(height), y1 + my)
    conf = sum(p[2] for p in seen) / len(seen)
    return {
        "bbox": [round(x0, 3), round(y0, 3), round(x1 - x0, 3), round(y1 - y0, 3)],
        "confidence": round(conf, 6),
        "class_id": 0,
        "label": "person",
        "keypoints": [[x, y, c] for x, y, c in pts],
    }


def main(argv):
    if len(argv) not in (5, 6):
        sys.stderr.write(__doc__)
        return 2
    src, out, width, height = argv[1], argv[2], int(argv[3]), int(argv[4])
    stream = argv[5] if len(argv) == 6 else None
    frames = {}
    for name in os.listdir(src):
        m = re.search(r"\.(\d+)\.json$", name)
        if m:
            frames[int(m.group(1))] = os.path.join(src, name)
    if not frames:
        sys.stderr.write("%s: no *.NNNN.json files\n" % src)
        return 1
    with open(out, "w") as f:
        for i in range(max(frames) + 1):
            objects = []
            if i in frames:
                with open(frames[i]) as jf:
                    data = json.load(jf)
                for person in data.get("people", []):
                    o = person_object(person["pose_keypoints_2d"], width, height)
                    if o is not None:
                        objects.append(o)
            line = {"schema": "rstracking/1"}
            if stream:
                line["stream"] = stream
            line.update({"frame": i, "width": width, "height": height,
                         "objects": objects})
            f.write(json.dumps(line, separators=(",", ":")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
