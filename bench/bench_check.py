"""Benchmark: wall time of `vidsleuth check` against a bare threaded decode of the same file.

Generates (once, cached) a 60 s 1920x1080 30 fps H.264 video with the test media factory, then times:
  * baseline: PyAV decode of every frame with FFmpeg's frame threading (what any tool must pay), and
    `ffmpeg -f null` when an ffmpeg binary is on PATH;
  * `vidsleuth check FILE --no-report --quiet` as a user runs it (process start-up included);
  * `analyze()` in-process, per signal (each signal alone) and all together;
  * what each signal adds to `analyze()` with all signals: all signals against all but that one.
Prints each as seconds and as a ratio to the PyAV baseline (median of --repeat runs). With --watermark
(default when ../shared/corpus is present) the genuine moving Sora mark is composited onto the clip, so
that the watermark signal pays for its OCR reads as it would on a marked video. With --faces the clip is
instead a 60 s 1080p video with one face on screen (the corpus's DFDC real clip, one person talking,
played forwards then backwards), on which the faces signal does all its work. With --per-signal only the
baseline, each signal alone and all signals together are timed (no CLI run, no leave-one-out runs): the
table of docs/performance.md, in a fraction of the time. The bare decode is timed again at the end, so
that the drift of a shared machine over the run shows. Run:

    make bench            # or: .venv/bin/python bench/bench_check.py --seconds 60 --repeat 3
    .venv/bin/python bench/bench_check.py --faces
    .venv/bin/python bench/bench_check.py --per-signal --repeat 1
"""

from __future__ import annotations

import argparse
import functools
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.media_factory import Scene, write_video  # noqa: E402
from tests.watermark_factory import composite_track  # noqa: E402

from vidsleuth.core.settings import Settings  # noqa: E402
from vidsleuth.pipeline import analyze, default_registry  # noqa: E402


