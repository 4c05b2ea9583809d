"""Evaluation: measure vidsleuth on labelled videos and publish honest numbers.

`vidsleuth eval` runs every signal the registry has over a labelled dataset (and, with --degrade, over
platform-like copies made on the fly), caches the reports, and writes a scorecard: ROC AUC with confidence
intervals, precision and recall at the verdict's thresholds, the confusion matrix over verdict labels, the
share of "inconclusive", per-generator, per-source and per-class breakdowns, and the worst errors linked to
their reports. `vidsleuth calibrate` fits a calibration on the same cached reports (held-out metrics only).
docs/evaluation.md explains the label mapping, the metrics and the files.

    >>> from vidsleuth.evaluate import load_dataset, evaluate
    >>> card, files = evaluate(load_dataset("../shared/corpus"), "eval-out")
"""

from vidsleuth.evaluate.dataset import Dataset, DatasetError, Item, load_dataset, with_groups
from vidsleuth.evaluate.degrade import CONDITIONS, ORIGINAL, Condition, parse_conditions
from vidsleuth.evaluate.labels import LabelClass, Question, normalise, target
from vidsleuth.evaluate.run import Analysed, analyse_dataset, evaluate, labelled_results

__all__ = [
    "CONDITIONS",
    "ORIGINAL",
    "Analysed",
    "Condition",
    "Dataset",
    "DatasetError",
    "Item",
    "LabelClass",
    "Question",
    "analyse_dataset",
    "evaluate",
    "labelled_results",
    "load_dataset",
    "normalise",
    "parse_conditions",
    "target",
    "with_groups",
]
