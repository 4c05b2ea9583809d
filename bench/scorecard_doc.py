"""The docs/scorecard.md page, assembled from the scorecards and calibrations `make_scorecard.py` writes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from vidsleuth.evaluate.degrade import Condition
from vidsleuth.fusion.calibration import Calibration


def _calibration_table(title: str, cal: Calibration) -> list[str]:
    h = cal.heldout
    s = h["summary"]
    alone = h.get("signal_alone", {})
    lines = [
        f"### {title}",
        "",
        f"{h['method']}; {h['items']} videos ({h['positives']} positive, {h['negatives']} negative). Every "
        "number below is measured on videos the fit did not see.",
        "",
        "| held-out | value [95% CI] |",
        "|---|---|",
        f"| AUC of the calibrated probability | {s['auc']} |",
        f'| calibrated@1 verdicts, called "likely AI" | {s["verdict_ai_call"]} |',
        f'| calibrated@1 verdicts, flagged "worth checking" or more | {s["verdict_flagged"]} |',
        f'| rules@1 on the same videos, called "likely AI" | {s["rules_ai_call"]} |',
        f"| rules@1 on the same videos, flagged or more | {s['rules_flagged']} |",
        f"| probability at the 'likely AI' threshold (if it were allowed) | recall {s['tpr_at_likely']}, "
        f"FPR {s['fpr_at_likely']} |",
        f"| 'likely AI' labels allowed by the held-out data | {'yes' if cal.allow_likely_ai else 'no'} |",
        "",
    ]
    if alone:
        lines += [
            "| signal alone (its evidence under the learned strengths) | negatives called AI | negatives "
            "flagged | positives flagged |",
            "|---|---|---|---|",
        ]
        for sig, c in alone.items():
            lines.append(
                f"| {sig} | {c['ai_call']['fp']}/{h['negatives']} | {c['flagged']['fp']}/{h['negatives']} "
                f"| {c['flagged']['tp']}/{h['positives']} |"
            )
        lines.append("")
    learned = h.get("learned_evidence", {})
    if learned:
        lines += [
            "| learned finding | held-out AUC (fitted direction) | videos | strength cap |",
            "|---|---|---|---|",
        ]
        for code, v in learned.items():
            a = v["auc"]
            auc = (
                f"{a['value']:.2f} [{a['low']:.2f}, {a['high']:.2f}]" if a.get("value") is not None else "n/a"
            )
            lines.append(f"| `{code}` | {auc} | {v['items']} | {v['max_strength']} |")
        lines.append("")
    return lines


def demote(text: str) -> str:
    """A scorecard.md nested one heading level down, without links to the run's local HTML reports."""
    text = re.sub(r" — \[report\]\([^)]*\)", "", text)
    text = text.replace("\n## ", "\n### ").replace("\n#### ", "\n##### ")
    return text.replace("# vidsleuth scorecard", "## Scorecard", 1)


def render_doc(
    out: Path, command: str, conds: Sequence[Condition], cal: Calibration, suite: Calibration
) -> str:
    """docs/scorecard.md: held-out calibration tables, then the corpus and suite scorecards."""
    corpus_md = (out / "corpus" / "scorecard.md").read_text(encoding="utf-8")
    suite_md = (out / "suite" / "scorecard.md").read_text(encoding="utf-8")
    lines = [
        "# Scorecard",
        "",
        "Produced by `bench/make_scorecard.py` (which runs `vidsleuth eval` and `vidsleuth calibrate`",
        "through their library calls) on ../shared/corpus and on the generated suites. Conditions: "
        + ", ".join(f"`{c.name}` ({c.description})" for c in conds)
        + ". The corpus is small (about a hundred videos from a few dozen sources, many near-duplicates):",
        "read the intervals, not the points. Reproduce with:",
        "",
        "```sh",
        command,
        "```",
        "",
        "## Calibration fitted on the corpus (held out)",
        "",
        "Not shipped: `check` keeps rules@1 (docs/evaluation.md explains why).",
        "",
        *_calibration_table("Shared corpus (grouped by bench/suites/corpus_groups.csv)", cal),
        *_calibration_table("Generated camera-motion suite", suite),
        "# Part 1 — shared corpus",
        "",
        demote(corpus_md),
        "# Part 2 — generated camera-motion suite",
        "",
        "Labels are true by construction of the camera path only (bench/suites/motion_suite.py): these",
        "numbers say whether the measurements work, not how well vidsleuth detects AI video.",
        "",
        demote(suite_md),
    ]
    return "\n".join(lines) + "\n"
