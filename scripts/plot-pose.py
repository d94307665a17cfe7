#!/usr/bin/env python3
# Copyright (C) 2026 gst-rstracking developers
# SPDX-License-Identifier: MIT
"""Plot the series written by `rstracking-pose-eval --csv DIR` into a PNG.

Usage::

    scripts/plot-pose.py DIR OUT.png

Needs matplotlib (`.venv/bin/pip install matplotlib`; not needed by the
tests). Top: the right wrist x of the pose2sim recording (cam01), raw
OpenPose vs rsposesmooth's defaults. Bottom: one coordinate of the
synthetic set: truth, noisy measurements, the tuned One Euro filter, the
tuned Kalman fixed-lag smoother (lookahead=true, latency=1) and an EMA with
the One Euro's jitter reduction.
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def columns(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    out = {k: [] for k in rows[0]}
    for r in rows:
        for k, v in r.items():
            out[k].append(float(v) if v != "" else float("nan"))
    return out


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    d, out = argv[1], argv[2]
    pose = columns(d + "/pose-trajectory.csv")
    syn = columns(d + "/synthetic-trajectory.csv")
    fig, (a, b) = plt.subplots(2, 1, figsize=(9, 7))
    a.plot(pose["frame"], pose["raw_x"], ".-", lw=0.8, ms=3, color="0.6",
           label="OpenPose (raw)")
    a.plot(pose["frame"], pose["smoothed_x"], "-", lw=1.6, color="C0",
           label="rsposesmooth, One Euro defaults")
    a.set_title("pose2sim cam01, right wrist x (60 fps)")
    a.set_xlabel("frame")
    a.set_ylabel("x (px)")
    a.legend(loc="best", fontsize=8)
    n = 300
    f = syn["frame"][:n]
    b.plot(f, syn["truth"][:n], "-", lw=2.2, color="k", label="truth")
    b.plot(f, syn["raw"][:n], ".", ms=3, color="0.6", label="measured (σ = 3 px)")
    b.plot(f, syn["one_euro"][:n], "-", lw=1.4, color="C0",
           label="One Euro (tuned)")
    b.plot(f, syn["kalman_fixed_lag_1"][:n], "-", lw=1.4, color="C2",
           label="Kalman fixed-lag, latency 1 (tuned)")
    b.plot(f, syn["ema"][:n], "-", lw=1.4, color="C3",
           label="EMA, same jitter reduction")
    b.set_title("synthetic move-and-hold keypoint (one coordinate)")
    b.set_xlabel("frame")
    b.set_ylabel("x (px)")
    b.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
