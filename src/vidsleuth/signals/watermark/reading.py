"""What one OCR read of an overlay says: which catalogued mark, with what confidence, and which @handle.

A read is the list of text lines OCR found in a crop around one overlay. The mark is the best catalogue
match among the lines; the handle is a username-like line under or beside the mark's name (the Sora app
prints "@username" under "Sora"). Handles are collected over every read of the video and voted on,
because one read of 4-pixel text is often truncated ("@andrewdefe" for "@andrewdefee").
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vidsleuth.signals.watermark.marks import Mark, handle_of, match_text
from vidsleuth.signals.watermark.ocr import OcrLine


@dataclass(frozen=True, slots=True)
class Reading:
    mark: Mark | None
    text: str  # the mark's line as OCR read it ("" when no mark)
    confidence: float  # OCR confidence of that line times the catalogue match score
    handle: str | None  # "@name", normalised
    handle_text: str | None  # the handle's line verbatim
    handle_confidence: float
    lines: tuple[tuple[str, float], ...]  # every line read, verbatim, with confidence

    @property
    def all_text(self) -> str:
        return " | ".join(t for t, _ in self.lines)


def interpret(lines: Sequence[OcrLine]) -> Reading:
    """Turn one crop's OCR lines into a reading."""
    best = None
    best_line: OcrLine | None = None
    for line in lines:
        m = match_text(line.text)
        if m is None:
            continue
        conf = line.confidence * m.score
        if best is None or conf > best[1]:
            best, best_line = (m, conf), line
    mark = best[0].mark if best else None
    handle, handle_text, handle_conf = None, None, 0.0
    if mark is not None and mark.has_handle and best_line is not None:
        mx, my, _mw, mh = best_line.box
        for line in lines:
            if line is best_line:
                continue
            h = handle_of(line.text, line.confidence)
            # Under (or at the height of) the mark's name, not far above it.
            if h is None or line.box[1] + line.box[3] < my + 0.5 * mh:
                continue
            if line.box[1] > my + 4 * mh or abs(line.box[0] - mx) > 8 * mh:
                continue
            if line.confidence > handle_conf:
                handle, handle_text, handle_conf = h, line.text, line.confidence
    return Reading(
        mark=mark,
        text=best_line.text if best_line is not None else "",
        confidence=best[1] if best else 0.0,
        handle=handle,
        handle_text=handle_text,
        handle_confidence=handle_conf,
        lines=tuple((ln.text, round(ln.confidence, 3)) for ln in lines),
    )


@dataclass(frozen=True, slots=True)
class HandleVote:
    handle: str
    confidence: float  # best confidence of a read spelt exactly like the winner
    support: int  # reads that agree with it (similarity >= AGREE_RATIO)
    total: int  # reads of a handle in all
    readings: tuple[str, ...]  # every spelling read, verbatim


# Two reads of a handle agree when difflib's ratio reaches this ("@andrewdefoe" vs "@andrewdefee": 0.92).
AGREE_RATIO = 0.85
# A longer read that starts with the winning spelling replaces it when read at least this confidently.
PREFIX_MIN_CONFIDENCE = 0.8
# ... allowing this many stray characters read between the "@" and the name (the cloud logo's edge).
PREFIX_MAX_OFFSET = 2


def _extends(read: str, handle: str) -> str | None:
    """`read` as the longer spelling of `handle` when it extends it, else None."""
    at = "@" if handle.startswith("@") else ""
    body, other = handle[len(at) :].lower(), read.removeprefix("@")
    if len(body) < 3:
        return None
    for offset in range(PREFIX_MAX_OFFSET + 1):
        tail = other[offset:]
        if len(tail) > len(body) and tail.lower().startswith(body):
            return at + tail
    return None


def vote_handle(reads: Iterable[tuple[str, str, float]]) -> HandleVote | None:
    """The handle the reads agree on best. `reads` are (normalised handle, verbatim text, confidence).

    Each distinct spelling scores the confidence-weighted similarity of every read to it (a medoid):
    one misread letter in one read is outvoted by the others, and truncated reads still support the
    full spelling they are close to.
    """
    items = [(h, t, c) for h, t, c in reads if h]
    if not items:
        return None
    best: tuple[float, float, str] | None = None
    for cand in {h for h, _, _ in items}:
        score = sum(c * difflib.SequenceMatcher(None, cand.lower(), h.lower()).ratio() for h, _, c in items)
        conf = max(c for h, _, c in items if h == cand)
        key = (score, conf, cand)
        if best is None or key > best:
            best = key
    assert best is not None
    _, conf, handle = best
    # A read cut short (by the crop's edge or a low-contrast tail) is a prefix of the full handle: when
    # another confident read extends the winner, the longest such extension is the handle. The longer read
    # may carry a stray character or two before the name ("@Bleonbrown212" extending "@leonbr"); the
    # handle keeps the agreed part and the extension, and every spelling read stays in `readings`.
    longer = [(ext, c) for h, _, c in items if c >= PREFIX_MIN_CONFIDENCE and (ext := _extends(h, handle))]
    if longer:
        handle, conf = max(longer, key=lambda hc: (len(hc[0]), hc[1]))
    support = sum(
        1
        for h, _, _ in items
        if difflib.SequenceMatcher(None, handle.lower(), h.lower()).ratio() >= AGREE_RATIO
    )
    verbatim = tuple(dict.fromkeys(t for _, t, _ in items))
    return HandleVote(handle, conf, support, len(items), verbatim)
