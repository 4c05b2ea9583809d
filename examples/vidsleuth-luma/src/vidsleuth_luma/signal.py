"""The luma signal: mean brightness of sampled frames, and how much of the video is near black.

An example of a third-party signal, not evidence of anything by itself: its one finding is
informational. It shows the whole contract: a frame signal with a sampling request, typed options and
metrics, a report panel, and one registration line (the entry point in pyproject.toml).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from vidsleuth.core.evidence import Evidence, Hypothesis
from vidsleuth.core.result import SignalResult
from vidsleuth.core.signal import AnalysisContext, FrameSample, FrameSignal, Sampling
from vidsleuth_luma.metrics import LumaMetrics
from vidsleuth_luma.options import LumaOptions

if TYPE_CHECKING:
    from vidsleuth.core.panel import Panel


class LumaSignal(FrameSignal):
    NAME: ClassVar[str] = "luma"
    VERSION: ClassVar[str] = "0.1.0"
    DESCRIPTION: ClassVar[str] = "Example plugin: mean brightness over time and the share of black frames"
    OPTIONS = LumaOptions
    METRICS = LumaMetrics

    def __init__(self) -> None:
        self._options = LumaOptions()
        self._times: list[float] = []
        self._values: list[float] = []

    @classmethod
    def panel(cls) -> Panel:
        from vidsleuth_luma.panel import LumaPanel

        return LumaPanel()

    def sampling(self, ctx: AnalysisContext) -> Sampling:
        return Sampling(fps=LumaOptions.of(ctx.settings, self.NAME).fps, max_side=64, pixel_format="gray")

    def start(self, ctx: AnalysisContext) -> None:
        self._options = LumaOptions.of(ctx.settings, self.NAME)

    def process_frame(self, frame: FrameSample) -> None:
        if frame.pixels is not None and frame.pixels.size:
            self._times.append(round(frame.time_s, 3))
            self._values.append(round(float(np.mean(frame.pixels)), 2))

    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        if not self._values:
            return SignalResult.not_applicable(self.NAME, self.VERSION, "no frame was sampled")
        level = self._options.black_level
        share = sum(v < level for v in self._values) / len(self._values)
        finding = Evidence.info(
            "luma.black_share",
            Hypothesis.EDITED,
            f"{share:.0%} of {len(self._values)} sampled frames are near black "
            f"(mean grey level below {level:g}).",
            data={"black_share": round(share, 4)},
        )
        metrics = LumaMetrics(tuple(self._times), tuple(self._values), round(share, 4), level)
        return SignalResult.ok(self.NAME, self.VERSION, [finding], metrics)
