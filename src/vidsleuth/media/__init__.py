"""The media layer: open a file once, probe it, and decode it once for every frame signal.

Only this package imports PyAV. Signals receive plain numpy arrays through `FrameSample`.
"""

from __future__ import annotations

import os

from vidsleuth.core.media import OpenedMedia
from vidsleuth.media.decode import FrameConsumer, decode_shared
from vidsleuth.media.probe import probe
from vidsleuth.media.source import hash_file, open_source, safe_display_name, spooled_bytes


def open_media(
    path: str | os.PathLike[str],
    display_name: str | None = None,
    *,
    max_pixels: int,
    sha256: str | None = None,
) -> OpenedMedia:
    """Check, hash (unless `sha256` is given) and probe a file; raises InputError when it is no video."""
    source = open_source(path, display_name, sha256=sha256)
    return OpenedMedia(source, probe(source, max_pixels))


__all__ = [
    "FrameConsumer",
    "OpenedMedia",
    "decode_shared",
    "hash_file",
    "open_media",
    "open_source",
    "probe",
    "safe_display_name",
    "spooled_bytes",
]
