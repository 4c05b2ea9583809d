"""Benchmark: the compact and sharded PDQ hash indexes, and what a 100 M-hash bank would cost.

For each size (default 1 M and 10 M random PDQ hashes, with planted neighbours at distances 0..31 of
every query hash) it builds `MultiIndexHashIndex` (the current index) and `CompactMIHIndex` and times a
60 s video's range query at distance <= 31 (--video-frames hashes in one batch, p50 / max over --videos
batches). Recall is checked against brute force (a full popcount scan) for --check query hashes and must
be 100 %; the planted neighbours must all be found. Then the same hashes go into a `ShardedIndex` of
--shards shards on --workers threads, to measure what querying shards in parallel gains on this machine.

The 100 M figures are extrapolated from the measured 10 M shard, not measured: memory is bytes per hash x
100 M; a cluster with one core per 10 M shard answers in about one shard's time (plus the fan-out, which
the threads measure locally); on these 2 cores, ten shards take ten shard-times divided by the measured
parallel speed-up. Run:

    .venv/bin/python bench/bench_sharded_index.py                  # 1 M and 10 M (about 5 GB peak)
    .venv/bin/python bench/bench_sharded_index.py --sizes 1000000  # quicker
    .venv/bin/python bench/bench_sharded_index.py --searcher 2000000  # the bank's search path

`--searcher N` measures the bank's search path instead: a `BankSearcher` over an N-hash snapshot with an
on-disk index cache, for one index and for --shards shards on threads: the first search (build + cache
write), the next one (cache load), the 60 s video's query, and that every layout gives the same hits.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from vidsleuth.fingerprint.bits import as_words  # noqa: E402
from vidsleuth.fingerprint.compact_index import CompactMIHIndex  # noqa: E402
from vidsleuth.fingerprint.index import HashIndex, QueryHits  # noqa: E402
from vidsleuth.fingerprint.mih import MultiIndexHashIndex  # noqa: E402
from vidsleuth.fingerprint.sharded import ShardedIndex  # noqa: E402

DISTANCE = 31
PLANTED = (0, 4, 8, 16, 24, 28, 31)  # as bench/bench_index.py
TARGET_BYTES_PER_HASH = 50  # 0.5 GB per 10 M
TARGET_VIDEO_S = 0.3


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def flip(rows: npt.NDArray[np.uint8], bits: int, rng: np.random.Generator) -> npt.NDArray[np.uint8]:
    unpacked = np.unpackbits(rows, axis=1)
    for r in range(unpacked.shape[0]):
        unpacked[r, rng.choice(256, size=bits, replace=False)] ^= 1
    return np.packbits(unpacked, axis=1)


def make_bank(n: int, queries: npt.NDArray[np.uint8], rng: np.random.Generator) -> npt.NDArray[np.uint8]:
    """n random hashes, with each query's planted neighbours written over random rows (as bench_index)."""
    rows = np.empty((n, 32), np.uint8)
    for start in range(0, n, 1 << 20):
        stop = min(n, start + (1 << 20))
        rows[start:stop] = rng.integers(0, 256, (stop - start, 32), dtype=np.uint8)
    planted = np.concatenate([flip(queries, d, rng) for d in PLANTED])
    rows[rng.choice(n, size=planted.shape[0], replace=False)] = planted
    return rows


def brute_force(rows: npt.NDArray[np.uint8], queries: npt.NDArray[np.uint8]) -> set[tuple[int, int]]:
    """(query, id) within DISTANCE, by a full scan in blocks (ids are row numbers)."""
    words, q_words = as_words(rows), as_words(queries)
    out: set[tuple[int, int]] = set()
    block = 1 << 21
    for start in range(0, words.shape[0], block):
        part = words[start : start + block]
        for q in range(q_words.shape[0]):
            d = np.bitwise_count(part ^ q_words[q]).sum(axis=1, dtype=np.int32)
            out |= {(q, start + int(i)) for i in np.nonzero(d <= DISTANCE)[0]}
    return out


def pairs(hits: QueryHits, limit: int) -> set[tuple[int, int]]:
    keep = hits.query < limit
    return set(zip(hits.query[keep].tolist(), hits.ids[keep].tolist(), strict=True))


