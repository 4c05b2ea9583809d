"""Make small test videos with known structure, PySceneDetect-style: each awkward case is a function
with a docstring saying how it is made and what the truth is.

Scenes are procedural: a textured background with a moving disc and a slow global pan, seeded so
each scene looks different (a hard cut changes seed). Everything is encoded with PyAV (libx264),
so no system ffmpeg is needed.
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

Frame = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Scene:
    """A continuous shot: `seconds` long, drawn from `seed`. fade_in/out in seconds, to/from black."""

    seconds: float
    seed: int
    fade_in: float = 0.0
    fade_out: float = 0.0


def _texture(rng: np.random.Generator, h: int, w: int) -> npt.NDArray[np.float32]:
    """Smooth random colour blobs on a gradient: different seeds give clearly different scenes."""
    small = rng.uniform(0, 255, size=(6, 8, 3)).astype(np.float32)
    ys = np.linspace(0, 5, h, dtype=np.float32)
    xs = np.linspace(0, 7, w, dtype=np.float32)
    y0 = np.floor(ys).astype(int)
    x0 = np.floor(xs).astype(int)
    y1 = np.minimum(y0 + 1, 5)
    x1 = np.minimum(x0 + 1, 7)
    fy = (ys - y0)[:, None, None]
    fx = (xs - x0)[None, :, None]
    top = small[y0][:, x0] * (1 - fx) + small[y0][:, x1] * fx
    bot = small[y1][:, x0] * (1 - fx) + small[y1][:, x1] * fx
    base = top * (1 - fy) + bot * fy
    noise = rng.normal(0, 6, size=(h, w, 1)).astype(np.float32)
    out: npt.NDArray[np.float32] = np.clip(base + noise, 0, 255).astype(np.float32)
    return out


def scene_frames(scene: Scene, fps: float, size: tuple[int, int]) -> list[Frame]:
    """All frames of one scene, as RGB uint8 arrays (size is width, height)."""
    w, h = size
    rng = np.random.default_rng(scene.seed)
    bg = _texture(rng, h + 40, w + 40)
    colour = rng.uniform(40, 255, size=3).astype(np.float32)
    n = max(1, round(scene.seconds * fps))
    yy, xx = np.mgrid[0:h, 0:w]
    out: list[Frame] = []
    radius = max(4, min(w, h) // 8)
    for i in range(n):
        t = i / fps
        ox = int(20 + 15 * np.sin(t * 0.7 + scene.seed))
        oy = int(20 + 15 * np.cos(t * 0.5 + scene.seed))
        frame = bg[oy : oy + h, ox : ox + w].copy()
        cx = w * (0.2 + 0.6 * ((t * 0.15 + scene.seed * 0.13) % 1.0))
        cy = h * (0.5 + 0.3 * np.sin(t * 1.3))
        mask = (xx - cx) ** 2 + (yy - cy) ** 2 < radius**2
        frame[mask] = colour
        gain = 1.0
        if scene.fade_in > 0 and t < scene.fade_in:
            gain = min(gain, t / scene.fade_in)
        if scene.fade_out > 0 and t > scene.seconds - scene.fade_out:
            gain = min(gain, max(0.0, (scene.seconds - t) / scene.fade_out))
        out.append(np.clip(frame * gain, 0, 255).astype(np.uint8))
    return out


def write_video(
    path: str | os.PathLike[str],
    scenes: Sequence[Scene],
    *,
    fps: int = 24,
    size: tuple[int, int] = (160, 96),
    codec: str = "libx264",
    crf: int = 23,
    rotation: int = 0,
    audio: bool = False,
    metadata: dict[str, str] | None = None,
    frame_times: Sequence[float] | None = None,
    gop: int | None = None,
    faststart: bool = False,
) -> Path:
    """Encode scenes back to back. Returns the path. `frame_times` (seconds) makes variable frame rate;
    `faststart` puts the MP4 index (moov) first, so that a truncated copy still opens."""
    path = Path(path)
    options = {"movflags": "+faststart"} if faststart else {}
    container: Any = av.open(str(path), mode="w", options=options)
    if metadata:
        for k, v in metadata.items():
            container.metadata[k] = v
    time_base = Fraction(1, 1000) if frame_times is not None else Fraction(1, fps)
    stream = container.add_stream(codec, rate=fps)
    stream.width, stream.height = size
    stream.pix_fmt = "yuv420p"
    stream.time_base = time_base
    stream.codec_context.time_base = time_base
    opts: dict[str, str] = {"crf": str(crf), "preset": "veryfast"} if codec == "libx264" else {}
    if gop:
        opts["g"] = str(gop)
    stream.options = opts
    if rotation:
        stream.set_display_rotation(rotation)
    astream = None
    if audio:
        astream = container.add_stream("aac", rate=44100)
    idx = 0
    for scene in scenes:
        for rgb in scene_frames(scene, fps, size):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            if frame_times is not None:
                frame.pts = round(frame_times[idx] * 1000) if idx < len(frame_times) else None
            else:
                frame.pts = idx
            frame.time_base = time_base
            for packet in stream.encode(frame):
                container.mux(packet)
            idx += 1
    for packet in stream.encode():
        container.mux(packet)
    if astream is not None:
        total = sum(round(s.seconds * fps) for s in scenes) / fps
        samples = int(total * 44100)
        tone = (0.1 * np.sin(2 * np.pi * 440 * np.arange(samples) / 44100)).astype(np.float32)
        for start in range(0, samples, 1024):
            chunk = tone[start : start + 1024]
            af = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
            af.sample_rate = 44100
            af.pts = start
            for packet in astream.encode(af):
                container.mux(packet)
        for packet in astream.encode():
            container.mux(packet)
    container.close()
    return path


# ------------------------------------------------------------------------------------------------
# Named cases. Each returns the path it wrote; the docstring is the ground truth.


def stitched_4s_10s(path: str | os.PathLike[str], **kw: object) -> Path:
    """The seed case: a 4 s shot then a 10 s shot, hard cut at exactly 4.0 s (frame 96 at 24 fps)."""
    return write_video(path, [Scene(4.0, 1), Scene(10.0, 2)], **kw)  # type: ignore[arg-type]


def continuous(path: str | os.PathLike[str], seconds: float = 30.0, **kw: object) -> Path:
    """One continuous shot of `seconds`, no cut."""
    return write_video(path, [Scene(seconds, 7)], **kw)  # type: ignore[arg-type]


def fade_through_black(path: str | os.PathLike[str], **kw: object) -> Path:
    """3 s shot fading out over its last 1 s, then a 3 s shot fading in over its first 1 s: one
    transition centred at 3.0 s."""
    return write_video(path, [Scene(3.0, 3, fade_out=1.0), Scene(3.0, 4, fade_in=1.0)], **kw)  # type: ignore[arg-type]


def variable_frame_rate(path: str | os.PathLike[str]) -> Path:
    """3 s at nominally 30 fps whose frame intervals alternate between 20 ms and 46.7 ms (VFR)."""
    times: list[float] = []
    t = 0.0
    for i in range(90):
        times.append(t)
        t += 0.020 if i % 2 == 0 else 0.0467
    return write_video(path, [Scene(3.0, 5)], fps=30, frame_times=times)


def truncate(src: str | os.PathLike[str], dst: str | os.PathLike[str], keep: float) -> Path:
    """Copy the first `keep` fraction of the bytes of `src` (an MP4 with moov at the end loses it)."""
    data = Path(src).read_bytes()
    out = Path(dst)
    out.write_bytes(data[: int(len(data) * keep)])
    return out


def corrupt_middle(src: str | os.PathLike[str], dst: str | os.PathLike[str], fraction: float = 0.1) -> Path:
    """Overwrite `fraction` of the bytes around the middle of `src` with random bytes (seed 0)."""
    data = bytearray(Path(src).read_bytes())
    n = int(len(data) * fraction)
    start = len(data) // 2 - n // 2
    data[start : start + n] = np.random.default_rng(0).integers(0, 256, n, dtype=np.uint8).tobytes()
    out = Path(dst)
    out.write_bytes(bytes(data))
    return out


def audio_only(path: str | os.PathLike[str], seconds: float = 1.0) -> Path:
    """An .mp4 with a single AAC audio stream and no video."""
    path = Path(path)
    container: Any = av.open(str(path), mode="w")
    astream = container.add_stream("aac", rate=44100)
    samples = int(seconds * 44100)
    tone = (0.1 * np.sin(2 * np.pi * 440 * np.arange(samples) / 44100)).astype(np.float32)
    for start in range(0, samples, 1024):
        af = av.AudioFrame.from_ndarray(tone[None, start : start + 1024], format="fltp", layout="mono")
        af.sample_rate = 44100
        af.pts = start
        for packet in astream.encode(af):
            container.mux(packet)
    for packet in astream.encode():
        container.mux(packet)
    container.close()
    return path


def absurd_dimensions(path: str | os.PathLike[str]) -> Path:
    """A YUV4MPEG2 (.y4m) file whose header declares 16000x16000 frames and carries one tiny frame:
    the demuxer believes the header, so decoding it would allocate 384 MB for every frame."""
    out = Path(path)
    out.write_bytes(b"YUV4MPEG2 W16000 H16000 F24:1 Ip A1:1 C420jpeg\nFRAME\n" + bytes(64))
    return out
