"""From per-frame motion series to per-video features, plots and plain-language sentences.

Each feature is defined once in FEATURES: what it measures, its unit, the direction the literature or the
seed case suggests ("+1": higher looks more like generated video, "-1": lower does), and the bands used
for wording only. They are set from physical reasoning (docs/signals/motion.md), never fitted, and never
change a verdict: what a value is *worth* as evidence comes only from a calibration (`vidsleuth calibrate`).
Noise bands assume delivered, compressed video: H.264 at platform bitrates leaves a few tenths of a grey
level of grain in flat regions where the camera sensor made one to three.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vidsleuth.signals.motion.meter import Series

MOVING_SPEED = 8.0  # px/s@320: the camera counts as moving above this (2.5 % of the width per second)
MIN_MOVING_S = 1.5  # camera features need at least this much moving time...
MIN_RUN_S = 1.0  # ...in stretches of at least this long
SMOOTH_S = 0.5  # the camera path's intended motion: a moving average over this long; the rest is shake
SHAKE_FLOOR = 10.0  # px/s@320 added to the speed in the shake ratio, so slow drifts do not divide by ~0
WINDOW_S = 2.0  # straightness is measured over windows this long
STEADY_REL_ACCEL = 0.5  # "constant velocity": the velocity changes by less than 50 % of itself per second
MIN_STEP = 1.0  # embedding steps below this RMS grey-level change are noise, not motion
LOW_LIGHT = 70.0  # frames darker than this (mean grey level) count as low light
MIN_SAMPLES = 8  # fewer valid samples than this: the feature does not apply
SERIES_POINTS = 300  # series in the metrics are averaged down to at most this many points
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FeatureDef:
    key: str
    title: str
    unit: str
    direction: int  # +1: higher looks more generated; -1: lower does (a hypothesis, tested by eval)
    measures: str  # "what it measures", completing "This measures ..."
    low: float  # below: described as low
    high: float  # above: described as high
    low_text: str
    high_text: str
    mid_text: str = "within the range both filmed and generated video show"


# What each measurement's plotted series shows, and whether it is in the measurement's own unit (only then
# may a plot shade the measurement's band). The report draws these as the signal labels them.
SERIES_SHOWS: dict[str, tuple[str, bool]] = {
    "camera_shake": ("shake speed in moving stretches, px/s@320", False),
    "path_straightness": ("straightness per 2-s window", True),
    "constant_velocity_share": ("camera speed, px/s@320", False),
    "trajectory_curvature": ("turning angle per step, degrees", True),
    "speed_variation": ("size of each step between frames", False),
    "noise_level": ("grain per frame, grey levels", True),
    "noise_variation": ("grain per frame, grey levels", False),
    "noise_region_spread": ("spread of grain per frame", True),
    "low_light_noise": ("grain per dark frame, grey levels", True),
    "texture_flicker": ("flicker per frame", True),
}

FEATURES: tuple[FeatureDef, ...] = (
    FeatureDef(
        "camera_shake",
        "Camera shake",
        "ratio",
        -1,
        "how much the moving camera's path shakes around its smoothed course",
        0.05,
        0.2,
        "the camera glides: consistent with a gimbal, a dolly, digital stabilisation or a generated move",
        "the camera shakes as hand-held footage does",
    ),
    FeatureDef(
        "path_straightness",
        "Camera path straightness",
        "0-1",
        +1,
        "how straight the camera travels over 2 s windows (1 = a ruler-straight line)",
        0.6,
        0.95,
        "the camera path wanders, as a person holding it does",
        "the camera travels in near-perfect straight lines",
    ),
    FeatureDef(
        "constant_velocity_share",
        "Constant-velocity camera",
        "share of moving time",
        +1,
        "the share of the moving time in which the camera keeps a steady speed and direction",
        0.2,
        0.6,
        "the camera speeds up and slows down all the time, as hand-held footage does",
        "the camera keeps an unusually steady speed",
    ),
    FeatureDef(
        "trajectory_curvature",
        "Frame trajectory curvature",
        "degrees",
        +1,
        "how sharply the sequence of frames turns from one step to the next in a small image space",
        60.0,
        95.0,
        "frames follow a smooth, predictable course",
        "frames change course erratically from step to step",
    ),
    FeatureDef(
        "speed_variation",
        "Speed variation",
        "ratio",
        -1,
        "how much the pace of change varies from frame to frame",
        0.15,
        0.5,
        "the pace of change is unusually regular",
        "the pace of change varies, as filmed motion does",
    ),
    FeatureDef(
        "noise_level",
        "Sensor-like noise",
        "grey levels",
        -1,
        "the fine grain left in the flattest parts of the picture",
        0.1,
        1.0,
        "the picture is very clean: generated, heavily compressed or denoised",
        "the picture carries visible grain, as camera sensors leave",
    ),
    FeatureDef(
        "noise_variation",
        "Noise consistency over time",
        "ratio",
        +1,
        "how much the grain level changes from frame to frame",
        0.1,
        0.35,
        "the grain stays steady over time",
        "the grain level jumps around over time",
    ),
    FeatureDef(
        "noise_region_spread",
        "Noise consistency across the frame",
        "ratio",
        +1,
        "how unequal the grain is across the flattest regions of one frame",
        0.15,
        0.45,
        "the grain is even across the frame",
        "some flat regions are much cleaner than others",
    ),
    FeatureDef(
        "low_light_noise",
        "Grain in low light",
        "grey levels",
        -1,
        "the grain in dark frames, where camera sensors are noisiest",
        0.2,
        1.5,
        "dark frames are unusually clean for their brightness",
        "dark frames are grainy, as camera footage in low light is",
    ),
    FeatureDef(
        "texture_flicker",
        "Fine-texture flicker",
        "ratio",
        +1,
        "how much fine detail shimmers from frame to frame where nothing moves",
        0.01,
        0.04,
        "fine texture holds still where nothing moves",
        "fine texture shimmers even where nothing moves",
    ),
)
BY_KEY = {f.key: f for f in FEATURES}


def fmt_value(value: float) -> str:
    """A measured value as the sentences (and the report's cards) write it."""
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"


def sentence(feature: FeatureDef, value: float | None) -> str:
    """One plain sentence about a measured value."""
    if value is None:
        return f"{feature.title}: does not apply to this video (too little of what it measures)."
    shown = fmt_value(value)
    if value < feature.low:
        text = feature.low_text
    elif value > feature.high:
        text = feature.high_text
    else:
        text = feature.mid_text
    return f"{feature.title} {shown} ({feature.unit}): {text}."


def _arr(values: Sequence[float]) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """[start, stop) index ranges where mask is True."""
    out, start = [], None
    for i, m in enumerate([*mask.tolist(), False]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            out.append((start, i))
            start = None
    return out


def _moving_average(x: FloatArray, n: int) -> FloatArray:
    if n <= 1 or len(x) < n:
        return x.copy()
    pad = n // 2
    padded = np.pad(x, pad, mode="edge")
    out: FloatArray = np.convolve(padded, np.ones(n) / n, mode="valid")[: len(x)]
    return out


def _finite(x: FloatArray) -> FloatArray:
    return x[np.isfinite(x)]


@dataclass(frozen=True, slots=True)
class Summary:
    features: dict[str, float | None]
    series: dict[str, tuple[FloatArray, FloatArray]]  # key -> (time_s, value) for the plots
    moving_share: float
    moving_span: tuple[float, float] | None
    spectrum: tuple[FloatArray, FloatArray] | None  # camera shake spectrum (Hz, power)
    fps: float


def summarise(s: Series) -> Summary:
    t = _arr(s.time_s)
    n = len(t)
    dt = float(np.median(np.diff(t))) if n > 2 else 0.1
    fps = 1.0 / dt if dt > 0 else 10.0
    vx, vy = _arr(s.cam_vx), _arr(s.cam_vy)
    speed = np.hypot(vx, vy)
    valid = np.isfinite(speed)
    moving = valid & (speed > MOVING_SPEED)
    runs = [(a, b) for a, b in _runs(moving) if (b - a) * dt >= MIN_RUN_S]
    moving_time = sum(b - a for a, b in runs) * dt
    features: dict[str, float | None] = {}
    series: dict[str, tuple[FloatArray, FloatArray]] = {}

    # Camera: shake around the smoothed path, straightness, steady velocity (moving stretches only).
    shake_t, shake_v, straight_t, straight_v = [], [], [], []
    hf_sq = v_sq = 0.0
    steady = total = 0
    win = max(3, round(SMOOTH_S * fps) | 1)
    spectra: list[FloatArray] = []
    for a, b in runs:
        sx, sy = _moving_average(vx[a:b], win), _moving_average(vy[a:b], win)
        hx, hy = vx[a:b] - sx, vy[a:b] - sy
        hf = np.hypot(hx, hy)
        hf_sq += float(np.sum(hf**2))
        v_sq += float(np.sum(speed[a:b] ** 2))
        shake_t.extend(t[a:b].tolist())
        shake_v.extend(hf.tolist())
        lx, ly = _moving_average(vx[a:b], 3), _moving_average(vy[a:b], 3)
        acc = np.hypot(np.diff(lx), np.diff(ly)) / dt
        rel = acc / (np.hypot(lx[1:], ly[1:]) + 1e-6)
        steady += int(np.sum(rel < STEADY_REL_ACCEL))
        total += len(rel)
        w = max(3, round(WINDOW_S * fps))
        for start in range(a, b - w + 1, max(1, w // 2)):
            dx, dy = vx[start : start + w] * dt, vy[start : start + w] * dt
            path = float(np.sum(np.hypot(dx, dy)))
            if path > 0:
                straight_t.append(float(t[start + w // 2]))
                straight_v.append(math.hypot(float(dx.sum()), float(dy.sum())) / path)
        seg = hx + 1j * hy
        if len(seg) >= w:
            for start in range(0, len(seg) - w + 1, max(1, w // 2)):
                chunk = seg[start : start + w] * np.hanning(w)
                spectra.append(np.abs(np.fft.fft(chunk)[: w // 2 + 1]) ** 2)
    camera_ok = moving_time >= MIN_MOVING_S
    rms_hf = math.sqrt(hf_sq / max(1, len(shake_v)))
    rms_v = math.sqrt(v_sq / max(1, len(shake_v)))
    features["camera_shake"] = rms_hf / (rms_v + SHAKE_FLOOR) if camera_ok else None
    features["path_straightness"] = float(np.mean(straight_v)) if camera_ok and straight_v else None
    features["constant_velocity_share"] = steady / total if camera_ok and total else None
    series["camera_speed"] = (t[valid], speed[valid])
    series["camera_shake"] = (_arr(shake_t), _arr(shake_v))
    series["path_straightness"] = (_arr(straight_t), _arr(straight_v))
    spectrum = None
    if spectra:
        w = len(spectra[0])
        same = [p for p in spectra if len(p) == w]
        freqs = np.fft.fftfreq(2 * (w - 1), d=dt)[:w] if w > 1 else np.zeros(1)
        spectrum = (np.abs(freqs), np.mean(same, axis=0))

    # Trajectory of the frames in embedding space: turning angle and pace.
    step, curv = _arr(s.step), _arr(s.curvature_deg)
    prev_step = np.r_[np.nan, step[:-1]]
    turning = np.isfinite(curv) & (step > MIN_STEP) & (prev_step > MIN_STEP)
    features["trajectory_curvature"] = float(np.mean(curv[turning])) if turning.sum() >= MIN_SAMPLES else None
    series["trajectory_curvature"] = (t[turning], curv[turning])
    paced = np.isfinite(step) & (step > MIN_STEP)
    if paced.sum() >= MIN_SAMPLES:
        med = float(np.median(step[paced]))
        features["speed_variation"] = float(np.median(np.abs(step[paced] - med)) / med)
    else:
        features["speed_variation"] = None
    series["speed_variation"] = (t[paced], step[paced])

    # Noise and texture.
    noise, spread, bright, flick = _arr(s.noise), _arr(s.noise_spread), _arr(s.brightness), _arr(s.flicker)
    ok = np.isfinite(noise)
    enough = ok.sum() >= MIN_SAMPLES
    features["noise_level"] = float(np.median(noise[ok])) if enough else None
    features["noise_variation"] = float(np.std(noise[ok]) / (np.mean(noise[ok]) + 1e-6)) if enough else None
    ok_spread = np.isfinite(spread)
    features["noise_region_spread"] = (
        float(np.median(spread[ok_spread])) if ok_spread.sum() >= MIN_SAMPLES else None
    )
    dark = ok & np.isfinite(bright) & (bright < LOW_LIGHT)
    features["low_light_noise"] = float(np.median(noise[dark])) if dark.sum() >= MIN_SAMPLES else None
    ok_flick = np.isfinite(flick)
    features["texture_flicker"] = float(np.median(flick[ok_flick])) if ok_flick.sum() >= MIN_SAMPLES else None
    series["noise_level"] = (t[ok], noise[ok])
    series["noise_variation"] = (t[ok], noise[ok])
    series["noise_region_spread"] = (t[ok_spread], spread[ok_spread])
    series["low_light_noise"] = (t[dark], noise[dark])
    series["texture_flicker"] = (t[ok_flick], flick[ok_flick])
    series["constant_velocity_share"] = series["camera_speed"]

    span = (float(t[runs[0][0]]), float(t[runs[-1][1] - 1])) if runs else None
    share = float(moving.sum() / max(1, valid.sum()))
    return Summary(features, series, share, span, spectrum, fps)


def downsample(time_s: FloatArray, values: FloatArray, points: int = SERIES_POINTS) -> dict[str, list[float]]:
    """At most `points` (time, value) pairs: the mean of each time bin, NaN bins dropped, 4 digits."""
    keep = np.isfinite(time_s) & np.isfinite(values)
    time_s, values = time_s[keep], values[keep]
    if len(time_s) > points:
        edges = np.linspace(float(time_s[0]), float(time_s[-1]), points + 1)
        idx = np.clip(np.searchsorted(edges, time_s, side="right") - 1, 0, points - 1)
        counts = np.bincount(idx, minlength=points)
        tsum = np.bincount(idx, weights=time_s, minlength=points)
        vsum = np.bincount(idx, weights=values, minlength=points)
        has = counts > 0
        time_s, values = tsum[has] / counts[has], vsum[has] / counts[has]
    return {
        "time_s": [round(float(x), 3) for x in time_s],
        "value": [float(f"{float(v):.4g}") for v in values],
    }
