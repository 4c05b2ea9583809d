"""One shared decode that fans frames out to every frame signal at the sampling each asked for.

The video is decoded exactly once, frame by frame; nothing but the current frame (and the conversions
made from it) is held, so memory does not grow with the video's length. Each frame is converted at most
once per distinct (size, pixel format) however many signals want it. Corrupt packets are counted and
skipped rather than ending the analysis; a consumer that raises is dropped and told why, and the others
carry on.
"""

from __future__ import annotations

import base64
import io
import math
import statistics
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import av
import numpy as np

from vidsleuth.core.media import MediaInfo, SourceInfo
from vidsleuth.core.result import Thumbnail
from vidsleuth.core.signal import DecodeStats, FrameSample, Sampling
from vidsleuth.errors import InputError

ProgressCallback = Callable[[float], None]
# Give up on a stream that keeps failing without producing a frame.
_MAX_ERRORS_WITHOUT_FRAME = 500
_PROGRESS_EVERY_S = 0.25
# A conversion that shrinks the frame at least this many times uses swscale's fast bilinear filter.
FAST_SCALE_RATIO = 4


@dataclass(slots=True)
class FrameConsumer:
    """A frame signal as the decoder sees it: what it wants, where to send frames, who to tell on error."""

    name: str
    sampling: Sampling
    on_frame: Callable[[FrameSample], None]
    on_error: Callable[[BaseException], None]
    next_time_s: float = field(default=-math.inf)
    active: bool = True

    def wants(self, time_s: float, is_keyframe: bool) -> bool:
        s = self.sampling
        if s.keyframes_only and not is_keyframe:
            return False
        if s.fps is None:
            return True
        # A small tolerance keeps 30 fps video sampled at 10 fps on every third frame despite rounding.
        return time_s >= self.next_time_s - 1e-3

    def advance(self, time_s: float) -> None:
        if self.sampling.fps is not None:
            step = 1.0 / self.sampling.fps
            if self.next_time_s == -math.inf:
                self.next_time_s = time_s + step
            else:
                # Keep a regular grid, but after a gap (VFR, dropped frames) do not burst to catch up.
                self.next_time_s = max(self.next_time_s + step, time_s + step * 0.5)


def _target_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    if max_side is None or max(width, height) <= max_side:
        return width, height
    scale = max_side / max(width, height)
    # Even sizes keep chroma subsampling and swscale happy.
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


