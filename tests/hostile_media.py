"""Hostile or unusual files for the hardening tests, made here (no file is downloaded or committed)."""

from __future__ import annotations

import io
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from tests import media_factory as mf


def _jpeg(width: int, height: int, shade: int) -> bytes:
    buf = io.BytesIO()
    rng = np.random.default_rng(shade)
    pixels = (rng.integers(0, 255, (height, width)) // 4 + shade).astype(np.uint8)
    Image.fromarray(pixels, "L").save(buf, "JPEG", quality=70)
    return buf.getvalue()


def mjpeg_sizes(path: str | os.PathLike[str], sizes: list[tuple[int, int]], fps: int = 10) -> Path:
    """An AVI whose MJPEG frames have the given sizes, one after another: the header declares the first
    size, later frames may be larger or smaller (a splice, or a decompression bomb)."""
    out = Path(path)
    container: Any = av.open(str(out), "w")
    stream = container.add_stream("mjpeg", rate=fps)
    stream.width, stream.height = sizes[0]
    stream.pix_fmt = "yuvj420p"
    for i, (w, h) in enumerate(sizes):
        packet = av.Packet(_jpeg(w, h, 40 + 10 * (i % 8)))
        packet.stream = stream
        packet.time_base = Fraction(1, fps)
        packet.pts = packet.dts = i
        container.mux(packet)
    container.close()
    return out


def raw_h264(path: str | os.PathLike[str], seconds: float, fps: int = 10) -> Path:
    """An H.264 elementary stream: no container, so no declared duration at all."""
    mp4 = mf.write_video(Path(path).with_suffix(".tmp.mp4"), [mf.Scene(seconds, 3)], fps=fps, size=(64, 48))
    out = Path(path)
    src: Any = av.open(str(mp4))
    dst: Any = av.open(str(out), "w", format="h264")
    vin = src.streams.video[0]
    vout = dst.add_stream_from_template(vin)
    for packet in src.demux(vin):
        if packet.dts is None:
            continue
        packet.stream = vout
        dst.mux(packet)
    dst.close()
    src.close()
    mp4.unlink()
    return out


def animated(path: str | os.PathLike[str], frames: int = 12, size: tuple[int, int] = (80, 60)) -> Path:
    """An animated WebP or APNG (by suffix), as ComfyUI workflows save generated clips."""
    out = Path(path)
    rng = np.random.default_rng(7)
    images = []
    for i in range(frames):
        base = rng.integers(0, 255, (size[1], size[0], 3)).astype(np.uint8) // 3
        base[:, : (i * size[0]) // frames] += 120
        images.append(Image.fromarray(base, "RGB"))
    images[0].save(out, save_all=True, append_images=images[1:], duration=80, loop=0)
    return out
