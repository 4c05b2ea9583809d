"""The case store (SQLite here; the same code runs on PostgreSQL by URL) and the analysis pool: the
queue never loses a case, interrupted cases come back, a crashed or stuck worker fails only its own
case and is replaced."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("fastapi")

from tests import media_factory as mf
from tests.web_support import make_settings, queue_upload, wait_status
from vidsleuth.errors import ConfigError
from vidsleuth.web.cases_models import Base
from vidsleuth.web.cases_store import CaseQuery, CaseStore
from vidsleuth.web.pool import AnalysisPool

# The same contract runs on every backend: SQLite always, PostgreSQL when a test database is given
# (e.g. VIDSLEUTH_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:54329/vscases).
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("VIDSLEUTH_TEST_POSTGRES_URL") else [])


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CaseStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    else:
        url = os.environ["VIDSLEUTH_TEST_POSTGRES_URL"]
    s = CaseStore(url)
    yield s
    if request.param != "sqlite":
        Base.metadata.drop_all(s._db.engine)  # leave the shared test database empty
    s.close()


def test_queue_claim_finish_fail(store: CaseStore) -> None:
    a = store.create_case(display_name="a.mp4", source_kind="upload", stored_name="x", sha256="ab" * 32)
    b = store.create_case(display_name="b.mp4", source_kind="url", source_url="https://example.org/b.mp4")
    assert a.status == "queued" and a.created_at.tzinfo is not None
    claimed = store.claim_next()
    assert claimed is not None and claimed.case.id == a.id and claimed.attempts == 1  # oldest first
    second = store.claim_next()
    assert second is not None and second.case.id == b.id
    assert store.claim_next() is None
    store.finish(
        a.id,
        {
            "verdict": {"label": "inconclusive", "headline": "Inconclusive", "confidence": "low"},
            "source": {"sha256": "ab" * 32, "size_bytes": 5},
        },
        {"stage": "done"},
    )
    store.fail(b.id, "fetch_failed", "the host answered HTTP 404")
    done, failed = store.get(a.id), store.get(b.id)
    assert done is not None and done.status == "done" and done.verdict_label == "inconclusive"
    assert store.report(a.id) is not None and store.report(b.id) is None
    assert failed is not None and failed.status == "failed" and failed.error_code == "fetch_failed"
    assert store.count("done", "failed") == 2


def test_recover_after_a_crash(store: CaseStore) -> None:
    case = store.create_case(display_name="a.mp4", source_kind="upload", stored_name="x")
    assert store.claim_next() is not None
    requeued, failed = store.recover(max_attempts=2)
    assert (requeued, failed) == ([case.id], [])
    assert store.claim_next() is not None  # attempt 2
    requeued, failed = store.recover(max_attempts=2)
    assert (requeued, failed) == ([], [case.id])
    record = store.get(case.id)
    assert (
        record is not None
        and record.error_code == "interrupted"
        and "2 times" in (record.error_message or "")
    )


def test_a_failed_case_never_looks_as_if_it_were_still_running(store: CaseStore) -> None:
    """Issue #11: a case failed as `interrupted` kept `progress.stage = "decode"`."""
    case = store.create_case(display_name="a.mp4", source_kind="upload", stored_name="x")
    for _attempt in range(2):  # two server crashes in the middle of decoding
        assert store.claim_next() is not None
        store.set_progress(
            case.id, {"stage": "decode", "decode": 0.4, "signals": {"shots": "running", "c2pa": "ok"}}
        )
        store.recover(max_attempts=2)
    record = store.get(case.id)
    assert record is not None and record.status == "failed" and record.error_code == "interrupted"
    assert record.progress == {
        "stage": "failed",
        "decode": 0.4,
        "signals": {"shots": "not_run", "c2pa": "ok"},
    }
    other = store.create_case(display_name="b.mp4", source_kind="upload", stored_name="y")
    assert store.claim_next() is not None
    store.set_progress(other.id, {"stage": "decode", "decode": 0.1})
    store.fail(other.id, "upload_missing", "gone")  # failed without a progress of its own
    failed = store.get(other.id)
    assert failed is not None and failed.progress == {"stage": "failed", "decode": 0.1}


def test_graceful_release_does_not_count_an_attempt(store: CaseStore) -> None:
    case = store.create_case(display_name="a.mp4", source_kind="upload", stored_name="x")
    store.claim_next()
    store.release(case.id)
    again = store.claim_next()
    assert again is not None and again.attempts == 1


