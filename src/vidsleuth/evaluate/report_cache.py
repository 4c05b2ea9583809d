"""Run `analyze` over a dataset with a report cache, so that reruns are cheap and a crashed run resumes.

A report is cached under ``CACHE/reports/<sha256[:2]>/<id>-<key>.json`` where `id` is the video's
sha256 (for a platform-like copy: the original's sha256, the condition and the degradation version, so
that a rerun need not remake or rehash the copy) and `key` digests the settings digest, the tool version
and every selected signal's name, version and availability: the unit of work of docs/ARCHITECTURE
("(content sha256, settings digest, signal versions) -> report"). Each report is written atomically as
soon as it is made, so an interrupted run loses at most the videos in flight. Inputs that `analyze`
rejects (InputError) and copies that cannot be made are cached as errors too, since they are facts about
the file. Content hashes are remembered by (path, size, mtime) so that a rerun does not rehash.

Work runs in this process (jobs=1) or in a process pool, copies included; a custom signal registry needs
jobs=1.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from vidsleuth._version import __version__
from vidsleuth.atomic import write_text
from vidsleuth.core.report import Report
from vidsleuth.core.settings import Settings
from vidsleuth.errors import ConfigError, InputError, ReportError
from vidsleuth.evaluate.degrade import DEGRADE_VERSION, ORIGINAL, Condition, DegradeError, make_copy
from vidsleuth.media.source import hash_file
from vidsleuth.registry import SignalRegistry
from vidsleuth.report import load_report, render


@dataclass(frozen=True, slots=True)
class Job:
    """One video to analyse: the labelled file, its sha256, and the condition to analyse it under."""

    path: Path
    sha256: str
    tag: str  # caller's handle, shown in progress lines
    condition: Condition = ORIGINAL

    @property
    def cache_id(self) -> str:
        if self.condition.name == ORIGINAL.name:
            return self.sha256
        return f"{self.sha256}-{self.condition.name}-v{DEGRADE_VERSION}"


@dataclass(frozen=True, slots=True)
class Done:
    job: Job
    report_path: Path | None
    error: str | None
    cached: bool
    elapsed_s: float


ProgressFn = Callable[[int, int, Done], None]


def run_key(settings: Settings, registry: SignalRegistry) -> str:
    """Digest of what besides the content decides a report."""
    signals = []
    for cls in registry:
        if not settings.wants(cls.NAME):
            continue
        ok, _ = cls.is_available()
        signals.append([cls.NAME, cls.VERSION, ok])
    blob = json.dumps(
        {"tool": __version__, "settings": settings.digest(), "signals": sorted(signals)}, sort_keys=True
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _atomic_write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text(target, text)


class ReportCache:
    """Reports and content hashes under one folder."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"cannot create the cache folder {self.folder}: {exc.strerror or exc}"
            ) from None
        self._hash_file = self.folder / "hashes.json"
        self._hashes: dict[str, list[object]] = {}
        if self._hash_file.is_file():
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads(self._hash_file.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self._hashes = loaded

    def sha256(self, path: Path) -> str:
        st = path.stat()
        key = str(path.resolve())
        known = self._hashes.get(key)
        if (
            isinstance(known, list)
            and known[:2] == [st.st_size, st.st_mtime_ns]
            and isinstance(known[2], str)
        ):
            return known[2]
        digest = hash_file(path)
        self._hashes[key] = [st.st_size, st.st_mtime_ns, digest]
        return digest

    def save_hashes(self) -> None:
        _atomic_write(self._hash_file, json.dumps(self._hashes, indent=0, sort_keys=True))

    def report_path(self, cache_id: str, key: str) -> Path:
        return self.folder / "reports" / cache_id[:2] / f"{cache_id}-{key}.json"

    def error_path(self, cache_id: str, key: str) -> Path:
        return self.folder / "reports" / cache_id[:2] / f"{cache_id}-{key}.error.json"

    def cached(self, cache_id: str, key: str) -> tuple[Path | None, str | None]:
        rp, ep = self.report_path(cache_id, key), self.error_path(cache_id, key)
        if rp.is_file():
            return rp, None
        if ep.is_file():
            with contextlib.suppress(OSError, ValueError):
                return None, str(json.loads(ep.read_text(encoding="utf-8")).get("error", "unknown error"))
        return None, None

    def load(self, path: Path) -> Report:
        return load_report(path)


def _analyse(
    job: Job,
    settings: Settings,
    report_path: str,
    error_path: str,
    copies: str,
    registry: SignalRegistry | None = None,
) -> tuple[str | None, float]:
    """Analyse one file and write its cached report (or its input error, which is a fact about the file).

    Internal errors are returned but not cached, so that a fixed version retries them. Returns the error
    (or None) and the seconds it took."""
    from vidsleuth.pipeline import analyze

    started = time.monotonic()
    try:
        path = make_copy(job.path, job.sha256, job.condition, copies)
        report = analyze(path, settings, registry=registry, display_name=job.path.name)
    except (InputError, DegradeError) as exc:
        _atomic_write(Path(error_path), json.dumps({"error": str(exc)}))
        return str(exc), time.monotonic() - started
    except Exception as exc:
        return f"internal error: {type(exc).__name__}: {exc}", time.monotonic() - started
    _atomic_write(Path(report_path), render(report, "json"))
    return None, time.monotonic() - started


def run_jobs(
    jobs: Sequence[Job],
    cache: ReportCache,
    settings: Settings,
    registry: SignalRegistry,
    *,
    workers: int = 1,
    custom_registry: bool = False,
    progress: ProgressFn | None = None,
) -> list[Done]:
    """Analyse every job not already cached; returns one `Done` per job, in the order given."""
    if workers > 1 and custom_registry:
        raise ConfigError("a custom signal registry runs in this process only; use jobs=1")
    key = run_key(settings, registry)
    results: dict[int, Done] = {}
    todo: list[int] = []
    for i, job in enumerate(jobs):
        rp, err = cache.cached(job.cache_id, key)
        if rp is not None or err is not None:
            results[i] = Done(job, rp, err, True, 0.0)
            if progress:
                progress(len(results), len(jobs), results[i])
        else:
            todo.append(i)

    def finish(i: int, error: str | None, elapsed_s: float) -> None:
        job = jobs[i]
        rp = cache.report_path(job.cache_id, key)
        results[i] = Done(job, rp if error is None else None, error, False, elapsed_s)
        if progress:
            progress(len(results), len(jobs), results[i])

    if workers <= 1 or len(todo) <= 1:
        for i in todo:
            job = jobs[i]
            out, err = str(cache.report_path(job.cache_id, key)), str(cache.error_path(job.cache_id, key))
            finish(
                i,
                *_analyse(job, settings, out, err, str(cache.folder), registry if custom_registry else None),
            )
        return [results[i] for i in range(len(jobs))]

    with ProcessPoolExecutor(max_workers=workers) as pool:
        started: dict[Future[tuple[str | None, float]], int] = {}
        for i in todo:
            job = jobs[i]
            out, err = str(cache.report_path(job.cache_id, key)), str(cache.error_path(job.cache_id, key))
            started[pool.submit(_analyse, job, settings, out, err, str(cache.folder))] = i
        for fut in as_completed(started):
            i = started[fut]
            try:
                error, elapsed = fut.result()
            except Exception as exc:  # a worker died (out of memory, killed)
                error, elapsed = f"internal error: worker failed: {type(exc).__name__}: {exc}", 0.0
            finish(i, error, elapsed)
    return [results[i] for i in range(len(jobs))]


def iter_reports(
    done: Sequence[Done], cache: ReportCache
) -> Iterator[tuple[Done, Report | None, str | None]]:
    """Each job with its loaded report (or the error that stands in for it)."""
    for d in done:
        if d.report_path is None:
            yield d, None, d.error
            continue
        try:
            yield d, cache.load(d.report_path), None
        except ReportError as exc:
            yield d, None, f"cached report unreadable: {exc}"
