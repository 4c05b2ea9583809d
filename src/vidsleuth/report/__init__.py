"""Reports: turn one `Report` into the documents people read, cite and store.

Three formats, all derived from the same object: JSON (the versioned, canonical record; see
docs/report-schema.md), self-contained HTML (one file that opens offline, with keyframes, the shot
timeline and the C2PA panel) and Markdown (for pasting into a ticket). Files are written atomically: a
reader never sees a half-written report, and a failed write leaves nothing behind.

    >>> from vidsleuth.report import render, write_report, load_report
    >>> write_report(report, "clip.report.html")
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from vidsleuth.atomic import write_text
from vidsleuth.core.report import Report
from vidsleuth.errors import ReportError
from vidsleuth.report.html import render_html
from vidsleuth.report.json_report import parse_json, render_json
from vidsleuth.report.markdown import render_markdown

FORMATS: tuple[str, ...] = ("json", "html", "md")

_RENDERERS: dict[str, Callable[[Report], str]] = {
    "json": render_json,
    "html": render_html,
    "md": render_markdown,
}
_SUFFIXES = {".json": "json", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}

__all__ = ["FORMATS", "format_for_path", "load_report", "render", "write_report"]


def _check_format(fmt: str) -> str:
    name = fmt.strip().lower()
    if name == "markdown":
        name = "md"
    if name not in _RENDERERS:
        raise ReportError(f"unknown report format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    return name


def render(report: Report, fmt: str) -> str:
    """The report as text in `fmt` ("json", "html" or "md")."""
    return _RENDERERS[_check_format(fmt)](report)


def format_for_path(path: str | os.PathLike[str]) -> str:
    """The format a file name asks for, from its suffix (.json, .html/.htm, .md/.markdown)."""
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise ReportError(
            f"cannot tell the report format from {os.fspath(path)!r}; name it .json, .html or .md, "
            "or pass the format explicitly"
        )
    return _SUFFIXES[suffix]


def write_report(report: Report, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write the report to `path` atomically and return the path.

    The format comes from `fmt`, else from the file suffix. The text is written to a temporary file in
    the same folder and moved into place with `os.replace`, so the target is either the old file or
    the complete new one. Raises ReportError (one line) when the file cannot be written.
    """
    target = Path(path)
    name = _check_format(fmt) if fmt is not None else format_for_path(target)
    text = render(report, name)
    try:
        write_text(target, text)
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ReportError(
            f"cannot write the {name} report to {os.fspath(target)!r}: {reason}; "
            "check that the folder exists and is writable"
        ) from None
    return target


def load_report(path: str | os.PathLike[str]) -> Report:
    """Read a JSON report written by vidsleuth. Raises ReportError when it is unreadable or too new."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ReportError(
            f"{os.fspath(path)!r} is not UTF-8 text; expected a vidsleuth JSON report"
        ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ReportError(f"cannot read report {os.fspath(path)!r}: {reason}") from None
    return parse_json(text, origin=os.fspath(path))
