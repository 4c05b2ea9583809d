"""Provenance attributes in the bank (schema 3): stored with items, found by value, removed with them,
and the upgrade of a schema-2 bank, made by the code path before attributes, to schema 3."""

# ruff: noqa: E501  (the schema-2 dump below keeps sqlite3's long lines, as it wrote them)
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from vidsleuth.bank import Attribute, Bank, NewItem
from vidsleuth.bank import attributes as attrs_module
from vidsleuth.bank.attributes import normalise
from vidsleuth.bank.models import SCHEMA_VERSION
from vidsleuth.fingerprint.video import FrameHash, VideoFingerprint

# A bank written by vidsleuth before attributes (schema 2): `sqlite3 .dump` of what `Bank.add` of two
# videos wrote, made with that code (`a.mp4` as #1, `b.mp4` as #2, two frame hashes each).
SCHEMA_2_DUMP = """
BEGIN TRANSACTION;
CREATE TABLE bank_features (
	item_id INTEGER NOT NULL,
	method VARCHAR(16) NOT NULL,
	width INTEGER NOT NULL,
	height INTEGER NOT NULL,
	count INTEGER NOT NULL,
	points BLOB NOT NULL,
	descriptors BLOB NOT NULL,
	PRIMARY KEY (item_id),
	FOREIGN KEY(item_id) REFERENCES bank_items (id) ON DELETE CASCADE
);
CREATE TABLE bank_frames (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	item_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	frame_number INTEGER,
	time_s FLOAT,
	quality SMALLINT NOT NULL,
	hash BLOB NOT NULL,
	FOREIGN KEY(item_id) REFERENCES bank_items (id) ON DELETE CASCADE
);
INSERT INTO "bank_frames" VALUES(1,1,0,0,0.0,90,X'FFE42279F3BD068366A852C1BB9651F3CD18EC08F6A4E724D26FACD2AEB0DAF2');
INSERT INTO "bank_frames" VALUES(2,1,1,1,0.1,90,X'A972CD3FA02FD44F487078DE451F5F6C246DEE453351E4D3CA3ACA414C46C168');
INSERT INTO "bank_frames" VALUES(3,2,0,0,0.0,90,X'C1586BD64803F9426471FB1B63EA694C1EB1EF691F1971D0FD6F86739DCD8717');
INSERT INTO "bank_frames" VALUES(4,2,1,1,0.1,90,X'D5E4BA552530A099692C2DD053F182BA11FB2BFEE4481A309F9E56E1E0161E0E');
CREATE TABLE bank_info (
	"key" VARCHAR(64) NOT NULL,
	value VARCHAR(256) NOT NULL,
	PRIMARY KEY ("key")
);
INSERT INTO "bank_info" VALUES('schema_version','2');
INSERT INTO "bank_info" VALUES('revision','1');
INSERT INTO "bank_info" VALUES('created_at','2026-03-02T10:00:00+00:00');
INSERT INTO "bank_info" VALUES('created_by','vidsleuth 0.1.0');
CREATE TABLE bank_items (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	kind VARCHAR(16) NOT NULL,
	label TEXT,
	source_url TEXT,
	note TEXT,
	file_name VARCHAR(255),
	content_id VARCHAR(100) NOT NULL,
	origin VARCHAR(32) NOT NULL,
	hasher VARCHAR(32) NOT NULL,
	duration_s FLOAT,
	sample_fps FLOAT,
	width INTEGER,
	height INTEGER,
	frame_count INTEGER NOT NULL,
	added_at VARCHAR(32) NOT NULL
);
INSERT INTO "bank_items" VALUES(1,'video','first',NULL,NULL,'a.mp4','sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa','file','pdq',0.2,10.0,NULL,NULL,2,'2026-03-02T10:00:00+00:00');
INSERT INTO "bank_items" VALUES(2,'video','second','https://example.org/b',NULL,'b.mp4','sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb','file','pdq',0.2,10.0,NULL,NULL,2,'2026-03-02T10:00:00+00:00');
CREATE UNIQUE INDEX ix_bank_items_content_id ON bank_items (content_id);
CREATE INDEX ix_bank_frames_item_id ON bank_frames (item_id);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('bank_items',2);
INSERT INTO "sqlite_sequence" VALUES('bank_frames',4);
COMMIT;
"""


def old_bank(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA_2_DUMP)
    return path


def stored_version(path: Path) -> str:
    with sqlite3.connect(path) as db:
        row = db.execute("select value from bank_info where key = 'schema_version'").fetchone()
    return str(row[0])


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}


def fingerprint(seed: int) -> VideoFingerprint:
    rng = np.random.default_rng(seed)
    frames = tuple(
        FrameHash(rng.integers(0, 256, 32, dtype=np.uint8).tobytes(), 90, k / 10, k) for k in range(3)
    )
    return VideoFingerprint(frames, "video", 0.3, 10.0)


def attr(kind: str, shown: str) -> Attribute:
    made = Attribute.make(kind, shown, f"read as {shown}", "test.code")
    assert made is not None
    return made


def video(seed: int, *attributes: Attribute, label: str | None = None) -> NewItem:
    return NewItem(
        fingerprint(seed), f"sha256:{seed:064x}", "file", label or f"video {seed}", attributes=attributes
    )


