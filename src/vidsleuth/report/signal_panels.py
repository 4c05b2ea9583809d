"""Report panels for the `watermark` and `motion` signals: what was read in the picture, and how it moves.

Same contract as `vidsleuth.report.panels`: every value of a signal's metrics is type-checked, anything
not understood is skipped, and a panel that cannot be drawn is None. OCR text and handles are
attacker-controlled (anyone can burn text into a video), and a report may be read back from an edited
file, so nothing here is trusted to be a string, a finite number or an index in range. The geometry for
the inline SVG (timeline strips, small plots) is computed here, as numbers; the template draws it.
Metric shapes: docs/signals/watermark.md and docs/signals/motion.md ("Metrics (for the report panel)").
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vidsleuth.core.evidence import Evidence, Stance
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.report.panels import (
    ThumbView,
    as_list,
    as_map,
    as_number,
    as_text,
    clip,
    fmt_time,
    thumb_view,
)

# A handle read with less OCR confidence than this is flagged for checking by eye (the bar at which
# `vidsleuth.signals.watermark.findings` calls a reading clear, CLEAR_CONFIDENCE).
HANDLE_CLEAR = 0.9
MAX_ITEMS = 50  # detections, segments, overlays, hints or plots drawn per list; the JSON keeps them all
MAX_POINTS = 300  # points per plotted series (the motion signal already sends at most 300)
SHORT_TEXT = 300

# Shared readers ----------------------------------------------------------------------------------


def _text(x: object, limit: int = SHORT_TEXT) -> str:
    text = as_text(x)
    return clip(text, limit) if text else ""


def _index(x: object, n: int) -> int | None:
    """An integer index into a list of n items, else None."""
    v = as_number(x)
    if v is None or v != int(v) or not 0 <= v < n:
        return None
    return int(v)


def _thumb(result: SignalResult, x: object) -> ThumbView | None:
    i = _index(x, len(result.thumbnails))
    if i is None:
        return None
    t = result.thumbnails[i]
    if not isinstance(t.time_s, int | float) or not math.isfinite(t.time_s):
        return None
    return thumb_view(t)


def _span(d: Mapping[str, Any]) -> tuple[float, float] | None:
    a, b = as_number(d.get("start_s")), as_number(d.get("end_s"))
    if a is None or b is None or a < 0 or b < a:
        return None
    return a, b


def _span_text(span: tuple[float, float] | None) -> str:
    return f"{fmt_time(span[0])} – {fmt_time(span[1])}" if span else "—"


def _box(x: object) -> tuple[int, int, int, int] | None:
    values = [v for v in (as_number(v) for v in as_list(x)) if v is not None and 0 <= v <= 1e6]
    if len(values) != 4 or len(as_list(x)) != 4:
        return None
    x0, y0, w, h = (round(v) for v in values)
    return x0, y0, w, h


def _box_text(box: tuple[int, int, int, int] | None) -> str:
    return "x {}, y {}, {} × {} px".format(*box) if box else "—"


class _Claims:
    """Ties panel items to the result's evidence (each finding to at most one item), in order."""

    def __init__(self, result: SignalResult) -> None:
        self._evidence = result.evidence
        self._used: set[int] = set()

    def claim(self, code: str, match: Callable[[Mapping[str, Any]], bool] = lambda _: True) -> int | None:
        for i, e in enumerate(self._evidence):
            if i not in self._used and e.code == code and match(as_map(e.data)):
                self._used.add(i)
                return i
        return None


@dataclass(frozen=True, slots=True)
class Linked:
    """A panel item's HTML id and the indexes of the findings (in its result's evidence) it shows."""

    anchor: str
    evidence: tuple[int, ...]


def _linked(anchor: str, found: Iterable[int | None]) -> Linked:
    return Linked(anchor, tuple(i for i in found if i is not None))


# Watermark panel ---------------------------------------------------------------------------------

KIND_WORDS = {"generator_mark": "generator mark", "platform_label": "platform AI label"}
HINT_WORDS = {
    "crop": "frame cropped",
    "blur_patch": "blurred patch where a mark belongs",
    "missing_mark": "mark missing for a while",
}


