"""The hash index contract: every implementation returns exactly what the brute-force reference returns.

Data are random hashes plus planted neighbours at chosen distances, so the edges that matter are hit:
0, 1, 15/16 (one chunk of MIH), 31/32 (PDQ's threshold), 47/48 (where MIH probes two bits per chunk).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest

from vidsleuth.fingerprint.errors import IndexFormatError
from vidsleuth.fingerprint.faiss_index import FaissFlatIndex, faiss_available
from vidsleuth.fingerprint.index import BruteForceIndex, HashIndex, QueryHits, pack, unpack
from vidsleuth.fingerprint.mih import MultiIndexHashIndex

EDGES = (0, 1, 2, 15, 16, 17, 30, 31, 32, 33, 47, 48, 49, 64, 100)
DISTANCES = (0, 1, 15, 16, 31, 32, 47, 48, 63, 64, 256)

IMPLEMENTATIONS: list[Callable[[], HashIndex]] = [MultiIndexHashIndex]
if faiss_available():
    IMPLEMENTATIONS.append(FaissFlatIndex)


def flip(rows: npt.NDArray[np.uint8], bits: int, rng: np.random.Generator) -> npt.NDArray[np.uint8]:
    """Copies of `rows` with exactly `bits` bits flipped in each."""
    unpacked = np.unpackbits(rows, axis=1)
    for r in range(unpacked.shape[0]):
        unpacked[r, rng.choice(256, size=bits, replace=False)] ^= 1
    return np.packbits(unpacked, axis=1)


@pytest.fixture(scope="module")
def data() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """3,000 random hashes, 20 queries, and for each query one stored neighbour at every EDGES distance.
    Half of the random rows share their first 16 bits, so MIH buckets are uneven, as with real data."""
    rng = np.random.default_rng(42)
    queries = rng.integers(0, 256, (20, 32), dtype=np.uint8)
    planted = np.concatenate([flip(queries, d, rng) for d in EDGES])
    noise = rng.integers(0, 256, (3000, 32), dtype=np.uint8)
    noise[::2, :2] = 0x5A
    rows = np.concatenate([planted, noise])
    ids = rng.permutation(rows.shape[0]).astype(np.int64) * 7 - 1000  # arbitrary, some negative
    return ids, rows, queries


def assert_same(reference: HashIndex, other: HashIndex, queries: npt.NDArray[np.uint8]) -> None:
    for d in DISTANCES:
        expected = reference.query(queries, d)
        got = other.query(queries, d)
        assert got.same_as(expected), f"{type(other).__name__} differs from brute force at distance {d}"


@pytest.mark.parametrize("factory", IMPLEMENTATIONS, ids=lambda f: f.__name__)
def test_same_results_as_brute_force_before_and_after_build(
    factory: Callable[[], HashIndex],
    data: tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], npt.NDArray[np.uint8]],
) -> None:
    ids, rows, queries = data
    reference, index = BruteForceIndex(), factory()
    reference.add(ids, rows)
    index.add(ids, rows)
    assert_same(reference, index, queries)
    index.build()
    assert_same(reference, index, queries)
    # the planted neighbours are found exactly at their distances, and nothing else is that close
    hits = index.query(queries[:1], 31).for_query(0)
    assert [d for _, d in hits] == [0, 1, 2, 15, 16, 17, 30, 31]


@pytest.mark.parametrize("factory", IMPLEMENTATIONS, ids=lambda f: f.__name__)
def test_removals_and_late_additions(
    factory: Callable[[], HashIndex],
    data: tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], npt.NDArray[np.uint8]],
) -> None:
    ids, rows, queries = data
    reference, index = BruteForceIndex(), factory()
    half = rows.shape[0] // 2
    for target in (reference, index):
        target.add(ids[:half], rows[:half])
    index.build()
    gone = ids[: half // 3]
    assert index.remove(gone) == reference.remove(gone) == gone.size
    assert index.remove(gone) == 0  # already gone: ignored
    for target in (reference, index):
        target.add(ids[half:], rows[half:])  # after build: queried before the next build
    assert len(index) == len(reference) == rows.shape[0] - gone.size
    assert_same(reference, index, queries)
    index.build()
    assert_same(reference, index, queries)
    # a removed id may be added again
    for target in (reference, index):
        target.add(gone[:5], rows[:5])
    assert_same(reference, index, queries)


@pytest.mark.parametrize("factory", [BruteForceIndex, *IMPLEMENTATIONS], ids=lambda f: f.__name__)
def test_serialize_round_trip_and_cross_loading(
    factory: Callable[[], HashIndex],
    data: tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], npt.NDArray[np.uint8]],
) -> None:
    ids, rows, queries = data
    index = factory()
    index.add(ids, rows)
    index.build()
    index.remove(ids[:10])
    blob = index.serialize()
    for loader in (BruteForceIndex, MultiIndexHashIndex):
        loaded = loader.deserialize(blob)
        assert len(loaded) == len(index)
        assert_same(loaded, index, queries)
    stored_ids, stored_rows = index.contents()
    assert np.array_equal(stored_ids, np.sort(ids[10:]))
    assert stored_rows.shape == (ids.size - 10, 32)


@pytest.mark.parametrize("factory", [BruteForceIndex, *IMPLEMENTATIONS], ids=lambda f: f.__name__)
def test_contract_errors(factory: Callable[[], HashIndex]) -> None:
    index = factory()
    assert len(index.query(np.zeros((2, 32), np.uint8), 31)) == 0  # empty index: no hits, no error
    index.add(np.array([1, 2]), np.zeros((2, 32), np.uint8))
    with pytest.raises(ValueError, match="already in the index"):
        index.add(np.array([2]), np.zeros((1, 32), np.uint8))
    with pytest.raises(ValueError, match="unique"):
        index.add(np.array([5, 5]), np.zeros((2, 32), np.uint8))
    with pytest.raises(ValueError, match="ids but"):
        index.add(np.array([7]), np.zeros((2, 32), np.uint8))
    with pytest.raises(ValueError, match="shape"):
        index.add(np.array([8]), np.zeros((1, 31), np.uint8))
    for bad in (-1, 257):
        with pytest.raises(ValueError, match="max_distance"):
            index.query(np.zeros((1, 32), np.uint8), bad)
    assert index.query_one(bytes(32), 0) == [(1, 0), (2, 0)]


def test_index_format_errors() -> None:
    blob = pack("brute-force", np.array([3], np.int64), np.zeros((1, 32), np.uint8))
    assert unpack(blob)[0] == "brute-force"
    with pytest.raises(IndexFormatError, match="not a vidsleuth hash index"):
        BruteForceIndex.deserialize(b"PK\x03\x04 something else")
    with pytest.raises(IndexFormatError, match="truncated"):
        MultiIndexHashIndex.deserialize(blob[:-5])
    newer = blob[:8] + (99).to_bytes(4, "little") + blob[12:]
    with pytest.raises(IndexFormatError, match="newer vidsleuth"):
        MultiIndexHashIndex.deserialize(newer)


def test_query_hits_are_sorted_by_query_distance_and_id() -> None:
    hits = QueryHits.from_unsorted([1, 0, 0, 1], [9, 5, 3, 2], [4, 7, 7, 0])
    assert hits.query.tolist() == [0, 0, 1, 1]
    assert hits.ids.tolist() == [3, 5, 2, 9]
    assert hits.for_query(1) == [(2, 0), (9, 4)]


def test_mih_memory_per_hash_stays_near_100_bytes() -> None:
    rng = np.random.default_rng(1)
    n = 50_000
    index = MultiIndexHashIndex()
    index.add(np.arange(n), rng.integers(0, 256, (n, 32), dtype=np.uint8))
    index.build()
    per_hash = (index.nbytes() - 16 * (65537 * 8)) / n  # less the fixed bucket tables
    assert per_hash <= 100
