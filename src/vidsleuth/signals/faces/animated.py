"""The animated-photo sign: a face that matches a photo, in the photo's own scene, while the head moves.

For a face track that matches a reference photo, the photo (scaled to the face's size in the video) is
registered onto a few grey windows kept around the face (ORB features, RANSAC homography), and the
background outside the face is compared (normalised cross-correlation). The head's motion comes from the
track's 5 landmarks (shape change and travel). Measured on the corpus and the extra set
(bench/faces_refmatch.py, docs/signals/faces.md): 13 of 18 animations of a photo gave the sign; 3 VASA-1
close-ups missed it (large head motion moves hair and shoulders over what little background there is), and
a near-motionless SadTalker clip and a V-Express clip (mouth motion only, which 5 points do not see) read as
"the photo shown still".

Limit, stated with every sign: it says "this video's scene is this photo's scene, with the face moving".
It cannot tell a photo animated into a video from a photo cut out of that video (3 of 4 real clips gave the
sign against their own first frame); and no pair of "same person, photo taken elsewhere" was available to
test against.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from vidsleuth.signals.faces.landmarks import Points, head_motion
from vidsleuth.signals.faces.references import Reference
from vidsleuth.signals.faces.scan import Window

BACKGROUND_NCC = 0.5  # median correlation of the background with the photo's
MIN_INLIERS = 12
SHAPE_MOTION = 0.008  # outer-eye-corner units
TRAVEL = 0.02
FRAMES_CHECKED = 6
_ORB_FEATURES = 1500
_MIN_BACKGROUND_PX = 200

Grey = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Sign:
    kind: str  # animated | static | none
    background_ncc: float
    inliers: float
    shape_motion: float
    travel: float


def _homography(a: Grey, b: Grey) -> tuple[npt.NDArray[np.float64] | None, int]:
    orb: Any = cv2.ORB.create(_ORB_FEATURES)
    ka, da = orb.detectAndCompute(a, None)
    kb, db = orb.detectAndCompute(b, None)
    if da is None or db is None or len(ka) < 8 or len(kb) < 8:
        return None, 0
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(da, db)
    if len(pairs) < 8:
        return None, 0
    pa = np.array([ka[m.queryIdx].pt for m in pairs], dtype=np.float32)
    pb = np.array([kb[m.trainIdx].pt for m in pairs], dtype=np.float32)
    h, inliers = cv2.findHomography(pa, pb, cv2.RANSAC, 4.0)
    if h is None:
        return None, 0
    return np.asarray(h, dtype=np.float64), int(inliers.sum()) if inliers is not None else 0


def _ncc(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) + 1e-9))


def background_match(ref: Reference, window: Window) -> tuple[float, int]:
    """(NCC outside the face, homography inliers) between the photo, registered onto one window around
    the face (ORB features of the whole picture), and that window; 0 when they cannot be registered."""
    assert ref.grey is not None and ref.box is not None
    x0, y0, x1, y1 = window.box
    w = x1 - x0
    s = w / max(ref.box[2] - ref.box[0], 1.0)
    interpolation = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    photo = np.asarray(cv2.resize(ref.grey, None, fx=s, fy=s, interpolation=interpolation), np.uint8)
    h, inliers = _homography(photo, window.grey)
    if h is None or inliers < MIN_INLIERS:
        return 0.0, inliers
    size = (window.grey.shape[1], window.grey.shape[0])
    warped = cv2.warpPerspective(photo, h, size)
    valid = cv2.warpPerspective(np.ones_like(photo), h, size) > 0
    face = np.zeros(window.grey.shape, bool)
    face[max(0, int(y0 - 0.5 * w)) : int(y1 + 0.3 * w), max(0, int(x0 - 0.3 * w)) : int(x1 + 0.3 * w)] = True
    background = valid & ~face
    if background.sum() < _MIN_BACKGROUND_PX:
        return 0.0, inliers
    return _ncc(warped[background].astype(np.float64), window.grey[background].astype(np.float64)), inliers


def check(ref: Reference, windows: Sequence[Window], points: Sequence[Points]) -> Sign | None:
    """The sign for one (track, matching photo) pair; None when there is nothing to check with."""
    if ref.grey is None or ref.box is None or not windows:
        return None
    picks = np.unique(np.linspace(0, len(windows) - 1, min(FRAMES_CHECKED, len(windows))).round().astype(int))
    results = [background_match(ref, windows[i]) for i in picks]
    ncc = float(np.median([r[0] for r in results]))
    inliers = float(np.median([r[1] for r in results]))
    shape, travel = head_motion(points)
    moves = shape >= SHAPE_MOTION or travel >= TRAVEL
    kind = "none" if ncc < BACKGROUND_NCC else "animated" if moves else "static"
    return Sign(kind, ncc, inliers, shape, travel)
