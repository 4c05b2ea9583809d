"""The web app on the Ray engine, in-process (`ray.init(num_cpus=2)`): a real upload analysed end to end
through the case store by Ray tasks, with the plan relayed as live progress, and a bad upload failing in
one line. Skipped with the reason when Ray is missing or cannot start here."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from tests import media_factory as mf
from tests.web_support import make_settings, queue_upload, record_progress, wait_status
from vidsleuth.web.cases_store import CaseStore
from vidsleuth.web.pool import AnalysisPool


@pytest.fixture(scope="module")
def ray_local() -> Iterator[Any]:
    ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'vidsleuth[ray]')")
    if not ray.is_initialized():
        try:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        except Exception as exc:  # no shared memory, no free ports...
            pytest.skip(f"Ray cannot start on this machine: {exc}")
    yield ray
    ray.shutdown()


def test_the_pool_runs_on_ray(ray_local: Any, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engine="ray", workers=2)
    settings.uploads_dir.mkdir(parents=True)
    store = CaseStore(settings.db_url)
    written = record_progress(store)
    # Every signal on 6 s at 160x120: about 2 s in a new worker, several supervisor ticks of progress.
    clip = mf.continuous(tmp_path / "clip.mp4", seconds=6.0, size=(160, 120))
    junk = tmp_path / "notes.mp4"
    junk.write_bytes(os.urandom(4096))
    pool = AnalysisPool(store, settings)
    pool.start()
    try:
        assert type(pool._engine).__name__ == "RayEngine" and pool.stats()["workers"] == 2
        good = queue_upload(settings, store, clip)
        bad = queue_upload(settings, store, junk)
        pool.wake()
        assert wait_status(store, good, ("done", "failed"), timeout=180) == "done", store.get(good)
        assert wait_status(store, bad, ("done", "failed"), timeout=180) == "failed"
        record_ = store.get(good)
        report = store.report(good)
        assert record_ is not None and report is not None
        assert report["source"]["name"] == "clip.mp4" and report["source"]["sha256"] == record_.sha256
        assert record_.progress["stage"] == "done"
        assert record_.progress["signals"] == {r["signal"]: r["status"] for r in report["results"]}
        running = [p for c, p in written if c == good and p["stage"] not in ("done", "failed")]
        assert any(p["signals"] and p["stage"] != "starting" for p in running), written
        failed = store.get(bad)
        assert failed is not None and failed.error_code == "bad_input"
        assert "\n" not in (failed.error_message or "") and failed.progress["stage"] == "failed"
        assert pool.crashes == 0
    finally:
        pool.stop()
        store.close()
