"""What the luma signal stores in a report: the sampled brightness series and its summary."""

from __future__ import annotations

from dataclasses import dataclass

from vidsleuth.core.metrics import SignalMetrics


@dataclass(frozen=True, slots=True)
class LumaMetrics(SignalMetrics):
    time_s: tuple[float, ...] = ()
    mean_luma: tuple[float, ...] = ()  # 0..255, one value per sampled frame
    black_share: float | None = None  # share of sampled frames below the black level
    black_level: float = 16.0
