"""Typed metrics: what a signal measured, in a shape its report panel can rely on.

Evidence says what a finding means; metrics keep the measurements behind it (the shot list, the C2PA
manifests, the plotted series) for the report and for people who want the numbers. Each signal declares
one frozen dataclass subclassing `SignalMetrics` in its `metrics.py` (importing only `core`), writes it
with `SignalResult.ok(..., metrics=...)`, and its panel reads it back with `result.metrics_as(cls)`.
The JSON report stores `to_json()`; reading a report back goes through `vidsleuth.core.shape`, which
checks every value against the declared types, so the shape lives in one place.

Every field needs a default, so that a report written by an older version of a signal (or by hand) still
reads: what is missing or malformed comes back as the default.

A signal may publish raw per-video scalars in a field named ``features`` (a mapping of name to number or
None): calibration fits on them (`vidsleuth.fusion.features`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Self

from vidsleuth.core import shape


@dataclasses.dataclass(frozen=True, slots=True)
class SignalMetrics:
    """Base class of a signal's typed metrics (a frozen dataclass whose fields all have defaults)."""

    def to_json(self) -> dict[str, Any]:
        out = shape.to_json(self)
        assert isinstance(out, dict)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Self:
        """Read stored metrics; anything missing or of the wrong type comes back as its default."""
        return shape.from_json(cls, data if isinstance(data, Mapping) else {})


def missing_defaults(cls: type[SignalMetrics]) -> list[str]:
    """Fields of `cls` without a default (a contract test requires none)."""
    return [
        f.name
        for f in dataclasses.fields(cls)
        if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
