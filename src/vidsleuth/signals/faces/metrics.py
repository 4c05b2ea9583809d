"""What the faces signal measured: the face tracks, the cue measurements with their series, the
reference-photo matches and the boundary heatmap. The signal writes `FacesMetrics`; the panel reads it
back (docs/signals/faces.md, "Metrics").

``features`` is the per-video mapping a calibration fits on (`vidsleuth.fusion.features`), measured on the
main face track; ``feature_directions`` says which way each cue was expected to point for a manipulated
face before any evaluation (0: a covariate, no hypothesis).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from vidsleuth.core.metrics import SignalMetrics


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of time in which a track was seen (gaps longer than a few seconds split a track's lane)."""

    start_s: float
    end_s: float

    def valid(self) -> bool:
        return 0.0 <= self.start_s <= self.end_s


@dataclass(frozen=True, slots=True)
class TrackRow:
    """One face track. `thumbnail` indexes the result's thumbnails (-1: none)."""

    track_id: int
    start_s: float
    end_s: float
    segments: tuple[Segment, ...] = ()
    observations: int = 0  # frames with landmarks
    detections: int = 0  # detector confirmations
    descriptors: int = 0
    face_px: float = 0.0  # median face-box width, source pixels
    thumbnail: int = -1
    main: bool = False  # the track the cue measurements describe
    examined: bool = False  # enough observations of a large enough face for the cues

    def valid(self) -> bool:
        return self.track_id >= 0 and 0.0 <= self.start_s <= self.end_s


@dataclass(frozen=True, slots=True)
class Series:
    time_s: tuple[float, ...] = ()
    value: tuple[float, ...] = ()

    def valid(self) -> bool:
        return len(self.time_s) == len(self.value)


@dataclass(frozen=True, slots=True)
class CuePanel:
    """One cue as the report shows it: value, sentence, evidence code and series over time."""

    title: str
    feature: str = ""
    code: str = ""
    unit: str = ""
    value: float | None = None  # None: does not apply to this video
    direction: int = 0  # +1: higher was expected of a manipulated face; -1: lower
    sentence: str = ""
    series: Series | None = None
    series_shows: str = ""

    def valid(self) -> bool:
        return bool(self.title)


@dataclass(frozen=True, slots=True)
class ReferenceRow:
    """A reference photo: its name (file name only), content hash, and whether a face was found in it."""

    name: str
    sha256: str = ""
    face_found: bool = False
    how: str = ""  # hog | hog_upsampled | cnn | no face | unreadable
    thumbnail: int = -1  # the photo's face crop

    def valid(self) -> bool:
        return bool(self.name)


@dataclass(frozen=True, slots=True)
class MatchRow:
    """A face track against a reference photo that it matches (or possibly matches)."""

    track_id: int
    reference: str
    distance: float
    threshold: float
    kind: str = "match"  # match | possible
    start_s: float = 0.0
    end_s: float = 0.0
    track_thumbnail: int = -1
    reference_thumbnail: int = -1
    sign: str = "not checked"  # animated | static | none | not checked
    background_ncc: float | None = None  # median over the checked frames
    head_motion: float | None = None  # shape change of the 5 points, inter-ocular units
    head_travel: float | None = None

    def valid(self) -> bool:
        return bool(self.reference) and self.track_id >= 0


@dataclass(frozen=True, slots=True)
class Heatmap:
    """The boundary statistic drawn over the face at the frame where it was most extreme."""

    thumbnail: int = -1
    track_id: int = -1
    time_s: float = 0.0
    statistic: str = ""  # what the colours show
    inside: float | None = None
    ring: float | None = None
    scale: tuple[float, ...] = ()  # low, high of the colour scale


@dataclass(frozen=True, slots=True)
class TooSmall:
    """Faces the detector found that were too small to track (narrower than `min_px`)."""

    count: int = 0
    first_s: float | None = None
    last_s: float | None = None
    largest_px: float = 0.0
    min_px: int = 0


@dataclass(frozen=True, slots=True)
class Validation:
    """What the cues were worth on labelled data (bench/faces_eval.py), said with every result."""

    auc: float | None = None
    low: float | None = None
    high: float | None = None
    clips: int = 0
    method: str = ""


@dataclass(frozen=True, slots=True)
class FacesMetrics(SignalMetrics):
    landmark_model: str = ""  # "5-point" or "68-point"
    sampling: Mapping[str, float] = field(default_factory=dict)
    frame_size: tuple[int, ...] = ()
    frames_seen: int = 0
    frames_examined: int = 0  # frames the signal looked at (detection, landmarks)
    detections_run: int = 0
    landmark_calls: int = 0
    descriptors: int = 0
    tracks: tuple[TrackRow, ...] = ()
    main_track: int | None = None
    too_small: TooSmall = TooSmall()
    features: Mapping[str, float | None] = field(default_factory=dict)
    feature_directions: Mapping[str, int] = field(default_factory=dict)
    panels: tuple[CuePanel, ...] = ()
    references: tuple[ReferenceRow, ...] = ()
    matches: tuple[MatchRow, ...] = ()
    heatmap: Heatmap | None = None
    validation: Validation = Validation()
