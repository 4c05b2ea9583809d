"""One shared decode that fans frames out to every frame signal at the sampling each asked for.

The video is decoded exactly once, frame by frame; nothing but the current frame (and the conversions
made from it) is held, so memory does not grow with the video's length. Each frame is converted at most
once per distinct (size, pixel format) however many signals want it. Corrupt packets are counted and
skipped rather than ending the analysis; a consumer that raises is dropped and told why, and the others
carry on. Limits hold on what is decoded, not on what the container declares: frame size (checked by
the decoder before it allocates a frame) and, when asked, presentation time.
"""

from __future__ import annotations

import base64
import functools
import io
import math
import statistics
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from vidsleuth.core.media import MediaInfo, SourceInfo, StreamInfo
from vidsleuth.core.result import Thumbnail
from vidsleuth.core.settings import DEFAULT_MAX_PIXELS
from vidsleuth.core.signal import DecodeStats, FrameSample, Sampling
from vidsleuth.errors import InputError
from vidsleuth.media.animated_image import CONTAINER as ANIMATED_WEBP
from vidsleuth.media.animated_image import PictureFrameError, webp_frames

ProgressCallback = Callable[[float], None]
# Give up on a stream that keeps failing without producing a frame.
_MAX_ERRORS_WITHOUT_FRAME = 500
_PROGRESS_EVERY_S = 0.25
# A conversion that shrinks the frame at least this many times uses swscale's fast bilinear filter.
FAST_SCALE_RATIO = 4
# Frame-size changes recorded in the stats (a hostile file may change size on every frame).
_MAX_SIZE_CHANGES = 20


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