@dataclass(frozen=True, slots=True)
class Sighting:
    span: str
    place: str  # "top left" etc., "" when the frame size is unknown
    box: str
    text: str
    confidence: float | None
    handle: str
    thumb: ThumbView | None


@dataclass(frozen=True, slots=True)
class Strip:
    """A detection's timeline, 1000 units wide: one lane per place the mark sat, one bar per sighting."""

    height: float
    left: float  # where the time axis starts (lane labels sit left of it)
    lane_h: float
    lanes: tuple[tuple[float, str], ...]  # y, label
    bars: tuple[tuple[float, float, float, str], ...]  # x, y, width, tooltip
    ticks: tuple[tuple[float, str], ...]  # x, label
    axis_y: float


@dataclass(frozen=True, slots=True)
class MarkCard:
    link: Linked
    generator: str
    name: str
    kind: str
    text: str
    confidence: float | None
    handle: str
    handle_confidence: float | None
    handle_clear: bool
    spellings: tuple[str, ...]  # other handle spellings read in single sightings
    strength: float | None
    mismatches: tuple[str, ...]
    span: str
    thumb: ThumbView | None
    sightings: tuple[Sighting, ...]
    strip: Strip | None


@dataclass(frozen=True, slots=True)
class OverlayCard:
    link: Linked
    span: str
    box: str
    text: str
    thumb: ThumbView | None


@dataclass(frozen=True, slots=True)
class HintCard:
    link: Linked
    kind: str
    summary: str
    strength: float | None
    span: str
    box: str
    thumb: ThumbView | None


@dataclass(frozen=True, slots=True)
class WatermarkPanel:
    marks: tuple[MarkCard, ...]
    overlays: tuple[OverlayCard, ...]
    hints: tuple[HintCard, ...]
    footer: str
    ocr_errors: tuple[str, ...]

    @property
    def links(self) -> tuple[Linked, ...]:
        cards: tuple[MarkCard | OverlayCard | HintCard, ...] = (*self.marks, *self.overlays, *self.hints)
        return tuple(c.link for c in cards)


_STRIP_LEFT, _STRIP_W, _LANE_H, _LANE_GAP = 150.0, 850.0, 16.0, 6.0


def _place(box: tuple[int, int, int, int] | None, frame: tuple[float, float] | None) -> str:
    if box is None or frame is None:
        return ""
    x, y, w, h = box
    cx, cy = (x + w / 2) / frame[0], (y + h / 2) / frame[1]
    row = "top" if cy < 1 / 3 else "bottom" if cy > 2 / 3 else "middle"
    col = "left" if cx < 1 / 3 else "right" if cx > 2 / 3 else "centre"
    return f"{row} {col}"


def _strip(spans: list[tuple[tuple[float, float], str, str]], duration: float) -> Strip | None:
    """spans: (start, end), place, tooltip per sighting."""
    if not spans or duration <= 0:
        return None
    places = list(dict.fromkeys(place for _, place, _ in spans))
    if len(places) > 9:  # "where" words are a 3 x 3 grid; anything else is not a place
        places = [""]
    lane_of = {p: i for i, p in enumerate(places)}
    scale = _STRIP_W / duration

    def x(t: float) -> float:
        return round(_STRIP_LEFT + min(t, duration) * scale, 2)

    def y(lane: int) -> float:
        return 4 + lane * (_LANE_H + _LANE_GAP)

    bars = tuple(
        (x(a), y(lane_of.get(p, 0)), round(max(x(b) - x(a), 3.0), 2), tip) for (a, b), p, tip in spans
    )
    bottom = y(len(places))
    ticks = tuple((x(t), fmt_time(t)) for t in (0.0, duration / 2, duration))
    return Strip(
        height=bottom + 20,
        left=_STRIP_LEFT,
        lane_h=_LANE_H,
        lanes=tuple((y(i), p or "seen") for i, p in enumerate(places)),
        bars=bars,
        ticks=ticks,
        axis_y=bottom + 14,
    )


