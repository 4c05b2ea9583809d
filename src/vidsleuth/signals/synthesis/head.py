"""The synthesis head: from the two measurements to a score, and from the score to what the signal says.

The head is a data file, `vidsleuth/data/synthesis_head.json`, written by `bench/synthesis_eval.py` with how
it was fitted (the training set's recipe, dates, selection, held-out figures). It has no learned weights:
each measurement gets a robust z-score (median and IQR / 1.349 of the training clips), a sign fixed on
training data (both -1: lower looks more generated), is clipped to +-4, and the two are averaged. That
"signed z-mean" was chosen among 42 candidates on training data only (grouped and chronological
cross-validation); logistic heads on more features overfitted the training repositories.

What the score may say (`decide`), as validated (docs/signals/synthesis.md, "Verdict"):

- above the abstention band's upper edge (a level at most 5 % of real training clips reach, out of fold):
  a hint that the video was generated. Whether it **counts** is the head file's ``counted``: when true it
  is a **weak** finding that supports "AI-generated" (strength < 0.4, so fusion never reads it as more
  than a hint); the shipped head says false, so it is shown and not counted, because on the held-out
  corpus after re-encoding it fired on real files that nothing else flagged (it would have made them
  "worth checking"). A calibration fitted on your own labelled videos can still learn what the score is
  worth (`metrics.features.score`);
- ... unless the frames barely move: when most of the picture holds still (a fixed camera,
  `stillness.py`) the finding is weakened to informational, since fixed-camera footage moves through
  embedding space as evenly as generated video (the corpus's one real file above the threshold);
- anywhere else: no finding. The lower side of the band is **never** read as "camera footage": half of
  the modern generated files of the corpus fall there.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from vidsleuth.core.errors import VidsleuthError

HEAD_FILE = "synthesis_head.json"
REAL_STATS_FILE = "synthesis_real_stats.json"
HEAD_FORMAT = "vidsleuth.synthesis.head/1"
REAL_STATS_FORMAT = "vidsleuth.synthesis.real_stats/1"

Kind = Literal["ai_like", "fixed_camera", "no_finding"]


class HeadFileError(VidsleuthError, ValueError):
    """The shipped head or statistics file is malformed (a packaging error, never the user's)."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One held-out figure: an AUC with its 95 % interval, on what, how many."""

    auc: float
    low: float | None
    high: float | None
    on: str

    def text(self) -> str:
        interval = (
            f" [{self.low:.2f}, {self.high:.2f}]" if self.low is not None and self.high is not None else ""
        )
        return f"AUC {self.auc:.2f}{interval} {self.on}"


@dataclass(frozen=True, slots=True)
class Head:
    features: tuple[str, ...]
    median: tuple[float, ...]
    robust_sd: tuple[float, ...]
    sign: tuple[float, ...]
    clip: float
    abstain_low: float
    threshold: float  # the abstention band's upper edge
    strength: float  # of the finding above the threshold, when it counts
    counted: bool  # False: above the threshold the hint is shown, not counted (informational)
    fixed_camera: float  # still share (stillness.py) from which the finding is informational
    validation: Mapping[str, Figure]
    real_hints: Mapping[str, tuple[int, int]]  # "<set>_hint_rates": (real files the hint fired on, of n)
    fitted_on: Mapping[str, Any]
    source: str

    def score(self, values: Mapping[str, float | None]) -> float | None:
        """The signed z-mean of the measurements, or None when one of them is missing."""
        total = 0.0
        for name, mid, sd, sign in zip(self.features, self.median, self.robust_sd, self.sign, strict=True):
            value = values.get(name)
            if value is None or not math.isfinite(value):
                return None
            total += sign * max(-self.clip, min(self.clip, (value - mid) / sd))
        return total / len(self.features)

    def figure(self, key: str) -> Figure | None:
        return self.validation.get(key)


@dataclass(frozen=True, slots=True)
class Decision:
    kind: Kind
    score: float | None
    strength: float  # 0 unless the finding supports "AI-generated"


def decide(head: Head, score: float | None, still: float | None) -> Decision:
    """What the signal says about a score, given how much of the picture stands still (None: unknown)."""
    if score is None or score <= head.threshold:
        return Decision("no_finding", score, 0.0)
    if still is not None and still >= head.fixed_camera:
        return Decision("fixed_camera", score, 0.0)
    return Decision("ai_like", score, head.strength if head.counted else 0.0)


@dataclass(frozen=True, slots=True)
class RealRange:
    """Where a measurement falls on real training footage (per cut-free segment): 5th-95th percentile."""

    low: float
    median: float
    high: float


@dataclass(frozen=True, slots=True)
class RealStats:
    ranges: Mapping[str, RealRange]
    fitted_on: Mapping[str, Any]


def _floats(raw: Any, n: int, what: str) -> tuple[float, ...]:
    if not isinstance(raw, list) or len(raw) != n or not all(isinstance(v, int | float) for v in raw):
        raise HeadFileError(f"{HEAD_FILE}: {what} must be {n} numbers")
    return tuple(float(v) for v in raw)


def _number(d: Mapping[str, Any], key: str, where: str) -> float:
    value = d.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise HeadFileError(f"{where}: {key} must be a number")
    return float(value)


def _real_rate(raw: Any) -> tuple[int, int] | None:
    """(fired, n) on real files from a "<set>_hint_rates" entry, or None for any other entry."""
    real = raw.get("real") if isinstance(raw, Mapping) else None
    if not isinstance(real, Mapping):
        return None
    fired, n = real.get("fired"), real.get("n")
    if not (isinstance(fired, int) and isinstance(n, int) and 0 <= fired <= n and n > 0):
        return None
    return fired, n


def _figure(raw: Any) -> Figure | None:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("auc"), int | float):
        return None
    low, high = raw.get("low"), raw.get("high")
    return Figure(
        float(raw["auc"]),
        float(low) if isinstance(low, int | float) else None,
        float(high) if isinstance(high, int | float) else None,
        str(raw.get("on", "")),
    )


