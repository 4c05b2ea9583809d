"""Building blocks for report panels: formatting, thumbnails, links to evidence, small SVG plots.

Every signal draws its own section of the report (`vidsleuth.core.panel`); this module is what they
share, so that a number, a time or a plot looks the same in every section. Everything here is pure
computation on values that may come from a hand-edited or hostile report: text is cut to a length,
numbers are checked to be finite, and SVG geometry is computed as numbers that the template places.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vidsleuth.core.media import MediaInfo
from vidsleuth.core.result import SignalResult, Thumbnail

LONG_TEXT = 2000  # characters of a tag or data blob shown before it is cut (the JSON keeps it all)
MAX_POINTS = 300  # points per plotted series

# Values ------------------------------------------------------------------------------------------


def as_number(x: object) -> float | None:
    """A finite int or float (never a bool), else None."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    value = float(x)
    return value if math.isfinite(value) else None


def as_text(x: object) -> str | None:
    """A string, or a number written as one; anything else is None."""
    if isinstance(x, str):
        return x
    if isinstance(x, int | float) and not isinstance(x, bool):
        return str(x)
    return None


def clip(text: str, limit: int = LONG_TEXT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters in the JSON report)"


def fmt_time(s: float | None) -> str:
    """Seconds as "12.40 s", or "1:02.40" past a minute; "—" when unknown (None, NaN, infinite)."""
    if s is None or not math.isfinite(s):
        return "—"
    if s < 60:
        return f"{s:.2f} s"
    m, sec = divmod(s, 60)
    h, m = divmod(int(m), 60)
    return f"{h}:{m:02d}:{sec:05.2f}" if h else f"{m}:{sec:05.2f}"


def fmt_span(start_s: float | None, end_s: float | None) -> str:
    return "—" if start_s is None or end_s is None else f"{fmt_time(start_s)} – {fmt_time(end_s)}"


def fmt_size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit} ({n:,} bytes)"
    return f"{n:,} bytes"


def anchor_id(code: str) -> str:
    """A safe HTML id for an evidence code or a panel item."""
    return "ev-" + re.sub(r"[^A-Za-z0-9._-]", "-", code)


def http_url(text: str | None) -> str | None:
    """`text` when it is a plain http(s) URL, the only kind a report may link to; else None."""
    if not text:
        return None
    return text if re.match(r"https?://[^\s\"'<>]+$", text) else None


def frame_size(width: float | None, height: float | None, rotation: int = 0) -> tuple[float, float] | None:
    """Width and height as shown (rotation applied), or None when unknown."""
    if not width or not height or width <= 0 or height <= 0:
        return None
    return (height, width) if rotation % 180 == 90 else (width, height)


# Thumbnails -------------------------------------------------------------------------------------

_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


@dataclass(frozen=True, slots=True)
class ThumbView:
    label: str
    time: str
    src: str | None  # data: URI, or None when the data was not a base64 JPEG
    width: int | None
    height: int | None
    crop: str  # "crop x, y, w × h" in source pixels, or ""


def thumb_view(t: Thumbnail) -> ThumbView:
    data = t.jpeg_base64
    src = None
    if _BASE64.fullmatch(data):
        try:
            if base64.b64decode(data[:8]).startswith(b"\xff\xd8"):
                src = "data:image/jpeg;base64," + data
        except (binascii.Error, ValueError):
            src = None
    ok = 0 < t.width <= 4096 and 0 < t.height <= 4096
    crop = "crop at {}, {}, {} × {} px".format(*t.box) if t.box and len(t.box) == 4 else ""
    return ThumbView(
        t.label, fmt_time(t.time_s), src, t.width if ok else None, t.height if ok else None, crop
    )


def thumb_at(result: SignalResult, index: int | None) -> ThumbView | None:
    """The result's thumbnail number `index` (from its metrics), or None when there is no such one."""
    if index is None or not 0 <= index < len(result.thumbnails):
        return None
    t = result.thumbnails[index]
    if not isinstance(t.time_s, int | float) or not math.isfinite(t.time_s):
        return None
    return thumb_view(t)


# Links between panel items and the evidence table -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Linked:
    """A panel item's HTML id and the indexes of the findings (in its result's evidence) it shows."""

    anchor: str
    evidence: tuple[int, ...]


def linked(anchor: str, found: Iterable[int | None]) -> Linked:
    return Linked(anchor, tuple(i for i in found if i is not None))


class Claims:
    """Ties panel items to the result's evidence (each finding to at most one item), in order."""

    def __init__(self, result: SignalResult) -> None:
        self._evidence = result.evidence
        self._used: set[int] = set()

    def claim(self, code: str, match: Callable[[Mapping[str, Any]], bool] = lambda _: True) -> int | None:
        for i, e in enumerate(self._evidence):
            data = e.data if isinstance(e.data, Mapping) else {}
            if i not in self._used and e.code == code and match(data):
                self._used.add(i)
                return i
        return None


# Small plots -------------------------------------------------------------------------------------

# Small plot: view-box width, left edge and top and height of the plotting area (y labels sit left of it).
_PW, _PLEFT, _PTOP, _PH = 320.0, 50.0, 6.0, 64.0
# A gap in a series longer than this many typical steps breaks its line.
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


