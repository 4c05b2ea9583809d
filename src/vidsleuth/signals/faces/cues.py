"""The face-swap and reenactment cues of one face track: one number each (and a covariate or two that
calibration may need), with the series that shows it over time.

Each cue's direction is the hypothesis stated before any evaluation (+1: a manipulated face was expected
to score higher, -1: lower). On labelled data the cues moved that way within a video (a fake against its
own original) far more often than across videos, where differences between sources (resolution,
compression, face size, how much the head turns) are larger: bench/faces_eval.py measures them, and
docs/signals/faces.md gives the figures. The covariates (direction 0) are no hypothesis: face size, pose
variation and picture quality around the face, which the cues depend on.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vidsleuth.signals.faces import identity, landmarks
from vidsleuth.signals.faces.scan import BoundaryRow, TrackRecord
from vidsleuth.signals.faces.tracking import Observation

MIN_OBSERVATIONS = 8  # landmark samples a track needs before its cues are measured


@dataclass(frozen=True, slots=True)
class Cue:
    key: str
    title: str
    unit: str
    direction: int
    what: str  # what it measures, for the sentence
    series_shows: str
    needs68: bool = False


CUES: tuple[Cue, ...] = (
    Cue(
        "identity_spread",
        "Identity spread",
        "descriptor distance",
        +1,
        "how much the face's identity descriptor varies along the track (swapped faces flicker in identity; "
        "so does a real face that turns a lot)",
        "each descriptor's distance from the track's median identity",
    ),
    Cue(
        "boundary_noise_ratio",
        "Noise inside vs around the face",
        "log ratio",
        -1,
        "image noise inside the face against a ring just outside it (a generated, upscaled face tends to "
        "be smoother than the frame around it)",
        "the log ratio in each measured frame",
    ),
    Cue(
        "boundary_sharpness_ratio",
        "Sharpness inside vs around the face",
        "log ratio",
        -1,
        "Laplacian variance inside the face against the ring around it",
        "the log ratio in each measured frame",
    ),
    Cue(
        "boundary_detail_ratio",
        "Fine detail inside vs around the face",
        "log ratio",
        -1,
        "fine detail (above a 1-px blur, relative to a 3-px blur) inside the face against the ring",
        "the log ratio in each measured frame",
    ),
    Cue(
        "boundary_seam",
        "Edge along the face outline",
        "ratio",
        +1,
        "gradient strength on the face's outline against inside the face (a blend seam)",
        "the ratio in each measured frame",
    ),
    Cue(
        "boundary_colour_flicker",
        "Colour flicker at the face boundary",
        "Lab units",
        +1,
        "how much the colour difference between the face and its surroundings changes from one measured "
        "frame to the next (a blended face is colour-matched frame by frame)",
        "the change of the face-vs-ring colour difference at each measured frame",
    ),
    Cue(
        "boundary_light_flicker",
        "Brightness flicker at the face boundary",
        "Lab L units",
        +1,
        "how much the brightness difference between the face and its surroundings changes from one "
        "measured frame to the next",
        "the change of the face-vs-ring brightness difference at each measured frame",
    ),
    Cue(
        "landmark_jitter",
        "Landmark jitter",
        "inter-ocular distance",
        +1,
        "frame-to-frame jitter of the eye and nose landmarks after removing the head's smooth motion "
        "(a face generated frame by frame jitters more; so do small faces)",
        "the jitter in each burst of three consecutive frames",
    ),
    Cue(
        "landmark_jitter_inner",
        "Inner-face landmark jitter (68 points)",
        "inter-ocular distance",
        +1,
        "jitter of the brows, eyes, nose and mouth against the rigid points",
        "the jitter in each burst of three consecutive frames",
        needs68=True,
    ),
    Cue(
        "landmark_jitter_jaw",
        "Jaw-line jitter (68 points)",
        "inter-ocular distance",
        +1,
        "jitter of the jaw outline against the rigid points",
        "the jitter in each burst of three consecutive frames",
        needs68=True,
    ),
    Cue(
        "pose_mismatch",
        "Head pose: centre vs whole face (68 points)",
        "yaw units",
        +1,
        "how far the head's turn measured on the whole face departs from the turn measured on its centre "
        "(a pasted inner face turns with its own pose)",
        "the residual in each landmark sample",
        needs68=True,
    ),
)
COVARIATES: tuple[str, ...] = ("face_width_log", "yaw_variation", "ring_sharpness_log", "ring_noise_log")
BY_KEY = {c.key: c for c in CUES}

Series = tuple[list[float], list[float]]


@dataclass(frozen=True, slots=True)
class TrackCues:
    values: dict[str, float | None]  # every cue and covariate (None: does not apply)
    series: dict[str, Series]


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _median(values: Sequence[float]) -> float | None:
    v = [x for x in values if math.isfinite(x)]
    return float(np.median(v)) if v else None


def _steps(values: Sequence[float]) -> list[float]:
    return [abs(b - a) for a, b in itertools.pairwise(values)]


def _mad_step(values: Sequence[float]) -> float | None:
    """Median absolute frame-to-frame change; None with fewer than 3 values."""
    return float(np.median(_steps(values))) if len(values) > 2 else None


def _log_ratio(a: float, b: float) -> float:
    return math.log((a + 1e-3) / (b + 1e-3)) if a > 0 and b > 0 else math.nan


def _boundary(rows: Sequence[BoundaryRow]) -> TrackCues:
    t = [r.time_s for r in rows]
    noise = [_log_ratio(r.inside.noise, r.ring.noise) for r in rows]
    sharp = [_log_ratio(r.inside.lapvar, r.ring.lapvar) for r in rows]
    detail = [_log_ratio(r.inside.hf, r.ring.hf) for r in rows]
    seam = [r.seam for r in rows]
    coloured = [(r.time_s, r.inside.lab, r.ring.lab) for r in rows if r.inside.lab and r.ring.lab]
    tc = [t for t, _, _ in coloured]
    da = [a[1] - b[1] for _, a, b in coloured]
    db = [a[2] - b[2] for _, a, b in coloured]
    dl = [a[0] - b[0] for _, a, b in coloured]
    colour_steps = [math.hypot(a, b) for a, b in zip(_steps(da), _steps(db), strict=True)]
    flicker_a, flicker_b = _mad_step(da), _mad_step(db)
    values: dict[str, float | None] = {
        "boundary_noise_ratio": _median(noise) if len(rows) >= 2 else None,
        "boundary_sharpness_ratio": _median(sharp) if len(rows) >= 2 else None,
        "boundary_detail_ratio": _median(detail) if len(rows) >= 2 else None,
        "boundary_seam": _median(seam) if len(rows) >= 2 else None,
        "boundary_colour_flicker": (
            math.hypot(flicker_a, flicker_b) if flicker_a is not None and flicker_b is not None else None
        ),
        "boundary_light_flicker": _mad_step(dl),
        "ring_sharpness_log": _median([math.log(r.ring.lapvar + 1e-3) for r in rows]),
        "ring_noise_log": _median([math.log(r.ring.noise + 1e-3) for r in rows]),
    }
    series = {
        "boundary_noise_ratio": (t, noise),
        "boundary_sharpness_ratio": (t, sharp),
        "boundary_detail_ratio": (t, detail),
        "boundary_seam": (t, seam),
        "boundary_colour_flicker": (tc[1:], colour_steps),
        "boundary_light_flicker": (tc[1:], _steps(dl)),
    }
    return TrackCues(values, series)


def _landmarks(obs: Sequence[Observation]) -> TrackCues:
    by_index = {o.frame_index: o for o in obs}
    t5: list[float] = []
    j5: list[float] = []
    t68: list[float] = []
    inner: list[float] = []
    jaw: list[float] = []
    for o in obs:
        prev, nxt = by_index.get(o.frame_index - 1), by_index.get(o.frame_index + 1)
        if prev is None or nxt is None:
            continue
        t5.append(o.time_s)
        j5.append(landmarks.jitter5(prev.points, o.points, nxt.points))
        if o.points68 is not None and prev.points68 is not None and nxt.points68 is not None:
            a, b = landmarks.jitter68(prev.points68, o.points68, nxt.points68)
            t68.append(o.time_s)
            inner.append(a)
            jaw.append(b)
    with68 = [(o.time_s, o.points68) for o in obs if o.points68 is not None]
    poses = [landmarks.yaw68(p) for _, p in with68]
    central, whole = [c for c, _ in poses], [w for _, w in poses]
    mismatch = landmarks.pose_mismatch(central, whole)
    residual_t: list[float] = []
    residual: list[float] = []
    if mismatch is not None:
        c, w = np.asarray(central), np.asarray(whole)
        slope, icpt = np.polyfit(c, w, 1)
        residual_t = [t for t, _ in with68]
        residual = [float(x) for x in w - (slope * c + icpt)]
    yaws = [landmarks.yaw5(o.points) for o in obs]
    widths = [o.width for o in obs]
    values: dict[str, float | None] = {
        "landmark_jitter": _median(j5),
        "landmark_jitter_inner": _median(inner),
        "landmark_jitter_jaw": _median(jaw),
        "pose_mismatch": mismatch,
        "face_width_log": math.log(max(float(np.median(widths)), 1.0)) if widths else None,
        "yaw_variation": float(np.std(yaws)) if len(yaws) > 2 else None,
    }
    series = {
        "landmark_jitter": (t5, j5),
        "landmark_jitter_inner": (t68, inner),
        "landmark_jitter_jaw": (t68, jaw),
        "pose_mismatch": (residual_t, residual),
    }
    return TrackCues(values, series)


def track_cues(obs: Sequence[Observation], record: TrackRecord, use68: bool) -> TrackCues:
    """Every cue and covariate of one track (None where it does not apply)."""
    descriptors = [d for _, d in record.descriptors]
    parts = [_boundary(record.boundary), _landmarks(obs)]
    values: dict[str, float | None] = {"identity_spread": identity.spread(descriptors)}
    series: dict[str, Series] = {
        "identity_spread": ([t for t, _ in record.descriptors], identity.drift(descriptors))
    }
    for part in parts:
        values.update(part.values)
        series.update(part.series)
    for cue in CUES:
        if cue.needs68 and not use68:
            values.pop(cue.key, None)
            series.pop(cue.key, None)
    return TrackCues({k: _finite(v) for k, v in values.items()}, series)


def fmt_value(value: float) -> str:
    a = abs(value)
    return f"{value:.2e}" if 0 < a < 1e-3 else f"{value:.4g}" if a < 10 else f"{value:.1f}"


def sentence(cue: Cue, value: float | None, where: str) -> str:
    """The plain sentence shown with a cue's plot."""
    if value is None:
        return f"{cue.title}: does not apply ({where})."
    expect = "higher" if cue.direction > 0 else "lower"
    return (
        f"{cue.title} {fmt_value(value)} ({cue.unit}) on {where}: {cue.what}. A swapped or reenacted face "
        f"was expected to score {expect}; what a value is worth is learned from labelled videos."
    )
