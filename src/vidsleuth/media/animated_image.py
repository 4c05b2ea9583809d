"""Animated WebP through Pillow: the one moving-picture format the bundled FFmpeg cannot decode.

ComfyUI workflows for Wan and other open generators save their output as animated WebP by default, so
users bring such files. FFmpeg's WebP decoder reads still pictures only (it reports an animated file as
a 0x0 stream), so the probe and the shared decode read animated WebP with Pillow instead, one frame at a
time with its duration, and hand every frame on as an `av.VideoFrame` so that the rest of the decode
(conversions, sampling, thumbnails) is the same code for every format.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import av
import numpy as np

from vidsleuth.core.media import MediaInfo, SourceInfo, StreamInfo
from vidsleuth.errors import InputError

CONTAINER = "webp (animated, read with Pillow)"
_WEBP_MAGIC = (b"RIFF", b"WEBP")


def is_webp(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
    except OSError:
        return False
    return head[:4] == _WEBP_MAGIC[0] and head[8:12] == _WEBP_MAGIC[1]


def _open(source: SourceInfo) -> Any:
    """The picture, opened lazily (no pixel is decoded yet). Pillow's own decompression-bomb limit is
    lifted for this one call because vidsleuth's limit (`max_pixels`) is checked on the declared size."""
    from PIL import Image, UnidentifiedImageError

    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        return Image.open(source.path)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InputError(f"{source.display}: a WebP file that cannot be read ({exc})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = saved


_MAX_CHUNKS = 200_000  # a WebP with more chunks than this is not a picture anyone made


def _riff_facts(path: str) -> tuple[int, int, list[int]]:
    """Canvas width, height and each frame's duration (ms) from an animated WebP's RIFF chunks (VP8X,
    ANMF), read without decoding a pixel. Raises ValueError on a malformed file."""
    width = height = 0
    durations: list[int] = []
    with open(path, "rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WEBP":
            raise ValueError("not a RIFF WebP file")
        for _ in range(_MAX_CHUNKS):
            chunk = fh.read(8)
            if len(chunk) < 8:
                break
            kind, size = chunk[:4], int.from_bytes(chunk[4:8], "little")
            if kind == b"VP8X":
                data = fh.read(min(size, 10))
                if len(data) < 10:
                    raise ValueError("truncated VP8X chunk")
                width = int.from_bytes(data[4:7], "little") + 1
                height = int.from_bytes(data[7:10], "little") + 1
                fh.seek(size + (size & 1) - len(data), 1)
            elif kind == b"ANMF":
                data = fh.read(min(size, 16))
                if len(data) < 16:
                    raise ValueError("truncated ANMF chunk")
                durations.append(int.from_bytes(data[12:15], "little"))
                fh.seek(size + (size & 1) - len(data), 1)
            else:
                fh.seek(size + (size & 1), 1)
    return width, height, durations


def probe_webp(source: SourceInfo, max_pixels: int) -> MediaInfo:
    """Container facts of an animated WebP, from its chunks; raises InputError for a still, damaged or
    oversized picture."""
    try:
        width, height, durations = _riff_facts(source.path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{source.display}: a WebP file that cannot be read ({exc})") from None
    if len(durations) < 2:
        raise InputError(
            f"{source.display}: a WebP picture without animation frames, which this FFmpeg build cannot "
            "decode either; convert it to PNG to bank it as a still"
        )
    if width * height > max_pixels or width <= 0 or height <= 0:
        raise InputError(
            f"{source.display}: the WebP declares {width}x{height} pixels per frame, outside the limit of "
            f"{max_pixels:,}; refusing to decode it"
        )
    frames = len(durations)
    total_ms = float(sum(d if d > 0 else 100 for d in durations))  # 0 ms frames play at 10 fps
    duration = total_ms / 1000.0
    rate = frames / duration if duration else None
    stream = StreamInfo(
        index=0,
        kind="video",
        codec="webp",
        width=width,
        height=height,
        frame_rate=rate,
        nominal_frame_rate=rate,
        frame_count=frames,
        duration_s=duration,
        pix_fmt="rgba",
    )
    return MediaInfo(container=CONTAINER, duration_s=duration, bit_rate=None, tags={}, streams=(stream,))


@dataclass(frozen=True, slots=True)
class PictureFrame:
    """One frame of an animated picture, as the shared decode consumes it."""

    frame: Any  # av.VideoFrame (rgb24)
    time_s: float


class PictureFrameError(Exception):
    """A frame of the picture could not be decoded; the frames before it stand."""


def webp_frames(source: SourceInfo) -> Iterator[PictureFrame]:
    """The frames of an animated WebP, one at a time, each composited onto the canvas as displayed.

    A damaged frame ends the sequence with `PictureFrameError` (Pillow cannot skip it: each frame is
    drawn over the previous one)."""
    image = _open(source)
    with image:
        t = 0.0
        index = 0
        while True:
            try:
                image.seek(index)
                rgb = np.asarray(image.convert("RGB"))  # decodes this frame (and sets its duration)
            except EOFError:
                return
            except (OSError, ValueError, SyntaxError) as exc:
                raise PictureFrameError(f"frame {index + 1} could not be decoded ({exc})") from None
            yield PictureFrame(av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24"), t)
            t += float(image.info.get("duration", 0) or 0) / 1000.0 or 0.1
            index += 1
