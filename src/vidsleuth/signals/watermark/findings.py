"""From read overlays to evidence: which marks were found, where and when, with what @handle.

Tracks (places where an overlay stayed, see `regions`) that OCR tied to a catalogued mark are grouped by
mark into a `Detection`. Each detection is checked against what the genuine mark looks like (its size
relative to the frame, a fixed corner or a mark that jumps) and a mismatch lowers the strength and is said
in the summary, because a mark can be pasted onto footage that never went through the generator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from vidsleuth.core import shape
from vidsleuth.core.evidence import Evidence, Hypothesis, Span
from vidsleuth.core.result import Thumbnail
from vidsleuth.signals.watermark.marks import Mark, handle_of
from vidsleuth.signals.watermark.metrics import MarkDetection, MarkSegment, OverlayRegion
from vidsleuth.signals.watermark.reading import HandleVote, Reading, vote_handle
from vidsleuth.signals.watermark.regions import Box, Track, iou, same_place

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
# A jumping mark seen in one place only for this long does not move like the genuine one.
STILL_TOO_LONG_S = 6.0
# A fixed-corner mark's centre lies within this share of the frame from its corner.
CORNER_SHARE = 0.3
# An unmatched overlay is reported when it stayed this long, on content that moved around it.
UNIDENTIFIED_MIN_S = 4.0
UNIDENTIFIED_MIN_SHARE = 0.3  # ... and at least this share of the video (content rarely holds that still)
UNIDENTIFIED_MIN_WINDOWS = 3
UNIDENTIFIED_MIN_SURROUND = 0.15
UNIDENTIFIED_MIN_DENSITY = 0.2
# Thumbnails per detection (one per place, the clearest read first).
MAX_THUMBS_PER_DETECTION = 6
# Frames whose shorter side is below this make 4-6 px handle text: said when a handle is unreadable.
SMALL_FRAME_SIDE = 540


@dataclass(frozen=True, slots=True)
class Geometry:
    analysis_size: tuple[int, int]  # w, h of the frames the finder saw
    source_size: tuple[int, int]  # w, h of the displayed source frame
    duration_s: float

    def to_source(self, box: Box) -> Box:
        (aw, ah), (sw, sh) = self.analysis_size, self.source_size
        sx, sy = sw / aw, sh / ah
        x, y, w, h = box
        return round(x * sx), round(y * sy), round(w * sx), round(h * sy)


@dataclass(slots=True)
class Segment:
    start_s: float
    end_s: float
    box: Box  # source pixels
    reading: Reading | None
    thumb: Thumbnail | None = None
    thumbnail_index: int | None = None

    def to_metric(self) -> MarkSegment:
        r = self.reading
        return MarkSegment(
            start_s=round(self.start_s, 2),
            end_s=round(self.end_s, 2),
            box=self.box,
            text=r.text if r else "",
            confidence=round(r.confidence, 3) if r else 0.0,
            handle=r.handle if r else None,
            ocr_lines=r.lines if r else (),
            thumbnail_index=self.thumbnail_index,
        )


@dataclass(slots=True)
class Detection:
    mark: Mark
    segments: list[Segment]
    handle: HandleVote | None = None
    notes: list[str] = field(default_factory=list)
    strength: float = 0.0

    @property
    def start_s(self) -> float:
        return min(s.start_s for s in self.segments)

    @property
    def end_s(self) -> float:
        return max(s.end_s for s in self.segments)

    @property
    def best(self) -> Segment:
        return max(self.segments, key=lambda s: s.reading.confidence if s.reading else 0.0)

    def places(self) -> list[Box]:
        out: list[Box] = []
        for s in self.segments:
            if not any(same_place(s.box, p) for p in out):
                out.append(s.box)
        return out


@dataclass(slots=True)
class Findings:
    detections: list[Detection]
    evidence: list[Evidence]
    marks: tuple[MarkDetection, ...]  # the detections as the report's metrics
    overlays: tuple[OverlayRegion, ...]


def _add_thumb(thumbs: list[Thumbnail], thumb: Thumbnail | None, label: str) -> int | None:
    if thumb is None:
        return None
    thumbs.append(replace(thumb, label=label))
    return len(thumbs) - 1


def _geometry_notes(det: Detection, geo: Geometry) -> list[str]:
    mark, notes = det.mark, []
    sw, sh = geo.source_size
    short = min(sw, sh)
    if mark.width_share is not None:
        lo, hi = mark.width_share
        shares = [s.box[2] / short for s in det.segments]
        typical = sorted(shares)[len(shares) // 2]
        if not lo <= typical <= hi:
            notes.append(
                f"its width is {typical:.2f} of the frame's shorter side, outside the {lo:.2f}-{hi:.2f} "
                "measured on genuine marks"
            )
    places = det.places()
    if mark.motion == "jumps":
        longest = max(s.end_s - s.start_s for s in det.segments)
        if len(places) == 1 and det.end_s - det.start_s >= STILL_TOO_LONG_S:
            notes.append(
                f"it stays in one place for {det.end_s - det.start_s:.1f} s, whereas the genuine mark "
                "jumps every few seconds"
            )
        elif mark.dwell_s is not None and longest > 2 * mark.dwell_s[1]:
            notes.append(f"it stays {longest:.1f} s in one place, longer than the genuine mark does")
    elif mark.motion == "fixed":
        if len(places) > 1:
            notes.append(f"it appears in {len(places)} places, whereas the genuine mark is fixed")
        if mark.corners:
            x, y, w, h = det.best.box
            cx, cy = (x + w / 2) / sw, (y + h / 2) / sh
            corner = ("top" if cy < 0.5 else "bottom") + "_" + ("left" if cx < 0.5 else "right")
            near = min(cx, 1 - cx) <= CORNER_SHARE and min(cy, 1 - cy) <= CORNER_SHARE
            if corner not in mark.corners or not near:
                notes.append(f"it sits away from the genuine mark's corner ({', '.join(mark.corners)})")
    return notes


def _strength(det: Detection) -> float:
    conf = det.best.reading.confidence if det.best.reading else 0.0
    if det.mark.kind == "platform_label":
        base = STRENGTH_LABEL
    elif conf >= CLEAR_CONFIDENCE:
        base = STRENGTH_CLEAR
    elif conf >= READ_CONFIDENCE:
        base = STRENGTH_READ
    else:
        base = STRENGTH_WEAK_READ
    base -= MISMATCH_PENALTY * len(det.notes)
    if not det.mark.verified:
        base -= UNVERIFIED_PENALTY
    return round(max(STRENGTH_FLOOR, base), 2)


def _handle_sentence(det: Detection, geo: Geometry) -> str:
    if not det.mark.has_handle:
        return ""
    if det.handle is not None:
        others = [r for r in det.handle.readings if handle_of(r, 1.0) != det.handle.handle]
        return (
            f" The mark carries the handle {det.handle.handle} (OCR confidence {det.handle.confidence:.2f}, "
            f"agreed by {det.handle.support} read(s)): a lead to the account that posted it."
            + (f" Other readings: {', '.join(others[:3])}." if others else "")
        )
    extra = any(
        t != s.reading.text and sum(ch.isalpha() for ch in t) >= 3
        for s in det.segments
        if s.reading
        for t, _ in s.reading.lines
    )
    sw, sh = geo.source_size
    small = f" at {sw}x{sh} its text is only a few pixels high" if min(sw, sh) < SMALL_FRAME_SIDE else ""
    if extra:
        return f" A second line under the name (likely the creator's @handle) could not be read{small}."
    return f" No @handle was read under the name (older versions of the mark carry none){small}."


def _detection_evidence(det: Detection, geo: Geometry) -> Evidence:
    best = det.best
    r = best.reading
    text, conf = (r.text, r.confidence) if r else ("", 0.0)
    where = (
        f"{len(det.segments)} sighting(s), {len(det.places())} place(s), {det.start_s:.1f}-{det.end_s:.1f} s"
    )
    if det.mark.kind == "platform_label":
        code = "watermark.platform_label"
        summary = (
            f'A burned-in AI label ("{text}", OCR confidence {conf:.2f}; {where}) says the video was made '
            "or altered with AI; it does not say with which generator."
        )
    else:
        code = "watermark.generator_mark"
        summary = (
            f'A {det.mark.generator} watermark appears to be burned into the video (read as "{text}", OCR '
            f"confidence {conf:.2f}; {where}). This is strong evidence that the file passed through "
            f"{det.mark.generator}, though a mark can also be pasted onto other footage."
        )
    summary += _handle_sentence(det, geo)
    if det.notes:
        summary += " Unlike the genuine mark, " + "; ".join(det.notes) + "."
    handle = det.handle
    data: dict[str, Any] = {
        "generator": det.mark.generator,
        "catalog_key": det.mark.catalog_key,
        "mark": det.mark.key,
        "mark_name": det.mark.name,
        "text": text,
        "confidence": round(conf, 3),
        "handle": handle.handle if handle else None,
        "handle_confidence": round(handle.confidence, 3) if handle else None,
        "handle_readings": list(handle.readings) if handle else [],
        "geometry_matches": not det.notes,
        "mismatches": list(det.notes),
        "segments": [shape.to_json(s.to_metric()) for s in det.segments],
        "catalogue_verified": det.mark.verified,
    }
    return Evidence.supports(
        code, Hypothesis.AI_GENERATED, det.strength, summary, span=Span(det.start_s, det.end_s), data=data
    )


def _merge_segments(tracks: Sequence[Track], geo: Geometry) -> list[Segment]:
    segments: list[Segment] = []
    for t in sorted(tracks, key=lambda t: t.start_s):
        reading, thumb = t.payload.get("reading"), t.payload.get("thumb")
        rd = reading if isinstance(reading, Reading) else None
        th = thumb if isinstance(thumb, Thumbnail) else None
        box = geo.to_source(t.box)
        prev = segments[-1] if segments else None
        if prev is not None and same_place(prev.box, box) and t.start_s - prev.end_s <= 1.0:
            prev.end_s = max(prev.end_s, t.end_s)
            if box[2] * box[3] > prev.box[2] * prev.box[3]:
                prev.box = box
            if rd is not None and (prev.reading is None or rd.confidence > prev.reading.confidence):
                prev.reading, prev.thumb = rd, th or prev.thumb
            continue
        segments.append(Segment(t.start_s, t.end_s, box, rd, th))
    return segments


def build(tracks: Sequence[Track], geo: Geometry, thumbs: list[Thumbnail]) -> Findings:
    """Detections, unidentified overlays and their evidence from every track of the video."""
    by_mark: dict[str, list[Track]] = {}
    marks: dict[str, Mark] = {}
    handles: dict[str, list[tuple[str, str, float]]] = {}
    unmatched: list[Track] = []
    for t in tracks:
        readings = [r for r in t.payload.get("readings", []) or [] if isinstance(r, Reading)]  # type: ignore[attr-defined]
        matched = [r for r in readings if r.mark is not None]
        if matched:
            mark = max(matched, key=lambda r: r.confidence).mark
            assert mark is not None
            marks[mark.key] = mark
            by_mark.setdefault(mark.key, []).append(t)
            if not t.payload.get("inherited"):  # an inherited reading is not a new vote
                handles.setdefault(mark.key, []).extend(
                    (r.handle, r.handle_text or r.handle, r.handle_confidence) for r in matched if r.handle
                )
        elif readings:
            unmatched.append(t)
    detections: list[Detection] = []
    evidence: list[Evidence] = []
    for key, mark_tracks in by_mark.items():
        det = Detection(marks[key], _merge_segments(mark_tracks, geo))
        det.handle = vote_handle(handles.get(key, []))
        det.notes = _geometry_notes(det, geo)
        det.strength = _strength(det)
        ranked = sorted(det.segments, key=lambda s: s.reading.confidence if s.reading else 0.0, reverse=True)
        for seg in ranked[:MAX_THUMBS_PER_DETECTION]:
            label = f"{det.mark.generator} mark {seg.start_s:.1f}-{seg.end_s:.1f} s"
            if seg.reading and seg.reading.text:
                label += f': "{seg.reading.text}"'
            if seg.reading and seg.reading.handle:
                label += f" {seg.reading.handle}"
            seg.thumbnail_index = _add_thumb(thumbs, seg.thumb, label)
        detections.append(det)
        evidence.append(_detection_evidence(det, geo))
        if det.handle is not None:
            evidence.append(
                Evidence.info(
                    "watermark.handle",
                    Hypothesis.KNOWN_CONTENT,
                    f"Handle in the {det.mark.generator} mark: {det.handle.handle} "
                    f"(OCR confidence {det.handle.confidence:.2f}); search for it on {det.mark.generator}'s "
                    "feed to find the source post.",
                    span=Span(det.start_s, det.end_s),
                    data={
                        "handle": det.handle.handle,
                        "confidence": round(det.handle.confidence, 3),
                        "support": det.handle.support,
                        "readings": list(det.handle.readings),
                        "generator": det.mark.generator,
                    },
                )
            )
    overlays = _unidentified(unmatched, geo, thumbs)
    evidence.extend(ev for ev, _ in overlays)
    marks_found = tuple(_detection_metric(d) for d in detections)
    return Findings(detections, evidence, marks_found, tuple(region for _, region in overlays))


def _detection_metric(det: Detection) -> MarkDetection:
    best = det.best
    r = best.reading
    return MarkDetection(
        mark=det.mark.key,
        name=det.mark.name,
        generator=det.mark.generator,
        kind=det.mark.kind,
        text=r.text if r else "",
        confidence=round(r.confidence, 3) if r else 0.0,
        handle=det.handle.handle if det.handle else None,
        handle_confidence=round(det.handle.confidence, 3) if det.handle else None,
        box=best.box,
        start_s=round(det.start_s, 2),
        end_s=round(det.end_s, 2),
        thumbnail_index=best.thumbnail_index,
        strength=det.strength,
        mismatches=tuple(det.notes),
        segments=tuple(s.to_metric() for s in det.segments),
    )


def _unidentified(
    tracks: Sequence[Track], geo: Geometry, thumbs: list[Thumbnail]
) -> list[tuple[Evidence, OverlayRegion]]:
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
    for seg in _merge_segments(keep, geo):
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


def nothing_found(frames: int) -> Evidence:
    return Evidence.info(
        "watermark.no_mark",
        Hypothesis.AI_GENERATED,
        f"No visible generator watermark or AI label was found in {frames} sampled frames. Absence proves "
        "nothing: marks are often cropped, blurred or never added (paid tiers, APIs).",
        data={"frames_sampled": frames},
    )
