"""The case store's tables: cases, reports (JSON text), notes, analyst verdicts, checklist answers.

SQLAlchemy 2.x models and the engine factory, kept apart from `cases_store.CaseStore` (the operations)
so each file reads in one sitting. Table names start with ``vs_`` so that the case tables can share a
database with other vidsleuth stores. Timestamps are stored as naive UTC and read back zone-aware.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry

from vidsleuth.errors import ConfigError

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)
POSTGRES_EXTRA = "vidsleuth[postgres]"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(t: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC to the second, e.g. 2026-11-01T09:30:00Z."""
    return t.replace(microsecond=0).isoformat().replace("+00:00", "Z") if t is not None else None


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps stored as naive UTC (SQLite keeps no zone) and always read back zone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the case store; use UTC-aware datetimes")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return value.replace(tzinfo=dt.UTC) if value is not None else None


class Base(DeclarativeBase):
    pass


class CaseRow(Base):
    __tablename__ = "vs_cases"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), index=True)
    source_kind: Mapped[str] = mapped_column(String(16))  # upload | url
    source_url: Mapped[str | None] = mapped_column(Text)
    display_name: Mapped[str] = mapped_column(String(255), index=True)
    stored_name: Mapped[str | None] = mapped_column(String(64))  # random file name under uploads/
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    verdict_label: Mapped[str | None] = mapped_column(String(40), index=True)
    verdict_headline: Mapped[str | None] = mapped_column(String(300))
    verdict_confidence: Mapped[str | None] = mapped_column(String(16))
    analyst_label: Mapped[str | None] = mapped_column(String(40), index=True)
    progress: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ReportRow(Base):
    __tablename__ = "vs_case_reports"

    case_id: Mapped[str] = mapped_column(ForeignKey("vs_cases.id", ondelete="CASCADE"), primary_key=True)
    report_json: Mapped[str] = mapped_column(Text)


class NoteRow(Base):
    __tablename__ = "vs_case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("vs_cases.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class AnalystVerdictRow(Base):
    __tablename__ = "vs_case_analyst_verdicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("vs_cases.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[str] = mapped_column(String(16))
    rationale: Mapped[str] = mapped_column(Text)
    signed_by: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ChecklistRow(Base):
    __tablename__ = "vs_case_checklist"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("vs_cases.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(40))
    answer: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text)
    signed_by: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; ConfigError (naming the extra to install) when its driver is missing."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise ConfigError(
            f"the database driver for this URL is not installed ({exc}); for PostgreSQL run: "
            f"pip install '{POSTGRES_EXTRA}'"
        ) from None
    except ArgumentError:
        raise ConfigError("the database URL is not valid; expected e.g. sqlite:///cases.sqlite") from None
