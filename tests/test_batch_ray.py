"""The Ray engine, in-process (`ray.init(num_cpus=2)`): the same verdicts as the local engine on the same
inputs, results streamed into the store. Skipped with the reason when Ray is missing or cannot start."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.media_factory import Scene, write_video
from vidsleuth.batch.inputs import iter_inputs
from vidsleuth.batch.progress import Progress
from vidsleuth.batch.rows import RowStatus
from vidsleuth.batch.runner import RunOptions, run_batch
from vidsleuth.batch.store import ResultsStore
from vidsleuth.core.errors import ConfigError
from vidsleuth.core.settings import Settings
from vidsleuth.pipeline import prepare_settings


def _verdicts(location: str) -> dict[str, tuple[str, str]]:
    with ResultsStore.open(location) as store:
        out = {}
        for row in store.rows():
            assert row.status == RowStatus.DONE and row.report is not None, row
            out[Path(row.name).name] = (row.report.verdict.label.value, row.report.source.sha256)
        return out


def test_ray_gives_the_verdicts_local_gives(tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="ray is not installed (pip install 'vidsleuth[ray]')")
    clips = tmp_path / "clips"
    clips.mkdir()
    for i in range(3):
        write_video(clips / f"c{i}.mp4", [Scene(0.5, 20 + i), Scene(0.5, 30 + i)], size=(64, 48))
    settings = prepare_settings(
        Settings(only=("metadata", "shots", "fingerprint"), options={"fingerprint": {"use_bank": False}})
    )
    results = {}
    for engine in ("local", "ray"):
        out = str(tmp_path / f"out-{engine}")
        options = RunOptions(out=out, settings=settings, engine=engine, jobs=2)
        progress = Progress(json_lines=False, quiet=True, out=io.StringIO(), err=io.StringIO())
        try:
            summary = run_batch(options, iter_inputs([str(clips)]), progress)
        except ConfigError as exc:  # Ray could not start on this machine
            pytest.skip(str(exc))
        assert (summary.done, summary.failed) == (3, 0)
        results[engine] = _verdicts(out)
    assert results["ray"] == results["local"]
