"""The analyst's review vocabulary, and how a review is written into a report's annotations.

An analyst's verdict is kept beside the automatic one, never in its place: the automatic verdict stays
what the checks found, and the review is added under `Report.annotations`, so downloads in every
format carry both. The context checklist holds the questions that exposed the seed case (a "23-year-old
conscript" whose age contradicted the conscription age): each answer records who signed it and when.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ANNOTATIONS_VERSION = "1"

# What an analyst may conclude; wider than the automatic labels, because a person also judges context.
ANALYST_LABELS: Mapping[str, str] = {
    "ai_generated": "AI-generated",
    "partly_ai_generated": "Partly AI-generated",
    "manipulated": "Edited or manipulated",
    "misattributed": "Real footage, false context",
    "authentic": "Authentic as claimed",
    "unverified": "Unverified",
}

ANALYST_CONFIDENCE: tuple[str, ...] = ("high", "medium", "low")


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    key: str
    title: str
    question: str


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "claimed_place",
        "Claimed place",
        "Do landmarks, terrain, signage, language and weather match the place claimed?",
    ),
    ChecklistItem(
        "claimed_date",
        "Claimed date",
        "Do season, light, events shown and the earliest copy online fit the date claimed?",
    ),
    ChecklistItem(
        "people",
        "People",
        "Are the people who they are said to be, and does anything about them contradict the claim?",
    ),
    ChecklistItem(
        "uniform_insignia",
        "Uniform and insignia",
        "Do uniforms, insignia, equipment and vehicles match the unit, country and period claimed?",
    ),
    ChecklistItem(
        "age_plausibility",
        "Age plausibility",
        "Are the ages stated or shown plausible (for example against conscription or service ages)?",
    ),
)
CHECKLIST_KEYS: frozenset[str] = frozenset(item.key for item in CHECKLIST)

CHECKLIST_ANSWERS: Mapping[str, str] = {
    "consistent": "Consistent with the claim",
    "contradicts": "Contradicts the claim",
    "unclear": "Unclear / could not check",
    "not_applicable": "Not applicable",
}


def checklist_item(key: str) -> ChecklistItem | None:
    return next((item for item in CHECKLIST if item.key == key), None)


@dataclass(frozen=True, slots=True)
class Signed:
    """Who signed a review entry and when (ISO 8601, UTC)."""

    by: str
    at: str


def review_annotations(
    *,
    case_id: str,
    submitted_at: str,
    source_kind: str,
    source_url: str | None,
    analyst_verdicts: Sequence[Mapping[str, Any]],
    checklist: Sequence[Mapping[str, Any]],
    notes: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The `Report.annotations` mapping for one case (documented in docs/web.md).

    `analyst_verdicts` is oldest first; the last one is the current analyst verdict and earlier ones
    are kept as history. `checklist` holds the current answer of each item, in checklist order.
    """
    out: dict[str, Any] = {
        "annotations_version": ANNOTATIONS_VERSION,
        "case": {"id": case_id, "submitted_at": submitted_at, "source": source_kind},
    }
    if source_url:
        out["case"]["url"] = source_url
    if analyst_verdicts:
        current = dict(analyst_verdicts[-1])
        current["headline"] = ANALYST_LABELS.get(str(current.get("label")), str(current.get("label")))
        current["note"] = "shown beside the automatic verdict, which it does not replace"
        out["analyst_verdict"] = current
        if len(analyst_verdicts) > 1:
            out["analyst_verdict_history"] = [dict(v) for v in analyst_verdicts[:-1]]
    if checklist:
        rows = []
        for answer in checklist:
            item = checklist_item(str(answer.get("item")))
            rows.append(
                {
                    "item": str(answer.get("item")),
                    "title": item.title if item else str(answer.get("item")),
                    "question": item.question if item else "",
                    **{k: v for k, v in answer.items() if k != "item"},
                }
            )
        out["checklist"] = rows
    if notes:
        out["notes"] = [dict(n) for n in notes]
    return out
