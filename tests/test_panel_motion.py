"""The watermark and motion panels of the HTML and Markdown reports.

Reports are built from core types (no video decoded, except one corpus test): a watermark result with a
detection, its @handle, sightings, an unidentified overlay, a removal hint and thumbnails, and a motion
result with its per-measurement panels. The panels must show what the signals found, escape whatever OCR
read, and leave themselves out (without a logged warning) when the metrics are not what they expect.
"""

from __future__ import annotations

import json
import logging
import math
import re
from pathlib import Path
from typing import Any

import pytest
from vidsleuth.report.signal_panels import MAX_POINTS, gauge, motion_panel, plot, watermark_panel

from tests.conftest import corpus_path
from tests.test_report import ATTR, HOSTILE, XSS, Page, assert_self_contained, build, tiny_jpeg
from vidsleuth.core import Evidence, Hypothesis, Report, SignalResult, Span, Thumbnail
from vidsleuth.core.evidence import Stance
from vidsleuth.report import FORMATS, load_report, render
from vidsleuth.signals.motion.features import SERIES_SHOWS

HANDLE = "@andrewdefee"
SEGMENTS = [  # in a 1280 x 720 frame (tests.test_report.media): top left, middle right, bottom centre
    {"start_s": 1.2, "end_s": 3.6, "box": [20, 20, 150, 50], "text": "Sora", "confidence": 1.0,
     "handle": HANDLE, "ocr_lines": [["Sora", 1.0], ["Qandrewdefee", 0.82]], "thumbnail_index": 1},
    {"start_s": 4.0, "end_s": 7.2, "box": [1100, 330, 150, 50], "text": "Sora", "confidence": 0.98,
     "handle": "@andrewdafee", "ocr_lines": [["Sora", 0.98]], "thumbnail_index": 0},
    {"start_s": 8.0, "end_s": 9.2, "box": [600, 650, 150, 50], "text": "Sora", "confidence": 0.97,
     "handle": HANDLE, "ocr_lines": [], "thumbnail_index": 2},
]  # fmt: skip


def section(html: str, name: str) -> str:
    assert f'<section id="{name}">' in html, f"no {name} panel"
    return html.split(f'<section id="{name}">', 1)[1].split("</section>", 1)[0]


def md_section(md: str, title: str) -> str:
    assert f"## {title}\n" in md, f"no {title} section"
    return md.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def watermark_result(
    text: str = "Sora",
    handle: str = HANDLE,
    handle_confidence: float | None = 0.914,
    overlay_text: str = "LOGO",
    summary: str = "A mark-sized rectangle is far smoother than its surroundings: it may hide a mark.",
    metrics: dict[str, Any] | None = None,
) -> SignalResult:
    detection = {
        "mark": "sora", "name": "Sora watermark (cloud logo + \"Sora\")", "generator": "Sora",
        "kind": "generator_mark", "text": text, "confidence": 1.0, "handle": handle,
        "handle_confidence": handle_confidence, "box": [1100, 330, 150, 50], "start_s": 1.2, "end_s": 9.2,
        "thumbnail_index": 0, "strength": 0.65, "mismatches": ["it stays 7.0 s in one place"],
        "segments": [dict(s, text=text) for s in SEGMENTS],
    }  # fmt: skip
    m = {
        "detections": [detection],
        "overlay_regions": [
            {"box": [40, 600, 90, 90], "start_s": 0.5, "end_s": 9.5, "text": overlay_text, "density": 0.3,
             "surround_motion": 0.4, "thumbnail_index": 3},
        ],
        "removal_hints": [
            {"kind": "blur_patch", "summary": summary, "strength": 0.3, "start_s": 0.0, "end_s": 10.0,
             "box": [1000, 20, 200, 60], "thumbnail_index": 4},
        ],
        "ocr_engine": "rapidocr 3.10.0 (PP-OCR, onnxruntime)", "ocr_reads": 12, "ocr_seconds": 1.4,
        "ocr_errors": ["RuntimeError: one crop failed"], "frames_sampled": 25, "sample_fps": 2.5,
        "analysis_size": [640, 360], "duration_s": 10.1,
    }  # fmt: skip
    labels = ["middle right", "top left", "bottom centre", "unidentified overlay", "blur patch"]
    thumbs = [
        Thumbnail(f"crop {label}", 2.0 * i, tiny_jpeg(30 * i), 32, 18) for i, label in enumerate(labels)
    ]
    evidence = [
        Evidence.supports(
            "watermark.generator_mark",
            Hypothesis.AI_GENERATED,
            0.65,
            f'A Sora watermark appears to be burned into the video (read as "{text}").',
            span=Span(1.2, 9.2),
            data={"generator": "Sora", "mark": "sora", "text": text, "handle": handle},
        ),
        Evidence.info(
            "watermark.handle",
            Hypothesis.KNOWN_CONTENT,
            f"Handle in the Sora mark: {handle}.",
            data={"handle": handle, "generator": "Sora"},
        ),
        Evidence.info(
            "watermark.unidentified_overlay",
            Hypothesis.EDITED,
            "A persistent overlay sits at x=40, y=600.",
            data={"box": [40, 600, 90, 90], "text": overlay_text, "thumbnail_index": 3},
        ),
        Evidence.supports(
            "watermark.removal_hint", Hypothesis.EDITED, 0.3, summary, data={"kind": "blur_patch"}
        ),
    ]
    return SignalResult.ok("watermark", "1.0.0", evidence, metrics if metrics is not None else m, thumbs)


