"""The engine abstraction: one small contract for running units of work, whatever runs them.

An engine takes `UnitTask`s and hands back `UnitOutcome`s as they finish, in any order. The driver
(`runner.py`) keeps at most `capacity` tasks submitted and not yet collected: that bound is the batch's
back-pressure, so that a million inputs never sit in memory or in a queue. Two engines implement it:

- `local` (`local_engine.LocalEngine`): worker processes on this machine, each with a memory cap, a
  per-unit time limit (a stuck worker is killed and replaced, its unit fails with the reason);
- `ray` (`ray_engine.RayEngine`): Ray tasks over the same unit function, on a local Ray instance or a
  cluster.

Every engine runs `unit.run_unit` and nothing else, so both give the same reports for the same inputs.
The web app's analysis pool (`web/pool.py`) drives the same engines: for it they also report live
progress (`progress()`, snapshots folded from each unit's throttled events) and count the workers lost
under a unit (`crashes`), and the local engine recycles a worker after N units.
"""

from __future__ import annotations

from typing import Any, Protocol

from vidsleuth.batch.unit import UnitOutcome, UnitTask

ENGINES = ("local", "ray")
# `vidsleuth serve --engine` / `--ray-address` read these when the options are not given.
ENGINE_ENV = "VIDSLEUTH_ENGINE"
RAY_ADDRESS_ENV = "VIDSLEUTH_RAY_ADDRESS"


class Engine(Protocol):
    """Runs units of work. Use as: submit while `in_flight() < capacity`, collect with `results`."""

    @property
    def capacity(self) -> int:
        """The most tasks that may be submitted and not yet collected."""
        ...

    @property
    def workers(self) -> int:
        """How many units run at the same time."""
        ...

    def submit(self, task: UnitTask) -> None:
        """Start (or queue inside the engine) one task. Never blocks for long."""
        ...

    def in_flight(self) -> int:
        """Tasks submitted whose outcome has not been returned by `results` yet."""
        ...

    @property
    def crashes(self) -> int:
        """Units lost with their worker (it died, or was stopped at the time limit) since the start."""
        ...

    def progress(self) -> dict[int, dict[str, Any]]:
        """Ticket -> the latest progress snapshot of each running task, for engines started with live
        progress (see `unit.fold_progress`); empty otherwise. Outcomes carry their last snapshot."""
        ...

    def results(self, timeout: float) -> list[UnitOutcome]:
        """Outcomes finished since the last call, waiting up to `timeout` s for at least one."""
        ...

    def close(self) -> None:
        """Stop every worker; tasks still running are abandoned (the store queues them again)."""
        ...
