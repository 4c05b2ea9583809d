"""The `fingerprint` signal through `analyze`: hashes and keyframes in the report, bank matches as
evidence a person can check, and a bad bank or option as a failed signal with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import fingerprint_factory as ff
from vidsleuth.bank import Bank, NewItem
from vidsleuth.core.evidence import Hypothesis, Stance
from vidsleuth.core.report import Report
from vidsleuth.core.result import Status
from vidsleuth.core.settings import Settings
from vidsleuth.errors import ConfigError
from vidsleuth.fingerprint.video import fingerprint_file, fingerprint_from_report, prune
from vidsleuth.media import open_source
from vidsleuth.pipeline import analyze
from vidsleuth.registry import SignalRegistry
from vidsleuth.signals.fingerprint import FingerprintSignal
from vidsleuth.signals.fingerprint.metrics import FingerprintMetrics, VideoMatch

REGISTRY = SignalRegistry([FingerprintSignal])


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("fp-signal")
    a = ff.original(d / "a.mp4", seed=21, seconds=6.0)
    b = ff.original(d / "b.mp4", seed=22, seconds=6.0)
    clip = ff.apply_edit(a, d / "clip.mp4", ff.Edit("trim", trim=(1.0, 4.0)))
    return {"a": a, "b": b, "clip": clip}


@pytest.fixture(scope="module")
def bank_path(videos: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("fp-bank") / "bank.sqlite")
    with Bank.open(path, create=True) as bank:
        for name, label in (("a", "Flood fake, debunked"), ("b", "Unrelated")):
            source = open_source(videos[name])
            fp = prune(fingerprint_file(source.path, role="bank"))
            bank.add([NewItem(fp, f"sha256:{source.sha256}", "file", label, f"https://example.org/{name}")])
    return path


def run(path: Path, **options: object) -> Report:
    # No bank unless the test names one: the machine's default bank must not leak into a test.
    settings = Settings(options={"fingerprint": {"use_bank": "bank" in options, **options}})
    return analyze(path, settings, registry=REGISTRY)


def test_without_a_bank_the_fingerprint_and_keyframes_are_reported(videos: dict[str, Path]) -> None:
    report = run(videos["a"])
    result = report.result("fingerprint")
    assert result is not None and result.status is Status.OK, result and result.error
    assert result.evidence == ()
    metrics = result.metrics
    assert metrics["bank"] is None and metrics["matches"] == []
    assert metrics["sample_fps"] == 5.0 and 29 <= metrics["frames_hashed"] <= 31
    assert {"t", "frame", "q", "hash", "v"} <= set(metrics["hashes"][0])
    assert metrics["keyframes"] and metrics["keyframes"][0]["change"] == "start"
    labels = {t.label for t in result.thumbnails}
    assert 1 <= len(result.thumbnails) <= 12
    assert all(k["thumbnail"] in labels for k in metrics["keyframes"] if k["thumbnail"])
    json.dumps(report.to_dict())  # everything is JSON
    typed = result.metrics_as(FingerprintMetrics)
    assert typed.to_json() == metrics  # the typed metrics read back whole: no key is lost or added
    assert typed.frames_hashed == metrics["frames_hashed"] and len(typed.hashes) == len(metrics["hashes"])
    again = fingerprint_from_report(report.to_dict())
    assert again is not None and len(again.frames) == len(metrics["hashes"])


def test_a_banked_video_becomes_known_content_evidence(videos: dict[str, Path], bank_path: str) -> None:
    report = run(videos["clip"], bank=bank_path)
    result = report.result("fingerprint")
    assert result is not None and result.status is Status.OK, result and result.error
    [evidence] = result.evidence
    assert evidence.code == "fingerprint.known_content"
    assert evidence.hypothesis is Hypothesis.KNOWN_CONTENT and evidence.stance is Stance.SUPPORTS
    assert evidence.strength >= 0.8
    assert "Flood fake, debunked" in evidence.summary and "https://example.org/a" in evidence.summary
    data = evidence.data
    assert (
        data["item_id"] == 1
        and data["source_url"] == "https://example.org/a"
        and data["bank"] == "bank.sqlite"
    )
    [segment] = data["segments"]
    assert segment["item"]["start_s"] == pytest.approx(1.0, abs=0.3)
    assert segment["item"]["end_s"] == pytest.approx(5.0, abs=0.3)
    assert evidence.span is not None and evidence.span.start_s == pytest.approx(0.0, abs=0.3)
    assert result.metrics["bank"] == {
        "location": "bank.sqlite",
        "revision": 2,
        "items": 2,
        "frames": result.metrics["bank"]["frames"],
    }
    assert Report.from_dict(json.loads(json.dumps(report.to_dict()))).result("fingerprint") is not None
    # The metrics keep the match as the evidence's data has it (one shape, typed), bank name aside.
    [row] = result.metrics["matches"]
    assert row == {k: v for k, v in data.items() if k != "bank"}
    typed = result.metrics_as(FingerprintMetrics)
    assert typed.to_json() == result.metrics
    assert isinstance(typed.matches[0], VideoMatch) and typed.matches[0].segments[0].item is not None


def test_no_match_is_informational(videos: dict[str, Path], bank_path: str, tmp_path: Path) -> None:
    other = ff.original(tmp_path / "other.mp4", seed=23, seconds=3.0)
    result = run(other, bank=bank_path).result("fingerprint")
    assert result is not None and result.status is Status.OK
    [evidence] = result.evidence
    assert evidence.code == "fingerprint.no_match" and evidence.stance is Stance.INFORMATIONAL
    assert "2 banked items" in evidence.summary


def test_a_missing_bank_fails_the_signal_and_a_bad_option_the_settings(
    videos: dict[str, Path], tmp_path: Path
) -> None:
    result = run(videos["b"], bank=str(tmp_path / "nope.sqlite")).result("fingerprint")
    assert result is not None and result.status is Status.FAILED
    assert "no bank at nope.sqlite" in (result.error or "")
    # Options are checked once, before any work, with the same message for every front end.
    with pytest.raises(ConfigError, match=r"fingerprint\.fps"):
        run(videos["b"], fps=0)
    with pytest.raises(ConfigError, match=r"unknown option\(s\) colour"):
        run(videos["b"], colour="blue")


def test_hashes_can_be_left_out(videos: dict[str, Path]) -> None:
    report = run(videos["b"], hashes=False)
    result = report.result("fingerprint")
    assert result is not None and result.metrics["hashes"] == [] and result.metrics["frames_hashed"] > 0
    assert fingerprint_from_report(report.to_dict()) is None  # nothing to search again


def test_thumbnails_can_be_turned_off(videos: dict[str, Path]) -> None:
    report = analyze(videos["b"], Settings(thumbnails=False), registry=REGISTRY)
    result = report.result("fingerprint")
    assert result is not None and result.thumbnails == ()
    assert all(k["thumbnail"] is None for k in result.metrics["keyframes"])


def test_only_embedded_keyframes_name_a_thumbnail(videos: dict[str, Path]) -> None:
    result = run(videos["a"], keyframes=2).result("fingerprint")
    assert result is not None and len(result.thumbnails) == 2
    named = [k["thumbnail"] for k in result.metrics["keyframes"] if k["thumbnail"]]
    assert len(result.metrics["keyframes"]) > 2 and sorted(named) == sorted(
        t.label for t in result.thumbnails
    )
