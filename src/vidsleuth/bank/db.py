"""Where the store lives and how to connect to it: an SQLite file by default, PostgreSQL by URL.

A location is either a database URL (``postgresql+psycopg://user@host/db``, ``sqlite:///path``) or a
plain file path, which means an SQLite file. With no location given, vidsleuth uses
``$VIDSLEUTH_BANK`` when set, else ``$VIDSLEUTH_HOME/bank.sqlite``, else
``$XDG_DATA_HOME/vidsleuth/bank.sqlite`` (``~/.local/share/vidsleuth/bank.sqlite``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from vidsleuth.bank.errors import BankError, BankNotFoundError
from vidsleuth.media.source import safe_display_name

BANK_FILE = "bank.sqlite"
ENV_BANK = "VIDSLEUTH_BANK"
ENV_HOME = "VIDSLEUTH_HOME"
POSTGRES_EXTRA = "vidsleuth[postgres]"
_SQLITE_MAGIC = b"SQLite format 3\x00"


def default_bank_path() -> Path:
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home).expanduser() / BANK_FILE
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data).expanduser() / "vidsleuth" / BANK_FILE


def resolve_location(explicit: str | None = None) -> str:
    """The bank location to use: the explicit one, else $VIDSLEUTH_BANK, else the default file."""
    if explicit:
        return explicit
    return os.environ.get(ENV_BANK) or str(default_bank_path())


def is_url(location: str) -> bool:
    return "://" in location


def display_location(location: str) -> str:
    """A location safe to show in a shared report: a file name, or a URL without its password."""
    if is_url(location):
        try:
            url = make_url(location)
        except ArgumentError:
            return "?"
        if url.get_backend_name() == "sqlite":
            return safe_display_name(Path(url.database or "").name or "sqlite")
        return safe_display_name(url.render_as_string(hide_password=True))
    return safe_display_name(Path(location).name or location)


def _sqlite_path(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def to_url(location: str) -> URL:
    if is_url(location):
        try:
            return make_url(location)
        except ArgumentError:
            raise BankError(f"{display_location(location)}: not a valid database URL") from None
    return URL.create("sqlite", database=str(Path(location).expanduser().resolve()))


# Execution option of the engine the bank writes through: on SQLite its transactions start with
# BEGIN IMMEDIATE (the write lock is taken first, so concurrent writers queue up instead of failing,
# and what a writer reads before writing cannot change under it).
WRITE_OPTION = "vidsleuth_write"


def _sqlite_transactions(engine: Engine) -> None:
    """Real transactions on SQLite, DDL included.

    Python's sqlite3 driver opens a transaction only before INSERT/UPDATE/DELETE, so a CREATE TABLE
    commits on its own and a concurrent process could see half a schema (issue #11). With the driver's
    own transaction handling off, every SQLAlchemy transaction starts with an explicit BEGIN (the recipe
    in SQLAlchemy's SQLite dialect documentation): a schema is created, or upgraded, all at once or not
    at all, and a read sees one consistent state of the bank."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver no longer begins or commits on its own
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = bool(conn.get_execution_options().get(WRITE_OPTION))
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def connect(location: str, *, create: bool) -> Engine:
    """An engine for `location`. Raises BankNotFoundError or BankError with a one-line reason."""
    url = to_url(location)
    shown = display_location(location)
    path = _sqlite_path(url)
    if path is not None:
        if path.is_dir():
            raise BankError(f"{shown}: is a directory, expected a bank file")
        if path.exists():
            if path.stat().st_size and not _looks_like_sqlite(path):
                raise BankError(f"{shown}: is not a vidsleuth bank (not an SQLite database)")
        elif not create:
            raise BankNotFoundError(f"no bank at {shown}; create one with `vidsleuth bank add FILE`")
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise BankError(f"cannot create the bank's folder for {shown}: {exc.strerror}") from None
    try:
        if path is not None or url.get_backend_name() == "sqlite":
            engine = create_engine(url, connect_args={"timeout": 30})
            _sqlite_transactions(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ModuleNotFoundError, ImportError) as exc:
        raise BankError(
            f"{shown}: the database driver is not installed ({exc}); for PostgreSQL: "
            f"pip install '{POSTGRES_EXTRA}'"
        ) from None
    return engine


def _looks_like_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError as exc:
        raise BankError(f"{display_location(str(path))}: cannot be read ({exc.strerror})") from None