def motion_metrics(title: str = "Camera shake", sentence: str | None = None) -> dict[str, Any]:
    times = [i / 6 for i in range(60)]

    def panel(feature: str, title: str, value: float | None, series: Any, low: float, high: float) -> Any:
        shown = "does not apply" if value is None else f"{value:.2f}"
        return {
            "feature": feature, "code": f"motion.{feature}", "title": title, "unit": "ratio", "value": value,
            "direction": 1, "sentence": f"{title} {shown} (ratio): a sentence about {feature}.",
            "series": series, "bands": {"low": low, "high": high},
            "series_shows": SERIES_SHOWS[feature][0], "series_in_value_unit": SERIES_SHOWS[feature][1],
        }  # fmt: skip

    shake = panel(
        "camera_shake", title, 0.21, {"time_s": times, "value": [1 + i % 7 for i in range(60)]}, 0.05, 0.2
    )
    if sentence is not None:
        shake["sentence"] = sentence
    return {
        "sample_fps": 6.0,
        "frames_analysed": 60,
        "camera_moving_share": 0.62,
        "panels": [
            shake,
            panel(
                "path_straightness", "Camera path straightness", None, {"time_s": [], "value": []}, 0.6, 0.95
            ),
            panel("noise_level", "Sensor-like noise", 0.5, {"time_s": times, "value": [0.5] * 60}, 0.1, 1.0),
            panel(
                "texture_flicker",
                "Fine-texture flicker",
                0.02,
                {"time_s": [3.0], "value": [0.02]},
                0.01,
                0.04,
            ),
            panel(
                "trajectory_curvature",
                "Frame trajectory curvature",
                93.0,
                {"time_s": [0, 1, "x", None, 4, math.nan, 6], "value": [90, 95, 1, 2, math.inf, 3, 91]},
                60.0,
                95.0,
            ),
            panel("speed_variation", "Speed variation", 0.36, None, 0.15, 0.5),
        ],
        "camera_speed": {"time_s": times, "value": [20.0 + i for i in range(60)]},
        "camera_spectrum": {"freq_hz": [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0], "power": [1, 4, 9, 3, 2, 1, 0.5]},
        "calibration": "default-rules@1",
    }


def motion_result(metrics: dict[str, Any] | None = None, weighed: bool = False, **kw: Any) -> SignalResult:
    m = metrics if metrics is not None else motion_metrics(**kw)
    data = {"learned": True, "feature": "camera_shake", "value": 0.21, "calibration": "default-rules@1"}
    shake = (
        Evidence(
            "motion.camera_shake",
            Hypothesis.AI_GENERATED,
            Stance.REFUTES,
            0.3,
            "Camera shake 0.21 (ratio).",
            None,
            {**data, "calibration": "newsroom@2"},
        )
        if weighed
        else Evidence.info(
            "motion.camera_shake", Hypothesis.AI_GENERATED, "Camera shake 0.21 (ratio).", data=data
        )
    )
    noise = Evidence.info("motion.noise_level", Hypothesis.AI_GENERATED, "Sensor-like noise 0.50.")
    return SignalResult.ok("motion", "1.0.0", [shake, noise], m)


