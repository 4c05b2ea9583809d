"""The hash index contract over FAISS's exhaustive binary index (IndexBinaryFlat), for comparison.

FAISS is optional (`pip install 'vidsleuth[faiss]'`) and imported only when this index is created. It
serves the benchmark (bench/bench_index.py) and the contract test; vidsleuth's own fast index is
`MultiIndexHashIndex`. FAISS's binary range search returns distances strictly below its radius, so a
query for d asks FAISS for d + 1.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from vidsleuth.errors import SignalUnavailableError
from vidsleuth.fingerprint.bits import HASH_BITS, HASH_BYTES, HashRows, as_rows
from vidsleuth.fingerprint.index import HashIndex, IdArray, QueryHits, check_batch, check_distance

EXTRA = "vidsleuth[faiss]"


def faiss_module() -> Any:
    try:
        import faiss
    except ImportError:
        raise SignalUnavailableError(f"the FAISS index needs faiss-cpu: pip install '{EXTRA}'") from None
    return faiss


def faiss_available() -> bool:
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


class FaissFlatIndex(HashIndex):
    """FAISS IndexBinaryFlat behind an id map: an exhaustive scan in optimised C++."""

    KIND: ClassVar[str] = "faiss-flat"

    def __init__(self) -> None:
        faiss = faiss_module()
        self._faiss = faiss
        self._index = faiss.IndexBinaryIDMap2(faiss.IndexBinaryFlat(HASH_BITS))

    def add(self, ids: npt.ArrayLike, hashes: HashRows | npt.ArrayLike) -> None:
        id_arr, rows = check_batch(ids, hashes)
        if not id_arr.size:
            return
        existing = self._ids()
        if existing.size and np.isin(id_arr, existing).any():
            raise ValueError(f"ids already in the index: {id_arr[np.isin(id_arr, existing)][:5].tolist()}")
        self._index.add_with_ids(rows, id_arr)

    def remove(self, ids: npt.ArrayLike) -> int:
        gone = np.asarray(ids, dtype=np.int64)
        if not gone.size or not self._index.ntotal:
            return 0
        return int(self._index.remove_ids(self._faiss.IDSelectorBatch(gone)))

    def build(self) -> None:
        """An exhaustive index has nothing to build."""

    def query(self, hashes: HashRows | npt.ArrayLike, max_distance: int) -> QueryHits:
        d_max = check_distance(max_distance)
        queries = as_rows(hashes)
        if not queries.shape[0] or not self._index.ntotal:
            return QueryHits.empty()
        lims, dist, labels = self._index.range_search(queries, d_max + 1)
        owner = np.repeat(np.arange(queries.shape[0], dtype=np.int32), np.diff(lims).astype(np.int64))
        return QueryHits.from_unsorted(owner, labels, dist)

    def _ids(self) -> IdArray:
        ids: IdArray = self._faiss.vector_to_array(self._index.id_map).astype(np.int64)
        return ids

    def contents(self) -> tuple[IdArray, HashRows]:
        ids = self._ids()
        flat = self._faiss.downcast_IndexBinary(self._index.index)
        codes = self._faiss.vector_to_array(flat.xb).astype(np.uint8)
        rows = codes.reshape(-1, HASH_BYTES)
        order = np.argsort(ids, kind="stable")
        return ids[order], rows[order]

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def nbytes(self) -> int:
        return int(self._index.ntotal) * (HASH_BYTES + 8)
