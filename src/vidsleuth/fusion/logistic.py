"""Numerical pieces of the calibration fit, in numpy: logistic regression, grouped folds, thresholds.

Kept apart from `fitting` (which decides what to fit and what to report) so that each reads in one sitting.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from vidsleuth.errors import ConfigError

Array = npt.NDArray[np.float64]


class FitError(ConfigError):
    """The labelled data cannot support a fit (too few items of a class, no features)."""


# Logistic regression ------------------------------------------------------------------------------


def _sigmoid(z: Array) -> Array:
    out: Array = 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))
    return out


def fit_logistic(x: Array, y: Array, l2: float = 1.0, balanced: bool = True) -> tuple[Array, float]:
    """Weights and intercept minimising the (class-balanced) log loss + l2/2 * |w|^2 (intercept free)."""
    n, d = x.shape
    sw = np.ones(n)
    if balanced:
        n_pos, n_neg = float(y.sum()), float(n - y.sum())
        if n_pos == 0 or n_neg == 0:
            raise FitError("a fit needs both classes")
        sw = np.where(y == 1, n / (2 * n_pos), n / (2 * n_neg))
    a = np.c_[np.ones(n), x]
    beta = np.zeros(d + 1)
    reg = np.eye(d + 1) * l2
    reg[0, 0] = 0.0
    for _ in range(100):
        p = _sigmoid(a @ beta)
        grad = a.T @ (sw * (p - y)) + reg @ beta
        hess = a.T @ (a * (sw * p * (1 - p))[:, None]) + reg + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.max(np.abs(step))) < 1e-9:
            break
    return beta[1:].copy(), float(beta[0])


def standardise(x: Array) -> tuple[Array, Array, Array]:
    """Training means (NaN-aware), scales, and x with missing values filled by the mean."""
    with np.errstate(all="ignore"):
        mean = np.nanmean(x, axis=0)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    filled = np.where(np.isnan(x), mean[None, :], x)
    scale = filled.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    return mean, scale, filled


def fit_standardised(x: Array, y: Array, l2: float) -> tuple[Array, Array, Array, float]:
    mean, scale, filled = standardise(x)
    w, b = fit_logistic((filled - mean) / scale, y, l2)
    return mean, scale, w, b


def predict_standardised(x: Array, mean: Array, scale: Array, w: Array, b: float) -> Array:
    filled = np.where(np.isnan(x), mean[None, :], x)
    return _sigmoid(((filled - mean) / scale) @ w + b)


# Folds and thresholds -----------------------------------------------------------------------------


def group_folds(y: Array, groups: Sequence[str], k: int, seed: int = 0) -> list[npt.NDArray[np.int_]]:
    """Test-index arrays of k folds, stratified by class and never splitting a group."""
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    rng = np.random.default_rng(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    dealt = 0  # dealing continues across classes, so that fold sizes stay even
    for cls in (1, 0):
        names = sorted(g for g, idx in by_group.items() if round(float(np.mean(y[idx]))) == cls)
        rng.shuffle(names)
        for g in names:
            folds[dealt % k].extend(by_group[g])
            dealt += 1
    return [np.array(sorted(f), dtype=int) for f in folds if f]


def usable_folds(y: Array, groups: Sequence[str], k: int) -> int:
    per_class = [len({g for g, t in zip(groups, y, strict=True) if t == cls}) for cls in (0, 1)]
    return min(k, *per_class)


def choose_threshold(neg_scores: Array, target_fpr: float, floor: float) -> float:
    """The lowest threshold calling at most `target_fpr` of these negatives (score >= t), >= floor."""
    if len(neg_scores) == 0:
        return floor
    allowed = math.floor(target_fpr * len(neg_scores))
    ordered = np.sort(neg_scores)[::-1]
    t = float(ordered[allowed]) + 1e-6 if allowed < len(ordered) else floor
    return min(1.0, max(floor, t))


def out_of_fold(x: Array, y: Array, groups: Sequence[str], k: int, seed: int, l2: float) -> Array:
    out = np.full(len(y), np.nan)
    for test in group_folds(y, groups, k, seed):
        train = np.setdiff1d(np.arange(len(y)), test)
        if len(set(y[train].tolist())) < 2:
            continue
        mean, scale, w, b = fit_standardised(x[train], y[train], l2)
        out[test] = predict_standardised(x[test], mean, scale, w, b)
    return out
