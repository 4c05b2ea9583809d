"""Signal `models`: what your own classifiers say about the video (``vidsleuth check --model PATH``).

Newsrooms and platforms have detectors of their own. This signal runs any ONNX image or clip classifier
that comes with a model card (`card.py`: input size and normalisation, frames per clip, labels, training
data, validated AUC and on what, an optional decision threshold) on frames of the shared decode, and turns
its output into evidence that cites the card (`findings.py`). It is its own signal, not part of
`synthesis`, because what it says rests on the user's validation, not on ours, and because it needs only
onnxruntime (a core dependency): it runs whether or not the synthesis backbone is installed.

Sampling: an image model scores up to `max_frames` frames (32) spread evenly, at most the card's `fps`
per second; a clip model scores up to `max_clips` clips (8) of `frames_per_clip` consecutive samples taken
at the card's `fps` (never faster than the source), spread evenly. Without ``--model`` the signal does
not apply and costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import numpy.typing as npt

from vidsleuth.core.evidence import Evidence, Span
from vidsleuth.core.result import SignalResult
from vidsleuth.core.signal import AnalysisContext, FrameSample, FrameSignal, Sampling
from vidsleuth.signals.models import findings
from vidsleuth.signals.models.card import load_card
from vidsleuth.signals.models.metrics import ModelRow, ModelsMetrics, Score
from vidsleuth.signals.models.options import ModelsOptions
from vidsleuth.signals.models.runner import LoadedModel, open_model

if TYPE_CHECKING:
    from vidsleuth.core.panel import Panel

Pixels = npt.NDArray[np.uint8]
MIN_SIDE = 16


def frames_expected(ctx: AnalysisContext) -> int:
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


def image_plan(n_frames: int, native_fps: float | None, model_fps: float, max_frames: int) -> list[list[int]]:
    """One single-frame group per frame to score: evenly spread, at most `model_fps` per second."""
    if n_frames <= 0:
        return [[0]]
    per_second = native_fps / model_fps if native_fps and native_fps > 0 else 1.0
    count = max(1, min(max_frames, n_frames, int(n_frames / max(per_second, 1.0)) or 1))
    picks = np.unique(np.linspace(0, n_frames - 1, count).round().astype(int))
    return [[int(i)] for i in picks]


def clip_plan(
    n_frames: int, native_fps: float | None, model_fps: float, frames: int, max_clips: int
) -> list[list[int]]:
    """Groups of `frames` samples `stride` frames apart, non-overlapping, spread evenly."""
    stride = max(1, round(native_fps / model_fps)) if native_fps and native_fps > 0 else 1
    span = (frames - 1) * stride + 1
    if n_frames < span:
        return [[i * stride for i in range(frames)]] if n_frames <= 0 else []
    fit = (n_frames - span) // span + 1
    k = min(fit, max_clips)
    starts = np.linspace(0, n_frames - span, k).round().astype(int).tolist() if k > 1 else [0]
    return [[int(s) + i * stride for i in range(frames)] for s in starts]


@dataclass(slots=True)
class _Run:
    """One model's groups to fill (a frame, or a clip's frames) and its scores so far."""

    model: LoadedModel
    groups: list[list[int]]
    wanted: dict[int, list[int]] = field(default_factory=dict)  # frame index -> groups that take it
    filled: dict[int, list[tuple[float, Pixels]]] = field(default_factory=dict)
    scores: list[Score] = field(default_factory=list)

    def __post_init__(self) -> None:
        for g, idx in enumerate(self.groups):
            for i in idx:
                self.wanted.setdefault(i, []).append(g)

    def add(self, index: int, time_s: float, rgb: Pixels) -> None:
        prepared = self.model.prepare(rgb)
        for g in self.wanted.get(index, ()):
            frames = self.filled.setdefault(g, [])
            frames.append((time_s, prepared))
            if len(frames) == len(self.groups[g]):
                self._score(g)

    def _score(self, g: int) -> None:
        frames = self.filled.pop(g)
        p = self.model.probabilities(np.stack([f for _, f in frames]))
        if len(p):
            self.scores.append(Score(time_s=round(frames[0][0], 3), p=round(float(p[0]), 4)))


class ModelsSignal(FrameSignal):
    NAME: ClassVar[str] = "models"
    VERSION: ClassVar[str] = "1.0.0"
    DESCRIPTION: ClassVar[str] = (
        "Your own ONNX classifiers (--model PATH, with a model card), as evidence citing the card"
    )
    OPTIONS = ModelsOptions
    METRICS = ModelsMetrics

    def __init__(self) -> None:
        self._runs: list[_Run] = []
        self._given = 0

    @classmethod
    def panel(cls) -> Panel:
        from vidsleuth.signals.models.panel import ModelsPanel

        return ModelsPanel()

    def sampling(self, ctx: AnalysisContext) -> Sampling:
        if not ModelsOptions.of(ctx.settings, self.NAME).paths:
            return Sampling(keyframes_only=True, max_side=None, pixel_format=None)
        # Full size, as the synthesis signal asks, so a frame both score is converted once.
        return Sampling(fps=None, max_side=None, pixel_format="rgb24")

    def start(self, ctx: AnalysisContext) -> None:
        opts = ModelsOptions.of(ctx.settings, self.NAME)
        self._given = len(opts.paths)
        video = ctx.media.video
        native = video.frame_rate if video is not None else None
        n = frames_expected(ctx)
        for path in opts.paths:
            model = open_model(load_card(Path(path)))
            c = model.card
            if c.kind == "image":
                groups = image_plan(n, native, c.fps, opts.max_frames)
            else:
                groups = clip_plan(n, native, c.fps, c.frames_per_clip, opts.max_clips)
            self._runs.append(_Run(model, groups))

    def process_frame(self, frame: FrameSample) -> None:
        runs = [r for r in self._runs if frame.index in r.wanted]
        if not runs:
            return
        pixels = frame.pixels
        if pixels is None or min(pixels.shape[:2]) < MIN_SIDE:
            return
        for r in runs:
            r.add(frame.index, frame.time_s, pixels)

    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        if not self._given:
            return SignalResult.not_applicable(
                self.NAME, self.VERSION, "no model given (vidsleuth check --model PATH, with its model card)"
            )
        evidence: list[Evidence] = []
        rows: list[ModelRow] = []
        features: dict[str, float | None] = {}
        for r in self._runs:
            c = r.model.card
            p = np.array([s.p for s in r.scores])
            span = (
                Span(min(s.time_s for s in r.scores), max(s.time_s for s in r.scores)) if r.scores else None
            )
            decision, strength, mean = "not_scored", 0.0, None
            if len(p):
                mean = float(p.mean())
                e, decision, strength = findings.finding(c, mean, len(p), span)
                evidence.append(e)
            features[c.name] = None if mean is None else round(mean, 6)
            rows.append(
                ModelRow(
                    name=c.name,
                    card=c.path.name,
                    file=c.model_file.name,
                    sha256=c.sha256,
                    kind=c.kind,
                    input_size=(c.height, c.width),
                    frames_per_clip=c.frames_per_clip,
                    positive=c.positive,
                    training=c.training,
                    validated_auc=c.validated_auc,
                    validated_on=c.validated_on,
                    validated_date=c.validated_date,
                    threshold=c.decision.threshold if c.decision else None,
                    false_positive_rate=c.decision.false_positive_rate if c.decision else None,
                    scored=len(p),
                    mean=None if mean is None else round(mean, 4),
                    median=round(float(np.median(p)), 4) if len(p) else None,
                    maximum=round(float(p.max()), 4) if len(p) else None,
                    decision=decision,
                    strength=strength,
                    scores=tuple(r.scores),
                )
            )
        if not any(r.scored for r in rows):
            return SignalResult.not_applicable(
                self.NAME, self.VERSION, "the video is too short for the models' sampling: nothing was scored"
            )
        metrics = ModelsMetrics(
            models=tuple(rows), features=features, feature_directions=dict.fromkeys(features, 1)
        )
        return SignalResult.ok(self.NAME, self.VERSION, evidence, metrics)
