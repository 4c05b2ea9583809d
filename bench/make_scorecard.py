"""Reproduce docs/scorecard.md: evaluate on ../shared/corpus and on the generated suites, and fit a
calibration with cross-validation on each (held-out metrics only).

Steps, all cached under OUT (a rerun only does what is missing):
1. `eval` on the corpus (labels.csv) under the original condition and the platform-like conditions given;
2. `calibrate` on the corpus originals with 5-fold CV grouped by bench/suites/corpus_groups.csv;
3. the generated camera-motion suite (bench/suites/motion_suite.py): `eval` and `calibrate`.
Every built-in signal is measured (watermark and motion included).

    .venv/bin/python bench/make_scorecard.py OUT --conditions crf35,480p,crop,remux --jobs 2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import vidsleuth.pipeline as pipeline  # noqa: E402
from bench.scorecard_doc import render_doc  # noqa: E402
from bench.suites.motion_suite import make_suite  # noqa: E402
from vidsleuth.evaluate import (  # noqa: E402
    ORIGINAL,
    analyse_dataset,
    evaluate,
    labelled_results,
    load_dataset,
    parse_conditions,
    with_groups,
)
from vidsleuth.evaluate.report_cache import ReportCache  # noqa: E402
from vidsleuth.fusion.calibration import write_calibration  # noqa: E402
from vidsleuth.fusion.fitting import fit_calibration  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def say(message: str) -> None:
    print(message, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--conditions", default="", help="degradations for the corpus, e.g. crf35,480p")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    conds = (ORIGINAL, *parse_conditions([args.conditions] if args.conditions else []))
    started = time.monotonic()

    corpus = with_groups(load_dataset(args.corpus), ROOT / "bench" / "suites" / "corpus_groups.csv")
    evaluate(
        corpus,
        args.out / "corpus",
        conditions=conds,
        workers=args.jobs,
        progress=say,
        note="Shared corpus, about a hundred videos from a few dozen sources: read the intervals.",
    )
    registry = pipeline.default_registry()
    from vidsleuth.core.settings import Settings

    analysed = analyse_dataset(
        corpus, ReportCache(args.out / "corpus" / "cache"), Settings(thumbnails=False), registry
    )
    cal = fit_calibration(
        labelled_results(analysed),
        name="corpus-cv",
        dataset=f"shared corpus labels.csv (digest {corpus.digest})",
    )
    write_calibration(cal, args.out / "corpus-calibration.json")

    suite_dir = args.out / "suite-videos"
    make_suite(suite_dir)
    suite = load_dataset(suite_dir)
    evaluate(
        suite,
        args.out / "suite",
        workers=args.jobs,
        progress=say,
        note="Generated camera-motion suite: labels true by construction of the camera path only.",
    )
    analysed = analyse_dataset(
        suite, ReportCache(args.out / "suite" / "cache"), Settings(thumbnails=False), registry
    )
    suite_cal = fit_calibration(labelled_results(analysed), name="suite-cv", dataset="generated motion suite")
    write_calibration(suite_cal, args.out / "suite-calibration.json")
    summary = {"corpus": cal.heldout["summary"], "suite": suite_cal.heldout["summary"]}
    print(json.dumps(summary, indent=1))
    doc = args.out / "scorecard-doc.md"
    command = f".venv/bin/python bench/make_scorecard.py OUT --conditions {args.conditions or 'none'}"
    doc.write_text(render_doc(args.out, command, conds, cal, suite_cal), encoding="utf-8")
    print(f"docs page: {doc}")
    print(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
