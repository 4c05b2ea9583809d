"""Small, dependency-free statistics for honest numbers on small labelled sets (numpy only).

ROC AUC with ties (the Mann-Whitney statistic), its DeLong confidence interval, a stratified bootstrap,
Wilson intervals for proportions, and ROC points. Used by the evaluation harness and by the calibration
fit; kept below both so that neither depends on the other.

Conventions: scores are "higher means more likely positive"; labels are 1 (positive) and 0 (negative);
confidence intervals are two-sided 95 % unless stated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Z95 = 1.959963984540054
SMALL_CLASS = 10  # below this many items in a class, AUC intervals are widened (see auc_delong)
FloatArray = npt.NDArray[np.float64]


def _arrays(
    scores: Sequence[float] | FloatArray, labels: Sequence[int] | npt.NDArray[np.int_]
) -> tuple[FloatArray, FloatArray]:
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels)
    if s.shape != y.shape or s.ndim != 1:
        raise ValueError(f"scores and labels must be 1-D and the same length, got {s.shape} and {y.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite")
    return s[y == 1], s[y == 0]


def midranks(x: FloatArray) -> FloatArray:
    """Ranks from 1, ties sharing the mean of their ranks (vectorised: O(n log n))."""
    n = len(x)
    if n == 0:
        return np.empty(0, dtype=np.float64)
    order = np.argsort(x, kind="mergesort")
    sx = x[order]
    new_group = np.r_[True, sx[1:] != sx[:-1]]
    starts = np.flatnonzero(new_group)
    ends = np.r_[starts[1:], n]  # exclusive
    mean_rank = (starts + ends - 1) / 2.0 + 1.0
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = mean_rank[np.cumsum(new_group) - 1]
    return ranks


def auc(scores: Sequence[float] | FloatArray, labels: Sequence[int] | npt.NDArray[np.int_]) -> float:
    """ROC AUC: the probability that a random positive outscores a random negative (ties count half).

    NaN when either class is empty.
    """
    pos, neg = _arrays(scores, labels)
    m, n = len(pos), len(neg)
    if m == 0 or n == 0:
        return math.nan
    ranks = midranks(np.concatenate([pos, neg]))
    return float((ranks[:m].sum() - m * (m + 1) / 2.0) / (m * n))


@dataclass(frozen=True, slots=True)
class Interval:
    value: float
    low: float
    high: float
    method: str

    def to_dict(self) -> dict[str, float | str | None]:
        def r(x: float) -> float | None:
            return None if math.isnan(x) else round(x, 4)

        return {"value": r(self.value), "low": r(self.low), "high": r(self.high), "method": self.method}

    def text(self, digits: int = 2) -> str:
        if math.isnan(self.value):
            return "n/a"
        return f"{self.value:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


NAN_INTERVAL = Interval(math.nan, math.nan, math.nan, "none")


def wilson(successes: int, n: int, z: float = Z95) -> Interval:
    """Wilson score interval for a proportion; NaN when n is 0."""
    if n <= 0:
        return Interval(math.nan, math.nan, math.nan, "wilson")
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    high = 1.0 if successes >= n else min(1.0, centre + half)
    return Interval(p, low, high, "wilson")


def auc_delong(
    scores: Sequence[float] | FloatArray, labels: Sequence[int] | npt.NDArray[np.int_]
) -> Interval:
    """AUC with DeLong's variance, the interval taken on the logit scale so it stays inside (0, 1).

    When the AUC is 0 or 1 DeLong's variance is zero, which would claim certainty from a handful of
    videos; the interval is then a Wilson interval with n = the smaller class (a conservative stand-in).
    With fewer than SMALL_CLASS items in a class DeLong's variance estimate is itself unreliable (two
    videos give one degree of freedom), so the interval is widened to include that Wilson interval.
    """
    pos, neg = _arrays(scores, labels)
    m, n = len(pos), len(neg)
    if m == 0 or n == 0:
        return NAN_INTERVAL
    all_ranks = midranks(np.concatenate([pos, neg]))
    pos_ranks, neg_ranks = midranks(pos), midranks(neg)
    a = float((all_ranks[:m].sum() - m * (m + 1) / 2.0) / (m * n))
    v10 = (all_ranks[:m] - pos_ranks) / n  # per positive: share of negatives it beats
    v01 = 1.0 - (all_ranks[m:] - neg_ranks) / m  # per negative: share of positives that beat it
    s10 = float(np.var(v10, ddof=1)) if m > 1 else 0.0
    s01 = float(np.var(v01, ddof=1)) if n > 1 else 0.0
    var = s10 / m + s01 / n
    if a <= 0.0 or a >= 1.0 or var <= 0.0:
        k = min(m, n)
        w = wilson(round(a * k), k)
        return Interval(a, w.low, w.high, "wilson-fallback")
    logit = math.log(a / (1 - a))
    se = math.sqrt(var) / (a * (1 - a))
    lo, hi = 1 / (1 + math.exp(-(logit - Z95 * se))), 1 / (1 + math.exp(-(logit + Z95 * se)))
    if min(m, n) < SMALL_CLASS:
        k = min(m, n)
        w = wilson(round(a * k), k)
        return Interval(a, min(lo, w.low), max(hi, w.high), "delong-logit+wilson-small")
    return Interval(a, lo, hi, "delong-logit")


def auc_bootstrap(
    scores: Sequence[float] | FloatArray,
    labels: Sequence[int] | npt.NDArray[np.int_],
    reps: int = 2000,
    seed: int = 0,
) -> Interval:
    """AUC with a stratified percentile bootstrap (classes resampled separately, fixed seed)."""
    pos, neg = _arrays(scores, labels)
    m, n = len(pos), len(neg)
    if m == 0 or n == 0:
        return NAN_INTERVAL
    rng = np.random.default_rng(seed)
    point = auc(np.concatenate([pos, neg]), np.r_[np.ones(m, int), np.zeros(n, int)])
    stats = np.empty(reps)
    for r in range(reps):  # rank-based: O((m + n) log(m + n)) per resample, fine for large sets
        p, q = pos[rng.integers(0, m, m)], neg[rng.integers(0, n, n)]
        ranks = midranks(np.concatenate([p, q]))
        stats[r] = (ranks[:m].sum() - m * (m + 1) / 2.0) / (m * n)
    lo, hi = np.percentile(stats, [2.5, 97.5])
    return Interval(point, float(lo), float(hi), "bootstrap")


def roc_points(
    scores: Sequence[float] | FloatArray, labels: Sequence[int] | npt.NDArray[np.int_]
) -> list[tuple[float, float, float]]:
    """(false-positive rate, true-positive rate, threshold) at every distinct score, from (0, 0)."""
    pos, neg = _arrays(scores, labels)
    if len(pos) == 0 or len(neg) == 0:
        return []
    thresholds = np.unique(np.concatenate([pos, neg]))[::-1]
    # How many of each class score >= t, for every distinct t at once.
    tp = len(pos) - np.searchsorted(np.sort(pos), thresholds, side="left")
    fp = len(neg) - np.searchsorted(np.sort(neg), thresholds, side="left")
    points = [(0.0, 0.0, math.inf)]
    points += [
        (float(f), float(t), float(th))
        for f, t, th in zip(fp / len(neg), tp / len(pos), thresholds, strict=True)
    ]
    return points


@dataclass(frozen=True, slots=True)
class AtThreshold:
    """Counts and rates of calling "positive" when score >= threshold."""

    threshold: float
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def recall(self) -> Interval:
        return wilson(self.tp, self.tp + self.fn)

    @property
    def precision(self) -> Interval:
        return wilson(self.tp, self.tp + self.fp)

    @property
    def fpr(self) -> Interval:
        return wilson(self.fp, self.fp + self.tn)

    def to_dict(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "tp": self.tp,
            "fp": self.fp,
            "tn": self.tn,
            "fn": self.fn,
            "recall": self.recall.to_dict(),
            "precision": self.precision.to_dict(),
            "fpr": self.fpr.to_dict(),
        }


def at_threshold(
    scores: Sequence[float] | FloatArray, labels: Sequence[int] | npt.NDArray[np.int_], threshold: float
) -> AtThreshold:
    pos, neg = _arrays(scores, labels)
    tp = int(np.sum(pos >= threshold))
    fp = int(np.sum(neg >= threshold))
    return AtThreshold(threshold, tp, fp, len(neg) - fp, len(pos) - tp)
