"""Verdict: the fused, explained answer. Never a bare score; "inconclusive" is a first-class answer."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class VerdictLabel(enum.StrEnum):
    AI_GENERATED = "ai_generated"  # decisive evidence of generation
    LIKELY_AI_GENERATED = "likely_ai_generated"  # strong, uncontradicted evidence
    PARTLY_AI_GENERATED = "partly_ai_generated"  # a composite with generated material
    CAMERA_ORIGINAL = "camera_original"  # a signed capture claim, not contradicted
    INCONCLUSIVE = "inconclusive"  # hints worth checking, or conflicting evidence
    NO_INDICATORS = "no_indicators"  # the checks found nothing; not proof of authenticity

    @property
    def headline(self) -> str:
        return _HEADLINES[self]


_HEADLINES = {
    VerdictLabel.AI_GENERATED: "AI-generated",
    VerdictLabel.LIKELY_AI_GENERATED: "Likely AI-generated",
    VerdictLabel.PARTLY_AI_GENERATED: "Partly AI-generated",
    VerdictLabel.CAMERA_ORIGINAL: "Signed camera original",
    VerdictLabel.INCONCLUSIVE: "Inconclusive",
    VerdictLabel.NO_INDICATORS: "No indicators found",
}


class Confidence(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class Reason:
    """One sentence of the explanation, citing the evidence codes it rests on."""

    text: str
    evidence_codes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "evidence": list(self.evidence_codes)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Reason:
        return cls(str(d["text"]), tuple(str(c) for c in d.get("evidence") or () if c is not None))


@dataclass(frozen=True, slots=True)
class Verdict:
    label: VerdictLabel
    confidence: Confidence
    summary: str  # one hedged sentence
    scores: Mapping[str, float]  # per hypothesis, in [0, 1]
    reasons: tuple[Reason, ...]
    policy: str  # name@version of the fusion policy
    caveats: tuple[str, ...] = ()
    attribution: str | None = None  # generator or signer the evidence names, e.g. "Sora (OpenAI)"
    worth_checking: bool = False  # for inconclusive: there are hints a person should look at
    extras: Mapping[str, Any] = field(default_factory=dict)

    @property
    def headline(self) -> str:
        head = self.label.headline
        if self.attribution and self.label in (
            VerdictLabel.AI_GENERATED,
            VerdictLabel.LIKELY_AI_GENERATED,
            VerdictLabel.PARTLY_AI_GENERATED,
        ):
            head += f" — {self.attribution}"
            # what the name rests on, e.g. "signed (signer not verified)" (fusion's facts.basis_of)
            basis = self.extras.get("attribution_basis")
            if isinstance(basis, str) and basis:
                head += f", {basis}"
        if self.label is VerdictLabel.INCONCLUSIVE and self.worth_checking:
            head += " — worth checking"
        return head

    @property
    def made_by(self) -> str:
        """The fusion policy, and the calibration it ran under when the verdict records one (a short phrase:
        "calibrated@1 (calibration newsroom, sha256 1a2b3c4d5e6f)")."""
        cal = self.extras.get("calibration")
        if not isinstance(cal, Mapping) or not cal.get("name"):
            return self.policy
        sha = cal.get("sha256")
        return f"{self.policy} (calibration {cal['name']}" + (f", sha256 {str(sha)[:12]})" if sha else ")")

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label.value,
            "headline": self.headline,
            "confidence": self.confidence.value,
            "summary": self.summary,
            "attribution": self.attribution,
            "worth_checking": self.worth_checking,
            "scores": {k: round(v, 3) for k, v in self.scores.items()},
            "reasons": [r.to_dict() for r in self.reasons],
            "caveats": list(self.caveats),
            "policy": self.policy,
            "extras": dict(self.extras),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Verdict:
        return cls(
            label=VerdictLabel(d["label"]),
            confidence=Confidence(d["confidence"]),
            summary=str(d["summary"]),
            scores={str(k): float(v) for k, v in (d.get("scores") or {}).items()},
            reasons=tuple(Reason.from_dict(r) for r in d.get("reasons") or ()),
            policy=str(d["policy"]),
            caveats=tuple(str(c) for c in d.get("caveats") or ()),
            attribution=d.get("attribution"),
            worth_checking=bool(d.get("worth_checking")),
            extras=dict(d.get("extras") or {}),
        )
