"""Photo origin: which banked photos a video shows, even as a part of the frame or animated.

AI memorial videos animate a still photo of a real person; finding that photo in a bank reveals the
video's origin. PDQ (see `matching`) finds a photo only when a frame shows it nearly whole. Here a few
frames of the video, spread over its length, get local features (`local_features`), and each banked
still with stored features is looked for inside them:

1. Vote: each of the frame's LOCAL_VOTE_FRAME_KEYPOINTS strongest descriptors votes for the still
   owning its nearest banked descriptor (within LOCAL_VOTE_DISTANCE bits) among the
   LOCAL_VOTE_STILL_KEYPOINTS strongest of every still: one brute-force pass.
2. Verify: the LOCAL_CANDIDATES most-voted stills (with at least LOCAL_MIN_VOTES votes) are matched
   into the frame with the ratio test and checked geometrically (RANSAC); a still matches a frame when
   one similarity transform explains enough matches (`Verification.is_match`).

The cost is bounded per frame: the vote is linear in the number of banked stills (a fixed number of
descriptors each) and the verification is constant (at most LOCAL_CANDIDATES stills); a video gets at most
LOCAL_MAX_FRAMES frames. A match says the video contains (part of) the photo, where and when; it cannot
tell whether the photo was animated or merely shown.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from vidsleuth.core.evidence import Span, Strength
from vidsleuth.core.settings import DEFAULT_MAX_PIXELS
from vidsleuth.core.signal import FrameSample
from vidsleuth.fingerprint import thresholds as th
from vidsleuth.fingerprint.local_features import (
    LocalFeatures,
    Verification,
    frame_features,
    nearest,
    still_features,
    verify,
)
from vidsleuth.fingerprint.search import BankItemInfo
from vidsleuth.fingerprint.video import VideoFingerprint, fingerprint_file

RULE = "photo_origin"


@dataclass(frozen=True, slots=True)
class QueryFrame:
    """One searched frame's features; `time_s` is None when the query is a photo."""

    time_s: float | None
    features: LocalFeatures


class FramePicker:
    """Chooses the frames that get local features: at most `max_frames`, spread over the video.

    A frame is taken `interval_s` after the last one taken; when more than `max_frames` have been
    taken, every other one is dropped and the interval doubles, so the frames stay spread over a video
    of any length without knowing its length in advance. A frame with too few keypoints to match (black,
    flat, a fade) is skipped, and the next sampled frame is tried instead."""

    def __init__(self, max_frames: int = th.LOCAL_MAX_FRAMES, interval_s: float = th.LOCAL_FRAME_INTERVAL_S):
        if max_frames < 1 or interval_s <= 0:
            raise ValueError("the frame picker needs max_frames >= 1 and interval_s > 0")
        self.max_frames = max_frames
        self.interval_s = interval_s
        self._frames: list[QueryFrame] = []
        self._next_s = 0.0

    def offer(self, time_s: float, pixels: npt.NDArray[np.uint8]) -> QueryFrame | None:
        """Take this frame (computing its features) when it is due; returns what was taken."""
        if time_s < self._next_s - 1e-6:
            return None
        features = frame_features(pixels)
        if features.count < th.LOCAL_MIN_INLIERS:
            return None
        frame = QueryFrame(time_s, features)
        self._frames.append(frame)
        self._next_s = time_s + self.interval_s
        if len(self._frames) > self.max_frames:
            self._frames = self._frames[::2]
            self.interval_s *= 2
            self._next_s = (self._frames[-1].time_s or 0.0) + self.interval_s
        return frame

    @property
    def frames(self) -> tuple[QueryFrame, ...]:
        return tuple(self._frames)


@dataclass(frozen=True, slots=True)
class Sighting:
    """A banked still verified in one searched frame."""

    time_s: float | None
    verification: Verification

    def to_dict(self) -> dict[str, Any]:
        t = None if self.time_s is None else round(self.time_s, 3)
        return {"t": t, **self.verification.to_dict()}


