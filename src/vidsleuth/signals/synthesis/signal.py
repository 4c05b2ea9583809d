"""Signal `synthesis`: does the content itself move like generated video, when every label is gone?

Issue #14: when a generator's labels are stripped (manifest lost, mark cropped), nothing else in vidsleuth
looks at the pictures. This signal does, with what held up on held-out data and no more:

- frames are sampled in windows of 16, about 8 a second (`windows.py`), split at hard cuts (`cuts.py`),
  and embedded with MobileNetV2 under onnxruntime (`backbone.py`, built on first use from installed
  weights; no torch);
- two scale-free measurements of each segment's path in embedding space (`features.py`, after ReStraV and
  D3): generated shots turn more evenly than filmed ones;
- a fixed-sign head shipped as a data file (`head.py`, `vidsleuth/data/synthesis_head.json`) scores them.

The measured power is modest (held-out AUC about 0.7, below the issue's targets), so the signal is
informational with one exception: above a threshold that about 5 % of real training clips reach, a
**weak** finding supports "AI-generated", weakened to informational when the picture barely moves (a fixed
camera: `stillness.py`). It never refutes, never says "camera footage", and every result carries a verdict
caveat saying what the content check is validated for. docs/signals/synthesis.md has the figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from vidsleuth.core.evidence import Evidence, Span
from vidsleuth.core.result import SignalResult
from vidsleuth.core.signal import AnalysisContext, FrameSample, FrameSignal, Sampling
from vidsleuth.signals.synthesis import backbone, findings
from vidsleuth.signals.synthesis.collector import Collector
from vidsleuth.signals.synthesis.features import DIRECTIONS, NAMES, combine
from vidsleuth.signals.synthesis.head import decide, shipped_head, shipped_real_stats, weighted_mean
from vidsleuth.signals.synthesis.metrics import Band, MeasurePanel, SegmentRow, SynthesisMetrics
from vidsleuth.signals.synthesis.options import SynthesisOptions
from vidsleuth.signals.synthesis.windows import plan, stride_for

if TYPE_CHECKING:
    from vidsleuth.core.panel import Panel

MIN_SIDE = 32  # frames smaller than this carry too little for the backbone
MAX_SEGMENT_ROWS = 200


def _frames_expected(ctx: AnalysisContext) -> int:
    """Frames the plan spreads its windows over: the declared count, else duration x rate."""
    video = ctx.media.video
    if video is None:
        return 0
    fps = video.frame_rate or 0.0
    count = video.frame_count or 0
    duration = video.duration_s or ctx.media.duration_s or 0.0
    if count <= 0 and fps > 0 and duration > 0:
        count = round(duration * fps)
    limit = ctx.settings.max_duration_s
    if limit is not None and fps > 0:
        count = min(count, int(limit * fps) + 1)
    return max(0, int(count))


class SynthesisSignal(FrameSignal):
    NAME: ClassVar[str] = "synthesis"
    VERSION: ClassVar[str] = "1.0.0"
    DESCRIPTION: ClassVar[str] = (
        "Content check: how evenly the frames move through a MobileNetV2 embedding space (ReStraV, D3); "
        "a weak hint at most"
    )
    OPTIONS = SynthesisOptions
    METRICS = SynthesisMetrics

    def __init__(self) -> None:
        self._collector: Collector | None = None
        self._stride = 1
        self._fps: float | None = None
        self._planned = 0
        self._too_small = 0
        self._seen = 0

    @classmethod
    def is_available(cls) -> tuple[bool, str]:
        why = backbone.missing()
        return (False, why) if why else (True, "")

    @classmethod
    def panel(cls) -> Panel:
        from vidsleuth.signals.synthesis.panel import SynthesisPanel

        return SynthesisPanel()

    def sampling(self, ctx: AnalysisContext) -> Sampling:
        # Every frame is offered; only the planned ones are converted (pixels are converted when read), at
        # full size: the backbone's input is made with OpenCV's area filter, as the head was validated
        # with. The shared decode's own downscaling (bilinear, fast-bilinear on large reductions) moved
        # both measurements by up to a robust standard deviation on the same frames.
        return Sampling(fps=None, max_side=None, pixel_format="rgb24")

    def start(self, ctx: AnalysisContext) -> None:
        opts = SynthesisOptions.of(ctx.settings, self.NAME)
        video = ctx.media.video
        self._fps = video.frame_rate if video is not None else None
        self._stride = stride_for(self._fps)
        windows = plan(_frames_expected(ctx), self._stride, max_windows=opts.max_windows)
        self._planned = len(windows)
        embed = backbone.embedder(backbone.cache_dir())
        self._collector = Collector(windows, embed)

    def process_frame(self, frame: FrameSample) -> None:
        self._seen += 1
        c = self._collector
        if c is None or not c.wants(frame.index):
            return
        pixels = frame.pixels
        if pixels is None:
            return
        if min(pixels.shape[:2]) < MIN_SIDE:
            self._too_small += 1
            return
        c.add(frame.index, frame.time_s, pixels)

    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        c = self._collector
        if c is None or self._seen == 0:
            return SignalResult.not_applicable(self.NAME, self.VERSION, "no frame was decoded for it")
        c.finish()
        if self._too_small and not c.segments:
            return SignalResult.not_applicable(
                self.NAME, self.VERSION, f"frames smaller than {MIN_SIDE} px carry too little to measure"
            )
        if not c.segments:
            return SignalResult.not_applicable(
                self.NAME,
                self.VERSION,
                f"too short to measure: no run of 6 consecutive samples without a cut (about 0.8 s of "
                f"changing frames; {c.samples} sampled)",
            )
        return self._result(c)

    def _result(self, c: Collector) -> SignalResult:
        head, real = shipped_head(), shipped_real_stats()
        values = combine([s.measures for s in c.segments]) or {}
        stills = [(s.still_share, s.measures.samples) for s in c.segments if s.still_share is not None]
        still = weighted_mean([v for v, _ in stills], [w for _, w in stills]) if stills else None
        score = head.score(values)
        decision = decide(head, score, still)
        span = Span(min(s.start_s for s in c.segments), max(s.end_s for s in c.segments))
        validation = findings.validation(head)
        evidence: list[Evidence] = [
            findings.verdict_finding(decision, head, validation, still, span),
            findings.examined(validation, len(c.segments), c.samples, span),
        ]
        panels = []
        for name in NAMES:
            value = values[name]
            rng = real.ranges.get(name)
            sentence = findings.measurement_sentence(name, value, rng)
            evidence.append(findings.measurement(name, value, sentence, DIRECTIONS[name], span))
            panels.append(
                MeasurePanel(
                    title=findings.TITLES[name],
                    feature=name,
                    code=f"synthesis.{name}",
                    unit=findings.UNITS[name],
                    value=round(value, 6),
                    direction=DIRECTIONS[name],
                    sentence=sentence,
                    real_band=Band(rng.low, rng.high) if rng else Band(),
                )
            )
        rows = tuple(
            SegmentRow(
                window=s.window,
                start_s=round(s.start_s, 3),
                end_s=round(s.end_s, 3),
                samples=s.measures.samples,
                curvature_spread=round(s.measures.curvature_spread, 6),
                acceleration_variation=round(s.measures.acceleration_variation, 6),
                still_share=None if s.still_share is None else round(s.still_share, 4),
            )
            for s in c.segments[:MAX_SEGMENT_ROWS]
        )
        rate = self._fps / self._stride if self._fps else None
        metrics = SynthesisMetrics(
            backbone=backbone.DESCRIPTION,
            backbone_sha256=backbone.MODEL_SHA256,
            stride=self._stride,
            sample_rate=None if rate is None else round(rate, 3),
            windows_planned=self._planned,
            samples=c.samples,
            repeats=c.repeats,
            cuts=c.cuts,
            segments=rows,
            features={
                **{n: round(values[n], 6) for n in NAMES},
                "score": None if score is None else round(score, 6),
            },
            feature_directions={**DIRECTIONS, "score": 1},
            score=None if score is None else round(score, 6),
            abstain_low=round(head.abstain_low, 6),
            threshold=round(head.threshold, 6),
            decision=decision.kind,
            still_share=None if still is None else round(still, 4),
            panels=tuple(panels),
            validation=validation,
        )
        return SignalResult.ok(self.NAME, self.VERSION, evidence, metrics)
