"""One evaluation run: dataset -> (degraded copies) -> cached reports -> scores -> scorecard files.

`evaluate` is what `vidsleuth eval` calls, `labelled_results` what `vidsleuth calibrate` fits on. Items a
calibration was fitted on are never scored under that calibration: they are left out and counted, so
that no scorecard reports metrics on training data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidsleuth.core.settings import Settings
from vidsleuth.evaluate.dataset import Dataset, Item
from vidsleuth.evaluate.degrade import ORIGINAL, Condition
from vidsleuth.evaluate.labels import Question, target
from vidsleuth.evaluate.metrics import Row
from vidsleuth.evaluate.report_cache import Done, Job, ReportCache, run_jobs
from vidsleuth.evaluate.scorecard import build_scorecard, git_commit, link_reports, write_scorecard
from vidsleuth.evaluate.scores import item_scores
from vidsleuth.fusion.calibration import Calibration
from vidsleuth.fusion.fitting import LabelledResults
from vidsleuth.registry import SignalRegistry
from vidsleuth.report import load_report

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Analysed:
    """One item under one condition, analysed (or not), before scoring."""

    item: Item
    condition: str
    sha256: str  # of the labelled file (a copy's own hash is in its report)
    report_json: Path | None
    error: str | None


def analyse_dataset(
    dataset: Dataset,
    cache: ReportCache,
    settings: Settings,
    registry: SignalRegistry,
    *,
    conditions: Sequence[Condition] = (ORIGINAL,),
    workers: int = 1,
    custom_registry: bool = False,
    progress: Progress | None = None,
) -> list[Analysed]:
    """Every item under every condition, with its cached JSON report (made, copies included, when missing)."""
    say = progress or (lambda _m: None)
    out: list[Analysed] = []
    jobs: list[Job] = []
    items: list[Item] = []
    for item in dataset.items:
        try:
            sha = cache.sha256(item.path)
        except OSError as exc:
            out.extend(
                Analysed(item, c.name, "", None, f"cannot be read: {exc.strerror or exc}") for c in conditions
            )
            continue
        for cond in conditions:
            jobs.append(Job(item.path, sha, f"{cond.name} {item.rel}", cond))
            items.append(item)
    cache.save_hashes()

    def report(done_n: int, total: int, d: Done) -> None:
        state = "cached" if d.cached else ("error" if d.error else f"{d.elapsed_s:.1f} s")
        say(f"{done_n}/{total} {d.job.tag}: {state}")

    done = run_jobs(
        jobs, cache, settings, registry, workers=workers, custom_registry=custom_registry, progress=report
    )
    for item, d in zip(items, done, strict=True):
        out.append(Analysed(item, d.job.condition.name, d.job.sha256, d.report_path, d.error))
    return out


def _rows(analysed: Sequence[Analysed], calibration: Calibration | None) -> tuple[dict[str, list[Row]], int]:
    trained = set()
    if calibration is not None:
        videos = calibration.fitted_on.get("videos") or []
        trained = {str(v.get("sha256")) for v in videos if isinstance(v, dict)}
    rows: dict[str, list[Row]] = {}
    overlap = 0
    for a in analysed:
        if a.sha256 and a.sha256 in trained:  # the video, or a copy of it, was fitted on
            overlap += 1
            continue
        scores, error, sha = None, a.error, a.sha256
        if a.report_json is not None:
            try:
                report = load_report(a.report_json)
                scores, sha = item_scores(report, calibration), report.source.sha256
            except Exception as exc:  # an unreadable cache entry must not sink the scorecard
                error = f"cached report unusable: {type(exc).__name__}: {exc}"
        rows.setdefault(a.condition, []).append(Row(a.item, a.condition, sha, scores, error, a.report_json))
    return rows, overlap


def evaluate(
    dataset: Dataset,
    out_dir: str | Path,
    *,
    settings: Settings | None = None,
    registry: SignalRegistry | None = None,
    conditions: Sequence[Condition] = (ORIGINAL,),
    workers: int = 1,
    calibration: Calibration | None = None,
    progress: Progress | None = None,
    note: str = "",
) -> tuple[dict[str, Any], dict[str, Path]]:
    """Analyse, score and write the scorecard; returns the scorecard and the files written."""
    from vidsleuth.registry import shared_registry

    out = Path(out_dir)
    settings = settings or Settings(thumbnails=False)
    # Worker processes build the default registry themselves; only another registry is "custom" (it
    # cannot be sent to them). The CLI passes the shared default one, which workers can rebuild.
    custom = registry is not None and registry is not shared_registry()
    registry = registry or shared_registry()
    cache = ReportCache(out / "cache")
    analysed = analyse_dataset(
        dataset,
        cache,
        settings,
        registry,
        conditions=conditions,
        workers=workers,
        custom_registry=custom,
        progress=progress,
    )
    rows, overlap = _rows(analysed, calibration)
    ordered = {c.name: rows.get(c.name, []) for c in conditions}
    signals = {}
    for cls in registry:
        ok, why = cls.is_available()
        if settings.wants(cls.NAME):
            signals[cls.NAME] = cls.VERSION if ok else f"{cls.VERSION} (unavailable: {why})"
    meta = {
        "commit": git_commit(),
        "dataset": {
            "name": Path(dataset.origin).name if dataset.origin else "",
            "digest": dataset.digest,
            "items": len(dataset.items),
            "classes": dataset.counts(),
            "excluded": dict(dataset.excluded),
            "missing": list(dataset.missing),
            "left_out_as_calibration_training": overlap,
        },
        "signals": signals,
        "settings_digest": settings.digest(),
        "calibration": (
            {"name": calibration.name, "policy": calibration.policy, "sha256": calibration.sha256}
            if calibration is not None
            else {"name": "as analysed (the run's default)", "policy": "as analysed"}
        ),
        "note": note,
    }
    card = build_scorecard(ordered, {c.name: c.description for c in conditions}, meta)
    link_reports(card, ordered, out)
    return card, write_scorecard(card, out)


def labelled_results(
    analysed: Sequence[Analysed], question: Question = Question.AI_GENERATED
) -> list[LabelledResults]:
    """Fitting rows from analysed items. Degraded copies carry their original's sha256 and group, so that
    they stay on its side of every split and count as fitted-on when that video is evaluated later."""
    out = []
    for a in analysed:
        t = target(a.item.cls, question)
        if t is None or a.report_json is None:
            continue
        report = load_report(a.report_json)
        out.append(
            LabelledResults(
                sha256=a.sha256,
                label=a.item.cls.value,
                target=t,
                results=report.results,
                group=a.item.group or a.sha256,
            )
        )
    return out


__all__ = ["Analysed", "analyse_dataset", "evaluate", "labelled_results"]
