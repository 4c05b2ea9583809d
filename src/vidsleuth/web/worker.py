"""What runs inside a worker process: fetch (for URL cases), check the limits, call `analyze`.

A worker is a separate process, so a hostile file that crashes or exhausts a decoder takes down one
worker and fails one case, never the web server. It talks to the supervisor (`pool.py`) over its own
pipe with small tuples:

    ("ready", pid)                          the worker has imported the pipeline and waits for jobs
    ("plan", case_id, [signal, ...])        the signals that will run, in report order
    ("fetched", case_id, {...})             a URL case's file is on disk (name, size, sha256)
    ("progress", case_id, {...})            a pipeline ProgressEvent, throttled
    ("done", case_id, report_dict)          the report, as `Report.to_dict()`
    ("failed", case_id, code, message)      a one-line reason the user can act on

No analysis logic lives here: the pipeline decides everything about the video.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from vidsleuth.core.settings import Settings
from vidsleuth.errors import InputError
from vidsleuth.web.downloader import resolve_post
from vidsleuth.web.urlfetch import FetchError, NotAVideoPageError, UrlRefusedError, fetch_to_file

Send = Callable[[tuple[Any, ...]], None]


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


class TooLongError(InputError):
    """The video is longer than the server accepts."""


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


def worker_main(conn: Connection, memory_mb: int | None) -> None:
    """Entry point of a worker process: serve jobs from `conn` until told to stop (None) or EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops workers itself
    limit_memory(memory_mb)
    from vidsleuth.registry import shared_registry

    registry = shared_registry()
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        run_job(job, conn.send, registry)


class _Throttle:
    """Pass every stage change and signal result; pass decode progress at most ~4 times a second."""

    def __init__(self, send: Send, case_id: str) -> None:
        self._send, self._case, self._last_t, self._last_stage = send, case_id, 0.0, ""

    def __call__(self, event: Any) -> None:
        now = time.monotonic()
        recent = now - self._last_t < 0.25
        if event.stage == "decode" and self._last_stage == "decode" and recent and event.fraction < 1.0:
            return
        self._last_t, self._last_stage = now, event.stage
        payload = {"stage": event.stage, "fraction": round(float(event.fraction), 3)}
        if event.signal:
            payload["signal"] = event.signal
        if event.status:
            payload["status"] = event.status
        self._send(("progress", self._case, payload))


def _fetch(job: Job, send: Send) -> tuple[str, str, str]:
    """Fetch a URL case's file; returns (path, display name, sha256 computed while it was written)."""
    assert job.url is not None
    stored = f"{os.urandom(16).hex()}.upload"
    dest = Path(job.fetch_dir) / stored
    send(("progress", job.case_id, {"stage": "fetch", "fraction": 0.0}))
    try:
        got = fetch_to_file(
            job.url,
            dest,
            max_bytes=job.max_bytes,
            timeout=job.fetch_timeout_s,
            exempt=job.url_exempt_networks,
        )
    except NotAVideoPageError:
        link = resolve_post(job.url, timeout=job.fetch_timeout_s, exempt=job.url_exempt_networks)
        got = fetch_to_file(
            link.url,
            dest,
            max_bytes=job.max_bytes,
            timeout=job.fetch_timeout_s,
            exempt=job.url_exempt_networks,
            headers=link.headers,
        )
        got = type(got)(
            got.final_url, got.size_bytes, got.sha256, got.content_type, f"{link.title}.{link.ext}"
        )
    from vidsleuth.media.source import safe_display_name

    name = safe_display_name(os.path.basename(got.filename.replace("\\", "/")) or "download")
    send(
        (
            "fetched",
            job.case_id,
            {"display_name": name, "stored_name": stored, "size": got.size_bytes, "sha256": got.sha256},
        )
    )
    return str(dest), name, got.sha256


def run_job(job: Job, send: Send, registry: Any = None) -> None:
    """Run one case and report the outcome through `send`; never raises for a bad input."""
    from vidsleuth.media import open_media
    from vidsleuth.pipeline import analyze

    try:
        if registry is not None:
            send(("plan", job.case_id, list(registry.names())))
        path, name, sha256 = (job.path or "", job.display_name, job.sha256)
        if job.url:
            path, name, sha256 = _fetch(job, send)
        known = sha256 if sha256 and len(sha256) == 64 else None
        # Hashed (unless the upload already was) and probed once; `analyze` starts from this.
        opened = open_media(path, name, max_pixels=job.settings.max_pixels, sha256=known)
        duration = opened.media.duration_s
        if duration is not None and duration > job.max_duration_s:
            raise TooLongError(
                f"{name}: the video is {duration:.0f} s long; this server analyses videos up to "
                f"{job.max_duration_s:.0f} s (cut it, or ask the operator to raise --max-duration)"
            )
        report = analyze(opened, job.settings, progress=_Throttle(send, job.case_id), registry=registry)
        send(("done", job.case_id, report.to_dict()))
    except UrlRefusedError as exc:
        send(("failed", job.case_id, "url_refused", str(exc)))
    except FetchError as exc:
        send(("failed", job.case_id, "fetch_failed", str(exc)))
    except TooLongError as exc:
        send(("failed", job.case_id, "too_long", str(exc)))
    except InputError as exc:
        send(("failed", job.case_id, "bad_input", str(exc)))
    except MemoryError:
        send(("failed", job.case_id, "out_of_memory", "the analysis ran out of memory on this server"))
    except Exception as exc:  # a bug: the case fails with a one-line reason, the worker lives on
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        send(("failed", job.case_id, "internal_error", f"internal error: {type(exc).__name__}: {text}"[:500]))