def time_video(index: HashIndex, video: npt.NDArray[np.uint8], runs: int) -> tuple[float, float, QueryHits]:
    times, hits = [], QueryHits.empty()
    for _ in range(runs):
        t = time.perf_counter()
        hits = index.query(video, DISTANCE)
        times.append(time.perf_counter() - t)
    return float(np.median(times)), max(times), hits


def bench_one(
    name: str, index: HashIndex, ids: Any, rows: Any, video: Any, args: Any, truth: Any
) -> dict[str, Any]:
    gc.collect()
    before = rss_mb()
    t0 = time.perf_counter()
    index.add(ids, rows)
    index.build()
    build_s = time.perf_counter() - t0
    grown = rss_mb() - before
    p50, worst, hits = time_video(index, video, args.videos)
    found = pairs(hits, args.check)
    return {
        "index": name,
        "n": rows.shape[0],
        "build_s": build_s,
        "p50": p50,
        "max": worst,
        "recall": len(found & truth) / max(1, len(truth)),
        "exact": found == truth,
        "bytes_per_hash": index.nbytes() / rows.shape[0],
        "rss_mb": grown,
    }


def show(row: dict[str, Any]) -> None:
    print(
        f"{row['index']:<36} {row['n']:>11,} {row['build_s']:>8.1f} {1000 * row['p50']:>9.1f} "
        f"{1000 * row['max']:>9.1f} {row['recall']:>7.1%} {'yes' if row['exact'] else 'NO':>6} "
        f"{row['bytes_per_hash']:>8.1f} {row['bytes_per_hash'] * 1e7 / 1e9:>9.2f} {row['rss_mb']:>8.0f}",
        flush=True,
    )


