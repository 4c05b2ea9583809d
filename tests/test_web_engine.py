"""The web app's analyses run on the batch engine (issue #15): the local engine by default, with the
web's live progress relayed into the case store and each worker recycled after `jobs_per_worker` cases;
`serve --engine` / VIDSLEUTH_ENGINE choose the engine. (Crash, memory cap, timeout and recovery on this
engine: tests/test_web_case_store.py and tests/test_web_memory_cap.py.)"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from click.testing import CliRunner

from tests import media_factory as mf
from tests.web_support import make_settings, queue_upload, record_progress, wait_status
from vidsleuth.batch.local_engine import LocalEngine
from vidsleuth.batch.unit import fold_progress, new_progress
from vidsleuth.errors import ConfigError
from vidsleuth.web.cases_store import CaseStore
from vidsleuth.web.pool import AnalysisPool
from vidsleuth.web.settings import ServerSettings


def test_progress_folds_plan_fetch_decode_and_signals() -> None:
    p = new_progress()
    fold_progress(p, {"stage": "fetch", "fraction": 0.0})
    fold_progress(p, {"stage": "fetched", "source": {"stored_name": "x.upload"}})
    fold_progress(p, {"stage": "plan", "signals": ["metadata", "shots"]})
    assert p["stage"] == "fetch" and p["signals"] == {"metadata": "waiting", "shots": "waiting"}
    fold_progress(p, {"stage": "decode", "fraction": 0.5})
    fold_progress(p, {"stage": "signal", "signal": "metadata", "status": "ok"})
    assert p["decode"] == 0.5 and p["signals"] == {"metadata": "ok", "shots": "running"}
    assert p["source"] == {"stored_name": "x.upload"}


def test_the_pool_runs_on_the_local_engine_with_progress_and_recycling(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, workers=1, jobs_per_worker=1)
    settings.uploads_dir.mkdir(parents=True)
    store = CaseStore(settings.db_url)
    written = record_progress(store)
    # Every signal on 6 s at 160x120: about 1.7 s in a new worker (0.75 s warm), several supervisor ticks.
    clip = mf.continuous(tmp_path / "clip.mp4", seconds=6.0, size=(160, 120))
    pool = AnalysisPool(store, settings)
    pool.start()
    try:
        assert isinstance(pool._engine, LocalEngine)
        first_pid = pool._workers[0].process.pid
        first = queue_upload(settings, store, clip)
        pool.wake()
        assert wait_status(store, first, ("done", "failed")) == "done"
        deadline = time.monotonic() + 30
        while pool._workers[0].process.pid == first_pid and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool._workers[0].process.pid != first_pid, "the worker is replaced after jobs_per_worker"
        second = queue_upload(settings, store, clip)
        assert wait_status(store, second, ("done", "failed")) == "done"
        for case_id in (first, second):
            record_ = store.get(case_id)
            report = store.report(case_id)
            assert record_ is not None and report is not None
            assert report["source"]["name"] == "clip.mp4"
            assert record_.progress["stage"] == "done"
            assert record_.progress["signals"] == {r["signal"]: r["status"] for r in report["results"]}
        # Live progress reached the store while the (cold) first case ran: its plan and a running stage.
        running = [p for c, p in written if c == first and p["stage"] not in ("done", "failed")]
        assert any(p["signals"] and p["stage"] != "starting" for p in running), written
        assert pool.stats()["crashes"] == 0 and pool.stats()["workers"] == 1
    finally:
        pool.stop()
        store.close()


def test_the_engine_is_an_option(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="engine must be one of"):
        ServerSettings(engine="spark").validate()
    with pytest.raises(ConfigError, match="only applies to the ray engine"):
        ServerSettings(ray_address="auto").validate()
    pytest.importorskip("uvicorn")
    import uvicorn

    from vidsleuth.cli.serve import serve

    seen: list[tuple[str, str | None]] = []
    monkeypatch.setattr(
        uvicorn,
        "run",
        lambda app, **_kw: seen.append((app.state.settings.engine, app.state.settings.ray_address)),
    )
    runner = CliRunner()
    assert runner.invoke(serve, ["--data-dir", str(tmp_path / "a")]).exit_code == 0
    bad = runner.invoke(serve, ["--data-dir", str(tmp_path / "b"), "--ray-address", "auto"])
    assert bad.exit_code == 2 and "--engine ray" in bad.output
    wrong = runner.invoke(serve, ["--data-dir", str(tmp_path / "c"), "--engine", "spark"])
    assert wrong.exit_code == 2
    assert seen == [("local", None)]
    pytest.importorskip("ray", reason="ray is not installed (pip install 'vidsleuth[ray]')")
    env = {"VIDSLEUTH_ENGINE": "ray", "VIDSLEUTH_RAY_ADDRESS": "ray://head:10001"}
    assert runner.invoke(serve, ["--data-dir", str(tmp_path / "d")], env=env).exit_code == 0
    assert seen[-1] == ("ray", "ray://head:10001")
