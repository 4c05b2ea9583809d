"""A hash index split over shards that are searched in parallel: banks larger than one index should hold.

A bank of 100 M frame hashes does not fit one process's index comfortably (about 8 GB as one compact
index, more while it builds), and one index answers a query on one core. `ShardedIndex` keeps the same
contract as every `HashIndex` (add, remove, build, query, contents, serialize) over N shards, each an
ordinary index (`CompactMIHIndex` by default, so at most 2^24 hashes per shard):

- **by id** (default): consecutive ids go to one shard in blocks of `ID_BLOCK`; a bank's ids are its
  snapshot rows, grouped by item, so an item's frames stay together and adding an item touches one shard.
- **by prefix**: the hash's first 16 bits pick the shard: balanced whatever the ids are.

A range search cannot skip a shard (a hash within distance 31 may differ anywhere), so every query goes
to every shard at once and the hits are merged; the answer is exactly the one-index answer.

Where shards run (`backend`):

- ``"threads"`` (default): in this process, one thread per shard up to `workers`; the numpy work of a
  probe releases the GIL, so shards use several cores.
- ``"ray"``: each shard is a Ray actor (`pip install 'vidsleuth[ray]'`), on this machine or a cluster
  (`ray_address`, else the Ray instance already started, else a local one): a bank's memory is spread over
  the cluster's machines and a query fans out to all of them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt

from vidsleuth.errors import ConfigError, SignalUnavailableError
from vidsleuth.fingerprint.bits import HASH_BYTES, HashRows, as_rows
from vidsleuth.fingerprint.compact_index import CompactMIHIndex
from vidsleuth.fingerprint.errors import IndexFormatError
from vidsleuth.fingerprint.index import (
    HashIndex,
    IdArray,
    QueryHits,
    check_batch,
    check_distance,
    checked_pair,
    duplicate_ids,
)

RAY_EXTRA = "vidsleuth[ray]"
ID_BLOCK = 4096  # consecutive ids per shard before the next shard (by-id sharding)
ShardKey = Literal["id", "prefix"]
Backend = Literal["threads", "ray"]
IndexFactory = Callable[[], HashIndex]
Arrays = dict[str, npt.NDArray[Any]]
_SHARD_ARRAY = re.compile(r"s(\d{1,4})\.(\w{1,32})")


def split_shard_arrays(arrays: Mapping[str, npt.NDArray[Any]]) -> list[Arrays]:
    """`ShardedIndex.built_arrays()` (``s<i>.<name>``) back into one mapping per shard, in shard order.

    Raises IndexFormatError for names of another form or shards missing from 0..n-1."""
    shards: dict[int, Arrays] = {}
    for name, arr in arrays.items():
        found = _SHARD_ARRAY.fullmatch(name)
        if found is None:
            raise IndexFormatError(f"not a sharded index's array: {name!r}")
        shards.setdefault(int(found.group(1)), {})[found.group(2)] = arr
    if sorted(shards) != list(range(len(shards))):
        raise IndexFormatError(f"sharded index arrays name shards {sorted(shards)[:8]}, not 0..n-1")
    return [shards[i] for i in range(len(shards))]


def ray_module() -> Any:
    """The `ray` package, or SignalUnavailableError naming the extra."""
    try:
        import ray  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise SignalUnavailableError(
            f"sharding the index over Ray actors needs Ray: pip install '{RAY_EXTRA}'"
        ) from None
    return ray


def shard_of(ids: IdArray, rows: HashRows | None, shards: int, by: ShardKey) -> npt.NDArray[np.int64]:
    """The shard (0..shards-1) of each (id, hash) in an index of `shards` shards keyed `by` (by id, the
    hashes are not needed)."""
    n = np.int64(shards)
    if by == "id":
        out: npt.NDArray[np.int64] = (ids // ID_BLOCK) % n
        return out
    if rows is None:
        raise ValueError("sharding by prefix needs the hashes")
    prefix = rows[:, 0].astype(np.int64) << 8 | rows[:, 1].astype(np.int64)
    by_prefix: npt.NDArray[np.int64] = prefix % n
    return by_prefix


class ShardHost:
    """One shard's index and the calls the sharded index makes on it (a Ray actor's body, or local)."""

    def __init__(self, factory: IndexFactory) -> None:
        self.index = factory()

    def add(self, ids: IdArray, rows: HashRows) -> None:
        self.index.add(ids, rows)

    def remove(self, ids: IdArray) -> int:
        return self.index.remove(ids)

    def build(self) -> None:
        self.index.build()

    def query(self, rows: HashRows, max_distance: int) -> QueryHits:
        return self.index.query(rows, max_distance)

    def contents(self) -> tuple[IdArray, HashRows]:
        return self.index.contents()

    def built_arrays(self) -> Arrays:
        return self.index.built_arrays()

    def load_built(self, arrays: Mapping[str, npt.NDArray[Any]]) -> int:
        self.index = type(self.index).from_built_arrays(arrays)
        return len(self.index)

    def has_ids(self, ids: IdArray) -> list[int]:
        return duplicate_ids(self.index.contents()[0], ids)

    def size(self) -> int:
        return len(self.index)

    def nbytes(self) -> int:
        return self.index.nbytes()


class ShardedIndex(HashIndex):
    """The `HashIndex` contract over `shards` indexes queried in parallel (see the module docstring)."""

    KIND: ClassVar[str] = "sharded"

    def __init__(
        self,
        shards: int = 4,
        *,
        by: ShardKey = "id",
        index_factory: IndexFactory = CompactMIHIndex,
        backend: Backend = "threads",
        workers: int | None = None,
        ray_address: str | None = None,
    ) -> None:
        if shards < 1:
            raise ConfigError(f"a sharded index needs at least 1 shard, got {shards}")
        if by not in ("id", "prefix"):
            raise ConfigError(f"shard by 'id' or 'prefix', got {by!r}")
        if backend not in ("threads", "ray"):
            raise ConfigError(f"the shard backend is 'threads' or 'ray', got {backend!r}")
        self.by: ShardKey = by
        self.backend: Backend = backend
        self._factory = index_factory
        self._pool: ThreadPoolExecutor | None = None
        self._workers = max(1, min(shards, workers or (os.cpu_count() or 1)))
        self._ray: Any = None
        self._hosts: list[Any]
        if backend == "ray":
            ray = ray_module()
            if not ray.is_initialized():
                ray.init(address=ray_address, ignore_reinit_error=True)
            self._ray = ray
            actor = ray.remote(ShardHost)
            self._hosts = [actor.remote(index_factory) for _ in range(shards)]
        else:
            self._hosts = [ShardHost(index_factory) for _ in range(shards)]

    @property
    def shards(self) -> int:
        return len(self._hosts)

    # Fan-out ---------------------------------------------------------------------------------------
    def _each(self, method: str, args: Sequence[tuple[Any, ...]] | None = None) -> list[Any]:
        """Call `method` on every shard at once (with per-shard `args`); results in shard order."""
        per_shard = args if args is not None else [()] * len(self._hosts)
        if self._ray is not None:
            refs = [getattr(h, method).remote(*a) for h, a in zip(self._hosts, per_shard, strict=True)]
            return list(self._ray.get(refs))
        if len(self._hosts) == 1 or self._workers == 1:
            return [getattr(h, method)(*a) for h, a in zip(self._hosts, per_shard, strict=True)]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="vidsleuth-shard")
        futures = [
            self._pool.submit(getattr(h, method), *a) for h, a in zip(self._hosts, per_shard, strict=True)
        ]
        return [f.result() for f in futures]

    def shard_of(self, ids: IdArray, rows: HashRows) -> npt.NDArray[np.int64]:
        """The shard of each (id, hash)."""
        return shard_of(ids, rows, len(self._hosts), self.by)

    # Contract --------------------------------------------------------------------------------------
    def add(self, ids: npt.ArrayLike, hashes: HashRows | npt.ArrayLike) -> None:
        id_arr, rows = check_batch(ids, hashes)
        if not id_arr.size:
            return
        if self.by == "prefix":  # an id's shard depends on its hash: look in every shard
            dup = [i for found in self._each("has_ids", [(id_arr,)] * self.shards) for i in found]
            if dup:
                raise ValueError(f"ids already in the index: {sorted(dup)[:5]}")
        target = self.shard_of(id_arr, rows)
        batches = [(id_arr[target == s], rows[target == s]) for s in range(self.shards)]
        # by id, each shard checks its own ids; nothing is added anywhere when one refuses
        if self.by == "id":
            dup = [i for found in self._each("has_ids", [(b[0],) for b in batches]) for i in found]
            if dup:
                raise ValueError(f"ids already in the index: {sorted(dup)[:5]}")
        self._each("add", batches)

    def remove(self, ids: npt.ArrayLike) -> int:
        gone = np.asarray(ids, dtype=np.int64).reshape(-1)
        return int(sum(self._each("remove", [(gone,)] * self.shards)))

    def build(self) -> None:
        self._each("build")

    def query(self, hashes: HashRows | npt.ArrayLike, max_distance: int) -> QueryHits:
        d_max = check_distance(max_distance)
        rows = as_rows(hashes)
        if not rows.shape[0]:
            return QueryHits.empty()
        parts: list[QueryHits] = self._each("query", [(rows, d_max)] * self.shards)
        return QueryHits.from_unsorted(
            np.concatenate([p.query for p in parts]),
            np.concatenate([p.ids for p in parts]),
            np.concatenate([p.distances for p in parts]),
        )

    def contents(self) -> tuple[IdArray, HashRows]:
        parts: list[tuple[IdArray, HashRows]] = self._each("contents")
        ids = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        rows = np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, HASH_BYTES), np.uint8)
        order = np.argsort(ids, kind="stable")
        return ids[order], rows[order]

    def built_arrays(self) -> Arrays:
        """Every shard's built arrays, named ``s<shard>.<name>`` (for the on-disk index cache)."""
        return {
            f"s{i}.{name}": arr
            for i, arrays in enumerate(self._each("built_arrays"))
            for name, arr in arrays.items()
        }

    def load_built(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        """Replace every shard's contents with `built_arrays()` of a sharded index laid out like this one.

        Raises IndexFormatError (nothing is replaced) when the shard count differs or a hash sits in a
        shard this index would not put it in; each shard's index checks its own arrays."""
        per_shard = split_shard_arrays(arrays)
        if len(per_shard) != self.shards:
            raise IndexFormatError(f"arrays of {len(per_shard)} shards for an index of {self.shards}")
        for shard, part in enumerate(per_shard):
            ids, rows = checked_pair(part)
            if ids.size and np.any(self.shard_of(ids.astype(np.int64), rows) != shard):
                raise IndexFormatError(f"shard {shard} holds hashes of another shard")
        self._each("load_built", [(part,) for part in per_shard])

    def shard_sizes(self) -> list[int]:
        return [int(n) for n in self._each("size")]

    def __len__(self) -> int:
        return sum(self.shard_sizes())

    def nbytes(self) -> int:
        return int(sum(self._each("nbytes")))

    def close(self) -> None:
        """Stop the shard threads or actors (the index is unusable afterwards)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._ray is not None:
            for host in self._hosts:
                self._ray.kill(host)
            self._hosts = []
