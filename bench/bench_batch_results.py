"""Benchmark: what reading a batch's results costs: export (CSV, JSON Lines, Parquet), the HTML index, and
sibling discovery.

Export and index: --rows synthetic rows (default 10,000) built from ONE real report (a generated 6 s clip
through `analyze` with the fingerprint signal, so its metrics carry real frame hashes, plus a watermark
detection with an @handle and a C2PA manifest as the signals write them); every row is that report under
another name, so the figures measure the writers, not a store. Printed: rows/s per format and the peak
RSS growth (the writers stream: the growth must not depend on --rows).

Siblings: --items synthetic reports (default 2,000) of --hashes PDQ frame hashes each (default 30), in
families of --family near-duplicates (each copy flips up to 8 bits of every hash: a re-encode's typical
distance) plus unrelated items; printed: seconds for `find_siblings`, clusters found vs planted, and the
pair comparisons per item (the index keeps them to candidates, not n²).

    .venv/bin/python bench/bench_batch_results.py
    .venv/bin/python bench/bench_batch_results.py --rows 50000 --items 5000
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests import batch_factory as bf  # noqa: E402
from tests import fingerprint_factory as ff  # noqa: E402

from vidsleuth.batch import siblings  # noqa: E402
from vidsleuth.batch.columns import default_signals  # noqa: E402
from vidsleuth.batch.export import export_rows  # noqa: E402
from vidsleuth.batch.index_html import write_index  # noqa: E402
from vidsleuth.batch.rows import BatchRow  # noqa: E402
from vidsleuth.core import Report, SignalResult  # noqa: E402
from vidsleuth.fingerprint.matching import compare  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_real_report(folder: Path) -> Report:
    video = ff.original(folder / "clip.mp4", seed=5, seconds=6.0)
    rep = bf.fingerprinted(video, creation_time="2025-03-01T10:00:00Z")
    extra = (bf.watermark(runner_up="@andrewdefe"), bf.provenance())
    return replace(rep, results=(*rep.results, *extra))


def export_bench(n: int, folder: Path) -> None:
    rep = one_real_report(folder)

    def rows() -> Any:
        for i in range(n):
            yield bf.row(f"uploads/2025-06-01/{i:07d}.mp4", i, rep)

    print(f"export: {n} rows from one real report ({len(rep.to_dict()['results'])} signals)")
    default_signals()  # warm-up: the registry's imports and pyarrow are not the writers' cost
    importlib.import_module("pyarrow.parquet")
    base = rss_mb()
    times = {}
    for fmt in ("csv", "jsonl", "parquet"):
        out = folder / f"results.{fmt}"
        t0 = time.perf_counter()
        written = export_rows(rows(), out, fmt)
        dt = time.perf_counter() - t0
        times[fmt] = dt
        print(
            f"  {fmt:8s} {written / dt:9.0f} rows/s  {dt:6.2f} s  {out.stat().st_size / 1e6:6.2f} MB  "
            f"peak RSS +{rss_mb() - base:5.1f} MB"
        )
    t0 = time.perf_counter()
    pages = write_index(rows(), folder / "index.html")
    dt = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in pages.pages) / 1e6
    grown = rss_mb() - base
    print(
        f"  {'index':8s} {pages.rows / dt:9.0f} rows/s  {dt:6.2f} s  {size:6.2f} MB  "
        f"peak RSS +{grown:5.1f} MB"
    )
    pq, js = times["parquet"] / times["csv"], times["jsonl"] / times["csv"]
    print(f"  time ratio parquet/csv {pq:.2f}, jsonl/csv {js:.2f}")


def fingerprint_report(name: str, hashes: np.ndarray, fps: float = 5.0) -> Report:
    rows = [
        {"t": round(k / fps, 3), "frame": k * 6, "q": 100, "hash": bytes(h).hex(), "v": 0}
        for k, h in enumerate(hashes)
    ]
    metrics = {
        "kind": "video",
        "sample_fps": fps,
        "duration_s": len(rows) / fps,
        "hashes": rows,
        "matches": [],
    }
    return bf.report([SignalResult.ok("fingerprint", "1.0", metrics=metrics)], name)


def siblings_bench(items: int, per: int, family: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    families = items // (2 * family)  # half the items are in families, half unrelated
    rows: list[BatchRow] = []
    for f in range(families):
        base = rng.integers(0, 256, (per, 32), dtype=np.uint8)
        for c in range(family):
            flips = np.zeros_like(base)
            if c:
                for k in range(per):
                    bits = rng.choice(256, size=int(rng.integers(0, 9)), replace=False)
                    for b in bits:
                        flips[k, b // 8] |= np.uint8(1 << (b % 8))
            rows.append(bf.row(f"fam{f}-{c}.mp4", len(rows), fingerprint_report(f"fam{f}-{c}", base ^ flips)))
    while len(rows) < items:
        h = rng.integers(0, 256, (per, 32), dtype=np.uint8)
        rows.append(bf.row(f"solo{len(rows)}.mp4", len(rows), fingerprint_report(f"solo{len(rows)}", h)))
    calls = 0

    def counting(query: Any, item: Any, rules: Any = None) -> Any:
        nonlocal calls
        calls += 1
        return compare(query, item, rules)

    vars(siblings)["compare"] = counting  # count the pair comparisons
    t0 = time.perf_counter()
    groups = siblings.find_siblings(rows)
    dt = time.perf_counter() - t0
    clusters = [g for g in groups if g.kind == "fingerprint"]
    exact = sum(1 for g in clusters if len(g.members) == family)
    print(f"siblings: {items} items x {per} hashes, {families} planted families of {family}")
    print(
        f"  find_siblings {dt:6.2f} s ({1000 * dt / items:.2f} ms/item), {len(clusters)} clusters "
        f"({exact} exactly a planted family), {calls} comparisons = {calls / items:.2f} per item "
        f"(all pairs would be {items * (items - 1) // 2})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--items", type=int, default=2_000)
    ap.add_argument("--hashes", type=int, default=30)
    ap.add_argument("--family", type=int, default=4)
    args = ap.parse_args()
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load {load:.1f}, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as d:
        export_bench(args.rows, Path(d))
    siblings_bench(args.items, args.hashes, args.family)


if __name__ == "__main__":
    main()