@dataclass(frozen=True, slots=True)
class PhotoOriginMatch:
    """A banked photo found inside the query: in which checked frames, where, and how firmly."""

    item: BankItemInfo
    sightings: tuple[Sighting, ...]  # time order
    frames_checked: int
    segments: tuple[Span, ...]  # stretches of the video whose checked frames show it (empty for a photo)

    @property
    def best(self) -> Sighting:
        return max(self.sightings, key=lambda s: s.verification.inliers)

    @property
    def strength(self) -> float:
        strong = len(self.sightings) >= 2 or self.best.verification.inliers >= th.LOCAL_STRONG_INLIERS
        return float(Strength.STRONG if strong else Strength.MODERATE)

    @property
    def times(self) -> list[float]:
        return [s.time_s for s in self.sightings if s.time_s is not None]

    def to_dict(self) -> dict[str, Any]:
        """The shape of a bank match's data (`BankMatch.to_dict`), with the photo-origin facts added."""
        best = self.best.verification
        out = self.item.to_dict()
        out.update(
            {
                "is_match": True,
                "rule": RULE,
                "strength": round(self.strength, 3),
                "strength_name": Strength.name_of(self.strength),
                "frames_checked": self.frames_checked,
                "frames_matched": len(self.sightings),
                "times": [round(t, 3) for t in self.times],
                "inliers": best.inliers,
                "inlier_ratio": round(best.inlier_ratio, 3),
                "region": best.to_dict()["region"],
                "outline": best.to_dict()["outline"],
                "sightings": [s.to_dict() for s in self.sightings],
                "segments": [
                    {"query": span.to_dict(), "item": None, "offset_s": None, "frames": n}
                    for span, n in zip(self.segments, self._segment_frames(), strict=True)
                ],
            }
        )
        return out

    def _segment_frames(self) -> list[int]:
        times = self.times
        return [sum(1 for t in times if s.start_s <= t < s.end_s or t == s.end_s) for s in self.segments]

    def describe(self) -> str:
        """One sentence a person can check."""
        best = self.best.verification
        x0, y0, x1, y1 = best.region
        region = f"x {100 * x0:.0f}–{100 * x1:.0f} %, y {100 * y0:.0f}–{100 * y1:.0f} % of the frame"
        if self.segments:
            when = ", ".join(f"{s.start_s:.1f}–{s.end_s:.1f} s" for s in self.segments)
            seen = f"seen at {when} ({len(self.sightings)} of {self.frames_checked} checked frames)"
        else:
            seen = "in the photo searched"
        return (
            f"{seen}, region {region}; {best.inliers} geometrically consistent feature matches "
            f"({100 * best.inlier_ratio:.0f} % of candidate matches)"
        )


def _segments(frames: Sequence[QueryFrame], hits: set[int], duration_s: float | None) -> tuple[Span, ...]:
    """Stretches of the video whose checked frames show the still: each checked frame stands for the
    time until the next checked frame (the last one, until the end)."""
    times = [f.time_s for f in frames]
    if any(t is None for t in times):
        return ()
    out: list[Span] = []
    for k, frame in enumerate(frames):
        if k not in hits:
            continue
        start = float(frame.time_s or 0.0)
        nxt = frames[k + 1].time_s if k + 1 < len(frames) else duration_s
        end = max(start, float(nxt) if nxt is not None else start)
        if out and k - 1 in hits:
            out[-1] = Span(out[-1].start_s, end)
        else:
            out.append(Span(start, end))
    return tuple(out)


