"""Variant hashes: the same frame hashed through a few crops, so that re-uploads that crop or caption a
video still match.

PDQ hashes the whole frame, so any change of framing moves the hash far: keeping the central 90 % of a
frame moves it by about 80 of 256 bits, a caption bar along the bottom by about 40 (measured on generated
frames, docs/bank.md). Each variant below is one more PDQ hash of one crop of the frame; two frames
match when any variant of one is within distance 31 of any variant of the other.

====  =====================================================  =====================================
  #   what is hashed                                          which side
====  =====================================================  =====================================
  0   the frame as decoded (exactly vPDQ's hash)              every sampled frame
  1   the picture inside letterbox or pillarbox bars          when the frame has bars
  2   central 90 % of the picture (a zoomed re-upload)        banked items, CROP_FPS
 3-6  a 90 % corner crop (top left, top right, bottom left,   banked items, CROP_FPS
      bottom right: one side or corner cropped away)
  7   the top 85 % of the frame (a caption bar at the bottom) banked items and queries, CROP_FPS
  8   the bottom 85 % of the frame (a title bar at the top)   banked items and queries, CROP_FPS
====  =====================================================  =====================================

Crops 2-6 are only needed on the side that was not cropped (the bank holds the original); 7 and 8 on
both sides (the caption covers the query, the original is clean). Exported vPDQ files carry variant 0
only, so they stay what Meta's tools expect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt

from vidsleuth.fingerprint.borders import content_box

Pixels = npt.NDArray[np.uint8]
Role = Literal["bank", "query", "plain"]
FULL, NO_BARS = 0, 1
CENTRE, TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT, TOP, BOTTOM = 2, 3, 4, 5, 6, 7, 8
MAX_VARIANT = 8
CROP_KEEP = 0.9  # share of width and height kept by crops 2-6
CAPTION_KEEP = 0.85  # share of height kept by crops 7-8
CROP_FPS = 2.5  # crops are hashed on at most this many frames per second (PDQ costs ~2 ms a hash)

_Crop = Callable[[int, int], tuple[int, int, int, int]]  # (height, width) -> (top, bottom, left, right)


def _corner(row: str, col: str) -> _Crop:
    def box(h: int, w: int) -> tuple[int, int, int, int]:
        ch, cw = round(h * CROP_KEEP), round(w * CROP_KEEP)
        top = 0 if row == "top" else h - ch
        left = 0 if col == "left" else w - cw
        return top, top + ch, left, left + cw

    return box


def _centre(h: int, w: int) -> tuple[int, int, int, int]:
    ch, cw = round(h * CROP_KEEP), round(w * CROP_KEEP)
    return (h - ch) // 2, (h - ch) // 2 + ch, (w - cw) // 2, (w - cw) // 2 + cw


CROPS: dict[int, _Crop] = {
    CENTRE: _centre,
    TOP_LEFT: _corner("top", "left"),
    TOP_RIGHT: _corner("top", "right"),
    BOTTOM_LEFT: _corner("bottom", "left"),
    BOTTOM_RIGHT: _corner("bottom", "right"),
    TOP: lambda h, w: (0, round(h * CAPTION_KEEP), 0, w),
    BOTTOM: lambda h, w: (h - round(h * CAPTION_KEEP), h, 0, w),
}
ROLE_CROPS: dict[Role, tuple[int, ...]] = {
    "bank": (CENTRE, TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT, TOP, BOTTOM),
    "query": (TOP, BOTTOM),
    "plain": (),
}


def variant_images(pixels: Pixels, role: Role, with_crops: bool) -> list[tuple[int, Pixels]]:
    """The (variant number, image) pairs to hash for one frame. Variant 0 always comes first."""
    out: list[tuple[int, Pixels]] = [(FULL, pixels)]
    picture = pixels
    box = content_box(pixels)
    if box is not None:
        top, bottom, left, right = box
        picture = np.ascontiguousarray(pixels[top:bottom, left:right])
        out.append((NO_BARS, picture))
    if with_crops:
        for number in ROLE_CROPS[role]:
            # Captions sit on the frame as shown, bars included; zoom crops cut into the picture.
            base = pixels if number in (TOP, BOTTOM) else picture
            top, bottom, left, right = CROPS[number](*base.shape[:2])
            out.append((number, np.ascontiguousarray(base[top:bottom, left:right])))
    return out
