#!/usr/bin/env python3
"""Figures of pipelines/broker-scale.sh from a mosquitto_sub capture
(-F '%U\t%t\t%p', one message per line): message rates, sizes with and
without embeddings, and end-to-end latency from a frame's time at the edge
(utc_ns of the edge's message, live clock) to the reception of its global
ids (the central's message for the same stream and frame).

  broker-scale.py <capture> <edge prefix> <central prefix>
"""
import json
import sys


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    cap, edge, central = sys.argv[1:4]
    frame_utc = {}
    arrivals = []
    sizes, sizes_json, sizes_none = [], [], []
    edge_t, central_t = [], []
    for line in open(cap, encoding="utf-8", errors="replace"):
        parts = line.rstrip("\n").split("\t", 2)
        if len(parts) != 3:
            continue
        t, topic, payload = float(parts[0]), parts[1], parts[2]
        try:
            m = json.loads(payload)
        except ValueError:
            continue
        if "event" in m:
            continue
        key = (m.get("stream"), m.get("frame"))
        if topic.startswith(edge + "/"):
            edge_t.append(t)
            if "utc_ns" in m:
                frame_utc[key] = m["utc_ns"] / 1e9
            sizes.append(len(payload.encode()))
            objs = m.get("objects", [])
            for o in objs:
                o.pop("embedding_b64", None)
            sizes_none.append(len(json.dumps(m, separators=(",", ":")).encode()))
        elif topic.startswith(central + "/"):
            central_t.append(t)
            arrivals.append((key, t))
    lat = [t - frame_utc[k] for k, t in arrivals if k in frame_utc]

    def rate(ts):
        return (len(ts) - 1) / (max(ts) - min(ts)) if len(ts) > 1 else 0.0

    print(f"edge frame messages: {len(edge_t)} ({rate(edge_t):.0f}/s)")
    print(f"central frame messages: {len(central_t)} ({rate(central_t):.0f}/s)")
    if sizes:
        print(f"edge message size: mean {sum(sizes) / len(sizes):.0f} B with embeddings (base64), "
              f"{sum(sizes_none) / len(sizes_none):.0f} B without")
    if lat:
        print(f"latency frame -> global ids received: p50 {1000 * pct(lat, 50):.0f} ms, "
              f"p99 {1000 * pct(lat, 99):.0f} ms, max {1000 * max(lat):.0f} ms ({len(lat)} frames)")


if __name__ == "__main__":
    main()
