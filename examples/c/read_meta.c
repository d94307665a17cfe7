/* Copyright (C) 2026 gst-rstracking developers
 * SPDX-License-Identifier: MIT
 *
 * An application that embeds gst-rstracking and reads its results from the
 * buffers with the stock GStreamer C API (1.22):
 *
 *   read_meta '<pipeline ending in appsink name=sink>'
 *
 * Prints one JSON line per buffer: the objects of the RsTrackingFrameMeta
 * structure view and every GstVideoRegionOfInterestMeta (rectangle, id,
 * track id from its "tracking" params). Build:
 *   cc read_meta.c -o read_meta $(pkg-config --cflags --libs gstreamer-1.0 \
 *     gstreamer-app-1.0 gstreamer-video-1.0)
 */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <stdio.h>

static void
print_object (const GstStructure * o)
{
  static const char *box[] = { "x", "y", "w", "h" };
  float v, conf;
  guint class_id;
  guint64 id;
  const gchar *str;

  printf ("{\"bbox\":[");
  for (int i = 0; i < 4; i++) {
    gst_structure_get (o, box[i], G_TYPE_FLOAT, &v, NULL);
    printf ("%s%.9g", i ? "," : "", v);
  }
  gst_structure_get (o, "confidence", G_TYPE_FLOAT, &conf, "class_id",
      G_TYPE_UINT, &class_id, NULL);
  printf ("],\"confidence\":%.9g,\"class_id\":%u", conf, class_id);
  if ((str = gst_structure_get_string (o, "label")))
    printf (",\"label\":\"%s\"", str);
  if (gst_structure_get_uint64 (o, "track_id", &id))
    printf (",\"track_id\":%" G_GUINT64_FORMAT, id);
  if ((str = gst_structure_get_string (o, "state")))
    printf (",\"state\":\"%s\"", str);
  if (gst_structure_get_uint64 (o, "global_id", &id))
    printf (",\"global_id\":%" G_GUINT64_FORMAT, id);
  if (gst_structure_has_field (o, "keypoints")) {
    const GValue *kp = gst_structure_get_value (o, "keypoints");
    guint n = gst_value_array_get_size (kp);
    printf (",\"keypoints\":[");
    for (guint i = 0; i + 2 < n; i += 3)
      printf ("%s[%.9g,%.9g,%.9g]", i ? "," : "",
          g_value_get_float (gst_value_array_get_value (kp, i)),
          g_value_get_float (gst_value_array_get_value (kp, i + 1)),
          g_value_get_float (gst_value_array_get_value (kp, i + 2)));
    printf ("]");
  }
  printf ("}");
}

static void
print_buffer (GstBuffer * buf, guint n)
{
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buf, "RsTrackingFrameMeta");
  gpointer state = NULL;
  GstMeta *m;
  gboolean first = TRUE;

  printf ("{\"buffer\":%u,\"objects\":", n);
  if (meta) {
    const GValue *objects =
        gst_structure_get_value (gst_custom_meta_get_structure (meta),
        "objects");
    printf ("[");
    for (guint i = 0; i < gst_value_array_get_size (objects); i++) {
      if (i)
        printf (",");
      print_object (gst_value_get_structure (gst_value_array_get_value
              (objects, i)));
    }
    printf ("]");
  } else {
    printf ("null");
  }
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
