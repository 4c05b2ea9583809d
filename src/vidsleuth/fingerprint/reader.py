"""Read frames for fingerprinting outside an analysis: still images through Pillow, videos through the
media layer's shared decode (so `bank add` and `keyframes` see exactly the frames `check` sees).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from vidsleuth.core.signal import FrameSample, PixelFormat, Sampling
from vidsleuth.errors import InputError
from vidsleuth.media import FrameConsumer, decode_shared, open_source, probe

StillPixels = npt.NDArray[np.uint8]


def read_still(
    path: str | os.PathLike[str],
    *,
    max_pixels: int,
    max_side: int | None = None,
    display_name: str | None = None,
) -> StillPixels | None:
    """RGB pixels of a single-frame still image (EXIF orientation applied, reduced so that its longer
    side is at most `max_side`), or None for anything else.

    Animated images (GIF, APNG, WebP) return None: they are read as videos."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    source = open_source(path, display_name)  # missing, empty, directory: one-line InputError
    try:
        with Image.open(source.path) as image:
            if getattr(image, "n_frames", 1) != 1:
                return None
            width, height = image.size
            if width * height > max_pixels:
                raise InputError(
                    f"{source.name}: image of {width}x{height} pixels exceeds the limit of "
                    f"{max_pixels} pixels"
                )
            image.load()
            oriented = (ImageOps.exif_transpose(image) or image).convert("RGB")
            if max_side is not None and max(oriented.size) > max_side:
                scale = max_side / max(oriented.size)
                size = (max(1, round(oriented.width * scale)), max(1, round(oriented.height * scale)))
                oriented = oriented.resize(size, Image.Resampling.BILINEAR)
            rgb: StillPixels = np.asarray(oriented, dtype=np.uint8)
            return rgb
    except (UnidentifiedImageError, Image.DecompressionBombError):
        return None
    except OSError as exc:
        raise InputError(f"{source.name}: image could not be read ({exc})") from None


def decode_sampled(
    path: str | os.PathLike[str],
    on_frame: Callable[[FrameSample], object],
    *,
    sample_fps: float | None,
    max_side: int | None,
    max_pixels: int,
    pixel_format: PixelFormat = "rgb24",
    display_name: str | None = None,
) -> float | None:
    """Decode a video once at `sample_fps`, handing each sampled frame to `on_frame`.

    Returns the video's duration in seconds (None when unknown). Raises InputError for unreadable input
    and re-raises whatever `on_frame` raised."""
    source = open_source(path, display_name)
    media = probe(source, max_pixels)
    failure: list[BaseException] = []

    def handle(sample: FrameSample) -> None:
        if sample.pixels is not None:
            on_frame(sample)

    consumer = FrameConsumer(
        "fingerprint",
        Sampling(fps=sample_fps, max_side=max_side, pixel_format=pixel_format),
        handle,
        failure.append,
    )
    stats = decode_shared(source, media, [consumer])
    if failure:
        raise failure[0]
    if stats.last_time_s is not None:
        return stats.last_time_s + (stats.frame_interval_median_s or 0.0)
    return media.duration_s
