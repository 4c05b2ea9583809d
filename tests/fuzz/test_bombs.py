"""Resource bombs through the CLI, each in a resource-limited process (issue #11): what a file declares
against what it holds (frame size, duration), and files huge by construction (200,000 frames, 100,000
MP4 boxes). Each must end in exit 0 or 3, in bounded time and memory; a limit given must hold on what is
decoded. The large ones are slow-marked (`make test-slow`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests import hostile_media as hm
from tests import media_factory as mf
from tests.fuzz import bombs
from tests.fuzz.runner import CliPool, Limits, Run

BOUNDED = Limits(timeout_s=120.0, memory_mb=2048, max_rss_mb=1024.0)


def _ok(run: Run, limits: Limits = BOUNDED) -> dict[str, Any] | None:
    assert not run.problems(limits), (run.name, run.problems(limits), run.stderr[-500:])
    return json.loads(run.stdout) if run.rc == 0 else None


def _decoded_until(report: dict[str, Any]) -> float:
    """Where the shots signal's last shot ends: how far the video was decoded."""
    shots = next(r for r in report["results"] if r["signal"] == "shots")
    return float(shots["metrics"]["shots"][-1]["end_s"])


def test_frames_larger_than_declared(cli: CliPool, tmp_path: Path) -> None:
    """A 64x48 AVI whose middle frames are 16000x16000: refused frame by frame, in little memory."""
    run = cli.check(bombs.oversized_frames_avi(tmp_path / "bomb.avi"), BOUNDED)
    _ok(run)
    assert run.max_rss_mb < 600, run.max_rss_mb


def test_absurd_declared_dimensions(cli: CliPool, tmp_path: Path) -> None:
    run = cli.check(mf.absurd_dimensions(tmp_path / "huge.y4m"), BOUNDED)
    assert run.rc == 3 and _ok(run) is None


def test_a_duration_lie_is_held_to_the_limit(cli: CliPool, tmp_path: Path) -> None:
    """Headers that say 1 s over 30 s of video: `--max-duration 5` holds on decoded time."""
    long = mf.write_video(tmp_path / "long.mp4", [mf.Scene(30.0, 1)], fps=10, size=(64, 48))
    liar = bombs.declare_duration(long, tmp_path / "liar.mp4", 1.0)
    report = _ok(
        cli.run(
            "liar.mp4",
            ["check", str(liar), "--no-report", "--json", "-q", "--no-bank", "--max-duration", "5"],
            BOUNDED,
        )
    )
    assert report is not None
    assert report["media"]["duration_s"] == pytest.approx(1.0, abs=0.1)  # what it claims
    assert _decoded_until(report) <= 5.5  # what was decoded, whatever it claims


def test_ten_thousand_mp4_boxes(cli: CliPool, seeds: dict[str, Path], tmp_path: Path) -> None:
    run = cli.check(bombs.with_free_boxes(seeds["mp4_h264"], tmp_path / "boxes.mp4", 10_000), BOUNDED)
    assert _ok(run) is not None and run.seconds < 30


@pytest.mark.slow
def test_two_hundred_thousand_frames(cli: CliPool, tmp_path: Path) -> None:
    """200 s at 1000 fps of 16x16 frames (2.6 MB): every frame decoded, memory flat."""
    run = cli.check(
        bombs.tiny_frames(tmp_path / "frames.mp4", 200_000), Limits(timeout_s=300, max_rss_mb=600)
    )
    report = _ok(run, Limits(timeout_s=300, max_rss_mb=600))
    assert report is not None and report["media"]["duration_s"] == pytest.approx(200.0, abs=1)


@pytest.mark.slow
def test_a_hundred_thousand_mp4_boxes(cli: CliPool, seeds: dict[str, Path], tmp_path: Path) -> None:
    """c2pa-rs walks 100,000 boxes in time quadratic in their number (about 35 s on a loaded 2-core
    machine; upstream, see tests/fuzz/c2pa_boxes.py); the provenance read's 30 s cap ends it, and the
    rest of the analysis goes on."""
    limits = Limits(timeout_s=180, max_rss_mb=1024)
    run = cli.check(bombs.with_free_boxes(seeds["mp4_h264"], tmp_path / "boxes.mp4", 100_000), limits)
    report = _ok(run, limits)
    assert report is not None and run.seconds < 90
    statuses = {r["signal"]: r["status"] for r in report["results"]}
    assert statuses["shots"] == "ok"


@pytest.mark.slow
def test_raw_h264_without_a_duration_is_held_to_the_limit(cli: CliPool, tmp_path: Path) -> None:
    """An elementary stream declares no duration at all: 1,200 s of it with `--max-duration 60`."""
    raw = hm.raw_h264(tmp_path / "stream.h264", seconds=1200.0)
    limits = Limits(timeout_s=300, max_rss_mb=1024)
    run = cli.run(
        "stream.h264",
        ["check", str(raw), "--no-report", "--json", "-q", "--no-bank", "--max-duration", "60"],
        limits,
    )
    report = _ok(run, limits)
    assert report is not None and _decoded_until(report) <= 61


@pytest.mark.slow
def test_a_two_hundred_second_file_declaring_one(cli: CliPool, tmp_path: Path) -> None:
    long = bombs.tiny_frames(tmp_path / "long.mp4", 2000, fps=10, side=64)
    liar = bombs.declare_duration(long, tmp_path / "liar.mp4", 1.0)
    limits = Limits(timeout_s=300, max_rss_mb=1024)
    run = cli.run(
        "liar.mp4",
        ["check", str(liar), "--no-report", "--json", "-q", "--no-bank", "--max-duration", "60"],
        limits,
    )
    report = _ok(run, limits)
    assert report is not None and _decoded_until(report) <= 61
