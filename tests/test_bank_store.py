"""The bank store: schema checks, atomic adds and removals, snapshots, and locations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from vidsleuth.bank import (
    Bank,
    BankError,
    BankNotFoundError,
    BankVersionError,
    NewItem,
    content_id_of_frames,
)
from vidsleuth.bank import bank as bank_module
from vidsleuth.bank.db import default_bank_path, display_location, resolve_location
from vidsleuth.fingerprint.video import FrameHash, VideoFingerprint


def fingerprint(seed: int, n: int = 6, kind: str = "video") -> VideoFingerprint:
    rng = np.random.default_rng(seed)
    frames = tuple(
        FrameHash(
            rng.integers(0, 256, 32, dtype=np.uint8).tobytes(),
            100 - k,
            None if kind == "image" else k / 10,
            k,
        )
        for k in range(n if kind == "video" else 1)
    )
    return VideoFingerprint(
        frames, "image" if kind == "image" else "video", n / 10 if kind == "video" else None, 10.0
    )


def item(seed: int, **kw: str) -> NewItem:
    fp = fingerprint(seed)
    return NewItem(fp, content_id_of_frames(fp), "test", kw.get("label", f"item {seed}"), kw.get("source"))


def test_create_add_list_snapshot_and_remove(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "bank.sqlite"
    with Bank.open(str(path), create=True) as bank:
        outcome = bank.add([item(1, source="https://example.org/a"), item(2)])
        assert [i.id for i in outcome.added] == [1, 2]
        again = bank.add([item(2), item(3)])  # item 2's content is already banked
        assert [i.id for i in again.added] == [3]
        assert [(n.label, i) for n, i in again.already_banked] == [("item 2", 2)]
        assert [i.label for i in bank.items()] == ["item 1", "item 2", "item 3"]
        assert bank.get(1).source_url == "https://example.org/a"
        stats = bank.stats()
        assert (stats.items, stats.videos, stats.frames, stats.revision) == (3, 3, 18, 2)
        assert stats.usable_frames == 18 and stats.location == "bank.sqlite"
        snap = bank.snapshot()
        assert snap.frame_count == 18 and sorted(snap.items) == [1, 2, 3]
        assert snap.fingerprint(2).frames == fingerprint(2).frames
        assert [i.id for i in bank.remove([1, 3])] == [1, 3]
        assert [i.id for i in bank.items()] == [2]
        with pytest.raises(BankNotFoundError, match="no item #7; nothing removed"):
            bank.remove([2, 7])
        assert [i.id for i in bank.items()] == [2]  # all or nothing
        assert bank.revision() == 3
    with Bank.open(str(path)) as reopened:  # an existing bank opens without create
        assert reopened.stats().items == 1


def test_an_add_that_fails_half_way_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(tmp_path / "b.sqlite")
    with Bank.open(path, create=True) as bank:
        bank.add([item(1)])
        before = (bank.stats(), bank.snapshot().frame_count)
        original = bank_module.Bank._insert
        calls = []

        def failing(self: Bank, session: object, new: NewItem, now: str) -> object:
            calls.append(new)
            if len(calls) == 2:
                raise RuntimeError("disk on fire")
            return original(self, session, new, now)  # type: ignore[arg-type]

        monkeypatch.setattr(bank_module.Bank, "_insert", failing)
        with pytest.raises(RuntimeError, match="disk on fire"):
            bank.add([item(2), item(3)])
        assert (bank.stats(), bank.snapshot().frame_count) == before


def test_missing_foreign_damaged_and_newer_banks(tmp_path: Path) -> None:
    with pytest.raises(BankNotFoundError, match=r"no bank at nothing\.sqlite"):
        Bank.open(str(tmp_path / "nothing.sqlite"))
    text = tmp_path / "notes.sqlite"
    text.write_text("just some notes\n")
    with pytest.raises(BankError, match="not an SQLite database"):
        Bank.open(str(text), create=True)
    assert text.read_text() == "just some notes\n"  # never overwritten
    with pytest.raises(BankError, match="is a directory"):
        Bank.open(str(tmp_path), create=True)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("create table t (x)").connection.commit()
    with pytest.raises(BankNotFoundError, match="holds no vidsleuth bank"):
        Bank.open(str(other))
    newer = tmp_path / "newer.sqlite"
    Bank.open(str(newer), create=True).close()
    with sqlite3.connect(newer) as db:
        db.execute("update bank_info set value = '9' where key = 'schema_version'")
    with pytest.raises(BankVersionError, match="newer vidsleuth"):
        Bank.open(str(newer))
    damaged = tmp_path / "damaged.sqlite"
    Bank.open(str(damaged), create=True).close()
    with sqlite3.connect(damaged) as db:
        db.execute("drop table bank_frames")
    with pytest.raises(BankError, match="damaged"):
        Bank.open(str(damaged))


def test_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIDSLEUTH_BANK", raising=False)
    monkeypatch.setenv("VIDSLEUTH_HOME", str(tmp_path / "home"))
    assert default_bank_path() == tmp_path / "home" / "bank.sqlite"
    assert resolve_location(None) == str(tmp_path / "home" / "bank.sqlite")
    monkeypatch.setenv("VIDSLEUTH_BANK", "/srv/banks/x.sqlite")
    assert resolve_location(None) == "/srv/banks/x.sqlite"
    assert resolve_location("explicit.sqlite") == "explicit.sqlite"
    assert display_location("postgresql+psycopg://hma:s3cret@db.example/bank") == (
        "postgresql+psycopg://hma:***@db.example/bank"
    )
    assert display_location("/home/someone/private/bank.sqlite") == "bank.sqlite"
    url = f"sqlite:///{tmp_path / 'u.sqlite'}"
    with Bank.open(url, create=True) as bank:
        assert bank.add([item(1)]).added
    with pytest.raises(BankError, match="pip install 'vidsleuth\\[postgres\\]'"):
        Bank.open("postgresql+nosuchdriver://u@localhost/db")
    with pytest.raises(BankError, match="not a valid database URL"):
        Bank.open("::://")
