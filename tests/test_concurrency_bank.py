"""The bank under concurrent writers and crashes, with real processes (issue #11).

- Several processes creating the same new bank at once: every one of them succeeds (the schema is made
  in one transaction under SQLite's write lock; none sees half a schema and calls the bank damaged).
- Concurrent adds to one bank: writers queue on the lock, every add lands, ids are distinct.
- SIGKILL during writes: the bank is never half-written (integrity check, every item has exactly its
  frames) and nothing reported as added is lost.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import time
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from vidsleuth.bank import Bank, NewItem, content_id_of_frames
from vidsleuth.bank.models import SCHEMA_VERSION
from vidsleuth.fingerprint.video import FrameHash, VideoFingerprint

_FORK = multiprocessing.get_context("fork")  # the children start at once, already importing nothing


def _item(seed: int, frames: int = 6) -> NewItem:
    rng = np.random.default_rng(seed)
    fp = VideoFingerprint(
        tuple(
            FrameHash(rng.integers(0, 256, 32, dtype=np.uint8).tobytes(), 90, k / 10, k)
            for k in range(frames)
        ),
        "video",
        frames / 10,
        10.0,
    )
    return NewItem(fp, content_id_of_frames(fp), "test", f"item {seed}")


def _first_adds(path: str, seed: int, barrier: Barrier, adds: int, out: Any) -> None:
    """A child: wait for the others, then open (creating) the bank and add `adds` items."""
    try:
        barrier.wait(30)
        for k in range(adds):
            with Bank.open(path, create=True) as bank:
                bank.add([_item(seed * 1000 + k)])
        out.send(("ok", ""))
    except BaseException as exc:  # reported to the parent, which fails the test with it
        out.send(("error", f"{type(exc).__name__}: {exc}"))


def _run_together(count: int, target: Callable[..., None], *args: Any) -> list[tuple[str, str]]:
    barrier = _FORK.Barrier(count)
    pipes, children = [], []
    for seed in range(count):
        parent, child = _FORK.Pipe(duplex=False)
        process = _FORK.Process(target=target, args=(*args[:1], seed + 1, barrier, *args[1:], child))
        process.start()
        child.close()
        pipes.append(parent)
        children.append(process)
    results = []
    for parent, process in zip(pipes, children, strict=True):
        results.append(parent.recv() if parent.poll(120) else ("error", "no answer"))
        process.join(30)
    return results


def _check_whole(path: Path) -> list[int]:
    """The bank is consistent: SQLite's integrity check passes, every item has exactly its frames, no
    frame is orphaned, the revision counts every change. Returns the item ids."""
    with sqlite3.connect(path) as db:
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)
        assert db.execute("pragma foreign_key_check").fetchall() == []
        counts = db.execute(
            "select i.id, i.frame_count, count(f.id) from bank_items i "
            "left join bank_frames f on f.item_id = i.id group by i.id"
        ).fetchall()
        assert all(declared == stored for _, declared, stored in counts), counts
        orphans = db.execute(
            "select count(*) from bank_frames where item_id not in (select id from bank_items)"
        ).fetchone()
        assert orphans == (0,)
    return [int(i) for i, _, _ in counts]


@pytest.mark.parametrize("trial", range(3))
def test_concurrent_first_adds_create_one_bank(tmp_path: Path, trial: int) -> None:
    path = tmp_path / f"new-{trial}.sqlite"
    results = _run_together(5, _first_adds, str(path), 1)
    assert results == [("ok", "")] * 5
    ids = _check_whole(path)
    assert sorted(ids) == [1, 2, 3, 4, 5]
    with Bank.open(str(path)) as bank:
        assert bank.revision() == 5 and bank.stats().schema_version == SCHEMA_VERSION


def test_concurrent_adds_all_land(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite"
    Bank.open(str(path), create=True).close()
    results = _run_together(4, _first_adds, str(path), 6)
    assert results == [("ok", "")] * 4
    ids = _check_whole(path)
    assert len(ids) == 24 == len(set(ids))
    with Bank.open(str(path)) as bank:
        assert bank.revision() == 24


def _writer(path: str, out: Any, first_seed: int = 0) -> None:
    """A child that adds large items one after another and reports each id once its add returned. Each
    round starts from its own seed, so that a restarted writer adds new content rather than content an
    earlier round already banked."""
    seed = first_seed
    while True:
        seed += 1
        with Bank.open(path, create=True) as bank:
            outcome = bank.add([_item(seed, frames=3000)])
        out.send(outcome.added[0].id)


def test_sigkill_during_writes_loses_and_half_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "killed.sqlite"
    reported: set[int] = set()
    rng = np.random.default_rng(11)
    for _round in range(6):
        parent, child = _FORK.Pipe(duplex=False)
        process = _FORK.Process(target=_writer, args=(str(path), child, (_round + 1) * 10_000))
        process.start()
        child.close()
        time.sleep(float(rng.uniform(0.3, 1.2)))
        assert process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        process.join(10)
        while parent.poll():
            try:
                reported.add(int(parent.recv()))
            except EOFError:
                break
        if not path.exists():
            continue
        ids = set(_check_whole(path))
        assert reported <= ids  # every add that returned is there
        assert len(ids - reported) <= 1  # at most the one committed as the process died
        reported |= ids
    assert len(reported) >= 2  # the writer did write between kills
    with Bank.open(str(path)) as bank:  # and the bank still opens and takes writes
        before = max(reported)
        assert bank.add([_item(99_999, frames=3)]).added[0].id > before
