"""The hash index contract, its brute-force reference, and the serialization every index shares.

An index holds (id, PDQ hash) pairs and answers "which ids lie within Hamming distance d of this hash?".
Every implementation has the same five operations (python-threatexchange's shape):

- `add(ids, hashes)`: ids are unique int64; adding an id twice is an error;
- `remove(ids)`: forget them (unknown ids are ignored); returns how many were removed;
- `build()`: optimise for queries; queries are correct before and after it, only faster after;
- `query(hashes, max_distance)`: every (query row, id, distance) with distance <= max_distance, exactly,
  sorted by query row, distance, then id, so two implementations can be compared result for result;
- `serialize()` / `deserialize(data)`: one neutral format (ids and hashes), so any implementation can
  load what any other wrote; fast structures are rebuilt on load.

Beside the contract, `built_arrays()` / `from_built_arrays(arrays)` hand over a built index as named
arrays, without rebuilding, for the on-disk cache (vidsleuth.fingerprint.index_cache). Every
implementation's arrays include `ids` (integers) and `rows` (n x 32 bytes), in any order, and
`from_built_arrays` checks what it is given, raising IndexFormatError, so that any arrays it accepts
answer queries exactly as a fresh build would. The default is the neutral format plus a build.

`BruteForceIndex` compares the query with every stored hash. It is the reference that
tests/test_fingerprint_index.py holds every fast implementation to.
"""

from __future__ import annotations

import struct
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from vidsleuth.fingerprint.bits import HASH_BITS, HASH_BYTES, HashRows, as_rows, as_words, distances_to
from vidsleuth.fingerprint.errors import IndexFormatError

IdArray = npt.NDArray[np.int64]
MAGIC = b"VSPDQIX\x00"
FORMAT_VERSION = 1
_HEADER = struct.Struct("<8sIIQ")  # magic, format version, kind length, count


@dataclass(frozen=True, slots=True)
class QueryHits:
    """Every match of a batch query: parallel arrays sorted by (query, distance, id)."""

    query: npt.NDArray[np.int32]
    ids: IdArray
    distances: npt.NDArray[np.int32]

    @classmethod
    def empty(cls) -> QueryHits:
        return cls(np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0, np.int32))

    @classmethod
    def from_unsorted(cls, query: npt.ArrayLike, ids: npt.ArrayLike, distances: npt.ArrayLike) -> QueryHits:
        q = np.asarray(query, dtype=np.int32)
        i = np.asarray(ids, dtype=np.int64)
        d = np.asarray(distances, dtype=np.int32)
        order = np.lexsort((i, d, q))
        return cls(q[order], i[order], d[order])

    def __len__(self) -> int:
        return int(self.ids.size)

    def for_query(self, row: int) -> list[tuple[int, int]]:
        """(id, distance) pairs of one query row."""
        sel = self.query == row
        return list(zip(self.ids[sel].tolist(), self.distances[sel].tolist(), strict=True))

    def same_as(self, other: QueryHits) -> bool:
        return (
            np.array_equal(self.query, other.query)
            and np.array_equal(self.ids, other.ids)
            and np.array_equal(self.distances, other.distances)
        )


def check_distance(max_distance: int) -> int:
    if isinstance(max_distance, bool) or not isinstance(max_distance, int | np.integer):
        raise ValueError(f"max_distance must be an integer, got {max_distance!r}")
    if not 0 <= int(max_distance) <= HASH_BITS:
        raise ValueError(f"max_distance must be within 0..{HASH_BITS}, got {max_distance}")
    return int(max_distance)


def check_batch(ids: npt.ArrayLike, hashes: HashRows | npt.ArrayLike) -> tuple[IdArray, HashRows]:
    """Validate an `add` batch: int64 ids, unique, one (32-byte) hash row each."""
    id_arr = np.asarray(ids)
    if id_arr.ndim != 1 or (id_arr.size and not np.issubdtype(id_arr.dtype, np.integer)):
        raise ValueError(f"ids must be a 1-D array of integers, got {id_arr.dtype} of shape {id_arr.shape}")
    id_arr = id_arr.astype(np.int64, copy=False)
    rows = as_rows(hashes)
    if rows.shape[0] != id_arr.size:
        raise ValueError(f"{id_arr.size} ids but {rows.shape[0]} hashes")
    if np.unique(id_arr).size != id_arr.size:
        raise ValueError("ids within one add() must be unique")
    return id_arr, rows


def duplicate_ids(existing: IdArray, new: IdArray) -> list[int]:
    if existing.size == 0 or new.size == 0:
        return []
    return [int(x) for x in new[np.isin(new, existing)][:5]]


def checked_pair(arrays: Mapping[str, npt.NDArray[Any]]) -> tuple[npt.NDArray[Any], HashRows]:
    """The `ids` and `rows` of `built_arrays()`, checked for shape and type (IndexFormatError if not)."""
    ids, rows = arrays.get("ids"), arrays.get("rows")
    if ids is None or rows is None:
        raise IndexFormatError("cached index arrays lack `ids` or `rows`")
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise IndexFormatError(
            f"cached index ids are {ids.dtype} of shape {ids.shape}, expected 1-D integers"
        )
    if rows.dtype != np.uint8 or rows.shape != (ids.size, HASH_BYTES):
        raise IndexFormatError(
            f"cached index rows are {rows.dtype} of shape {rows.shape}, expected uint8 rows"
        )
    return ids, rows


