"""What the shots signal measured: the shot list, the transitions and the frame-difference series."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vidsleuth.core.metrics import SignalMetrics


@dataclass(frozen=True, slots=True)
class ShotRow:
    """One continuous shot. `index` counts from 1, as in the report's labels."""

    index: int
    start_s: float
    end_s: float  # where the next shot starts (or the end of the video)
    duration_s: float = 0.0
    start_frame: int = 0
    end_frame: int = 0  # last frame of the shot (inclusive)
    transition: str = ""  # how it began: start | cut | fade
    black_s: float = 0.0  # time spent on black frames (fade ramps excluded)
    still: bool = False  # hardly any change from frame to frame

    def valid(self) -> bool:
        return 0.0 <= self.start_s <= self.end_s


@dataclass(frozen=True, slots=True)
class Fade:
    kind: str  # in | out | through
    start_s: float
    end_s: float

    def valid(self) -> bool:
        return 0.0 <= self.start_s <= self.end_s


@dataclass(frozen=True, slots=True)
class Series:
    """The frame-difference score over time, cut down to a few hundred points (each bin keeps its peak)."""

    time_s: tuple[float, ...] = ()
    score: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class ShotsMetrics(SignalMetrics):
    shots: tuple[ShotRow, ...] = ()
    cuts_s: tuple[float, ...] = ()
    fades: tuple[Fade, ...] = ()
    flashes_s: tuple[float, ...] = ()  # brief changes the flash test rejected as cuts
    score_series: Series = Series()
    threshold: float | None = None  # the score a cut must reach (min_diff)
    detector: Mapping[str, Any] = field(default_factory=dict)  # the detector's name and parameters
    sampling: Mapping[str, Any] = field(default_factory=dict)  # the frames it asked the decode for
    frames: int = 0
    frame_interval_s: float | None = None
