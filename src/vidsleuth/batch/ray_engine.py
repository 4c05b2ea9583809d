"""The Ray engine: the same unit of work as Ray tasks, on a local Ray instance or a cluster.

`ray` is an optional extra, imported here only, with an error naming `vidsleuth[ray]` when missing.
With no address, Ray starts in this process with `num_cpus=jobs` (a laptop or one big machine); with
`--ray-address auto` or `ray://host:10001` the tasks run on an existing cluster, whose workers must
have vidsleuth installed and see the listed paths (URLs need no shared file system).

The worker config is put in Ray's object store once and passed by reference, so every task gets the
same object and a Ray worker process builds its state (registry, bank index) once and reuses it for
every unit it runs. Back-pressure: the driver submits at most `capacity` tasks ahead (two per CPU)
and collects finished ones with `ray.wait`, so a million inputs never sit in Ray's queue or object
store. A task past the time limit is cancelled (`ray.cancel(force=True)` kills its worker process).

For the web app (`live_progress=True`) each task reports its throttled events to one small progress
actor (no CPU reserved), which the driver reads once per `results` call; `jobs_per_worker` becomes
Ray's `max_calls`, so a Ray worker process is replaced after that many units, as the local engine's.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from vidsleuth.batch.unit import (
    UnitOutcome,
    UnitTask,
    WorkerConfig,
    fold_progress,
    new_progress,
    run_unit,
    worker_state,
)
from vidsleuth.core.errors import ConfigError, SignalUnavailableError

RAY_EXTRA = "vidsleuth[ray]"


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise SignalUnavailableError(
            f"--engine ray needs Ray, which is not installed: pip install '{RAY_EXTRA}'"
        ) from None
    return ray


def _run_remote(task: UnitTask, config: WorkerConfig, sink: Any = None) -> UnitOutcome:
    if sink is None:
        return run_unit(task, worker_state(config))

    def relay(event: dict[str, Any]) -> None:
        sink.report.remote(task.ticket, event)  # fire and forget; Ray keeps one caller's calls in order

    return run_unit(task, worker_state(config), relay)


class _ProgressSink:
    """A Ray actor holding each running task's progress snapshot."""

    def __init__(self) -> None:
        self._snapshots: dict[int, dict[str, Any]] = {}

    def report(self, ticket: int, event: dict[str, Any]) -> None:
        fold_progress(self._snapshots.setdefault(ticket, new_progress()), event)

    def snapshots(self, tickets: list[int], forget: list[int]) -> dict[int, dict[str, Any]]:
        out = {t: self._snapshots[t] for t in tickets if t in self._snapshots}
        for t in forget:
            self._snapshots.pop(t, None)
        return out


