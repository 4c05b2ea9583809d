"""What the motion signal measured: one number per feature, its plotted series and its sentence, the
camera's speed and shake spectrum. The signal writes `MotionMetrics`; the report panel reads it back.

The JSON keys are the ones the signal has always written (docs/signals/motion.md, "Metrics"), so stored
reports read back unchanged. ``features`` is the per-video mapping calibration fits on
(`vidsleuth.fusion.features` reads ``metrics["features"]`` by name).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from vidsleuth.core.metrics import SignalMetrics


@dataclass(frozen=True, slots=True)
class Series:
    """A measurement over time: at most a few hundred (time, value) pairs, time-binned means."""

    time_s: tuple[float, ...] = ()
    value: tuple[float, ...] = ()

    def valid(self) -> bool:
        # Times and values pair up by position: a series that lost an entry on one side cannot be drawn.
        return len(self.time_s) == len(self.value)


@dataclass(frozen=True, slots=True)
class Bands:
    """The values below which and above which a feature's sentence calls it low or high (wording only)."""

    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class FeaturePanel:
    """One measurement as the report shows it: value, sentence, evidence code and series."""

    title: str
    feature: str = ""
    code: str = ""  # the evidence code of its finding ("motion.<feature>")
    unit: str = ""
    value: float | None = None  # None: does not apply to this video
    direction: int = 0  # +1: higher looks more generated; -1: lower does (a hypothesis)
    sentence: str = ""
    series: Series | None = None
    series_shows: str = ""  # what the series plots, in words (empty: not said)
    series_in_value_unit: bool = False  # only then may a plot shade the value's band
    bands: Bands = Bands()

    def valid(self) -> bool:
        return bool(self.title)


@dataclass(frozen=True, slots=True)
class Spectrum:
    """Power of the camera shake by frequency, over 2-s windows."""

    freq_hz: tuple[float, ...] = ()
    power: tuple[float, ...] = ()

    def valid(self) -> bool:
        return len(self.freq_hz) == len(self.power)


@dataclass(frozen=True, slots=True)
class MotionMetrics(SignalMetrics):
    sample_fps: float | None = None  # grey frames analysed per second of video
    frames_analysed: int = 0
    frame_size: tuple[int, ...] = ()  # width, height of the frames measured for noise
    flow_size: tuple[int, ...] = ()  # width, height at which optical flow ran
    camera_moving_share: float | None = None  # share of sampled steps with the camera moving
    cuts_s: tuple[float, ...] = ()  # cuts found by the layout test (at most 500)
    features: Mapping[str, float | None] = field(default_factory=dict)  # None: does not apply
    feature_directions: Mapping[str, int] = field(default_factory=dict)
    panels: tuple[FeaturePanel, ...] = ()  # one per measurement, in the features' order
    camera_speed: Series | None = None  # px/s@320
    camera_spectrum: Spectrum | None = None
