"""What the synthesis signal measured: each window's cut-free segments and their two measurements, the
video's values, the head's score and decision, how still the picture was, and the validation the verdict
quotes. The signal writes `SynthesisMetrics`; the report panel reads it back (docs/signals/synthesis.md,
"Metrics").

``features`` is the per-video mapping calibration and `vidsleuth eval` read (`curvature_spread`,
`acceleration_variation`, and the head's `score`); ``feature_directions`` says which way each was expected
to point for generated video before any evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from vidsleuth.core.metrics import SignalMetrics


@dataclass(frozen=True, slots=True)
class SegmentRow:
    """One cut-free run of samples inside a window, and what was measured on it."""

    window: int
    start_s: float
    end_s: float
    samples: int
    curvature_spread: float | None = None  # degrees
    acceleration_variation: float | None = None  # ratio
    still_share: float | None = None  # share of the picture that stayed still

    def valid(self) -> bool:
        return 0.0 <= self.start_s <= self.end_s and self.samples >= 0


@dataclass(frozen=True, slots=True)
class Band:
    """Where a measurement falls on real training footage (per segment): 5th to 95th percentile."""

    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class MeasurePanel:
    """One measurement as the report shows it: the video's value, its sentence and its evidence code."""

    title: str
    feature: str = ""
    code: str = ""
    unit: str = ""
    value: float | None = None
    direction: int = 0  # -1: lower looks more generated (fixed before evaluation)
    sentence: str = ""
    real_band: Band = Band()

    def valid(self) -> bool:
        return bool(self.title)


@dataclass(frozen=True, slots=True)
class Validation:
    """What the content check was validated for, as the verdict and the card quote it."""

    statement: str = ""  # one sentence
    heldout_auc: float | None = None  # on the held-out corpus, original files
    heldout_low: float | None = None
    heldout_high: float | None = None
    heldout_on: str = ""
    cv_auc: float | None = None  # grouped cross-validation on the training set
    cv_low: float | None = None
    cv_high: float | None = None
    cv_on: str = ""


@dataclass(frozen=True, slots=True)
class SynthesisMetrics(SignalMetrics):
    backbone: str = ""
    backbone_sha256: str = ""
    stride: int = 0  # decoded frames between samples
    sample_rate: float | None = None  # samples per second of video
    windows_planned: int = 0
    samples: int = 0  # samples embedded
    repeats: int = 0  # samples left out as repeated frames
    cuts: int = 0  # hard cuts found between samples
    segments: tuple[SegmentRow, ...] = ()
    features: Mapping[str, float | None] = field(default_factory=dict)
    feature_directions: Mapping[str, int] = field(default_factory=dict)
    score: float | None = None
    abstain_low: float | None = None
    threshold: float | None = None  # the abstention band's upper edge
    decision: str = ""  # ai_like | fixed_camera | no_finding
    still_share: float | None = None
    panels: tuple[MeasurePanel, ...] = ()
    validation: Validation = Validation()