def parse_head(raw: Mapping[str, Any], source: str = HEAD_FILE) -> Head:
    if raw.get("format") != HEAD_FORMAT or raw.get("kind") != "signed_z_mean":
        raise HeadFileError(f"{source}: not a {HEAD_FORMAT} signed_z_mean head")
    features = raw.get("features")
    if not isinstance(features, list) or not features or not all(isinstance(f, str) for f in features):
        raise HeadFileError(f"{source}: features must be a list of names")
    n = len(features)
    sd = _floats(raw.get("robust_sd"), n, "robust_sd")
    if any(not v > 0 for v in sd):
        raise HeadFileError(f"{source}: robust_sd must be positive")
    band = _floats(raw.get("abstain"), 2, "abstain")
    weakening = raw.get("fixed_camera")
    if not isinstance(weakening, Mapping):
        raise HeadFileError(f"{source}: fixed_camera must be an object")
    counted = raw.get("counted", False)
    if not isinstance(counted, bool):
        raise HeadFileError(f"{source}: counted must be true or false")
    validation = raw.get("validation")
    found = validation.items() if isinstance(validation, Mapping) else ()
    figures = {str(k): f for k, v in found if (f := _figure(v)) is not None}
    rates = {str(k): r for k, v in found if (r := _real_rate(v)) is not None}
    head = Head(
        features=tuple(features),
        median=_floats(raw.get("median"), n, "median"),
        robust_sd=sd,
        sign=_floats(raw.get("sign"), n, "sign"),
        clip=_number(raw, "clip", source),
        abstain_low=band[0],
        threshold=band[1],
        strength=_number(raw, "strength", source),
        counted=counted,
        fixed_camera=_number(weakening, "still_share", f"{source} fixed_camera"),
        validation=figures,
        real_hints=rates,
        fitted_on=dict(raw.get("fitted_on") or {}),
        source=source,
    )
    if not 0 < head.strength < 0.4:
        raise HeadFileError(f"{source}: the finding must stay weak (0 < strength < 0.4)")
    if not 0 < head.fixed_camera <= 1:
        raise HeadFileError(f"{source}: fixed_camera.still_share must be within (0, 1]")
    return head


def parse_real_stats(raw: Mapping[str, Any], source: str = REAL_STATS_FILE) -> RealStats:
    if raw.get("format") != REAL_STATS_FORMAT:
        raise HeadFileError(f"{source}: not a {REAL_STATS_FORMAT} file")
    ranges: dict[str, RealRange] = {}
    for name, d in (raw.get("segments") or {}).items():
        if isinstance(d, Mapping):
            ranges[str(name)] = RealRange(
                _number(d, "p05", source), _number(d, "p50", source), _number(d, "p95", source)
            )
    return RealStats(ranges, dict(raw.get("fitted_on") or {}))


def _read(name: str) -> Mapping[str, Any]:
    text = resources.files("vidsleuth.data").joinpath(name).read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, Mapping):
        raise HeadFileError(f"{name}: not a JSON object")
    return data


@functools.cache
def shipped_head() -> Head:
    return parse_head(_read(HEAD_FILE))


@functools.cache
def shipped_real_stats() -> RealStats:
    return parse_real_stats(_read(REAL_STATS_FILE), REAL_STATS_FILE)


def weighted_mean(values: Sequence[float], weights: Sequence[float]) -> float | None:
    total = float(sum(weights))
    if not values or total <= 0:
        return None
    return float(sum(v * w for v, w in zip(values, weights, strict=True)) / total)
