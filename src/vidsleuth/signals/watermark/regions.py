"""Finding overlays from the video itself: what stays put while the content moves.

A burned-in mark is the same pixels frame after frame. Over a short window of sampled frames (about a
second) the finder keeps pixels that are an edge in *every* frame (the minimum of the morphological
gradient over the window is high) and whose brightness barely changes (the window's max - min is low).
Text and logos light up as dense clusters of such pixels; moving content does not. Windows are short so
that a mark that jumps every two seconds (Sora) is found at each of its places in turn: the finder works
per window, and `TrackSet` links what it finds across consecutive windows into tracks with a time span.

On a still shot every edge is static, so the finder cannot tell an overlay from the scenery there; OCR
decides what a region is, and "the content moved around it" (`surround_motion`) is recorded so that only
overlays on moving content are reported as unidentified overlays.

All coordinates here are in the analysis frame (the sampled gray frame, see the signal's Sampling).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

Gray = npt.NDArray[np.uint8]
Box = tuple[int, int, int, int]  # x, y, w, h

# A pixel is a static edge when its morphological gradient (3x3) is at least EDGE_MIN in every frame of
# the window and its brightness varies by at most STILL_MAX (gray levels) across the window. Tuned on the
# corpus Sora feed clips, the puppy advert and the Veo files (docs/signals/watermark.md).
EDGE_MIN = 20
STILL_MAX = 30
# A pixel "moved" when its brightness varied by more than this across the window.
MOVED_MIN = 30
# Static edges are joined into blobs with a rectangle this share of the frame's shorter side (w, h):
# letters of one word merge, words on separate lines of a mark merge.
JOIN_SHARE = (0.03, 0.015)
# Blob size limits as shares of the frame's shorter side (w, h) and of the frame's width/height.
MIN_W_SHARE = 0.06
MIN_H_SHARE = 0.025
MAX_W_SHARE = 0.6  # of the frame width
MAX_H_SHARE = 0.25  # of the shorter side
MIN_H_PX = 4
# Share of a blob's box covered by static-edge pixels: text and logos reach 0.2-0.45, noise 0.05-0.1.
MIN_DENSITY = 0.12
# Clusters too large for a mark are split with a joining rectangle half as large, this many times.
SPLIT_DEPTH = 2
# Candidates kept per window (best first).
MAX_PER_WINDOW = 10
# Two boxes are the same place when their intersection over union reaches this.
SAME_PLACE_IOU = 0.4


@dataclass(frozen=True, slots=True)
class Candidate:
    box: Box
    density: float  # share of the box that is static edge
    surround_motion: float  # share of the ring around the box whose pixels moved in the window

    @property
    def score(self) -> float:
        return self.density


@dataclass(frozen=True, slots=True)
class WindowStats:
    candidates: tuple[Candidate, ...]
    moved_share: float  # share of the frame that moved: how informative "static" is in this window


def gradient(gray: Gray) -> Gray:
    return np.asarray(cv2.morphologyEx(gray, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)), dtype=np.uint8)


def _blobs(static: Gray, area: Box, short: int, depth: int, scale: float = 1.0) -> list[Box]:
    """Tight boxes of joined static-edge clusters inside `area`. A cluster too large to be a mark (a mark
    touching static scenery) is split again with a joining rectangle half as large, `depth` times."""
    ax, ay, aw, ah = area
    sub = static[ay : ay + ah, ax : ax + aw]
    kw = max(1, round(short * JOIN_SHARE[0] * scale))
    kh = max(1, round(short * JOIN_SHARE[1] * scale))
    joined = cv2.dilate(sub, cv2.getStructuringElement(cv2.MORPH_RECT, (kw, kh)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    out: list[Box] = []
    w = static.shape[1]
    for j in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[j][:4])
        if bw < short * MIN_W_SHARE or bh < max(MIN_H_PX, short * MIN_H_SHARE):
            continue
        # The tight box of the static pixels themselves (the joining rectangle widened the blob).
        ys, xs = np.nonzero(sub[y : y + bh, x : x + bw] & (labels[y : y + bh, x : x + bw] == j))
        if len(xs) == 0:
            continue
        box = (ax + x + int(xs.min()), ay + y + int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1)
        if box[2] < short * MIN_W_SHARE or box[3] < max(MIN_H_PX, short * MIN_H_SHARE):
            continue
        too_big = box[2] > w * MAX_W_SHARE or box[3] > short * MAX_H_SHARE
        if too_big and depth > 0 and kw > 1:
            out.extend(_blobs(static, box, short, depth - 1, scale / 2))
        else:
            out.append(box)
    return out


def find_candidates(frames: Sequence[Gray], grads: Sequence[Gray] | None = None) -> WindowStats:
    """Overlay candidates in one window of gray frames of equal size (oldest first)."""
    if len(frames) < 2:
        return WindowStats((), 0.0)
    grads = grads if grads is not None else [gradient(f) for f in frames]
    gmin = np.minimum.reduce(list(grads))
    rng = np.maximum.reduce(list(frames)) - np.minimum.reduce(list(frames))
    static = ((gmin >= EDGE_MIN) & (rng <= STILL_MAX)).astype(np.uint8)
    moved = rng > MOVED_MIN
    h, w = static.shape
    short = min(h, w)
    out: list[Candidate] = []
    for x, y, bw, bh in dict.fromkeys(_blobs(static, (0, 0, w, h), short, SPLIT_DEPTH)):
        if bw > w * MAX_W_SHARE or bh > short * MAX_H_SHARE:
            continue
        density = float(static[y : y + bh, x : x + bw].mean())
        if density < MIN_DENSITY:
            continue
        x0, y0 = max(0, x - bh), max(0, y - bh)
        x1, y1 = min(w, x + bw + bh), min(h, y + 2 * bh)
        ring = moved[y0:y1, x0:x1]
        inner = moved[y : y + bh, x : x + bw]
        ring_n = ring.size - inner.size
        surround = float((ring.sum() - inner.sum()) / ring_n) if ring_n > 0 else 0.0
        out.append(Candidate((x, y, bw, bh), density, surround))
    out.sort(key=lambda c: c.score, reverse=True)
    return WindowStats(tuple(out[:MAX_PER_WINDOW]), float(moved.mean()))


def iou(a: Box, b: Box) -> float:
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0, min(ax1, bx1) - max(a[0], b[0]))
    ih = max(0, min(ay1, by1) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def same_place(a: Box, b: Box) -> bool:
    """Boxes mark the same place: they overlap by SAME_PLACE_IOU, or one mostly lies inside the other."""
    if iou(a, b) >= SAME_PLACE_IOU:
        return True
    iw = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    smaller = min(a[2] * a[3], b[2] * b[3])
    return smaller > 0 and iw * ih >= 0.6 * smaller


@dataclass(slots=True)
class Track:
    """One place where an overlay stayed, over consecutive windows."""

    id: int
    box: Box
    start_s: float
    end_s: float
    windows: int = 1
    density_sum: float = 0.0
    surround_sum: float = 0.0
    last_window: int = 0
    reads: int = 0  # OCR attempts made on it
    payload: dict[str, object] = field(default_factory=dict)  # what the signal learned (OCR lines...)

    @property
    def density(self) -> float:
        return self.density_sum / self.windows

    @property
    def surround_motion(self) -> float:
        return self.surround_sum / self.windows

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


class TrackSet:
    """Links window candidates into tracks. A track survives MAX_MISSED windows without a sighting."""

    MAX_MISSED = 1

    def __init__(self) -> None:
        self.tracks: list[Track] = []
        self._window = 0

    def update(self, stats: WindowStats, start_s: float, end_s: float) -> list[Track]:
        """Add one window's candidates; returns the tracks seen in this window."""
        self._window += 1
        live = [t for t in self.tracks if self._window - t.last_window <= self.MAX_MISSED + 1]
        seen: list[Track] = []
        for cand in stats.candidates:
            best = max(live, key=lambda t: iou(t.box, cand.box), default=None)
            if best is not None and best not in seen and iou(best.box, cand.box) >= SAME_PLACE_IOU:
                best.end_s = end_s
                best.windows += 1
                best.last_window = self._window
                # Keep the larger box: a mark's edges flicker in and out with the background.
                if cand.box[2] * cand.box[3] > best.box[2] * best.box[3]:
                    best.box = cand.box
                track = best
            else:
                track = Track(len(self.tracks), cand.box, start_s, end_s, last_window=self._window)
                self.tracks.append(track)
                live.append(track)
            track.density_sum += cand.density
            track.surround_sum += cand.surround_motion
            seen.append(track)
        return seen
