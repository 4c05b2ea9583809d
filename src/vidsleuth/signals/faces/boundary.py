"""Blending-boundary statistics: the face inside its landmark hull against a ring just outside it.

Swapped faces are generated at low resolution, upscaled, colour-matched and blended into the target
frame, so inside the blend noise and fine detail tend to differ from just outside it, and the colour
relation between the two flickers from frame to frame. Per measured frame, on a crop scaled so that the
face is at most `MAX_FACE_PX` wide (never enlarged):

- noise: Immerkær's noise sigma (median-based, robust to edges);
- lapvar: variance of the Laplacian (sharpness);
- hf: energy of the image minus a sigma-1 blur over the energy minus a sigma-3 blur (fine vs medium detail);
- L, a, b: mean CIELAB colour (for the colour flicker over time);
- seam: mean gradient magnitude on the hull's outline over the mean inside.

Regions: `inside` = the hull eroded by 8 % of the face size; `ring` = dilated by 15 % minus dilated by 3 %.
The hull is an ellipse built from the 5 landmarks (eyes and nose base: geometry only, no learned shape).
Noise, sharpness, detail and seam are measured on the grey frame the shared decode hands the signal; the
colours on an RGB crop of the face's surroundings, when the caller has one.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from vidsleuth.signals.faces.landmarks import Points

MAX_FACE_PX = 192
_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
_MIN_PIXELS = 30

Mask = npt.NDArray[np.bool_]
Grey = npt.NDArray[np.float32]
GreyU8 = npt.NDArray[np.uint8]
RGB = npt.NDArray[np.uint8]
ColourRegion = tuple[RGB, int, int]  # an RGB crop and its top-left corner in the frame's pixels


@dataclass(frozen=True, slots=True)
class Region:
    noise: float
    lapvar: float
    hf: float
    lab: tuple[float, float, float] | None  # mean CIELAB; None when no colour crop was available


@dataclass(frozen=True, slots=True)
class Measured:
    """One face in one frame: statistics inside and in the ring, and the crop they were measured on."""

    inside: Region
    ring: Region
    seam: float
    face_px: float  # face size in the measured crop
    crop: GreyU8  # the scaled grey crop (kept by the caller only for the heatmap's frame)
    hull: Points  # hull in crop coordinates

    @property
    def noise_log_ratio(self) -> float:
        """log(noise inside / noise in the ring): negative when the face is smoother than around it."""
        return float(np.log((self.inside.noise + 1e-3) / (self.ring.noise + 1e-3)))


def hull5(points: Points) -> Points:
    """An ellipse around the face from the 5 landmarks: centred below the eyes towards the nose, 0.95
    outer-eye-corner distances wide and 1.25 high on each side, turned with the face."""
    eye_c = points[:4].mean(axis=0)
    iod = float(np.linalg.norm(points[0] - points[2]))
    down = points[4] - eye_c
    length = float(np.linalg.norm(down)) + 1e-6
    down = down / length
    right = np.array([-down[1], down[0]], dtype=np.float32)
    centre = eye_c + down * length * 0.55
    angles = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    ellipse = (
        centre + np.outer(np.cos(angles) * iod * 0.95, right) + np.outer(np.sin(angles) * iod * 1.25, down)
    )
    out: Points = np.asarray(ellipse, dtype=np.float32)
    return out


def noise_map(grey: Grey) -> Grey:
    """Immerkær's residual magnitude per pixel, scaled to a noise sigma (the heatmap's statistic)."""
    residual = np.abs(np.asarray(cv2.filter2D(grey, -1, _IMMERKAER), dtype=np.float32))
    out: Grey = (residual * np.float32(1.0 / (0.6745 * 6.0))).astype(np.float32)
    return out


def _morph(mask: npt.NDArray[np.uint8], radius: float, dilate: bool) -> npt.NDArray[np.uint8]:
    k = max(1, round(radius))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
    return np.asarray(cv2.dilate(mask, kernel) if dilate else cv2.erode(mask, kernel), dtype=np.uint8)


def regions(shape: tuple[int, int], hull: Points, size: float) -> tuple[Mask, Mask, Mask]:
    """(inside, ring, outline) masks for a hull in a crop of `shape` with face size `size`."""
    hull_mask = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(hull_mask, np.round(hull).astype(np.int32), 1)
    inside = _morph(hull_mask, 0.08 * size, False).astype(bool)
    ring = (_morph(hull_mask, 0.15 * size, True) > 0) & ~(_morph(hull_mask, 0.03 * size, True) > 0)
    outline = (_morph(hull_mask, 1.5, True) > 0) & ~(_morph(hull_mask, 1.5, False) > 0)
    return inside, ring, outline


def _stats(lap: Grey, d1: Grey, d3: Grey, residual: Grey, mask: Mask, lab: Grey | None) -> Region:
    e3 = float(np.mean(d3[mask] ** 2)) + 1e-6
    colour = None
    if lab is not None:
        colour = (
            float(lab[..., 0][mask].mean()),
            float(lab[..., 1][mask].mean()),
            float(lab[..., 2][mask].mean()),
        )
    return Region(
        noise=float(np.median(residual[mask])),
        lapvar=float(np.var(lap[mask])),
        hf=float(np.mean(d1[mask] ** 2)) / e3,
        lab=colour,
    )


def _lab(colour: ColourRegion | None, box: tuple[int, int, int, int], shape: tuple[int, int]) -> Grey | None:
    """CIELAB of the crop `box` (x0, y0, x1, y1) taken from `colour`, at `shape`; None when `colour` does
    not cover the box."""
    if colour is None:
        return None
    rgb, ox, oy = colour
    x0, y0, x1, y1 = box
    if x0 < ox or y0 < oy or x1 > ox + rgb.shape[1] or y1 > oy + rgb.shape[0]:
        return None
    crop = np.ascontiguousarray(rgb[y0 - oy : y1 - oy, x0 - ox : x1 - ox])
    if crop.shape[:2] != shape:
        crop = np.asarray(cv2.resize(crop, (shape[1], shape[0]), interpolation=cv2.INTER_AREA), np.uint8)
    return np.asarray(cv2.cvtColor(crop, cv2.COLOR_RGB2LAB), dtype=np.float32)


def measure(grey_frame: GreyU8, hull: Points, colour: ColourRegion | None = None) -> Measured | None:
    """Inside and ring statistics of one face in one frame (grey, source pixels), with the mean colours
    when an RGB region around the face is given; None when the face is cut by the frame edge (too little
    ring) or too small."""
    lo, hi = hull.min(axis=0), hull.max(axis=0)
    size = float(max(hi[0] - lo[0], hi[1] - lo[1]))
    pad = 0.25 * size
    x0, y0 = int(max(0, lo[0] - pad)), int(max(0, lo[1] - pad))
    x1, y1 = int(min(grey_frame.shape[1], hi[0] + pad)), int(min(grey_frame.shape[0], hi[1] + pad))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    crop = grey_frame[y0:y1, x0:x1]
    scale = min(1.0, MAX_FACE_PX / max(size, 1.0))
    local = (hull - np.array([x0, y0], dtype=np.float32)).astype(np.float32)
    if scale < 1.0:
        crop = np.asarray(cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), np.uint8)
        local = (local * scale).astype(np.float32)
    crop = np.ascontiguousarray(crop)
    s = size * scale
    grey = crop.astype(np.float32)
    inside, ring, outline = regions(grey.shape[:2], local, s)
    if inside.sum() < _MIN_PIXELS or ring.sum() < max(_MIN_PIXELS, 0.25 * inside.sum()):
        return None
    lab = _lab(colour, (x0, y0, x1, y1), (grey.shape[0], grey.shape[1]))
    lap = np.asarray(cv2.Laplacian(grey, cv2.CV_32F), dtype=np.float32)
    d1 = grey - np.asarray(cv2.GaussianBlur(grey, (0, 0), 1.0), dtype=np.float32)
    d3 = grey - np.asarray(cv2.GaussianBlur(grey, (0, 0), 3.0), dtype=np.float32)
    residual = noise_map(grey)
    gx = np.asarray(cv2.Sobel(grey, cv2.CV_32F, 1, 0), dtype=np.float32)
    gy = np.asarray(cv2.Sobel(grey, cv2.CV_32F, 0, 1), dtype=np.float32)
    magnitude = np.hypot(gx, gy)
    seam = float(magnitude[outline].mean() / (magnitude[inside].mean() + 1e-6)) if outline.any() else 0.0
    return Measured(
        inside=_stats(lap, d1, d3, residual, inside, lab),
        ring=_stats(lap, d1, d3, residual, ring, lab),
        seam=seam,
        face_px=s,
        crop=crop,
        hull=local,
    )
