"""The compact and the sharded hash indexes hold to the index contract: exactly the brute-force answers.

Data and edges are those of tests/test_fingerprint_index.py (random hashes plus planted neighbours at
the distances that matter to MIH and to PDQ). The compact index is also checked past 65,536 rows, where
its row numbers take a third byte, and against the cache format it shares with `mih`. Ray actors are
started in-process (2 CPUs) when Ray is installed; otherwise the test says why it skipped.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from tests.test_fingerprint_index import EDGES, assert_same, flip
from vidsleuth.errors import ConfigError, SignalUnavailableError
from vidsleuth.fingerprint.compact_index import CompactMIHIndex
from vidsleuth.fingerprint.index import BruteForceIndex, HashIndex
from vidsleuth.fingerprint.index_cache import IndexCache, IndexKey
from vidsleuth.fingerprint.mih import MultiIndexHashIndex
from vidsleuth.fingerprint.sharded import ShardedIndex

Data = tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], npt.NDArray[np.uint8]]
FACTORIES: dict[str, Callable[[], HashIndex]] = {
    "compact": CompactMIHIndex,
    "sharded-by-id": lambda: ShardedIndex(3, by="id"),
    "sharded-by-prefix": lambda: ShardedIndex(4, by="prefix", index_factory=MultiIndexHashIndex),
    "one-shard": lambda: ShardedIndex(1),
}


@pytest.fixture(scope="module")
def data() -> Data:
    """As in test_fingerprint_index: random hashes (half sharing their first 16 bits), 20 queries with a
    neighbour at each EDGES distance, arbitrary ids (some negative)."""
    rng = np.random.default_rng(43)
    queries = rng.integers(0, 256, (20, 32), dtype=np.uint8)
    planted = np.concatenate([flip(queries, d, rng) for d in EDGES])
    noise = rng.integers(0, 256, (3000, 32), dtype=np.uint8)
    noise[::2, :2] = 0x5A
    rows = np.concatenate([planted, noise])
    ids = rng.permutation(rows.shape[0]).astype(np.int64) * 7 - 1000
    return ids, rows, queries


def _filled(
    factory: Callable[[], HashIndex], ids: npt.NDArray[np.int64], rows: npt.NDArray[np.uint8]
) -> HashIndex:
    index = factory()
    index.add(ids, rows)
    return index


@pytest.mark.parametrize("name", FACTORIES)
def test_same_results_as_brute_force(name: str, data: Data) -> None:
    ids, rows, queries = data
    reference = _filled(BruteForceIndex, ids, rows)
    index = _filled(FACTORIES[name], ids, rows)
    assert_same(reference, index, queries)  # before build: pending rows are scanned
    index.build()
    assert_same(reference, index, queries)
    assert len(index) == len(reference)
    got_ids, got_rows = index.contents()
    ref_ids, ref_rows = reference.contents()
    assert np.array_equal(got_ids, ref_ids) and np.array_equal(got_rows, ref_rows)


@pytest.mark.parametrize("name", FACTORIES)
def test_removals_late_additions_and_round_trip(name: str, data: Data) -> None:
    ids, rows, queries = data
    half = ids.size // 2
    reference = _filled(BruteForceIndex, ids[:half], rows[:half])
    index = _filled(FACTORIES[name], ids[:half], rows[:half])
    index.build()
    gone = ids[: half // 3]
    assert index.remove(gone) == reference.remove(gone) == gone.size
    index.add(ids[half:], rows[half:])  # after build
    reference.add(ids[half:], rows[half:])
    assert_same(reference, index, queries)
    with pytest.raises(ValueError, match="already in the index"):
        index.add(ids[half:][:2], rows[half:][:2])
    assert len(index) == len(reference)  # a refused batch adds nothing, in any shard
    loaded = type(index).deserialize(index.serialize())
    assert_same(reference, loaded, queries)
    assert_same(reference, MultiIndexHashIndex.deserialize(index.serialize()), queries)


def test_compact_index_past_65536_rows_and_its_memory() -> None:
    rng = np.random.default_rng(7)
    queries = rng.integers(0, 256, (12, 32), dtype=np.uint8)
    rows = rng.integers(0, 256, (70_000, 32), dtype=np.uint8)
    planted = np.concatenate([flip(queries, d, rng) for d in (0, 16, 31, 32)])
    rows[rng.choice(rows.shape[0], planted.shape[0], replace=False)] = planted
    ids = np.arange(rows.shape[0], dtype=np.int64)
    compact, mih = _filled(CompactMIHIndex, ids, rows), _filled(MultiIndexHashIndex, ids, rows)
    compact.build()
    mih.build()
    hits = compact.query(queries, 31)
    assert hits.same_as(mih.query(queries, 31)) and hits.same_as(
        _filled(BruteForceIndex, ids, rows).query(queries, 31)
    )
    assert len(hits) >= 3 * queries.shape[0]  # the planted 0, 16 and 31 of every query
    per_hash = compact.nbytes() / rows.shape[0]
    # 32 (hash) + 4 (id) + 15 x 3 (orders) = 81 bytes, plus the bucket starts (4 MB in all: large here)
    assert 81 <= per_hash < 81 + 16 * 65537 * 4 / rows.shape[0] + 1
    assert per_hash < mih.nbytes() / rows.shape[0] - 20


def test_compact_index_shares_mihs_cache_format(tmp_path: Path, data: Data) -> None:
    _, rows, queries = data
    ids = np.arange(rows.shape[0], dtype=np.int64)  # a bank's ids: its snapshot rows
    compact = _filled(CompactMIHIndex, ids, rows)
    compact.build()
    reference = _filled(BruteForceIndex, ids, rows)
    assert_same(reference, MultiIndexHashIndex.from_built_arrays(compact.built_arrays()), queries)
    cache = IndexCache(tmp_path, "bank")
    key = IndexKey(1, MultiIndexHashIndex.KIND, ids.size, 50)
    assert cache.store(_filled(MultiIndexHashIndex, ids, rows), key) is not None
    loaded = cache.load(CompactMIHIndex, key, ids, rows)  # a cached MIH index loads compact
    assert isinstance(loaded, CompactMIHIndex)
    assert_same(reference, loaded, queries)


def test_bad_settings_are_one_line_errors() -> None:
    with pytest.raises(ConfigError, match="at least 1 shard"):
        ShardedIndex(0)
    with pytest.raises(ConfigError, match="'id' or 'prefix'"):
        ShardedIndex(2, by="colour")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="'threads' or 'ray'"):
        ShardedIndex(2, backend="dask")  # type: ignore[arg-type]


def test_ray_backend_without_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails as if it were not installed
    with pytest.raises(SignalUnavailableError, match=r"pip install 'vidsleuth\[ray\]'"):
        ShardedIndex(2, backend="ray")


@pytest.fixture(scope="module")
def ray_local() -> Iterator[object]:
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'vidsleuth[ray]')")
    try:
        ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    except Exception as exc:  # a sandbox without shared memory or sockets
        pytest.skip(f"a local Ray instance could not start here: {type(exc).__name__}: {exc}")
    yield ray
    ray.shutdown()


def test_ray_actors_answer_like_threads(ray_local: object, data: Data) -> None:
    ids, rows, queries = data
    index = ShardedIndex(2, backend="ray")
    try:
        index.add(ids, rows)
        index.build()
        assert_same(_filled(BruteForceIndex, ids, rows), index, queries)
        assert sum(index.shard_sizes()) == ids.size and min(index.shard_sizes()) > 0
    finally:
        index.close()
