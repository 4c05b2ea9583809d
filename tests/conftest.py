"""Shared fixtures: the real corpus (skipped cleanly when absent) and a guard that fails any test during
which vidsleuth logged an ERROR (PySceneDetect's habit: errors must be seen, not scrolled past)."""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("VIDSLEUTH_CORPUS", ROOT.parent / "shared" / "corpus"))


def corpus_path(relative: str) -> Path:
    """Path of a corpus file; skips the calling test when the corpus or the file is absent."""
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"corpus file not present: {relative}")
    return path


def corpus_labels() -> list[dict[str, str]]:
    """Rows of the corpus labels.csv (path, label, generator), or [] when the corpus is absent."""
    labels = CORPUS / "labels.csv"
    if not labels.exists():
        return []
    with labels.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture(scope="session", autouse=True)
def _model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The synthesis signal builds its backbone on first use into $VIDSLEUTH_MODEL_CACHE: a session folder
    here, so that tests never write into the user's cache (the build takes about a second)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("VIDSLEUTH_MODEL_CACHE", str(tmp_path_factory.mktemp("model-cache")))
    yield
    mp.undo()


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.WARNING, logger="vidsleuth")
    yield
    errors = [
        r for r in caplog.get_records("call") if r.levelno >= logging.ERROR and r.name.startswith("vidsleuth")
    ]
    if errors:
        pytest.fail("vidsleuth logged errors: " + "; ".join(r.getMessage() for r in errors))
