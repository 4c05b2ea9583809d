"""Collect the planned samples as the shared decode streams past, and measure each window when it is full.

A window keeps its samples' backbone inputs (224 x 224 RGB, 150 kB each) only until it is complete; it is
then embedded in one batch, split at cuts, and reduced to its segments' measurements. So at most one
window's pixels (16 samples, 2.4 MB) are held at a time, whatever the video's length.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vidsleuth.signals.synthesis import cuts, stillness
from vidsleuth.signals.synthesis.features import SegmentMeasures, measure
from vidsleuth.signals.synthesis.windows import Window, thumb, to_input

Pixels = npt.NDArray[np.uint8]
Embed = Callable[[Pixels], npt.NDArray[np.float32]]


@dataclass(frozen=True, slots=True)
class Segment:
    window: int
    start_s: float
    end_s: float
    measures: SegmentMeasures
    still_share: float | None


class Collector:
    """Samples the planned frames, in windows; `segments` holds what was measured so far."""

    def __init__(self, windows: list[list[int]], embed: Embed) -> None:
        self._embed = embed
        self._wanted: dict[int, int] = {i: w for w, idx in enumerate(windows) for i in idx}
        self._last = {w: idx[-1] for w, idx in enumerate(windows) if idx}
        self._open: dict[int, Window] = {}
        self.segments: list[Segment] = []
        self.samples = 0
        self.repeats = 0
        self.cuts = 0

    def wants(self, index: int) -> bool:
        return index in self._wanted

    @property
    def done(self) -> bool:
        """Every planned window has been measured."""
        return not self._last and not self._open

    def add(self, index: int, time_s: float, pixels: Pixels) -> None:
        w = self._wanted.get(index)
        if w is None:
            return
        window = self._open.setdefault(w, Window.empty(w))
        crop = to_input(pixels)
        small = thumb(crop)
        if window.thumbs and cuts.is_repeat(small, window.thumbs[-1]):
            window.repeats += 1
        else:
            window.crops.append(crop)
            window.thumbs.append(small)
            window.frame_index.append(index)
            window.time_s.append(time_s)
        if self._last.get(w) == index:
            self._close(w)

    def finish(self) -> None:
        """Measure the windows the decode left incomplete (a stream shorter than declared)."""
        for w in sorted(self._open):
            self._close(w)
        self._last.clear()

    def _close(self, w: int) -> None:
        window = self._open.pop(w, None)
        self._last.pop(w, None)
        if window is None:
            return
        self.repeats += window.repeats
        n = len(window.crops)
        if n < 2:
            return
        z = self._embed(np.stack(window.crops))
        self.samples += n
        jumps = cuts.picture_jumps(window.crops, window.thumbs) | cuts.path_jumps(z)
        self.cuts += int(jumps.sum())
        for a, b in cuts.segments(jumps, n):
            measures = measure(z[a:b])
            if measures is None:
                continue
            self.segments.append(
                Segment(
                    window=w,
                    start_s=window.time_s[a],
                    end_s=window.time_s[b - 1],
                    measures=measures,
                    still_share=stillness.still_share(window.thumbs[a:b]),
                )
            )
