"""Platform-like copies of a video, made on the fly with PyAV: how videos actually arrive.

Conditions (each a re-encode with libx264, yuv420p, unless it says otherwise):

=========  ==============================================================================================
original   the file as labelled
720p       shorter side scaled down to 720 px (never up), CRF 23 ("HD" on most platforms)
480p       shorter side scaled down to 480 px, CRF 23 (a messenger or data-saver copy)
crf28      same size, CRF 28 (a typical platform transcode)
crf35      same size, CRF 35 (a heavily compressed re-share)
crop       the central 80 % of width and height, CRF 23 (a crop that removes corner marks)
remux      the streams copied unchanged into a fresh MP4 without the container's tags (a "download")
=========  ==============================================================================================

Audio is copied when the output container takes it, else left out (noted in the copy's metadata only by
its absence). Copies are cached by (source sha256, condition, DEGRADE_VERSION), so reruns reuse them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from vidsleuth.errors import ConfigError

DEGRADE_VERSION = "1"


@dataclass(frozen=True, slots=True)
class Condition:
    name: str
    description: str
    short_side: int | None = None
    crf: int = 23
    crop: float | None = None  # share of width and height kept, centred
    remux: bool = False


ORIGINAL = Condition("original", "the file as labelled")
CONDITIONS: tuple[Condition, ...] = (
    Condition("720p", "shorter side scaled to 720 px, CRF 23", short_side=720),
    Condition("480p", "shorter side scaled to 480 px, CRF 23", short_side=480),
    Condition("crf28", "re-encoded at CRF 28", crf=28),
    Condition("crf35", "re-encoded at CRF 35", crf=35),
    Condition("crop", "central 80 % kept, CRF 23", crop=0.8),
    Condition("remux", "streams copied into a fresh MP4, tags dropped", remux=True),
)
BY_NAME = {c.name: c for c in (ORIGINAL, *CONDITIONS)}


class DegradeError(ConfigError):
    """A platform-like copy could not be made."""


def parse_conditions(names: Sequence[str]) -> tuple[Condition, ...]:
    """Conditions by name ("all" for every one); unknown names are an error listing the known ones."""
    out: list[Condition] = []
    for raw in names:
        for name in (n.strip() for n in raw.split(",")):
            if not name:
                continue
            if name == "all":
                out.extend(c for c in CONDITIONS if c not in out)
                continue
            if name not in BY_NAME:
                raise DegradeError(f"unknown condition {name!r}; known: {', '.join(BY_NAME)}, all")
            if BY_NAME[name] not in out:
                out.append(BY_NAME[name])
    return tuple(out)


def _even(x: float) -> int:
    return max(2, round(x / 2.0) * 2)


def _target_size(
    width: int, height: int, cond: Condition
) -> tuple[int, int, tuple[int, int, int, int] | None]:
    """Output size and the crop box (x, y, w, h) in source pixels, if any."""
    box = None
    w, h = float(width), float(height)
    if cond.crop is not None:
        cw, ch = _even(width * cond.crop), _even(height * cond.crop)
        box = ((width - cw) // 2, (height - ch) // 2, cw, ch)
        w, h = float(cw), float(ch)
    if cond.short_side is not None and min(w, h) > cond.short_side:
        scale = cond.short_side / min(w, h)
        w, h = w * scale, h * scale
    return _even(w), _even(h), box


def _copy_audio_stream(out: Any, src_audio: Any) -> Any | None:
    try:
        return out.add_stream_from_template(src_audio)
    except (ValueError, av.FFmpegError):
        return None


def _remux(src: Path, dst: Path, fmt: str = "mp4") -> None:
    with av.open(str(src)) as inp, av.open(str(dst), "w", format=fmt) as out:
        mapping: dict[int, Any] = {}
        for s in (*inp.streams.video[:1], *inp.streams.audio[:1]):
            mapping[s.index] = out.add_stream_from_template(s)
        last: dict[int, int] = {}
        for packet in inp.demux(*[s for s in inp.streams if s.index in mapping]):
            index = packet.stream.index
            # Packets whose decode time does not advance (a file whose timestamps restart) cannot be muxed:
            # a remux keeps the rest, as download tools do.
            if packet.dts is None or packet.dts <= last.get(index, -(2**62)):
                continue
            last[index] = packet.dts
            packet.stream = mapping[index]
            out.mux(packet)


def _reencode(src: Path, dst: Path, cond: Condition) -> None:
    with av.open(str(src)) as inp, av.open(str(dst), "w", format="mp4") as out:
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        width, height, box = _target_size(vin.codec_context.width, vin.codec_context.height, cond)
        rate = vin.average_rate or vin.guessed_rate or Fraction(25)
        vout = out.add_stream("libx264", rate=rate)
        vout.width, vout.height = width, height
        vout.pix_fmt = "yuv420p"
        # Constant frame rate, as platforms deliver; frame order from the decoder, timestamps by count (a
        # source whose timestamps are out of order or missing, such as some AVI files, still encodes).
        tb = Fraction(1, 1) / Fraction(rate)
        vout.time_base = tb
        vout.codec_context.time_base = tb
        vout.options = {"crf": str(cond.crf), "preset": "veryfast"}
        aout = None
        if inp.streams.audio and inp.streams.audio[0].codec_context.name == "aac":
            aout = _copy_audio_stream(out, inp.streams.audio[0])
        streams = [vin] + ([inp.streams.audio[0]] if aout is not None else [])
        count = 0
        for packet in inp.demux(*streams):
            if packet.stream.type == "audio":
                if packet.dts is not None and aout is not None:
                    packet.stream = aout
                    out.mux(packet)
                continue
            for decoded in packet.decode():
                frame: Any = decoded
                if box is not None:
                    x, y, w, h = box
                    rgb = frame.to_ndarray(format="rgb24")[y : y + h, x : x + w]
                    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
                new = frame.reformat(width=width, height=height, format="yuv420p")
                new.pts, new.time_base = count, tb
                count += 1
                for p in vout.encode(new):
                    out.mux(p)
        for p in vout.encode():
            out.mux(p)


def make_copy(src: Path, sha256: str, cond: Condition, cache_dir: str | os.PathLike[str]) -> Path:
    """The platform-like copy of `src` under `cond`, made once and cached. Raises DegradeError."""
    if cond.name == "original":
        return src
    folder = Path(cache_dir) / "degraded" / sha256[:2]
    folder.mkdir(parents=True, exist_ok=True)
    dst = folder / f"{sha256}-{cond.name}-v{DEGRADE_VERSION}.mp4"
    if dst.is_file() and dst.stat().st_size > 0:
        return dst
    tmp = dst.with_name(f".{dst.name}.tmp.mp4")
    try:
        if cond.remux:
            try:
                _remux(src, tmp)
            except (ValueError, av.FFmpegError):  # a codec or timing MP4 cannot hold: Matroska takes more
                with contextlib.suppress(OSError):
                    tmp.unlink()
                _remux(src, tmp, "matroska")
        else:
            _reencode(src, tmp, cond)
        os.replace(tmp, dst)
    except (av.FFmpegError, ValueError, OSError, IndexError, TypeError) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        reason = getattr(exc, "strerror", None) or str(exc).split(":")[0] or type(exc).__name__
        raise DegradeError(f"{src.name}: cannot make the {cond.name} copy ({reason})") from None
    return dst
