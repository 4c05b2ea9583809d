"""Matching one fingerprint against another: Meta's vPDQ rule plus time alignment.

vPDQ compares two videos as bags of unique, good-quality PDQ hashes: a query frame "matches" when any
frame of the other video is within distance 31; the two percentages (of the query's unique frames, of
the banked video's) decide. That rule finds re-encodes, rescales and trims of a whole video, and vidsleuth
applies it unchanged. It cannot see a short clip cut from a long video, nor say *where* the two agree,
so vidsleuth also aligns the matching frames in time: pairs of (query time, banked time) that share one
offset form a segment, reported as a time range on both sides. Unrelated videos that happen to share a
few similar frames give scattered offsets and no segment.

Still images take part as one-frame fingerprints: a photo matches the video frames within distance 31
(PDQ's photo rule), and the segments say when in the video it appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from vidsleuth.core.evidence import Span
from vidsleuth.fingerprint import thresholds as th
from vidsleuth.fingerprint.bits import as_rows, as_words, distance_matrix
from vidsleuth.fingerprint.video import VideoFingerprint


@dataclass(frozen=True, slots=True)
class MatchRules:
    """Thresholds of one comparison; the defaults are HMA's (see `thresholds`)."""

    distance: int = th.PDQ_MATCH_DISTANCE
    quality: int = th.PDQ_QUALITY_MIN
    item_match_pct: float = th.VPDQ_ITEM_MATCH_PCT
    query_match_pct: float = th.VPDQ_QUERY_MATCH_PCT
    segment_min_frames: int = th.SEGMENT_MIN_FRAMES
    segment_min_s: float = th.SEGMENT_MIN_S
    offset_tolerance_s: float = th.OFFSET_TOLERANCE_S
    max_gap_s: float = th.MAX_GAP_S

    def __post_init__(self) -> None:
        if not 0 <= self.distance <= 256:
            raise ValueError(f"match distance must be within 0..256, got {self.distance}")
        if not 0 <= self.quality <= 100:
            raise ValueError(f"quality threshold must be within 0..100, got {self.quality}")
        if self.segment_min_frames < 1:
            raise ValueError("segment_min_frames must be at least 1")

    def to_dict(self) -> dict[str, Any]:
        return {
            "distance": self.distance,
            "quality": self.quality,
            "item_match_pct": self.item_match_pct,
            "query_match_pct": self.query_match_pct,
            "segment_min_frames": self.segment_min_frames,
            "segment_min_s": self.segment_min_s,
        }


@dataclass(frozen=True, slots=True)
class Segment:
    """Where two fingerprints agree: a time range in the query and in the banked item (None for a photo)."""

    query: Span | None
    item: Span | None
    offset_s: float | None  # item time minus query time; None when either side is a still image
    frames: int  # distinct query frames (or item frames, for a photo query) in the segment
    mean_distance: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.to_dict() if self.query else None,
            "item": self.item.to_dict() if self.item else None,
            "offset_s": None if self.offset_s is None else round(self.offset_s, 3),
            "frames": self.frames,
            "mean_distance": round(self.mean_distance, 2),
        }


@dataclass(frozen=True, slots=True)
class MatchResult:
    is_match: bool
    rule: str  # "vpdq" (Meta's video rule), "segment" (aligned sub-clip), "pdq" (a still image), "none"
    strength: float  # on the shared evidence scale; 0 when not a match
    query_match_pct: float
    item_match_pct: float
    query_frames: int  # unique usable hashes
    item_frames: int
    matched_query_frames: int
    matched_item_frames: int
    best_distance: int | None
    mean_distance: float | None
    segments: tuple[Segment, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "is_match": self.is_match,
            "rule": self.rule,
            "strength": round(self.strength, 3),
            "query_match_pct": round(self.query_match_pct, 2),
            "item_match_pct": round(self.item_match_pct, 2),
            "query_frames": self.query_frames,
            "item_frames": self.item_frames,
            "matched_query_frames": self.matched_query_frames,
            "matched_item_frames": self.matched_item_frames,
            "best_distance": self.best_distance,
            "mean_distance": None if self.mean_distance is None else round(self.mean_distance, 2),
            "segments": [s.to_dict() for s in self.segments],
        }


