"""Resource bombs: files whose cost is not what they declare, or is huge by construction.

Each maker writes a valid-looking file and says in its docstring what it holds; they are cheap to make
(flat JPEGs, tiny frames), so that what costs is the analysis, not the test."""

from __future__ import annotations

import os
import struct
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from tests.fuzz.mutate import boxes
from tests.fuzz.seeds import jpeg


def oversized_frames_avi(
    path: str | os.PathLike[str], declared: tuple[int, int] = (64, 48), real: tuple[int, int] = (16000, 16000)
) -> Path:
    """An MJPEG AVI whose header declares `declared` and whose frames 3-5 of 8 are `real` (a decompression
    bomb: 16000x16000 is 256 Mpixels, 768 MB a frame in RGB)."""
    out = Path(path)
    container: Any = av.open(str(out), "w")
    stream = container.add_stream("mjpeg", rate=8)
    stream.width, stream.height = declared
    stream.pix_fmt = "yuvj420p"
    small, large = jpeg(*declared, shade=90), jpeg(*real, shade=160)
    for i in range(8):
        packet = av.Packet(large if 2 <= i < 5 else small)
        packet.stream = stream
        packet.time_base = Fraction(1, 8)
        packet.pts = packet.dts = i
        container.mux(packet)
    container.close()
    return out


def tiny_frames(path: str | os.PathLike[str], frames: int, fps: int = 1000, side: int = 16) -> Path:
    """`frames` frames of side x side H.264 (a long, cheap-to-store video: 200,000 frames are 2.6 MB)."""
    out = Path(path)
    container: Any = av.open(str(out), "w")
    stream = container.add_stream("libx264", rate=fps)
    stream.width = stream.height = side
    stream.pix_fmt = "yuv420p"
    stream.options = {"preset": "ultrafast", "crf": "40", "g": str(fps)}
    shades = [
        av.VideoFrame.from_ndarray(np.full((side, side, 3), v, np.uint8), format="rgb24").reformat(
            format="yuv420p"
        )
        for v in range(0, 250, 10)
    ]
    for k in range(frames):
        frame = shades[(k // (fps // 2 or 1)) % len(shades)]
        frame.pts = k
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return out


def with_free_boxes(src: str | os.PathLike[str], dst: str | os.PathLike[str], count: int) -> Path:
    """`src` (an MP4) followed by `count` empty top-level `free` boxes: still a valid MP4, which FFmpeg
    reads as before, and which costs c2pa-rs time quadratic in `count` (tests/fuzz/c2pa_boxes.py)."""
    out = Path(dst)
    out.write_bytes(Path(src).read_bytes() + struct.pack(">I4s", 8, b"free") * count)
    return out


def declare_duration(src: str | os.PathLike[str], dst: str | os.PathLike[str], seconds: float) -> Path:
    """A copy of an MP4 whose movie, track and media headers declare `seconds` (the samples stay: a
    file that says 1 s and holds minutes)."""
    data = bytearray(Path(src).read_bytes())
    timescales: dict[bytes, int] = {}
    for box in boxes(bytes(data)):
        body = box.start + box.header
        version = data[body]
        if box.kind == b"mvhd":
            fields = ">QQIQ" if version == 1 else ">IIII"
            created, modified, scale, _ = struct.unpack_from(fields, data, body + 4)
            timescales[b"mvhd"] = scale
            struct.pack_into(fields, data, body + 4, created, modified, scale, round(seconds * scale))
        elif box.kind == b"tkhd":
            at = body + 4 + (20 if version == 1 else 16)
            struct.pack_into(
                ">Q" if version == 1 else ">I", data, at, round(seconds * timescales.get(b"mvhd", 1000))
            )
        elif box.kind == b"mdhd":
            fields = ">QQIQ" if version == 1 else ">IIII"
            created, modified, scale, _ = struct.unpack_from(fields, data, body + 4)
            struct.pack_into(fields, data, body + 4, created, modified, scale, round(seconds * scale))
    out = Path(dst)
    out.write_bytes(bytes(data))
    return out
