"""The batch driver: list inputs, resolve each to a unit of work, feed an engine, record what finishes.

The driver is the only writer of the store. For each input, in listing order, streamed:

1. met already in this run → `duplicate` (one row per name); done in an earlier run and unchanged →
   `skipped`; failed earlier → stays failed unless `--retry-failed`;
2. a file is hashed here (cheap next to an analysis) to get its unit key (sha256, settings digest, tool
   version); the store says whether the unit is done (the same bytes under another name: reported under
   both names, analysed once), running in this run (the input waits for it), or must run;
3. a URL goes to a worker as it is (fetched there through the SSRF-safe fetcher); its unit is known
   when the outcome comes back.

The engine never holds more than its `capacity` tasks: the driver collects outcomes before it lists
more (back-pressure), so memory stays flat however long the listing. Each outcome is written as report
files (atomically, before the store marks the unit done) and one store transaction.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import FrameType
from typing import IO, Any

from vidsleuth._version import __version__
from vidsleuth.atomic import write_text
from vidsleuth.batch.engine import Engine
from vidsleuth.batch.inputs import Input
from vidsleuth.batch.progress import Event, Progress
from vidsleuth.batch.rows import RowStatus, UnitKey
from vidsleuth.batch.store import ResultsStore, StoreConfig
from vidsleuth.batch.store_schema import INDEX_FILE, REPORTS_DIR, ResultsStoreError
from vidsleuth.batch.unit import UnitOutcome, UnitTask, WorkerConfig
from vidsleuth.core.errors import InputError, InterruptedByUserError
from vidsleuth.core.report import Report
from vidsleuth.core.settings import Settings


@dataclass(frozen=True)
class RunOptions:
    out: str
    settings: Settings  # prepared
    engine: str = "local"
    jobs: int = 1
    time_limit_s: float | None = None
    memory_mb: int | None = None
    ray_address: str | None = None
    retry_failed: bool = False
    url_exempt_networks: tuple[str, ...] = ()


@dataclass
class RunSummary:
    done: int = 0
    failed: int = 0
    skipped: int = 0
    duplicate: int = 0
    store_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Pending:
    name: str
    unit: UnitKey | None  # None for a URL (known when fetched)


def make_engine(options: RunOptions, config: WorkerConfig) -> Engine:
    if options.engine == "ray":
        from vidsleuth.batch.ray_engine import RayEngine

        return RayEngine(config, options.jobs, address=options.ray_address, time_limit_s=options.time_limit_s)
    from vidsleuth.batch.local_engine import LocalEngine

    return LocalEngine(config, options.jobs, time_limit_s=options.time_limit_s)


class BatchRun:
    """One run of `vidsleuth batch` (use `run_batch`)."""

    def __init__(
        self, options: RunOptions, store: ResultsStore, engine: Callable[[], Engine], progress: Progress
    ) -> None:
        self.options = options
        self.store = store
        self._make_engine = engine
        self._engine: Engine | None = None  # started when the first unit must run (a resume may need none)
        self.progress = progress
        self.digest = options.settings.digest()
        self.summary = RunSummary()
        self._tickets: dict[int, _Pending] = {}
        self._next_ticket = 0

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._make_engine()
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()

    def _in_flight(self) -> int:
        return 0 if self._engine is None else self._engine.in_flight()

    # Listing --------------------------------------------------------------------------------------

    def feed(self, inputs: Iterator[Input]) -> None:
        for item in inputs:
            while self._in_flight() and self.engine.in_flight() >= self.engine.capacity:
                self.collect(self.engine.results(0.5))
            self.progress.listed_one()
            self._handle(item)
            if self._in_flight():
                self.collect(self.engine.results(0.0))
        self.progress.listing_done = True
        while self._in_flight():
            self.collect(self.engine.results(0.5))
            self.progress.draw()

    def _handle(self, item: Input) -> None:
        state = self.store.input_state(item.name)
        if state is not None and state.run_id == self.store.run_id:
            self._settle(Event(item.name, "duplicate"))
            return
        if item.error is not None:
            self.store.fail_input(item.name, item.error)
            self._settle(Event(item.name, "failed", error=item.error))
            return
        if state is not None and state.status == RowStatus.FAILED and not self.options.retry_failed:
            self.store.mark_seen(item.name)
            why = f"{state.error or 'failed'} (in an earlier run; --retry-failed tries again)"
            self._settle(Event(item.name, "failed", error=why, cached=True))
            return
        if item.url:
            if state is not None and state.status == RowStatus.DONE:
                self.store.mark_seen(item.name)
                self._settle(Event(item.name, "skipped"))
                return
            self.store.start_url(item.name)
            self._submit(UnitTask(self._ticket(), item.name, url=item.name), _Pending(item.name, None))
            return
        self._handle_file(item.name, state)

    def _handle_file(self, name: str, state: Any) -> None:
        from vidsleuth.media.source import open_source

        try:
            st = os.stat(name)
            if (
                state is not None
                and state.status == RowStatus.DONE
                and (state.size, state.mtime_ns) == (st.st_size, st.st_mtime_ns)
            ):
                self.store.mark_seen(name)
                self._settle(Event(name, "skipped"))
                return
        except OSError:
            pass  # open_source says why, in its words
        try:
            source = open_source(name)
            st = os.stat(name)
        except (InputError, OSError) as exc:
            self.store.fail_input(name, str(exc))
            self._settle(Event(name, "failed", error=str(exc)))
            return
        unit = UnitKey(source.sha256, self.digest, __version__)
        action = self.store.claim(name, unit, st.st_size, st.st_mtime_ns, retry=self.options.retry_failed)
        if action == "run":
            self._submit(
                UnitTask(self._ticket(), name, path=name, sha256=source.sha256), _Pending(name, unit)
            )
        elif action in ("done", "failed"):
            self._settle_from_store(name, unit, cached=True)
        # "attached": settled when the running unit finishes

    def _ticket(self) -> int:
        self._next_ticket += 1
        return self._next_ticket

    def _submit(self, task: UnitTask, pending: _Pending) -> None:
        self._tickets[task.ticket] = pending
        self.engine.submit(task)

    # Outcomes -------------------------------------------------------------------------------------

    def collect(self, outcomes: list[UnitOutcome]) -> None:
        for outcome in outcomes:
            pending = self._tickets.pop(outcome.ticket, None)
            if pending is not None:
                self._record(pending, outcome)

    def _record(self, pending: _Pending, outcome: UnitOutcome) -> None:
        is_url = pending.unit is None
        if not outcome.ok or outcome.report is None or outcome.sha256 is None:
            error = outcome.error or outcome.code
            if is_url:
                self.store.fail_input(pending.name, error, is_url=True)
                self._settle(Event(pending.name, "failed", error=error, elapsed_s=outcome.elapsed_s))
                return
            assert pending.unit is not None
            names = self.store.finish(
                pending.unit,
                report=None,
                code=outcome.code,
                error=error,
                elapsed_s=outcome.elapsed_s,
                cpu_s=outcome.cpu_s,
            )
            for name in names:
                self._settle(
                    Event(
                        name, "failed", error=error, elapsed_s=outcome.elapsed_s, cached=name != pending.name
                    )
                )
            return
        report = Report.from_dict(outcome.report)
        unit = UnitKey(outcome.sha256, self.digest, __version__)
        report_path = self._write_reports(unit, outcome)
        names = self.store.finish(
            unit,
            report=report,
            code="ok",
            error=None,
            elapsed_s=outcome.elapsed_s,
            cpu_s=outcome.cpu_s,
            report_path=report_path,
            url_name=pending.name if is_url else None,
        )
        for name in names:
            self._settle(
                Event(
                    name,
                    "done",
                    label=report.verdict.label.value,
                    confidence=report.verdict.confidence.value,
                    report=report_path,
                    sha256=unit.sha256,
                    elapsed_s=outcome.elapsed_s,
                    cached=name != pending.name,
                )
            )

    def _write_reports(self, unit: UnitKey, outcome: UnitOutcome) -> str | None:
        """The unit's JSON and HTML reports in the results folder (atomically; named by content, so a
        rerun after a kill rewrites the same files, never a second copy). None for a database store."""
        folder = self.store.folder
        if folder is None:
            return None
        import json

        stem = unit.sha256[:16]
        reports = folder / REPORTS_DIR
        try:
            write_text(reports / f"{stem}.json", json.dumps(outcome.report, ensure_ascii=False, indent=1))
            if outcome.html is not None:
                write_text(reports / f"{stem}.html", outcome.html)
        except OSError as exc:
            raise ResultsStoreError(f"cannot write reports into {reports}: {exc.strerror or exc}") from None
        return f"{REPORTS_DIR}/{stem}.html" if outcome.html is not None else f"{REPORTS_DIR}/{stem}.json"

    def _settle_from_store(self, name: str, unit: UnitKey, *, cached: bool) -> None:
        row = self.store.unit_summary(unit)
        if row is None:
            return
        status, label, confidence, error, report_path = row
        if status == RowStatus.DONE:
            event = Event(
                name,
                "done",
                label=label,
                confidence=confidence,
                report=report_path,
                sha256=unit.sha256,
                cached=cached,
            )
        else:
            event = Event(name, "failed", error=error, sha256=unit.sha256, cached=cached)
        self._settle(event)

    def _settle(self, event: Event) -> None:
        if event.status == "done":
            self.summary.done += 1
        elif event.status == "failed":
            self.summary.failed += 1
        elif event.status == "skipped":
            self.summary.skipped += 1
        else:
            self.summary.duplicate += 1
        self.progress.settle(event)


@contextlib.contextmanager
def _run_lock(store: ResultsStore) -> Iterator[None]:
    """One run at a time per results folder (an advisory lock, released when the process ends)."""
    if store.folder is None:
        yield
        return
    path = store.folder / ".lock"
    fh: IO[str] = open(path, "a+", encoding="ascii")  # noqa: SIM115 - held for the whole run
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ResultsStoreError(
                f"{store.shown}: another `vidsleuth batch` is writing these results"
            ) from None
        yield
    finally:
        fh.close()


def _term_as_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_batch(options: RunOptions, inputs: Iterator[Input], progress: Progress) -> RunSummary:
    """Run one batch to the end (or to Ctrl-C/SIGTERM: then InterruptedByUserError, work kept)."""
    config = StoreConfig(options.settings.digest(), __version__, options.settings.to_dict())
    store = ResultsStore.open(options.out, config)
    previous = signal.signal(signal.SIGTERM, _term_as_interrupt)
    try:
        with store, _run_lock(store):
            store.recover()
            worker_config = WorkerConfig(
                settings=options.settings,
                token=secrets.token_hex(8),
                memory_mb=options.memory_mb if options.engine == "local" else None,
                render_html=store.folder is not None,
                url_exempt_networks=options.url_exempt_networks,
            )
            run = BatchRun(options, store, lambda: make_engine(options, worker_config), progress)
            try:
                run.feed(inputs)
            except KeyboardInterrupt:
                run.close()
                store.recover()  # what was running goes back to the queue for the next run
                progress.clear()
                raise InterruptedByUserError(
                    f"interrupted: {run.summary.done} inputs done in this run are kept; run the same command "
                    "again to resume"
                ) from None
            finally:
                run.close()
            if store.folder is not None:  # the sortable table linking every report
                from vidsleuth.batch.index_html import write_index

                write_index(
                    store.rows(), store.folder / INDEX_FILE, title=f"vidsleuth batch: {store.folder.name}"
                )
            run.summary.store_counts = store.counts()
            progress.summary(run.summary.store_counts, store.shown)
            return run.summary
    finally:
        signal.signal(signal.SIGTERM, previous)
