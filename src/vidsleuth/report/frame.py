"""The parts of a report that belong to no signal: the file's identity, the container and streams as
probed, the analyst review, the evidence table. Signal sections come from the signals' own panels
(`vidsleuth.report.sections`).

Much of what is shown is attacker-controlled (tags, file names, annotations typed in the web app) or may
come from an edited report file, so each value is type-checked and cut to a length before use.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from vidsleuth.core.media import MediaInfo
from vidsleuth.core.report import Report
from vidsleuth.core.view import (
    anchor_id,
    as_number,
    as_text,
    clip,
    container_name,
    fact_name,
    fact_text,
    fmt_time,
)


def picture_size(media: MediaInfo) -> str:
    """Width × height as shown to a viewer, rotation applied."""
    v = media.video
    w, h, rot = (as_number(x) for x in (v.width, v.height, v.rotation)) if v else (None, None, None)
    if w is None or h is None:
        return "—"
    return f"{int(h)} × {int(w)}" if (rot or 0) % 180 == 90 else f"{int(w)} × {int(h)}"


# Container and streams (shown by the metadata panel, or here when that signal did not run) ----------


@dataclass(frozen=True, slots=True)
class MetaGroup:
    title: str
    rows: tuple[tuple[str, str], ...]  # field, value


def probe_groups(media: MediaInfo) -> tuple[MetaGroup, ...]:
    """The container's and each stream's declared facts and tags."""
    rows = [("container", container_name(media)), ("duration", fmt_time(as_number(media.duration_s)))]
    if media.bit_rate:
        rows.append(("overall bit rate", fact_text("bit_rate", media.bit_rate)))
    rows += [(f"tag: {k}", clip(str(v))) for k, v in media.tags.items()]
    groups = [MetaGroup("Container", tuple(rows))]
    for s in media.streams:
        facts = {k: v for k, v in s.to_dict().items() if k not in ("index", "kind", "tags")}
        srows = [(fact_name(k), fact_text(k, v)) for k, v in facts.items() if v not in (None, "", 0)]
        srows += [(f"tag: {k}", clip(str(v))) for k, v in s.tags.items()]
        groups.append(MetaGroup(f"Stream {s.index} — {s.kind}", tuple(srows)))
    return tuple(groups)


# Analyst review (annotations added by people, e.g. in the web app) -----------------------------------


@dataclass(frozen=True, slots=True)
class ReviewPanel:
    """What analysts added: a verdict shown beside the automatic one, a signed checklist, notes."""

    verdict: dict[str, str] | None
    checklist: tuple[dict[str, str], ...]
    notes: tuple[dict[str, str], ...]


_REVIEW_VERDICT_KEYS = ("headline", "label", "confidence", "rationale", "signed_by", "signed_at")
_CHECKLIST_KEYS = ("title", "item", "question", "answer", "detail", "signed_by", "signed_at")
_NOTE_KEYS = ("author", "text", "created_at")


def _map(x: object) -> Mapping[str, Any]:
    return x if isinstance(x, Mapping) else {}


def _list(x: object) -> list[Any]:
    return list(x) if isinstance(x, list | tuple) else []


def _fields(x: object, keys: Iterable[str]) -> dict[str, str]:
    d = _map(x)
    out = {k: as_text(d.get(k)) for k in keys}
    return {k: clip(v, 500) for k, v in out.items() if v}


def review_panel(report: Report) -> ReviewPanel | None:
    """The analyst review in `report.annotations` (shape in docs/web.md), or None when there is none."""
    ann = _map(report.annotations)
    raw_verdict = _map(ann.get("analyst_verdict"))
    verdict = _fields(raw_verdict, _REVIEW_VERDICT_KEYS) if raw_verdict else None
    if verdict is not None and not (verdict.get("headline") or verdict.get("label")):
        verdict = None
    checklist = tuple(
        row
        for row in (_fields(item, _CHECKLIST_KEYS) for item in _list(ann.get("checklist")))
        if row.get("answer") or row.get("detail")
    )
    notes = tuple(row for row in (_fields(n, _NOTE_KEYS) for n in _list(ann.get("notes"))) if row.get("text"))
    if verdict is None and not checklist and not notes:
        return None
    return ReviewPanel(
        {k: verdict.get(k, "") for k in _REVIEW_VERDICT_KEYS} if verdict else None,
        tuple({k: r.get(k, "") for k in _CHECKLIST_KEYS} for r in checklist),
        tuple({k: n.get(k, "") for k in _NOTE_KEYS} for n in notes),
    )


# Evidence table ---------------------------------------------------------------------------------


def code_html(code: str) -> Markup:
    """An evidence code that wraps only after its dots and underscores, never inside a word."""
    parts = [escape(p) for p in code.replace(".", ".\0").replace("_", "_\0").split("\0")]
    return Markup("<wbr>").join(parts)


def evidence_rows(report: Report) -> list[dict[str, Any]]:
    """One row per finding, with a unique anchor; `panel` is filled by the sections that show it."""
    rows, seen = [], set()
    for ri, r in enumerate(report.results):
        for ei, e in enumerate(r.evidence):
            anchor = anchor_id(e.code)
            n = 2
            while anchor in seen:
                anchor, n = f"{anchor_id(e.code)}-{n}", n + 1
            seen.add(anchor)
            data = json.dumps(dict(e.data), indent=1, ensure_ascii=False, default=str)
            rows.append(
                {
                    "e": e,
                    "signal": r.signal,
                    "anchor": anchor,
                    "code_html": code_html(e.code),
                    "data": clip(data) if e.data else "",
                    "key": (ri, ei),
                    "panel": "",
                }
            )
    return rows


# Scores -----------------------------------------------------------------------------------------

_SCORE_WORDS = {
    "ai_generated": "AI-generated: findings for",
    "ai_generated_against": "AI-generated: findings against (capture claims, long continuous shots)",
    "ai_generated_calibrated": "AI-generated: calibrated probability",
    "face_manipulated": "face manipulated: findings for",
    "edited": "edited or joined: findings for",
    "known_content": "matches known content",
    "provenance_attested": "provenance attested (signed claims)",
}


def score_rows(scores: Mapping[str, object]) -> list[tuple[str, float]]:
    out = []
    for key, value in scores.items():
        n = as_number(value)
        if n is not None:
            out.append((_SCORE_WORDS.get(str(key), str(key).replace("_", " ")), n))
    return out
