"""Calibration files: fitted weights, thresholds and evidence strengths, versioned and explained.

A calibration file says how much the evidence is worth *as measured on labelled data*, and on which
data. `vidsleuth calibrate` writes one; `check --calibration FILE` and `eval --calibration FILE` read one;
`data/calibration_default.json` ships with the tool. The file is JSON (docs/evaluation.md documents
every field):

- ``policy``: which fusion policy `check` uses with it: ``rules@1`` (the hand-written rules; the fitted
  parts below are then only used for learned evidence strengths) or ``calibrated@1``.
- ``model``: a logistic regression over per-report features (a signal's signed evidence strength, or a
  raw scalar feature a signal publishes in ``metrics["features"]``), with the standardisation it was
  fitted with, and the probability thresholds for "likely AI-generated" and "worth checking".
- ``evidence_strengths``: per evidence code, a fitted curve from a measured value to a strength on the
  shared scale (used by signals such as `motion` whose findings are measurements, not facts).
- ``fitted_on``: the items (sha256 and label), their label counts, the signal versions and when;
  ``heldout``: cross-validated metrics on folds the fit never saw. Never metrics on the training data.

This module only reads, checks and writes files and weighs learned findings (`reweigh`, which the
pipeline applies before fusing); fitting lives in `vidsleuth.fusion.fitting` and the policy in
`vidsleuth.fusion.calibrated`.
"""

from __future__ import annotations

import functools
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from vidsleuth.atomic import write_text
from vidsleuth.core.evidence import Evidence, Stance
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.errors import ConfigError, ReportError

SCHEMA = "vidsleuth.calibration"
SCHEMA_VERSION = 1
POLICIES = ("rules@1", "calibrated@1")
FEATURE_KINDS = ("evidence", "metric")
# A learned strength below this is not worth a finding: the evidence stays informational.
MIN_STRENGTH = 0.05
DEFAULT_RESOURCE = "calibration_default.json"


class CalibrationError(ConfigError):
    """A calibration file that cannot be used: unreadable, malformed, or written by a newer vidsleuth."""


@dataclass(frozen=True, slots=True)
class Feature:
    """One input of the fused model.

    kind "evidence": the signed strength of `signal`'s findings on ai_generated (noisy-OR of the
    supporting strengths minus noisy-OR of the refuting ones, in [-1, 1]).
    kind "metric": the number `signal` publishes as ``metrics["features"][key]``; `fill` stands in when
    it is missing (the training mean, so a missing value contributes nothing).
    Both are standardised with the training `mean` and `scale`.
    """

    name: str
    kind: str
    signal: str
    key: str = ""
    mean: float = 0.0
    scale: float = 1.0
    fill: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "signal": self.signal,
            "key": self.key,
            "mean": self.mean,
            "scale": self.scale,
            "fill": self.fill,
        }


@dataclass(frozen=True, slots=True)
class Model:
    """p(ai_generated) = sigmoid(intercept + sum(w_i * (x_i - mean_i) / scale_i)), class-balanced."""

    features: tuple[Feature, ...]
    weights: tuple[float, ...]
    intercept: float
    likely_threshold: float  # p at or above: "likely AI-generated" (when allowed, see Calibration)
    check_threshold: float  # p at or above: "inconclusive — worth checking"
    l2: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": [f.to_dict() for f in self.features],
            "weights": list(self.weights),
            "intercept": self.intercept,
            "likely_threshold": self.likely_threshold,
            "check_threshold": self.check_threshold,
            "l2": self.l2,
        }


@dataclass(frozen=True, slots=True)
class LearnedStrength:
    """A fitted curve from a measured value to a strength: s = 2 * sigmoid(slope * x + intercept) - 1.

    Positive s supports ai_generated, negative s refutes it; |s| is capped at `max_strength`, which
    `fit_calibration` sets from the held-out evidence (weak unless held-out data justify more).
    """

    signal: str
    feature: str
    slope: float
    intercept: float
    max_strength: float
    heldout_auc: float | None = None

    def signed(self, value: float) -> float:
        z = max(-60.0, min(60.0, self.slope * value + self.intercept))
        s = 2.0 / (1.0 + math.exp(-z)) - 1.0
        return max(-self.max_strength, min(self.max_strength, s))

    def to_dict(self) -> dict[str, Any]:
        return {
            "signal": self.signal,
            "feature": self.feature,
            "slope": self.slope,
            "intercept": self.intercept,
            "max_strength": self.max_strength,
            "heldout_auc": self.heldout_auc,
        }


