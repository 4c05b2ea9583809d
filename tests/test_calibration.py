"""Calibration: the fit recovers a real signal, reports only held-out metrics, and the policy stays hedged."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from vidsleuth import stats
from vidsleuth.core import Evidence, Hypothesis, SignalResult, Stance, VerdictLabel
from vidsleuth.fusion import rules, weigh_and_fuse
from vidsleuth.fusion.calibrated import POLICY, predict
from vidsleuth.fusion.calibrated import fuse as fuse_with
from vidsleuth.fusion.calibration import (
    SCHEMA_VERSION,
    Calibration,
    CalibrationError,
    LearnedStrength,
    default_calibration,
    learned,
    load_calibration,
    parse_calibration,
    write_calibration,
)
from vidsleuth.fusion.fitting import (
    MODERATE_CAP,
    FitError,
    LabelledResults,
    choose_threshold,
    fit_calibration,
    group_folds,
)


def probe(values: dict[str, float], *, learned_value: float | None = None) -> SignalResult:
    """A signal that publishes measurements (like `motion`), optionally with one learned finding."""
    evidence = []
    if learned_value is not None:
        evidence.append(
            Evidence.info(
                "probe.x",
                Hypothesis.AI_GENERATED,
                "x",
                data={"learned": True, "feature": "x", "value": learned_value},
            )
        )
    return SignalResult.ok("probe", "1.0", evidence, {"features": values})


def hint(strength: float) -> SignalResult:
    ev = [Evidence.supports("hint.h", Hypothesis.AI_GENERATED, strength, "a hint")] if strength > 0 else []
    return SignalResult.ok("hint", "1.0", ev)


def rows_from(x: np.ndarray, y: np.ndarray, noise: np.ndarray | None = None) -> list[LabelledResults]:
    out = []
    for i, (xi, yi) in enumerate(zip(x, y, strict=True)):
        feats = {"x": float(xi)}
        if noise is not None:
            feats.update({f"n{j}": float(v) for j, v in enumerate(noise[i])})
        results = (probe(feats, learned_value=float(xi)), hint(0.3 if i % 3 == 0 else 0.0))
        out.append(LabelledResults(f"{i:064x}", "ai" if yi else "real", int(yi), results))
    return out


def test_fit_recovers_an_informative_measurement() -> None:
    rng = np.random.default_rng(0)
    y = np.r_[np.ones(60), np.zeros(60)]
    x = np.where(y == 1, rng.normal(1.5, 1, 120), rng.normal(-1.5, 1, 120))
    cal = fit_calibration(rows_from(x, y, rng.normal(0, 1, (120, 3))), name="synthetic")
    assert cal.policy == POLICY and cal.model is not None
    names = [f.name for f in cal.model.features]
    weights = dict(zip(names, cal.model.weights, strict=True))
    assert weights["metric:probe.x"] > 0
    assert weights["metric:probe.x"] > 3 * max(abs(weights[f"metric:probe.n{j}"]) for j in range(3))
    assert cal.heldout["auc"]["value"] > 0.9
    assert (
        0.9 <= cal.model.likely_threshold <= 1.0
        and 0.5 <= cal.model.check_threshold <= cal.model.likely_threshold
    )
    strength = cal.evidence_strengths["probe.x"]
    assert strength.slope > 0
    assert 0 < strength.max_strength <= MODERATE_CAP < 0.7  # one measurement is never "strong"
    assert cal.fitted_on["positives"] == 60 and len(cal.fitted_on["videos"]) == 120


def test_heldout_metrics_are_not_training_metrics() -> None:
    """Pure noise: the final model fits its training data well, but the reported AUC is near chance."""
    rng = np.random.default_rng(1)
    y = np.r_[np.ones(20), np.zeros(20)]
    noise = rng.normal(0, 1, (40, 25))
    rows = rows_from(rng.normal(0, 1, 40), y, noise)
    cal = fit_calibration(rows, name="noise", l2=0.01)
    assert cal.model is not None
    in_sample = [predict(cal.model, r.results)[0] for r in rows]
    assert stats.auc(in_sample, y.astype(int).tolist()) > 0.95  # memorised
    held = cal.heldout["auc"]
    assert held["value"] < 0.8
    assert held["low"] < 0.5 < held["high"]
    assert cal.evidence_strengths["probe.x"].max_strength == 0.0  # not supported: stays informational
    assert cal.allow_likely_ai is False


def test_likely_ai_needs_many_heldout_negatives() -> None:
    y = np.r_[np.ones(20), np.zeros(20)]
    x = np.where(y == 1, 5.0, -5.0) + np.linspace(0, 0.1, 40)
    cal = fit_calibration(rows_from(x, y), name="separable")
    assert cal.heldout["auc"]["value"] == 1.0
    assert cal.allow_likely_ai is False  # 20 negatives cannot show a false-positive rate <= 5 %


def test_fit_refuses_too_little_data() -> None:
    with pytest.raises(FitError, match="at least 2 distinct videos of each class"):
        fit_calibration(rows_from(np.array([1.0, 2.0, 3.0]), np.array([1, 1, 0])), name="x")


def test_group_folds_keep_groups_together_and_stratify() -> None:
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 1, 0], dtype=float)
    groups = ["a", "a", "b", "c", "d", "d", "e", "f", "g", "h"]
    folds = group_folds(y, groups, 3, seed=0)
    assert sorted(int(i) for f in folds for i in f) == list(range(10))
    for f in folds:
        assert set(y[f].tolist()) == {0.0, 1.0}
        for g in set(groups):
            members = {i for i, gg in enumerate(groups) if gg == g}
            assert members <= set(f.tolist()) or not members & set(f.tolist())


def test_choose_threshold() -> None:
    neg = np.array([0.1, 0.2, 0.93, 0.5])
    assert choose_threshold(neg, 0.0, 0.9) == pytest.approx(0.93 + 1e-6)
    assert choose_threshold(neg, 0.25, 0.9) == 0.9  # one of four may pass: the floor holds
    assert choose_threshold(np.array([]), 0.01, 0.9) == 0.9


# Files -------------------------------------------------------------------------------------------------


def test_write_and_load_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    y = np.r_[np.ones(10), np.zeros(10)]
    cal = fit_calibration(rows_from(rng.normal(0, 1, 20) + y, y), name="rt")
    path = write_calibration(cal, tmp_path / "cal.json")
    back = load_calibration(path)
    assert back.to_dict() == cal.to_dict()
    assert len(back.sha256) == 64 and back.source.endswith("cal.json'")


def _valid() -> dict[str, object]:
    return dict(default_calibration().to_dict())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schema_version": SCHEMA_VERSION + 1}, "newer than this vidsleuth reads"),
        ({"schema": "something.else"}, "not a vidsleuth calibration file"),
        ({"schema_version": "1"}, "must be an integer"),
        ({"policy": "magic@9"}, "policy must be one of"),
        ({"policy": "calibrated@1", "model": None}, "needs a fitted 'model'"),
        (
            {"evidence_strengths": {"motion.x": {"slope": 1, "intercept": 0, "max_strength": 1.5}}},
            "max_strength",
        ),
        (
            {"evidence_strengths": {"nodot": {"slope": 1, "intercept": 0, "max_strength": 0.2}}},
            "evidence code",
        ),
        (
            {
                "policy": "calibrated@1",
                "model": {
                    "features": [],
                    "weights": [],
                    "intercept": 0,
                    "likely_threshold": 0.5,
                    "check_threshold": 0.9,
                },
            },
            "thresholds must satisfy",
        ),
        (
            {
                "policy": "calibrated@1",
                "model": {
                    "features": [{}],
                    "weights": [],
                    "intercept": 0,
                    "likely_threshold": 0.9,
                    "check_threshold": 0.5,
                },
            },
            "1 features but 0 weights",
        ),
    ],
)
def test_loader_rejects_bad_files(change: dict[str, object], message: str) -> None:
    with pytest.raises(CalibrationError, match=message):
        parse_calibration({**_valid(), **change})


def test_loader_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "c.json"
    bad.write_text("{not json")
    with pytest.raises(CalibrationError, match="not valid JSON") as info:
        load_calibration(bad)
    assert "\n" not in str(info.value)
    with pytest.raises(CalibrationError, match="cannot be read"):
        load_calibration(tmp_path / "missing.json")
    newer = tmp_path / "n.json"
    newer.write_text(json.dumps({**_valid(), "schema_version": 99}))
    with pytest.raises(CalibrationError, match="upgrade vidsleuth"):
        load_calibration(newer)


def test_shipped_default_keeps_rules() -> None:
    cal = default_calibration()
    assert cal.policy == "rules@1" and cal.model is None and not cal.evidence_strengths
    assert cal.allow_likely_ai is False


# Policy ------------------------------------------------------------------------------------------------


def _calibrated(allow: bool, likely: float = 0.9, check: float = 0.6) -> Calibration:
    rng = np.random.default_rng(4)
    y = np.r_[np.ones(30), np.zeros(30)]
    cal = fit_calibration(rows_from(np.where(y == 1, 2.0, -2.0) + rng.normal(0, 0.5, 60), y), name="pol")
    assert cal.model is not None
    return replace(
        cal, allow_likely_ai=allow, model=replace(cal.model, likely_threshold=likely, check_threshold=check)
    )


def test_rules_default_matches_rules_policy() -> None:
    results = [
        hint(0.3),
        SignalResult.ok("m", "1", [Evidence.supports("m.a", Hypothesis.AI_GENERATED, 0.8, "s")]),
    ]
    assert fuse_with(results).label is rules.fuse(results).label is VerdictLabel.LIKELY_AI_GENERATED
    assert fuse_with(results).policy == rules.POLICY


def test_weak_hints_alone_never_give_likely_ai_unless_heldout_allows() -> None:
    results = [probe({"x": 3.0}, learned_value=3.0), hint(0.3)]
    gated = fuse_with(results, _calibrated(allow=False))
    assert gated.label is VerdictLabel.INCONCLUSIVE and gated.worth_checking
    assert gated.policy == POLICY and gated.extras["p_ai_generated"] > 0.9
    assert "too few" in gated.summary
    assert gated.reasons[0].evidence_codes == ("probe.x",)  # the measurement that pushed p up is cited
    allowed = fuse_with(results, _calibrated(allow=True))
    assert allowed.label is VerdictLabel.LIKELY_AI_GENERATED


def test_decisive_evidence_stands_and_only_generation_hints_are_demoted() -> None:
    c2pa = SignalResult.ok(
        "provenance",
        "1",
        [Evidence.supports("c2pa.ai", Hypothesis.AI_GENERATED, 0.95, "signed AI assertion")],
    )
    cal = _calibrated(allow=True)
    assert fuse_with([probe({"x": -3.0}), c2pa], cal).label is VerdictLabel.AI_GENERATED
    # A weak generation hint that the fitted model scores low: still listed, no longer "worth checking".
    v = fuse_with([probe({"x": -3.0}), hint(0.3)], cal)
    assert v.label is VerdictLabel.INCONCLUSIVE and not v.worth_checking
    assert "below its 'worth checking' threshold" in v.summary
    assert any("hint.h" in r.evidence_codes for r in v.reasons)
    # A hint of face manipulation is outside what the model speaks about: it stays flagged.
    face = SignalResult.ok(
        "faces", "1", [Evidence.supports("faces.blend", Hypothesis.FACE_MANIPULATED, 0.3, "x")]
    )
    v = fuse_with([probe({"x": -3.0}), face], cal)
    assert v.label is VerdictLabel.INCONCLUSIVE and v.worth_checking
    assert fuse_with([probe({"x": -3.0})], cal).label is VerdictLabel.NO_INDICATORS


def test_heldout_verdicts_are_reported_beside_rules() -> None:
    cal = _calibrated(allow=False)
    held = cal.heldout
    assert set(held["verdicts"]) == {"ai_call", "flagged", "labels"}
    assert set(held["rules_baseline_same_videos"]) == {"ai_call", "flagged", "labels"}
    assert sum(held["verdicts"]["labels"].values()) == held["items"] == 60
    assert all(f["allow_likely_ai"] is False for f in held["fold_thresholds"])  # 24 negatives per fold


def test_learned_strength_is_applied_and_capped() -> None:
    cal = replace(
        default_calibration(),
        evidence_strengths={
            "probe.x": LearnedStrength("probe", "x", slope=2.0, intercept=0.0, max_strength=0.39)
        },
    )
    ev = probe({}, learned_value=5.0).evidence[0]
    up = learned(ev, cal)
    assert up.stance is Stance.SUPPORTS and up.strength == pytest.approx(0.39)
    down = learned(replace(ev, data={**ev.data, "value": -5.0}), cal)
    assert down.stance is Stance.REFUTES
    flat = learned(replace(ev, data={**ev.data, "value": 0.0}), cal)
    assert flat.stance is Stance.INFORMATIONAL
    unknown = learned(ev, default_calibration())
    assert unknown.stance is Stance.INFORMATIONAL and unknown.strength == 0.0
    # Under rules@1 a capped learned finding can at most make a verdict "worth checking"; fusion weighs
    # it first (the pipeline's one place where a calibration is applied).
    weighed, v = weigh_and_fuse([SignalResult.ok("probe", "1", [ev])], cal)
    assert weighed[0].evidence[0].stance is Stance.SUPPORTS
    assert v.label is VerdictLabel.INCONCLUSIVE
    # Fusion alone takes the results as they are: an unweighed measurement moves nothing.
    assert fuse_with([SignalResult.ok("probe", "1", [ev])], cal).label is VerdictLabel.NO_INDICATORS


def test_calibration_for_settings_reads_the_named_file(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from vidsleuth.fusion.calibration import calibration_for

    assert calibration_for(SimpleNamespace()) is default_calibration()  # no field yet: the default
    assert calibration_for(SimpleNamespace(calibration=None)) is default_calibration()
    mine = replace(default_calibration(), name="newsroom")
    path = write_calibration(mine, tmp_path / "mine.json")
    got = calibration_for(SimpleNamespace(calibration=str(path), calibration_sha256="a"))
    assert got.name == "newsroom" and got.sha256
    with pytest.raises(CalibrationError, match="cannot be read"):
        calibration_for(SimpleNamespace(calibration=str(tmp_path / "missing.json"), calibration_sha256=None))
