// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT

/**
 * SECTION:element-rswebview
 *
 * A browser live view: serves the JPEG frames it receives over HTTP, as
 * an MJPEG stream (`multipart/x-mixed-replace`) that any browser shows in
 * an `<img>`, as the latest single frame, and on an index page. Encode
 * once upstream (`jpegenc`): the same bytes go to every client, nothing is
 * copied or re-encoded per client.
 *
 * Several rswebview instances of one process with the same `address` and
 * `port` share one HTTP server (one listening socket), each serving its
 * own `stream-name`; the server starts with the first instance and stops
 * with the last (PAUSED→READY), and the port is free again then.
 *
 * Routes, on `http://<address>:<port>`:
 * - `GET /`: HTML index of every stream of the server: its live image
 *   (`<img src="/<name>.mjpg">`) and links. The page has no margin and the
 *   first stream's image (streams sorted by name) sits at its top-left
 *   corner at its natural size, its caption under it.
 * - `GET /<name>.mjpg`: MJPEG stream, each part with `Content-Type:
 *   image/jpeg` and `Content-Length`, boundary `rswebviewframe`. It starts
 *   with the latest frame and ends (closing boundary) when the element
 *   stops. A client that reads slower than frames arrive gets the latest
 *   frame when it is ready for one; the others are counted as dropped. A
 *   stalled client never slows the pipeline or the other clients.
 *   Over `max-clients`: `503` with a text body that names the limit.
 * - `GET /<name>.jpg`: the latest frame (`503` before the first one).
 * - `GET /stats.json`: `{"address": "...", "streams": {"<name>": {...}}}`
 *   with, per stream, `frames_received`, `fps` (measured over the last 3
 *   s), `clients` (current MJPEG clients), `frames_sent` and
 *   `frames_dropped` (all clients, since start), `frames_rate_skipped`
 *   (left out by `max-rate`), `clients_refused`, `last_frame_bytes`,
 *   `max_clients` and `max_rate`.
 * - Other paths: `404`; methods other than GET and HEAD: `405`.
 *
 * Properties:
 * - `address` (string, default `127.0.0.1`): IP address to listen on
 *   (`0.0.0.0` for every IPv4 interface, `::` for IPv6).
 * - `port` (uint, 0–65535, default 8080): TCP port; 0 lets the system pick
 *   a free one, read back from `bound-port` (each instance with port 0 gets
 *   a server of its own; others join it with `port=<bound-port>`).
 * - `bound-port` (uint, read-only): the port actually listened on, from
 *   the start (READY→PAUSED) to the stop; 0 otherwise.
 * - `stream-name` (string, default: the element's name): the name in the
 *   URLs; non-empty, letters, digits, `_`, `.` and `-` only. Two instances
 *   with one name on one server: the second fails to start.
 * - `max-clients` (uint, 1–1024, default 16): concurrent `.mjpg` clients
 *   of this stream.
 * - `max-rate` (double, 0–1000 frames/s, default 0 = every frame): most
 *   frames per second sent to each MJPEG client.
 *
 * Binding errors (port in use, an address not on this machine, an
 * invalid address or name) are element errors at the start that name the
 * address, port or name and the system's reason.
 *
 * ## Example launch line
 * ```sh
 * gst-launch-1.0 videotestsrc is-live=true ! \
 *   video/x-raw,width=640,height=480,framerate=15/1 ! \
 *   jpegenc quality=85 ! rswebview stream-name=cam port=8080
 * # then open http://127.0.0.1:8080/ in a browser
 * ```
 *
 * Since: 0.1
 */
use gst::glib;
use gst::prelude::*;

mod imp;
mod server;

glib::wrapper! {
    pub struct RsWebView(ObjectSubclass<imp::RsWebView>) @extends gst_base::BaseSink, gst::Element, gst::Object;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "rswebview",
        gst::Rank::NONE,
        RsWebView::static_type(),
    )
}
