"""Circular badges: labels whose text runs around a circle, read along it.

OCR reads straight lines; a round badge such as Meta's "IMAGINED WITH AI" (its text curved round the rim)
gives it letters at every angle and no line, so the badge was never found (issue #12). When a read of an
overlay finds no catalogued text, this module looks for a circle in the crop (a Hough transform on the
crop's edges), unwraps the ring where the text runs into a straight strip (`cv2.warpPolar`: angle along
the strip, radius across), and reads the strip, turned both ways (text read from outside or from inside
the circle) and doubled so that words crossing the strip's seam are whole once. The joined text of a strip
is matched against the catalogue like any line.

Cost: two extra OCR reads, made only for roundish overlays (`ROUNDISH`) where a circle is found and no
mark was read. Limits: letters below about 8 pixels (a badge under ~70 px across) are not read.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from vidsleuth.signals.watermark.marks import match_text
from vidsleuth.signals.watermark.ocr import OcrEngine, OcrLine
from vidsleuth.signals.watermark.reading import Reading

# Overlays whose box has an aspect (w / h) in this range may be round badges; others are not looked at.
ROUNDISH = (0.7, 1.45)
# Circles searched: radius as shares of the crop's shorter side.
RADIUS_SHARE = (0.2, 0.55)
# The text ring: from this share of the radius to the rim.
RING = (0.55, 0.97)
# The unwrapped strip: pixels along the circle per pixel of radius (2 pi), and across the ring.
STRIP_HEIGHT = 48
# The text arc is read in pieces of about this many strip heights (the detector's input is small).
PIECE_HEIGHTS = 16
# Circles smaller than this (pixels) are enlarged to it before they are unwrapped.
UNWRAP_MIN_RADIUS = 80
# A circle needs at least this radius in pixels to carry readable text.
MIN_RADIUS_PX = 12


def find_circle(image: np.ndarray[Any, Any]) -> tuple[float, float, float] | None:
    """The most salient circle (x, y, r) in a gray crop, or None."""
    h, w = image.shape[:2]
    short = min(h, w)
    lo, hi = max(MIN_RADIUS_PX, round(RADIUS_SHARE[0] * short)), round(RADIUS_SHARE[1] * short)
    if hi <= lo:
        return None
    blurred = cv2.GaussianBlur(image, (5, 5), 1.2)
    circles = cv2.HoughCircles(
        blurred, cv2.HOUGH_GRADIENT, dp=1.2, minDist=short, param1=120, param2=28, minRadius=lo, maxRadius=hi
    )
    if circles is None or len(circles[0]) == 0:
        return None
    x, y, r = (float(v) for v in circles[0][0])
    return x, y, r


def unwrap(image: np.ndarray[Any, Any], circle: tuple[float, float, float]) -> list[np.ndarray[Any, Any]]:
    """The ring of `circle` as straight strips, read from outside and from inside, each doubled."""
    x, y, r = circle
    if r < UNWRAP_MIN_RADIUS:  # small badges: unwrap an enlarged copy (less blur from resampling)
        k = UNWRAP_MIN_RADIUS / r
        image = cv2.resize(image, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC)
        x, y, r = x * k, y * k, r * k
    length = max(64, round(2 * np.pi * r))
    # WARP_FILL_OUTLIERS: where the ring leaves the crop, the strip is black. Without it OpenCV leaves
    # those pixels unwritten (whatever the memory held), and the same video read differently run to run.
    polar = cv2.warpPolar(
        image,
        (round(r * RING[1]), length),
        (x, y),
        r * RING[1],
        cv2.WARP_POLAR_LINEAR | cv2.WARP_FILL_OUTLIERS,
    )
    ring = polar[:, round(r * RING[0]) :]  # rows: angle (clockwise from +x), columns: radius
    ring = np.ascontiguousarray(np.concatenate([ring, ring], axis=0))
    # Letters upright towards the rim: turn so that the rim is up and the angle runs left to right.
    outside = cv2.rotate(ring, cv2.ROTATE_90_COUNTERCLOCKWISE)
    inside = cv2.rotate(ring, cv2.ROTATE_90_CLOCKWISE)
    out = []
    for strip in (_text_rows(outside), _text_rows(inside)):
        scale = STRIP_HEIGHT / max(1, strip.shape[0])
        size = (max(1, round(strip.shape[1] * scale)), STRIP_HEIGHT)
        out.append(np.asarray(cv2.resize(strip, size, interpolation=cv2.INTER_CUBIC), dtype=np.uint8))
    return out


def _text_rows(strip: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The rows of a strip where the text is: rows whose edges vary along the strip (letters) at least a
    third as much as the busiest row's, padded. A rim line is an edge all along, so it varies little."""
    g = cv2.morphologyEx(strip, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)).astype(np.float32)
    profile = g.std(axis=1)
    rows = np.nonzero(profile >= profile.max() / 3)[0] if profile.max() > 0 else np.array([], int)
    if len(rows) == 0:
        return strip
    pad = max(2, (rows[-1] - rows[0]) // 4)
    return strip[max(0, rows[0] - pad) : rows[-1] + pad + 1]


def _text_arc(strip: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """From a doubled strip, one turn starting and ending in the widest gap between letters: the text
    arc in one piece, however the circle's seam fell."""
    period = strip.shape[1] // 2
    g = cv2.morphologyEx(strip, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)).astype(np.float32)
    energy = g.mean(axis=0)[:period]
    k = max(3, strip.shape[0] // 2)
    smooth = np.convolve(np.concatenate([energy, energy]), np.ones(k) / k, mode="same")[:period]
    empty = smooth < max(1.0, 0.25 * float(smooth.max()))
    best_len, best_end, run = 0, 0, 0
    for i, e in enumerate(np.concatenate([empty, empty])):
        run = run + 1 if e else 0
        if run > best_len and run <= period:
            best_len, best_end = run, i
    if best_len == 0:
        return strip[:, :period]
    start = (best_end + 1) % period
    length = period - best_len
    return strip[:, start : start + max(1, length)]


def _read_strip(engine: OcrEngine, strip: np.ndarray[Any, Any]) -> list[OcrLine]:
    """OCR of the text arc, in pieces short enough for the detector to see the letters (about
    PIECE_HEIGHTS strip heights long, overlapping by a third)."""
    arc = _text_arc(strip)
    w = arc.shape[1]
    piece = max(1, PIECE_HEIGHTS * arc.shape[0])
    if w <= piece:
        return engine.read(arc)
    lines: list[OcrLine] = []
    step = max(1, 2 * piece // 3)
    for x0 in range(0, w - piece // 3, step):
        part = arc[:, x0 : x0 + piece]
        lines.extend(
            OcrLine(ln.text, ln.confidence, (ln.box[0] + x0, *ln.box[1:])) for ln in engine.read(part)
        )
    return lines


def read_badge(engine: OcrEngine, image: np.ndarray[Any, Any], reading: Reading) -> Reading:
    """`reading` of a crop, or a better one when a circular badge in it carries a catalogued text."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    circle = find_circle(gray)
    if circle is None:
        return reading
    for strip in unwrap(gray, circle):
        lines = _read_strip(engine, strip)
        if not lines:
            continue
        conf = float(np.mean([ln.confidence for ln in lines]))
        found = _match_in(lines)
        if found is None:
            continue
        mark, text = found
        x, y, r = circle
        box = (max(0, round(x - r)), max(0, round(y - r)), round(2 * r), round(2 * r))
        return Reading(
            mark=mark,
            text=text,
            confidence=conf,
            handle=None,
            handle_text=None,
            handle_confidence=0.0,
            lines=(*reading.lines, *((ln.text, round(ln.confidence, 3)) for ln in lines)),
            mark_box=box,
        )
    return reading


def _match_in(lines: list[OcrLine]) -> tuple[Any, str] | None:
    """The catalogued mark the arc's text names: its lines joined in order (OCR splits a curved text into
    words), else any one line; matched like a straight line (`marks.match_text`, fuzzy for long texts)."""
    ordered = sorted(lines, key=lambda ln: ln.box[0])
    for candidate in [" ".join(ln.text for ln in ordered), *(ln.text for ln in ordered)]:
        found = match_text(candidate)
        if found is not None:
            return found.mark, candidate
    return None