def points(xs: Sequence[float], ys: Sequence[float]) -> list[tuple[float, float]]:
    """Sorted (x, y) pairs of finite, sane values, thinned to at most MAX_POINTS."""
    pairs = sorted(
        (float(t), float(v))
        for t, v in zip(xs, ys, strict=False)
        if math.isfinite(t) and math.isfinite(v) and abs(t) <= _LIMIT and abs(v) <= _LIMIT
    )
    if len(pairs) > MAX_POINTS:
        step = math.ceil(len(pairs) / MAX_POINTS)
        pairs = pairs[::step]
    return pairs


def _tick(v: float) -> str:
    """An axis label of at most 7 characters, to fit left of the plot."""
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1e5 or a < 1e-3:
        return f"{v:.1e}"
    return f"{v:.0f}" if a >= 1000 else f"{v:.3g}"


def _runs(pts: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """The series split where it has a gap much longer than its typical step."""
    steps = sorted(b[0] - a[0] for a, b in itertools.pairwise(pts) if b[0] > a[0])
    if len(steps) < 2:
        return [pts]
    gap = _GAP_STEPS * steps[len(steps) // 2]
    runs = [[pts[0]]]
    for a, b in itertools.pairwise(pts):
        if b[0] - a[0] > gap:
            runs.append([])
        runs[-1].append(b)
    return runs


def plot(
    pts: list[tuple[float, float]],
    band: tuple[float, float] | None = None,
    ref: float | None = None,
    x_unit: str = "time",
    x_range: tuple[float, float] | None = None,
) -> Plot | None:
    """Geometry of a small line plot over `x_range` (default: the series' own), None without points.
    Constant and one-point series are drawn in the middle, never divided by zero."""
    if not pts:
        return None
    ts, vs = [t for t, _ in pts], [v for _, v in pts]
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

    runs = _runs(pts)
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


# Container and stream facts ---------------------------------------------------------------------
# The probe's facts (`MediaInfo`) as people read them: shown by the report frame and by the metadata
# section, so that a fact reads the same wherever it appears.

# Container names from the probe are FFmpeg's demuxer lists ("mov,mp4,m4a,3gp,3g2,mj2"); people read the
# format. ISO BMFF files say which flavour they are in their major brand.
_DEMUXERS = {
    "matroska,webm": "Matroska / WebM",
    "avi": "AVI",
    "gif": "GIF (animated)",
    "webp_pipe": "WebP",
    "apng": "APNG (animated PNG)",
    "mpegts": "MPEG transport stream",
    "flv": "Flash video (FLV)",
    "h264": "raw H.264 stream (no container)",
    "hevc": "raw H.265/HEVC stream (no container)",
    "mpeg": "MPEG program stream",
    "asf": "ASF / Windows Media",
    "ogg": "Ogg",
}
_BRANDS = {"qt": "QuickTime (MOV)", "3gp": "3GP", "3g2": "3G2", "m4v": "MP4 (M4V)", "m4a": "MP4 audio"}
_FACT_NAMES = {"duration_s": "duration", "pix_fmt": "pixel format", "frame_count": "frame count (declared)"}


def container_name(media: MediaInfo) -> str:
    """The container in words, with FFmpeg's demuxer name in brackets for the record."""
    demuxer = media.container
    if demuxer.startswith("mov,mp4"):
        brand = str(media.tags.get("major_brand", "")).strip().lower()
        name = next((v for k, v in _BRANDS.items() if brand.startswith(k)), "MP4 (ISO base media file)")
    else:
        name = _DEMUXERS.get(demuxer, "")
    return f"{name} [{demuxer}]" if name else demuxer


def fact_name(name: str) -> str:
    """A `StreamInfo` field's name in words ("pix_fmt" -> "pixel format")."""
    return _FACT_NAMES.get(name, name.replace("_", " "))


def fact_text(name: str, value: Any) -> str:
    """A probed fact with its unit ("29.97 fps", "90°")."""
    try:
        if name == "duration_s":
            return fmt_time(as_number(value))
        if name == "bit_rate" and isinstance(value, int):
            return f"{value:,} bit/s"
        if name in ("frame_rate", "nominal_frame_rate"):
            return f"{value:.3f} fps".replace(".000", "")
        if name == "sample_rate":
            return f"{value} Hz"
        if name == "rotation":
            return f"{value}°"
        return clip(str(value))
    except (TypeError, ValueError):  # a report read back from a file may hold any type here
        return clip(str(value))


# Markdown ----------------------------------------------------------------------------------------
# Much of the text is attacker-controlled (file names, tags, C2PA fields, OCR text), so every string is
# neutralised: `<`, `>` become entities, Markdown punctuation is backslash-escaped, link schemes are
# broken up, newlines folded and table pipes escaped, so a hostile string cannot add markup, links,
# images, lines or table columns.

_PUNCT = re.compile(r"([\\`*_\[\]|~&])")
_LINE_START = re.compile(r"^(\s*\d*)([#+=-]|(?<=\d)[.)](?=\s|$))")
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.:/+=@-]+")
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|file|javascript|data)(:)|\b(www)(\.)")


def md_text(value: object) -> str:
    """Plain text made safe for Markdown and for a table cell: one line, no markup, no links."""
    text = " ".join(str(value).split())
    text = _PUNCT.sub(r"\\\1", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    text = _AUTOLINK.sub(lambda m: f"{m[1] or m[3]}\\{m[2] or m[4]}", text)
    return _LINE_START.sub(r"\1\\\2", text)


def md_code(value: object) -> str:
    """An identifier (evidence code, hash, manifest label) as a code span; anything odd as plain text."""
    text = str(value)
    return f"`{text}`" if _IDENTIFIER.fullmatch(text) else md_text(text)


def md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return lines
