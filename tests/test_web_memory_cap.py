"""The memory cap of web workers (issue #11): on by default, sized so that normal analyses never meet it
(measured in docs/reliability.md), and a worker that meets it fails only its own case, in one line."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from click.testing import CliRunner

from tests import media_factory as mf
from tests.fuzz.bombs import oversized_frames_avi
from tests.web_support import make_settings, queue_upload, wait_status
from vidsleuth.core.settings import Settings
from vidsleuth.web.cases_store import CaseStore
from vidsleuth.web.pool import AnalysisPool, death_reason, private_memory_mb
from vidsleuth.web.settings import DEFAULT_WORKER_MEMORY_MB, ServerSettings


def test_the_cap_is_on_by_default_and_can_be_turned_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert ServerSettings().worker_memory_mb == DEFAULT_WORKER_MEMORY_MB == 3072
    pytest.importorskip("uvicorn")
    import uvicorn

    from vidsleuth.cli.serve import serve

    seen: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_kw: seen.append(app.state.settings.worker_memory_mb))
    runner = CliRunner()
    assert runner.invoke(serve, ["--data-dir", str(tmp_path / "a")]).exit_code == 0
    assert runner.invoke(serve, ["--data-dir", str(tmp_path / "b"), "--worker-memory-mb", "0"]).exit_code == 0
    assert (
        runner.invoke(serve, ["--data-dir", str(tmp_path / "c"), "--worker-memory-mb", "1024"]).exit_code == 0
    )
    assert seen == [DEFAULT_WORKER_MEMORY_MB, None, 1024]
    too_small = runner.invoke(serve, ["--data-dir", str(tmp_path / "d"), "--worker-memory-mb", "100"])
    assert too_small.exit_code == 2 and "at least 256" in too_small.output


_ALLOCATE = """
import numpy as np
from vidsleuth.web.worker import limit_memory
limit_memory(300)
np.ones(100 * 1024 * 1024, np.uint8)  # 100 MB: fine
try:
    np.ones(400 * 1024 * 1024, np.uint8)
except MemoryError:
    print("capped")
"""


def test_the_cap_limits_private_memory() -> None:
    """RLIMIT_DATA: what the process makes writable, not the address space it reserves."""
    done = subprocess.run([sys.executable, "-c", _ALLOCATE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "capped"


def test_death_reasons() -> None:
    code, message = death_reason(-9, 2900, 3072)
    assert code == "out_of_memory" and "3072 MB" in message and "--worker-memory-mb" in message
    code, message = death_reason(-11, 300, 3072)
    assert code == "worker_crashed" and "signal SIGSEGV" in message and "\n" not in message
    assert death_reason(1, 2900, None)[0] == "worker_crashed"  # no cap: nothing to blame it on
    assert private_memory_mb(os.getpid()) > 10 and private_memory_mb(2**22 + 12345) == 0


def test_a_capped_worker_fails_only_its_own_case(tmp_path: Path) -> None:
    """Frames of 16000x16000 in an AVI declaring 64x48, with the pixel limit raised so that only the
    memory cap stands in the way: the worker never passes its cap, the case ends with the large frames
    left undecoded (or fails in one line), and the next case is analysed as usual."""
    cap = 1024
    settings = make_settings(
        tmp_path, workers=1, worker_memory_mb=cap, analysis=Settings(max_pixels=300_000_000)
    )
    settings.uploads_dir.mkdir(parents=True)
    store = CaseStore(settings.db_url)
    bomb = oversized_frames_avi(tmp_path / "bomb.avi")
    normal = mf.write_video(tmp_path / "normal.mp4", [mf.Scene(1.0, 2)], size=(64, 48))
    pool = AnalysisPool(store, settings)
    pool.start()
    try:
        first = queue_upload(settings, store, bomb)
        status = wait_status(store, first, ("done", "failed"))
        record = store.get(first)
        assert record is not None
        if status == "failed":
            assert record.error_code in ("out_of_memory", "worker_crashed")
            assert "\n" not in (record.error_message or "")
        assert 0 < pool.peak_worker_mb <= cap, pool.peak_worker_mb
        after = queue_upload(settings, store, normal)
        assert wait_status(store, after, ("done", "failed")) == "done"

        # A worker that dies near its cap (native code that could not cope with a failed allocation):
        # its case fails as out_of_memory, in one line, and the pool carries on.
        long_video = mf.continuous(tmp_path / "long.mp4", seconds=20.0)
        pool._settings = dataclasses.replace(settings, jobs_per_worker=50)
        dying = queue_upload(settings, store, long_video)
        wait_status(store, dying, ("running",))
        time.sleep(0.3)
        [busy] = [w for w in pool._workers if w.case_id == dying]
        busy.memory_mb = cap - 10  # as sampled just before it died
        os.kill(busy.process.pid or 0, signal.SIGKILL)
        assert wait_status(store, dying, ("failed", "done")) == "failed"
        record = store.get(dying)
        assert record is not None and record.error_code == "out_of_memory"
        assert f"({cap} MB)" in (record.error_message or "") and "\n" not in (record.error_message or "")
        assert record.progress.get("stage") == "failed"
        last = queue_upload(settings, store, normal)
        assert wait_status(store, last, ("done", "failed")) == "done"
    finally:
        pool.stop()
        store.close()
