"""What a batch shows while it runs and when it ends.

On a terminal: one live line on stderr with a bar, the rate, the ETA (once the listing has been read
to its end and the total is known) and a count per verdict. Elsewhere (CI, a log file): one plain line
per finished input on stderr, unless quiet. `--json-lines`: one JSON object per finished input on
stdout, for scripts. At the end, a summary table whose last line says how many inputs failed.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO

import click

from vidsleuth.media.source import safe_display_name

# Order and short names of the verdict labels in the live line and the summary.
_SHORT = {
    "ai_generated": "ai",
    "likely_ai_generated": "likely-ai",
    "partly_ai_generated": "partly-ai",
    "inconclusive": "inconclusive",
    "camera_original": "camera",
    "no_indicators": "none",
}


@dataclass
class Event:
    """One input settled in this run."""

    name: str
    status: str  # done, failed, skipped (done before), duplicate (listed twice in this run)
    label: str | None = None
    confidence: str | None = None
    error: str | None = None
    report: str | None = None
    sha256: str | None = None
    elapsed_s: float | None = None
    cached: bool = False  # the unit was done before (or by another name in this run)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"input": self.name, "status": self.status}
        for key in ("label", "confidence", "error", "report", "sha256", "elapsed_s"):
            value = getattr(self, key)
            if value is not None:
                out[key] = round(value, 3) if isinstance(value, float) else value
        if self.cached:
            out["cached"] = True
        return out


@dataclass
class Progress:
    """Counts the run and draws it (see the module docstring)."""

    json_lines: bool = False
    quiet: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    started: float = field(default_factory=time.monotonic)
    listed: int = 0
    listing_done: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)
    analysed: int = 0  # units analysed in this run (for the rate)
    _last_draw: float = 0.0

    @property
    def tty(self) -> bool:
        return not self.quiet and self.err.isatty()

    def listed_one(self) -> None:
        self.listed += 1
        self.draw()

    def settle(self, event: Event) -> None:
        self.counts[event.status] += 1
        if event.status == "done" and event.label:
            self.labels[event.label] += 1
        if event.status in ("done", "failed") and not event.cached:
            self.analysed += 1
        if self.json_lines:
            click.echo(json.dumps(event.to_json(), ensure_ascii=False), file=self.out)
        if self.tty:
            self.draw(force=True)
        elif not self.quiet and event.status in ("done", "failed"):
            name = safe_display_name(event.name, 160)
            if event.status == "done":
                line = f"done    {name}: {event.label} ({event.confidence})" + (
                    " [cached]" if event.cached else ""
                )
            else:
                error = event.error or "failed"
                line = f"failed  {name}: {error.removeprefix(event.name + ': ')}"
            click.echo(line, file=self.err)

    @property
    def settled(self) -> int:
        return sum(self.counts.values())

    def draw(self, force: bool = False) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < 0.2:
            return
        self._last_draw = now
        elapsed = max(now - self.started, 1e-6)
        rate = self.analysed / elapsed * 60
        total = self.listed if self.listing_done else None
        width = 20
        if total:
            filled = int(width * self.settled / total)
            bar = "[" + "#" * filled + "-" * (width - filled) + "]"
            left = total - self.settled
            eta = f" ETA {_duration(left / (self.analysed / elapsed))}" if self.analysed and left else ""
            done = f"{self.settled}/{total}"
        else:
            bar, eta, done = "[listing...]", "", f"{self.settled}/{self.listed}+"
        verdicts = " ".join(f"{_SHORT.get(k, k)}:{v}" for k, v in sorted(self.labels.items()))
        failed = f" failed:{self.counts['failed']}" if self.counts["failed"] else ""
        text = f"{bar} {done} {rate:.1f}/min{eta}  {verdicts}{failed}"
        click.echo("\r" + text[:119].ljust(119), nl=False, file=self.err)

    def clear(self) -> None:
        if self.tty:
            click.echo("\r" + " " * 119 + "\r", nl=False, file=self.err)

    def summary(self, store_counts: dict[str, int], shown: str) -> None:
        """The final table (stdout, or stderr when stdout carries JSON Lines); the last line counts
        the failures."""
        self.clear()
        target = self.err if self.json_lines else self.out
        elapsed = time.monotonic() - self.started
        lines = [f"batch results: {shown}", f"  this run: {self.settled} inputs in {_duration(elapsed)}"]
        for status in ("done", "failed", "skipped", "duplicate"):
            if self.counts[status]:
                lines.append(f"    {status:<12} {self.counts[status]:>8}")
        labels = {k[len("label:") :]: v for k, v in store_counts.items() if k.startswith("label:")}
        if labels:
            lines.append("  verdicts in the store:")
            for label, n in sorted(labels.items(), key=lambda kv: -kv[1]):
                lines.append(f"    {label:<22} {n:>8}")
        total = sum(v for k, v in store_counts.items() if not k.startswith("label:"))
        done, failed = store_counts.get("done", 0), store_counts.get("failed", 0)
        lines.append(
            f"{total} inputs in the store: {done} done, {failed} failed; "
            f"this run: {self.counts['failed']} failed"
        )
        for line in lines:
            click.echo(line, file=target)


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