def searcher_bench(n: int, args: Any) -> None:
    """`BankSearcher` through the index cache: one index and `args.shards` shards (see the docstring)."""
    import tempfile

    from vidsleuth.fingerprint.index_cache import IndexCache
    from vidsleuth.fingerprint.index_choice import IndexChoice
    from vidsleuth.fingerprint.search import BankItemInfo, BankSearcher, BankSnapshot

    rng = np.random.default_rng(args.seed)
    queries = rng.integers(0, 256, (args.video_frames, 32), dtype=np.uint8)
    rows = make_bank(n, queries[: args.check], rng)
    per_item = 1000
    item_ids = np.arange(n, dtype=np.int64) // per_item
    items = {int(i): BankItemInfo(int(i), "video", frame_count=per_item) for i in np.unique(item_ids)}
    snapshot = BankSnapshot(
        items,
        item_ids,
        np.arange(n, dtype=np.float64) % per_item / 5,
        np.full(n, 90, np.int16),
        np.arange(n, dtype=np.int64) % per_item,
        rows,
        revision=1,
    )
    cores = os.cpu_count()
    print(f"bank search path over {n:,} hashes, one 60 s video of {args.video_frames} hashes; {cores} cores")
    print(f"{'layout':<24} {'build+write s':>13} {'cache load s':>12} {'video p50 ms':>12} {'same hits':>9}")
    reference: QueryHits | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for choice in (IndexChoice(0), IndexChoice(args.shards)):
            cache = IndexCache(Path(tmp), f"bench-{choice.shards}")
            gc.collect()
            t = time.perf_counter()
            first = BankSearcher(snapshot, cache=cache, choice=choice)
            built = time.perf_counter() - t
            first.close()
            del first
            gc.collect()
            t = time.perf_counter()
            again = BankSearcher(snapshot, cache=cache, choice=choice)
            loaded = time.perf_counter() - t
            assert again.from_cache, "the second searcher did not load the cache"
            p50, _, hits = time_video(again.index, queries, args.videos)
            reference = hits if reference is None else reference
            print(
                f"{choice.describe():<24} {built:>13.1f} {loaded:>12.1f} {1000 * p50:>12.1f} "
                f"{'yes' if hits.same_as(reference) else 'NO':>9}",
                flush=True,
            )
            again.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--video-frames", type=int, default=120, help="hashes in one 60 s video query")
    parser.add_argument("--videos", type=int, default=5, help="video queries per index")
    parser.add_argument("--check", type=int, default=24, help="query hashes checked against brute force")
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--no-mih", action="store_true", help="skip the current index (saves ~1 GB at 10 M)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--searcher", type=int, default=0, help="measure the bank's search path at N hashes")
    args = parser.parse_args()
    if args.searcher:
        searcher_bench(args.searcher, args)
        return
    rng = np.random.default_rng(args.seed)
    print(
        f"range queries at PDQ distance <= {DISTANCE}; planted neighbours at {PLANTED}; "
        f"{os.cpu_count()} cores"
    )
    print(
        f"{'index':<36} {'hashes':>11} {'build s':>8} {'video p50':>9} {'max ms':>9} {'recall':>7} "
        f"{'exact':>6} {'B/hash':>8} {'GB/10M':>9} {'RSS +MB':>8}"
    )
    measured: dict[int, dict[str, dict[str, Any]]] = {}
    for n in args.sizes:
        queries = rng.integers(0, 256, (args.check, 32), dtype=np.uint8)
        extra = rng.integers(0, 256, (max(0, args.video_frames - args.check), 32), dtype=np.uint8)
        video = np.concatenate([queries, extra])[: args.video_frames]
        rows = make_bank(n, queries, rng)
        ids = np.arange(n, dtype=np.int64)
        t = time.perf_counter()
        truth = brute_force(rows, queries)
        print(
            f"  brute force over {n:,} for {args.check} hashes: {time.perf_counter() - t:.1f} s, "
            f"{len(truth)} hits"
        )
        assert len(truth) >= len(PLANTED) * args.check, "planted neighbours missing from the truth"
        results: dict[str, dict[str, Any]] = {}
        candidates: list[tuple[str, Any]] = []
        if not args.no_mih:
            candidates.append(("MIH (current)", MultiIndexHashIndex))
        candidates += [
            ("compact MIH (1 shard)", CompactMIHIndex),
            (
                f"sharded {args.shards} x compact, {args.workers} thr",
                lambda: ShardedIndex(args.shards, workers=args.workers),
            ),
            (f"sharded {args.shards} x compact, 1 thr", lambda: ShardedIndex(args.shards, workers=1)),
        ]
        for name, factory in candidates:
            index = factory()
            row = bench_one(name, index, ids, rows, video, args, truth)
            show(row)
            results[name] = row
            if isinstance(index, ShardedIndex):
                index.close()
            del index
            gc.collect()
        measured[n] = results
        del rows
        gc.collect()
    largest = max(measured)
    res = measured[largest]
    compact = res["compact MIH (1 shard)"]
    par = res[f"sharded {args.shards} x compact, {args.workers} thr"]
    seq = res[f"sharded {args.shards} x compact, 1 thr"]
    speedup = seq["p50"] / par["p50"]
    shards_100m = -(-100_000_000 // largest)
    print()
    print(
        f"extrapolation to 100 M hashes from the measured {largest:,}-hash shard (estimates, not measured):"
    )
    met = "met" if compact["bytes_per_hash"] <= TARGET_BYTES_PER_HASH else "NOT met"
    print(
        f"  memory: {compact['bytes_per_hash']:.1f} B/hash -> {compact['bytes_per_hash'] * 1e8 / 1e9:.1f} GB "
        f"({shards_100m} shards of {compact['bytes_per_hash'] * largest / 1e9:.2f} GB); target "
        f"{TARGET_BYTES_PER_HASH} B/hash -> {met}"
    )
    print(f"  build: {compact['build_s']:.0f} s per shard, shards build in parallel (one core each)")
    print(
        f"  one 60 s video ({args.video_frames} hashes): one core per shard -> about {compact['p50']:.2f} s "
        f"(one shard's time) + fan-out; on 2 cores -> {shards_100m} x {compact['p50']:.2f} s / "
        f"{speedup:.2f} (measured thread speed-up) = {shards_100m * compact['p50'] / speedup:.1f} s; target "
        f"{TARGET_VIDEO_S} s -> {'met' if compact['p50'] <= TARGET_VIDEO_S else 'NOT met'} per shard"
    )


if __name__ == "__main__":
    main()
