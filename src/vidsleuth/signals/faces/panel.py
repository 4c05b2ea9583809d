"""The faces section of the report: what was examined and with what validated power, a timeline with one
lane per face track, the tracks' thumbnails, reference-photo matches shown side by side with the face,
the boundary heatmap, and one small card per cue (value, plot over time, sentence).

Cue findings are informational unless the run's calibration learned them; a card then says what weight it
gave. Everything comes from the typed metrics (a hand-edited report reads as defaults, never a crash).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vidsleuth.core.evidence import Evidence, Stance
from vidsleuth.core.panel import Panel, PanelView
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.view import (
    Claims,
    Linked,
    Plot,
    ThumbView,
    as_number,
    as_text,
    clip,
    fmt_span,
    fmt_time,
    linked,
    md_text,
    plot,
    points,
    thumb_at,
)
from vidsleuth.signals.faces.cues import fmt_value
from vidsleuth.signals.faces.metrics import FacesMetrics, MatchRow, TrackRow, Validation

_NOTES = (
    "faces.examined",
    "faces.not_examined",
    "faces.too_small",
    "faces.reference_no_face",
    "faces.no_reference_match",
)
MAX_LANES = 30
MAX_CARDS = 20
_WIDTH, _LEFT, _LANE_H, _GAP = 1000.0, 70.0, 20.0, 6.0
_TICK_STEPS = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
_SIGN_WORDS = {
    "animated": "animated-photo sign: the photo's background, the head moving",
    "static": "the photo itself, shown still",
    "none": "no animated-photo sign (the video's background is not the photo's)",
    "not checked": "",
}


@dataclass(frozen=True, slots=True)
class FaceTimeline:
    height: float
    left: float
    lane_h: float
    lanes: tuple[tuple[float, str], ...]  # y, label
    bars: tuple[tuple[float, float, float, str, str], ...]  # x, y, width, css class, tooltip
    ticks: tuple[tuple[float, str], ...]
    axis_y: float


@dataclass(frozen=True, slots=True)
class TrackView:
    label: str
    span: str
    size: str
    note: str
    thumb: ThumbView | None


@dataclass(frozen=True, slots=True)
class MatchView:
    link: Linked
    title: str
    sentence: str
    kind: str
    sign: str
    photo: ThumbView | None
    face: ThumbView | None


@dataclass(frozen=True, slots=True)
class CueCard:
    link: Linked
    title: str
    unit: str
    value: str
    sentence: str
    plotted: str
    plot: Plot | None
    weight: str


@dataclass(frozen=True, slots=True)
class FacesView:
    intro: str
    facts: str
    timeline: FaceTimeline | None
    tracks: tuple[TrackView, ...]
    matches: tuple[MatchView, ...]
    notes: tuple[tuple[str, Linked], ...]  # other findings (reference without a face, too small...)
    heatmap: ThumbView | None
    heatmap_caption: str
    cards: tuple[CueCard, ...]
    not_applicable: tuple[str, ...]

    @property
    def links(self) -> tuple[Linked, ...]:
        return (
            tuple(m.link for m in self.matches)
            + tuple(link for _, link in self.notes)
            + tuple(c.link for c in self.cards)
        )


def _label(track_id: int) -> str:
    return f"Face {track_id + 1}"


def _tick_label(t: float) -> str:
    if t < 60:
        return f"{t:g} s"
    m, s = divmod(round(t), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"


def timeline(tracks: tuple[TrackRow, ...], duration: float) -> FaceTimeline | None:
    """One lane per track (at most MAX_LANES), a bar where the face was seen."""
    rows = [t for t in tracks if t.segments][:MAX_LANES]
    if not rows or duration <= 0:
        return None
    scale = (_WIDTH - _LEFT) / duration

    def x(t: float) -> float:
        return round(_LEFT + min(max(t, 0.0), duration) * scale, 2)

    lanes, bars = [], []
    for i, row in enumerate(rows):
        y = 4 + i * (_LANE_H + _GAP)
        lanes.append((y, _label(row.track_id)))
        css = "shot-a" if row.main else "shot-b"
        for seg in row.segments:
            tip = f"{_label(row.track_id)}: {fmt_span(seg.start_s, seg.end_s)}"
            bars.append((x(seg.start_s), y, round(max(x(seg.end_s) - x(seg.start_s), 2.0), 2), css, tip))
    bottom = 4 + len(rows) * (_LANE_H + _GAP)
    step = next((s for s in _TICK_STEPS if duration / s <= 8), math.ceil(duration / 8))
    ticks = tuple((x(k * step), _tick_label(k * step)) for k in range(int(duration // step) + 1))
    return FaceTimeline(bottom + 22, _LEFT, _LANE_H, tuple(lanes), tuple(bars), ticks, bottom + 16)


def _calibration(e: Evidence | None) -> str:
    if e is None or e.stance is Stance.INFORMATIONAL:
        return ""
    name = clip(as_text(e.data.get("calibration")) or "(unnamed)", 200)
    return (
        f"counts as evidence: {e.stance.value} {e.hypothesis.value.replace('_', ' ')}, strength "
        f"{e.strength:.2f}, as learned by the calibration {name}"
    )


def _validation(v: Validation) -> str:
    if v.auc is None:
        return "They have not been validated on labelled data."
    interval = f" [{v.low:.2f}, {v.high:.2f}]" if v.low is not None and v.high is not None else ""
    return (
        f"On labelled data a classifier on these cues reached AUC {v.auc:.2f}{interval} on {v.clips} clips "
        "(identity-grouped cross-validation): weak. A clean result does not rule out a face swap."
    )


def _track_views(m: FacesMetrics, result: SignalResult) -> tuple[TrackView, ...]:
    out = []
    for t in m.tracks[:MAX_LANES]:
        note = "main face: cues measured" if t.main else "examined" if t.examined else "seen too briefly"
        out.append(
            TrackView(
                _label(t.track_id),
                fmt_span(t.start_s, t.end_s),
                f"{t.face_px:.0f} px",
                note,
                thumb_at(result, t.thumbnail),
            )
        )
    return tuple(out)


def _match_views(m: FacesMetrics, result: SignalResult, claims: Claims) -> tuple[MatchView, ...]:
    out = []
    for i, row in enumerate(m.matches):
        code = "faces.reference_match" if row.kind == "match" else "faces.reference_possible_match"
        same = _same_pair(row)
        found = claims.claim(code, same)
        sign = claims.claim("faces.animated_photo", same)
        still = claims.claim("faces.photo_shown_still", same)
        sentence = result.evidence[found].summary if found is not None else _match_sentence(row)
        out.append(
            MatchView(
                link=linked(f"faces-match-{i + 1}", [found, sign, still]),
                title=f"{_label(row.track_id)} ~ {clip(row.reference, 200)}",
                sentence=clip(sentence, 1000),
                kind="match" if row.kind == "match" else "possible match",
                sign=_SIGN_WORDS.get(row.sign, ""),
                photo=thumb_at(result, row.reference_thumbnail),
                face=thumb_at(result, row.track_thumbnail),
            )
        )
    return tuple(out)


def _same_pair(row: MatchRow) -> Callable[[Mapping[str, Any]], bool]:
    """Whether a finding's data names this match's track and photo."""

    def test(d: Mapping[str, Any]) -> bool:
        return d.get("reference") == row.reference and d.get("track") == row.track_id

    return test


def _match_sentence(row: MatchRow) -> str:
    return f"distance {row.distance:.2f} (threshold {row.threshold:.2f}), {fmt_span(row.start_s, row.end_s)}"


def faces_view(report: Report, result: SignalResult) -> FacesView | None:
    if result.status is not Status.OK:
        return None
    m = result.metrics_as(FacesMetrics)
    claims = Claims(result)
    duration = as_number(report.media.duration_s) or max((t.end_s for t in m.tracks), default=0.0)
    span = (0.0, duration) if duration > 0 else None
    matches = _match_views(m, result, claims)
    cards: list[CueCard] = []
    na: list[str] = []
    for i, d in enumerate(m.panels[:MAX_CARDS]):
        found = claims.claim(d.code or f"faces.{d.feature}")
        if d.value is None:
            na.append(clip(d.title, 300))
            continue
        series = points(d.series.time_s, d.series.value) if d.series is not None else []
        cards.append(
            CueCard(
                link=linked(f"faces-cue-{i + 1}", [found]),
                title=clip(d.title, 300),
                unit=clip(d.unit, 100),
                value=fmt_value(d.value),
                sentence=clip(d.sentence, 1000),
                plotted=clip(d.series_shows, 200) or "the measurement over time",
                plot=plot(series, x_range=span),
                weight=_calibration(result.evidence[found] if found is not None else None),
            )
        )
    notes = []
    for i, e in enumerate(result.evidence):
        if e.code in _NOTES:
            found = claims.claim(e.code)
            notes.append((clip(e.summary, 1000), linked(f"faces-note-{i + 1}", [found])))
    heat = thumb_at(result, m.heatmap.thumbnail) if m.heatmap is not None else None
    caption = ""
    if m.heatmap is not None and heat is not None:
        h = m.heatmap
        inside = f"{h.inside:.2f}" if h.inside is not None else "—"
        ring = f"{h.ring:.2f}" if h.ring is not None else "—"
        caption = (
            f"{_label(h.track_id)} at {fmt_time(h.time_s)}, the frame where the face was smoothest against "
            f"its surroundings: {clip(h.statistic, 200)}, dark = smooth; inside the white outline {inside}, "
            f"in the cyan ring around it {ring}."
        )
    main = next((t for t in m.tracks if t.main), None)
    facts = " · ".join(
        p
        for p in (
            f"{len(m.tracks)} face track{'s' if len(m.tracks) != 1 else ''}",
            f"{m.landmark_model} landmarks" if m.landmark_model else "",
            f"{m.frames_examined:,} of {m.frames_seen:,} frames looked at" if m.frames_seen else "",
            f"{m.descriptors} identity descriptors" if m.descriptors else "",
        )
        if p
    )
    intro = "No face was followed long enough to measure the face-swap cues: face swaps were not examined."
    if main is not None:
        intro = (
            f"The face-swap cues below were measured on {_label(main.track_id).lower()} "
            f"({fmt_span(main.start_s, main.end_s)}). They are measurements for a person to check, not "
            "evidence: only a calibration fitted on labelled videos can make one count. "
            + _validation(m.validation)
        )
    return FacesView(
        intro=intro,
        facts=facts,
        timeline=timeline(m.tracks, duration),
        tracks=_track_views(m, result),
        matches=matches,
        notes=tuple(notes),
        heatmap=heat,
        heatmap_caption=caption,
        cards=tuple(cards),
        not_applicable=tuple(na),
    )


def _markdown(v: FacesView) -> tuple[str, ...]:
    out = ["## Faces", "", f"_{md_text(v.intro)}_", ""]
    if v.facts:
        out += [md_text(v.facts), ""]
    for t in v.tracks:
        out.append(f"- **{md_text(t.label)}** {md_text(t.span)}, {md_text(t.size)}: {md_text(t.note)}")
    if v.tracks:
        out.append("")
    for mv in v.matches:
        sign = f" ({md_text(mv.sign)})" if mv.sign else ""
        out.append(f"- **{md_text(mv.title)}**: {md_text(mv.sentence)}{sign}")
    for text, _ in v.notes:
        out.append(f"- {md_text(text)}")
    for c in v.cards:
        weight = f" **{md_text(c.weight.capitalize())}.**" if c.weight else ""
        out.append(f"- **{md_text(c.title)}** {md_text(c.value)} ({md_text(c.unit)}){weight}")
    if v.not_applicable:
        out.append("- Does not apply to this video: " + ", ".join(md_text(t) for t in v.not_applicable))
    out.append("")
    return tuple(out)


class FacesPanel(Panel):
    POSITION = 55

    def view(self, report: Report, result: SignalResult) -> PanelView | None:
        v = faces_view(report, result)
        if v is None:
            return None
        return PanelView(
            anchor="faces",
            title="Faces",
            context={"v": v, "t": v.timeline},
            links=v.links,
            markdown=_markdown(v),
            shows_thumbnails=True,
        )
