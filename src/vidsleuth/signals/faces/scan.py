"""The faces signal's schedule: which frames it looks at and what it measures on each.

The shared decode offers every frame; the scan touches pixels only when its schedule wants them:

- face detection every `detect_every_s` while a face is tracked and every `detect_idle_s` while none is
  (the only cost when there is no face);
- landmark bursts: `burst` consecutive frames every 1/`landmark_fps` seconds while a face is tracked
  (landmark jitter needs consecutive frames);
- on the first frame of a burst, per face: the blending-boundary statistics (at most `boundary_fps` per
  second) and identity descriptors (`first_descriptors` of them 2 s apart early in a track, then one every
  `descriptor_every_s`), both with one RGB crop of the face's surroundings (colour.py); a face that may
  match a reference photo also keeps a few small grey windows of its surroundings for the animated-photo
  check.

docs/signals/faces.md has the measured cost of this schedule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from vidsleuth.core.result import Thumbnail
from vidsleuth.signals.faces import boundary, identity
from vidsleuth.signals.faces.colour import Crop
from vidsleuth.signals.faces.options import FacesOptions
from vidsleuth.signals.faces.tracking import Box, FaceTracker, Observation, Track

Grey = npt.NDArray[np.uint8]
ThumbnailFor = Callable[[str, Box], Thumbnail]
MIN_SIDE = 16  # frames smaller than this carry no face worth looking at
FIRST_DESCRIPTOR_GAP_S = 2.0
WINDOW_FACE_PX = 160.0  # a kept window is scaled so that the face is at most this wide
MAX_WINDOWS = 12
WINDOW_GAP_S = 0.5
MAX_CANDIDATES = 8  # tracks that keep windows for the animated-photo check


@dataclass(frozen=True, slots=True)
class BoundaryRow:
    time_s: float
    inside: boundary.Region
    ring: boundary.Region
    seam: float
    face_px: float


@dataclass(frozen=True, slots=True)
class Window:
    """A grey window around a face, for the animated-photo check: the face's box in window pixels."""

    time_s: float
    grey: Grey
    box: Box


@dataclass(slots=True)
class TrackRecord:
    """What the scan keeps about one track besides its observations."""

    descriptors: list[tuple[float, identity.Descriptor]] = field(default_factory=list)
    boundary: list[BoundaryRow] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    window_gap_s: float = WINDOW_GAP_S
    next_boundary_s: float = -1.0
    next_descriptor_s: float = -1.0
    candidate: bool = False
    thumbnail: Thumbnail | None = None
    thumbnail_px: float = 0.0


@dataclass(slots=True)
class Worst:
    """The boundary measurement with the face smoothest against its ring (the heatmap's frame)."""

    track_id: int
    time_s: float
    measured: boundary.Measured


