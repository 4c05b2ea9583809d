"""Per-frame motion, noise and texture measurements for the `motion` signal (OpenCV + numpy).

`MotionMeter.add(gray, time_s)` takes one sampled grey frame at a time and keeps only a few numbers per
frame (never the frames): the camera's motion between this frame and the previous one (a global affine
fit to DIS dense optical flow), the speed of what moves against it (the flow's residual), the step and
turning angle of the frame's trajectory in a small pixel embedding (a cheap stand-in for the
"perceptual straightening" representation of ReStraV), the sensor-like noise level of the flattest
regions (Immerkær's estimator), and the frame-to-frame flicker of fine texture where nothing moves.

`vidsleuth.signals.motion.features` turns the series into per-video features. Units: camera speed in
pixels per second at a 320-pixel-wide analysis frame ("px/s@320"), noise in grey levels (0-255) at the
640-pixel noise frame.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

FLOW_SIDE = 320  # optical flow and the embedding are computed at this long side
NOISE_SIDE = 480  # noise and texture at this long side (the frames the signal asks for; 1080p -> 480 is
# a 4x reduction, for which the shared decode uses its fast scaler)
EMBED_SIDE = 32  # the trajectory embedding is a 32x32 thumbnail of the frame
BLOCK_PX = 40  # noise/texture blocks are about this many pixels at NOISE_SIDE
GRID_STEP = 8  # flow vectors sampled every 8 px for the global motion fit
# A step whose coarse layout correlates less than this with the previous frame's is a cut (or a flash).
CUT_CORRELATION = 0.5
# Blocks this dark or bright are clipped (black bars, burnt highlights): they carry no sensor noise.
CLIP_LOW, CLIP_HIGH = 20.0, 235.0
# A block whose pixels hardly vary at all is digital padding, not a scene.
UNIFORM_STD = 0.5
# A block counts as still (for texture flicker) when its flow moves less than this many px per step.
STILL_FLOW_PX = 0.3
# Immerkær (1996): sigma = sqrt(pi/2) / 6 * mean |I * L|, L the 3x3 Laplacian difference kernel.
_NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
_NOISE_FACTOR = math.sqrt(math.pi / 2.0) / 6.0
Gray = npt.NDArray[np.uint8]
Floats = npt.NDArray[np.float32]
FloatArray = npt.NDArray[np.float64]


@dataclass(slots=True)
class Series:
    """One value per sampled frame (NaN where a measurement does not apply)."""

    time_s: list[float] = field(default_factory=list)
    cut: list[bool] = field(default_factory=list)  # a cut between the previous sample and this one
    cam_vx: list[float] = field(default_factory=list)  # camera velocity, px/s@320 (image motion)
    cam_vy: list[float] = field(default_factory=list)
    zoom: list[float] = field(default_factory=list)  # relative scale change per second
    subject_speed: list[float] = field(default_factory=list)  # residual flow, px/s@320
    step: list[float] = field(default_factory=list)  # embedding step (RMS grey levels)
    curvature_deg: list[float] = field(default_factory=list)  # turning angle of the trajectory
    noise: list[float] = field(default_factory=list)  # noise sigma of the flattest blocks, grey levels
    noise_spread: list[float] = field(default_factory=list)  # spread of sigma across flat blocks
    brightness: list[float] = field(default_factory=list)  # mean of the unclipped blocks
    flicker: list[float] = field(default_factory=list)  # relative change of fine texture, still blocks

    def __len__(self) -> int:
        return len(self.time_s)


def _resize(img: Gray, width: int, height: int) -> Gray:
    return np.asarray(cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _blocks(img: Floats, bx: int, by: int) -> Floats:
    """Mean of each of by x bx equal blocks (the remainder rows and columns are left out)."""
    h, w = img.shape[:2]
    bh, bw = h // by, w // bx
    out: Floats = img[: by * bh, : bx * bw].reshape(by, bh, bx, bw).mean(axis=(1, 3), dtype=np.float32)
    return out


@functools.lru_cache(maxsize=8)
def _grid(h: int, w: int, step: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], FloatArray]:
    """Sample positions every `step` px and the design matrix [1, x, y] in frame-width units."""
    ys, xs = np.mgrid[step // 2 : h : step, step // 2 : w : step]
    cx, cy = (xs.ravel() - w / 2.0) / w, (ys.ravel() - h / 2.0) / w
    return ys.ravel(), xs.ravel(), np.c_[np.ones_like(cx), cx, cy]


def _affine(flow: Floats, step: int = GRID_STEP) -> tuple[float, float, float, FloatArray]:
    """Global motion (tx, ty at the centre, zoom) by a least-squares affine fit with one outlier pass;
    also the residual flow magnitude at the sample positions (what moves against the camera)."""
    h, w = flow.shape[:2]
    ys, xs, a = _grid(h, w, step)
    u = flow[ys, xs, 0].astype(np.float64)
    v = flow[ys, xs, 1].astype(np.float64)
    keep = np.ones(len(u), dtype=bool)
    pu = pv = np.zeros(3)
    res = np.zeros(len(u))
    for _ in range(2):
        if keep.sum() < 6:
            keep[:] = True
        ak = a[keep]
        normal = ak.T @ ak + 1e-9 * np.eye(3)
        pu = np.linalg.solve(normal, ak.T @ u[keep])
        pv = np.linalg.solve(normal, ak.T @ v[keep])
        res = np.hypot(u - a @ pu, v - a @ pv)
        keep = res <= max(1.0, 2.5 * float(np.median(res)))
    zoom = 0.5 * (pu[1] + pv[2])  # divergence of the fitted field, per frame width
    return float(pu[0]), float(pv[0]), float(zoom), res


class MotionMeter:
    """Streams grey frames into `Series`; holds only the previous frame's small versions."""

    def __init__(self) -> None:
        self.series = Series()
        self._dis = cv2.DISOpticalFlow.create(cv2.DISOpticalFlow_PRESET_ULTRAFAST)
        self._prev_small: Gray | None = None
        self._prev_embed: Floats | None = None
        self._prev_layout: Floats | None = None
        self._prev_delta: Floats | None = None
        self._prev_energy: Floats | None = None
        self._prev_time: float | None = None
        self.frame_size: tuple[int, int] = (0, 0)
        self.flow_size: tuple[int, int] = (0, 0)

    def _sizes(self, w: int, h: int) -> tuple[int, int, int, int]:
        scale = min(1.0, FLOW_SIDE / max(w, h))
        fw, fh = max(16, round(w * scale)), max(16, round(h * scale))
        bx, by = max(2, round(w / BLOCK_PX)), max(2, round(h / BLOCK_PX))
        return fw, fh, bx, by

    def add(self, gray: Gray, time_s: float) -> None:
        h, w = gray.shape[:2]
        fw, fh, bx, by = self._sizes(w, h)
        self.frame_size, self.flow_size = (w, h), (fw, fh)
        to_320 = FLOW_SIDE / max(fw, fh)  # report flow in px at a 320-px-wide frame
        small: Gray = gray if (fw, fh) == (w, h) else _resize(gray, fw, fh)
        s = self.series
        dt = (time_s - self._prev_time) if self._prev_time is not None else 0.0

        # Noise and texture (Immerkær on blocks; clipped and padded blocks left out).
        g32 = gray.astype(np.float32)
        energy = _blocks(np.abs(cv2.filter2D(g32, -1, _NOISE_KERNEL)), bx, by)
        s32 = small.astype(np.float32)  # block brightness and spread from the small frame: 4x cheaper
        mean = _blocks(s32, bx, by)
        sq = _blocks(s32 * s32, bx, by)
        std = np.sqrt(np.maximum(sq - mean * mean, 0.0))
        valid = (mean > CLIP_LOW) & (mean < CLIP_HIGH) & (std > UNIFORM_STD)
        noise = spread = bright = math.nan
        if valid.sum() >= 2:
            vals = np.sort(energy[valid])
            flat = vals[: max(1, len(vals) // 10)]
            noise = float(_NOISE_FACTOR * flat.mean())
            quarter = vals[: max(2, len(vals) // 4)]
            spread = float(quarter.std() / (quarter.mean() + 1e-6))
            bright = float(mean[valid].mean())

        embed = np.asarray(_resize(small, EMBED_SIDE, EMBED_SIDE), dtype=np.float32).ravel()
        embed = embed - embed.mean()
        # Cuts are judged on an 8x8 layout (the 32x32 embedding pooled): camera motion keeps the layout,
        # a cut replaces it.
        layout = embed.reshape(8, EMBED_SIDE // 8, 8, EMBED_SIDE // 8).mean(axis=(1, 3)).ravel()
        layout = layout - layout.mean()
        cut = False
        vx = vy = zoom = subject = step = curv = flick = math.nan
        if self._prev_layout is not None and dt > 0:
            denom = float(np.linalg.norm(layout) * np.linalg.norm(self._prev_layout))
            corr = float(layout @ self._prev_layout) / denom if denom > 1e-6 else 1.0
            cut = corr < CUT_CORRELATION and denom > 1e-6
            if self._prev_small is not None and self._prev_small.shape != small.shape:
                cut = True
        if self._prev_small is not None and self._prev_embed is not None and dt > 0 and not cut:
            flow: Floats = np.asarray(self._dis.calc(self._prev_small, small, np.empty(0, np.float32)))
            tx, ty, z, residual = _affine(flow)
            vx, vy, zoom = tx * to_320 / dt, ty * to_320 / dt, z / dt
            moving = residual > 1.0
            subject = float(residual[moving].mean()) * to_320 / dt if moving.any() else 0.0
            mag = np.hypot(flow[::2, ::2, 0], flow[::2, ::2, 1])
            delta = embed - self._prev_embed
            step = float(np.sqrt(np.mean(delta * delta)))
            if self._prev_delta is not None:
                n1, n2 = float(np.linalg.norm(delta)), float(np.linalg.norm(self._prev_delta))
                if n1 > 1e-6 and n2 > 1e-6:
                    cos = max(-1.0, min(1.0, float(delta @ self._prev_delta) / (n1 * n2)))
                    curv = math.degrees(math.acos(cos))
            self._prev_delta = delta
            # Texture flicker on still, unclipped blocks: relative change of fine-detail energy.
            block_flow = _blocks(mag, bx, by)
            if self._prev_energy is not None and self._prev_energy.shape == energy.shape:
                still = valid & (block_flow < STILL_FLOW_PX)
                if still.sum() >= 2:
                    a, b = energy[still], self._prev_energy[still]
                    flick = float(np.median(np.abs(a - b) / (a + b + 0.5)))
        else:
            self._prev_delta = None

        s.time_s.append(time_s)
        s.cut.append(cut)
        s.cam_vx.append(vx)
        s.cam_vy.append(vy)
        s.zoom.append(zoom)
        s.subject_speed.append(subject)
        s.step.append(step)
        s.curvature_deg.append(curv)
        s.noise.append(noise)
        s.noise_spread.append(spread)
        s.brightness.append(bright)
        s.flicker.append(flick)
        self._prev_small, self._prev_embed, self._prev_energy = small, embed, energy
        self._prev_layout = layout
        self._prev_time = time_s
