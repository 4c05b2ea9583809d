"""The unit of work of a batch, the same function on every engine: one input in, one outcome out.

`run_unit` fetches a URL (through the SSRF-safe fetcher of the web app), hashes and probes the file,
calls `analyze` and renders the HTML report; it never raises for a bad input: the outcome carries a
one-line reason instead. Everything a worker process needs once (the signal registry, the prepared
settings, the memory cap) lives in a `WorkerState` built by `worker_state(config)` the first time a
process runs a unit and reused afterwards, so that per-process caches (the fingerprint bank's index)
are loaded once per worker, not once per file.

Tasks and outcomes are small picklable dataclasses: they cross a pipe (local engine) or Ray's object
store (Ray engine) unchanged.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from vidsleuth.core.settings import Settings
from vidsleuth.errors import InputError

DEFAULT_MAX_DOWNLOAD_BYTES = 2 << 30  # 2 GiB per URL
DEFAULT_FETCH_TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """What every worker is started with (sent once per worker, never per unit)."""

    settings: Settings  # prepared
    token: str = ""  # names this batch run: a worker process keeps its state while the token is the same
    memory_mb: int | None = None
    render_html: bool = True
    max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES
    fetch_timeout_s: float = DEFAULT_FETCH_TIMEOUT_S
    url_exempt_networks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnitTask:
    """One analysis to run. `sha256` is the hash the driver computed (None for a URL, fetched here)."""

    ticket: int
    name: str
    path: str | None = None
    url: str | None = None
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class UnitOutcome:
    """What came of one task. `code` is ok, or a short failure class (bad_input, url_refused, fetch_failed,
    timeout, out_of_memory, worker_crashed, internal_error); `error` is the one-line reason."""

    ticket: int
    code: str
    error: str | None = None
    report: dict[str, Any] | None = None
    html: str | None = None
    sha256: str | None = None
    elapsed_s: float = 0.0
    cpu_s: float = 0.0
    worker: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.code == "ok"

    @classmethod
    def failed(cls, ticket: int, code: str, error: str, **kw: Any) -> UnitOutcome:
        return cls(ticket=ticket, code=code, error=" ".join(error.split())[:500], **kw)


class WorkerState:
    """Per-process state: the registry and settings, built once (see `worker_state`)."""

    def __init__(self, config: WorkerConfig) -> None:
        from vidsleuth.registry import shared_registry
        from vidsleuth.web.worker import limit_memory

        limit_memory(config.memory_mb)
        self.config = config
        self.registry = shared_registry()
        self.units = 0


_STATE: dict[str, WorkerState] = {}


def worker_state(config: WorkerConfig) -> WorkerState:
    """This process's state for `config` (built on first use; a process serves one batch at a time)."""
    key = config.token or str(id(config))
    state = _STATE.get(key)
    if state is None:
        _STATE.clear()
        state = _STATE[key] = WorkerState(config)
    return state


def run_unit(task: UnitTask, state: WorkerState) -> UnitOutcome:
    """Run one task; returns its outcome, never raises for a bad input."""
    from vidsleuth.web.urlfetch import FetchError, UrlRefusedError

    started, cpu0 = time.monotonic(), time.process_time()
    state.units += 1
    tmpdir: str | None = None
    worker = f"{os.uname().nodename}:{os.getpid()}"
    try:
        path, sha256 = task.path, task.sha256
        if task.url is not None:
            tmpdir = tempfile.mkdtemp(prefix="vidsleuth-batch-")
            path, sha256 = _fetch(task.url, tmpdir, state.config)
        if path is None:
            raise InputError(f"{task.name}: nothing to analyse")
        report, html = _analyse(path, task.name, sha256, state)
        return UnitOutcome(
            ticket=task.ticket,
            code="ok",
            report=report,
            html=html,
            sha256=str(report["source"]["sha256"]),
            elapsed_s=time.monotonic() - started,
            cpu_s=time.process_time() - cpu0,
            worker=worker,
        )
    except UrlRefusedError as exc:
        code, text = "url_refused", str(exc)
    except FetchError as exc:
        code, text = "fetch_failed", str(exc)
    except InputError as exc:
        code, text = "bad_input", str(exc)
    except MemoryError:
        code, text = "out_of_memory", "the analysis ran out of memory (raise --memory-mb)"
    except Exception as exc:  # a bug: this unit fails with a one-line reason, the worker lives on
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        code, text = "internal_error", f"internal error: {type(exc).__name__}: {first}"
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return UnitOutcome.failed(
        task.ticket,
        code,
        text,
        elapsed_s=time.monotonic() - started,
        cpu_s=time.process_time() - cpu0,
        worker=worker,
    )


def _analyse(
    path: str, name: str, sha256: str | None, state: WorkerState
) -> tuple[dict[str, Any], str | None]:
    from vidsleuth.media import open_media
    from vidsleuth.pipeline import analyze

    settings = state.config.settings
    display = os.path.basename(name.rstrip("/")) or name
    opened = open_media(path, display, max_pixels=settings.max_pixels)
    if sha256 is not None and opened.source.sha256 != sha256:
        raise InputError(
            f"{name}: the file changed while the batch ran (its content hash differs); run again"
        )
    report = analyze(opened, settings, registry=state.registry)
    html: str | None = None
    if state.config.render_html:
        from vidsleuth.report import render

        html = render(report, "html")
    return report.to_dict(), html


def _fetch(url: str, tmpdir: str, config: WorkerConfig) -> tuple[str, str]:
    """Download `url` into `tmpdir` through the SSRF-safe fetcher (post pages through the downloader)."""
    from pathlib import Path

    from vidsleuth.web.downloader import resolve_post
    from vidsleuth.web.urlfetch import NotAVideoPageError, fetch_to_file

    dest = Path(tmpdir) / "download"
    common: dict[str, Any] = {
        "max_bytes": config.max_download_bytes,
        "timeout": config.fetch_timeout_s,
        "exempt": config.url_exempt_networks,
    }
    try:
        got = fetch_to_file(url, dest, **common)
    except NotAVideoPageError:
        link = resolve_post(url, timeout=config.fetch_timeout_s, exempt=config.url_exempt_networks)
        with contextlib.suppress(OSError):
            dest.unlink()
        got = fetch_to_file(link.url, dest, headers=link.headers, **common)
    return str(dest), got.sha256
