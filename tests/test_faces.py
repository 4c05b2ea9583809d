"""The faces signal's pieces on arrays (no video decoded): landmark geometry, each cue, the boundary
statistics, identity spread, the animated-photo background check, options and availability."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from tests import media_factory as mf
from vidsleuth.core.errors import ConfigError
from vidsleuth.core.evidence import Evidence, Hypothesis
from vidsleuth.core.result import SignalResult
from vidsleuth.core.settings import Settings
from vidsleuth.fusion.fitting import LabelledResults, fit_calibration
from vidsleuth.pipeline import analyze
from vidsleuth.signals.faces import FacesSignal, animated, boundary, cues, identity, landmarks, models
from vidsleuth.signals.faces.options import FacesOptions
from vidsleuth.signals.faces.references import Reference
from vidsleuth.signals.faces.scan import BoundaryRow, TrackRecord, Window
from vidsleuth.signals.faces.tracking import Observation, iou

Points = npt.NDArray[np.float32]
# A frontal face's 5 points (right eye outer, inner, left eye inner... as dlib orders them), 100-px face.
FACE5 = np.array([[160, 100], [135, 100], [60, 100], [85, 100], [110, 140]], dtype=np.float32)


def moved(
    points: Points, angle: float = 0.0, scale: float = 1.0, shift: tuple[float, float] = (0, 0)
) -> Points:
    c, s = math.cos(angle), math.sin(angle)
    m = np.array([[c, -s], [s, c]], dtype=np.float32) * scale
    out: Points = (points @ m.T + np.array(shift, dtype=np.float32)).astype(np.float32)
    return out


# Landmarks ------------------------------------------------------------------------------------------


def test_similarity_recovers_a_known_transform() -> None:
    src = FACE5.astype(np.float64)
    dst = moved(FACE5, 0.3, 1.7, (12, -5)).astype(np.float64)
    m, t = landmarks.similarity(src, dst)
    assert np.allclose(src @ m.T + t, dst, atol=1e-3)


def test_jitter_ignores_rigid_head_motion_and_sees_frame_noise() -> None:
    a, b, c = FACE5, moved(FACE5, 0.05, 1.02, (3, 1)), moved(FACE5, 0.1, 1.04, (6, 2))
    assert landmarks.jitter5(a, b, c) < 1e-3
    rng = np.random.default_rng(1)
    noisy = (b + rng.normal(0, 2.0, b.shape)).astype(np.float32)
    assert landmarks.jitter5(a, noisy, c) > 0.01


def test_head_motion_is_zero_for_a_still_face_and_crosses_the_thresholds_when_it_moves() -> None:
    still = [FACE5.copy() for _ in range(10)]
    assert landmarks.head_motion(still) == (0.0, 0.0)
    shape, travel = landmarks.head_motion([moved(FACE5, 0.0, 1.0, (i * 2.0, 0)) for i in range(10)])
    assert shape < 1e-6 and travel >= animated.TRAVEL
    nodding = [moved(FACE5 - FACE5.mean(axis=0), 0.03 * (-1) ** i) for i in range(10)]
    assert landmarks.head_motion(nodding)[0] >= animated.SHAPE_MOTION


def test_pose_mismatch_is_small_when_the_whole_face_follows_its_centre() -> None:
    central = [0.1 * i for i in range(10)]
    assert landmarks.pose_mismatch(central, [2 * c + 0.1 for c in central]) == pytest.approx(0.0, abs=1e-9)
    rng = np.random.default_rng(2)
    wobbly = [2 * c + float(rng.normal(0, 0.2)) for c in central]
    assert (landmarks.pose_mismatch(central, wobbly) or 0.0) > 0.05
    assert landmarks.pose_mismatch(central[:3], central[:3]) is None
    assert landmarks.pose_mismatch([0.0] * 8, [0.0] * 8) is None


def test_iou() -> None:
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (20, 20, 30, 30)) == 0.0
    assert iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(1 / 3)


# Boundary -------------------------------------------------------------------------------------------


def _frame(smooth_face: bool, seed: int = 0) -> tuple[npt.NDArray[np.uint8], Points]:
    """A noisy 240x220 frame; with `smooth_face`, the face ellipse is blurred (a generated, upscaled face)."""
    rng = np.random.default_rng(seed)
    base = np.full((220, 240, 3), 120.0) + rng.normal(0, 8, (220, 240, 3))
    frame = np.clip(base, 0, 255).astype(np.uint8)
    hull = boundary.hull5(FACE5)
    if smooth_face:
        mask = np.zeros(frame.shape[:2], np.uint8)
        cv2.fillConvexPoly(mask, np.round(hull).astype(np.int32), 1)
        blurred = cv2.GaussianBlur(frame, (0, 0), 2.5)
        frame[mask > 0] = blurred[mask > 0]
    return frame, hull


def grey(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def test_boundary_noise_and_sharpness_drop_inside_a_smoothed_face() -> None:
    natural, hull = _frame(False)
    pasted, _ = _frame(True)
    a, b = boundary.measure(grey(natural), hull), boundary.measure(grey(pasted), hull)
    assert a is not None and b is not None
    assert abs(a.noise_log_ratio) < 0.2
    assert b.noise_log_ratio < -0.5
    assert math.log(b.inside.lapvar / b.ring.lapvar) < math.log(a.inside.lapvar / a.ring.lapvar) - 1
    assert b.crop.shape[0] > 0 and b.hull.shape == hull.shape
    assert a.inside.lab is None  # no colour crop given: noise and sharpness only


def test_boundary_colours_come_from_the_colour_crop_when_it_covers_the_face() -> None:
    frame = np.pad(_frame(False)[0], ((100, 100), (100, 100), (0, 0)), mode="reflect")
    hull = boundary.hull5(FACE5 + np.float32(100))
    frame[195:260, 170:250] = (200, 90, 60)  # a reddish face on a grey frame
    whole = boundary.measure(grey(frame), hull, (frame, 0, 0))
    assert whole is not None and whole.inside.lab is not None and whole.ring.lab is not None
    assert whole.inside.lab[1] > whole.ring.lab[1] + 5  # redder (a*) inside than around
    region = (np.ascontiguousarray(frame[20:420, 30:420]), 30, 20)  # a crop around the face
    part = boundary.measure(grey(frame), hull, region)
    assert part is not None and part.inside.lab == pytest.approx(whole.inside.lab, abs=0.5)
    small = (np.ascontiguousarray(frame[100:120, 100:120]), 100, 100)  # does not cover it
    none = boundary.measure(grey(frame), hull, small)
    assert none is not None and none.inside.lab is None


def test_boundary_needs_a_ring_inside_the_frame() -> None:
    frame = grey(_frame(False)[0])
    outside = boundary.hull5(FACE5 - np.array([300, 0], dtype=np.float32))
    assert boundary.measure(frame, outside) is None
    assert boundary.measure(frame[:10, :10], boundary.hull5((FACE5 / 30).astype(np.float32))) is None


def _row(t: float, inside_ab: tuple[float, float], ring: float = 1.0) -> BoundaryRow:
    lab_in = (120.0, *inside_ab)
    return BoundaryRow(
        t,
        boundary.Region(noise=0.5, lapvar=10.0, hf=0.5, lab=lab_in),
        boundary.Region(noise=ring, lapvar=20.0, hf=0.6, lab=(110.0, 128.0, 128.0)),
        seam=1.2,
        face_px=100,
    )


def test_colour_flicker_follows_the_change_of_the_face_to_ring_colour_difference() -> None:
    steady = cues.track_cues([], _record([_row(t, (130.0, 130.0)) for t in range(6)]), False)
    flicker = cues.track_cues([], _record([_row(t, (130.0 + 4 * (t % 2), 130.0)) for t in range(6)]), False)
    assert steady.values["boundary_colour_flicker"] == 0.0
    assert flicker.values["boundary_colour_flicker"] == pytest.approx(4.0)
    assert flicker.values["boundary_noise_ratio"] == pytest.approx(math.log(0.501 / 1.001))
    times, steps = flicker.series["boundary_colour_flicker"]
    assert times == [1, 2, 3, 4, 5] and steps == [4.0] * 5
    # too few measurements: does not apply
    one = cues.track_cues([], _record([_row(0, (130.0, 130.0))]), False)
    assert one.values["boundary_colour_flicker"] is None and one.values["boundary_noise_ratio"] is None


def _record(rows: list[BoundaryRow], descriptors: list[npt.NDArray[np.float32]] | None = None) -> TrackRecord:
    rec = TrackRecord()
    rec.boundary = rows
    rec.descriptors = [(float(i), d) for i, d in enumerate(descriptors or [])]
    return rec


def _obs(i: int, points: Points) -> Observation:
    lo, hi = points.min(axis=0), points.max(axis=0)
    return Observation(
        i, i / 30, (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])), points, None, False
    )


def test_landmark_jitter_uses_only_consecutive_frames() -> None:
    rng = np.random.default_rng(3)
    burst = [_obs(i, (FACE5 + rng.normal(0, 1.5, FACE5.shape)).astype(np.float32)) for i in (10, 11, 12, 40)]
    out = cues.track_cues(burst, TrackRecord(), False)
    assert out.series["landmark_jitter"][0] == [11 / 30]  # frame 11 alone has both neighbours
    assert (out.values["landmark_jitter"] or 0) > 0
    assert "landmark_jitter_inner" not in out.values and "pose_mismatch" not in out.values
    assert out.values["face_width_log"] == pytest.approx(math.log(100.0), rel=0.01)


def test_identity_spread_and_drift() -> None:
    base = np.zeros(128, np.float32)
    same = [base + 0.001 * i for i in range(4)]
    assert (identity.spread(same) or 0) < 0.02
    flicker = [base, base + 0.1, base, base + 0.1]
    assert identity.spread(flicker) == pytest.approx(0.05 * math.sqrt(128), rel=1e-3)
    assert identity.spread([base]) is None
    assert len(identity.drift(flicker)) == 4
    rec = _record([], flicker)
    assert cues.track_cues([], rec, False).values["identity_spread"] == identity.spread(flicker)


def test_cue_sentences_state_the_direction_and_what_a_value_is_worth() -> None:
    text = cues.sentence(cues.BY_KEY["landmark_jitter"], 0.0123, "face 1 (0.00 s – 4.00 s)")
    assert text.startswith("Landmark jitter 0.0123 (inter-ocular distance) on face 1")
    assert "expected to score higher" in text and "learned from labelled videos" in text
    assert "does not apply" in cues.sentence(cues.BY_KEY["boundary_seam"], None, "face 2")


# The animated-photo background check -------------------------------------------------------------------


def _texture(seed: int, h: int = 300, w: int = 300) -> npt.NDArray[np.uint8]:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (h // 6, w // 6), dtype=np.uint8)
    big = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.asarray(cv2.GaussianBlur(big, (0, 0), 1.0), dtype=np.uint8)


def test_background_of_the_photo_found_around_the_face() -> None:
    photo = _texture(5)
    ref = Reference("p.jpg", "", "hog", None, photo, (120.0, 100.0, 180.0, 160.0))
    # The video shows the photo's scene (shifted a little), its face region replaced by something else.
    scene = np.roll(photo, (6, -4), axis=(0, 1)).copy()
    scene[90:175, 110:195] = _texture(9, 85, 85)
    same = Window(0.0, scene, (116.0, 106.0, 176.0, 166.0))
    ncc, inliers = animated.background_match(ref, same)
    assert ncc > 0.8 and inliers >= animated.MIN_INLIERS
    other = Window(0.0, _texture(11), (116.0, 106.0, 176.0, 166.0))
    assert animated.background_match(ref, other)[0] < animated.BACKGROUND_NCC
    points = [FACE5 + np.float32(0.0)] * 4
    sign = animated.check(ref, [same, same], points)
    assert sign is not None and sign.kind == "static"  # the photo's scene, the face not moving
    assert animated.check(ref, [], points) is None


# Options and availability ---------------------------------------------------------------------------


def test_options_expand_folders_and_record_the_photos_content(tmp_path: Path) -> None:
    folder = tmp_path / "people"
    folder.mkdir()
    for name in ("b.jpg", "a.png", "notes.txt"):
        (folder / name).write_bytes(b"x" if name.endswith("txt") else name.encode())
    single = tmp_path / "c.jpeg"
    single.write_bytes(b"c")
    opts = FacesOptions(reference_faces=(str(folder), str(single), str(single))).validate()
    assert [Path(p).name for p in opts.reference_faces] == ["a.png", "b.jpg", "c.jpeg"]
    assert len(opts.reference_sha256) == 3 and all(len(h) == 64 for h in opts.reference_sha256)
    with pytest.raises(ConfigError, match="no such file"):
        FacesOptions(reference_faces=(str(tmp_path / "missing.jpg"),)).validate()
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="holds no photo"):
        FacesOptions(reference_faces=(str(tmp_path / "empty"),)).validate()
    with pytest.raises(ConfigError, match="match_threshold"):
        FacesOptions(match_threshold=0.6, possible_match_threshold=0.5).validate()
    with pytest.raises(ConfigError, match="burst"):
        FacesOptions(burst=0).validate()


def test_options_parse_from_the_command_line_form(tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    Image.new("RGB", (8, 8)).save(photo)
    opts = FacesOptions.parse(
        {"reference_faces": str(photo), "landmarks68": "yes"}, signal="faces"
    ).validate()
    assert opts.reference_faces == (str(photo),) and opts.landmarks68 is True


def test_unavailable_without_the_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert models.missing() is None  # the dev extra installs it
    assert FacesSignal.is_available() == (True, "")
    monkeypatch.setattr(models, "models_dir", lambda: None)
    ok, why = FacesSignal.is_available()
    assert not ok and why.startswith("needs the faces extra: pip install 'vidsleuth[faces]'")
    assert "face swaps were not examined" in why


def test_calibrate_never_fits_a_face_cue_against_ai_generated_labels() -> None:
    """`calibrate` fits "AI-generated or not": a face-swap cue (hypothesis face_manipulated) must not get a
    strength from that fit, however well its value happens to separate the classes."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(120):
        y = int(i < 60)
        v = float(rng.normal(1.5 if y else -1.5, 1))
        evidence = [
            Evidence.info(code, hyp, "x", data={"learned": True, "feature": "x", "value": v})
            for code, hyp in (("faces.x", Hypothesis.FACE_MANIPULATED), ("probe.x", Hypothesis.AI_GENERATED))
        ]
        result = SignalResult.ok("probe", "1.0", evidence, {"features": {"x": v}})
        rows.append(LabelledResults(f"{i:064x}", "ai" if y else "real", y, (result,)))
    cal = fit_calibration(rows, name="synthetic")
    assert "probe.x" in cal.evidence_strengths and "faces.x" not in cal.evidence_strengths


def test_without_the_extra_the_verdict_says_face_swaps_were_not_examined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = mf.write_video(tmp_path / "c.mp4", [mf.Scene(0.5, 1)], size=(160, 96))
    monkeypatch.setattr(models, "models_dir", lambda: None)
    report = analyze(clip, Settings(only=("faces",)))
    assert any("face swaps were not examined" in c for c in report.verdict.caveats)
