"""`vidsleuth batch`: analyse many inputs in one resumable run (issue #15; docs/batch.md).

`vidsleuth batch INPUT... --out RESULTS` runs the batch (the `run` subcommand is implied);
`vidsleuth batch export` and `vidsleuth batch siblings` read a finished store. This module only
parses options and calls `vidsleuth.batch.runner`; the work is done there.

Exit codes: 0 every input done, 3 at least one input failed (the last line says how many), 2 bad
options, 4 the results store cannot be used (foreign, damaged, other settings, locked), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from vidsleuth.batch.engine import ENGINES
from vidsleuth.cli.base import Group, debug_option
from vidsleuth.core.errors import ConfigError, ExitCode

LOCAL_DEFAULT_MEMORY_MB = 3072


class _BatchGroup(Group):
    """`batch INPUT...` means `batch run INPUT...`; `batch export|siblings|run ...` name a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["run", *args]
        elif not args:
            args = ["run"]
        return super().parse_args(ctx, args)


@click.group(cls=_BatchGroup, invoke_without_command=False)
def batch() -> None:
    """Analyse many videos in one resumable run: `vidsleuth batch INPUT... --out RESULTS`.

    INPUT: files, folders (recursive; files chosen by content), lists of paths or URLs (.txt/.csv/.lst),
    URLs, or - (a list on standard input). RESULTS: a folder, or a database URL (sqlite:///...,
    postgresql+psycopg://...). Subcommands: run (the default), export, siblings.
    """


def _cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@batch.command("run")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-o", "--out", required=True, help="Results folder, or database URL (sqlite:///… postgresql+psycopg://…)."
)
@click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True)
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 1024), help="Analyses at the same time (default: the CPU count)."
)
@click.option(
    "--time-limit",
    type=click.FloatRange(0, min_open=True),
    help="Stop an analysis after this many seconds (it fails).",
)
@click.option(
    "--memory-mb",
    type=click.IntRange(0),
    default=LOCAL_DEFAULT_MEMORY_MB,
    show_default=True,
    help="Private-memory cap per local worker (RLIMIT_DATA); 0: no cap. Ray manages its own workers' memory.",
)
@click.option(
    "--ray-address", help="Ray cluster to run on: auto, or ray://HOST:10001 (default: start Ray here)."
)
@click.option("--retry-failed", is_flag=True, help="Analyse again the inputs that failed in an earlier run.")
@click.option("--json-lines", is_flag=True, help="Print one JSON object per finished input on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no per-input lines; the summary only.")
@click.option("--images", is_flag=True, help="In folders, also take still images (JPEG, PNG, WebP).")
@click.option(
    "--only", "--signals", "only", multiple=True, help="Run only these signals (comma-separated or repeated)."
)
@click.option("--disable", multiple=True, help="Do not run these signals.")
@click.option(
    "--option",
    "option_flags",
    multiple=True,
    metavar="SIGNAL.KEY=VALUE",
    help="A signal option (repeatable).",
)
@click.option("--bank", "bank_location", help="Fingerprint bank to match against (file or database URL).")
@click.option("--no-bank", is_flag=True, help="Do not match against any fingerprint bank.")
@click.option(
    "--calibration",
    type=click.Path(),
    envvar="VIDSLEUTH_CALIBRATION",
    help="Calibration file for the verdict.",
)
@click.option(
    "--max-duration",
    type=click.FloatRange(0, min_open=True),
    help="Decode at most this many seconds of each video.",
)
@click.option("--no-thumbnails", is_flag=True, help="Leave keyframe thumbnails out of reports.")
@debug_option
def run_command(
    inputs: tuple[str, ...],
    out: str,
    engine: str,
    jobs: int | None,
    time_limit: float | None,
    memory_mb: int,
    ray_address: str | None,
    retry_failed: bool,
    json_lines: bool,
    quiet: bool,
    images: bool,
    only: tuple[str, ...],
    disable: tuple[str, ...],
    option_flags: tuple[str, ...],
    bank_location: str | None,
    no_bank: bool,
    calibration: str | None,
    max_duration: float | None,
    no_thumbnails: bool,
) -> None:
    """Analyse INPUT(s) into RESULTS; rerunning the same command resumes (docs/batch.md)."""
    from vidsleuth.batch.inputs import iter_inputs
    from vidsleuth.batch.progress import Progress
    from vidsleuth.batch.runner import RunOptions, run_batch
    from vidsleuth.cli.main import _split, parse_option_flags
    from vidsleuth.core.settings import Settings
    from vidsleuth.pipeline import prepare_settings
    from vidsleuth.registry import shared_registry

    if ray_address and engine != "ray":
        raise ConfigError("--ray-address needs --engine ray")
    if inputs.count("-") > 1:
        raise ConfigError("- (a list on standard input) can be given once")
    options: dict[str, dict[str, Any]] = parse_option_flags(option_flags)
    if bank_location:
        options.setdefault("fingerprint", {})["bank"] = bank_location
    if no_bank:
        options.setdefault("fingerprint", {})["use_bank"] = False
    settings = prepare_settings(
        Settings(
            only=_split(only),
            disable=_split(disable),
            thumbnails=not no_thumbnails,
            options=options,
            calibration=calibration or None,
            max_duration_s=max_duration,
        ),
        shared_registry(),
    )
    run_options = RunOptions(
        out=out,
        settings=settings,
        engine=engine,
        jobs=jobs or _cpus(),
        time_limit_s=time_limit,
        memory_mb=memory_mb or None,
        ray_address=ray_address,
        retry_failed=retry_failed,
    )
    progress = Progress(json_lines=json_lines, quiet=quiet)
    summary = run_batch(run_options, iter_inputs(inputs, stdin=sys.stdin, images=images), progress)
    sys.exit(int(ExitCode.BAD_INPUT if summary.failed else ExitCode.OK))


@batch.command("export")
@click.argument("results")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default="csv", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: stdout).")
@debug_option
def export_command(results: str, fmt: str, output: str | None) -> None:
    """Write the results of a batch as one table (one record per input): CSV, JSON Lines or Parquet."""
    from vidsleuth.batch.export import export_rows
    from vidsleuth.batch.store import ResultsStore

    if output is None and fmt == "parquet" and sys.stdout.isatty():
        raise ConfigError("Parquet is binary: write it to a file with -o FILE.parquet")
    with ResultsStore.open(results) as store:
        target: Any = (
            output if output is not None else (sys.stdout.buffer if fmt == "parquet" else sys.stdout)
        )
        try:
            count = export_rows(store.rows(), target, fmt)
        except BrokenPipeError:  # `... | head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
    if output is not None:
        click.echo(f"{count} records written to {output}", err=True)


@batch.command("siblings")
@click.argument("results")
@click.option("--json", "as_json", is_flag=True, help="Print the groups as JSON.")
@click.option(
    "--bank", "bank_location", help="Bank whose matched items to name (label, source); not searched."
)
@debug_option
def siblings_command(results: str, as_json: bool, bank_location: str | None) -> None:
    """Group the results of a batch: same @handle, same C2PA signer or claim generator, near-duplicate
    or sub-clip fingerprints, same generator attribution; each member with the evidence that binds it."""
    from vidsleuth.batch.siblings import find_siblings, to_json, to_text
    from vidsleuth.batch.store import ResultsStore

    with ResultsStore.open(results) as store:
        if bank_location:
            from vidsleuth.bank import Bank

            with Bank.open(bank_location, create=False) as bank:
                groups = find_siblings(store.rows(), bank)
        else:
            groups = find_siblings(store.rows())
    click.echo(to_json(groups) if as_json else to_text(groups))
