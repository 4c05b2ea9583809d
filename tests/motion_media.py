"""Test videos for the `motion` signal, each a function whose docstring is its ground truth.

A large procedural canvas (value noise at three scales, so optical flow has texture everywhere) is
filmed by a virtual camera: a crop window that moves over it. Frames get mild Gaussian grain (sigma 2
grey levels) so that they look like a camera's, and are encoded with libx264 at CRF 18.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt

Path2 = Callable[[float, int], tuple[float, float]]


def canvas(seed: int, h: int, w: int) -> npt.NDArray[np.float32]:
    rng = np.random.default_rng(seed)
    img = np.zeros((h, w), np.float32)
    for scale in (4, 16, 64):
        small = rng.uniform(0, 1, (h // scale + 2, w // scale + 2)).astype(np.float32)
        big = cv2.resize(small, (w + 2 * scale, h + 2 * scale), interpolation=cv2.INTER_CUBIC)
        img += big[:h, :w] * (80 / scale**0.3)
    out: npt.NDArray[np.float32] = (img - img.min()) / (img.max() - img.min()) * 200 + 25
    return out


def film(
    path: str | os.PathLike[str],
    camera: Path2,
    *,
    seconds: float = 5.0,
    fps: int = 24,
    size: tuple[int, int] = (320, 180),
    seed: int = 1,
    cut_at_s: float | None = None,
    blob: bool = False,
) -> Path:
    """Film `camera(t, i) -> (x, y)` (top-left of the window on the canvas, in pixels)."""
    w, h = size
    scenes = [canvas(seed, h + 220, w + 700), canvas(seed + 50, h + 220, w + 700)]
    rng = np.random.default_rng(seed + 1)
    container: Any = av.open(str(path), "w")
    stream = container.add_stream("libx264", rate=fps)
    stream.width, stream.height = w, h
    stream.pix_fmt = "yuv420p"
    stream.options = {"crf": "18", "preset": "veryfast"}
    yy, xx = np.mgrid[0:h, 0:w]
    for i in range(round(seconds * fps)):
        t = i / fps
        x, y = camera(t, i)
        scene = scenes[1] if cut_at_s is not None and t >= cut_at_s else scenes[0]
        m = np.array([[1, 0, -x], [0, 1, -y]], dtype=np.float32)
        frame = cv2.warpAffine(scene, m, (w, h), flags=cv2.INTER_LINEAR)
        if blob:  # a subject crossing a still scene
            cx, cy = w * (0.2 + 0.6 * t / seconds), h * 0.5
            frame[(xx - cx) ** 2 + (yy - cy) ** 2 < (h / 6) ** 2] = 230
        frame = np.clip(frame + rng.normal(0, 2, frame.shape), 0, 255).astype(np.uint8)
        vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(np.dstack([frame] * 3)), format="rgb24")
        vf.pts = i
        for packet in stream.encode(vf):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return Path(path)


def linear_pan(path: str | os.PathLike[str], **kw: Any) -> Path:
    """A perfectly linear pan: 60 px/s to the right, no vertical motion, no shake ("too perfect")."""
    return film(path, lambda t, i: (40 + 60 * t, 100.0), **kw)


def handheld_tracking(path: str | os.PathLike[str], **kw: Any) -> Path:
    """The same 60 px/s tracking shot with hand-held shake: sines at 1.8, 3.3 Hz (x) and 0.9, 2.2 Hz (y),
    amplitudes 2-4 px, plus a random walk (sigma 0.6 px per frame, seed 7)."""
    walk = np.cumsum(np.random.default_rng(7).normal(0, 0.6, (2000, 2)), axis=0)

    def camera(t: float, i: int) -> tuple[float, float]:
        x = 40 + 60 * t + 4 * np.sin(2 * np.pi * 1.8 * t) + 2.5 * np.sin(2 * np.pi * 3.3 * t + 1) + walk[i, 0]
        y = 100 + 3 * np.sin(2 * np.pi * 2.2 * t + 0.5) + 2 * np.sin(2 * np.pi * 0.9 * t) + walk[i, 1]
        return float(x), float(y)

    return film(path, camera, **kw)


def static_with_subject(path: str | os.PathLike[str], **kw: Any) -> Path:
    """A locked-off camera (tripod): nothing moves but a bright disc crossing the frame."""
    return film(path, lambda t, i: (100.0, 100.0), blob=True, **kw)


def pan_with_cut(path: str | os.PathLike[str], **kw: Any) -> Path:
    """The linear pan, with a hard cut to a different canvas at 2.5 s."""
    return film(path, lambda t, i: (40 + 60 * t, 100.0), cut_at_s=2.5, **kw)
