"""The analysis pool: a few long-lived worker processes fed from the case queue in the store.

One supervisor thread owns the workers. It claims the oldest queued case for each idle worker, relays
each worker's progress messages into the store (where the page and the API poll them), stores the
report or the failure, and keeps the pool healthy: a worker that dies (a decoder crash, the memory cap)
fails only its own case and is replaced (`out_of_memory` when it had come near its cap, which the
supervisor samples twice a second, else `worker_crashed`); one that runs past the job timeout is
killed and replaced; each is recycled after `jobs_per_worker` analyses so that memory cannot creep up.

The store, not this object, is the queue: nothing waits only in memory, so a server that stops
(gracefully or not) loses no case. At start, cases left running are queued again (see
`CaseStore.recover`). Workers are started with the "spawn" method: the web server's threads and open
sockets are never forked into them.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from vidsleuth.web.cases_store import CaseStore
from vidsleuth.web.settings import ServerSettings
from vidsleuth.web.worker import Job, worker_main

log = logging.getLogger(__name__)
_TICK_S = 0.5


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    ready: bool = False
    case_id: str | None = None
    started: float = 0.0
    jobs: int = 0
    progress: dict[str, Any] = field(default_factory=dict)
    stored_name: str | None = None
    memory_mb: int = 0  # the most private memory (VmData) seen while it ran its current case


class AnalysisPool:
    """Owns the worker processes; `start()` at server start-up, `stop()` at shutdown."""

    def __init__(self, store: CaseStore, settings: ServerSettings) -> None:
        self._store = store
        self._settings = settings
        self._ctx = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []
        self._stop = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread: threading.Thread | None = None
        self.crashes = 0  # workers lost while running a case, for the health endpoint and tests
        self.peak_worker_mb = 0  # the most private memory any worker was seen to use (sampled each tick)

    # Life cycle ------------------------------------------------------------------------------------

    def start(self) -> None:
        requeued, failed = self._store.recover(self._settings.max_attempts)
        if requeued or failed:
            log.warning(
                "recovered %d interrupted case(s); %d gave up after retries", len(requeued), len(failed)
            )
        self._workers = [self._spawn() for _ in range(self._settings.workers)]
        self._thread = threading.Thread(target=self._run, name="vidsleuth-supervisor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the workers; cases they were running go back to the queue for the next start."""
        self._stop.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout)
        for w in self._workers:
            if w.case_id is not None:
                with contextlib.suppress(Exception):
                    self._store.release(w.case_id)
            with contextlib.suppress(OSError, ValueError):
                w.conn.send(None)
        deadline = time.monotonic() + timeout
        for w in self._workers:
            w.process.join(max(0.1, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join(2)
            w.conn.close()
        self._workers = []
        self._wake_r.close()
        self._wake_w.close()

    def wake(self) -> None:
        """Tell the supervisor a case was queued (it also looks every half second)."""
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    def stats(self) -> dict[str, int]:
        workers = list(self._workers)
        return {
            "workers": len(workers),
            "ready": sum(w.ready for w in workers),
            "busy": sum(w.case_id is not None for w in workers),
            "crashes": self.crashes,
        }

    # Supervisor ------------------------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=worker_main,
            args=(child, self._settings.worker_memory_mb),
            name="vidsleuth-worker",
            daemon=True,
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._tick()
            except Exception as exc:  # the supervisor must outlive any single bad event
                log.error("analysis pool: %s: %s", type(exc).__name__, exc, exc_info=exc)
                time.sleep(_TICK_S)

    def _tick(self) -> None:
        self._assign()
        waitables: list[Any] = [self._wake_r]
        for w in self._workers:
            waitables += [w.conn, w.process.sentinel]
        for ready in wait(waitables, timeout=_TICK_S):
            if ready is self._wake_r:
                with contextlib.suppress(OSError):
                    self._wake_r.recv(4096)
        for i, w in enumerate(list(self._workers)):
            self._drain(w)
            if w.case_id is not None and w.process.pid is not None:
                w.memory_mb = max(w.memory_mb, private_memory_mb(w.process.pid))
                self.peak_worker_mb = max(self.peak_worker_mb, w.memory_mb)
            if not w.process.is_alive():
                code, message = death_reason(w.process.exitcode, w.memory_mb, self._settings.worker_memory_mb)
                self._replace(i, w, message, code=code)
            elif w.case_id is not None and time.monotonic() - w.started > self._settings.job_timeout_s:
                w.process.kill()
                w.process.join(5)
                self._replace(
                    i,
                    w,
                    f"the analysis took longer than {self._settings.job_timeout_s:.0f} s and was stopped",
                    code="timeout",
                )
            elif w.case_id is None and w.jobs >= self._settings.jobs_per_worker:
                with contextlib.suppress(OSError, ValueError):
                    w.conn.send(None)
                w.process.join(5)
                self._replace(i, w, "")

    def _replace(self, index: int, w: _Worker, message: str, code: str = "worker_crashed") -> None:
        if w.case_id is not None:
            self.crashes += 1
            self._store.fail(w.case_id, code, message, {**w.progress, "stage": "failed"})
            log.warning("case %s failed: %s", w.case_id, message)
            self._cleanup_upload(w)
        if w.process.is_alive():
            w.process.kill()
            w.process.join(2)
        w.conn.close()
        if not self._stop.is_set():
            self._workers[index] = self._spawn()

    def _assign(self) -> None:
        for w in self._workers:
            if self._stop.is_set() or not w.ready or w.case_id is not None or not w.process.is_alive():
                continue
            claimed = self._store.claim_next()
            if claimed is None:
                return
            case = claimed.case
            s = self._settings
            path = str(s.uploads_dir / case.stored_name) if case.stored_name else None
            if case.source_kind == "upload" and (path is None or not Path(path).is_file()):
                self._store.fail(
                    case.id, "upload_missing", "the uploaded file is no longer on the server; submit it again"
                )
                continue
            job = Job(
                case_id=case.id,
                display_name=case.display_name,
                settings=s.job_settings,
                max_duration_s=s.max_duration_s,
                path=path if case.source_kind == "upload" else None,
                sha256=case.sha256 if case.source_kind == "upload" else None,
                url=case.source_url if case.source_kind == "url" else None,
                fetch_dir=str(s.uploads_dir),
                max_bytes=s.max_upload_bytes,
                fetch_timeout_s=s.fetch_timeout_s,
                url_exempt_networks=s.url_exempt_networks,
            )
            w.case_id, w.started, w.progress = case.id, time.monotonic(), {"stage": "starting", "signals": {}}
            w.memory_mb = 0
            w.stored_name = case.stored_name
            try:
                w.conn.send(job)
            except (OSError, ValueError):
                return  # the worker died; the next tick replaces it and fails the case

    def _drain(self, w: _Worker) -> None:
        while True:
            try:
                if not w.conn.poll():
                    return
                message = w.conn.recv()
            except (EOFError, OSError):
                return
            self._handle(w, message)

    def _handle(self, w: _Worker, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "ready":
            w.ready = True
            return
        case_id = message[1]
        if case_id != w.case_id:
            return  # a late message about a case this worker no longer runs
        if kind == "plan":
            w.progress["signals"] = dict.fromkeys(message[2], "waiting")
            self._store.set_progress(case_id, w.progress)
        elif kind == "fetched":
            info = message[2]
            w.stored_name = info["stored_name"]
            self._store.set_source(
                case_id,
                display_name=info["display_name"],
                stored_name=info["stored_name"],
                size_bytes=info["size"],
                sha256=info["sha256"],
            )
        elif kind == "progress":
            self._store.set_progress(case_id, _merge(w.progress, message[2]))
        elif kind in ("done", "failed"):
            if kind == "done":
                w.progress.update(stage="done", fraction=1.0)
                w.progress["signals"] = {
                    str(r.get("signal")): str(r.get("status")) for r in message[2].get("results") or ()
                }
                self._store.finish(case_id, message[2], w.progress)
            else:
                w.progress["stage"] = "failed"
                code, text = message[2], message[3]
                if code == "out_of_memory":
                    text = _out_of_memory(self._settings.worker_memory_mb)
                    w.jobs = self._settings.jobs_per_worker  # replaced: its heap may stay fragmented
                self._store.fail(case_id, code, text, w.progress)
            self._cleanup_upload(w)
            w.case_id, w.stored_name, w.progress, w.memory_mb = None, None, {}, 0
            w.jobs += 1

    def _cleanup_upload(self, w: _Worker) -> None:
        if not self._settings.keep_uploads and w.stored_name:
            with contextlib.suppress(OSError):
                (self._settings.uploads_dir / w.stored_name).unlink()


def private_memory_mb(pid: int) -> int:
    """A process's private writable memory (VmData, what RLIMIT_DATA caps) in MB; 0 when unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


# A worker that died having used this share of its cap is taken to have run out of memory (it is
# sampled twice a second, so the last sample can be well under the allocation that failed).
_NEAR_CAP = 0.6


def death_reason(exitcode: int | None, memory_mb: int, cap_mb: int | None) -> tuple[str, str]:
    """The case's error code and one-line message when its worker process died under it."""
    if cap_mb and memory_mb >= _NEAR_CAP * cap_mb:
        return "out_of_memory", _out_of_memory(cap_mb) + f" (it had reached {memory_mb} MB)"
    how = f"exit code {exitcode}"
    if exitcode is not None and exitcode < 0:
        with contextlib.suppress(ValueError):
            how = f"signal {signal.Signals(-exitcode).name}"
    return "worker_crashed", (
        f"the analysis process stopped unexpectedly ({how}); the file may be malformed, or need more "
        "memory than this server has"
    )


def _out_of_memory(cap_mb: int | None) -> str:
    if cap_mb:
        return (
            f"the analysis needed more memory than this server allows per analysis ({cap_mb} MB); "
            "the operator can raise --worker-memory-mb"
        )
    return "the analysis ran out of memory on this server"


def _merge(progress: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """Fold one pipeline event into the case's progress (stage, decode fraction, per-signal state)."""
    stage = str(event.get("stage", ""))
    progress["stage"] = stage
    signals: dict[str, str] = progress.setdefault("signals", {})
    name = event.get("signal")
    if stage == "decode":
        progress["decode"] = event.get("fraction", 0.0)
        for key, state in signals.items():
            if state == "waiting":
                signals[key] = "running"
    elif stage == "signal" and name:
        signals[str(name)] = str(event.get("status") or "running")
    elif stage == "fetch":
        progress["fetch"] = event.get("fraction", 0.0)
    return progress
