"""Overlays that are no catalogued mark, and the finding for a video without any mark.

A persistent overlay on moving content that OCR tied to no mark is reported as an unidentified overlay
(informational: a logo, a sticker, an app's mark). When nothing at all was found, the finding says what was
looked at (frames, candidate regions, reads, probes: issue #12, a missed mark must be visible).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from vidsleuth.core.evidence import Evidence, Hypothesis, Span
from vidsleuth.core.result import Thumbnail
from vidsleuth.signals.watermark.metrics import OverlayRegion
from vidsleuth.signals.watermark.reader import Counts
from vidsleuth.signals.watermark.regions import Track, iou

if TYPE_CHECKING:
    from vidsleuth.signals.watermark.findings import Geometry, Segment

# An unmatched overlay is reported when it stayed this long, on content that moved around it.
UNIDENTIFIED_MIN_S = 4.0
UNIDENTIFIED_MIN_SHARE = 0.3  # ... and at least this share of the video (content rarely holds that still)
UNIDENTIFIED_MIN_WINDOWS = 3
UNIDENTIFIED_MIN_SURROUND = 0.15
UNIDENTIFIED_MIN_DENSITY = 0.2


def _add_thumb(thumbs: list[Thumbnail], thumb: Thumbnail | None, label: str) -> int | None:
    if thumb is None:
        return None
    thumbs.append(replace(thumb, label=label))
    return len(thumbs) - 1


def unidentified(
    tracks: Sequence[Track],
    geo: Geometry,
    thumbs: list[Thumbnail],
    segments: Callable[[Sequence[Track], Geometry], Sequence[Segment]],
) -> list[tuple[Evidence, OverlayRegion]]:
    """Persistent overlays on moving content that OCR tied to no catalogued mark."""
    min_s = max(UNIDENTIFIED_MIN_S, UNIDENTIFIED_MIN_SHARE * geo.duration_s)
    keep = [
        t
        for t in tracks
        if t.windows >= UNIDENTIFIED_MIN_WINDOWS
        and t.duration_s >= min_s
        and t.surround_motion >= UNIDENTIFIED_MIN_SURROUND
        and t.density >= UNIDENTIFIED_MIN_DENSITY
    ]
    out: list[tuple[Evidence, OverlayRegion]] = []
    for seg in segments(keep, geo):
        text = seg.reading.all_text if seg.reading else ""
        track = max(keep, key=lambda t: iou(geo.to_source(t.box), seg.box))
        label = f"unidentified overlay {seg.start_s:.1f}-{seg.end_s:.1f} s"
        idx = _add_thumb(thumbs, seg.thumb, label)
        read = f'OCR read "{text}"' if text else "OCR read no text"
        x, y, w, h = seg.box
        ev = Evidence.info(
            "watermark.unidentified_overlay",
            Hypothesis.EDITED,
            f"A persistent overlay sits at x={x}, y={y} ({w}x{h} px) from {seg.start_s:.1f} to "
            f"{seg.end_s:.1f} s while the picture moves around it; {read}, and it matches no catalogued "
            "generator mark or AI label (it may be a logo, sticker or app mark).",
            span=Span(seg.start_s, seg.end_s),
            data={"box": list(seg.box), "text": text, "thumbnail_index": idx},
        )
        region = OverlayRegion(
            box=seg.box,
            start_s=round(seg.start_s, 2),
            end_s=round(seg.end_s, 2),
            text=text,
            density=round(track.density, 3),
            surround_motion=round(track.surround_motion, 3),
            thumbnail_index=idx,
        )
        out.append((ev, region))
    return out


def nothing_found(frames: int, counts: Counts | None = None, reads: int | None = None) -> Evidence:
    """No mark: said with what was looked at, so that a miss is visible (issue #12)."""
    looked = f"{frames} sampled frames"
    if counts is not None:
        looked += (
            f" ({counts.candidates} candidate region(s) over all windows, {counts.tracks} distinct, "
            f"{counts.confirmed} seen long enough to read, {reads if reads is not None else counts.read} OCR "
            f"read(s)"
            + (f", {counts.probes} of them at a generator's usual mark places" if counts.probes else "")
            + ")"
        )
    data: dict[str, Any] = {"frames_sampled": frames}
    if counts is not None:
        data.update(
            candidates_seen=counts.candidates,
            regions_seen=counts.tracks,
            regions_confirmed=counts.confirmed,
            ocr_reads=reads,
            probe_reads=counts.probes,
        )
    return Evidence.info(
        "watermark.no_mark",
        Hypothesis.AI_GENERATED,
        f"No visible generator watermark or AI label was found in {looked}. Absence proves nothing: marks "
        "are often cropped, blurred or never added (paid tiers, APIs).",
        data=data,
    )
