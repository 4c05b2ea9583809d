"""Benchmark: the CPU the `synthesis` signal adds, against the bare threaded decode (issue #14: <= +35 %).

Uses `make bench`'s 60 s 1920x1080 30 fps clip (bench/.cache, made by bench/bench_check.py) and its
timing helpers. Prints CPU seconds (this process and its threads, less sensitive to a busy machine than
wall time) of:
  * the bare PyAV threaded decode (the baseline), before and after the rest;
  * `analyze()` with `shots` alone, and with `shots` + `synthesis` (what synthesis adds on top of a
    signal that already pays for the shared decode), for each `--windows` setting;
  * synthesis's own work as the pipeline reports it (`cpu_s`).

    .venv/bin/python bench/bench_synthesis.py [--repeat 3] [--windows 6,4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_check import decode_baseline, make_video, mark_video, timed  # noqa: E402
from vidsleuth.core.settings import Settings  # noqa: E402
from vidsleuth.pipeline import analyze, default_registry  # noqa: E402


def _with_synthesis(path: Path, windows: int, repeat: int, registry: Any) -> tuple[float, float]:
    """Median CPU seconds of `analyze()` with shots + synthesis, and synthesis's own median cpu_s."""
    reports: list[Any] = []
    settings = Settings(
        only=("shots", "synthesis"), options={"synthesis": {"max_windows": windows}}, thumbnails=False
    )

    def run() -> None:
        reports.append(analyze(path, settings, registry=registry))

    _, cpu = timed(run, repeat)
    own = statistics.median(float(r.result("synthesis").cpu_s or 0.0) for r in reports)
    return cpu, own


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--windows", default="6", help="synthesis.max_windows values to time, comma-separated"
    )
    parser.add_argument("--file", type=Path, help="benchmark this file instead of the generated one")
    args = parser.parse_args()
    path = args.file or mark_video(make_video(60, ROOT / "bench" / ".cache"), 60)
    registry = default_registry()

    base = timed(lambda: decode_baseline(path), args.repeat)
    shots = timed(lambda: analyze(path, Settings(only=("shots",)), registry=registry), args.repeat)
    rows: list[tuple[str, float, float | None]] = [("shots only", shots[1], None)]
    for windows in [int(w) for w in args.windows.split(",") if w.strip()]:
        with_cpu, with_own = _with_synthesis(path, windows, args.repeat, registry)
        rows.append((f"shots + synthesis ({windows} windows)", with_cpu, with_own))
    again = timed(lambda: decode_baseline(path), args.repeat)
    cpu_base = (base[1] + again[1]) / 2

    print(f"\nfile: {path.name}, median of {args.repeat} run(s); CPU seconds")
    print(
        f"{'bare PyAV threaded decode (baseline)':<40} {cpu_base:7.2f}  (runs: {base[1]:.2f}, {again[1]:.2f})"
    )
    for label, cpu, own in rows:
        line = f"{label:<40} {cpu:7.2f}  {cpu / cpu_base:5.2f}x base"
        if own is not None:
            added = cpu - shots[1]
            line += f"   synthesis adds {added:.2f} s = {added / cpu_base:+.1%} (own work {own:.2f} s)"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