def tags(html: str, tag: str, cls: str) -> list[dict[str, str]]:
    return [a for t, a in Page(html).tags if t == tag and a.get("class") == cls]


def no_warnings(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], "a panel raised and was left out"


# Watermark ----------------------------------------------------------------------------------------


def test_watermark_panel_shows_each_detection_with_crop_text_handle_and_timeline(
    caplog: pytest.LogCaptureFixture,
) -> None:
    report = build([watermark_result()])
    html = render(report, "html")
    assert_self_contained(html)
    no_warnings(caplog)
    wm = section(html, "watermark")
    card = wm.split('id="watermark-mark-1"', 1)[1].split("</article>", 1)[0]
    assert "Sora" in card and "generator mark" in card
    assert HANDLE in card and "OCR confidence 0.91" in card
    assert "a lead to the source account" in card and "check by eye" not in card  # 0.91 is a clear read
    assert "Also read as: @andrewdafee" in card  # another spelling a single sighting read
    assert "it stays 7.0 s in one place" in card and "0.65" in card
    # one bar per sighting, each in the lane of its place, with the time span as tooltip
    bars = tags(card, "rect", "wm-seg")
    assert len(bars) == len(SEGMENTS) == 3
    assert len({b["y"] for b in bars}) == 3
    for lane in ("top left", "middle right", "bottom centre"):
        assert f">{lane}</text>" in card
    assert "<title>1.20 s – 3.60 s · top left · &#34;Sora&#34; · @andrewdefee</title>" in card
    xs = [float(b["x"]) for b in bars]
    assert xs == sorted(xs) and all(150 <= x <= 1000 for x in xs)
    # the crop of the best read, and one per sighting in the collapsible table
    assert "<details><summary>Sightings (3)</summary>" in card
    assert len(re.findall(r'src="data:image/jpeg;base64,', card)) == 1 + 3
    assert f'src="data:image/jpeg;base64,{tiny_jpeg(0)}"' in card
    # overlays and hints are set apart, in their own words, with their crops
    assert "persistent overlay, not a known AI mark" in wm and "LOGO" in wm
    assert f'src="data:image/jpeg;base64,{tiny_jpeg(90)}"' in wm
    assert "Possible removal (hints only)" in wm and "blurred patch where a mark belongs" in wm
    assert f'src="data:image/jpeg;base64,{tiny_jpeg(120)}"' in wm
    assert "rapidocr 3.10.0" in wm and "12 reads in 1.40 s" in wm and "25 frames sampled" in wm
    assert "RuntimeError: one crop failed" in wm
    # the crops are shown here only, not again under "images from other signals"
    assert 'id="images"' not in html


def test_watermark_panel_and_evidence_table_link_both_ways() -> None:
    page_html = render(build([watermark_result()]), "html")
    page = Page(page_html)
    ids = set(page.attr("id"))
    links = {h[1:] for h in page.attr("href") if h.startswith("#")}
    assert links <= ids
    assert {
        "ev-watermark.generator_mark",
        "ev-watermark.unidentified_overlay",
        "ev-watermark.removal_hint",
    } <= links
    assert {"watermark-mark-1", "watermark-overlay-1", "watermark-hint-1"} <= links
    row = page_html.split('id="ev-watermark.handle"', 1)[1].split("</tr>", 1)[0]
    assert 'href="#watermark-mark-1"' in row  # the handle finding points at the card that shows it
    assert '<a href="#watermark">Watermarks</a>' in page_html


@pytest.mark.parametrize(("confidence", "flagged"), [(0.55, True), (None, True), (0.95, False)])
def test_low_confidence_handle_is_a_lead_to_check_by_eye(confidence: float | None, flagged: bool) -> None:
    report = build([watermark_result(handle_confidence=confidence)])
    html, md = render(report, "html"), render(report, "md")
    assert ("a lead to the source account, check by eye" in section(html, "watermark")) is flagged
    assert ("a lead to the source account, check by eye" in md) is flagged
    assert HANDLE in html and f"`{HANDLE}`" in md


