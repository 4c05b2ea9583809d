"""From the scan's tracks to what the report keeps: track rows with their lanes, the main track, the cue
panels with their series, and the matches against reference photos."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vidsleuth.core.evidence import Span
from vidsleuth.signals.faces import animated, identity
from vidsleuth.signals.faces.cues import CUES, MIN_OBSERVATIONS, TrackCues, sentence
from vidsleuth.signals.faces.findings import where
from vidsleuth.signals.faces.metrics import CuePanel, MatchRow, Segment, Series, TrackRow
from vidsleuth.signals.faces.references import Reference, match_tracks
from vidsleuth.signals.faces.scan import TrackRecord
from vidsleuth.signals.faces.tracking import Track

SERIES_POINTS = 300
MIN_GAP_S = 3.0  # a track's lane breaks where it was not seen for longer than this (or 2.5 detections)


def span_of(track: Track) -> Span:
    return Span(round(track.obs[0].time_s, 3), round(track.obs[-1].time_s, 3))


def examined(track: Track, min_px: int) -> bool:
    widths = [o.width for o in track.obs]
    return len(track.obs) >= MIN_OBSERVATIONS and statistics.median(widths) >= min_px


def main_track(tracks: Sequence[Track], min_px: int) -> Track | None:
    """The face the cues describe: the largest face area times time seen, among those examined."""
    ok = [t for t in tracks if examined(t, min_px)]
    return max(ok, key=lambda t: sum(o.width**2 for o in t.obs), default=None)


def segments(track: Track, gap_s: float) -> tuple[Segment, ...]:
    out: list[list[float]] = []
    for o in track.obs:
        if out and o.time_s - out[-1][1] <= gap_s:
            out[-1][1] = o.time_s
        else:
            out.append([o.time_s, o.time_s])
    return tuple(Segment(round(a, 3), round(b, 3)) for a, b in out)


def track_rows(
    tracks: Sequence[Track],
    records: dict[int, TrackRecord],
    main: Track | None,
    min_px: int,
    detect_every_s: float,
    thumbnails: dict[int, int],
) -> tuple[TrackRow, ...]:
    gap = max(MIN_GAP_S, 2.5 * detect_every_s)
    rows = []
    for t in tracks:
        rec = records.get(t.track_id)
        span = span_of(t)
        rows.append(
            TrackRow(
                track_id=t.track_id,
                start_s=span.start_s,
                end_s=span.end_s,
                segments=segments(t, gap),
                observations=len(t.obs),
                detections=t.detections,
                descriptors=len(rec.descriptors) if rec else 0,
                face_px=round(float(statistics.median(o.width for o in t.obs)), 1),
                thumbnail=thumbnails.get(t.track_id, -1),
                main=main is not None and t.track_id == main.track_id,
                examined=examined(t, min_px),
            )
        )
    return tuple(rows)


def _series(times: Sequence[float], values: Sequence[float]) -> Series | None:
    pairs = [(round(float(t), 3), float(v)) for t, v in zip(times, values, strict=False) if np.isfinite(v)]
    if not pairs:
        return None
    if len(pairs) > SERIES_POINTS:
        step = -(-len(pairs) // SERIES_POINTS)
        pairs = pairs[::step]
    return Series(tuple(t for t, _ in pairs), tuple(float(f"{v:.5g}") for _, v in pairs))


def cue_panels(cues: TrackCues | None, track: Track | None, use68: bool) -> tuple[CuePanel, ...]:
    """One panel per cue (those that need the 68-point model only when it ran)."""
    at = "no face"
    if track is not None:
        span = span_of(track)
        at = where(track.track_id, span.start_s, span.end_s)
    panels = []
    for cue in CUES:
        if cue.needs68 and not use68:
            continue
        value = cues.values.get(cue.key) if cues is not None else None
        times, values = cues.series.get(cue.key, ([], [])) if cues is not None else ([], [])
        panels.append(
            CuePanel(
                title=cue.title,
                feature=cue.key,
                code=f"faces.{cue.key}",
                unit=cue.unit,
                value=None if value is None else round(value, 6),
                direction=cue.direction,
                sentence=sentence(cue, value, at),
                series=_series(times, values) if value is not None else None,
                series_shows=cue.series_shows,
            )
        )
    return tuple(panels)


@dataclass(frozen=True, slots=True)
class CheckedMatch:
    row: MatchRow
    sign: animated.Sign | None
    span: Span
    reference: int  # index into the references (two photos may share a file name)


def matches(
    tracks: Sequence[Track],
    records: dict[int, TrackRecord],
    refs: list[Reference],
    threshold: float,
    possible: float,
    limit: int = 20,
) -> tuple[list[CheckedMatch], tuple[float, str] | None]:
    """Each track's match against each photo (closest first, at most `limit`), with the animated-photo
    check for matches; and the closest pair when nothing matched."""
    by_id = {t.track_id: t for t in tracks}
    centres = {}
    for tid, rec in records.items():
        c = identity.centre([d for _, d in rec.descriptors])
        if c is not None and tid in by_id:
            centres[tid] = c
    found, closest = match_tracks(centres, refs, threshold, possible)
    out = []
    for m in found[:limit]:
        track, rec, ref = by_id[m.track_id], records[m.track_id], refs[m.reference]
        sign = animated.check(ref, rec.windows, [o.points for o in track.obs]) if m.kind == "match" else None
        span = span_of(track)
        row = MatchRow(
            track_id=m.track_id,
            reference=ref.name,
            distance=round(m.distance, 4),
            threshold=threshold if m.kind == "match" else possible,
            kind=m.kind,
            start_s=span.start_s,
            end_s=span.end_s,
            sign=sign.kind if sign is not None else "not checked",
            background_ncc=round(sign.background_ncc, 3) if sign else None,
            head_motion=round(sign.shape_motion, 4) if sign else None,
            head_travel=round(sign.travel, 4) if sign else None,
        )
        out.append(CheckedMatch(row, sign, span, m.reference))
    near = (closest[0], refs[closest[2]].name) if closest is not None else None
    return out, near
