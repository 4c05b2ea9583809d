"""The web app when its server is killed (issue #11): `vidsleuth serve` is SIGKILLed in the middle of an
analysis, with more cases waiting, then started again on the same data directory. Every case submitted
is still there, exactly once; the interrupted one is queued again and finishes; the waiting ones run.
Nothing is lost, nothing is duplicated, and no case is left looking as if it were still running."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from tests import media_factory as mf
from tests.web_support import free_port


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def _upload(base: str, name: str, data: bytes) -> str:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{base}/api/cases", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.status == 202
        case_id: str = json.load(answer)["id"]
        return case_id


@contextlib.contextmanager
def _server(data_dir: Path, log_name: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`vidsleuth serve` with one worker, in a process group of its own (so that the test can kill the
    server alone, and clean up its orphaned workers after)."""
    port = free_port()
    log = open(data_dir / log_name, "wb")  # noqa: SIM115 - closed below
    command = [sys.executable, "-c", "from vidsleuth.cli.serve import serve; serve()", "--port", str(port)]
    command += ["--data-dir", str(data_dir / "data"), "--workers", "1", "--log-level", "warning"]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, (data_dir / log_name).read_text()[-2000:]
            with contextlib.suppress(OSError):
                if _get(f"{base}/api/health")["workers"] >= 1:
                    break
            assert time.monotonic() < deadline, "server did not become ready"
            time.sleep(0.2)
        yield base, process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the server and whatever workers it left
        process.wait(10)
        log.close()


def _wait_all(base: str, ids: list[str], timeout: float = 180.0) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        cases = {case_id: _get(f"{base}/api/cases/{case_id}") for case_id in ids}
        if all(c["status"] in ("done", "failed") for c in cases.values()):
            return cases
        assert time.monotonic() < deadline, {k: (c["status"], c["progress"]) for k, c in cases.items()}
        time.sleep(0.3)


def test_sigkill_mid_analysis_then_restart_loses_nothing(tmp_path: Path) -> None:
    long_video = mf.continuous(tmp_path / "long.mp4", seconds=120.0).read_bytes()
    short = [
        mf.write_video(tmp_path / f"short{k}.mp4", [mf.Scene(1.0, k + 1)], size=(64, 48)).read_bytes()
        for k in range(3)
    ]
    with _server(tmp_path, "first.log") as (base, process):
        long_id = _upload(base, "long.mp4", long_video)
        waiting = [_upload(base, f"short{k}.mp4", data) for k, data in enumerate(short)]
        deadline = time.monotonic() + 90
        while _get(f"{base}/api/cases/{long_id}")["progress"].get("stage") not in ("decode", "signal"):
            assert time.monotonic() < deadline, "the long case never started decoding"
            time.sleep(0.1)
        running = _get(f"{base}/api/cases/{long_id}")
        assert running["status"] == "running"
        os.kill(process.pid, signal.SIGKILL)  # the server only: a crash, not a shutdown
        process.wait(10)
    ids = [long_id, *waiting]
    with _server(tmp_path, "second.log") as (base, _process):
        cases = _wait_all(base, ids)
        listed = _get(f"{base}/api/cases?limit=200")
    assert {k: c["status"] for k, c in cases.items()} == dict.fromkeys(ids, "done")
    assert sorted(c["id"] for c in listed["items"]) == sorted(ids)  # each exactly once, nothing extra
    for case_id in ids:
        assert cases[case_id]["progress"]["stage"] == "done"
    report = cases[long_id]
    assert report["verdict"] is not None
