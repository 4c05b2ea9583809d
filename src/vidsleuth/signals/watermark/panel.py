"""The watermark section of the report: one card per mark found (the crop OCR read, the text, the @handle
as a lead, a where-and-when timeline of its sightings), persistent overlays that match no mark, removal
hints, and what the OCR cost.

OCR text and handles are attacker-controlled (anyone can burn text into a video) and a report may be read
back from an edited file: the typed metrics (`metrics.py`) drop values of the wrong type, and this module
checks what types cannot say (a box inside sane pixel values, a time span that runs forwards, a thumbnail
index in range) and cuts long text. The timeline's geometry is computed in `timeline.py`, as numbers;
the template draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from vidsleuth.core import shape
from vidsleuth.core.panel import Panel, PanelView
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.view import (
    Claims,
    Linked,
    ThumbView,
    as_number,
    clip,
    fmt_span,
    frame_size,
    linked,
    md_code,
    md_text,
    thumb_at,
)
from vidsleuth.signals.watermark.findings import CLEAR_CONFIDENCE
from vidsleuth.signals.watermark.metrics import (
    Box,
    MarkDetection,
    OverlayRegion,
    RemovalHint,
    WatermarkMetrics,
)
from vidsleuth.signals.watermark.timeline import Strip, place_words, strip

# A handle read with less OCR confidence than the signal's clear-read bar is flagged for checking by eye.
HANDLE_CLEAR = CLEAR_CONFIDENCE
MAX_ITEMS = 50  # detections, sightings, overlays or hints drawn per list; the JSON keeps them all
MAX_SIGHTINGS = 12  # sightings listed per mark in the Markdown report
SHORT_TEXT = 300  # characters of OCR text, names and handles shown
LONG_TEXT = 1000  # ... of a hint's summary
NOTE_TEXT = 500  # ... of a mismatch or an OCR error
MAX_BOX = 1_000_000  # pixel values beyond this are not a box in a picture

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
    votes: str  # how the reads voted: "read 4 of 5 times; runner-up @x, read once" ("" when not reported)
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
class WatermarkView:
    marks: tuple[MarkCard, ...]
    overlays: tuple[OverlayCard, ...]
    hints: tuple[HintCard, ...]
    footer: str
    ocr_errors: tuple[str, ...]

    @property
    def links(self) -> tuple[Linked, ...]:
        cards: tuple[MarkCard | OverlayCard | HintCard, ...] = (*self.marks, *self.overlays, *self.hints)
        return tuple(c.link for c in cards)


# Small readers -----------------------------------------------------------------------------------


def _text(x: str | None, limit: int = SHORT_TEXT) -> str:
    return clip(x, limit) if x else ""


def _box(x: object) -> Box | None:
    """A box of sane pixel values (from the metrics, or from a finding's data), else None."""
    try:
        box: Box = shape.coerce(Box, x)
    except ValueError:
        return None
    return box if all(0 <= v <= MAX_BOX for v in box) else None


def _box_text(box: Box | None) -> str:
    return "x {}, y {}, {} × {} px".format(*box) if box else "—"


def _span_text(span: tuple[float, float] | None) -> str:
    return fmt_span(*span) if span else "—"


# Cards -------------------------------------------------------------------------------------------


def _mark_card(
    i: int,
    d: MarkDetection,
    result: SignalResult,
    claims: Claims,
    duration: float,
    frame: tuple[float, float] | None,
) -> MarkCard:
    generator, mark, name = _text(d.generator), _text(d.mark), _text(d.name)
    handle = _text(d.handle)
    sightings, spans = [], []
    for s in d.segments[:MAX_ITEMS]:
        span = s.span
        if span is None:
            continue
        box = _box(s.box)
        place = place_words(box, frame)
        text, seg_handle = _text(s.text), _text(s.handle)
        sightings.append(
            Sighting(
                _span_text(span),
                place,
                _box_text(box),
                text,
                s.confidence,
                seg_handle,
                thumb_at(result, s.thumbnail_index),
            )
        )
        tip = " · ".join(t for t in (_span_text(span), place, f'"{text}"' if text else "", seg_handle) if t)
        spans.append((span, place, tip))
    whole = d.span
    if not spans and whole is not None:  # an older or trimmed report: the mark's whole span as one bar
        spans.append((whole, "", _span_text(whole)))
    end = max((b for (_, b), _, _ in spans), default=0.0)
    code = "watermark.platform_label" if d.kind == "platform_label" else "watermark.generator_mark"
    link = linked(
        f"watermark-mark-{i + 1}",
        (
            claims.claim(code, lambda e: not d.mark or e.get("mark") == d.mark),
            claims.claim("watermark.handle", lambda e: e.get("generator") == d.generator) if handle else None,
        ),
    )
    return MarkCard(
        link=link,
        generator=generator or name or mark,
        name=name,
        kind=_text(KIND_WORDS.get(d.kind, d.kind)),
        text=_text(d.text),
        confidence=d.confidence,
        handle=handle,
        handle_confidence=d.handle_confidence,
        handle_clear=d.handle_confidence is not None and d.handle_confidence >= HANDLE_CLEAR,
        spellings=tuple(dict.fromkeys(s.handle for s in sightings if s.handle and s.handle != handle)),
        votes=_votes(d),
        strength=d.strength,
        mismatches=tuple(t for t in (_text(m, NOTE_TEXT) for m in d.mismatches) if t),
        span=_span_text(whole),
        thumb=thumb_at(result, d.thumbnail_index),
        sightings=tuple(sightings),
        strip=strip(spans, max(duration, end)),
    )


def _overlay_card(i: int, d: OverlayRegion, result: SignalResult, claims: Claims) -> OverlayCard:
    box = _box(d.box)
    link = linked(
        f"watermark-overlay-{i + 1}",
        [claims.claim("watermark.unidentified_overlay", lambda e: _box(e.get("box")) == box)],
    )
    return OverlayCard(
        link, _span_text(d.span), _box_text(box), _text(d.text), thumb_at(result, d.thumbnail_index)
    )


def _hint_card(i: int, d: RemovalHint, result: SignalResult, claims: Claims) -> HintCard:
    link = linked(
        f"watermark-hint-{i + 1}",
        [claims.claim("watermark.removal_hint", lambda e: e.get("kind") == d.kind)],
    )
    return HintCard(
        link,
        _text(HINT_WORDS.get(d.kind, d.kind or "hint")),
        _text(d.summary, LONG_TEXT),
        d.strength,
        _span_text(d.span),
        _box_text(_box(d.box)),
        thumb_at(result, d.thumbnail_index),
    )


def _votes(d: MarkDetection) -> str:
    """The handle's votes in words, from the metrics (issue #12: never "agreed" for differing reads)."""
    if not d.handle or d.handle_support is None:
        return ""
    text = f"read {d.handle_support} time(s) as shown"
    if d.handle_runner_up:
        n = d.handle_runner_up_support or 0
        text += f"; runner-up {_text(d.handle_runner_up)}, read {n} time(s)"
    return text


def _footer(m: WatermarkMetrics) -> str:
    parts = []
    if m.ocr_engine:
        parts.append(f"OCR engine: {_text(m.ocr_engine)}")
    if m.ocr_reads is not None:
        noun = "read" if m.ocr_reads == 1 else "reads"
        seconds = f" in {m.ocr_seconds:.2f} s" if m.ocr_seconds is not None else ""
        parts.append(f"{m.ocr_reads} {noun}{seconds}")
    if m.frames_sampled is not None:
        fps = f" at {m.sample_fps:g} per second" if m.sample_fps else ""
        parts.append(f"{m.frames_sampled} frames sampled{fps}")
    if m.candidates_seen is not None:
        seen = f"{m.candidates_seen} candidate region(s) seen"
        if m.regions_seen is not None and m.regions_read is not None:
            seen += f" at {m.regions_seen} place(s), {m.regions_read} read"
        if m.probe_reads:
            seen += f", {m.probe_reads} probe read(s) of a generator's usual mark places"
        parts.append(seen)
    return " · ".join(parts)


def watermark_view(report: Report, result: SignalResult) -> WatermarkView | None:
    """The signal's detections, overlays and removal hints, or None when there is nothing to show (the
    signal did not run, or its metrics hold neither an item nor the sign that it looked)."""
    if result.status is not Status.OK:
        return None
    m = result.metrics_as(WatermarkMetrics)
    duration = m.duration_s or as_number(report.media.duration_s) or 0.0
    v = report.media.video
    frame = None
    if v is not None:
        frame = frame_size(as_number(v.width), as_number(v.height), int(as_number(v.rotation) or 0))
    claims = Claims(result)
    view = WatermarkView(
        marks=tuple(
            _mark_card(i, d, result, claims, duration, frame) for i, d in enumerate(m.detections[:MAX_ITEMS])
        ),
        overlays=tuple(
            _overlay_card(i, d, result, claims) for i, d in enumerate(m.overlay_regions[:MAX_ITEMS])
        ),
        hints=tuple(_hint_card(i, d, result, claims) for i, d in enumerate(m.removal_hints[:MAX_ITEMS])),
        footer=_footer(m),
        ocr_errors=tuple(t for t in (_text(e, NOTE_TEXT) for e in m.ocr_errors[:5]) if t),
    )
    searched = bool(m.frames_sampled)  # the signal looked (and may have found nothing)
    if not (view.marks or view.overlays or view.hints or searched):
        return None
    return view


# Markdown ----------------------------------------------------------------------------------------


def _mark_lines(d: MarkCard) -> list[str]:
    read = f'read as "{md_text(d.text)}"' if d.text else "no text read"
    if d.confidence is not None:
        read += f" (OCR {d.confidence:.2f})"
    strength = f", strength {d.strength:.2f}" if d.strength is not None else ""
    kind = f" ({md_text(d.kind)})" if d.kind else ""
    lines = [f"- **{md_text(d.generator)}**{kind}: {read}{strength}, seen {d.span}"]
    if d.handle:
        conf = (
            f"OCR {d.handle_confidence:.2f}"
            if d.handle_confidence is not None
            else "OCR confidence not reported"
        )
        lead = (
            "a lead to the source account"
            if d.handle_clear
            else "**a lead to the source account, check by eye**"
        )
        votes = f"; {md_text(d.votes)}" if d.votes else ""
        line = f"  - Handle: {md_code(d.handle)} ({conf}{votes}): {lead}"
        if d.spellings:
            line += "; also read as " + ", ".join(md_code(h) for h in d.spellings)
        lines.append(line)
    if d.sightings:
        seen = [f"{s.span}" + (f" ({s.place})" if s.place else "") for s in d.sightings[:MAX_SIGHTINGS]]
        more = f", and {len(d.sightings) - MAX_SIGHTINGS} more" if len(d.sightings) > MAX_SIGHTINGS else ""
        lines.append(f"  - Sightings: {', '.join(seen)}{more}")
    if d.mismatches:
        lines.append("  - Unlike the genuine mark: " + "; ".join(md_text(t) for t in d.mismatches))
    return lines


def markdown(v: WatermarkView) -> tuple[str, ...]:
    """Visible marks, the @handle as a lead, persistent overlays and removal hints, without images."""
    out = ["## Visible watermarks", ""]
    if not v.marks:
        out += [
            "No catalogued generator watermark or AI label was found in the picture; absence proves nothing.",
            "",
        ]
    for d in v.marks:
        out += _mark_lines(d)
    for o in v.overlays:
        text = f', OCR "{md_text(o.text)}"' if o.text else ""
        out.append(f"- Persistent overlay, not a known AI mark: {o.span} at {md_text(o.box)}{text}")
    for h in v.hints:
        out.append(f"- Removal hint ({md_text(h.kind)}), a hint only: {md_text(h.summary)} ({h.span})")
    out.append("")
    if v.footer or v.ocr_errors:
        errors = f"; OCR errors: {'; '.join(md_text(e) for e in v.ocr_errors)}" if v.ocr_errors else ""
        out += [f"_{md_text(v.footer)}{errors}_", ""]
    return tuple(out)


class WatermarkPanel(Panel):
    POSITION = 20

    def view(self, report: Report, result: SignalResult) -> PanelView | None:
        v = watermark_view(report, result)
        if v is None:
            return None
        return PanelView(
            anchor="watermark",
            title="Watermarks",
            context={"v": v},
            links=v.links,
            markdown=markdown(v),
            shows_thumbnails=True,
        )
