"""Options of the fingerprint signal: sampling, match rules, and which bank of known videos to search."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from vidsleuth.core.errors import ConfigError
from vidsleuth.core.options import SignalOptions
from vidsleuth.fingerprint import thresholds as th


@dataclass(frozen=True, slots=True)
class FingerprintOptions(SignalOptions):
    bank: str | None = field(
        default=None,
        metadata={
            "env": "VIDSLEUTH_BANK",
            "help": "bank to search (SQLite file or database URL); default: the default bank file, if any",
        },
    )
    use_bank: bool = field(default=True, metadata={"help": "search a bank at all (--no-bank sets false)"})
    fps: float = field(default=th.QUERY_FPS, metadata={"help": "frames hashed per second"})
    max_side: int | None = field(default=th.SAMPLE_MAX_SIDE, metadata={"help": "longest side hashed (px)"})
    distance: int = field(default=th.PDQ_MATCH_DISTANCE, metadata={"help": "PDQ match distance (0..256)"})
    quality: int = field(default=th.PDQ_QUALITY_MIN, metadata={"help": "least PDQ quality used (0..100)"})
    keyframes: int = field(default=th.MAX_REPORT_KEYFRAMES, metadata={"help": "keyframes in the report"})
    hashes: bool = field(default=True, metadata={"help": "list every frame hash in the metrics"})
    photo_origin: bool = field(default=True, metadata={"help": "look for banked photos inside frames"})

    def validate(self) -> Self:
        if not 0 < self.fps <= 60:
            raise ConfigError(f"fingerprint.fps must be within (0, 60], got {self.fps}")
        if self.max_side is not None and self.max_side < 16:
            raise ConfigError(f"fingerprint.max_side must be at least 16, got {self.max_side}")
        if not 0 <= self.distance <= 256 or not 0 <= self.quality <= 100 or self.keyframes < 0:
            raise ConfigError("fingerprint: distance must be 0..256, quality 0..100 and keyframes >= 0")
        if not self.use_bank:
            return dataclasses.replace(self, bank=None)
        if self.bank:
            return self
        from vidsleuth.bank.db import default_bank_path

        default = default_bank_path()
        # The default bank is searched only when it exists: a user who never banked anything gets no
        # "bank not found" failure on every check.
        return dataclasses.replace(self, bank=str(default)) if Path(default).is_file() else self
