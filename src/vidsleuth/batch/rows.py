"""One row of a batch's results: the contract between the store that keeps them and what reads them back.

The store (``batch/store.py``) writes and reads rows; export, the HTML index and sibling discovery read
only rows, so they work the same on an SQLite file, a PostgreSQL database or rows built in a test.
A row is one *input name* (what the user listed: a path or URL as typed); several names may share one
unit of work (the same bytes listed twice are analysed once and reported under both names).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vidsleuth.core.report import Report


class RowStatus(enum.StrEnum):
    """Where one input stands. ``failed`` rows carry a one-line ``error``; ``done`` rows a report."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class UnitKey:
    """What makes two analyses the same piece of work: the bytes, the settings and the tool version."""

    sha256: str
    settings_digest: str
    tool_version: str

    @property
    def text(self) -> str:
        return f"{self.sha256}:{self.settings_digest}:{self.tool_version}"


@dataclass(frozen=True)
class BatchRow:
    """One listed input and, when analysed, its report.

    ``position`` is the input's place in the listing (first seen = smallest), used to order rows and to
    pick the earliest member of a cluster when no creation time is known. ``report_path`` is the HTML
    report written for the row, relative to the results directory, when one was written.
    """

    name: str
    position: int
    status: RowStatus
    key: UnitKey | None = None  # None when the input failed before it could be hashed (missing, unreadable)
    error: str | None = None
    report: Report | None = None
    report_path: str | None = None
    elapsed_s: float | None = None
    attempts: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)
