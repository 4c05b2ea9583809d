"""Signs that a mark was removed: a cropped frame, a blurred patch, a mark that goes missing.

Three hints, each worded as a hint because each has innocent explanations:

- **crop**: the frame keeps one side of a marked generator's output size and lost part of the other
  (704x1180 from Sora's 704x1280), the usual way to cut a corner or bottom mark away;
- **blur patch**: a mark-sized rectangle whose detail (mean gradient over the whole video) is far below
  its surroundings' (a blur box, ffmpeg's `delogo`, a smeared inpainting) while the surroundings are
  textured enough for the difference to mean something;
- **missing mark**: a mark found in some stretches is absent from *every* place it occupies (those it was
  read at and, for a jumping mark, the other places of its catalogued cycle) for seconds together, checked
  in every kept frame at full resolution (`presence`), although the picture at each place is dark enough
  for a white mark to show, and OCR then reads no mark at any of them. Issue #12: the hint used to look at
  the places it had found only, so a mark that had moved to a place the finder missed was "removed".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np
import numpy.typing as npt

from vidsleuth.core.evidence import Evidence, Hypothesis, Span
from vidsleuth.core.media import MediaInfo
from vidsleuth.data import generators as catalog
from vidsleuth.signals.watermark import marks as catalogue
from vidsleuth.signals.watermark import presence
from vidsleuth.signals.watermark.metrics import RemovalHint
from vidsleuth.signals.watermark.reader import CAMERA_SIZES
from vidsleuth.signals.watermark.regions import Box, Gray, same_place
from vidsleuth.signals.watermark.store import FrameStore

if TYPE_CHECKING:
    from vidsleuth.signals.watermark.findings import Detection, Geometry

# Reads OCR on crops and says whether any shows a catalogued mark (the signal's engine).
Confirm = Callable[[list[Gray]], bool]

# Strengths (shared scale, core/evidence.py): hints only.
CROP_STRENGTH = 0.25
BLUR_STRENGTH = 0.3
MISSING_STRENGTH = 0.25
# A crop keeps at least this share of the generator's frame along the cropped side (as metadata does).
CROP_MIN_SHARE = 0.8
# Candidates a crop hint lists at most (as metadata's cropped_generator_size).
MAX_CROP_CANDIDATES = 3
# The brightness history kept for the blur-patch placement: frames downscaled to this longer side.
HISTORY_MAX_SIDE = 96
# A mark is "missing" when the presence check finds it at none of its places for at least this long
# (2.5 sampled frames a second: 6 frames or more) while each place would show it ...
MIN_ABSENT_S = 2.0
# ... and OCR, reading every place in this many frames of that stretch, finds no mark either.
CONFIRM_FRAMES = 2
# Crops for that OCR read at least this many source pixels high.
CONFIRM_MIN_H = 24
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
# all, in a frame of a jumping-mark generator's own output size (not a camera size, `reader.CAMERA_SIZES`)
# and inside the bands where that mark sits (top/bottom BAND_SHARE of the picture, or the middle band,
# within SIDE_SHARE of the left or right edge of the picture, black bars excluded).
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
    """One hint for a frame that keeps one side of a marked generator's output size and lost part of the
    other, listing every such generator as a candidate (issue #12: a crop names no single generator)."""
    size = media.display_size
    if size is None:
        return None
    w, h = size
    if catalog.by_size(w, h):  # a generator's own output size is not a crop of another's
        return None
    keys = _marked_generators()
    found: list[tuple[catalog.Generator, tuple[int, int]]] = []
    for g in catalog.generators():
        if g.key not in keys:
            continue
        for gw, gh in sorted({*g.sizes, *((b, a) for a, b in g.sizes)}):
            if (w == gw and CROP_MIN_SHARE * gh <= h < gh) or (h == gh and CROP_MIN_SHARE * gw <= w < gw):
                found.append((g, (gw, gh)))
                break  # one size per generator
    if not found:
        return None
    outputs = " or ".join(f"{g.name}'s {gw}x{gh}" for g, (gw, gh) in found[:MAX_CROP_CANDIDATES])
    gw, gh = found[0][1]
    lost = f"{gh - h} px of its height" if w == gw else f"{gw - w} px of its width"
    lost = f" ({lost})" if len(found) == 1 else ""
    whose = f"a {found[0][0].name}" if len(found) == 1 else "a generator's"
    ev = Evidence.supports(
        "watermark.removal_hint",
        Hypothesis.AI_GENERATED,
        CROP_STRENGTH,
        f"The frame ({w}x{h}) looks like {outputs} output with part of one side{lost} cut away, which is "
        f"how {whose} watermark is often cropped off. A hint only: other sources crop too.",
        data={
            "kind": "crop",
            # The same size test as metadata's cropped_generator_size: one fact, counted once.
            "fact": catalog.crop_fact(w, h),
            "candidates": [
                {"generator": g.label, "generator_key": g.key, "generator_size": [cw, ch]}
                for g, (cw, ch) in found[:MAX_CROP_CANDIDATES]
            ],
            "attribution_grade": False,
            "generator_size": [gw, gh],
            "size": [w, h],
        },
    )
    return Hint("crop", ev)


def missing_hints(detections: Sequence[Detection], store: FrameStore, confirm: Confirm) -> list[Hint]:
    """Stretches where a found mark is at none of its places (see the module docstring)."""
    out: list[Hint] = []
    for det in detections:
        if det.timeline is None or det.picture is None or not det.mark_places:
            continue
        inferred = presence.infer_places(det.mark, det.mark_places, det.picture)
        if inferred is None:
            continue  # its places fit no catalogued pattern: where it should be is unknown
        places = [*det.mark_places, *inferred]
        timeline = presence.timeline(store, places) if inferred else det.timeline
        for a, b in timeline.absent_everywhere():
            if b - a < MIN_ABSENT_S:
                continue
            frames = store.between(a, b)
            n = CONFIRM_FRAMES + 1
            picks = [frames[round(i * (len(frames) - 1) / n)] for i in range(1, n)]
            crops = [_readable(store.crop(f, p.box, *presence.slack(p))) for f in picks for p in places]
            if confirm(crops):
                continue  # OCR still reads the mark somewhere: absence not established
            spots = ", ".join(p.spot.replace("_", " ") for p in places)
            ev = Evidence.supports(
                "watermark.removal_hint",
                Hypothesis.EDITED,
                MISSING_STRENGTH,
                f"The {det.mark.generator} mark seen elsewhere in the video is at none of its {len(places)} "
                f"places ({spots}) from {a:.1f} to {b:.1f} s: checked in every sampled frame at full "
                "resolution, where the picture is dark enough for it to show, and OCR reads no mark there "
                "either. It may have been removed or painted over in that stretch.",
                span=Span(a, b),
                data={
                    "kind": "missing_mark",
                    "generator": det.mark.generator,
                    "attribution_grade": False,  # the mark's own finding names the generator, not this hint
                    "gap_s": [round(a, 2), round(b, 2)],
                    "places": [list(p.box) for p in places],
                    "inferred_places": len(inferred),
                },
            )
            out.append(Hint("missing_mark", ev))
    return out


def _readable(crop: Gray) -> Gray:
    """A crop scaled up to CONFIRM_MIN_H rows at least (a store below full resolution)."""
    h, w = crop.shape[:2]
    if h >= CONFIRM_MIN_H or h == 0:
        return crop
    s = CONFIRM_MIN_H / h
    size = (max(1, round(w * s)), CONFIRM_MIN_H)
    return np.asarray(cv2.resize(crop, size, interpolation=cv2.INTER_CUBIC), dtype=np.uint8)


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
    store: FrameStore,
    confirm: Confirm,
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
    out.extend(missing_hints(detections, store, confirm))
    return out
