"""What the scorecard reads from one report: verdict rank, fused scores, per-signal and per-feature scores.

- The fused verdict is ranked on an ordinal scale (VERDICT_RANK) so that a ROC curve can be drawn from
  labels people actually see; "likely AI" and "worth checking" are the two thresholds on it.
- Each signal's score is its signed strength on the question's hypotheses (supporting minus refuting,
  noisy-OR within each side; `fusion.features.signed_strength`), whatever signals the registry ran.
- Each published measurement (``metrics["features"]``) is scored raw, oriented by the direction its signal
  declares in ``metrics["feature_directions"]`` (fixed before any evaluation, so its AUC is not tuned).
- "Alone": the verdict that signal's evidence would give on its own, to answer "does this signal by itself
  ever call real footage AI-generated?".
- Provenance sources: which self-declared or embedded origin statements the file carried (a C2PA claim,
  an AIGC label, a public invisible mark: evidence whose `data.attribution_source` names them), and
  whether each was attribution-grade (`data.attribution_grade`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from vidsleuth.core.evidence import Hypothesis, Stance
from vidsleuth.core.report import Report
from vidsleuth.core.result import Status
from vidsleuth.core.verdict import Verdict, VerdictLabel
from vidsleuth.evaluate.labels import Question
from vidsleuth.fusion import weigh_and_fuse
from vidsleuth.fusion.calibration import Calibration
from vidsleuth.fusion.features import published_features, signed_strength

AI_CALLS = frozenset(
    {VerdictLabel.AI_GENERATED, VerdictLabel.LIKELY_AI_GENERATED, VerdictLabel.PARTLY_AI_GENERATED}
)
VERDICT_RANK: dict[str, float] = {
    "camera_original": 0.0,
    "no_indicators": 1.0,
    "inconclusive": 2.0,
    "inconclusive_worth_checking": 3.0,
    "partly_ai_generated": 4.0,
    "likely_ai_generated": 5.0,
    "ai_generated": 6.0,
}
LIKELY_RANK = VERDICT_RANK["partly_ai_generated"]  # at or above: the verdict calls it (partly) AI-generated
CHECK_RANK = VERDICT_RANK["inconclusive_worth_checking"]  # at or above: flagged for a person to check
DECISIVE_RANK = VERDICT_RANK["ai_generated"]
HYPOTHESES: dict[Question, tuple[Hypothesis, ...]] = {
    Question.AI_GENERATED: (Hypothesis.AI_GENERATED,),
    Question.MANIPULATED: (Hypothesis.AI_GENERATED, Hypothesis.FACE_MANIPULATED, Hypothesis.EDITED),
}


def verdict_key(v: Verdict) -> str:
    if v.label is VerdictLabel.INCONCLUSIVE and v.worth_checking:
        return "inconclusive_worth_checking"
    return v.label.value


@dataclass(frozen=True, slots=True)
class ItemScores:
    verdict: str  # verdict_key
    rank: float
    fused: Mapping[Question, float]  # noisy-OR scores: support minus support against
    calibrated: float | None  # p from a calibrated@1 verdict, when there is one
    signals: Mapping[Question, Mapping[str, float]]  # signal -> signed strength
    signal_status: Mapping[str, str]
    features: Mapping[str, float]  # "signal.key" -> oriented value (direction applied)
    raw_features: Mapping[str, float]
    alone_ai_call: Mapping[str, bool]  # signal -> its evidence alone gives an AI call
    headline: str
    # attribution source ("c2pa", "aigc_label", "invisible_mark") -> whether it was attribution-grade
    provenance: Mapping[str, bool] = field(default_factory=dict)


def item_scores(report: Report, calibration: Calibration | None = None) -> ItemScores:
    """Scores of one report; with `calibration`, the verdict is re-fused under it (learned strengths too)."""
    results, verdict = report.results, report.verdict
    if calibration is not None:
        results, verdict = weigh_and_fuse(report.results, calibration)
    key = verdict_key(verdict)
    s = verdict.scores
    fused = {
        Question.AI_GENERATED: float(s.get("ai_generated", 0.0)) - float(s.get("ai_generated_against", 0.0)),
        Question.MANIPULATED: max(
            float(s.get("ai_generated", 0.0)),
            float(s.get("face_manipulated", 0.0)),
            float(s.get("edited", 0.0)),
        ),
    }
    p = verdict.extras.get("p_ai_generated")
    calibrated = float(p) if isinstance(p, int | float) and not isinstance(p, bool) else None
    # A signal "alone" is judged by its own evidence (learned strengths included) under rules@1.
    evidence_only = replace(calibration, policy="rules@1") if calibration is not None else None
    signals: dict[Question, dict[str, float]] = {q: {} for q in Question}
    features: dict[str, float] = {}
    raw: dict[str, float] = {}
    alone: dict[str, bool] = {}
    status: dict[str, str] = {}
    provenance: dict[str, bool] = {}
    for r in results:
        status[r.signal] = r.status.value
        if r.status is not Status.OK:
            continue
        for e in r.evidence:
            source = e.data.get("attribution_source") if isinstance(e.data, Mapping) else None
            if isinstance(source, str) and e.stance is Stance.SUPPORTS:
                provenance[source] = provenance.get(source, False) or e.data.get("attribution_grade") is True
        for q, hyps in HYPOTHESES.items():
            signals[q][r.signal] = max(signed_strength(r, h, learned=True) for h in hyps)
        directions = r.metrics.get("feature_directions")
        directions = directions if isinstance(directions, Mapping) else {}
        for name, value in published_features(r).items():
            d = directions.get(name, 1)
            sign = -1.0 if isinstance(d, int | float) and not isinstance(d, bool) and d < 0 else 1.0
            raw[f"{r.signal}.{name}"] = value
            features[f"{r.signal}.{name}"] = sign * value
        alone[r.signal] = weigh_and_fuse([r], evidence_only)[1].label in AI_CALLS
    return ItemScores(
        verdict=key,
        rank=VERDICT_RANK[key],
        fused=fused,
        calibrated=calibrated,
        signals=signals,
        signal_status=status,
        features=features,
        raw_features=raw,
        alone_ai_call=alone,
        headline=verdict.headline,
        provenance=provenance,
    )
