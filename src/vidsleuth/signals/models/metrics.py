"""What the models signal measured: for each user model, its card's facts, the scores it gave over the video
and what was made of them. The signal writes `ModelsMetrics`; the report panel reads it back.

``features`` maps each model's name to its mean P(positive) over the video, so that `vidsleuth calibrate`
can fit what a newsroom's model is worth on its labelled videos (direction +1: higher looks generated).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from vidsleuth.core.metrics import SignalMetrics


@dataclass(frozen=True, slots=True)
class Score:
    """P(positive) of one frame (image model) or one clip (clip model), at its time."""

    time_s: float
    p: float

    def valid(self) -> bool:
        return 0.0 <= self.p <= 1.0


@dataclass(frozen=True, slots=True)
class ModelRow:
    name: str
    card: str = ""  # the card's file name
    file: str = ""  # the model's file name
    sha256: str = ""
    kind: str = ""  # image | clip
    input_size: tuple[int, ...] = ()  # height, width
    frames_per_clip: int = 1
    positive: str = ""
    training: str = ""
    validated_auc: float | None = None
    validated_on: str = ""
    validated_date: str = ""
    threshold: float | None = None  # from the card's [decision]
    false_positive_rate: float | None = None
    scored: int = 0  # frames or clips scored
    mean: float | None = None
    median: float | None = None
    maximum: float | None = None
    decision: str = ""  # flagged | below_threshold | no_threshold | not_scored
    strength: float = 0.0
    scores: tuple[Score, ...] = ()

    def valid(self) -> bool:
        return bool(self.name)


@dataclass(frozen=True, slots=True)
class ModelsMetrics(SignalMetrics):
    models: tuple[ModelRow, ...] = ()
    features: Mapping[str, float | None] = field(default_factory=dict)
    feature_directions: Mapping[str, int] = field(default_factory=dict)
