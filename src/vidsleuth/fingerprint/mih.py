"""A fast exact hash index: multi-index hashing (Norouzi, Punjani and Fleet, CVPR 2012) over PDQ hashes.

The 256 bits are cut into 16 chunks of 16 bits. If two hashes differ in at most d bits, then by the
pigeonhole principle at least one chunk differs in at most floor(d / 16) bits: for PDQ's d = 31 that is
one bit. So each query looks up, in each of 16 tables, the bucket of its own chunk value and of the 16
values one bit away (17 buckets per table), and verifies only the hashes found there with a full popcount.
The search is exact: it returns every hash within d, as the brute-force reference does.

Memory per stored hash: 32 bytes of hash, 4 bytes of id (8 when ids do not fit in 32 bits) and 4 bytes
in each of 15 tables (rows are kept sorted by the first chunk, so the first table is the rows themselves):
100 bytes, so 10 million hashes fit in about 1 GB. Hashes added after `build()` wait in a small
brute-force buffer; removals are tombstones until the next build.

`built_arrays()` hands over the built tables (ids, rows and the 15 sort orders; the bucket starts are
recounted on load) so that the on-disk cache can skip the build's 15 sorts; `from_built_arrays` checks
that each order is a permutation that sorts its chunk, so arrays it accepts are a correct index.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from vidsleuth.fingerprint.bits import HASH_BYTES, HashRows, as_rows, as_words, distances_to
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

CHUNKS = 16
CHUNK_VALUES = 1 << 16
# Beyond this per-chunk radius the buckets to probe outnumber the work of a scan: fall back to a scan.
MAX_RADIUS = 2
QUERY_BATCH = 32  # queries expanded at once (bounds the candidate arrays' memory)
_I32 = np.iinfo(np.int32)


@cache
def _probe_masks(radius: int) -> npt.NDArray[np.int64]:
    """Every 16-bit value with at most `radius` bits set: the XOR masks of one chunk's neighbourhood."""
    values = np.arange(CHUNK_VALUES, dtype=np.uint32)
    weights = np.bitwise_count(values)
    masks: npt.NDArray[np.int64] = values[weights <= radius].astype(np.int64)
    return masks


def _small_ids(ids: npt.NDArray[Any]) -> npt.NDArray[Any]:
    if ids.size == 0 or (ids.min() >= _I32.min and ids.max() <= _I32.max):
        return ids.astype(np.int32)
    return ids.astype(np.int64)


def _unique(ids: npt.NDArray[Any]) -> bool:
    """Whether no id repeats: a count when the ids are dense (row numbers, as a bank's are), else a sort."""
    lo, hi = int(ids.min()), int(ids.max())
    if hi - lo < 4 * ids.size:
        return bool(np.bincount(ids - lo).max() <= 1)
    ordered = np.sort(ids)
    return not bool(np.any(ordered[1:] == ordered[:-1]))


