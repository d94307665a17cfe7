#!/usr/bin/env python3
# Copyright (C) 2026 gst-rstracking developers
# SPDX-License-Identifier: MIT
"""Build a random-weight ST-GCN-sized skeleton action model (ONNX) for
rsaction's benchmark: the layer plan of ST-GCN (Yan et al., AAAI 2018) on
COCO-17 joints, not a trained model.

Usage::

    scripts/make-stgcn.py OUT.onnx [CLASSES]

Input ``keypoints`` ['batch', 3, 'frames', 17, 1], output ``scores``
['batch', CLASSES] (default 60). Layers: ten ST-GCN units
(3->64, 64x3, 64->128 stride 2, 128x2, 128->256 stride 2, 256x2); each is
a spatial graph convolution (1x1 convolution to 3 partitions, Einsum with
a fixed 3 x 17 x 17 adjacency: self, inward, outward edges of the COCO
skeleton, normalised), ReLU, a 9x1 temporal convolution, a residual (1x1
convolution where the shape changes), ReLU; then the mean over time and
joints and a fully connected layer. Batch normalisation is left out (it
folds into the convolutions at inference). About 3.1 million weights, drawn
from a seeded normal distribution (He scale). Uses onnx and numpy only.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

V = 17
COCO_EDGES = [(15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11),
              (6, 12), (5, 6), (5, 7), (6, 8), (7, 9), (8, 10), (1, 2),
              (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6)]
PLAN = [(3, 64, 1), (64, 64, 1), (64, 64, 1), (64, 64, 1), (64, 128, 2),
        (128, 128, 1), (128, 128, 1), (128, 256, 2), (256, 256, 1),
        (256, 256, 1)]


def adjacency():
    """Spatial partitions: identity, child->parent, parent->child, each
    column-normalised."""
    a = np.zeros((3, V, V), dtype=np.float32)
    a[0] = np.eye(V)
    for child, parent in COCO_EDGES:
        a[1, child, parent] = 1.0
        a[2, parent, child] = 1.0
    for k in (1, 2):
        deg = a[k].sum(axis=0)
        deg[deg == 0] = 1.0
        a[k] /= deg
    return a


class Graph:
    def __init__(self, seed=0):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.n = [], [], 0

    def name(self, p):
        self.n += 1
        return "%s_%d" % (p, self.n)

    def const(self, array, p):
        n = self.name(p)
        self.inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def weight(self, shape):
        fan_in = int(np.prod(shape[1:]))
        w = self.rng.standard_normal(shape).astype(np.float32)
        return self.const((w * np.sqrt(2.0 / fan_in)).astype(np.float32), "w")

    def op(self, op_type, inputs, **attrs):
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        return out

    def conv(self, x, cin, cout, kt=1, stride=1):
        w = self.weight((cout, cin, kt, 1))
        b = self.const(np.zeros(cout, dtype=np.float32), "b")
        return self.op("Conv", [x, w, b], kernel_shape=[kt, 1],
                       pads=[(kt - 1) // 2, 0, (kt - 1) // 2, 0],
                       strides=[stride, 1])

    def unit(self, x, a, cin, cout, stride):
        y = self.conv(x, cin, 3 * cout)
        shape = self.const(np.array([0, 3, cout, -1, V], dtype=np.int64), "s")
        y = self.op("Reshape", [y, shape])
        y = self.op("Einsum", [y, a], equation="nkctv,kvw->nctw")
        y = self.op("Relu", [y])
        y = self.conv(y, cout, cout, kt=9, stride=stride)
        if cin == 3:
            res = None
        elif cin == cout and stride == 1:
            res = x
        else:
            res = self.conv(x, cin, cout, stride=stride)
        if res is not None:
            y = self.op("Add", [y, res])
        return self.op("Relu", [y])


def build(classes):
    g = Graph()
    a = g.const(adjacency(), "adjacency")
    axis4 = g.const(np.array([4], dtype=np.int64), "axis")
    x = g.op("Squeeze", ["keypoints", axis4])
    for cin, cout, stride in PLAN:
        x = g.unit(x, a, cin, cout, stride)
    x = g.op("ReduceMean", [x], axes=[2, 3], keepdims=0)
    fc = g.weight((256, classes))
    x = g.op("MatMul", [x, fc])
    bias = g.const(np.zeros(classes, dtype=np.float32), "fc_b")
    g.nodes.append(helper.make_node("Add", [x, bias], ["scores"]))
    graph = helper.make_graph(
        g.nodes, "stgcn_random",
        [helper.make_tensor_value_info("keypoints", TensorProto.FLOAT,
                                       ["batch", 3, "frames", V, 1])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT,
                                       ["batch", classes])],
        initializer=g.inits)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="gst-rstracking-make-stgcn")
    model.ir_version = 8
    helper.set_model_props(model, {
        "description": "gst-rstracking benchmark model: ST-GCN layer plan, "
                       "random weights (not trained)"})
    onnx.checker.check_model(model)
    params = sum(int(np.prod(i.dims)) for i in g.inits)
    return model, params


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write("usage: %s OUT.onnx [CLASSES]\n" % argv[0])
        return 2
    classes = int(argv[2]) if len(argv) == 3 else 60
    model, params = build(classes)
    with open(argv[1], "wb") as f:
        f.write(model.SerializeToString())
    print("%s: %d weights, %d classes" % (argv[1], params, classes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