def _frame_size(report: Report) -> tuple[float, float] | None:
    """Width and height of the picture as shown (boxes are in its pixels), or None when unknown."""
    v = report.media.video
    if v is None:
        return None
    w, h, rotation = as_number(v.width), as_number(v.height), as_number(v.rotation) or 0.0
    if not w or not h or w <= 0 or h <= 0:
        return None
    return (h, w) if rotation % 180 == 90 else (w, h)


def _mark_card(
    i: int,
    d: Mapping[str, Any],
    result: SignalResult,
    claims: _Claims,
    duration: float,
    frame: tuple[float, float] | None,
) -> MarkCard | None:
    generator, mark, name = _text(d.get("generator")), _text(d.get("mark")), _text(d.get("name"))
    if not (generator or mark or name):
        return None
    handle = _text(d.get("handle"))
    handle_conf = as_number(d.get("handle_confidence"))
    sightings, spans = [], []
    for raw in as_list(d.get("segments"))[:MAX_ITEMS]:
        s = as_map(raw)
        span = _span(s)
        if span is None:
            continue
        box = _box(s.get("box"))
        place = _place(box, frame)
        text, seg_handle = _text(s.get("text")), _text(s.get("handle"))
        sightings.append(
            Sighting(
                _span_text(span),
                place,
                _box_text(box),
                text,
                as_number(s.get("confidence")),
                seg_handle,
                _thumb(result, s.get("thumbnail_index")),
            )
        )
        tip = " · ".join(t for t in (_span_text(span), place, f'"{text}"' if text else "", seg_handle) if t)
        spans.append((span, place, tip))
    whole = _span(d)
    if not spans and whole is not None:  # an older or trimmed report: the mark's whole span as one bar
        spans.append((whole, "", _span_text(whole)))
    end = max((b for (_, b), _, _ in spans), default=0.0)
    kind = _text(d.get("kind"))
    code = "watermark.platform_label" if kind == "platform_label" else "watermark.generator_mark"
    link = _linked(
        f"watermark-mark-{i + 1}",
        (
            claims.claim(code, lambda e: not mark or e.get("mark") == mark),
            claims.claim("watermark.handle", lambda e: e.get("generator") == generator) if handle else None,
        ),
    )
    return MarkCard(
        link=link,
        generator=generator or name or mark,
        name=name,
        kind=KIND_WORDS.get(kind, kind),
        text=_text(d.get("text")),
        confidence=as_number(d.get("confidence")),
        handle=handle,
        handle_confidence=handle_conf,
        handle_clear=handle_conf is not None and handle_conf >= HANDLE_CLEAR,
        spellings=tuple(dict.fromkeys(s.handle for s in sightings if s.handle and s.handle != handle)),
        strength=as_number(d.get("strength")),
        mismatches=tuple(t for t in (_text(m, 500) for m in as_list(d.get("mismatches"))) if t),
        span=_span_text(whole),
        thumb=_thumb(result, d.get("thumbnail_index")),
        sightings=tuple(sightings),
        strip=_strip(spans, max(duration, end)),
    )


def _overlay_card(i: int, d: Mapping[str, Any], result: SignalResult, claims: _Claims) -> OverlayCard | None:
    span, box = _span(d), _box(d.get("box"))
    if span is None and box is None:
        return None
    link = _linked(
        f"watermark-overlay-{i + 1}",
        [claims.claim("watermark.unidentified_overlay", lambda e: _box(e.get("box")) == box)],
    )
    return OverlayCard(
        link, _span_text(span), _box_text(box), _text(d.get("text")), _thumb(result, d.get("thumbnail_index"))
    )


def _hint_card(i: int, d: Mapping[str, Any], result: SignalResult, claims: _Claims) -> HintCard | None:
    kind, summary = _text(d.get("kind")), _text(d.get("summary"), 1000)
    if not kind and not summary:
        return None
    link = _linked(
        f"watermark-hint-{i + 1}", [claims.claim("watermark.removal_hint", lambda e: e.get("kind") == kind)]
    )
    return HintCard(
        link,
        HINT_WORDS.get(kind, kind or "hint"),
        summary,
        as_number(d.get("strength")),
        _span_text(_span(d)),
        _box_text(_box(d.get("box"))),
        _thumb(result, d.get("thumbnail_index")),
    )


