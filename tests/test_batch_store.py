"""The batch results store, on SQLite and on a real PostgreSQL: units keyed by content, inputs by name,
crash recovery, rows read back with their full reports, and foreign or damaged stores refused untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.media_factory import Scene, write_video
from tests.pg_support import postgres_server, postgres_url  # noqa: F401 - fixtures
from vidsleuth.batch.rows import RowStatus, UnitKey
from vidsleuth.batch.store import ResultsStore, StoreConfig
from vidsleuth.batch.store_schema import ResultsStoreError
from vidsleuth.core.report import Report
from vidsleuth.core.settings import Settings
from vidsleuth.pipeline import analyze

CONFIG = StoreConfig("d1gest", "9.9.9", {"only": ["metadata"]})


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    clip = write_video(tmp_path_factory.mktemp("clip") / "a.mp4", [Scene(0.3, 1)], size=(64, 48))
    return analyze(clip, Settings(only=("metadata",)))


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "results")
    return str(request.getfixturevalue("postgres_url"))


def _unit(sha: str) -> UnitKey:
    return UnitKey(sha, CONFIG.settings_digest, CONFIG.tool_version)


def test_claim_finish_and_rows_round_trip(location: str, report: Report) -> None:
    unit = _unit(report.source.sha256)
    with ResultsStore.open(location, CONFIG) as store:
        assert store.claim("a.mp4", unit, 10, 1, retry=False) == "run"
        assert store.claim("copy-of-a.mp4", unit, 10, 1, retry=False) == "attached"
        store.fail_input("missing.mp4", "missing.mp4: no such file")
        settled = store.finish(unit, report=report, code="ok", error=None, elapsed_s=1.5, cpu_s=1.2)
        assert sorted(settled) == ["a.mp4", "copy-of-a.mp4"]
        assert store.claim("third-name.mp4", unit, 10, 1, retry=False) == "done"  # analysed once
    with ResultsStore.open(location) as store:  # read-only open: what export and siblings do
        rows = list(store.rows())
        assert [r.name for r in rows] == ["a.mp4", "copy-of-a.mp4", "missing.mp4", "third-name.mp4"]
        assert [r.position for r in rows] == [0, 1, 2, 3]
        done = [r for r in rows if r.status == RowStatus.DONE]
        assert len(done) == 3 and all(r.report is not None for r in done)
        assert done[0].report is not None and done[0].report.to_dict() == report.to_dict()
        assert done[0].key == unit
        failed = next(r for r in rows if r.status == RowStatus.FAILED)
        assert failed.error == "missing.mp4: no such file" and failed.report is None and failed.key is None
        assert store.counts()["done"] == 3
        assert store.integrity() == {"inputs": 4, "duplicate_names": 0, "units": 1, "duplicate_units": 0}


def test_recover_requeues_what_a_dead_run_left_running(location: str, report: Report) -> None:
    unit = _unit(report.source.sha256)
    with ResultsStore.open(location, CONFIG) as store:
        assert store.claim("a.mp4", unit, 10, 1, retry=False) == "run"
        store.start_url("https://example.com/v.mp4")
    # the process dies here; the next run:
    with ResultsStore.open(location, CONFIG) as store:
        assert store.recover() == 1
        states = {r.name: r.status for r in store.rows()}
        assert states == {"a.mp4": RowStatus.PENDING, "https://example.com/v.mp4": RowStatus.PENDING}
        assert store.claim("a.mp4", unit, 10, 1, retry=False) == "run"


def test_failed_units_are_kept_unless_retried(location: str) -> None:
    unit = _unit("f" * 64)
    with ResultsStore.open(location, CONFIG) as store:
        store.claim("bad.mp4", unit, 1, 1, retry=False)
        store.finish(
            unit, report=None, code="bad_input", error="bad.mp4: truncated", elapsed_s=0.1, cpu_s=0.1
        )
        assert store.claim("bad.mp4", unit, 1, 1, retry=False) == "failed"
        assert store.claim("bad.mp4", unit, 1, 1, retry=True) == "run"


def test_other_settings_are_refused(location: str) -> None:
    ResultsStore.open(location, CONFIG).close()
    other = StoreConfig("0ther", CONFIG.tool_version, {})
    with pytest.raises(ResultsStoreError, match="other settings"):
        ResultsStore.open(location, other)


def test_a_damaged_results_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    garbage = b"this is not a database" * 10
    (folder / "results.sqlite").write_bytes(garbage)
    with pytest.raises(ResultsStoreError, match="not an SQLite database"):
        ResultsStore.open(str(folder), CONFIG)
    assert (folder / "results.sqlite").read_bytes() == garbage


def test_foreign_folders_and_databases_are_refused(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "holiday.jpg").write_bytes(b"\xff\xd8\xff")
    with pytest.raises(ResultsStoreError, match="not a batch results folder"):
        ResultsStore.open(str(tmp_path / "photos"), CONFIG)
    other = tmp_path / "other"
    other.mkdir()
    with sqlite3.connect(other / "results.sqlite") as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(ResultsStoreError, match="other tables"):
        ResultsStore.open(str(other), CONFIG)
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(ResultsStoreError, match="is a file"):
        ResultsStore.open(str(tmp_path / "a-file"), CONFIG)


def test_a_newer_store_is_refused(tmp_path: Path) -> None:
    ResultsStore.open(str(tmp_path / "r"), CONFIG).close()
    with sqlite3.connect(tmp_path / "r" / "results.sqlite") as conn:
        conn.execute("UPDATE batch_meta SET value = '99' WHERE key = 'schema'")
    with pytest.raises(ResultsStoreError, match="newer vidsleuth"):
        ResultsStore.open(str(tmp_path / "r"), CONFIG)
