#!/usr/bin/env python3
"""Generates samples/synthetic/SYN-01: a small MOTChallenge-style sequence
(seqinfo.ini, det/det.txt, gt/gt.txt in MOT15 layout) with six walkers, two
crossings, a 6-frame occlusion (missed detections), box jitter and a few
low-score false positives. Deterministic (own LCG), no dependencies.

    python3 scripts/make-synthetic.py [out dir]
"""
import os
import sys

W, H, N, FPS = 640, 480, 200, 25
state = 2026


def rnd():
    """Uniform in [0, 1) from a 64-bit LCG."""
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
    return (state >> 11) / float(1 << 53)


# id: (x0, y0, vx, vy, w, h, first frame, last frame)
walkers = {
    1: (20, 300, 2.5, 0.0, 40, 100, 1, 200),
    2: (580, 310, -2.5, 0.0, 40, 100, 1, 200),
    3: (300, 60, 0.0, 1.2, 36, 90, 1, 150),
    4: (100, 150, 1.5, 0.5, 30, 80, 20, 180),
    5: (500, 100, -1.0, 1.0, 34, 85, 40, 200),
    6: (250, 380, 0.8, -0.2, 38, 95, 60, 200),
}
# Walker 3 is not detected on frames 90..95 (occluded).
missed = {3: range(90, 96)}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "samples", "synthetic", "SYN-01")
    os.makedirs(os.path.join(out, "det"), exist_ok=True)
    os.makedirs(os.path.join(out, "gt"), exist_ok=True)
    gt, det = [], []
    for f in range(1, N + 1):
        for i, (x0, y0, vx, vy, w, h, a, b) in walkers.items():
            if not a <= f <= b:
                continue
            t = f - a
            x, y = x0 + vx * t, y0 + vy * t
            gt.append(f"{f},{i},{x:.1f},{y:.1f},{w:.1f},{h:.1f},1,-1,-1,-1")
            if f in missed.get(i, ()):
                continue
            jx, jy, jw, jh = ((rnd() - 0.5) * 3 for _ in range(4))
            score = 0.75 + 0.24 * rnd()
            det.append(f"{f},-1,{x + jx:.1f},{y + jy:.1f},{w + jw:.1f},{h + jh:.1f},{score:.3f}")
        if rnd() < 0.1:  # a low-score false positive
            det.append(f"{f},-1,{rnd() * (W - 50):.1f},{rnd() * (H - 80):.1f},30.0,60.0,{0.15 + 0.3 * rnd():.3f}")
    with open(os.path.join(out, "seqinfo.ini"), "w") as fh:
        fh.write(f"[Sequence]\nname=SYN-01\nimDir=img1\nframeRate={FPS}\nseqLength={N}\n"
                 f"imWidth={W}\nimHeight={H}\nimExt=.jpg\n")
    with open(os.path.join(out, "gt", "gt.txt"), "w") as fh:
        fh.write("\n".join(gt) + "\n")
    with open(os.path.join(out, "det", "det.txt"), "w") as fh:
        fh.write("\n".join(det) + "\n")


if __name__ == "__main__":
    main()
