"""The watermark panel of the HTML and Markdown reports (`vidsleuth.signals.watermark.panel`).

Reports are built from core types (no video decoded, except one corpus test): a watermark result with a
detection, its @handle, sightings, an unidentified overlay, a removal hint and thumbnails. The panel must
show what the signal found, escape whatever OCR read, and leave itself out (without a logged warning)
when the metrics are not what it expects.
"""

from __future__ import annotations

import json
import logging
import math
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import corpus_path
from tests.test_report import ATTR, HOSTILE, XSS, Page, assert_self_contained, build, tiny_jpeg
from vidsleuth.core import Evidence, Hypothesis, Report, SignalResult, Span, Thumbnail
from vidsleuth.report import FORMATS, load_report, render
from vidsleuth.signals.watermark import findings
from vidsleuth.signals.watermark.metrics import WatermarkMetrics
from vidsleuth.signals.watermark.panel import HANDLE_CLEAR, WatermarkPanel
from vidsleuth.signals.watermark.timeline import place_words, strip

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


def watermark_metrics(
    text: str = "Sora",
    handle: str = HANDLE,
    handle_confidence: float | None = 0.914,
    overlay_text: str = "LOGO",
    summary: str = "A mark-sized rectangle is far smoother than its surroundings: it may hide a mark.",
) -> dict[str, Any]:
    detection = {
        "mark": "sora", "name": "Sora watermark (cloud logo + \"Sora\")", "generator": "Sora",
        "kind": "generator_mark", "text": text, "confidence": 1.0, "handle": handle,
        "handle_confidence": handle_confidence, "box": [1100, 330, 150, 50], "start_s": 1.2, "end_s": 9.2,
        "thumbnail_index": 0, "strength": 0.65, "mismatches": ["it stays 7.0 s in one place"],
        "segments": [dict(s, text=text) for s in SEGMENTS],
    }  # fmt: skip
    return {
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


def watermark_result(metrics: dict[str, Any] | None = None, **kw: Any) -> SignalResult:
    m = metrics if metrics is not None else watermark_metrics(**kw)
    text = str(kw.get("text", "Sora"))
    handle = str(kw.get("handle", HANDLE))
    overlay_text = str(kw.get("overlay_text", "LOGO"))
    summary = str(kw.get("summary", "A mark-sized rectangle is far smoother than its surroundings."))
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
    return SignalResult.ok("watermark", "1.0.0", evidence, m, thumbs)


def tags(html: str, tag: str, cls: str) -> list[dict[str, str]]:
    return [a for t, a in Page(html).tags if t == tag and a.get("class") == cls]


def no_warnings(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], "a panel raised and was left out"


def panel_of(report: Report) -> Any:
    result = report.result("watermark")
    assert result is not None
    return WatermarkPanel().view(report, result)


# What the panel shows -----------------------------------------------------------------------------


def test_watermark_panel_shows_each_detection_with_crop_text_handle_and_timeline(
    caplog: pytest.LogCaptureFixture,
) -> None:
    report = build([watermark_result()])
    html = render(report, "html")
    assert_self_contained(html)
    no_warnings(caplog)
    wm = section(html, "watermark")
    assert "<h2>Watermarks</h2>" in wm
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


def test_handle_clarity_bar_is_the_signals_own() -> None:
    """The panel flags a handle below the bar at which the signal calls a read clear (no copied constant)."""
    assert HANDLE_CLEAR is findings.CLEAR_CONFIDENCE
    just_below = build([watermark_result(handle_confidence=findings.CLEAR_CONFIDENCE - 0.001)])
    at_bar = build([watermark_result(handle_confidence=findings.CLEAR_CONFIDENCE)])
    assert not panel_of(just_below).context["v"].marks[0].handle_clear
    assert panel_of(at_bar).context["v"].marks[0].handle_clear


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
    looked = WatermarkMetrics(ocr_engine="rapidocr", ocr_reads=0, frames_sampled=25, sample_fps=2.5)
    report = build([SignalResult.ok("watermark", "1.0.0", [], looked)])
    html = section(render(report, "html"), "watermark")
    assert "absence proves nothing" in html.lower() and "25 frames sampled at 2.5 per second" in html
    assert "absence proves nothing" in md_section(render(report, "md"), "Visible watermarks")


def test_what_the_finder_saw_and_read_is_shown_so_a_miss_is_visible() -> None:
    # Issue #12: a Sora clip with its mark at three places got 0 OCR reads and nothing said so. The panel
    # gives the finder's counts, and the handle's votes per exact spelling with the runner-up.
    m = watermark_metrics()
    m.update(candidates_seen=130, regions_seen=25, regions_read=0, probe_reads=3)
    m["detections"][0].update(handle_support=3, handle_runner_up="@andrewdafee", handle_runner_up_support=1)
    report = build([watermark_result(m)])
    wm = section(render(report, "html"), "watermark")
    assert "130 candidate region(s) seen at 25 place(s), 0 read" in wm
    assert "3 probe read(s) of a generator&#39;s usual mark places" in wm
    assert "read 3 time(s) as shown; runner-up @andrewdafee, read 1 time(s)" in wm
    md = md_section(render(report, "md"), "Visible watermarks")
    assert "130 candidate region(s) seen at 25 place(s), 0 read" in md and "runner-up" in md
    assert "agreed" not in wm and "agreed" not in md


def test_geometry_of_places_and_the_timeline_strip() -> None:
    frame = (1280.0, 720.0)
    assert place_words((20, 20, 150, 50), frame) == "top left"
    assert place_words((600, 330, 80, 60), frame) == "middle centre"
    assert place_words((20, 20, 150, 50), None) == "" and place_words(None, frame) == ""
    assert strip([], 10.0) is None and strip([((0.0, 1.0), "", "")], 0.0) is None
    # a bar past the end is clamped to the strip; a zero-length one is still visible
    s = strip([((2.0, 2.0), "top left", "a"), ((9.0, 50.0), "top left", "b")], 10.0)
    assert s is not None and len(s.lanes) == 1
    assert all(x >= 150 and x + w <= 1000 + 3 and w >= 3 for x, _, w, _ in s.bars)
    # more than a 3 x 3 grid of places is not a set of places: one lane
    many = strip([((float(i), i + 0.5), f"place {i}", "") for i in range(10)], 10.0)
    assert many is not None and [label for _, label in many.lanes] == ["seen"]


# Hostile and malformed metrics ----------------------------------------------------------------------


def hostile_report() -> Report:
    m = watermark_metrics(text=HOSTILE, handle=f"@{XSS}", overlay_text=HOSTILE, summary=f"hint {HOSTILE}")
    det = dict(m["detections"][0])
    det.update(generator=HOSTILE, name=ATTR, kind=HOSTILE, mismatches=[HOSTILE])
    m.update(detections=[det], ocr_engine=HOSTILE, ocr_errors=[HOSTILE])
    return build([watermark_result(m, text=HOSTILE, handle=f"@{XSS}", overlay_text=HOSTILE)])


def test_hostile_ocr_text_and_metrics_are_escaped(caplog: pytest.LogCaptureFixture) -> None:
    report = hostile_report()
    html = render(report, "html")
    assert_self_contained(html)
    assert XSS not in html and ATTR not in html and "<img src=x" not in html
    wm = section(html, "watermark")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in wm
    assert "@&lt;script&gt;" in wm  # the handle, shown as text
    md = render(report, "md")
    assert "<script" not in md and "<img" not in md and "&lt;script&gt;" in md
    assert "javascript:" not in md and "](" not in md.replace("\\](", "")
    assert not [line for line in md.splitlines() if line.startswith("#") and "script" in line]
    no_warnings(caplog)


ODD_WATERMARK: list[Any] = [
    {},
    {"detections": "nope", "overlay_regions": 3, "removal_hints": {"kind": "crop"}},
    {"detections": [None, 3, "Sora", [], {"generator": 5.5j}, {"text": "Sora"}]},
    {"detections": None, "overlay_regions": [{"box": "x", "start_s": math.nan}], "removal_hints": [{}, None]},
    {"detections": [{"generator": None, "mark": {}, "name": ["Sora"]}], "duration_s": math.nan},
    {"detections": [], "frames_sampled": "25", "ocr_reads": 0},  # a count that is not a number
]


@pytest.mark.parametrize("odd", range(len(ODD_WATERMARK)))
def test_malformed_metrics_render_without_the_panel(odd: int, caplog: pytest.LogCaptureFixture) -> None:
    report = build([SignalResult.ok("watermark", "1.0.0", metrics=ODD_WATERMARK[odd])])
    assert panel_of(report) is None
    for fmt in FORMATS:
        assert render(report, fmt)
    html, md = render(report, "html"), render(report, "md")
    assert 'id="watermark"' not in html and "## Visible watermarks" not in md
    assert_self_contained(html)
    no_warnings(caplog)


def test_partly_odd_metrics_keep_what_can_be_read(caplog: pytest.LogCaptureFixture) -> None:
    det = {
        "generator": "Sora", "text": 7, "handle": ["@x"], "handle_confidence": "high", "confidence": math.nan,
        "strength": True, "mismatches": "one", "thumbnail_index": 99, "start_s": 2, "end_s": 1,
        "segments": [None, {"start_s": math.nan, "end_s": 2}, {"start_s": 3, "end_s": 1},
                     {"start_s": 1, "end_s": 2, "box": [1, 2, 3], "thumbnail_index": True},
                     {"start_s": 4, "end_s": 4, "box": [1, 2, math.inf, 4], "thumbnail_index": 0.5},
                     {"start_s": -1, "end_s": 2, "box": [-5, 2, 3, 4]}],
    }  # fmt: skip
    overlay = {"box": [40, -600, 90, 90], "start_s": 3, "end_s": 1, "text": ["LOGO"]}
    thumb = Thumbnail("odd", math.nan, tiny_jpeg(10), 32, 18)
    metrics = {"detections": [det], "overlay_regions": [overlay]}
    report = build([SignalResult.ok("watermark", "1.0.0", metrics=metrics, thumbnails=[thumb])])
    html = render(report, "html")
    wm = section(html, "watermark")
    card = wm.split('id="watermark-mark-1"', 1)[1].split("</article>", 1)[0]
    assert "Sora" in card and "no text" in card  # a number where text belongs is not text
    assert "<dt>Handle</dt>" not in card and "<dt>Strength</dt>" not in card and "confidence" not in card
    assert "<dd>— · 2 sightings</dd>" in card  # the mark's own span ran backwards: not shown
    assert len(tags(wm, "rect", "wm-seg")) == 2  # the two sightings with a usable time span
    assert "src=" not in wm  # no thumbnail index was usable (99, True, 0.5; NaN time)
    # an overlay whose box and span are both out of range is kept (it was stored), shown without them
    assert "persistent overlay, not a known AI mark · —<br>—" in wm
    assert "nan" not in wm.lower() and "inf" not in wm.lower()
    assert render(report, "md")
    no_warnings(caplog)


def test_report_without_the_signal_renders_as_before() -> None:
    report = build([SignalResult.ok("metadata", "1.0", metrics={"table": []})])
    html, md = render(report, "html"), render(report, "md")
    assert 'id="watermark"' not in html and "#watermark" not in html
    assert "## Visible watermarks" not in md
    # a watermark result from before the panel (no metrics) keeps its crops under "images"
    crop = Thumbnail("corner crop", 2.0, tiny_jpeg(200), 32, 18, (1200, 660, 80, 60))
    old = build([SignalResult.ok("watermark", "0.3", thumbnails=[crop])])
    html = render(old, "html")
    assert 'id="watermark"' not in html and 'id="images"' in html and "corner crop" in html
    for status in (
        SignalResult.failed("watermark", "1", "boom"),
        SignalResult.skipped("watermark", "1", "off"),
    ):
        html = render(build([status]), "html")
        assert 'id="watermark"' not in html


def test_panel_survives_a_json_round_trip(tmp_path: Path) -> None:
    report = build([watermark_result()])
    text = json.dumps(report.to_dict())
    (tmp_path / "r.json").write_text(text.replace("0.914", "NaN"), encoding="utf-8")
    back = load_report(tmp_path / "r.json")
    html = render(back, "html")
    assert len(tags(section(html, "watermark"), "rect", "wm-seg")) == 3
    assert "check by eye" in section(html, "watermark")  # NaN confidence: not a clear read


# Real signal on a corpus file -----------------------------------------------------------------------


@pytest.mark.corpus
def test_puppy_advert_report_shows_mark_and_handle() -> None:
    from vidsleuth.pipeline import analyze
    from vidsleuth.registry import SignalRegistry
    from vidsleuth.signals.watermark import WatermarkSignal

    path = corpus_path("ai_generated/sora2_wm_puppy_ad_multishot_wolfowitz.mov")
    report = analyze(path, registry=SignalRegistry([WatermarkSignal]))
    result = report.result("watermark")
    assert result is not None
    [det] = result.metrics_as(WatermarkMetrics).detections
    html = render(report, "html")
    assert_self_contained(html)
    wm = section(html, "watermark")
    assert "@andrewdef" in wm and "Sora" in wm
    assert len(tags(wm, "rect", "wm-seg")) == len(det.segments)
    assert 'src="data:image/jpeg;base64,' in wm
    assert "@andrewdef" in md_section(render(report, "md"), "Visible watermarks")
