"""Scorecard numbers: per condition and question, for the fused verdict, each signal and each measurement.

Every rate comes with a 95 % Wilson interval and every AUC with a DeLong interval (and a stratified
bootstrap for the fused verdict), because the sets this runs on are small: a rate of 0/25 still allows
up to 13 %. Nothing here is fitted; a calibration used by the run is named in the scorecard, and its own
training items should not be in the evaluated set (the CLI warns when they are).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vidsleuth import stats
from vidsleuth.evaluate.dataset import Item
from vidsleuth.evaluate.labels import LabelClass, Question, target
from vidsleuth.evaluate.scores import CHECK_RANK, DECISIVE_RANK, LIKELY_RANK, VERDICT_RANK, ItemScores

STRENGTH_THRESHOLDS = {"moderate": 0.4, "strong": 0.7, "decisive": 0.9}
WORST_SHOWN = 10
HIST_BINS = 20
ROC_POINTS = 200


@dataclass(frozen=True, slots=True)
class Row:
    """One item evaluated under one condition."""

    item: Item
    condition: str
    sha256: str
    scores: ItemScores | None
    error: str | None = None
    report_json: Path | None = None


def _auc(scores: Sequence[float], labels: Sequence[int], bootstrap: bool = False) -> dict[str, Any]:
    n_pos = int(sum(labels))
    out: dict[str, Any] = {"positives": n_pos, "negatives": len(labels) - n_pos}
    out["auc"] = stats.auc_delong(scores, labels).to_dict()
    if bootstrap:
        reps = 1000 if len(labels) <= 5000 else 200  # large sets: DeLong is tight anyway
        out["auc_bootstrap"] = stats.auc_bootstrap(scores, labels, reps=reps).to_dict()
    pts = stats.roc_points(scores, labels)
    if len(pts) > ROC_POINTS:
        idx = np.linspace(0, len(pts) - 1, ROC_POINTS).round().astype(int)
        pts = [pts[i] for i in sorted(set(idx.tolist()))]
    out["roc"] = [[round(f, 4), round(t, 4)] for f, t, _ in pts]
    return out


def _at(scores: Sequence[float], labels: Sequence[int], thresholds: Mapping[str, float]) -> dict[str, Any]:
    return {name: stats.at_threshold(scores, labels, t).to_dict() for name, t in thresholds.items()}


def _hist(scores: Sequence[float], labels: Sequence[int], lo: float, hi: float) -> dict[str, Any]:
    edges = np.linspace(lo, hi, HIST_BINS + 1)
    s, y = np.asarray(scores, dtype=float), np.asarray(labels)
    clipped = np.clip(s, lo, hi)
    return {
        "edges": [round(float(e), 4) for e in edges],
        "positives": np.histogram(clipped[y == 1], edges)[0].tolist(),
        "negatives": np.histogram(clipped[y == 0], edges)[0].tolist(),
    }


def _rate(hits: int, n: int) -> dict[str, Any]:
    return {"hits": hits, "n": n, **stats.wilson(hits, n).to_dict()}


def _labelled(rows: Sequence[Row], q: Question) -> list[tuple[Row, ItemScores, int]]:
    out = []
    for r in rows:
        t = target(r.item.cls, q)
        if r.scores is not None and t is not None:
            out.append((r, r.scores, t))
    return out


def _block(
    data: list[tuple[Row, ItemScores, int]], get: Callable[[ItemScores], float | None]
) -> tuple[list[float], list[int]]:
    s, y = [], []
    for _, sc, t in data:
        v = get(sc)
        if v is not None and math.isfinite(v):
            s.append(v)
            y.append(t)
    return s, y


def _signal_getter(q: Question, name: str) -> Callable[[ItemScores], float | None]:
    def get(sc: ItemScores) -> float | None:
        return sc.signals[q].get(name, 0.0) if sc.signal_status.get(name) == "ok" else None

    return get


def _feature_getter(name: str) -> Callable[[ItemScores], float | None]:
    def get(sc: ItemScores) -> float | None:
        return sc.features.get(name)

    return get


def question_metrics(rows: Sequence[Row], q: Question) -> dict[str, Any]:
    data = _labelled(rows, q)
    labels = [t for _, _, t in data]
    ranks = [sc.rank for _, sc, _ in data]
    out: dict[str, Any] = {"positives": sum(labels), "negatives": len(labels) - sum(labels)}
    if not data:
        return out
    verdict = _auc(ranks, labels, bootstrap=True)
    verdict["at"] = _at(
        ranks, labels, {"likely_ai": LIKELY_RANK, "worth_checking": CHECK_RANK, "decisive": DECISIVE_RANK}
    )
    verdict["hist"] = _hist(ranks, labels, 0.0, float(max(VERDICT_RANK.values())))
    out["verdict"] = verdict
    fused_s, fused_y = _block(data, lambda sc: sc.fused[q])
    out["fused_score"] = _auc(fused_s, fused_y)
    out["fused_score"]["hist"] = _hist(fused_s, fused_y, -1.0, 1.0)
    cal_s, cal_y = _block(data, lambda sc: sc.calibrated)
    if cal_s:
        out["calibrated"] = _auc(cal_s, cal_y)
        out["calibrated"]["hist"] = _hist(cal_s, cal_y, 0.0, 1.0)

    names = sorted({n for _, sc, _ in data for n in sc.signal_status})
    signals: dict[str, Any] = {}
    for name in names:
        s, y = _block(data, _signal_getter(q, name))
        statuses = Counter(sc.signal_status.get(name, "absent") for _, sc, _ in data)
        block: dict[str, Any] = {"status": dict(sorted(statuses.items()))}
        if s:
            block.update(_auc(s, y))
            block["at"] = _at(s, y, STRENGTH_THRESHOLDS)
            block["hist"] = _hist(s, y, -1.0, 1.0)
            alone = [(sc.alone_ai_call.get(name, False), t) for _, sc, t in data if name in sc.alone_ai_call]
            block["alone_ai_call"] = {
                "negatives": _rate(sum(a for a, t in alone if t == 0), sum(1 for _, t in alone if t == 0)),
                "positives": _rate(sum(a for a, t in alone if t == 1), sum(1 for _, t in alone if t == 1)),
            }
        signals[name] = block
    out["signals"] = signals

    feature_names = sorted({k for _, sc, _ in data for k in sc.features})
    features: dict[str, Any] = {}
    for name in feature_names:
        s, y = _block(data, _feature_getter(name))
        block = {"items": len(s), "missing": len(data) - len(s)}
        if len(set(y)) == 2:
            block.update(_auc(s, y))
        features[name] = block
    out["features"] = features

    negatives = [sc.rank for _, sc, t in data if t == 0]
    by_family: dict[str, list[float]] = defaultdict(list)
    for r, sc, t in data:
        if t == 1:
            by_family[r.item.family or "unknown"].append(sc.rank)
    out["by_generator"] = {
        fam: {
            "items": len(rs),
            "likely_ai": _rate(sum(x >= LIKELY_RANK for x in rs), len(rs)),
            "worth_checking": _rate(sum(x >= CHECK_RANK for x in rs), len(rs)),
            "auc_vs_all_negatives": stats.auc_delong(
                rs + negatives, [1] * len(rs) + [0] * len(negatives)
            ).to_dict(),
        }
        for fam, rs in sorted(by_family.items())
    }
    by_source: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for r, sc, t in data:
        by_source[r.item.source or "(none)"].append((sc.rank, t))
    out["by_source"] = {
        src: {
            "positives": sum(t for _, t in v),
            "negatives": sum(1 - t for _, t in v),
            "likely_ai": _rate(sum(x >= LIKELY_RANK for x, _ in v), len(v)),
            "worth_checking": _rate(sum(x >= CHECK_RANK for x, _ in v), len(v)),
        }
        for src, v in sorted(by_source.items())
    }
    return out


def class_metrics(rows: Sequence[Row]) -> dict[str, Any]:
    """Per label class: the verdicts given (confusion matrix row) and the shares that matter."""
    out: dict[str, Any] = {}
    for cls in LabelClass:
        mine = [r for r in rows if r.item.cls is cls]
        if not mine:
            continue
        done = [r.scores for r in mine if r.scores is not None]
        verdicts = Counter(sc.verdict for sc in done)
        n = len(done)
        out[cls.value] = {
            "items": len(mine),
            "errors": len(mine) - n,
            "verdicts": {k: verdicts.get(k, 0) for k in VERDICT_RANK},
            "likely_ai": _rate(sum(sc.rank >= LIKELY_RANK for sc in done), n),
            "worth_checking": _rate(sum(sc.rank >= CHECK_RANK for sc in done), n),
            "inconclusive": _rate(sum(sc.verdict.startswith("inconclusive") for sc in done), n),
        }
    return out


def _entry(r: Row, sc: ItemScores) -> dict[str, Any]:
    return {
        "path": r.item.rel,
        "class": r.item.cls.value,
        "generator": r.item.generator,
        "verdict": sc.verdict,
        "headline": sc.headline,
        "fused_score": round(sc.fused[Question.AI_GENERATED], 3),
        "sha256": r.sha256,
        "report": None,  # filled in by the writer with a relative link
    }


def worst_errors(rows: Sequence[Row], q: Question = Question.AI_GENERATED) -> dict[str, Any]:
    """False positives (negatives flagged, highest first) and misses (positives not called, lowest first)."""
    data = _labelled(rows, q)
    fps = [(r, sc) for r, sc, t in data if t == 0 and sc.rank >= CHECK_RANK]
    fps.sort(key=lambda x: (x[1].rank, x[1].fused[q]), reverse=True)
    fns = [(r, sc) for r, sc, t in data if t == 1 and sc.rank < LIKELY_RANK]
    fns.sort(key=lambda x: (x[1].rank, x[1].fused[q]))
    return {
        "false_positives": [_entry(r, sc) for r, sc in fps[:WORST_SHOWN]],
        "misses": [_entry(r, sc) for r, sc in fns[:WORST_SHOWN]],
        "false_positives_total": len(fps),
        "misses_total": len(fns),
    }


def provenance_counts(rows: Sequence[Row]) -> dict[str, Any]:
    """Per provenance source (C2PA claim, AIGC label, invisible mark): how many AI-generated and how many
    real items carried it, and how many of those were attribution-grade (a signer on the C2PA Trust
    List, a label from a known producer). A source on real items is a false positive of that source."""
    out: dict[str, Any] = {}
    data = _labelled(rows, Question.AI_GENERATED)
    for source in sorted({s for _, sc, _ in data for s in sc.provenance}):
        block: dict[str, Any] = {}
        for side, want in (("positives", 1), ("negatives", 0)):
            mine = [sc for _, sc, t in data if t == want]
            carried = [sc.provenance[source] for sc in mine if source in sc.provenance]
            block[side] = {
                "items": len(mine),
                "carried": _rate(len(carried), len(mine)),
                "attribution_grade": _rate(sum(carried), len(mine)),
            }
        out[source] = block
    return out


def condition_metrics(rows: Sequence[Row], name: str, description: str) -> dict[str, Any]:
    errors = [{"path": r.item.rel, "error": r.error} for r in rows if r.scores is None]
    return {
        "name": name,
        "description": description,
        "items": len(rows),
        "errors": errors,
        "questions": {q.value: question_metrics(rows, q) for q in Question},
        "classes": class_metrics(rows),
        "provenance": provenance_counts(rows),
        "worst": worst_errors(rows),
    }
