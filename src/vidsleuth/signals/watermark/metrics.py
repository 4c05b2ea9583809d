"""What the watermark signal measured: the marks it read, where and when, persistent overlays that match no
mark, removal hints, and what the OCR cost.

The signal writes `WatermarkMetrics` and its report panel reads it back (`SignalResult.metrics_as`), so the
shape is declared here once; the JSON keys are those of the report schema (docs/signals/watermark.md).
Boxes are `[x, y, w, h]` in pixels of the displayed (rotation applied) source frame; a `thumbnail_index`
points into the result's thumbnails (the crop OCR read). Values a report read back may lack come back as
their defaults: None where "not reported" must not read as a measured zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from vidsleuth.core.metrics import SignalMetrics

Box = tuple[int, int, int, int]  # x, y, w, h in source pixels


def span_of(start_s: float | None, end_s: float | None) -> tuple[float, float] | None:
    """(start, end) when both are known and 0 <= start <= end, else None (nothing to place on a timeline)."""
    if start_s is None or end_s is None or start_s < 0 or end_s < start_s:
        return None
    return start_s, end_s


@dataclass(frozen=True, slots=True)
class MarkSegment:
    """One sighting of a mark: a stretch of time it stayed in one place, with the clearest read there."""

    start_s: float
    end_s: float
    box: Box | None = None
    text: str = ""  # the mark's line as OCR read it
    confidence: float | None = None  # OCR confidence of that line times the catalogue match score
    handle: str | None = None  # the @handle this read found, normalised
    ocr_lines: tuple[tuple[str, float], ...] = ()  # every line read, verbatim, with its confidence
    thumbnail_index: int | None = None

    @property
    def span(self) -> tuple[float, float] | None:
        return span_of(self.start_s, self.end_s)

    def valid(self) -> bool:
        return self.start_s <= self.end_s


@dataclass(frozen=True, slots=True)
class MarkDetection:
    """One catalogued mark found in the video, over all its sightings."""

    mark: str = ""  # catalogue key ("sora")
    name: str = ""  # the mark's name in the catalogue
    generator: str = ""
    kind: str = ""  # generator_mark | platform_label
    text: str = ""  # the clearest read of the mark's line
    confidence: float | None = None
    handle: str | None = None  # the handle voted over every read
    handle_confidence: float | None = None
    handle_support: int | None = None  # reads of exactly that spelling
    handle_runner_up: str | None = None  # the next spelling read, when reads disagree
    handle_runner_up_support: int | None = None
    box: Box | None = None  # where the clearest read was
    start_s: float | None = None
    end_s: float | None = None
    thumbnail_index: int | None = None  # the clearest read's crop
    strength: float | None = None
    mismatches: tuple[str, ...] = ()  # how it differs from the genuine mark
    segments: tuple[MarkSegment, ...] = ()

    @property
    def span(self) -> tuple[float, float] | None:
        return span_of(self.start_s, self.end_s)

    def valid(self) -> bool:
        return bool(self.generator or self.mark or self.name)


@dataclass(frozen=True, slots=True)
class OverlayRegion:
    """A persistent overlay on moving content that matches no catalogued mark."""

    box: Box | None = None
    start_s: float | None = None
    end_s: float | None = None
    text: str = ""  # every line OCR read, joined with " | "
    density: float | None = None  # share of the box that is static edge
    surround_motion: float | None = None  # share of the ring around it whose pixels moved
    thumbnail_index: int | None = None

    @property
    def span(self) -> tuple[float, float] | None:
        return span_of(self.start_s, self.end_s)

    def valid(self) -> bool:
        return self.box is not None or self.span is not None


@dataclass(frozen=True, slots=True)
class RemovalHint:
    """A sign that a mark was removed (a hint only: each has innocent explanations)."""

    kind: str = ""  # crop | blur_patch | missing_mark
    summary: str = ""
    strength: float | None = None
    start_s: float | None = None
    end_s: float | None = None
    box: Box | None = None
    thumbnail_index: int | None = None

    @property
    def span(self) -> tuple[float, float] | None:
        return span_of(self.start_s, self.end_s)

    def valid(self) -> bool:
        return bool(self.kind or self.summary)


@dataclass(frozen=True, slots=True)
class WatermarkMetrics(SignalMetrics):
    detections: tuple[MarkDetection, ...] = ()
    overlay_regions: tuple[OverlayRegion, ...] = ()
    removal_hints: tuple[RemovalHint, ...] = ()
    ocr_engine: str = ""  # name and version of the OCR library
    ocr_reads: int | None = None
    ocr_seconds: float | None = None  # time spent in OCR
    ocr_errors: tuple[str, ...] = ()  # the first few reads that failed
    frames_sampled: int | None = None  # > 0 whenever the signal looked (it is not applicable otherwise)
    sample_fps: float | None = None
    analysis_size: tuple[int, int] | None = None  # w, h of the frames the overlay finder saw
    duration_s: float | None = None
    # What the finder saw and OCR read (a missed mark must be visible): candidate regions over all windows,
    # distinct places they formed, those seen long enough to read, places read, and probe reads of a
    # generator's usual mark places when nothing else had been read.
    candidates_seen: int | None = None
    regions_seen: int | None = None
    regions_confirmed: int | None = None
    regions_read: int | None = None
    probe_reads: int | None = None
    frames_kept: int | None = None  # frames kept for the full-resolution presence check
    kept_scale: float | None = None  # their scale (1.0: full resolution)