class PhotoOriginIndex:
    """The banked stills' features, stacked for voting. Build once, search many times."""

    def __init__(self, items: Mapping[int, BankItemInfo], features: Mapping[int, LocalFeatures]) -> None:
        self.items = items
        self.features = {i: f for i, f in features.items() if i in items and f.count}
        ids = sorted(self.features)
        self._ids = np.array(ids, dtype=np.int64)
        if ids:
            voters = [self.features[i].descriptors[: th.LOCAL_VOTE_STILL_KEYPOINTS] for i in ids]
            self._owner = np.concatenate([np.full(v.shape[0], k, np.intp) for k, v in enumerate(voters)])
            self._descriptors = np.ascontiguousarray(np.vstack(voters))
        else:
            self._owner = np.zeros(0, np.intp)
            self._descriptors = np.zeros((0, 32), np.uint8)

    def __len__(self) -> int:
        return int(self._ids.size)

    @property
    def descriptor_count(self) -> int:
        return int(self._owner.size)

    def candidates(self, frame: LocalFeatures) -> list[int]:
        """Stills worth verifying in this frame, the most-voted first."""
        if not len(self) or not frame.count:
            return []
        idx, dist = nearest(frame.descriptors[: th.LOCAL_VOTE_FRAME_KEYPOINTS], self._descriptors)
        close = idx[(idx >= 0) & (dist <= th.LOCAL_VOTE_DISTANCE)]
        if not close.size:
            return []
        votes = np.bincount(self._owner[close], minlength=len(self))
        order = np.argsort(-votes, kind="stable")[: th.LOCAL_CANDIDATES]
        return [int(self._ids[k]) for k in order if votes[k] >= th.LOCAL_MIN_VOTES]

    def search(
        self,
        frames: Sequence[QueryFrame],
        *,
        duration_s: float | None = None,
        exclude: Iterable[int] = (),
    ) -> list[PhotoOriginMatch]:
        """Banked stills found in the frames, strongest first; items in `exclude` are skipped (already
        matched another way)."""
        skip = set(exclude)
        found: dict[int, dict[int, Verification]] = {}
        for k, frame in enumerate(frames):
            for item_id in self.candidates(frame.features):
                if item_id in skip:
                    continue
                result = verify(self.features[item_id], frame.features)
                if result is not None and result.is_match:
                    found.setdefault(item_id, {})[k] = result
        out = []
        for item_id, hits in found.items():
            sightings = tuple(Sighting(frames[k].time_s, v) for k, v in sorted(hits.items()))
            segments = _segments(frames, set(hits), duration_s)
            out.append(PhotoOriginMatch(self.items[item_id], sightings, len(frames), segments))
        out.sort(key=lambda m: (-m.strength, -m.best.verification.inliers, m.item.id))
        return out


def still_features_file(
    path: str | os.PathLike[str], *, max_pixels: int = DEFAULT_MAX_PIXELS, display_name: str | None = None
) -> LocalFeatures | None:
    """Local features of a still image file to bank; None when the file is a video (or an animated
    image). Raises InputError when it cannot be read."""
    from vidsleuth.fingerprint.reader import read_still

    still = read_still(path, max_pixels=max_pixels, display_name=display_name)
    return None if still is None else still_features(still)


def query_file(
    path: str | os.PathLike[str],
    *,
    sample_fps: float | None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    display_name: str | None = None,
) -> tuple[VideoFingerprint, tuple[QueryFrame, ...]]:
    """A file to search, in one decode: its PDQ fingerprint and the frames picked for local features
    (the photo itself when the file is a photo). Raises InputError when it cannot be read."""
    from vidsleuth.fingerprint.reader import read_still

    still = read_still(path, max_pixels=max_pixels, display_name=display_name)
    if still is not None:
        fp = fingerprint_file(path, sample_fps=sample_fps, max_pixels=max_pixels, display_name=display_name)
        return fp, (QueryFrame(None, frame_features(still)),)
    picker = FramePicker()

    def offer(sample: FrameSample) -> None:
        if sample.pixels is not None:
            picker.offer(sample.time_s, sample.pixels)

    fp = fingerprint_file(
        path, sample_fps=sample_fps, max_pixels=max_pixels, display_name=display_name, on_frame=offer
    )
    return fp, picker.frames
