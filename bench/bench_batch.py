"""Batch engine benchmark (issue #15), run on demand: `python -m bench.bench_batch [--clips 40] [--n 10000]`.

1. throughput: the local engine with 1 and 2 workers on corpus clips (the ratio; target >= 1.7x on 2
   cores), then the Ray engine in-process (`ray.init(num_cpus=2)`) on the same clips: same verdicts,
   per-worker efficiency = (Ray rate / workers) / (local 1-worker rate).
2. scale: N short generated inputs (one tiny clip made distinct by a trailing MP4 `free` box) through
   `vidsleuth batch` on the local engine, into SQLite and into PostgreSQL: the driver's peak memory,
   SIGKILL at three random moments then a run to the end, rows counted (no input lost, none twice).

Prints one line per figure; docs/batch.md quotes them with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("VIDSLEUTH_CORPUS", ROOT.parent / "shared" / "corpus"))
sys.path.insert(0, str(ROOT))


def corpus_clips(count: int) -> list[Path]:
    """The `count` smallest videos of the corpus (deterministic), skipping its deliberately broken ones."""
    found = [
        p for p in CORPUS.rglob("*") if p.suffix.lower() in (".mp4", ".mov", ".webm") and "bad" not in p.parts
    ]
    found.sort(key=lambda p: (p.stat().st_size, str(p)))
    return found[:count]


def _run(clips: list[Path], engine: str, jobs: int, args: argparse.Namespace) -> tuple[float, dict[str, str]]:
    from vidsleuth.batch.inputs import Input
    from vidsleuth.batch.progress import Progress
    from vidsleuth.batch.runner import RunOptions, run_batch
    from vidsleuth.batch.store import ResultsStore
    from vidsleuth.core.settings import Settings
    from vidsleuth.pipeline import prepare_settings

    only = tuple(s for s in args.signals.split(",") if s) if args.signals else ()
    settings = prepare_settings(
        Settings(only=only, max_duration_s=args.max_duration, options={"fingerprint": {"use_bank": False}})
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "out")
        options = RunOptions(out=out, settings=settings, engine=engine, jobs=jobs)
        progress = Progress(quiet=True, out=io.StringIO(), err=io.StringIO())
        t0, cpu0 = time.monotonic(), _cpu()
        summary = run_batch(options, iter(Input(str(c)) for c in clips), progress)
        wall, cpu = time.monotonic() - t0, _cpu() - cpu0
        with ResultsStore.open(out) as store:
            labels = {r.name: r.report.verdict.label.value for r in store.rows() if r.report is not None}
    busy = f"; CPU {cpu:.1f} s = {cpu / wall:.2f} cores busy" if engine == "local" else ""
    print(
        f"  {engine} jobs={jobs}: {len(clips)} clips in {wall:.1f} s ({summary.failed} failed){busy}",
        flush=True,
    )
    return wall, labels


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the local engine's workers)."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def throughput(args: argparse.Namespace) -> None:
    clips = corpus_clips(args.clips)
    if not clips:
        print("throughput: the corpus is absent; skipped")
        return
    size = sum(c.stat().st_size for c in clips) / 1e6
    print(
        f"throughput: {len(clips)} corpus clips ({size:.0f} MB), signals={args.signals or 'default'}",
        flush=True,
    )
    one, labels1 = _run(clips, "local", 1, args)
    two, labels2 = _run(clips, "local", 2, args)
    print(f"local 2 workers vs 1: {one / two:.2f}x (target >= 1.7x); same verdicts: {labels1 == labels2}")
    if args.no_ray:
        return
    try:
        ray_wall, labels_ray = _run(clips, "ray", 2, args)
    except Exception as exc:  # Ray missing or unable to start here
        print(f"ray: not measured ({type(exc).__name__}: {exc})")
        return
    print(
        f"ray 2 workers vs local 1: {one / ray_wall:.2f}x; per-worker efficiency {one / ray_wall / 2:.2f}; "
        f"vs local 2: {two / ray_wall:.2f}x; same verdicts as local: {labels_ray == labels1}"
    )


def _distinct_inputs(folder: Path, n: int) -> Path:
    """`n` distinct tiny MP4s (one clip plus a unique trailing `free` box) and a list file naming them."""
    from tests.media_factory import Scene, write_video

    base = write_video(folder / "base.mp4", [Scene(0.2, 3)], size=(32, 32), fps=10).read_bytes()
    listing = folder / "list.txt"
    with listing.open("w") as fh:
        for i in range(n):
            path = folder / f"in{i:06d}.mp4"
            payload = f"vidsleuth-bench-{i}".encode()
            path.write_bytes(base + (8 + len(payload)).to_bytes(4, "big") + b"free" + payload)
            fh.write(f"{path}\n")
    return listing


def _peak_rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _batch_cmd(listing: Path, out: str) -> list[str]:
    return [sys.executable, "-m", "vidsleuth", "batch", str(listing), "--out", out, "-q", "-j", "2"]


def scale(args: argparse.Namespace, out: str, label: str) -> None:
    from vidsleuth.batch.store import ResultsStore

    with tempfile.TemporaryDirectory() as tmp:
        listing = _distinct_inputs(Path(tmp), args.n)
        cmd = [*_batch_cmd(listing, out), "--only", "metadata", "--no-bank", "--no-thumbnails"]
        rng = random.Random(args.seed)
        kills = []
        for _ in range(3):
            proc = subprocess.Popen(
                cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
            )
            moment = rng.uniform(2.0, args.kill_window)
            time.sleep(moment)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if _alive_group(proc.pid):
                os.killpg(proc.pid, signal.SIGKILL)
            with ResultsStore.open(out) as store:
                kills.append((round(moment, 1), store.counts().get("done", 0)))
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, _peak_rss_mb(proc.pid))
            time.sleep(0.5)
        wall = time.monotonic() - t0
        with ResultsStore.open(out) as store:
            check = store.integrity()
            counts = store.counts()
        lost = args.n - counts.get("done", 0)
        print(
            f"scale {label}: {args.n} inputs; killed at (s, done so far) {kills}; final run {wall:.0f} s, "
            f"exit {proc.returncode}; driver peak RSS {peak:.0f} MB; rows {check}; not done: {lost}",
            flush=True,
        )


def _alive_group(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=40)
    parser.add_argument("--signals", default="", help="comma-separated signals (default: all)")
    parser.add_argument("--max-duration", type=float, default=None)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--kill-window", type=float, default=20.0, help="kill moments drawn from 2 s..this")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--only", choices=["throughput", "scale"], default=None)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    if args.only in (None, "throughput"):
        throughput(args)
    if args.only in (None, "scale"):
        with tempfile.TemporaryDirectory() as tmp:
            scale(args, str(Path(tmp) / "results"), "sqlite")
        if not args.no_postgres:
            from tests.pg_support import PgUnavailableError, create_database, running_postgres

            try:
                with running_postgres() as server:
                    scale(args, create_database(server), "postgresql")
            except PgUnavailableError as exc:
                print(f"scale postgresql: not measured ({exc})")


if __name__ == "__main__":
    main()
