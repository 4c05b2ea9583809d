"""The media layer: open a file once, probe it, and decode it once for every frame signal.

Only this package imports PyAV. Signals receive plain numpy arrays through `FrameSample`.
"""

from vidsleuth.media.decode import FrameConsumer, decode_shared
from vidsleuth.media.probe import probe
from vidsleuth.media.source import hash_file, open_source, safe_display_name, spooled_bytes

__all__ = [
    "FrameConsumer",
    "decode_shared",
    "hash_file",
    "open_source",
    "probe",
    "safe_display_name",
    "spooled_bytes",
]
