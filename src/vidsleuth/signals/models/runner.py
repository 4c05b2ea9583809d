"""Run a user's ONNX classifier as its card prescribes: check the file, check its shapes, feed it frames.

`open_model` is called once per run when the options are checked (a bad model is exit 2 before any video
is analysed) and caches one onnxruntime session per (file, sha256) for the process. The file's sha256 must
be the card's: a card describes one exact file, so a retrained or swapped model needs its own card.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from vidsleuth.core.errors import ConfigError
from vidsleuth.signals.models.card import ModelCard

MAX_MODEL_BYTES = 2 * 1024**3
Pixels = npt.NDArray[np.uint8]
Floats = npt.NDArray[np.float64]


def file_sha256(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_MODEL_BYTES:
            raise ConfigError(f"model {path}: larger than {MAX_MODEL_BYTES // 1024**3} GiB")
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError as exc:
        raise ConfigError(f"model {path}: cannot be read ({exc.strerror or exc})") from None


@dataclass(frozen=True, slots=True)
class LoadedModel:
    card: ModelCard
    session: Any  # onnxruntime.InferenceSession
    input_name: str
    lock: threading.Lock

    def prepare(self, rgb: Pixels) -> Pixels:
        """One frame (H x W x 3 uint8 RGB) resized to the card's input size, as the card says."""
        c = self.card
        h, w = rgb.shape[:2]
        if c.resize == "stretch":
            inter = cv2.INTER_AREA if w * h > c.width * c.height else cv2.INTER_LINEAR
            return np.asarray(cv2.resize(rgb, (c.width, c.height), interpolation=inter), dtype=np.uint8)
        scale = max(c.height / h, c.width / w)
        nh, nw = max(c.height, round(h * scale)), max(c.width, round(w * scale))
        inter = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        resized = cv2.resize(rgb, (nw, nh), interpolation=inter)
        y, x = (nh - c.height) // 2, (nw - c.width) // 2
        crop: Pixels = np.ascontiguousarray(resized[y : y + c.height, x : x + c.width])
        return crop

    def probabilities(self, frames: Pixels) -> Floats:
        """P(positive label) per frame (image models) or per clip of frames_per_clip frames (clip models).
        `frames` are already prepared (n x H x W x 3)."""
        c = self.card
        scaled = frames.astype(np.float32) * np.float32(1.0 / c.scale)
        normalised = (scaled - np.array(c.mean, np.float32)) * (1.0 / np.array(c.std, np.float32))
        x: npt.NDArray[np.float32] = np.ascontiguousarray(normalised.transpose(0, 3, 1, 2), dtype=np.float32)
        if c.kind == "clip":
            t = c.frames_per_clip
            n = len(x) // t
            if n == 0:
                return np.zeros(0)
            x = x[: n * t].reshape(n, t, *x.shape[1:])
        if len(x) == 0:
            return np.zeros(0)
        with self.lock:
            out = np.asarray(self.session.run(None, {self.input_name: x})[0], dtype=np.float64)
        if out.ndim != 2 or out.shape[1] != len(c.labels):
            raise ValueError(
                f"model {c.name!r} gave output of shape {out.shape}, expected (n, {len(c.labels)})"
            )
        if c.output_kind == "logits":
            out = np.exp(out - out.max(axis=1, keepdims=True))
            out /= out.sum(axis=1, keepdims=True)
        p: Floats = np.clip(out[:, c.positive_index], 0.0, 1.0)
        return p


def _dims(shape: Any) -> list[Any]:
    return list(shape) if isinstance(shape, list | tuple) else []


@functools.cache
def _session(path: str, sha256: str) -> tuple[Any, str]:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime's errors are plain RuntimeErrors (or its own types)
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"model {path}: onnxruntime cannot load it ({first})") from None
    return session, session.get_inputs()[0].name


def open_model(card: ModelCard) -> LoadedModel:
    """The checked, loaded model of `card`. Raises a one-line ConfigError when the file is not the one the
    card describes or its inputs and outputs do not match the card."""
    path = card.model_file
    if not path.is_file():
        raise ConfigError(f"model {path}: no such file")
    got = file_sha256(path)
    if got != card.sha256:
        raise ConfigError(
            f"model {path}: sha256 {got[:12]}… differs from its card's {card.sha256[:12]}… "
            f"({card.path.name} describes another file)"
        )
    session, input_name = _session(str(path), got)
    inputs, outputs = session.get_inputs(), session.get_outputs()
    rank = 4 if card.kind == "image" else 5
    dims = _dims(inputs[0].shape)
    if len(inputs) != 1 or len(dims) != rank:
        raise ConfigError(
            f"model {path}: a {card.kind} model takes one input of rank {rank} "
            f"({'N x 3 x H x W' if rank == 4 else 'N x T x 3 x H x W'}); this one takes {inputs[0].shape}"
        )
    if inputs[0].type != "tensor(float)":
        raise ConfigError(
            f"model {path}: its input is {inputs[0].type}; vidsleuth feeds float32 (tensor(float))"
        )
    expected = (
        [3, card.height, card.width] if rank == 4 else [card.frames_per_clip, 3, card.height, card.width]
    )
    for got_dim, want in zip(dims[1:], expected, strict=True):
        if isinstance(got_dim, int) and got_dim != want:
            raise ConfigError(
                f"model {path}: input shape {inputs[0].shape} does not match the card (expects "
                f"{['N', *expected]})"
            )
    out_dims = _dims(outputs[0].shape)
    if len(out_dims) != 2 or (isinstance(out_dims[1], int) and out_dims[1] != len(card.labels)):
        raise ConfigError(
            f"model {path}: its first output has shape {outputs[0].shape}; the card names "
            f"{len(card.labels)} labels, so it should be N x {len(card.labels)}"
        )
    return LoadedModel(card, session, input_name, threading.Lock())
