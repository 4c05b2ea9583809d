"""The analysis pool: the web app's cases, run on the batch engine, with the case store as the queue.

There is one way to run analyses: every case becomes a `batch.unit.UnitTask` and runs on an engine
(`batch/engine.py`) - the local engine's worker processes by default, Ray tasks when the server is
started with `--engine ray` - through `batch.unit.run_unit`, as `vidsleuth batch` runs its inputs. One
supervisor thread drives the engine: it claims the oldest queued case whenever a worker is free,
relays each running case's live progress (the engine's snapshots of the worker's throttled pipeline
events) into the store, where the page and the API poll it, and stores the report or the failure.

What keeps one server healthy lives in the engine and is set from the server's settings: a worker that
dies (a decoder crash, the memory cap) fails only its own case and is replaced (`out_of_memory` when it
had come near its cap, which the local engine samples twice a second, else `worker_crashed`); one that
runs past the job timeout is stopped (`timeout`); each is recycled after `jobs_per_worker` analyses,
or after running out of memory, so that memory cannot creep up.

The store, not this object or the engine, is the queue: a case is claimed only when a worker is ready
for it, nothing waits only in memory, so a server that stops (gracefully or not) loses no case. At
start, cases left running are queued again (see `CaseStore.recover`). Local workers are started with
the "spawn" method: the web server's threads and open sockets are never forked into them.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import select
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from vidsleuth.batch.engine import Engine
from vidsleuth.batch.local_engine import WorkerSlot
from vidsleuth.batch.unit import UnitOutcome, WorkerConfig, new_progress
from vidsleuth.web.cases_store import CaseStore
from vidsleuth.web.settings import ServerSettings
from vidsleuth.web.worker import Job, job_task

log = logging.getLogger(__name__)
_TICK_S = 0.5
_LOST = ("worker_crashed", "timeout", "out_of_memory")  # failures the engine reports for a lost worker


@dataclass
class _Case:
    """A case handed to the engine (by ticket)."""

    case_id: str
    name: str
    stored_name: str | None
    written: dict[str, Any] | None = None  # the progress last written to the store
    progress: dict[str, Any] = field(default_factory=new_progress)


class WorkerView:
    """A local worker as the health figures and tests see it: its process and the case it runs."""

    def __init__(self, slot: WorkerSlot, cases: dict[int, _Case]) -> None:
        self._slot, self._cases = slot, cases

    @property
    def process(self) -> BaseProcess:
        return self._slot.process

    @property
    def ready(self) -> bool:
        return self._slot.ready

    @property
    def case_id(self) -> str | None:
        task = self._slot.task
        case = self._cases.get(task.ticket) if task is not None else None
        return case.case_id if case is not None else None

    @property
    def memory_mb(self) -> int:
        return self._slot.memory_mb

    @memory_mb.setter
    def memory_mb(self, value: int) -> None:
        self._slot.memory_mb = value


class AnalysisPool:
    """Runs the store's cases on an engine; `start()` at server start-up, `stop()` at shutdown."""

    def __init__(self, store: CaseStore, settings: ServerSettings) -> None:
        self._store = store
        self._settings = settings
        self._engine: Engine | None = None
        self._cases: dict[int, _Case] = {}
        self._tickets = itertools.count(1)
        self._stop = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread: threading.Thread | None = None

    # Life cycle ------------------------------------------------------------------------------------

    def start(self) -> None:
        requeued, failed = self._store.recover(self._settings.max_attempts)
        if requeued or failed:
            log.warning(
                "recovered %d interrupted case(s); %d gave up after retries", len(requeued), len(failed)
            )
        self._engine = make_engine(self._settings)
        self._thread = threading.Thread(target=self._run, name="vidsleuth-supervisor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the workers; cases they were running go back to the queue for the next start."""
        self._stop.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout)
        for case in list(self._cases.values()):
            with contextlib.suppress(Exception):
                self._store.release(case.case_id)
        self._cases.clear()
        if self._engine is not None:
            with contextlib.suppress(Exception):
                self._engine.close()
        self._wake_r.close()
        self._wake_w.close()

    def wake(self) -> None:
        """Tell the supervisor a case was queued (it also looks every half second)."""
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    def stats(self) -> dict[str, int]:
        engine = self._engine
        workers = engine.workers if engine is not None else 0
        return {
            "workers": workers,
            "ready": int(getattr(engine, "ready", workers)),
            "busy": len(self._cases),
            "crashes": self.crashes,
        }

    @property
    def crashes(self) -> int:
        """Workers lost while running a case, for the health endpoint and tests."""
        return self._engine.crashes if self._engine is not None else 0

    @property
    def peak_worker_mb(self) -> int:
        """The most private memory a local worker was seen to use (sampled twice a second)."""
        return int(getattr(self._engine, "peak_worker_mb", 0))

    @property
    def _workers(self) -> list[WorkerView]:
        slots: list[WorkerSlot] = list(getattr(self._engine, "slots", ()))
        return [WorkerView(slot, self._cases) for slot in slots]

    # Supervisor ------------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._tick()
            except Exception as exc:  # the supervisor must outlive any single bad event
                log.error("analysis pool: %s: %s", type(exc).__name__, exc, exc_info=exc)
                time.sleep(_TICK_S)

    def _tick(self) -> None:
        engine = self._engine
        assert engine is not None
        s = self._settings  # read each tick: a test (or an operator's reload) may change the limits
        for name, value in (("time_limit_s", s.job_timeout_s), ("jobs_per_worker", s.jobs_per_worker)):
            if hasattr(engine, name):
                setattr(engine, name, value)
        self._submit(engine)
        if engine.in_flight() == 0:
            with contextlib.suppress(OSError, ValueError):
                if select.select([self._wake_r], [], [], _TICK_S)[0]:
                    self._wake_r.recv(4096)
            outcomes = engine.results(0.0)  # lets the engine start, replace and recycle its workers
        else:
            outcomes = engine.results(_TICK_S if engine.in_flight() >= engine.workers else _TICK_S / 2)
        for outcome in outcomes:
            self._finish(outcome)
        self._relay(engine.progress())

    def _submit(self, engine: Engine) -> None:
        """Claim queued cases while a worker is free (and, on the local engine, started)."""
        s = self._settings
        while not self._stop.is_set():
            free = min(engine.workers, int(getattr(engine, "ready", engine.workers)))
            if engine.in_flight() >= free:
                return
            claimed = self._store.claim_next()
            if claimed is None:
                return
            case = claimed.case
            path = str(s.uploads_dir / case.stored_name) if case.stored_name else None
            if case.source_kind == "upload" and (path is None or not Path(path).is_file()):
                self._store.fail(
                    case.id, "upload_missing", "the uploaded file is no longer on the server; submit it again"
                )
                continue
            upload = case.source_kind == "upload"
            job = Job(
                case.id,
                case.display_name,
                s.job_settings,
                s.max_duration_s,
                path=path if upload else None,
                sha256=case.sha256 if upload else None,
                url=case.source_url if case.source_kind == "url" else None,
                fetch_dir=str(s.uploads_dir),
            )
            ticket = next(self._tickets)
            self._cases[ticket] = _Case(case.id, case.display_name, case.stored_name)
            engine.submit(job_task(job, ticket))

    def _relay(self, snapshots: dict[int, dict[str, Any]]) -> None:
        for ticket, snapshot in snapshots.items():
            case = self._cases.get(ticket)
            if case is not None:
                self._write_progress(case, snapshot)

    def _write_progress(self, case: _Case, snapshot: dict[str, Any], store: bool = True) -> None:
        source = snapshot.get("source")
        if source and source.get("stored_name") != case.stored_name:  # a URL case's file is on disk
            case.stored_name = str(source["stored_name"])
            self._store.set_source(
                case.case_id,
                display_name=str(source["display_name"]),
                stored_name=case.stored_name,
                size_bytes=int(source["size"]),
                sha256=str(source["sha256"]),
            )
        progress = {k: v for k, v in snapshot.items() if k != "source"}
        case.progress = progress
        if store and progress != case.written:
            self._store.set_progress(case.case_id, progress)
            case.written = progress

    def _finish(self, outcome: UnitOutcome) -> None:
        case = self._cases.pop(outcome.ticket, None)
        if case is None:
            return
        final = dict(outcome.progress or case.progress)
        if outcome.extra.get("source"):  # a URL case's file, whether or not its event was relayed
            final["source"] = outcome.extra["source"]
        self._write_progress(case, final, store=False)  # written with the outcome below
        progress = dict(case.progress)
        if outcome.ok and outcome.report is not None:
            progress.update(stage="done", fraction=1.0)
            progress["signals"] = {
                str(r.get("signal")): str(r.get("status")) for r in outcome.report.get("results") or ()
            }
            self._store.finish(case.case_id, outcome.report, progress)
        else:
            progress["stage"] = "failed"
            code, text = outcome.code, outcome.error or ""
            if code in _LOST and text.startswith(f"{case.name}: "):
                text = text[len(case.name) + 2 :]  # the page names the case already
            if code == "out_of_memory":
                text = _out_of_memory(self._settings.worker_memory_mb)
            self._store.fail(case.case_id, code, text, progress)
            if code in _LOST:
                log.warning("case %s failed: %s", case.case_id, text)
        if not self._settings.keep_uploads and case.stored_name:
            with contextlib.suppress(OSError):
                (self._settings.uploads_dir / case.stored_name).unlink()


def make_engine(settings: ServerSettings) -> Engine:
    """The engine the server's analyses run on (`settings.engine`), with live progress and recycling."""
    config = WorkerConfig(
        settings=settings.job_settings,
        token=f"web-{os.urandom(8).hex()}",
        # Ray manages its workers' memory (its memory monitor), as for `batch --engine ray`.
        memory_mb=settings.worker_memory_mb if settings.engine == "local" else None,
        render_html=False,
        max_download_bytes=settings.max_upload_bytes,
        fetch_timeout_s=settings.fetch_timeout_s,
        url_exempt_networks=settings.url_exempt_networks,
    )
    if settings.engine == "ray":
        from vidsleuth.batch.ray_engine import RayEngine

        return RayEngine(
            config,
            settings.workers,
            address=settings.ray_address,
            time_limit_s=settings.job_timeout_s,
            jobs_per_worker=settings.jobs_per_worker,
            live_progress=True,
        )
    from vidsleuth.batch.local_engine import LocalEngine

    return LocalEngine(
        config,
        settings.workers,
        settings.job_timeout_s,
        jobs_per_worker=settings.jobs_per_worker,
        live_progress=True,
    )


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
