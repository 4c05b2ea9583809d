"""The motion section of the HTML and Markdown reports (signals/motion/panel.py).

Reports are built from core types (no video decoded, except one corpus test): a motion result with its
per-measurement panels. The section must show what the signal found, escape whatever the metrics hold,
and leave itself out (without a logged warning) when the metrics are not what it expects.
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
from tests.test_report import ATTR, HOSTILE, XSS, Page, assert_self_contained, build
from vidsleuth.core import Evidence, Hypothesis, Report, SignalResult
from vidsleuth.core.evidence import Stance
from vidsleuth.core.view import MAX_POINTS, gauge, plot
from vidsleuth.report import FORMATS, load_report, render
from vidsleuth.signals.motion.features import SERIES_SHOWS
from vidsleuth.signals.motion.panel import motion_view


def section(html: str, name: str) -> str:
    assert f'<section id="{name}">' in html, f"no {name} panel"
    return html.split(f'<section id="{name}">', 1)[1].split("</section>", 1)[0]


def md_section(md: str, title: str) -> str:
    assert f"## {title}\n" in md, f"no {title} section"
    return md.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


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
                {"time_s": [4, 0, 1, 1e13, 6], "value": [-1e13, 90, 95, 2, 91]},  # unsorted, out of range
                60.0,
                95.0,
            ),
            panel("speed_variation", "Speed variation", 0.36, None, 0.15, 0.5),
        ],
        "camera_speed": {"time_s": times, "value": [20.0 + i for i in range(60)]},
        "camera_spectrum": {"freq_hz": [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0], "power": [1, 4, 9, 3, 2, 1, 0.5]},
        "calibration": "ignored: the signal no longer names a calibration",  # as reports before #10 had
    }


def motion_result(
    metrics: dict[str, Any] | None = None,
    weighed: bool = False,
    calibration: str = "default-rules@1",
    **kw: Any,
) -> SignalResult:
    """A motion result as the pipeline hands it on: its learned findings re-weighed by a calibration,
    which names itself in each finding's data."""
    m = metrics if metrics is not None else motion_metrics(**kw)
    data = {"learned": True, "feature": "camera_shake", "value": 0.21, "calibration": calibration}
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


def cards_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'<article class="mcard" id="(motion-\d+)">(.*?)</article>', html, re.S))


# The section --------------------------------------------------------------------------------------


def test_motion_panel_plots_each_measurement_with_its_sentence(caplog: pytest.LogCaptureFixture) -> None:
    html = render(build([motion_result()]), "html")
    assert_self_contained(html)
    no_warnings(caplog)
    mo = section(html, "motion")
    assert "<h2>Motion</h2>" in mo and '<a href="#motion">Motion</a>' in html
    # the calibration is named from the weighed findings, not from the metrics
    assert "informational, not evidence" in mo and "default-rules@1" in mo and "learned none" in mo
    assert "ignored" not in mo
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
    # a one-point series is a dot; values out of any sane range are dropped and the rest drawn in order
    assert tags(by_id["motion-4"], "circle", "dot") and not tags(by_id["motion-4"], "polyline", "mseries")
    [curve] = tags(by_id["motion-5"], "polyline", "mseries")
    xs = [float(p.split(",")[0]) for p in curve["points"].split()]
    assert len(xs) == 3 and xs == sorted(xs)
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
    assert "learned 1 of them" in mo and "(newsroom@2)" in mo
    shake = mo.split('id="motion-1"', 1)[1].split("</article>", 1)[0]
    assert (
        "counts as evidence: refutes ai generated, strength 0.30, as learned by the calibration newsroom@2"
        in shake
    )
    noise = mo.split('id="motion-3"', 1)[1].split("</article>", 1)[0]
    assert "counts as evidence" not in noise
    md = md_section(render(build([motion_result(weighed=True)]), "md"), "Motion and noise")
    assert "**Counts as evidence: refutes ai generated, strength 0.30" in md


def test_a_result_no_calibration_weighed_names_none() -> None:
    """Findings that never went through the pipeline's reweigh carry no calibration name."""
    result = motion_result()
    bare = SignalResult.ok(
        "motion",
        "1.0.0",
        [Evidence.info(e.code, e.hypothesis, e.summary) for e in result.evidence],
        result.metrics,
    )
    mo = section(render(build([bare]), "html"), "motion")
    assert "the calibration used here learned none of them" in mo


def test_motion_markdown_section() -> None:
    md = md_section(render(build([motion_result()]), "md"), "Motion and noise")
    assert "informational, not evidence" in md
    assert "- **Camera shake** 0.21 (ratio): a sentence about camera\\_shake." in md
    assert "- **Sensor-like noise** 0.50 (ratio): a sentence about noise\\_level." in md
    assert "- Does not apply to this video: Camera path straightness" in md
    assert len([line for line in md.splitlines() if line.startswith("- **")]) == 5


# Hostile and malformed metrics ----------------------------------------------------------------------


def hostile_report() -> Report:
    mo = motion_metrics(title=HOSTILE, sentence=f"{HOSTILE} javascript:alert(1) [x](https://evil.example/)")
    mo["panels"][0]["unit"] = ATTR
    mo["panels"][1]["sentence"] = HOSTILE
    return build([motion_result(mo, calibration=HOSTILE)])


def test_hostile_metrics_are_escaped(caplog: pytest.LogCaptureFixture) -> None:
    report = hostile_report()
    html = render(report, "html")
    assert_self_contained(html)
    assert XSS not in html and ATTR not in html and "<img src=x" not in html
    mo = section(html, "motion")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mo
    assert mo.count("&lt;script&gt;") >= 3  # the title, the calibration's name, the sentences
    md = render(report, "md")
    assert "<script" not in md and "<img" not in md and "&lt;script&gt;" in md
    assert "javascript:" not in md and "https://" not in md and "](" not in md.replace("\\](", "")
    assert not [line for line in md.splitlines() if line.startswith("#") and "script" in line]
    no_warnings(caplog)


