"""The scorecard as Markdown: the headline numbers with their confidence intervals, for docs and tickets.

Every number read from the scorecard is formatted defensively (a missing value prints as "n/a"), and
every text that came from the dataset (paths, generator names) has Markdown table characters escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

QUESTION_TITLES = {
    "ai_generated": (
        "Is it AI-generated? (positives: ai, composite_ai, ai_animated_photo; negatives: real, render)"
    ),
    "manipulated": "Is it manipulated? (positives: every generated or manipulated class; negatives: real)",
}


def esc(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def iv(d: Any, digits: int = 2) -> str:
    """An interval dict as "0.83 [0.71, 0.91]"."""
    if not isinstance(d, Mapping) or not isinstance(d.get("value"), int | float):
        return "n/a"
    lo, hi = d.get("low"), d.get("high")
    if not isinstance(lo, int | float) or not isinstance(hi, int | float):
        return f"{d['value']:.{digits}f}"
    return f"{d['value']:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def rate(d: Any) -> str:
    """A rate dict as "3/25 = 0.12 [0.04, 0.30]"."""
    if not isinstance(d, Mapping) or not isinstance(d.get("n"), int):
        return "n/a"
    if d["n"] == 0:
        return "0/0"
    return f"{d.get('hits', 0)}/{d['n']} = {iv(d)}"


def at_rates(at: Any, name: str) -> tuple[str, str, str]:
    """Recall, false-positive rate and precision at one threshold, formatted."""
    row = at.get(name) if isinstance(at, Mapping) else None
    if not isinstance(row, Mapping):
        return "n/a", "n/a", "n/a"
    tp, fp, tn, fn = (int(row.get(k, 0)) for k in ("tp", "fp", "tn", "fn"))
    return (
        f"{tp}/{tp + fn} = {iv(row.get('recall'))}",
        f"{fp}/{fp + tn} = {iv(row.get('fpr'))}",
        f"{tp}/{tp + fp} = {iv(row.get('precision'))}" if tp + fp else "n/a",
    )


def _question(lines: list[str], name: str, q: Mapping[str, Any]) -> None:
    lines += [f"#### {QUESTION_TITLES.get(name, name)}", ""]
    lines.append(f"{q.get('positives', 0)} positives, {q.get('negatives', 0)} negatives.")
    lines.append("")
    v = q.get("verdict")
    if not isinstance(v, Mapping):
        lines += ["No labelled items for this question.", ""]
        return
    lines += [
        '| scored by | AUC [95% CI] | recall at "likely AI" | false-positive rate at "likely AI" '
        '| precision at "likely AI" | recall at "worth checking" | FPR at "worth checking" |',
        "|---|---|---|---|---|---|---|",
    ]
    r1, f1, p1 = at_rates(v.get("at"), "likely_ai")
    r2, f2, _ = at_rates(v.get("at"), "worth_checking")
    lines.append(f"| fused verdict (ordinal) | {iv(v.get('auc'))} | {r1} | {f1} | {p1} | {r2} | {f2} |")
    fused = q.get("fused_score", {})
    lines.append(f"| fused score (noisy-OR, for / against) | {iv(fused.get('auc'))} | | | | | |")
    if isinstance(q.get("calibrated"), Mapping):
        lines.append(f"| calibrated p | {iv(q['calibrated'].get('auc'))} | | | | | |")
    lines.append("")
    lines.append(
        f"Bootstrap interval of the verdict's AUC (stratified resamples): {iv(v.get('auc_bootstrap'))}."
    )
    lines.append("")
    signals = q.get("signals") or {}
    if signals:
        lines += [
            "| signal | ran OK / failed / skipped | AUC of its signed strength | recall at strength >= 0.4 "
            "| FPR at >= 0.4 | its evidence alone calls negatives AI | ... and positives |",
            "|---|---|---|---|---|---|---|",
        ]
        for sig, b in signals.items():
            st = b.get("status", {})
            other = st.get("skipped", 0) + st.get("not_applicable", 0)
            ran = f"{st.get('ok', 0)} / {st.get('failed', 0)} / {other}"
            r, f, _ = at_rates(b.get("at"), "moderate")
            alone = b.get("alone_ai_call", {})
            lines.append(
                f"| {esc(sig)} | {ran} | {iv(b.get('auc'))} | {r} | {f} | {rate(alone.get('negatives'))} "
                f"| {rate(alone.get('positives'))} |"
            )
        lines.append("")
    features = q.get("features") or {}
    if features:
        lines += ["| measurement (declared direction) | AUC [95% CI] | items with a value |", "|---|---|---|"]
        for feat, b in features.items():
            lines.append(
                f"| {esc(feat)} | {iv(b.get('auc'))} | {b.get('items', 0)} (missing {b.get('missing', 0)}) |"
            )
        lines.append("")
    gens = q.get("by_generator") or {}
    if gens:
        lines += [
            '| generator family | items | called "likely AI" | flagged "worth checking" or more '
            "| AUC vs all negatives |",
            "|---|---|---|---|---|",
        ]
        for fam, b in gens.items():
            lines.append(
                f"| {esc(fam)} | {b.get('items')} | {rate(b.get('likely_ai'))} "
                f"| {rate(b.get('worth_checking'))} | {iv(b.get('auc_vs_all_negatives'))} |"
            )
        lines.append("")


def _condition(lines: list[str], c: Mapping[str, Any], first: bool) -> None:
    lines += [f"## Condition `{esc(c.get('name'))}`: {esc(c.get('description', ''))}", ""]
    errors = c.get("errors") or []
    lines.append(f"{c.get('items', 0)} items; {len(errors)} could not be analysed.")
    lines.append("")
    for name, q in (c.get("questions") or {}).items():
        if first or name == "ai_generated":
            _question(lines, name, q)
    classes = c.get("classes") or {}
    if classes:
        lines += [
            '| class | items | called "likely AI" | flagged or more | inconclusive | verdicts |',
            "|---|---|---|---|---|---|",
        ]
        for cls, b in classes.items():
            verdicts = ", ".join(f"{k} {n}" for k, n in (b.get("verdicts") or {}).items() if n)
            lines.append(
                f"| {esc(cls)} | {b.get('items')} | {rate(b.get('likely_ai'))} "
                f"| {rate(b.get('worth_checking'))} | {rate(b.get('inconclusive'))} | {esc(verdicts)} |"
            )
        lines.append("")
    sources = c.get("provenance") or {}
    if sources:
        lines += [
            "| provenance source | AI-generated items carrying it | of which attribution-grade "
            "| real items carrying it |",
            "|---|---|---|---|",
        ]
        for source, b in sources.items():
            pos, neg = b.get("positives") or {}, b.get("negatives") or {}
            lines.append(
                f"| {esc(source)} | {rate(pos.get('carried'))} | {rate(pos.get('attribution_grade'))} "
                f"| {rate(neg.get('carried'))} |"
            )
        lines.append("")
    worst = c.get("worst") or {}
    for kind, title in (("false_positives", "False positives (negatives flagged)"), ("misses", "Misses")):
        entries = worst.get(kind) or []
        total = worst.get(f"{kind}_total", len(entries))
        lines.append(f"**{title}: {total}**" + (f" (first {len(entries)})" if total > len(entries) else ""))
        for e in entries:
            link = f" — [report]({e['report']})" if e.get("report") else ""
            lines.append(f"- `{esc(e.get('path'))}` ({esc(e.get('class'))}): {esc(e.get('headline'))}{link}")
        lines.append("")
    if errors:
        lines.append(
            "Not analysed: " + "; ".join(f"`{esc(e['path'])}` ({esc(e['error'])})" for e in errors[:10])
        )
        lines.append("")


def _glance(lines: list[str], conditions: list[Any]) -> None:
    """One row per condition: the AI-generated question's headline numbers."""
    lines += [
        "## Conditions at a glance (is it AI-generated?)",
        "",
        '| condition | videos scored | verdict AUC | recall at "likely AI" | FPR at "likely AI" '
        '| recall at "worth checking" | FPR at "worth checking" | not analysed |',
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in conditions:
        q = (c.get("questions") or {}).get("ai_generated") or {}
        v = q.get("verdict") or {}
        r1, f1, _ = at_rates(v.get("at"), "likely_ai")
        r2, f2, _ = at_rates(v.get("at"), "worth_checking")
        scored = q.get("positives", 0) + q.get("negatives", 0)
        lines.append(
            f"| `{esc(c.get('name'))}` | {scored} | {iv(v.get('auc'))} | {r1} | {f1} | {r2} | {f2} "
            f"| {len(c.get('errors') or [])} |"
        )
    lines.append("")


def render_markdown(card: Mapping[str, Any]) -> str:
    ds = card.get("dataset") or {}
    lines = [
        "# vidsleuth scorecard",
        "",
        f"- created {esc(card.get('created_at'))} by vidsleuth {esc(card.get('tool_version'))}"
        f" (commit {esc(card.get('commit') or 'unknown')})",
        f"- dataset `{esc(ds.get('name', ''))}` (digest {esc(ds.get('digest', ''))}): "
        f"{ds.get('items', 0)} videos, "
        + ", ".join(f"{esc(k)} {v}" for k, v in (ds.get("classes") or {}).items()),
        f"- left out (not videos): {esc(ds.get('excluded') or 'none')}; "
        f"missing files: {len(ds.get('missing') or [])}; "
        f"left out as the calibration's training items: {ds.get('left_out_as_calibration_training', 0)}",
        "- signals: " + ", ".join(f"{esc(k)} {esc(v)}" for k, v in (card.get("signals") or {}).items()),
        f"- verdicts from: {esc((card.get('calibration') or {}).get('name', 'rules@1'))} "
        f"(policy {esc((card.get('calibration') or {}).get('policy', 'rules@1'))}); settings digest "
        f"{esc(card.get('settings_digest', ''))}",
        "- intervals: 95 % (Wilson for rates, DeLong for AUC; a Wilson stand-in when an AUC is 0 or 1)",
        "",
    ]
    note = card.get("note")
    if note:
        lines += [f"> {esc(note)}", ""]
    conditions = card.get("conditions") or []
    if len(conditions) > 1:
        _glance(lines, conditions)
    for i, c in enumerate(conditions):
        _condition(lines, c, i == 0)
    return "\n".join(lines) + "\n"