@dataclass(frozen=True, slots=True)
class Calibration:
    name: str
    policy: str
    created_at: str
    tool_version: str
    model: Model | None = None
    allow_likely_ai: bool = False  # held-out data justify a "likely AI-generated" label from the model
    evidence_strengths: Mapping[str, LearnedStrength] = field(default_factory=dict)
    fitted_on: Mapping[str, Any] = field(default_factory=dict)
    heldout: Mapping[str, Any] = field(default_factory=dict)
    notes: str = ""
    source: str = ""  # where it was read from (not stored)
    sha256: str = ""  # of the file it was read from (not stored)

    def strength_for(self, code: str, value: float) -> float | None:
        """The learned signed strength of finding `code` at measured `value`, or None when not learned."""
        learned = self.evidence_strengths.get(code)
        if learned is None or not math.isfinite(value):
            return None
        return learned.signed(value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "name": self.name,
            "policy": self.policy,
            "created_at": self.created_at,
            "tool_version": self.tool_version,
            "model": self.model.to_dict() if self.model else None,
            "allow_likely_ai": self.allow_likely_ai,
            "evidence_strengths": {k: v.to_dict() for k, v in sorted(self.evidence_strengths.items())},
            "fitted_on": dict(self.fitted_on),
            "heldout": dict(self.heldout),
            "notes": self.notes,
        }


# Reading ----------------------------------------------------------------------------------------


def _num(d: Mapping[str, Any], key: str, where: str, default: float | None = None) -> float:
    value = d.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(float(value)):
        raise CalibrationError(f"{where}: {key!r} must be a finite number, got {value!r}")
    return float(value)


def _feature(d: Any, where: str) -> Feature:
    if not isinstance(d, Mapping):
        raise CalibrationError(f"{where}: a feature must be an object, got {type(d).__name__}")
    kind = str(d.get("kind", ""))
    if kind not in FEATURE_KINDS:
        raise CalibrationError(f"{where}: feature kind must be one of {FEATURE_KINDS}, got {kind!r}")
    scale = _num(d, "scale", where, 1.0)
    if scale <= 0:
        raise CalibrationError(f"{where}: feature scale must be positive, got {scale}")
    return Feature(
        name=str(d.get("name", "")),
        kind=kind,
        signal=str(d.get("signal", "")),
        key=str(d.get("key", "")),
        mean=_num(d, "mean", where, 0.0),
        scale=scale,
        fill=_num(d, "fill", where, 0.0),
    )


def _model(d: Any, where: str) -> Model | None:
    if d is None:
        return None
    if not isinstance(d, Mapping):
        raise CalibrationError(f"{where}: 'model' must be an object or null")
    raw_features = d.get("features")
    raw_weights = d.get("weights")
    if not isinstance(raw_features, list) or not isinstance(raw_weights, list):
        raise CalibrationError(f"{where}: model needs lists 'features' and 'weights'")
    if len(raw_features) != len(raw_weights):
        raise CalibrationError(
            f"{where}: model has {len(raw_features)} features but {len(raw_weights)} weights"
        )
    features = tuple(_feature(f, f"{where}: model.features[{i}]") for i, f in enumerate(raw_features))
    weights = tuple(_num({"w": w}, "w", f"{where}: model.weights[{i}]") for i, w in enumerate(raw_weights))
    likely = _num(d, "likely_threshold", where)
    check = _num(d, "check_threshold", where)
    if not 0.0 < check <= likely <= 1.0:
        raise CalibrationError(
            f"{where}: thresholds must satisfy 0 < check_threshold <= likely_threshold <= 1, "
            f"got {check} and {likely}"
        )
    return Model(features, weights, _num(d, "intercept", where), likely, check, _num(d, "l2", where, 1.0))


def _strengths(d: Any, where: str) -> dict[str, LearnedStrength]:
    if d is None:
        return {}
    if not isinstance(d, Mapping):
        raise CalibrationError(f"{where}: 'evidence_strengths' must be an object")
    out = {}
    for code, row in d.items():
        w = f"{where}: evidence_strengths[{code!r}]"
        if not isinstance(row, Mapping) or "." not in str(code):
            raise CalibrationError(f"{w}: expected an object keyed by an evidence code like 'motion.x'")
        cap = _num(row, "max_strength", w)
        if not 0.0 <= cap < 1.0:
            raise CalibrationError(f"{w}: max_strength must be within [0, 1), got {cap}")
        auc = row.get("heldout_auc")
        out[str(code)] = LearnedStrength(
            signal=str(row.get("signal", str(code).split(".")[0])),
            feature=str(row.get("feature", "")),
            slope=_num(row, "slope", w),
            intercept=_num(row, "intercept", w),
            max_strength=cap,
            heldout_auc=float(auc) if isinstance(auc, int | float) and not isinstance(auc, bool) else None,
        )
    return out


