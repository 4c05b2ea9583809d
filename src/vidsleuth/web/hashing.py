"""Hashing uploads for `POST /api/hash` and `POST /api/match`, off the event loop and under the same
bounds as analyses.

A file sent to be hashed is as hostile as one sent to be analysed: a decoder can crash on it, a header can
declare frames of 16000x16000 pixels, a container can say 1 s and hold an hour. So hashing runs in
separate worker processes (started with "spawn", as the analysis pool's), each capped with the memory
limit of an analysis (`worker.limit_memory`, RLIMIT_DATA) and stopped after the analysis time limit. A
process that dies or runs past the limit fails only its request and is replaced on the next one.

`HashService` keeps at most `workers` such processes, started when first needed (a server that never
hashes never pays for them); a request waits up to `QUEUE_WAIT_S` for a free one, then gets 503.
`hash_upload` is the hashing itself: the fingerprint the `fingerprint` signal makes of the same file
(same sampling, frame size, variant hashes and duration rule; a still image is hashed as a photo, as
`vidsleuth bank search` does).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from vidsleuth.core.signal import FrameSample, Sampling
from vidsleuth.errors import InputError
from vidsleuth.fingerprint.video import FingerprintBuilder, VideoFingerprint, image_fingerprint
from vidsleuth.web.errors import ApiError
from vidsleuth.web.worker import TooLongError, limit_memory

QUEUE_WAIT_S = 30.0


@dataclass(frozen=True, slots=True)
class HashJob:
    path: str
    display_name: str
    fps: float
    max_side: int | None
    max_pixels: int
    max_duration_s: float


def hash_upload(job: HashJob) -> VideoFingerprint:
    """The query fingerprint of a video or still image, as the fingerprint signal makes it.

    Raises InputError (not a video, truncated, too large, too long)."""
    from vidsleuth.fingerprint.reader import read_still
    from vidsleuth.media import FrameConsumer, decode_shared, open_source, probe

    still = read_still(
        job.path, max_pixels=job.max_pixels, max_side=job.max_side, display_name=job.display_name
    )
    if still is not None:
        return image_fingerprint(still, "query")
    source = open_source(job.path, job.display_name)
    media = probe(source, job.max_pixels)
    if media.duration_s is not None and media.duration_s > job.max_duration_s:
        raise TooLongError(
            f"{job.display_name}: the video is {media.duration_s:.0f} s long; this server hashes videos up "
            f"to {job.max_duration_s:.0f} s"
        )
    builder = FingerprintBuilder(job.fps)
    failure: list[BaseException] = []

    def handle(sample: FrameSample) -> None:
        if sample.pixels is not None:
            builder.add(sample.pixels, sample.time_s, sample.index)

    consumer = FrameConsumer(
        "fingerprint",
        Sampling(fps=job.fps, max_side=job.max_side, pixel_format="rgb24"),
        handle,
        failure.append,
    )
    stats = decode_shared(
        source, media, [consumer], max_pixels=job.max_pixels, max_duration_s=job.max_duration_s
    )
    if failure:
        raise failure[0]
    duration = None
    if stats.last_time_s is not None:
        duration = stats.last_time_s + (stats.frame_interval_median_s or 0.0)
    return builder.result(duration or media.duration_s)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:500] if text else type(exc).__name__


def run_hash_job(job: HashJob) -> tuple[Any, ...]:
    """("ok", fingerprint) or ("failed", http status, code, message); never raises for a bad input."""
    try:
        return ("ok", hash_upload(job))
    except TooLongError as exc:
        return ("failed", 422, "too_long", _first_line(exc))
    except InputError as exc:
        return ("failed", 422, "bad_input", _first_line(exc))
    except MemoryError:
        return ("failed", 422, "out_of_memory", "hashing this file needs more memory than this server allows")
    except Exception as exc:  # a bug or a decoder surprise: one line, the worker lives on
        return (
            "failed",
            422,
            "unreadable",
            f"the file could not be hashed ({type(exc).__name__}: {_first_line(exc)})",
        )


def hash_worker_main(conn: Connection, memory_mb: int | None) -> None:
    """Entry point of a hashing process: answer jobs from `conn` until None or EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit_memory(memory_mb)
    import vidsleuth.fingerprint.pdq  # noqa: F401 - imported before the first job, not during it

    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(run_hash_job(job))


class _Slot:
    """One hashing process and its pipe; (re)started on demand."""

    def __init__(self, ctx: Any, memory_mb: int | None) -> None:
        self._ctx, self._memory_mb = ctx, memory_mb
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None

    def _start(self) -> tuple[BaseProcess, Connection]:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=hash_worker_main, args=(child, self._memory_mb), name="vidsleuth-hasher", daemon=True
        )
        process.start()
        child.close()
        self.process, self.conn = process, parent
        return process, parent

    def run(self, job: HashJob, timeout_s: float) -> tuple[Any, ...]:
        process, conn = (self.process, self.conn) if self.process is not None else self._start()
        assert conn is not None and process is not None
        if not process.is_alive():
            self.stop()
            process, conn = self._start()
        try:
            conn.send(job)
            while True:  # skip the start-up "ready" message
                if not conn.poll(timeout_s):
                    self.stop()
                    return (
                        "failed",
                        422,
                        "timeout",
                        f"hashing took longer than {timeout_s:.0f} s and was stopped",
                    )
                message = conn.recv()
                if message[0] != "ready":
                    return tuple(message)
        except (EOFError, OSError, ValueError):
            self.stop()
            return (
                "failed",
                422,
                "worker_crashed",
                "the hashing process stopped on this file; it may be malformed, or need more memory than "
                "this server allows",
            )

    def stop(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
        if self.process is not None:
            self.process.join(0.5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(2)
        if self.conn is not None:
            self.conn.close()
        self.process, self.conn = None, None


class HashService:
    """A few hashing processes shared by the hash and match routes; `stop()` at server shutdown."""

    def __init__(self, workers: int, memory_mb: int | None, timeout_s: float) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.timeout_s = timeout_s
        self._free: queue.Queue[_Slot] = queue.Queue()
        self._slots = [_Slot(ctx, memory_mb) for _ in range(max(1, workers))]
        for slot in self._slots:
            self._free.put(slot)
        self._closed = threading.Event()

    def run(self, job: HashJob) -> VideoFingerprint:
        """Hash in a worker process (blocking: call it from a thread). Raises ApiError."""
        if self._closed.is_set():
            raise ApiError(503, "unavailable", "the server is shutting down")
        try:
            slot = self._free.get(timeout=QUEUE_WAIT_S)
        except queue.Empty:
            raise ApiError(
                503,
                "busy",
                "every hashing process is busy; try again in a minute",
                headers={"Retry-After": "60"},
            ) from None
        try:
            outcome = slot.run(job, self.timeout_s)
        finally:
            self._free.put(slot)
        if outcome[0] == "ok":
            fp: VideoFingerprint = outcome[1]
            return fp
        _, status, code, message = outcome
        raise ApiError(int(status), str(code), str(message))

    def stop(self) -> None:
        self._closed.set()
        for slot in self._slots:
            slot.stop()
