"""The PDQ adapter: the one module that imports `pdqhash` (Meta's PDQ, through its Python bindings).

PDQ turns an image into 256 bits and a quality score (0-100, how much gradient the image has; flat or
dark frames score low and match everything, so matching ignores them). PDQ reduces any input to 64x64
luma internally, so frames may be handed over at a modest size without changing the hash much.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from vidsleuth.errors import SignalUnavailableError

PACKAGE = "pdqhash>=0.2.8"  # a dependency of vidsleuth; missing only from broken installs
# PDQ needs a few pixels on each side to compute gradients (Meta's vPDQ refuses frames under 5 pixels).
MIN_SIDE = 5
_ZERO = bytes(32)


def available() -> tuple[bool, str]:
    """Whether PDQ can run here, and if not, why (naming the pip package)."""
    try:
        _module()
    except SignalUnavailableError as exc:
        return False, str(exc)
    return True, ""


def _module() -> Any:
    try:
        import pdqhash
    except ImportError:
        raise SignalUnavailableError(
            f"PDQ hashing needs the pdqhash package: pip install '{PACKAGE}'"
        ) from None
    return pdqhash


def hash_pixels(pixels: npt.NDArray[np.uint8]) -> tuple[bytes, int]:
    """PDQ hash (32 bytes, Meta's bit order) and quality of an RGB (H x W x 3) or grey (H x W) image."""
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    if pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ValueError(f"expected an H x W x 3 image, got shape {pixels.shape}")
    if pixels.shape[2] == 4:
        pixels = pixels[:, :, :3]
    if pixels.shape[0] < MIN_SIDE or pixels.shape[1] < MIN_SIDE:
        return _ZERO, 0
    vector, quality = _module().compute(np.ascontiguousarray(pixels, dtype=np.uint8))
    bits = np.asarray(vector, dtype=np.uint8)
    return np.packbits(bits).tobytes(), int(quality)
