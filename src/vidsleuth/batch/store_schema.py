"""Where a batch's results live, their tables, and the checks made before anything is written.

RESULTS is a folder (``results.sqlite`` inside, reports in ``reports/``, ``index.html``) or a database
URL (``sqlite:///…``, ``postgresql+psycopg://…``; reports are then kept only in the database). Three
tables, created together in one transaction:

- ``batch_meta``  (key, value): ``format`` = ``vidsleuth-batch``, ``schema``, the run's settings
  digest, settings and tool version, creation time. A store made under other settings or another
  version is refused (its unit keys would not match), never mixed.
- ``batch_units`` one row per unit of work (sha256, settings digest, tool version): status, failure
  code and reason, attempts, verdict label and confidence, the report JSON, the report file.
- ``batch_inputs`` one row per listed input name: first-seen position, the unit it resolved to, its
  status and reason, size and mtime (a done file whose size and mtime are unchanged is not read again).

A folder that holds something other than a batch, a ``results.sqlite`` that is not SQLite, a database
with other tables or a newer schema: each is refused at start with a one-line message, never touched.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from vidsleuth.core.errors import ReportError
from vidsleuth.media.source import safe_display_name

FORMAT = "vidsleuth-batch"
SCHEMA = 1
DB_FILE = "results.sqlite"
REPORTS_DIR = "reports"
INDEX_FILE = "index.html"
POSTGRES_EXTRA = "vidsleuth[postgres]"
_SQLITE_MAGIC = b"SQLite format 3\x00"
# What a results folder may hold besides the store (a lock file, SQLite's WAL files, the index, exports).
_OURS = {DB_FILE, REPORTS_DIR, INDEX_FILE, ".lock", f"{DB_FILE}-wal", f"{DB_FILE}-shm", f"{DB_FILE}-journal"}

metadata = MetaData()
meta_table = Table(
    "batch_meta", metadata, Column("key", String(64), primary_key=True), Column("value", Text, nullable=False)
)
units_table = Table(
    "batch_units",
    metadata,
    Column("unit_key", String(160), primary_key=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("status", String(16), nullable=False, index=True),
    Column("code", String(32)),
    Column("error", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("label", String(64)),
    Column("confidence", String(32)),
    Column("elapsed_s", Float),
    Column("cpu_s", Float),
    Column("report", Text),
    Column("report_path", String(300)),
    Column("updated_at", String(40), nullable=False),
)
inputs_table = Table(
    "batch_inputs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name_key", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("position", BigInteger, nullable=False, index=True),
    Column("is_url", Integer, nullable=False, default=0),
    Column("unit_key", String(160), index=True),
    Column("status", String(16), nullable=False, index=True),
    Column("error", Text),
    Column("size", BigInteger),
    Column("mtime_ns", BigInteger),
    Column("attempts", Integer, nullable=False, default=0),
    Column("run_id", String(32)),
    Column("updated_at", String(40), nullable=False),
)
TABLES = {t.name for t in (meta_table, units_table, inputs_table)}


class ResultsStoreError(ReportError):
    """The results store cannot be used: foreign, damaged, newer, of other settings, unreachable."""


def is_url(location: str) -> bool:
    return "://" in location


def display(location: str) -> str:
    """The location as it may be printed: a path, or a URL without its password."""
    if is_url(location):
        try:
            return safe_display_name(make_url(location).render_as_string(hide_password=True), 200)
        except ArgumentError:
            return "?"
    return safe_display_name(location, 200)


def folder_of(location: str) -> Path | None:
    """The results folder, or None when the results live only in a database."""
    return None if is_url(location) else Path(location).expanduser()


def check_folder(folder: Path, *, create: bool) -> Path:
    """The store file of a results folder, after checking that the folder is ours (or empty/new)."""
    shown = display(str(folder))
    if folder.exists() and not folder.is_dir():
        raise ResultsStoreError(
            f"{shown}: is a file; RESULTS must be a folder (new or made by `vidsleuth batch`) or a "
            "database URL"
        )
    db = folder / DB_FILE
    if folder.is_dir():
        try:
            entries = set(os.listdir(folder))
        except OSError as exc:
            raise ResultsStoreError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
        if entries and DB_FILE not in entries and not entries <= _OURS | {REPORTS_DIR}:
            raise ResultsStoreError(
                f"{shown}: the folder holds other files and no {DB_FILE}; it is not a batch results "
                "folder (choose a new or empty folder)"
            )
    elif not create:
        raise ResultsStoreError(f"{shown}: no such results folder")
    if db.exists():
        try:
            with db.open("rb") as fh:
                head = fh.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise ResultsStoreError(f"{display(str(db))}: cannot be read ({exc.strerror or exc})") from None
        if head != _SQLITE_MAGIC and db.stat().st_size:
            raise ResultsStoreError(
                f"{display(str(db))}: is not an SQLite database (damaged or foreign); it was left untouched"
            )
    if create:
        try:
            (folder / REPORTS_DIR).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ResultsStoreError(
                f"cannot create the results folder {shown}: {exc.strerror or exc}"
            ) from None
    return db


def connect(location: str, *, create: bool) -> Engine:
    """An engine for the store at `location` (a folder or a URL). Raises ResultsStoreError."""
    folder = folder_of(location)
    if folder is not None:
        url = URL.create("sqlite", database=str(check_folder(folder, create=create).resolve()))
    else:
        try:
            url = make_url(location)
        except ArgumentError:
            raise ResultsStoreError(f"{display(location)}: not a valid database URL") from None
    try:
        if url.get_backend_name() == "sqlite":
            engine = create_engine(url, connect_args={"timeout": 60})
            _sqlite_pragmas(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True, pool_size=2)
    except (NoSuchModuleError, ModuleNotFoundError, ImportError) as exc:
        raise ResultsStoreError(
            f"{display(location)}: the database driver is not installed ({exc}); for PostgreSQL: "
            f"pip install '{POSTGRES_EXTRA}'"
        ) from None
    return engine


def _sqlite_pragmas(engine: Engine) -> None:
    """Real transactions (an explicit BEGIN, DDL included) and a write-ahead log.

    WAL with synchronous=NORMAL loses nothing when the process is killed (only a power cut can lose the
    last commits), and makes each commit cheap enough for one transaction per finished unit."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def existing_tables(engine: Engine, location: str) -> set[str]:
    try:
        return set(inspect(engine).get_table_names())
    except SQLAlchemyError as exc:
        raise ResultsStoreError(f"{display(location)}: cannot be opened ({_first_line(exc)})") from None


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
