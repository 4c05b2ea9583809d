"""The web app's analysis pool on each engine: the same cases, the same verdicts, the wall time per case.

The web pool runs on the batch engine contract (`web/pool.py`): this benchmark queues the N smallest
corpus videos labelled ai or real as upload cases in a fresh case store, lets the pool analyse them with
every default signal, and prints, per engine and worker count, the wall time and the verdicts, then
whether each run gave the verdicts of the first one and its speed ratio against it.

    python -m bench.bench_web_engine --clips 12 local:1 local:2 ray:2

Wall time on a shared machine varies by tens of per cent: run the engines in one call and read ratios.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from pathlib import Path

from tests.web_support import make_settings

from vidsleuth.web.cases_store import CaseStore
from vidsleuth.web.pool import AnalysisPool

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("VIDSLEUTH_CORPUS", ROOT.parent / "shared" / "corpus"))
START_TIMEOUT_S = 120.0


def clips(count: int) -> list[Path]:
    """The `count` smallest .mp4 files of the corpus labelled ai or real (deterministic)."""
    with (CORPUS / "labels.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    found = [CORPUS / r[0] for r in rows if r and r[0].endswith(".mp4") and r[1] in ("ai", "real")]
    return sorted((p for p in found if p.is_file()), key=lambda p: (p.stat().st_size, p.name))[:count]


def run(engine: str, workers: int, videos: list[Path]) -> tuple[float, dict[str, tuple[str, str | None]]]:
    """(wall seconds from queueing to the last case ended, {name: (status, verdict)})."""
    with tempfile.TemporaryDirectory() as d:
        settings = make_settings(Path(d), engine=engine, workers=workers)
        settings.uploads_dir.mkdir(parents=True, exist_ok=True)
        store = CaseStore(settings.db_url)
        pool = AnalysisPool(store, settings)
        t0 = time.monotonic()
        pool.start()
        try:
            while pool.stats()["ready"] < workers and time.monotonic() - t0 < START_TIMEOUT_S:
                time.sleep(0.05)
            print(f"  {engine}:{workers} workers ready after {time.monotonic() - t0:.1f} s", flush=True)
            ids: dict[str, str] = {}
            t1 = time.monotonic()
            for p in videos:
                stored = f"{os.urandom(16).hex()}.upload"
                (settings.uploads_dir / stored).write_bytes(p.read_bytes())
                case = store.create_case(display_name=p.name, source_kind="upload", stored_name=stored)
                ids[p.name] = case.id
            pool.wake()
            while True:
                records = [store.get(i) for i in ids.values()]
                if all(r is not None and r.status in ("done", "failed") for r in records):
                    break
                time.sleep(0.1)
            wall = time.monotonic() - t1
            verdicts: dict[str, tuple[str, str | None]] = {}
            for name, case_id in ids.items():
                record = store.get(case_id)
                assert record is not None
                verdicts[name] = (record.status, record.verdict_label)
            return wall, verdicts
        finally:
            pool.stop()
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=12, help="how many corpus videos (smallest first)")
    parser.add_argument("runs", nargs="*", default=["local:1", "local:2", "ray:2"], help="ENGINE:WORKERS")
    args = parser.parse_args()
    videos = clips(args.clips)
    if not videos:
        raise SystemExit(f"no corpus videos under {CORPUS} (set VIDSLEUTH_CORPUS)")
    print(f"{len(videos)} clips, {sum(p.stat().st_size for p in videos) / 1e6:.1f} MB", flush=True)
    results: dict[str, tuple[float, dict[str, tuple[str, str | None]]]] = {}
    for spec in args.runs:
        engine, _, count = spec.partition(":")
        wall, verdicts = run(engine, int(count or 1), videos)
        failed = sum(status == "failed" for status, _ in verdicts.values())
        per_case = wall / len(videos)
        line = f"{spec}: {len(videos)} cases in {wall:.1f} s = {per_case:.2f} s/case; failed {failed}"
        print(line, flush=True)
        results[spec] = (wall, verdicts)
    first = next(iter(results))
    for spec, (wall, verdicts) in list(results.items())[1:]:
        same = verdicts == results[first][1]
        print(f"{spec}: same verdicts as {first}: {same}; speed vs {first}: {results[first][0] / wall:.2f}x")


if __name__ == "__main__":
    main()
