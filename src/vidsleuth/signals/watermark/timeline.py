"""Geometry of a mark's where-and-when timeline in the report: one lane per place the mark sat in the
frame (named on a 3 x 3 grid, "top left"), one bar per sighting over the video's duration, so that a
jumping mark is seen jumping. Pure numbers; the panel's template draws them."""

from __future__ import annotations

from dataclasses import dataclass

from vidsleuth.core.view import fmt_time
from vidsleuth.signals.watermark.metrics import Box


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


_STRIP_LEFT, _STRIP_W, _LANE_H, _LANE_GAP = 150.0, 850.0, 16.0, 6.0


def place_words(box: Box | None, frame: tuple[float, float] | None) -> str:
    """Where a box sits in the frame, on a 3 x 3 grid ("top left", "middle centre"); "" when unknown."""
    if box is None or frame is None:
        return ""
    x, y, w, h = box
    cx, cy = (x + w / 2) / frame[0], (y + h / 2) / frame[1]
    row = "top" if cy < 1 / 3 else "bottom" if cy > 2 / 3 else "middle"
    col = "left" if cx < 1 / 3 else "right" if cx > 2 / 3 else "centre"
    return f"{row} {col}"


def strip(spans: list[tuple[tuple[float, float], str, str]], duration: float) -> Strip | None:
    """The timeline of a mark's sightings, each given as (start, end), place, tooltip."""
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
