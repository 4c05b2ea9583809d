"""Videos and fingerprints for the fingerprint and bank tests: edits a re-uploader makes (re-encode,
rescale, crop, overlay, trim), stills shown inside a video, and cheap unrelated distractors.

Every function says what it makes; the truth each test relies on is in the docstring.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFilter

from tests import media_factory as mf
from vidsleuth.fingerprint import pdq
from vidsleuth.fingerprint.video import FrameHash, VideoFingerprint

Frame = npt.NDArray[np.uint8]
SIZE = (256, 144)
FPS = 24


@dataclass(frozen=True)
class Edit:
    """One re-upload edit. crop: share of each side kept (0.9 keeps the central 90 % of width and height);
    scale: factor on both sides; overlay: a logo box plus a caption bar; trim: (start_s, length_s)."""

    name: str
    crf: int = 23
    scale: float = 1.0
    crop: float = 1.0
    overlay: bool = False
    trim: tuple[float, float] | None = None


EDITS: tuple[Edit, ...] = (
    Edit("crf35", crf=35),
    Edit("scale50", scale=0.5),
    Edit("crop10", crop=0.9),
    Edit("overlay", overlay=True),
    Edit("trim5s", trim=(2.3, 5.0)),
)


def _canvas(seed: int, width: int, height: int) -> Frame:
    """A photo-like canvas: a two-colour gradient under 60 random shapes and lines, softened, with grain."""
    rng = np.random.default_rng(seed)
    top, bottom = rng.integers(0, 255, 3), rng.integers(0, 255, 3)
    ramp = np.linspace(0.0, 1.0, height)[:, None, None]
    base = (top * (1 - ramp) + bottom * ramp) * np.ones((1, width, 1))
    image = Image.fromarray(base.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        x0, y0 = int(rng.integers(-50, width)), int(rng.integers(-50, height))
        x1, y1 = x0 + int(rng.integers(10, width // 3)), y0 + int(rng.integers(10, height // 3))
        kind = int(rng.integers(0, 4))
        if kind == 0:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        elif kind == 1:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        elif kind == 2:
            draw.polygon(
                [(int(rng.integers(0, width)), int(rng.integers(0, height))) for _ in range(3)], fill=colour
            )
        else:
            draw.line((x0, y0, x1, y1), fill=colour, width=int(rng.integers(2, 8)))
    soft = np.asarray(image.filter(ImageFilter.GaussianBlur(1.2)), dtype=np.float32)
    grain = rng.normal(0.0, 4.0, soft.shape).astype(np.float32)
    out: Frame = np.clip(soft + grain, 0, 255).astype(np.uint8)
    return out


def shot_frames(seed: int, seconds: float, fps: float = FPS, size: tuple[int, int] = SIZE) -> list[Frame]:
    """One shot: a camera panning slowly across a canvas twice the frame's size (seeded, so a shot is
    the same every time it is made)."""
    w, h = size
    canvas = _canvas(seed, 2 * w, 2 * h)
    rng = np.random.default_rng(seed + 1)
    x0, y0 = int(rng.integers(0, w // 2)), int(rng.integers(0, h // 2))
    dx, dy = rng.uniform(-8, 8), rng.uniform(-5, 5)  # pixels per second
    frames = []
    for i in range(max(1, round(seconds * fps))):
        t = i / fps
        x = int(np.clip(x0 + dx * t, 0, w))
        y = int(np.clip(y0 + dy * t, 0, h))
        frames.append(np.ascontiguousarray(canvas[y : y + h, x : x + w]))
    return frames


def original(path: str | os.PathLike[str], seed: int, seconds: float = 9.0) -> Path:
    """An 'original' of three panning shots (seeds seed*10+1..3), each seconds/3 long, 256x144, 24 fps."""
    frames = [f for k in (1, 2, 3) for f in shot_frames(seed * 10 + k, seconds / 3)]
    return write_frames(path, frames)


def _even(n: float) -> int:
    return max(2, round(n / 2) * 2)


def overlay(frame: Frame, caption: str = "BREAKING: shared 1.2M times") -> Frame:
    """What a re-uploader adds: a half-transparent channel logo in the top-right corner (about 2 % of
    the frame) and a caption on a dark band along the bottom tenth."""
    image = Image.fromarray(frame).convert("RGBA")
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    w, h = image.size
    draw.ellipse((int(w * 0.84), int(h * 0.04), int(w * 0.96), int(h * 0.2)), fill=(250, 250, 250, 150))
    draw.text((int(w * 0.865), int(h * 0.09)), "TV", fill=(200, 20, 20, 220))
    draw.rectangle((0, int(h * 0.9), w, h), fill=(0, 0, 0, 180))
    draw.text((int(w * 0.03), int(h * 0.91)), caption, fill=(255, 255, 255, 255))
    return np.asarray(Image.alpha_composite(image, layer).convert("RGB"), dtype=np.uint8)


def apply_edit(src: str | os.PathLike[str], dst: str | os.PathLike[str], edit: Edit) -> Path:
    """Decode `src`, apply `edit`, encode with libx264 at edit.crf. Returns `dst`."""
    frames, fps = read_frames(src)
    if edit.trim is not None:
        start, length = edit.trim
        frames = frames[round(start * fps) : round((start + length) * fps)]
    out: list[Frame] = []
    for frame in frames:
        img = frame
        h, w = img.shape[:2]
        if edit.crop < 1.0:
            ch, cw = int(h * edit.crop), int(w * edit.crop)
            top, left = (h - ch) // 2, (w - cw) // 2
            img = img[top : top + ch, left : left + cw]
        if edit.scale != 1.0 or edit.crop < 1.0:
            size = (_even(img.shape[1] * edit.scale), _even(img.shape[0] * edit.scale))
            img = np.asarray(Image.fromarray(img).resize(size, Image.Resampling.BILINEAR), dtype=np.uint8)
        if edit.overlay:
            img = overlay(img)
        out.append(img)
    return write_frames(dst, out, fps=fps, crf=edit.crf)


def read_frames(path: str | os.PathLike[str]) -> tuple[list[Frame], int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps = round(float(stream.average_rate or FPS))
        frames: list[Frame] = [
            np.asarray(f.to_ndarray(format="rgb24"), np.uint8) for f in container.decode(stream)
        ]
        return frames, fps


def write_frames(
    path: str | os.PathLike[str], frames: Sequence[Frame], *, fps: int = FPS, crf: int = 23
) -> Path:
    path = Path(path)
    container: Any = av.open(str(path), mode="w")
    stream = container.add_stream("libx264", rate=fps)
    h, w = frames[0].shape[:2]
    stream.width, stream.height = _even(w), _even(h)
    stream.pix_fmt = "yuv420p"
    stream.time_base = Fraction(1, fps)
    stream.options = {"crf": str(crf), "preset": "veryfast"}
    for i, rgb in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(
            np.ascontiguousarray(rgb[: stream.height, : stream.width]), format="rgb24"
        )
        frame.pts = i
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return path


def stitch(dst: str | os.PathLike[str], parts: Sequence[tuple[str | os.PathLike[str], float, float]]) -> Path:
    """Concatenate (file, start_s, length_s) pieces into one video (re-encoded at CRF 23)."""
    frames: list[Frame] = []
    fps = FPS
    for src, start, length in parts:
        got, fps = read_frames(src)
        frames += got[round(start * fps) : round((start + length) * fps)]
    return write_frames(dst, frames, fps=fps)


def still(seed: int, size: tuple[int, int] = (320, 240)) -> Frame:
    """A photo-like still: the first frame of a media_factory scene at `size` (width, height)."""
    return mf.scene_frames(mf.Scene(1 / FPS, seed), FPS, size)[0]


def photo_in_video(dst: str | os.PathLike[str], photo: Frame, *, before_s: float, show_s: float) -> Path:
    """A video showing another scene for `before_s`, then `photo` (slowly zooming in by up to 4 % with
    a little noise, like a memorial slideshow) for `show_s`, then a third scene for 2 s."""
    rng = np.random.default_rng(7)
    lead = mf.scene_frames(mf.Scene(before_s, 901), FPS, SIZE) if before_s > 0 else []
    tail = mf.scene_frames(mf.Scene(2.0, 902), FPS, SIZE)
    base = Image.fromarray(photo)
    shown: list[Frame] = []
    n = round(show_s * FPS)
    for i in range(n):
        zoom = 1.0 + 0.04 * i / max(1, n - 1)
        cw, ch = base.width / zoom, base.height / zoom
        box = ((base.width - cw) / 2, (base.height - ch) / 2, (base.width + cw) / 2, (base.height + ch) / 2)
        frame = np.asarray(base.resize(SIZE, Image.Resampling.BILINEAR, box=box), dtype=np.float32)
        frame += rng.normal(0, 3, frame.shape)
        shown.append(np.clip(frame, 0, 255).astype(np.uint8))
    return write_frames(dst, [*lead, *shown, *tail])


def distractor(
    seed: int, seconds: float = 2.0, fps: float = 10.0, size: tuple[int, int] = (128, 72)
) -> VideoFingerprint:
    """The fingerprint of an unrelated 'video' made straight from frames (no codec), at the bank's
    sampling rate: cheap enough to fill a bank with ten thousand of them. Even seeds are panning shots
    of shapes like the originals, odd seeds media_factory's colour-blob scenes."""
    if seed % 2:
        frames = mf.scene_frames(mf.Scene(seconds, seed), fps, size)
    else:
        frames = shot_frames(seed, seconds, fps, size)
    hashes = []
    for i, rgb in enumerate(frames):
        digest, quality = pdq.hash_pixels(rgb)
        hashes.append(FrameHash(digest, quality, i / fps, i))
    return VideoFingerprint(tuple(hashes), "video", seconds, fps)
