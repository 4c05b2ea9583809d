"""Helpers shared by the web/API tests: building an app on a temporary data dir and waiting for cases.

Every test module that uses these first calls `pytest.importorskip("fastapi")`, so a default install
without the `web` extra skips them cleanly.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vidsleuth.web.cases_store import CaseStore
from vidsleuth.web.settings import ServerSettings

TERMINAL = ("done", "failed")


def make_settings(data_dir: Path, **overrides: Any) -> ServerSettings:
    """Settings for an in-process app: loopback, TestClient's host name allowed, two workers."""
    base: dict[str, Any] = {
        "data_dir": data_dir,
        "workers": 2,
        "allowed_hosts": ("testserver",),
        "max_upload_bytes": 2 * 1024 * 1024,
    }
    base.update(overrides)
    return ServerSettings(**base)


def wait_status(store: CaseStore, case_id: str, states: tuple[str, ...], timeout: float = 120.0) -> str:
    """Poll the store until the case reaches one of `states`; returns that state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = store.get(case_id)
        assert record is not None, f"case {case_id} is gone"
        if record.status in states:
            return record.status
        time.sleep(0.05)
    raise AssertionError(f"case {case_id} never reached {states}")


def queue_upload(settings: ServerSettings, store: CaseStore, video: Path) -> str:
    """Queue `video` as an upload case, as the upload route does (a random stored name); its case id."""
    stored = f"{os.urandom(16).hex()}.upload"
    (settings.uploads_dir / stored).write_bytes(video.read_bytes())
    return store.create_case(display_name=video.name, source_kind="upload", stored_name=stored).id


def record_progress(store: CaseStore) -> list[tuple[str, dict[str, Any]]]:
    """Make `store` keep a copy of every progress snapshot written to it; returns that growing list."""
    written: list[tuple[str, dict[str, Any]]] = []
    set_progress = store.set_progress

    def record(case_id: str, progress: Any) -> None:
        written.append((case_id, dict(progress)))
        set_progress(case_id, progress)

    store.set_progress = record  # type: ignore[method-assign]
    return written


def wait_for_case(client: Any, case_id: str, timeout: float = 90.0, headers: Any = None) -> dict[str, Any]:
    """Poll GET /api/cases/{id} until the case is done or failed; returns the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/api/cases/{case_id}", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] in TERMINAL:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(
                f"case {case_id} still {body['status']} after {timeout} s: {body['progress']}"
            )
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(data_dir: Path, *options: str, ready_timeout: float = 60.0) -> Iterator[tuple[str, int]]:
    """`vidsleuth serve` in a child process on a free loopback port; yields (base URL, pid).

    Waits until the health endpoint reports a ready worker; stops the server with SIGINT (a graceful
    shutdown) and kills it if it does not exit.
    """
    port = free_port()
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - closed below
    command = [sys.executable, "-c", "from vidsleuth.cli.serve import serve; serve()"]
    command += ["--port", str(port), "--data-dir", str(data_dir / "data"), "--log-level", "warning", *options]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited: {(data_dir / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/health", timeout=2) as answer:
                    if json.load(answer)["workers"] >= 1:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not become ready")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()
