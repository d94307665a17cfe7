#!/usr/bin/env python3
# Copyright (C) 2026 gst-rstracking developers
# SPDX-License-Identifier: MIT
"""Turn the EPFL-Terrace ground truth (4 cameras, global ids, no video) into
per-camera JSON Lines detections (schema rstracking/1) for
`rsdetect detections=<camera>.jsonl`, simulating a person detector and a
re-identification model.

Usage::

    scripts/epfl-to-jsonl.py <EPFL-Terrace dir> <out dir> [--box-noise 0.05]
        [--drop 0.05] [--appearance-noise 0.3] [--dim 64] [--seed 1] [--frames N]

Input: every `terrace1-cK/` of the EPFL-Terrace directory, with
`gt/gt.txt` (MOT format: frame (1-based), id, x, y, w, h, flag, ...; ids are
global across the cameras) and `seqinfo.ini` (seqLength, imWidth, imHeight,
360x288, 5010 frames). Rows with flag 0 are skipped.

Output: `<out dir>/terrace1-cK.jsonl`, one line per frame `0 .. L-1` (L =
seqLength, or N with `--frames N` if smaller; frames without detections
have an empty `objects` list), 0-based frames, `"stream":"terrace1-cK"`,
`width`/`height` from seqinfo.ini. Each ground-truth box becomes one
detection: class 0, label "person", confidence 0.9, an `embedding`, and NO
track id or global id (the pipeline tracks and associates). Boxes are
written in the 0-based pixels of the JSON Lines (MOT x - 1, y - 1, as
rsdetect does when it reads a MOT file), so that a tracker that outputs the
boxes unchanged scores them exactly on the ground truth.

Simulation, per ground-truth box (x, y, w, h):

* box noise (sigma = --box-noise): x += N(0, (sigma w)^2),
  y += N(0, (sigma h)^2), w += N(0, (sigma w)^2), h += N(0, (sigma h)^2),
  all drawn from the original w, h; w and h are kept >= 1 pixel; the box
  is not clipped to the image. Written rounded to 2 decimals.
* drop (p = --drop): the detection is left out with probability p.
* appearance (sigma = --appearance-noise, dim = --dim): every identity has
  one random unit vector u_id (a standard normal vector of dimension dim,
  normalised). Each detection's embedding is

      e = normalize(u_id + n),   n ~ N(0, sigma^2 / dim * I_dim)

  so sigma is the expected norm (root mean square) of the noise relative to
  the unit identity vector: sigma 0 gives u_id itself, and the cosine
  similarity of two observations of one identity is about 1 / (1 + sigma^2)
  (0.92 at the default 0.3), while two identities are near 0 (about
  +-1/sqrt(dim)). Components are written rounded to 5 decimals.

Determinism: the output depends only on the data and the options. u_id is
drawn from its own generator seeded with (seed, id), and each camera's noise
from a generator seeded with (seed, camera name), with the same number of
draws for every ground-truth box whatever --drop is; so camera files do not
depend on each other, and `--frames N` gives the first N frames of the full
output.

The EPFL-Terrace ground truth is CC BY-NC 4.0: the script writes only under
the given output directory, and refuses one inside this repository. Python 3
standard library only.
"""
import argparse
import json
import math
import os
import random
import re
import sys

CONFIDENCE = 0.9


def read_seqinfo(path):
    keys = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.split("=", 1)
                keys[k.strip()] = v.strip()
    try:
        return int(keys["seqLength"]), int(keys["imWidth"]), int(keys["imHeight"])
    except (KeyError, ValueError) as e:
        raise SystemExit("%s: missing or bad seqLength/imWidth/imHeight (%s)" % (path, e))


def read_gt(path, num_frames):
    """Ground-truth rows by 0-based frame: {frame: [(id, x, y, w, h), ...]},
    file order inside a frame, frames >= num_frames left out."""
    frames = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            cols = line.split(",")
            try:
                frame = int(float(cols[0]))
                tid = int(float(cols[1]))
                x, y, w, h = (float(c) for c in cols[2:6])
                flag = int(float(cols[6])) if len(cols) > 6 else 1
            except (ValueError, IndexError):
                raise SystemExit("%s:%d: not a MOT ground-truth row: %r" % (path, n, line))
            if frame < 1:
                raise SystemExit("%s:%d: frame %d (frames are 1-based)" % (path, n, frame))
            if flag == 0 or frame > num_frames:
                continue
            frames.setdefault(frame - 1, []).append((tid, x, y, w, h))
    return frames


def normalize(v):
    norm = math.sqrt(sum(c * c for c in v))
    return [c / norm for c in v] if norm > 0 else v


def identity_vector(seed, tid, dim):
    rng = random.Random("epfl-to-jsonl/identity/%d/%d" % (seed, tid))
    return normalize([rng.gauss(0.0, 1.0) for _ in range(dim)])


