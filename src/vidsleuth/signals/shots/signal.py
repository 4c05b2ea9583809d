"""The shots signal: where the cuts are, how long each continuous shot lasts, and whether the shots fit
what video generators make in one go.

Why it exists: a video generator makes one clip of bounded length per generation (Veo 8 s, Kling 10 s,
Sora 2 up to 15 s; `vidsleuth.data.generators` keeps the numbers). The viral AI video of the seed case
was a 4 s
clip and a 10 s clip stitched together. Shot lengths are therefore evidence, but weak and easy to
over-read: every edited video has short shots, and Sora 2 cuts *inside* one generation. The findings keep
four statements apart (docs/signals/shots.md explains each and its strength):

- `shots.long_continuous_shot`: one shot longer than any catalogued generator makes in one generation;
  refutes ai_generated, moderately (a vendor's own "extend" feature can still make it).
- `shots.fits_one_generation`: several shots that together fit one generation of a generator that cuts
  inside its output; informational, it is not evidence of stitching.
- `shots.exceeds_one_generation`: shots that each fit one generation but together exceed one generation of
  any catalogued generator; supports edited (joined from several pieces).
- `shots.generator_length_clips`: several shots of the length generated clips have; informational (it
  was as common on camera footage as on generated video in the corpus).

Cut detection lives in `vidsleuth.signals.shots.cuts`; this module streams frames into it, picks a
keyframe per
shot while the frames go by (it never holds a decoded frame), and turns the shots into findings.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from typing import TYPE_CHECKING

import numpy as np

from vidsleuth.core.result import SignalResult
from vidsleuth.core.signal import AnalysisContext, FrameSample, FrameSignal, Sampling
from vidsleuth.data import generators as catalog
from vidsleuth.signals.shots import cuts
from vidsleuth.signals.shots.findings import build_shots, shot_findings
from vidsleuth.signals.shots.keyframes import Keyframes
from vidsleuth.signals.shots.metrics import Fade, Series, ShotsMetrics
from vidsleuth.signals.shots.options import ShotsOptions

if TYPE_CHECKING:
    from vidsleuth.core.panel import Panel

# The score series in the metrics is cut down to this many points (a bin keeps its largest value).
SCORE_SERIES_POINTS = 600


def _score_series(m: cuts.Measurements, points: int = SCORE_SERIES_POINTS) -> Series:
    """The frame-difference series, cut down to `points` bins that each keep their largest value (so a cut
    stays visible on the timeline)."""
    n = len(m)
    if n <= points:
        idx = np.arange(n)
    else:
        edges = np.linspace(0, n, points + 1).astype(int)
        idx = np.array([a + int(np.argmax(m.diff[a:b])) for a, b in itertools.pairwise(edges)])
    return Series(
        time_s=tuple(round(float(t), 3) for t in m.time_s[idx]),
        score=tuple(round(float(s), 2) for s in m.diff[idx]),
    )


class ShotsSignal(FrameSignal):
    NAME = "shots"
    VERSION = "1.1.0"
    DESCRIPTION = "Cuts and fades; how long each shot lasts; whether the shots fit generators' clip lengths."
    OPTIONS = ShotsOptions
    METRICS = ShotsMetrics

    def __init__(self) -> None:
        self._params = cuts.DetectorParams()
        self._measurer = cuts.FrameMeasurer(self._params)
        self._keyframes: Keyframes | None = None
        self._sampling = Sampling(fps=None, max_side=cuts.MEASURE_SIDE, pixel_format="rgb24")

    @classmethod
    def panel(cls) -> Panel:
        from vidsleuth.signals.shots.panel import ShotsPanel

        return ShotsPanel()

    def sampling(self, ctx: AnalysisContext) -> Sampling:
        return self._sampling

    def start(self, ctx: AnalysisContext) -> None:
        opts = ShotsOptions.of(ctx.settings, self.NAME)
        self._params = cuts.DetectorParams(
            min_diff=opts.min_diff,
            min_changed=opts.min_changed,
            contrast=opts.contrast,
            min_shot_s=opts.min_shot_s,
        )
        self._measurer = cuts.FrameMeasurer(self._params)
        if ctx.settings.thumbnails:
            video = ctx.media.video
            fps = video.frame_rate if video is not None and video.frame_rate else 30.0
            self._keyframes = Keyframes(fps, video.frame_count if video is not None else None)

    def process_frame(self, frame: FrameSample) -> None:
        if frame.pixels is None:
            raise ValueError("the shots signal needs pixels; the decoder sent none")
        measurer = self._measurer
        was_black, previous_luma = measurer.last_black, measurer.last_luma
        diff = measurer.add(frame.time_s, frame.pixels)
        if self._keyframes is not None:
            candidate = diff >= self._params.min_diff and measurer.last_changed >= self._params.min_changed
            brighter = measurer.last_luma > previous_luma + 0.5
            self._keyframes.step(frame, candidate, measurer.last_black, was_black, brighter)

    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        m = self._measurer.measurements()
        # Presentation times should rise; a broken stream can step back. Shots are measured on the
        # running maximum so that no duration comes out negative.
        m = dataclasses.replace(m, time_s=np.maximum.accumulate(m.time_s))
        if len(m) < 2:
            return SignalResult.not_applicable(
                self.NAME, self.VERSION, "only one frame was decoded: a still picture has no shots"
            )
        interval = float(np.median(np.diff(m.time_s)))
        end_s = float(m.time_s[-1]) + interval
        detection = cuts.detect(m, self._params)
        shots = build_shots(m, detection, end_s)
        complete = ctx.decode.complete if ctx.decode is not None else True
        evidence = shot_findings(shots, catalog.generators(), complete=complete)
        thumbnails = self._keyframes.for_shots(shots) if self._keyframes is not None else []
        metrics = ShotsMetrics(
            shots=tuple(s.row() for s in shots),
            cuts_s=tuple(round(t.time_s, 3) for t in detection.transitions if t.kind == "cut"),
            fades=tuple(Fade(f.kind, round(f.start_s, 3), round(f.end_s, 3)) for f in detection.fades),
            flashes_s=tuple(round(t, 3) for t in detection.rejected_flashes),
            score_series=_score_series(m),
            threshold=self._params.min_diff,
            detector={
                "name": "vidsleuth.cuts",
                **self._params.to_dict(),
                "lags": cuts.LAGS,
                "changed_level": cuts.CHANGED_LEVEL,
                "black_mean": cuts.BLACK_MEAN,
                "shift_search_fraction": cuts.SHIFT_SEARCH_FRACTION,
            },
            sampling={
                "fps": self._sampling.fps,
                "max_side": self._sampling.max_side,
                "pixel_format": self._sampling.pixel_format,
            },
            frames=len(m),
            frame_interval_s=round(interval, 6) if math.isfinite(interval) else None,
        )
        return SignalResult.ok(self.NAME, self.VERSION, evidence, metrics, thumbnails)
