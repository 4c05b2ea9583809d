"""The facts a batch reads out of one report: @handle, C2PA signer, bank matches, creation time, hashes.

Export, the HTML index and sibling discovery all need the same few facts from a `Report`, and each
lives in a different signal's metrics. This module reads them in one place, so the three readers agree
and a change to a signal's metrics is met here once. Entry points:

- `handle_of(report) -> HandleReading | None`: the watermark's @handle (the best-read detection's);
- `signer_of(report) -> SignerInfo | None`: the active C2PA manifest's signer, trust state, claim generator;
- `bank_matches_of(report) -> tuple[BankMatchInfo, ...]`: the fingerprint signal's bank matches;
- `creation_time_of(report) -> datetime | None`: the container's ``creation_time`` tag, when plausible;
- `fingerprint_of(report) -> VideoFingerprint | None`: the frame hashes the fingerprint signal stored.

Reading is tolerant: a report from another version, a hand-edited or a hostile one yields None or
defaults where a value does not fit, never an exception. The watermark and provenance metrics are read
from their stored JSON with type checks rather than through the signals' dataclasses: the watermark's
shape is still growing (handle support and runner-up arrived in 1.1; the evidence data is the fallback
for older reports), and a typed read of a whole C2PA manifest list costs more than the rest of an export
row. Bank matches are read through `FingerprintMetrics` (two match shapes, only when there are matches).
Every text here is attacker-controlled (a manifest can name any signer, a mark can be painted on):
callers escape it where it is shown.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.fingerprint.video import VideoFingerprint, fingerprint_from_report
from vidsleuth.signals.fingerprint.metrics import FingerprintMetrics, PhotoMatch, VideoMatch

# Creation times before this are a muxer's zero (1904 for QuickTime, 1970 for Unix), not a recording.
PLAUSIBLE_SINCE = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
HANDLE_EVIDENCE = ("watermark.generator_mark", "watermark.platform_label")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _list(value: Any) -> Sequence[Any]:
    return value if isinstance(value, Sequence) and not isinstance(value, str | bytes) else ()


def _ok(report: Report, signal: str) -> SignalResult | None:
    result = report.result(signal)
    return result if result is not None and result.status is Status.OK else None


# Watermark @handle --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HandleReading:
    """The @handle a watermark carried, as read (verbatim spelling) and how firmly."""

    handle: str  # as read, e.g. "@AndrewDefee"
    mark: str  # the catalogue key of the mark that carried it ("sora"); "" when unknown
    confidence: float | None = None  # best OCR confidence of that spelling
    support: int | None = None  # reads of exactly that spelling
    runner_up: str | None = None  # the next spelling read, when reads disagree
    runner_up_support: int | None = None

    @property
    def key(self) -> str:
        """The account the handle names: every platform that prints one in its mark (Sora; TikTok,
        Instagram, X and YouTube handles alike) treats handles case-insensitively, so the key is
        casefolded; the mark is part of it because one name on two platforms may be two accounts."""
        return f"{self.mark or 'unknown'}:{self.handle.casefold()}"

    def describe(self) -> str:
        out = f"handle {self.handle}"
        if self.confidence is not None:
            out += f" read at {self.confidence:.2f}"
        if self.support is not None:
            out += f" in {self.support} read{'s' if self.support != 1 else ''}"
        if self.runner_up:
            out += f" (also read as {self.runner_up}"
            out += f" ×{self.runner_up_support})" if self.runner_up_support else ")"
        return out


def _handle_from(d: Mapping[str, Any], mark: str) -> HandleReading | None:
    handle = _text(d.get("handle"))
    if handle is None:
        return None
    return HandleReading(
        handle=handle,
        mark=mark,
        confidence=_number(d.get("handle_confidence")),
        support=_count(d.get("handle_support")),
        runner_up=_text(d.get("handle_runner_up")),
        runner_up_support=_count(d.get("handle_runner_up_support")),
    )


def handle_of(report: Report) -> HandleReading | None:
    """The most confidently read @handle of any watermark detection, or None."""
    result = _ok(report, "watermark")
    if result is None:
        return None
    found: list[HandleReading] = []
    for det in _list(result.metrics.get("detections")):
        if isinstance(det, Mapping):
            reading = _handle_from(det, _text(det.get("mark")) or "")
            if reading is not None:
                found.append(reading)
    if not found:  # an older report: the handle is in the evidence data only
        for ev in result.evidence:
            if ev.code in HANDLE_EVIDENCE:
                reading = _handle_from(ev.data, _text(ev.data.get("mark")) or "")
                if reading is not None:
                    found.append(reading)
    if not found:
        return None
    return max(found, key=lambda r: (r.confidence or 0.0, r.support or 0))


# C2PA signer ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignerInfo:
    """Who signed the active C2PA manifest, whether a trust list vouches for them, and the tool named."""

    signer: str | None  # the certificate's common name, else its organisation
    issuer: str | None
    trust: str  # trusted | not_on_list | expired | revoked | not_checked | untrusted | unknown
    claim_generator: str | None

    @property
    def signer_key(self) -> str | None:
        if not self.signer and not self.issuer:
            return None
        return f"{(self.signer or '').casefold()}|{(self.issuer or '').casefold()}"

    @property
    def generator_key(self) -> str | None:
        return self.claim_generator.casefold() if self.claim_generator else None

    @property
    def signer_text(self) -> str:
        if self.signer and self.issuer and self.issuer != self.signer:
            return f"{self.signer} ({self.issuer})"
        return self.signer or self.issuer or ""


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def signer_of(report: Report) -> SignerInfo | None:
    """The active manifest's signer (else the first manifest's), or None without a manifest.

    Read from the stored JSON with type checks (the keys of `ProvenanceMetrics`): a typed read of every
    manifest costs four times the rest of an export row, and only these five values are needed."""
    result = _ok(report, "provenance")
    if result is None or result.metrics.get("manifest_present") is not True:
        return None
    manifests = [m for m in _list(result.metrics.get("manifests")) if isinstance(m, Mapping)]
    if not manifests:
        return None
    active_label = result.metrics.get("active_manifest")
    active = next((m for m in manifests if m.get("label") == active_label), manifests[0])
    signer = _mapping(active.get("signer"))
    trust = _text(_mapping(active.get("trust")).get("result"))
    if trust is None or trust == "not_checked":
        trust = _text(active.get("signer_trust")) or trust or "unknown"
    info = [t for t in _list(active.get("claim_generator_info")) if isinstance(t, str) and t]
    generator = _text(active.get("claim_generator")) or (", ".join(info) if info else None)
    common_name, issuer = _text(signer.get("common_name")), _text(signer.get("issuer"))
    return SignerInfo(signer=common_name or issuer, issuer=issuer, trust=trust, claim_generator=generator)


# Bank matches ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BankMatchInfo:
    """One banked item the fingerprint signal matched, with the numbers that bind it."""

    item_id: int | None
    label: str | None
    kind: str
    rule: str
    strength: float | None
    best_distance: int | None
    query_match_pct: float | None
    query_span: tuple[float, float] | None  # the first aligned stretch, seconds of this video
    source_url: str | None = None

    def describe(self) -> str:
        what = f"bank item #{self.item_id}" if self.item_id is not None else "a bank item"
        if self.label:
            what += f" ({self.label})"
        out = f"matches {what} by {self.rule or 'match'}"
        if self.query_span is not None:
            out += f" over {self.query_span[0]:.1f}–{self.query_span[1]:.1f} s"
        if self.query_match_pct is not None:
            out += f", {self.query_match_pct:.0f} % of frames"
        if self.best_distance is not None:
            out += f", best distance {self.best_distance}"
        return out


def bank_matches_of(report: Report) -> tuple[BankMatchInfo, ...]:
    """The bank matches the fingerprint signal reported, strongest first (its own order)."""
    result = _ok(report, "fingerprint")
    if result is None or not result.metrics.get("matches"):
        return ()
    metrics = result.metrics_as(FingerprintMetrics)
    out = []
    for m in metrics.matches:
        if not m.is_match:
            continue
        span = None
        distance = None
        pct = None
        if isinstance(m, VideoMatch):
            distance, pct = m.best_distance, m.query_match_pct
            first = next((s.query for s in m.segments if s.query is not None), None)
            span = (first.start_s, first.end_s) if first is not None else None
        elif isinstance(m, PhotoMatch) and m.times:
            span = (min(m.times), max(m.times))
        out.append(
            BankMatchInfo(m.item_id, m.label, m.kind, m.rule, m.strength, distance, pct, span, m.source_url)
        )
    return tuple(out)


# Creation time and fingerprint ----------------------------------------------------------------------


def _parse_time(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when if when >= PLAUSIBLE_SINCE else None


def creation_time_of(report: Report) -> dt.datetime | None:
    """The container's (else the video stream's) ``creation_time`` tag, or None when absent or a zero.

    The file declares it itself: an editor may rewrite it and anyone may forge it."""
    tags = [report.media.tags]
    video = report.media.video
    if video is not None:
        tags.append(video.tags)
    for t in tags:
        value = t.get("creation_time")
        if isinstance(value, str):
            when = _parse_time(value)
            if when is not None:
                return when
    return None


def fingerprint_of(report: Report) -> VideoFingerprint | None:
    """The frame hashes the fingerprint signal stored (None when it did not run, kept none, or they are
    malformed)."""
    result = _ok(report, "fingerprint")
    if result is None:
        return None
    try:
        fp = fingerprint_from_report({"results": [{"signal": "fingerprint", "metrics": result.metrics}]})
    except (ValueError, TypeError, KeyError):
        return None
    if fp is not None and result.metrics.get("kind") == "image":
        fp = replace(fp, kind="image", duration_s=None)
    return fp