def _footer(m: Mapping[str, Any]) -> str:
    parts = []
    if engine := _text(m.get("ocr_engine")):
        parts.append(f"OCR engine: {engine}")
    reads, seconds = as_number(m.get("ocr_reads")), as_number(m.get("ocr_seconds"))
    if reads is not None:
        noun = "read" if reads == 1 else "reads"
        parts.append(f"{reads:g} {noun}" + (f" in {seconds:.2f} s" if seconds is not None else ""))
    frames, fps = as_number(m.get("frames_sampled")), as_number(m.get("sample_fps"))
    if frames is not None:
        parts.append(f"{frames:g} frames sampled" + (f" at {fps:g} per second" if fps else ""))
    return " · ".join(parts)


def watermark_panel(report: Report) -> WatermarkPanel | None:
    """The watermark signal's detections, overlays and removal hints, or None when there is nothing to
    show (signal absent, not run, or metrics it cannot read)."""
    result = report.result("watermark")
    if result is None or result.status is not Status.OK:
        return None
    m = as_map(result.metrics)
    raw_marks = m.get("detections")
    media_duration = as_number(report.media.duration_s) or 0.0
    duration = as_number(m.get("duration_s")) or media_duration
    claims, frame = _Claims(result), _frame_size(report)
    marks = [
        _mark_card(i, as_map(d), result, claims, duration, frame)
        for i, d in enumerate(as_list(raw_marks)[:MAX_ITEMS])
    ]
    overlays = [
        _overlay_card(i, as_map(d), result, claims)
        for i, d in enumerate(as_list(m.get("overlay_regions"))[:MAX_ITEMS])
    ]
    hints = [
        _hint_card(i, as_map(d), result, claims)
        for i, d in enumerate(as_list(m.get("removal_hints"))[:MAX_ITEMS])
    ]
    panel = WatermarkPanel(
        marks=tuple(c for c in marks if c),
        overlays=tuple(c for c in overlays if c),
        hints=tuple(c for c in hints if c),
        footer=_footer(m),
        ocr_errors=tuple(t for t in (_text(e, 500) for e in as_list(m.get("ocr_errors"))[:5]) if t),
    )
    searched = isinstance(raw_marks, list) and not raw_marks  # the signal looked and found no mark
    if not (panel.marks or panel.overlays or panel.hints or searched):
        return None
    return panel


# Motion panel ------------------------------------------------------------------------------------

# Small plot: view-box width, left edge and top and height of the plotting area (y labels sit left of it).
_PW, _PLEFT, _PTOP, _PH = 320.0, 50.0, 6.0, 64.0
# A gap in a series longer than this many typical steps breaks its line (the camera stood still there).
_GAP_STEPS = 3.0
_LIMIT = 1e12  # values beyond this are not measurements


@dataclass(frozen=True, slots=True)
class Plot:
    """A small line plot; y grows downwards."""

    width: float
    height: float
    left: float
    lines: tuple[str, ...]  # polyline points, one per unbroken run of the series
    dots: tuple[tuple[float, float], ...]  # runs of a single point
    band: tuple[float, float] | None  # y, height of the shaded band
    ref: float | None  # y of the measured value
    y_labels: tuple[str, str]  # top, bottom
    x_labels: tuple[str, str]  # left, right
    area: tuple[float, float]  # top, bottom of the plotting area


@dataclass(frozen=True, slots=True)
class Gauge:
    """The measured value on its own scale, with the band between `low` and `high` shaded."""

    width: float
    band: tuple[float, float]  # x, width
    marker: float
    labels: tuple[tuple[float, str], ...]  # x, text


@dataclass(frozen=True, slots=True)
class MotionCard:
    link: Linked
    title: str
    unit: str
    value: str
    sentence: str
    plotted: str
    plot: Plot | None
    gauge: Gauge | None
    weight: str  # "" when informational, else what the calibration made of it