class FaceScan:
    def __init__(
        self,
        options: FacesOptions,
        references: Sequence[identity.Descriptor] = (),
        thumbnails: bool = True,
    ) -> None:
        self.opts = options
        self.tracker = FaceTracker(options.detect_side, options.min_face_px, options.landmarks68)
        self.records: dict[int, TrackRecord] = {}
        self.references = list(references)
        self.thumbnails = thumbnails
        self.worst: Worst | None = None
        self.frames_seen = 0
        self.frames_examined = 0
        self.descriptors = 0
        self.frame_size: tuple[int, int] | None = None
        self._next_detect = 0.0
        self._next_burst = 0.0
        self._burst_left = 0

    def record(self, track_id: int) -> TrackRecord:
        return self.records.setdefault(track_id, TrackRecord())

    def step(
        self, read: Callable[[], Grey | None], index: int, time_s: float, thumbnail: ThumbnailFor, crop: Crop
    ) -> None:
        """Look at one decoded frame if the schedule wants it. `read` gives its grey pixels (converted only
        when called, so frames the schedule skips cost nothing); `thumbnail` and `crop` give a face's
        thumbnail and an RGB crop of this frame."""
        self.frames_seen += 1
        opts = self.opts
        tracking = bool(self.tracker.active)
        in_burst = self._burst_left > 0
        start_burst = tracking and not in_burst and time_s >= self._next_burst
        detect = time_s >= self._next_detect
        if not (in_burst or start_burst or detect):
            return
        grey = read()
        if grey is None or grey.ndim != 2 or min(grey.shape) < MIN_SIDE:
            return
        if self.frame_size is None:
            self.frame_size = (int(grey.shape[1]), int(grey.shape[0]))
        self.frames_examined += 1
        if start_burst:
            self._burst_left = opts.burst
            self._next_burst = time_s + 1.0 / opts.landmark_fps
        first_of_burst = self._burst_left == opts.burst
        self._burst_left = max(0, self._burst_left - 1)
        got = self.tracker.step(grey, index, time_s, detect)
        if detect:
            self._next_detect = time_s + (opts.detect_every_s if self.tracker.active else opts.detect_idle_s)
        if got and not tracking:
            # A new face: its first burst starts now.
            self._burst_left = opts.burst - 1
            self._next_burst = time_s + 1.0 / opts.landmark_fps
            first_of_burst = True
        for track, ob in got:
            rec = self.record(track.track_id)
            # One thumbnail per track, from a detection, replaced while the face grows (a few times at most).
            if (
                self.thumbnails
                and ob.detected
                and (rec.thumbnail is None or ob.width >= 1.5 * rec.thumbnail_px)
            ):
                rec.thumbnail = thumbnail(f"Face {track.track_id + 1}", _padded(ob.box, grey.shape, 0.35))
                rec.thumbnail_px = ob.width
            if first_of_burst:
                self._measure(grey, track, ob, rec, crop)

    def _measure(self, grey: Grey, track: Track, ob: Observation, rec: TrackRecord, crop: Crop) -> None:
        t = ob.time_s
        due_boundary, due_descriptor = t >= rec.next_boundary_s, t >= rec.next_descriptor_s
        # One RGB crop of the face's surroundings serves both (the colour path costs a frame conversion).
        colour = crop(_padded(ob.box, grey.shape, 0.8)) if due_boundary or due_descriptor else None
        if due_boundary:
            rec.next_boundary_s = t + 1.0 / self.opts.boundary_fps
            measured = boundary.measure(grey, boundary.hull5(ob.points), colour)
            if measured is not None:
                rec.boundary.append(
                    BoundaryRow(t, measured.inside, measured.ring, measured.seam, measured.face_px)
                )
                if self.worst is None or measured.noise_log_ratio < self.worst.measured.noise_log_ratio:
                    self.worst = Worst(track.track_id, t, measured)
        if due_descriptor and colour is not None:
            rgb, x0, y0 = colour
            descriptor = identity.describe(rgb, ob.points - np.array([x0, y0], dtype=np.float32))
            rec.descriptors.append((t, descriptor))
            self.descriptors += 1
            early = len(rec.descriptors) < self.opts.first_descriptors
            rec.next_descriptor_s = t + (FIRST_DESCRIPTOR_GAP_S if early else self.opts.descriptor_every_s)
            if not rec.candidate and self._may_match(descriptor):
                rec.candidate = sum(r.candidate for r in self.records.values()) < MAX_CANDIDATES
        if rec.candidate:
            self._keep_window(grey, rec, ob)

    def _may_match(self, descriptor: identity.Descriptor) -> bool:
        limit = self.opts.possible_match_threshold
        return any(identity.distance(descriptor, ref) < limit for ref in self.references)

    def _keep_window(self, frame: Grey, rec: TrackRecord, ob: Observation) -> None:
        """Keep a small grey window around the face, at most MAX_WINDOWS spread over the track."""
        if rec.windows and ob.time_s - rec.windows[-1].time_s < rec.window_gap_s:
            return
        x0, y0, x1, y1 = ob.box
        w = x1 - x0
        h, width = frame.shape[:2]
        wx0, wy0 = int(max(0, x0 - w)), int(max(0, y0 - w))
        wx1, wy1 = int(min(width, x1 + w)), int(min(h, y1 + 1.5 * w))
        if wx1 - wx0 < 16 or wy1 - wy0 < 16:
            return
        grey = np.ascontiguousarray(frame[wy0:wy1, wx0:wx1])
        scale = min(1.0, WINDOW_FACE_PX / max(w, 1.0))
        if scale < 1.0:
            grey = np.asarray(
                cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), np.uint8
            )
        box = ((x0 - wx0) * scale, (y0 - wy0) * scale, (x1 - wx0) * scale, (y1 - wy0) * scale)
        rec.windows.append(Window(ob.time_s, grey, box))
        if len(rec.windows) >= MAX_WINDOWS:
            rec.windows = rec.windows[::2]
            rec.window_gap_s *= 2

    def finish(self) -> list[Track]:
        return self.tracker.finish()


def _padded(box: Box, shape: tuple[int, ...], pad: float) -> Box:
    """`box` grown by `pad` of its width on every side, inside the frame."""
    x0, y0, x1, y1 = box
    m = (x1 - x0) * pad
    return (max(0.0, x0 - m), max(0.0, y0 - m), min(float(shape[1]), x1 + m), min(float(shape[0]), y1 + m))
