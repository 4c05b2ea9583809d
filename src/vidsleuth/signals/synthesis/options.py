"""Options of the synthesis signal: how many windows to look at.

Where the built backbone is kept is not an option (it would change the settings digest without changing
any result): `$VIDSLEUTH_MODEL_CACHE`, else `~/.cache/vidsleuth/models` (`backbone.py`). The sampling
itself (about 8 samples a second, 16 per window) is not an option: it is what the head was validated with
(`windows.py`). Fewer windows cost less and measure less; more cost more (each window is
16 backbone runs, about 0.15 s of CPU).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

from vidsleuth.core.errors import ConfigError
from vidsleuth.core.options import SignalOptions
from vidsleuth.signals.synthesis.windows import MAX_WINDOWS

WINDOWS_LIMIT = 24


@dataclass(frozen=True, slots=True)
class SynthesisOptions(SignalOptions):
    max_windows: int = field(
        default=MAX_WINDOWS,
        metadata={
            "help": f"windows of 16 samples (~2 s) measured per video, spread evenly (validated: "
            f"{MAX_WINDOWS})"
        },
    )

    def validate(self) -> Self:
        if not 1 <= self.max_windows <= WINDOWS_LIMIT:
            raise ConfigError(
                f"synthesis.max_windows must be within [1, {WINDOWS_LIMIT}], got {self.max_windows}"
            )
        return self
