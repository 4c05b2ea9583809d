"""`vidsleuth eval` and `vidsleuth calibrate`: measure on labelled videos; fit a calibration.

Thin like `check`: parse, call `vidsleuth.evaluate` / `vidsleuth.fusion.fitting`, print. Errors are
raised and printed as one line by the command group (`cli/base.py`), with these exit codes: 0 the
scorecard or calibration was written (videos that could not be analysed are listed in it), 2 bad options
or an unusable dataset or calibration file, 4 the output could not be written, 5 an internal error, 130
interrupted. Progress goes to stderr.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from vidsleuth.cli.base import Command, debug_option
from vidsleuth.core.settings import Settings
from vidsleuth.errors import InterruptedByUserError, ReportError

DEFAULT_OUT = "vidsleuth-eval"


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


def _progress(quiet: bool) -> Callable[[str], None]:
    def say(message: str) -> None:
        if not quiet:
            click.echo(f"  {message}", err=True)

    return say


def _common(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.argument("data", type=click.Path()),
        click.option("--only", multiple=True, help="Run only these signals (comma-separated or repeated)."),
        click.option("--disable", multiple=True, help="Do not run these signals."),
        click.option(
            "--degrade",
            is_flag=True,
            help="Also evaluate platform-like copies (720p, 480p, CRF 28/35, crop, remux).",
        ),
        click.option(
            "--condition",
            "conditions",
            multiple=True,
            help="Conditions to evaluate besides the original: 720p, 480p, crf28, crf35, crop, remux, all.",
        ),
        click.option(
            "--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Parallel analyses."
        ),
        click.option(
            "--limit",
            type=click.IntRange(1),
            help="Evaluate a stratified sample of about N videos (one per class at least).",
        ),
        click.option(
            "--seed", type=int, default=0, show_default=True, help="Seed of --limit and of the folds."
        ),
        click.option(
            "--groups", type=click.Path(), help="CSV of path,group: copies of one video share a group."
        ),
        click.option("--skip-missing", is_flag=True, help="Skip listed files that do not exist (counted)."),
        click.option("-q", "--quiet", is_flag=True, help="No progress on stderr."),
        debug_option,
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _prepare(
    data: str,
    only: tuple[str, ...],
    disable: tuple[str, ...],
    degrade: bool,
    conditions: tuple[str, ...],
    limit: int | None,
    seed: int,
    groups: str | None,
    skip_missing: bool,
) -> tuple[Any, Settings, Any, tuple[Any, ...]]:
    """Dataset, settings, registry and conditions, or a usage error (exit 2)."""
    from vidsleuth.evaluate import ORIGINAL, load_dataset, parse_conditions, with_groups
    from vidsleuth.pipeline import prepare_settings
    from vidsleuth.registry import shared_registry

    dataset = load_dataset(data, skip_missing=skip_missing)
    if groups:
        dataset = with_groups(dataset, groups)
    if limit:
        dataset = dataset.subset(limit, seed)
    registry = shared_registry()
    settings = prepare_settings(
        Settings(only=_split(only), disable=_split(disable), thumbnails=False), registry
    )
    extra = parse_conditions(("all",) if degrade and not conditions else conditions)
    return dataset, settings, registry, (ORIGINAL, *(c for c in extra if c is not ORIGINAL))


@click.command(name="eval", cls=Command)
@_common
@click.option(
    "-o", "--output", type=click.Path(), default=DEFAULT_OUT, show_default=True, help="Output folder."
)
@click.option("--calibration", type=click.Path(), help="Score verdicts under this calibration file.")
@click.option("--note", default="", help="A sentence stating the conditions, printed on the scorecard.")
def eval_command(
    data: str,
    only: tuple[str, ...],
    disable: tuple[str, ...],
    degrade: bool,
    conditions: tuple[str, ...],
    jobs: int,
    limit: int | None,
    seed: int,
    groups: str | None,
    skip_missing: bool,
    quiet: bool,
    output: str,
    calibration: str | None,
    note: str,
) -> None:
    """Evaluate on labelled videos DATA (a CSV of path,label[,generator] or folders named by label) and
    write a scorecard (JSON, HTML, Markdown) to the output folder. Reports are cached there: a rerun is
    cheap and an interrupted run resumes."""
    from vidsleuth.evaluate import evaluate
    from vidsleuth.fusion.calibration import load_calibration

    dataset, settings, registry, conds = _prepare(
        data, only, disable, degrade, conditions, limit, seed, groups, skip_missing
    )
    cal = load_calibration(calibration) if calibration else None
    say = _progress(quiet)
    say(f"{len(dataset.items)} videos, conditions: {', '.join(c.name for c in conds)}")
    try:
        card, files = evaluate(
            dataset,
            output,
            settings=settings,
            registry=registry,
            conditions=conds,
            workers=jobs,
            calibration=cal,
            progress=say,
            note=note,
        )
    except KeyboardInterrupt:
        raise InterruptedByUserError("interrupted (finished reports are cached; rerun to resume)") from None
    except OSError as exc:
        if isinstance(exc, ReportError):
            raise
        raise ReportError(f"cannot write the scorecard to {output!r}: {exc.strerror or exc}") from None
    left = card["dataset"].get("left_out_as_calibration_training", 0)
    if left:
        say(f"{left} item(s) left out: the calibration was fitted on them")
    for cond in card["conditions"]:
        v = cond["questions"]["ai_generated"].get("verdict") or {}
        auc = v.get("auc") or {}
        click.echo(
            f"{cond['name']}: {cond['items']} videos, AI-generated AUC "
            f"{_fmt(auc.get('value'))} [{_fmt(auc.get('low'))}, {_fmt(auc.get('high'))}], "
            f"{len(cond['errors'])} not analysed"
        )
    for fmt in ("html", "md", "json"):
        click.echo(f"  scorecard: {files[fmt]}")


def _fmt(x: object) -> str:
    return f"{x:.2f}" if isinstance(x, int | float) else "n/a"


@click.command(name="calibrate", cls=Command)
@_common
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    default="calibration.json",
    show_default=True,
    help="Calibration file.",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(),
    default=DEFAULT_OUT,
    show_default=True,
    help="Folder of cached reports (shared with eval).",
)
@click.option("--name", default="", help="Name recorded in the file (default: the output's stem).")
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True)
@click.option("--l2", type=click.FloatRange(0.0, min_open=True), default=1.0, show_default=True)
@click.option(
    "--target-fpr",
    type=click.FloatRange(0.0, 0.5),
    default=0.01,
    show_default=True,
    help="False-positive rate the 'likely AI' threshold aims at (on inner folds).",
)
@click.option(
    "--policy",
    type=click.Choice(["calibrated@1", "rules@1"]),
    default="calibrated@1",
    show_default=True,
    help="rules@1 keeps the rules and uses only the learned evidence strengths.",
)
def calibrate_command(
    data: str,
    only: tuple[str, ...],
    disable: tuple[str, ...],
    degrade: bool,
    conditions: tuple[str, ...],
    jobs: int,
    limit: int | None,
    seed: int,
    groups: str | None,
    skip_missing: bool,
    quiet: bool,
    output: str,
    cache_dir: str,
    name: str,
    folds: int,
    l2: float,
    target_fpr: float,
    policy: str,
) -> None:
    """Fit a calibration on labelled videos DATA with cross-validation and write it. Only held-out metrics
    are reported; evaluate it elsewhere with `vidsleuth eval OTHER --calibration FILE`."""
    from vidsleuth.evaluate import analyse_dataset, labelled_results
    from vidsleuth.evaluate.report_cache import ReportCache
    from vidsleuth.fusion.calibration import write_calibration
    from vidsleuth.fusion.fitting import fit_calibration

    dataset, settings, registry, conds = _prepare(
        data, only, disable, degrade, conditions, limit, seed, groups, skip_missing
    )
    say = _progress(quiet)
    try:
        analysed = analyse_dataset(
            dataset,
            ReportCache(Path(cache_dir) / "cache"),
            settings,
            registry,
            conditions=conds,
            workers=jobs,
            progress=say,
        )
        rows = labelled_results(analysed)
        cal = fit_calibration(
            rows,
            name=name or Path(output).stem,
            folds=folds,
            seed=seed,
            l2=l2,
            target_fpr=target_fpr,
            policy=policy,
            dataset=f"{Path(dataset.origin).name} (digest {dataset.digest}); conditions "
            + ", ".join(c.name for c in conds),
        )
        write_calibration(cal, output)
    except KeyboardInterrupt:
        raise InterruptedByUserError("interrupted (finished reports are cached; rerun to resume)") from None
    s = cal.heldout.get("summary", {})
    click.echo(f"held-out ({cal.heldout.get('method')}): AUC {s.get('auc')}")
    click.echo(f"  'likely AI': FPR {s.get('fpr_at_likely')}, recall {s.get('tpr_at_likely')}")
    click.echo(f"  'worth checking': FPR {s.get('fpr_at_check')}, recall {s.get('tpr_at_check')}")
    click.echo(f"  'likely AI' labels allowed by the held-out data: {'yes' if cal.allow_likely_ai else 'no'}")
    click.echo(f"  calibration: {output}")
