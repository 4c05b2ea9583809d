"""The pipeline itself, with small signals written here: the order of progress events, settings checked
once, a whole-file signal or a finalize that raises, per-signal timing, and an opened file handed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Self

import pytest

from tests import media_factory as mf
from vidsleuth.core.errors import ConfigError
from vidsleuth.core.evidence import Evidence, Hypothesis
from vidsleuth.core.options import SignalOptions
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.settings import Settings
from vidsleuth.core.signal import AnalysisContext, FrameSample, FrameSignal, Sampling, Signal
from vidsleuth.media import open_media
from vidsleuth.pipeline import ProgressEvent, analyze, prepare_settings
from vidsleuth.registry import SignalRegistry


@dataclass(frozen=True, slots=True)
class CountOptions(SignalOptions):
    every: int = field(default=1, metadata={"help": "count every n-th frame", "env": "TEST_COUNT_EVERY"})

    def validate(self) -> Self:
        if self.every < 1:
            raise ConfigError(f"count.every must be at least 1, got {self.every}")
        return self


class Count(FrameSignal):
    NAME: ClassVar[str] = "count"
    VERSION: ClassVar[str] = "1"
    OPTIONS = CountOptions

    def __init__(self) -> None:
        self.n = 0
        self.every = 1

    def sampling(self, ctx: AnalysisContext) -> Sampling:
        return Sampling(max_side=32)

    def start(self, ctx: AnalysisContext) -> None:
        self.every = CountOptions.of(ctx.settings, self.NAME).every

    def process_frame(self, frame: FrameSample) -> None:
        if frame.index % self.every == 0:
            self.n += 1

    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        ev = Evidence.info("count.frames", Hypothesis.EDITED, f"{self.n} frames counted")
        return SignalResult.ok(self.NAME, self.VERSION, [ev], {"frames": self.n})


class Whole(Signal):
    NAME: ClassVar[str] = "whole"
    VERSION: ClassVar[str] = "1"

    def analyze(self, ctx: AnalysisContext) -> SignalResult:
        return SignalResult.ok(self.NAME, self.VERSION, [], {"size": ctx.source.size_bytes})


class BrokenWhole(Signal):
    NAME: ClassVar[str] = "broken_whole"
    VERSION: ClassVar[str] = "1"

    def analyze(self, ctx: AnalysisContext) -> SignalResult:
        raise ValueError("whole-file failure\nsecond line")


class BrokenFinalize(Count):
    NAME: ClassVar[str] = "broken_finalize"

    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        raise KeyError("finalize failure")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mf.write_video(tmp_path_factory.mktemp("pipe") / "c.mp4", [mf.Scene(1.0, 1)], fps=12)


def test_progress_events_come_in_order(clip: Path) -> None:
    events: list[ProgressEvent] = []
    analyze(clip, registry=SignalRegistry([Whole, Count]), progress=events.append)
    stages = [e.stage for e in events]
    assert stages[:2] == ["hash", "signal"] and stages[-2:] == ["fuse", "done"]
    assert "decode" in stages and stages.index("decode") > stages.index("signal")
    done = [e for e in events if e.stage == "signal" and e.fraction == 1.0]
    assert [(e.signal, e.status) for e in done] == [("whole", "ok"), ("count", "ok")]
    fractions = [e.fraction for e in events if e.stage == "decode"]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_a_raising_whole_file_signal_or_finalize_fails_alone(clip: Path) -> None:
    registry = SignalRegistry([BrokenWhole, Whole, BrokenFinalize, Count])
    report = analyze(clip, registry=registry)
    by = {r.signal: r for r in report.results}
    assert by["broken_whole"].status is Status.FAILED
    assert by["broken_whole"].error == "ValueError: whole-file failure"  # one line
    assert by["broken_finalize"].status is Status.FAILED and "finalize failure" in (
        by["broken_finalize"].error or ""
    )
    assert by["whole"].status is by["count"].status is Status.OK
    assert by["count"].metrics["frames"] == 12
    assert sum("could not run" in c for c in report.verdict.caveats) == 2


def test_each_signal_is_timed_apart_from_the_shared_decode(clip: Path) -> None:
    report = analyze(clip, registry=SignalRegistry([Whole, Count]))
    count = report.result("count")
    assert count is not None and count.cpu_s is not None and 0 <= count.cpu_s <= count.elapsed_s + 0.05
    assert set(report.timings) >= {"open_s", "decode_s", "fuse_s"}
    assert report.to_dict()["timings"] == report.timings


def test_options_are_parsed_and_checked_once(clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = SignalRegistry([Count])
    report = analyze(clip, Settings(options={"count": {"every": "3"}}), registry=registry)
    assert report.result("count").metrics["frames"] == 4  # type: ignore[union-attr]
    assert report.settings["options"]["count"] == {"every": 3}
    monkeypatch.setenv("TEST_COUNT_EVERY", "2")
    prepared = prepare_settings(Settings(), registry)
    assert prepared.prepared and CountOptions.of(prepared, "count").every == 2
    assert prepare_settings(prepared, registry) is prepared  # prepared settings are not checked again
    with pytest.raises(ConfigError, match=r"count\.every must be at least 1"):
        analyze(clip, Settings(options={"count": {"every": 0}}), registry=registry)
    with pytest.raises(ConfigError, match=r"count.every: 'x' is not a valid int"):
        prepare_settings(Settings(options={"count": {"every": "x"}}), registry)
    with pytest.raises(ConfigError, match=r"unknown signal\(s\): nosuch"):
        prepare_settings(Settings(options={"nosuch": {}}), registry)
    with pytest.raises(ConfigError, match="expected CountOptions"):
        prepare_settings(Settings(options={"count": SignalOptions()}), registry)


def test_an_opened_file_is_not_read_again(clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = open_media(clip, "upload.mp4", max_pixels=10**8)
    import vidsleuth.pipeline as pipeline

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("the file was opened again")

    monkeypatch.setattr(pipeline, "open_media", refuse)
    report = analyze(opened, registry=SignalRegistry([Whole, Count]))
    assert report.source.name == "upload.mp4" and report.source.sha256 == opened.source.sha256
    assert "open_s" not in report.timings


def test_a_known_hash_is_trusted_and_a_path_is_shown_as_typed(clip: Path, tmp_path: Path) -> None:
    opened = open_media(clip, max_pixels=10**8, sha256="ab" * 32)
    assert opened.source.sha256 == "ab" * 32
    missing = tmp_path / "sub" / "missing.mp4"
    with pytest.raises(Exception, match=str(missing).replace(".", r"\.")):
        open_media(missing, max_pixels=10**8)
