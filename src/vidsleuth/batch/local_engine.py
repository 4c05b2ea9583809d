"""The local engine: a pool of worker processes on this machine, each running `unit.run_unit`.

Why not `concurrent.futures`: a batch must survive a worker that hangs on a hostile file or dies in a
decoder. Each worker here is its own process with its own pipe, so the driver can kill exactly the one
that ran past `--time-limit` (its unit fails with that reason) and replace one that died (its unit fails
as `worker_crashed`, or `out_of_memory` when it had come near its cap), while the others carry on. The
memory cap is the web workers' (RLIMIT_DATA, `web.worker.limit_memory`), applied in each worker.

Workers are started with "spawn" (nothing of the driver's state is forked into them) and receive the
`WorkerConfig` once; the signal registry and per-process caches (the bank's index) are built once per
worker. The engine holds at most `capacity` tasks (one running per worker and one waiting each), so the
driver's back-pressure bounds memory however long the input list.

For the web app (`web/pool.py`) the engine also relays live progress (`live_progress=True`: each
worker sends its unit's throttled events, folded into a snapshot per task, `progress()`), and recycles
a worker after `jobs_per_worker` units, or after one that ran out of memory, so that a long-lived
server's workers cannot creep up in memory. `time_limit_s` and `jobs_per_worker` may be changed while
it runs.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import signal
import time
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from vidsleuth.batch.unit import (
    ProgressSink,
    UnitOutcome,
    UnitTask,
    WorkerConfig,
    fold_progress,
    new_progress,
    run_unit,
    worker_state,
)
from vidsleuth.core.errors import VidsleuthError

_MAX_STARTUP_FAILURES = 3


class WorkerStartError(VidsleuthError, RuntimeError):
    """Worker processes die before they are ready (a broken installation, not a bad input)."""


def worker_main(conn: Connection, config: WorkerConfig, live_progress: bool = False) -> None:
    """Entry point of a worker process: run tasks from `conn` until told to stop (None) or EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver stops workers itself
    state = worker_state(config)
    conn.send(("ready",))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        relay = _relay(conn, task.ticket) if live_progress else None
        conn.send(("done", run_unit(task, state, relay)))


def _relay(conn: Connection, ticket: int) -> ProgressSink:
    def send(event: dict[str, Any]) -> None:
        conn.send(("progress", ticket, event))

    return send


@dataclass
class WorkerSlot:
    """One worker process and what it runs (read by the web pool's health figures and tests)."""

    process: BaseProcess
    conn: Connection
    task: UnitTask | None = None
    ready: bool = False
    started: float = 0.0
    memory_mb: int = 0  # the most private memory (VmData) seen while it ran its current task
    units: int = 0  # units it has finished
    retire: bool = False  # replace it once idle (it ran out of memory: its heap may stay fragmented)
    progress: dict[str, Any] = field(default_factory=dict)


