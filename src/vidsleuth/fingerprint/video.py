"""A video's fingerprint in the spirit of Meta's vPDQ: one PDQ hash per sampled frame, with its time.

vPDQ hashes frames at a fixed rate and keeps (frame number, quality, hash, timestamp) per frame; it
matches two videos as bags of unique, good-quality hashes (see `matching`). vidsleuth keeps the same
four fields, so a fingerprint exports to and imports from Meta's per-frame hash files unchanged. A still
image is a fingerprint with one frame and no time.

`fingerprint_file` hashes a file outside an analysis (for `vidsleuth bank add`); inside `check`, the
`fingerprint` signal feeds the same `FingerprintBuilder` from the shared decode.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from vidsleuth.core.settings import DEFAULT_MAX_PIXELS
from vidsleuth.core.signal import FrameSample
from vidsleuth.fingerprint import pdq
from vidsleuth.fingerprint.bits import HashRows, as_rows, distance, hash_from_hex
from vidsleuth.fingerprint.thresholds import PDQ_QUALITY_MIN, PRUNE_DISTANCE, SAMPLE_FPS, SAMPLE_MAX_SIDE
from vidsleuth.fingerprint.variants import CROP_FPS, MAX_VARIANT, Role, variant_images

Kind = Literal["video", "image"]
HASHER = "pdq"  # the frame hash every fingerprint here is made of


@dataclass(frozen=True, slots=True)
class FrameHash:
    """One hashed frame. `time_s` is None for a still image; `frame` is the frame's decode position.

    A frame may also be hashed through crops (without its letterbox bars, zoomed, without a caption
    bar): those hashes share its time and frame number and carry a variant number (see `variants`)."""

    hash: bytes
    quality: int
    time_s: float | None = None
    frame: int | None = None
    variant: int = 0  # 0: the frame as decoded (vPDQ's hash); 1-8: crops of it (see `variants`)

    def __post_init__(self) -> None:
        if len(self.hash) != 32:
            raise ValueError(f"a PDQ hash has 32 bytes, got {len(self.hash)}")
        if not 0 <= self.quality <= 100:
            raise ValueError(f"PDQ quality must be within 0..100, got {self.quality}")
        if self.time_s is not None and not (self.time_s >= 0.0 and np.isfinite(self.time_s)):
            raise ValueError(f"frame time must be a finite number >= 0, got {self.time_s!r}")
        if not 0 <= self.variant <= MAX_VARIANT:
            raise ValueError(f"frame variant must be within 0..{MAX_VARIANT}, got {self.variant!r}")

    @property
    def hex(self) -> str:
        return self.hash.hex()


@dataclass(frozen=True, slots=True)
class VideoFingerprint:
    """The frames of one video (or the single frame of a still image), in time order."""

    frames: tuple[FrameHash, ...]
    kind: Kind = "video"
    duration_s: float | None = None
    sample_fps: float | None = None
    width: int | None = None
    height: int | None = None
    hasher: str = HASHER

    def usable(self, quality_min: int = PDQ_QUALITY_MIN) -> tuple[FrameHash, ...]:
        """Frames good enough to compare (vPDQ's quality filter)."""
        return tuple(f for f in self.frames if f.quality >= quality_min)

    def rows(self, quality_min: int = 0) -> HashRows:
        return as_rows([f.hash for f in self.frames if f.quality >= quality_min])

    @property
    def unique_hashes(self) -> int:
        return len({f.hash for f in self.frames})

    def summary(self, quality_min: int = PDQ_QUALITY_MIN) -> dict[str, Any]:
        qualities = [f.quality for f in self.frames if f.variant == 0]
        usable = [f for f in self.frames if f.quality >= quality_min]
        return {
            "kind": self.kind,
            "frames_hashed": len(qualities),
            "variant_hashes": sum(1 for f in self.frames if f.variant),
            "hashes_usable": len(usable),
            "unique_usable_hashes": len({f.hash for f in usable}),
            "quality": {
                "min": min(qualities) if qualities else None,
                "median": float(np.median(qualities)) if qualities else None,
                "max": max(qualities) if qualities else None,
            },
            "sample_fps": self.sample_fps,
            "duration_s": None if self.duration_s is None else round(self.duration_s, 3),
        }

    def frames_to_json(self) -> list[dict[str, Any]]:
        """Per-frame hashes as the report stores them: {"t", "frame", "q", "hash"}."""
        return [
            {
                "t": None if f.time_s is None else round(f.time_s, 3),
                "frame": f.frame,
                "q": f.quality,
                "hash": f.hex,
                "v": f.variant,
            }
            for f in self.frames
        ]

    @classmethod
    def from_frames_json(
        cls, rows: Iterable[Mapping[str, Any]], *, kind: Kind = "video", sample_fps: float | None = None
    ) -> VideoFingerprint:
        """The inverse of `frames_to_json` (re-searching a saved report). Raises ValueError when malformed."""
        frames = []
        for row in rows:
            t = row.get("t")
            frame = row.get("frame")
            frames.append(
                FrameHash(
                    hash_from_hex(str(row["hash"])),
                    int(row["q"]),
                    None if t is None else float(t),
                    None if frame is None else int(frame),
                    int(row.get("v") or 0),
                )
            )
        last = max((f.time_s for f in frames if f.time_s is not None), default=None)
        duration = None if last is None else last + (1.0 / sample_fps if sample_fps else 0.0)
        return cls(tuple(frames), kind, duration, sample_fps)


class FingerprintBuilder:
    """Collects frames as the decoder hands them over, then makes the fingerprint.

    `role` picks the variant hashes (see `variants`): "bank" for items to bank, "query" for videos being
    checked or searched, "plain" for the frame alone (vPDQ's hash, plus its bar-less variant)."""

    def __init__(self, sample_fps: float | None = SAMPLE_FPS, role: Role = "query") -> None:
        self.sample_fps = sample_fps
        self.role = role
        self._frames: list[FrameHash] = []
        self._next_crop_s = 0.0
        self.width: int | None = None
        self.height: int | None = None

    def add(self, pixels: npt.NDArray[np.uint8], time_s: float, frame: int | None = None) -> FrameHash:
        if self.width is None:
            self.height, self.width = int(pixels.shape[0]), int(pixels.shape[1])
        t = max(0.0, float(time_s))
        with_crops = t >= self._next_crop_s - 1e-6
        if with_crops:
            self._next_crop_s = t + 1.0 / CROP_FPS
        return _hash_variants(pixels, t, frame, self.role, with_crops, self._frames)

    def __len__(self) -> int:
        return len(self._frames)

    def result(self, duration_s: float | None = None) -> VideoFingerprint:
        frames = tuple(sorted(self._frames, key=lambda f: (f.time_s or 0.0, f.frame or 0, f.variant)))
        return VideoFingerprint(frames, "video", duration_s, self.sample_fps, self.width, self.height)


def _hash_variants(
    pixels: npt.NDArray[np.uint8],
    time_s: float | None,
    frame: int | None,
    role: Role,
    with_crops: bool,
    out: list[FrameHash],
) -> FrameHash:
    """Hash a frame and its variants into `out`; returns the frame's own hash (variant 0)."""
    first: FrameHash | None = None
    seen: set[bytes] = set()
    for number, image in variant_images(pixels, role, with_crops):
        digest, quality = pdq.hash_pixels(image)
        item = FrameHash(digest, quality, time_s, frame, number)
        if first is None:
            first = item
        elif digest in seen:
            continue
        seen.add(digest)
        out.append(item)
    assert first is not None
    return first


def image_fingerprint(pixels: npt.NDArray[np.uint8], role: Role = "query") -> VideoFingerprint:
    frames: list[FrameHash] = []
    _hash_variants(pixels, None, 0, role, True, frames)
    h, w = int(pixels.shape[0]), int(pixels.shape[1])
    return VideoFingerprint(tuple(frames), "image", None, None, w, h)


def fingerprint_file(
    path: str | os.PathLike[str],
    *,
    sample_fps: float | None = SAMPLE_FPS,
    max_side: int | None = SAMPLE_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    display_name: str | None = None,
    role: Role = "query",
    on_frame: Callable[[FrameSample], object] | None = None,
) -> VideoFingerprint:
    """Fingerprint a video or a still image (both reduced to `max_side` before hashing; None: full
    size), sampled at `sample_fps` (None: every frame), with the variant hashes of `role` (see
    `FingerprintBuilder`). `on_frame` also sees every sampled video frame (one decode for both).

    Raises InputError when the file cannot be read."""
    from vidsleuth.fingerprint.reader import decode_sampled, read_still

    still = read_still(path, max_pixels=max_pixels, max_side=max_side, display_name=display_name)
    if still is not None:
        return image_fingerprint(still, role)
    builder = FingerprintBuilder(sample_fps, role)

    def hash_frame(sample: FrameSample) -> None:
        if sample.pixels is not None:
            builder.add(sample.pixels, sample.time_s, sample.index)
            if on_frame is not None:
                on_frame(sample)

    duration = decode_sampled(
        path,
        hash_frame,
        sample_fps=sample_fps,
        max_side=max_side,
        max_pixels=max_pixels,
        display_name=display_name,
    )
    return builder.result(duration)


def samples(frames: tuple[FrameHash, ...]) -> list[list[FrameHash]]:
    """Frames grouped per sampled frame: its own hash (variant 0) first, then its variant hashes."""
    out: list[list[FrameHash]] = []
    previous: tuple[float | None, int | None] | None = None
    for f in frames:
        key = (f.time_s, f.frame)
        if f.variant == 0 or key != previous or not out:
            out.append([f])
        else:
            out[-1].append(f)
        previous = key
    return out


def prune(fp: VideoFingerprint, max_distance: int = PRUNE_DISTANCE) -> VideoFingerprint:
    """Drop sampled frames within `max_distance` of the last kept one (vPDQ's pruning); a frame's variant
    hashes stay or go with it. Frames carrying crop variants are pruned among themselves, so that crops
    survive in still shots. A negative distance keeps everything."""
    if max_distance < 0:
        return fp
    kept: list[FrameHash] = []
    last: dict[bool, bytes] = {}
    for group in samples(fp.frames):
        cropped = any(f.variant >= 2 for f in group)
        head = group[0].hash
        if cropped not in last or distance(last[cropped], head) > max_distance:
            last[cropped] = head
            kept.extend(group)
    return replace(fp, frames=tuple(kept))


def fingerprint_from_report(report: Mapping[str, Any]) -> VideoFingerprint | None:
    """The fingerprint a saved JSON report carries (the `fingerprint` signal's hashes), or None.

    Raises ValueError when the report's hashes are malformed."""
    for result in report.get("results") or ():
        if isinstance(result, Mapping) and result.get("signal") == "fingerprint":
            metrics = result.get("metrics") or {}
            rows = metrics.get("hashes")
            if not isinstance(rows, list) or not rows:
                return None
            fps = metrics.get("sample_fps")
            fp = VideoFingerprint.from_frames_json(rows, sample_fps=float(fps) if fps else None)
            duration = metrics.get("duration_s")
            return replace(fp, duration_s=float(duration)) if duration else fp
    return None
