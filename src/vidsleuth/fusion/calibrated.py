"""Fusion policy calibrated@1: rules@1, plus a model fitted on labelled data, within held-out limits.

What a fitted model may and may not do (docs/evaluation.md explains the reasoning):

1. Learned findings are first re-weighed by the calibration (`vidsleuth.fusion.calibration.reweigh`): a
   measurement such as ``motion.camera_shake`` gets the strength the calibration learned for it, capped
   by what its held-out performance justified.
2. rules@1 runs on the result. Its decisions from evidence that settles the question stand: decisive
   evidence of generation, conflicts between decisive findings, signed capture claims, and a single
   strong finding. A model fitted on a few hundred videos does not overrule a valid C2PA assertion.
3. Otherwise the model's probability p (class-balanced logistic regression, so p is the posterior
   under even odds) may *raise* the verdict:
   - p >= likely_threshold: **likely_ai_generated**, medium confidence, but only when the calibration
     says ``allow_likely_ai``, which `fit_calibration` sets only when the held-out false-positive rate at
     that threshold is low with confidence (upper 95 % bound <= 5 %, at least 50 held-out negatives).
     Without that, weak hints stay weak: the verdict is "inconclusive — worth checking".
   - p >= check_threshold: **inconclusive — worth checking**, low confidence.
   - p below check_threshold, when rules@1 said "inconclusive — worth checking" only because of weak or
     moderate hints of *generation*: **inconclusive** without "worth checking" (the hints stay listed).
     Labelled data showed those hints, together, to be common on real footage. Hints of face
     manipulation or editing are never demoted: the model only speaks about generation.
   It never lowers any other verdict.
4. Reasons cite the evidence codes of the features that pushed p up the most; the verdict's extras carry
   p, the thresholds, the calibration's name and its held-out metrics, so a reader can judge them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from vidsleuth.core.evidence import Hypothesis, Stance
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.verdict import Confidence, Reason, Verdict, VerdictLabel
from vidsleuth.fusion import rules
from vidsleuth.fusion.calibration import (
    Calibration,
    Model,
    calibration_for,
    default_calibration,
    load_calibration,
)
from vidsleuth.fusion.features import evidence_codes_for, feature_value

POLICY = "calibrated@1"
_REASONS = 3

__all__ = [
    "POLICY",
    "Calibration",
    "calibration_for",
    "default_calibration",
    "fuse",
    "load_calibration",
    "predict",
]


def predict(model: Model, results: Sequence[SignalResult]) -> tuple[float, list[tuple[float, int]]]:
    """The model's p(ai_generated) for these results, and each feature's contribution (logit, index)."""
    z = model.intercept
    contributions = []
    for i, (f, w) in enumerate(zip(model.features, model.weights, strict=True)):
        raw = feature_value(f, results)
        x = f.fill if raw is None else raw
        c = w * (x - f.mean) / f.scale
        z += c
        contributions.append((c, i))
    z = max(-60.0, min(60.0, z))
    return 1.0 / (1.0 + math.exp(-z)), sorted(contributions, reverse=True)


def _settled(results: Sequence[SignalResult]) -> bool:
    """True when rules@1 decided from evidence that settles the question (its rules 1-4)."""
    active = [
        e
        for r in results
        if r.status is Status.OK
        for e in r.evidence
        if e.stance is not Stance.INFORMATIONAL
    ]
    return any(e.strength >= rules.STRONG for e in active)


def fuse(results: Sequence[SignalResult], calibration: Calibration | None = None) -> Verdict:
    """Fuse weighed results under `calibration` (default: the shipped one): rules@1 or calibrated@1, as
    it says. Learned findings must already be weighed (`fusion.calibration.reweigh`)."""
    cal = calibration or default_calibration()
    base = rules.fuse(results)
    extras = dict(base.extras)
    extras["calibration"] = {"name": cal.name, "policy": cal.policy, "sha256": cal.sha256 or None}
    if cal.policy != POLICY or cal.model is None:
        return replace(base, extras=extras)
    model = cal.model
    p, contributions = predict(model, results)
    extras.update(
        p_ai_generated=round(p, 4),
        likely_threshold=model.likely_threshold,
        check_threshold=model.check_threshold,
        allow_likely_ai=cal.allow_likely_ai,
        heldout=dict(cal.heldout.get("summary") or {}),
    )
    scores = dict(base.scores)
    scores["ai_generated_calibrated"] = round(p, 3)
    out = replace(base, policy=POLICY, scores=scores, extras=extras)
    if base.label in (VerdictLabel.AI_GENERATED, VerdictLabel.PARTLY_AI_GENERATED) or _settled(results):
        return out
    if base.label is VerdictLabel.CAMERA_ORIGINAL:
        return out

    cited: list[Reason] = []
    for c, i in contributions[:_REASONS]:
        if c <= 0:
            break
        f = model.features[i]
        codes = evidence_codes_for(f, results)
        if codes:
            cited.append(
                Reason(f"{f.name} pushed the calibrated score up ({c:+.2f} on the log-odds scale).", codes)
            )
    who = cal.name or "the calibration"
    if p >= model.likely_threshold and cal.allow_likely_ai:
        fpr = cal.heldout.get("summary", {}).get("fpr_at_likely", "unknown")
        return replace(
            out,
            label=VerdictLabel.LIKELY_AI_GENERATED,
            confidence=Confidence.MEDIUM,
            summary=(
                f"Together, the findings score {p:.2f} under {who}, above its 'likely AI' threshold "
                f"({model.likely_threshold:.2f}; held-out false-positive rate {fpr}); it is not proof."
            ),
            reasons=(*cited, *base.reasons),
            worth_checking=False,
        )
    if p >= model.check_threshold or p >= model.likely_threshold:
        gated = p >= model.likely_threshold
        why = " The calibration's held-out data are too few to call it likely AI-generated." if gated else ""
        return replace(
            out,
            label=VerdictLabel.INCONCLUSIVE,
            confidence=Confidence.LOW,
            summary=(
                f"Together, the findings score {p:.2f} under {who}: worth checking, but not enough to say "
                f"the video was generated.{why}"
            ),
            reasons=(*cited, *base.reasons),
            worth_checking=True,
        )
    if base.label is VerdictLabel.INCONCLUSIVE and base.worth_checking and not _other_hints(results):
        return replace(
            out,
            summary=(
                f"Some findings are hints of generation, but together they score {p:.2f} under {who}, below "
                f"its 'worth checking' threshold ({model.check_threshold:.2f}); they are listed below."
            ),
            worth_checking=False,
        )
    return out


def _other_hints(results: Sequence[SignalResult]) -> bool:
    """Hints of manipulation, editing or known content: the ai_generated model has nothing to say on them."""
    return any(
        e.stance is Stance.SUPPORTS and e.hypothesis is not Hypothesis.AI_GENERATED
        for r in results
        if r.status is Status.OK
        for e in r.evidence
    )
