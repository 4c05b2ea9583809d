"""The motion section of the report: each measurement as a small card (value against its band, its
series over the video, its sentence), what does not apply, the camera speed and the shake spectrum.

The section opens by saying whether any measurement counts as evidence: by default none does; a
calibration the pipeline applied may have learned some (their findings then carry a stance and the
calibration's name in ``data["calibration"]``), and those cards say what weight it gave them.
"""

from __future__ import annotations

from dataclasses import dataclass

from vidsleuth.core.evidence import Evidence, Stance
from vidsleuth.core.panel import Panel, PanelView
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.view import (
    Claims,
    Gauge,
    Linked,
    Plot,
    as_number,
    as_text,
    clip,
    gauge,
    linked,
    md_text,
    plot,
    points,
)
from vidsleuth.signals.motion.features import fmt_value
from vidsleuth.signals.motion.metrics import MotionMetrics, Series, Spectrum

MAX_CARDS = 50  # measurements drawn; the JSON keeps them all
SHORT_TEXT = 300


@dataclass(frozen=True, slots=True)
class MotionCard:
    link: Linked
    title: str
    unit: str
    value: str
    sentence: str
    plotted: str  # what the plot shows, in words
    plot: Plot | None
    gauge: Gauge | None
    weight: str  # "" when informational, else what the calibration made of it


@dataclass(frozen=True, slots=True)
class MotionView:
    intro: str
    facts: str
    cards: tuple[MotionCard, ...]
    not_applicable: tuple[tuple[str, str, Linked], ...]  # title, sentence, link
    camera_speed: Plot | None
    spectrum: Plot | None
    learned: int

    @property
    def links(self) -> tuple[Linked, ...]:
        return tuple(c.link for c in self.cards) + tuple(link for _, _, link in self.not_applicable)


def _series_points(s: Series | Spectrum | None) -> list[tuple[float, float]]:
    if s is None:
        return []
    if isinstance(s, Spectrum):
        return points(s.freq_hz, s.power)
    return points(s.time_s, s.value)


def _calibration(e: Evidence) -> str:
    """The name of the calibration that weighed a finding (the pipeline's reweigh writes it)."""
    name = as_text(e.data.get("calibration"))
    return clip(name, 200) if name else ""


def _weight(e: Evidence | None) -> str:
    """What a calibration made of a measurement's finding; "" while it is informational."""
    if e is None or e.stance is Stance.INFORMATIONAL:
        return ""
    name = _calibration(e) or "(unnamed)"
    return (
        f"counts as evidence: {e.stance.value} {e.hypothesis.value.replace('_', ' ')}, strength "
        f"{e.strength:.2f}, as learned by the calibration {name}"
    )


def motion_view(report: Report, result: SignalResult) -> MotionView | None:
    """The motion signal's measurements as small plots with their sentences, or None."""
    if result.status is not Status.OK:
        return None
    m = result.metrics_as(MotionMetrics)
    calibration = next((n for n in map(_calibration, result.evidence) if n), "")
    claims = Claims(result)
    media_duration = as_number(report.media.duration_s)
    span = (0.0, media_duration) if media_duration and media_duration > 0 else None  # one time axis for all
    cards: list[MotionCard] = []
    na: list[tuple[str, str, Linked]] = []
    for i, d in enumerate(m.panels[:MAX_CARDS]):
        title = clip(d.title, SHORT_TEXT)
        found = claims.claim(d.code or f"motion.{d.feature}")
        link = linked(f"motion-{i + 1}", [found])
        sentence = clip(d.sentence, 1000)
        if d.value is None:
            na.append((title, sentence, link))
            continue
        low, high = d.bands.low, d.bands.high
        # What the series shows comes from the signal; a report without it gets no band on the plot.
        plotted = clip(d.series_shows, 200) or "the measurement over time"
        same_unit = d.series_in_value_unit
        band = (low, high) if same_unit and low is not None and high is not None and low <= high else None
        cards.append(
            MotionCard(
                link=link,
                title=title,
                unit=clip(d.unit, 100),
                value=fmt_value(d.value),
                sentence=sentence,
                plotted=plotted,
                plot=plot(_series_points(d.series), band, d.value if same_unit else None, x_range=span),
                gauge=gauge(d.value, low, high),
                weight=_weight(result.evidence[found] if found is not None else None),
            )
        )
    camera_speed = plot(_series_points(m.camera_speed), x_range=span)
    spectrum = plot(_series_points(m.camera_spectrum), x_unit="Hz")
    if not cards and not na and camera_speed is None:
        return None
    learned = sum(1 for c in cards if c.weight)
    where = f" ({calibration})" if calibration else ""
    if learned:
        intro = (
            "By default these measurements are informational, not evidence. The calibration used here"
            f"{where} learned {learned} of them from labelled videos; those are marked below with the "
            "weight it gave them. The others are shown for a person to check and do not move the verdict."
        )
    else:
        intro = (
            "These measurements are informational, not evidence: they are shown for a person to check and "
            "do not move the verdict. Only a calibration fitted on labelled videos can make one count, and "
            f"the calibration used here{where} learned none of them."
        )
    frames, fps, moving = m.frames_analysed, m.sample_fps, m.camera_moving_share
    facts = " · ".join(
        part
        for part in (
            f"{frames:g} frames analysed" + (f" at {fps:g} per second" if fps else "") if frames else "",
            f"the camera moves in {moving:.0%} of the sampled time" if moving is not None else "",
        )
        if part
    )
    return MotionView(intro, facts, tuple(cards), tuple(na), camera_speed, spectrum, learned)


def _markdown(v: MotionView) -> tuple[str, ...]:
    """One line per measurement, said to be informational unless a calibration learned it."""
    out = ["## Motion and noise", "", f"_{md_text(v.intro)}_", ""]
    for c in v.cards:
        unit = f" ({md_text(c.unit)})" if c.unit else ""
        # The signal's sentences start with the title and value ("Camera shake 0.21 (ratio): ..."): said once.
        head, sep, rest = c.sentence.partition(": ")
        said = rest if sep and head.startswith(c.title) else c.sentence
        weight = f" **{md_text(c.weight.capitalize())}.**" if c.weight else ""
        out.append(f"- **{md_text(c.title)}** {c.value}{unit}: {md_text(said)}{weight}")
    if v.not_applicable:
        out.append("- Does not apply to this video: " + ", ".join(md_text(t) for t, _, _ in v.not_applicable))
    out.append("")
    return tuple(out)


class MotionPanel(Panel):
    POSITION = 50

    def view(self, report: Report, result: SignalResult) -> PanelView | None:
        v = motion_view(report, result)
        if v is None:
            return None
        return PanelView(
            anchor="motion", title="Motion", context={"v": v}, links=v.links, markdown=_markdown(v)
        )
