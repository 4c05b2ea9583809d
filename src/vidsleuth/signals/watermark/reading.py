"""What one OCR read of an overlay says: which catalogued mark, with what confidence, and which @handle.

A read is the list of text lines OCR found in a crop around one overlay. The mark is the best catalogue
match among the lines; the handle is a username-like line under or beside the mark's name (the Sora app
prints "@username" under "Sora"). Handles are collected over every read of the video and voted on,
because one read of 4-pixel text is often truncated ("@andrewdefe" for "@andrewdefee").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vidsleuth.signals.watermark.marks import Mark, handle_of, match_text
from vidsleuth.signals.watermark.ocr import OcrLine

Box = tuple[int, int, int, int]  # x, y, w, h in the pixels of the image OCR read

# Where the handle line sits relative to the mark's name line (the Sora app prints it right under the name,
# in a smaller font, aligned with the name's left edge or, beside a logo on the right, its right edge):
# its top within HANDLE_BELOW name heights under the name's top, its height at most HANDLE_MAX_HEIGHT names,
# and its left or right edge within HANDLE_ALIGN name heights of the name's, or overlapping the name.
HANDLE_BELOW = (0.5, 2.4)
HANDLE_MAX_HEIGHT = 1.05
HANDLE_ALIGN = 1.5


@dataclass(frozen=True, slots=True)
class Reading:
    mark: Mark | None
    text: str  # the mark's line as OCR read it ("" when no mark)
    confidence: float  # OCR confidence of that line times the catalogue match score
    handle: str | None  # "@name", normalised
    handle_text: str | None  # the handle's line verbatim
    handle_confidence: float
    lines: tuple[tuple[str, float], ...]  # every line read, verbatim, with confidence
    mark_box: Box | None = None  # the mark's name line, in the read image's pixels
    handle_box: Box | None = None  # the handle's line, likewise

    @property
    def all_text(self) -> str:
        return " | ".join(t for t, _ in self.lines)

    @property
    def text_box(self) -> Box | None:
        """The mark's text block: its name line and the handle line under it."""
        if self.mark_box is None:
            return None
        if self.handle_box is None:
            return self.mark_box
        return union(self.mark_box, self.handle_box)


def union(a: Box, b: Box) -> Box:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return x0, y0, x1 - x0, y1 - y0


def _under_the_name(name: Box, line: Box) -> bool:
    """`line` sits where the mark prints its handle: just under the name, smaller, aligned with it."""
    nx, ny, nw, nh = name
    lx, ly, lw, lh = line
    if not (ny + HANDLE_BELOW[0] * nh <= ly <= ny + HANDLE_BELOW[1] * nh) or lh > HANDLE_MAX_HEIGHT * nh:
        return False
    overlaps = min(nx + nw, lx + lw) > max(nx, lx)
    aligned = abs(lx - nx) <= HANDLE_ALIGN * nh or abs((lx + lw) - (nx + nw)) <= HANDLE_ALIGN * nh
    return overlaps or aligned


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
    handle, handle_text, handle_conf, handle_box = None, None, 0.0, None
    if mark is not None and mark.has_handle and best_line is not None:
        for line in lines:
            if line is best_line or not _under_the_name(best_line.box, line.box):
                continue
            h = handle_of(line.text, line.confidence)
            if h is not None and line.confidence > handle_conf:
                handle, handle_text, handle_conf, handle_box = h, line.text, line.confidence, line.box
    return Reading(
        mark=mark,
        text=best_line.text if best_line is not None else "",
        confidence=best[1] if best else 0.0,
        handle=handle,
        handle_text=handle_text,
        handle_confidence=handle_conf,
        lines=tuple((ln.text, round(ln.confidence, 3)) for ln in lines),
        mark_box=best_line.box if best_line is not None else None,
        handle_box=handle_box,
    )


@dataclass(frozen=True, slots=True)
class HandleVote:
    """The handle the reads of a mark voted for, per exact spelling (issue #12: close variants such as
    "@joshblake1" and "@joshblaket" are different readings, never votes for each other)."""

    handle: str
    confidence: float  # best confidence of a read of exactly this spelling
    support: int  # reads of exactly this spelling
    total: int  # reads of a handle in all
    readings: tuple[str, ...]  # every spelling read, verbatim
    runner_up: str | None = None  # the next spelling by votes, when the reads disagree
    runner_up_support: int = 0
    cut_short: int = 0  # reads that stop early inside the winning spelling (a crop edge, a faint tail)


# A read that extends the winning spelling (the winner was cut short) replaces it when read at least this
# confidently ...
PREFIX_MIN_CONFIDENCE = 0.8
# ... and at least this many characters longer (one more letter is as likely a misread as a cut).
PREFIX_MIN_EXTRA = 2


def _is_cut_short(short: str, full: str) -> bool:
    """`short` is `full` stopped early: a strict prefix at least 3 characters long (after the "@")."""
    body = short.removeprefix("@")
    return len(body) >= 3 and len(short) < len(full) and full.lower().startswith(short.lower())


def vote_handle(reads: Iterable[tuple[str, str, float]]) -> HandleVote | None:
    """The handle the reads agree on. `reads` are (normalised handle, verbatim text, confidence).

    Votes are per exact spelling: the spelling read most often wins (ties: the higher summed, then best,
    confidence). A read cut short (a strict prefix of a longer confident read) is no vote against the
    longer one: when the winner is such a prefix, the longest confident spelling it starts is the handle,
    and the prefixes are counted as cut short. The runner-up spelling and its count are kept, so that a
    report says "read 3 times as @a, once as @b" rather than claiming agreement."""
    items = [(h, t, c) for h, t, c in reads if h]
    if not items:
        return None
    counts: dict[str, list[float]] = {}
    for h, _, c in items:
        counts.setdefault(h, []).append(c)

    def rank(h: str) -> tuple[int, float, float, str]:
        cs = counts[h]
        return (len(cs), sum(cs), max(cs), h)

    ordered = sorted(counts, key=rank, reverse=True)
    handle = ordered[0]
    longer = [
        h
        for h in counts
        if _is_cut_short(handle, h)
        and len(h) - len(handle) >= PREFIX_MIN_EXTRA
        and max(counts[h]) >= PREFIX_MIN_CONFIDENCE
    ]
    if longer:
        handle = max(longer, key=lambda h: (len(counts[h]), len(h), max(counts[h])))
    cut = [h for h in counts if h != handle and _is_cut_short(h, handle)]
    others = [h for h in ordered if h != handle and h not in cut]
    runner = others[0] if others else None
    return HandleVote(
        handle=handle,
        confidence=max(counts[handle]),
        support=len(counts[handle]),
        total=len(items),
        readings=tuple(dict.fromkeys(t for _, t, _ in items)),
        runner_up=runner,
        runner_up_support=len(counts[runner]) if runner else 0,
        cut_short=sum(len(counts[h]) for h in cut),
    )
