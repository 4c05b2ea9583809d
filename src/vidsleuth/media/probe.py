"""Read container and stream facts with PyAV, and refuse what cannot or must not be decoded.

The probe opens the container, reads every stream's declared facts, and decodes the first video frame:
that both proves the video decodes and reveals the display rotation, which FFmpeg only reports on frames.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import av

from vidsleuth.core.media import MediaInfo, SourceInfo, StreamInfo
from vidsleuth.errors import InputError
from vidsleuth.media.animated_image import is_webp, probe_webp

# FFmpeg's disposition flag for cover art stored as a video stream (AV_DISPOSITION_ATTACHED_PIC).
_ATTACHED_PIC = 0x400
# Demuxing this many packets without a decoded frame means the video stream is unusable.
_FIRST_FRAME_PACKET_LIMIT = 2000


def _clean_tags(raw: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        items = dict(raw).items()
    except (TypeError, ValueError, UnicodeDecodeError):
        return out
    for k, v in items:
        out[str(k)[:200]] = str(v)[:4000]
    return out


def _rate(value: Any) -> float | None:
    if value is None:
        return None
    try:
        f = float(Fraction(value))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return f if f > 0 else None


def _ffmpeg_message(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).split(":")[0].strip() or type(exc).__name__


def _stream_info(stream: Any, rotation: int) -> StreamInfo:
    kind = str(stream.type)
    cc = stream.codec_context
    duration_s = None
    if stream.duration is not None and stream.time_base:
        duration_s = float(stream.duration * stream.time_base)
    common: dict[str, Any] = {
        "index": int(stream.index),
        "kind": kind,
        "codec": getattr(cc, "name", None) if cc is not None else None,
        "profile": getattr(stream, "profile", None),
        "duration_s": duration_s,
        "bit_rate": getattr(cc, "bit_rate", None) or None,
        "frame_count": int(stream.frames) if getattr(stream, "frames", 0) else None,
        "tags": _clean_tags(stream.metadata),
    }
    if kind == "video":
        sar = getattr(stream, "sample_aspect_ratio", None)
        return StreamInfo(
            **common,
            width=int(cc.width or 0) or None if cc is not None else None,
            height=int(cc.height or 0) or None if cc is not None else None,
            frame_rate=_rate(stream.average_rate) or _rate(stream.guessed_rate),
            nominal_frame_rate=_rate(stream.base_rate),
            pix_fmt=getattr(cc, "pix_fmt", None),
            rotation=rotation,
            sample_aspect_ratio=str(sar) if sar else None,
        )
    if kind == "audio":
        return StreamInfo(
            **common, sample_rate=getattr(cc, "sample_rate", None), channels=getattr(cc, "channels", None)
        )
    return StreamInfo(**common)


def _first_frame_rotation(container: Any, stream: Any, name: str) -> int:
    """Decode until the first frame; return its display rotation in degrees (counter-clockwise)."""
    packets = 0
    errors = 0
    last_error = ""
    try:
        for packet in container.demux(stream):
            packets += 1
            if packets > _FIRST_FRAME_PACKET_LIMIT:
                break
            try:
                for frame in packet.decode():
                    return round(getattr(frame, "rotation", 0) or 0) % 360
            except av.FFmpegError as exc:
                errors += 1
                last_error = _ffmpeg_message(exc)
    except av.FFmpegError as exc:
        last_error = _ffmpeg_message(exc)
    detail = f" ({last_error})" if last_error else ""
    raise InputError(f"{name}: the video stream has no decodable frame{detail}; the file may be truncated")


def probe(source: SourceInfo, max_pixels: int) -> MediaInfo:
    """Container facts for `source`. Raises InputError for anything that is not a decodable video."""
    name = source.display
    try:
        container = av.open(source.path, mode="r", metadata_errors="replace")
    except av.FFmpegError as exc:
        raise InputError(
            f"{name}: not a readable video file ({_ffmpeg_message(exc)}); it may be truncated, "
            "corrupt or of another type"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{name}: cannot be opened as media ({exc})") from None
    with container:
        video = [
            s
            for s in container.streams
            if s.type == "video" and not (int(getattr(s, "disposition", 0) or 0) & _ATTACHED_PIC)
        ]
        if not video:
            kinds = sorted({str(s.type) for s in container.streams}) or ["none"]
            raise InputError(f"{name}: has no video stream (streams found: {', '.join(kinds)})")
        v: Any = video[0]
        if v.codec_context is None:  # FFmpeg recognises no codec (a renamed sample entry, an SVG...)
            raise InputError(
                f"{name}: no decodable video stream (its codec is unknown to this FFmpeg build; "
                f"container read as {container.format.name!r})"
            )
        width, height = int(v.codec_context.width or 0), int(v.codec_context.height or 0)
        if width <= 0 and height <= 0 and is_webp(source.path):  # animated WebP: FFmpeg cannot read it
            return probe_webp(source, max_pixels)
        if width <= 0 or height <= 0:
            raise InputError(f"{name}: the video stream declares no frame size ({width}x{height})")
        if width * height > max_pixels:
            raise InputError(
                f"{name}: the video declares {width}x{height} pixels per frame, more than the limit of "
                f"{max_pixels:,}; refusing to decode it"
            )
        v.codec_context.options = {"max_pixels": str(max_pixels)}  # refuse larger frames undecoded
        rotation = _first_frame_rotation(container, v, name)
        streams = tuple(_stream_info(s, rotation if s.index == v.index else 0) for s in container.streams)
        # The analysed video stream goes first so that MediaInfo.video is the one that was decoded.
        streams = tuple(sorted(streams, key=lambda s: (s.index != v.index, s.index)))
        duration = float(container.duration) / 1_000_000 if container.duration else None
        return MediaInfo(
            container=str(container.format.name),
            duration_s=duration,
            bit_rate=int(container.bit_rate) if container.bit_rate else None,
            tags=_clean_tags(container.metadata),
            streams=streams,
        )
