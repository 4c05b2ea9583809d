"""The fuzz campaign: N mutated files through the CLI, each in a resource-limited process; prints the
figures (as in docs/reliability.md) and keeps the files that failed, for replay.

    nice -n 10 python -m tests.fuzz.campaign --files 600 --seed 11 --out /tmp/fuzz
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fuzz.mutate import cases
from tests.fuzz.runner import CliPool, Limits, Run, Summary
from tests.fuzz.seeds import make_seeds

SUFFIX = {
    "mp4": ".mp4",
    "mov": ".mov",
    "mkv": ".mkv",
    "webm": ".webm",
    "avi": ".avi",
    "gif": ".gif",
    "webp": ".webp",
    "apng": ".png",
}


def run_campaign(
    files: int,
    seed: int,
    work: Path,
    limits: Limits,
    pool: CliPool,
    on_run: Callable[[Run, Path], None] | None = None,
) -> tuple[Summary, dict[str, Path]]:
    """Mutate the seeds into `files` cases under `work` and run each; returns the summary and the
    path of each case (by name)."""
    seeds = {name: path.read_bytes() for name, path in make_seeds(work / "seeds").items()}
    folder = work / "cases"
    folder.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    paths: dict[str, Path] = {}
    for case in cases(seeds, files, seed):
        path = folder / f"{case.name[:120]}{SUFFIX[case.seed_name.split('_', 1)[0]]}"
        path.write_bytes(case.data)
        run = pool.check(path, limits)
        summary.add(run)
        paths[run.name] = path
        if on_run is not None:
            on_run(run, path)
    return summary, paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=600)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, help="keep failing files here")
    parser.add_argument("--timeout", type=float, default=Limits().timeout_s)
    parser.add_argument("--memory-mb", type=int, default=Limits().memory_mb)
    args = parser.parse_args(argv)
    limits = Limits(timeout_s=args.timeout, memory_mb=args.memory_mb)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="vidsleuth-fuzz-") as tmp:
        work = Path(tmp)

        def report(run: Run, path: Path) -> None:
            problems = run.problems(limits)
            if problems:
                print(f"FAIL {run.name}: {'; '.join(problems)}", file=sys.stderr)
                if args.out:
                    args.out.mkdir(parents=True, exist_ok=True)
                    shutil.copy(path, args.out / path.name)

        with CliPool(env={"HOME": str(work / "home")}) as pool:
            summary, _ = run_campaign(args.files, args.seed, work, limits, pool, report)
    figures: dict[str, Any] = summary.figures(limits)
    figures["wall_s"] = round(time.monotonic() - started, 1)
    figures["command"] = f"python -m tests.fuzz.campaign --files {args.files} --seed {args.seed}"
    print(json.dumps(figures, indent=2))
    return 1 if figures["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