class _FrameConversions:
    """Per-frame cache of converted arrays, keyed by (width, height, format)."""

    def __init__(self, frame: Any, rotation: int) -> None:
        self._frame = frame
        self._rotation = rotation
        self._cache: dict[tuple[int, int, str], np.ndarray[Any, Any]] = {}

    def pixels(self, sampling: Sampling) -> np.ndarray[Any, Any] | None:
        fmt = sampling.pixel_format
        if fmt is None:
            return None
        w, h = _target_size(self._frame.width, self._frame.height, sampling.max_side)
        key = (w, h, fmt)
        arr = self._cache.get(key)
        if arr is None:
            # For large reductions (to a quarter of the size or less) swscale's fast bilinear filter is
            # 5x cheaper than its default and, measured on the corpus, changes no shot boundary.
            fast = max(w, h) * FAST_SCALE_RATIO <= max(self._frame.width, self._frame.height)
            interpolation = "FAST_BILINEAR" if fast else None
            arr = self._frame.reformat(
                width=w, height=h, format=fmt, interpolation=interpolation
            ).to_ndarray()
            if self._rotation:
                arr = np.ascontiguousarray(np.rot90(arr, k=(self._rotation // 90) % 4))
            arr.flags.writeable = False
            self._cache[key] = arr
        return arr

    def thumbnail(
        self, label: str, time_s: float, max_side: int, box: tuple[int, int, int, int] | None
    ) -> Thumbnail:
        if box is None:
            # Scale in swscale before converting: 4x cheaper than converting a full 1080p frame.
            w, h = _target_size(self._frame.width, self._frame.height, max_side)
            image = self._frame.reformat(width=w, height=h, format="rgb24").to_image()
        else:
            image = self._frame.to_image()  # full size: the box is in source pixels
        if self._rotation:
            image = image.rotate(self._rotation, expand=True)
        if box is not None:
            x, y, w, h = box
            image = image.crop((x, y, x + w, y + h))
        image.thumbnail((max_side, max_side))
        buf = io.BytesIO()
        image.convert("RGB").save(buf, format="JPEG", quality=80, optimize=True)
        return Thumbnail(
            label=label,
            time_s=time_s,
            jpeg_base64=base64.b64encode(buf.getvalue()).decode("ascii"),
            width=image.width,
            height=image.height,
            box=box,
        )


def _message(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc).split(":")[0].strip() or type(exc).__name__


def decode_shared(
    source: SourceInfo,
    media: MediaInfo,
    consumers: Sequence[FrameConsumer],
    progress: ProgressCallback | None = None,
) -> DecodeStats:
    """Decode the first video stream once and feed every consumer. Returns what the decode saw."""
    video_info = media.video
    if video_info is None:
        raise InputError(f"{source.display}: has no video stream")
    rotation = video_info.rotation
    fps_hint = video_info.frame_rate or 25.0
    duration = media.duration_s or video_info.duration_s or 0.0

    frames = 0
    keyframes = 0
    errors = 0
    first_error: str | None = None
    complete = True
    first_time: float | None = None
    last_time: float | None = None
    intervals = array("d")
    last_progress = time.monotonic()

    try:
        container = av.open(source.path, mode="r", metadata_errors="replace")
    except av.FFmpegError as exc:
        raise InputError(f"{source.display}: could not be reopened for decoding ({_message(exc)})") from None
    with container:
        stream = next(s for s in container.streams.video if s.index == video_info.index)
        stream.thread_type = "AUTO"
        if consumers and all(c.sampling.keyframes_only for c in consumers):
            stream.codec_context.skip_frame = "NONKEY"
        active = [c for c in consumers if c.active]
        try:
            for packet in container.demux(stream):
                if not active:
                    complete = False
                    break
                try:
                    decoded = packet.decode()
                except av.FFmpegError as exc:
                    errors += 1
                    first_error = first_error or _message(exc)
                    if frames == 0 and errors >= _MAX_ERRORS_WITHOUT_FRAME:
                        complete = False
                        break
                    continue
                for frame in decoded:
                    raw_t = frame.time
                    t_abs = float(raw_t) if raw_t is not None else frames / fps_hint
                    if first_time is None:
                        first_time = t_abs
                    t = t_abs - first_time
                    if last_time is not None:
                        intervals.append(t - last_time)
                    last_time = t
                    is_key = bool(frame.key_frame)
                    keyframes += is_key
                    if getattr(frame, "is_corrupt", False):
                        errors += 1
                        first_error = first_error or "corrupt frame"
                    conv = _FrameConversions(frame, rotation)

                    def make_thumb(
                        label: str,
                        max_side: int,
                        box: tuple[int, int, int, int] | None,
                        _conv: _FrameConversions = conv,
                        _t: float = t,
                    ) -> Thumbnail:
                        return _conv.thumbnail(label, _t, max_side, box)

                    for consumer in active:
                        if not consumer.wants(t, is_key):
                            continue
                        consumer.advance(t)
                        try:
                            sample = FrameSample(
                                frames, t, is_key, conv.pixels(consumer.sampling), make_thumb
                            )
                            consumer.on_frame(sample)
                        except Exception as exc:  # a signal's bug must not sink the others
                            consumer.active = False
                            consumer.on_error(exc)
                    active = [c for c in active if c.active]
                    frames += 1
                    if progress is not None and duration > 0:
                        now = time.monotonic()
                        if now - last_progress >= _PROGRESS_EVERY_S:
                            last_progress = now
                            progress(min(1.0, t / duration))
        except av.FFmpegError as exc:
            # The demuxer itself gave up (truncated or corrupt container): keep what was decoded.
            errors += 1
            first_error = first_error or _message(exc)
            complete = False
    if progress is not None:
        progress(1.0)
    if frames == 0:
        detail = f" ({first_error})" if first_error else ""
        raise InputError(f"{source.display}: no video frame could be decoded{detail}")
    return DecodeStats(
        frames_decoded=frames,
        keyframes=keyframes,
        first_time_s=0.0 if first_time is not None else None,
        last_time_s=last_time,
        frame_interval_min_s=min(intervals) if intervals else None,
        frame_interval_max_s=max(intervals) if intervals else None,
        frame_interval_median_s=statistics.median(intervals) if intervals else None,
        decode_errors=errors,
        first_decode_error=first_error,
        complete=complete,
    )
