"""Options of the luma signal: what counts as "near black", and how often to sample."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

from vidsleuth.core.errors import ConfigError
from vidsleuth.core.options import SignalOptions


@dataclass(frozen=True, slots=True)
class LumaOptions(SignalOptions):
    black_level: float = field(
        default=16.0, metadata={"help": "mean grey level below which a frame is black"}
    )
    fps: float = field(default=2.0, metadata={"help": "frames sampled per second"})

    def validate(self) -> Self:
        if not 0 <= self.black_level <= 255:
            raise ConfigError(f"luma.black_level must be within [0, 255], got {self.black_level}")
        if not 0 < self.fps <= 30:
            raise ConfigError(f"luma.fps must be within (0, 30], got {self.fps}")
        return self