def write_camera(cam, src, out_path, args, identities):
    """Writes one camera; returns (frames, ground-truth boxes, detections)."""
    length, width, height = read_seqinfo(os.path.join(src, "seqinfo.ini"))
    if args.frames is not None:
        length = min(length, args.frames)
    gt = read_gt(os.path.join(src, "gt", "gt.txt"), length)
    rng = random.Random("epfl-to-jsonl/noise/%d/%s" % (args.seed, cam))
    app_sigma = args.appearance_noise / math.sqrt(args.dim)
    boxes = detections = 0
    with open(out_path, "w") as f:
        for frame in range(length):
            objects = []
            for tid, x, y, w, h in gt.get(frame, []):
                boxes += 1
                # Always the same draws, kept or not.
                dropped = rng.random() < args.drop
                jx, jy, jw, jh = (rng.gauss(0.0, 1.0) for _ in range(4))
                noise = [rng.gauss(0.0, app_sigma) for _ in range(args.dim)]
                if dropped:
                    continue
                detections += 1
                bn = args.box_noise
                bx = x - 1.0 + bn * w * jx
                by = y - 1.0 + bn * h * jy
                bw = max(1.0, w + bn * w * jw)
                bh = max(1.0, h + bn * h * jh)
                if tid not in identities:
                    identities[tid] = identity_vector(args.seed, tid, args.dim)
                u = identities[tid]
                emb = normalize([a + b for a, b in zip(u, noise)])
                objects.append({
                    "bbox": [round(bx, 2), round(by, 2), round(bw, 2), round(bh, 2)],
                    "confidence": CONFIDENCE,
                    "class_id": 0,
                    "label": "person",
                    "embedding": [round(c, 5) for c in emb],
                })
            line = {"schema": "rstracking/1", "stream": cam, "frame": frame,
                    "width": width, "height": height, "objects": objects}
            f.write(json.dumps(line, separators=(",", ":")) + "\n")
    return length, boxes, detections


def inside(path, root):
    path, root = os.path.realpath(path), os.path.realpath(root)
    return path == root or path.startswith(root + os.sep)


def main(argv):
    p = argparse.ArgumentParser(
        description="EPFL-Terrace ground truth -> simulated per-camera detections "
                    "(JSON Lines rstracking/1). See the docstring for the exact model.")
    p.add_argument("epfl_dir", help="EPFL-Terrace directory holding terrace1-cK/")
    p.add_argument("out_dir", help="output directory (created; outside the repository)")
    p.add_argument("--box-noise", type=float, default=0.05,
                   help="box jitter, standard deviation relative to the box size (0.05)")
    p.add_argument("--drop", type=float, default=0.05,
                   help="probability that a detection is missed (0.05)")
    p.add_argument("--appearance-noise", type=float, default=0.3,
                   help="embedding noise: expected norm relative to the unit identity vector (0.3)")
    p.add_argument("--dim", type=int, default=64, help="embedding dimension (64)")
    p.add_argument("--seed", type=int, default=1, help="random seed (1)")
    p.add_argument("--frames", type=int, default=None,
                   help="write only the first N frames of each camera")
    args = p.parse_args(argv[1:])
    if args.box_noise < 0 or args.appearance_noise < 0:
        p.error("noise levels must be >= 0")
    if not 0.0 <= args.drop <= 1.0:
        p.error("--drop must be within [0, 1]")
    if args.dim < 1:
        p.error("--dim must be >= 1")
    if args.frames is not None and args.frames < 1:
        p.error("--frames must be >= 1")

    repo = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)
    if os.path.isfile(os.path.join(repo, "Cargo.toml")) and inside(args.out_dir, repo):
        p.error("%s is inside the repository; the EPFL-Terrace data is CC BY-NC, "
                "write it elsewhere (e.g. /tmp/epfl)" % args.out_dir)

    cams = sorted(d for d in os.listdir(args.epfl_dir)
                  if re.fullmatch(r"terrace1-c\d+", d)
                  and os.path.isfile(os.path.join(args.epfl_dir, d, "gt", "gt.txt")))
    if not cams:
        sys.stderr.write("%s: no terrace1-cK/gt/gt.txt\n" % args.epfl_dir)
        return 1
    os.makedirs(args.out_dir, exist_ok=True)
    identities = {}
    for cam in cams:
        out = os.path.join(args.out_dir, cam + ".jsonl")
        frames, boxes, dets = write_camera(
            cam, os.path.join(args.epfl_dir, cam), out, args, identities)
        print("%s: %d frames, %d detections (%d ground-truth boxes, %d dropped)"
              % (out, frames, dets, boxes, boxes - dets))
    print("%d identities, embeddings of dimension %d, seed %d"
          % (len(identities), args.dim, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
