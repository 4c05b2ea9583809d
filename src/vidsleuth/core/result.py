"""SignalResult: what one signal hands back, whatever happened to it.

A signal that ran and found nothing is `ok` with informational evidence ("absence is data"). A signal
that does not apply to this input (no audio for an audio check) is `not_applicable`; one that was turned
off or cannot run on this machine is `skipped`; one that crashed is `failed`, with its error, and the
report still goes out with every other signal.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from vidsleuth.core.evidence import Evidence, JSONValue
from vidsleuth.core.metrics import SignalMetrics

M = TypeVar("M", bound=SignalMetrics)


class Status(enum.StrEnum):
    OK = "ok"
    NOT_APPLICABLE = "not_applicable"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """A small JPEG a report can show: a shot's keyframe, a detection's crop."""

    label: str
    time_s: float
    jpeg_base64: str
    width: int
    height: int
    box: tuple[int, int, int, int] | None = None  # x, y, w, h in the source frame, for crops

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "time_s": round(self.time_s, 3),
            "width": self.width,
            "height": self.height,
            "box": list(self.box) if self.box else None,
            "jpeg_base64": self.jpeg_base64,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Thumbnail:
        box = d.get("box")
        return cls(
            label=str(d["label"]),
            time_s=float(d["time_s"]),
            jpeg_base64=str(d["jpeg_base64"]),
            width=int(d["width"]),
            height=int(d["height"]),
            box=(int(box[0]), int(box[1]), int(box[2]), int(box[3])) if box else None,
        )


@dataclass(frozen=True, slots=True)
class SignalResult:
    signal: str
    signal_version: str
    status: Status
    evidence: tuple[Evidence, ...] = ()
    metrics: Mapping[str, JSONValue] = field(default_factory=dict)
    thumbnails: tuple[Thumbnail, ...] = ()
    error: str | None = None
    elapsed_s: float = 0.0  # wall time of the signal's own work (the shared decode is counted apart)
    cpu_s: float | None = None  # CPU time of the signal's own work, when measured

    # Named constructors -------------------------------------------------------------------------
    @classmethod
    def ok(
        cls,
        signal: str,
        version: str,
        evidence: Iterable[Evidence] = (),
        metrics: SignalMetrics | Mapping[str, JSONValue] | None = None,
        thumbnails: Iterable[Thumbnail] = (),
    ) -> SignalResult:
        stored = metrics.to_json() if isinstance(metrics, SignalMetrics) else dict(metrics or {})
        return cls(signal, version, Status.OK, tuple(evidence), stored, tuple(thumbnails))

    @classmethod
    def not_applicable(cls, signal: str, version: str, why: str) -> SignalResult:
        return cls(signal, version, Status.NOT_APPLICABLE, error=why)

    @classmethod
    def skipped(cls, signal: str, version: str, why: str) -> SignalResult:
        return cls(signal, version, Status.SKIPPED, error=why)

    @classmethod
    def failed(cls, signal: str, version: str, error: str) -> SignalResult:
        return cls(signal, version, Status.FAILED, error=error)

    def with_elapsed(self, elapsed_s: float, cpu_s: float | None = None) -> SignalResult:
        return SignalResult(
            self.signal,
            self.signal_version,
            self.status,
            self.evidence,
            self.metrics,
            self.thumbnails,
            self.error,
            elapsed_s,
            cpu_s,
        )

    def metrics_as(self, cls: type[M]) -> M:
        """The stored metrics read back as the signal's typed metrics (defaults where they do not fit)."""
        return cls.from_json(self.metrics)

    def to_dict(self) -> dict[str, Any]:
        return {
            "signal": self.signal,
            "signal_version": self.signal_version,
            "status": self.status.value,
            "error": self.error,
            "elapsed_s": round(self.elapsed_s, 3),
            "cpu_s": None if self.cpu_s is None else round(self.cpu_s, 3),
            "evidence": [e.to_dict() for e in self.evidence],
            "metrics": dict(self.metrics),
            "thumbnails": [t.to_dict() for t in self.thumbnails],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SignalResult:
        return cls(
            signal=str(d["signal"]),
            signal_version=str(d["signal_version"]),
            status=Status(d["status"]),
            evidence=tuple(Evidence.from_dict(e) for e in d.get("evidence") or ()),
            metrics=dict(d.get("metrics") or {}),
            thumbnails=tuple(Thumbnail.from_dict(t) for t in d.get("thumbnails") or ()),
            error=d.get("error"),
            elapsed_s=float(d.get("elapsed_s") or 0.0),
            cpu_s=float(d["cpu_s"]) if isinstance(d.get("cpu_s"), int | float) else None,
        )
