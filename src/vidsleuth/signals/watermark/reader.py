"""Which overlays to read with OCR, and how: the signal's reading policy and its OCR budget.

The finder (`regions`) nominates tracks; OCR is the expensive part (0.1-0.2 s a crop on this machine), so
the policy reads each track once it has been seen in two windows, denser and edge-side tracks first, with
retries where text was read but no mark, and a few extra reads of a handle-bearing mark to vote on the
handle. A new track where the mark was read recently takes that reading without OCR.

Two additions from issue #12:

- **Probes.** A mark over fast, busy content can fail the finder's "static in every frame of the window"
  test in every window, so no track ever qualifies and OCR never runs (0 reads on a clip with the mark
  plainly visible at three places). When nothing has been read by `PROBE_AFTER_S` and the frame is the
  output size of a generator whose mark has catalogued places (a jumping mark's cycle, a fixed mark's
  corner), those places themselves are read (`probe_boxes`), a few times over the video.
- **Counts.** How many candidate regions the finder saw, how many were confirmed (two windows), read,
  and probed, so that a miss is visible in the report rather than silent.
"""

from __future__ import annotations

from dataclasses import dataclass

from vidsleuth.data import generators as catalog
from vidsleuth.signals.watermark import marks as catalogue
from vidsleuth.signals.watermark.regions import Box

# A track is read once it has been seen in this many windows (one-window blobs are mostly content).
CONFIRM_WINDOWS = 2
# Reads per track: one more when the first found no mark; up to MAX_HANDLE_READS for a mark that carries
# a handle (4-px handle text is misread often; votes over several reads fix it). A further read is due
# every READ_EVERY_WINDOWS windows the track lives on.
MAX_RETRY_READS = 2
MAX_HANDLE_READS = 3
READ_EVERY_WINDOWS = 2
# OCR budget: by video time t, at most BASE_READS + READS_PER_S x t reads in all (so that clutter early
# in a video cannot starve its later stretches) and never more than MAX_READS.
BASE_READS = 10
READS_PER_S = 1.5
MAX_READS = 60
RESERVE_READS = 4
# Tracks whose centre lies within EDGE_SHARE of the frame width from the left or right edge are read
# before others of similar density (marks sit in corners or, Sora's, near the sides).
EDGE_SHARE = 0.3
EDGE_BONUS = 0.2
# A new track at a place where the mark was read less than REREAD_AFTER_S ago takes that reading (and a
# thumbnail) without OCR. Extra reads for the handle stop once HANDLE_VOTES reads have voted on it, or
# once HANDLE_MISSES reads of the mark found no handle at all (older Sora marks carry none).
REREAD_AFTER_S = 30.0
HANDLE_VOTES = 6
HANDLE_MISSES = 6
# Tracks less dense than this are not worth a read (clutter: 0.1-0.15; marks: 0.15-0.45).
READ_MIN_DENSITY = 0.15
# Probes: when no mark has been read this far into the video, read the catalogued places of a mark whose
# generator makes this frame size; again every PROBE_EVERY_S, at most PROBE_ROUNDS times.
PROBE_AFTER_S = 2.0
PROBE_EVERY_S = 2.4
PROBE_ROUNDS = 3
# A probe reads the band where a place lies: these shares of the frame's width and height, from the edge
# (the mark's size and margin vary between versions and handles).
PROBE_BAND = (0.55, 0.16)
# Frame sizes of cameras and screens: a jumping-mark generator that also makes one of these sizes is no
# reason to probe (a 1280x720 screen recording is not a Sora clip until a mark is read).
CAMERA_SIZES = {(1280, 720), (1920, 1080), (3840, 2160), (640, 360), (854, 480), (640, 480), (1080, 1080)}


@dataclass(slots=True)
class Counts:
    """What the finder saw and OCR read, for the report (a miss must be visible, not silent)."""

    candidates: int = 0  # candidate regions over all windows
    tracks: int = 0  # distinct places those candidates formed
    confirmed: int = 0  # tracks seen in CONFIRM_WINDOWS windows or more (eligible for a read)
    read: int = 0  # tracks OCR read (or that took a reading at a known place)
    probes: int = 0  # reads of catalogued places made because nothing had been read


def probed_marks_for(size: tuple[int, int]) -> list[catalogue.Mark]:
    """Marks with catalogued places (a jumping mark's cycle, a fixed mark's corners) whose generator makes
    frames of `size`, camera sizes excepted."""
    if size in CAMERA_SIZES or (size[1], size[0]) in CAMERA_SIZES:
        return []
    out = []
    for m in catalogue.marks():
        if not (m.places or m.corners) or not m.catalog_key:
            continue
        try:
            g = catalog.get(m.catalog_key)
        except KeyError:
            continue
        if g.matches_size(*size):
            out.append(m)
    return out


def probe_boxes(mark: catalogue.Mark, size: tuple[int, int]) -> list[Box]:
    """Source-pixel bands to read where the mark's catalogued places lie in a frame of `size`: the half of
    the width on the place's side, and PROBE_BAND[1] of the height from the top or bottom edge, or around
    the middle."""
    w, h = size
    bw, bh = round(PROBE_BAND[0] * w), round(PROBE_BAND[1] * h)
    out: list[Box] = []
    spots = [s for cycle in mark.places for s in cycle] or list(mark.corners)
    for spot in dict.fromkeys(spots):
        row, side = spot.split("_")
        x = 0 if side == "left" else w - bw
        y = 0 if row == "top" else h - bh if row == "bottom" else (h - bh) // 2
        out.append((x, y, bw, bh))
    return out
