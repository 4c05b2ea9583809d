"""The unit of work of a batch, the same function on every engine: one input in, one outcome out.

`run_unit` fetches a URL (through the SSRF-safe fetcher of the web app), hashes and probes the file,
calls `analyze` and renders the HTML report; it never raises for a bad input: the outcome carries a
one-line reason instead. Everything a worker process needs once (the signal registry, the prepared
settings, the memory cap) lives in a `WorkerState` built by `worker_state(config)` the first time a
process runs a unit and reused afterwards, so that per-process caches (the fingerprint bank's index)
are loaded once per worker, not once per file.

Tasks and outcomes are small picklable dataclasses: they cross a pipe (local engine) or Ray's object
store (Ray engine) unchanged. The web app runs its cases as units too (`web/pool.py`): a task may carry
a duration limit, a folder to keep a fetched file in (the server's uploads) and a hash the server
computed while receiving the upload (trusted, not read again). While it runs, a unit can report its
progress as small dicts (`ProgressSink`); `fold_progress` folds them into the snapshot the page shows.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vidsleuth.core.settings import Settings
from vidsleuth.errors import InputError

DEFAULT_MAX_DOWNLOAD_BYTES = 2 << 30  # 2 GiB per URL
DEFAULT_FETCH_TIMEOUT_S = 60.0

ProgressSink = Callable[[dict[str, Any]], None]


class TooLongError(InputError):
    """The video is longer than the server accepts."""


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
    verify_sha256: bool = True  # False: `sha256` was computed as the file arrived; trust it, never re-read
    max_duration_s: float | None = None  # a longer video fails as too_long before its frames are decoded
    fetch_dir: str | None = None  # a URL's file is kept here (random name) instead of a temporary folder


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
    progress: dict[str, Any] | None = None  # the last progress snapshot (engines with live progress)

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


def run_unit(task: UnitTask, state: WorkerState, progress: ProgressSink | None = None) -> UnitOutcome:
    """Run one task; returns its outcome, never raises for a bad input. `progress`, when given, gets the
    unit's events: {"stage": "plan", "signals": [...]}, {"stage": "fetched", "source": {...}} and the
    pipeline's stages (throttled to about four decode updates a second)."""
    from vidsleuth.web.urlfetch import FetchError, UrlRefusedError

    started, cpu0 = time.monotonic(), time.process_time()
    state.units += 1
    tmpdir: str | None = None
    worker = f"{os.uname().nodename}:{os.getpid()}"
    extra: dict[str, Any] = {}  # "source": a kept download (the server removes or reuses it)
    try:
        path, sha256, name, verify = task.path, task.sha256, task.name, task.verify_sha256
        if task.url is not None:
            if progress is not None:
                progress({"stage": "fetch", "fraction": 0.0})
            if task.fetch_dir is None:
                tmpdir = tempfile.mkdtemp(prefix="vidsleuth-batch-")
                path, sha256, _ = _fetch(task.url, os.path.join(tmpdir, "download"), state.config)
            else:
                path, name, sha256, extra["source"] = _fetch_to_keep(
                    task.url, task.fetch_dir, state.config, progress
                )
                verify = False
        if path is None:
            raise InputError(f"{task.name}: nothing to analyse")
        if progress is not None:
            progress({"stage": "plan", "signals": list(state.registry.names())})
        report, html = _analyse(path, name, sha256, state, task, verify, progress)
        return UnitOutcome(
            ticket=task.ticket,
            code="ok",
            report=report,
            html=html,
            sha256=str(report["source"]["sha256"]),
            elapsed_s=time.monotonic() - started,
            cpu_s=time.process_time() - cpu0,
            worker=worker,
            extra=extra,
        )
    except UrlRefusedError as exc:
        code, text = "url_refused", str(exc)
    except FetchError as exc:
        code, text = "fetch_failed", str(exc)
    except TooLongError as exc:
        code, text = "too_long", str(exc)
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
        extra=extra,
    )


