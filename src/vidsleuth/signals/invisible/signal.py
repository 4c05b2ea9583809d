"""The invisible signal: do the frames carry a public invisible mark that open generator code embeds?

Why it exists: Stable Diffusion 1 and 2, SDXL, Stable Video Diffusion and FLUX's reference code stamp
every output with a fixed payload through invisible-watermark's DWT-DCT method. Anything generated with
that code, or with software that keeps its watermark step, still carries it unless the file was
re-encoded hard, resized or cropped. Reading it costs little: a few frames, spread over the video, at full
resolution (any downscale destroys the mark), each decoded once by the shared decode and scored once for
all payloads (`dwtdct.py`, about 5 ms per megapixel).

A hit is strong evidence; a miss means nothing (findings.py). Video Seal and TrustMark are left out: their
decoders need network weights that no package ships (docs/signals/invisible.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vidsleuth.core.result import SignalResult
from vidsleuth.core.signal import AnalysisContext, FrameSample, FrameSignal, Sampling
from vidsleuth.signals.invisible import findings
from vidsleuth.signals.invisible.dwtdct import block_scores, matched_bits
from vidsleuth.signals.invisible.metrics import InvisibleMetrics, PayloadReading
from vidsleuth.signals.invisible.options import InvisibleOptions
from vidsleuth.signals.invisible.payloads import Payload, payloads

if TYPE_CHECKING:
    from vidsleuth.core.panel import Panel

MIN_SIDE = 256  # smaller frames give too few blocks per bit (the null was measured on larger ones)
FALLBACK_FPS = 2.0  # sampling rate when the container does not say how long the video is


class InvisibleSignal(FrameSignal):
    NAME = "invisible"
    VERSION = "1.0.0"
    DESCRIPTION = (
        "Public invisible marks of open generator code (SD, SDXL/SVD, FLUX DWT-DCT), full-size frames."
    )
    OPTIONS = InvisibleOptions
    METRICS = InvisibleMetrics

    def __init__(self) -> None:
        self._options = InvisibleOptions()
        self._payloads: tuple[Payload, ...] = ()
        self._matched: list[list[int]] = []
        self._times: list[float] = []
        self._size: tuple[int, int] | None = None
        self._small = 0

    @classmethod
    def panel(cls) -> Panel:
        from vidsleuth.signals.invisible.panel import InvisiblePanel

        return InvisiblePanel()

    def sampling(self, ctx: AnalysisContext) -> Sampling:
        frames = InvisibleOptions.of(ctx.settings, self.NAME).frames
        duration = ctx.media.duration_s
        fps = frames / duration if duration and duration > 0 else FALLBACK_FPS
        return Sampling(fps=fps, max_side=None, pixel_format="rgb24")

    def start(self, ctx: AnalysisContext) -> None:
        self._options = InvisibleOptions.of(ctx.settings, self.NAME)
        self._payloads = payloads()
        self._matched = [[] for _ in self._payloads]
        self._times, self._size, self._small = [], None, 0

    def process_frame(self, frame: FrameSample) -> None:
        if len(self._times) >= self._options.frames:
            return
        if frame.pixels is None:
            raise ValueError("the invisible signal needs pixels; the decoder sent none")
        height, width = frame.pixels.shape[:2]
        self._size = self._size or (width, height)
        if min(width, height) < MIN_SIDE:
            self._small += 1
            return
        scores = block_scores(frame.pixels)
        for matched, payload in zip(self._matched, self._payloads, strict=True):
            matched.append(matched_bits(scores, payload.bits))
        self._times.append(round(frame.time_s, 3))

    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        opts = self._options
        if not self._times:
            why = (
                f"the frames are {self._size[0]}x{self._size[1]}, smaller than the {MIN_SIDE} pixels a side "
                "the marks need"
                if self._small and self._size
                else "no frame was decoded"
            )
            return SignalResult.not_applicable(self.NAME, self.VERSION, why)
        frames = len(self._times)
        readings = []
        for matched, p in zip(self._matched, self._payloads, strict=True):
            need = p.threshold(opts.frame_alpha)
            hits = tuple(t for t, m in zip(self._times, matched, strict=True) if m >= need)
            readings.append(
                PayloadReading(
                    key=p.key,
                    name=p.name,
                    bits=len(p.bits),
                    threshold=need,
                    p_frame=p.p_frame(opts.frame_alpha),
                    matched=tuple(matched),
                    hit_times_s=hits,
                    best=max(matched, default=0),
                    result=findings.result_of(len(hits), min(opts.min_frames, frames)),
                )
            )
        need_frames = min(opts.min_frames, frames)
        worst, independent = findings.bounds(readings, frames, need_frames)
        evidence = findings.evidence(readings, {p.key: p for p in self._payloads}, frames, need_frames)
        width, height = self._size or (None, None)
        metrics = InvisibleMetrics(
            frames_read=frames,
            frame_times_s=tuple(self._times),
            width=width,
            height=height,
            min_frames=need_frames,
            frame_alpha=opts.frame_alpha,
            fp_bound=worst,
            fp_bound_independent=independent,
            payloads=tuple(readings),
        )
        return SignalResult.ok(self.NAME, self.VERSION, evidence, metrics)
