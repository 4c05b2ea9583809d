"""Small valid files of every container and codec vidsleuth claims, made here (nothing downloaded).

Each seed is about one second of moving pictures at 64x64, a few kB: mutations of a small file reach
every part of its structure. Codecs are the ones whose encoders the bundled FFmpeg (PyAV 18) has:
H.264 (libx264), HEVC (libx265), VP9 (libvpx), AV1 (SVT-AV1), MJPEG; plus GIF, animated WebP (Pillow)
and APNG.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
from PIL import Image

Frame = npt.NDArray[np.uint8]
SIZE = (64, 64)
FPS = 8
FRAMES = 8


def frames(count: int = FRAMES, size: tuple[int, int] = SIZE, seed: int = 3) -> Iterator[Frame]:
    """A textured square moving over a gradient, with a cut half-way (so shots, motion and the
    fingerprint all have something to look at)."""
    w, h = size
    rng = np.random.default_rng(seed)
    texture = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
    ys, xs = np.mgrid[0:h, 0:w]
    for i in range(count):
        base = np.stack([xs * 4 % 256, ys * 4 % 256, np.full_like(xs, 40 * (i >= count // 2))], -1)
        frame = base.astype(np.uint8)
        x0 = (i * 5) % (w - 16)
        frame[16:32, x0 : x0 + 16] = texture[16:32, x0 : x0 + 16]
        yield frame


def _encode(
    path: Path,
    codec: str,
    pix_fmt: str,
    *,
    fmt: str | None = None,
    options: dict[str, str] | None = None,
    audio: bool = False,
    container_options: dict[str, str] | None = None,
) -> Path:
    # bitexact: no random segment ids or dates (Matroska), so that the same seed is the same bytes
    out: Any = av.open(
        str(path), "w", format=fmt, options={"fflags": "+bitexact", **(container_options or {})}
    )
    stream = out.add_stream(codec, rate=FPS)
    stream.width, stream.height = SIZE
    stream.pix_fmt = pix_fmt
    if options:
        stream.options = options
    astream = out.add_stream("aac", rate=22050) if audio else None
    for k, rgb in enumerate(frames()):
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        frame.pts = k
        frame.time_base = Fraction(1, FPS)
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    if astream is not None:
        samples = 22050 * FRAMES // FPS
        tone = (0.1 * np.sin(np.arange(samples) / 5)).astype(np.float32)
        for start in range(0, samples, 1024):
            af = av.AudioFrame.from_ndarray(tone[None, start : start + 1024], format="fltp", layout="mono")
            af.sample_rate = 22050
            af.pts = start
            for packet in astream.encode(af):
                out.mux(packet)
        for packet in astream.encode():
            out.mux(packet)
    out.close()
    return path


def _tiny(path: Path) -> Path:
    """A 1x1 video (H.264 in 4:4:4, the only subsampling that allows an odd size), random pixels."""
    out: Any = av.open(str(path), "w", options={"fflags": "+bitexact"})
    stream = out.add_stream("libx264", rate=FPS)
    stream.width, stream.height, stream.pix_fmt = 1, 1, "yuv444p"
    stream.options = _X264
    rng = np.random.default_rng(1)
    for k in range(3 * FRAMES):
        frame = av.VideoFrame.from_ndarray(rng.integers(0, 255, (1, 1, 3), dtype=np.uint8), format="rgb24")
        frame.pts = k
        for packet in stream.encode(frame.reformat(format="yuv444p")):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return path


def _pillow_animation(path: Path, fmt: str) -> Path:
    images = [Image.fromarray(f, "RGB") for f in frames()]
    images[0].save(path, format=fmt, save_all=True, append_images=images[1:], duration=125, loop=0)
    return path


def _gif(path: Path) -> Path:
    return _pillow_animation(path, "GIF")


_X264 = {"preset": "ultrafast", "crf": "30"}
_X265 = {"preset": "ultrafast", "crf": "30", "x265-params": "log-level=none"}
_SVT = {"preset": "12", "crf": "45"}
_VP9 = {"deadline": "realtime"}

# name -> (file name, maker). Names say container_codec.
SEEDS: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "mp4_h264": ("seed.mp4", lambda p: _encode(p, "libx264", "yuv420p", options=_X264)),
    "mp4_h264_aac_faststart": (
        "seed_fs.mp4",
        lambda p: _encode(
            p, "libx264", "yuv420p", options=_X264, audio=True, container_options={"movflags": "+faststart"}
        ),
    ),
    "mp4_hevc": ("seed_hevc.mp4", lambda p: _encode(p, "libx265", "yuv420p", options=_X265)),
    "mp4_av1": ("seed_av1.mp4", lambda p: _encode(p, "libsvtav1", "yuv420p", options=_SVT)),
    "mp4_h264_1x1": ("seed_1x1.mp4", _tiny),
    "mov_h264": ("seed.mov", lambda p: _encode(p, "libx264", "yuv420p", options=_X264)),
    "mov_mjpeg": ("seed_mjpeg.mov", lambda p: _encode(p, "mjpeg", "yuvj420p")),
    "mkv_vp9": ("seed_vp9.mkv", lambda p: _encode(p, "libvpx-vp9", "yuv420p", options=_VP9)),
    "mkv_h264": ("seed.mkv", lambda p: _encode(p, "libx264", "yuv420p", options=_X264)),
    "webm_vp9": ("seed.webm", lambda p: _encode(p, "libvpx-vp9", "yuv420p", options=_VP9)),
    "webm_av1": ("seed_av1.webm", lambda p: _encode(p, "libsvtav1", "yuv420p", options=_SVT)),
    "avi_mjpeg": ("seed.avi", lambda p: _encode(p, "mjpeg", "yuvj420p")),
    "avi_h264": ("seed_h264.avi", lambda p: _encode(p, "libx264", "yuv420p", options=_X264)),
    "gif": ("seed.gif", _gif),
    "webp_animated": ("seed.webp", lambda p: _pillow_animation(p, "WEBP")),
    "apng": ("seed.png", lambda p: _encode(p, "apng", "rgb24", fmt="apng")),
}


def make_seeds(folder: Path) -> dict[str, Path]:
    """Write every seed into `folder`; returns name -> path."""
    os.environ.setdefault("SVT_LOG", "1")  # SVT-AV1 prints its whole configuration otherwise
    folder.mkdir(parents=True, exist_ok=True)
    return {name: maker(folder / file_name) for name, (file_name, maker) in SEEDS.items()}


def jpeg(width: int, height: int, shade: int = 128) -> bytes:
    """A flat JPEG of any size: cheap to make at 16000x16000, as costly to decode as any other."""
    buf = io.BytesIO()
    Image.new("L", (width, height), shade).save(buf, "JPEG", quality=50)
    return buf.getvalue()
