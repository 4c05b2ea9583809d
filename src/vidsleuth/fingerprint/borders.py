"""Letterbox and pillarbox bars: find them so that a frame can also be hashed without them.

Re-uploads often gain bars (a portrait video placed in a landscape frame, a 4:3 clip in 16:9). PDQ sees
the whole frame, so the bars shift every gradient and the hash moves far away. When a frame has uniform
bars on its edges, vidsleuth hashes it twice: as it is (what Meta's vPDQ hashes, so exported hashes stay
comparable) and with the bars cut off (variant 1), which matches the unbarred original.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

# A bar line is nearly uniform (standard deviation of luma at most LINE_STD) ...
LINE_STD = 6.0
# ... and close in mean luma to the outermost line (within MEAN_DRIFT levels).
MEAN_DRIFT = 10.0
# Bars must cover at least this share of the frame's width or height to be worth a second hash,
MIN_BAR_SHARE = 0.03
# and the picture left between them at least this share (else the frame is mostly flat: a title card).
MIN_CONTENT_SHARE = 0.4


def _edge_run(means: npt.NDArray[np.float64], stds: npt.NDArray[np.float64]) -> int:
    """How many lines from the start of the arrays look like one uniform bar."""
    uniform = (stds <= LINE_STD) & (np.abs(means - means[0]) <= MEAN_DRIFT)
    if not uniform[0]:
        return 0
    breaks = np.nonzero(~uniform)[0]
    return int(breaks[0]) if breaks.size else int(uniform.size)


def _refine(green: npt.NDArray[np.uint8], grid_run: int, axis: int, from_end: bool) -> int:
    """The bar's width in frame lines, given its width in grid lines (every other line)."""
    if grid_run == 0:
        return 0
    size = green.shape[axis]
    position = max(0, 2 * grid_run - 2)

    def line(k: int) -> npt.NDArray[np.float32]:
        index = size - 1 - k if from_end else k
        taken = green[index, :] if axis == 0 else green[:, index]
        return taken.astype(np.float32)

    reference = float(line(0).mean())
    while position < min(size, 2 * grid_run + 2):
        values = line(position)
        if float(values.std()) > LINE_STD or abs(float(values.mean()) - reference) > MEAN_DRIFT:
            break
        position += 1
    return position


def content_box(pixels: npt.NDArray[np.uint8]) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) of the picture inside uniform bars, or None when there are none."""
    h, w = pixels.shape[:2]
    if h < 16 or w < 16:
        return None
    # Every other pixel of the green channel is luma enough to find flat bars, at an eighth of the cost.
    grid = (pixels[::2, ::2, 1] if pixels.ndim == 3 else pixels[::2, ::2]).astype(np.float32)
    row_mean, row_std = grid.mean(axis=1, dtype=np.float64), grid.std(axis=1, dtype=np.float64)
    col_mean, col_std = grid.mean(axis=0, dtype=np.float64), grid.std(axis=0, dtype=np.float64)
    # Lines of the grid stand for two lines of the frame: refine each edge at full resolution.
    green = pixels[:, :, 1] if pixels.ndim == 3 else pixels
    top = _refine(green, _edge_run(row_mean, row_std), axis=0, from_end=False)
    bottom = _refine(green, _edge_run(row_mean[::-1], row_std[::-1]), axis=0, from_end=True)
    left = _refine(green, _edge_run(col_mean, col_std), axis=1, from_end=False)
    right = _refine(green, _edge_run(col_mean[::-1], col_std[::-1]), axis=1, from_end=True)
    rows = (top + bottom) / h >= MIN_BAR_SHARE
    cols = (left + right) / w >= MIN_BAR_SHARE
    if not (rows or cols):
        return None
    if not rows:
        top = bottom = 0
    if not cols:
        left = right = 0
    if (h - top - bottom) < MIN_CONTENT_SHARE * h or (w - left - right) < MIN_CONTENT_SHARE * w:
        return None
    return top, h - bottom, left, w - right
