"""How a case is shown: its API shape, and its report with the analyst's review in the annotations.

Shared by the JSON API and the web pages, so both always say the same thing. The stored report is the
automatic one, exactly as the pipeline produced it; the review (analyst verdict, checklist, notes) is
merged into `Report.annotations` only when the report is rendered, so it is always current and the
automatic verdict is never touched.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import PurePath
from typing import Any

from vidsleuth.core.report import Report
from vidsleuth.report import render
from vidsleuth.web.cases_store import DONE, FAILED, CaseRecord, CaseStore, iso
from vidsleuth.web.errors import ApiError
from vidsleuth.web.review import ANALYST_LABELS, CHECKLIST, checklist_item, review_annotations
from vidsleuth.web.schemas import (
    AnalystVerdictOut,
    CaseLinks,
    CaseOut,
    ChecklistAnswerOut,
    ErrorInfo,
    Progress,
    VerdictBrief,
)

MEDIA_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def get_case(store: CaseStore, case_id: str) -> CaseRecord:
    record = store.get(case_id) if re.fullmatch(r"[0-9a-f]{32}", case_id) else None
    if record is None:
        raise ApiError(404, "case_not_found", f"there is no case {case_id[:40]!r}")
    return record


def links(case_id: str) -> CaseLinks:
    base = f"/api/cases/{case_id}"
    return CaseLinks(
        self=base,
        page=f"/cases/{case_id}",
        report_json=f"{base}/report.json",
        report_html=f"{base}/report.html",
        report_md=f"{base}/report.md",
    )


def analyst_verdict_out(verdict: dict[str, Any]) -> AnalystVerdictOut:
    return AnalystVerdictOut(**verdict, headline=ANALYST_LABELS.get(verdict["label"], verdict["label"]))


def case_out(record: CaseRecord, store: CaseStore, *, analyst: dict[str, Any] | None = None) -> CaseOut:
    """The API shape of a case. `analyst` is the current analyst verdict when the caller has it."""
    if analyst is None:
        verdicts = store.analyst_verdicts(record.id) if record.analyst_label else []
        analyst = verdicts[-1] if verdicts else None
    progress = dict(record.progress)
    verdict = None
    if record.status == DONE and record.verdict_label:
        verdict = VerdictBrief(
            label=record.verdict_label,
            headline=record.verdict_headline or record.verdict_label,
            confidence=record.verdict_confidence,
        )
    error = None
    if record.status == FAILED:
        error = ErrorInfo(
            code=record.error_code or "failed", message=record.error_message or "the analysis failed"
        )
    return CaseOut(
        id=record.id,
        status=record.status,  # type: ignore[arg-type]
        created_at=iso(record.created_at) or "",
        updated_at=iso(record.updated_at) or "",
        finished_at=iso(record.finished_at),
        display_name=record.display_name,
        source={"kind": record.source_kind, **({"url": record.source_url} if record.source_url else {})},
        size_bytes=record.size_bytes,
        sha256=record.sha256,
        progress=Progress(
            stage=str(progress.get("stage") or record.status),
            decode=progress.get("decode") if isinstance(progress.get("decode"), int | float) else None,
            signals={str(k): str(v) for k, v in (progress.get("signals") or {}).items()},
        ),
        verdict=verdict,
        analyst_verdict=analyst_verdict_out(analyst) if analyst else None,
        error=error,
        links=links(record.id),
    )


def checklist_out(store: CaseStore, case_id: str) -> list[ChecklistAnswerOut]:
    rows = store.checklist(case_id, [i.key for i in CHECKLIST])
    out = []
    for row in rows:
        item = checklist_item(row["item"])
        out.append(
            ChecklistAnswerOut(
                **row, title=item.title if item else row["item"], question=item.question if item else ""
            )
        )
    return out


def review_of(store: CaseStore, record: CaseRecord) -> dict[str, Any]:
    return review_annotations(
        case_id=record.id,
        submitted_at=iso(record.created_at) or "",
        source_kind=record.source_kind,
        source_url=record.source_url,
        analyst_verdicts=store.analyst_verdicts(record.id),
        checklist=store.checklist(record.id, [i.key for i in CHECKLIST]),
        notes=store.notes(record.id),
    )


def reviewed_report(store: CaseStore, record: CaseRecord) -> Report:
    """The automatic report with the case's review merged into its annotations."""
    if record.status != DONE:
        if record.status == FAILED:
            raise ApiError(
                409,
                "analysis_failed",
                f"this case has no report: {record.error_message or 'the analysis failed'}",
            )
        raise ApiError(
            409, "report_not_ready", f"the analysis is {record.status}; poll the case until it is done"
        )
    data = store.report(record.id)
    if data is None:
        raise ApiError(500, "report_missing", "the case is done but its report is missing from the store")
    report = Report.from_dict(data)
    merged = {**dict(report.annotations), **review_of(store, record)}
    return dataclasses.replace(report, annotations=merged)


def download_name(record: CaseRecord, fmt: str) -> str:
    """An ASCII file name for a downloaded report: the input's stem plus the first 8 hex of its hash."""
    stem = _UNSAFE.sub("_", PurePath(record.display_name).stem).strip("._")[:60] or "video"
    return f"{stem}-{(record.sha256 or record.id)[:8]}.report.{fmt}"


def rendered(store: CaseStore, record: CaseRecord, fmt: str) -> str:
    if fmt not in MEDIA_TYPES:
        raise ApiError(404, "unknown_format", f"reports come as json, html or md, not {fmt[:20]!r}")
    return render(reviewed_report(store, record), fmt)
