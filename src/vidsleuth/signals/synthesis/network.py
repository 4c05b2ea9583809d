"""MobileNetV2's embedding network written as an ONNX graph from its weights, with the `onnx` package only.

Why: the synthesis signal runs its backbone with onnxruntime (a core dependency) and must not need torch
or redistribute weights. This module turns torchvision's MobileNetV2 state dict (read by `weights.py`)
into the same network as an ONNX graph: each BatchNorm is folded into the convolution before it, ReLU6 is
a Clip, and the graph ends at the 1280-d global average pool (the penultimate layer; no classifier).
ImageNet normalisation is inside the graph, so its input is RGB in the 0-255 range, NCHW, 224 x 224.

The architecture follows torchvision's `mobilenet_v2` (Sandler et al., "MobileNetV2: Inverted Residuals
and Linear Bottlenecks", CVPR 2018): a 3x3 stem, 17 inverted-residual blocks in 7 stages, a 1x1 conv to
1280 channels. The output matches a torch export of the same weights to within 2e-6 (measured when the
signal was built). The graph is deterministic: the same weights give the same bytes, which is what lets
`backbone.py` check the built file against a known sha256.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

# (expansion t, output channels c, repeats n, first stride s) per stage, from the paper's Table 2.
STAGES = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
INPUT_SIDE = 224
EMBEDDING_DIM = 1280
INPUT_NAME = "rgb"
OUTPUT_NAME = "embedding"
OPSET = 17
IR_VERSION = 8
BN_EPS = 1e-5

Array = npt.NDArray[Any]


class _Graph:
    """Nodes and initialisers as they are added, with unique names."""

    def __init__(self, state: dict[str, Array]) -> None:
        from onnx import helper, numpy_helper

        self._helper, self._numpy_helper = helper, numpy_helper
        self.state = state
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def name(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}_{self._count}"

    def const(self, array: Array, prefix: str) -> str:
        name = self.name(prefix)
        self.initializers.append(self._numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op: str, inputs: list[str], prefix: str, **attrs: Any) -> str:
        out = self.name(prefix)
        self.nodes.append(self._helper.make_node(op, inputs, [out], **attrs))
        return out

    def conv_bn(self, x: str, conv: str, bn: str, stride: int, groups: int, relu6: bool) -> str:
        """Conv (no bias) followed by BatchNorm, folded into one Conv; then ReLU6 when asked."""
        w = self.state[f"{conv}.weight"].astype(np.float32)
        gamma, beta = self.state[f"{bn}.weight"], self.state[f"{bn}.bias"]
        mean, var = self.state[f"{bn}.running_mean"], self.state[f"{bn}.running_var"]
        scale = gamma / np.sqrt(var + np.float32(BN_EPS))
        folded_w = (w.astype(np.float64) * scale[:, None, None, None]).astype(np.float32)
        folded_b = (beta - mean * scale).astype(np.float32)
        k = w.shape[-1]
        y = self.node(
            "Conv",
            [x, self.const(folded_w, "W"), self.const(folded_b, "B")],
            "conv",
            strides=[stride, stride],
            pads=[(k - 1) // 2] * 4,
            group=groups,
        )
        if not relu6:
            return y
        lo, hi = self.const(np.array(0, np.float32), "lo"), self.const(np.array(6, np.float32), "hi")
        return self.node("Clip", [y, lo, hi], "relu6")


def build_mobilenet_v2(state: dict[str, Array]) -> bytes:
    """The serialised ONNX model of MobileNetV2's embedding network. Raises KeyError when `state` lacks
    a weight the architecture needs, and onnx's own errors when the graph does not check."""
    import onnx
    from onnx import TensorProto, helper

    g = _Graph(state)
    mean = (np.array(IMAGENET_MEAN, np.float32) * 255).reshape(1, 3, 1, 1)
    std = (np.array(IMAGENET_STD, np.float32) * 255).reshape(1, 3, 1, 1)
    x = g.node("Sub", [INPUT_NAME, g.const(mean, "mean")], "sub")
    x = g.node("Div", [x, g.const(std, "std")], "norm")
    x = g.conv_bn(x, "features.0.0", "features.0.1", 2, 1, True)
    index, channels = 1, 32
    for t, c, n, s in STAGES:
        for i in range(n):
            stride = s if i == 0 else 1
            prefix = f"features.{index}.conv"
            block_in, hidden = x, channels * t
            j = 0
            if t != 1:  # 1x1 expansion
                x = g.conv_bn(x, f"{prefix}.0.0", f"{prefix}.0.1", 1, 1, True)
                j = 1
            x = g.conv_bn(x, f"{prefix}.{j}.0", f"{prefix}.{j}.1", stride, hidden, True)  # depthwise 3x3
            x = g.conv_bn(x, f"{prefix}.{j + 1}", f"{prefix}.{j + 2}", 1, 1, False)  # linear projection
            if stride == 1 and channels == c:
                x = g.node("Add", [block_in, x], "add")
            channels = c
            index += 1
    x = g.conv_bn(x, "features.18.0", "features.18.1", 1, 1, True)
    pooled = g.node("GlobalAveragePool", [x], "gap")
    g.nodes.append(helper.make_node("Flatten", [pooled], [OUTPUT_NAME], axis=1))
    graph = helper.make_graph(
        g.nodes,
        "mobilenetv2_embedding",
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ["n", 3, INPUT_SIDE, INPUT_SIDE])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["n", EMBEDDING_DIM])],
        initializer=g.initializers,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="vidsleuth"
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    data: bytes = model.SerializeToString()
    return data
