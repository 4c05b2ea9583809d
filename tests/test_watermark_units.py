"""Unit tests of the watermark building blocks: catalogue, text matching, handle votes, the overlay finder."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest

from vidsleuth.signals.watermark import marks as catalogue
from vidsleuth.signals.watermark import ocr, regions
from vidsleuth.signals.watermark.ocr import OcrLine
from vidsleuth.signals.watermark.reading import interpret, vote_handle


def test_every_catalogue_row_has_sources_and_texts() -> None:
    marks = catalogue.marks()
    assert {"sora", "veo", "kling", "hailuo", "jimeng", "label_ai_generated", "label_ai_shengcheng"} <= {
        m.key for m in marks
    }
    for m in marks:
        assert m.sources, f"{m.key} has no source"
        assert m.texts and all(t == catalogue.normalise(t) for t in m.texts), m.key
        assert m.kind in {"generator_mark", "platform_label"}
        assert m.motion in {"jumps", "fixed"}


def test_catalogue_keys_name_catalogued_generators() -> None:
    from vidsleuth.data import generators as catalog

    known = {g.key for g in catalog.generators()}
    for m in catalogue.marks():
        assert not m.catalog_key or m.catalog_key in known, m.key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Sora", "sora"),
        ("S0ra", "sora"),
        ("Veo", "veo"),
        ("KLING AI", "kling"),
        ("Kling Al", "kling"),  # OCR reads "AI" as "Al"
        ("可灵", "kling"),
        ("海螺AI", "hailuo"),
        ("即梦AI", "jimeng"),
        ("Al-generated", "label_ai_generated"),
        ("AI生成", "label_ai_shengcheng"),
        ("Imagined with AI", "meta_imagined"),
    ],
)
def test_mark_texts_match(text: str, key: str) -> None:
    found = catalogue.match_text(text)
    assert found is not None and found.mark.key == key


@pytest.mark.parametrize(
    "text", ["Sora is amazing today", "Vea", "Video", "Twist Chew", "00", "", "@sora_fan"]
)
def test_other_text_does_not_match(text: str) -> None:
    assert catalogue.match_text(text) is None


@pytest.mark.parametrize(
    ("text", "conf", "handle"),
    [
        ("@andrewdefee", 0.9, "@andrewdefee"),
        ("Qandrewdefee", 0.86, "@andrewdefee"),  # a small "@" misread as Q
        ("super_lee2", 0.99, "@super_lee2"),  # "@" cut off by the crop, read confidently
        ("super_lee2", 0.7, None),  # ... but not on a shaky read
        ("00", 0.99, None),  # the logo's eyes
        ("Sora", 0.99, None),
        ("@muhammadtanzi4...", 0.98, "@muhammadtanzi4..."),  # shortened by the app: kept verbatim
    ],
)
def test_handle_of(text: str, conf: float, handle: str | None) -> None:
    assert catalogue.handle_of(text, conf) == handle


def test_truncated_handle_is_kept_verbatim_in_the_reading() -> None:
    lines = [OcrLine("Sora", 1.0, (40, 10, 60, 24)), OcrLine("@muhammadtanzi4...", 0.98, (40, 36, 90, 12))]
    r = interpret(lines)
    assert r.mark is not None and r.mark.key == "sora"
    assert r.handle == "@muhammadtanzi4..." and ("@muhammadtanzi4...", 0.98) in r.lines


def test_reading_finds_the_handle_under_the_name() -> None:
    lines = [
        OcrLine("00", 0.8, (0, 10, 30, 30)),
        OcrLine("Sora", 1.0, (40, 10, 60, 24)),
        OcrLine("@super_lee2", 0.99, (36, 36, 90, 12)),
    ]
    r = interpret(lines)
    assert r.mark is not None and r.mark.generator == "Sora"
    assert r.handle == "@super_lee2" and r.handle_confidence == pytest.approx(0.99)


def test_handle_above_the_name_is_not_taken() -> None:
    lines = [OcrLine("@someone", 0.99, (40, 0, 90, 12)), OcrLine("Sora", 1.0, (40, 40, 60, 24))]
    assert interpret(lines).handle is None


def test_handle_vote_outvotes_single_misreads() -> None:
    reads = [
        ("@andrewdefee", "Qandrewdefee", 0.86),
        ("@andrewdefee", "@andrewdefee", 0.95),
        ("@andrewdafee", "@andrewdafee", 0.97),
        ("@andrewdefoe", "@andrewdefoe", 0.87),
        ("@andrewdefee", "andrewdefee", 0.99),
    ]
    vote = vote_handle(reads)
    assert vote is not None
    assert vote.handle == "@andrewdefee"
    # Votes are per exact spelling (#12): three reads gave it, the others are different readings.
    assert vote.support == 3 and vote.total == 5
    assert vote.runner_up == "@andrewdafee" and vote.runner_up_support == 1
    assert "Qandrewdefee" in vote.readings
    assert vote_handle([]) is None


def test_close_variants_are_not_votes_for_each_other() -> None:
    # The case: the frames read "@joshblake1"; a close misread must not outvote it by similarity.
    reads = [
        ("@joshblake1", "@joshblake1", 0.9),
        ("@joshblake1", "@joshblake1", 0.88),
        ("@joshblaket", "@joshblaket", 0.97),
    ]
    vote = vote_handle(reads)
    assert vote is not None and vote.handle == "@joshblake1" and vote.support == 2
    assert vote.runner_up == "@joshblaket" and vote.runner_up_support == 1


@pytest.mark.parametrize("handle", ["@josh-blake1", "@mr.computerslop", "@super_lee2", "@a.b-c_d"])
def test_every_character_the_platforms_allow_is_kept(handle: str) -> None:
    # A hyphenated handle read at confidence 1.00 used to be thrown away by the pattern (#12).
    assert catalogue.handle_of(handle, 1.0) == handle
    lines = [OcrLine("Sora", 1.0, (40, 10, 60, 24)), OcrLine(handle, 1.0, (40, 36, 110, 12))]
    assert interpret(lines).handle == handle


def test_wording_never_claims_agreement_and_never_runs_sentences_together() -> None:
    from vidsleuth.signals.watermark.wording import handle_sentence, handle_summary, votes

    sora = catalogue.get("sora")
    vote = vote_handle([("@a_b", "@a_b", 0.9), ("@a_b", "@a_b", 0.8), ("@a_h", "@a_h", 0.95)])
    assert vote is not None
    text = handle_sentence(sora, vote, [], (480, 872))
    assert "agreed" not in text and "read 2 of 3 times; runner-up @a_h, read once" in text
    assert "runner-up" in handle_summary(sora, vote) and votes(vote).startswith("read 2 of 3")
    # No handle read at 480x872: two sentences, not one run-on ("could not be read at 480x872 its text").
    text = handle_sentence(sora, None, [], (480, 872))
    assert text.endswith("At 480x872 its text is only a few pixels high.")
    assert "none). At 480x872" in text


def test_handle_vote_prefers_the_full_spelling_over_a_truncated_read() -> None:
    reads = [
        ("@leonbr", "@leonbr", 0.98),
        ("@leonbr", "@leonbr", 0.97),
        ("@leonbrown212", "@leonbrown212", 0.99),
    ]
    vote = vote_handle(reads)
    assert vote is not None and vote.handle == "@leonbrown212"
    # As read on the corpus clip: a stray letter between the "@" and the name of the longer read.
    assert vote.cut_short == 2 and vote.runner_up is None  # cut short, not a different reading
    # A read with a stray letter before the name is a different reading, reported as such (no splicing).
    vote = vote_handle([("@Bleonbrown212", "@Bleonbrown212", 0.941), ("@leonbr", "@leonbr", 0.983)])
    assert vote is not None and vote.readings == ("@Bleonbrown212", "@leonbr")
    assert vote.support == 1 and vote.runner_up is not None
    # A longer read that does not extend the winner is no extension.
    vote = vote_handle(
        [("@leonbr", "@leonbr", 0.98), ("@leonbr", "@leonbr", 0.97), ("@xyleo", "@xyleo", 0.99)]
    )
    assert vote is not None and vote.handle == "@leonbr"


def _window(mark: bool) -> list[np.ndarray]:
    """Three frames of a smooth pattern panning 9 px per frame, optionally with a static text-like mark."""
    import cv2

    rng = np.random.default_rng(0)
    field = cv2.GaussianBlur(rng.uniform(0, 255, size=(200, 400)).astype(np.float32), (0, 0), 8)
    field = (255 * (field - field.min()) / (field.max() - field.min())).astype(np.uint8)
    frames = []
    for i in range(3):
        f = np.ascontiguousarray(field[10:190, 9 * i : 9 * i + 320])
        if mark:
            f = f.copy()
            f[150:166, 240:300] = 40
            for x in range(242, 298, 8):  # letter-like strokes
                f[152:164, x : x + 3] = 250
        frames.append(f.astype(np.uint8))
    return frames


def test_finder_sees_a_static_overlay_on_moving_content() -> None:
    stats = regions.find_candidates(_window(mark=True))
    hits = [c for c in stats.candidates if regions.same_place(c.box, (240, 150, 60, 16))]
    assert hits, f"the overlay was not found among {stats.candidates}"
    x, y, w, h = hits[0].box
    assert 235 <= x <= 245 and 145 <= y <= 155 and 50 <= w <= 66 and 10 <= h <= 20
    assert hits[0].surround_motion > 0.3


def test_finder_is_quiet_on_moving_content_without_overlay() -> None:
    assert regions.find_candidates(_window(mark=False)).candidates == ()


def test_tracks_link_windows_at_the_same_place() -> None:
    tracks = regions.TrackSet()
    c = regions.Candidate((10, 10, 40, 12), 0.3, 0.5)
    for i in range(4):
        tracks.update(regions.WindowStats((c,), 0.5), i * 0.5, i * 0.5 + 1.0)
    moved = regions.Candidate((200, 100, 40, 12), 0.3, 0.5)
    tracks.update(regions.WindowStats((moved,), 0.5), 2.0, 3.0)
    assert len(tracks.tracks) == 2
    assert tracks.tracks[0].windows == 4 and tracks.tracks[0].end_s == pytest.approx(2.5)


def test_ocr_adapter_is_lazy_and_reports_a_missing_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    # Importing vidsleuth (and the adapter) never imports the OCR engine.
    for name in [m for m in sys.modules if m == "rapidocr" or m.startswith("rapidocr.")]:
        monkeypatch.delitem(sys.modules, name)
    importlib.reload(ocr)
    assert "rapidocr" not in sys.modules
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    ok, why = ocr.is_available()
    assert not ok and "rapidocr" in why and "pip install" in why


def test_ocr_reads_a_rendered_mark_with_the_network_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from tests.watermark_factory import drawn_mark

    def refuse(*_a: object, **_k: object) -> None:
        raise OSError("network is cut off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    mark = drawn_mark("Sora", "@offline_user", height=40)
    image = np.zeros((mark.height + 20, mark.width + 20), np.uint8)
    image[10 : 10 + mark.height, 10 : 10 + mark.width] = np.asarray(mark.getchannel("A"))
    r = interpret(ocr.OcrEngine().read(image))
    assert r.mark is not None and r.mark.key == "sora"
    assert r.handle == "@offline_user"


def test_a_crop_hint_lists_every_candidate_and_names_none() -> None:
    # Issue #12: 1904x1080 is a crop of Veo's and Hailuo's 1920x1080 alike; the hint shares metadata's crop
    # fact (counted once in fusion) and lists the candidates instead of naming one generator.
    from types import SimpleNamespace
    from typing import cast

    from vidsleuth.core.media import MediaInfo
    from vidsleuth.signals.watermark.removal import crop_hint

    hint = crop_hint(cast(MediaInfo, SimpleNamespace(display_size=(1904, 1080))))
    assert hint is not None
    data = hint.evidence.data
    assert data["fact"] == "crop:1904x1080" and data["attribution_grade"] is False and "generator" not in data
    keys = [c["generator_key"] for c in data["candidates"]]
    assert {"veo3", "hailuo"} <= set(keys) and len(keys) == len(set(keys))
    assert "a generator's watermark" in hint.evidence.summary
    single = crop_hint(cast(MediaInfo, SimpleNamespace(display_size=(480, 800))))
    assert single is not None
    assert [c["generator_key"] for c in single.evidence.data["candidates"]] == ["sora2"]
    assert "72 px of its height" in single.evidence.summary
    assert crop_hint(cast(MediaInfo, SimpleNamespace(display_size=(1280, 720)))) is None  # an output size