class LocalEngine:
    """Worker processes on this machine (see the module docstring)."""

    def __init__(
        self,
        config: WorkerConfig,
        jobs: int,
        time_limit_s: float | None = None,
        *,
        jobs_per_worker: int | None = None,
        live_progress: bool = False,
    ) -> None:
        self._config = config
        self._jobs = max(1, jobs)
        self.time_limit_s = time_limit_s
        self.jobs_per_worker = jobs_per_worker
        self._live = live_progress
        self._ctx = multiprocessing.get_context("spawn")
        self._queue: collections.deque[UnitTask] = collections.deque()
        self._done: list[UnitOutcome] = []
        self._workers = [self._spawn() for _ in range(self._jobs)]
        self.crashes = 0  # workers lost while running a unit (died, or killed at the time limit)
        self.peak_worker_mb = 0  # the most private memory any worker was seen to use while busy
        self._startup_failures = 0

    @property
    def capacity(self) -> int:
        return 2 * self._jobs

    @property
    def workers(self) -> int:
        return self._jobs

    def submit(self, task: UnitTask) -> None:
        self._queue.append(task)
        self._assign()

    def in_flight(self) -> int:
        return len(self._queue) + sum(w.task is not None for w in self._workers) + len(self._done)

    def progress(self) -> dict[int, dict[str, Any]]:
        """The latest progress snapshot of each running task (empty without `live_progress`)."""
        return {w.task.ticket: dict(w.progress) for w in list(self._workers) if w.task is not None}

    @property
    def slots(self) -> list[WorkerSlot]:
        return list(self._workers)

    @property
    def ready(self) -> int:
        """Workers started and waiting for, or running, a task."""
        return sum(w.ready for w in list(self._workers))

    def results(self, timeout: float) -> list[UnitOutcome]:
        deadline = time.monotonic() + timeout
        while True:
            self._assign()
            waitables: list[Any] = []
            for w in self._workers:
                waitables += [w.conn, w.process.sentinel]
            now = time.monotonic()
            wait_s = max(0.0, min(0.5, deadline - now))
            if self.time_limit_s is not None:  # wake up when the first running analysis runs out of time
                for w in self._workers:
                    if w.task is not None:
                        wait_s = max(0.0, min(wait_s, w.started + self.time_limit_s - now))
            if not self._done:
                wait(waitables, timeout=wait_s)
            self._tick()
            if self._done or time.monotonic() >= deadline:
                out, self._done = self._done, []
                return out

    def close(self) -> None:
        for w in self._workers:
            if w.task is not None:
                w.process.kill()
                continue
            with contextlib.suppress(OSError, ValueError):
                w.conn.send(None)
        deadline = time.monotonic() + 5
        for w in self._workers:
            w.process.join(max(0.1, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join(2)
            w.conn.close()
        self._workers = []
        self._queue.clear()

    # ----------------------------------------------------------------------------------------------

    def _spawn(self) -> WorkerSlot:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=worker_main,
            args=(child, self._config, self._live),
            name="vidsleuth-batch-worker",
            daemon=True,
        )
        process.start()
        child.close()
        return WorkerSlot(process, parent)

    def _assign(self) -> None:
        for w in self._workers:
            if not self._queue:
                return
            if w.task is None and w.ready and w.process.is_alive():
                task = self._queue.popleft()
                w.task, w.started, w.memory_mb, w.progress = task, time.monotonic(), 0, new_progress()
                # When it died, the next tick fails the task and replaces the worker.
                with contextlib.suppress(OSError, ValueError):
                    w.conn.send(task)

    def _tick(self) -> None:
        from vidsleuth.web.pool import private_memory_mb

        for i, w in enumerate(list(self._workers)):
            self._drain(w)
            if w.task is not None and w.process.pid is not None:
                w.memory_mb = max(w.memory_mb, private_memory_mb(w.process.pid))
                self.peak_worker_mb = max(self.peak_worker_mb, w.memory_mb)
            limit = self.time_limit_s
            if not w.process.is_alive():
                self._drain(w)
                self._replace(i, w, *self._death(w))
            elif w.task is not None and limit is not None and time.monotonic() - w.started > limit:
                w.process.kill()
                w.process.join(5)
                self._replace(i, w, "timeout", f"the analysis took longer than {limit:g} s and was stopped")
            elif w.task is None and w.ready and self._worn_out(w):
                with contextlib.suppress(OSError, ValueError):
                    w.conn.send(None)  # it exits between units; a replacement starts now
                w.process.join(5)
                self._replace(i, w, "", "")

    def _worn_out(self, w: WorkerSlot) -> bool:
        return w.retire or (self.jobs_per_worker is not None and w.units >= self.jobs_per_worker)

    def _death(self, w: WorkerSlot) -> tuple[str, str]:
        from vidsleuth.web.pool import death_reason

        code, message = death_reason(w.process.exitcode, w.memory_mb, self._config.memory_mb)
        if code == "out_of_memory":
            message = f"the analysis needed more memory than a worker may use ({self._config.memory_mb} MB)"
        return code, message

    def _drain(self, w: WorkerSlot) -> None:
        while True:
            try:
                if not w.conn.poll():
                    return
                message = w.conn.recv()
            except (EOFError, OSError):
                return
            if message[0] == "ready":
                w.ready = True
                self._startup_failures = 0
            elif message[0] == "progress" and w.task is not None and message[1] == w.task.ticket:
                fold_progress(w.progress, message[2])
            elif message[0] == "done" and w.task is not None and message[1].ticket == w.task.ticket:
                outcome: UnitOutcome = message[1]
                self._done.append(replace(outcome, progress=w.progress) if self._live else outcome)
                w.task, w.progress = None, {}
                w.units += 1
                w.retire = w.retire or outcome.code == "out_of_memory"

    def _replace(self, index: int, w: WorkerSlot, code: str, message: str) -> None:
        if not w.ready:
            self._startup_failures += 1
            if self._startup_failures > _MAX_STARTUP_FAILURES:
                raise WorkerStartError(
                    f"batch worker processes exit as they start (exit code {w.process.exitcode}); "
                    "run `vidsleuth check` on one file to see why"
                )
        if w.task is not None:
            self.crashes += 1
            self._done.append(
                UnitOutcome.failed(
                    w.task.ticket,
                    code,
                    f"{w.task.name}: {message}",
                    elapsed_s=time.monotonic() - w.started,
                    progress=w.progress if self._live else None,
                )
            )
            w.task = None
        with contextlib.suppress(OSError):
            w.conn.close()
        self._workers[index] = self._spawn()
