"""The two measurements of the synthesis signal, on the path that a shot's frames trace in embedding space.

Each sample is a point (its L2-normalised MobileNetV2 embedding); consecutive samples make a path. Two
published training-free detectors look at that path's geometry, and two of their scale-free statistics
carried information on held-out data (docs/signals/synthesis.md, "What was measured"):

- **curvature spread** (`curvature_spread`): the standard deviation, in degrees, of the turning angle
  between consecutive steps, theta_i = angle(z_{i+1} - z_i, z_{i+2} - z_{i+1}). ReStraV (Internò et al.,
  "AI-Generated Video Detection via Perceptual Straightening", NeurIPS 2025, arXiv 2507.00583) measures
  step lengths and turning angles; of its statistics only the angle's spread held up.
- **acceleration variation** (`acceleration_variation`): std / mean of the second differences' norms,
  |z_{i+1} - 2 z_i + z_{i-1}|. D3 (Zheng et al., "D3: Training-Free AI-Generated Video Detection Using
  Second-Order Features", ICCV 2025, arXiv 2508.00701) scores the spread of second-order differences; its
  scale-free form is what held up.

Both are lower in generated video: generated shots turn more evenly than filmed ones (direction -1).
Neither depends on the time between samples (angles and ratios are scale-free). A video's value is the
mean over its cut-free segments weighted by their number of samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Embeddings = npt.NDArray[np.floating]

MIN_SEGMENT = 6  # samples: 4 turning angles, 4 second differences
NAMES = ("curvature_spread", "acceleration_variation")
DIRECTIONS = {"curvature_spread": -1, "acceleration_variation": -1}
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class SegmentMeasures:
    samples: int
    curvature_spread: float
    acceleration_variation: float

    def value(self, name: str) -> float:
        return float(getattr(self, name))


def turning_angles(z: Embeddings) -> FloatArray:
    """Angle in degrees between each pair of consecutive steps of the path `z` (n x d)."""
    v = np.diff(np.asarray(z, dtype=np.float64), axis=0)
    d = np.linalg.norm(v, axis=1)
    cos = (v[:-1] * v[1:]).sum(axis=1) / (d[:-1] * d[1:] + 1e-12)
    angles: FloatArray = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return angles


def second_differences(z: Embeddings) -> FloatArray:
    """Norm of each central second difference z_{i+1} - 2 z_i + z_{i-1} of the path `z` (n x d)."""
    x = np.asarray(z, dtype=np.float64)
    acc: FloatArray = np.linalg.norm(x[2:] - 2.0 * x[1:-1] + x[:-2], axis=1)
    return acc


def measure(z: Embeddings) -> SegmentMeasures | None:
    """Both measurements of one cut-free segment, or None when it has fewer than MIN_SEGMENT samples."""
    if len(z) < MIN_SEGMENT:
        return None
    theta = turning_angles(z)
    acc = second_differences(z)
    return SegmentMeasures(
        samples=len(z),
        curvature_spread=float(theta.std()),
        acceleration_variation=float(acc.std() / (acc.mean() + _EPS)),
    )


def combine(segments: Sequence[SegmentMeasures]) -> dict[str, float] | None:
    """The video's values: each measurement's mean over segments weighted by their samples."""
    if not segments:
        return None
    w = np.array([s.samples for s in segments], dtype=np.float64)
    return {name: float(np.dot(w, [s.value(name) for s in segments]) / w.sum()) for name in NAMES}
