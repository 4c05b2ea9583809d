"""The synthesis signal's findings and their sentences (docs/signals/synthesis.md, "Evidence codes").

- ``synthesis.examined``: what was measured and what the content check is validated for; a verdict
  caveat, so that no verdict reads a clean result as "camera footage".
- ``synthesis.ai_like_motion``: the head's score is above the validated threshold: a hint that the video
  was generated. Informational under the shipped head (shown, not counted: it fired on real corpus files
  after re-encoding); a weak finding that supports "AI-generated" when a head file says it counts. Never
  stronger.
- ``synthesis.fixed_camera``: the score is above the threshold but most of the picture holds still: a
  fixed camera moves through embedding space as evenly as generated video, so the finding is weakened to
  informational.
- ``synthesis.no_finding``: the score is not above the threshold: not evidence either way, and explicitly
  not "camera footage".
- ``synthesis.curvature_spread``, ``synthesis.acceleration_variation``: each measurement with its value
  and sentence (informational, shown with its plot).
"""

from __future__ import annotations

from typing import Any

from vidsleuth.core.evidence import Evidence, Hypothesis, Span
from vidsleuth.signals.synthesis.head import Decision, Head, RealRange
from vidsleuth.signals.synthesis.metrics import Validation

TITLES = {"curvature_spread": "Curvature spread", "acceleration_variation": "Acceleration variation"}
UNITS = {"curvature_spread": "degrees", "acceleration_variation": "ratio"}
WHAT = {
    "curvature_spread": "how unevenly the path of the frames in embedding space turns (ReStraV)",
    "acceleration_variation": "how unevenly the path's second differences vary (D3)",
}
NOT_CAMERA = "it cannot show that a video is camera footage"


def validation(head: Head) -> Validation:
    """The validation block the metrics keep and the sentences quote, from the head file's figures."""
    held, cv = head.figure("corpus_original"), head.figure("grouped_cv")
    crf = head.figure("corpus_crf35")
    parts = [f.text() for f in (held, crf, cv) if f is not None]
    figures = "; ".join(parts) if parts else "no held-out figure shipped"
    counts = (
        "above a threshold that about 5 % of real training clips reach it adds a weak finding"
        if head.counted
        else "above a threshold that about 5 % of real training clips reach it shows a hint, which is not "
        "counted in the verdict"
    )
    statement = (
        "The content check (synthesis) is validated only as a hint that a video was generated: "
        f"{figures}. {counts[:1].upper()}{counts[1:]}; {NOT_CAMERA}."
    )
    return Validation(
        statement=statement,
        heldout_auc=held.auc if held else None,
        heldout_low=held.low if held else None,
        heldout_high=held.high if held else None,
        heldout_on=held.on if held else "",
        cv_auc=cv.auc if cv else None,
        cv_low=cv.low if cv else None,
        cv_high=cv.high if cv else None,
        cv_on=cv.on if cv else "",
    )


def examined(v: Validation, segments: int, samples: int, span: Span | None) -> Evidence:
    return Evidence.info(
        "synthesis.examined",
        Hypothesis.AI_GENERATED,
        f"Frame content was examined on {samples} samples in {segments} cut-free segment"
        f"{'s' if segments != 1 else ''}. {v.statement}",
        span=span,
        data={
            "caveat": True,
            "heldout_auc": v.heldout_auc,
            "heldout_low": v.heldout_low,
            "heldout_high": v.heldout_high,
            "heldout_on": v.heldout_on,
            "cv_auc": v.cv_auc,
        },
    )


def _score_text(d: Decision, head: Head) -> str:
    return f"score {d.score:.2f}, threshold {head.threshold:.2f}" if d.score is not None else "no score"


def _real_hints(head: Head) -> str:
    """How often the hint fired on real corpus files, from the head file's rates ("" when it has none)."""
    original = head.real_hints.get("corpus_original_hint_rates")
    crf = head.real_hints.get("corpus_crf35_hint_rates")
    said = []
    if original is not None:
        said.append(f"{original[0]} of {original[1]} real corpus files")
    if crf is not None:
        said.append(f"{crf[0]} of {crf[1]} after re-encoding at CRF 35")
    return f" (it fired on {', and on '.join(said)})" if said else ""


def verdict_finding(
    d: Decision, head: Head, v: Validation, still: float | None, span: Span | None
) -> Evidence:
    """The finding about generation the decision makes (supporting only when above the threshold)."""
    data: dict[str, Any] = {
        "score": None if d.score is None else round(d.score, 4),
        "threshold": round(head.threshold, 4),
        "still_share": None if still is None else round(still, 3),
        "heldout_auc": v.heldout_auc,
    }
    held = (
        f"validated at {v.heldout_auc:.2f} AUC on held-out generated video"
        if v.heldout_auc
        else "weakly validated"
    )
    if d.kind == "ai_like" and d.strength <= 0.0:
        data["counted"] = False
        return Evidence.info(
            "synthesis.ai_like_motion",
            Hypothesis.AI_GENERATED,
            "The frames move through embedding space as evenly as generated video tends to "
            f"({_score_text(d, head)}; about 5 % of real training clips score this high). Shown, not "
            f"counted: the content check is {held}, and at this level it also flags some camera footage"
            f"{_real_hints(head)}; {NOT_CAMERA}.",
            span=span,
            data=data,
        )
    if d.kind == "ai_like":
        data["counted"] = True
        return Evidence.supports(
            "synthesis.ai_like_motion",
            Hypothesis.AI_GENERATED,
            d.strength,
            "The frames move through embedding space as evenly as generated video tends to "
            f"({_score_text(d, head)}; about 5 % of real training clips score this high). A weak hint only: "
            f"the content check is {held}, and {NOT_CAMERA}.",
            span=span,
            data=data,
        )
    if d.kind == "fixed_camera":
        return Evidence.info(
            "synthesis.fixed_camera",
            Hypothesis.AI_GENERATED,
            f"The frames move through embedding space as evenly as generated video tends to "
            f"({_score_text(d, head)}), but {still or 0:.0%} of the picture holds still, as with a fixed "
            "camera, whose footage moves just as evenly: weakened to informational, not counted.",
            span=span,
            data=data,
        )
    return Evidence.info(
        "synthesis.no_finding",
        Hypothesis.AI_GENERATED,
        f"The frames' path in embedding space is not unusually even ({_score_text(d, head)}): no finding. "
        f"This is not evidence of camera footage: about half of recent generated videos score this low.",
        span=span,
        data=data,
    )


def measurement_sentence(name: str, value: float, real: RealRange | None) -> str:
    title, unit = TITLES[name], UNITS[name]
    shown = f"{value:.1f} {unit}" if unit == "degrees" else f"{value:.3f}"
    if real is None:
        where = ""
    elif value < real.low:
        where = (
            f", below the range of real training footage ({real.low:.3g}-{real.high:.3g}; lower looks more "
            "generated)"
        )
    elif value > real.high:
        where = f", above the range of real training footage ({real.low:.3g}-{real.high:.3g})"
    else:
        where = f", within the range of real training footage ({real.low:.3g}-{real.high:.3g})"
    return f"{title} {shown}: {WHAT[name]}{where}."


def measurement(name: str, value: float, sentence: str, direction: int, span: Span | None) -> Evidence:
    return Evidence.info(
        f"synthesis.{name}",
        Hypothesis.AI_GENERATED,
        sentence,
        span=span,
        data={"feature": name, "value": round(value, 6), "direction": direction},
    )