def test_watermark_markdown_section() -> None:
    md = render(build([watermark_result()]), "md")
    wm = md_section(md, "Visible watermarks")
    assert '- **Sora** (generator mark): read as "Sora" (OCR 1.00), strength 0.65, seen 1.20 s – 9.20 s' in wm
    assert f"Handle: `{HANDLE}` (OCR 0.91): a lead to the source account; also read as `@andrewdafee`" in wm
    assert "Sightings: 1.20 s – 3.60 s (top left), 4.00 s – 7.20 s (middle right), 8.00 s – 9.20 s" in wm
    assert "Unlike the genuine mark: it stays 7.0 s in one place" in wm
    assert "Persistent overlay, not a known AI mark: 0.50 s – 9.50 s" in wm and "LOGO" in wm
    assert "Removal hint (blurred patch where a mark belongs), a hint only:" in wm
    assert "rapidocr 3.10.0" in wm and "one crop failed" in wm
    assert md.index("## Visible watermarks") < md.index("## Signals")


def test_watermark_that_found_nothing_says_absence_proves_nothing() -> None:
    empty = SignalResult.ok(
        "watermark",
        "1.0.0",
        [],
        {"detections": [], "overlay_regions": [], "removal_hints": [], "ocr_reads": 0},
    )
    report = build([empty])
    assert "absence proves nothing" in section(render(report, "html"), "watermark").lower()
    assert "absence proves nothing" in md_section(render(report, "md"), "Visible watermarks")


# Motion -------------------------------------------------------------------------------------------


def test_motion_panel_plots_each_measurement_with_its_sentence(caplog: pytest.LogCaptureFixture) -> None:
    html = render(build([motion_result()]), "html")
    assert_self_contained(html)
    no_warnings(caplog)
    mo = section(html, "motion")
    assert "informational, not evidence" in mo and "default-rules@1" in mo and "learned none" in mo
    cards = re.findall(r'<article class="mcard" id="(motion-\d+)">(.*?)</article>', mo, re.S)
    assert [c[0] for c in cards] == ["motion-1", "motion-3", "motion-4", "motion-5", "motion-6"]
    by_id = dict(cards)
    for body in by_id.values():
        assert "a sentence about" in body
        assert len(tags(body, "rect", "band")) >= 1  # the band, on the value's own scale at least
    # camera shake: a line of 60 points over the whole video, band shaded on the value scale only
    shake = by_id["motion-1"]
    [line] = tags(shake, "polyline", "mseries")
    points = [tuple(map(float, p.split(","))) for p in line["points"].split()]
    assert len(points) == 60 and all(50 <= x <= 320 and 6 <= y <= 70 for x, y in points)
    assert 'Camera shake: <span class="mval">0.21</span>' in shake
    # a constant series is drawn flat inside the plot; its band and value are on the same scale
    [flat] = tags(by_id["motion-3"], "polyline", "mseries")
    assert len({p.split(",")[1] for p in flat["points"].split()}) == 1
    assert tags(by_id["motion-3"], "line", "ref")
    # a one-point series is a dot; NaN, inf, None and text entries are dropped from a series
    assert tags(by_id["motion-4"], "circle", "dot") and not tags(by_id["motion-4"], "polyline", "mseries")
    [curve] = tags(by_id["motion-5"], "polyline", "mseries")
    assert len(curve["points"].split()) == 3
    # a value without a series keeps its sentence and band, without a plot
    assert (
        not tags(by_id["motion-6"], "polyline", "mseries")
        and "a sentence about speed_variation" in by_id["motion-6"]
    )
    # null values are listed as not applying, not plotted
    assert "Does not apply to this video" in mo and "Camera path straightness" in mo
    assert 'id="motion-2"' in mo and "a sentence about path_straightness" in mo
    assert "<h3>Camera speed</h3>" in mo and "<h3>Shake spectrum</h3>" in mo and "3 Hz" in mo
    # linked both ways with the evidence table
    assert 'href="#ev-motion.camera_shake"' in shake
    assert 'href="#motion-1"' in html.split('id="ev-motion.camera_shake"', 1)[1].split("</tr>", 1)[0]


