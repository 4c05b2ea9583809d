"""Landmark geometry: jitter of the landmarks against the head's rigid motion, and 2-D head-pose proxies.

Jitter. For three consecutive frames (t-1, t, t+1) the landmarks of t-1 and t+1 are mapped onto frame t by
a least-squares similarity (Umeyama) fitted on rigid points; the jitter of a point is
|(p'(t-1) + p'(t+1)) / 2 - p(t)| in inter-ocular units, the median over the points. Smooth head and
expression motion cancels in this second difference; frame-to-frame noise, of the landmark detector and of
a face generated frame by frame, does not.

Pose (68 points only). Yaw from the central points (nose tip against the eye centres) and from the whole
face (nose tip against the jaw outline); in a swap the pasted inner face turns with its own pose, so the
two drift apart. The cue is the spread of the residual of a per-track linear fit of one on the other (the
2-D proxy of Yang, Li & Lyu, "Exposing deep fakes using inconsistent head poses", ICASSP 2019).

5-point order (dlib): right eye outer, right eye inner, left eye outer, left eye inner, nose base.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Points = npt.NDArray[np.float32]  # (n, 2) x, y in source pixels
F64 = npt.NDArray[np.float64]

RIGID68 = (27, 28, 29, 30, 31, 33, 35, 36, 39, 42, 45)
INNER68 = tuple(range(17, 68))
JAW68 = tuple(range(17))
ALL5 = (0, 1, 2, 3, 4)


def similarity(src: F64, dst: F64) -> tuple[F64, F64]:
    """Least-squares similarity mapping src -> dst (Umeyama 1991): (2x2 scaled rotation, translation)."""
    ms, md = src.mean(axis=0), dst.mean(axis=0)
    a, b = src - ms, dst - md
    u, s, vt = np.linalg.svd(b.T @ a / len(src))
    d = np.diag([1.0, float(np.sign(np.linalg.det(u @ vt)) or 1.0)])
    var = float((a**2).sum()) / len(src)
    scale = float((s * np.diag(d)).sum()) / max(var, 1e-9)
    m: F64 = scale * (u @ d @ vt)
    t: F64 = md - m @ ms
    return m, t


def interocular(points: Points) -> float:
    """Distance between the eye centres, from 5 or 68 points."""
    if len(points) >= 68:
        return float(np.linalg.norm(points[36:42].mean(axis=0) - points[42:48].mean(axis=0)))
    return float(np.linalg.norm((points[0] + points[1]) / 2 - (points[2] + points[3]) / 2))


def jitter(
    prev: Points, cur: Points, nxt: Points, rigid: Sequence[int], moving: Sequence[int], iod: float
) -> float:
    """Median second difference of the `moving` points after aligning on the `rigid` ones, per iod."""
    c = cur.astype(np.float64)
    mapped = []
    for other in (prev, nxt):
        o = other.astype(np.float64)
        m, t = similarity(o[list(rigid)], c[list(rigid)])
        mapped.append(o[list(moving)] @ m.T + t)
    resid = (mapped[0] + mapped[1]) / 2 - c[list(moving)]
    return float(np.median(np.linalg.norm(resid, axis=1)) / max(iod, 1e-6))


def jitter5(prev: Points, cur: Points, nxt: Points) -> float:
    return jitter(prev, cur, nxt, ALL5, ALL5, interocular(cur))


def jitter68(prev: Points, cur: Points, nxt: Points) -> tuple[float, float]:
    """(inner points, jaw outline) jitter with 68 points."""
    iod = interocular(cur)
    return (
        jitter(prev, cur, nxt, RIGID68, INNER68, iod),
        jitter(prev, cur, nxt, RIGID68, JAW68, iod),
    )


def yaw5(points: Points) -> float:
    """A yaw proxy from 5 points: the nose base's offset along the eye axis, per iod."""
    right, left = (points[0] + points[1]) / 2, (points[2] + points[3]) / 2
    iod = float(np.linalg.norm(right - left)) + 1e-6
    axis = (right - left) / iod
    return float((points[4] - points[:4].mean(axis=0)) @ axis / iod)


def yaw68(points: Points) -> tuple[float, float]:
    """(central, whole-face) yaw proxies from 68 points."""
    le, re = points[36:42].mean(axis=0), points[42:48].mean(axis=0)
    iod = float(np.linalg.norm(re - le)) + 1e-6
    axis = (re - le) / iod
    central = float((points[30] - (le + re) / 2) @ axis / iod)
    jaw_width = float(np.linalg.norm(points[16] - points[0])) + 1e-6
    whole = float((points[30] - (points[0] + points[16]) / 2) @ axis / jaw_width)
    return central, whole


def pose_mismatch(central: Sequence[float], whole: Sequence[float]) -> float | None:
    """Spread of the whole-face yaw around its linear fit on the central yaw; None with < 5 samples or
    no pose variation."""
    c, w = np.asarray(central, np.float64), np.asarray(whole, np.float64)
    if len(c) < 5 or float(np.std(c)) < 1e-6:
        return None
    design = np.c_[c, np.ones(len(c))]
    coef, *_ = np.linalg.lstsq(design, w, rcond=None)
    return float(np.std(w - design @ coef))


def head_motion(points: Sequence[Points]) -> tuple[float, float]:
    """(shape change, travel) of a track's 5 points, in units of the outer-eye-corner distance: the median
    deviation of the centred shape from its median shape, and the 90th percentile of the centre's distance
    from its median. A photo shown still has both near zero; an animated face does not."""
    if len(points) < 2:
        return 0.0, 0.0
    iod = float(np.median([np.linalg.norm(p[0] - p[2]) for p in points])) or 1.0
    rel = np.stack([(p - p.mean(axis=0)) / iod for p in points])
    shape = float(np.median(np.linalg.norm(rel - np.median(rel, axis=0), axis=2)))
    centre = np.stack([p.mean(axis=0) for p in points]) / iod
    travel = float(np.percentile(np.linalg.norm(centre - np.median(centre, axis=0), axis=1), 90))
    return shape, travel
