"""Signal `motion`: does camera and subject motion look filmed, or "too perfect, too linear"?

Seed case 003 described Sora 2 output as "an excessive perfection in the images and an excessively linear
cadence of movement". This signal turns that impression into measurements on the shared decode, cheap
enough for a CPU (about 10 grey frames per second, optical flow at 320 px):

- camera motion from DIS dense optical flow: shake around the smoothed path (hand-held cameras shake,
  generated "hand-held" moves often glide), straightness of the path, share of constant-velocity motion;
- the frames' trajectory in a small image space: turning angle (after ReStraV's "perceptual
  straightening" measures, on a cheap pixel embedding instead of DINOv2) and regularity of its pace;
- noise and texture: sensor-like grain in flat regions, its consistency over time and across the frame,
  grain in low light, and shimmer of fine texture where nothing moves.

Every measurement becomes a *learned* finding (``data["learned"] = True`` with its measured
``data["value"]``), emitted informational: the pipeline weighs it with the run's calibration
(`vidsleuth.fusion.calibration.reweigh`), fitted on labelled videos with held-out checks, before fusion.
The shipped default calibration learns none, so by default every motion finding stays informational:
shown with its plot and sentence, never weighed. No strength here is guessed. docs/signals/motion.md has
the features, their sources and their limits.

Metrics: `MotionMetrics` (signals/motion/metrics.py; documented in docs/signals/motion.md): ``features``
(name -> number or None when it does not apply), ``feature_directions``, ``panels`` (per feature: title,
unit, value, sentence, evidence code and a time series of at most 300 points), ``camera_spectrum``. The
report section is `signals/motion/panel.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from vidsleuth.core.evidence import Evidence, Hypothesis, Span
from vidsleuth.core.result import SignalResult
from vidsleuth.core.signal import AnalysisContext, FrameSample, FrameSignal, Sampling
from vidsleuth.signals.motion.features import (
    BY_KEY,
    FEATURES,
    SERIES_SHOWS,
    FloatArray,
    downsample,
    sentence,
    summarise,
)
from vidsleuth.signals.motion.meter import NOISE_SIDE, MotionMeter
from vidsleuth.signals.motion.metrics import Bands, FeaturePanel, MotionMetrics, Series, Spectrum

if TYPE_CHECKING:
    from vidsleuth.core.panel import Panel

MIN_SIDE = 32  # smaller frames carry too little for flow and noise estimates
SAMPLE_FPS = 6.0  # grey frames analysed per second (Nyquist 3 Hz covers walking shake, 1-3 Hz)
CAMERA_FEATURES = ("camera_shake", "path_straightness", "constant_velocity_share")
MAX_CUTS = 500  # cut times kept in the metrics


def _series(time_s: FloatArray, values: FloatArray) -> Series:
    """A measurement's series as the metrics keep it: at most SERIES_POINTS time-binned means."""
    d = downsample(time_s, values)
    return Series(time_s=tuple(d["time_s"]), value=tuple(d["value"]))


class MotionSignal(FrameSignal):
    NAME: ClassVar[str] = "motion"
    VERSION: ClassVar[str] = "1.0.0"
    DESCRIPTION: ClassVar[str] = "Camera shake and path, frame-trajectory curvature, sensor noise and flicker"
    METRICS = MotionMetrics

    def __init__(self) -> None:
        self._meter = MotionMeter()
        self._too_small = 0

    @classmethod
    def is_available(cls) -> tuple[bool, str]:
        try:
            import cv2  # noqa: F401
        except ImportError:
            return False, "needs OpenCV: pip install opencv-python-headless"
        return True, ""

    @classmethod
    def panel(cls) -> Panel:
        from vidsleuth.signals.motion.panel import MotionPanel

        return MotionPanel()

    def sampling(self, ctx: AnalysisContext) -> Sampling:
        video = ctx.media.video
        native = video.frame_rate if video is not None and video.frame_rate else SAMPLE_FPS
        return Sampling(fps=min(SAMPLE_FPS, native), max_side=NOISE_SIDE, pixel_format="gray")

    def process_frame(self, frame: FrameSample) -> None:
        if frame.pixels is None:
            return
        if min(frame.pixels.shape[:2]) < MIN_SIDE:
            self._too_small += 1
            return
        self._meter.add(frame.pixels, frame.time_s)

    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        series = self._meter.series
        if self._too_small and len(series) < 3:
            return SignalResult.not_applicable(
                self.NAME,
                self.VERSION,
                f"frames smaller than {MIN_SIDE} px carry too little to measure motion",
            )
        if len(series) < 3:
            return SignalResult.not_applicable(
                self.NAME, self.VERSION, f"too few frames to measure motion ({len(series)} sampled)"
            )
        summary = summarise(series)
        evidence: list[Evidence] = []
        panels: list[FeaturePanel] = []
        for f in FEATURES:
            value = summary.features.get(f.key)
            text = sentence(f, value)
            t, v = summary.series.get(f.key, (None, None))
            shows, in_value_unit = SERIES_SHOWS[f.key]
            panels.append(
                FeaturePanel(
                    title=f.title,
                    feature=f.key,
                    code=f"motion.{f.key}",
                    unit=f.unit,
                    value=None if value is None else round(value, 4),
                    direction=f.direction,
                    sentence=text,
                    series=_series(t, v) if t is not None and v is not None else None,
                    series_shows=shows,
                    series_in_value_unit=in_value_unit,
                    bands=Bands(f.low, f.high),
                )
            )
            if value is None:
                continue
            span = None
            if f.key in CAMERA_FEATURES and summary.moving_span is not None:
                span = Span(*summary.moving_span)
            raw = Evidence.info(
                f"motion.{f.key}",
                Hypothesis.AI_GENERATED,
                text,
                span=span,
                data={"learned": True, "feature": f.key, "value": round(value, 6), "direction": f.direction},
            )
            evidence.append(raw)
        if summary.features.get("camera_shake") is None:
            evidence.append(
                Evidence.info(
                    "motion.static_camera",
                    Hypothesis.AI_GENERATED,
                    f"The camera moves in only {summary.moving_share:.0%} of the sampled time, too little "
                    "for the camera-path measures (shake, straightness, steady speed) to apply.",
                    data={"moving_share": round(summary.moving_share, 3)},
                )
            )
        cuts = [t for t, c in zip(series.time_s, series.cut, strict=True) if c]
        spectrum = None
        if summary.spectrum is not None:
            freqs, power = summary.spectrum
            spectrum = Spectrum(
                freq_hz=tuple(round(float(x), 3) for x in freqs),
                power=tuple(float(f"{float(p):.4g}") for p in power),
            )
        metrics = MotionMetrics(
            sample_fps=round(summary.fps, 3),
            frames_analysed=len(series),
            frame_size=tuple(self._meter.frame_size),
            flow_size=tuple(self._meter.flow_size),
            camera_moving_share=round(summary.moving_share, 4),
            cuts_s=tuple(round(t, 3) for t in cuts[:MAX_CUTS]),
            features={k: (None if v is None else round(v, 6)) for k, v in summary.features.items()},
            feature_directions={f.key: f.direction for f in FEATURES},
            panels=tuple(panels),
            camera_speed=_series(*summary.series["camera_speed"]),
            camera_spectrum=spectrum,
        )
        return SignalResult.ok(self.NAME, self.VERSION, evidence, metrics)


__all__ = ["BY_KEY", "MotionSignal"]