def _analyse(
    path: str,
    name: str,
    sha256: str | None,
    state: WorkerState,
    task: UnitTask,
    verify: bool,
    progress: ProgressSink | None,
) -> tuple[dict[str, Any], str | None]:
    from vidsleuth.media import open_media
    from vidsleuth.pipeline import analyze

    settings = state.config.settings
    display = os.path.basename(name.rstrip("/")) or name
    known = sha256 if not verify and sha256 and len(sha256) == 64 else None
    # Hashed (unless the hash is known) and probed once; `analyze` starts from this.
    opened = open_media(path, display, max_pixels=settings.max_pixels, sha256=known)
    if verify and sha256 is not None and opened.source.sha256 != sha256:
        raise InputError(
            f"{name}: the file changed while the batch ran (its content hash differs); run again"
        )
    duration = opened.media.duration_s
    if task.max_duration_s is not None and duration is not None and duration > task.max_duration_s:
        raise TooLongError(
            f"{display}: the video is {duration:.0f} s long; this server analyses videos up to "
            f"{task.max_duration_s:.0f} s (cut it, or ask the operator to raise --max-duration)"
        )
    events = _Throttle(progress) if progress is not None else None
    report = analyze(opened, settings, progress=events, registry=state.registry)
    html: str | None = None
    if state.config.render_html:
        from vidsleuth.report import render

        html = render(report, "html")
    return report.to_dict(), html


def _fetch_to_keep(
    url: str, folder: str, config: WorkerConfig, progress: ProgressSink | None
) -> tuple[str, str, str, dict[str, Any]]:
    """Fetch a web case's URL into `folder` under a random name; returns (path, display name, sha256,
    the kept file's description: display_name, stored_name, size, sha256)."""
    from vidsleuth.media.source import safe_display_name

    stored = f"{os.urandom(16).hex()}.upload"
    dest = os.path.join(folder, stored)
    _, sha256, got = _fetch(url, dest, config)
    name = safe_display_name(os.path.basename(got[1].replace("\\", "/")) or "download")
    source = {"display_name": name, "stored_name": stored, "size": got[0], "sha256": sha256}
    if progress is not None:
        progress({"stage": "fetched", "source": source})
    return dest, name, sha256, source


def _fetch(url: str, destination: str, config: WorkerConfig) -> tuple[str, str, tuple[int, str]]:
    """Download `url` to `destination` through the SSRF-safe fetcher (post pages through the downloader);
    returns (path, sha256, (size, the file name the server or the post page gives))."""
    from pathlib import Path

    from vidsleuth.web.downloader import resolve_post
    from vidsleuth.web.urlfetch import NotAVideoPageError, fetch_to_file

    dest = Path(destination)
    common: dict[str, Any] = {
        "max_bytes": config.max_download_bytes,
        "timeout": config.fetch_timeout_s,
        "exempt": config.url_exempt_networks,
    }
    try:
        got = fetch_to_file(url, dest, **common)
        filename = got.filename
    except NotAVideoPageError:
        link = resolve_post(url, timeout=config.fetch_timeout_s, exempt=config.url_exempt_networks)
        with contextlib.suppress(OSError):
            dest.unlink()
        got = fetch_to_file(link.url, dest, headers=link.headers, **common)
        filename = f"{link.title}.{link.ext}"
    return str(dest), got.sha256, (got.size_bytes, filename)


class _Throttle:
    """Pass every stage change and signal result; pass decode progress at most ~4 times a second."""

    def __init__(self, sink: ProgressSink) -> None:
        self._sink, self._last_t, self._last_stage = sink, 0.0, ""

    def __call__(self, event: Any) -> None:
        now = time.monotonic()
        recent = now - self._last_t < 0.25
        if event.stage == "decode" and self._last_stage == "decode" and recent and event.fraction < 1.0:
            return
        self._last_t, self._last_stage = now, event.stage
        payload: dict[str, Any] = {"stage": event.stage, "fraction": round(float(event.fraction), 3)}
        if event.signal:
            payload["signal"] = event.signal
        if event.status:
            payload["status"] = event.status
        self._sink(payload)


def new_progress() -> dict[str, Any]:
    """The snapshot of a unit that has been handed to a worker and has not reported yet."""
    return {"stage": "starting", "signals": {}}


def fold_progress(progress: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """Fold one unit event into its snapshot (stage, fetch and decode fractions, per-signal state, and
    the fetched file's `source`); returns the snapshot, changed in place."""
    stage = str(event.get("stage", ""))
    signals: dict[str, str] = progress.setdefault("signals", {})
    if stage == "plan":
        progress["signals"] = dict.fromkeys((str(n) for n in event.get("signals") or ()), "waiting")
        return progress
    if stage == "fetched":
        progress["source"] = dict(event.get("source") or {})
        return progress
    progress["stage"] = stage
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
