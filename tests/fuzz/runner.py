"""Run the CLI over many files and judge each run (see forkserver.py for how a run is isolated).

A run passes when: the process ended by itself within the time limit (no hang, no crash by a signal),
nothing printed a traceback, the exit code is 0 (analysed) or 3 (refused as an input that cannot be
analysed) and never 5 (internal error) or anything else, an exit 3 says why in exactly one line of
standard error, and the child's peak RSS stayed under the bound.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
CHECK_ARGS = ("--no-report", "--json", "--quiet", "--no-bank", "--no-thumbnails")

# Warnings printed by code outside this suite's reach: stderr lines matching these are counted, not failed
# on, until they are fixed (the shots shift search on 1-pixel frames printed two; fixed, none left).
KNOWN_WARNINGS: tuple[str, ...] = ()
_KNOWN = [re.compile(p) for p in KNOWN_WARNINGS]


@dataclass(frozen=True, slots=True)
class Limits:
    timeout_s: float = 60.0  # wall clock per file (the machine may be shared and loaded)
    memory_mb: int = 2048  # RLIMIT_DATA of the child
    cpu_s: int = 120
    max_rss_mb: float = 1500.0  # the peak RSS a run may reach (the forked child starts at ~200 MB)


@dataclass(frozen=True, slots=True)
class Run:
    name: str
    rc: int
    stderr: str
    stdout: str
    seconds: float
    cpu_s: float
    max_rss_mb: float
    timed_out: bool

    def problems(self, limits: Limits) -> list[str]:
        out = []
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        real = list(_without_known_warnings(lines))
        if self.timed_out:
            out.append(f"did not finish within {limits.timeout_s:.0f} s")
        elif self.rc < 0:
            out.append(f"killed by signal {-self.rc}")
        elif self.rc not in (0, 3):
            out.append(f"exit {self.rc}")
        if "Traceback" in self.stderr:
            out.append("printed a traceback")
        if self.rc == 3 and len(real) != 1:
            out.append(f"exit 3 with {len(real)} lines on stderr")
        if self.rc == 0 and real:
            out.append(f"exit 0 with {len(real)} lines on stderr: {real[0][:120]}")
        if self.rc == 0 and not _is_report(self.stdout):
            out.append("exit 0 without a JSON report on stdout")
        if self.max_rss_mb > limits.max_rss_mb:
            out.append(f"peak RSS {self.max_rss_mb:.0f} MB > {limits.max_rss_mb:.0f} MB")
        return out

    @property
    def known_warnings(self) -> int:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return len(lines) - len(list(_without_known_warnings(lines)))


def _is_report(stdout: str) -> bool:
    try:
        report = json.loads(stdout)
    except ValueError:
        return False
    return isinstance(report, dict) and "verdict" in report and "results" in report


def _without_known_warnings(lines: list[str]) -> Iterator[str]:
    skip_next = False
    for line in lines:
        if skip_next:  # the source line Python prints under a warning
            skip_next = False
            continue
        if any(p.search(line) for p in _KNOWN):
            skip_next = True
            continue
        yield line


@dataclass
class Summary:
    runs: list[Run] = field(default_factory=list)

    def add(self, run: Run) -> None:
        self.runs.append(run)

    def figures(self, limits: Limits) -> dict[str, Any]:
        outcomes = Counter("timeout" if r.timed_out else f"exit {r.rc}" for r in self.runs)
        failing = [(r.name, r.problems(limits)) for r in self.runs if r.problems(limits)]
        return {
            "files": len(self.runs),
            "outcomes": dict(sorted(outcomes.items())),
            "failures": len(failing),
            "first_failures": failing[:10],
            "max_seconds": max((r.seconds for r in self.runs), default=0.0),
            "max_cpu_s": max((r.cpu_s for r in self.runs), default=0.0),
            "max_rss_mb": max((r.max_rss_mb for r in self.runs), default=0.0),
            "known_warning_runs": sum(r.known_warnings > 0 for r in self.runs),
            "refusals": Counter(_kind(r.stderr) for r in self.runs if r.rc == 3).most_common(12),
        }


def _kind(stderr: str) -> str:
    """The reason of an exit 3 without the file name and numbers: for a campaign's tally."""
    line = stderr.strip().splitlines()[-1] if stderr.strip() else ""
    line = line.split(": ", 2)[-1] if line.startswith("error:") else line
    return re.sub(r"\d+(\.\d+)?", "N", line)[:90]


class CliPool:
    """One fork server (forkserver.py) in a child process; `run` sends it one file at a time."""

    def __init__(self, env: dict[str, str] | None = None, nice: int = 0) -> None:
        command = [sys.executable, "-m", "tests.fuzz.forkserver"]
        if nice:
            command = ["nice", "-n", str(nice), *command]
        self._process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        assert self._process.stdout is not None and self._process.stdin is not None
        self._in: IO[str] = self._process.stdin
        self._out: IO[str] = self._process.stdout
        ready = self._out.readline()
        if not ready.startswith('{"ready"'):
            raise RuntimeError(f"the fork server did not start: {ready!r}")

    def run(self, name: str, args: Iterable[str], limits: Limits) -> Run:
        request = {
            "args": list(args),
            "timeout_s": limits.timeout_s,
            "memory_mb": limits.memory_mb,
            "cpu_s": limits.cpu_s,
        }
        self._in.write(json.dumps(request) + "\n")
        self._in.flush()
        answer = json.loads(self._out.readline())
        return Run(name=name, **answer)

    def check(self, path: Path, limits: Limits, extra: Iterable[str] = ()) -> Run:
        return self.run(path.name, ["check", str(path), *CHECK_ARGS, *extra], limits)

    def close(self) -> None:
        self._in.close()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)

    def __enter__(self) -> CliPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
