"""Benchmark: what the `motion` signal adds to `check` on a 60 s 1080p clip (target: at most +25 %).

Times `analyze()` with the built-in signals, with and without `motion`, alternating the two so that both
see the same machine load, and reports the median wall time and the median CPU time (all threads) of
each, and the ratios. The clip is bench/.cache/bench_60s_1080p30.mp4 (made by bench_check.py with the
test media factory when absent). On a shared machine wall times swing with other people's jobs: repeat,
and read the CPU ratio too.

    .venv/bin/python bench/bench_motion.py --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_check import make_video  # noqa: E402
from vidsleuth.core.settings import Settings  # noqa: E402
from vidsleuth.pipeline import analyze  # noqa: E402
from vidsleuth.registry import SignalRegistry  # noqa: E402
from vidsleuth.signals import builtin_signals  # noqa: E402
from vidsleuth.signals.motion import MotionSignal  # noqa: E402


def once(path: Path, registry: SignalRegistry) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    analyze(path, Settings(), registry=registry)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache")
    parser.add_argument("--file", type=Path, help="benchmark this file instead of the generated one")
    args = parser.parse_args()
    path = args.file or make_video(args.seconds, args.cache)
    base = [c for c in builtin_signals() if c.NAME != MotionSignal.NAME]
    registries = {
        "without motion": SignalRegistry(base),
        "with motion": SignalRegistry([*base, MotionSignal]),
    }
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in registries}
    once(path, registries["without motion"])  # warm the page cache and the imports
    for i in range(args.repeat):
        for name, registry in registries.items():
            runs[name].append(once(path, registry))
            wall, cpu = runs[name][-1]
            print(f"run {i + 1} {name:<15} wall {wall:6.2f} s  cpu {cpu:6.2f} s", flush=True)
    med = {
        k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in runs.items()
    }
    (bw, bc), (mw, mc) = med["without motion"], med["with motion"]
    print(f"\nfile: {path.name}; signals without motion: {', '.join(c.NAME for c in base)}")
    print(f"median wall: {bw:.2f} s -> {mw:.2f} s  (+{(mw - bw) / bw * 100:.1f} %)")
    print(f"median cpu:  {bc:.2f} s -> {mc:.2f} s  (+{(mc - bc) / bc * 100:.1f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