def test_motion_finding_learned_by_a_calibration_is_marked() -> None:
    html = render(build([motion_result(weighed=True)]), "html")
    mo = section(html, "motion")
    assert "learned 1 of them" in mo
    shake = mo.split('id="motion-1"', 1)[1].split("</article>", 1)[0]
    assert (
        "counts as evidence: refutes ai generated, strength 0.30, as learned by the calibration newsroom@2"
        in shake
    )
    noise = mo.split('id="motion-3"', 1)[1].split("</article>", 1)[0]
    assert "counts as evidence" not in noise
    md = md_section(render(build([motion_result(weighed=True)]), "md"), "Motion and noise")
    assert "**Counts as evidence: refutes ai generated, strength 0.30" in md


def test_motion_markdown_section() -> None:
    md = md_section(render(build([motion_result()]), "md"), "Motion and noise")
    assert "informational, not evidence" in md
    assert "- **Camera shake** 0.21 (ratio): a sentence about camera\\_shake." in md
    assert "- **Sensor-like noise** 0.50 (ratio): a sentence about noise\\_level." in md
    assert "- Does not apply to this video: Camera path straightness" in md
    assert len([line for line in md.splitlines() if line.startswith("- **")]) == 5


# Hostile and malformed metrics ----------------------------------------------------------------------


def hostile_report() -> Report:
    wm = watermark_result(text=HOSTILE, handle=f"@{XSS}", overlay_text=HOSTILE, summary=f"hint {HOSTILE}")
    m = dict(wm.metrics)
    det = dict(m["detections"][0])
    det.update(generator=HOSTILE, name=ATTR, kind=HOSTILE, mismatches=[HOSTILE])
    m.update(detections=[det], ocr_engine=HOSTILE, ocr_errors=[HOSTILE])
    mo = motion_metrics(title=HOSTILE, sentence=f"{HOSTILE} javascript:alert(1) [x](https://evil.example/)")
    mo["calibration"] = HOSTILE
    mo["panels"][0]["unit"] = ATTR
    return build([SignalResult.ok("watermark", "1.0.0", wm.evidence, m, wm.thumbnails), motion_result(mo)])


