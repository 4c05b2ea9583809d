"""Benchmark: what the `faces` signal adds to `check` on a 60 s 1080p clip with one face on screen, and
on one with no face (the issue's target: at most +30 % CPU, and nothing beyond detection without a face).

Times `analyze()` with the built-in signals, with and without `faces`, alternating the two so that both see
the same machine load; reports median wall and CPU (all threads) and the ratios, the signal's own CPU as
the pipeline measures it, and the bare threaded decode for scale. Clips: bench/.cache/
bench_60s_1080p30_face.mp4 (bench_check.face_video: the corpus's DFDC real clip looped) and the synthetic
bench_60s_1080p30.mp4 (no face). On a shared machine, repeat and read the CPU ratios.

    nice -n 10 .venv/bin/python bench/bench_faces.py --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_check import decode_baseline, face_video, make_video  # noqa: E402
from vidsleuth.core.settings import Settings  # noqa: E402
from vidsleuth.pipeline import analyze  # noqa: E402
from vidsleuth.registry import SignalRegistry  # noqa: E402
from vidsleuth.signals import builtin_signals  # noqa: E402
from vidsleuth.signals.faces import FacesSignal  # noqa: E402


def once(path: Path, registry: SignalRegistry, side: int = 1920) -> tuple[float, float, float]:
    """Wall, process CPU, and the faces signal's own CPU (0 without it)."""
    wall, cpu = time.perf_counter(), time.process_time()
    settings = (
        Settings(options={FacesSignal.NAME: {"frame_side": side}})
        if FacesSignal.NAME in registry
        else Settings()
    )
    report = analyze(path, settings, registry=registry)
    own = report.result(FacesSignal.NAME)
    return time.perf_counter() - wall, time.process_time() - cpu, (own.cpu_s or 0.0) if own else 0.0


def bench(path: Path, repeat: int, side: int) -> None:
    base = [c for c in builtin_signals() if c.NAME != FacesSignal.NAME]
    registries = {"without faces": SignalRegistry(base), "with faces": SignalRegistry([*base, FacesSignal])}
    runs: dict[str, list[tuple[float, float, float]]] = {k: [] for k in registries}
    decode: list[float] = []
    once(path, registries["without faces"])  # warm the page cache and the imports
    for i in range(repeat):
        c0 = time.process_time()
        decode_baseline(path)
        decode.append(time.process_time() - c0)
        for name, registry in registries.items():
            runs[name].append(once(path, registry, side))
            wall, cpu, own = runs[name][-1]
            print(
                f"run {i + 1} {name:<14} wall {wall:6.2f} s  cpu {cpu:6.2f} s  faces {own:5.2f} s", flush=True
            )
    med = {k: tuple(statistics.median(r[j] for r in v) for j in range(3)) for k, v in runs.items()}
    (bw, bc, _), (fw, fc, own) = med["without faces"], med["with faces"]
    dec = statistics.median(decode)
    print(f"\nfile: {path.name}; bare threaded decode {dec:.2f} s CPU")
    print(f"median wall: {bw:.2f} s -> {fw:.2f} s  (+{(fw - bw) / bw * 100:.1f} %)")
    print(f"median cpu:  {bc:.2f} s -> {fc:.2f} s  (+{(fc - bc) / bc * 100:.1f} %)")
    print(
        f"faces' own CPU {own:.2f} s = {own / dec * 100:.1f} % of the bare decode; "
        f"added CPU {fc - bc:.2f} s = {(fc - bc) / dec * 100:.1f} % of it (own work + its frame conversion)\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache")
    parser.add_argument("--no-face-clip", action="store_true", help="also the synthetic clip with no face")
    parser.add_argument("--frame-side", type=int, default=1920, help="the option faces.frame_side")
    args = parser.parse_args()
    print(f"faces.frame_side={args.frame_side}")
    bench(face_video(args.seconds, args.cache), args.repeat, args.frame_side)
    if args.no_face_clip:
        bench(make_video(args.seconds, args.cache), args.repeat, args.frame_side)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
