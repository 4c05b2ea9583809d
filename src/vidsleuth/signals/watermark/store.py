"""The sampled frames kept for the checks that run once the whole video has been seen.

Whether a mark is at one of its places in a given frame is decided at the end, when every place the mark
was read at is known (`presence`): a jumping mark is read at its places one after the other, and a check
of a frame seen early needs the places found later. So the signal keeps its sampled gray frames, at the
source's full resolution whenever they fit in `BUDGET_BYTES` (a 480x872 feed clip: 60 s; 720x1280: 27 s;
1920x1080: 12 s). Otherwise they are kept at 1/2, 1/3, ... of the source, the largest whole fraction that
fits the video's expected length and is still larger than the finder's analysis frame, or else as the
analysis frame itself (a 1080p mark is then as large as a 360p video's). Whole fractions and the analysis
frame keep this cheap: OpenCV's area resize has a fast path for them (0.3 ms a 1080p frame against 3.7 ms
for 0.46, measured here), and the analysis frame costs nothing more (issue #12's bench: the store's resize
was a third of the signal's added CPU). When more frames arrive than expected (no duration in the
container), every other frame is dropped, halving the time resolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from vidsleuth.signals.watermark.regions import Box, Gray

# Memory for the kept frames, in bytes (one byte per gray pixel).
BUDGET_BYTES = 64 << 20
# A video without a known duration is assumed this long when the scale is chosen.
ASSUMED_S = 120.0
# Fractions of the source tried before falling back to the analysis frame (1/2, 1/3, ...).
MAX_FRACTION = 4


@dataclass(frozen=True, slots=True)
class Stored:
    time_s: float
    pixels: Gray  # gray, at `FrameStore.scale` of the source


class FrameStore:
    """Gray frames at (up to) full resolution, within a memory budget."""

    def __init__(
        self,
        source_size: tuple[int, int],
        duration_s: float | None,
        fps: float,
        analysis_size: tuple[int, int] | None = None,
    ) -> None:
        w, h = source_size
        aw, ah = analysis_size or source_size
        expected = max(1, math.ceil(fps * (duration_s if duration_s and duration_s > 0 else ASSUMED_S)) + 2)
        self.source_size = source_size
        self.size = (w, h)
        for k in range(1, MAX_FRACTION + 1):
            size = (w // k, h // k)
            if k > 1 and (w % k or h % k or size[0] <= aw):
                continue  # not a whole fraction, or no larger than the analysis frame
            if expected * size[0] * size[1] <= BUDGET_BYTES:
                self.size = size
                break
        else:
            self.size = (aw, ah)
        self.scale = self.size[0] / w
        self.frames: list[Stored] = []
        self._bytes = 0
        self._stride = 1
        self._seen = 0

    def add(self, time_s: float, full: Gray, analysis: Gray | None = None) -> None:
        """Keep one sampled gray frame: `full` at the source size, `analysis` (optional) the finder's
        downscaled copy, used as it is when the store keeps frames at that size."""
        self._seen += 1
        if (self._seen - 1) % self._stride:
            return
        if (full.shape[1], full.shape[0]) != self.source_size:
            return  # a stream that changed size mid-way: its odd frames are not comparable
        if self.size == self.source_size:
            px = full
        elif analysis is not None and (analysis.shape[1], analysis.shape[0]) == self.size:
            px = analysis
        else:
            px = _resize(full, self.size)
        self.frames.append(Stored(time_s, np.ascontiguousarray(px)))
        self._bytes += px.size
        if self._bytes > BUDGET_BYTES and len(self.frames) > 2:
            self.frames = self.frames[::2]
            self._bytes = sum(f.pixels.size for f in self.frames)
            self._stride *= 2

    def crop(self, frame: Stored, box: Box, pad_x: int = 0, pad_y: int | None = None) -> Gray:
        """The part of `frame` (store pixels) under `box` (source pixels), grown by `pad_x` source pixels
        left and right and `pad_y` (default: `pad_x`) above and below, clipped to the frame."""
        pad_y = pad_x if pad_y is None else pad_y
        x, y, w, h = box
        sw, sh = self.source_size
        x0, y0 = max(0, x - pad_x), max(0, y - pad_y)
        x1, y1 = min(sw, x + w + pad_x), min(sh, y + h + pad_y)
        fx, fy = self.size[0] / sw, self.size[1] / sh
        r0, c0 = round(y0 * fy), round(x0 * fx)
        return frame.pixels[r0 : max(r0 + 1, round(y1 * fy)), c0 : max(c0 + 1, round(x1 * fx))]

    def between(self, start_s: float, end_s: float) -> list[Stored]:
        return [f for f in self.frames if start_s <= f.time_s <= end_s]


def _resize(gray: Gray, size: tuple[int, int]) -> Gray:
    return np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
