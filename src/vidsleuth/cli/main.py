"""`vidsleuth` command: check videos, list signals; other commands live in their own modules
(bank.py: bank and keyframes, evaluate.py: eval and calibrate, serve.py: serve).

Every failure the user can cause is printed as one line naming the file and the problem, with a
documented non-zero exit code (see `vidsleuth.core.errors.ExitCode` and docs/cli.md); errors are raised
and printed in one place (`cli/base.py`); tracebacks appear only with --debug.
"""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import click

from vidsleuth._version import __version__
from vidsleuth.cli.bank import bank, keyframes
from vidsleuth.cli.base import Group, debug_option, error
from vidsleuth.cli.batch import batch
from vidsleuth.cli.evaluate import calibrate_command, eval_command
from vidsleuth.cli.serve import serve
from vidsleuth.cli.terminal import ProgressBar, print_summary
from vidsleuth.cli.trust import trust
from vidsleuth.core.errors import ExitCode
from vidsleuth.core.report import Report
from vidsleuth.core.settings import Settings
from vidsleuth.errors import ConfigError, InputError, ReportError
from vidsleuth.media.source import safe_display_name
from vidsleuth.pipeline import analyze, prepare_settings
from vidsleuth.registry import is_frame_signal, shared_registry
from vidsleuth.report import FORMATS, write_report

DEFAULT_REPORT_DIR = "vidsleuth-reports"
# Report file names keep letters and digits of any script; everything else that is not . - _ becomes _.
_UNSAFE = re.compile(r"[^\w.-]+")


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


def report_filename(report: Report, fmt: str) -> str:
    """A safe file name for a report: the input's stem (letters of any script kept, the rest replaced)
    plus the first 8 hex of its sha256."""
    stem = unicodedata.normalize("NFC", Path(report.source.name).stem)
    stem = _UNSAFE.sub("_", stem).strip("._")[:60] or "video"
    return f"{stem}-{report.source.sha256[:8]}.{fmt}"


def parse_option_flags(values: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """`--option SIGNAL.KEY=VALUE` flags as {signal: {key: value}} (values are parsed by the signal)."""
    out: dict[str, dict[str, str]] = {}
    for item in values:
        name, sep, value = item.partition("=")
        signal, dot, key = name.strip().partition(".")
        if not sep or not dot or not signal or not key:
            raise ConfigError(f"--option {item!r}: expected SIGNAL.KEY=VALUE, e.g. fingerprint.fps=2")
        out.setdefault(signal, {})[key] = value
    return out


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vidsleuth")
def main() -> None:
    """Examine suspicious videos: is it AI-generated or manipulated, and where did it come from?"""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Report file (one input) or folder (several inputs, or a path ending in /).",
)
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
@click.option(
    "--option",
    "option_flags",
    multiple=True,
    metavar="SIGNAL.KEY=VALUE",
    help="A signal option (repeatable); `vidsleuth signals --options` lists them.",
)
@click.option(
    "--trust-anchors", type=click.Path(), help="PEM file of C2PA trust anchors (provenance.trust_anchors)."
)
@click.option(
    "--reference-face",
    "reference_faces",
    multiple=True,
    type=click.Path(),
    metavar="PHOTO",
    help="Photo (or folder of photos) of a person to look for in the video (faces.reference_faces; "
    "repeatable).",
)
@click.option(
    "--model",
    "models",
    multiple=True,
    type=click.Path(),
    metavar="PATH",
    help="Your own ONNX image or clip classifier, with its model card (PATH.toml or PATH.json) beside it "
    "(models.paths; repeatable).",
)
@click.option(
    "--bank",
    "bank_location",
    help="Fingerprint bank to match against (SQLite file or database URL; default: $VIDSLEUTH_BANK, else "
    "the default bank file when it exists).",
)
@click.option("--no-bank", is_flag=True, help="Do not match against any fingerprint bank.")
@click.option(
    "--calibration",
    type=click.Path(),
    envvar="VIDSLEUTH_CALIBRATION",
    help="Calibration file to fuse the verdict with (from `vidsleuth calibrate`; default: the shipped "
    "one, rules@1).",
)
@click.option(
    "--max-duration",
    type=click.FloatRange(0, min_open=True),
    help="Decode at most this many seconds of each video (the report says where it stopped).",
)
@click.option("--no-thumbnails", is_flag=True, help="Leave keyframe thumbnails out of reports.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no verdict block.")
@debug_option
def check(
    files: tuple[str, ...],
    output: str | None,
    fmt: str | None,
    as_json: bool,
    no_report: bool,
    only: tuple[str, ...],
    disable: tuple[str, ...],
    option_flags: tuple[str, ...],
    trust_anchors: str | None,
    reference_faces: tuple[str, ...],
    models: tuple[str, ...],
    bank_location: str | None,
    no_bank: bool,
    calibration: str | None,
    max_duration: float | None,
    no_thumbnails: bool,
    quiet: bool,
) -> None:
    """Analyse FILE(s) and write a report for each. Use - to read one video from standard input.

    Exit codes: 0 all analysed, 2 bad options or an unusable calibration file, 3 an input could not be
    analysed, 4 a report could not be written, 5 internal error.
    """
    options: dict[str, dict[str, Any]] = parse_option_flags(option_flags)
    if trust_anchors:
        options.setdefault("provenance", {})["trust_anchors"] = trust_anchors
    if reference_faces:
        options.setdefault("faces", {})["reference_faces"] = reference_faces
    if models:
        options.setdefault("models", {})["paths"] = models
    if bank_location:
        options.setdefault("fingerprint", {})["bank"] = bank_location
    if no_bank:
        options.setdefault("fingerprint", {})["use_bank"] = False
    registry = shared_registry()
    settings = prepare_settings(  # checked once, for every file; a ConfigError is exit 2
        Settings(
            only=_split(only),
            disable=_split(disable),
            thumbnails=not no_thumbnails,
            options=options,
            calibration=calibration or None,
            max_duration_s=max_duration,
        ),
        registry,
    )

    write = not no_report and not (as_json and output is None)
    fmt_out = fmt or (Path(output).suffix.lstrip(".").lower() if output else "") or "html"
    if fmt_out not in FORMATS:
        fmt_out = "html"
    out_dir, out_file = _report_target(output, many=len(files) > 1) if write else (None, None)

    worst = ExitCode.OK
    for name in files:
        shown = "stdin" if name == "-" else safe_display_name(name, 200)
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
            error(str(exc))
            worst = max(worst, ExitCode.BAD_INPUT)
            continue
        except (KeyboardInterrupt, ConfigError):  # Ctrl-C, or the calibration file changed: stop here
            bar.clear()
            raise
        except Exception as exc:  # a bug: one line, and the other files still run
            bar.clear()
            error(f"internal error while analysing {shown}: {type(exc).__name__}: {exc}")
            if "--debug" in sys.argv:
                import traceback

                traceback.print_exc()
            worst = max(worst, ExitCode.INTERNAL)
            continue
        bar.clear()
        if as_json:
            click.echo(json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":")))
        elif not quiet:
            print_summary(report)
        if write:
            target = (
                out_file if out_file is not None else Path(str(out_dir)) / report_filename(report, fmt_out)
            )
            try:
                written = write_report(report, target, fmt_out)
            except ReportError as exc:
                error(str(exc))
                worst = max(worst, ExitCode.REPORT_FAILED)
                continue
            if not quiet:
                click.echo(f"  report: {written}", err=as_json)
    sys.exit(int(worst))


