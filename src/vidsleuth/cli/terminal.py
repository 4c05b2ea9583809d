"""Terminal output for `vidsleuth check`: the short verdict block and a progress bar on stderr."""

from __future__ import annotations

import sys
import time
from typing import TextIO

import click

from vidsleuth.core.report import Report
from vidsleuth.core.verdict import VerdictLabel
from vidsleuth.media.source import safe_display_name
from vidsleuth.pipeline import ProgressEvent

_COLOURS = {
    VerdictLabel.AI_GENERATED: "red",
    VerdictLabel.LIKELY_AI_GENERATED: "red",
    VerdictLabel.PARTLY_AI_GENERATED: "red",
    VerdictLabel.INCONCLUSIVE: "yellow",
    VerdictLabel.CAMERA_ORIGINAL: "green",
    VerdictLabel.NO_INDICATORS: "white",
}


def summary_lines(report: Report, max_reasons: int = 3) -> list[str]:
    """The verdict block printed per file (plain text; colour is added by `print_summary`)."""
    v = report.verdict
    lines = [f"{report.source.name}: {v.headline} (confidence: {v.confidence.value})", f"  {v.summary}"]
    for reason in v.reasons[:max_reasons]:
        codes = ", ".join(reason.evidence_codes)
        lines.append(f"  - {reason.text}" + (f" [{codes}]" if codes else ""))
    if len(v.reasons) > max_reasons:
        lines.append(f"  (+{len(v.reasons) - max_reasons} more reasons in the report)")
    for caveat in v.caveats:
        lines.append(f"  ! {caveat}")
    lines.append(f"  verdict by {safe_display_name(v.made_by, 160)}")
    return lines


def print_summary(report: Report, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    colour = _COLOURS.get(report.verdict.label)
    for i, line in enumerate(summary_lines(report)):
        click.echo(click.style(line, fg=colour, bold=True) if i == 0 else line, file=out)


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    WIDTH = 28

    def __init__(self, name: str, enabled: bool) -> None:
        self.name = name
        self.enabled = enabled and sys.stderr.isatty()
        self.stage = ""
        self._last = 0.0

    def __call__(self, event: ProgressEvent) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if event.stage == "decode" and event.fraction < 1.0 and now - self._last < 0.1:
            return
        self._last = now
        if event.stage == "decode":
            filled = int(self.WIDTH * event.fraction)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            text = f"  {self.name[:40]}  frames [{bar}] {event.fraction * 100:3.0f}%"
        elif event.stage == "signal" and event.fraction < 1.0:
            text = f"  {self.name[:40]}  {event.signal}..."
        elif event.stage == "done":
            self.clear()
            return
        else:
            text = f"  {self.name[:40]}  {event.stage}..."
        click.echo("\r" + text.ljust(79)[:79], nl=False, err=True)

    def clear(self) -> None:
        if self.enabled:
            click.echo("\r" + " " * 79 + "\r", nl=False, err=True)
