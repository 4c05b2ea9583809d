"""The shots section of the report: a timeline of shots, cuts, fades and the frame-difference score,
the keyframes, and the shot list."""

from __future__ import annotations

import math
from dataclasses import dataclass

from vidsleuth.core.panel import Panel, PanelView
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.view import ThumbView, as_number, fmt_time, md_table, md_text, thumb_view
from vidsleuth.signals.shots.metrics import ShotRow, ShotsMetrics

MAX_SHOT_ROWS = 30  # in the Markdown report; the HTML lists them all


@dataclass(frozen=True, slots=True)
class Timeline:
    """SVG geometry of the shot timeline, in a 1000-unit-wide view box; the template draws it."""

    height: float
    bars: tuple[tuple[float, float, str, str, str], ...]  # x, width, css class, tooltip, label
    cuts: tuple[tuple[float, str], ...]  # x, tooltip
    fades: tuple[tuple[float, float, str], ...]  # x, width, tooltip
    line: str  # polyline points of the score series ("" when there is none)
    plot: tuple[float, float]  # top and bottom of the score plot
    threshold: tuple[float, str] | None  # y, label
    ticks: tuple[tuple[float, str], ...]  # x, label
    axis_y: float


@dataclass(frozen=True, slots=True)
class ShotsView:
    shots: tuple[ShotRow, ...]
    cuts_s: tuple[float, ...]
    fades: tuple[tuple[float, float], ...]
    series: tuple[tuple[float, float], ...]  # (time_s, score), at least two points or none
    threshold: float | None
    duration_s: float
    keyframes: tuple[ThumbView, ...]
    timeline: Timeline | None = None


def shots_view(report: Report, result: SignalResult) -> ShotsView | None:
    """The timeline's inputs, or None when the signal did not run or found no shots."""
    if result.status is not Status.OK:
        return None
    m = result.metrics_as(ShotsMetrics)
    if not m.shots:
        return None
    media_duration = as_number(report.media.duration_s) or 0.0
    duration = max(media_duration, max(s.end_s for s in m.shots))
    if duration <= 0:
        return None

    def inside(t: float) -> bool:
        return 0.0 <= t <= duration

    series = tuple(
        (t, y) for t, y in zip(m.score_series.time_s, m.score_series.score, strict=False) if inside(t)
    )
    view = ShotsView(
        shots=m.shots,
        cuts_s=tuple(t for t in m.cuts_s if inside(t)),
        fades=tuple((f.start_s, f.end_s) for f in m.fades if inside(f.start_s) and inside(f.end_s)),
        series=series if len(series) >= 2 else (),
        threshold=m.threshold,
        duration_s=duration,
        keyframes=tuple(thumb_view(t) for t in result.thumbnails),
    )
    return ShotsView(**{**{k: getattr(view, k) for k in view.__slots__}, "timeline": timeline(view)})


_WIDTH = 1000.0
_BAR_TOP, _BAR_H, _PLOT_TOP, _PLOT_H = 4.0, 26.0, 44.0, 70.0
_TICK_STEPS = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


def _tick_label(t: float) -> str:
    if t < 60:
        return f"{t:g} s"
    m, s = divmod(round(t), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"


def _thin(points: tuple[tuple[float, float], ...], limit: int) -> list[tuple[float, float]]:
    """At most about `limit` points, keeping each bucket's peak so that spikes stay visible."""
    if len(points) <= limit:
        return list(points)
    size = math.ceil(len(points) / limit)
    return [max(points[i : i + size], key=lambda p: p[1]) for i in range(0, len(points), size)]


def timeline(p: ShotsView) -> Timeline:
    scale = _WIDTH / p.duration_s

    def x(t: float) -> float:
        return round(t * scale, 2)

    bars = []
    for i, s in enumerate(p.shots):
        w = max(x(s.end_s) - x(s.start_s), 0.8)
        tip = f"Shot {s.index}: {fmt_time(s.start_s)} – {fmt_time(s.end_s)} ({s.end_s - s.start_s:.2f} s)"
        bars.append((x(s.start_s), round(w, 2), f"shot-{'ab'[i % 2]}", tip, str(s.index) if w >= 24 else ""))
    line, threshold, bottom = "", None, _BAR_TOP + _BAR_H
    if p.series:
        points = _thin(p.series, 800)
        values = [y for _, y in points] + ([p.threshold] if p.threshold is not None else [])
        lo = min(0.0, *values)
        span = (max(values) - lo) * 1.05 or 1.0

        def y(v: float) -> float:
            return round(_PLOT_TOP + _PLOT_H * (1 - (v - lo) / span), 2)

        line = " ".join(f"{x(t)},{y(v)}" for t, v in points)
        if p.threshold is not None:
            threshold = (y(p.threshold), f"threshold {p.threshold:g}")
        bottom = _PLOT_TOP + _PLOT_H
    step = next((s for s in _TICK_STEPS if p.duration_s / s <= 8), math.ceil(p.duration_s / 8))
    ticks = tuple((x(k * step), _tick_label(k * step)) for k in range(int(p.duration_s // step) + 1))
    return Timeline(
        height=bottom + 22,
        bars=tuple(bars),
        cuts=tuple((x(t), f"cut at {fmt_time(t)}") for t in p.cuts_s),
        fades=tuple((x(a), max(x(b) - x(a), 1.0), f"fade {fmt_time(a)} – {fmt_time(b)}") for a, b in p.fades),
        line=line,
        plot=(_PLOT_TOP, _PLOT_TOP + _PLOT_H),
        threshold=threshold,
        ticks=ticks,
        axis_y=bottom + 16,
    )


def _markdown(v: ShotsView) -> tuple[str, ...]:
    n = len(v.shots)
    out = ["## Shots", "", f"{n} shot{'s' if n != 1 else ''} over {fmt_time(v.duration_s)}.", ""]
    rows = [
        (
            str(s.index),
            fmt_time(s.start_s),
            fmt_time(s.end_s),
            f"{s.end_s - s.start_s:.2f} s",
            md_text(s.transition),
        )
        for s in v.shots[:MAX_SHOT_ROWS]
    ]
    out += md_table(("Shot", "Start", "End", "Length", "Starts with"), rows)
    if n > MAX_SHOT_ROWS:
        out.append(f"\n… and {n - MAX_SHOT_ROWS} more shots in the JSON or HTML report.")
    out.append("")
    return tuple(out)


class ShotsPanel(Panel):
    POSITION = 30

    def view(self, report: Report, result: SignalResult) -> PanelView | None:
        v = shots_view(report, result)
        if v is None:
            return None
        return PanelView(
            anchor="shots",
            title="Shots",
            context={"v": v, "t": v.timeline},
            markdown=_markdown(v),
            shows_thumbnails=True,
        )