ODD_MOTION: list[Any] = [
    {},
    {"panels": "nope", "camera_speed": [1, 2]},
    {"panels": [None, 1, {"value": 0.2}, {"title": None, "value": 0.3}], "camera_speed": {"time_s": 1}},
    {"panels": {"title": "Camera shake"}, "camera_speed": {"time_s": [math.nan], "value": [math.inf]}},
    {"panels": [], "camera_speed": {"time_s": [], "value": []}, "camera_spectrum": "x"},
    {"panels": [{"title": ""}], "camera_speed": {"time_s": [1, 2], "value": [3]}},
]


@pytest.mark.parametrize("odd", range(len(ODD_MOTION)))
def test_malformed_metrics_render_without_the_section(odd: int, caplog: pytest.LogCaptureFixture) -> None:
    result = SignalResult.ok("motion", "1.0.0", metrics=ODD_MOTION[odd])
    report = build([result])
    assert motion_view(report, result) is None
    for fmt in FORMATS:
        assert render(report, fmt)
    html, md = render(report, "html"), render(report, "md")
    assert 'id="motion"' not in html and "## Motion" not in md
    assert_self_contained(html)
    no_warnings(caplog)


def test_partly_odd_metrics_keep_what_can_be_read(caplog: pytest.LogCaptureFixture) -> None:
    motion = {
        "panels": [
            {"title": "Shake", "value": 0.2, "bands": {"low": 0.9, "high": 0.1},
             "series": {"time_s": [1, 1, 1], "value": [2, 3, 4]}},
            {"title": "Flat", "value": 0.0, "bands": "x", "series": {"time_s": [0, 5], "value": [0, 0]}},
            # entries that are not finite numbers: times and values no longer pair up, so no plot
            {"title": "Broken", "value": 93.0, "series_in_value_unit": True,
             "series": {"time_s": [0, 1, "x", None, 4, math.nan, 6],
                        "value": [90, 95, 1, 2, math.inf, 3, 91]}},
            {"title": "Text value", "value": "0.3", "sentence": "Text value: not a number"},
        ],
    }  # fmt: skip
    report = build([SignalResult.ok("motion", "1.0.0", metrics=motion)])
    html = render(report, "html")
    mo = section(html, "motion")
    assert "Shake" in mo and "Flat" in mo and "Broken" in mo
    assert 'class="band"' not in mo  # a band whose low is above its high is not drawn
    cards = cards_of(mo)
    assert len(cards) == 3 and not tags(cards["motion-3"], "polyline", "mseries")
    assert "Text value" in mo.split("Does not apply to this video", 1)[1]  # a value that is no number
    assert "nan" not in mo.lower() and "inf" not in re.sub(r"informational|info\b", "", mo.lower())
    assert render(report, "md")
    no_warnings(caplog)


def test_report_without_the_motion_signal_renders_as_before() -> None:
    report = build([SignalResult.ok("metadata", "1.0", metrics={"table": []})])
    html, md = render(report, "html"), render(report, "md")
    for text in ('id="motion"', "#motion", 'class="mcard"'):
        assert text not in html
    assert "## Motion" not in md
    for status in (SignalResult.failed("motion", "1", "boom"), SignalResult.skipped("motion", "1", "off")):
        html = render(build([status]), "html")
        assert 'id="motion"' not in html


def test_section_survives_a_json_round_trip(tmp_path: Path) -> None:
    report = build([motion_result()])
    text = json.dumps(report.to_dict())
    (tmp_path / "r.json").write_text(text.replace("0.62", "NaN"), encoding="utf-8")
    back = load_report(tmp_path / "r.json")
    html = render(back, "html")
    mo = section(html, "motion")
    assert len(tags(mo, "polyline", "mseries")) >= 4
    assert "the camera moves in" not in mo  # a NaN share is not a number to print


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
    result = motion_result(m)
    view = motion_view(build([result]), result)
    assert view is not None and view.cards[0].plot is not None
    assert sum(len(line.split()) for line in view.cards[0].plot.lines) <= MAX_POINTS


def test_series_labels_come_from_the_signal() -> None:
    """The signal says what each plot shows; a panel without that says so generically and shades no band."""
    labelled = section(render(build([motion_result()]), "html"), "motion")
    assert SERIES_SHOWS["camera_shake"][0] in labelled
    assert "band shaded" in cards_of(labelled)["motion-3"]  # noise level: the series is in the value's unit
    bare = motion_metrics()
    for panel in bare["panels"]:
        del panel["series_shows"], panel["series_in_value_unit"]
    html = section(render(build([motion_result(bare)]), "html"), "motion")
    assert SERIES_SHOWS["camera_shake"][0] not in html and "the measurement over time" in html
    assert "band shaded" not in cards_of(html)["motion-3"]


# The real signal on a corpus file -------------------------------------------------------------------


@pytest.mark.corpus
def test_puppy_advert_report_shows_motion_plots() -> None:
    from vidsleuth.pipeline import analyze
    from vidsleuth.registry import SignalRegistry
    from vidsleuth.signals.motion import MotionSignal

    path = corpus_path("ai_generated/sora2_wm_puppy_ad_multishot_wolfowitz.mov")
    report = analyze(path, registry=SignalRegistry([MotionSignal]))
    html = render(report, "html")
    assert_self_contained(html)
    mo = section(html, "motion")
    assert tags(mo, "polyline", "mseries")
    assert "(default-rules@1) learned none" in mo  # the shipped calibration, named by the pipeline
    assert "- **Camera shake**" in md_section(render(report, "md"), "Motion and noise")
