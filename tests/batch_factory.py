"""Batch rows for the export, index and siblings tests: reports built from core types, the way the signals
write them, with the verdict from the real fusion policy.

- `watermark(handle=...)`: a Sora mark detection carrying an @handle, in the metrics and the evidence data
  (`legacy=True`: in the evidence only, as reports before the handle metrics had it);
- `provenance(signer=..., trust=..., generator=...)`: one active C2PA manifest;
- `fingerprinted(path)`: a real report of a real video through `analyze` with the fingerprint signal only;
- `report(results, ...)`, `row(name, position, report, ...)`: a Report and a done BatchRow around it.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from vidsleuth.batch.rows import BatchRow, RowStatus, UnitKey
from vidsleuth.core import (
    Evidence,
    Hypothesis,
    MediaInfo,
    Report,
    Settings,
    SignalResult,
    SourceInfo,
    Span,
    StreamInfo,
)
from vidsleuth.fusion import fuse
from vidsleuth.pipeline import analyze
from vidsleuth.registry import SignalRegistry
from vidsleuth.signals.fingerprint import FingerprintSignal

FINGERPRINT_ONLY = SignalRegistry([FingerprintSignal])
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def watermark(
    handle: str | None = "@AndrewDefee",
    *,
    confidence: float = 0.97,
    support: int = 12,
    runner_up: str | None = None,
    mark: str = "sora",
    legacy: bool = False,
) -> SignalResult:
    data: dict[str, Any] = {
        "mark": mark,
        "generator": "Sora (OpenAI)",
        "attribution_grade": True,
        "catalogue_verified": True,
        "geometry_matches": True,
        "handle": handle,
        "handle_confidence": confidence if handle else None,
        "handle_support": support if handle else None,
    }
    ev = Evidence.supports(
        "watermark.generator_mark",
        Hypothesis.AI_GENERATED,
        0.9,
        f"Sora mark with handle {handle}",
        span=Span(0.0, 5.0),
        data=data,
    )
    detection: dict[str, Any] = {
        "mark": mark,
        "name": "Sora watermark",
        "generator": "Sora (OpenAI)",
        "kind": "generator_mark",
        "text": "Sora",
        "confidence": 0.95,
        "handle": handle,
        "handle_confidence": confidence if handle else None,
        "handle_support": support if handle else None,
        "handle_runner_up": runner_up,
        "handle_runner_up_support": 1 if runner_up else None,
    }
    metrics = {"detections": [] if legacy else [detection], "frames_sampled": 30}
    return SignalResult.ok("watermark", "1.1", [ev], metrics).with_elapsed(0.8, 0.7)


def provenance(
    signer: str = "OpenAI Media Signer",
    issuer: str = "OpenAI",
    *,
    trust: str = "trusted",
    generator: str = "Sora/1.0",
) -> SignalResult:
    manifest = {
        "label": "urn:c2pa:1",
        "claim_generator": generator,
        "signer": {"issuer": issuer, "common_name": signer, "alg": "es256"},
        "actions": [{"action": "c2pa.created", "digital_source_type": IPTC + "trainedAlgorithmicMedia"}],
        "digital_source_types": [IPTC + "trainedAlgorithmicMedia"],
        "bindings_intact": True,
        "signer_trust": trust,
        "trust": {"result": trust},
    }
    metrics = {"manifest_present": True, "active_manifest": "urn:c2pa:1", "manifests": [manifest]}
    ev = Evidence.supports(
        "c2pa.ai_generated_assertion",
        Hypothesis.AI_GENERATED,
        0.95,
        "The C2PA manifest declares the video trainedAlgorithmicMedia.",
        data={"generator": "Sora (OpenAI)"},
    )
    return SignalResult.ok("provenance", "1.1", [ev], metrics).with_elapsed(0.05, 0.04)


def media(creation_time: str | None = None) -> MediaInfo:
    video = StreamInfo(0, "video", "h264", width=1280, height=720, frame_rate=30.0, duration_s=10.0)
    tags = {"creation_time": creation_time} if creation_time else {}
    return MediaInfo("mov,mp4,m4a,3gp,3g2,mj2", 10.0, 2_000_000, tags, (video,))


def report(
    results: list[SignalResult], name: str = "clip.mp4", *, creation_time: str | None = None
) -> Report:
    settings = Settings()
    return Report(
        tool_version="0.1.0",
        created_at="2025-01-02T03:04:05+00:00",
        source=SourceInfo(name, "", 1000, hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()),
        media=media(creation_time),
        settings=settings.to_dict(),
        settings_digest=settings.digest(),
        results=tuple(results),
        verdict=fuse(results),
        elapsed_s=2.5,
        timings={"open_s": 0.1, "decode_s": 1.9, "fuse_s": 0.01},
    )


def row(
    name: str,
    position: int,
    rep: Report | None,
    *,
    status: RowStatus = RowStatus.DONE,
    error: str | None = None,
    report_path: str | None = None,
) -> BatchRow:
    key = UnitKey(rep.source.sha256, rep.settings_digest, rep.tool_version) if rep else None
    return BatchRow(
        name=name,
        position=position,
        status=status,
        key=key,
        error=error,
        report=rep,
        report_path=report_path if report_path is not None else (f"reports/{position}.html" if rep else None),
        elapsed_s=rep.elapsed_s if rep else None,
        attempts=1,
    )


def fingerprinted(path: Path, *, creation_time: str | None = None) -> Report:
    """A real report of `path` with the fingerprint signal only (no bank: the machine's must not leak in)."""
    settings = Settings(options={"fingerprint": {"use_bank": False}}, thumbnails=False)
    rep = analyze(path, settings, registry=FINGERPRINT_ONLY)
    if creation_time:
        rep = replace(rep, media=replace(rep.media, tags={**rep.media.tags, "creation_time": creation_time}))
    return rep
