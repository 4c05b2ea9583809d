"""The words a report uses for a mark's @handle: how many reads gave which spelling, never more.

Issue #12: a report claimed "agreed by 2 reads" for "@andrewdefee" and "@andrewdafee", and ran two
sentences together ("could not be read at 480x872 its text is only a few pixels high"). A handle is said
with the count of reads that gave exactly that spelling; when reads disagree, the runner-up and its count
follow; reads that stopped early inside the handle are counted apart, as cut short.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from vidsleuth.signals.watermark.marks import Mark
from vidsleuth.signals.watermark.reading import HandleVote, Reading

# Frames whose shorter side is below this make 4-6 px handle text: said when a handle is unreadable.
SMALL_FRAME_SIDE = 540


class _Sighting(Protocol):
    reading: Reading | None


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def votes(vote: HandleVote) -> str:
    """How the reads voted, in words: "read 3 times alike" or "read 2 of 4 times; runner-up ..."."""
    if vote.support == vote.total:
        return f"read {_times(vote.support)}" + (" alike" if vote.support > 1 else "")
    text = f"read {vote.support} of {vote.total} times"
    if vote.runner_up is not None:
        text += f"; runner-up {vote.runner_up}, read {_times(vote.runner_up_support)}"
    if vote.cut_short:
        text += f"; {vote.cut_short} read(s) stopped short inside it"
    return text


def handle_sentence(
    mark: Mark, vote: HandleVote | None, segments: Sequence[_Sighting], source_size: tuple[int, int]
) -> str:
    """The sentence a mark's finding says about its handle ("" for marks that carry none)."""
    if not mark.has_handle:
        return ""
    if vote is not None:
        return (
            f" The mark carries the handle {vote.handle} ({votes(vote)}, best OCR confidence "
            f"{vote.confidence:.2f}): a lead to the account that posted it."
        )
    extra = any(
        t != s.reading.text and sum(ch.isalpha() for ch in t) >= 3
        for s in segments
        if s.reading
        for t, _ in s.reading.lines
    )
    sw, sh = source_size
    small = f" At {sw}x{sh} its text is only a few pixels high." if min(sw, sh) < SMALL_FRAME_SIDE else ""
    if extra:
        return f" A second line under the name (likely the creator's @handle) could not be read.{small}"
    return f" No @handle was read under the name (older versions of the mark carry none).{small}"


def handle_summary(mark: Mark, vote: HandleVote) -> str:
    """The summary of the `watermark.handle` finding."""
    return (
        f"Handle in the {mark.generator} mark: {vote.handle} ({votes(vote)}, best OCR confidence "
        f"{vote.confidence:.2f}); search for it on {mark.generator}'s feed to find the source post."
    )
