"""`vidsleuth` command: check videos, list signals; `eval` and `calibrate` live in cli/evaluate.py.

Every failure the user can cause is printed as one line naming the file and the problem, with a
documented non-zero exit code (see `exitcodes.py` and docs/cli.md); tracebacks appear only with --debug.
"""

from __future__ import annotations

import json
import re
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from vidsleuth._version import __version__
from vidsleuth.bank import resolve_location
from vidsleuth.cli import exitcodes
from vidsleuth.cli.bank import bank, keyframes
from vidsleuth.cli.evaluate import calibrate_command, eval_command
from vidsleuth.cli.serve import serve
from vidsleuth.cli.terminal import ProgressBar, print_summary
from vidsleuth.core.report import Report
from vidsleuth.core.settings import Settings
from vidsleuth.errors import ConfigError, InputError, ReportError, VidsleuthError
from vidsleuth.media.source import safe_display_name
from vidsleuth.pipeline import analyze, default_registry, resolve_calibration
from vidsleuth.registry import is_frame_signal
from vidsleuth.report import FORMATS, write_report

DEFAULT_REPORT_DIR = "vidsleuth-reports"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


def report_filename(report: Report, fmt: str) -> str:
    """A safe file name for a report: the input's stem (sanitised) plus the first 8 hex of its sha256."""
    stem = Path(report.source.name).stem
    stem = _UNSAFE.sub("_", stem).strip("._")[:60] or "video"
    return f"{stem}-{report.source.sha256[:8]}.{fmt}"


def _bank_options(location: str | None, no_bank: bool) -> dict[str, dict[str, str]]:
    """The fingerprint signal's bank: the one named, else the default bank file when it exists."""
    if no_bank:
        return {}
    if location:
        return {"fingerprint": {"bank": location}}
    default = resolve_location(None)
    return {"fingerprint": {"bank": default}} if Path(default).is_file() else {}


def _error(message: str) -> None:
    click.echo(click.style("error: ", fg="red", bold=True) + message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vidsleuth")
def main() -> None:
    """Examine suspicious videos: is it AI-generated or manipulated, and where did it come from?"""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=True))
