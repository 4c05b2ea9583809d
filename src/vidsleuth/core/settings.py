"""Settings for one analysis: which signals run, with which options, under which calibration.

A settings object is plain data, hashable into a digest so that (content sha256, settings digest,
signal versions) names one reproducible report. Files that change a report (a trust list, a calibration)
are identified in the digest by their content's sha256, which the pipeline fills in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Frames with more pixels than this are refused before decoding (8192 x 8192: 8K video fits).
# A header that claims more is either hostile or broken; decoding it would exhaust memory.
DEFAULT_MAX_PIXELS = 8192 * 8192


@dataclass(frozen=True, slots=True)
class Settings:
    only: tuple[str, ...] = ()  # run only these signals (empty: all available)
    disable: tuple[str, ...] = ()  # never run these
    trust_anchors: str | None = None  # PEM file of C2PA trust anchors
    trust_anchors_sha256: str | None = None  # filled in by the pipeline, so the digest follows the content
    max_pixels: int = DEFAULT_MAX_PIXELS
    thumbnails: bool = True  # embed keyframe thumbnails in the report
    signal_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    calibration: str | None = None  # calibration file (None: the shipped default, rules@1)
    calibration_sha256: str | None = None  # filled in by the pipeline; the digest uses it, not the path

    def options_for(self, signal: str) -> Mapping[str, Any]:
        return self.signal_options.get(signal, {})

    def wants(self, signal: str) -> bool:
        if signal in self.disable:
            return False
        return not self.only or signal in self.only

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "only": list(self.only),
            "disable": list(self.disable),
            "trust_anchors": self.trust_anchors,
            "trust_anchors_sha256": self.trust_anchors_sha256,
            "max_pixels": self.max_pixels,
            "thumbnails": self.thumbnails,
            "signal_options": {k: dict(v) for k, v in sorted(self.signal_options.items())},
        }
        # Only when named, so that the default settings keep the digest they always had.
        if self.calibration or self.calibration_sha256:
            out["calibration"] = self.calibration
            out["calibration_sha256"] = self.calibration_sha256
        return out

    def digest(self) -> str:
        """A short stable hash of everything that can change a report.

        A calibration counts by its content: the same file under another path gives the same digest, a
        replaced file a new one, so a cache keyed by the digest never mixes calibrations."""
        identity = self.to_dict()
        if self.calibration_sha256:
            identity.pop("calibration", None)
        blob = json.dumps(identity, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]
