"""`vidsleuth batch` end to end, as a user runs it: a real subprocess on small generated clips.

Covers bad inputs becoming failed rows while the batch goes on, the same bytes analysed once and
reported under both names, resuming (nothing redone), --retry-failed, the per-file time limit, a
PostgreSQL store, a damaged store refused untouched, and SIGKILL at several moments losing and
duplicating nothing."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.media_factory import Scene, write_video
from tests.pg_support import postgres_server, postgres_url  # noqa: F401 - fixtures
from vidsleuth.batch.rows import RowStatus
from vidsleuth.batch.store import ResultsStore
from vidsleuth.cli.main import main

FAST = ["--only", "metadata,shots,fingerprint", "--no-bank", "--no-thumbnails"]


def _batch(*args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vidsleuth", "batch", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=timeout,
    )


def _lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    for i in range(3):
        write_video(folder / f"clip{i}.mp4", [Scene(0.5, i + 1)], size=(64, 48))
    shutil.copy(folder / "clip0.mp4", folder / "same-bytes.mp4")
    return folder


def test_a_batch_with_bad_inputs_goes_on_and_resumes(clips: Path, tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    (tmp_path / "empty").mkdir()
    (tmp_path / "junk.bin").write_bytes(b"\x00junk" * 100)
    listing.write_text(
        "\n".join(
            [
                str(clips),
                str(tmp_path / "missing.mp4"),
                str(tmp_path / "junk.bin"),
                str(tmp_path / "empty"),
                "http://127.0.0.1:9/private.mp4",
                str(clips / "clip1.mp4"),  # listed twice: one row
            ]
        )
    )
    out = tmp_path / "results"
    first = _batch(str(listing), "--out", str(out), "--json-lines", "-j", "2", *FAST)
    assert first.returncode == 3, first.stderr
    lines = _lines(first.stdout)
    assert first.stderr.strip().splitlines()[-1].endswith("this run: 4 failed")
    assert sorted(str(e["status"]) for e in lines) == ["done"] * 4 + ["duplicate"] + ["failed"] * 4
    events = {str(e["input"]): e for e in lines if e["status"] != "duplicate"}
    assert events[str(clips / "same-bytes.mp4")]["sha256"] == events[str(clips / "clip0.mp4")]["sha256"]
    assert "no such file" in str(events[str(tmp_path / "missing.mp4")]["error"])
    assert "not a readable video" in str(events[str(tmp_path / "junk.bin")]["error"])
    assert "holds no videos" in str(events[str(tmp_path / "empty")]["error"])
    assert "private" in str(events["http://127.0.0.1:9/private.mp4"]["error"]).lower() or "refus" in str(
        events["http://127.0.0.1:9/private.mp4"]["error"]
    )
    with ResultsStore.open(str(out)) as store:
        # units: the three clips and junk.bin (hashed, then its analysis failed)
        assert store.integrity() == {"inputs": 8, "duplicate_names": 0, "units": 4, "duplicate_units": 0}
    assert (
        len(list((out / "reports").glob("*.json"))) == 3 and len(list((out / "reports").glob("*.html"))) == 3
    )
    index = (out / "index.html").read_text()
    assert index.count('href="reports/') >= 4 and "same-bytes.mp4" in index

    exported = CliRunner().invoke(main, ["batch", "export", str(out), "-f", "jsonl"])
    assert exported.exit_code == 0, exported.output
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(records) == 8 and sum(r["status"] == "done" for r in records) == 4
    siblings = CliRunner().invoke(main, ["batch", "siblings", str(out), "--json"])
    assert siblings.exit_code == 0 and "groups" in json.loads(siblings.stdout)

    again = _batch(str(listing), "--out", str(out), "--json-lines", *FAST)
    assert again.returncode == 3
    statuses = sorted(str(e["status"]) for e in _lines(again.stdout))
    assert statuses.count("skipped") == 4 and statuses.count("done") == 0  # nothing analysed again
    assert "in an earlier run" in again.stdout

    retried = _batch(str(listing), "--out", str(out), "--json-lines", "--retry-failed", *FAST)
    assert retried.returncode == 3
    assert sum(e["status"] == "failed" and not e.get("cached") for e in _lines(retried.stdout)) == 4


def test_stdin_list_time_limit_and_exit_codes(clips: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    slow = _batch(
        "-", "--out", str(out), "--time-limit", "0.001", "-j", "1", *FAST, stdin=f"{clips / 'clip2.mp4'}\n"
    )
    assert slow.returncode == 3
    assert "took longer than 0.001 s" in slow.stdout + slow.stderr
    bad = _batch(str(clips), "--out", str(tmp_path / "x"), "--jobs", "0")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_a_damaged_store_is_refused_untouched(clips: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    out.mkdir()
    (out / "results.sqlite").write_bytes(b"garbage" * 50)
    run = _batch(str(clips), "--out", str(out), *FAST)
    assert run.returncode == 4
    assert "not an SQLite database" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert (out / "results.sqlite").read_bytes() == b"garbage" * 50


@pytest.mark.slow  # the store itself is tested on PostgreSQL in test_batch_store.py
def test_postgres_store(clips: Path, postgres_url: str) -> None:  # noqa: F811
    run = _batch(str(clips), "--out", postgres_url, "--json-lines", "-j", "2", *FAST)
    assert run.returncode == 0, run.stderr
    assert sum(e["status"] == "done" for e in _lines(run.stdout)) == 4
    again = _batch(str(clips), "--out", postgres_url, "--json-lines", *FAST)
    assert again.returncode == 0 and all(e["status"] == "skipped" for e in _lines(again.stdout))
    with ResultsStore.open(postgres_url) as store:
        rows = list(store.rows())
        assert len(rows) == 4 and all(r.status == RowStatus.DONE and r.report is not None for r in rows)
        assert all(r.report_path is None for r in rows)  # reports live in the database only


def test_sigkill_at_any_moment_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    n = 4
    for i in range(n):
        write_video(folder / f"c{i}.mp4", [Scene(0.5, 10 + i)], size=(64, 48))
    out = tmp_path / "results"
    args = [
        sys.executable,
        "-m",
        "vidsleuth",
        "batch",
        str(folder),
        "--out",
        str(out),
        "--json-lines",
        "-j",
        "2",
    ]
    for wait_lines in (0, 1, 2):  # kill before any result, after the first, mid-way
        proc = subprocess.Popen(
            [*args, *FAST],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        assert proc.stdout is not None
        if wait_lines == 0:
            time.sleep(1.0)
        for _ in range(wait_lines):
            if not proc.stdout.readline():
                break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # its orphaned workers, as an init system would
    final = _batch(str(folder), "--out", str(out), "--json-lines", *FAST)
    assert final.returncode == 0, final.stderr
    with ResultsStore.open(str(out)) as store:
        assert store.integrity() == {"inputs": n, "duplicate_names": 0, "units": n, "duplicate_units": 0}
        assert all(r.status == RowStatus.DONE and r.report is not None for r in store.rows())
    assert len(list((out / "reports").glob("*.json"))) == n
