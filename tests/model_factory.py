"""Tiny ONNX classifiers and their model cards, written with the `onnx` package (no torch), for the
models signal's tests.

`write_model(dst, kind)` writes a few hundred bytes of ONNX: the mean colour of the input (over the
pixels, and over the frames of a clip) goes through a fixed linear map to two logits ("real", "ai"), the
"ai" logit growing with mean red minus mean blue. So a red video scores "ai" and a blue one "real", and a
test can steer the output with colour. The card beside it (TOML by default) describes it exactly.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np


def model_bytes(kind: str = "image", size: int = 32, frames: int = 4, bias_ai: float = 0.0) -> bytes:
    import onnx
    from onnx import TensorProto, helper

    if kind == "image":
        shape: list[Any] = ["n", 3, size, size]
        axes = [2, 3]
    else:
        shape = ["n", frames, 3, size, size]
        axes = [1, 3, 4]
    w = np.array([[0.0, 0.0, 0.0], [4.0, 0.0, -4.0]], np.float32)
    b = np.array([0.0, bias_ai], np.float32)
    nodes = [
        helper.make_node("ReduceMean", ["x", "axes"], ["m"], keepdims=0),
        helper.make_node("Gemm", ["m", "W", "B"], ["logits"], transB=1),
    ]
    graph = helper.make_graph(
        nodes,
        f"tiny_{kind}_classifier",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["n", 2])],
        initializer=[
            helper.make_tensor("axes", TensorProto.INT64, [len(axes)], axes),
            helper.make_tensor("W", TensorProto.FLOAT, list(w.shape), w.ravel().tolist()),
            helper.make_tensor("B", TensorProto.FLOAT, list(b.shape), b.tolist()),
        ],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="vidsleuth-tests"
    )
    model.ir_version = 9
    onnx.checker.check_model(model)
    data: bytes = model.SerializeToString()
    return data


def card(
    name: str, file: str, sha256: str, kind: str = "image", size: int = 32, frames: int = 4, **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "model": {"name": name, "file": file, "sha256": sha256, "kind": kind},
        "input": {
            "size": [size, size],
            "resize": "stretch",
            "scale": 255.0,
            "mean": [0.5, 0.5, 0.5],
            "std": [0.5, 0.5, 0.5],
            "fps": 8.0,
        },
        "output": {"kind": "logits", "labels": ["real", "ai"], "positive": "ai"},
        "training": {"data": "none: a fixed linear map on mean colour, made by the tests"},
        "validation": {"auc": 0.95, "on": "nothing (test fixture)", "date": "2026-12-05"},
        "decision": {"threshold": 0.8, "false_positive_rate": 0.01},
    }
    if kind == "clip":
        out["input"]["frames_per_clip"] = frames
    for section, values in extra.items():
        if values is None:
            out.pop(section, None)
        else:
            out.setdefault(section, {}).update(values)
    return out


def _toml_value(v: Any) -> str:
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def to_toml(d: dict[str, Any]) -> str:
    lines: list[str] = []
    for section, values in d.items():
        lines.append(f"[{section}]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in values.items())
        lines.append("")
    return "\n".join(lines)


def write_model(
    dst: Path,
    kind: str = "image",
    *,
    size: int = 32,
    frames: int = 4,
    name: str | None = None,
    fmt: str = "toml",
    **card_changes: Any,
) -> Path:
    """Write `dst` (.onnx) and its card (`fmt`: toml or json); card_changes update card sections
    (a section given as None is left out)."""
    data = model_bytes(kind, size, frames)
    dst.write_bytes(data)
    c = card(
        name or f"tiny-{kind}", dst.name, hashlib.sha256(data).hexdigest(), kind, size, frames, **card_changes
    )
    text = to_toml(c) if fmt == "toml" else json.dumps(c, indent=1)
    dst.with_suffix(f".{fmt}").write_text(text, encoding="utf-8")
    return dst
