"""What the metadata check read: a table of the facts and tags it looked at (with a note where a tag is
a known mark), the embedded labels it found in the file's bytes, and the tags that matched a known mark.

The JSON keys are the ones the signal has always written (docs/signals/metadata.md). The table's field
names are defined here once: the signal writes them and the report section reads them, to show each
probed fact and tag once, with the check's note beside it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from vidsleuth.core.metrics import SignalMetrics

# Rows of the table. The first eight repeat what the probe already says about the container and its
# streams (the report shows the probed facts themselves); the decode's counts are the check's own.
CONTAINER = "container"
DURATION = "duration"
VIDEO_CODEC = "video codec"
FRAME_SIZE = "frame size"
FRAME_RATE = "frame rate"
PIXEL_FORMAT = "pixel format"
ROTATION = "rotation"
AUDIO = "audio"
FRAMES_DECODED = "frames decoded"
KEYFRAMES = "keyframes"
PROBED = frozenset({CONTAINER, DURATION, VIDEO_CODEC, FRAME_SIZE, FRAME_RATE, PIXEL_FORMAT, ROTATION, AUDIO})


def tag_place(stream_index: int | None) -> str:
    """Where a tag was found: "container", or "stream N"."""
    return CONTAINER if stream_index is None else f"stream {stream_index}"


def tag_field(place: str, key: str) -> str:
    """The table's field for a tag ("container: encoder", "stream 0: handler_name")."""
    return f"{place}: {key}"


@dataclass(frozen=True, slots=True)
class TableRow:
    field: str
    value: str = ""
    note: str = ""  # what the tag is known to mean (a mark's label), or ""


@dataclass(frozen=True, slots=True)
class TagMark:
    """A tag that matched a known mark (a generator's signature, an editor, a transcoder)."""

    mark: str
    tag: str = ""
    value: str = ""  # the first 200 characters
    where: str = ""  # "container" or "stream N"


@dataclass(frozen=True, slots=True)
class AigcLabelRecord:
    """A label as the metadata metrics can store it (all defaults, JSON-safe)."""

    where: str = ""
    status: str = ""
    label: str | None = None
    meaning: str | None = None
    producer: str | None = None
    producer_platform: str | None = None
    propagator: str | None = None
    propagator_platform: str | None = None
    fields: Mapping[str, str] = dataclasses.field(default_factory=dict)
    problems: tuple[str, ...] = ()
    sentence: str = ""


@dataclass(frozen=True, slots=True)
class MetadataMetrics(SignalMetrics):
    table: tuple[TableRow, ...] = ()
    xmp_packets: int = 0  # XMP packets found in the first bytes of the file
    digital_source_types: tuple[str, ...] = ()  # IPTC terms declared in them
    aigc_labels: tuple[str, ...] = ()  # each AIGC label's fields as JSON (1.0: the raw JSON found)
    tag_marks: tuple[TagMark, ...] = ()
    aigc: tuple[AigcLabelRecord, ...] = ()  # since 1.1.0: every AIGC label read, parsed, with its sentence
