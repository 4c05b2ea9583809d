"""Per-report features for the calibrated policy: what a fitted model reads from signal results.

Two kinds (see `vidsleuth.fusion.calibration.Feature`):

- ``evidence``: one number per signal, its signed strength on ai_generated: noisy-OR of its supporting
  strengths minus noisy-OR of its refuting ones, in [-1, 1]. Learned findings (``data["learned"]``)
  are left out, because their strengths come from a calibration themselves. Findings that rest on one
  measured fact (``data["fact"]``, `vidsleuth.fusion.facts`) count once: within a signal at the strength of
  the strongest, and across signals only in the first signal (in result order) that reports the fact.
- ``metric``: the raw scalar measurements a signal publishes in ``metrics["features"]`` (the `motion`
  signal does); fitting on raw values, not on strengths, keeps the fit independent of any earlier one.

Any signal the registry runs is picked up; none is named here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from vidsleuth.core.evidence import Hypothesis, Stance
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.fusion import facts
from vidsleuth.fusion.calibration import Feature


def _noisy_or(strengths: Iterable[float]) -> float:
    miss = 1.0
    for s in strengths:
        miss *= 1.0 - s
    return 1.0 - miss


def signed_strength(
    result: SignalResult,
    hypothesis: Hypothesis = Hypothesis.AI_GENERATED,
    *,
    learned: bool = False,
    counted: frozenset[str] = frozenset(),
) -> float:
    """The signal's net strength on `hypothesis` in [-1, 1] (0 when it did not run or found nothing).

    Learned findings count only with `learned=True` (scoring), never for fitting features. A fact counts
    once (its strongest finding), and not at all when it is in `counted` (another signal reported it)."""
    if result.status is not Status.OK:
        return 0.0
    rows = facts.count_once(
        e
        for e in result.evidence
        if e.hypothesis is hypothesis
        and e.stance is not Stance.INFORMATIONAL
        and (learned or e.data.get("learned") is not True)
        and facts.fact_of(e) not in counted
    )
    support = _noisy_or(e.strength for e in rows if e.stance is Stance.SUPPORTS)
    refute = _noisy_or(e.strength for e in rows if e.stance is Stance.REFUTES)
    return support - refute


def published_features(result: SignalResult) -> dict[str, float]:
    """The finite numbers in ``metrics["features"]`` of an OK result."""
    if result.status is not Status.OK:
        return {}
    raw = result.metrics.get("features")
    if not isinstance(raw, Mapping):
        return {}
    out = {}
    for key, value in raw.items():
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(float(value)):
            out[str(key)] = float(value)
    return out


def feature_value(feature: Feature, results: Sequence[SignalResult]) -> float | None:
    """The raw (unstandardised) value of `feature` in these results, or None when it is missing."""
    counted: set[str] = set()
    for r in results:
        if r.signal != feature.signal:
            counted |= _facts_reported(r)
            continue
        if feature.kind == "evidence":
            return signed_strength(r, counted=frozenset(counted)) if r.status is Status.OK else None
        return published_features(r).get(feature.key)
    return None


def _facts_reported(result: SignalResult) -> set[str]:
    """The facts a signal's counted findings rest on (what later signals must not count again)."""
    if result.status is not Status.OK:
        return set()
    return {
        f
        for e in result.evidence
        if e.stance is not Stance.INFORMATIONAL
        and e.data.get("learned") is not True
        and (f := facts.fact_of(e)) is not None
    }


def discover(all_results: Sequence[Sequence[SignalResult]], min_share: float = 0.5) -> list[Feature]:
    """Features present in enough reports to fit on: one evidence feature per signal that ran OK and
    publishes no measurements, and each published measurement present in at least `min_share` of them.
    Sorted by name so that a fit is reproducible."""
    n = max(1, len(all_results))
    evidence_signals: dict[str, int] = {}
    metric_keys: dict[tuple[str, str], int] = {}
    publishing: set[str] = set()
    for results in all_results:
        for r in results:
            if r.status is not Status.OK:
                continue
            feats = published_features(r)
            if feats or isinstance(r.metrics.get("features"), Mapping):
                publishing.add(r.signal)
            for key in feats:
                metric_keys[(r.signal, key)] = metric_keys.get((r.signal, key), 0) + 1
            evidence_signals[r.signal] = evidence_signals.get(r.signal, 0) + 1
    out = [
        Feature(name=f"evidence:{s}", kind="evidence", signal=s)
        for s, count in evidence_signals.items()
        if s not in publishing and count / n >= min_share
    ]
    out += [
        Feature(name=f"metric:{s}.{k}", kind="metric", signal=s, key=k)
        for (s, k), count in metric_keys.items()
        if count / n >= min_share
    ]
    return sorted(out, key=lambda f: f.name)


def evidence_codes_for(feature: Feature, results: Sequence[SignalResult]) -> tuple[str, ...]:
    """The evidence codes a reason citing `feature` should name (those that exist in these results)."""
    for r in results:
        if r.signal != feature.signal or r.status is not Status.OK:
            continue
        if feature.kind == "metric":
            return tuple(e.code for e in r.evidence if e.data.get("feature") == feature.key)[:1]
        rows = [
            e
            for e in r.evidence
            if e.stance is not Stance.INFORMATIONAL and e.data.get("learned") is not True
        ]
        rows.sort(key=lambda e: e.strength, reverse=True)
        return tuple(e.code for e in rows[:2])
    return ()
