"""Statistics behind the scorecard, checked against hand-computed cases and brute force."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from vidsleuth import stats


def brute_auc(scores: list[float], labels: list[int]) -> float:
    pos = [s for s, y in zip(scores, labels, strict=True) if y == 1]
    neg = [s for s, y in zip(scores, labels, strict=True) if y == 0]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def test_auc_of_known_scores() -> None:
    # Positives 0.9, 0.8, 0.4; negatives 0.7, 0.3: pairs won 2+2+1 = 5 of 6.
    assert stats.auc([0.9, 0.8, 0.4, 0.7, 0.3], [1, 1, 1, 0, 0]) == pytest.approx(5 / 6)
    assert stats.auc([1, 2, 3, 4], [0, 0, 1, 1]) == 1.0
    assert stats.auc([1, 2, 3, 4], [1, 1, 0, 0]) == 0.0


def test_auc_counts_ties_half() -> None:
    assert stats.auc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]) == 0.5
    assert stats.auc([1.0, 0.0, 1.0], [1, 0, 0]) == pytest.approx(0.75)


def test_auc_matches_brute_force_on_random_tied_scores() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        n = int(rng.integers(4, 40))
        labels = rng.integers(0, 2, n).tolist()
        if len(set(labels)) < 2:
            continue
        scores = rng.integers(0, 5, n).astype(float).tolist()  # many ties
        assert stats.auc(scores, labels) == pytest.approx(brute_auc(scores, labels))


def test_auc_is_nan_without_both_classes() -> None:
    assert math.isnan(stats.auc([0.1, 0.2], [1, 1]))
    assert math.isnan(stats.auc_delong([0.1, 0.2], [0, 0]).value)


def test_delong_interval_contains_the_auc_and_narrows_with_data() -> None:
    rng = np.random.default_rng(0)
    small_pos, small_neg = rng.normal(1, 1, 15), rng.normal(0, 1, 15)
    big_pos, big_neg = rng.normal(1, 1, 400), rng.normal(0, 1, 400)
    small = stats.auc_delong(np.r_[small_pos, small_neg], [1] * 15 + [0] * 15)
    big = stats.auc_delong(np.r_[big_pos, big_neg], [1] * 400 + [0] * 400)
    for iv in (small, big):
        assert iv.low < iv.value < iv.high
        assert iv.low >= 0.0 and iv.high <= 1.0
    assert (big.high - big.low) < (small.high - small.low) / 3
    # The true AUC of N(1,1) vs N(0,1) is Phi(1/sqrt 2) = 0.760.
    assert big.low < 0.760 < big.high


def test_delong_variance_matches_a_hand_computed_case() -> None:
    # Positives 3, 2; negatives 1, 2.5. Components: V10 = (1, 0.5), V01 = (1, 0.5).
    # S10 = S01 = var([1, .5], ddof=1) = 0.125; var(AUC) = 0.125/2 + 0.125/2 = 0.125.
    iv = stats.auc_delong([3, 2, 1, 2.5], [1, 1, 0, 0])
    assert iv.value == pytest.approx(0.75)
    se_logit = math.sqrt(0.125) / (0.75 * 0.25)
    lo = 1 / (1 + math.exp(-(math.log(3) - stats.Z95 * se_logit)))
    # Two per class: DeLong's interval, widened to the small-sample Wilson stand-in where that is wider.
    assert iv.method == "delong-logit+wilson-small"
    assert iv.low == pytest.approx(min(lo, stats.wilson(2, 2).low))


def test_delong_matches_the_definition_on_a_random_sample() -> None:
    rng = np.random.default_rng(5)
    pos, neg = rng.normal(0.8, 1, 12).round(1), rng.normal(0, 1, 15).round(1)  # rounding makes ties

    def psi(a: float, b: float) -> float:
        return 1.0 if a > b else 0.5 if a == b else 0.0

    v10 = np.array([np.mean([psi(p, q) for q in neg]) for p in pos])
    v01 = np.array([np.mean([psi(p, q) for p in pos]) for q in neg])
    a = float(v10.mean())
    var = v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg)
    se = math.sqrt(var) / (a * (1 - a))
    lo = 1 / (1 + math.exp(-(math.log(a / (1 - a)) - stats.Z95 * se)))
    iv = stats.auc_delong(np.r_[pos, neg], [1] * 12 + [0] * 15)
    assert iv.method == "delong-logit"
    assert iv.value == pytest.approx(a) and iv.low == pytest.approx(lo)


def test_tiny_classes_get_wide_intervals() -> None:
    iv = stats.auc_delong([0.5, 0.5, 0.1, 0.2, 0.3, 0.6, 0.7, 0.4, 0.35, 0.8, 0.9, 0.55], [1, 1] + [0] * 10)
    assert iv.high - iv.low > 0.5  # two positives say little, whatever DeLong's formula gives


def test_perfect_separation_does_not_claim_certainty() -> None:
    iv = stats.auc_delong([5, 6, 7, 1, 2, 3], [1, 1, 1, 0, 0, 0])
    assert iv.value == 1.0
    assert iv.low < 0.6  # three of each: far from proven
    assert iv.method == "wilson-fallback"


def test_bootstrap_interval_is_reproducible_and_brackets_the_point() -> None:
    scores = [0.9, 0.8, 0.75, 0.4, 0.6, 0.3, 0.2, 0.55]
    labels = [1, 1, 1, 1, 0, 0, 0, 0]
    a = stats.auc_bootstrap(scores, labels, reps=500, seed=1)
    b = stats.auc_bootstrap(scores, labels, reps=500, seed=1)
    assert a == b
    assert a.low <= a.value <= a.high


def test_wilson_interval_known_values() -> None:
    # 0/25: the upper bound is about 0.133 (the reason a "0 false positives" claim needs many videos).
    iv = stats.wilson(0, 25)
    assert iv.value == 0.0 and iv.low == 0.0
    assert iv.high == pytest.approx(0.1332, abs=1e-3)
    mid = stats.wilson(50, 100)
    assert mid.low == pytest.approx(0.4038, abs=1e-3) and mid.high == pytest.approx(0.5962, abs=1e-3)
    assert math.isnan(stats.wilson(0, 0).value)


def test_roc_points_and_threshold_counts() -> None:
    scores, labels = [0.9, 0.8, 0.4, 0.7, 0.3], [1, 1, 1, 0, 0]
    pts = stats.roc_points(scores, labels)
    assert pts[0][:2] == (0.0, 0.0) and pts[-1][:2] == (1.0, 1.0)
    assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in itertools.pairwise(pts))
    at = stats.at_threshold(scores, labels, 0.75)
    assert (at.tp, at.fp, at.tn, at.fn) == (2, 0, 2, 1)
    assert at.recall.value == pytest.approx(2 / 3)
    assert at.precision.value == 1.0
