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
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from vidsleuth.batch.unit import UnitOutcome, UnitTask, WorkerConfig, run_unit, worker_state
from vidsleuth.core.errors import VidsleuthError

_MAX_STARTUP_FAILURES = 3


class WorkerStartError(VidsleuthError, RuntimeError):
    """Worker processes die before they are ready (a broken installation, not a bad input)."""


def worker_main(conn: Connection, config: WorkerConfig) -> None:
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
        conn.send(("done", run_unit(task, state)))


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    task: UnitTask | None = None
    ready: bool = False
    started: float = 0.0
    memory_mb: int = 0


class LocalEngine:
    """Worker processes on this machine (see the module docstring)."""

    def __init__(self, config: WorkerConfig, jobs: int, time_limit_s: float | None = None) -> None:
        self._config = config
        self._jobs = max(1, jobs)
        self._time_limit = time_limit_s
        self._ctx = multiprocessing.get_context("spawn")
        self._queue: collections.deque[UnitTask] = collections.deque()
        self._done: list[UnitOutcome] = []
        self._workers = [self._spawn() for _ in range(self._jobs)]
        self.crashes = 0
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

    def results(self, timeout: float) -> list[UnitOutcome]:
        deadline = time.monotonic() + timeout
        while True:
            self._assign()
            waitables: list[Any] = []
            for w in self._workers:
                waitables += [w.conn, w.process.sentinel]
            now = time.monotonic()
            wait_s = max(0.0, min(0.5, deadline - now))
            if self._time_limit is not None:  # wake up when the first running analysis runs out of time
                for w in self._workers:
                    if w.task is not None:
                        wait_s = max(0.0, min(wait_s, w.started + self._time_limit - now))
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

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=worker_main, args=(child, self._config), name="vidsleuth-batch-worker", daemon=True
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def _assign(self) -> None:
        for w in self._workers:
            if not self._queue:
                return
            if w.task is None and w.ready and w.process.is_alive():
                task = self._queue.popleft()
                w.task, w.started, w.memory_mb = task, time.monotonic(), 0
                # When it died, the next tick fails the task and replaces the worker.
                with contextlib.suppress(OSError, ValueError):
                    w.conn.send(task)

    def _tick(self) -> None:
        from vidsleuth.web.pool import private_memory_mb

        for i, w in enumerate(list(self._workers)):
            self._drain(w)
            if w.task is not None and w.process.pid is not None:
                w.memory_mb = max(w.memory_mb, private_memory_mb(w.process.pid))
            if not w.process.is_alive():
                self._drain(w)
                self._replace(i, w, *self._death(w))
            elif (
                w.task is not None
                and self._time_limit is not None
                and time.monotonic() - w.started > self._time_limit
            ):
                w.process.kill()
                w.process.join(5)
                self._replace(
                    i, w, "timeout", f"the analysis took longer than {self._time_limit:g} s and was stopped"
                )

    def _death(self, w: _Worker) -> tuple[str, str]:
        from vidsleuth.web.pool import death_reason

        code, message = death_reason(w.process.exitcode, w.memory_mb, self._config.memory_mb)
        if code == "out_of_memory":
            message = f"the analysis needed more memory than a worker may use ({self._config.memory_mb} MB)"
        return code, message

    def _drain(self, w: _Worker) -> None:
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
            elif message[0] == "done" and w.task is not None and message[1].ticket == w.task.ticket:
                self._done.append(message[1])
                w.task = None

    def _replace(self, index: int, w: _Worker, code: str, message: str) -> None:
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
                    w.task.ticket, code, f"{w.task.name}: {message}", elapsed_s=time.monotonic() - w.started
                )
            )
            w.task = None
        with contextlib.suppress(OSError):
            w.conn.close()
        self._workers[index] = self._spawn()
