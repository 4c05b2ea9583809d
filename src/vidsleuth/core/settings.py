"""Settings for one analysis: which signals run, with which options, under which calibration.

A settings object is plain data, hashable into a digest so that (content sha256, settings digest,
signal versions) names one reproducible report. Files that change a report (a trust list, a calibration)
are identified in the digest by their content's sha256, which preparing the settings fills in.

`vidsleuth.pipeline.prepare_settings` checks a settings object once against the registry (unknown
signal names, each signal's options, the calibration file) and returns it with ``prepared=True``;
`analyze` prepares settings that are not, so every front end gets the same checks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vidsleuth.core.options import SignalOptions

# Frames with more pixels than this are refused (8192 x 8192: 8K video fits). A header that claims more
# is either hostile or broken; decoding it would exhaust memory.
DEFAULT_MAX_PIXELS = 8192 * 8192

OptionsValue = SignalOptions | Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Settings:
    only: tuple[str, ...] = ()  # run only these signals (empty: all available)
    disable: tuple[str, ...] = ()  # never run these
    max_pixels: int = DEFAULT_MAX_PIXELS  # per frame, as declared and as decoded
    max_duration_s: float | None = None  # decoding stops at this presentation time (None: no limit)
    thumbnails: bool = True  # embed keyframe thumbnails in the report
    # Per-signal options: the signal's typed options, or a mapping that preparing turns into them.
    options: Mapping[str, OptionsValue] = field(default_factory=dict)
    calibration: str | None = None  # calibration file (None: the shipped default, rules@1)
    calibration_sha256: str | None = None  # filled in when prepared; the digest uses it, not the path
    prepared: bool = field(default=False, compare=False)  # checked by `prepare_settings`

    def wants(self, signal: str) -> bool:
        if signal in self.disable:
            return False
        return not self.only or signal in self.only

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "only": list(self.only),
            "disable": list(self.disable),
            "max_pixels": self.max_pixels,
            "max_duration_s": self.max_duration_s,
            "thumbnails": self.thumbnails,
            "options": {
                name: value.to_dict() if isinstance(value, SignalOptions) else dict(value)
                for name, value in sorted(self.options.items())
            },
        }
        # Only when named, so that the default settings keep the digest they always had.
        if self.calibration or self.calibration_sha256:
            out["calibration"] = self.calibration
            out["calibration_sha256"] = self.calibration_sha256
        return out

    def digest(self) -> str:
        """A short stable hash of everything that can change a report.

        A file counts by its content: a calibration under another path gives the same digest, a replaced
        file a new one, so a cache keyed by the digest never mixes calibrations."""
        identity = self.to_dict()
        if self.calibration_sha256:
            identity.pop("calibration", None)
        blob = json.dumps(identity, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]