def _expand(lo: npt.NDArray[np.int64], hi: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Concatenate the integer ranges [lo[k], hi[k]) without a Python loop."""
    lengths = hi - lo
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    ends = np.cumsum(lengths)
    shift = np.repeat(lo - (ends - lengths), lengths)
    out: npt.NDArray[np.int64] = np.arange(total, dtype=np.int64) + shift
    return out


class MultiIndexHashIndex(HashIndex):
    """Exact range search in 16 chunk tables (see the module docstring)."""

    KIND: ClassVar[str] = "mih16"

    def __init__(self) -> None:
        self._ids: npt.NDArray[Any] = np.zeros(0, np.int32)
        self._rows: HashRows = np.zeros((0, HASH_BYTES), np.uint8)
        self._alive: npt.NDArray[np.bool_] | None = None  # None: every built row is alive
        self._orders: list[npt.NDArray[np.uint32] | None] = []
        self._starts: list[npt.NDArray[np.int64]] = []
        self._pending_ids: list[npt.NDArray[np.int64]] = []
        self._pending_rows: list[HashRows] = []

    # Contract ------------------------------------------------------------------------------------
    def add(self, ids: npt.ArrayLike, hashes: HashRows | npt.ArrayLike) -> None:
        id_arr, rows = check_batch(ids, hashes)
        dup = duplicate_ids(self._all_ids(), id_arr)
        if dup:
            raise ValueError(f"ids already in the index: {dup}")
        if id_arr.size:
            self._pending_ids.append(id_arr)
            self._pending_rows.append(rows)

    def remove(self, ids: npt.ArrayLike) -> int:
        gone_ids = np.asarray(ids, dtype=np.int64)
        removed = 0
        if self._ids.size:
            hit = np.isin(self._ids, gone_ids)
            if self._alive is not None:
                hit &= self._alive
            count = int(hit.sum())
            if count:
                if self._alive is None:
                    self._alive = np.ones(self._ids.size, dtype=bool)
                self._alive[hit] = False
                removed += count
        for k, pid in enumerate(self._pending_ids):
            keep = ~np.isin(pid, gone_ids)
            removed += int((~keep).sum())
            self._pending_ids[k] = pid[keep]
            self._pending_rows[k] = self._pending_rows[k][keep]
        return removed

    def build(self) -> None:
        ids, rows = self._live_arrays()
        if rows.shape[0]:
            first = rows.view(np.uint16)[:, 0]
            order = np.argsort(first, kind="stable")
            ids, rows = ids[order], np.ascontiguousarray(rows[order])
        chunks = rows.view(np.uint16).reshape(-1, CHUNKS)
        orders = [np.argsort(chunks[:, t], kind="stable").astype(np.uint32) for t in range(1, CHUNKS)]
        self._install(_small_ids(ids), rows, orders)

    def built_arrays(self) -> dict[str, npt.NDArray[Any]]:
        if self._pending_ids or self._alive is not None or not self._starts:
            self.build()
        orders = [o for o in self._orders if o is not None]
        table = np.stack(orders) if orders else np.zeros((CHUNKS - 1, 0), np.uint32)
        return {"ids": self._ids, "rows": self._rows, "orders": table}

    @classmethod
    def from_built_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> Self:
        ids, rows = checked_pair(arrays)
        n = ids.size
        table = arrays.get("orders")
        if table is None or table.dtype != np.uint32 or table.shape != (CHUNKS - 1, n):
            raise IndexFormatError(f"cached index orders are not {CHUNKS - 1} x {n} uint32")
        chunks = np.ascontiguousarray(rows).view(np.uint16).reshape(-1, CHUNKS)
        columns = np.ascontiguousarray(chunks.T)  # one contiguous row per chunk: fast gathers
        if n and np.any(columns[0, 1:] < columns[0, :-1]):
            raise IndexFormatError("cached index rows are not sorted by their first chunk")
        if n and not _unique(ids):
            raise IndexFormatError("cached index ids are not unique")
        seen = np.zeros(n, dtype=bool)
        for t in range(1, CHUNKS):
            order = table[t - 1]
            if not n:
                continue
            seen[:] = False
            if int(order.max()) >= n:
                raise IndexFormatError(f"cached index order {t} points past the rows")
            seen[order] = True  # n entries that reach every row: a permutation
            if not seen.all():
                raise IndexFormatError(f"cached index order {t} is not a permutation of the rows")
            column = columns[t][order]
            if np.any(column[1:] < column[:-1]):
                raise IndexFormatError(f"cached index order {t} does not sort its chunk")
        index = cls()
        index._install(_small_ids(ids), np.ascontiguousarray(rows), list(table))
        return index

    def query(self, hashes: HashRows | npt.ArrayLike, max_distance: int) -> QueryHits:
        d_max = check_distance(max_distance)
        queries = as_rows(hashes)
        pending = sum(p.size for p in self._pending_ids)
        if pending > max(65536, self._ids.size // 8):
            self.build()
            pending = 0
        parts: list[tuple[Any, Any, Any]] = []
        if self._ids.size and queries.shape[0]:
            if not self._starts or d_max // CHUNKS > MAX_RADIUS:
                parts.append(self._scan(queries, self._rows, self._ids, self._alive, d_max))
            else:
                for start in range(0, queries.shape[0], QUERY_BATCH):
                    q, i, d = self._probe(queries[start : start + QUERY_BATCH], d_max)
                    parts.append((q + start, i, d))
        if pending and queries.shape[0]:
            p_ids = np.concatenate(self._pending_ids)
            p_rows = np.concatenate(self._pending_rows)
            parts.append(self._scan(queries, p_rows, p_ids, None, d_max))
        if not parts:
            return QueryHits.empty()
        return QueryHits.from_unsorted(
            np.concatenate([p[0] for p in parts]),
            np.concatenate([np.asarray(p[1], dtype=np.int64) for p in parts]),
            np.concatenate([p[2] for p in parts]),
        )

    def contents(self) -> tuple[IdArray, HashRows]:
        ids, rows = self._live_arrays()
        order = np.argsort(ids, kind="stable")
        return ids[order], rows[order]

    def __len__(self) -> int:
        built = self._ids.size if self._alive is None else int(self._alive.sum())
        return int(built + sum(p.size for p in self._pending_ids))

    def nbytes(self) -> int:
        total = self._ids.nbytes + self._rows.nbytes
        total += 0 if self._alive is None else self._alive.nbytes
        total += sum(o.nbytes for o in self._orders if o is not None) + sum(s.nbytes for s in self._starts)
        total += sum(p.nbytes for p in self._pending_ids) + sum(r.nbytes for r in self._pending_rows)
        return int(total)

    # Internals -----------------------------------------------------------------------------------
    def _install(self, ids: npt.NDArray[Any], rows: HashRows, orders: list[npt.NDArray[np.uint32]]) -> None:
        """Take built tables: rows sorted by the first chunk, one order per other chunk."""
        self._ids, self._rows, self._alive = ids, rows, None
        self._pending_ids, self._pending_rows = [], []
        chunks = rows.view(np.uint16).reshape(-1, CHUNKS)
        self._orders = [None, *orders]
        self._starts = []
        for t in range(CHUNKS):
            counts = np.bincount(chunks[:, t], minlength=CHUNK_VALUES)
            starts = np.zeros(CHUNK_VALUES + 1, dtype=np.int64)
            np.cumsum(counts, out=starts[1:])
            self._starts.append(starts)

    def _all_ids(self) -> IdArray:
        return np.concatenate([self._ids.astype(np.int64), *self._pending_ids])

    def _live_arrays(self) -> tuple[IdArray, HashRows]:
        ids = self._ids.astype(np.int64)
        rows = self._rows
        if self._alive is not None:
            ids, rows = ids[self._alive], rows[self._alive]
        if self._pending_ids:
            ids = np.concatenate([ids, *self._pending_ids])
            rows = np.concatenate([rows, *self._pending_rows])
        return ids, np.ascontiguousarray(rows)

    @staticmethod
    def _scan(
        queries: HashRows,
        rows: HashRows,
        ids: npt.NDArray[Any],
        alive: npt.NDArray[np.bool_] | None,
        d_max: int,
    ) -> tuple[Any, Any, Any]:
        words, q_words = as_words(rows), as_words(queries)
        qs, hit_ids, ds = [], [], []
        for row in range(q_words.shape[0]):
            d = distances_to(words, q_words[row])
            ok = d <= d_max
            if alive is not None:
                ok &= alive
            sel = np.nonzero(ok)[0]
            qs.append(np.full(sel.size, row, np.int32))
            hit_ids.append(ids[sel].astype(np.int64))
            ds.append(d[sel])
        return np.concatenate(qs), np.concatenate(hit_ids), np.concatenate(ds)

    def _probe(self, queries: HashRows, d_max: int) -> tuple[Any, Any, Any]:
        masks = _probe_masks(d_max // CHUNKS)
        q_chunks = queries.view(np.uint16).reshape(-1, CHUNKS).astype(np.int64)
        n_q = q_chunks.shape[0]
        owner = np.repeat(np.arange(n_q, dtype=np.int64), masks.size)
        cand_rows, cand_q = [], []
        for t in range(CHUNKS):
            keys = (q_chunks[:, t][:, None] ^ masks[None, :]).reshape(-1)
            starts = self._starts[t]
            lo, hi = starts[keys], starts[keys + 1]
            positions = _expand(lo, hi)
            if positions.size == 0:
                continue
            order = self._orders[t]
            cand_rows.append(positions if order is None else order[positions].astype(np.int64))
            cand_q.append(np.repeat(owner, hi - lo))
        if not cand_rows:
            return np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0, np.int32)
        rows = np.concatenate(cand_rows)
        qidx = np.concatenate(cand_q)
        words, q_words = as_words(self._rows), as_words(queries)
        dist = np.bitwise_count(words[rows] ^ q_words[qidx]).sum(axis=1, dtype=np.int32)
        ok = dist <= d_max
        if self._alive is not None:
            ok &= self._alive[rows]
        rows, qidx, dist = rows[ok], qidx[ok], dist[ok]
        # A hash close in several chunks was found in several tables: keep each (query, row) once.
        key = qidx * np.int64(self._rows.shape[0]) + rows
        _, first = np.unique(key, return_index=True)
        return qidx[first].astype(np.int32), self._ids[rows[first]].astype(np.int64), dist[first]
