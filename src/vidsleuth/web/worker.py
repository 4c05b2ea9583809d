"""One web case as a unit of work: the case's `Job`, the memory cap of analysis processes, and `run_job`.

The web app runs its analyses on the batch engine (`web/pool.py`, `batch/engine.py`): a case becomes a
`batch.unit.UnitTask` and runs through `batch.unit.run_unit`, the same function `vidsleuth batch` runs, so
there is one way to run an analysis. `run_job` runs one case in this process and reports it with the small
tuples the web's worker protocol always used (tests and `bench/bench_worker_memory.py` drive it):

    ("plan", case_id, [signal, ...])        the signals that will run, in report order
    ("fetched", case_id, {...})             a URL case's file is on disk (name, size, sha256)
    ("progress", case_id, {...})            a pipeline ProgressEvent, throttled
    ("done", case_id, report_dict)          the report, as `Report.to_dict()`
    ("failed", case_id, code, message)      a one-line reason the user can act on

No analysis logic lives here: the pipeline decides everything about the video.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vidsleuth.batch.unit import TooLongError, UnitTask, WorkerConfig, WorkerState, run_unit
from vidsleuth.core.settings import Settings

Send = Callable[[tuple[Any, ...]], None]

__all__ = ["Job", "Send", "TooLongError", "job_task", "limit_memory", "run_job"]


@dataclass(frozen=True, slots=True)
class Job:
    case_id: str
    display_name: str
    settings: Settings
    max_duration_s: float
    path: str | None = None  # an uploaded file
    sha256: str | None = None  # its content hash, computed while it was received (not read again)
    url: str | None = None  # or a URL to fetch into `fetch_dir`
    fetch_dir: str = ""
    max_bytes: int = 0
    fetch_timeout_s: float = 60.0
    url_exempt_networks: tuple[str, ...] = ()


def limit_memory(megabytes: int | None) -> None:
    """Cap this process's private writable memory (RLIMIT_DATA: heap, anonymous mappings, thread stacks).

    Not RLIMIT_AS: address space also counts what is only reserved (each thread's malloc arena, the
    libraries' mappings), which onnxruntime and FFmpeg's threads make large and unrelated to what the
    process uses; RLIMIT_DATA counts memory as it is made writable, close to what the process can
    really fill. Past the cap an allocation fails: Python raises MemoryError (a signal that hits it
    fails alone; elsewhere the case fails as out_of_memory), FFmpeg drops the frame it could not
    decode, and native code that cannot cope ends the worker, which fails that case only."""
    if not megabytes:
        return
    import resource

    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def job_task(job: Job, ticket: int = 0) -> UnitTask:
    """The unit of work of a case: an upload's path and the hash computed as it arrived, or its URL."""
    return UnitTask(
        ticket=ticket,
        name=job.display_name,
        path=job.path,
        url=job.url,
        sha256=job.sha256,
        verify_sha256=False,
        max_duration_s=job.max_duration_s,
        fetch_dir=job.fetch_dir if job.url else None,
    )


def run_job(job: Job, send: Send, registry: Any = None) -> None:
    """Run one case in this process and report it through `send`; never raises for a bad input."""
    config = WorkerConfig(
        settings=job.settings,
        render_html=False,
        max_download_bytes=job.max_bytes,
        fetch_timeout_s=job.fetch_timeout_s,
        url_exempt_networks=job.url_exempt_networks,
    )
    state = WorkerState(config)
    if registry is not None:
        state.registry = registry

    def relay(event: dict[str, Any]) -> None:
        if event.get("stage") == "plan":
            send(("plan", job.case_id, list(event.get("signals") or ())))
        elif event.get("stage") == "fetched":
            send(("fetched", job.case_id, dict(event.get("source") or {})))
        else:
            send(("progress", job.case_id, event))

    outcome = run_unit(job_task(job), state, relay)
    if outcome.ok and outcome.report is not None:
        send(("done", job.case_id, outcome.report))
    else:
        send(("failed", job.case_id, outcome.code, outcome.error or ""))
