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
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from vidsleuth.batch.unit import UnitOutcome, UnitTask, WorkerConfig, run_unit, worker_state
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


def _run_remote(task: UnitTask, config: WorkerConfig) -> UnitOutcome:
    return run_unit(task, worker_state(config))


class RayEngine:
    """Ray tasks over `unit.run_unit` (see the module docstring)."""

    def __init__(
        self,
        config: WorkerConfig,
        jobs: int,
        *,
        address: str | None = None,
        time_limit_s: float | None = None,
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
        self._time_limit = time_limit_s
        self._config_ref = ray.put(config)
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_run_remote)
        self._refs: dict[Any, tuple[UnitTask, float]] = {}
        self._running_since: dict[Any, float] = {}

    @property
    def capacity(self) -> int:
        return 2 * self._jobs

    @property
    def workers(self) -> int:
        return self._jobs

    def submit(self, task: UnitTask) -> None:
        ref = self._remote.remote(task, self._config_ref)
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
        return out

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
            kind = type(exc).__name__
            code = "out_of_memory" if "OutOfMemory" in kind else "worker_crashed"
            return UnitOutcome.failed(
                task.ticket,
                code,
                f"{task.name}: the Ray task failed ({kind})",
                elapsed_s=time.monotonic() - started,
            )

    def _expire(self) -> list[UnitOutcome]:
        if self._time_limit is None:
            return []
        now, out = time.monotonic(), []
        for ref, (task, _submitted) in list(self._refs.items()):
            started = self._running_since.get(ref)
            if started is not None and now - started > self._time_limit:
                self._ray.cancel(ref, force=True)
                del self._refs[ref]
                del self._running_since[ref]
                out.append(
                    UnitOutcome.failed(
                        task.ticket,
                        "timeout",
                        f"{task.name}: the analysis took longer than {self._time_limit:g} s and was stopped",
                        elapsed_s=now - started,
                    )
                )
        return out

    def close(self) -> None:
        for ref in list(self._refs):
            with contextlib.suppress(Exception):  # already finished or gone
                self._ray.cancel(ref, force=True)
        self._refs.clear()
        if self._started_here:
            self._started_here = False
            self._ray.shutdown()
