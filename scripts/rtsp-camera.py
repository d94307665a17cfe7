#!/usr/bin/env python3
# Copyright (C) 2026 gst-rstracking developers
# SPDX-License-Identifier: MIT
"""Local RTSP cameras: GstRtspServer (Debian's gir1.2-gst-rtsp-server-1.0)
on 127.0.0.1:<port>, one mount per camera, H.264 (openh264enc), live. Used
by the tests (a real server, started and stopped by PID), by the main job
and by pipelines/live-mtmc.sh's measurements. Prints "ready" once listening
and runs until killed.

    rtsp-camera.py <port> <mount>=<scene> [<mount>=<scene> ...]
    rtsp-camera.py <port> [<scene>]          (one mount, /cam)

Scenes (320x240 at 15 frames/s unless a file):
  bars        videotestsrc's colour bars
  ball        videotestsrc's moving ball (a white ball on black, which the
              generated ball detector finds)
  ball-mirror the same ball seen in a mirror (another camera's view of it)
  still-ball  one frame of the ball, repeated: a restarted server shows the
              ball where it was, so a tracker can keep its id across an
              outage
  file:PATH   a video file, decoded and re-encoded at its own size and
              rate, played once per media: at its end the stream ends, and a
              client that reconnects (rscamerasrc does) plays it again
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

CAPS = "video/x-raw,width=320,height=240,framerate=15/1"
SCENES = {
    "bars": f"videotestsrc is-live=true ! {CAPS}",
    "ball": f"videotestsrc is-live=true pattern=ball ! {CAPS}",
    "ball-mirror": f"videotestsrc is-live=true pattern=ball ! {CAPS} ! videoflip method=horizontal-flip",
    "still-ball": f"videotestsrc pattern=ball num-buffers=1 ! {CAPS} ! imagefreeze is-live=true ! {CAPS}",
}


def source(scene):
    if scene.startswith("file:"):
        path = scene[len("file:"):].replace("\\", "\\\\").replace('"', '\\"')
        return f'filesrc location="{path}" ! decodebin'
    if scene not in SCENES:
        sys.exit(f"rtsp-camera.py: unknown scene {scene!r} (expected {', '.join(SCENES)} or file:PATH)")
    return SCENES[scene]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    Gst.init(None)
    port = sys.argv[1]
    args = sys.argv[2:] or ["cam=bars"]
    if len(args) == 1 and "=" not in args[0]:
        args = [f"cam={args[0]}"]
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    for arg in args:
        mount, _, scene = arg.partition("=")
        f = GstRtspServer.RTSPMediaFactory()
        f.set_launch(f"( {source(scene)} ! videoconvert ! openh264enc ! rtph264pay name=pay0 pt=96 )")
        f.set_shared(True)
        server.get_mount_points().add_factory(f"/{mount}", f)
    if server.attach(None) == 0:
        sys.exit(f"rtsp-camera.py: cannot listen on 127.0.0.1:{port}")
    print("ready", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
