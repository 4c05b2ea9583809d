"""Fusion policy rules@1: each rule, and the promise that weak hints alone never say "AI"."""

from __future__ import annotations

import itertools

import pytest

from vidsleuth.core import Evidence, Hypothesis, SignalResult, VerdictLabel
from vidsleuth.core.verdict import Confidence
from vidsleuth.fusion import fuse


def _ok(*evidence: Evidence, name: str = "s") -> SignalResult:
    return SignalResult.ok(name, "1", evidence)


def ai(strength: float, code: str = "x.ai", **data: object) -> Evidence:
    return Evidence.supports(code, Hypothesis.AI_GENERATED, strength, f"ai {strength}", data=data)


def test_nothing_found_is_no_indicators_with_caveat() -> None:
    v = fuse([_ok(Evidence.info("c2pa.no_manifest", Hypothesis.PROVENANCE_ATTESTED, "none"))])
    assert v.label is VerdictLabel.NO_INDICATORS
    assert v.confidence is Confidence.LOW
    assert any("does not prove" in c for c in v.caveats)


def test_decisive_ai_evidence_decides_and_is_cited() -> None:
    v = fuse([_ok(ai(0.95, "c2pa.ai_generated_assertion", generator="Sora (OpenAI)"), ai(0.2, "shots.x"))])
    assert v.label is VerdictLabel.AI_GENERATED
    assert v.confidence is Confidence.HIGH
    assert v.attribution == "Sora (OpenAI)"
    assert v.reasons[0].evidence_codes == ("c2pa.ai_generated_assertion",)
    assert "Sora" in v.headline


def test_partial_scope_gives_partly_ai() -> None:
    v = fuse([_ok(ai(0.95, "c2pa.composite_ai_assertion", scope="partial"))])
    assert v.label is VerdictLabel.PARTLY_AI_GENERATED


def test_strong_evidence_gives_likely() -> None:
    v = fuse([_ok(ai(0.8, "metadata.aigc_label"))])
    assert v.label is VerdictLabel.LIKELY_AI_GENERATED
    assert v.confidence is Confidence.MEDIUM


@pytest.mark.parametrize("n", [1, 3, 6])
def test_many_weak_and_moderate_hints_never_reach_an_ai_label(n: int) -> None:
    hints = [ai(s, f"h.{i}") for i, s in zip(range(n), itertools.cycle([0.6, 0.55, 0.3, 0.2]), strict=False)]
    v = fuse([_ok(*hints)])
    assert v.label is VerdictLabel.INCONCLUSIVE
    assert v.worth_checking
    assert v.scores["ai_generated"] > 0.5 or n == 1  # the score may be high; the label stays hedged


def test_conflict_between_decisive_findings_is_inconclusive() -> None:
    capture = Evidence.supports(
        "c2pa.capture_assertion", Hypothesis.PROVENANCE_ATTESTED, 0.92, "trusted capture"
    )
    v = fuse([_ok(ai(0.95), capture)])
    assert v.label is VerdictLabel.INCONCLUSIVE
    codes = {c for r in v.reasons for c in r.evidence_codes}
    assert {"x.ai", "c2pa.capture_assertion"} <= codes


def test_capture_claim_without_ai_hints_is_camera_original() -> None:
    untrusted = Evidence.supports("c2pa.capture_assertion", Hypothesis.PROVENANCE_ATTESTED, 0.6, "untrusted")
    v = fuse([_ok(untrusted)])
    assert v.label is VerdictLabel.CAMERA_ORIGINAL
    assert v.confidence is Confidence.LOW
    trusted = Evidence.supports("c2pa.capture_assertion", Hypothesis.PROVENANCE_ATTESTED, 0.92, "trusted")
    assert fuse([_ok(trusted)]).confidence is Confidence.HIGH
    # A moderate AI hint beside an untrusted capture claim: a person should look.
    assert fuse([_ok(untrusted, ai(0.5))]).label is VerdictLabel.INCONCLUSIVE


def test_strong_refutation_blocks_likely() -> None:
    against = Evidence.refutes("shots.long_continuous_shot", Hypothesis.AI_GENERATED, 0.75, "long shot")
    assert fuse([_ok(ai(0.8), against)]).label is VerdictLabel.INCONCLUSIVE


def test_failed_and_skipped_signals_become_caveats_and_their_evidence_is_ignored() -> None:
    failed = SignalResult.failed("provenance", "1", "RuntimeError: boom")
    skipped = SignalResult.skipped("shots", "1", "turned off in settings")
    v = fuse([failed, skipped])
    assert v.label is VerdictLabel.NO_INDICATORS
    assert any("provenance" in c and "boom" in c for c in v.caveats)
    assert any("shots" in c and "skipped" in c for c in v.caveats)


def test_edited_hints_alone_make_it_worth_checking() -> None:
    edited = Evidence.supports("shots.exceeds_one_generation", Hypothesis.EDITED, 0.35, "stitched?")
    v = fuse([_ok(edited)])
    assert v.label is VerdictLabel.INCONCLUSIVE
    assert v.worth_checking
    assert v.reasons[0].evidence_codes == ("shots.exceeds_one_generation",)
