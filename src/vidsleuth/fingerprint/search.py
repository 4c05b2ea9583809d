"""Search a bank of fingerprints: index every banked frame hash, then compare candidates in full.

This is vPDQ's "pruning candidates" scheme: each good-quality frame of the query is looked up in a hash
index at distance <= 31; every banked item owning a hit becomes a candidate; each candidate is then
compared with the whole query (`matching.compare`), which applies the vPDQ rule and aligns the frames in
time. The index makes the search sub-linear in the bank's size; the comparison makes it explainable.

The bank's contents arrive as a `BankSnapshot` (plain arrays), so this module does not know where the
bank is stored (see vidsleuth.bank). Given an `IndexCache` (the bank's `index_cache()`), a searcher
loads the built index from disk when the bank has not changed since it was written, and writes it after
a build otherwise (vidsleuth.fingerprint.index_cache). Which index it builds (one compact index, or
shards searched in parallel) is an `IndexChoice` (vidsleuth.fingerprint.index_choice).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from vidsleuth.core.evidence import Strength
from vidsleuth.fingerprint.bits import HashRows, as_rows
from vidsleuth.fingerprint.index import HashIndex
from vidsleuth.fingerprint.index_cache import IndexCache, IndexKey
from vidsleuth.fingerprint.index_choice import IndexChoice, IndexPlan
from vidsleuth.fingerprint.matching import MatchResult, MatchRules, compare
from vidsleuth.fingerprint.video import FrameHash, Kind, VideoFingerprint


@dataclass(frozen=True, slots=True)
class BankItemInfo:
    """What the bank says about one item: shown with every match."""

    id: int
    kind: Kind
    label: str | None = None
    source_url: str | None = None
    note: str | None = None
    file_name: str | None = None
    duration_s: float | None = None
    sample_fps: float | None = None
    frame_count: int = 0
    added_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.id,
            "kind": self.kind,
            "label": self.label,
            "source_url": self.source_url,
            "note": self.note,
            "file_name": self.file_name,
            "duration_s": None if self.duration_s is None else round(self.duration_s, 3),
            "frame_count": self.frame_count,
            "added_at": self.added_at,
        }


@dataclass(frozen=True, slots=True)
class BankSnapshot:
    """Every banked frame as parallel arrays, grouped by item and in time order within an item."""

    items: Mapping[int, BankItemInfo]
    item_ids: npt.NDArray[np.int64]
    times: npt.NDArray[np.float64]  # NaN for still images
    qualities: npt.NDArray[np.int16]
    frame_numbers: npt.NDArray[np.int64]  # -1 when unknown
    hashes: HashRows
    revision: int = 0

    def __post_init__(self) -> None:
        n = self.item_ids.size
        if not (
            self.times.size == self.qualities.size == self.frame_numbers.size == self.hashes.shape[0] == n
        ):
            raise ValueError("bank snapshot arrays differ in length")

    @property
    def frame_count(self) -> int:
        return int(self.item_ids.size)

    def fingerprint(self, item_id: int) -> VideoFingerprint:
        """One item's fingerprint, rebuilt from the arrays."""
        info = self.items[item_id]
        lo = int(np.searchsorted(self.item_ids, item_id, "left"))
        hi = int(np.searchsorted(self.item_ids, item_id, "right"))
        frames = tuple(
            FrameHash(
                bytes(self.hashes[k]),
                int(self.qualities[k]),
                None if np.isnan(self.times[k]) else float(self.times[k]),
                None if self.frame_numbers[k] < 0 else int(self.frame_numbers[k]),
            )
            for k in range(lo, hi)
        )
        return VideoFingerprint(frames, info.kind, info.duration_s, info.sample_fps)

    @classmethod
    def empty(cls) -> BankSnapshot:
        return cls(
            {},
            np.zeros(0, np.int64),
            np.zeros(0, np.float64),
            np.zeros(0, np.int16),
            np.zeros(0, np.int64),
            np.zeros((0, 32), np.uint8),
        )


