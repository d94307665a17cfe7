/* Copyright (C) 2026 gst-rstracking developers
 * SPDX-License-Identifier: MIT
 *
 * An application that embeds gst-rstracking and reads its results from the
 * buffers with the stock GStreamer C API (1.22):
 *
 *   read_meta '<pipeline ending in appsink name=sink>'
 *
 * Prints one JSON line per buffer: the objects of the RsTrackingFrameMeta
 * structure view (one column per field: see the README) and every
 * GstVideoRegionOfInterestMeta (rectangle, id). Build:
 *   cc read_meta.c -o read_meta $(pkg-config --cflags --libs gstreamer-1.0 \
 *     gstreamer-app-1.0 gstreamer-video-1.0)
 */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <stdio.h>

/* Column `name` of the structure view: the GBytes data (little-endian
 * numbers, aligned for their type) and its number of `size`-byte values;
 * NULL when no object has the field. */
static const void *
column (const GstStructure * s, const char *name, gsize size, gsize * n)
{
  const GValue *v = gst_structure_get_value (s, name);
  gsize bytes = 0;
  const void *data;

  *n = 0;
  if (!v || !G_VALUE_HOLDS (v, G_TYPE_BYTES))
    return NULL;
  data = g_bytes_get_data (g_value_get_boxed (v), &bytes);
  *n = bytes / size;
  return data;
}

/* String `i` of array column `name`, NULL when absent or "". */
static const char *
string_at (const GstStructure * s, const char *name, guint i)
{
  const GValue *v = gst_structure_get_value (s, name);
  const char *str;

  if (!v || i >= gst_value_array_get_size (v))
    return NULL;
  str = g_value_get_string (gst_value_array_get_value (v, i));
  return str && *str ? str : NULL;
}

/* Prints the objects of the structure view: one column per field, one
 * entry per object (keypoints: `keypoint_counts[i]` points of 3 floats,
 * objects one after the other). Assumes a little-endian host. */
static void
print_objects (const GstStructure * s)
{
  guint count = 0;
  gsize nb, nc, nk, nt, ng, nkc, nkp;
  const float *box, *conf, *kp;
  const guint32 *cls, *kcount;
  const gint64 *track, *global;
  const char *str;
  gsize next_kp = 0;

  gst_structure_get_uint (s, "count", &count);
  box = column (s, "boxes", 4, &nb);
  conf = column (s, "confidences", 4, &nc);
  cls = column (s, "class_ids", 4, &nk);
  track = column (s, "track_ids", 8, &nt);
  global = column (s, "global_ids", 8, &ng);
  kcount = column (s, "keypoint_counts", 4, &nkc);
  kp = column (s, "keypoints", 4, &nkp);
  if (!gst_structure_has_field (s, "count")) {
    printf ("null");            /* not a view this reader knows */
    return;
  }
  if (count > 0 && (!box || nb < 4 * (gsize) count || !conf || nc < count || !cls
      || nk < count)) {
    printf ("null");            /* columns shorter than count */
    return;
  }
  printf ("[");
  for (guint i = 0; i < count; i++) {
    printf ("%s{\"bbox\":[%.9g,%.9g,%.9g,%.9g]", i ? "," : "", box[4 * i],
        box[4 * i + 1], box[4 * i + 2], box[4 * i + 3]);
    printf (",\"confidence\":%.9g,\"class_id\":%u", conf[i], cls[i]);
    if ((str = string_at (s, "labels", i)))
      printf (",\"label\":\"%s\"", str);
    if (track && i < nt && track[i] >= 0)
      printf (",\"track_id\":%" G_GINT64_FORMAT, track[i]);
    if ((str = string_at (s, "states", i)))
      printf (",\"state\":\"%s\"", str);
    if (global && i < ng && global[i] >= 0)
      printf (",\"global_id\":%" G_GINT64_FORMAT, global[i]);
    if (kcount && i < nkc && kcount[i] > 0
        && 3 * (next_kp + kcount[i]) <= nkp) {
      printf (",\"keypoints\":[");
      for (guint k = 0; k < kcount[i]; k++, next_kp++)
        printf ("%s[%.9g,%.9g,%.9g]", k ? "," : "", kp[3 * next_kp],
            kp[3 * next_kp + 1], kp[3 * next_kp + 2]);
      printf ("]");
    }
    printf ("}");
  }
  printf ("]");
}

static void
print_buffer (GstBuffer * buf, guint n)
{
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buf, "RsTrackingFrameMeta");
  gpointer state = NULL;
  GstMeta *m;
  gboolean first = TRUE;

  printf ("{\"buffer\":%u,\"objects\":", n);
  if (meta)
    print_objects (gst_custom_meta_get_structure (meta));
  else
    printf ("null");
  printf (",\"rois\":[");
  while ((m = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) m;
    printf ("%s[%u,%u,%u,%u,%d]", first ? "" : ",", roi->x, roi->y, roi->w,
        roi->h, roi->id);
    first = FALSE;
  }
  printf ("]}\n");
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  GError *err = NULL;
  GstElement *pipeline, *sink;
  GstSample *sample;
  GstMessage *msg;
  guint n = 0;
  int rc = 0;

  gst_init (&argc, &argv);
  if (argc != 2) {
    fprintf (stderr, "usage: %s '<pipeline ... ! appsink name=sink>'\n", argv[0]);
    return 2;
  }
  pipeline = gst_parse_launch (argv[1], &err);
  if (!pipeline) {
    fprintf (stderr, "error: %s\n", err->message);
    return 1;
  }
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (sink, "sync", FALSE, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
    print_buffer (gst_sample_get_buffer (sample), n++);
    gst_sample_unref (sample);
  }
  /* The appsink is done; wait until every sink is (EOS) or an error. */
  msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipeline),
      GST_CLOCK_TIME_NONE, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
    gst_message_unref (msg);
    msg = NULL;
  }
  if (msg) {
    gst_message_parse_error (msg, &err, NULL);
    fprintf (stderr, "error: %s\n", err->message);
    g_clear_error (&err);
    gst_message_unref (msg);
    rc = 1;
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return rc;
}
