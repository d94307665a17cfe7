# Copyright (C) 2026 gst-rstracking developers
# SPDX-License-Identifier: MIT
"""Build the tiny ONNX fixture models used by the YOLO decoder tests.

Usage::

    python3 tests/models/make_models.py OUTDIR

Writes every model below into OUTDIR (created if missing).  Only ``onnx``
(``onnx.helper``) and ``numpy`` are used; the output is deterministic.

Common to all models: ``ir_version = 8``, opset 17 (``ai.onnx`` only), one
float32 input named ``images`` and one float32 output named ``output0``
(except ``reid_mean.onnx``).  Coordinates are in model-input pixels.

"Constant" models compute ``output0 = CONST + 0 * ReduceMean(images)`` (the
mean over all axes, broadcast), so the input stays part of the graph while the
output is exactly CONST (float32) for any finite input.

Metadata (``metadata_props``, Ultralytics style: Python literals as strings)
always holds ``description = "gst-rstracking test fixture: ..."``; the other
keys are listed per model.  "detect metadata" means::

    names = "{0: 'person', 1: 'bicycle', 2: 'car'}", task = "detect",
    stride = "32", imgsz = "[64, 64]", end2end = "False"

Models (input ``images`` [1, 3, 64, 64] unless stated; ``ball_detector.onnx``,
the sample model of the main job, is described at ``ball_detector_model``):

1. ``v8_const.onnx`` -- YOLOv8-style detect head, channel-major.
   output0 [1, 7, 6]; element [0, c, n] is value c of anchor n, values
   (cx, cy, w, h, s0, s1, s2):
     a0 (32, 32, 16, 8, 0.9, 0,   0  )
     a1 (33, 32, 16, 8, 0.8, 0,   0  )
     a2 (33, 32, 16, 8, 0,   0,   0.7)
     a3 (10, 10,  8, 8, 0,   0.2, 0  )
     a4 (50, 50,  2, 2, 0,   0.6, 0  )
     a5 (60,  8, 12,12, 0,   0.5, 0  )
   Metadata: detect metadata (end2end "False").

2. ``v5_const.onnx`` -- YOLOv5-style head with objectness, row-major.
   output0 [1, 6, 8]; row n = (cx, cy, w, h, obj, s0, s1, s2):
     r0 (32, 32, 16, 8, 1.0, 0.9, 0,   0  )
     r1 (33, 32, 16, 8, 1.0, 0.8, 0,   0  )
     r2 (33, 32, 16, 8, 1.0, 0,   0,   0.7)
     r3 (10, 10,  8, 8, 0.5, 0,   0.6, 0  )   score obj*cls = 0.3
     r4 (50, 50,  2, 2, 0.2, 0,   1.0, 0  )   dropped by objectness
     r5 (60,  8, 12,12, 1.0, 0,   0.5, 0  )
   Metadata: detect metadata without the ``end2end`` key.

3. ``v8pose_const.onnx`` -- YOLOv8 pose head, channel-major.
   output0 [1, 56, 2]; channel c of anchor n = (cx, cy, w, h, score,
   17 x (x, y, vis)):
     a0 box (32, 32, 16, 32), score 0.9, keypoint i (i = 0..16):
        x = 24 + i, y = 16 + 2*i, vis = float32(0.5 + 0.02*i)
     a1 box (32, 33, 16, 32), score 0.5, every keypoint (0, 0, 0.1)
   Metadata: names "{0: 'person'}", task "pose", kpt_shape "[17, 3]",
   stride "32", imgsz "[64, 64]", end2end "False".

4. ``e2e_const.onnx`` -- end-to-end (NMS-free) detect head, row-major.
   output0 [1, 8, 6]; row = (x1, y1, x2, y2, score, class):
     r0 (24, 28, 40, 36, 0.9, 0)
     r1 (25, 28, 41, 36, 0.8, 0)
     r2 (10, 10, 20, 20, 0.7, 2)
     r3 (30, 30, 20, 40, 0.6, 1)   inverted box (x2 < x1)
     r4 ( 0,  0,  4,  4, 0.2, 1)
     r5, r6, r7 all zeros
   Metadata: detect metadata with end2end "True".

5. ``e2e_pose_const.onnx`` -- end-to-end pose head, row-major.
   output0 [1, 4, 57]; row = (x1, y1, x2, y2, score, class, 17 x (x, y, vis)):
     r0 (24, 16, 40, 48, 0.9, 0), keypoint i: x = 24 + i, y = 16 + 2*i,
        vis = float32(0.5 + 0.02*i)
     r1, r2, r3 all zeros
   Metadata: names "{0: 'person'}", task "pose", kpt_shape "[17, 3]",
   stride "32", imgsz "[64, 64]", end2end "True".

6. ``v8_image.onnx`` -- IMAGE-DEPENDENT v8 detect head.
   output0 [1, 7, 1] = (32, 32, 64, 64, mean(images[0, 0]),
   mean(images[0, 1]), mean(images[0, 2])): constant box, class scores are
   the per-channel means over the whole 64x64 plane (ReduceMean over H, W).
   Metadata: names "{0: 'red', 1: 'green', 2: 'blue'}", task "detect",
   stride "32", imgsz "[64, 64]", end2end "False".

7. ``dynamic_image.onnx`` -- like 6 with input ``images``
   [1, 3, 'height', 'width'] (symbolic dims).  output0 [1, 7, 1] =
   (W/2, H/2, W, H, mean(images[0, 0]), mean(images[0, 1]),
   mean(images[0, 2])), W and H taken from Shape(images) cast to float.
   Metadata: as 6 but without ``imgsz``.

8. ``bad_rank.onnx`` -- output0 [1, 7] (rank 2), constant (1, 2, ..., 7).
   Metadata: detect metadata.

9. ``bad_channels.onnx`` -- input ``images`` [1, 1, 64, 64] (one channel);
   output0 identical to ``v8_const.onnx`` (constant [1, 7, 6]).
   Metadata: detect metadata.

10. ``two_inputs.onnx`` -- inputs ``images`` [1, 3, 64, 64] and ``extra`` [1]
    (float32); output0 identical to ``v8_const.onnx``
    (CONST + 0 * mean(images) + 0 * extra).  Metadata: detect metadata.

11. ``reid_mean.onnx`` -- re-id style embedder.  Input ``images``
    ['batch', 3, 256, 128] (symbolic batch); output named ``output``
    ['batch', 3] = per-sample channel means (ReduceMean over H, W,
    keepdims 0).  Metadata: description only.

12. ``action_identity.onnx`` -- skeleton action model, ST-GCN layout.
    Input ``keypoints`` ['batch', 3, 'frames', 17, 1]; output ``scores``
    ['batch', 'classes'] = the input window flattened in C, T, V order
    (Reshape to [batch, -1]), so the scores *are* the window.

13. ``action_identity_ntvc.onnx`` -- the same with input
    ['batch', 'frames', 17, 3] (flattened in T, V, C order).

14. ``action_motion.onnx`` -- two-class action model ("still", "moving"),
    input as ``action_identity.onnx``: m = mean over the batch row of
    |w[:, 0:2, t] - w[:, 0:2, t-1]| (x and y channels, t = 1..T-1);
    scores = [100 * (0.05 - m), 100 * (m - 0.05)].

15. ``action_bad_rank.onnx`` -- action model with a rank-3 input
    ['batch', 'frames', 51]; output ['batch', 51] (mean over frames).

Metadata of 12-15: description only.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

IR_VERSION = 8
OPSET = 17
F32 = TensorProto.FLOAT

NAMES_COCO3 = "{0: 'person', 1: 'bicycle', 2: 'car'}"
NAMES_PERSON = "{0: 'person'}"
NAMES_RGB = "{0: 'red', 1: 'green', 2: 'blue'}"


# --------------------------------------------------------------------------
# Constant payloads
# --------------------------------------------------------------------------

def v8_values():
    """[1, 7, 6] channel-major: rows below are anchors, transposed."""
    anchors = [
        (32, 32, 16, 8, 0.9, 0.0, 0.0),
        (33, 32, 16, 8, 0.8, 0.0, 0.0),
        (33, 32, 16, 8, 0.0, 0.0, 0.7),
        (10, 10, 8, 8, 0.0, 0.2, 0.0),
        (50, 50, 2, 2, 0.0, 0.6, 0.0),
        (60, 8, 12, 12, 0.0, 0.5, 0.0),
    ]
    return np.array(anchors, dtype=np.float32).T.reshape(1, 7, 6)


def v5_values():
    rows = [
        (32, 32, 16, 8, 1.0, 0.9, 0.0, 0.0),
        (33, 32, 16, 8, 1.0, 0.8, 0.0, 0.0),
        (33, 32, 16, 8, 1.0, 0.0, 0.0, 0.7),
        (10, 10, 8, 8, 0.5, 0.0, 0.6, 0.0),
        (50, 50, 2, 2, 0.2, 0.0, 1.0, 0.0),
        (60, 8, 12, 12, 1.0, 0.0, 0.5, 0.0),
    ]
    return np.array(rows, dtype=np.float32).reshape(1, 6, 8)


def ramp_keypoints():
    """17 x (x, y, vis) with x = 24 + i, y = 16 + 2i, vis = 0.5 + 0.02i."""
    kpts = []
    for i in range(17):
        kpts.extend([24.0 + i, 16.0 + 2.0 * i, 0.5 + 0.02 * i])
    return kpts


def v8pose_values():
    a0 = [32, 32, 16, 32, 0.9] + ramp_keypoints()
    a1 = [32, 33, 16, 32, 0.5] + [0.0, 0.0, 0.1] * 17
    return np.array([a0, a1], dtype=np.float32).T.reshape(1, 56, 2)


def e2e_values():
    rows = [
        (24, 28, 40, 36, 0.9, 0),
        (25, 28, 41, 36, 0.8, 0),
        (10, 10, 20, 20, 0.7, 2),
        (30, 30, 20, 40, 0.6, 1),
        (0, 0, 4, 4, 0.2, 1),
        (0, 0, 0, 0, 0, 0),
        (0, 0, 0, 0, 0, 0),
        (0, 0, 0, 0, 0, 0),
    ]
    return np.array(rows, dtype=np.float32).reshape(1, 8, 6)


def e2e_pose_values():
    out = np.zeros((1, 4, 57), dtype=np.float32)
    out[0, 0, :] = np.array([24, 16, 40, 48, 0.9, 0] + ramp_keypoints(),
                            dtype=np.float32)
    return out


def bad_rank_values():
    return np.arange(1, 8, dtype=np.float32).reshape(1, 7)


# --------------------------------------------------------------------------
# Graph helpers
# --------------------------------------------------------------------------

def const_node(name, array):
    return helper.make_node(
        "Constant", [], [name],
        value=numpy_helper.from_array(np.asarray(array), name=name + "_value"))


def zero_of(input_name, prefix):
    """Nodes computing the scalar 0 * ReduceMean(input) (all axes)."""
    mean = prefix + "_mean"
    zero = prefix + "_zero"
    nodes = [
        helper.make_node("ReduceMean", [input_name], [mean], keepdims=0),
        const_node(prefix + "_k0", np.array(0.0, dtype=np.float32)),
        helper.make_node("Mul", [mean, prefix + "_k0"], [zero]),
    ]
    return nodes, zero


def finish(graph, meta):
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="gst-rstracking-make-models",
        producer_version="1",
    )
    model.ir_version = IR_VERSION
    helper.set_model_props(model, meta)
    onnx.checker.check_model(model, full_check=True)
    return model


def const_model(values, meta, in_shape=(1, 3, 64, 64), extra_input=False):
    """output0 = values + 0 * mean(images) [+ 0 * mean(extra)]."""
    values = np.asarray(values, dtype=np.float32)
    nodes, zero = zero_of("images", "img")
    inputs = [helper.make_tensor_value_info("images", F32, list(in_shape))]
    if extra_input:
        inputs.append(helper.make_tensor_value_info("extra", F32, [1]))
        extra_nodes, extra_zero = zero_of("extra", "extra")
        nodes += extra_nodes
        nodes.append(helper.make_node("Add", [zero, extra_zero], ["zero_sum"]))
        zero = "zero_sum"
    nodes.append(const_node("payload", values))
    nodes.append(helper.make_node("Add", ["payload", zero], ["output0"]))
    graph = helper.make_graph(
        nodes, "const_head", inputs,
        [helper.make_tensor_value_info("output0", F32, list(values.shape))])
    return finish(graph, meta)


def channel_means_nodes():
    """images -> 'means' [1, 3, 1] (per-channel means over H, W)."""
    return [
        helper.make_node("ReduceMean", ["images"], ["means4"],
                         axes=[2, 3], keepdims=1),
        const_node("means_shape", np.array([1, 3, 1], dtype=np.int64)),
        helper.make_node("Reshape", ["means4", "means_shape"], ["means"]),
    ]


def image_model(meta):
    nodes = channel_means_nodes()
    nodes.append(const_node(
        "box", np.array([32, 32, 64, 64], dtype=np.float32).reshape(1, 4, 1)))
    nodes.append(helper.make_node("Concat", ["box", "means"], ["output0"],
                                  axis=1))
    graph = helper.make_graph(
        nodes, "image_head",
        [helper.make_tensor_value_info("images", F32, [1, 3, 64, 64])],
        [helper.make_tensor_value_info("output0", F32, [1, 7, 1])])
    return finish(graph, meta)


def dynamic_image_model(meta):
    nodes = channel_means_nodes()
    nodes += [
        helper.make_node("Shape", ["images"], ["in_shape"]),
        # (W, H) as float
        const_node("wh_idx", np.array([3, 2], dtype=np.int64)),
        helper.make_node("Gather", ["in_shape", "wh_idx"], ["wh_i"], axis=0),
        helper.make_node("Cast", ["wh_i"], ["wh"], to=F32),
        const_node("half", np.array(0.5, dtype=np.float32)),
        helper.make_node("Mul", ["wh", "half"], ["cxcy"]),
        helper.make_node("Concat", ["cxcy", "wh"], ["box_flat"], axis=0),
        const_node("box_shape", np.array([1, 4, 1], dtype=np.int64)),
        helper.make_node("Reshape", ["box_flat", "box_shape"], ["box"]),
        helper.make_node("Concat", ["box", "means"], ["output0"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "dynamic_image_head",
        [helper.make_tensor_value_info("images", F32,
                                       [1, 3, "height", "width"])],
        [helper.make_tensor_value_info("output0", F32, [1, 7, 1])])
    return finish(graph, meta)


def reid_model(meta):
    nodes = [helper.make_node("ReduceMean", ["images"], ["output"],
                              axes=[2, 3], keepdims=0)]
    graph = helper.make_graph(
        nodes, "reid_mean",
        [helper.make_tensor_value_info("images", F32, ["batch", 3, 256, 128])],
        [helper.make_tensor_value_info("output", F32, ["batch", 3])])
    return finish(graph, meta)


BALL_INPUT = 320   # model input is BALL_INPUT x BALL_INPUT
BALL_WINDOW = 48   # pooling window: always holds the whole ~38 px ball
BALL_BOX = 40      # box side written out
BALL_STRIDE = 8


def ball_detector_model(meta):
    """A hand-written (not learned) detector of bright round blobs about
    38 px across, e.g. ``videotestsrc pattern=ball``, with a YOLOv8 detect
    head [1, 5, A] (one class, "ball").

    brightness = relu(mean over RGB - 0.5) (black, the 114 grey padding and
    anything darker give 0); m = its mean over BALL_WINDOW square windows
    on a BALL_STRIDE grid (one anchor per window); only windows that are a
    local maximum of m among their 8 neighbours keep it (MaxPool 3x3
    equality), so the ball gives one peak (or two equal neighbours, which
    NMS merges); score = min(1, 4.3 * m) (~0.9 for the whole ball); box =
    BALL_BOX square centred on the window. A real image-dependent detector
    whose output is known in closed form: the tests compare its boxes with
    the ball's true position.
    """
    n = (BALL_INPUT - BALL_WINDOW) // BALL_STRIDE + 1
    grid = (np.arange(n, dtype=np.float32) * BALL_STRIDE + BALL_WINDOW / 2)
    cy, cx = np.meshgrid(grid, grid, indexing="ij")
    side = np.full(n * n, BALL_BOX, dtype=np.float32)
    boxes = np.stack([cx.reshape(-1), cy.reshape(-1), side, side])
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["gray"], axes=[1],
                         keepdims=1),
        const_node("floor", np.array(0.5, dtype=np.float32)),
        helper.make_node("Sub", ["gray", "floor"], ["gray_off"]),
        helper.make_node("Relu", ["gray_off"], ["bright"]),
        helper.make_node("AveragePool", ["bright"], ["pooled"],
                         kernel_shape=[BALL_WINDOW, BALL_WINDOW],
                         strides=[BALL_STRIDE, BALL_STRIDE]),
        helper.make_node("MaxPool", ["pooled"], ["local_max"],
                         kernel_shape=[3, 3], strides=[1, 1],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Equal", ["pooled", "local_max"], ["is_peak"]),
        helper.make_node("Cast", ["is_peak"], ["peak"], to=F32),
        helper.make_node("Mul", ["pooled", "peak"], ["peaks"]),
        const_node("gain", np.array(4.3, dtype=np.float32)),
        helper.make_node("Mul", ["peaks", "gain"], ["scaled"]),
        const_node("one", np.array(1.0, dtype=np.float32)),
        helper.make_node("Min", ["scaled", "one"], ["capped"]),
        const_node("score_shape", np.array([1, 1, n * n], dtype=np.int64)),
        helper.make_node("Reshape", ["capped", "score_shape"], ["scores"]),
        const_node("boxes", boxes.reshape(1, 4, n * n)),
        helper.make_node("Concat", ["boxes", "scores"], ["output0"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "ball_detector",
        [helper.make_tensor_value_info(
            "images", F32, [1, 3, BALL_INPUT, BALL_INPUT])],
        [helper.make_tensor_value_info("output0", F32, [1, 5, n * n])])
    return finish(graph, meta)


def reid_bad_rank_model(meta):
    nodes = [helper.make_node("ReduceMean", ["images"], ["output"],
                              axes=[2], keepdims=0)]
    graph = helper.make_graph(
        nodes, "reid_bad_rank",
        [helper.make_tensor_value_info("images", F32, ["batch", 3, 256])],
        [helper.make_tensor_value_info("output", F32, ["batch", 3])])
    return finish(graph, meta)


ACTION_NCTVM = ["batch", 3, "frames", 17, 1]


def action_identity_model(meta, in_shape):
    nodes = [
        const_node("flat_shape", np.array([0, -1], dtype=np.int64)),
        helper.make_node("Reshape", ["keypoints", "flat_shape"], ["scores"]),
    ]
    graph = helper.make_graph(
        nodes, "action_identity",
        [helper.make_tensor_value_info("keypoints", F32, in_shape)],
        [helper.make_tensor_value_info("scores", F32, ["batch", "classes"])])
    return finish(graph, meta)


def action_motion_model(meta):
    big = np.iinfo(np.int64).max
    i64 = lambda v: np.array(v, dtype=np.int64)
    nodes = [
        const_node("s1", i64([0, 1])), const_node("e1", i64([2, big])),
        const_node("s0", i64([0, 0])), const_node("e0", i64([2, -1])),
        const_node("ax", i64([1, 2])),
        helper.make_node("Slice", ["keypoints", "s1", "e1", "ax"], ["later"]),
        helper.make_node("Slice", ["keypoints", "s0", "e0", "ax"], ["earlier"]),
        helper.make_node("Sub", ["later", "earlier"], ["diff"]),
        helper.make_node("Abs", ["diff"], ["absdiff"]),
        helper.make_node("ReduceMean", ["absdiff"], ["m"], axes=[1, 2, 3, 4],
                         keepdims=0),
        const_node("thr", np.array(0.05, dtype=np.float32)),
        const_node("gain", np.array(100.0, dtype=np.float32)),
        const_node("col", i64([1])),
        helper.make_node("Sub", ["thr", "m"], ["still0"]),
        helper.make_node("Sub", ["m", "thr"], ["moving0"]),
        helper.make_node("Unsqueeze", ["still0", "col"], ["still1"]),
        helper.make_node("Unsqueeze", ["moving0", "col"], ["moving1"]),
        helper.make_node("Concat", ["still1", "moving1"], ["logits"], axis=1),
        helper.make_node("Mul", ["logits", "gain"], ["scores"]),
    ]
    graph = helper.make_graph(
        nodes, "action_motion",
        [helper.make_tensor_value_info("keypoints", F32, ACTION_NCTVM)],
        [helper.make_tensor_value_info("scores", F32, ["batch", 2])])
    return finish(graph, meta)


def action_bad_rank_model(meta):
    nodes = [helper.make_node("ReduceMean", ["keypoints"], ["scores"],
                              axes=[1], keepdims=0)]
    graph = helper.make_graph(
        nodes, "action_bad_rank",
        [helper.make_tensor_value_info("keypoints", F32,
                                       ["batch", "frames", 51])],
        [helper.make_tensor_value_info("scores", F32, ["batch", 51])])
    return finish(graph, meta)


# --------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------

def meta(description, names=NAMES_COCO3, task="detect", end2end="False",
         imgsz="[64, 64]", kpt_shape=None):
    props = {"description": "gst-rstracking test fixture: " + description,
             "stride": "32", "task": task}
    if imgsz is not None:
        props["imgsz"] = imgsz
    props["names"] = names
    if kpt_shape is not None:
        props["kpt_shape"] = kpt_shape
    if end2end is not None:
        props["end2end"] = end2end
    return props


def build_all():
    pose = dict(names=NAMES_PERSON, task="pose", kpt_shape="[17, 3]")
    return {
        "v8_const.onnx": const_model(
            v8_values(),
            meta("constant YOLOv8 detect head [1, 7, 6], 3 classes")),
        "v5_const.onnx": const_model(
            v5_values(),
            meta("constant YOLOv5 detect head with objectness [1, 6, 8]",
                 end2end=None)),
        "v8pose_const.onnx": const_model(
            v8pose_values(),
            meta("constant YOLOv8 pose head [1, 56, 2]", **pose)),
        "e2e_const.onnx": const_model(
            e2e_values(),
            meta("constant end-to-end detect head [1, 8, 6]",
                 end2end="True")),
        "e2e_pose_const.onnx": const_model(
            e2e_pose_values(),
            meta("constant end-to-end pose head [1, 4, 57]", end2end="True",
                 **pose)),
        "v8_image.onnx": image_model(
            meta("YOLOv8 detect head [1, 7, 1] scoring per-channel image "
                 "means", names=NAMES_RGB)),
        "dynamic_image.onnx": dynamic_image_model(
            meta("dynamic-size YOLOv8 detect head [1, 7, 1], box from input "
                 "size, per-channel mean scores", names=NAMES_RGB,
                 imgsz=None)),
        "bad_rank.onnx": const_model(
            bad_rank_values(),
            meta("invalid head with rank-2 output [1, 7]")),
        "bad_channels.onnx": const_model(
            v8_values(),
            meta("constant YOLOv8 detect head with a 1-channel input"),
            in_shape=(1, 1, 64, 64)),
        "two_inputs.onnx": const_model(
            v8_values(),
            meta("constant YOLOv8 detect head with a second input 'extra'"),
            extra_input=True),
        "ball_detector.onnx": ball_detector_model(
            dict(meta("hand-written bright-blob (ball) detector, YOLOv8 "
                      "head [1, 5, 1225]", names="{0: 'ball'}",
                      imgsz="[%d, %d]" % (BALL_INPUT, BALL_INPUT)),
                 description="gst-rstracking sample model: a hand-written "
                             "(not learned) detector of bright round blobs "
                             "~40 px across (videotestsrc pattern=ball), "
                             "YOLOv8 detect head [1, 5, 1225]")),
        "reid_bad_rank.onnx": reid_bad_rank_model(
            {"description": "gst-rstracking test fixture: re-id model with a "
                            "rank-3 input [batch, 3, 256]"}),
        "reid_mean.onnx": reid_model(
            {"description": "gst-rstracking test fixture: re-id embedder "
                            "returning per-channel means [batch, 3]"}),
        "action_identity.onnx": action_identity_model(
            {"description": "gst-rstracking test fixture: action model whose "
                            "scores are its [N, 3, T, 17, 1] input window"},
            ACTION_NCTVM),
        "action_identity_batch2.onnx": action_identity_model(
            {"description": "gst-rstracking test fixture: action model whose "
                            "scores are its [2, 3, T, 17, 1] input window "
                            "(a fixed batch of 2)"},
            [2, 3, "frames", 17, 1]),
        "action_identity_ntvc.onnx": action_identity_model(
            {"description": "gst-rstracking test fixture: action model whose "
                            "scores are its [N, T, 17, 3] input window"},
            ["batch", "frames", 17, 3]),
        "action_motion.onnx": action_motion_model(
            {"description": "gst-rstracking test fixture: two-class "
                            "(still, moving) action model on mean keypoint "
                            "motion"}),
        "action_bad_rank.onnx": action_bad_rank_model(
            {"description": "gst-rstracking test fixture: action model with "
                            "a rank-3 input [batch, frames, 51]"}),
    }


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: %s OUTDIR\n" % argv[0])
        return 2
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    for name, model in build_all().items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(model.SerializeToString(deterministic=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
