"""Deduplicated keyframes: one per shot plus the visible changes within a shot, for reverse search.

Fact-checkers trace a clip by searching its frames (Google Lens, Bing, Yandex, TinEye). Searching every
frame is pointless and searching one frame misses the other shots, so vidsleuth samples frames at a
fixed rate and keeps a frame when its PDQ hash is farther than KEYFRAME_DISTANCE from every keyframe
kept so far: a new shot, or a big change within one (a pan, a new subject), gives a new keyframe, while
returning to an earlier view does not. Keyframes are at least KEYFRAME_MIN_GAP_S apart, so that a
fast-moving handheld shot (whose PDQ hash changes by ~100 bits in 0.2 s) gives about one per second
rather than one per sample. Flat frames (PDQ quality < 50: black, fades, blank titles) are never chosen,
unless the video has nothing else. Where the cuts are is the `shots` signal's business.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from vidsleuth.core.settings import DEFAULT_MAX_PIXELS
from vidsleuth.core.signal import FrameSample
from vidsleuth.errors import ReportError
from vidsleuth.fingerprint import pdq
from vidsleuth.fingerprint import thresholds as th
from vidsleuth.fingerprint.bits import as_rows, as_words, distance, distances_to
from vidsleuth.media.source import safe_display_name

Change = Literal["start", "change"]
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Keyframe:
    time_s: float
    hash: bytes
    quality: int
    change: Change
    distance: int | None  # to the previous sampled frame (None for the first)
    frame: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "t": round(self.time_s, 3),
            "hash": self.hash.hex(),
            "q": self.quality,
            "change": self.change,
            "distance": self.distance,
        }


class KeyframeSelector:
    """Decides, frame by frame, which sampled frames are keyframes."""

    def __init__(
        self,
        keep_distance: int = th.KEYFRAME_DISTANCE,
        min_gap_s: float = th.KEYFRAME_MIN_GAP_S,
        quality_min: int = th.PDQ_QUALITY_MIN,
    ) -> None:
        self.keep_distance = keep_distance
        self.min_gap_s = min_gap_s
        self.quality_min = quality_min
        self._kept: list[Keyframe] = []
        self._rows: list[bytes] = []
        self._previous: bytes | None = None
        self._fallback: Keyframe | None = None

    def offer(self, time_s: float, digest: bytes, quality: int, frame: int | None = None) -> Keyframe | None:
        """The keyframe this frame becomes, or None."""
        step = None if self._previous is None else distance(self._previous, digest)
        self._previous = digest
        if quality < self.quality_min:
            if self._fallback is None:
                self._fallback = Keyframe(time_s, digest, quality, "start", step, frame)
            return None
        if self._rows:
            if time_s - self._kept[-1].time_s < self.min_gap_s:
                return None
            nearest = int(distances_to(as_words(as_rows(self._rows)), as_words(as_rows([digest]))[0]).min())
            if nearest <= self.keep_distance:
                return None
            change: Change = "change"
        else:
            change = "start"
        kept = Keyframe(time_s, digest, quality, change, step, frame)
        self._kept.append(kept)
        self._rows.append(digest)
        return kept

    @property
    def keyframes(self) -> tuple[Keyframe, ...]:
        if not self._kept and self._fallback is not None:
            return (self._fallback,)
        return tuple(self._kept)


def spread(keyframes: list[Keyframe], limit: int) -> list[Keyframe]:
    """At most `limit` keyframes, evenly spread in time (the first always among them)."""
    if len(keyframes) <= limit:
        return keyframes
    if limit <= 0:
        return []
    picks = np.linspace(0, len(keyframes) - 1, limit).round().astype(int)
    return [keyframes[i] for i in sorted(set(picks.tolist()))]


@dataclass(frozen=True, slots=True)
class ExportedKeyframe:
    keyframe: Keyframe
    path: Path

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.path.name, **self.keyframe.to_dict()}


def safe_stem(name: str, limit: int = 60) -> str:
    return _UNSAFE.sub("_", Path(name).stem).strip("._")[:limit] or "video"


def export_keyframes(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    sample_fps: float = th.KEYFRAME_FPS,
    keep_distance: int = th.KEYFRAME_DISTANCE,
    min_gap_s: float = th.KEYFRAME_MIN_GAP_S,
    max_keyframes: int = 500,
    jpeg_quality: int = 90,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> list[ExportedKeyframe]:
    """Write the keyframes of a video as JPEGs (full size) plus keyframes.json into `out_dir`.

    Raises InputError for an unreadable video and ReportError when the folder cannot be written."""
    from PIL import Image

    from vidsleuth.fingerprint.reader import decode_sampled
    from vidsleuth.media import open_source

    source = open_source(path)
    target = Path(out_dir)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot create {safe_display_name(str(target))}: {exc.strerror or exc}") from None
    stem = safe_stem(source.name)
    selector = KeyframeSelector(keep_distance=keep_distance, min_gap_s=min_gap_s)
    written: list[ExportedKeyframe] = []
    first: Any = None

    def save(keyframe: Keyframe, pixels: Any) -> None:
        name = f"{stem}_kf{len(written) + 1:03d}_{keyframe.time_s:08.2f}s.jpg"
        file = target / name
        try:
            if file.is_symlink():
                file.unlink()
            Image.fromarray(pixels).save(file, format="JPEG", quality=jpeg_quality)
        except OSError as exc:
            raise ReportError(f"cannot write {safe_display_name(name)}: {exc.strerror or exc}") from None
        written.append(ExportedKeyframe(keyframe, file))

    def on_frame(sample: FrameSample) -> None:
        nonlocal first
        assert sample.pixels is not None
        digest, quality = pdq.hash_pixels(sample.pixels)
        if first is None:
            first = np.array(sample.pixels)
        keyframe = selector.offer(sample.time_s, digest, quality, sample.index)
        if keyframe is not None and len(written) < max_keyframes:
            save(keyframe, sample.pixels)

    decode_sampled(source.path, on_frame, sample_fps=sample_fps, max_side=None, max_pixels=max_pixels)
    if not written and first is not None and selector.keyframes:
        save(selector.keyframes[0], first)
    manifest = {
        "source": {"name": source.name, "sha256": source.sha256},
        "sample_fps": sample_fps,
        "keep_distance": keep_distance,
        "min_gap_s": min_gap_s,
        "keyframes": [k.to_dict() for k in written],
    }
    try:
        (target / "keyframes.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot write keyframes.json: {exc.strerror or exc}") from None
    return written
