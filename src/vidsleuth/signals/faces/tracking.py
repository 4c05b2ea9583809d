"""Face tracks: HOG detection at a sampled rate, landmark tracking between detections.

Detection (dlib's HOG frontal-face detector, no upsampling) runs on a grey copy of the frame whose long
side is `detect_side` (small videos are scaled up to it, so faces of ~25 px are still found; HOG's window
is 80 px). Between detections a face is followed by its own landmarks: its box in a new frame is predicted
from its last landmarks (the box-to-landmark relation is learned at each detection) and the shape predictor
runs in it, on a crop at full resolution.

A detection round confirms or ends each track: a detection overlapping the predicted box, or whose centre
lies in it, confirms it; failing that, a HOG run on a small window around the predicted face (the face
scaled to ~110 px, ~2 ms) does, since full-frame HOG at low resolution misses turned faces more often.
Observations made since the last confirmation are kept only if the track is confirmed again; one missed
round is tolerated, so a face turned briefly to profile does not end its track. A landmark scale jumping by
more than a third ends the track (the predictor lost the face). Faces narrower than `min_face_px` are
recorded with their time and size, not tracked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from vidsleuth.signals.faces import models
from vidsleuth.signals.faces.landmarks import Points

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in source pixels
Grey = npt.NDArray[np.uint8]
ROI_FACE_PX = 110.0
IOU_MATCH = 0.25
MAX_MISSED_ROUNDS = 1


@dataclass(frozen=True, slots=True)
class Observation:
    """A face in one frame: its box, its 5 landmarks (and 68 when asked for) in source pixels."""

    frame_index: int
    time_s: float
    box: Box
    points: Points
    points68: Points | None
    detected: bool

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]


@dataclass(slots=True)
class Track:
    track_id: int
    obs: list[Observation] = field(default_factory=list)
    pending: list[Observation] = field(default_factory=list)
    detections: int = 0
    missed_rounds: int = 0
    active: bool = True
    # box = landmark centre + k * landmark size, learned at each detection: (dx, dy, w, h) in size units
    box_model: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)
    last_points: Points | None = None

    def confirm(self) -> None:
        self.obs.extend(self.pending)
        self.pending.clear()
        self.missed_rounds = 0
        self.detections += 1

    def end(self) -> None:
        self.pending.clear()
        self.active = False


def _frame_of(points: Points) -> tuple[float, float, float]:
    c = points.mean(axis=0)
    extent = points.max(axis=0) - points.min(axis=0)
    return float(c[0]), float(c[1]), float(np.sqrt(float(np.prod(extent)) + 1e-6))


def iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _to_points(shape: Any, offset: tuple[int, int]) -> Points:
    pts = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
    return pts + np.array(offset, dtype=np.float32)


class FaceTracker:
    """Call `step` on each frame the schedule picks; `detect=True` makes it a detection round."""

    def __init__(self, detect_side: int = 640, min_face_px: int = 36, use68: bool = False) -> None:
        self.detect_side = detect_side
        self.min_face_px = min_face_px
        self.use68 = use68
        self.tracks: list[Track] = []
        self.too_small: list[tuple[float, float]] = []  # (time, width) of faces below min_face_px
        self.detections_run = 0
        self.landmark_calls = 0
        self._next_id = 0

    @property
    def active(self) -> list[Track]:
        return [t for t in self.tracks if t.active]

    # Landmarks ----------------------------------------------------------------------------------
    def _landmarks(self, frame: Grey, box: Box) -> tuple[Points, Points | None]:
        dlib = models.dlib()
        w = box[2] - box[0]
        x0, y0 = int(max(0, box[0] - w * 0.3)), int(max(0, box[1] - w * 0.3))
        x1, y1 = int(min(frame.shape[1], box[2] + w * 0.3)), int(min(frame.shape[0], box[3] + w * 0.3))
        # dlib copies the whole array it is handed: give it the face's surroundings only.
        grey = np.ascontiguousarray(frame[y0:y1, x0:x1])
        rect = dlib.rectangle(int(box[0]) - x0, int(box[1]) - y0, int(box[2]) - x0, int(box[3]) - y0)
        self.landmark_calls += 1
        five = _to_points(models.predictor(5)(grey, rect), (x0, y0))
        more = _to_points(models.predictor(68)(grey, rect), (x0, y0)) if self.use68 else None
        return five, more

    def _learn_box(self, track: Track, box: Box, ref: Points) -> None:
        cx, cy, s = _frame_of(ref)
        bw, bh = box[2] - box[0], box[3] - box[1]
        track.box_model = ((box[0] + bw / 2 - cx) / s, (box[1] + bh / 2 - cy) / s, bw / s, bh / s)
        track.last_points = ref

    def predict_box(self, track: Track) -> Box | None:
        if track.last_points is None:
            return None
        cx, cy, s = _frame_of(track.last_points)
        dx, dy, sw, sh = track.box_model
        x, y = cx + dx * s, cy + dy * s
        return (x - sw * s / 2, y - sh * s / 2, x + sw * s / 2, y + sh * s / 2)

    # Detection ----------------------------------------------------------------------------------
    def _detect(self, frame: Grey) -> list[Box]:
        h, w = frame.shape[:2]
        scale = self.detect_side / max(w, h)
        size = (max(2, round(w * scale)), max(2, round(h * scale)))
        small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        self.detections_run += 1
        back = w / size[0]
        rects = models.hog_detector()(small, 0)
        return [(r.left() * back, r.top() * back, r.right() * back, r.bottom() * back) for r in rects]

    def _detect_near(self, frame: Grey, track: Track) -> Box | None:
        """A HOG run on a window around the track's predicted face, the face scaled to ~110 px."""
        box = self.predict_box(track)
        if box is None:
            return None
        w = box[2] - box[0]
        x0, y0 = int(max(0, box[0] - w * 0.6)), int(max(0, box[1] - w * 0.6))
        x1, y1 = int(min(frame.shape[1], box[2] + w * 0.6)), int(min(frame.shape[0], box[3] + w * 0.6))
        if x1 - x0 < 20 or y1 - y0 < 20:
            return None
        grey = frame[y0:y1, x0:x1]
        scale = ROI_FACE_PX / max(w, 1.0)
        small = cv2.resize(
            grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        )
        self.detections_run += 1
        rects = list(models.hog_detector()(small, 0))
        if not rects:
            return None
        r = max(rects, key=lambda r: r.width())
        return (x0 + r.left() / scale, y0 + r.top() / scale, x0 + r.right() / scale, y0 + r.bottom() / scale)

    def _match(self, det: Box, candidates: list[Track], used: set[int]) -> Track | None:
        best, best_score = None, IOU_MATCH
        cx, cy = (det[0] + det[2]) / 2, (det[1] + det[3]) / 2
        for t in candidates:
            predicted = self.predict_box(t)
            if t.track_id in used or predicted is None:
                continue
            score = iou(det, predicted)
            # A stale prediction (landmarks sampled sparsely) may overlap little: a detection whose
            # centre lies inside the predicted box is the same face.
            if predicted[0] <= cx <= predicted[2] and predicted[1] <= cy <= predicted[3]:
                score = max(score, 0.5 + score / 2)
            if score > best_score:
                best, best_score = t, score
        return best

    def _observe(self, track: Track, frame: Grey, box: Box, index: int, time_s: float) -> Observation:
        five, more = self._landmarks(frame, box)
        self._learn_box(track, box, more if more is not None else five)
        ob = Observation(index, time_s, box, five, more, True)
        track.obs.append(ob)
        return ob

    def _detection_round(self, frame: Grey, index: int, time_s: float) -> list[tuple[Track, Observation]]:
        out: list[tuple[Track, Observation]] = []
        candidates = self.active
        used: set[int] = set()
        for det in self._detect(frame):
            if det[2] - det[0] < self.min_face_px:
                self.too_small.append((time_s, det[2] - det[0]))
                continue
            track = self._match(det, candidates, used)
            if track is None:
                track = Track(self._next_id)
                self._next_id += 1
                self.tracks.append(track)
            used.add(track.track_id)
            track.confirm()
            out.append((track, self._observe(track, frame, det, index, time_s)))
        for track in candidates:
            if track.track_id in used:
                continue
            near = self._detect_near(frame, track)
            if near is not None:
                used.add(track.track_id)
                track.confirm()
                out.append((track, self._observe(track, frame, near, index, time_s)))
                continue
            track.missed_rounds += 1
            if track.missed_rounds > MAX_MISSED_ROUNDS:
                track.end()
        return out

    def step(self, frame: Grey, index: int, time_s: float, detect: bool) -> list[tuple[Track, Observation]]:
        """Landmarks of every active track in this grey frame, after a detection round when `detect`."""
        out = self._detection_round(frame, index, time_s) if detect else []
        seen = {t.track_id for t, _ in out}
        h, w = frame.shape[:2]
        for track in self.active:
            if track.track_id in seen or track.last_points is None:
                continue
            box = self.predict_box(track)
            if box is None or box[2] < 0 or box[3] < 0 or box[0] > w or box[1] > h:
                track.end()
                continue
            five, more = self._landmarks(frame, box)
            ref = more if more is not None else five
            old, new = _frame_of(track.last_points)[2], _frame_of(ref)[2]
            if not 0.75 < new / max(old, 1e-6) < 1.33:
                track.end()
                continue
            track.last_points = ref
            ob = Observation(index, time_s, box, five, more, False)
            track.pending.append(ob)
            out.append((track, ob))
        return out

    def finish(self) -> list[Track]:
        """Close every track. Unconfirmed observations at the end are kept when the track missed no round
        (the video simply ended). Returns the tracks with observations."""
        for track in self.tracks:
            if track.missed_rounds == 0:
                track.obs.extend(track.pending)
            track.end()
            track.obs.sort(key=lambda o: o.frame_index)
        return [t for t in self.tracks if t.obs]
