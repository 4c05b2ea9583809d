"""What the metadata check read: a table of the facts and tags it looked at (with a note where a tag is
a known mark), the embedded labels it found in the file's bytes, and the tags that matched a known mark.

The JSON keys are the ones the signal has always written (docs/signals/metadata.md). The table's field
names are defined here once: the signal writes them and the report section reads them, to show each
probed fact and tag once, with the check's note beside it.
"""

from __future__ import annotations

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
class MetadataMetrics(SignalMetrics):
    table: tuple[TableRow, ...] = ()
    xmp_packets: int = 0  # XMP packets found in the first bytes of the file
    digital_source_types: tuple[str, ...] = ()  # IPTC terms declared in them
    aigc_labels: tuple[str, ...] = ()  # raw AIGC label JSON found in the bytes
    tag_marks: tuple[TagMark, ...] = ()