@dataclass(frozen=True, slots=True)
class BankMatch:
    item: BankItemInfo
    result: MatchResult

    @property
    def strength(self) -> float:
        return self.result.strength

    def to_dict(self) -> dict[str, Any]:
        out = self.item.to_dict()
        out.update(self.result.to_dict())
        out["strength_name"] = Strength.name_of(self.result.strength)
        return out


IndexFactory = Callable[[], HashIndex]


def usable_rows(snapshot: BankSnapshot, quality: int) -> npt.NDArray[np.int64]:
    """The snapshot rows an index holds: frames of at least `quality`."""
    return np.nonzero(snapshot.qualities >= quality)[0].astype(np.int64)


def build_index(snapshot: BankSnapshot, quality: int, index_factory: IndexFactory) -> HashIndex:
    """A fresh index over the usable frames; its ids are the snapshot's row numbers."""
    index = index_factory()
    usable = usable_rows(snapshot, quality)
    index.add(usable, snapshot.hashes[usable])
    index.build()
    return index


class BankSearcher:
    """An index over one snapshot. Build once (or load it from `cache`), search many times.

    The index is `choice`'s (vidsleuth.fingerprint.index_choice; default: one compact index), or one
    `index_factory` makes (cached only when the factory is an index class), or `index` itself."""

    def __init__(
        self,
        snapshot: BankSnapshot,
        rules: MatchRules | None = None,
        index_factory: IndexFactory | None = None,
        index: HashIndex | None = None,
        cache: IndexCache | None = None,
        choice: IndexChoice | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.rules = rules or MatchRules()
        self.choice = choice or IndexChoice()
        self.from_cache = False
        if index is None:
            usable = usable_rows(snapshot, self.rules.quality)
            plan = self._plan(index_factory, usable)
            if cache is not None and plan.load is not None and snapshot.frame_count:
                index = cache.load(plan.load, self._key(plan.kind), usable, snapshot.hashes)
                self.from_cache = index is not None
            if index is None:
                index = build_index(snapshot, self.rules.quality, plan.make)
                if cache is not None and plan.load is not None and snapshot.frame_count:
                    cache.store(index, self._key(plan.kind))
        self.index = index

    def _plan(self, index_factory: IndexFactory | None, usable: npt.NDArray[np.int64]) -> IndexPlan:
        if index_factory is None:
            return self.choice.plan(usable)
        if not isinstance(index_factory, type):
            return IndexPlan("", index_factory)  # a factory function's index is not cached
        cls = cast(type[HashIndex], index_factory)
        return IndexPlan(cls.KIND, cls, cls.from_built_arrays)

    def _key(self, kind: str) -> IndexKey:
        return IndexKey(self.snapshot.revision, kind, self.snapshot.frame_count, self.rules.quality)

    def close(self) -> None:
        """Stop a sharded index's threads or Ray actors (the searcher is unusable afterwards)."""
        closer = getattr(self.index, "close", None)
        if callable(closer):
            closer()

    def candidates(self, query: VideoFingerprint) -> list[int]:
        """Items with at least one frame within the match distance of a usable query frame."""
        rows = as_rows([f.hash for f in query.usable(self.rules.quality)])
        if not rows.shape[0] or not len(self.index):
            return []
        hits = self.index.query(rows, self.rules.distance)
        owners = self.snapshot.item_ids[hits.ids]
        return [int(i) for i in np.unique(owners)]

    def search(self, query: VideoFingerprint, *, include_non_matches: bool = False) -> list[BankMatch]:
        """Matching items, strongest first (then by aligned frames)."""
        out = []
        for item_id in self.candidates(query):
            result = compare(query, self.snapshot.fingerprint(item_id), self.rules)
            if result.is_match or include_non_matches:
                out.append(BankMatch(self.snapshot.items[item_id], result))
        out.sort(key=lambda m: (-m.result.strength, -m.result.matched_query_frames, m.item.id))
        return out
