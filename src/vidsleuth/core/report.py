"""Report: everything one analysis produced, in a versioned shape that can be stored and compared.

The JSON schema is documented in docs/report-schema.md. Bump SCHEMA_VERSION's minor number when fields
are added and its major number when a field changes meaning or disappears.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vidsleuth.core.evidence import Evidence
from vidsleuth.core.media import MediaInfo, SourceInfo
from vidsleuth.core.result import SignalResult
from vidsleuth.core.verdict import Verdict

SCHEMA_VERSION = "1.2"


@dataclass(frozen=True, slots=True)
class Report:
    tool_version: str
    created_at: str  # ISO 8601, UTC
    source: SourceInfo
    media: MediaInfo
    settings: Mapping[str, Any]
    settings_digest: str
    results: tuple[SignalResult, ...]
    verdict: Verdict
    elapsed_s: float = 0.0
    schema_version: str = SCHEMA_VERSION
    annotations: Mapping[str, Any] = field(default_factory=dict)
    # Wall seconds of the shared stages: open_s (hash and probe), decode_s (the shared decode, including
    # the frame signals' work on each frame), fuse_s. Each signal's own time is in its result.
    timings: Mapping[str, float] = field(default_factory=dict)
    # Since 1.2: what the configured bank holds that shares this video's provenance (handle, signer,
    # generator) and what it knows of the items the fingerprint matched (vidsleuth.related); None when
    # no bank was configured.
    related: Mapping[str, Any] | None = None

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return tuple(e for r in self.results for e in r.evidence)

    def result(self, signal: str) -> SignalResult | None:
        for r in self.results:
            if r.signal == signal:
                return r
        return None

    @property
    def signal_versions(self) -> dict[str, str]:
        return {r.signal: r.signal_version for r in self.results}

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "tool": {"name": "vidsleuth", "version": self.tool_version},
            "created_at": self.created_at,
            "elapsed_s": round(self.elapsed_s, 3),
            "timings": dict(self.timings),
            "source": self.source.to_dict(),
            "media": self.media.to_dict(),
            "settings": dict(self.settings),
            "settings_digest": self.settings_digest,
            "signal_versions": self.signal_versions,
            "verdict": self.verdict.to_dict(),
            "results": [r.to_dict() for r in self.results],
            "annotations": dict(self.annotations),
            "related": dict(self.related) if self.related is not None else None,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Report:
        major = str(d.get("schema_version", "")).split(".")[0]
        if major != SCHEMA_VERSION.split(".")[0]:
            raise ValueError(
                f"report schema {d.get('schema_version')!r} is not readable by this version "
                f"(reads {SCHEMA_VERSION.split('.')[0]}.x); upgrade vidsleuth"
            )
        return cls(
            tool_version=str(d["tool"]["version"]),
            created_at=str(d["created_at"]),
            source=SourceInfo.from_dict(d["source"]),
            media=MediaInfo.from_dict(d["media"]),
            settings=dict(d.get("settings") or {}),
            settings_digest=str(d.get("settings_digest", "")),
            results=tuple(SignalResult.from_dict(r) for r in d.get("results") or ()),
            verdict=Verdict.from_dict(d["verdict"]),
            elapsed_s=float(d.get("elapsed_s") or 0.0),
            schema_version=str(d["schema_version"]),
            annotations=dict(d.get("annotations") or {}),
            related=dict(d["related"]) if isinstance(d.get("related"), Mapping) else None,
            timings={
                str(k): float(v)
                for k, v in (d["timings"] if isinstance(d.get("timings"), Mapping) else {}).items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            },
        )
