"""The faces section of the HTML and Markdown reports (signals/faces/panel.py), built from core types: no
video decoded. It must show the lanes, thumbnails, matches side by side, the heatmap and the cue plots,
say what was examined and with what power, escape what the metrics hold, and survive malformed metrics."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.test_panel_motion import md_section, section
from tests.test_report import HOSTILE, XSS, assert_self_contained, build, tiny_jpeg
from vidsleuth.core import Evidence, Hypothesis, SignalResult
from vidsleuth.core.evidence import Span, Stance
from vidsleuth.core.result import Thumbnail
from vidsleuth.report import render
from vidsleuth.signals.faces import findings
from vidsleuth.signals.faces.metrics import Validation


def faces_metrics(
    reference: str = "s6.jpg", sentence: str = "Landmark jitter 0.01: a sentence."
) -> dict[str, Any]:
    times = [i * 0.5 for i in range(20)]
    return {
        "landmark_model": "5-point",
        "frames_seen": 600,
        "frames_examined": 120,
        "descriptors": 5,
        "tracks": [
            {"track_id": 0, "start_s": 0.0, "end_s": 9.5, "segments": [{"start_s": 0.0, "end_s": 4.0},
             {"start_s": 6.0, "end_s": 9.5}], "observations": 60, "face_px": 180.0, "thumbnail": 0,
             "main": True, "examined": True},
            {"track_id": 1, "start_s": 2.0, "end_s": 3.0, "segments": [{"start_s": 2.0, "end_s": 3.0}],
             "observations": 4, "face_px": 50.0, "thumbnail": -1, "main": False, "examined": False},
        ],
        "main_track": 0,
        "features": {"landmark_jitter": 0.01, "boundary_seam": None},
        "feature_directions": {"landmark_jitter": 1, "boundary_seam": 1},
        "panels": [
            {"title": "Landmark jitter", "feature": "landmark_jitter", "code": "faces.landmark_jitter",
             "unit": "inter-ocular distance", "value": 0.01, "direction": 1, "sentence": sentence,
             "series": {"time_s": times, "value": [0.01 + 0.001 * (i % 3) for i in range(20)]},
             "series_shows": "the jitter in each burst"},
            {"title": "Edge along the face outline", "feature": "boundary_seam",
             "code": "faces.boundary_seam", "unit": "ratio", "value": None, "direction": 1,
             "sentence": "does not apply"},
        ],
        "references": [{"name": reference, "sha256": "ab" * 8, "face_found": True, "how": "hog",
                        "thumbnail": 1}],
        "matches": [{"track_id": 0, "reference": reference, "distance": 0.21, "threshold": 0.4,
                     "kind": "match", "start_s": 0.0, "end_s": 9.5, "track_thumbnail": 0,
                     "reference_thumbnail": 1, "sign": "animated", "background_ncc": 0.8}],
        "heatmap": {"thumbnail": 2, "track_id": 0, "time_s": 3.0, "statistic": "local noise level",
                    "inside": 0.4, "ring": 1.2, "scale": [0.0, 2.0]},
        "validation": {"auc": 0.66, "low": 0.49, "high": 0.81, "clips": 66, "method": "grouped CV"},
    }  # fmt: skip


def faces_result(metrics: dict[str, Any] | None = None, reference: str = "s6.jpg", **kw: Any) -> SignalResult:
    span = Span(0.0, 9.5)
    evidence = [
        findings.examined(Validation(0.66, 0.49, 0.81, 66), 2, "face 1 (0.00 s – 9.50 s)", "5-point"),
        Evidence.info(
            "faces.landmark_jitter",
            Hypothesis.FACE_MANIPULATED,
            "Landmark jitter 0.01.",
            span=span,
            data={"learned": True, "feature": "landmark_jitter", "value": 0.01},
        ),
        findings.reference_match(0, span, reference, 0.21, 0.4, 0.5, "match"),
        findings.animated_photo(0, span, reference, 0.21, 0.4, 0.8),
    ]
    thumbs = [Thumbnail(f"Face {i}", 1.0, tiny_jpeg(40 * i), 32, 18) for i in range(3)]
    return SignalResult.ok("faces", "1.0.0", evidence, metrics or faces_metrics(reference, **kw), thumbs)


def test_faces_section_shows_lanes_thumbnails_matches_heatmap_and_cues(
    caplog: pytest.LogCaptureFixture,
) -> None:
    report = build([faces_result()])
    html = render(report, "html")
    assert_self_contained(html)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    fa = section(html, "faces")
    assert "<h2>Faces</h2>" in fa
    assert "AUC 0.66 [0.49, 0.81] on 66 clips" in fa and "does not rule out a face swap" in fa
    assert (
        fa.count('class="lane"') == 2 and fa.count('class="shot-a"') == 2 and fa.count('class="shot-b"') == 1
    )
    assert "Whose face is this?" in fa and "reference photo" in fa
    match = fa.split('id="faces-match-1"', 1)[1].split("</article>", 1)[0]
    assert match.count("<img") == 2  # the photo and the face, side by side
    assert "matches the person in photo s6.jpg (distance 0.21, threshold 0.40)" in match
    assert "animated-photo sign" in match and 'href="#ev-faces.reference_match"' in match
    assert "Blending boundary" in fa and "inside the white outline 0.40" in fa
    assert 'id="faces-cue-1"' in fa and 'class="mseries"' in fa
    assert "Does not apply to this video: Edge along the face outline" in fa
    md = md_section(render(report, "md"), "Faces")
    assert "s6.jpg" in md and "Landmark jitter" in md and "AUC 0.66" in md


def test_a_calibrated_cue_says_what_weight_it_got() -> None:
    result = faces_result()
    weighed = Evidence(
        "faces.landmark_jitter",
        Hypothesis.FACE_MANIPULATED,
        Stance.SUPPORTS,
        0.2,
        "Landmark jitter 0.01.",
        None,
        {"learned": True, "value": 0.01, "calibration": "newsroom@3"},
    )
    evidence = tuple(weighed if e.code == "faces.landmark_jitter" else e for e in result.evidence)
    result = SignalResult.ok("faces", "1.0.0", evidence, result.metrics, result.thumbnails)
    fa = section(render(build([result]), "html"), "faces")
    assert "counts as evidence: supports face manipulated, strength 0.20" in fa
    assert "as learned by the calibration newsroom@3" in fa


def test_hostile_strings_are_escaped() -> None:
    report = build([faces_result(reference=HOSTILE, sentence=HOSTILE)])
    html = render(report, "html")
    assert_self_contained(html)
    assert XSS not in html
    md = render(report, "md")
    assert "<script>" not in md


@pytest.mark.parametrize(
    "metrics",
    [
        {"tracks": "nope", "panels": [{"title": 3}], "matches": [{"track_id": "x"}], "heatmap": 7},
        {
            "tracks": [
                {"track_id": 0, "start_s": 5, "end_s": 1, "segments": [{"start_s": -1, "end_s": 1e300}]}
            ]
        },
        {
            "matches": [
                {
                    "track_id": 0,
                    "reference": "a",
                    "distance": 0.1,
                    "threshold": 0.4,
                    "reference_thumbnail": 99,
                }
            ]
        },
        {},
    ],
)
def test_malformed_metrics_never_break_the_report(metrics: dict[str, Any]) -> None:
    html = render(build([faces_result(metrics=metrics or {"x": 1})]), "html")
    assert_self_contained(html)
