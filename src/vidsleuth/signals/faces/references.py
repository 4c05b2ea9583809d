""" "Whose face is this?": reference photos, their descriptors, and matching face tracks against them.

A photo gives one descriptor, from its largest face: HOG first, HOG on the photo enlarged twice next, and
dlib's CNN detector last (paintings, statues, hard light; 1-2 s). A track's identity is the median of its
descriptors. Thresholds (docs/signals/faces.md, measured on 100 tracks x 28 photos of the corpus and the
extra set): below 0.40 a face *matches* (20 of 20 animations matched to their photo, 0 of 2,776 pairs of
different people); 0.40-0.50 is a *possible* match (face swaps land there from the pasted identity, and so
did 2 pairs of different people); dlib's usual 0.6 let in 74 false matches. The descriptor is looser on
children, East-Asian faces and stylised or generated faces, which is where the false matches were.

Photos are read once per process (keyed by content sha256).
"""

from __future__ import annotations

import base64
import functools
import io
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps

from vidsleuth.core.result import Thumbnail
from vidsleuth.signals.faces import identity, models
from vidsleuth.signals.faces.landmarks import Points
from vidsleuth.signals.faces.tracking import Box

MAX_SIDE = 1024  # photos are read at most this large
CNN_SIDE = 640
THUMB_SIDE = 160

Grey = npt.NDArray[np.uint8]
RGB = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Reference:
    name: str  # the file name (never the folder: reports are shared)
    sha256: str
    how: str  # hog | hog_upsampled | cnn | no face | unreadable
    descriptor: identity.Descriptor | None = None
    grey: Grey | None = None  # the photo (at most MAX_SIDE), for the animated-photo check
    box: Box | None = None  # its face, in `grey`'s pixels
    thumbnail_jpeg: bytes = b""
    thumbnail_size: tuple[int, int] = (0, 0)

    def thumbnail(self) -> Thumbnail | None:
        if not self.thumbnail_jpeg or self.box is None:
            return None
        w, h = self.thumbnail_size
        x0, y0, x1, y1 = (int(v) for v in self.box)
        return Thumbnail(
            label=f"Photo {self.name}",
            time_s=0.0,
            jpeg_base64=base64.b64encode(self.thumbnail_jpeg).decode("ascii"),
            width=w,
            height=h,
            box=(x0, y0, x1 - x0, y1 - y0),
        )


def _read(path: str) -> RGB | None:
    try:
        with Image.open(path) as im:
            im.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced size directly
            image = ImageOps.exif_transpose(im).convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8))


def _largest_face(rgb: RGB, grey: Grey) -> tuple[Box | None, str]:
    for upsample, how in ((0, "hog"), (1, "hog_upsampled")):
        rects = list(models.hog_detector()(grey, upsample))
        if rects:
            r = max(rects, key=lambda r: r.width() * r.height())
            return (float(r.left()), float(r.top()), float(r.right()), float(r.bottom())), how
    scale = min(1.0, CNN_SIDE / max(grey.shape))
    small = rgb if scale == 1.0 else cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    found = list(models.cnn_detector()(np.ascontiguousarray(small), 1))
    if not found:
        return None, "no face"
    r = max((d.rect for d in found), key=lambda r: r.width() * r.height())
    return (r.left() / scale, r.top() / scale, r.right() / scale, r.bottom() / scale), "cnn"


def _thumbnail(rgb: RGB, box: Box) -> tuple[bytes, tuple[int, int]]:
    x0, y0, x1, y1 = box
    m = (x1 - x0) * 0.35
    crop = Image.fromarray(rgb).crop(
        (
            int(max(0, x0 - m)),
            int(max(0, y0 - m)),
            int(min(rgb.shape[1], x1 + m)),
            int(min(rgb.shape[0], y1 + m)),
        )
    )
    crop.thumbnail((THUMB_SIDE, THUMB_SIDE))
    buf = io.BytesIO()
    crop.save(buf, format="JPEG", quality=85)
    return buf.getvalue(), (crop.width, crop.height)


@functools.lru_cache(maxsize=256)
def load(path: str, sha256: str) -> Reference:
    """A reference photo's descriptor and face (cached per content)."""
    name = Path(path).name
    rgb = _read(path)
    if rgb is None:
        return Reference(name, sha256, "unreadable")
    grey = np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    box, how = _largest_face(rgb, grey)
    if box is None:
        return Reference(name, sha256, how)
    dlib = models.dlib()
    rect = dlib.rectangle(int(box[0]), int(box[1]), int(box[2]), int(box[3]))
    shape = models.predictor(5)(grey, rect)
    points: Points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
    jpeg, size = _thumbnail(rgb, box)
    return Reference(name, sha256, how, identity.describe(rgb, points), grey, box, jpeg, size)


@dataclass(frozen=True, slots=True)
class Match:
    track_id: int
    reference: int  # index into the references
    distance: float
    kind: str  # match | possible


def match_tracks(
    tracks: dict[int, identity.Descriptor], references: list[Reference], threshold: float, possible: float
) -> tuple[list[Match], tuple[float, int, int] | None]:
    """Matches (and possible matches) of each track's identity against each photo, closest first, and
    the closest pair overall (distance, track, reference) for the sentence when nothing matches."""
    out: list[Match] = []
    closest: tuple[float, int, int] | None = None
    for tid, desc in tracks.items():
        for i, ref in enumerate(references):
            if ref.descriptor is None:
                continue
            d = identity.distance(desc, ref.descriptor)
            if closest is None or d < closest[0]:
                closest = (d, tid, i)
            if d < possible:
                out.append(Match(tid, i, d, "match" if d < threshold else "possible"))
    out.sort(key=lambda m: m.distance)
    return out, closest
