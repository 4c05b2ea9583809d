"""Shot-boundary detection on small frames: hard cuts and fades through black, in plain numpy.

Why a module of its own (and one of about 450 lines: the measurer and the decisions are one detector,
read together): the detector is the part of the shots signal that needs tuning and testing, and
it is easier to do both without a video. It works in two stages, kept apart as PySceneDetect keeps
per-frame metrics apart from decisions:

1. `FrameMeasurer` reduces each small RGB frame, as it streams past, to a few numbers (its difference
   from the previous frame after compensating a global shift, how much of the picture changed, its
   difference from the frames up to `LAGS` back, how dark it is). It keeps only the last few small
   frames, never the video.
2. `detect` turns those series into transitions. A frame is a cut when its difference is large in
   absolute terms, covers most of the picture, stands out from the frames around it (an adaptive
   threshold, so fast motion does not read as a cut), and the change persists (so a flash, a frame or
   three of something else before the shot resumes, is not two cuts). Runs of black frames are fades;
   a cut that falls inside one is part of it. Transitions closer together than a minimum shot length
   are merged.

The thresholds below were chosen on the project corpus (PySceneDetect's test videos with their golden
cut lists, Sora 2 multi-shot clips, real footage with and without cuts); docs/signals/shots.md gives the
measurements. Differences are on the 0-255 scale, computed on frames whose longer side is about
`MEASURE_SIDE` pixels.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Pixels = npt.NDArray[np.uint8]

# Longer side of the frames the measurements are tuned for. 64 px finds the same cuts as 128 px on the
# corpus and costs a quarter of the arithmetic (docs/signals/shots.md, "Choices measured").
MEASURE_SIDE = 64
# How many previous frames the measurer compares each frame with (for the flash test): a flash of up
# to LAGS - 1 frames is recognised.
LAGS = 4
# Global-shift compensation: search this fraction of the frame's width and height either way. A camera
# jerk moves the picture by a few percent between two frames; a cut does not line up at any shift.
SHIFT_SEARCH_FRACTION = 0.1
# A pixel counts as changed when one of its colour channels moves by more than this (0-255).
CHANGED_LEVEL = 20
# A frame is black when its mean luma is at most BLACK_MEAN and at most BLACK_BRIGHT_FRACTION of its
# pixels are brighter than BLACK_BRIGHT_LEVEL. PySceneDetect's fade detector uses a mean of 12; the
# bright-pixel condition keeps a dark product shot (a lit object on black) from reading as a fade.
BLACK_MEAN = 12.0
BLACK_BRIGHT_LEVEL = 48
BLACK_BRIGHT_FRACTION = 0.01
# A fade brightens or darkens by at most this much mean luma per frame: a 0.25 s fade from mid-grey at
# 24 fps changes by about 21 a frame; a cut to black changes by the whole picture level at once.
FADE_MAX_STEP = 24.0

Kind = Literal["cut", "fade"]
FadeKind = Literal["in", "out", "through"]


@dataclass(frozen=True, slots=True)
class DetectorParams:
    """The decision thresholds. Defaults were tuned on the corpus; see docs/signals/shots.md."""

    # A cut needs a (shift-compensated) mean difference of at least this much from the previous frame.
    # Hard cuts between different shots measure 25-120 at 64 px; camera motion within a shot rarely
    # passes 30, and is then caught by the contrast test.
    min_diff: float = 12.0
    # ... with at least this fraction of the pixels changed (a picture-in-picture inset that changes,
    # about 15 % of the frame in FaceForensics++ 004, is not a cut of the main shot).
    min_changed: float = 0.25
    # ... standing out from the frames around it: diff >= contrast * (mean of the `window` frames either
    # side, the single largest left out so that a cut spread over two frames still counts) + 1.
    contrast: float = 2.5
    window: int = 4
    # Flash test: the change is a flash when, within LAGS - 1 frames, the frame from before comes back
    # (or the frame after had already been seen just before): a difference at most this fraction of the
    # jump itself.
    flash_return: float = 0.5
    # Two transitions closer than this are one (the stronger is kept). Sora 2 cuts inside one
    # generation can be 0.33 s apart, so this stays short; flashes are handled by the flash test.
    min_shot_s: float = 0.2
    # A run of black frames shorter than this, entered and left abruptly (no fade ramp), whose neighbours
    # look alike is a blink (a dropped or black frame inside one shot), not a fade.
    min_fade_black_s: float = 0.25
    # ... "look alike": difference across the black run below blink_similar * min_diff.
    blink_similar: float = 1.0

    def to_dict(self) -> dict[str, float | int]:
        return dict(asdict(self))


@dataclass(frozen=True, slots=True)
class Measurements:
    """Per-frame series produced by `FrameMeasurer` (or built by hand in tests)."""

    time_s: FloatArray  # presentation time of each frame
    diff: FloatArray  # shift-compensated mean abs difference to the previous frame (0 for the first)
    changed: FloatArray  # fraction of pixels changed by more than CHANGED_LEVEL (0 when diff < min_diff)
    # (n, LAGS): lag[i, k-1] = mean abs difference between frame i and frame i-k; measured only within
    # LAGS frames of a possible cut (NaN elsewhere), lag[:, 0] always.
    lag: FloatArray
    luma: FloatArray  # mean luma
    black: npt.NDArray[np.bool_]  # black frame (see BLACK_*)
    gap_diff: FloatArray  # at the first frame after a black run: difference to the frame before it

    def __len__(self) -> int:
        return len(self.time_s)

    @classmethod
    def from_series(
        cls,
        time_s: npt.ArrayLike,
        diff: npt.ArrayLike,
        *,
        changed: npt.ArrayLike | None = None,
        lag: npt.ArrayLike | None = None,
        luma: npt.ArrayLike | None = None,
        black: npt.ArrayLike | None = None,
        gap_diff: npt.ArrayLike | None = None,
    ) -> Measurements:
        """Build measurements from plain series; what is left out is filled neutrally (for tests)."""
        t = np.asarray(time_s, dtype=np.float64)
        d = np.asarray(diff, dtype=np.float64)
        n = len(t)
        if lag is None:
            # Without lag data, assume every change persists (no flashes): frame i differs from frame
            # i - k by the largest single step in between.
            lag_arr = np.full((n, LAGS), np.nan)
            for k in range(1, LAGS + 1):
                for i in range(k, n):
                    lag_arr[i, k - 1] = d[i - k + 1 : i + 1].max()
        else:
            lag_arr = np.asarray(lag, dtype=np.float64)
        return cls(
            time_s=t,
            diff=d,
            changed=np.ones(n) if changed is None else np.asarray(changed, dtype=np.float64),
            lag=lag_arr,
            luma=np.full(n, 128.0) if luma is None else np.asarray(luma, dtype=np.float64),
            black=np.zeros(n, bool) if black is None else np.asarray(black, dtype=bool),
            gap_diff=np.full(n, np.nan) if gap_diff is None else np.asarray(gap_diff, dtype=np.float64),
        )


# Rec. 601 luma weights.
_LUMA = np.array([0.299, 0.587, 0.114])


def _bright_fraction(luma: FloatArray) -> float:
    return float(np.count_nonzero(luma > BLACK_BRIGHT_LEVEL)) / luma.size


def _mad(a: npt.NDArray[np.int16], b: npt.NDArray[np.int16]) -> float:
    return float(np.abs(a - b).sum()) / a.size


def _best_shift(a: FloatArray, b: FloatArray, radius: int) -> int:
    """The shift s (|s| <= radius) for which a[i + s] best matches b[i] (mean abs difference)."""
    best, best_err = 0, math.inf
    n = len(a)
    radius = min(radius, n - 1)  # a profile of n values can shift by n - 1 at most (1x1 video: none)
    for s in range(-radius, radius + 1):
        err = float(np.abs(a[s:] - b[: n - s]).mean() if s >= 0 else np.abs(a[: n + s] - b[-s:]).mean())
        if err < best_err - 1e-9:
            best, best_err = s, err
    return best


@dataclass(slots=True)
class FrameMeasurer:
    """Streams small RGB frames (H x W x 3 uint8) and keeps per-frame numbers; holds LAGS frames."""

    params: DetectorParams = field(default_factory=DetectorParams)
    # Per-frame numbers in flat arrays of doubles (8 bytes a value: an hour at 60 fps is about 20 MB).
    _times: array[float] = field(default_factory=lambda: array("d"))
    _diff: array[float] = field(default_factory=lambda: array("d"))
    _changed: array[float] = field(default_factory=lambda: array("d"))
    _lag: array[float] = field(default_factory=lambda: array("d"))
    _luma: array[float] = field(default_factory=lambda: array("d"))
    _black: array[int] = field(default_factory=lambda: array("b"))
    _gap: dict[int, float] = field(default_factory=dict)
    _recent: deque[npt.NDArray[np.int16]] = field(default_factory=lambda: deque(maxlen=LAGS))
    _last_lit: npt.NDArray[np.int16] | None = None  # last frame that was not black
    _in_black: bool = False
    _since_jump: int = LAGS  # frames since the last frame that may be a cut

    @property
    def count(self) -> int:
        return len(self._times)

    @property
    def last_luma(self) -> float:
        return self._luma[-1] if self._luma else 0.0

    @property
    def last_changed(self) -> float:
        return self._changed[-1] if self._changed else 0.0

    @property
    def last_black(self) -> bool:
        return bool(self._black[-1]) if self._black else False

    def add(self, time_s: float, pixels: Pixels) -> float:
        """Measure one frame; returns its difference to the previous frame (0 for the first)."""
        x = pixels.astype(np.int16)
        if x.ndim == 2:
            x = np.repeat(x[:, :, None], 3, axis=2)
        luma = x @ _LUMA
        mean_luma = float(luma.mean())
        black = mean_luma <= BLACK_MEAN and _bright_fraction(luma) <= BLACK_BRIGHT_FRACTION

        recent = self._recent
        lags = [math.nan] * LAGS
        if recent and recent[-1].shape != x.shape:
            recent.clear()  # the picture changed size mid-stream: compare nothing across it
            self._last_lit = None
            diff, changed = 255.0, 1.0
        elif not recent:
            diff, changed = 0.0, 0.0
        else:
            lags[0] = _mad(x, recent[-1])
            diff, changed = self._compare(x, lags[0])
            # The longer lags only matter around a possible cut (the flash test looks LAGS - 1 frames
            # either side of one), so they are measured only there; elsewhere they stay NaN.
            if diff >= self.params.min_diff:
                self._since_jump = 0
            if self._since_jump < LAGS:
                for k in range(2, min(LAGS, len(recent)) + 1):
                    lags[k - 1] = _mad(x, recent[-k])
        self._since_jump += 1

        index = len(self._times)
        if black:
            self._in_black = True
        else:
            if self._in_black and self._last_lit is not None and self._last_lit.shape == x.shape:
                self._gap[index] = _mad(x, self._last_lit)
            self._in_black = False
            self._last_lit = x
        self._times.append(float(time_s))
        self._diff.append(diff)
        self._changed.append(changed)
        self._lag.extend(lags)
        self._luma.append(mean_luma)
        self._black.append(int(black))
        recent.append(x)
        return diff

    def _compare(self, x: npt.NDArray[np.int16], raw: float) -> tuple[float, float]:
        """Difference to the previous frame and the fraction of pixels that changed. Only a frame whose
        plain difference `raw` reaches `min_diff` is examined further (shift search, changed area); for
        the others the changed fraction is not needed and is reported as 0."""
        if raw < self.params.min_diff:
            return raw, 0.0
        # Large enough to matter: undo a global shift (camera jerk, pan) before deciding. The shift is
        # estimated from the luma row and column profiles, which is cheap and good for translation.
        prev = self._recent[-1]
        h, w = x.shape[:2]
        luma, prev_luma = x @ _LUMA, prev @ _LUMA  # (rare: only frames that may be cuts)
        dy = _best_shift(luma.mean(axis=1), prev_luma.mean(axis=1), max(1, round(h * SHIFT_SEARCH_FRACTION)))
        dx = _best_shift(luma.mean(axis=0), prev_luma.mean(axis=0), max(1, round(w * SHIFT_SEARCH_FRACTION)))
        a = x[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)]
        b = prev[max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)]
        shifted = _mad(a, b)
        if shifted >= raw:
            a, b, shifted = x, prev, raw
        per_pixel = np.abs(a - b).max(axis=2)
        changed = np.count_nonzero(per_pixel > CHANGED_LEVEL) / per_pixel.size
        return shifted, changed

    def measurements(self) -> Measurements:
        n = len(self._times)
        gap = np.full(n, np.nan)
        for i, v in self._gap.items():
            gap[i] = v
        return Measurements(
            time_s=np.asarray(self._times, dtype=np.float64),
            diff=np.asarray(self._diff, dtype=np.float64),
            changed=np.asarray(self._changed, dtype=np.float64),
            lag=np.asarray(self._lag, dtype=np.float64).reshape(n, LAGS),
            luma=np.asarray(self._luma, dtype=np.float64),
            black=np.asarray(self._black, dtype=np.int8).astype(bool),
            gap_diff=gap,
        )


@dataclass(frozen=True, slots=True)
class Transition:
    """A boundary between two shots. `frame` is the first frame of the new shot."""

    kind: Kind
    frame: int
    time_s: float  # boundary time (the new shot starts here)
    start_s: float  # the transition's extent (equal to time_s for a cut)
    end_s: float
    score: float  # the jump for a cut; for a fade, its length in seconds


@dataclass(frozen=True, slots=True)
class Fade:
    kind: FadeKind  # in (from black at the start), out (to black at the end), through (between shots)
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class Detection:
    transitions: tuple[Transition, ...]
    fades: tuple[Fade, ...]
    rejected_flashes: tuple[float, ...]  # times of jumps that were not kept because the shot came back


def _baseline(diff: FloatArray, window: int) -> FloatArray:
    """For each frame, the mean difference of `window` frames either side, the largest one left out (so
    that a cut spread over two frames, or a second cut close by, does not hide the first)."""
    n = len(diff)
    d = diff.copy()
    d[0] = np.nan  # the first frame has no difference
    padded = np.concatenate((np.full(window, np.nan), d, np.full(window, np.nan)))
    views = np.lib.stride_tricks.sliding_window_view(padded, 2 * window + 1)
    neighbours = np.delete(views, window, axis=1)  # (n, 2 * window)
    count = np.sum(~np.isnan(neighbours), axis=1)
    total = np.nansum(neighbours, axis=1)
    largest = np.where(count > 0, np.nanmax(np.where(np.isnan(neighbours), -np.inf, neighbours), axis=1), 0.0)
    out = np.where(count > 1, (total - largest) / np.maximum(count - 1, 1), np.where(count == 1, total, 0.0))
    assert len(out) == n
    return np.asarray(out, dtype=np.float64)


def _is_flash(m: Measurements, i: int, flash_return: float) -> bool:
    """Does the picture from before frame i come back within LAGS - 1 frames, or had the picture from
    frame i already been on screen just before the jump?"""
    jump = m.lag[i, 0]
    if not math.isfinite(jump) or jump <= 0:
        return False
    limit = flash_return * jump
    n = len(m)
    for j in range(1, LAGS):
        ahead = i + j
        if ahead < n and m.lag[ahead, j] <= limit:  # frame i+j against frame i-1
            return True
        if m.lag[i, j] <= limit:  # frame i against frame i-1-j
            return True
    return False


def _frame_span(m: Measurements, i: int) -> float:
    """Duration of frame i (to the next frame; the median interval for the last one)."""
    if i + 1 < len(m):
        return float(m.time_s[i + 1] - m.time_s[i])
    if len(m) > 1:
        return float(np.median(np.diff(m.time_s)))
    return 0.0


def _black_runs(m: Measurements) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start = None
    for i, b in enumerate(m.black):
        if b and start is None:
            start = i
        elif not b and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, len(m) - 1))
    return runs


def _ramp(luma: FloatArray, edge: int, step: int, limit: int) -> int:
    """Walk from the black frame `edge` in direction `step` while the picture brightens gradually (the
    fade ramp); a jump of more than FADE_MAX_STEP is a cut to or from black and ends the ramp."""
    i = edge
    for _ in range(limit):
        j = i + step
        if not 0 <= j < len(luma) or not luma[i] + 0.5 <= luma[j] <= luma[i] + FADE_MAX_STEP:
            break
        i = j
    return i


def detect(m: Measurements, params: DetectorParams | None = None) -> Detection:
    """Cuts and fades from per-frame measurements."""
    p = params or DetectorParams()
    n = len(m)
    if n < 2:
        return Detection((), (), ())
    fps = 1.0 / max(1e-6, float(np.median(np.diff(m.time_s))))
    ramp_limit = max(1, round(2.0 * fps))

    # Fades: runs of black frames.
    fades: list[Fade] = []
    fade_transitions: list[Transition] = []
    covered = np.zeros(n, bool)  # frames whose jumps belong to a fade
    for a, b in _black_runs(m):
        lo = _ramp(m.luma, a, -1, ramp_limit)
        hi = _ramp(m.luma, b, +1, ramp_limit)
        start_s = float(m.time_s[lo])
        end_s = float(m.time_s[hi]) + (_frame_span(m, hi) if hi == b else 0.0)
        covered[max(0, lo) : min(n, hi + 2)] = True
        if a == 0 and b == n - 1:
            continue  # all black: nothing to say about shots
        if a == 0:
            fades.append(Fade("in", start_s, end_s))
            continue
        if b == n - 1:
            fades.append(Fade("out", start_s, end_s))
            continue
        black_s = float(m.time_s[b + 1] - m.time_s[a])
        across = m.gap_diff[b + 1]
        ramped = lo < a - 1 or hi > b + 1
        if (
            black_s < p.min_fade_black_s
            and not ramped
            and math.isfinite(across)
            and across < p.blink_similar * p.min_diff
        ):
            continue  # a blink: a short, abrupt dip to black with the same picture before and after
        mid = (a + b + 1) // 2
        fades.append(Fade("through", start_s, end_s))
        fade_transitions.append(Transition("fade", mid, float(m.time_s[mid]), start_s, end_s, black_s))

    # Hard cuts.
    base = _baseline(m.diff, p.window)
    cuts: list[Transition] = []
    flashes: list[float] = []
    candidate = (m.diff >= p.min_diff) & (m.changed >= p.min_changed) & ~covered
    candidate &= m.diff >= p.contrast * (base + 1.0)
    candidate[0] = False
    for i in np.flatnonzero(candidate).tolist():
        d = float(m.diff[i])
        if _is_flash(m, i, p.flash_return):
            flashes.append(float(m.time_s[i]))
            continue
        t = float(m.time_s[i])
        cuts.append(Transition("cut", i, t, t, t, float(d)))

    # Merge transitions closer than the minimum shot length, keeping fades over cuts, then the larger.
    merged: list[Transition] = []
    for tr in sorted([*fade_transitions, *cuts], key=lambda x: x.time_s):
        if merged and tr.time_s - merged[-1].time_s < p.min_shot_s:
            prev = merged[-1]
            if (tr.kind == "fade", tr.score) > (prev.kind == "fade", prev.score):
                merged[-1] = tr
            continue
        merged.append(tr)
    return Detection(tuple(merged), tuple(fades), tuple(flashes))
