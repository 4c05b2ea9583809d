"""From read overlays to evidence: which marks were found, where and when, with what @handle.

Tracks (places where an overlay stayed, see `regions`) that OCR tied to a catalogued mark are grouped by
mark into a `Detection`. The mark's places are where OCR read its text (not the finder's blobs, which can
merge the mark with a neighbour), and its sightings are the stretches the presence timeline found it at
each place at full resolution (`presence`). Each detection is compared with the genuine mark
(`genuine`), its handle votes are counted per exact spelling (`reading.vote_handle`), and it becomes one
finding whose summary says what was read, how sure, and any doubt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from vidsleuth.core import shape
from vidsleuth.core.evidence import Evidence, Hypothesis, Span
from vidsleuth.core.result import Thumbnail
from vidsleuth.signals.watermark import genuine, presence
from vidsleuth.signals.watermark.marks import Mark
from vidsleuth.signals.watermark.metrics import MarkDetection, MarkSegment, OverlayRegion
from vidsleuth.signals.watermark.overlays import nothing_found, unidentified
from vidsleuth.signals.watermark.presence import MarkRead, Place, Timeline
from vidsleuth.signals.watermark.reading import HandleVote, Reading, vote_handle
from vidsleuth.signals.watermark.regions import Box, Track, same_place
from vidsleuth.signals.watermark.store import FrameStore
from vidsleuth.signals.watermark.wording import handle_sentence, handle_summary

CLEAR_CONFIDENCE = genuine.CLEAR_CONFIDENCE  # the panel's "clearly read" bar for handles
# Thumbnails per detection (one per place, the clearest read first).
MAX_THUMBS_PER_DETECTION = 6
# Two stays at one place less than this apart (a frame or two where the match dipped) are one stay.
JOIN_GAP_S = 0.9


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
    mark_places: list[Place] = field(default_factory=list)  # where OCR read its text (source pixels)
    timeline: Timeline | None = None
    picture: presence.Picture | None = None
    name_width: float | None = None  # the name line's width, share of the picture's shorter side

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


__all__ = ["CLEAR_CONFIDENCE", "Detection", "Findings", "Geometry", "Segment", "build", "nothing_found"]


def add_thumb(thumbs: list[Thumbnail], thumb: Thumbnail | None, label: str) -> int | None:
    if thumb is None:
        return None
    thumbs.append(replace(thumb, label=label))
    return len(thumbs) - 1


def _track_segments(tracks: Sequence[Track], geo: Geometry) -> list[Segment]:
    """Sightings from the finder's tracks (used when OCR left no box to place the mark by)."""
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


def _timeline_segments(
    timeline: Timeline, tracks: Sequence[Track], reads: Sequence[tuple[MarkRead, Track]], step: float
) -> list[Segment]:
    """Sightings from the presence timeline: each stay at each place, with the clearest read there."""
    segments: list[Segment] = []
    for j, place in enumerate(timeline.places):
        here = [(r, t) for r, t in reads if same_place(r.source(r.block_box), place.box)]
        best = max(here, key=lambda rt: rt[0].confidence, default=None)
        reading = best[1].payload.get("reading") if best else None
        thumb = best[1].payload.get("thumb") if best else None
        rd = reading if isinstance(reading, Reading) and reading.mark is not None else None
        th = thumb if isinstance(thumb, Thumbnail) else None
        runs = _join(timeline.runs(j))
        # A read is a sighting too, even where the template match dipped.
        for r, _ in here:
            if not any(a - step <= r.time_s <= b + step for a, b in runs):
                runs.append((r.time_s, r.time_s))
        for a, b in sorted(runs):
            segments.append(Segment(a, b + step, place.box, rd, th))
    segments.sort(key=lambda s: s.start_s)
    del tracks
    return segments