@dataclass(frozen=True, slots=True)
class _Side:
    """One fingerprint's usable rows, grouped into samples (a frame and its variant hashes).

    Each sample stands for the time from its own time to the next sample's: a banked frame that pruning
    kept for a still shot stands for the whole shot, so a query frame from anywhere in it aligns."""

    words: npt.NDArray[np.uint64]  # (rows, 4)
    sample: npt.NDArray[np.intp]  # sample index of each row
    uid: npt.NDArray[np.intp]  # per sample: id of its first hash among unique hashes (vPDQ's dedup)
    starts: npt.NDArray[np.float64] | None  # per sample; None for a still image
    ends: npt.NDArray[np.float64] | None
    unique: int

    @classmethod
    def of(cls, fp: VideoFingerprint, quality: int) -> _Side:
        frames = fp.usable(quality)
        sample: list[int] = []
        firsts: list[bytes] = []
        times: list[float | None] = []
        previous: tuple[float | None, int | None] | None = None
        for f in frames:
            key = (f.time_s, f.frame)
            if f.variant == 0 or key != previous:
                firsts.append(f.hash)
                times.append(f.time_s)
            sample.append(len(firsts) - 1)
            previous = key
        rows = as_rows([f.hash for f in frames])
        if firsts:
            _, inverse = np.unique(as_rows(firsts), axis=0, return_inverse=True)
            uid = np.asarray(inverse, dtype=np.intp).reshape(-1)
        else:
            uid = np.zeros(0, np.intp)
        known = [t for t in times if t is not None]
        starts = ends = None
        if times and len(known) == len(times):
            starts = np.array(known, dtype=np.float64)
            last = float(starts[-1]) + (_step(fp) or 0.0)
            if fp.duration_s is not None and fp.duration_s > starts[-1]:
                last = fp.duration_s
            ends = np.append(starts[1:], last)
        unique = int(uid.max()) + 1 if uid.size else 0
        return cls(as_words(rows), np.array(sample, dtype=np.intp), uid, starts, ends, unique)


def _span(times: npt.NDArray[np.float64], step: float | None, duration: float | None) -> Span:
    start, end = float(times.min()), float(times.max())
    if step:
        end += step
    if duration is not None and duration >= start:
        end = min(end, max(duration, float(times.max())))
    return Span(start, end)


def _runs(times: npt.NDArray[np.float64], max_gap: float) -> list[npt.NDArray[np.intp]]:
    """Indices of `times` (any order) grouped into runs without a gap larger than `max_gap`."""
    order = np.argsort(times, kind="stable")
    if order.size == 0:
        return []
    breaks = np.nonzero(np.diff(times[order]) > max_gap)[0] + 1
    return list(np.split(order, breaks))


def _step(fp: VideoFingerprint) -> float | None:
    return 1.0 / fp.sample_fps if fp.sample_fps else None


def _overlap(span: Span, segments: list[Segment]) -> float:
    """Seconds of `span` already covered by the query side of `segments`."""
    total = 0.0
    for s in segments:
        if s.query is not None:
            total += max(0.0, min(span.end_s, s.query.end_s) - max(span.start_s, s.query.start_s))
    return total


