"""The signal contract, run over every built-in signal and the example plugin.

Every signal, whatever it measures:
- writes JSON-safe metrics that its typed metrics class reads back unchanged (one shape, declared once);
- names its findings inside its own namespace (``<namespace>.<finding>``);
- copes with a 0.1 s clip, a still image and a file with no video (ok or not applicable, never a crash);
- fails alone: an exception in its start, frame or finalize hook (or whole-file analyze) makes it
  `failed` with the reason while every other signal still reports;
- is `skipped` with the reason when `is_available()` says it cannot run here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests import media_factory as mf
from tests.plugin_support import luma_installed
from vidsleuth.core.metrics import missing_defaults
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.settings import Settings
from vidsleuth.core.signal import AnalysisContext, FrameSignal, Signal
from vidsleuth.errors import InputError
from vidsleuth.media import open_media
from vidsleuth.pipeline import analyze
from vidsleuth.registry import SignalRegistry, default_registry

BUILT_IN = [cls.NAME for cls in default_registry(entry_points=False)]
ALL = [*BUILT_IN, "luma"]
CODE = re.compile(r"^[a-z0-9_]+\.[a-z0-9_.]+$")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignalRegistry]:
    with luma_installed(tmp_path_factory.mktemp("site")):
        yield default_registry()


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("contract")
    still = d / "still.png"
    Image.new("RGB", (96, 64), (120, 80, 40)).save(still)
    return {
        "clip": mf.write_video(d / "clip.mp4", [mf.Scene(1.5, 1), mf.Scene(1.0, 2)], size=(160, 96)),
        "tenth": mf.write_video(d / "tenth.mp4", [mf.Scene(0.1, 3)], size=(160, 96), fps=24),
        "still": still,
        "audio": mf.audio_only(d / "audio.mp4"),
    }


def _namespace(cls: type[Signal]) -> str:
    return cls.EVIDENCE_NAMESPACE or cls.NAME


def _check_result(cls: type[Signal], result: SignalResult) -> None:
    json.dumps(result.to_dict(), allow_nan=False)  # JSON-safe, no NaN
    for e in result.evidence:
        assert CODE.match(e.code), e.code
        assert e.code.split(".")[0] == _namespace(cls), f"{e.code} outside {_namespace(cls)}."
    if result.status is Status.OK and cls.METRICS is not None:
        typed = result.metrics_as(cls.METRICS)
        assert typed.to_json() == json.loads(json.dumps(dict(result.metrics))), f"{cls.NAME} metrics drift"


@pytest.mark.parametrize("name", ALL)
def test_declares_typed_metrics_and_options(name: str, registry: SignalRegistry) -> None:
    cls = registry.get(name)
    assert cls.METRICS is not None, f"{name} declares no typed metrics"
    assert missing_defaults(cls.METRICS) == [], "every metrics field needs a default"
    assert cls.OPTIONS().validate() is not None  # the defaults are valid
    assert cls.panel() is not None, f"{name} has no report section"


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("kind", ["clip", "tenth", "still"])
def test_runs_on_short_and_still_inputs(
    name: str, kind: str, registry: SignalRegistry, media: dict[str, Path]
) -> None:
    report = analyze(media[kind], Settings(only=(name,)), registry=registry)
    result = report.result(name)
    assert result is not None
    assert result.status in (Status.OK, Status.NOT_APPLICABLE), (kind, result.error)
    _check_result(registry.get(name), result)


def test_a_file_without_video_is_refused_before_any_signal(media: dict[str, Path]) -> None:
    with pytest.raises(InputError, match="no video stream"):
        analyze(media["audio"])


@pytest.mark.parametrize("name", ALL)
def test_no_frames_at_all_is_handled(name: str, registry: SignalRegistry, media: dict[str, Path]) -> None:
    """A frame signal that never receives a frame (the decode found none it wanted) still answers."""
    cls = registry.get(name)
    opened = open_media(media["clip"], max_pixels=10**8)
    ctx = AnalysisContext(source=opened.source, media=opened.media, settings=Settings())
    signal = cls()
    if isinstance(signal, FrameSignal):
        signal.start(ctx)
        result = signal.finalize(ctx)
    else:
        result = signal.analyze(ctx)
    assert result.status is not Status.FAILED
    _check_result(cls, result)


def _raiser(*_args: Any, **_kw: Any) -> Any:
    raise RuntimeError("injected failure")


def _hooks() -> list[tuple[str, str]]:
    """(signal, hook) for every hook each signal has: a frame signal's three, a whole-file one's analyze."""
    frame = {cls.NAME for cls in default_registry(entry_points=False) if issubclass(cls, FrameSignal)} | {
        "luma"
    }
    return [
        (name, hook)
        for name in ALL
        for hook in (("start", "process_frame", "finalize") if name in frame else ("analyze",))
    ]


@pytest.mark.parametrize(("name", "hook"), _hooks())
def test_a_signal_fails_alone(
    name: str, hook: str, registry: SignalRegistry, media: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cls = registry.get(name)
    assert hasattr(cls, hook)
    monkeypatch.setattr(cls, hook, _raiser)
    other = "metadata" if name != "metadata" else "shots"
    report = analyze(media["clip"], Settings(only=(name, other)), registry=registry)
    failed, fine = report.result(name), report.result(other)
    assert failed is not None and failed.status is Status.FAILED
    assert "injected failure" in (failed.error or "")
    assert fine is not None and fine.status is Status.OK
    assert any(name in c for c in report.verdict.caveats)


@pytest.mark.parametrize("name", ALL)
def test_unavailable_is_skipped_with_the_reason(
    name: str, registry: SignalRegistry, media: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cls = registry.get(name)
    monkeypatch.setattr(cls, "is_available", classmethod(lambda c: (False, "needs the 'x' extra")))
    report = analyze(media["clip"], Settings(only=(name,)), registry=registry)
    result = report.result(name)
    assert result is not None and result.status is Status.SKIPPED and result.error == "needs the 'x' extra"
