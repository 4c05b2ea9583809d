"""Where the mark is, frame by frame, at full resolution: its places, and a presence timeline.

The overlay finder (`regions`) only nominates places to read, and its boxes are blobs of static edges: a
mark next to a static lamp or a channel logo comes out as one merged blob (issue #12), and a mark over
fast, busy content is not found in every window. Once OCR has read the mark, its *text* says where the
mark is: the name line and the handle line under it (`Reading.text_box`). Those boxes are the mark's
places, and the read crops give templates of the mark as it looks in this video.

`timeline` then looks at every kept frame (`store`, full resolution within a memory budget) at every place
and asks: is the mark here? It matches the templates (morphological gradient, normalised cross-
correlation, a few pixels of slack because the logo breathes) around the place. A jumping mark's
places that this video never showed it at are inferred from the catalogue's pattern of places (the Sora
mark cycles through a top corner, the middle of the other side and the bottom corner of the first side)
and checked with the name template, which is the same in every layout. The result gives the mark's true
stays (for the genuine-motion check) and the stretches where it is absent from all of its places while the
picture would show it (for the removal hint).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from vidsleuth.signals.watermark.marks import Mark
from vidsleuth.signals.watermark.regions import Box, Gray, same_place
from vidsleuth.signals.watermark.store import FrameStore, Stored

# A template match at or above this normalised correlation (of morphological gradients) means the mark is
# there. Chosen on 24 composites of the genuine moving Sora mark over real footage (360p-720p, portrait and
# landscape, CRF 35; scratch script in docs/signals/watermark.md), not on the corpus Sora files the hints
# are measured on: at the places the mark was read, present frames scored >= 0.75 and absent ones <= 0.48.
PRESENT_MIN = 0.6
# At an inferred place (only the catalogue's pattern says the mark goes there) the match is weaker and
# chance matches come higher (present frames down to 0.41 where the mark was visible, absent ones up to
# 0.56 on those composites): the mark counts as absent there only below this, with a margin.
INFERRED_ABSENT_MAX = 0.35
# Slack around a place, as a share of its text block's height (OCR boxes vary by a few pixels from read
# to read) and at least SLACK_MIN_PX source pixels. Around an inferred place on a side of the picture the
# mark was not seen on: a block's width sideways (the logo sits outside the text in newer Sora marks and
# on its left in older ones, so where the text lies on the other side is not known); up and down,
# INFERRED_SLACK_Y of the picture's height (its margin mirrors the other corner's), or
# UNKNOWN_MARGIN_SLACK when only a middle place was seen.
SLACK_SHARE = 0.3
SLACK_MIN_PX = 4
INFERRED_SLACK_Y = 0.015
UNKNOWN_MARGIN_SLACK = 0.05
# The picture at a place would show a white mark when its mean is below this (gray levels).
VISIBLE_BELOW = 200
# Templates smaller than this (store pixels, w x h) cannot be matched reliably.
MIN_TEMPLATE = (8, 4)
# Where a place is in the picture: the top and bottom thirds, left and right halves.
THIRDS = (1 / 3, 2 / 3)
# Columns and rows darker than this on average are letterbox/pillarbox bars, not picture.
BAR_LEVEL = 16

Picture = tuple[int, int, int, int]  # x0, y0, x1, y1 in source pixels


@dataclass(slots=True)
class Template:
    image: Gray  # gray, source resolution
    block: bool  # the whole text block (layout-specific) or the name line only (any layout)


@dataclass(slots=True)
class Place:
    box: Box  # the mark's text block, source pixels
    name_box: Box  # its name line, source pixels
    spot: str  # "top_left", "middle_right", ...
    inferred: bool = False
    templates: list[Template] = field(default_factory=list)
    slack: tuple[int, int] | None = None  # search slack (x, y), source pixels; None: from the box


@dataclass(frozen=True, slots=True)
class MarkRead:
    """One OCR read that matched the mark: when, the read image and where its lines lie in the source."""

    time_s: float
    image: Gray  # the gray image OCR read (source resolution)
    origin: tuple[int, int]  # its top-left corner in source pixels
    name_box: Box  # in the image's pixels
    block_box: Box  # name and handle lines, in the image's pixels
    confidence: float

    def source(self, box: Box) -> Box:
        return box[0] + self.origin[0], box[1] + self.origin[1], box[2], box[3]


@dataclass(slots=True)
class Timeline:
    places: list[Place]
    times: list[float]
    present: npt.NDArray[np.bool_]  # frames x places
    visible: npt.NDArray[np.bool_]  # frames x places: a white mark would show there
    scores: npt.NDArray[np.float32]

    def runs(self, index: int) -> list[tuple[float, float]]:
        """Stretches (first, last frame time) the mark was present at place `index`."""
        return _runs(self.times, self.present[:, index])

    def absent_everywhere(self) -> list[tuple[float, float]]:
        """Stretches where the mark is surely at none of its places although each would show it: below
        PRESENT_MIN at the places it was read at, below INFERRED_ABSENT_MAX at inferred ones."""
        if not self.places:
            return []
        limits = np.array(
            [INFERRED_ABSENT_MAX if p.inferred else PRESENT_MIN for p in self.places], np.float32
        )
        absent = np.asarray((self.scores < limits).all(axis=1) & self.visible.all(axis=1), dtype=np.bool_)
        return _runs(self.times, absent)


def _runs(times: list[float], flags: npt.NDArray[np.bool_]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    start: float | None = None
    last = 0.0
    for t, f in zip(times, flags, strict=True):
        if f and start is None:
            start = t
        elif not f and start is not None:
            out.append((start, last))
            start = None
        last = t
    if start is not None:
        out.append((start, last))
    return out


def picture_box(frames: list[Gray], source_size: tuple[int, int]) -> Picture:
    """The picture inside black bars, in source pixels (the whole frame when there are none). A column or
    row is a bar only when it is dark in every frame, so that dark scenes do not shrink the picture."""
    sw, sh = source_size
    if not frames:
        return 0, 0, sw, sh
    h, w = frames[0].shape
    col_max = np.zeros(w, np.float32)
    row_max = np.zeros(h, np.float32)
    for f in frames:
        if f.shape != (h, w):
            continue
        col_max = np.maximum(col_max, f.mean(axis=0, dtype=np.float32))
        row_max = np.maximum(row_max, f.mean(axis=1, dtype=np.float32))
    cols = np.nonzero(col_max > BAR_LEVEL)[0]
    rows = np.nonzero(row_max > BAR_LEVEL)[0]
    if len(cols) == 0 or len(rows) == 0:
        return 0, 0, sw, sh
    return (
        round(cols[0] * sw / w),
        round(rows[0] * sh / h),
        round((cols[-1] + 1) * sw / w),
        round((rows[-1] + 1) * sh / h),
    )


def spot_of(box: Box, picture: Picture) -> str:
    x0, y0, x1, y1 = picture
    cx = (box[0] + box[2] / 2 - x0) / max(1, x1 - x0)
    cy = (box[1] + box[3] / 2 - y0) / max(1, y1 - y0)
    row = "top" if cy < THIRDS[0] else "bottom" if cy > THIRDS[1] else "middle"
    return f"{row}_{'left' if cx < 0.5 else 'right'}"


def places_from_reads(reads: list[MarkRead], picture: Picture) -> list[Place]:
    """The mark's places in this video (one per distinct text-block position), each matched with the text
    block of its clearest read and of the clearest reads at the other places on its side of the picture
    (the mark's layout mirrors between the left and right sides: logo outside, text inside)."""
    places: list[Place] = []
    own: list[Template] = []
    for r in sorted(reads, key=lambda r: r.confidence, reverse=True):
        box, name = r.source(r.block_box), r.source(r.name_box)
        if any(same_place(p.box, box) for p in places):
            continue
        places.append(Place(box, name, spot_of(box, picture)))
        own.append(_template(r.image, r.block_box, block=True) or Template(np.zeros((1, 1), np.uint8), True))
        name_tpl = _template(r.image, r.name_box, block=False)
        if name_tpl is not None:
            places[-1].templates.append(name_tpl)  # kept last: used for inferred places of the other side
    for p, t in zip(places, own, strict=True):
        side = [o for q, o in zip(places, own, strict=True) if q.spot.endswith(p.spot.split("_")[1])]
        p.templates = [t, *(o for o in side if o is not t), *p.templates]
    return places


def _template(image: Gray, box: Box, *, block: bool) -> Template | None:
    x, y, w, h = box
    img = image[max(0, y) : y + h, max(0, x) : x + w]
    if img.shape[0] < MIN_TEMPLATE[1] or img.shape[1] < MIN_TEMPLATE[0]:
        return None
    return Template(np.ascontiguousarray(img), block)


def infer_places(mark: Mark, places: list[Place], picture: Picture) -> list[Place] | None:
    """The places of the mark's catalogued pattern it was not seen at in this video, where the pattern
    puts them; None when the observed places fit no catalogued pattern (the mark's places are unknown).
    A mark without a pattern (a fixed mark) has no others."""
    if mark.motion != "jumps":
        return []  # a fixed mark's one place is where it was read
    if not mark.places or not places:
        return None  # a jumping mark without a catalogued cycle: its other places are unknown
    seen = {p.spot for p in places}
    pattern = next((pat for pat in mark.places if seen <= set(pat)), None)
    if pattern is None:
        return None
    ws = sorted(p.box[2] for p in places)
    hs = sorted(p.box[3] for p in places)
    w, h = ws[len(ws) // 2], hs[len(hs) // 2]
    x0, y0, x1, y1 = picture
    margin_x = _margin(places, picture, horizontal=True) or 0
    margin_y = _margin([p for p in places if not p.spot.startswith("middle")], picture, horizontal=False)
    slack_y = round(INFERRED_SLACK_Y * (y1 - y0))
    if margin_y is None:
        margin_y = round(mark.place_margin[1] * (y1 - y0)) if mark.place_margin else round(0.05 * (y1 - y0))
        slack_y = round(UNKNOWN_MARGIN_SLACK * (y1 - y0))
    pad = max(SLACK_MIN_PX, round(SLACK_SHARE * h))
    blocks = {p.spot: [t for t in p.templates if t.block][:1] for p in places}
    names = [t for p in places for t in p.templates if not t.block][:2]
    out = []
    for spot in pattern:
        if spot in seen:
            continue
        row, side = spot.split("_")
        bx = x0 + margin_x if side == "left" else x1 - margin_x - w
        by = y0 + margin_y if row == "top" else y1 - margin_y - h if row == "bottom" else (y0 + y1 - h) // 2
        box = (round(bx), round(by), w, h)
        same = [t for sp, ts in blocks.items() if sp.endswith(side) for t in ts]
        if same:  # seen on this side: same layout, same distance from the edge
            place = Place(box, box, spot, inferred=True, templates=same)
            place.slack = (pad, max(pad, slack_y))
        else:  # the other side's layout, or its mirror (the name line is the same in both)
            other = [t for ts in blocks.values() for t in ts]
            place = Place(box, box, spot, inferred=True, templates=other + names)
            place.slack = (max(pad, w), max(pad, slack_y))
        out.append(place)
    return out


def _margin(places: list[Place], picture: Picture, *, horizontal: bool) -> int | None:
    """The median distance of the places from the picture's nearest edge, horizontally or vertically."""
    x0, y0, x1, y1 = picture
    gaps = []
    for p in places:
        x, y, w, h = p.box
        if horizontal:
            gaps.append(x - x0 if p.spot.endswith("left") else x1 - (x + w))
        else:
            gaps.append(y - y0 if p.spot.startswith("top") else y1 - (y + h))
    if not gaps:
        return None
    return max(0, sorted(gaps)[len(gaps) // 2])


def _grad(img: Gray) -> npt.NDArray[np.float32]:
    g = cv2.morphologyEx(img, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    return np.asarray(g, dtype=np.float32)


def _scaled(img: Gray, scale: float) -> Gray:
    if scale == 1.0:
        return img
    size = (max(1, round(img.shape[1] * scale)), max(1, round(img.shape[0] * scale)))
    return np.asarray(cv2.resize(img, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _place_templates(store: FrameStore, place: Place) -> list[npt.NDArray[np.float32]]:
    """The gradients of the templates a place is matched with, at the store's scale (flat ones left out:
    a template with nothing of the mark in it matches anything)."""
    blocks = [t for t in place.templates if t.block]
    chosen = place.templates if place.inferred else blocks or place.templates  # inferred: chosen already
    out = []
    for t in chosen:
        tpl = _scaled(t.image, store.scale)
        if tpl.shape[0] < MIN_TEMPLATE[1] or tpl.shape[1] < MIN_TEMPLATE[0]:
            continue
        tg = _grad(tpl)
        if float(tg.std()) >= 1.0:
            out.append(tg)
    return out


def score_at(
    store: FrameStore, frame: Stored, place: Place, templates: list[npt.NDArray[np.float32]] | None = None
) -> float:
    """The best match of any of the place's templates around the place in `frame` (-1 when none fits).
    `templates`: the place's template gradients (`_place_templates`), when already made."""
    pad_x, pad_y = slack(place)
    region = store.crop(frame, place.box, pad_x, pad_y)
    if region.size == 0:
        return -1.0
    g = _grad(region)
    best = -1.0
    for tg in _place_templates(store, place) if templates is None else templates:
        if tg.shape[0] > g.shape[0] or tg.shape[1] > g.shape[1]:
            continue
        r = cv2.matchTemplate(g, tg, cv2.TM_CCOEFF_NORMED)
        best = max(best, float(r.max()))
    return best


def slack(place: Place) -> tuple[int, int]:
    """How far around a place its templates are searched (source pixels, x and y)."""
    if place.slack is not None:
        return place.slack
    pad = max(SLACK_MIN_PX, round(SLACK_SHARE * place.box[3]))
    return pad, pad


def timeline(store: FrameStore, places: list[Place]) -> Timeline:
    """The presence of the mark at each place in every kept frame."""
    n, k = len(store.frames), len(places)
    scores = np.full((n, k), -1.0, np.float32)
    visible = np.zeros((n, k), np.bool_)
    templates = [_place_templates(store, p) for p in places]
    for i, frame in enumerate(store.frames):
        for j, place in enumerate(places):
            scores[i, j] = score_at(store, frame, place, templates[j])
            under = store.crop(frame, place.box)
            visible[i, j] = under.size > 0 and float(under.mean()) < VISIBLE_BELOW
    return Timeline(places, [f.time_s for f in store.frames], scores >= PRESENT_MIN, visible, scores)