def _aligned_segments(
    query: VideoFingerprint,
    item: VideoFingerprint,
    q: _Side,
    it: _Side,
    pq: npt.NDArray[np.intp],
    pi: npt.NDArray[np.intp],
    dist: npt.NDArray[np.int32],
    rules: MatchRules,
) -> list[Segment]:
    """Greedy: the time offset that most matching pairs allow, its runs in time, then the next offset.

    A pair of samples allows every offset (item time minus query time) between its two time intervals,
    widened by the tolerance."""
    assert q.starts is not None and q.ends is not None and it.starts is not None and it.ends is not None
    tol = rules.offset_tolerance_s
    lo = it.starts[pi] - q.ends[pq] - tol
    hi = it.ends[pi] - q.starts[pq] + tol
    tq = q.starts
    alive = np.ones(pq.size, dtype=bool)
    min_s = min(rules.segment_min_s, 0.5 * _length(query, tq))
    q_step = _step(query) or 0.0
    i_length = _length(item, it.starts)
    segments: list[Segment] = []
    while alive.any() and len(segments) < th.MAX_SEGMENTS:
        idx = np.nonzero(alive)[0]
        points = np.concatenate([lo[idx], hi[idx]])
        kinds = np.concatenate([np.ones(idx.size), -np.ones(idx.size)])
        order = np.lexsort((-kinds, points))  # at one point, intervals open before they close
        cover = np.cumsum(kinds[order])
        top = int(np.argmax(cover))  # the most-covered stretch starts here and ends at the next point
        sorted_points = points[order]
        best = float((sorted_points[top] + sorted_points[min(top + 1, sorted_points.size - 1)]) / 2)
        window = idx[(lo[idx] <= best) & (hi[idx] >= best)]
        if np.unique(pq[window]).size < rules.segment_min_frames:
            break
        # The offset each pair allows nearest to the best one; one pair per query sample.
        nearest = np.clip(best, lo[window] + tol, hi[window] - tol)
        keyed = sorted(
            range(window.size), key=lambda k: (pq[window[k]], dist[window[k]], abs(nearest[k] - best))
        )
        chosen: list[int] = []
        seen: set[int] = set()
        for k in keyed:
            if int(pq[window[k]]) not in seen:
                seen.add(int(pq[window[k]]))
                chosen.append(k)
        picked = window[chosen]
        offset = float(np.median(nearest[chosen]))
        used_query = np.zeros(tq.size, dtype=bool)
        for run in _runs(tq[pq[picked]], rules.max_gap_s):
            members = picked[run]
            times = tq[pq[members]]
            if members.size < rules.segment_min_frames or float(times.max() - times.min()) < min_s:
                continue
            used_query[pq[members]] = True
            span = _span(times, q_step, query.duration_s)
            if _overlap(span, segments) > 0.5 * span.duration_s:
                continue  # the same stretch of the query, again at another offset (a still shot)
            item_start = min(max(0.0, span.start_s + offset), i_length)
            segments.append(
                Segment(
                    query=span,
                    item=Span(item_start, min(max(item_start, span.end_s + offset), i_length)),
                    offset_s=offset,
                    frames=int(members.size),
                    mean_distance=float(dist[members].mean()),
                )
            )
        # Pairs of this offset are spent, and so are query frames already placed in a segment.
        alive[window] = False
        alive &= ~used_query[pq]
    segments.sort(key=lambda s: s.query.start_s if s.query else 0.0)
    return segments


def _photo_segments(
    times: npt.NDArray[np.float64] | None,
    idx: npt.NDArray[np.intp],
    dist: npt.NDArray[np.int32],
    video: VideoFingerprint,
    video_is_query: bool,
    rules: MatchRules,
) -> list[Segment]:
    """When a photo appears in a video: runs of the video's matching samples (`idx`)."""
    if times is None or idx.size == 0:
        return []
    frames = np.unique(idx)
    best = np.array([dist[idx == f].min() for f in frames], dtype=np.float64)
    out = []
    for run in _runs(times[frames], rules.max_gap_s):
        span = _span(times[frames[run]], _step(video), video.duration_s)
        out.append(
            Segment(
                query=span if video_is_query else None,
                item=None if video_is_query else span,
                offset_s=None,
                frames=int(run.size),
                mean_distance=float(best[run].mean()),
            )
        )
    return out


