"""The faces signal on real faces from ../shared/corpus (skipped when absent): a face track on real
footage with the cues and the honest caveat; "whose face is this?" on LivePortrait's animations, each
matched to its own source still and to no other; no still matched to a clip of someone else; the report
section. Each test decodes a few seconds at most; the evaluation over the whole set is marked slow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import CORPUS, corpus_path
from vidsleuth.cli.main import main
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.settings import Settings
from vidsleuth.pipeline import analyze
from vidsleuth.report import render
from vidsleuth.signals.faces import FacesSignal
from vidsleuth.signals.faces.metrics import FacesMetrics

pytestmark = pytest.mark.corpus
ROOT = Path(__file__).resolve().parent.parent
STILLS = "animated_photos/source_stills"
# Stills with a face the HOG detector finds (the animal and object stills would need the slow CNN).
PEOPLE = ("s0", "s1", "s5", "s6", "s7", "s8", "s9", "s10", "s11")


def faces(
    path: Path, refs: tuple[str, ...] = (), max_duration_s: float | None = None
) -> tuple[SignalResult, Report]:
    photos = tuple(str(corpus_path(f"{STILLS}/{r}.jpg")) for r in refs)
    options = {"faces": {"reference_faces": photos}} if photos else {}
    report = analyze(path, Settings(only=("faces",), options=options, max_duration_s=max_duration_s))
    result = report.result("faces")
    assert result is not None
    return result, report


def matched(result: SignalResult) -> dict[int, set[str]]:
    """Track -> photos it matches (below the match threshold; possible matches left out)."""
    out: dict[int, set[str]] = {}
    for m in result.metrics_as(FacesMetrics).matches:
        if m.kind == "match":
            out.setdefault(m.track_id, set()).add(m.reference.removesuffix(".jpg"))
    return out


def test_real_footage_gives_a_track_cues_and_the_honest_caveat() -> None:
    result, report = faces(corpus_path("face_manipulation/ffpp_original_519_REAL.mp4"), max_duration_s=6.0)
    assert result.status is Status.OK, result.error
    m = result.metrics_as(FacesMetrics)
    assert len(m.tracks) == 1 and m.main_track == 0 and m.tracks[0].examined
    assert m.tracks[0].end_s - m.tracks[0].start_s > 5.0  # followed through the clip
    assert m.descriptors >= 3 and m.landmark_model == "5-point"
    assert m.frames_examined < m.frames_seen / 3  # the schedule looks at a fraction of the frames
    values = {k: v for k, v in m.features.items() if v is not None}
    assert {"identity_spread", "boundary_noise_ratio", "landmark_jitter", "boundary_colour_flicker"} <= set(
        values
    )
    cues = [e for e in result.evidence if e.data.get("learned") is True]
    assert cues and all(e.strength == 0.0 and e.hypothesis.value == "face_manipulated" for e in cues)
    caveat = next(c for c in report.verdict.caveats if c.startswith("Face-swap cues were measured"))
    assert "AUC" in caveat and "does not rule out a face swap" in caveat
    assert m.heatmap is not None and m.tracks[0].thumbnail >= 0
    html = render(report, "html")
    assert '<section id="faces">' in html and "Face 1" in html and "Blending boundary" in html


def test_liveportrait_animations_match_their_own_stills_only() -> None:
    inference, _ = faces(corpus_path("animated_photos/liveportrait_inference.gif"), PEOPLE)
    by_track = matched(inference)
    assert sorted(by_track.values(), key=sorted) == [{"s6"}, {"s6"}]  # the animated and the still panel
    signs = {m.sign for m in inference.metrics_as(FacesMetrics).matches if m.kind == "match"}
    assert signs == {"animated", "static"}
    codes = [e.code for e in inference.evidence]
    assert "faces.animated_photo" in codes and "faces.photo_shown_still" in codes
    sign = next(e for e in inference.evidence if e.code == "faces.animated_photo")
    assert "distance 0." in sign.summary and "threshold 0.40" in sign.summary
    assert "a photo cut from this footage" in sign.summary

    paintings, _ = faces(corpus_path("animated_photos/liveportrait_showcase2.gif"), PEOPLE)
    assert sorted(map(sorted, matched(paintings).values())) == [["s10"], ["s8"], ["s9"]]


def test_no_still_matches_a_clip_of_someone_else() -> None:
    result, _ = faces(corpus_path("faces_real/d0.mp4"), PEOPLE, max_duration_s=4.0)
    assert result.status is Status.OK
    assert matched(result) == {}
    assert any(e.code == "faces.no_reference_match" for e in result.evidence)


def test_reference_face_flag_of_check(tmp_path: Path) -> None:
    gif = corpus_path("animated_photos/liveportrait_inference.gif")
    still = corpus_path(f"{STILLS}/s6.jpg")
    out = tmp_path / "r.json"
    cmd = ["check", str(gif), "--only", "faces", "-q"]
    done = CliRunner().invoke(main, [*cmd, "--reference-face", str(still), "-o", str(out)])
    assert done.exit_code == 0, done.output
    text = out.read_text(encoding="utf-8")
    assert "faces.reference_match" in text and "s6.jpg" in text
    missing = CliRunner().invoke(main, [*cmd, "--reference-face", str(tmp_path / "nope.jpg"), "--no-report"])
    assert missing.exit_code == 2 and "no such file" in missing.output


@pytest.mark.slow
def test_evaluation_rebuilds_the_corpus_figures(tmp_path: Path) -> None:
    if not (CORPUS / "face_manipulation").is_dir():
        pytest.skip("corpus face_manipulation/ not present")
    out = tmp_path / "eval.json"
    cmd = [sys.executable, str(ROOT / "bench" / "faces_eval.py"), "--cache", str(tmp_path / "c.jsonl")]
    done = subprocess.run([*cmd, "--json", str(out), "-q"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "## Logistic regression cues+cov / trained on downloaded only" in done.stdout
    assert FacesSignal.NAME == "faces" and out.is_file()


def test_the_opt_in_68_point_model_adds_its_cues() -> None:
    clip = corpus_path("face_manipulation/ffpp_original_519_REAL.mp4")
    settings = Settings(only=("faces",), max_duration_s=4.0, options={"faces": {"landmarks68": True}})
    result = analyze(clip, settings).result("faces")
    assert result is not None and result.status is Status.OK
    m = result.metrics_as(FacesMetrics)
    assert m.landmark_model == "68-point"
    assert all(
        m.features.get(k) is not None
        for k in ("landmark_jitter_inner", "landmark_jitter_jaw", "pose_mismatch")
    )
