"""Signs that a mark was removed: a cropped frame, a blurred patch, a mark that goes missing.

Three hints, each worded as a hint because each has innocent explanations:

- **crop**: the frame keeps one side of a marked generator's output size and lost part of the other
  (704x1180 from Sora's 704x1280), the usual way to cut a corner or bottom mark away;
- **blur patch**: a mark-sized rectangle whose detail (mean gradient over the whole video) is far below
  its surroundings' (a blur box, ffmpeg's `delogo`, a smeared inpainting) while the surroundings are
  textured enough for the difference to mean something;
- **missing mark**: a mark found in some stretches is absent for several seconds elsewhere although the
  picture at its usual places is dark enough for a white mark to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np
import numpy.typing as npt

from vidsleuth.core.evidence import Evidence, Hypothesis, Span
from vidsleuth.core.media import MediaInfo
from vidsleuth.core.result import Thumbnail
from vidsleuth.data import generators as catalog
from vidsleuth.signals.watermark import marks as catalogue
from vidsleuth.signals.watermark.metrics import RemovalHint
from vidsleuth.signals.watermark.regions import Box, Gray, same_place

if TYPE_CHECKING:
    from vidsleuth.signals.watermark.findings import Detection, Geometry

# Strengths (shared scale, core/evidence.py): hints only.
CROP_STRENGTH = 0.25
BLUR_STRENGTH = 0.3
MISSING_STRENGTH = 0.25
# A crop keeps at least this share of the generator's frame along the cropped side (as metadata does).
CROP_MIN_SHARE = 0.8
# The brightness history kept for the missing-mark check: frames downscaled to this longer side.
HISTORY_MAX_SIDE = 96
# A mark is "missing" when no sighting covers at least this many seconds (more than one 2.2 s stay of
# the jumping Sora mark plus a window) ...
MIN_GAP_S = 3.5
# ... and at every one of its places seen in this video the picture is darker than this, so that a white
# mark would have shown wherever it was. A jumping mark must have been seen in at least two places (its
# place during the gap is unknown); a fixed mark's one place is enough.
VISIBLE_BELOW = 200
MIN_PLACES_JUMPING = 1
# Blur patch: smoothed detail inside below LOW_RATIO x the detail of the neighbourhood (a window of
# NEIGHBOURHOOD_SHARE of the shorter side), the neighbourhood at least TEXTURE_MIN (gradient levels).
LOW_RATIO = 0.4
NEIGHBOURHOOD_SHARE = 0.25
TEXTURE_MIN = 14.0
# Blur patch shape, as shares of the shorter side, and how rectangular it must be.
PATCH_W = (0.06, 0.4)
PATCH_H = (0.025, 0.15)
PATCH_ASPECT = (1.3, 8.0)
PATCH_FILL = 0.65
PATCH_MIN_PX = (20, 8)  # w, h in analysis pixels: smaller low-detail spots are texture noise
MIN_FRAMES_FOR_BLUR = 6
# Low-detail rectangles are common in ordinary footage (walls, sky, screens), so a patch only counts where
# a mark belongs: at a place where this video's mark shows at other times, or, when no mark was found at
# all, in a frame of a jumping-mark generator's own output size (not a camera size) and inside the bands
# where that mark sits (top/bottom BAND_SHARE of the picture, or the middle band, within SIDE_SHARE of the
# left or right edge of the picture, black bars excluded).
CAMERA_SIZES = {(1280, 720), (1920, 1080), (3840, 2160), (640, 360), (854, 480), (640, 480), (1080, 1080)}
BAND_SHARE = 0.2
MIDDLE_BAND = (0.35, 0.65)
SIDE_SHARE = 0.35
# Columns and rows darker than this on average are letterbox/pillarbox bars, not picture.
BAR_LEVEL = 16


@dataclass(frozen=True, slots=True)
class Hint:
    kind: str  # crop | blur_patch | missing_mark
    evidence: Evidence
    box: Box | None = None
    thumbnail_index: int | None = None

    def to_metric(self) -> RemovalHint:
        span = self.evidence.span
        return RemovalHint(
            kind=self.kind,
            summary=self.evidence.summary,
            strength=self.evidence.strength,
            start_s=round(span.start_s, 2) if span else None,
            end_s=round(span.end_s, 2) if span else None,
            box=self.box or None,
            thumbnail_index=self.thumbnail_index,
        )


class RemovalAccumulator:
    """What the removal checks need from the frames, gathered as they stream past."""

    def __init__(self) -> None:
        self.grad_sum: npt.NDArray[np.float32] | None = None
        self.frames = 0
        self.history: list[tuple[float, Gray]] = []
        self.size: tuple[int, int] | None = None

    def add(self, time_s: float, gray: Gray, grad: Gray) -> None:
        if self.grad_sum is None:
            self.grad_sum = np.zeros(grad.shape, np.float32)
            self.size = (gray.shape[1], gray.shape[0])
        if grad.shape != self.grad_sum.shape:
            return
        self.grad_sum += grad
        self.frames += 1
        h, w = gray.shape
        s = HISTORY_MAX_SIDE / max(h, w)
        dsize = (max(1, round(w * s)), max(1, round(h * s)))
        small: Gray = np.asarray(cv2.resize(gray, dsize, interpolation=cv2.INTER_AREA), dtype=np.uint8)
        self.history.append((time_s, small))


def _marked_generators() -> set[str]:
    return {m.catalog_key for m in catalogue.marks() if m.catalog_key and m.kind == "generator_mark"}


def crop_hint(media: MediaInfo) -> Hint | None:
    size = media.display_size
    if size is None:
        return None
    w, h = size
    if catalog.by_size(w, h):  # a generator's own output size is not a crop of another's
        return None
    keys = _marked_generators()
    for g in catalog.generators():
        if g.key not in keys:
            continue
        for gw, gh in {*g.sizes, *((b, a) for a, b in g.sizes)}:
            if (w == gw and CROP_MIN_SHARE * gh <= h < gh) or (h == gh and CROP_MIN_SHARE * gw <= w < gw):
                lost = f"{gh - h} px of its height" if w == gw else f"{gw - w} px of its width"
                ev = Evidence.supports(
                    "watermark.removal_hint",
                    Hypothesis.AI_GENERATED,
                    CROP_STRENGTH,
                    f"The frame ({w}x{h}) looks like {g.name}'s {gw}x{gh} output with {lost} cut away, which "
                    f"is how a {g.name} watermark is often cropped off. A hint only: other sources crop too.",
                    data={"kind": "crop", "generator": g.name, "generator_size": [gw, gh], "size": [w, h]},
                )
                return Hint("crop", ev)
    return None


def missing_hints(acc: RemovalAccumulator, detections: Sequence[Detection], geo: Geometry) -> list[Hint]:
    out: list[Hint] = []
    if not acc.history or acc.size is None:
        return out
    for det in detections:
        covered = sorted((s.start_s, s.end_s) for s in det.segments)
        gaps, cursor = [], 0.0
        for a, b in covered:
            if a - cursor >= MIN_GAP_S:
                gaps.append((cursor, a))
            cursor = max(cursor, b)
        if geo.duration_s - cursor >= MIN_GAP_S:
            gaps.append((cursor, geo.duration_s))
        places = det.places()
        if det.mark.motion == "jumps" and len(places) < MIN_PLACES_JUMPING:
            continue
        for a, b in gaps:
            frames = [g for t, g in acc.history if a <= t <= b]
            if not frames:
                continue
            dark = []
            for box in places:
                levels = [_box_mean(f, box, geo.source_size) for f in frames]
                dark.append(float(np.median(levels)) < VISIBLE_BELOW)
            if not all(dark):
                continue  # too bright at one of its places for a white mark to show: absence explained
            ev = Evidence.supports(
                "watermark.removal_hint",
                Hypothesis.EDITED,
                MISSING_STRENGTH,
                f"The {det.mark.generator} mark seen elsewhere in the video is not found from {a:.1f} to "
                f"{b:.1f} s, although the picture at each of its places is dark enough for it to show: it "
                "may have been removed or painted over there (or busy content hid it from the detector).",
                span=Span(a, b),
                data={
                    "kind": "missing_mark",
                    "generator": det.mark.generator,
                    "gap_s": [round(a, 2), round(b, 2)],
                },
            )
            out.append(Hint("missing_mark", ev))
    return out


def _box_mean(frame: Gray, box: Box, source_size: tuple[int, int]) -> float:
    fh, fw = frame.shape
    sw, sh = source_size
    x, y, w, h = box
    x0, y0 = int(x * fw / sw), int(y * fh / sh)
    x1, y1 = max(x0 + 1, int((x + w) * fw / sw)), max(y0 + 1, int((y + h) * fh / sh))
    return float(frame[y0:y1, x0:x1].mean())


def blur_patches(acc: RemovalAccumulator) -> list[Box]:
    """Mark-sized rectangles of abnormally low detail in a textured neighbourhood (analysis pixels)."""
    if acc.grad_sum is None or acc.frames < MIN_FRAMES_FOR_BLUR:
        return []
    g = acc.grad_sum / acc.frames
    h, w = g.shape
    short = min(h, w)
    k = max(9, round(short * NEIGHBOURHOOD_SHARE) | 1)
    inner = cv2.blur(g, (5, 5))
    around = cv2.blur(g, (k, k))
    low = ((inner < LOW_RATIO * around) & (around >= TEXTURE_MIN)).astype(np.uint8)
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(low, connectivity=4)
    out: list[Box] = []
    for j in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[j])
        if not (
            PATCH_W[0] * short <= bw <= PATCH_W[1] * short and PATCH_H[0] * short <= bh <= PATCH_H[1] * short
        ):
            continue
        if bw < PATCH_MIN_PX[0] or bh < PATCH_MIN_PX[1]:
            continue
        if not PATCH_ASPECT[0] <= bw / bh <= PATCH_ASPECT[1] or area < PATCH_FILL * bw * bh:
            continue
        out.append((x, y, bw, bh))
    return out


def _picture_box(acc: RemovalAccumulator) -> tuple[float, float, float, float]:
    """The picture inside any black bars, as shares of the frame (x0, y0, x1, y1)."""
    mean = np.mean(np.stack([g.astype(np.float32) for _, g in acc.history]), axis=0)
    cols = np.nonzero(mean.mean(axis=0) > BAR_LEVEL)[0]
    rows = np.nonzero(mean.mean(axis=1) > BAR_LEVEL)[0]
    h, w = mean.shape
    if len(cols) == 0 or len(rows) == 0:
        return 0.0, 0.0, 1.0, 1.0
    return cols[0] / w, rows[0] / h, (cols[-1] + 1) / w, (rows[-1] + 1) / h


def _in_mark_band(box: Box, size: tuple[int, int], picture: tuple[float, float, float, float]) -> bool:
    x, y, w, h = box
    fw, fh = size
    px0, py0, px1, py1 = picture
    cx = ((x + w / 2) / fw - px0) / max(1e-6, px1 - px0)
    cy = ((y + h / 2) / fh - py0) / max(1e-6, py1 - py0)
    side = min(cx, 1 - cx) <= SIDE_SHARE
    band = cy <= BAND_SHARE or cy >= 1 - BAND_SHARE or MIDDLE_BAND[0] <= cy <= MIDDLE_BAND[1]
    return side and band


def _jumping_mark_size(size: tuple[int, int]) -> bool:
    if size in CAMERA_SIZES or (size[1], size[0]) in CAMERA_SIZES:
        return False
    keys = {m.catalog_key for m in catalogue.marks() if m.motion == "jumps" and m.catalog_key}
    return any(g.key in keys and g.matches_size(*size) for g in catalog.generators())


def _patch_places(acc: RemovalAccumulator, detections: Sequence[Detection], geo: Geometry) -> list[Box]:
    """Blur patches (source pixels) where a mark belongs (see CAMERA_SIZES above)."""
    patches = [geo.to_source(b) for b in blur_patches(acc)]
    if detections:
        places = [p for d in detections for p in d.places()]
        return [b for b in patches if any(same_place(b, p) for p in places)]
    if not _jumping_mark_size(geo.source_size):
        return []
    picture = _picture_box(acc)
    return [b for b in patches if _in_mark_band(b, geo.source_size, picture)]


def hints(
    acc: RemovalAccumulator,
    detections: Sequence[Detection],
    geo: Geometry,
    media: MediaInfo,
    thumbs: list[Thumbnail],
) -> list[Hint]:
    out: list[Hint] = []
    crop = crop_hint(media)
    if crop is not None:
        out.append(crop)
    for src in _patch_places(acc, detections, geo):
        x, y, w, h = src
        ev = Evidence.supports(
            "watermark.removal_hint",
            Hypothesis.EDITED,
            BLUR_STRENGTH,
            f"A {w}x{h} px rectangle at x={x}, y={y} is much smoother than the textured picture around it "
            "for the whole video, as a blur box or a logo-removal filter leaves it. A hint: a smooth object "
            "can look the same.",
            span=Span(0.0, geo.duration_s),
            data={"kind": "blur_patch", "box": list(src)},
        )
        out.append(Hint("blur_patch", ev, src))
    out.extend(missing_hints(acc, detections, geo))
    del thumbs
    return out
