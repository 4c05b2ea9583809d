"""Options of the shots signal: the cut detector's main thresholds (docs/signals/shots.md explains each).

The defaults were tuned on the corpus and checked against PySceneDetect's ground truth; change them to
study a difficult video, not to make a finding appear."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

from vidsleuth.core.errors import ConfigError
from vidsleuth.core.options import SignalOptions


@dataclass(frozen=True, slots=True)
class ShotsOptions(SignalOptions):
    min_diff: float = field(default=12.0, metadata={"help": "score (mean difference at 64 px) a cut needs"})
    min_changed: float = field(default=0.25, metadata={"help": "fraction of pixels a cut must change"})
    contrast: float = field(
        default=2.5, metadata={"help": "how far a cut must stand out from its neighbours"}
    )
    min_shot_s: float = field(default=0.2, metadata={"help": "transitions closer than this are one"})

    def validate(self) -> Self:
        if not 0 < self.min_diff <= 255:
            raise ConfigError(f"shots.min_diff must be within (0, 255], got {self.min_diff}")
        if not 0 < self.min_changed <= 1:
            raise ConfigError(f"shots.min_changed must be within (0, 1], got {self.min_changed}")
        if not 1 <= self.contrast <= 100:
            raise ConfigError(f"shots.contrast must be within [1, 100], got {self.contrast}")
        if not 0 < self.min_shot_s <= 60:
            raise ConfigError(f"shots.min_shot_s must be within (0, 60], got {self.min_shot_s}")
        return self