class RayEngine:
    """Ray tasks over `unit.run_unit` (see the module docstring)."""

    def __init__(
        self,
        config: WorkerConfig,
        jobs: int,
        *,
        address: str | None = None,
        time_limit_s: float | None = None,
        jobs_per_worker: int | None = None,
        live_progress: bool = False,
    ) -> None:
        ray = import_ray()
        self._ray = ray
        self._started_here = False
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            try:
                if address:
                    ray.init(address=address, **kwargs)
                else:
                    ray.init(num_cpus=max(1, jobs), **kwargs)
            except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError...
                text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise ConfigError(
                    f"Ray could not start ({'address ' + address if address else 'local'}): {text}"
                ) from None
            self._started_here = True
        cpus = int(ray.cluster_resources().get("CPU", jobs) or jobs)
        self._jobs = max(1, cpus if address else jobs)
        self.time_limit_s = time_limit_s
        self._config_ref = ray.put(config)
        options: dict[str, Any] = {"num_cpus": 1, "max_retries": 0}
        if jobs_per_worker:
            options["max_calls"] = jobs_per_worker
        self._remote = ray.remote(**options)(_run_remote)
        self._sink = ray.remote(num_cpus=0)(_ProgressSink).remote() if live_progress else None
        self._snapshots: dict[int, dict[str, Any]] = {}
        self._refs: dict[Any, tuple[UnitTask, float]] = {}
        self._running_since: dict[Any, float] = {}
        self.crashes = 0

    def progress(self) -> dict[int, dict[str, Any]]:
        """Snapshots as read at the last `results` call, of the tasks still in flight."""
        live = {task.ticket for task, _ in self._refs.values()}
        return {t: dict(p) for t, p in self._snapshots.items() if t in live}

    @property
    def capacity(self) -> int:
        return 2 * self._jobs

    @property
    def workers(self) -> int:
        return self._jobs

    def submit(self, task: UnitTask) -> None:
        ref = self._remote.remote(task, self._config_ref, self._sink)
        self._refs[ref] = (task, time.monotonic())

    def in_flight(self) -> int:
        return len(self._refs)

    def results(self, timeout: float) -> list[UnitOutcome]:
        if not self._refs:
            time.sleep(min(timeout, 0.05))
            return []
        self._mark_running()
        refs = list(self._refs)
        ready, _ = self._ray.wait(refs, num_returns=1, timeout=timeout)
        if ready:  # and whatever else is finished by now
            ready, _ = self._ray.wait(refs, num_returns=len(refs), timeout=0)
        out = [self._collect(ref) for ref in ready]
        out += self._expire()
        if self._sink is not None:
            out = self._with_progress(out)
        return out

    def _with_progress(self, out: list[UnitOutcome]) -> list[UnitOutcome]:
        import dataclasses

        done = [o.ticket for o in out]
        running = [task.ticket for task, _ in self._refs.values()]
        assert self._sink is not None
        try:
            self._snapshots = self._ray.get(self._sink.snapshots.remote(running + done, done), timeout=10)
        except Exception:  # the actor is gone or slow: progress is shown late, outcomes are not held up
            return out
        return [dataclasses.replace(o, progress=self._snapshots.pop(o.ticket, None)) for o in out]

    def _mark_running(self) -> None:
        """Ray runs tasks about in the order they were submitted: the oldest `workers` are taken to be
        running (the time limit counts from then, not from submission)."""
        now = time.monotonic()
        for ref in list(self._refs)[: self._jobs]:
            self._running_since.setdefault(ref, now)

    def _collect(self, ref: Any) -> UnitOutcome:
        task, started = self._refs.pop(ref)
        self._running_since.pop(ref, None)
        try:
            outcome: UnitOutcome = self._ray.get(ref)
            return outcome
        except Exception as exc:  # the worker died (OOM-killed, crashed) or the task was cancelled
            self.crashes += 1
            kind = type(exc).__name__
            code = "out_of_memory" if "OutOfMemory" in kind else "worker_crashed"
            return UnitOutcome.failed(
                task.ticket,
                code,
                f"{task.name}: the Ray task failed ({kind})",
                elapsed_s=time.monotonic() - started,
            )

    def _expire(self) -> list[UnitOutcome]:
        limit = self.time_limit_s
        if limit is None:
            return []
        now, out = time.monotonic(), []
        for ref, (task, _submitted) in list(self._refs.items()):
            started = self._running_since.get(ref)
            if started is not None and now - started > limit:
                self.crashes += 1
                self._ray.cancel(ref, force=True)
                del self._refs[ref]
                del self._running_since[ref]
                out.append(
                    UnitOutcome.failed(
                        task.ticket,
                        "timeout",
                        f"{task.name}: the analysis took longer than {limit:g} s and was stopped",
                        elapsed_s=now - started,
                    )
                )
        return out

    def close(self) -> None:
        for ref in list(self._refs):
            with contextlib.suppress(Exception):  # already finished or gone
                self._ray.cancel(ref, force=True)
        self._refs.clear()
        if self._sink is not None:
            with contextlib.suppress(Exception):
                self._ray.kill(self._sink)
            self._sink = None
        if self._started_here:
            self._started_here = False
            self._ray.shutdown()
