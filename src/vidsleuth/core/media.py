"""What the media layer learned about a file before any signal ran: identity and container facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """The file as bytes: where it came from, how big it is and its content hash."""

    name: str  # display name (file name only; never a full local path in shared reports)
    path: str  # local path analysed (may be a temporary spool file for stdin)
    size_bytes: int
    sha256: str
    shown: str = ""  # how messages name the file: the path as the user typed it (not stored in reports)

    @property
    def display(self) -> str:
        """The name for error messages: the path as given, else the file name."""
        return self.shown or self.name

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "size_bytes": self.size_bytes, "sha256": self.sha256}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SourceInfo:
        return cls(name=str(d["name"]), path="", size_bytes=int(d["size_bytes"]), sha256=str(d["sha256"]))


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """One stream of the container, as the demuxer reports it."""

    index: int
    kind: str  # video | audio | data | subtitle | attachment
    codec: str | None
    profile: str | None = None
    width: int | None = None
    height: int | None = None
    frame_rate: float | None = None  # average frame rate, frames per second
    nominal_frame_rate: float | None = None  # the rate the container declares (r_frame_rate)
    frame_count: int | None = None  # declared in the container, may be absent or wrong
    duration_s: float | None = None
    pix_fmt: str | None = None
    bit_rate: int | None = None
    rotation: int = 0  # degrees, from the display matrix
    sample_aspect_ratio: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            out[name] = dict(value) if isinstance(value, Mapping) else value
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> StreamInfo:
        known = {k: v for k, v in d.items() if k in cls.__slots__}
        for name in _INT_FIELDS:
            known[name] = _opt(int, known.get(name))
        for name in _FLOAT_FIELDS:
            known[name] = _opt(float, known.get(name))
        known["index"] = int(d["index"])
        known["kind"] = str(d["kind"])
        known["rotation"] = _opt(int, known.get("rotation")) or 0
        known["tags"] = {str(k): str(v) for k, v in (known.get("tags") or {}).items()}
        return cls(**known)


_INT_FIELDS = ("width", "height", "frame_count", "bit_rate", "sample_rate", "channels")
_FLOAT_FIELDS = ("frame_rate", "nominal_frame_rate", "duration_s")


def _opt(kind: type[int] | type[float], value: Any) -> Any:
    """A number read from JSON, or None when it is missing or not a number (a hand-edited file)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return kind(value)
    except (TypeError, ValueError, OverflowError):
        return None


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """Container-level facts from the probe."""

    container: str
    duration_s: float | None
    bit_rate: int | None
    tags: Mapping[str, str]
    streams: tuple[StreamInfo, ...]

    @property
    def video(self) -> StreamInfo | None:
        """The first video stream, the one vidsleuth analyses."""
        for s in self.streams:
            if s.kind == "video":
                return s
        return None

    @property
    def audio(self) -> tuple[StreamInfo, ...]:
        return tuple(s for s in self.streams if s.kind == "audio")

    @property
    def display_size(self) -> tuple[int, int] | None:
        """Width and height as shown to a viewer (rotation applied)."""
        v = self.video
        if v is None or v.width is None or v.height is None:
            return None
        if v.rotation % 180 == 90:
            return v.height, v.width
        return v.width, v.height

    def to_dict(self) -> dict[str, Any]:
        return {
            "container": self.container,
            "duration_s": self.duration_s,
            "bit_rate": self.bit_rate,
            "tags": dict(self.tags),
            "streams": [s.to_dict() for s in self.streams],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MediaInfo:
        return cls(
            container=str(d["container"]),
            duration_s=_opt(float, d.get("duration_s")),
            bit_rate=_opt(int, d.get("bit_rate")),
            tags={str(k): str(v) for k, v in (d.get("tags") or {}).items()},
            streams=tuple(StreamInfo.from_dict(s) for s in d.get("streams") or ()),
        )


@dataclass(frozen=True, slots=True)
class OpenedMedia:
    """A file that has been checked, hashed and probed: what `analyze` needs to start, and what a front
    end that already opened the file (the web worker, to check the duration) hands it instead of a path."""

    source: SourceInfo
    media: MediaInfo
