"""The signal contract: what a signal declares and what the pipeline hands it.

Two kinds of signal exist. A plain `Signal` looks at the file as a whole (container, C2PA manifest) in
`analyze(ctx)`. A `FrameSignal` declares the frames it needs through `Sampling`; the pipeline decodes
the video once and fans each frame out to every frame signal that asked for it, already converted to
the size and pixel format it asked for. Frame signals never open the file themselves.

Signals are instantiated once per analysis, so they may keep per-video state in attributes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar, Literal

from vidsleuth.core.media import MediaInfo, SourceInfo
from vidsleuth.core.metrics import SignalMetrics
from vidsleuth.core.options import NoOptions, SignalOptions
from vidsleuth.core.result import SignalResult, Thumbnail
from vidsleuth.core.settings import Settings

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from vidsleuth.core.panel import Panel

PixelFormat = Literal["gray", "rgb24"]


@dataclass(frozen=True, slots=True)
class Sampling:
    """Which frames a frame signal wants, and in what form.

    fps:            None for every frame, else at most this many frames per second of video time.
    keyframes_only: only frames the encoder marked as keyframes (I-frames).
    max_side:       downscale so that the longer side is at most this many pixels (None: native size).
    pixel_format:   "gray" (H x W uint8), "rgb24" (H x W x 3 uint8), or None when only timing is needed.
    """

    fps: float | None = None
    keyframes_only: bool = False
    max_side: int | None = 256
    pixel_format: PixelFormat | None = "gray"

    def __post_init__(self) -> None:
        if self.fps is not None and self.fps <= 0:
            raise ValueError(f"sampling fps must be positive, got {self.fps!r}")
        if self.max_side is not None and self.max_side < 16:
            raise ValueError(f"sampling max_side must be at least 16, got {self.max_side!r}")


ThumbnailMaker = Callable[[str, int, "tuple[int, int, int, int] | None"], Thumbnail]


@dataclass(frozen=True, slots=True)
class FrameSample:
    """One decoded frame as a frame signal sees it.

    `pixels` are converted to the signal's sampling when first read, and only then: a signal that is
    handed every frame but looks at few of them (a tracker that reads bursts) pays for the conversions
    it uses. The conversion is shared by every signal that asked for the same size and format."""

    index: int  # position in decode order of presentation, from 0
    time_s: float  # presentation time from the first frame
    is_keyframe: bool
    _pixels: Callable[[], npt.NDArray[np.uint8] | None] = field(repr=False, compare=False)
    _thumbnail: ThumbnailMaker = field(repr=False, compare=False)

    @property
    def pixels(self) -> npt.NDArray[np.uint8] | None:
        """The frame at the sampling's size and pixel format (None when the sampling asks for none)."""
        return self._pixels()

    def thumbnail(
        self, label: str, max_side: int = 320, box: tuple[int, int, int, int] | None = None
    ) -> Thumbnail:
        """A JPEG of this frame (or of `box` within it, in source pixels), for the report."""
        return self._thumbnail(label, max_side, box)


@dataclass(frozen=True, slots=True)
class DecodeStats:
    """What the shared decode saw, handed to frame signals in `finalize`."""

    frames_decoded: int = 0
    keyframes: int = 0
    first_time_s: float | None = None
    last_time_s: float | None = None
    frame_interval_min_s: float | None = None
    frame_interval_max_s: float | None = None
    frame_interval_median_s: float | None = None
    decode_errors: int = 0
    first_decode_error: str | None = None
    complete: bool = True  # False when decoding stopped before the end of the stream
    frame_size: tuple[int, int] | None = None  # of the first decoded frame (what every signal is scaled from)
    size_changes: tuple[tuple[float, int, int], ...] = ()  # (time_s, width, height) when the size changed
    stopped: str | None = None  # why decoding stopped early on purpose (a duration limit), in words


@dataclass(frozen=True, slots=True)
class AnalysisContext:
    source: SourceInfo
    media: MediaInfo
    settings: Settings = field(default_factory=Settings)
    decode: DecodeStats | None = None

    def with_decode(self, stats: DecodeStats) -> AnalysisContext:
        return replace(self, decode=stats)


class Signal(ABC):
    """A whole-file analysis. Subclasses set NAME (unique) and VERSION (bump when results change).

    OPTIONS: the signal's typed options class (`vidsleuth.core.options`); read them in `analyze` or
    `start` with ``MyOptions.of(ctx.settings, self.NAME)``.
    METRICS: the typed metrics class it writes (`vidsleuth.core.metrics`), or None when it writes none.
    EVIDENCE_NAMESPACE: the first part of its evidence codes, when it is not NAME.
    `panel()`: its section of the report (`vidsleuth.core.panel`), or None.
    """

    NAME: ClassVar[str]
    VERSION: ClassVar[str]
    DESCRIPTION: ClassVar[str] = ""
    OPTIONS: ClassVar[type[SignalOptions]] = NoOptions
    METRICS: ClassVar[type[SignalMetrics] | None] = None
    # Evidence codes are "<namespace>.<finding>"; the namespace is the signal's NAME unless it sets one
    # (provenance's findings are "c2pa.*").
    EVIDENCE_NAMESPACE: ClassVar[str | None] = None

    @classmethod
    def is_available(cls) -> tuple[bool, str]:
        """Whether this signal can run on this machine, and if not, why (naming the pip extra)."""
        return True, ""

    @classmethod
    def panel(cls) -> Panel | None:
        """The signal's report section; imported lazily so that running a signal never loads it."""
        return None

    @abstractmethod
    def analyze(self, ctx: AnalysisContext) -> SignalResult: ...


class FrameSignal(Signal):
    """An analysis fed by the shared decode. `analyze` is not used; the pipeline drives the three hooks."""

    def analyze(self, ctx: AnalysisContext) -> SignalResult:  # pragma: no cover - not called
        raise TypeError(f"{self.NAME} is a frame signal; the pipeline feeds it frames")

    @abstractmethod
    def sampling(self, ctx: AnalysisContext) -> Sampling:
        """The frames this signal needs for this video (may depend on its frame rate or size)."""

    def start(self, ctx: AnalysisContext) -> None:
        """Called once before the first frame."""

    @abstractmethod
    def process_frame(self, frame: FrameSample) -> None: ...

    @abstractmethod
    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        """Called once after the last frame; `ctx.decode` says what the decode saw."""
