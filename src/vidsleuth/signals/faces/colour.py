"""Colour crops of the current frame, for the few measurements that need colour.

The shared decode hands this signal grey frames (every frame: landmark jitter needs consecutive ones, and
grey costs less than half of RGB to convert; docs/signals/faces.md, "Cost"). The identity descriptor and
the boundary's colour statistics need RGB, about once a second per face: they take it through the frame's
thumbnail path (`FrameSample.thumbnail` with a box), which converts that one frame to RGB and crops it.
That path returns a JPEG (quality 80): fine for a face descriptor and for region mean colours, which is all
it is used for (noise and sharpness are measured on the grey frame). A way for a signal to ask the decode
for one frame in another format would make this module unnecessary.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Callable

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from vidsleuth.core.result import Thumbnail
from vidsleuth.signals.faces.tracking import Box

RGB = npt.NDArray[np.uint8]
Region = tuple[RGB, int, int]  # an RGB crop and its top-left corner in the analysed frame's pixels
MAX_SIDE = 1024
Crop = Callable[[Box], "Region | None"]


def crop_from(thumbnail: Callable[[str, int, tuple[int, int, int, int]], Thumbnail], scale: float) -> Crop:
    """A function giving the RGB crop of `box` (analysed-frame pixels) of one frame, through `thumbnail`
    (which takes boxes in the decode's frame pixels: `scale` times the analysed ones)."""

    def crop(box: Box) -> Region | None:
        x0, y0, x1, y1 = (round(v) for v in box)
        w, h = x1 - x0, y1 - y0
        if w < 4 or h < 4:
            return None
        source = (round(x0 * scale), round(y0 * scale), max(1, round(w * scale)), max(1, round(h * scale)))
        image = decode(thumbnail("colour", min(MAX_SIDE, max(source[2], source[3])), source))
        if image is None:
            return None
        if image.shape[:2] != (h, w):
            image = np.asarray(cv2.resize(image, (w, h), interpolation=cv2.INTER_LINEAR), np.uint8)
        return np.ascontiguousarray(image), x0, y0

    return crop


def decode(t: Thumbnail) -> RGB | None:
    try:
        with Image.open(io.BytesIO(base64.b64decode(t.jpeg_base64))) as im:
            return np.asarray(im.convert("RGB"), dtype=np.uint8)
    except (OSError, ValueError, binascii.Error):
        return None
