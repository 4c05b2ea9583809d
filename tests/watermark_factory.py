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
from collections.abc import Callable, Iterator
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


def _cover_size(iw: int, ih: int, size: tuple[int, int]) -> tuple[int, int]:
    """The size to which a iw x ih picture is scaled to fill `size` (w, h), overflow cropped later."""
    w, h = size
    s = max(w / iw, h / ih)
    return max(w, round(iw * s)), max(h, round(ih * s))


def _frames(path: str | os.PathLike[str], size: tuple[int, int] | None = None) -> Iterator[Frame]:
    """RGB frames of `path`; with `size` (w, h), scaled to fill it and cropped around the centre. The
    scaling is done by swscale while converting (area averaging): decoding to full-size RGB and resizing
    after was most of a composite's making."""
    with av.open(str(path)) as c:
        for f in c.decode(video=0):
            if size is None:
                yield np.asarray(f.to_ndarray(format="rgb24"), dtype=np.uint8)
                continue
            rw, rh = _cover_size(f.width, f.height, size)
            big = f.to_ndarray(width=rw, height=rh, format="rgb24", interpolation="AREA")
            x0, y0 = (rw - size[0]) // 2, (rh - size[1]) // 2
            yield np.asarray(big[y0 : y0 + size[1], x0 : x0 + size[0]], dtype=np.uint8)


def track_alpha(frame: Frame, green: bool | None = None) -> npt.NDArray[np.float32]:
    """Opacity of the white mark in one track frame: on black, the brightness; on green, how far the
    pixel is from pure green. `green`: whether the track is a green-screen one (found from the frame when
    not given)."""
    f = frame.astype(np.float32)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    if green is None:
        green = _is_green(frame)
    if green:
        alpha = np.asarray(np.clip((255.0 - (g - np.maximum(r, b))) / 255.0, 0, 1), dtype=np.float32)
        alpha[alpha < 0.2] = 0.0
        return alpha
    out: npt.NDArray[np.float32] = np.clip((r + g + b) * np.float32(1 / 765), 0, 1)  # the mean, faster
    return out


def _is_green(frame: Frame) -> bool:
    g, r = frame[..., 1], frame[..., 0]
    return float(np.median(g)) > 150 and float(np.median(r)) < 100


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
    mark_scale: float = 1.0,
    freeze: bool = False,
    decorate: Callable[[Frame], Frame] | None = None,
) -> Path:
    """The genuine moving Sora mark (a corpus track) over real footage, both resized to `size`.

    The video ends with the track unless `loop` replays the track until `seconds` are filled. Fakes of the
    kinds issue #12 asks about: `mark_scale` pastes the mark larger or smaller than the genuine one (the
    track is scaled about the top-left corner, so at 2x only its top-left place stays in the frame);
    `freeze` holds the track's first frame (the mark never jumps). `decorate` draws on every composed frame
    (a static logo or lamp beside a place)."""
    n = round(seconds * fps)
    w, h = size
    mark_size = size if mark_scale == 1.0 else (round(w * mark_scale), round(h * mark_scale))
    green: list[bool] = []  # whether the track is a green-screen one, from its first frame

    def alphas() -> Iterator[npt.NDArray[np.float32]]:
        while True:
            for tf in _frames(track, mark_size):
                if not green:
                    green.append(_is_green(tf))
                a = track_alpha(tf, green[0])
                if mark_size != size:
                    placed = np.zeros((h, w), np.float32)
                    ch, cw = min(h, a.shape[0]), min(w, a.shape[1])
                    placed[:ch, :cw] = a[:ch, :cw]
                    a = placed
                yield a
                if freeze:
                    while True:
                        yield a
            if not loop:
                return

    def gen() -> Iterator[Frame]:
        shot = _frames(footage, size)
        for i, alpha in enumerate(alphas()):
            if i >= n:
                return
            frame = next(shot, None)
            if frame is None:
                shot = _frames(footage, size)
                frame = next(shot)
            # frame x (1 - a) + 255 x a, with one multiplication; a is in [0, 1], so no clipping is needed.
            mixed = frame + (np.float32(255.0) - frame) * alpha[..., None]
            out = np.asarray(mixed, dtype=np.uint8)
            yield decorate(out) if decorate is not None else out

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


