"""Fingerprints on the real corpus: Meta's phone recordings and their variants, watermark-remover pairs,
and interoperability with Meta's vPDQ reference. Skipped when ../shared/corpus is absent.

Meta's published hashes (facebook/ThreatExchange, vpdq/sample-hashes/) are not copied into this project:
point VIDSLEUTH_VPDQ_SAMPLE_HASHES at a folder holding them, or install the `vpdq` package, to run the
interoperability checks.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import corpus_path
from vidsleuth.fingerprint.bits import distance
from vidsleuth.fingerprint.exchange import read_items
from vidsleuth.fingerprint.matching import MatchResult, compare
from vidsleuth.fingerprint.video import FrameHash, VideoFingerprint, fingerprint_file, prune

pytestmark = pytest.mark.corpus


@cache
def banked(relative: str) -> VideoFingerprint:
    return prune(fingerprint_file(corpus_path(relative), role="bank"))


@cache
def queried(relative: str) -> VideoFingerprint:
    return fingerprint_file(corpus_path(relative))


def best_segment_offset(result: MatchResult) -> float:
    segment = max(result.segments, key=lambda s: s.frames)
    assert segment.offset_s is not None
    return segment.offset_s


CHAIR = "real/chair-orig-22-sd-bar.mp4"
OTHERS = ("real/pattern-hd-no-bar.mp4", "real/doorknob-hd-no-bar.mp4")


@pytest.mark.parametrize(
    ("query", "offset"),
    [
        ("real/chair-19-sd-bar.mp4", 3.7),  # chair-19/20 are later starts of the 22.5 s recording
        pytest.param("real/chair-20-sd-bar.mp4", 2.0, marks=pytest.mark.slow),
        ("real/chair-22-sd-grey-bar.mp4", 0.0),
        pytest.param("real/chair-22-sd-sepia-bar.mp4", 0.0, marks=pytest.mark.slow),
        pytest.param("real/chair-22-with-small-logo-bar.mp4", 0.0, marks=pytest.mark.slow),
        ("real/chair-22-with-large-logo-bar.mp4", 0.0),  # found for ~4 s only: the logo hides a third
    ],
)
def test_chair_variants_match_the_chair_at_the_right_time_and_nothing_else(query: str, offset: float) -> None:
    result = compare(queried(query), banked(CHAIR))
    assert result.is_match, result.to_dict()
    assert best_segment_offset(result) == pytest.approx(offset, abs=0.3)
    if "large-logo" not in query:
        assert result.strength >= 0.9 and result.query_match_pct >= 80
    for other in OTHERS:
        assert not compare(queried(query), banked(other)).is_match, other


def test_pattern_with_bars_matches_the_pattern_and_the_chair_does_not() -> None:
    result = compare(queried("real/pattern-sd-grey-bar.mp4"), banked("real/pattern-hd-no-bar.mp4"))
    assert result.is_match and result.strength >= 0.9
    assert best_segment_offset(result) == pytest.approx(0.0, abs=0.3)
    for query in ("real/pattern-sd-grey-bar.mp4", "real/doorknob-hd-no-bar.mp4"):
        assert not compare(queried(query), banked(CHAIR)).is_match
    assert not compare(queried("real/doorknob-hd-no-bar.mp4"), banked("real/pattern-hd-no-bar.mp4")).is_match


@pytest.mark.parametrize(
    ("original", "removed"),
    [
        (
            "ai_generated/sora2_wm_puppy_ad_multishot_wolfowitz.mov",
            "ai_generated_mark_removed/sora2_wm_removed_puppy_ad_wolfowitz.mov",
        ),
        pytest.param(
            "ai_generated/sora2_c2pa_openai_avigrondz_952082b8.mp4",
            "ai_generated_mark_removed/sora2_wm_removed_avigrondz_06c5c769.mp4",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            "ai_generated/sora2_c2pa_openai_avigrondz_952082b8.mp4",
            "ai_generated_mark_removed/sora2_wm_removed_avigrondz_451e7f1f.mp4",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_watermark_remover_output_matches_its_original_in_time(original: str, removed: str) -> None:
    result = compare(queried(removed), banked(original))
    assert result.is_match and result.strength >= 0.9, result.to_dict()
    [segment] = result.segments
    assert segment.offset_s == pytest.approx(0.0, abs=0.3)  # a talking head is still: loosely placed
    assert segment.query is not None and segment.query.duration_s >= 9.0


@pytest.mark.slow
def test_remover_outputs_of_different_videos_do_not_match() -> None:
    puppy = banked("ai_generated/sora2_wm_puppy_ad_multishot_wolfowitz.mov")
    assert not compare(
        queried("ai_generated_mark_removed/sora2_wm_removed_avigrondz_06c5c769.mp4"), puppy
    ).is_match


def _vpdq_rule(query: tuple[FrameHash, ...], compared: tuple[FrameHash, ...]) -> tuple[float, float]:
    """vPDQ's brute-force rule (vpdq/README.md): unique hashes, quality >= 50, distance <= 31."""
    q = list(dict.fromkeys(f.hash for f in query if f.quality >= 50))
    c = list(dict.fromkeys(f.hash for f in compared if f.quality >= 50))
    q_pct = 100 * sum(any(distance(a, b) <= 31 for b in c) for a in q) / len(q)
    c_pct = 100 * sum(any(distance(a, b) <= 31 for b in q) for a in c) / len(c)
    return q_pct, c_pct


def meta_hashes(name: str) -> tuple[FrameHash, ...]:
    folder = os.environ.get("VIDSLEUTH_VPDQ_SAMPLE_HASHES")
    if folder and (Path(folder) / f"{name}.txt").exists():
        return read_items(Path(folder) / f"{name}.txt", "vpdq")[0].fingerprint.frames
    vpdq = pytest.importorskip(
        "vpdq", reason="neither Meta's sample hashes nor the vpdq package is available"
    )
    features = vpdq.computeHash(str(corpus_path(f"real/{name}.mp4")), seconds_per_hash=0)
    return tuple(
        FrameHash(bytes.fromhex(f.hex), int(f.quality), float(f.timestamp), int(f.frame_number))
        for f in features
    )


@pytest.mark.parametrize("name", ["chair-19-sd-bar", "doorknob-hd-no-bar", "pattern-sd-grey-bar"])
def test_fingerprints_match_metas_reference_under_the_vpdq_rule(name: str) -> None:
    theirs = meta_hashes(name)
    path = corpus_path(f"real/{name}.mp4")
    # hashed as vPDQ does (every frame, full size): the same video under vPDQ's rule, both ways
    ours = tuple(
        f
        for f in fingerprint_file(path, sample_fps=None, max_side=None, role="plain").frames
        if f.variant == 0
    )
    for q, c in (_vpdq_rule(ours, theirs), _vpdq_rule(theirs, ours)):
        assert q >= 80 and c >= 80
    # hashed with the bank's defaults: Meta's hash, as a query, matches our banked fingerprint
    bank_default = tuple(f for f in banked(f"real/{name}.mp4").frames if f.variant == 0)
    assert _vpdq_rule(theirs, bank_default)[1] >= 80
