"""The models section of the report: for each of your models, its card's facts (training data, validated
AUC and on what, decision threshold), what it gave over the video (a plot of P(positive) per frame or
clip, the threshold dashed) and the finding that cites the card.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vidsleuth.core.panel import Panel, PanelView
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.view import Claims, Linked, Plot, as_number, clip, linked, md_text, plot, points
from vidsleuth.signals.models.findings import CODE
from vidsleuth.signals.models.metrics import ModelRow, ModelsMetrics

MAX_MODELS = 20
WORDS = {
    "flagged": "flags the video",
    "below_threshold": "below its threshold",
    "no_threshold": "no threshold on its card",
    "not_scored": "nothing scored",
}


@dataclass(frozen=True, slots=True)
class ModelCardView:
    link: Linked
    name: str
    facts: tuple[tuple[str, str], ...]  # label, value
    decision: str
    counted: bool
    plot: Plot | None
    sentence: str


def _fmt(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _view(
    i: int, row: ModelRow, claims: Claims, result: SignalResult, span: tuple[float, float] | None
) -> ModelCardView:
    def is_this(data: Mapping[str, Any]) -> bool:
        return data.get("model") == row.name

    found = claims.claim(CODE, is_this)
    sentence = clip(result.evidence[found].summary, 1200) if found is not None else ""
    unit = "frames" if row.kind == "image" else f"clips of {row.frames_per_clip} frames"
    facts = (
        ("card", f"{clip(row.card, 200)} (model {clip(row.file, 200)}, sha256 {row.sha256[:12]}…)"),
        ("kind", f"{row.kind}, input {'×'.join(str(v) for v in row.input_size)}"),
        ("trained on", clip(row.training, 400)),
        (
            "validated",
            f"AUC {_fmt(row.validated_auc)} on {clip(row.validated_on, 300)}"
            + (f" ({clip(row.validated_date, 40)})" if row.validated_date else ""),
        ),
        (
            "decision threshold",
            "none"
            if row.threshold is None
            else f"{row.threshold:.2f} (false-positive rate {_fmt(row.false_positive_rate, 3)} there, "
            "per the card)",
        ),
        (
            "scored",
            f"{row.scored} {unit}: P({clip(row.positive, 60)}) mean {_fmt(row.mean)}, median "
            f"{_fmt(row.median)}, max {_fmt(row.maximum)}",
        ),
    )
    pts = points([s.time_s for s in row.scores], [s.p for s in row.scores])
    return ModelCardView(
        link=linked(f"models-{i + 1}", [found]),
        name=clip(row.name, 200),
        facts=facts,
        decision=WORDS.get(row.decision, clip(row.decision, 60)),
        counted=row.strength > 0,
        plot=plot(pts, None, as_number(row.threshold), x_range=span),
        sentence=sentence,
    )


def models_view(report: Report, result: SignalResult) -> tuple[ModelCardView, ...]:
    if result.status is not Status.OK:
        return ()
    m = result.metrics_as(ModelsMetrics)
    claims = Claims(result)
    duration = as_number(report.media.duration_s)
    span = (0.0, duration) if duration and duration > 0 else None
    return tuple(_view(i, r, claims, result, span) for i, r in enumerate(m.models[:MAX_MODELS]))


def _markdown(cards: tuple[ModelCardView, ...]) -> tuple[str, ...]:
    out = ["## Your models", ""]
    for c in cards:
        out.append(f"- **{md_text(c.name)}** ({md_text(c.decision)}): {md_text(c.sentence)}")
    out.append("")
    return tuple(out)


class ModelsPanel(Panel):
    POSITION = 58

    def view(self, report: Report, result: SignalResult) -> PanelView | None:
        cards = models_view(report, result)
        if not cards:
            return None
        return PanelView(
            anchor="models",
            title="Your models",
            context={"cards": cards},
            links=tuple(c.link for c in cards),
            markdown=_markdown(cards),
        )
