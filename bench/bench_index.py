"""Benchmark: vidsleuth's PDQ hash index (multi-index hashing) against FAISS's IndexBinaryFlat.

For each bank size (default 1 M and 10 M random PDQ hashes) it builds both indexes in the same process
and times range queries at distance <= 31 (PDQ's match threshold):
  * one frame hash: p50 / p99 over --queries single-hash queries;
  * a 60 s video: --video-frames hashes in one batch (300 = 60 s at the query rate of 5 fps), p50 / p99
    over --videos batches.
Every query hash has planted neighbours at distances 0..31 in the bank; recall is the share of them
found (it must be 100 %: both indexes are exact), and the two indexes' answers are compared in full.
Memory is the index's own arrays (MIH: hashes, ids and 15 tables; FAISS: its codes) and the process's
resident-set growth while building. Run:

    .venv/bin/python bench/bench_index.py                  # 1 M and 10 M
    .venv/bin/python bench/bench_index.py --sizes 1000000  # quicker
FAISS is optional (pip install 'vidsleuth[faiss]'); without it only vidsleuth's index is timed.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from vidsleuth.fingerprint.faiss_index import faiss_available  # noqa: E402
from vidsleuth.fingerprint.mih import MultiIndexHashIndex  # noqa: E402

DISTANCE = 31
PLANTED = (0, 4, 8, 16, 24, 28, 31)


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
    """n random hashes, with each query's planted neighbours written over random rows."""
    rows = np.empty((n, 32), np.uint8)
    for start in range(0, n, 1 << 20):
        stop = min(n, start + (1 << 20))
        rows[start:stop] = rng.integers(0, 256, (stop - start, 32), dtype=np.uint8)
    planted = np.concatenate([flip(queries, d, rng) for d in PLANTED])
    rows[rng.choice(n, size=planted.shape[0], replace=False)] = planted
    return rows


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def hits_of(result: Any) -> set[tuple[int, int]]:
    return set(zip(result.query.tolist(), result.ids.tolist(), strict=True))


def bench_size(n: int, args: argparse.Namespace, rng: np.random.Generator) -> list[dict[str, Any]]:
    queries = rng.integers(0, 256, (args.queries, 32), dtype=np.uint8)
    video = np.concatenate(
        [queries, rng.integers(0, 256, (max(0, args.video_frames - args.queries), 32), dtype=np.uint8)]
    )[: args.video_frames]
    rows = make_bank(n, queries, rng)
    ids = np.arange(n, dtype=np.int64)
    out = []

    gc.collect()
    before = rss_mb()
    t0 = time.perf_counter()
    mih = MultiIndexHashIndex()
    mih.add(ids, rows)
    mih.build()
    build_s = time.perf_counter() - t0
    mih_rss = rss_mb() - before
    single = []
    found: set[tuple[int, int]] = set()
    for k in range(args.queries):
        t = time.perf_counter()
        res = mih.query(queries[k : k + 1], DISTANCE)
        single.append(time.perf_counter() - t)
        found |= {(k, i) for _, i in zip(res.query.tolist(), res.ids.tolist(), strict=True)}
    batches = []
    for _ in range(args.videos):
        t = time.perf_counter()
        video_hits = mih.query(video, DISTANCE)
        batches.append(time.perf_counter() - t)
    expected = len(PLANTED) * args.queries
    planted_found = sum(1 for _ in found)  # random neighbours within 31 bits are astronomically rare
    out.append(
        {
            "index": "vidsleuth MIH (16 x 16-bit)",
            "n": n,
            "build_s": build_s,
            "single": percentiles(single),
            "video": percentiles(batches),
            "recall": planted_found / expected,
            "index_mb": mih.nbytes() / 1e6,
            "rss_mb": mih_rss,
        }
    )
    if faiss_available() and not args.no_faiss:
        import faiss

        gc.collect()
        before = rss_mb()
        t0 = time.perf_counter()
        flat = faiss.IndexBinaryFlat(256)
        flat.add(rows)
        faiss_build = time.perf_counter() - t0
        faiss_rss = rss_mb() - before
        single = []
        same = True
        for k in range(args.queries):
            t = time.perf_counter()
            lims, _dist, labels = flat.range_search(queries[k : k + 1], DISTANCE + 1)
            single.append(time.perf_counter() - t)
            same &= set(labels.tolist()) == {i for (q, i) in found if q == k}
        batches = []
        for _ in range(args.videos):
            t = time.perf_counter()
            lims, _dist, labels = flat.range_search(video, DISTANCE + 1)
            batches.append(time.perf_counter() - t)
        owner = np.repeat(np.arange(video.shape[0]), np.diff(lims).astype(np.int64))
        same &= set(zip(owner.tolist(), labels.tolist(), strict=True)) == hits_of(video_hits)
        out.append(
            {
                "index": f"FAISS IndexBinaryFlat ({faiss.omp_get_max_threads()} threads)",
                "n": n,
                "build_s": faiss_build,
                "single": percentiles(single),
                "video": percentiles(batches),
                "recall": 1.0 if same else float("nan"),
                "index_mb": n * 32 / 1e6,
                "rss_mb": faiss_rss,
                "same_as_mih": same,
            }
        )
        del flat
    del mih, rows
    gc.collect()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--queries", type=int, default=200, help="single-hash queries per size")
    parser.add_argument("--video-frames", type=int, default=300, help="hashes in one video query")
    parser.add_argument("--videos", type=int, default=5, help="video queries per size")
    parser.add_argument("--no-faiss", action="store_true", help="time vidsleuth's index only")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    header = (
        f"{'index':<34} {'hashes':>11} {'build s':>8} {'1 hash p50/p99 ms':>19} "
        f"{'60 s video p50/p99 ms':>23} {'recall':>7} {'index MB':>9} {'RSS +MB':>8}"
    )
    print(f"range queries at PDQ distance <= {DISTANCE}; planted neighbours at {PLANTED}")
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        for row in bench_size(n, args, rng):
            s50, s99 = (1000 * x for x in row["single"])
            v50, v99 = (1000 * x for x in row["video"])
            note = "" if row.get("same_as_mih", True) else "  (RESULTS DIFFER FROM MIH)"
            print(
                f"{row['index']:<34} {row['n']:>11,} {row['build_s']:>8.1f} {s50:>9.2f}/{s99:<9.2f} "
                f"{v50:>11.1f}/{v99:<11.1f} {row['recall']:>7.1%} {row['index_mb']:>9.0f} "
                f"{row['rss_mb']:>8.0f}{note}",
                flush=True,
            )


if __name__ == "__main__":
    main()
