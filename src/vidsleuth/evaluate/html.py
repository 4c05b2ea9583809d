"""The scorecard as one self-contained HTML page: tables, ROC curves and score histograms as inline SVG.

No script, no external URL, no web font: the page opens offline and can be attached to a ticket. All text
from the dataset is escaped by Jinja2's autoescape; the SVG geometry is computed here as numbers only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jinja2

from vidsleuth.evaluate.html_template import TEMPLATE
from vidsleuth.evaluate.markdown import QUESTION_TITLES, at_rates, iv, rate

PALETTE = ("#1b4f9c", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b7950b", "#2c3e50")
ROC_SIZE, ROC_MARGIN = 300.0, 36.0
HIST_W, HIST_H, HIST_MARGIN = 300.0, 120.0, 24.0


def roc_svg(curves: Sequence[tuple[str, Sequence[Sequence[float]], str]]) -> dict[str, Any]:
    """Geometry of a ROC plot: per curve its polyline points, colour and legend text."""
    size, m = ROC_SIZE, ROC_MARGIN
    out = []
    for i, (name, points, auc_text) in enumerate(curves):
        pts = " ".join(
            f"{m + float(f) * size:.1f},{m + (1.0 - float(t)) * size:.1f}"
            for f, t in points
            if len((f, t)) == 2
        )
        out.append(
            {"name": name, "points": pts, "colour": PALETTE[i % len(PALETTE)], "auc": auc_text, "y": 14 * i}
        )
    return {"size": size, "margin": m, "full": size + 2 * m, "curves": out}


def hist_svg(hist: Mapping[str, Any] | None, title: str) -> dict[str, Any] | None:
    """Geometry of a two-class histogram: bars for positives (red) and negatives (blue) per bin."""
    if not isinstance(hist, Mapping):
        return None
    pos, neg, edges = hist.get("positives") or [], hist.get("negatives") or [], hist.get("edges") or []
    if not pos or len(pos) != len(neg) or len(edges) != len(pos) + 1:
        return None
    top = max(1, *pos, *neg)
    n = len(pos)
    slot = HIST_W / n
    bars = []
    for i, (p, q) in enumerate(zip(pos, neg, strict=True)):
        for j, (count, cls) in enumerate(((q, "neg"), (p, "pos"))):
            h = HIST_H * count / top
            bars.append(
                {
                    "x": HIST_MARGIN + i * slot + j * slot / 2,
                    "y": HIST_MARGIN + HIST_H - h,
                    "w": slot / 2 - 0.5,
                    "h": h,
                    "cls": cls,
                    "tip": f"{edges[i]:.2f}–{edges[i + 1]:.2f}: {count}",
                }
            )
    return {
        "title": title,
        "bars": bars,
        "w": HIST_W + 2 * HIST_MARGIN,
        "h": HIST_H + 2 * HIST_MARGIN,
        "lo": f"{edges[0]:g}",
        "hi": f"{edges[-1]:g}",
        "top": top,
        "base": HIST_MARGIN + HIST_H,
    }


def _question_view(name: str, q: Mapping[str, Any]) -> dict[str, Any]:
    raw = q.get("verdict")
    v: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    curves = []
    for label, block in (
        ("fused verdict", v),
        ("fused score", q.get("fused_score")),
        ("calibrated p", q.get("calibrated")),
    ):
        if isinstance(block, Mapping) and block.get("roc"):
            curves.append((label, block["roc"], iv(block.get("auc"))))
    signal_rows, hists = [], []
    for sig, b in (q.get("signals") or {}).items():
        if b.get("roc"):
            curves.append((f"signal {sig}", b["roc"], iv(b.get("auc"))))
        r, f, _ = at_rates(b.get("at"), "moderate")
        alone = b.get("alone_ai_call") or {}
        signal_rows.append(
            {
                "name": sig,
                "status": b.get("status", {}),
                "auc": iv(b.get("auc")),
                "recall": r,
                "fpr": f,
                "alone_neg": rate(alone.get("negatives")),
                "alone_pos": rate(alone.get("positives")),
            }
        )
        h = hist_svg(b.get("hist"), f"signal {sig}: signed strength")
        if h:
            hists.append(h)
    head = []
    for label in ("likely_ai", "worth_checking", "decisive"):
        head.append((label.replace("_", " "), *at_rates(v.get("at"), label)))
    return {
        "title": QUESTION_TITLES.get(name, name),
        "positives": q.get("positives", 0),
        "negatives": q.get("negatives", 0),
        "auc": iv(v.get("auc")),
        "auc_boot": iv(v.get("auc_bootstrap")),
        "fused_auc": iv((q.get("fused_score") or {}).get("auc")),
        "at": head,
        "roc": roc_svg(curves) if curves else None,
        "verdict_hist": hist_svg(v.get("hist"), "fused verdict (0 camera original … 6 AI-generated)"),
        "fused_hist": hist_svg((q.get("fused_score") or {}).get("hist"), "fused score (for − against)"),
        "signal_rows": signal_rows,
        "signal_hists": hists,
        "features": [
            {"name": k, "auc": iv(b.get("auc")), "items": b.get("items", 0), "missing": b.get("missing", 0)}
            for k, b in (q.get("features") or {}).items()
        ],
        "generators": [
            {
                "name": k,
                "items": b.get("items"),
                "likely": rate(b.get("likely_ai")),
                "check": rate(b.get("worth_checking")),
                "auc": iv(b.get("auc_vs_all_negatives")),
            }
            for k, b in (q.get("by_generator") or {}).items()
        ],
        "sources": [
            {
                "name": k,
                "pos": b.get("positives"),
                "neg": b.get("negatives"),
                "likely": rate(b.get("likely_ai")),
                "check": rate(b.get("worth_checking")),
            }
            for k, b in (q.get("by_source") or {}).items()
        ],
    }


def _condition_view(c: Mapping[str, Any]) -> dict[str, Any]:
    classes = []
    for cls, b in (c.get("classes") or {}).items():
        classes.append(
            {
                "name": cls,
                "items": b.get("items"),
                "likely": rate(b.get("likely_ai")),
                "check": rate(b.get("worth_checking")),
                "inconclusive": rate(b.get("inconclusive")),
                "verdicts": b.get("verdicts") or {},
            }
        )
    first: Mapping[str, Any] = next(iter((c.get("classes") or {}).values()), {})
    verdict_names = list((first.get("verdicts") or {}).keys())
    return {
        "name": c.get("name"),
        "description": c.get("description"),
        "items": c.get("items"),
        "errors": c.get("errors") or [],
        "questions": [_question_view(n, q) for n, q in (c.get("questions") or {}).items()],
        "classes": classes,
        "verdict_names": verdict_names,
        "worst": c.get("worst") or {},
    }


def render_html(card: Mapping[str, Any]) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.ChainableUndefined)
    template = env.from_string(TEMPLATE)
    return template.render(
        card=card,
        ds=card.get("dataset") or {},
        conditions=[_condition_view(c) for c in card.get("conditions") or []],
    )