@dataclass(frozen=True, slots=True)
class MotionPanel:
    intro: str
    facts: str
    cards: tuple[MotionCard, ...]
    not_applicable: tuple[tuple[str, str, Linked], ...]  # title, sentence
    camera_speed: Plot | None
    spectrum: Plot | None
    learned: int

    @property
    def links(self) -> tuple[Linked, ...]:
        return tuple(c.link for c in self.cards) + tuple(link for _, _, link in self.not_applicable)


def fmt_value(v: float) -> str:
    """As the motion signal's sentences write a value."""
    return f"{v:.2f}" if abs(v) < 100 else f"{v:.0f}"


def _points(x: object, tkey: str, vkey: str) -> list[tuple[float, float]]:
    d = as_map(x)
    pairs = zip(as_list(d.get(tkey)), as_list(d.get(vkey)), strict=False)
    points = sorted(
        (t, v)
        for t, v in ((as_number(a), as_number(b)) for a, b in pairs)
        if t is not None and v is not None and abs(t) <= _LIMIT and abs(v) <= _LIMIT
    )
    if len(points) > MAX_POINTS:
        step = math.ceil(len(points) / MAX_POINTS)
        points = points[::step]
    return points


def _tick(v: float) -> str:
    """An axis label of at most 7 characters, to fit left of the plot."""
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1e5 or a < 1e-3:
        return f"{v:.1e}"
    return f"{v:.0f}" if a >= 1000 else f"{v:.3g}"


