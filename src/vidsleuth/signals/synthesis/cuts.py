"""Hard cuts and repeated frames between the synthesis signal's samples (1/8 s apart), found on their own.

A window of samples must not straddle a hard cut: the jump to another shot is no step of a path, and
measured across it both measurements read "camera-like". The shots signal finds cuts on every frame,
but a signal never reads another signal, so this module tests the samples it already has:

- **picture jump**: the colours of the whole picture change (L1 distance of 4x4x4-bin RGB histograms of
  the backbone's input >= 0.6, on a 0-2 scale) *and* no shift of up to 10 % of the frame lines the two
  samples up (mean absolute difference of 32 x 32 grey thumbnails, minimised over shifts, >= 30 grey
  levels). Fast camera motion moves the picture, it rarely changes its colours and shift together.
- **path jump** (the rule the head was first fitted with): a step in embedding space longer than 2.5
  times the window's median step and longer than 0.5.

On the corpus's multi-shot Sora clips these two find the cuts of shots longer than a second; cuts they
miss leave one large step in a segment, which pushes both measurements towards "camera-like": a missed
cut can cost the signal a finding, never make one. A sample whose thumbnail equals the previous one
(mean difference below half a grey level) is a frame the source repeated and is left out.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

from vidsleuth.signals.synthesis.features import MIN_SEGMENT

Pixels = npt.NDArray[np.uint8]
Grey = npt.NDArray[np.float32]
FloatArray = npt.NDArray[np.float64]

HIST_BINS = 4  # per channel
PICTURE_HIST_MIN = 0.6
PICTURE_DIFF_MIN = 30.0
SHIFT_FRACTION = 0.1
PATH_RATIO = 2.5
PATH_MIN = 0.5
REPEAT_MAX_DIFF = 0.5


def colour_histogram(crop: Pixels) -> FloatArray:
    """Normalised joint RGB histogram, HIST_BINS per channel."""
    q = (crop // (256 // HIST_BINS)).astype(np.int64)
    codes = (q[..., 0] * HIST_BINS + q[..., 1]) * HIST_BINS + q[..., 2]
    h = np.bincount(codes.ravel(), minlength=HIST_BINS**3).astype(np.float64)
    out: FloatArray = h / max(h.sum(), 1.0)
    return out


def shifted_difference(a: Grey, b: Grey, fraction: float = SHIFT_FRACTION) -> float:
    """Mean absolute difference of two thumbnails at the shift (up to `fraction` of the side) that lines
    them up best."""
    side = a.shape[0]
    r = max(1, round(side * fraction))
    best = float("inf")
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            pa = a[max(0, dy) : side + min(0, dy), max(0, dx) : side + min(0, dx)]
            pb = b[max(0, -dy) : side + min(0, -dy), max(0, -dx) : side + min(0, -dx)]
            best = min(best, float(np.abs(pa - pb).mean()))
    return best


def halve(thumb: Grey) -> Grey:
    """A thumbnail at half the side (2 x 2 means): the 64-px thumbnails become the cut test's 32 px."""
    h, w = thumb.shape[0] // 2 * 2, thumb.shape[1] // 2 * 2
    out: Grey = thumb[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3)).astype(np.float32)
    return out


def is_repeat(a: Grey, b: Grey) -> bool:
    return float(np.abs(a - b).mean()) < REPEAT_MAX_DIFF


def picture_jumps(crops: list[Pixels], thumbs: list[Grey]) -> npt.NDArray[np.bool_]:
    """For each step between consecutive samples: is it a picture jump? (`thumbs`: the 64-px thumbnails)"""
    out = np.zeros(max(0, len(crops) - 1), dtype=bool)
    hists = [colour_histogram(c) for c in crops]
    for k in range(1, len(crops)):
        if float(np.abs(hists[k] - hists[k - 1]).sum()) < PICTURE_HIST_MIN:
            continue
        out[k - 1] = shifted_difference(halve(thumbs[k]), halve(thumbs[k - 1])) >= PICTURE_DIFF_MIN
    return out


def path_jumps(z: npt.NDArray[np.floating]) -> npt.NDArray[np.bool_]:
    """For each step of the embedding path: is it much longer than the window's typical step?"""
    if len(z) < 3:
        return np.zeros(max(0, len(z) - 1), dtype=bool)
    d = np.linalg.norm(np.diff(np.asarray(z, dtype=np.float64), axis=0), axis=1)
    jumps: npt.NDArray[np.bool_] = (d > PATH_RATIO * np.median(d)) & (d > PATH_MIN)
    return jumps


def segments(cut_after: npt.NDArray[np.bool_], n: int, min_len: int = MIN_SEGMENT) -> list[tuple[int, int]]:
    """(start, stop) of the runs between cuts with at least `min_len` samples; `cut_after[k]` marks a cut
    between sample k and k + 1."""
    bounds = [0, *(np.nonzero(cut_after)[0] + 1).tolist(), n]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b - a >= min_len]
