"""A real PostgreSQL server for tests: initdb + pg_ctl on a temporary folder, loopback only.

`postgres_server` (session) starts one server and stops it at the end; `postgres_url` (per test) is
the SQLAlchemy URL of a fresh, empty database on it. Both skip with the reason when no server can be
started: PostgreSQL not installed (`.ci/run` installs Debian's `postgresql`), psycopg missing, or
running as root without a `postgres` user to run the server as (initdb refuses to run as root).

Import the fixtures into a test module with `from tests.pg_support import postgres_server, postgres_url`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


def find_binary(name: str) -> str | None:
    """`name` on PATH, else in Debian's versioned folder (/usr/lib/postgresql/<version>/bin)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class PgServer:
    base: str  # postgresql+psycopg://postgres@127.0.0.1:PORT
    admin_url: str


class PgUnavailableError(Exception):
    """PostgreSQL cannot be started here; the message says why."""


def _runner() -> tuple[list[str], str | None]:
    """The command prefix that runs the server as a non-root user, and that user (None: ourselves)."""
    if os.geteuid() != 0:
        return [], None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PgUnavailableError(
            "running as root and there is no `postgres` user to run PostgreSQL as (initdb refuses root)"
        ) from None
    runuser = shutil.which("runuser")
    if not runuser:
        raise PgUnavailableError(
            "running as root and `runuser` is missing: cannot start PostgreSQL as another user"
        )
    return [runuser, "-u", "postgres", "--"], "postgres"


@contextlib.contextmanager
def running_postgres() -> Iterator[PgServer]:
    """Start a throw-away server (raises PgUnavailableError with the reason) and stop it afterwards."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise PgUnavailableError("psycopg is not installed (pip install 'vidsleuth[postgres]')") from None
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise PgUnavailableError(
            "PostgreSQL is not installed (initdb/pg_ctl not found; Debian: apt-get install postgresql)"
        )
    prefix, user = _runner()
    root = tempfile.mkdtemp(prefix="vidsleuth-pg-")
    data = os.path.join(root, "data")
    if user is not None:
        info = pwd.getpwnam(user)
        os.chown(root, info.pw_uid, info.pw_gid)
    port = _free_port()
    log = os.path.join(root, "server.log")
    try:
        subprocess.run(
            [*prefix, initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
        subprocess.run(
            [*prefix, pg_ctl, "-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start"],
            check=True,
            capture_output=True,
            timeout=90,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(root, ignore_errors=True)
        raise PgUnavailableError(
            f"PostgreSQL could not start: {exc} {detail.decode(errors='replace')[:300]}"
        ) from None
    base = f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    try:
        yield PgServer(base=base, admin_url=f"{base}/postgres")
    finally:
        with contextlib.suppress(Exception):
            subprocess.run(
                [*prefix, pg_ctl, "-D", data, "-m", "immediate", "stop"], capture_output=True, timeout=60
            )
        shutil.rmtree(root, ignore_errors=True)


def create_database(server: PgServer) -> str:
    """A fresh empty database on `server`; returns its SQLAlchemy URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    dsn = server.admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server.base}/{name}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PgServer]:
    try:
        with running_postgres() as server:
            yield server
    except PgUnavailableError as exc:
        pytest.skip(str(exc))


@pytest.fixture
def postgres_url(postgres_server: PgServer) -> str:
    """A fresh empty database on the test server."""
    return create_database(postgres_server)
