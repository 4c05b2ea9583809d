"""The on-disk hash index cache: loads instead of building, invalidates on change, survives bad files."""

from __future__ import annotations

import json
import logging
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import create_engine

from vidsleuth.bank import Bank, NewItem, content_id_of_frames
from vidsleuth.fingerprint import index_cache, search
from vidsleuth.fingerprint.errors import IndexFormatError
from vidsleuth.fingerprint.index import BruteForceIndex
from vidsleuth.fingerprint.index_cache import ENV_CACHE, IndexCache
from vidsleuth.fingerprint.mih import MultiIndexHashIndex
from vidsleuth.fingerprint.search import BankSearcher
from vidsleuth.fingerprint.video import FrameHash, VideoFingerprint


def fingerprint(seed: int, n: int = 12) -> VideoFingerprint:
    rng = np.random.default_rng(seed)
    frames = tuple(
        FrameHash(rng.integers(0, 256, 32, dtype=np.uint8).tobytes(), 90, k / 10, k) for k in range(n)
    )
    return VideoFingerprint(frames, "video", n / 10, 10.0)


def new_item(seed: int) -> NewItem:
    fp = fingerprint(seed)
    return NewItem(fp, content_id_of_frames(fp), "test", f"item {seed}")


@pytest.fixture(autouse=True)
def _no_cache_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_CACHE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def bank_path(tmp_path: Path) -> Path:
    path = tmp_path / "bank.sqlite"
    with Bank.open(str(path), create=True) as bank:
        bank.add([new_item(seed) for seed in range(1, 31)])
    return path


