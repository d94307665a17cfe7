#!/usr/bin/env python3
# Copyright (C) 2026 gst-rstracking developers
# SPDX-License-Identifier: MIT
"""A real RTSP camera for the tests: GstRtspServer (Debian's
gir1.2-gst-rtsp-server-1.0) on 127.0.0.1:<port>, mount /cam, a live
320x240 15 fps video encoded with openh264enc. Prints "ready" once
listening; runs until killed (the test stops it by PID).

    rtsp_server.py <port> [bars|still-ball]

bars (default): videotestsrc's colour bars. still-ball: one frame of
videotestsrc pattern=ball (a white ball on black, which the tests' ball
detector finds) repeated live, so a restarted server shows the ball where it
was and a tracker can keep its id across the outage.
"""
import sys, gi
gi.require_version("Gst", "1.0"); gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gst, GstRtspServer, GLib
Gst.init(None)
port = sys.argv[1]
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1"); server.set_service(port)
f = GstRtspServer.RTSPMediaFactory()
scene = sys.argv[2] if len(sys.argv) > 2 else "bars"
caps = "video/x-raw,width=320,height=240,framerate=15/1"
sources = {
    "bars": f"videotestsrc is-live=true ! {caps}",
    "still-ball": f"videotestsrc pattern=ball num-buffers=1 ! {caps} ! imagefreeze is-live=true ! {caps}",
}
f.set_launch(f"( {sources[scene]} ! videoconvert ! openh264enc ! rtph264pay name=pay0 pt=96 )")
f.set_shared(True)
server.get_mount_points().add_factory("/cam", f)
server.attach(None)
print("ready", flush=True)
GLib.MainLoop().run()
