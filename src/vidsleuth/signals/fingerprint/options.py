"""Options of the fingerprint signal: sampling, match rules, which bank of known videos to search, and how
its hash index is laid out (one index, or shards searched in parallel: vidsleuth.fingerprint.index_choice).

The index layout changes memory and speed, never a match, so it is left out of `to_dict`: the settings
digest (a batch's unit key, a report's settings) stays the same whatever the layout.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from vidsleuth.core.errors import ConfigError
from vidsleuth.core.options import SignalOptions
from vidsleuth.fingerprint import thresholds as th
from vidsleuth.fingerprint.index_choice import ENV_BACKEND, ENV_SHARDS, IndexBackend, IndexChoice

_LAYOUT_ONLY = ("index_shards", "index_backend")  # not in to_dict (see the module docstring)


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
    index_shards: int = field(
        default=0,
        metadata={
            "env": ENV_SHARDS,
            "help": "split the bank's hash index into this many shards searched in parallel (0 or 1: one "
            "index); same matches, for banks too big for one index",
        },
    )
    index_backend: IndexBackend = field(
        default="threads",
        metadata={"env": ENV_BACKEND, "help": "where shards run: threads (this process) or ray (actors)"},
    )

    @property
    def index_choice(self) -> IndexChoice:
        return IndexChoice(self.index_shards, self.index_backend)

    def to_dict(self) -> dict[str, Any]:
        out = SignalOptions.to_dict(self)
        for name in _LAYOUT_ONLY:
            out.pop(name, None)
        return out

    def validate(self) -> Self:
        if not 0 < self.fps <= 60:
            raise ConfigError(f"fingerprint.fps must be within (0, 60], got {self.fps}")
        if self.max_side is not None and self.max_side < 16:
            raise ConfigError(f"fingerprint.max_side must be at least 16, got {self.max_side}")
        if not 0 <= self.distance <= 256 or not 0 <= self.quality <= 100 or self.keyframes < 0:
            raise ConfigError("fingerprint: distance must be 0..256, quality 0..100 and keyframes >= 0")
        try:
            self.index_choice.check_available()
        except ConfigError as exc:
            raise ConfigError(f"fingerprint: {exc}") from None
        if not self.use_bank:
            return dataclasses.replace(self, bank=None)
        if self.bank:
            return self
        from vidsleuth.bank.db import default_bank_path

        default = default_bank_path()
        # The default bank is searched only when it exists: a user who never banked anything gets no
        # "bank not found" failure on every check.
        return dataclasses.replace(self, bank=str(default)) if Path(default).is_file() else self
