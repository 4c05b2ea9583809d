"""Evidence: one typed, citable finding produced by a signal.

A finding says which hypothesis it bears on, whether it supports or refutes it, and how strongly. The
strength scale is shared by every signal so that fusion can weigh findings from different signals:

=========  ===========  ==========================================================================
strength   name         meaning
=========  ===========  ==========================================================================
>= 0.90    decisive     settles the question on its own unless contradicted by equally strong
                        evidence (a C2PA AI assertion whose hash bindings hold)
0.70-0.90  strong       a reliable indicator with known, rare failure modes
0.40-0.70  moderate     worth a look; has innocent explanations
< 0.40     weak         a hint; only ever makes a verdict "inconclusive — worth checking"
=========  ===========  ==========================================================================

`informational` findings carry strength 0 and never move a verdict; they are still shown in reports
("no C2PA manifest", "encoder tag: Lavf60").
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSONValue = Any  # JSON-serialisable: str, int, float, bool, None, list, dict


class Hypothesis(enum.StrEnum):
    """What a finding is about."""

    AI_GENERATED = "ai_generated"
    FACE_MANIPULATED = "face_manipulated"
    EDITED = "edited"
    KNOWN_CONTENT = "known_content"
    PROVENANCE_ATTESTED = "provenance_attested"


class Stance(enum.StrEnum):
    SUPPORTS = "supports"
    REFUTES = "refutes"
    INFORMATIONAL = "informational"


class Strength(float, enum.Enum):
    """Named points of the shared strength scale (see the module docstring)."""

    DECISIVE = 0.95
    STRONG = 0.8
    MODERATE = 0.55
    WEAK = 0.25
    NONE = 0.0

    @staticmethod
    def name_of(value: float) -> str:
        if value >= 0.9:
            return "decisive"
        if value >= 0.7:
            return "strong"
        if value >= 0.4:
            return "moderate"
        if value > 0.0:
            return "weak"
        return "none"


@dataclass(frozen=True, slots=True)
class Span:
    """A time range in the video, in seconds from the first frame."""

    start_s: float
    end_s: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start_s) and math.isfinite(self.end_s)):
            raise ValueError(f"span times must be finite, got {self.start_s!r}..{self.end_s!r}")
        if self.end_s < self.start_s:
            raise ValueError(f"span ends before it starts: {self.start_s}..{self.end_s}")

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_dict(self) -> dict[str, float]:
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Span:
        return cls(float(d["start_s"]), float(d["end_s"]))


@dataclass(frozen=True, slots=True)
class Evidence:
    """One finding. `code` is stable and machine-readable, e.g. ``c2pa.ai_generated_assertion``."""

    code: str
    hypothesis: Hypothesis
    stance: Stance
    strength: float
    summary: str
    span: Span | None = None
    data: Mapping[str, JSONValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.code or "." not in self.code:
            raise ValueError(f"evidence code must look like 'signal.finding', got {self.code!r}")
        if not 0.0 <= self.strength <= 1.0:
            raise ValueError(f"evidence strength must be within [0, 1], got {self.strength!r}")
        if self.stance is Stance.INFORMATIONAL and self.strength != 0.0:
            raise ValueError(f"informational evidence {self.code!r} must have strength 0")
        if self.stance is not Stance.INFORMATIONAL and self.strength == 0.0:
            raise ValueError(f"evidence {self.code!r} supports or refutes but has strength 0")

    @classmethod
    def supports(
        cls,
        code: str,
        hypothesis: Hypothesis,
        strength: float,
        summary: str,
        *,
        span: Span | None = None,
        data: Mapping[str, JSONValue] | None = None,
    ) -> Evidence:
        return cls(code, hypothesis, Stance.SUPPORTS, float(strength), summary, span, dict(data or {}))

    @classmethod
    def refutes(
        cls,
        code: str,
        hypothesis: Hypothesis,
        strength: float,
        summary: str,
        *,
        span: Span | None = None,
        data: Mapping[str, JSONValue] | None = None,
    ) -> Evidence:
        return cls(code, hypothesis, Stance.REFUTES, float(strength), summary, span, dict(data or {}))

    @classmethod
    def info(
        cls,
        code: str,
        hypothesis: Hypothesis,
        summary: str,
        *,
        span: Span | None = None,
        data: Mapping[str, JSONValue] | None = None,
    ) -> Evidence:
        return cls(code, hypothesis, Stance.INFORMATIONAL, 0.0, summary, span, dict(data or {}))

    @property
    def strength_name(self) -> str:
        return Strength.name_of(self.strength)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "code": self.code,
            "hypothesis": self.hypothesis.value,
            "stance": self.stance.value,
            "strength": round(self.strength, 3),
            "strength_name": self.strength_name,
            "summary": self.summary,
            "span": self.span.to_dict() if self.span else None,
            "data": dict(self.data),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Evidence:
        span = d.get("span")
        return cls(
            code=str(d["code"]),
            hypothesis=Hypothesis(d["hypothesis"]),
            stance=Stance(d["stance"]),
            strength=float(d["strength"]),
            summary=str(d["summary"]),
            span=Span.from_dict(span) if span else None,
            data=dict(d.get("data") or {}),
        )
