"""What the fingerprint signal measured: the video's PDQ fingerprint (every frame hash, so that a saved
report can be searched again), its keyframes, the bank it searched and what matched there.

The JSON keys are the ones the signal has always written (docs/signals/fingerprint.md, "Metrics"), so
stored reports read back unchanged and `vidsleuth bank search report.json` still finds the hashes. A
match is one of two shapes: a PDQ match (`VideoMatch`, vPDQ's numbers and aligned stretches) or a banked
photo found inside the frames (`PhotoMatch`, which has a region of the frame). Both carry the banked
item's own fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vidsleuth.core.metrics import SignalMetrics


@dataclass(frozen=True, slots=True)
class FrameHashRow:
    """One PDQ hash of a sampled frame (or of a crop of it: `v` > 0)."""

    hash: str  # 64 hex digits
    q: int  # PDQ quality, 0-100
    t: float | None = None  # seconds
    frame: int | None = None
    v: int = 0  # 0: the frame as decoded; 1-8: a crop (bars or caption band removed)


@dataclass(frozen=True, slots=True)
class KeyframeRow:
    t: float
    hash: str
    q: int = 0
    change: str = ""  # "start" or "change"
    distance: int | None = None  # bits from the previous sampled frame
    thumbnail: str | None = None  # label of the embedded thumbnail, when there is one


@dataclass(frozen=True, slots=True)
class Quality:
    min: int | None = None
    median: float | None = None
    max: int | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    """The match rules the bank was searched with."""

    distance: int | None = None
    quality: int | None = None
    item_match_pct: float | None = None
    query_match_pct: float | None = None
    segment_min_frames: int | None = None
    segment_min_s: float | None = None


@dataclass(frozen=True, slots=True)
class BankInfo:
    location: str = ""  # file name or URL without password
    revision: int | None = None
    items: int | None = None
    frames: int | None = None


@dataclass(frozen=True, slots=True)
class TimeRange:
    start_s: float
    end_s: float

    def valid(self) -> bool:
        return self.start_s <= self.end_s


@dataclass(frozen=True, slots=True)
class Segment:
    """Where the video and a banked item agree: a stretch here and, for a banked video, there."""

    query: TimeRange | None = None
    item: TimeRange | None = None  # None for a banked photo
    offset_s: float | None = None
    frames: int = 0


@dataclass(frozen=True, slots=True)
class AlignedSegment(Segment):
    mean_distance: float | None = None  # mean PDQ distance of the aligned frames


@dataclass(frozen=True, slots=True)
class Region:
    """A box as fractions of the frame."""

    x: float
    y: float
    w: float
    h: float

    def valid(self) -> bool:
        return self.w > 0 and self.h > 0


@dataclass(frozen=True, slots=True)
class Sighting:
    """A banked photo verified in one checked frame."""

    t: float | None = None
    inliers: int = 0
    matches: int = 0
    inlier_ratio: float | None = None
    scale: float | None = None
    rotation_deg: float | None = None
    spread: float | None = None
    region: Region | None = None
    outline: Region | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """What every match says: the banked item, the rule that matched and how strongly."""

    item_id: int | None = None
    kind: str = ""  # video | image
    label: str | None = None
    source_url: str | None = None  # as entered when banked: shown as a link only when it is http(s)
    note: str | None = None
    file_name: str | None = None
    duration_s: float | None = None
    frame_count: int = 0
    added_at: str | None = None
    is_match: bool = True
    rule: str = ""  # vpdq | segment | pdq | photo_origin
    strength: float | None = None
    strength_name: str = ""

    def valid(self) -> bool:
        return self.strength is not None and (bool(self.label) or self.item_id is not None)


@dataclass(frozen=True, slots=True)
class VideoMatch(Match):
    """A PDQ match: vPDQ's percentages and the stretches aligned in time."""

    query_match_pct: float | None = None
    item_match_pct: float | None = None
    query_frames: int = 0
    item_frames: int = 0
    matched_query_frames: int = 0
    matched_item_frames: int = 0
    best_distance: int | None = None
    mean_distance: float | None = None
    segments: tuple[AlignedSegment, ...] = ()


@dataclass(frozen=True, slots=True)
class PhotoMatch(Match):
    """A banked photo found inside the frames by local features (photo origin)."""

    frames_checked: int = 0
    frames_matched: int = 0
    times: tuple[float, ...] = ()  # seconds of the checked frames that show it
    inliers: int = 0
    inlier_ratio: float | None = None
    region: Region | None = None  # where its matched keypoints lie (best frame)
    outline: Region | None = None  # where the whole photo lies
    sightings: tuple[Sighting, ...] = ()
    segments: tuple[Segment, ...] = ()

    def valid(self) -> bool:
        # Only a photo-origin match has a region; anything else is read as a VideoMatch.
        return Match.valid(self) and self.region is not None


@dataclass(frozen=True, slots=True)
class PhotoOriginSearch:
    """How the banked photos were looked for inside the frames."""

    stills: int = 0  # banked stills with local features
    frames_checked: tuple[float, ...] = ()  # seconds
    min_inliers: int | None = None
    min_inlier_ratio: float | None = None


@dataclass(frozen=True, slots=True)
class FingerprintMetrics(SignalMetrics):
    hasher: str = ""
    sample_fps: float | None = None
    max_side: int | None = None
    kind: str = ""  # video | image
    frames_hashed: int = 0
    variant_hashes: int = 0
    hashes_usable: int = 0
    unique_usable_hashes: int = 0
    quality: Quality = Quality()
    duration_s: float | None = None
    rules: Rules = Rules()
    keyframes: tuple[KeyframeRow, ...] = ()
    bank: BankInfo | None = None  # None: no bank was searched
    # PDQ matches strongest first, then photo-origin matches (a photo match is tried first when read).
    matches: tuple[PhotoMatch | VideoMatch, ...] = ()
    photo_origin: PhotoOriginSearch = PhotoOriginSearch()
    hashes: tuple[FrameHashRow, ...] = field(default=())  # empty when option `hashes` is off