def _length(fp: VideoFingerprint, times: npt.NDArray[np.float64]) -> float:
    """A video's length: its duration when known, else its last sample time plus one step."""
    if fp.duration_s:
        return fp.duration_s
    return float(times.max()) + (_step(fp) or 0.0) if times.size else 0.0


def _strength(
    query: VideoFingerprint,
    item: VideoFingerprint,
    times: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
    vpdq_ok: bool,
    segments: list[Segment],
) -> float:
    """How strongly the match says "this is known content" (thresholds in `thresholds`)."""
    q_len, i_len = _length(query, times[0]), _length(item, times[1])
    q_cov = sum(s.query.duration_s for s in segments if s.query) / q_len if q_len else 0.0
    i_cov = sum(s.item.duration_s for s in segments if s.item) / i_len if i_len else 0.0
    if q_cov >= th.SAME_VIDEO_COVERAGE and i_cov >= th.SAME_VIDEO_COVERAGE:
        return th.STRENGTH_SAME_VIDEO
    longest = max(segments, key=lambda s: s.query.duration_s if s.query else 0.0, default=None)
    length = longest.query.duration_s if longest is not None and longest.query else 0.0
    if longest is not None and length >= th.LONG_SEGMENT_S and longest.frames >= th.LONG_SEGMENT_FRAMES:
        return th.STRENGTH_LONG_SEGMENT
    if vpdq_ok or length >= th.MEDIUM_SEGMENT_S:
        return th.STRENGTH_VPDQ
    return th.STRENGTH_SHORT


def compare(query: VideoFingerprint, item: VideoFingerprint, rules: MatchRules | None = None) -> MatchResult:
    """Compare a query fingerprint with a banked one (vPDQ percentages, aligned segments, decision)."""
    rules = rules or MatchRules()
    q, it = _Side.of(query, rules.quality), _Side.of(item, rules.quality)
    if not q.unique or not it.unique:
        return MatchResult(False, "none", 0.0, 0.0, 0.0, q.unique, it.unique, 0, 0, None, None)
    dmat = distance_matrix(q.words, it.words)
    rq, ri = np.nonzero(dmat <= rules.distance)
    dist = dmat[rq, ri]
    pq, pi = q.sample[rq], it.sample[ri]  # pairs of samples (a frame matches when any variant does)
    matched_q = int(np.unique(q.uid[pq]).size)
    matched_i = int(np.unique(it.uid[pi]).size)
    q_pct = 100.0 * matched_q / q.unique
    i_pct = 100.0 * matched_i / it.unique
    best = int(dist.min()) if dist.size else None
    mean = float(dist.mean()) if dist.size else None
    counts = (q.unique, it.unique, matched_q, matched_i, best, mean)
    if query.kind == "image" or item.kind == "image" or q.starts is None or it.starts is None:
        if query.kind == "image" and item.kind != "image":
            segments = _photo_segments(it.starts, pi, dist, item, False, rules)
        else:
            segments = _photo_segments(q.starts, pq, dist, query, True, rules)
        is_match = dist.size > 0
        frames = max(matched_q, matched_i)
        strong = frames >= th.IMAGE_STRONG_FRAMES or (best is not None and best <= th.IMAGE_CLOSE_DISTANCE)
        strength = (th.STRENGTH_VPDQ if strong else th.STRENGTH_SHORT) if is_match else 0.0
        return MatchResult(
            is_match, "pdq" if is_match else "none", strength, q_pct, i_pct, *counts, tuple(segments)
        )
    segments = _aligned_segments(query, item, q, it, pq, pi, dist, rules) if dist.size else []
    vpdq_ok = dist.size > 0 and i_pct >= rules.item_match_pct and q_pct >= rules.query_match_pct
    is_match = vpdq_ok or bool(segments)
    rule = "vpdq" if vpdq_ok else ("segment" if segments else "none")
    strength = _strength(query, item, (q.starts, it.starts), vpdq_ok, segments) if is_match else 0.0
    return MatchResult(is_match, rule, strength, q_pct, i_pct, *counts, tuple(segments))
