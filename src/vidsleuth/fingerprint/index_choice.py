"""Which hash index a bank search uses: one compact index (the default), or a sharded one.

Every index answers a range query exactly, so the choice changes memory and speed, never a match:

- one index (``shards`` 0 or 1): `CompactMIHIndex` (about 80 bytes per hash) while the bank's usable
  frames fit its 2^24 row numbers, else `MultiIndexHashIndex` (96 bytes per hash, no such limit);
- ``shards`` N >= 2: a `ShardedIndex` of N such indexes, by id (an item's frames stay in one shard),
  queried in parallel by threads of this process (``backend="threads"``) or by Ray actors
  (``backend="ray"``, `pip install 'vidsleuth[ray]'`; the Ray instance already started in this process,
  else ``$RAY_ADDRESS``, else a local one).

`IndexChoice.plan` turns a choice and a bank's frames into an `IndexPlan`: the index's cache kind (the
on-disk cache keys on it, so a single index's file is never loaded as a sharded one, nor N shards as M),
how to make an empty one and how to load one from cached arrays. The options reach here from the
fingerprint signal's `index_shards` / `index_backend` (``$VIDSLEUTH_INDEX_SHARDS``,
``$VIDSLEUTH_INDEX_BACKEND``) and from `vidsleuth bank search --index-shards/--index-backend`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt

from vidsleuth.core.errors import ConfigError
from vidsleuth.fingerprint.compact_index import MAX_ROWS, CompactMIHIndex
from vidsleuth.fingerprint.index import HashIndex
from vidsleuth.fingerprint.mih import MultiIndexHashIndex

ENV_SHARDS = "VIDSLEUTH_INDEX_SHARDS"
ENV_BACKEND = "VIDSLEUTH_INDEX_BACKEND"
MAX_SHARDS = 1024
IndexBackend = Literal["threads", "ray"]
BACKENDS: tuple[str, ...] = get_args(IndexBackend)
RAY_EXTRA = "vidsleuth[ray]"


@dataclass(frozen=True, slots=True)
class IndexPlan:
    """How to make, and how to load from the cache, the index of one bank snapshot."""

    kind: str  # the cache key's index kind
    make: Callable[[], HashIndex]
    load: Callable[[Mapping[str, npt.NDArray[Any]]], HashIndex] | None = None  # None: not cached


def single_index_type(rows: int) -> type[MultiIndexHashIndex]:
    """The one-index class for `rows` hashes: compact while they fit 24-bit row numbers."""
    return CompactMIHIndex if rows <= MAX_ROWS else MultiIndexHashIndex


@dataclass(frozen=True, slots=True)
class IndexChoice:
    """`shards` 0 or 1: one index; N >= 2: N shards on `backend` ("threads" or "ray")."""

    shards: int = 0
    backend: IndexBackend = "threads"

    def __post_init__(self) -> None:
        if isinstance(self.shards, bool) or not isinstance(self.shards, int):
            raise ConfigError(f"index shards must be an integer, got {self.shards!r}")
        if not 0 <= self.shards <= MAX_SHARDS:
            raise ConfigError(
                f"index shards must be within 0..{MAX_SHARDS} (0 or 1: one index), got {self.shards}"
            )
        if self.backend not in BACKENDS:
            raise ConfigError(f"index backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")

    @classmethod
    def from_text(cls, shards: str | int | None, backend: str | None) -> IndexChoice:
        """A choice from command-line or environment text (None: the default); ConfigError if invalid."""
        count = 0
        if isinstance(shards, int):
            count = shards
        elif shards is not None and shards.strip():
            try:
                count = int(shards.strip())
            except ValueError:
                raise ConfigError(f"index shards must be an integer, got {shards!r}") from None
        name = (backend or "threads").strip().lower()
        if name not in BACKENDS:
            raise ConfigError(f"index backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        return cls(count, "ray" if name == "ray" else "threads")

    def check_available(self) -> IndexChoice:
        """Itself, or ConfigError naming the extra when the Ray backend is chosen and Ray is missing."""
        if self.sharded and self.backend == "ray" and importlib.util.find_spec("ray") is None:
            raise ConfigError(f"index backend ray needs Ray: pip install '{RAY_EXTRA}'")
        return self

    @property
    def sharded(self) -> bool:
        return self.shards > 1

    def describe(self) -> str:
        if not self.sharded:
            return "one index"
        return f"{self.shards} shards ({self.backend})"

    def plan(self, ids: npt.NDArray[np.int64]) -> IndexPlan:
        """The plan for an index holding `ids` (snapshot rows; shards are by id)."""
        if not self.sharded:
            one = single_index_type(int(ids.size))
            return IndexPlan(one.KIND, one, one.from_built_arrays)
        from vidsleuth.fingerprint.sharded import ShardedIndex, shard_of

        per_shard = np.bincount(shard_of(ids, None, self.shards, "id"), minlength=self.shards)
        biggest = int(per_shard.max()) if ids.size else 0
        inner = single_index_type(biggest)
        shards, backend = self.shards, self.backend

        def make() -> ShardedIndex:
            return ShardedIndex(shards, by="id", index_factory=inner, backend=backend)

        def load(arrays: Mapping[str, npt.NDArray[Any]]) -> HashIndex:
            index = make()
            try:
                index.load_built(arrays)
            except BaseException:
                index.close()
                raise
            return index

        return IndexPlan(f"sharded{shards}-id-{inner.KIND}", make, load)