def _join(runs: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in runs:
        if out and a - out[-1][1] <= JOIN_GAP_S:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _shape(
    det: Detection, reads: Sequence[MarkRead], picture: presence.Picture, frame: tuple[int, int]
) -> genuine.Shape:
    x0, y0, x1, y1 = picture
    short = max(1, min(x1 - x0, y1 - y0) if det.mark.relative_to == "picture" else min(frame))
    widths = [r.name_box[2] / short for r in reads]
    stays = [(presence.spot_of(s.box, picture), s.end_s - s.start_s) for s in det.segments]
    spots = list(dict.fromkeys(presence.spot_of(b, picture) for b in det.places()))
    best = max(reads, key=lambda r: r.confidence, default=None)
    center = None
    if best is not None:
        bx, by, bw, bh = best.source(best.block_box)
        center = ((bx + bw / 2 - x0) / max(1, x1 - x0), (by + bh / 2 - y0) / max(1, y1 - y0))
    return genuine.Shape(widths, stays, spots, center)


def _detection(
    mark: Mark,
    tracks: list[Track],
    geo: Geometry,
    store: FrameStore | None,
    handles: list[tuple[str, str, float]],
) -> tuple[Detection, list[MarkRead]]:
    reads = [(r, t) for t in tracks for r in _mark_reads(t)]
    det = Detection(mark, [])
    if store is not None and reads:
        picture = presence.picture_box([f.pixels for f in store.frames], store.source_size)
        places = presence.places_from_reads([r for r, _ in reads], picture)
        det.mark_places, det.picture = places, picture
        det.timeline = presence.timeline(store, places)
        step = 1.0 / max(0.1, _rate(store))
        det.segments = _timeline_segments(det.timeline, tracks, reads, step)
    if not det.segments:
        det.segments = _track_segments(tracks, geo)
        det.picture = (0, 0, *geo.source_size)
    det.handle = vote_handle(handles)
    assert det.picture is not None
    measured = _shape(det, [r for r, _ in reads], det.picture, geo.source_size)
    det.notes = genuine.notes(mark, measured)
    det.name_width = genuine.typical(measured.name_widths)
    conf = det.best.reading.confidence if det.best.reading else 0.0
    det.strength = genuine.strength(mark, conf, len(det.notes))
    return det, [r for r, _ in reads]


def _mark_reads(track: Track) -> list[MarkRead]:
    raw = track.payload.get("mark_reads")
    return [r for r in raw if isinstance(r, MarkRead)] if isinstance(raw, list) else []


def _rate(store: FrameStore) -> float:
    times = [f.time_s for f in store.frames]
    if len(times) < 2:
        return 2.5
    return (len(times) - 1) / max(1e-6, times[-1] - times[0])


def _detection_evidence(det: Detection, geo: Geometry) -> Evidence:
    r = det.best.reading
    text, conf = (r.text, r.confidence) if r else ("", 0.0)
    where = (
        f"{len(det.segments)} sighting(s), {len(det.places())} place(s), {det.start_s:.1f}-{det.end_s:.1f} s"
    )
    summary = genuine.mark_sentence(det.mark, text, conf, where, det.strength, det.notes)
    summary += handle_sentence(det.mark, det.handle, det.segments, geo.source_size)
    label = det.mark.kind == "platform_label"
    handle = det.handle
    data: dict[str, Any] = {
        "catalog_key": det.mark.catalog_key,
        "mark": det.mark.key,
        "mark_name": det.mark.name,
        "text": text,
        "confidence": round(conf, 3),
        "handle": handle.handle if handle else None,
        "handle_confidence": round(handle.confidence, 3) if handle else None,
        "handle_support": handle.support if handle else None,
        "handle_readings": list(handle.readings) if handle else [],
        "geometry_matches": not det.notes,
        "name_width_share": round(det.name_width, 4) if det.name_width is not None else None,
        "mismatches": list(det.notes),
        "segments": [shape.to_json(s.to_metric()) for s in det.segments],
        "catalogue_verified": det.mark.verified,
    }
    if label:  # a platform's label says AI was involved, never which generator
        data["label"] = det.mark.generator
        data["attribution_grade"] = False
    else:
        data["generator"] = det.mark.generator
        data["attribution_grade"] = True  # the mark names the generator or app it comes from
    code = "watermark.platform_label" if label else "watermark.generator_mark"
    return Evidence.supports(
        code, Hypothesis.AI_GENERATED, det.strength, summary, span=Span(det.start_s, det.end_s), data=data
    )


def build(
    tracks: Sequence[Track], geo: Geometry, thumbs: list[Thumbnail], store: FrameStore | None = None
) -> Findings:
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
        det, _ = _detection(marks[key], mark_tracks, geo, store, handles.get(key, []))
        ranked = sorted(det.segments, key=lambda s: s.reading.confidence if s.reading else 0.0, reverse=True)
        shown: set[int] = set()
        for seg in ranked:
            if len(shown) >= MAX_THUMBS_PER_DETECTION or seg.thumb is None:
                continue
            if id(seg.thumb) in shown:  # one thumbnail per read crop, however many stays share it
                seg.thumbnail_index = next(
                    s.thumbnail_index
                    for s in det.segments
                    if s.thumb is seg.thumb and s.thumbnail_index is not None
                )
                continue
            label = f"{det.mark.generator} mark {seg.start_s:.1f}-{seg.end_s:.1f} s"
            if seg.reading and seg.reading.text:
                label += f': "{seg.reading.text}"'
            if seg.reading and seg.reading.handle:
                label += f" {seg.reading.handle}"
            seg.thumbnail_index = add_thumb(thumbs, seg.thumb, label)
            shown.add(id(seg.thumb))
        detections.append(det)
        evidence.append(_detection_evidence(det, geo))
        if det.handle is not None:
            evidence.append(
                Evidence.info(
                    "watermark.handle",
                    Hypothesis.KNOWN_CONTENT,
                    handle_summary(det.mark, det.handle),
                    span=Span(det.start_s, det.end_s),
                    data={
                        "handle": det.handle.handle,
                        "confidence": round(det.handle.confidence, 3),
                        "support": det.handle.support,
                        "total": det.handle.total,
                        "runner_up": det.handle.runner_up,
                        "runner_up_support": det.handle.runner_up_support,
                        "cut_short": det.handle.cut_short,
                        "readings": list(det.handle.readings),
                        "generator": det.mark.generator,
                        "attribution_grade": False,  # a lead to an account, not a finding of generation
                    },
                )
            )
    overlays = unidentified(unmatched, geo, thumbs, _track_segments)
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
        handle_support=det.handle.support if det.handle else None,
        handle_runner_up=det.handle.runner_up if det.handle else None,
        handle_runner_up_support=det.handle.runner_up_support if det.handle else None,
        box=best.box,
        start_s=round(det.start_s, 2),
        end_s=round(det.end_s, 2),
        thumbnail_index=best.thumbnail_index,
        strength=det.strength,
        mismatches=tuple(det.notes),
        segments=tuple(s.to_metric() for s in det.segments),
    )
