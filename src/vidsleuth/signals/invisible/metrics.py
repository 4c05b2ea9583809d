"""What the invisible signal measured: per public payload, the bits each full-size frame reproduces, the
threshold a frame needs, and the false-positive chances the decision rests on."""

from __future__ import annotations

from dataclasses import dataclass

from vidsleuth.core.metrics import SignalMetrics


@dataclass(frozen=True, slots=True)
class PayloadReading:
    key: str = ""  # sd1 | sd2 | sgm | flux
    name: str = ""
    bits: int = 0
    threshold: int = 0  # matched bits a frame needs
    p_frame: float = 0.0  # chance an unmarked frame reaches it (bits as fair coins)
    matched: tuple[int, ...] = ()  # matched bits per frame read, in order
    hit_times_s: tuple[float, ...] = ()  # times of the frames that reached the threshold
    best: int = 0
    result: str = "none"  # found | one_frame | none


@dataclass(frozen=True, slots=True)
class InvisibleMetrics(SignalMetrics):
    frames_read: int = 0
    frame_times_s: tuple[float, ...] = ()
    width: int | None = None
    height: int | None = None
    min_frames: int = 2
    frame_alpha: float = 1e-6
    # Chance that an unmarked video gives a finding, over all payloads: `fp_bound` holds whatever the
    # dependence between frames (Markov: frames x p / min_frames); `fp_bound_independent` if they were
    # independent (union bound over pairs).
    fp_bound: float | None = None
    fp_bound_independent: float | None = None
    payloads: tuple[PayloadReading, ...] = ()
