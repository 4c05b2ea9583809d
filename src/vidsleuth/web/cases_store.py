"""The case store: cases, their reports, analyst notes, analyst verdicts and checklist answers.

SQLAlchemy 2.x over an SQLite file by default (WAL mode, so the web process and the worker supervisor
read while one writes) or PostgreSQL by URL (``postgresql+psycopg://...``). The cases table is also the
work queue: a case is `queued` until the supervisor claims it (`running`), and ends `done` (with its
report) or `failed` (with an error code and message). A case is never deleted or silently dropped;
cases left `running` by a stopped server are put back in the queue at the next start.

Reads return frozen records (never ORM objects), so callers can hold them across threads. Review
entries are append-only: a new analyst verdict or checklist answer is a new row with who signed it and
when, and the latest one is current.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from vidsleuth.web.cases_models import (
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    STATUSES,
    AnalystVerdictRow,
    Base,
    CaseRow,
    ChecklistRow,
    NoteRow,
    ReportRow,
    iso,
    make_engine,
    utcnow,
)

__all__ = ["DONE", "FAILED", "QUEUED", "RUNNING", "STATUSES", "CaseQuery", "CaseRecord", "CaseStore", "iso"]


# Records handed to callers ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseRecord:
    id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    status: str
    source_kind: str
    source_url: str | None
    display_name: str
    stored_name: str | None
    size_bytes: int | None
    sha256: str | None
    verdict_label: str | None
    verdict_headline: str | None
    verdict_confidence: str | None
    analyst_label: str | None
    progress: Mapping[str, Any]
    error_code: str | None
    error_message: str | None
    attempts: int
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @classmethod
    def of(cls, row: CaseRow) -> CaseRecord:
        try:
            progress = json.loads(row.progress or "{}")
        except ValueError:
            progress = {}
        return cls(
            **{name: getattr(row, name) for name in cls.__slots__ if name != "progress"}, progress=progress
        )


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """Filters for listing cases; empty fields do not filter."""

    name: str | None = None  # substring of the file name, any case
    sha256: str | None = None  # hex prefix of the content hash
    verdict: str | None = None  # automatic verdict label
    analyst_verdict: str | None = None  # analyst verdict label
    status: str | None = None
    since: dt.datetime | None = None  # submitted at or after
    until: dt.datetime | None = None  # submitted before
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Claimed:
    case: CaseRecord
    attempts: int


@dataclass
class _Engines:
    engine: Engine
    sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)


class CaseStore:
    """Cases and everything attached to them. Thread-safe: each call uses its own session."""

    def __init__(self, url: str) -> None:
        self._db = _Engines(make_engine(url))
        Base.metadata.create_all(self._db.engine)

    def close(self) -> None:
        self._db.engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._db.sessions.begin() as session:
            yield session

    # Cases ---------------------------------------------------------------------------------------

    def create_case(
        self,
        *,
        display_name: str,
        source_kind: str,
        stored_name: str | None = None,
        size_bytes: int | None = None,
        sha256: str | None = None,
        source_url: str | None = None,
    ) -> CaseRecord:
        now = utcnow()
        row = CaseRow(
            id=secrets.token_hex(16),
            created_at=now,
            updated_at=now,
            status=QUEUED,
            source_kind=source_kind,
            source_url=source_url,
            display_name=display_name,
            stored_name=stored_name,
            size_bytes=size_bytes,
            sha256=sha256,
            progress=json.dumps({"stage": "queued"}),
            attempts=0,
        )
        with self._session() as s:
            s.add(row)
            s.flush()
            return CaseRecord.of(row)

    def get(self, case_id: str) -> CaseRecord | None:
        with self._session() as s:
            row = s.get(CaseRow, case_id)
            return CaseRecord.of(row) if row is not None else None

    def count(self, *statuses: str) -> int:
        with self._session() as s:
            stmt = select(func.count()).select_from(CaseRow).where(CaseRow.status.in_(statuses))
            return int(s.execute(stmt).scalar_one())

    def claim_next(self) -> Claimed | None:
        """Move the oldest queued case to running and return it; None when the queue is empty."""
        with self._session() as s:
            for case_id in s.execute(
                select(CaseRow.id).where(CaseRow.status == QUEUED).order_by(CaseRow.created_at).limit(5)
            ).scalars():
                now = utcnow()
                result = s.execute(
                    update(CaseRow)
                    .where(CaseRow.id == case_id, CaseRow.status == QUEUED)
                    .values(
                        status=RUNNING,
                        attempts=CaseRow.attempts + 1,
                        started_at=now,
                        updated_at=now,
                        progress=json.dumps({"stage": "starting"}),
                    )
                )
                if getattr(result, "rowcount", 0) == 1:
                    row = s.get(CaseRow, case_id, populate_existing=True)
                    assert row is not None
                    return Claimed(CaseRecord.of(row), row.attempts)
        return None

    def _update(self, case_id: str, **values: Any) -> None:
        values.setdefault("updated_at", utcnow())
        with self._session() as s:
            s.execute(update(CaseRow).where(CaseRow.id == case_id).values(**values))

    def set_progress(self, case_id: str, progress: Mapping[str, Any]) -> None:
        self._update(case_id, progress=json.dumps(dict(progress), default=str))

    def set_source(
        self, case_id: str, *, display_name: str, stored_name: str, size_bytes: int, sha256: str
    ) -> None:
        """Record the file a URL case fetched."""
        self._update(
            case_id, display_name=display_name, stored_name=stored_name, size_bytes=size_bytes, sha256=sha256
        )

    def finish(self, case_id: str, report: Mapping[str, Any], progress: Mapping[str, Any]) -> None:
        verdict = report.get("verdict") or {}
        source = report.get("source") or {}
        now = utcnow()
        with self._session() as s:
            s.merge(ReportRow(case_id=case_id, report_json=json.dumps(report, ensure_ascii=False)))
            s.execute(
                update(CaseRow)
                .where(CaseRow.id == case_id)
                .values(
                    status=DONE,
                    verdict_label=str(verdict.get("label") or "") or None,
                    verdict_headline=str(verdict.get("headline") or "")[:300] or None,
                    verdict_confidence=str(verdict.get("confidence") or "") or None,
                    sha256=str(source.get("sha256") or "") or None,
                    size_bytes=source.get("size_bytes"),
                    progress=json.dumps(dict(progress), default=str),
                    error_code=None,
                    error_message=None,
                    finished_at=now,
                    updated_at=now,
                )
            )

    def fail(self, case_id: str, code: str, message: str, progress: Mapping[str, Any] | None = None) -> None:
        """Fail a case. Its progress keeps what was known (each signal's state) with stage "failed":
        a failed case never looks as if it were still decoding."""
        now = utcnow()
        with self._session() as s:
            row = s.get(CaseRow, case_id)
            if row is None:
                return
            row.status, row.error_code, row.error_message = FAILED, code, message[:2000]
            row.progress = _failed_progress(progress if progress is not None else _progress_of(row))
            row.finished_at = row.updated_at = now

    def release(self, case_id: str) -> None:
        """Put a running case back in the queue without counting the attempt (a graceful stop)."""
        with self._session() as s:
            s.execute(
                update(CaseRow)
                .where(CaseRow.id == case_id, CaseRow.status == RUNNING)
                .values(
                    status=QUEUED, attempts=CaseRow.attempts - 1, progress=json.dumps({"stage": "queued"})
                )
            )

    def recover(self, max_attempts: int) -> tuple[list[str], list[str]]:
        """After a crash: requeue cases left running, or fail those that used up their attempts."""
        requeued, failed = [], []
        with self._session() as s:
            rows = s.execute(select(CaseRow).where(CaseRow.status == RUNNING)).scalars().all()
            for row in rows:
                if row.attempts >= max_attempts:
                    row.status, row.error_code = FAILED, "interrupted"
                    row.error_message = (
                        f"the analysis was interrupted {row.attempts} times (server stopped or crashed); "
                        "submit the file again to retry"
                    )
                    row.progress = _failed_progress(_progress_of(row))
                    row.finished_at = utcnow()
                    failed.append(row.id)
                else:
                    row.status, row.progress = QUEUED, json.dumps({"stage": "queued"})
                    requeued.append(row.id)
                row.updated_at = utcnow()
        return requeued, failed

    def search(self, q: CaseQuery) -> tuple[list[CaseRecord], int]:
        stmt = select(CaseRow)
        if q.name:
            escaped = q.name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(CaseRow.display_name.ilike(f"%{escaped}%", escape="\\"))
        if q.sha256:
            stmt = stmt.where(CaseRow.sha256.startswith(q.sha256.lower(), autoescape=True))
        if q.verdict:
            stmt = stmt.where(CaseRow.verdict_label == q.verdict)
        if q.analyst_verdict:
            stmt = stmt.where(CaseRow.analyst_label == q.analyst_verdict)
        if q.status:
            stmt = stmt.where(CaseRow.status == q.status)
        if q.since:
            stmt = stmt.where(CaseRow.created_at >= q.since)
        if q.until:
            stmt = stmt.where(CaseRow.created_at < q.until)
        with self._session() as s:
            total = int(s.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())
            rows = s.execute(
                stmt.order_by(CaseRow.created_at.desc(), CaseRow.id).limit(q.limit).offset(q.offset)
            ).scalars()
            return [CaseRecord.of(r) for r in rows], total

    def report(self, case_id: str) -> dict[str, Any] | None:
        with self._session() as s:
            row = s.get(ReportRow, case_id)
            if row is None:
                return None
            data: dict[str, Any] = json.loads(row.report_json)
            return data

    # Review --------------------------------------------------------------------------------------

    def add_note(self, case_id: str, author: str, text: str) -> dict[str, Any]:
        row = NoteRow(case_id=case_id, author=author, text=text, created_at=utcnow())
        with self._session() as s:
            s.add(row)
            s.flush()
            return _note(row)

    def notes(self, case_id: str) -> list[dict[str, Any]]:
        with self._session() as s:
            rows = s.execute(select(NoteRow).where(NoteRow.case_id == case_id).order_by(NoteRow.id)).scalars()
            return [_note(r) for r in rows]

    def set_analyst_verdict(
        self, case_id: str, *, label: str, confidence: str, rationale: str, signed_by: str
    ) -> dict[str, Any]:
        row = AnalystVerdictRow(
            case_id=case_id,
            label=label,
            confidence=confidence,
            rationale=rationale,
            signed_by=signed_by,
            signed_at=utcnow(),
        )
        with self._session() as s:
            s.add(row)
            s.execute(update(CaseRow).where(CaseRow.id == case_id).values(analyst_label=label))
            s.flush()
            return _verdict(row)

    def analyst_verdicts(self, case_id: str) -> list[dict[str, Any]]:
        """Oldest first; the last is current."""
        with self._session() as s:
            rows = s.execute(
                select(AnalystVerdictRow)
                .where(AnalystVerdictRow.case_id == case_id)
                .order_by(AnalystVerdictRow.id)
            ).scalars()
            return [_verdict(r) for r in rows]

    def set_checklist(self, case_id: str, signed_by: str, answers: Mapping[str, tuple[str, str]]) -> None:
        now = utcnow()
        with self._session() as s:
            for item, (answer, detail) in answers.items():
                s.add(
                    ChecklistRow(
                        case_id=case_id,
                        item=item,
                        answer=answer,
                        detail=detail,
                        signed_by=signed_by,
                        signed_at=now,
                    )
                )

    def checklist(self, case_id: str, order: Sequence[str] = ()) -> list[dict[str, Any]]:
        """The current answer of each item (the latest signed), in `order` then by name."""
        with self._session() as s:
            rows = s.execute(
                select(ChecklistRow).where(ChecklistRow.case_id == case_id).order_by(ChecklistRow.id)
            ).scalars()
            current = {r.item: r for r in rows}
        rank = {key: i for i, key in enumerate(order)}
        keys = sorted(current, key=lambda k: (rank.get(k, len(rank)), k))
        return [
            {
                "item": k,
                "answer": current[k].answer,
                "detail": current[k].detail,
                "signed_by": current[k].signed_by,
                "signed_at": iso(current[k].signed_at),
            }
            for k in keys
        ]


def _progress_of(row: CaseRow) -> dict[str, Any]:
    try:
        progress = json.loads(row.progress or "{}")
    except ValueError:
        return {}
    return progress if isinstance(progress, dict) else {}


def _failed_progress(progress: Mapping[str, Any]) -> str:
    """The progress of a failed case: what was known, the stage "failed", and no signal still running."""
    out = dict(progress)
    out["stage"] = "failed"
    signals = out.get("signals")
    if isinstance(signals, dict):
        out["signals"] = {k: ("not_run" if v in ("waiting", "running") else v) for k, v in signals.items()}
    return json.dumps(out, default=str)


def _note(row: NoteRow) -> dict[str, Any]:
    return {"id": row.id, "author": row.author, "text": row.text, "created_at": iso(row.created_at)}


def _verdict(row: AnalystVerdictRow) -> dict[str, Any]:
    return {
        "label": row.label,
        "confidence": row.confidence,
        "rationale": row.rationale,
        "signed_by": row.signed_by,
        "signed_at": iso(row.signed_at),
    }
