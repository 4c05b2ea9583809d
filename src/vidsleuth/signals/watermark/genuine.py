"""Does a mark found in the video look and move like the genuine one? And how strong is the finding?

A mark can be pasted onto footage that never went through the generator, so each detection is compared with
what the genuine mark looks like: the width of its *name* (the catalogued text as OCR boxes it, e.g. the word
"Sora") as a share of the picture's shorter side, and how it moves (a jumping mark stays a few seconds in
one place; a fixed mark stays in its corner). Issue #12: these are measured on the mark alone, never on the
blob the overlay finder saw (a mark merged with a ceiling lamp or a channel logo once measured 0.46 of the
frame and "stayed 9.6 s in one place"): the name's width comes from OCR's box of the name line, and the
stays from the presence timeline at the mark's own text boxes (`presence`).

A doubt lowers the strength (each by MISMATCH_PENALTY) and is said in the finding's summary, whose wording
follows the strength: a doubted mark is never called "strong evidence" while counting as moderate, so the
verdict's headline and its reasons say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vidsleuth.signals.watermark.marks import Mark

# Strength of a generator mark (shared scale, core/evidence.py): a clearly read, correctly shaped mark is
# strong evidence that the file passed through that generator; each mismatch with the genuine mark's
# geometry or motion costs MISMATCH_PENALTY; a catalogue row not verified on a real file costs UNVERIFIED.
STRENGTH_CLEAR = 0.85  # OCR confidence >= CLEAR_CONFIDENCE
STRENGTH_READ = 0.75  # >= READ_CONFIDENCE
STRENGTH_WEAK_READ = 0.6
CLEAR_CONFIDENCE = 0.9
READ_CONFIDENCE = 0.7
MISMATCH_PENALTY = 0.2
UNVERIFIED_PENALTY = 0.05
STRENGTH_FLOOR = 0.4
STRENGTH_LABEL = 0.7  # a platform "AI-generated" label: AI was involved, generator unknown
STRONG = 0.7  # the shared scale's "strong" (core/evidence.py)
# A jumping mark seen in one place this long (presence at full resolution) does not move like the genuine.
STILL_TOO_LONG_S = 6.0
# A fixed-corner mark's centre lies within this share of the frame from its corner.
CORNER_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class Shape:
    """What was measured of one detection, in the picture's pixels."""

    name_widths: Sequence[float]  # width of the name line in each read, as a share of the shorter side
    stays: Sequence[tuple[str, float]]  # (spot, seconds) of each stay at one place
    spots: Sequence[str]  # the distinct spots it was seen at ("top_left", ...)
    best_center: tuple[float, float] | None  # centre of its clearest read, shares of the picture


def typical(values: Sequence[float]) -> float | None:
    """The median (the upper one of an even count), or None for no values."""
    return sorted(values)[len(values) // 2] if values else None


def notes(mark: Mark, shape: Shape) -> list[str]:
    """How the detection differs from the genuine mark, in words (empty when it does not)."""
    out: list[str] = []
    width = typical(shape.name_widths)
    if mark.width_share is not None and width is not None:
        lo, hi = mark.width_share
        if not lo <= width <= hi:
            out.append(
                f'its name ("{mark.texts[0]}") is {width:.3f} of the picture\'s shorter side wide, outside '
                f"the {lo:.3f}-{hi:.3f} measured on genuine marks (a mark pasted at another scale)"
            )
    if mark.motion == "jumps" and shape.stays:
        spot, longest = max(shape.stays, key=lambda s: s[1])
        if longest >= STILL_TOO_LONG_S:
            out.append(
                f"it stays at one place ({spot.replace('_', ' ')}) for {longest:.1f} s, whereas the genuine "
                "mark jumps every few seconds"
            )
    elif mark.motion == "fixed":
        if len(shape.spots) > 1:
            out.append(f"it appears in {len(shape.spots)} places, whereas the genuine mark is fixed")
        if mark.corners and shape.best_center is not None:
            cx, cy = shape.best_center
            corner = ("top" if cy < 0.5 else "bottom") + "_" + ("left" if cx < 0.5 else "right")
            near = min(cx, 1 - cx) <= CORNER_SHARE and min(cy, 1 - cy) <= CORNER_SHARE
            if corner not in mark.corners or not near:
                out.append(f"it sits away from the genuine mark's corner ({', '.join(mark.corners)})")
    return out


def strength(mark: Mark, confidence: float, doubts: int) -> float:
    if mark.kind == "platform_label":
        base = STRENGTH_LABEL
    elif confidence >= CLEAR_CONFIDENCE:
        base = STRENGTH_CLEAR
    elif confidence >= READ_CONFIDENCE:
        base = STRENGTH_READ
    else:
        base = STRENGTH_WEAK_READ
    base -= MISMATCH_PENALTY * doubts
    if not mark.verified:
        base -= UNVERIFIED_PENALTY
    return round(max(STRENGTH_FLOOR, base), 2)


def mark_sentence(mark: Mark, text: str, conf: float, where: str, value: float, doubts: Sequence[str]) -> str:
    """The finding's first sentences; how strong it is said to be follows `value`."""
    read = f'read as "{text}", OCR confidence {conf:.2f}; {where}'
    if mark.kind == "platform_label":
        return (
            f"A burned-in AI label ({read}) says the video was made or altered with AI; it does not say "
            "with which generator."
        )
    if not doubts:
        worth = "strong" if value >= STRONG else "moderate"
        return (
            f"A {mark.generator} watermark appears to be burned into the video ({read}). This is {worth} "
            f"evidence that the file passed through {mark.generator}, though a mark can also be pasted onto "
            "other footage."
        )
    return (
        f"A {mark.generator} watermark is burned into the video ({read}), but unlike the genuine mark, "
        + "; ".join(doubts)
        + f". It may have been pasted on, so it counts only as {_worth(value)} evidence that the file passed "
        f"through {mark.generator}; check the mark by eye."
    )


def _worth(value: float) -> str:
    return "strong" if value >= STRONG else "moderate" if value >= 0.4 else "weak"