def test_values_are_compared_normalised() -> None:
    assert normalise("handle", " @Andrew Defee ") == "@andrewdefee"
    assert normalise("handle", "andrewdefee") == "@andrewdefee"
    assert normalise("handle", "@") == "" and Attribute.make("handle", " @ ") is None
    assert normalise("signer", "OpenAI  Media\tSigner") == "openai media signer"
    assert normalise("generator", "Ｓｏｒａ (OpenAI)") == "sora (openai)"  # NFKC: full-width letters
    assert Attribute.make("colour", "red") is None  # not a kind the bank keeps
    a = attr("handle", "@Maker\x00\u202e")
    assert (a.value, a.shown) == ("@maker", "@Maker")  # control and bidi characters dropped
    long = attr("signer", "x" * 1000)
    assert len(long.value) == 255 and len(long.shown) == 255


def test_attributes_are_stored_found_and_removed_with_their_item(tmp_path: Path) -> None:
    maker, other = attr("handle", "@Maker"), attr("handle", "@other")
    sora = attr("generator", "Sora (OpenAI)")
    with Bank.open(str(tmp_path / "b.sqlite"), create=True) as bank:
        outcome = bank.add([video(1, maker, sora), video(2, attr("handle", "@MAKER")), video(3, other)])
        assert [i.id for i in outcome.added] == [1, 2, 3]
        assert outcome.attributes_added == ((1, 2), (2, 1), (3, 1))
        assert bank.stats().attributes == 4
        assert [(a.kind, a.value, a.shown) for a in bank.attributes([1])[1]] == [
            ("handle", "@maker", "@Maker"),
            ("generator", "sora (openai)", "Sora (OpenAI)"),
        ]
        shared, infos = bank.sharing([maker.key, sora.key], exclude_content_id=f"sha256:{1:064x}")
        assert [(s.kind, s.item_ids, s.total) for s in shared] == [("handle", (2,), 1), ("generator", (), 0)]
        assert infos[2].label == "video 2"
        # Adding the same content again stores only the attributes it lacks: no duplicate rows.
        again = bank.add([video(1, maker, other)])
        assert again.added == () and again.attributes_added == ((1, 1),)
        assert bank.stats().attributes == 5
        bank.remove([1])
        assert bank.attributes([1]) == {} and bank.stats().attributes == 2
        shared, _ = bank.sharing([maker.key])
        assert [(s.item_ids, s.total) for s in shared] == [((2,), 1)]


def test_sharing_is_bounded_per_value_and_oldest_first(tmp_path: Path) -> None:
    handle = attr("handle", "@prolific")
    with Bank.open(str(tmp_path / "b.sqlite"), create=True) as bank:
        bank.add([video(seed, handle) for seed in range(1, 31)])
        shared, infos = bank.sharing([handle.key], limit=20)
        assert shared[0].item_ids == tuple(range(1, 21)) and shared[0].total == 30
        assert sorted(infos) == list(range(1, 21))


def test_a_schema_2_bank_is_read_as_it_is_and_upgraded_by_its_first_change(tmp_path: Path) -> None:
    path = old_bank(tmp_path / "old.sqlite")
    maker = attr("handle", "@maker")
    with Bank.open(str(path)) as bank:
        assert bank.schema_version == 2
        assert bank.attributes([1, 2]) == {} and bank.sharing([maker.key]) == ([], {})
        assert bank.stats().attributes == 0 and len(bank.items()) == 2
        assert bank.snapshot().frame_count == 4
    assert stored_version(path) == "2" and "bank_attributes" not in tables(path)  # reading wrote nothing
    with Bank.open(str(path), create=True) as bank:
        # the first change: attributes for the already-banked #1 and a new item, in one transaction
        outcome = bank.add(
            [NewItem(fingerprint(9), "sha256:" + "a" * 64, attributes=(maker,)), video(5, maker)]
        )
        assert [i.id for i in outcome.added] == [3] and outcome.attributes_added == ((1, 1), (3, 1))
        assert bank.schema_version == SCHEMA_VERSION == 3
    assert stored_version(path) == "3" and "bank_attributes" in tables(path)
    with Bank.open(str(path)) as bank:
        shared, infos = bank.sharing([maker.key], exclude_content_id=f"sha256:{5:064x}")
        assert shared[0].item_ids == (1,) and infos[1].file_name == "a.mp4"
        assert infos[1].added_at == "2026-03-02T10:00:00+00:00"  # kept through the upgrade
        assert [i.label for i in bank.items()] == ["first", "second", "video 5"]


def test_a_failed_first_change_leaves_a_schema_2_bank(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = old_bank(tmp_path / "old.sqlite")

    def broken(*_args: object, **_kw: object) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(attrs_module, "store", broken)
    with Bank.open(str(path), create=True) as bank, pytest.raises(RuntimeError, match="disk on fire"):
        bank.add([video(5, attr("handle", "@maker"))])
    assert stored_version(path) == "2" and "bank_attributes" not in tables(path)
    with Bank.open(str(path)) as bank:
        assert [i.id for i in bank.items()] == [1, 2]


def test_a_bank_without_its_attributes_table_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite"
    Bank.open(str(path), create=True).close()
    with sqlite3.connect(path) as db:
        db.execute("drop table bank_attributes")
    with pytest.raises(Exception, match="missing tables: bank_attributes"):
        Bank.open(str(path))
