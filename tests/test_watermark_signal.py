"""Signal `watermark` end to end on videos the tests make (no corpus needed): marks found, handles read,
labels, pasted marks, crops and blur boxes, and the report shapes the HTML panel relies on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests import watermark_factory as wf
from vidsleuth.core import Report, Status
from vidsleuth.core.evidence import Evidence, Hypothesis, Stance
from vidsleuth.pipeline import analyze
from vidsleuth.registry import SignalRegistry
from vidsleuth.report import render
from vidsleuth.signals.watermark import WatermarkSignal
from vidsleuth.signals.watermark.metrics import WatermarkMetrics

REGISTRY = SignalRegistry([WatermarkSignal])
HANDLE = "@vidsleuth_test"


def run(path: Path) -> tuple[Report, list[Evidence], dict[str, Any]]:
    report = analyze(path, registry=REGISTRY)
    result = report.result("watermark")
    assert result is not None
    assert result.status is Status.OK, result.error
    return report, list(result.evidence), dict(result.metrics)


def by_code(evidence: list[Evidence], code: str) -> list[Evidence]:
    return [e for e in evidence if e.code == code]


@pytest.fixture(scope="module")
def jumping(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wm") / "jumping.mp4"
    return wf.marked_video(out, size=(360, 640), seconds=7.0, handle=HANDLE)


def test_signal_is_available_and_named() -> None:
    assert WatermarkSignal.NAME == "watermark" and WatermarkSignal.VERSION == "1.1.2"
    assert WatermarkSignal.is_available() == (True, "")
    assert WatermarkSignal.METRICS is WatermarkMetrics
    assert WatermarkSignal.panel().POSITION == 20


def test_jumping_mark_with_handle_is_found(jumping: Path) -> None:
    report, evidence, metrics = run(jumping)
    [mark] = by_code(evidence, "watermark.generator_mark")
    assert mark.hypothesis is Hypothesis.AI_GENERATED and mark.stance is Stance.SUPPORTS
    assert 0.8 <= mark.strength <= 0.9
    assert mark.data["generator"] == "Sora" and mark.data["handle"] == HANDLE
    assert mark.data["geometry_matches"], mark.data["mismatches"]
    assert HANDLE in mark.summary  # so that it shows in the verdict's reasons
    assert mark.span is not None and mark.span.duration_s >= 4.0
    [handle] = by_code(evidence, "watermark.handle")
    assert handle.data["handle"] == HANDLE and handle.data["confidence"] >= 0.8
    # The mark was seen at two or more of its places, each with a box, a time span and a thumbnail.
    [det] = metrics["detections"]
    assert len({tuple(s["box"]) for s in det["segments"]}) >= 2
    result = report.result("watermark")
    assert result is not None
    for seg in det["segments"]:
        assert seg["end_s"] > seg["start_s"]
        thumb = result.thumbnails[seg["thumbnail_index"]]
        assert thumb.box is not None and thumb.jpeg_base64
        assert "Sora" in thumb.label
    # Fusion cites the mark: its summary (with the handle) reaches the verdict's reasons.
    cited = [r for r in report.verdict.reasons if "watermark.generator_mark" in r.evidence_codes]
    assert cited, report.verdict.reasons


def test_metrics_shape_for_the_report_panel(jumping: Path) -> None:
    report, _, metrics = run(jumping)
    assert set(metrics) >= {
        "detections",
        "overlay_regions",
        "removal_hints",
        "ocr_engine",
        "ocr_reads",
        "frames_sampled",
        "sample_fps",
        "duration_s",
    }
    det = metrics["detections"][0]
    assert set(det) >= {
        "mark",
        "generator",
        "kind",
        "text",
        "confidence",
        "handle",
        "box",
        "start_s",
        "end_s",
        "thumbnail_index",
        "segments",
        "strength",
        "mismatches",
    }
    assert metrics["ocr_engine"].startswith("rapidocr")
    # The typed metrics read the stored JSON back unchanged: one shape, declared in metrics.py.
    result = report.result("watermark")
    assert result is not None
    typed = result.metrics_as(WatermarkMetrics)
    assert typed.to_json() == json.loads(json.dumps(metrics))
    [mark] = typed.detections
    assert mark.generator == "Sora" and mark.handle == HANDLE and mark.segments
    assert all(s.box is not None and s.thumbnail_index is not None for s in mark.segments)
    assert typed.frames_sampled and typed.analysis_size is not None
    # ... and the report section draws it: one timeline bar per sighting.
    html = render(report, "html")
    assert html.count('class="wm-seg"') == len(mark.segments) and HANDLE in html


def test_fixed_veo_mark_in_its_corner(tmp_path: Path) -> None:
    path = wf.marked_video(
        tmp_path / "veo.mp4", size=(640, 360), seconds=4.0, text="Veo", mode="fixed", logo=False
    )
    _, evidence, _ = run(path)
    [mark] = by_code(evidence, "watermark.generator_mark")
    assert mark.data["generator"] == "Veo" and mark.data["geometry_matches"]
    assert mark.strength >= 0.8
    assert not by_code(evidence, "watermark.handle")


def test_platform_label_is_not_a_generator(tmp_path: Path) -> None:
    path = wf.marked_video(
        tmp_path / "label.mp4",
        size=(640, 360),
        seconds=4.0,
        text="AI-generated",
        mode="fixed",
        corner="top_left",
    )
    _, evidence, _ = run(path)
    assert not by_code(evidence, "watermark.generator_mark")
    [label] = by_code(evidence, "watermark.platform_label")
    assert 0.4 <= label.strength < 0.8 and "which generator" in label.summary


def test_clean_video_reports_absence_only(tmp_path: Path) -> None:
    path = wf.encode(tmp_path / "clean.mp4", wf.content_frames((640, 360), 5.0, 30), (640, 360), 30, 23)
    _, evidence, metrics = run(path)
    assert [e.code for e in evidence] == ["watermark.no_mark"]
    assert evidence[0].stance is Stance.INFORMATIONAL
    assert metrics["detections"] == [] and metrics["removal_hints"] == []


def test_pasted_mark_that_never_moves_is_flagged(tmp_path: Path) -> None:
    # The genuine Sora mark jumps every ~2.2 s; one that sits still for 8 s was likely pasted on.
    path = wf.marked_video(
        tmp_path / "pasted.mp4", size=(360, 640), seconds=8.0, mode="fixed", handle="@pasted"
    )
    _, evidence, _ = run(path)
    [mark] = by_code(evidence, "watermark.generator_mark")
    assert mark.data["generator"] == "Sora"
    assert not mark.data["geometry_matches"]
    assert any("one place" in m for m in mark.data["mismatches"])
    assert mark.strength < 0.7 and "unlike the genuine mark" in mark.summary
    # The words follow the strength (#12): a doubted mark is not called strong evidence.
    assert "moderate evidence" in mark.summary and "strong evidence" not in mark.summary


def test_crop_of_a_marked_generator_size_is_a_removal_hint(tmp_path: Path) -> None:
    # 480x800: the Sora feed's 480x872 with its bottom 72 rows (where the mark passes) cut away.
    path = wf.encode(tmp_path / "crop.mp4", wf.content_frames((480, 800), 2.0, 30), (480, 800), 30, 23)
    _, evidence, metrics = run(path)
    [hint] = by_code(evidence, "watermark.removal_hint")
    assert hint.data["kind"] == "crop" and hint.data["generator_size"] in ([480, 872], [872, 480])
    assert hint.strength < 0.4 and "hint" in hint.summary.lower()
    assert metrics["removal_hints"][0]["kind"] == "crop"


def test_blur_box_at_a_mark_place_is_a_removal_hint(tmp_path: Path) -> None:
    # 704x1280 (a Sora download) with a blur box over the mark's top-left place for the whole video.
    box = (34, 112, 152, 51)
    path = wf.blurred_box_video(tmp_path / "blur.mp4", (704, 1280), box)
    _, evidence, _ = run(path)
    hints = [e for e in by_code(evidence, "watermark.removal_hint") if e.data["kind"] == "blur_patch"]
    assert hints, [e.summary for e in evidence]
    x, y, _w, _h = hints[0].data["box"]
    assert abs(x - box[0]) < 40 and abs(y - box[1]) < 40
    assert hints[0].hypothesis is Hypothesis.EDITED and hints[0].strength < 0.4


def test_cropped_copy_loses_part_of_the_jumping_mark(tmp_path: Path) -> None:
    # A 704x1280 jumping mark cropped to 704x1180: the bottom place is cut away; the size is a crop of
    # Sora's 704x1280 and the mark is still found at its other places.
    src = wf.marked_video(tmp_path / "full.mp4", size=(704, 1280), seconds=7.0, handle=HANDLE)
    path = wf.crop_copy(src, tmp_path / "cropped.mp4", 1180)
    _, evidence, _ = run(path)
    assert by_code(evidence, "watermark.generator_mark")
    kinds = {e.data["kind"] for e in by_code(evidence, "watermark.removal_hint")}
    assert "crop" in kinds
