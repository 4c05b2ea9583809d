"""The fingerprint section of the HTML report (signals/fingerprint/panel.py): the bank searched, each
match with the stretches it covers on both sides, links only to http(s) sources and search engines, and
keyframes a person can download and search. Reports are built from core types; no video is decoded.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import pytest

from tests.test_report import HOSTILE, XSS, Page, assert_self_contained, build, tiny_jpeg
from vidsleuth.core import Evidence, Hypothesis, SignalResult, Thumbnail
from vidsleuth.report import FORMATS, render
from vidsleuth.signals.fingerprint.panel import fingerprint_view


def section(html: str) -> str:
    assert '<section id="fingerprint">' in html, "no fingerprint section"
    return html.split('<section id="fingerprint">', 1)[1].split("</section>", 1)[0]


def video_match(**over: Any) -> dict[str, Any]:
    m = {
        "item_id": 7, "kind": "video", "label": "viral original", "note": HOSTILE,
        "source_url": "javascript:alert(1)", "strength": 0.95, "strength_name": "decisive", "rule": "segment",
        "query_match_pct": 100.0, "item_match_pct": 60.0,
        "segments": [{"query": {"start_s": 0.0, "end_s": 4.0}, "item": {"start_s": 10.0, "end_s": 14.0},
                      "offset_s": 10.0, "frames": 20, "mean_distance": 6.5}],
    }  # fmt: skip
    m.update(over)
    return m


def photo_match(**over: Any) -> dict[str, Any]:
    box = {"x": 0.5, "y": 0.1, "w": 0.4, "h": 0.8}
    m = {
        "item_id": 9, "kind": "image", "label": "the portrait", "source_url": "https://example.org/portrait",
        "is_match": True, "rule": "photo_origin", "strength": 0.8, "strength_name": "strong",
        "frames_checked": 3, "frames_matched": 2, "times": [0.0, 1.0], "inliers": 60, "inlier_ratio": 0.7,
        "region": box, "outline": box, "sightings": [{"t": 0.0, "inliers": 60, "matches": 80, "region": box}],
        "segments": [{"query": {"start_s": 0.0, "end_s": 2.0}, "item": None, "offset_s": None, "frames": 2}],
    }  # fmt: skip
    m.update(over)
    return m


def fingerprint(matches: list[Any], bank: Any = None, thumbnails: int = 1) -> SignalResult:
    bank = bank if bank is not None else {"location": "bank.sqlite", "items": 3, "frames": 900, "revision": 2}
    evidence = [
        Evidence.supports(
            "fingerprint.known_content", Hypothesis.KNOWN_CONTENT, 0.95, "matches #7", data={"item_id": 7}
        ),
        Evidence.supports(
            "fingerprint.photo_origin",
            Hypothesis.KNOWN_CONTENT,
            0.8,
            "contains photo #9",
            data={"item_id": 9},
        ),
    ]
    thumbs = [
        Thumbnail(f"keyframe at {i:.2f} s", float(i), tiny_jpeg(40 + i), 32, 18) for i in range(thumbnails)
    ]
    return SignalResult.ok("fingerprint", "1.1.0", evidence, {"bank": bank, "matches": matches}, thumbs)


def test_fingerprint_panel_lists_matches_and_searchable_keyframes(caplog: pytest.LogCaptureFixture) -> None:
    html = render(build([fingerprint([video_match(), photo_match()])]), "html")
    assert_self_contained(html)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    fp = section(html)
    assert "<h2>Known content</h2>" in fp and '<a href="#fingerprint">Known content</a>' in html
    assert "Bank searched: bank.sqlite: 3 items, 900 frame hashes (revision 2)." in fp
    # each match with its time ranges on both sides
    assert "viral original" in fp and "0.95 decisive" in fp and "100 % of this video" in fp
    assert "0.00 s – 4.00 s here ↔ 10.00 s – 14.00 s in the banked video" in fp
    assert "the portrait" in fp and "0.00 s – 2.00 s here ↔ the banked photo" in fp
    assert "the banked photo fills x 50–90 %, y 10–90 % of the frame" in fp
    # only http(s) sources become links; other text is shown as text
    hrefs = [a["href"] for t, a in Page(fp).tags if t == "a" and "href" in a]
    assert "https://example.org/portrait" in hrefs
    assert not [h for h in hrefs if "javascript" in h]
    assert "javascript:alert(1)" in fp  # shown, as text only
    assert XSS not in fp and "&lt;script&gt;" in fp
    # keyframes: a download from the page's own data, and the search engines' upload pages
    assert 'download="keyframe-00000.00s.jpg"' in fp
    assert "lens.google.com" in fp and "tineye.com" in fp
    assert 'id="images"' not in html  # its keyframes are not repeated under "images from other signals"
    # the match rows and the evidence table link both ways
    assert 'href="#ev-fingerprint.known_content"' in fp and 'href="#ev-fingerprint.photo_origin"' in fp
    row = html.split('id="ev-fingerprint.photo_origin"', 1)[1].split("</tr>", 1)[0]
    assert 'href="#fingerprint-match-2"' in row


def test_without_a_bank_the_panel_says_no_search_was_made() -> None:
    empty = SignalResult.ok("fingerprint", "1.1.0", [], {"bank": None, "matches": []})
    fp = section(render(build([empty]), "html"))
    assert "No fingerprint bank was configured" in fp and "Keyframes to search" not in fp
    searched = fingerprint([], thumbnails=0)
    assert "No banked item matched." in section(render(build([searched]), "html"))


ODD: list[Any] = [
    {},
    {"bank": "x", "matches": "nope"},
    {
        "bank": {"location": 5, "items": "many"},
        "matches": [None, 1, {"label": "no strength"}, {"strength": 0.9}],
    },
    {"matches": [video_match(segments=[{"query": {"start_s": 5, "end_s": 1}}, {"query": None}, "x"])]},
    {"matches": [video_match(strength=math.nan), photo_match(region={"x": 0, "y": 0, "w": 0, "h": 1})]},
]


@pytest.mark.parametrize("odd", range(len(ODD)))
def test_odd_metrics_keep_what_can_be_read(odd: int, caplog: pytest.LogCaptureFixture) -> None:
    result = SignalResult.ok(
        "fingerprint", "1.1.0", metrics=ODD[odd], thumbnails=[Thumbnail("bad", math.nan, "AAAA", 9, 9)]
    )
    report = build([result])
    view = fingerprint_view(report, result)
    assert view is not None and view.keyframes == ()  # data that is no JPEG is never offered
    for fmt in FORMATS:
        assert render(report, fmt)
    html = render(report, "html")
    assert_self_contained(html)
    fp = section(html)
    assert "nan" not in fp.lower()
    if odd == 2:
        assert "bank: ? items" in fp and not view.matches  # a match needs a strength and a name
    if odd == 3:
        assert [m.segments for m in view.matches] == [()]  # an end before its start is no range
    if odd == 4:
        # a NaN strength is no strength; a photo match without a usable region is read as a PDQ match
        assert [m.label for m in view.matches] == ["the portrait"] and view.matches[0].segments == (
            "0.00 s – 2.00 s here ↔ the banked photo",
        )
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_failed_or_skipped_signal_has_no_section() -> None:
    for result in (
        SignalResult.failed("fingerprint", "1", "no bank at x"),
        SignalResult.skipped("fingerprint", "1", "off"),
    ):
        assert 'id="fingerprint"' not in render(build([result]), "html")
