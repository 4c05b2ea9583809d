"""The synthesis section of the report: what the content check is validated for, its score against the
threshold, and one plot per measurement over the measured windows (each cut-free segment a short line at
its value, the range of real training footage shaded) with its sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from vidsleuth.core.evidence import Stance
from vidsleuth.core.panel import Panel, PanelView
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.view import (
    Claims,
    Gauge,
    Linked,
    Plot,
    as_number,
    clip,
    fmt_span,
    gauge,
    linked,
    md_text,
    plot,
    points,
)
from vidsleuth.signals.synthesis.metrics import MeasurePanel, SegmentRow, SynthesisMetrics

SHORT_TEXT = 300
DECISION_CODES = ("synthesis.ai_like_motion", "synthesis.fixed_camera", "synthesis.no_finding")


@dataclass(frozen=True, slots=True)
class MeasureCard:
    link: Linked
    title: str
    unit: str
    value: str
    sentence: str
    plot: Plot | None
    band: str  # the shaded range in words ("" when none)


@dataclass(frozen=True, slots=True)
class SynthesisView:
    statement: str
    decision: str
    decision_link: Linked
    counted: bool  # the decision is a (weak) finding, not informational
    hint: bool  # the score is above the threshold (counted or not)
    score_gauge: Gauge | None
    facts: str
    cards: tuple[MeasureCard, ...]

    @property
    def links(self) -> tuple[Linked, ...]:
        return (self.decision_link, *(c.link for c in self.cards))


def _series(rows: tuple[SegmentRow, ...], feature: str) -> list[tuple[float, float]]:
    """Each segment as a short horizontal line at its value (start and end points)."""
    xs: list[float] = []
    ys: list[float] = []
    for r in rows:
        v = as_number(getattr(r, feature, None))
        if v is None:
            continue
        xs += [r.start_s, max(r.end_s, r.start_s)]
        ys += [v, v]
    return points(xs, ys)


def _card(
    i: int, d: MeasurePanel, rows: tuple[SegmentRow, ...], claims: Claims, span: tuple[float, float] | None
) -> MeasureCard:
    band = (
        (d.real_band.low, d.real_band.high)
        if d.real_band.low is not None and d.real_band.high is not None
        else None
    )
    value = "n/a" if d.value is None else (f"{d.value:.1f}" if abs(d.value) >= 10 else f"{d.value:.3g}")
    return MeasureCard(
        link=linked(f"synthesis-{i + 1}", [claims.claim(d.code or f"synthesis.{d.feature}")]),
        title=clip(d.title, SHORT_TEXT),
        unit=clip(d.unit, 100),
        value=value,
        sentence=clip(d.sentence, 1000),
        plot=plot(_series(rows, d.feature), band, d.value, x_range=span),
        band=f"real training footage {band[0]:.3g}–{band[1]:.3g} (5th–95th percentile of segments)"
        if band
        else "",
    )


def synthesis_view(report: Report, result: SignalResult) -> SynthesisView | None:
    if result.status is not Status.OK:
        return None
    m = result.metrics_as(SynthesisMetrics)
    claims = Claims(result)
    found = next((i for i, e in enumerate(result.evidence) if e.code in DECISION_CODES), None)
    decision_link = linked(
        "synthesis-decision", [claims.claim(result.evidence[found].code)] if found is not None else []
    )
    decision = clip(result.evidence[found].summary, 1000) if found is not None else ""
    counted = found is not None and result.evidence[found].stance is not Stance.INFORMATIONAL
    hint = m.decision == "ai_like"
    duration = as_number(report.media.duration_s)
    span = (0.0, duration) if duration and duration > 0 else None
    cards = tuple(_card(i, d, m.segments, claims, span) for i, d in enumerate(m.panels[:10]))
    score_gauge = (
        gauge(m.score, m.abstain_low, m.threshold)
        if m.score is not None and m.abstain_low is not None and m.threshold is not None
        else None
    )
    first = min((r.start_s for r in m.segments), default=None)
    last = max((r.end_s for r in m.segments), default=None)
    facts = " · ".join(
        part
        for part in (
            f"{m.samples} samples" + (f" at {m.sample_rate:g} per second" if m.sample_rate else ""),
            f"{len(m.segments)} cut-free segment{'s' if len(m.segments) != 1 else ''}"
            + (f" between {fmt_span(first, last)}" if first is not None and last is not None else ""),
            f"{m.cuts} cut{'s' if m.cuts != 1 else ''} between samples" if m.cuts else "",
            f"{m.repeats} repeated frame{'s' if m.repeats != 1 else ''} left out" if m.repeats else "",
            f"{m.still_share:.0%} of the picture still" if m.still_share is not None else "",
            clip(m.backbone, 200),
        )
        if part
    )
    statement = clip(m.validation.statement, 1000) or "The content check's validation was not recorded."
    return SynthesisView(statement, decision, decision_link, counted, hint, score_gauge, facts, cards)


def _markdown(v: SynthesisView) -> tuple[str, ...]:
    out = ["## Content (synthesis)", "", f"_{md_text(v.statement)}_", ""]
    if v.decision:
        said = "Weak hint" if v.counted else "Hint, not counted" if v.hint else "No finding"
        out.append(f"- **{said}:** {md_text(v.decision)}")
    for c in v.cards:
        head, sep, rest = c.sentence.partition(": ")
        said = rest if sep and head.startswith(c.title) else c.sentence
        unit = f" ({md_text(c.unit)})" if c.unit else ""
        out.append(f"- **{md_text(c.title)}** {c.value}{unit}: {md_text(said)}")
    if v.facts:
        out.append(f"- {md_text(v.facts)}")
    out.append("")
    return tuple(out)


class SynthesisPanel(Panel):
    POSITION = 55

    def view(self, report: Report, result: SignalResult) -> PanelView | None:
        v = synthesis_view(report, result)
        if v is None:
            return None
        return PanelView(
            anchor="synthesis", title="Content", context={"v": v}, links=v.links, markdown=_markdown(v)
        )
