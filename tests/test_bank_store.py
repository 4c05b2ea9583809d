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
from vidsleuth.bank.models import SCHEMA_VERSION
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


def _without_autoincrement(path: Path) -> None:
    """Turn a fresh bank's id tables into what vidsleuth wrote before AUTOINCREMENT (ids reusable)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("pragma foreign_keys=off")
    db.execute("begin")
    for name in ("bank_items", "bank_frames"):
        (sql,) = db.execute("select sql from sqlite_master where name = ?", (name,)).fetchone()
        indexes = [
            r[0]
            for r in db.execute("select sql from sqlite_master where type='index' and tbl_name=?", (name,))
        ]
        old = sql.replace("PRIMARY KEY AUTOINCREMENT", "PRIMARY KEY").replace(
            f"TABLE {name} (", "TABLE old_t (", 1
        )
        assert old != sql
        db.execute(old)
        db.execute(f"insert into old_t select * from {name}")
        db.execute(f"drop table {name}")
        db.execute(f"alter table old_t rename to {name}")
        for index in indexes:
            db.execute(index)
    db.execute("delete from sqlite_sequence")
    db.execute("commit")
    db.close()


def _autoincrement_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        rows = db.execute("select name, sql from sqlite_master where type='table'").fetchall()
    return {name for name, sql in rows if "AUTOINCREMENT" in sql}


def test_item_and_frame_ids_are_never_reused(tmp_path: Path) -> None:
    path = tmp_path / "ids.sqlite"
    with Bank.open(str(path), create=True) as bank:
        bank.add([item(1), item(2), item(3)])
        frames = {int(f) for _, _, ids in bank.fingerprints([3]) for f in ids}
        bank.remove([3])
        again = bank.add([item(4)]).added[0]
        assert again.id == 4  # not #3 again: #3 may be cited in a report or a case note
        new_frames = {int(f) for _, _, ids in bank.fingerprints([4]) for f in ids}
        assert min(new_frames) > max(frames)
    assert _autoincrement_tables(path) == {"bank_items", "bank_frames"}


def test_an_older_bank_gets_never_reused_ids_on_its_first_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite"
    with Bank.open(str(path), create=True) as bank:
        bank.add([item(1), item(2), item(3)])
        before = [(i, fp.frames, ids) for i, fp, ids in bank.fingerprints()]
    _without_autoincrement(path)
    assert _autoincrement_tables(path) == set()
    with Bank.open(str(path)) as bank:  # reading changes nothing
        assert bank.snapshot().frame_count == 18
    assert _autoincrement_tables(path) == set()

    def failing(self: Bank, session: object, new: NewItem, now: str) -> object:
        raise RuntimeError("disk on fire")

    with monkeypatch.context() as patch, Bank.open(str(path)) as bank:
        patch.setattr(bank_module.Bank, "_insert", failing)
        with pytest.raises(RuntimeError, match="disk on fire"):
            bank.add([item(9)])
    assert _autoincrement_tables(path) == set()  # the rebuild belongs to the failed change: undone

    with Bank.open(str(path)) as bank:
        bank.remove([3])  # the first change rebuilds the tables, ids and rows unchanged
        assert _autoincrement_tables(path) == {"bank_items", "bank_frames"}
        assert [(i, fp.frames, ids) for i, fp, ids in bank.fingerprints()] == before[:2]
        assert bank.add([item(4)]).added[0].id == 4
        assert bank.stats().items == 3 and bank.revision() == 3
    with sqlite3.connect(path) as db:
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)
        assert db.execute("pragma foreign_key_check").fetchall() == []
        indexes = {r[0] for r in db.execute("select name from sqlite_master where type='index'")}
        assert {"ix_bank_items_content_id", "ix_bank_frames_item_id"} <= indexes
        db.execute("pragma foreign_keys=on")  # the cascade still points at the rebuilt items table
        db.execute("delete from bank_items where id = 1")
        assert db.execute("select count(*) from bank_frames where item_id = 1").fetchone() == (0,)


def test_postgresql_ids_come_from_a_sequence() -> None:
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateTable

    from vidsleuth.bank.models import Base

    for name in ("bank_items", "bank_frames"):
        ddl = str(CreateTable(Base.metadata.tables[name]).compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]
        assert "id BIGSERIAL NOT NULL" in ddl  # a sequence: never goes back after a delete


def test_a_half_made_schema_is_completed_or_called_damaged(tmp_path: Path) -> None:
    """What an older vidsleuth left when it died while creating a bank table by table: with nothing
    in it, the next add completes it; with items in it, it is damage, named as such."""
    abandoned = tmp_path / "abandoned.sqlite"
    with sqlite3.connect(abandoned) as db:
        db.execute(
            'create table bank_info ("key" varchar(64) not null primary key, value varchar(256) not null)'
        )
    with pytest.raises(BankError, match="damaged"):
        Bank.open(str(abandoned))  # only reading: not touched
    with Bank.open(str(abandoned), create=True) as bank:
        assert bank.add([item(1)]).added[0].id == 1
        assert bank.stats().schema_version == SCHEMA_VERSION
    damaged = tmp_path / "damaged.sqlite"
    with Bank.open(str(damaged), create=True) as bank:
        bank.add([item(1)])
    with sqlite3.connect(damaged) as db:
        db.execute("delete from bank_info")
    with pytest.raises(BankError, match=r"bank is damaged \(no schema version"):
        Bank.open(str(damaged), create=True)
