"""A more compact multi-index hash index: the same exact search as `mih`, in about 80 instead of 96 bytes
per hash.

`MultiIndexHashIndex` keeps, per stored hash, 32 bytes of hash, 4 of id and 15 table orders of 4 bytes
(uint32 row numbers). An index of at most 2^24 rows (16.7 M, the size of one shard of a sharded bank,
see `sharded`) needs only 24 bits per row number: here each order is kept as a uint16 array of low
bits plus a uint8 array of high bits (3 bytes; 2 bytes when the index has at most 65,536 rows). The
search, the tables and their answers are `mih`'s unchanged: a probe gathers a row number as
``low | high << 16`` instead of reading it.

Why not smaller: a table of 16-bit chunk values must say, for each of its N/65,536-long buckets, which
rows are in it; that is at least log2(65,536) + 1.4 ≈ 17.5 bits per row and table whatever the encoding,
so 15 tables cost at least 33 bytes and an exact 16-table index at least 65 bytes per hash with its 32
bytes of hash (docs/performance.md, "Bank at scale", for the arithmetic and what fewer tables would cost
in query time).

The cache format (`built_arrays`) is `mih`'s (uint32 orders), so a cached MIH index loads into this one
and the reverse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from vidsleuth.fingerprint.bits import HashRows, as_words
from vidsleuth.fingerprint.errors import IndexFormatError
from vidsleuth.fingerprint.mih import CHUNKS, MultiIndexHashIndex, _expand, _probe_masks, _small_ids

MAX_ROWS = 1 << 24  # row numbers must fit in 24 bits
_U16 = 1 << 16


class _PackedOrder:
    """A permutation of row numbers < 2^24 in 2 or 3 bytes per entry."""

    __slots__ = ("high", "low")

    def __init__(self, order: npt.NDArray[Any]) -> None:
        self.low: npt.NDArray[np.uint16] = (order & 0xFFFF).astype(np.uint16)
        self.high: npt.NDArray[np.uint8] | None = (
            (order >> 16).astype(np.uint8) if order.size > _U16 else None
        )

    def take(self, positions: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        rows = self.low[positions].astype(np.int64)
        if self.high is not None:
            rows |= self.high[positions].astype(np.int64) << 16
        return rows

    def unpacked(self) -> npt.NDArray[np.uint32]:
        return self.take(np.arange(self.low.size, dtype=np.int64)).astype(np.uint32)

    @property
    def nbytes(self) -> int:
        return int(self.low.nbytes + (0 if self.high is None else self.high.nbytes))


class CompactMIHIndex(MultiIndexHashIndex):
    """`MultiIndexHashIndex` with 24-bit table orders (at most 2^24 hashes per index)."""

    KIND: ClassVar[str] = "mih16-compact"

    def __init__(self) -> None:
        super().__init__()
        self._packed: list[_PackedOrder | None] = []

    def build(self) -> None:
        ids, rows = self._live_arrays()
        if rows.shape[0] > MAX_ROWS:
            raise ValueError(
                f"a compact index holds at most {MAX_ROWS:,} hashes, got {rows.shape[0]:,}; shard the bank "
                "(vidsleuth.fingerprint.sharded.ShardedIndex)"
            )
        if rows.shape[0]:
            order = np.argsort(rows.view(np.uint16)[:, 0], kind="stable")
            ids, rows = ids[order], np.ascontiguousarray(rows[order])
        chunks = rows.view(np.uint16).reshape(-1, CHUNKS)
        # One order at a time, packed as soon as it is sorted: the build never holds 15 uint32 orders.
        packed = [_PackedOrder(np.argsort(chunks[:, t], kind="stable")) for t in range(1, CHUNKS)]
        self._install_packed(_small_ids(ids), rows, packed)

    @classmethod
    def from_built_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> Self:
        checked = MultiIndexHashIndex.from_built_arrays(arrays)  # every check of `mih`
        if checked._rows.shape[0] > MAX_ROWS:
            raise IndexFormatError(f"a compact index holds at most {MAX_ROWS:,} hashes")
        index = cls()
        orders = [o for o in checked._orders if o is not None]
        index._install_packed(checked._ids, checked._rows, [_PackedOrder(o) for o in orders])
        return index

    def built_arrays(self) -> dict[str, npt.NDArray[Any]]:
        if self._pending_ids or self._alive is not None or not self._starts:
            self.build()
        orders = [p.unpacked() for p in self._packed if p is not None]
        table = np.stack(orders) if orders else np.zeros((CHUNKS - 1, 0), np.uint32)
        return {"ids": self._ids, "rows": self._rows, "orders": table}

    def nbytes(self) -> int:
        total = self._ids.nbytes + self._rows.nbytes + sum(s.nbytes for s in self._starts)
        total += 0 if self._alive is None else self._alive.nbytes
        total += sum(p.nbytes for p in self._packed if p is not None)
        total += sum(p.nbytes for p in self._pending_ids) + sum(r.nbytes for r in self._pending_rows)
        return int(total)

    def _install_packed(self, ids: npt.NDArray[Any], rows: HashRows, packed: list[_PackedOrder]) -> None:
        super()._install(ids, rows, [])
        self._orders = [None] * CHUNKS  # `mih`'s uint32 orders are not kept
        self._packed = [None, *packed]
        # Bucket starts fit in 32 bits: half of `mih`'s int64 starts.
        self._starts = [s.astype(np.uint32) for s in self._starts]

    def _probe(self, queries: HashRows, d_max: int) -> tuple[Any, Any, Any]:
        masks = _probe_masks(d_max // CHUNKS)
        q_chunks = queries.view(np.uint16).reshape(-1, CHUNKS).astype(np.int64)
        n_q = q_chunks.shape[0]
        owner = np.repeat(np.arange(n_q, dtype=np.int64), masks.size)
        cand_rows, cand_q = [], []
        for t in range(CHUNKS):
            keys = (q_chunks[:, t][:, None] ^ masks[None, :]).reshape(-1)
            starts = self._starts[t]
            lo, hi = starts[keys].astype(np.int64), starts[keys + 1].astype(np.int64)
            positions = _expand(lo, hi)
            if positions.size == 0:
                continue
            packed = self._packed[t]
            cand_rows.append(positions if packed is None else packed.take(positions))
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
        key = qidx * np.int64(self._rows.shape[0]) + rows
        _, first = np.unique(key, return_index=True)
        return qidx[first].astype(np.int32), self._ids[rows[first]].astype(np.int64), dist[first]