class _Scalers:
    """One swscale context per (width, height, format, filter), kept for the whole decode.

    PyAV's `VideoFrame.reformat` builds a new scaler on every call; on a 1080p frame that set-up costs
    more than the scaling itself (1.2 ms against 0.09 ms for a 64 px conversion, measured here), so the
    shared decode keeps one `VideoReformatter` per conversion it makes.

    Each conversion runs on the calling thread (`threads=1`). PyAV's default lets swscale start worker
    threads per call, which on small outputs costs more CPU than the scaling: alone, the 64 px conversion
    the shot detector reads on every frame took 0.80 ms of CPU a 1080p frame against 0.06 ms
    single-threaded; inside a whole default check of the bench clip, where the decoder's frame threads
    keep the cores busy anyway, the saving was smaller, 12.5 -> 12.1 s CPU (2-core machine, 2026-12-05).
    The pixels are the same bit for bit (checked on the bench clip at every size the signals ask for).
    The `threads` argument came with PyAV 17's multithreaded reformatting, hence `av>=17`."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[int, int, str, str | None], VideoReformatter] = {}

    def convert(self, frame: Any, width: int, height: int, fmt: str, interpolation: str | None) -> Any:
        key = (width, height, fmt, interpolation)
        scaler = self._by_key.get(key)
        if scaler is None:
            scaler = self._by_key[key] = VideoReformatter()
        return scaler.reformat(
            frame, width=width, height=height, format=fmt, interpolation=interpolation, threads=1
        )


class _FrameConversions:
    """Per-frame cache of converted arrays, keyed by (width, height, format)."""

    def __init__(self, frame: Any, rotation: int, scalers: _Scalers, base: tuple[int, int]) -> None:
        self._frame = frame
        self._rotation = rotation
        self._scalers = scalers
        self._base = base  # the first frame's size: every consumer's frames are scaled from it
        self._cache: dict[tuple[int, int, str], np.ndarray[Any, Any]] = {}

    def pixels(self, sampling: Sampling) -> np.ndarray[Any, Any] | None:
        fmt = sampling.pixel_format
        if fmt is None:
            return None
        w, h = _target_size(self._base[0], self._base[1], sampling.max_side)
        key = (w, h, fmt)
        arr = self._cache.get(key)
        if arr is None:
            # For large reductions (to a quarter of the size or less) swscale's fast bilinear filter is
            # 5x cheaper than its default and, measured on the corpus, changes no shot boundary.
            fast = max(w, h) * FAST_SCALE_RATIO <= max(self._base)
            interpolation = "FAST_BILINEAR" if fast else None
            arr = self._scalers.convert(self._frame, w, h, fmt, interpolation).to_ndarray()
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
            image = self._scalers.convert(self._frame, w, h, "rgb24", None).to_image()
        else:
            # Full size: the box is in the pixels of the first frame's size; a frame of another size
            # (a stream that changed size) is brought to it first.
            bw, bh = self._base
            image = self._scalers.convert(self._frame, bw, bh, "rgb24", None).to_image()
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


@dataclass(slots=True)
class _Tally:
    """What the frame source ran into: decode errors, and why it stopped early."""

    errors: int = 0
    first_error: str | None = None
    complete: bool = True
    stopped: str | None = None

    def error(self, text: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or text


@dataclass(frozen=True, slots=True)
class _Decoded:
    frame: Any  # av.VideoFrame
    time_s: float | None  # presentation time, None when the stream gives none
    is_key: bool
    corrupt: bool


def _ffmpeg_frames(
    source: SourceInfo, video: StreamInfo, consumers: Sequence[FrameConsumer], max_pixels: int, tally: _Tally
) -> Iterator[_Decoded]:
    try:
        container = av.open(source.path, mode="r", metadata_errors="replace")
    except av.FFmpegError as exc:
        raise InputError(f"{source.display}: could not be reopened for decoding ({_message(exc)})") from None
    with container:
        stream = next(s for s in container.streams.video if s.index == video.index)
        stream.thread_type = "AUTO"
        # The decoder itself refuses a frame larger than the limit before allocating it (a stream that
        # declares 64x48 and then carries 16000x16000 frames): such frames count as decode errors.
        stream.codec_context.options = {"max_pixels": str(max_pixels)}
        if consumers and all(c.sampling.keyframes_only for c in consumers):
            stream.codec_context.skip_frame = "NONKEY"
        produced = 0
        try:
            for packet in container.demux(stream):
                try:
                    decoded = packet.decode()
                except av.FFmpegError as exc:
                    tally.error(_message(exc))
                    if produced == 0 and tally.errors >= _MAX_ERRORS_WITHOUT_FRAME:
                        tally.complete = False
                        return
                    continue
                for frame in decoded:
                    produced += 1
                    raw_t = frame.time
                    yield _Decoded(
                        frame,
                        float(raw_t) if raw_t is not None else None,
                        bool(frame.key_frame),
                        bool(getattr(frame, "is_corrupt", False)),
                    )
        except av.FFmpegError as exc:
            # The demuxer itself gave up (truncated or corrupt container): keep what was decoded.
            tally.error(_message(exc))
            tally.complete = False


def _picture_frames(source: SourceInfo, tally: _Tally) -> Iterator[_Decoded]:
    try:
        for item in webp_frames(source):
            yield _Decoded(item.frame, item.time_s, True, False)
    except PictureFrameError as exc:  # a damaged frame: keep what came before, like a truncated stream
        tally.error(str(exc))
        tally.complete = False


def decode_shared(
    source: SourceInfo,
    media: MediaInfo,
    consumers: Sequence[FrameConsumer],
    progress: ProgressCallback | None = None,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_duration_s: float | None = None,
) -> DecodeStats:
    """Decode the first video stream once and feed every consumer. Returns what the decode saw.

    Every consumer sees frames of one size for the whole video: each is scaled for the consumer's
    sampling from the size of the first decoded frame, so a stream whose frame size changes midway (a
    splice, a hostile file) cannot break a signal; the changes are recorded in the stats. Frames larger
    than `max_pixels` are refused (by the decoder, before they are allocated). With `max_duration_s`, the
    decode stops at that presentation time, whatever the container declared, and says so."""
    video_info = media.video
    if video_info is None:
        raise InputError(f"{source.display}: has no video stream")
    rotation = video_info.rotation
    fps_hint = video_info.frame_rate or 25.0
    duration = media.duration_s or video_info.duration_s or 0.0
    if max_duration_s is not None:
        duration = min(duration, max_duration_s) if duration else max_duration_s

    tally = _Tally()
    frames = 0
    keyframes = 0
    first_time: float | None = None
    last_time: float | None = None
    intervals = array("d")
    last_progress = time.monotonic()
    scalers = _Scalers()
    base: tuple[int, int] | None = None
    size = (0, 0)
    size_changes: list[tuple[float, int, int]] = []

    if media.container == ANIMATED_WEBP:
        source_frames: Iterator[_Decoded] = _picture_frames(source, tally)
    else:
        source_frames = _ffmpeg_frames(source, video_info, consumers, max_pixels, tally)
    active = [c for c in consumers if c.active]
    for item in source_frames:
        if not active:
            tally.complete = False
            break
        frame = item.frame
        width, height = int(frame.width), int(frame.height)
        if width * height > max_pixels or width <= 0 or height <= 0:
            tally.error(f"a frame of {width}x{height} pixels (over the limit)")
            continue
        t_abs = item.time_s if item.time_s is not None else frames / fps_hint
        if first_time is None:
            first_time = t_abs
        t = t_abs - first_time
        if max_duration_s is not None and t > max_duration_s:
            tally.complete = False
            tally.stopped = f"stopped at {max_duration_s:g} s, the longest this analysis decodes"
            break
        if base is None:
            base = size = (width, height)
        elif (width, height) != size:
            size = (width, height)
            if len(size_changes) < _MAX_SIZE_CHANGES:
                size_changes.append((round(t, 3), width, height))
        if last_time is not None:
            intervals.append(t - last_time)
        last_time = t
        keyframes += item.is_key
        if item.corrupt:
            tally.error("corrupt frame")
        conv = _FrameConversions(frame, rotation, scalers, base)

        def make_thumb(
            label: str,
            max_side: int,
            box: tuple[int, int, int, int] | None,
            _conv: _FrameConversions = conv,
            _t: float = t,
        ) -> Thumbnail:
            return _conv.thumbnail(label, _t, max_side, box)

        for consumer in active:
            if not consumer.wants(t, item.is_key):
                continue
            consumer.advance(t)
            try:
                sample = FrameSample(
                    frames, t, item.is_key, functools.partial(conv.pixels, consumer.sampling), make_thumb
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
    if progress is not None:
        progress(1.0)
    if frames == 0:
        detail = f" ({tally.first_error})" if tally.first_error else ""
        raise InputError(f"{source.display}: no video frame could be decoded{detail}")
    return DecodeStats(
        frames_decoded=frames,
        keyframes=keyframes,
        first_time_s=0.0 if first_time is not None else None,
        last_time_s=last_time,
        frame_interval_min_s=min(intervals) if intervals else None,
        frame_interval_max_s=max(intervals) if intervals else None,
        frame_interval_median_s=statistics.median(intervals) if intervals else None,
        decode_errors=tally.errors,
        first_decode_error=tally.first_error,
        complete=tally.complete,
        frame_size=base,
        size_changes=tuple(size_changes),
        stopped=tally.stopped,
    )