def test_hostile_ocr_text_and_metrics_are_escaped(caplog: pytest.LogCaptureFixture) -> None:
    report = hostile_report()
    html = render(report, "html")
    assert_self_contained(html)
    assert XSS not in html and ATTR not in html and "<img src=x" not in html
    for name in ("watermark", "motion"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section(html, name)
    assert "@&lt;script&gt;" in section(html, "watermark")  # the handle, shown as text
    md = render(report, "md")
    assert "<script" not in md and "<img" not in md and "&lt;script&gt;" in md
    assert "javascript:" not in md and "https://" not in md and "](" not in md.replace("\\](", "")
    assert not [line for line in md.splitlines() if line.startswith("#") and "script" in line]
    no_warnings(caplog)


ODD_WATERMARK: list[Any] = [
    {},
    {"detections": "nope", "overlay_regions": 3, "removal_hints": {"kind": "crop"}},
    {"detections": [None, 3, "Sora", [], {"generator": 5.5j}, {"text": "Sora"}]},
    {"detections": None, "overlay_regions": [{"box": "x", "start_s": math.nan}], "removal_hints": [{}, None]},
    {"detections": [{"generator": None, "mark": {}, "name": ["Sora"]}], "duration_s": math.nan},
]
ODD_MOTION: list[Any] = [
    {},
    {"panels": "nope", "camera_speed": [1, 2]},
    {"panels": [None, 1, {"value": 0.2}, {"title": None, "value": 0.3}], "camera_speed": {"time_s": 1}},
    {"panels": {"title": "Camera shake"}, "camera_speed": {"time_s": [math.nan], "value": [math.inf]}},
    {"panels": [], "camera_speed": {"time_s": [], "value": []}, "camera_spectrum": "x"},
]


@pytest.mark.parametrize("odd", range(len(ODD_WATERMARK)))
def test_malformed_metrics_render_without_the_panels(odd: int, caplog: pytest.LogCaptureFixture) -> None:
    results = [
        SignalResult.ok("watermark", "1.0.0", metrics=ODD_WATERMARK[odd]),
        SignalResult.ok("motion", "1.0.0", metrics=ODD_MOTION[odd]),
    ]
    report = build(results)
    assert watermark_panel(report) is None and motion_panel(report) is None
    for fmt in FORMATS:
        assert render(report, fmt)
    html, md = render(report, "html"), render(report, "md")
    assert 'id="watermark"' not in html and 'id="motion"' not in html
    assert "## Visible watermarks" not in md and "## Motion" not in md
    assert_self_contained(html)
    no_warnings(caplog)


def test_partly_odd_metrics_keep_what_can_be_read(caplog: pytest.LogCaptureFixture) -> None:
    det = {
        "generator": "Sora", "text": 7, "handle": ["@x"], "handle_confidence": "high", "confidence": math.nan,
        "strength": True, "mismatches": "one", "thumbnail_index": 99, "start_s": 2, "end_s": 1,
        "segments": [None, {"start_s": math.nan, "end_s": 2}, {"start_s": 3, "end_s": 1},
                     {"start_s": 1, "end_s": 2, "box": [1, 2, 3], "thumbnail_index": True},
                     {"start_s": 4, "end_s": 4, "box": [1, 2, math.inf, 4], "thumbnail_index": 0.5}],
    }  # fmt: skip
    motion = {
        "panels": [
            {"title": "Shake", "value": 0.2, "bands": {"low": 0.9, "high": 0.1},
             "series": {"time_s": [1, 1, 1], "value": [2, 3, 4]}},
            {"title": "Flat", "value": 0.0, "bands": "x", "series": {"time_s": [0, 5], "value": [0, 0]}},
        ],
    }  # fmt: skip
    thumb = Thumbnail("odd", math.nan, tiny_jpeg(10), 32, 18)
    report = build(
        [
            SignalResult.ok("watermark", "1.0.0", metrics={"detections": [det]}, thumbnails=[thumb]),
            SignalResult.ok("motion", "1.0.0", metrics=motion),
        ]
    )
    html = render(report, "html")
    wm = section(html, "watermark")
    assert "Sora" in wm and ">7</span>" in wm  # a number read as text is shown as text
    assert len(tags(wm, "rect", "wm-seg")) == 2  # the two sightings with a usable time span
    assert "src=" not in wm  # no thumbnail index was usable (99, True, 0.5; NaN time)
    mo = section(html, "motion")
    assert "Shake" in mo and "Flat" in mo
    assert 'class="band"' not in mo  # a band whose low is above its high is not drawn
    assert "nan" not in mo.lower() and "inf" not in re.sub(r"informational|info\b", "", mo.lower())
    assert render(report, "md")
    no_warnings(caplog)


def test_report_without_these_signals_renders_as_before() -> None:
    report = build([SignalResult.ok("metadata", "1.0", metrics={"table": []})])
    html, md = render(report, "html"), render(report, "md")
    for text in (
        'id="watermark"',
        'id="motion"',
        "#watermark",
        "#motion",
        "shown in the panel",
        'class="mcard"',
    ):
        assert text not in html
    assert "## Visible watermarks" not in md and "## Motion" not in md
    # a watermark result from before the panel (no metrics) keeps its crops under "images"
    crop = Thumbnail("corner crop", 2.0, tiny_jpeg(200), 32, 18, (1200, 660, 80, 60))
    old = build([SignalResult.ok("watermark", "0.3", thumbnails=[crop])])
    html = render(old, "html")
    assert 'id="watermark"' not in html and 'id="images"' in html and "corner crop" in html
    for status in (SignalResult.failed("watermark", "1", "boom"), SignalResult.skipped("motion", "1", "off")):
        html = render(build([status]), "html")
        assert 'id="watermark"' not in html and 'id="motion"' not in html


def test_panels_survive_a_json_round_trip(tmp_path: Path) -> None:
    report = build([watermark_result(), motion_result()])
    text = json.dumps(report.to_dict())
    (tmp_path / "r.json").write_text(text.replace("0.914", "NaN"), encoding="utf-8")
    back = load_report(tmp_path / "r.json")
    html = render(back, "html")
    assert len(tags(section(html, "watermark"), "rect", "wm-seg")) == 3
    assert "check by eye" in section(html, "watermark")  # NaN confidence: not a clear read
    assert len(tags(section(html, "motion"), "polyline", "mseries")) >= 4


# Geometry -----------------------------------------------------------------------------------------


def test_plot_geometry_never_divides_by_zero() -> None:
    assert plot([]) is None
    one = plot([(2.0, 5.0)])
    assert one is not None and one.lines == () and len(one.dots) == 1
    same_time = plot([(1.0, 1.0), (1.0, 2.0)])
    assert same_time is not None and {p.split(",")[0] for p in same_time.lines[0].split()} == {"185.0"}
    flat = plot([(0.0, 3.0), (1.0, 3.0)], band=(3.0, 3.0), ref=3.0)
    assert flat is not None and flat.band is not None and flat.band[1] >= 1.0 and flat.ref is not None
    gap = plot([(0.0, 1.0), (0.1, 1.0), (0.2, 1.0), (5.0, 1.0), (5.1, 1.0)])
    assert gap is not None and len(gap.lines) == 2  # a long gap breaks the line
    spread = plot([(0.0, 0.0), (1.0, 1.0)], x_range=(0.0, 10.0))
    assert spread is not None and spread.x_labels == ("0.00 s", "10.00 s")
    assert gauge(0.5, 0.9, 0.1) is None and gauge(0.5, None, 1.0) is None
    g = gauge(5.0, 0.1, 0.2)
    assert g is not None and 0 <= g.band[0] < g.marker <= g.width
    same = gauge(0.0, 0.0, 0.0)
    assert same is not None and same.band[1] >= 1.0
    far = gauge(1000.0, 0.1, 1.0)  # the band shrinks to a sliver: one label for both ends
    assert far is not None and [t for _, t in far.labels] == ["0.1–1"]


def test_long_series_are_thinned() -> None:
    series = {"time_s": [i / 10 for i in range(3000)], "value": [float(i % 13) for i in range(3000)]}
    m = motion_metrics()
    m["panels"][0]["series"] = series
    panel = motion_panel(build([motion_result(m)]))
    assert panel is not None and panel.cards[0].plot is not None
    assert sum(len(line.split()) for line in panel.cards[0].plot.lines) <= MAX_POINTS


# Real signals on a corpus file ----------------------------------------------------------------------


@pytest.mark.corpus
def test_puppy_advert_report_shows_mark_handle_and_motion_plots() -> None:
    from vidsleuth.pipeline import analyze
    from vidsleuth.registry import SignalRegistry
    from vidsleuth.signals.motion import MotionSignal
    from vidsleuth.signals.watermark import WatermarkSignal

    path = corpus_path("ai_generated/sora2_wm_puppy_ad_multishot_wolfowitz.mov")
    report = analyze(path, registry=SignalRegistry([WatermarkSignal, MotionSignal]))
    result = report.result("watermark")
    assert result is not None
    [det] = result.metrics["detections"]
    html = render(report, "html")
    assert_self_contained(html)
    wm = section(html, "watermark")
    assert "@andrewdef" in wm and "Sora" in wm
    assert len(tags(wm, "rect", "wm-seg")) == len(det["segments"])
    assert 'src="data:image/jpeg;base64,' in wm
    assert tags(section(html, "motion"), "polyline", "mseries")
    assert "@andrewdef" in md_section(render(report, "md"), "Visible watermarks")


def test_series_labels_come_from_the_signal() -> None:
    """The signal says what each plot shows; a panel without that says so generically and shades no band."""
    labelled = section(render(build([motion_result()]), "html"), "motion")
    assert SERIES_SHOWS["camera_shake"][0] in labelled
    shown = dict(re.findall(r'<article class="mcard" id="(motion-\d+)">(.*?)</article>', labelled, re.S))
    assert "band shaded" in shown["motion-3"]  # noise level: the series is in the value's own unit
    bare = motion_metrics()
    for panel in bare["panels"]:
        del panel["series_shows"], panel["series_in_value_unit"]
    html = section(render(build([motion_result(bare)]), "html"), "motion")
    assert SERIES_SHOWS["camera_shake"][0] not in html and "the measurement over time" in html
    cards = dict(re.findall(r'<article class="mcard" id="(motion-\d+)">(.*?)</article>', html, re.S))
    assert "band shaded" not in cards["motion-3"]
