"""Local features: ORB keypoints and binary descriptors, and geometric verification (the OpenCV adapter).

PDQ describes a whole frame, so a banked photo is found only when a frame shows it nearly whole. AI
memorial videos animate a still portrait and show it reframed, as one panel of a composite, or moving:
the photo is then a *part* of the frame. Local features describe small patches, so a photo's patches can
be found wherever it sits in the frame; a geometric check (one similarity transform that carries many
of them onto the frame) separates a real correspondence from chance patch matches.

- Extraction: ORB (OpenCV) on the luma of an image brought to a fixed longer side (stills
  LOCAL_STILL_SIDE, frames LOCAL_FRAME_SIDE, up or down), keeping the strongest keypoints.
- Verification: brute-force Hamming matching with Lowe's ratio test, then RANSAC
  (`cv2.estimateAffinePartial2D`: translation, rotation, uniform scale). The still's outline carried by
  that transform is the region of the frame that shows it.

This is the only module of the fingerprint package that imports OpenCV; thresholds live in `thresholds`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from vidsleuth.fingerprint import thresholds as th

METHOD = "orb"  # descriptor kind stored in the bank; another kind needs a new name
DESCRIPTOR_BYTES = 32  # ORB: 256 bits

Points = npt.NDArray[np.float32]  # (n, 2): x, y in the feature image's pixels
Descriptors = npt.NDArray[np.uint8]  # (n, DESCRIPTOR_BYTES)


@dataclass(frozen=True, slots=True)
class LocalFeatures:
    """Keypoints and descriptors of one image, in the coordinates of the image they were computed on
    (`width` x `height`, the original brought to a fixed longer side)."""

    points: Points
    descriptors: Descriptors
    width: int
    height: int
    method: str = METHOD

    def __post_init__(self) -> None:
        n = self.points.shape[0]
        if self.points.shape != (n, 2) or self.descriptors.shape != (n, DESCRIPTOR_BYTES):
            raise ValueError(
                f"local features need (n, 2) points and (n, {DESCRIPTOR_BYTES}) descriptors, got "
                f"{self.points.shape} and {self.descriptors.shape}"
            )
        if self.width < 1 or self.height < 1:
            raise ValueError(f"feature image size must be positive, got {self.width}x{self.height}")

    @property
    def count(self) -> int:
        return int(self.points.shape[0])

    def to_blobs(self) -> tuple[bytes, bytes]:
        """Points (little-endian float32 pairs) and descriptors, as stored in the bank."""
        return self.points.astype("<f4").tobytes(), self.descriptors.tobytes()

    @classmethod
    def from_blobs(
        cls, points: bytes, descriptors: bytes, width: int, height: int, method: str = METHOD
    ) -> LocalFeatures:
        """The inverse of `to_blobs`. Raises ValueError when the blobs disagree."""
        pts = np.frombuffer(points, dtype="<f4").astype(np.float32).reshape(-1, 2)
        desc = np.frombuffer(descriptors, dtype=np.uint8).reshape(-1, DESCRIPTOR_BYTES).copy()
        return cls(pts, desc, int(width), int(height), method)

    @classmethod
    def empty(cls, width: int = 1, height: int = 1) -> LocalFeatures:
        return cls(np.zeros((0, 2), np.float32), np.zeros((0, DESCRIPTOR_BYTES), np.uint8), width, height)


def _cv2() -> Any:
    """OpenCV, imported when first needed (a dependency of vidsleuth), so that the store and the CLI can
    use `LocalFeatures` without loading it."""
    import cv2

    return cv2


def _gray(pixels: npt.NDArray[np.uint8], side: int) -> npt.NDArray[np.uint8]:
    """Luma brought to `side` pixels on its longer side."""
    cv2 = _cv2()
    gray = pixels if pixels.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(pixels), cv2.COLOR_RGB2GRAY)
    h, w = gray.shape[:2]
    scale = side / max(h, w)
    if abs(scale - 1.0) > 1e-3:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        gray = cv2.resize(gray, size, interpolation=interpolation)
    return np.ascontiguousarray(gray, dtype=np.uint8)


def extract(pixels: npt.NDArray[np.uint8], *, side: int, max_keypoints: int) -> LocalFeatures:
    """ORB features of an RGB (or grey) image brought to `side` pixels on its longer side, at most
    `max_keypoints` of them, strongest first (so that the first k are the k strongest)."""
    gray = _gray(pixels, side)
    h, w = gray.shape[:2]
    if min(h, w) < 2 * th.LOCAL_ORB_EDGE:
        return LocalFeatures.empty(w, h)
    orb: Any = _cv2().ORB_create(
        nfeatures=max_keypoints,
        scaleFactor=th.LOCAL_ORB_SCALE_FACTOR,
        nlevels=th.LOCAL_ORB_LEVELS,
        edgeThreshold=th.LOCAL_ORB_EDGE,
        patchSize=31,
        fastThreshold=th.LOCAL_ORB_FAST_THRESHOLD,
    )
    keypoints, descriptors = orb.detectAndCompute(gray, None)
    if descriptors is None or not keypoints:
        return LocalFeatures.empty(w, h)
    order = np.argsort([-k.response for k in keypoints], kind="stable")  # strongest first
    points = np.array([keypoints[i].pt for i in order], dtype=np.float32).reshape(-1, 2)
    return LocalFeatures(points, np.asarray(descriptors, dtype=np.uint8)[order], w, h)


def still_features(pixels: npt.NDArray[np.uint8]) -> LocalFeatures:
    """Features of a photo to bank."""
    return extract(pixels, side=th.LOCAL_STILL_SIDE, max_keypoints=th.LOCAL_STILL_KEYPOINTS)


def frame_features(pixels: npt.NDArray[np.uint8]) -> LocalFeatures:
    """Features of a video frame (or a photo) being searched."""
    return extract(pixels, side=th.LOCAL_FRAME_SIDE, max_keypoints=th.LOCAL_FRAME_KEYPOINTS)


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the frame


def _box_dict(box: Box) -> dict[str, float]:
    x0, y0, x1, y1 = box
    return {"x": round(x0, 4), "y": round(y0, 4), "w": round(x1 - x0, 4), "h": round(y1 - y0, 4)}


@dataclass(frozen=True, slots=True)
class Verification:
    """A banked still's correspondence with one frame: how many matches one transform explains and where
    the still lands. `region` is the part of the frame its matched keypoints cover; `outline` is where
    the whole still would lie (it may reach past a panel or the frame when the frame shows a crop of
    it); both as fractions of the frame (x0, y0, x1, y1), clipped to it."""

    inliers: int
    matches: int  # matches that passed the ratio test
    scale: float  # still pixels -> frame pixels, in the feature images
    rotation_deg: float
    region: Box
    outline: Box
    spread: float  # share of the still's area spanned by its inlier keypoints (bounding box)

    @property
    def inlier_ratio(self) -> float:
        return self.inliers / self.matches if self.matches else 0.0

    @property
    def is_match(self) -> bool:
        """The decision (thresholds measured on the corpus, see `thresholds`)."""
        x0, y0, x1, y1 = self.outline
        return (
            self.inliers >= th.LOCAL_MIN_INLIERS
            and self.inlier_ratio >= th.LOCAL_MIN_INLIER_RATIO
            and self.spread >= th.LOCAL_MIN_SPREAD
            and th.LOCAL_MIN_SCALE <= self.scale <= th.LOCAL_MAX_SCALE
            and (x1 - x0) * (y1 - y0) >= th.LOCAL_MIN_BOX_AREA
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "inliers": self.inliers,
            "matches": self.matches,
            "inlier_ratio": round(self.inlier_ratio, 3),
            "scale": round(self.scale, 3),
            "rotation_deg": round(self.rotation_deg, 1),
            "spread": round(self.spread, 3),
            "region": _box_dict(self.region),
            "outline": _box_dict(self.outline),
        }


def _clipped(points: npt.NDArray[np.float64], width: int, height: int) -> Box:
    x0, y0 = points.min(axis=0) / (width, height)
    x1, y1 = points.max(axis=0) / (width, height)
    return (
        float(np.clip(x0, 0, 1)),
        float(np.clip(y0, 0, 1)),
        float(np.clip(x1, 0, 1)),
        float(np.clip(y1, 0, 1)),
    )


def _matcher() -> Any:
    """A brute-force Hamming matcher (cheap to make; one per call keeps threads apart)."""
    cv2 = _cv2()
    return cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=False)


_NEAREST_CHUNK = 100_000  # OpenCV's brute-force matcher takes at most 2**18 rows per train set


def nearest(query: Descriptors, bank: Descriptors) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int32]]:
    """For each query descriptor, the index of its nearest bank descriptor (-1: none) and the Hamming
    distance, by brute force over the bank in chunks."""
    idx = np.full(query.shape[0], -1, np.intp)
    dist = np.full(query.shape[0], 1 << 16, np.int32)
    if not query.shape[0] or not bank.shape[0]:
        return idx, dist
    matcher = _matcher()
    for start in range(0, bank.shape[0], _NEAREST_CHUNK):
        found = matcher.match(query, bank[start : start + _NEAREST_CHUNK])
        rows = np.array([m.queryIdx for m in found], dtype=np.intp)
        got = np.array([round(m.distance) for m in found], dtype=np.int32)
        where = np.array([m.trainIdx for m in found], dtype=np.intp) + start
        better = got < dist[rows]
        idx[rows[better]] = where[better]
        dist[rows[better]] = got[better]
    return idx, dist


def verify(still: LocalFeatures, frame: LocalFeatures) -> Verification | None:
    """Match a still's features into a frame's: ratio test, then one similarity transform by RANSAC.
    None when too few matches survive to try (see `Verification.is_match` for the decision)."""
    if still.count < 2 or frame.count < 2:
        return None
    pairs = _matcher().knnMatch(still.descriptors, frame.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < th.LOCAL_RATIO * p[1].distance]
    if len(good) < th.LOCAL_MIN_MATCHES_TO_VERIFY:
        return None
    src = still.points[[m.queryIdx for m in good]]
    dst = frame.points[[m.trainIdx for m in good]]
    cv2 = _cv2()
    model, mask = cv2.estimateAffinePartial2D(
        src,
        dst,
        method=cv2.RANSAC,
        ransacReprojThreshold=th.LOCAL_RANSAC_PX,
        maxIters=th.LOCAL_RANSAC_ITERATIONS,
        confidence=0.995,
        refineIters=10,
    )
    if model is None or mask is None:
        return None
    inlier = mask.reshape(-1).astype(bool)
    scale = math.hypot(float(model[0, 0]), float(model[1, 0]))
    rotation = math.degrees(math.atan2(float(model[1, 0]), float(model[0, 0])))
    corners = np.array(
        [[0, 0], [still.width, 0], [still.width, still.height], [0, still.height]], dtype=np.float64
    )
    outline = _clipped(corners @ model[:, :2].T + model[:, 2], frame.width, frame.height)
    if not inlier.any():
        return Verification(0, len(good), scale, rotation, (0.0, 0.0, 0.0, 0.0), outline, 0.0)
    pts = src[inlier]
    extent = pts.max(axis=0) - pts.min(axis=0)
    spread = float(extent[0] * extent[1]) / float(still.width * still.height)
    region = _clipped(dst[inlier].astype(np.float64), frame.width, frame.height)
    return Verification(int(inlier.sum()), len(good), scale, rotation, region, outline, spread)