def _report_target(output: str | None, *, many: bool) -> tuple[Path | None, Path | None]:
    """(folder, None) to write one report per input into a folder, or (None, file) for one file.

    -o names a folder when there are several inputs, when it is an existing folder, or when it ends in a
    path separator (a folder that does not exist yet); the folder is created."""
    if output is None:
        folder: Path | None = Path(DEFAULT_REPORT_DIR)
        target = None
    elif many or Path(output).is_dir() or output.endswith(("/", os.sep)):
        folder, target = Path(output), None
    else:
        folder, target = (
            (Path(output).parent if str(Path(output).parent) not in ("", ".") else None),
            Path(output),
        )
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ReportError(
                f"cannot create the report folder {safe_display_name(str(folder), 200)}: "
                f"{exc.strerror or exc}"
            ) from None
    return (folder, None) if target is None else (None, target)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--options", "with_options", is_flag=True, help="Also list each signal's options.")
def signals(as_json: bool, with_options: bool) -> None:
    """List the signals, their versions, whether each can run here, and (--options) their options."""
    registry = shared_registry()
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
                "options": cls.OPTIONS.describe(),
            }
        )
    for name, why in registry.broken.items():
        rows.append(
            {
                "name": name,
                "version": "?",
                "kind": "?",
                "available": False,
                "why_not": why,
                "description": "",
                "options": [],
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(r["name"]) for r in rows) if rows else 4
    for r in rows:
        state = "ready" if r["available"] else f"unavailable: {r['why_not']}"
        click.echo(f"{r['name']:<{width}}  {r['version']:<8} {r['kind']:<6} {state:<12} {r['description']}")
        if with_options:
            for o in r["options"]:
                env = f" [env {o['env']}]" if o["env"] else ""
                click.echo(
                    f"    --option {r['name']}.{o['name']}=<{o['type']}> (default {o['default']}){env}  "
                    f"{o['help']}"
                )


main.add_command(bank)
main.add_command(keyframes)
main.add_command(serve)
main.add_command(eval_command)
main.add_command(calibrate_command)
main.add_command(trust)
main.add_command(batch)


if __name__ == "__main__":  # pragma: no cover
    main()
