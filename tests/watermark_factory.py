"""Make test videos with visible marks, PySceneDetect-style: each case says how it is made.

Two sources of marks:
- `drawn`: text drawn with Pillow's bundled font (a circle "logo", the name, an optional @handle under it),
  semi-transparent white like the generators' marks, on procedural moving content; no corpus needed.
- `track`: the genuine moving Sora mark from the corpus tracks (watermark_templates/: white mark on black,
  or on green screen), composited onto real corpus footage at any size, then re-encoded (CRF 35 for the
  robustness matrix). This is what "watermark adder" tools do, so it is also a realistic fake.

Frames are streamed (never all held), so 1080p cases stay within memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

Frame = npt.NDArray[np.uint8]
Box = tuple[int, int, int, int]

# The Sora mark's places in a 704x1280 frame, measured on the corpus track
# watermark_templates/sora_watermark_overlay_track_704x1280_musaxdube.mp4: (x, y) of its top-left corner
# as shares of the frame; it stays 2.23 s in each.
SORA_PLACES = ((0.048, 0.0875), (0.736, 0.48), (0.048, 0.872))
SORA_DWELL_S = 2.23
SORA_WIDTH_SHARE = 0.216  # of the frame width (portrait)


def content_frames(size: tuple[int, int], seconds: float, fps: int, seed: int = 1) -> Iterator[Frame]:
    """Moving procedural content: a panning field of colour blobs with grain and a bouncing disc."""
    w, h = size
    rng = np.random.default_rng(seed)
    small = rng.uniform(30, 225, size=(9, 7, 3)).astype(np.float32)
    big = np.asarray(
        Image.fromarray(small.astype(np.uint8)).resize((w + 120, h + 120), Image.Resampling.BICUBIC)
    )
    yy, xx = np.mgrid[0:h, 0:w]
    radius = max(6, min(w, h) // 7)
    for i in range(round(seconds * fps)):
        t = i / fps
        ox, oy = int(60 + 50 * np.sin(t * 0.9)), int(60 + 50 * np.cos(t * 0.7))
        frame = big[oy : oy + h, ox : ox + w].astype(np.int16)
        frame += rng.integers(-8, 9, size=(h, w, 1), dtype=np.int16)
        cx, cy = w * (0.5 + 0.35 * np.sin(t * 1.3)), h * (0.5 + 0.35 * np.cos(t * 1.1))
        frame[(xx - cx) ** 2 + (yy - cy) ** 2 < radius**2] = (230, 60, 40)
        yield np.clip(frame, 0, 255).astype(np.uint8)


def _font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(6, px))


def drawn_mark(text: str, handle: str | None, height: int, logo: bool = True) -> Image.Image:
    """A white mark on a transparent canvas: [logo] name, and the handle under the name."""
    name_px = height if handle is None else round(height * 0.62)
    font, small = _font(name_px), _font(max(6, round(name_px * 0.55)))
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    tw = int(probe.textlength(text, font=font))
    hw = int(probe.textlength(handle, font=small)) if handle else 0
    lx = round(height * 1.1) if logo else 0
    canvas = Image.new("LA", (lx + max(tw, hw) + 4, height + 4), (255, 0))
    d = ImageDraw.Draw(canvas)
    if logo:
        d.ellipse((0, 2, height - 2, height), fill=(255, 255))
        e = max(1, height // 8)
        for cx in (height // 3, 2 * height // 3):
            d.ellipse((cx - e, height // 2 - e, cx + e, height // 2 + e), fill=(0, 255))
    d.text((lx, 0), text, font=font, fill=(255, 255))
    if handle:
        d.text((lx, name_px + 1), handle, font=small, fill=(255, 255))
    return canvas


def _paste(frame: Frame, mark: Image.Image, xy: tuple[int, int], opacity: float) -> Frame:
    img = Image.fromarray(frame)
    alpha = mark.getchannel("A").point(lambda v: int(v * opacity))
    img.paste(Image.new("RGB", mark.size, (255, 255, 255)), xy, alpha)
    return np.asarray(img)


def encode(
    path: str | os.PathLike[str], frames: Iterator[Frame], size: tuple[int, int], fps: int, crf: int
) -> Path:
    path = Path(path)
    container: Any = av.open(str(path), mode="w")
    stream = container.add_stream("libx264", rate=fps)
    stream.width, stream.height = size
    stream.pix_fmt = "yuv420p"
    stream.time_base = Fraction(1, fps)
    stream.options = {"crf": str(crf), "preset": "veryfast"}
    for i, rgb in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        frame.pts = i
        frame.time_base = Fraction(1, fps)
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return path


def marked_video(
    path: str | os.PathLike[str],
    *,
    size: tuple[int, int] = (360, 640),
    seconds: float = 7.0,
    fps: int = 30,
    text: str = "Sora",
    handle: str | None = None,
    mode: str = "jumps",
    corner: str = "bottom_right",
    opacity: float = 0.85,
    logo: bool = True,
    crf: int = 23,
    content: Iterator[Frame] | None = None,
) -> Path:
    """Content with a drawn mark. mode "jumps": Sora's three places, SORA_DWELL_S each; "fixed": one
    corner for the whole video. The mark's width is about SORA_WIDTH_SHARE of the frame's shorter side."""
    w, h = size
    short = min(w, h)
    mark = drawn_mark(text, handle, height=max(12, round(short * (0.075 if handle else 0.05))), logo=logo)
    margin = round(short * 0.03)
    if corner == "bottom_right":
        fixed = (w - mark.width - margin, h - mark.height - margin)
    elif corner == "bottom_left":
        fixed = (margin, h - mark.height - margin)
    else:
        fixed = (margin, margin)
    frames = content if content is not None else content_frames(size, seconds, fps)

    def gen() -> Iterator[Frame]:
        for i, frame in enumerate(frames):
            if mode == "jumps":
                px, py = SORA_PLACES[int(i / fps / SORA_DWELL_S) % len(SORA_PLACES)]
                xy = (min(round(px * w), w - mark.width), min(round(py * h), h - mark.height))
            else:
                xy = fixed
            yield _paste(frame, mark, xy, opacity)

    return encode(path, gen(), size, fps, crf)


def _cover(img: Frame, size: tuple[int, int]) -> Frame:
    """Resize to fill `size` (w, h), cropping the overflow around the centre."""
    w, h = size
    ih, iw = img.shape[:2]
    s = max(w / iw, h / ih)
    rw, rh = max(w, round(iw * s)), max(h, round(ih * s))
    big = np.asarray(Image.fromarray(img).resize((rw, rh), Image.Resampling.BILINEAR))
    x0, y0 = (rw - w) // 2, (rh - h) // 2
    return big[y0 : y0 + h, x0 : x0 + w]


def _frames(path: str | os.PathLike[str]) -> Iterator[Frame]:
    with av.open(str(path)) as c:
        for f in c.decode(video=0):
            yield np.asarray(f.to_ndarray(format="rgb24"), dtype=np.uint8)


def track_alpha(frame: Frame) -> npt.NDArray[np.float32]:
    """Opacity of the white mark in one track frame: on black, the brightness; on green, how far the
    pixel is from pure green."""
    f = frame.astype(np.float32)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    if float(np.median(g)) > 150 and float(np.median(r)) < 100:  # green screen
        alpha = np.asarray(np.clip((255.0 - (g - np.maximum(r, b))) / 255.0, 0, 1), dtype=np.float32)
        alpha[alpha < 0.2] = 0.0
        return alpha
    out: npt.NDArray[np.float32] = np.clip(f.mean(axis=2) / 255.0, 0, 1)
    return out


def composite_track(
    track: str | os.PathLike[str],
    footage: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    size: tuple[int, int],
    seconds: float = 7.0,
    fps: int = 30,
    crf: int = 35,
    loop: bool = False,
) -> Path:
    """The genuine moving Sora mark (a corpus track) over real footage, both resized to `size`.

    The video ends with the track unless `loop` replays the track until `seconds` are filled."""
    n = round(seconds * fps)

    def marks() -> Iterator[Frame]:
        while True:
            yield from _frames(track)
            if not loop:
                return

    def gen() -> Iterator[Frame]:
        shot = _frames(footage)
        for i, tf in enumerate(marks()):
            if i >= n:
                return
            frame = next(shot, None)
            if frame is None:
                shot = _frames(footage)
                frame = next(shot)
            base = _cover(frame, size).astype(np.float32)
            a = track_alpha(_cover(tf, size))[..., None]
            yield np.asarray(np.clip(base * (1 - a) + 255.0 * a, 0, 255), dtype=np.uint8)

    return encode(out, gen(), size, fps, crf)


def crop_copy(
    src: str | os.PathLike[str], dst: str | os.PathLike[str], keep_height: int, crf: int = 23
) -> Path:
    """Re-encode `src` keeping only its top `keep_height` rows (a bottom crop, as people crop marks off)."""
    with av.open(str(src)) as c:
        stream = c.streams.video[0]
        fps = round(float(stream.average_rate or 30))
        width = stream.width
    frames = (f[:keep_height] for f in _frames(src))
    return encode(dst, frames, (width, keep_height), fps, crf)


def blurred_box_video(
    path: str | os.PathLike[str], size: tuple[int, int], box: Box, seconds: float = 4.0, fps: int = 30
) -> Path:
    """Textured content with a heavy box blur over `box` for the whole video (what a blur remover does)."""
    x, y, w, h = box

    def gen() -> Iterator[Frame]:
        rng = np.random.default_rng(3)
        for frame in content_frames(size, seconds, fps):
            grain = rng.integers(-40, 41, size=(*frame.shape[:2], 1), dtype=np.int16)
            f = np.clip(frame.astype(np.int16) + grain, 0, 255).astype(np.uint8)
            patch = f[y : y + h, x : x + w].astype(np.float32)
            f[y : y + h, x : x + w] = patch.mean(axis=(0, 1)).astype(np.uint8)
            yield f

    return encode(path, gen(), size, fps, 20)