def parse_calibration(data: Any, origin: str = "calibration") -> Calibration:
    """Check and read a calibration from parsed JSON. Raises CalibrationError naming what is wrong."""
    if not isinstance(data, Mapping) or data.get("schema") != SCHEMA:
        raise CalibrationError(f'{origin}: not a vidsleuth calibration file (expected "schema": "{SCHEMA}")')
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise CalibrationError(f"{origin}: 'schema_version' must be an integer, got {version!r}")
    if version > SCHEMA_VERSION:
        raise CalibrationError(
            f"{origin}: calibration schema {version} is newer than this vidsleuth reads "
            f"({SCHEMA_VERSION}); upgrade vidsleuth or refit the calibration with this version"
        )
    if version < 1:
        raise CalibrationError(f"{origin}: calibration schema {version} is not valid")
    policy = str(data.get("policy", ""))
    if policy not in POLICIES:
        raise CalibrationError(f"{origin}: policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    model = _model(data.get("model"), origin)
    if policy == "calibrated@1" and model is None:
        raise CalibrationError(f"{origin}: policy calibrated@1 needs a fitted 'model'")
    return Calibration(
        name=str(data.get("name", "")),
        policy=policy,
        created_at=str(data.get("created_at", "")),
        tool_version=str(data.get("tool_version", "")),
        model=model,
        allow_likely_ai=bool(data.get("allow_likely_ai", False)),
        evidence_strengths=_strengths(data.get("evidence_strengths"), origin),
        fitted_on=dict(data.get("fitted_on") or {}),
        heldout=dict(data.get("heldout") or {}),
        notes=str(data.get("notes", "")),
        source=origin,
    )


def load_calibration(path: str | os.PathLike[str]) -> Calibration:
    """Read and check a calibration file. Raises CalibrationError (one line) on any problem."""
    import hashlib

    shown = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise CalibrationError(f"calibration {shown!r}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CalibrationError(f"calibration {shown!r}: not valid JSON ({exc})") from None
    cal = parse_calibration(data, f"calibration {shown!r}")
    cal = replace(cal, sha256=hashlib.sha256(raw).hexdigest())
    _LOADED[(shown, cal.sha256)] = cal  # a run that names this file and hash reuses it, unparsed
    while len(_LOADED) > 8:
        _LOADED.pop(next(iter(_LOADED)))
    return cal


@functools.cache
def default_calibration() -> Calibration:
    """The calibration shipped with vidsleuth (data/calibration_default.json)."""
    text = resources.files("vidsleuth.data").joinpath(DEFAULT_RESOURCE).read_text(encoding="utf-8")
    return parse_calibration(json.loads(text), "shipped default calibration")


def calibration_for(settings: Any) -> Calibration:
    """The calibration a run uses: ``settings.calibration`` (a path) when set, else the shipped default.

    Loads are remembered by (path, sha256): prepared settings carry the sha256 `load_calibration`
    recorded, so the file is parsed once per content, and a long-lived process (the web app) picks up a
    replaced file when its settings are prepared again."""
    path = getattr(settings, "calibration", None)
    if not path:
        return default_calibration()
    shown = os.fspath(path)
    known = _LOADED.get((shown, getattr(settings, "calibration_sha256", None) or ""))
    return known if known is not None else load_calibration(shown)


_LOADED: dict[tuple[str, str], Calibration] = {}


def write_calibration(cal: Calibration, path: str | os.PathLike[str]) -> Path:
    """Write `cal` as indented JSON (atomically: a temporary file moved into place). Raises ReportError."""
    target = Path(path)
    try:
        write_text(target, json.dumps(cal.to_dict(), indent=2, sort_keys=False) + "\n")
    except OSError as exc:
        raise ReportError(f"cannot write calibration {os.fspath(target)!r}: {exc.strerror or exc}") from None
    return target


# Learned evidence --------------------------------------------------------------------------------


def learned(ev: Evidence, cal: Calibration) -> Evidence:
    """`ev` with stance and strength from the calibration, when `ev` is a learned measurement.

    A learned finding carries ``data["learned"] = True`` and its measured ``data["value"]``. Without a
    learned strength for its code (or below MIN_STRENGTH) it is informational: a measurement is shown,
    never weighed, until labelled data say what it is worth.
    """
    if ev.data.get("learned") is not True:
        return ev
    value = ev.data.get("value")
    signed = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        signed = cal.strength_for(ev.code, float(value))
    data = dict(ev.data)
    data["calibration"] = cal.name or cal.source
    if signed is None or abs(signed) < MIN_STRENGTH:
        return Evidence(ev.code, ev.hypothesis, Stance.INFORMATIONAL, 0.0, ev.summary, ev.span, data)
    stance = Stance.SUPPORTS if signed > 0 else Stance.REFUTES
    return Evidence(ev.code, ev.hypothesis, stance, round(abs(signed), 3), ev.summary, ev.span, data)


def reweigh(results: Sequence[SignalResult], cal: Calibration) -> tuple[SignalResult, ...]:
    """Results with every learned finding re-weighed by `cal` (what the signal would emit under it)."""
    out = []
    for r in results:
        if r.status is not Status.OK or not any(e.data.get("learned") is True for e in r.evidence):
            out.append(r)
            continue
        out.append(replace(r, evidence=tuple(learned(e, cal) for e in r.evidence)))
    return tuple(out)