def _runs(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """The series split where it has a gap much longer than its typical step."""
    steps = sorted(b[0] - a[0] for a, b in itertools.pairwise(points) if b[0] > a[0])
    if len(steps) < 2:
        return [points]
    gap = _GAP_STEPS * steps[len(steps) // 2]
    runs = [[points[0]]]
    for a, b in itertools.pairwise(points):
        if b[0] - a[0] > gap:
            runs.append([])
        runs[-1].append(b)
    return runs


def plot(
    points: list[tuple[float, float]],
    band: tuple[float, float] | None = None,
    ref: float | None = None,
    x_unit: str = "time",
    x_range: tuple[float, float] | None = None,
) -> Plot | None:
    """Geometry of a small line plot over `x_range` (default: the series' own), None without points.
    Constant and one-point series are drawn in the middle, never divided by zero."""
    if not points:
        return None
    ts, vs = [t for t, _ in points], [v for _, v in points]
    scale: list[float] = [*vs, *(band or ()), *((ref,) if ref is not None else ())]
    lo, hi = min(scale), max(scale)
    if hi - lo <= 1e-9 * max(1.0, abs(hi)):
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    t0, t1 = x_range or (ts[0], ts[-1])
    t0, t1 = min(t0, ts[0]), max(t1, ts[-1])
    width = _PW - _PLEFT

    def x(t: float) -> float:
        return round(_PLEFT + (width / 2 if t1 <= t0 else (t - t0) / (t1 - t0) * width), 2)

    def y(v: float) -> float:
        return round(_PTOP + _PH * (1 - (v - lo) / (hi - lo)), 2)

    runs = _runs(points)
    shade = None
    if band is not None:
        top, bottom = y(max(band)), y(min(band))
        shade = (top, round(max(bottom - top, 1.0), 2))
    time_like = x_unit == "time"
    return Plot(
        width=_PW,
        height=_PTOP + _PH + 16,
        left=_PLEFT,
        lines=tuple(" ".join(f"{x(t)},{y(v)}" for t, v in run) for run in runs if len(run) > 1),
        dots=tuple((x(run[0][0]), y(run[0][1])) for run in runs if len(run) == 1),
        band=shade,
        ref=y(ref) if ref is not None else None,
        y_labels=(_tick(hi), _tick(lo)),
        x_labels=(fmt_time(t0), fmt_time(t1)) if time_like else (f"{t0:g} {x_unit}", f"{t1:g} {x_unit}"),
        area=(_PTOP, _PTOP + _PH),
    )


def gauge(value: float, low: float | None, high: float | None) -> Gauge | None:
    """The value against its band, on a scale that holds both; None without a usable band."""
    if low is None or high is None or high < low:
        return None
    a, b = min(low, value), max(high, value)
    pad = (b - a) * 0.15 or max(abs(b), 1.0) * 0.1
    a, b = a - pad, b + pad

    def x(v: float) -> float:
        return round((v - a) / (b - a) * _PW, 2)

    left, right = x(low), x(high)
    labels: tuple[tuple[float, str], ...] = ((left, f"{low:g}"), (right, f"{high:g}"))
    if right - left < 40:  # too close for two labels
        labels = ((round((left + right) / 2, 2), f"{low:g}–{high:g}"),)
    return Gauge(width=_PW, band=(left, round(max(right - left, 1.0), 2)), marker=x(value), labels=labels)


def _weight(e: Evidence | None, calibration: str) -> str:
    """What a calibration made of a measurement's finding; "" while it is informational."""
    if e is None or e.stance is Stance.INFORMATIONAL:
        return ""
    name = _text(e.data.get("calibration"), 200) or calibration or "(unnamed)"  # a re-weigh names its own
    return (
        f"counts as evidence: {e.stance.value} {e.hypothesis.value.replace('_', ' ')}, strength "
        f"{e.strength:.2f}, as learned by the calibration {name}"
    )


def motion_panel(report: Report) -> MotionPanel | None:
    """The motion signal's measurements as small plots with their sentences, or None."""
    result = report.result("motion")
    if result is None or result.status is not Status.OK:
        return None
    m = as_map(result.metrics)
    calibration = _text(m.get("calibration"), 200)
    claims = _Claims(result)
    media_duration = as_number(report.media.duration_s)
    span = (0.0, media_duration) if media_duration and media_duration > 0 else None  # one time axis for all
    cards: list[MotionCard] = []
    na: list[tuple[str, str, Linked]] = []
    for i, raw in enumerate(as_list(m.get("panels"))[:MAX_ITEMS]):
        d = as_map(raw)
        title, feature = _text(d.get("title")), _text(d.get("feature"))
        code = _text(d.get("code")) or f"motion.{feature}"
        if not title:
            continue
        found = claims.claim(code)
        link = _linked(f"motion-{i + 1}", [found])
        sentence = _text(d.get("sentence"), 1000)
        value = as_number(d.get("value"))
        if value is None:
            na.append((title, sentence, link))
            continue
        bands = as_map(d.get("bands"))
        low, high = as_number(bands.get("low")), as_number(bands.get("high"))
        # What the series shows comes from the signal; a report without it gets no band on the plot.
        plotted = _text(d.get("series_shows"), 200) or "the measurement over time"
        same_unit = d.get("series_in_value_unit") is True
        band = (low, high) if same_unit and low is not None and high is not None and low <= high else None
        points = _points(d.get("series"), "time_s", "value")
        cards.append(
            MotionCard(
                link=link,
                title=title,
                unit=_text(d.get("unit"), 100),
                value=fmt_value(value),
                sentence=sentence,
                plotted=plotted,
                plot=plot(points, band, value if same_unit else None, x_range=span),
                gauge=gauge(value, low, high),
                weight=_weight(result.evidence[found] if found is not None else None, calibration),
            )
        )
    camera_speed = plot(_points(m.get("camera_speed"), "time_s", "value"), x_range=span)
    spectrum = plot(_points(m.get("camera_spectrum"), "freq_hz", "power"), x_unit="Hz")
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
    frames, fps = as_number(m.get("frames_analysed")), as_number(m.get("sample_fps"))
    moving = as_number(m.get("camera_moving_share"))
    facts = " · ".join(
        part
        for part in (
            f"{frames:g} frames analysed" + (f" at {fps:g} per second" if fps else "") if frames else "",
            f"the camera moves in {moving:.0%} of the sampled time" if moving is not None else "",
        )
        if part
    )
    return MotionPanel(intro, facts, tuple(cards), tuple(na), camera_speed, spectrum, learned)