class BuildCounter:
    """Counts index builds; with `forbid`, a build fails the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, forbid: bool = False) -> None:
        self.calls = 0
        real = search.build_index

        def counting(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if forbid:
                raise AssertionError("the index was built although a valid cache file exists")
            return real(*args, **kwargs)

        monkeypatch.setattr(search, "build_index", counting)
        if forbid:
            monkeypatch.setattr(MultiIndexHashIndex, "build", _no_build)


def _no_build(self: MultiIndexHashIndex) -> None:
    raise AssertionError("MultiIndexHashIndex.build called on a cache load")


def searcher(path: Path) -> BankSearcher:
    with Bank.open(str(path)) as bank:
        snapshot, cache = bank.snapshot(), bank.index_cache()
    return BankSearcher(snapshot, cache=cache)


def results(s: BankSearcher, seeds: range) -> list[list[dict[str, Any]]]:
    return [[m.to_dict() for m in s.search(fingerprint(seed))] for seed in seeds]


def cache_files(path: Path) -> list[Path]:
    return sorted((path.parent / (path.name + ".index-cache")).glob("*.vsidx"))


def test_second_search_loads_from_cache_with_identical_results(
    bank_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = searcher(bank_path)
    assert not first.from_cache
    assert len(cache_files(bank_path)) == 1
    expected = results(first, range(1, 35))
    assert [len(r) for r in expected[:30]] == [1] * 30 and expected[30:] == [[]] * 4

    with monkeypatch.context() as m:
        BuildCounter(m, forbid=True)
        second = searcher(bank_path)
        assert second.from_cache
        assert results(second, range(1, 35)) == expected
        queries = first.snapshot.hashes[::7]
        assert second.index.query(queries, 31).same_as(first.index.query(queries, 31))
        assert second.index.query(queries, 31).same_as(
            BruteForceIndex.deserialize(first.index.serialize()).query(queries, 31)
        )


def test_a_bank_change_invalidates_and_only_the_newest_file_is_kept(
    bank_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    searcher(bank_path)
    old = cache_files(bank_path)
    counter = BuildCounter(monkeypatch)
    with Bank.open(str(bank_path)) as bank:
        bank.add([new_item(99)])
    after_add = searcher(bank_path)
    assert counter.calls == 1 and not after_add.from_cache
    assert [m.item.label for m in after_add.search(fingerprint(99))] == ["item 99"]
    assert len(cache_files(bank_path)) == 1 and cache_files(bank_path) != old

    with Bank.open(str(bank_path)) as bank:
        bank.remove([after_add.search(fingerprint(99))[0].item.id])
    after_remove = searcher(bank_path)
    assert counter.calls == 2 and not after_remove.from_cache
    assert after_remove.search(fingerprint(99)) == []
    assert after_remove.search(fingerprint(5))[0].item.label == "item 5"
    assert len(cache_files(bank_path)) == 1

    assert searcher(bank_path).from_cache and counter.calls == 2


def _layout(path: Path) -> tuple[int, dict[str, Any]]:
    data = path.read_bytes()
    _, _, meta_len = struct.unpack_from("<8sII", data)
    start = 16 + meta_len
    start += -start % 64
    return start, {a["name"]: a for a in json.loads(data[16 : 16 + meta_len])["arrays"]}


def _tamper_hash(path: Path) -> None:
    start, arrays = _layout(path)
    data = bytearray(path.read_bytes())
    data[start + arrays["rows"]["offset"] + 5] ^= 0xFF  # a stored hash that is not the bank's
    path.write_bytes(bytes(data))


def _tamper_order(path: Path) -> None:
    start, arrays = _layout(path)
    data = bytearray(path.read_bytes())
    at = start + arrays["orders"]["offset"]
    data[at : at + 4] = data[at + 4 : at + 8]  # a repeated row: no longer a permutation
    path.write_bytes(bytes(data))


CORRUPTIONS = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "empty": lambda p: p.write_bytes(b""),
    "foreign": lambda p: p.write_bytes(b"PK\x03\x04" + bytes(4000)),
    "bad_metadata": lambda p: p.write_bytes(p.read_bytes()[:16] + b"{" * 100 + p.read_bytes()[116:]),
    "tampered_hash": _tamper_hash,
    "tampered_order": _tamper_order,
}


@pytest.mark.parametrize("damage", sorted(CORRUPTIONS))
def test_a_damaged_cache_file_is_ignored_and_replaced(
    bank_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    expected = results(searcher(bank_path), range(1, 6))
    (path,) = cache_files(bank_path)
    CORRUPTIONS[damage](path)
    counter = BuildCounter(monkeypatch)
    with caplog.at_level(logging.DEBUG, logger=index_cache.__name__):
        rebuilt = searcher(bank_path)
    assert counter.calls == 1 and not rebuilt.from_cache
    assert any("ignoring cached index" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert results(rebuilt, range(1, 6)) == expected
    assert searcher(bank_path).from_cache and counter.calls == 1  # the file was replaced


def test_an_unwritable_cache_location_still_searches(
    bank_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(ENV_CACHE, str(blocker / "cache"))  # cannot be created, even by root
    counter = BuildCounter(monkeypatch)
    for _ in range(2):
        s = searcher(bank_path)
        assert not s.from_cache and s.search(fingerprint(3))[0].item.label == "item 3"
    assert counter.calls == 2 and blocker.is_file()


def test_off_disables_and_a_folder_is_used(
    bank_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ENV_CACHE, "off")
    with Bank.open(str(bank_path)) as bank:
        assert bank.index_cache() is None
    assert not searcher(bank_path).from_cache and not searcher(bank_path).from_cache
    assert not (tmp_path / "bank.sqlite.index-cache").exists()

    monkeypatch.setenv(ENV_CACHE, str(tmp_path / "chosen"))
    assert not searcher(bank_path).from_cache and searcher(bank_path).from_cache
    assert len(list((tmp_path / "chosen").glob("bank-*.vsidx"))) == 1


def test_cache_locations_and_names_never_show_the_location(tmp_path: Path) -> None:
    url = "postgresql+psycopg://alice:s3cret-pw@db.example/bank"
    cache = Bank(create_engine("sqlite://"), url).index_cache()
    assert cache is not None and cache.directory == tmp_path / "xdg-cache" / "vidsleuth"
    assert "s3cret" not in cache.identity
    key = index_cache.IndexKey(7, MultiIndexHashIndex.KIND, 100, 50)
    name = cache.path_for(key).name
    assert "s3cret" not in name and "alice" not in name and "example" not in name
    other = Bank(create_engine("sqlite://"), url.replace("/bank", "/other")).index_cache()
    assert other is not None and other.path_for(key) != cache.path_for(key)

    with Bank.open(str(tmp_path / "b.sqlite"), create=True) as bank:
        local = bank.index_cache()
    assert local is not None and local.directory == tmp_path / "b.sqlite.index-cache"
    assert Bank(create_engine("sqlite://"), "sqlite://").index_cache() is None


def test_built_arrays_round_trip_and_bad_arrays_are_refused(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    rows = rng.integers(0, 256, (3000, 32), dtype=np.uint8)
    built = MultiIndexHashIndex()
    built.add(np.arange(3000) * 3, rows)
    built.build()
    arrays = built.built_arrays()
    loaded = MultiIndexHashIndex.from_built_arrays(arrays)
    queries = rows[::50].copy()
    queries[:, :3] ^= np.uint8(0x11)  # 6 bits away
    assert loaded.query(queries, 31).same_as(built.query(queries, 31))
    assert len(loaded.query(queries, 31)) >= 60

    unsorted = dict(arrays, orders=arrays["orders"][:, ::-1].copy())
    with pytest.raises(IndexFormatError, match="does not sort"):
        MultiIndexHashIndex.from_built_arrays(unsorted)
    with pytest.raises(IndexFormatError, match="first chunk"):
        MultiIndexHashIndex.from_built_arrays(dict(arrays, rows=arrays["rows"][::-1].copy()))

    cache = IndexCache(tmp_path / "c", "somewhere")
    key = index_cache.IndexKey(1, MultiIndexHashIndex.KIND, 3000, 50)
    assert cache.store(built, key) is not None
    ids = np.arange(3000, dtype=np.int64) * 3
    snapshot_rows = np.zeros((9000, 32), np.uint8)
    snapshot_rows[ids] = rows
    again = cache.load(MultiIndexHashIndex, key, ids, snapshot_rows)
    assert again is not None and again.query(queries, 31).same_as(built.query(queries, 31))
    assert (
        cache.load(
            MultiIndexHashIndex,
            index_cache.IndexKey(2, MultiIndexHashIndex.KIND, 3000, 50),
            ids,
            snapshot_rows,
        )
        is None
    )


def test_a_bank_recreated_at_the_same_revision_is_not_answered_from_the_old_file(
    bank_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    searcher(bank_path)
    (old,) = cache_files(bank_path)
    bank_path.unlink()
    with Bank.open(str(bank_path), create=True) as bank:  # same revision and size, other hashes
        bank.add([new_item(seed) for seed in range(101, 131)])
    assert cache_files(bank_path) == [old]  # same name: only the contents tell them apart
    counter = BuildCounter(monkeypatch)
    fresh = searcher(bank_path)
    assert counter.calls == 1 and not fresh.from_cache
    assert fresh.search(fingerprint(3)) == []
    assert fresh.search(fingerprint(103))[0].item.label == "item 103"


def test_the_fingerprint_signal_uses_the_cache(bank_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vidsleuth.signals.fingerprint import FingerprintSignal

    first = FingerprintSignal()
    first._open_bank(str(bank_path))
    assert first._searcher is not None and not first._searcher.from_cache
    BuildCounter(monkeypatch, forbid=True)
    again = FingerprintSignal()
    again._open_bank(str(bank_path))
    assert again._searcher is first._searcher  # the same process: loaded once (issue #15)
    from vidsleuth.signals.fingerprint import signal as fingerprint_signal

    fingerprint_signal._LOADED_BANK.clear()  # as in a new process: from the disk cache
    second = FingerprintSignal()
    second._open_bank(str(bank_path))
    assert second._searcher is not None and second._searcher.from_cache
    assert second._searcher.search(fingerprint(4))[0].item.label == "item 4"


def test_the_default_built_arrays_are_the_neutral_format_rebuilt() -> None:
    rng = np.random.default_rng(6)
    rows = rng.integers(0, 256, (200, 32), dtype=np.uint8)
    brute = BruteForceIndex()
    brute.add(np.arange(200), rows)
    again = BruteForceIndex.from_built_arrays(brute.built_arrays())
    assert again.query(rows[:20], 31).same_as(brute.query(rows[:20], 31)) and len(again) == 200
    with pytest.raises(IndexFormatError, match="lack"):
        BruteForceIndex.from_built_arrays({"ids": np.arange(3)})
    with pytest.raises(IndexFormatError, match="not a valid index"):
        BruteForceIndex.from_built_arrays({"ids": np.zeros(2, np.int64), "rows": rows[:2]})
