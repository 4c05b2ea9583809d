"""Options of the invisible signal: how many full-size frames to read, how many must carry a mark, and
the per-frame false-positive chance the match threshold is computed from (docs/signals/invisible.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

from vidsleuth.core.errors import ConfigError
from vidsleuth.core.options import SignalOptions


@dataclass(frozen=True, slots=True)
class InvisibleOptions(SignalOptions):
    frames: int = field(default=16, metadata={"help": "frames read at full size, spread over the video"})
    min_frames: int = field(default=2, metadata={"help": "frames that must carry a mark for a finding"})
    frame_alpha: float = field(
        default=1e-6, metadata={"help": "chance that one unmarked frame reaches the match threshold"}
    )

    def validate(self) -> Self:
        if not 1 <= self.frames <= 64:
            raise ConfigError(f"invisible.frames must be within [1, 64], got {self.frames}")
        if not 1 <= self.min_frames <= self.frames:
            raise ConfigError(
                f"invisible.min_frames must be within [1, frames={self.frames}], got {self.min_frames}"
            )
        if not 1e-12 <= self.frame_alpha <= 1e-3:
            raise ConfigError(f"invisible.frame_alpha must be within [1e-12, 1e-3], got {self.frame_alpha}")
        return self
