"""Fit a calibration: weights, thresholds and learned evidence strengths, with honest held-out metrics.

`fit_calibration(rows)` takes labelled analysis results (one row per video: its signal results and
whether it is AI-generated) and returns a `Calibration`:

- a class-balanced, L2-regularised logistic regression over the features of `fusion.features`;
- thresholds chosen by *nested* cross-validation: an inner CV on the training rows gives out-of-fold
  scores, and "likely AI" is the lowest probability at which at most `target_fpr` of those negatives would
  be called (never below 0.9); "worth checking" likewise at `check_fpr` (never below 0.5). "Likely AI"
  labels are allowed only when those inner held-out negatives number at least 50 and their false-positive
  rate at the threshold has a 95 % upper bound of at most 5 %;
- per learned evidence code (findings with ``data["learned"]``) a one-dimensional fit from the measured
  value to a strength, capped by its inner held-out AUC: no strength unless the lower 95 % bound beats
  chance, weak (< 0.4) by default, moderate (< 0.7) only with >= 50 videos per class and a lower bound of
  0.75; never strong from one measurement;
- ``heldout``: an outer cross-validation repeats the whole fit on each training split and scores the
  videos left out, both as probabilities and as the *verdicts* the fitted policy gives them, beside rules@1
  on the same videos. Items are split by group (default: sha256), so copies of one video never sit on both
  sides of a split.

The returned model is refitted on all rows; its metrics are the cross-validated ones, never the fit's own.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from vidsleuth import stats
from vidsleuth._version import __version__
from vidsleuth.core.evidence import Hypothesis
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.verdict import Verdict, VerdictLabel
from vidsleuth.fusion import rules
from vidsleuth.fusion import weigh_and_fuse as _weigh_and_fuse
from vidsleuth.fusion.calibrated import predict
from vidsleuth.fusion.calibration import Calibration, Feature, LearnedStrength, Model
from vidsleuth.fusion.features import discover, feature_value
from vidsleuth.fusion.logistic import (
    Array,
    FitError,
    choose_threshold,
    fit_standardised,
    group_folds,
    out_of_fold,
    usable_folds,
)

LIKELY_FLOOR = 0.9
CHECK_FLOOR = 0.5
WEAK_CAP = 0.39
MODERATE_CAP = 0.69
MIN_PER_CLASS_FOR_MODERATE = 50
MIN_NEGATIVES_FOR_LIKELY = 50
MAX_FPR_UPPER_FOR_LIKELY = 0.05
MIN_FEATURE_SHARE = 0.25  # a measurement present in fewer reports than this is not fitted
AI_CALLS = frozenset(
    {VerdictLabel.AI_GENERATED, VerdictLabel.LIKELY_AI_GENERATED, VerdictLabel.PARTLY_AI_GENERATED}
)

__all__ = ["FitError", "LabelledResults", "choose_threshold", "fit_calibration", "group_folds"]


@dataclass(frozen=True, slots=True)
class LabelledResults:
    """One labelled video for fitting: target 1 = AI-generated (or contains generated material), 0 = not."""

    sha256: str
    label: str
    target: int
    results: tuple[SignalResult, ...]
    group: str = ""


@dataclass(frozen=True, slots=True)
class _Setup:
    features: tuple[Feature, ...]
    folds: int
    seed: int
    l2: float
    target_fpr: float
    check_fpr: float


@dataclass(frozen=True, slots=True)
class _Parts:
    model: Model
    allow: bool
    strengths: dict[str, LearnedStrength]
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)


def _matrix(rows: Sequence[LabelledResults], features: Sequence[Feature]) -> Array:
    x = np.full((len(rows), len(features)), np.nan)
    for i, row in enumerate(rows):
        for j, f in enumerate(features):
            v = feature_value(f, row.results)
            if v is not None:
                x[i, j] = v
    return x


def _learned_values(rows: Sequence[LabelledResults]) -> dict[str, tuple[str, str, Array]]:
    """Per learned evidence code: (signal, feature, value per row with NaN where absent).

    Only findings about generation are fitted: the targets are "AI-generated or not", so a learned
    finding about another hypothesis (a face-swap cue of the `faces` signal) would be given a strength
    for the wrong question. Those stay informational until a fit on their own question exists."""
    out: dict[str, tuple[str, str, Array]] = {}
    for i, row in enumerate(rows):
        for r in row.results:
            if r.status is not Status.OK:
                continue
            for e in r.evidence:
                value = e.data.get("value")
                if e.data.get("learned") is not True or isinstance(value, bool):
                    continue
                if e.hypothesis is not Hypothesis.AI_GENERATED:
                    continue
                if not isinstance(value, int | float) or not math.isfinite(float(value)):
                    continue
                if e.code not in out:
                    out[e.code] = (r.signal, str(e.data.get("feature", "")), np.full(len(rows), np.nan))
                out[e.code][2][i] = float(value)
    return out


def _cap(auc: stats.Interval, smaller_class: int) -> float:
    if not auc.low > 0.5:
        return 0.0
    if auc.low >= 0.75 and smaller_class >= MIN_PER_CLASS_FOR_MODERATE:
        return MODERATE_CAP
    return WEAK_CAP


def _fit_parts(
    x: Array, y: Array, groups: Sequence[str], learned: Mapping[str, tuple[str, str, Array]], setup: _Setup
) -> _Parts:
    """Everything a calibration holds, fitted on these rows only (thresholds and caps by inner CV)."""
    mean, scale, w, b = fit_standardised(x, y, setup.l2)
    inner = usable_folds(y, groups, setup.folds)
    likely, check, allow = 1.0, 0.9, False
    if inner >= 2:
        scores = out_of_fold(x, y, groups, inner, setup.seed + 1, setup.l2)
        ok = np.isfinite(scores)
        neg, pos = scores[ok & (y == 0)], scores[ok & (y == 1)]
        likely = choose_threshold(neg, setup.target_fpr, LIKELY_FLOOR)
        check = min(likely, choose_threshold(neg, setup.check_fpr, CHECK_FLOOR))
        fpr_high = stats.wilson(int(np.sum(neg >= likely)), len(neg)).high
        allow = bool(
            len(neg) >= MIN_NEGATIVES_FOR_LIKELY
            and fpr_high <= MAX_FPR_UPPER_FOR_LIKELY
            and np.any(pos >= likely)
        )
    strengths: dict[str, LearnedStrength] = {}
    codes: dict[str, dict[str, Any]] = {}
    for code, (signal, feat, values) in sorted(learned.items()):
        keep = np.isfinite(values)
        vy = y[keep]
        vg = [g for g, k in zip(groups, keep, strict=True) if k]
        kk = usable_folds(vy, vg, setup.folds) if keep.any() else 0
        if kk < 2:
            continue
        v = values[keep][:, None]
        oof = out_of_fold(v, vy, vg, kk, setup.seed, setup.l2)
        ok = np.isfinite(oof)
        auc = stats.auc_delong(oof[ok], vy[ok].astype(int))
        cap = _cap(auc, min(int(vy.sum()), int(len(vy) - vy.sum())))
        m, sc, ww, bb = fit_standardised(v, vy, setup.l2)
        slope = float(ww[0] / sc[0])
        strengths[code] = LearnedStrength(
            signal,
            feat,
            slope,
            float(bb - slope * m[0]),
            cap,
            round(auc.value, 4) if math.isfinite(auc.value) else None,
        )
        codes[code] = {"auc": auc.to_dict(), "items": int(keep.sum()), "max_strength": cap}
    model = Model(
        features=tuple(
            Feature(f.name, f.kind, f.signal, f.key, float(mean[j]), float(scale[j]), float(mean[j]))
            for j, f in enumerate(setup.features)
        ),
        weights=tuple(round(float(v), 6) for v in w),
        intercept=round(b, 6),
        likely_threshold=round(likely, 6),
        check_threshold=round(check, 6),
        l2=setup.l2,
    )
    return _Parts(model, allow, strengths, codes)


def _counts(verdicts: Sequence[Verdict], y: Array) -> dict[str, Any]:
    """True and false positives of a set of verdicts at "likely AI" and at "worth checking"."""
    called = np.array([v.label in AI_CALLS for v in verdicts])
    flagged = called | np.array([v.label is VerdictLabel.INCONCLUSIVE and v.worth_checking for v in verdicts])
    pos, neg = y == 1, y == 0
    return {
        "ai_call": {"tp": int(np.sum(called & pos)), "fp": int(np.sum(called & neg))},
        "flagged": {"tp": int(np.sum(flagged & pos)), "fp": int(np.sum(flagged & neg))},
        "labels": dict(
            Counter(
                f"{'positive' if t else 'negative'}:{v.label.value}" for v, t in zip(verdicts, y, strict=True)
            )
        ),
    }


def _rate(hits: int, n: int) -> str:
    iv = stats.wilson(hits, n)
    return f"{hits}/{n}" + (f" (95% CI {iv.low:.2f}-{iv.high:.2f})" if n else "")


def _pair(counts: Mapping[str, int], n_pos: int, n_neg: int) -> str:
    return f"recall {_rate(counts['tp'], n_pos)}, FPR {_rate(counts['fp'], n_neg)}"


def fit_calibration(
    rows: Sequence[LabelledResults],
    *,
    name: str,
    folds: int = 5,
    seed: int = 0,
    l2: float = 1.0,
    target_fpr: float = 0.01,
    check_fpr: float = 0.10,
    policy: str = "calibrated@1",
    dataset: str = "",
    notes: str = "",
) -> Calibration:
    """Fit on `rows` and measure on held-out folds only. Raises FitError when the data cannot support it."""
    y = np.array([float(r.target) for r in rows])
    groups = [r.group or r.sha256 for r in rows]
    k = usable_folds(y, groups, folds) if len(rows) else 0
    if k < 2:
        raise FitError(
            f"calibration needs at least 2 distinct videos of each class, got {int(y.sum())} positive and "
            f"{int(len(y) - y.sum())} negative; label more videos"
        )
    features = discover([r.results for r in rows], min_share=MIN_FEATURE_SHARE)
    if not features:
        raise FitError("no signal produced a usable feature in these reports; nothing to fit")
    setup = _Setup(tuple(features), k, seed, l2, target_fpr, check_fpr)
    x = _matrix(rows, features)
    learned = _learned_values(rows)

    # Outer CV: the whole fit is repeated on each training split; the left-out videos are scored.
    oof = np.full(len(rows), np.nan)
    called_likely = np.zeros(len(rows), dtype=bool)
    called_check = np.zeros(len(rows), dtype=bool)
    verdicts: list[Verdict | None] = [None] * len(rows)
    alone: dict[str, list[tuple[Verdict, float]]] = {}  # each signal's evidence on its own, held out
    fold_info = []
    for n, test in enumerate(group_folds(y, groups, k, seed)):
        train = np.setdiff1d(np.arange(len(rows)), test)
        parts = _fit_parts(
            x[train],
            y[train],
            [groups[i] for i in train],
            {c: (s, f, v[train]) for c, (s, f, v) in learned.items()},
            setup,
        )
        fold_cal = Calibration(
            f"{name} (fold {n + 1})", policy, "", __version__, parts.model, parts.allow, parts.strengths
        )
        # A signal "alone" is judged by its own evidence under the learned strengths (rules@1): the model's
        # probability with every other feature missing would only measure the base rate.
        evidence_only = replace(fold_cal, policy="rules@1")
        for i in test:
            p = predict(parts.model, rows[i].results)[0]
            oof[i] = p
            called_likely[i] = p >= parts.model.likely_threshold
            called_check[i] = p >= parts.model.check_threshold
            verdicts[i] = _weigh_and_fuse(rows[i].results, fold_cal)[1]
            for r in rows[i].results:
                if r.status is Status.OK:
                    alone.setdefault(r.signal, []).append((_weigh_and_fuse([r], evidence_only)[1], y[i]))
        fold_info.append(
            {
                "likely": parts.model.likely_threshold,
                "check": parts.model.check_threshold,
                "allow_likely_ai": parts.allow,
                "test_items": len(test),
            }
        )
    yi = y.astype(int)
    n_pos, n_neg = int(yi.sum()), int(len(yi) - yi.sum())
    auc = stats.auc_delong(oof, yi)
    held = _counts([v for v in verdicts if v is not None], y)
    base = _counts([rules.fuse(r.results) for r in rows], y)
    tp_l, fp_l = int(np.sum(called_likely & (yi == 1))), int(np.sum(called_likely & (yi == 0)))
    tp_c, fp_c = int(np.sum(called_check & (yi == 1))), int(np.sum(called_check & (yi == 0)))

    final = _fit_parts(x, y, groups, learned, setup)
    signal_versions: dict[str, str] = {}
    for row in rows:
        for r in row.results:
            signal_versions.setdefault(r.signal, r.signal_version)
    heldout = {
        "method": f"{k}-fold cross-validation, stratified, grouped by video; thresholds by nested CV",
        "folds": k,
        "seed": seed,
        "items": len(rows),
        "positives": n_pos,
        "negatives": n_neg,
        "auc": auc.to_dict(),
        "at_likely": {"tp": tp_l, "fp": fp_l, "fpr": stats.wilson(fp_l, n_neg).to_dict()},
        "at_check": {"tp": tp_c, "fp": fp_c, "fpr": stats.wilson(fp_c, n_neg).to_dict()},
        "verdicts": held,
        "rules_baseline_same_videos": base,
        "signal_alone": {
            sig: _counts([v for v, _ in pairs], np.array([t for _, t in pairs]))
            for sig, pairs in sorted(alone.items())
        },
        "fold_thresholds": fold_info,
        "learned_evidence": final.codes,
        "summary": {
            "auc": auc.text(2),
            "fpr_at_likely": _rate(fp_l, n_neg),
            "tpr_at_likely": _rate(tp_l, n_pos),
            "fpr_at_check": _rate(fp_c, n_neg),
            "tpr_at_check": _rate(tp_c, n_pos),
            "verdict_ai_call": _pair(held["ai_call"], n_pos, n_neg),
            "verdict_flagged": _pair(held["flagged"], n_pos, n_neg),
            "rules_ai_call": _pair(base["ai_call"], n_pos, n_neg),
            "rules_flagged": _pair(base["flagged"], n_pos, n_neg),
        },
    }
    labels = Counter(r.label for r in rows)
    return Calibration(
        name=name,
        policy=policy,
        created_at=_dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        tool_version=__version__,
        model=final.model,
        allow_likely_ai=final.allow,
        evidence_strengths=final.strengths,
        fitted_on={
            "dataset": dataset,
            "items": len(rows),
            "labels": dict(sorted(labels.items())),
            "positives": n_pos,
            "negatives": n_neg,
            "signal_versions": dict(sorted(signal_versions.items())),
            "videos": [{"sha256": r.sha256, "label": r.label, "target": r.target} for r in rows],
        },
        heldout=heldout,
        notes=notes,
    )
