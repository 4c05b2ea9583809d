"""The fingerprint section of the report: which bank was searched and what matched there (with the
matching stretches on both sides), and the keyframes a person can drop on a reverse image search engine.

Bank items carry text typed by whoever banked them: a source "URL" becomes a link only when it is a
plain http(s) URL, and is shown as text otherwise. The only other links are the search engines' upload
pages (`vidsleuth.fingerprint.reverse_search`) and each keyframe's download from the page's own data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vidsleuth.core.panel import Panel, PanelView
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.view import (
    Claims,
    Linked,
    ThumbView,
    clip,
    fmt_span,
    fmt_time,
    http_url,
    linked,
    thumb_view,
)
from vidsleuth.fingerprint.reverse_search import search_links
from vidsleuth.signals.fingerprint.metrics import (
    BankInfo,
    FingerprintMetrics,
    PhotoMatch,
    Region,
    Segment,
    TimeRange,
    VideoMatch,
)

SHORT_TEXT = 500  # characters of a label, note or source shown (the JSON keeps it all)


@dataclass(frozen=True, slots=True)
class BankMatchView:
    link: Linked
    label: str
    note: str
    source_url: str | None  # only http(s) URLs; other text the bank holds is shown as text
    source_text: str
    strength: float
    strength_name: str
    rule: str
    query_pct: float | None
    item_pct: float | None
    segments: tuple[str, ...]  # where it matches, in words


@dataclass(frozen=True, slots=True)
class Keyframe:
    thumb: ThumbView
    time: str
    download_name: str


@dataclass(frozen=True, slots=True)
class FingerprintView:
    bank: str | None  # one line describing the bank searched, None when no bank was configured
    matches: tuple[BankMatchView, ...]
    keyframes: tuple[Keyframe, ...]
    engines: tuple[tuple[str, str], ...]  # (engine, upload page) for local reports

    @property
    def links(self) -> tuple[Linked, ...]:
        return tuple(m.link for m in self.matches)


def _range(r: TimeRange | None) -> str | None:
    return None if r is None else fmt_span(r.start_s, r.end_s)


def _segment(s: Segment) -> str | None:
    query = _range(s.query)
    if query is None:
        return None
    item = _range(s.item)
    return f"{query} here ↔ {item} in the banked video" if item else f"{query} here ↔ the banked photo"


def _region(r: Region | None) -> str | None:
    """A region given as fractions of the frame, in words."""
    if r is None:
        return None
    x1, y1 = min(1.0, r.x + r.w), min(1.0, r.y + r.h)
    x0, y0 = max(0.0, r.x), max(0.0, r.y)
    return f"x {100 * x0:.0f}–{100 * x1:.0f} %, y {100 * y0:.0f}–{100 * y1:.0f} % of the frame"


def bank_line(bank: BankInfo | None) -> str | None:
    if bank is None:
        return None

    def known(n: int | None) -> str:
        return "?" if n is None else str(n)

    where = clip(bank.location, SHORT_TEXT) or "bank"
    items, frames, revision = known(bank.items), known(bank.frames), known(bank.revision)
    return f"{where}: {items} items, {frames} frame hashes (revision {revision})"


def _match(m: PhotoMatch | VideoMatch, i: int, claims: Claims) -> BankMatchView:
    assert m.strength is not None  # Match.valid
    label = m.label or str(m.item_id)
    segments = [t for t in map(_segment, m.segments) if t]
    where = _region(m.region) if isinstance(m, PhotoMatch) else None
    if where:  # a photo found inside the frame (photo origin): where it sits
        segments.append(f"the banked photo fills {where}")
    code = "fingerprint.photo_origin" if isinstance(m, PhotoMatch) else "fingerprint.known_content"
    found = claims.claim(code, lambda d: d.get("item_id") == m.item_id)
    source = m.source_url or ""
    video = m if isinstance(m, VideoMatch) else None
    return BankMatchView(
        link=linked(f"fingerprint-match-{i + 1}", [found]),
        label=clip(label, SHORT_TEXT),
        note=clip(m.note or "", SHORT_TEXT),
        source_url=http_url(source),
        source_text=clip(source, SHORT_TEXT),
        strength=m.strength,
        strength_name=clip(m.strength_name, 100),
        rule=clip(m.rule, 100),
        query_pct=video.query_match_pct if video else None,
        item_pct=video.item_match_pct if video else None,
        segments=tuple(segments),
    )


def _download_name(time_s: float) -> str:
    return f"keyframe-{time_s:08.2f}s.jpg" if math.isfinite(time_s) and time_s >= 0 else "keyframe.jpg"


def fingerprint_view(report: Report, result: SignalResult) -> FingerprintView | None:
    """The bank search and the keyframes to search, or None when the signal did not run."""
    if result.status is not Status.OK:
        return None
    m = result.metrics_as(FingerprintMetrics)
    claims = Claims(result)
    matches = tuple(_match(x, i, claims) for i, x in enumerate(m.matches))
    keyframes = []
    for t in result.thumbnails:
        view = thumb_view(t)
        if view.src is None:
            continue
        keyframes.append(Keyframe(view, fmt_time(t.time_s), _download_name(t.time_s)))
    engines = tuple((link.engine, url) for link in search_links(None) if (url := http_url(link.url)))
    return FingerprintView(bank_line(m.bank), matches, tuple(keyframes), engines)


class FingerprintPanel(Panel):
    POSITION = 40

    def view(self, report: Report, result: SignalResult) -> PanelView | None:
        v = fingerprint_view(report, result)
        if v is None:
            return None
        return PanelView(
            anchor="fingerprint",
            title="Known content",
            context={"v": v},
            links=v.links,
            shows_thumbnails=True,
        )
