"""Which frames the synthesis signal looks at: windows of consecutive samples, about 8 per second.

The sampling the head was validated with (docs/signals/synthesis.md, "Sampling"):

- one sample every ``stride = max(1, round(fps / 8))`` decoded frames, so samples are uniform in frame
  index (no 3-or-4-frame jitter from rounding times) and about 8 per second at any native rate (7.5 at 30
  fps, 8 at 24, 8.3 at 25). Never faster than the source: an 8 fps generator output gets stride 1. Many
  generators deliver 8 fps; sampling faster would repeat frames and fake a smooth path;
- windows of 16 samples (about 2 s), at most 6 per video (96 samples), spread evenly over the frames the
  container declares; a clip shorter than one window is one window of what there is.

Windows that straddle a hard cut are split at it (`cuts.py`); a sample identical to the one before (a
frame the source repeated) is left out, since a repeated frame is no step of the path.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from vidsleuth.signals.synthesis.network import INPUT_SIDE

SAMPLES_PER_SECOND = 8.0
WINDOW = 16
MAX_WINDOWS = 6
THUMB_SIDE = 64  # grey thumbnails for the repeat, cut and stillness tests

Pixels = npt.NDArray[np.uint8]
Grey = npt.NDArray[np.float32]


def stride_for(fps: float | None) -> int:
    """Decoded frames between samples: about SAMPLES_PER_SECOND per second, never more than the source."""
    if fps is None or not fps > 0:
        return 1
    return max(1, round(fps / SAMPLES_PER_SECOND))


def plan(n_frames: int, stride: int, window: int = WINDOW, max_windows: int = MAX_WINDOWS) -> list[list[int]]:
    """Frame indices of each window: up to `max_windows` non-overlapping windows of `window` samples,
    spread evenly over `n_frames`; a clip shorter than one window gets one window of what it has."""
    if n_frames <= 0 or stride <= 0 or window <= 0 or max_windows <= 0:
        return []
    span = (window - 1) * stride + 1
    if n_frames < span:
        return [list(range(0, n_frames, stride))]
    fit = (n_frames - span) // span + 1
    k = min(fit, max_windows)
    starts = np.linspace(0, n_frames - span, k).round().astype(int).tolist() if k > 1 else [0]
    return [[int(s) + i * stride for i in range(window)] for s in starts]


def to_input(rgb: Pixels) -> Pixels:
    """The backbone's input: shorter side scaled to 224 (area filter when shrinking), centre crop."""
    h, w = rgb.shape[:2]
    scale = INPUT_SIDE / min(h, w)
    nh, nw = max(INPUT_SIDE, round(h * scale)), max(INPUT_SIDE, round(w * scale))
    if (nh, nw) != (h, w):
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        rgb = np.asarray(cv2.resize(rgb, (nw, nh), interpolation=interpolation), dtype=np.uint8)
    y, x = (nh - INPUT_SIDE) // 2, (nw - INPUT_SIDE) // 2
    crop: Pixels = np.ascontiguousarray(rgb[y : y + INPUT_SIDE, x : x + INPUT_SIDE])
    return crop


def thumb(crop: Pixels) -> Grey:
    """A 64 x 64 grey thumbnail (0-255) of the backbone's input, for the repeat, cut and stillness tests."""
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    small = cv2.resize(grey, (THUMB_SIDE, THUMB_SIDE), interpolation=cv2.INTER_AREA)
    out: Grey = small.astype(np.float32)
    return out


@dataclass(slots=True)
class Window:
    """One window's samples as they arrive: the backbone inputs, their thumbnails, indexes and times."""

    number: int
    crops: list[Pixels]
    thumbs: list[Grey]
    frame_index: list[int]
    time_s: list[float]
    repeats: int = 0  # samples left out as repeats of the one before

    @classmethod
    def empty(cls, number: int) -> Window:
        return cls(number, [], [], [], [])