@click.option("-o", "--output", type=click.Path(), help="Report file (one input) or directory (several).")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Report format (default: from the -o suffix, else html).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report(s) to stdout (JSON Lines).")
@click.option("--no-report", is_flag=True, help="Do not write report files; print the verdict only.")
@click.option("--only", multiple=True, help="Run only these signals (comma-separated or repeated).")
@click.option("--disable", multiple=True, help="Do not run these signals.")
@click.option("--trust-anchors", type=click.Path(), help="PEM file of C2PA trust anchors.")
@click.option(
    "--bank",
    "bank_location",
    envvar="VIDSLEUTH_BANK",
    help="Fingerprint bank to match against (SQLite file or database URL; default: the default bank "
    "file when it exists).",
)
@click.option("--no-bank", is_flag=True, help="Do not match against any fingerprint bank.")
@click.option(
    "--calibration",
    type=click.Path(),
    envvar="VIDSLEUTH_CALIBRATION",
    help="Calibration file to fuse the verdict with (from `vidsleuth calibrate`; default: the shipped "
    "one, rules@1).",
)
@click.option("--no-thumbnails", is_flag=True, help="Leave keyframe thumbnails out of reports.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no verdict block.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def check(
    files: tuple[str, ...],
    output: str | None,
    fmt: str | None,
    as_json: bool,
    no_report: bool,
    only: tuple[str, ...],
    disable: tuple[str, ...],
    trust_anchors: str | None,
    bank_location: str | None,
    no_bank: bool,
    calibration: str | None,
    no_thumbnails: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Analyse FILE(s) and write a report for each. Use - to read one video from standard input.

    Exit codes: 0 all analysed, 2 bad options or an unusable calibration file, 3 an input could not be
    analysed, 4 a report could not be written, 5 internal error.
    """
    settings = Settings(
        only=_split(only),
        disable=_split(disable),
        trust_anchors=trust_anchors,
        thumbnails=not no_thumbnails,
        signal_options=_bank_options(bank_location, no_bank),
        calibration=calibration or None,
    )
    try:
        registry = default_registry()
        unknown = [n for n in (*settings.only, *settings.disable) if n not in registry]
        if unknown:
            raise ConfigError(
                f"unknown signal(s): {', '.join(unknown)} (known: {', '.join(registry.names())})"
            )
        if trust_anchors and not Path(trust_anchors).is_file():
            raise ConfigError(f"--trust-anchors {safe_display_name(trust_anchors)}: no such file")
        settings, _ = resolve_calibration(settings)  # read and checked once, for every file
    except VidsleuthError as exc:
        _error(str(exc))
        sys.exit(exitcodes.USAGE)

    write = not no_report and not (as_json and output is None)
    fmt_out = fmt or (Path(output).suffix.lstrip(".").lower() if output else "") or "html"
    if fmt_out not in FORMATS:
        fmt_out = "html"
    many = len(files) > 1
    out_dir: Path | None = None
    if write:
        if output is None:
            out_dir = Path(DEFAULT_REPORT_DIR)
        elif many or Path(output).is_dir():
            out_dir = Path(output)
        elif str(Path(output).parent) not in ("", "."):
            # One report file: create the folder it goes in, as we do for report directories.
            out_dir_for_file = Path(output).parent
            try:
                out_dir_for_file.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                shown_dir = safe_display_name(str(out_dir_for_file))
                _error(f"cannot create the report directory {shown_dir}: {exc.strerror}")
                sys.exit(exitcodes.REPORT_FAILED)
    if out_dir is not None:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _error(f"cannot create the report directory {safe_display_name(str(out_dir))}: {exc.strerror}")
            sys.exit(exitcodes.REPORT_FAILED)

    worst = exitcodes.OK
    for name in files:
        shown = "stdin" if name == "-" else safe_display_name(Path(name).name or name)
        bar = ProgressBar(shown, enabled=not quiet and not as_json)
        try:
            if name == "-":
                report = analyze(
                    sys.stdin.buffer.read(), settings, progress=bar, registry=registry, display_name="stdin"
                )
            else:
                report = analyze(name, settings, progress=bar, registry=registry)
        except InputError as exc:
            bar.clear()
            _error(str(exc))
            worst = max(worst, exitcodes.BAD_INPUT)
            continue
        except ConfigError as exc:  # the calibration file changed under us: the same for every file
            bar.clear()
            _error(str(exc))
            sys.exit(exitcodes.USAGE)
        except KeyboardInterrupt:
            bar.clear()
            _error("interrupted")
            sys.exit(130)
        except Exception as exc:  # a bug: one line, and the other files still run
            bar.clear()
            _error(f"internal error while analysing {shown}: {type(exc).__name__}: {exc}")
            if debug:
                traceback.print_exc()
            worst = max(worst, exitcodes.INTERNAL)
            continue
        bar.clear()
        if as_json:
            click.echo(json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":")))
        elif not quiet:
            print_summary(report)
        if write:
            target = (
                (out_dir / report_filename(report, fmt_out)) if out_dir is not None else Path(str(output))
            )
            try:
                written = write_report(report, target, fmt_out)
            except ReportError as exc:
                _error(str(exc))
                worst = max(worst, exitcodes.REPORT_FAILED)
                continue
            if not quiet:
                click.echo(f"  report: {written}", err=as_json)
    sys.exit(worst)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def signals(as_json: bool) -> None:
    """List the signals, their versions and whether each can run here."""
    try:
        registry = default_registry()
    except VidsleuthError as exc:
        _error(str(exc))
        sys.exit(exitcodes.INTERNAL)
    rows: list[dict[str, Any]] = []
    for cls in registry:
        ok, why = cls.is_available()
        rows.append(
            {
                "name": cls.NAME,
                "version": cls.VERSION,
                "kind": "frames" if is_frame_signal(cls) else "file",
                "available": ok,
                "why_not": why or None,
                "description": cls.DESCRIPTION,
            }
        )
    for name, why in registry.broken.items():
        rows.append(
            {"name": name, "version": "?", "kind": "?", "available": False, "why_not": why, "description": ""}
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(r["name"]) for r in rows) if rows else 4
    for r in rows:
        state = "ready" if r["available"] else f"unavailable: {r['why_not']}"
        click.echo(f"{r['name']:<{width}}  {r['version']:<8} {r['kind']:<6} {state:<12} {r['description']}")


main.add_command(bank)
main.add_command(keyframes)
main.add_command(serve)
main.add_command(eval_command)
main.add_command(calibrate_command)


if __name__ == "__main__":  # pragma: no cover
    main()
