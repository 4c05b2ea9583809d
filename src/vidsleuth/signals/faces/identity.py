"""Identity descriptors (dlib's ResNet, 128-d) and what they say: who a face is, and whether that stays
the same along a track.

A descriptor is computed on a 150x150 chip aligned on the 5 landmarks (padding 0.25), as dlib's model
expects; about 75 ms on one core, so the signal spends them per track (a few early, then one every few
seconds), never per frame. Two descriptors of one person are usually within 0.6 of each other (dlib's
published threshold); on the corpus that let in 74 false matches out of 2,776 pairs, while 0.40 let in
none and still matched every animation to its photo, hence the signal's thresholds (docs/signals/faces.md).

Identity spread along a track: the median distance of its descriptors from their mean. Swapped faces
flicker in identity (at profile, under occlusion, in fast motion), but so does a real face that turns a
lot, which is why it is a measurement for calibration, not a finding by itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from vidsleuth.signals.faces import models
from vidsleuth.signals.faces.landmarks import Points

Descriptor = npt.NDArray[np.float32]
RGB = npt.NDArray[np.uint8]
CHIP_SIZE = 150
CHIP_PADDING = 0.25


def describe(rgb: RGB, points5: Points) -> Descriptor:
    """The descriptor of the face whose 5 landmarks (in `rgb`'s pixels) are given."""
    dlib = models.dlib()
    lo, hi = points5.min(axis=0), points5.max(axis=0)
    margin = float(max(hi[0] - lo[0], hi[1] - lo[1])) * 1.5 + 8
    x0, y0 = max(0, int(lo[0] - margin)), max(0, int(lo[1] - margin))
    x1, y1 = min(rgb.shape[1], int(hi[0] + margin) + 1), min(rgb.shape[0], int(hi[1] + margin) + 1)
    # dlib converts the whole array it is handed: give it the face's surroundings only.
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    local = points5 - np.array([x0, y0], dtype=np.float32)
    rect = dlib.rectangle(*(int(v) for v in (*local.min(axis=0), *local.max(axis=0))))
    shape = dlib.full_object_detection(rect, [dlib.point(round(float(x)), round(float(y))) for x, y in local])
    chip = np.ascontiguousarray(dlib.get_face_chip(crop, shape, size=CHIP_SIZE, padding=CHIP_PADDING))
    return np.asarray(models.descriptor_net().compute_face_descriptor(chip), dtype=np.float32)


def distance(a: Descriptor, b: Descriptor) -> float:
    return float(np.linalg.norm(a.astype(np.float64) - b.astype(np.float64)))


def centre(descriptors: Sequence[Descriptor]) -> Descriptor | None:
    """A track's identity: the element-wise median of its descriptors (robust to a few bad chips)."""
    if not descriptors:
        return None
    return np.median(np.stack(descriptors), axis=0).astype(np.float32)


def spread(descriptors: Sequence[Descriptor]) -> float | None:
    """Median distance of the descriptors from their mean; None with fewer than 2."""
    if len(descriptors) < 2:
        return None
    d = np.stack(descriptors).astype(np.float64)
    return float(np.median(np.linalg.norm(d - d.mean(axis=0), axis=1)))


def drift(descriptors: Sequence[Descriptor]) -> list[float]:
    """Each descriptor's distance from the track's median identity (the plotted series)."""
    mid = centre(descriptors)
    if mid is None:
        return []
    return [distance(d, mid) for d in descriptors]
