"""Options of the faces signal: reference photos ("whose face is this?"), match thresholds, the landmark
model and the sampling (docs/signals/faces.md explains each and what it costs).

`reference_faces` takes photo files or folders of photos (``--reference-face PHOTO``, repeatable).
`validate` expands folders, refuses what is not there, and records each photo's content sha256, so that
the settings digest follows what the photos hold, not only where they are.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from vidsleuth.core.errors import ConfigError
from vidsleuth.core.options import SignalOptions

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff")
MAX_REFERENCES = 200  # each costs a face detection and a descriptor (0.1-2 s) once per process


@dataclass(frozen=True, slots=True)
class FacesOptions(SignalOptions):
    reference_faces: tuple[str, ...] = field(
        default=(),
        metadata={"help": "photos, or folders of photos, of people to look for (--reference-face PHOTO)"},
    )
    match_threshold: float = field(
        default=0.40, metadata={"help": "descriptor distance below which a face matches a photo"}
    )
    possible_match_threshold: float = field(
        default=0.50, metadata={"help": "distance below which a face is a possible match"}
    )
    landmarks68: bool = field(
        default=False,
        metadata={
            "help": "also use dlib's 68-point model (iBUG 300-W: non-commercial use only): jaw jitter and "
            "head-pose mismatch"
        },
    )
    frame_side: int = field(
        default=1920,
        metadata={"help": "long side of the grey frames analysed (960 halves the decode's cost on 1080p)"},
    )
    detect_every_s: float = field(default=2.0, metadata={"help": "face detection interval while tracking"})
    detect_idle_s: float = field(default=1.0, metadata={"help": "face detection interval with no face"})
    detect_side: int = field(default=640, metadata={"help": "long side of the frame face detection sees"})
    landmark_fps: float = field(default=2.0, metadata={"help": "landmark bursts per second per face"})
    burst: int = field(default=3, metadata={"help": "consecutive frames per landmark burst (jitter: 3)"})
    boundary_fps: float = field(default=1.0, metadata={"help": "blending-boundary measurements per second"})
    descriptor_every_s: float = field(
        default=8.0, metadata={"help": "identity descriptor interval per face, after the first ones"}
    )
    first_descriptors: int = field(default=3, metadata={"help": "descriptors early in each face track"})
    min_face_px: int = field(default=36, metadata={"help": "faces narrower than this are not tracked"})
    # Filled in by `validate`: the photos' content, so that the settings digest follows it.
    reference_sha256: tuple[str, ...] = field(default=(), metadata={"help": "(set by vidsleuth)"})

    def validate(self) -> Self:
        if not 0 < self.match_threshold <= self.possible_match_threshold <= 2:
            raise ConfigError(
                "faces: need 0 < match_threshold <= possible_match_threshold <= 2, got "
                f"{self.match_threshold} and {self.possible_match_threshold}"
            )
        for name in ("detect_every_s", "detect_idle_s", "descriptor_every_s"):
            value = getattr(self, name)
            if not 0.05 <= value <= 3600:
                raise ConfigError(f"faces.{name} must be within [0.05, 3600] seconds, got {value}")
        for name in ("landmark_fps", "boundary_fps"):
            value = getattr(self, name)
            if not 0 < value <= 60:
                raise ConfigError(f"faces.{name} must be within (0, 60] per second, got {value}")
        if not 320 <= self.frame_side <= 8192:
            raise ConfigError(f"faces.frame_side must be within [320, 8192] px, got {self.frame_side}")
        if not 160 <= self.detect_side <= 4096:
            raise ConfigError(f"faces.detect_side must be within [160, 4096] px, got {self.detect_side}")
        if not 1 <= self.burst <= 10:
            raise ConfigError(f"faces.burst must be within [1, 10] frames, got {self.burst}")
        if not 0 <= self.first_descriptors <= 20:
            raise ConfigError(f"faces.first_descriptors must be within [0, 20], got {self.first_descriptors}")
        if not 16 <= self.min_face_px <= 1024:
            raise ConfigError(f"faces.min_face_px must be within [16, 1024], got {self.min_face_px}")
        photos = reference_photos(self.reference_faces)
        return dataclasses.replace(
            self, reference_faces=tuple(photos), reference_sha256=tuple(_sha256(p) for p in photos)
        )


def reference_photos(given: tuple[str, ...]) -> list[str]:
    """The photo files named, folders expanded to the photos directly inside them (sorted)."""
    out: list[str] = []
    for item in given:
        path = Path(os.path.expanduser(item))
        if path.is_dir():
            found = sorted(
                str(p) for p in path.iterdir() if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES
            )
            if not found:
                raise ConfigError(
                    f"reference face folder {item!r}: holds no photo ({', '.join(PHOTO_SUFFIXES)})"
                )
            out.extend(found)
        elif path.is_file():
            out.append(str(path))
        else:
            raise ConfigError(f"reference face {item!r}: no such file or folder")
    unique = list(dict.fromkeys(out))
    if len(unique) > MAX_REFERENCES:
        raise ConfigError(f"faces: {len(unique)} reference photos given; at most {MAX_REFERENCES} per run")
    return unique


def _sha256(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError as exc:
        raise ConfigError(f"reference face {path!r}: cannot be read ({exc.strerror or exc})") from None
