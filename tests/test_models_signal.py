"""Bring your own model (signals/models/): `--model PATH` with a model card, on tiny ONNX classifiers the
tests write with the `onnx` package (tests/model_factory.py: red scores "ai", blue scores "real").

What must hold: the output becomes evidence that cites the card; a flag weighs no more than the card's
own figures allow (never strong) and a low score never refutes; every bad card or model is one
ConfigError line before any video is analysed (exit 2 from the CLI).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from click.testing import CliRunner

from tests.model_factory import model_bytes, write_model
from vidsleuth.cli.main import main
from vidsleuth.core.errors import ConfigError
from vidsleuth.core.evidence import Stance
from vidsleuth.core.result import Status
from vidsleuth.core.settings import Settings
from vidsleuth.pipeline import analyze, prepare_settings
from vidsleuth.report import render
from vidsleuth.signals.models.card import load_card
from vidsleuth.signals.models.findings import strength_for
from vidsleuth.signals.models.metrics import ModelsMetrics

pytest.importorskip("onnx", reason="the tiny test models are written with the onnx package (synthesis extra)")


def _video(path: Path, rgb: tuple[int, int, int], seconds: float = 3.0, fps: int = 24) -> Path:
    out: Any = av.open(str(path), "w")
    with out:
        stream = out.add_stream("libx264", rate=fps, options={"crf": "18", "preset": "veryfast"})
        stream.width, stream.height, stream.pix_fmt = 128, 96, "yuv420p"
        frame = np.zeros((96, 128, 3), np.uint8)
        frame[...] = rgb
        for i in range(round(seconds * fps)):
            f = frame.copy()
            f[10:20, i % 100 : i % 100 + 10] = 128  # something moves
            for packet in stream.encode(av.VideoFrame.from_ndarray(f, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("byo-video")
    return {"red": _video(d / "red.mp4", (230, 20, 20)), "blue": _video(d / "blue.mp4", (20, 20, 230))}


def _run(video: Path, *models: Path) -> Any:
    return analyze(
        video, Settings(only=("models",), options={"models": {"paths": tuple(str(m) for m in models)}})
    )


def test_an_image_model_flags_a_red_video_and_the_finding_cites_its_card(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    model = write_model(tmp_path / "newsroom.onnx", "image", name="newsroom-v3")
    report = _run(clips["red"], model)
    result = report.result("models")
    assert result is not None and result.status is Status.OK
    (e,) = result.evidence
    assert e.code == "models.classifier" and e.stance is Stance.SUPPORTS
    assert e.strength == 0.55  # card: AUC 0.95, false-positive rate 1 % at its threshold -> moderate
    for cited in ("newsroom-v3", "newsroom.toml", "AUC 0.95", "nothing (test fixture)", "fixed linear map"):
        assert cited in e.summary
    assert e.data["model"] == "newsroom-v3" and e.data["sha256"] == load_card(model).sha256
    m = result.metrics_as(ModelsMetrics)
    (row,) = m.models
    assert row.kind == "image" and row.scored > 1 and row.mean is not None and row.mean > 0.9
    assert m.features == {"newsroom-v3": pytest.approx(row.mean, abs=1e-4)}
    assert m.feature_directions == {"newsroom-v3": 1}
    assert report.verdict.worth_checking  # a moderate hint: never "likely AI" on its own
    assert report.verdict.label.value == "inconclusive"
    html = render(report, "html")
    assert '<section id="models">' in html and "newsroom-v3" in html
    assert "## Your models" in render(report, "md")


def test_a_clip_model_with_a_json_card_scores_clips(clips: dict[str, Path], tmp_path: Path) -> None:
    model = write_model(tmp_path / "clipper.onnx", "clip", frames=4, fmt="json")
    result = _run(clips["red"], model).result("models")
    assert result is not None and result.status is Status.OK
    (row,) = result.metrics_as(ModelsMetrics).models
    assert row.kind == "clip" and row.frames_per_clip == 4 and 1 <= row.scored <= 8
    assert "clips of 4 frames" in result.evidence[0].summary


def test_a_low_score_never_refutes(clips: dict[str, Path], tmp_path: Path) -> None:
    model = write_model(tmp_path / "m.onnx")
    result = _run(clips["blue"], model).result("models")
    assert result is not None
    (e,) = result.evidence
    assert e.stance is Stance.INFORMATIONAL and "does not show the video is camera footage" in e.summary


def test_without_a_threshold_on_its_card_the_output_is_shown_not_counted(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    model = write_model(tmp_path / "m.onnx", decision=None)
    result = _run(clips["red"], model).result("models")
    assert result is not None
    (e,) = result.evidence
    assert e.stance is Stance.INFORMATIONAL and "sets no decision threshold" in e.summary


@pytest.mark.parametrize(
    ("auc", "fpr", "strength"),
    [(0.95, 0.01, 0.55), (0.95, 0.05, 0.25), (0.8, 0.1, 0.25), (0.7, 0.01, 0.0), (0.99, 0.2, 0.0)],
)
def test_what_a_flag_may_weigh_rests_on_the_cards_figures_and_is_never_strong(
    tmp_path: Path, auc: float, fpr: float, strength: float
) -> None:
    model = write_model(tmp_path / "m.onnx", validation={"auc": auc}, decision={"false_positive_rate": fpr})
    assert strength_for(load_card(model)) == strength < 0.7


def test_no_model_given_does_not_apply(clips: dict[str, Path]) -> None:
    result = analyze(clips["red"], Settings(only=("models",))).result("models")
    assert result is not None and result.status is Status.NOT_APPLICABLE and "--model" in (result.error or "")


def _changed(section: str, **values: Any) -> Callable[[Path], None]:
    def change(model: Path) -> None:
        card = model.with_suffix(".toml")
        text = card.read_text()
        for key, value in values.items():
            lines = [ln for ln in text.splitlines() if not ln.startswith(f"{key} =")]
            if value is not None:
                at = lines.index(f"[{section}]") + 1
                lines.insert(at, f"{key} = {json.dumps(value)}")
            text = "\n".join(lines)
        card.write_text(text)

    return change


def _no_card(model: Path) -> None:
    model.with_suffix(".toml").unlink()


def _broken_toml(model: Path) -> None:
    model.with_suffix(".toml").write_text("[model\nname = ")


def _tampered(model: Path) -> None:
    model.write_bytes(model.read_bytes() + b"\0")


def _clip_model_behind_image_card(model: Path) -> None:
    import hashlib

    data = model_bytes("clip")
    model.write_bytes(data)
    _changed("model", sha256=hashlib.sha256(data).hexdigest())(model)


def _not_onnx(model: Path) -> None:
    import hashlib

    model.write_bytes(b"this is not a model")
    _changed("model", sha256=hashlib.sha256(b"this is not a model").hexdigest())(model)


BAD = {
    "no card": (_no_card, "no model card beside it"),
    "broken TOML": (_broken_toml, "not valid TOML"),
    "missing validated AUC": (_changed("validation", auc=None), "validation.auc is missing"),
    "missing training data": (_changed("training", data=None), "training.data is missing"),
    "unknown kind": (_changed("model", kind="audio"), "model.kind must be"),
    "positive not a label": (_changed("output", positive="fake"), "is not one of output.labels"),
    "three labels for two outputs": (_changed("output", labels=["a", "b", "ai"]), "names 3 labels"),
    "wrong input size": (_changed("input", size=[64, 64]), "does not match the card"),
    "checksum": (_tampered, "differs from its card"),
    "clip model, image card": (_clip_model_behind_image_card, "rank 4"),
    "not ONNX": (_not_onnx, "onnxruntime cannot load it"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_card_or_model_is_one_config_error_line(tmp_path: Path, case: str) -> None:
    model = write_model(tmp_path / "m.onnx")
    change, message = BAD[case]
    change(model)
    with pytest.raises(ConfigError, match=message) as caught:
        prepare_settings(Settings(options={"models": {"paths": (str(model),)}}))
    assert "\n" not in str(caught.value)


def test_the_cli_maps_model_and_exits_2_on_a_bad_one(clips: dict[str, Path], tmp_path: Path) -> None:
    good = write_model(tmp_path / "good.onnx", name="good")
    ok = CliRunner().invoke(
        main, ["check", str(clips["red"]), "--model", str(good), "--only", "models", "--json"]
    )
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.stdout.splitlines()[0])
    (result,) = [r for r in report["results"] if r["signal"] == "models"]
    assert result["evidence"][0]["code"] == "models.classifier"
    bad = write_model(tmp_path / "bad.onnx")
    _tampered(bad)
    refused = CliRunner().invoke(main, ["check", str(clips["red"]), "--model", str(bad), "--no-report"])
    assert refused.exit_code == 2
    assert "differs from its card" in refused.output and len(refused.output.strip().splitlines()) == 1


def test_the_settings_digest_follows_the_models_content(tmp_path: Path) -> None:
    model = write_model(tmp_path / "m.onnx")
    first = prepare_settings(Settings(options={"models": {"paths": (str(model),)}})).digest()
    write_model(tmp_path / "m.onnx")  # the same model and card again
    assert prepare_settings(Settings(options={"models": {"paths": (str(model),)}})).digest() == first
    write_model(tmp_path / "m.onnx", decision={"threshold": 0.5})  # the same model, another threshold
    assert prepare_settings(Settings(options={"models": {"paths": (str(model),)}})).digest() != first
    import hashlib

    data = model_bytes("image", bias_ai=1.0)
    model.write_bytes(data)
    _changed("model", sha256=hashlib.sha256(data).hexdigest())(model)
    assert prepare_settings(Settings(options={"models": {"paths": (str(model),)}})).digest() != first