def make_video(seconds: int, cache: Path) -> Path:
    path = cache / f"bench_{seconds}s_1080p30.mp4"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        print(f"generating {path} (once) ...", flush=True)
        # A cut every 6 s gives the shot detector real work; 1080p30 H.264 as phones and sites deliver.
        scenes = [Scene(6.0, i) for i in range(seconds // 6)] + [Scene(seconds % 6, 99)] * (seconds % 6 > 0)
        write_video(path, scenes, fps=30, size=(1920, 1080), crf=23)
    return path


SORA_TRACK = ROOT.parent / "shared" / "corpus" / "watermark_templates"
SORA_TRACK = SORA_TRACK / "sora_watermark_greenscreen_landscape_Enivid345.mp4"


def mark_video(clean: Path, seconds: int) -> Path:
    """The clip with the genuine moving Sora mark composited over it (once, cached)."""
    path = clean.with_name(clean.stem + "_sora_mark.mp4")
    if not path.exists():
        print(f"generating {path} (once) ...", flush=True)
        composite_track(SORA_TRACK, clean, path, size=(1920, 1080), seconds=seconds, crf=23, loop=True)
    return path


FACE_SOURCE = ROOT.parent / "shared" / "corpus" / "face_manipulation" / "dfdc_lynaeydofd_REAL.mp4"


def face_video(seconds: int, cache: Path, source: Path = FACE_SOURCE) -> Path:
    """A 1080p30 clip with one face on screen: `source` (10 s, one person talking) played forwards then
    backwards (no jump at the turn) for `seconds`, H.264 CRF 23 (once, cached)."""
    path = cache / f"bench_{seconds}s_1080p30_face.mp4"
    if path.exists():
        return path
    if not source.is_file():
        raise SystemExit(f"--faces needs {source} (the shared corpus)")
    print(f"generating {path} (once) ...", flush=True)
    cache.mkdir(parents=True, exist_ok=True)
    src: Any = av.open(str(source))
    with src:
        frames = [f.to_ndarray(format="rgb24") for f in src.decode(video=0)]
    loop = frames + frames[::-1]
    out: Any = av.open(str(path), "w")
    with out:
        stream = out.add_stream("libx264", rate=30, options={"crf": "23", "preset": "veryfast"})
        stream.width, stream.height, stream.pix_fmt = 1920, 1080, "yuv420p"
        for i in range(seconds * 30):
            frame = av.VideoFrame.from_ndarray(loop[i % len(loop)], format="rgb24")
            for packet in stream.encode(frame.reformat(width=1920, height=1080)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def decode_baseline(path: Path) -> None:
    container: Any = av.open(str(path))
    with container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for _ in container.decode(stream):
            pass


def _cpu() -> float:
    """CPU seconds of this process and its finished children (less sensitive to a busy machine)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds of `repeat` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        c0, t0 = _cpu(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache")
    parser.add_argument("--file", type=Path, help="benchmark this file instead of the generated one")
    parser.add_argument("--faces", action="store_true", help="a clip with one face on screen (see above)")
    parser.add_argument(
        "--watermark",
        action=argparse.BooleanOptionalAction,
        default=SORA_TRACK.is_file(),
        help="composite the moving Sora mark onto the generated clip (needs ../shared/corpus)",
    )
    parser.add_argument(
        "--per-signal",
        action="store_true",
        help="time only the baseline, each signal alone and all signals (no CLI, no leave-one-out)",
    )
    args = parser.parse_args()
    if args.faces and not args.file:
        path = face_video(args.seconds, args.cache)
    else:
        path = args.file or make_video(args.seconds, args.cache)
        if args.watermark and not args.file:
            path = mark_video(path, args.seconds)

    rows: list[tuple[str, tuple[float, float]]] = []
    base = timed(lambda: decode_baseline(path), args.repeat)
    rows.append(("bare PyAV threaded decode (baseline)", base))
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg and not args.per_signal:
        cmd = [ffmpeg, "-v", "error", "-threads", "0", "-i", str(path), "-f", "null", "-"]
        rows.append(("ffmpeg -f null", timed(lambda: subprocess.run(cmd, check=True), args.repeat)))
    cli = [str(Path(sys.executable).parent / "vidsleuth"), "check", str(path), "--no-report", "--quiet"]
    if not args.per_signal:
        rows.append(
            (
                "vidsleuth check (CLI, all signals)",
                timed(lambda: subprocess.run(cli, check=True), args.repeat),
            )
        )
    registry = default_registry()
    reports: list[Any] = []
    every = timed(lambda: reports.append(analyze(path, registry=registry)), args.repeat)
    rows.append(("analyze() all signals", every))
    core = ("metadata", "provenance", "shots")
    issue2 = functools.partial(analyze, path, Settings(only=core), registry=registry)
    if not args.per_signal:
        rows.append(("analyze() metadata+provenance+shots", timed(issue2, args.repeat)))
    added: list[tuple[str, tuple[float, float]]] = []
    for name in registry.names():
        only = functools.partial(analyze, path, Settings(only=(name,)), registry=registry)
        rows.append((f"analyze() only {name}", timed(only, args.repeat)))
        if name not in core and not args.per_signal:
            without = functools.partial(analyze, path, Settings(disable=(name,)), registry=registry)
            added.append((name, timed(without, args.repeat)))

    rows.append(
        ("bare PyAV threaded decode (again, last)", timed(lambda: decode_baseline(path), args.repeat))
    )

    info: Any = av.open(str(path))
    v = info.streams.video[0]
    print(
        f"\nfile: {path.name}  {v.codec_context.width}x{v.codec_context.height}  "
        f"{float(v.average_rate):g} fps  "
        f"{info.duration / 1e6:.1f} s   median of {args.repeat} run(s)\n"
    )
    info.close()
    print(f"{'what':<42} {'wall s':>8} {'ratio':>7} {'cpu s':>8} {'ratio':>7}")
    for label, (wall, cpu) in rows:
        print(f"{label:<42} {wall:8.2f} {wall / base[0]:7.2f} {cpu:8.2f} {cpu / base[1]:7.2f}")
    if added:
        print(f"\n{'what each signal adds to all the others':<42} {'wall':>8} {'cpu':>8}")
        for name, (wall, cpu) in added:
            print(f"{'+ ' + name:<42} {every[0] / wall - 1:8.1%} {every[1] / cpu - 1:8.1%}")
    print_own_cpu(reports, every[1], base[1])
    return 0


def print_own_cpu(reports: list[Any], total_cpu: float, base_cpu: float) -> None:
    """Where the CPU of `analyze()` with all signals goes: each signal's own work (its hooks, measured by
    the pipeline as `cpu_s`), and the rest: the shared decode, the conversions each signal asked for,
    opening and fusing."""
    names = [r.signal for r in reports[0].results]
    own = {n: statistics.median(rep.result(n).cpu_s or 0.0 for rep in reports) for n in names}
    print(f"\n{'CPU of analyze(), all signals':<42} {'cpu s':>8} {'of base':>8}")
    for name in names:
        print(f"{name + ' (own work)':<42} {own[name]:8.2f} {own[name] / base_cpu:8.1%}")
    rest = total_cpu - sum(own.values())
    print(f"{'decode, conversions, open, fuse':<42} {rest:8.2f} {rest / base_cpu:8.1%}")


if __name__ == "__main__":
    raise SystemExit(main())