def pack(kind: str, ids: IdArray, rows: HashRows) -> bytes:
    name = kind.encode()
    header = _HEADER.pack(MAGIC, FORMAT_VERSION, len(name), int(ids.size))
    return header + name + ids.astype("<i8").tobytes() + np.ascontiguousarray(rows).tobytes()


def unpack(data: bytes) -> tuple[str, IdArray, HashRows]:
    """Read `pack`'s format. Raises IndexFormatError for foreign, damaged or newer data."""
    if len(data) < _HEADER.size or not data.startswith(MAGIC):
        raise IndexFormatError("not a vidsleuth hash index (wrong magic bytes)")
    _, version, name_len, count = _HEADER.unpack_from(data)
    if version > FORMAT_VERSION:
        raise IndexFormatError(
            f"hash index format {version} was written by a newer vidsleuth (this one reads up to "
            f"{FORMAT_VERSION}); upgrade vidsleuth or rebuild the index"
        )
    start = _HEADER.size + name_len
    expected = start + count * (8 + HASH_BYTES)
    if len(data) != expected:
        raise IndexFormatError(f"hash index is truncated or damaged ({len(data)} bytes, expected {expected})")
    kind = data[_HEADER.size : start].decode("utf-8", "replace")
    ids = np.frombuffer(data, dtype="<i8", count=count, offset=start).astype(np.int64)
    rows = np.frombuffer(data, dtype=np.uint8, count=count * HASH_BYTES, offset=start + count * 8)
    return kind, ids, rows.reshape(-1, HASH_BYTES).copy()


class HashIndex(ABC):
    """The contract (see the module docstring)."""

    KIND: ClassVar[str]

    @abstractmethod
    def add(self, ids: npt.ArrayLike, hashes: HashRows | npt.ArrayLike) -> None: ...

    @abstractmethod
    def remove(self, ids: npt.ArrayLike) -> int: ...

    @abstractmethod
    def build(self) -> None: ...

    @abstractmethod
    def query(self, hashes: HashRows | npt.ArrayLike, max_distance: int) -> QueryHits: ...

    @abstractmethod
    def contents(self) -> tuple[IdArray, HashRows]:
        """Every (id, hash) held, sorted by id."""

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def nbytes(self) -> int:
        """Bytes held by the index's arrays (its memory footprint, less Python object overhead)."""

    def serialize(self) -> bytes:
        ids, rows = self.contents()
        return pack(self.KIND, ids, rows)

    @classmethod
    def deserialize(cls, data: bytes) -> Self:
        _, ids, rows = unpack(data)
        index = cls()
        index.add(ids, rows)
        index.build()
        return index

    def built_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The built index as named arrays (at least `ids` and `rows`), for `from_built_arrays`."""
        ids, rows = self.contents()
        return {"ids": ids, "rows": rows}

    @classmethod
    def from_built_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> Self:
        """An index from `built_arrays()`. Raises IndexFormatError when they are not a valid index."""
        ids, rows = checked_pair(arrays)
        index = cls()
        try:
            index.add(ids, rows)
        except ValueError as exc:
            raise IndexFormatError(f"cached index arrays are not a valid index: {exc}") from None
        index.build()
        return index

    def query_one(self, value: bytes, max_distance: int) -> list[tuple[int, int]]:
        return self.query(as_rows([value]), max_distance).for_query(0)


class BruteForceIndex(HashIndex):
    """Compares every query with every stored hash: simple, obviously right, O(n) per query."""

    KIND: ClassVar[str] = "brute-force"

    def __init__(self) -> None:
        self._ids: IdArray = np.zeros(0, np.int64)
        self._rows: HashRows = np.zeros((0, HASH_BYTES), np.uint8)

    def add(self, ids: npt.ArrayLike, hashes: HashRows | npt.ArrayLike) -> None:
        id_arr, rows = check_batch(ids, hashes)
        dup = duplicate_ids(self._ids, id_arr)
        if dup:
            raise ValueError(f"ids already in the index: {dup}")
        self._ids = np.concatenate([self._ids, id_arr])
        self._rows = np.concatenate([self._rows, rows])

    def remove(self, ids: npt.ArrayLike) -> int:
        gone = np.isin(self._ids, np.asarray(ids, dtype=np.int64))
        count = int(gone.sum())
        if count:
            self._ids = self._ids[~gone]
            self._rows = self._rows[~gone]
        return count

    def build(self) -> None:
        """Nothing to build: the reference scans everything."""

    def query(self, hashes: HashRows | npt.ArrayLike, max_distance: int) -> QueryHits:
        d_max = check_distance(max_distance)
        queries = as_words(as_rows(hashes))
        words = as_words(self._rows)
        qs, ids, ds = [], [], []
        for row in range(queries.shape[0]):
            d = distances_to(words, queries[row])
            sel = np.nonzero(d <= d_max)[0]
            qs.append(np.full(sel.size, row, np.int32))
            ids.append(self._ids[sel])
            ds.append(d[sel])
        if not qs:
            return QueryHits.empty()
        return QueryHits.from_unsorted(np.concatenate(qs), np.concatenate(ids), np.concatenate(ds))

    def contents(self) -> tuple[IdArray, HashRows]:
        order = np.argsort(self._ids, kind="stable")
        return self._ids[order], self._rows[order]

    def __len__(self) -> int:
        return int(self._ids.size)

    def nbytes(self) -> int:
        return int(self._ids.nbytes + self._rows.nbytes)