def test_search(store: CaseStore) -> None:
    names = ["Kyiv_strike.mp4", "conscript 23.mov", "100%_real.mp4", "under_score.mp4"]
    ids = [
        store.create_case(display_name=n, source_kind="upload", sha256=f"{i:02d}" * 32).id
        for i, n in enumerate(names)
    ]
    found, total = store.search(CaseQuery(name="STRIKE"))
    assert total == 1 and found[0].id == ids[0]
    assert store.search(CaseQuery(name="%"))[1] == 1  # LIKE wildcards are matched literally
    assert store.search(CaseQuery(name="_"))[1] == 3  # not 4: "conscript 23.mov" has none
    assert store.search(CaseQuery(sha256="0101"))[0][0].id == ids[1]
    now = dt.datetime.now(dt.UTC)
    assert store.search(CaseQuery(since=now - dt.timedelta(minutes=1)))[1] == 4
    assert store.search(CaseQuery(until=now - dt.timedelta(minutes=1)))[1] == 0
    newest_first, _ = store.search(CaseQuery(limit=2))
    assert [c.id for c in newest_first] == ids[::-1][:2]


def test_review_rows_are_append_only(store: CaseStore) -> None:
    case = store.create_case(display_name="a.mp4", source_kind="upload")
    store.set_analyst_verdict(case.id, label="unverified", confidence="low", rationale="", signed_by="A")
    store.set_analyst_verdict(
        case.id, label="authentic", confidence="high", rationale="geolocated", signed_by="B"
    )
    assert [v["signed_by"] for v in store.analyst_verdicts(case.id)] == ["A", "B"]
    record = store.get(case.id)
    assert record is not None and record.analyst_label == "authentic"
    store.set_checklist(case.id, "A", {"people": ("unclear", ""), "claimed_date": ("consistent", "EXIF")})
    store.set_checklist(case.id, "B", {"people": ("contradicts", "not him")})
    rows = store.checklist(case.id, ["claimed_date", "people"])
    assert [(r["item"], r["answer"], r["signed_by"]) for r in rows] == [
        ("claimed_date", "consistent", "A"),
        ("people", "contradicts", "B"),
    ]


def test_unusable_database_urls(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"vidsleuth\[postgres\]"):
        CaseStore("postgresql+nosuchdriver://u@h/db")
    with pytest.raises(ConfigError, match="not valid"):
        CaseStore("not a url")


# The pool ---------------------------------------------------------------------------------------


def test_pool_survives_a_crashed_and_a_stuck_worker(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, workers=1, keep_uploads=False)
    settings.uploads_dir.mkdir(parents=True)
    store = CaseStore(settings.db_url)
    interrupted = store.create_case(display_name="left-running.mp4", source_kind="upload", stored_name="gone")
    store.claim_next()  # as if a previous server died while running it
    long_video = mf.continuous(tmp_path / "long.mp4", seconds=60.0)
    short_video = mf.write_video(tmp_path / "short.mp4", [mf.Scene(1.0, 1)], size=(64, 48))

    pool = AnalysisPool(store, settings)
    pool.start()
    try:
        # Recovered at start, then failed clearly because its upload is gone.
        assert wait_status(store, interrupted.id, ("failed",), timeout=60.0) == "failed"
        assert (store.get(interrupted.id) or interrupted).error_code == "upload_missing"

        crash = queue_upload(settings, store, long_video)
        wait_status(store, crash, ("running",), timeout=60.0)
        time.sleep(0.3)
        busy = [w for w in pool._workers if w.case_id == crash]
        assert busy, "the case should be on a worker"
        os.kill(busy[0].process.pid or 0, signal.SIGKILL)
        assert wait_status(store, crash, ("failed", "done"), timeout=60.0) == "failed"
        record = store.get(crash)
        assert (
            record is not None
            and record.error_code == "worker_crashed"
            and "stopped unexpectedly" in (record.error_message or "")
        )
        assert not list(settings.uploads_dir.glob("*.upload")), "keep_uploads=False removes analysed files"

        after = queue_upload(settings, store, short_video)  # the replacement worker takes the next case
        assert wait_status(store, after, ("done", "failed"), timeout=60.0) == "done"

        pool._settings = dataclasses.replace(settings, job_timeout_s=0.5)
        stuck = queue_upload(settings, store, long_video)
        assert wait_status(store, stuck, ("done", "failed"), timeout=60.0) == "failed"
        assert (store.get(stuck) or interrupted).error_code == "timeout"
        assert pool.crashes == 2
    finally:
        pool.stop()
        store.close()
