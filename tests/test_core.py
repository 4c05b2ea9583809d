"""Core types: validation, named constructors, JSON round trips; the registry's contract."""

from __future__ import annotations

import json
from typing import ClassVar

import pytest

from vidsleuth.core import (
    AnalysisContext,
    Evidence,
    Hypothesis,
    Report,
    SignalResult,
    Span,
    Stance,
    Status,
    Thumbnail,
)
from vidsleuth.core.media import MediaInfo, SourceInfo, StreamInfo
from vidsleuth.core.settings import Settings
from vidsleuth.core.signal import Signal
from vidsleuth.errors import InputError, RegistryError, VidsleuthError
from vidsleuth.fusion import fuse
from vidsleuth.registry import SignalRegistry


def test_evidence_rejects_out_of_range_strength() -> None:
    with pytest.raises(ValueError, match="within"):
        Evidence.supports("x.y", Hypothesis.AI_GENERATED, 1.5, "too strong")


def test_informational_evidence_has_zero_strength_and_others_do_not() -> None:
    with pytest.raises(ValueError, match="informational"):
        Evidence("x.y", Hypothesis.EDITED, Stance.INFORMATIONAL, 0.3, "no")
    with pytest.raises(ValueError, match="strength 0"):
        Evidence("x.y", Hypothesis.EDITED, Stance.SUPPORTS, 0.0, "no")


def test_evidence_code_must_be_namespaced() -> None:
    with pytest.raises(ValueError, match=r"signal\.finding"):
        Evidence.info("nodot", Hypothesis.EDITED, "x")


def test_span_validates_order() -> None:
    with pytest.raises(ValueError, match="ends before"):
        Span(3.0, 1.0)
    assert Span(1.0, 3.5).duration_s == 2.5


def test_strength_names_follow_the_scale() -> None:
    names = [
        Evidence.supports("a.b", Hypothesis.AI_GENERATED, s, "").strength_name for s in (0.95, 0.8, 0.5, 0.1)
    ]
    assert names == ["decisive", "strong", "moderate", "weak"]


def _report() -> Report:
    ev = Evidence.supports(
        "c2pa.ai_generated_assertion",
        Hypothesis.AI_GENERATED,
        0.95,
        "signed AI claim",
        span=Span(0.0, 2.0),
        data={"generator": "Sora (OpenAI)"},
    )
    thumb = Thumbnail("shot 1", 0.5, "AAAA", 16, 9, (0, 0, 16, 9))
    results = (
        SignalResult.ok("provenance", "1.0.0", [ev], {"manifest_present": True}, [thumb]),
        SignalResult.failed("shots", "1.0.0", "RuntimeError: boom"),
    )
    media = MediaInfo(
        "mov,mp4", 2.0, 1000, {"encoder": "x"}, (StreamInfo(0, "video", "h264", width=16, height=9),)
    )
    return Report(
        tool_version="0.1.0",
        created_at="2026-11-22T00:00:00+00:00",
        source=SourceInfo("a.mp4", "/tmp/a.mp4", 10, "0" * 64),
        media=media,
        settings=Settings().to_dict(),
        settings_digest=Settings().digest(),
        results=results,
        verdict=fuse(results),
    )


def test_report_round_trips_through_json() -> None:
    report = _report()
    blob = json.loads(json.dumps(report.to_dict()))
    again = Report.from_dict(blob)
    assert again.to_dict() == report.to_dict()
    assert again.verdict.attribution == "Sora (OpenAI)"
    assert again.result("shots") is not None
    assert again.signal_versions == {"provenance": "1.0.0", "shots": "1.0.0"}


def test_report_from_newer_major_schema_is_refused() -> None:
    blob = _report().to_dict()
    blob["schema_version"] = "2.0"
    with pytest.raises(ValueError, match="upgrade"):
        Report.from_dict(blob)


def test_settings_digest_changes_with_settings() -> None:
    assert Settings().digest() == Settings().digest()
    assert Settings().digest() != Settings(disable=("shots",)).digest()
    assert Settings(only=("a",)).wants("a")
    assert not Settings(only=("a",)).wants("b")
    assert not Settings(disable=("a",)).wants("a")


def test_errors_subclass_builtins() -> None:
    assert issubclass(InputError, ValueError)
    assert issubclass(InputError, VidsleuthError)


class _A(Signal):
    NAME: ClassVar[str] = "alpha"
    VERSION: ClassVar[str] = "1"

    def analyze(self, ctx: AnalysisContext) -> SignalResult:
        return SignalResult.ok(self.NAME, self.VERSION)


class _A2(_A):
    pass


def test_registry_rejects_duplicate_names() -> None:
    reg = SignalRegistry([_A])
    with pytest.raises(RegistryError, match="two signals are named 'alpha'"):
        reg.register(_A2)


def test_registry_rejects_nameless_and_unknown() -> None:
    class NoName(Signal):
        VERSION: ClassVar[str] = "1"

        def analyze(self, ctx: AnalysisContext) -> SignalResult:
            raise NotImplementedError

    with pytest.raises(RegistryError, match="NAME"):
        SignalRegistry([NoName])
    with pytest.raises(RegistryError, match="no signal named"):
        SignalRegistry([_A]).get("beta")


def test_registry_records_broken_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeEP:
        name = "broken"
        value = "nowhere:Nothing"

        def load(self) -> object:
            raise ImportError("no module named nowhere")

    monkeypatch.setattr("vidsleuth.registry.metadata.entry_points", lambda group: [FakeEP()])
    reg = SignalRegistry([_A])
    reg.load_entry_points()
    assert "broken" in reg.broken
    assert "ImportError" in reg.broken["broken"]
    assert reg.names() == ["alpha"]


def test_signal_result_constructors() -> None:
    assert SignalResult.skipped("a", "1", "off").status is Status.SKIPPED
    assert SignalResult.not_applicable("a", "1", "n/a").status is Status.NOT_APPLICABLE
    r = SignalResult.failed("a", "1", "boom").with_elapsed(1.5)
    assert r.status is Status.FAILED
    assert r.elapsed_s == 1.5
    assert r.error == "boom"