def static_logo(box: Box, text: str) -> Callable[[Frame], Frame]:
    """A broadcaster-style logo: white text on a dark box at `box` (x, y, w, h), on every frame."""
    x, y, w, h = box
    canvas = Image.new("RGB", (w, h), (20, 20, 90))
    d = ImageDraw.Draw(canvas)
    d.text((max(2, w // 12), max(1, h // 6)), text, font=_font(round(h * 0.6)), fill=(255, 255, 255))
    patch = np.asarray(canvas)

    def draw(frame: Frame) -> Frame:
        out = frame.copy()
        out[y : y + h, x : x + w] = patch[: out.shape[0] - y, : out.shape[1] - x]
        return out

    return draw


def static_lamp(box: Box) -> Callable[[Frame], Frame]:
    """A bright static ceiling lamp (a white disc in a grey fitting) at `box`, on every frame."""
    x, y, w, h = box
    canvas = Image.new("RGB", (w, h), (70, 70, 70))
    d = ImageDraw.Draw(canvas)
    d.ellipse((w // 6, h // 6, w - w // 6, h - h // 6), fill=(250, 250, 235))
    patch = np.asarray(canvas)

    def draw(frame: Frame) -> Frame:
        out = frame.copy()
        out[y : y + h, x : x + w] = patch
        return out

    return draw


def circular_badge(text: str, diameter: int, ring: bool = True) -> Image.Image:
    """A round badge with `text` running clockwise around its rim, letters upright towards the outside,
    over a translucent disc: the documented look of Meta's "IMAGINED WITH AI" label (issue #12)."""
    d = diameter
    canvas = Image.new("LA", (d, d), (255, 0))
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((0, 0, d - 1, d - 1), fill=(20, 140))  # dark translucent disc
    if ring:
        draw.ellipse((2, 2, d - 3, d - 3), outline=(255, 255), width=max(1, d // 60))
    letter_px = max(6, round(d * 0.11))
    font = _font(letter_px)
    radius = d / 2 - letter_px * 0.95
    chars = list(text)
    # Letters packed as on a printed badge (about 0.8 letter heights apart), centred on the top.
    step = min(300.0 / max(1, len(chars)), float(np.degrees(letter_px * 0.8 / radius)))
    for i, ch in enumerate(chars):
        angle = (i - (len(chars) - 1) / 2) * step  # 0 = up, clockwise
        glyph = Image.new("LA", (letter_px * 2, letter_px * 2), (255, 0))
        ImageDraw.Draw(glyph).text((letter_px // 2, letter_px // 4), ch, font=font, fill=(255, 255))
        glyph = glyph.rotate(-angle, resample=Image.Resampling.BICUBIC)
        rad = np.radians(angle)
        cx, cy = d / 2 + radius * np.sin(rad), d / 2 - radius * np.cos(rad)
        canvas.alpha_composite(glyph, (round(cx - letter_px), round(cy - letter_px)))
    # A small sparkle in the middle, as the badge's icon.
    c, r = d // 2, max(2, d // 8)
    draw.polygon([(c, c - r), (c + r // 3, c), (c, c + r), (c - r // 3, c)], fill=(255, 255))
    return canvas


def label_video(
    path: str | os.PathLike[str],
    mark: Image.Image,
    corner: str,
    *,
    size: tuple[int, int] = (720, 1280),
    seconds: float = 4.0,
    fps: int = 30,
    opacity: float = 0.95,
    crf: int = 23,
) -> Path:
    """Moving content with `mark` (an LA image: a badge, a label) fixed in `corner` on every frame."""
    w, h = size
    margin = round(min(w, h) * 0.03)
    x = margin if corner.endswith("left") else w - mark.width - margin
    y = margin if corner.startswith("top") else h - mark.height - margin
    rgb = mark.convert("RGBA")

    def gen() -> Iterator[Frame]:
        for frame in content_frames(size, seconds, fps):
            img = Image.fromarray(frame).convert("RGBA")
            layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
            faded = rgb.copy()
            faded.putalpha(rgb.getchannel("A").point(lambda v: int(v * opacity)))
            layer.paste(faded, (x, y))
            yield np.asarray(Image.alpha_composite(img, layer).convert("RGB"))

    return encode(path, gen(), size, fps, crf)


def pill_label(text: str, height: int, icon: bool = False) -> Image.Image:
    """A rounded dark label with white `text`, as platforms draw their AI labels over a video."""
    font = _font(round(height * 0.6))
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    tw = int(probe.textlength(text, font=font))
    pad = height // 2
    iw = height if icon else 0
    canvas = Image.new("LA", (tw + 2 * pad + iw, height), (255, 0))
    d = ImageDraw.Draw(canvas)
    d.rounded_rectangle((0, 0, canvas.width - 1, height - 1), radius=height // 2, fill=(30, 190))
    if icon:
        d.ellipse(
            (pad // 2, height // 4, pad // 2 + height // 2, 3 * height // 4), outline=(255, 255), width=2
        )
    d.text((pad + iw, round(height * 0.15)), text, font=font, fill=(255, 255))
    return canvas
