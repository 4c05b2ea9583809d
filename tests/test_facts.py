"""Issue #12, items 6-7: one measured fact counts once (fusion and calibration features), a camera's format
never makes a video "worth checking" on its own, and a verdict names a generator only from evidence that
names one. The format findings are the metadata signal's own (`format_evidence` on probed facts), the crop
hint is the watermark signal's own, so the tests exercise what the signals emit."""

from __future__ import annotations

import pytest

from vidsleuth.core import Evidence, Hypothesis, SignalResult, VerdictLabel
from vidsleuth.core.media import MediaInfo, StreamInfo
from vidsleuth.core.signal import DecodeStats
from vidsleuth.fusion import fuse
from vidsleuth.fusion.calibration import Feature
from vidsleuth.fusion.features import feature_value, signed_strength
from vidsleuth.signals.metadata.formats import format_evidence
from vidsleuth.signals.metadata.marks import match_tags
from vidsleuth.signals.watermark.removal import crop_hint

CROP_STRENGTH = 0.2


def media(w: int, h: int, fps: float, seconds: float, encoder: str | None = None) -> MediaInfo:
    tags = {"encoder": encoder} if encoder else {}
    video = StreamInfo(
        0, "video", "h264", width=w, height=h, frame_rate=fps, frame_count=round(fps * seconds), tags=tags
    )
    return MediaInfo("mov,mp4", seconds, None, tags, (video,))


def decode(fps: float, seconds: float) -> DecodeStats:
    n = round(fps * seconds)
    return DecodeStats(
        frames_decoded=n,
        first_time_s=0.0,
        last_time_s=(n - 1) / fps,
        frame_interval_median_s=1 / fps,
        frame_interval_min_s=1 / fps,
        frame_interval_max_s=1 / fps,
    )


def metadata_result(m: MediaInfo, d: DecodeStats) -> SignalResult:
    hits = match_tags([("container", m.tags)])
    return SignalResult.ok("metadata", "1.1.0", format_evidence(m, d, hits, CROP_STRENGTH))


# ------------------------------------------------------------------------------------ camera formats


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720), (720, 1280), (1080, 1920)])
@pytest.mark.parametrize("fps", [24.0, 25.0, 30.0, 60.0])
@pytest.mark.parametrize("seconds", [4.0, 5.0, 8.0, 10.0, 12.0])
def test_a_camera_format_alone_never_makes_a_video_worth_checking(
    size: tuple[int, int], fps: float, seconds: float
) -> None:
    # A phone video of 720x1280 at 30 fps for 10 s (issue #12) is also Sora 2's output format.
    result = metadata_result(media(*size, fps, seconds), decode(fps, seconds))
    assert not [e for e in result.evidence if e.strength > 0], [e.summary for e in result.evidence]
    verdict = fuse([result])
    assert verdict.label is VerdictLabel.NO_INDICATORS and not verdict.worth_checking
    assert verdict.attribution is None


def test_the_camera_format_match_is_reported_not_counted() -> None:
    result = metadata_result(media(720, 1280, 30.0, 10.0), decode(30.0, 10.0))
    [info] = [e for e in result.evidence if e.code == "metadata.camera_format_match"]
    assert info.strength == 0 and "Sora 2" in info.summary and "not counted" in info.summary
    assert {c["generator"] for c in info.data["candidates"]} >= {"Sora 2 (OpenAI)"}


def test_a_generator_specific_tag_still_counts_at_a_camera_size() -> None:
    # Veo's downloads: 1280x720, 24 fps, 8.00 s, encoder tag "Google" (corpus c2pa/veo3.1_*.mp4).
    result = metadata_result(media(1280, 720, 24.0, 8.0, encoder="Google"), decode(24.0, 8.0))
    verdict = fuse([result])
    assert verdict.worth_checking and verdict.label is VerdictLabel.INCONCLUSIVE
    # ... but a format is not a generator's signature: candidates, not a name.
    assert verdict.attribution is None
    names = [c["generator"] for c in verdict.extras["attribution_candidates"]]
    assert any("Veo" in n for n in names)
    assert all(not c["named"] for c in verdict.extras["attribution_candidates"])
    assert "No single generator is named" in verdict.summary


# ------------------------------------------------------------------------------------ one fact, once


def test_one_format_fits_two_generators_and_counts_once() -> None:
    # 1280x704 at 30 fps for 10 s: Sora 2's app download, also one of Wan's sizes.
    result = metadata_result(media(704, 1280, 30.0, 10.0), decode(30.0, 10.0))
    rows = [e for e in result.evidence if e.code == "metadata.generator_output_format"]
    assert len(rows) >= 2 and len({e.data["fact"] for e in rows}) == 1
    verdict = fuse([result])
    assert verdict.scores["ai_generated"] == pytest.approx(max(e.strength for e in rows))
    cited = [r for r in verdict.reasons if "metadata.generator_output_format" in r.evidence_codes]
    assert len(cited) == 1 and "counts once" in cited[0].text
    # The calibration feature counts it once too.
    assert signed_strength(result) == pytest.approx(max(e.strength for e in rows))


def test_the_crop_test_reported_by_two_signals_counts_once() -> None:
    # 480x800: the Sora feed's 480x872 with the bottom cut away. metadata and watermark make the same
    # size test; before #12 the two findings were two votes.
    m = media(480, 800, 30.0, 2.0)
    meta = metadata_result(m, decode(30.0, 2.0))
    hint = crop_hint(m)
    assert hint is not None
    wm = SignalResult.ok("watermark", "1.1.0", [hint.evidence])
    [crop] = [e for e in meta.evidence if e.code == "metadata.cropped_generator_size"]
    assert crop.data["fact"] == hint.evidence.data["fact"]
    verdict = fuse([meta, wm])
    assert verdict.scores["ai_generated"] == pytest.approx(max(crop.strength, hint.evidence.strength))
    [reason] = [r for r in verdict.reasons if "metadata.cropped_generator_size" in r.evidence_codes]
    assert "watermark.removal_hint" in reason.evidence_codes  # one reason citing both
    assert verdict.attribution is None
    # Calibration features: metadata (first in result order) counts the fact, watermark does not again.
    results = [meta, wm]
    assert feature_value(Feature("evidence:metadata", "evidence", "metadata"), results) == pytest.approx(
        crop.strength
    )
    assert feature_value(Feature("evidence:watermark", "evidence", "watermark"), results) == 0.0
    # Without the metadata signal the watermark's hint counts on its own.
    assert feature_value(Feature("evidence:watermark", "evidence", "watermark"), [wm]) == pytest.approx(
        hint.evidence.strength
    )


# ------------------------------------------------------------------------------------ attribution


def ev(code: str, strength: float, **data: object) -> Evidence:
    return Evidence.supports(code, Hypothesis.AI_GENERATED, strength, f"{code} {strength}", data=data)


def test_a_tie_between_format_candidates_names_no_generator() -> None:
    # The issue's Luma clip: a three-way tie of format matches named "Veo 2".
    rows = [
        ev("metadata.generator_output_format", 0.35, fact="format:a", candidates=[{"generator": g}])
        for g in ("Veo 2 (Google)", "Luma", "Runway Gen-4")
    ]
    verdict = fuse([SignalResult.ok("metadata", "1", rows)])
    assert verdict.worth_checking and verdict.attribution is None
    cands = verdict.extras["attribution_candidates"]
    assert {c["generator"] for c in cands} == {"Veo 2 (Google)", "Luma", "Runway Gen-4"}
    assert all(c["rests_on"] == ["metadata.generator_output_format"] for c in cands)
    assert all(g in verdict.summary for g in ("Veo 2", "Luma", "Runway"))


def test_a_generator_specific_tag_names_the_generator_below_likely() -> None:
    tag = ev(
        "metadata.generator_tag.grok_signature", 0.5, generator="Grok Imagine (xAI)", attribution_grade=True
    )
    fmt = ev("metadata.generator_output_format", 0.5, fact="f", candidates=[{"generator": "Kling"}])
    verdict = fuse([SignalResult.ok("metadata", "1", [tag, fmt])])
    assert verdict.label is VerdictLabel.INCONCLUSIVE and verdict.attribution == "Grok Imagine (xAI)"


def test_marks_of_two_generators_name_neither() -> None:
    sora = ev("watermark.generator_mark", 0.85, generator="Sora", attribution_grade=True)
    veo = ev("watermark.generator_mark", 0.8, generator="Veo", attribution_grade=True)
    verdict = fuse([SignalResult.ok("watermark", "1", [sora, veo])])
    assert verdict.label is VerdictLabel.LIKELY_AI_GENERATED
    assert verdict.attribution is None
    assert [c["generator"] for c in verdict.extras["attribution_candidates"]] == ["Sora", "Veo"]
    assert all(c["named"] for c in verdict.extras["attribution_candidates"])


def test_a_finding_that_is_not_attribution_grade_is_a_candidate_only() -> None:
    # An open-source invisible mark names code, not a service.
    inv = ev("invisible.dwtdct_x", 0.8, generator="SDXL reference code", attribution_grade=False)
    verdict = fuse([SignalResult.ok("invisible", "1", [inv])])
    assert verdict.label is VerdictLabel.LIKELY_AI_GENERATED and verdict.attribution is None
    assert verdict.extras["attribution_candidates"][0]["generator"] == "SDXL reference code"


def test_a_mark_still_names_its_generator() -> None:
    mark = ev("watermark.generator_mark", 0.85, generator="Sora", attribution_grade=True)
    fmt = ev("metadata.generator_output_format", 0.4, fact="f", candidates=[{"generator": "Sora 2 (OpenAI)"}])
    verdict = fuse([SignalResult.ok("watermark", "1", [mark]), SignalResult.ok("metadata", "1", [fmt])])
    assert verdict.label is VerdictLabel.LIKELY_AI_GENERATED and verdict.attribution == "Sora"


# ------------------------------------------------------------------------------------ the issue's cases


def test_a_crop_that_fits_several_generators_names_none_of_them() -> None:
    # The issue's 1904x1080 clip: its crop finding listed Sora, Veo and Hailuo, the verdict named "Veo 3/3.1".
    m = media(1904, 1080, 24.0, 8.0)
    meta = metadata_result(m, decode(24.0, 8.0))
    hint = crop_hint(m)
    assert hint is not None
    [crop] = [e for e in meta.evidence if e.code == "metadata.cropped_generator_size"]
    assert len(crop.data["candidates"]) >= 2
    verdict = fuse([meta, SignalResult.ok("watermark", "1.1.0", [hint.evidence])])
    assert verdict.label is VerdictLabel.INCONCLUSIVE and verdict.attribution is None
    listed = {c["generator"] for c in verdict.extras["attribution_candidates"]}
    assert {c["generator"] for c in crop.data["candidates"]} <= listed
    assert not any(c["named"] for c in verdict.extras["attribution_candidates"])
    assert "candidates only" in verdict.summary


def test_a_face_swap_in_a_camera_format_gets_no_generator() -> None:
    # The issue's 2019 face-swap video (1920x1080, 30 fps, 10 s, as DFDC's) was attributed to Sora 2.
    meta = metadata_result(media(1920, 1080, 30.0, 10.0), decode(30.0, 10.0))
    swap = Evidence.supports(
        "faces.swap_cue", Hypothesis.FACE_MANIPULATED, 0.5, "A face's edge flickers.", data={}
    )
    verdict = fuse([meta, SignalResult.ok("faces", "1", [swap])])
    assert verdict.label is VerdictLabel.INCONCLUSIVE and verdict.worth_checking
    assert verdict.attribution is None and "attribution_candidates" not in verdict.extras
    assert verdict.scores["ai_generated"] == 0
    assert not any("metadata" in c for r in verdict.reasons for c in r.evidence_codes)


def test_names_of_one_family_agree_and_the_attribution_says_what_it_rests_on() -> None:
    # The Sora C2PA file: the manifest says "Sora (OpenAI)", a mark says "Sora"; an unverified signer.
    c2pa = ev(
        "c2pa.ai_generated_assertion",
        0.95,
        generator="Sora (OpenAI)",
        attribution_source="c2pa",
        attribution_grade=False,
        trust="not_checked",
    )
    mark = ev("watermark.generator_mark", 0.85, generator="Sora 2 (OpenAI)", attribution_grade=True)
    fmt = ev("metadata.generator_output_format", 0.5, fact="f", candidates=[{"generator": "Runway Gen-4"}])
    verdict = fuse([SignalResult.ok("provenance", "1", [c2pa]), SignalResult.ok("x", "1", [mark, fmt])])
    assert verdict.label is VerdictLabel.AI_GENERATED and verdict.attribution == "Sora (OpenAI)"
    assert verdict.headline == "AI-generated — Sora (OpenAI), signed (signer not verified)"
    assert "signed (signer not verified)" in verdict.summary
    # a decisive verdict does not list a format hint that only fits other generators among its reasons
    assert not any("metadata.generator_output_format" in r.evidence_codes for r in verdict.reasons)
    assert "attribution_candidates" not in verdict.extras


def test_a_verified_signer_is_said_with_its_list_and_date() -> None:
    c2pa = ev(
        "c2pa.ai_generated_assertion",
        0.95,
        generator="a Google generator",
        attribution_source="c2pa",
        attribution_grade=True,
        trust="trusted",
        trusted_by="C2PA Trust List",
        trust_as_of="2026-08-05",
    )
    mark = ev("watermark.generator_mark", 0.85, generator="Veo", attribution_grade=True)
    verdict = fuse([SignalResult.ok("provenance", "1", [c2pa]), SignalResult.ok("watermark", "1", [mark])])
    # "a Google generator" and "Veo" agree (a vendor and one of its families); the deciding claim is named
    assert verdict.attribution == "a Google generator"
    assert verdict.headline.endswith("signer verified by the C2PA Trust List (as of 2026-08-05)")


def test_a_c2pa_claim_and_a_mark_of_another_vendor_below_decisive_name_neither() -> None:
    c2pa = ev("c2pa.composite_ai_assertion", 0.5, generator="Sora (OpenAI)", attribution_source="c2pa")
    mark = ev("watermark.generator_mark", 0.85, generator="Kling", attribution_grade=True)
    verdict = fuse([SignalResult.ok("provenance", "1", [c2pa]), SignalResult.ok("watermark", "1", [mark])])
    assert verdict.label is VerdictLabel.LIKELY_AI_GENERATED
    # the strong mark decides, and it names Kling alone among the deciding findings
    assert verdict.attribution == "Kling"
    no_mark = fuse([SignalResult.ok("provenance", "1", [c2pa, ev("x.other", 0.3, generator="Veo 2")])])
    assert no_mark.label is VerdictLabel.INCONCLUSIVE and no_mark.attribution is None
    assert {c["generator"] for c in no_mark.extras["attribution_candidates"]} == {"Sora (OpenAI)", "Veo 2"}


@pytest.mark.corpus
def test_a_dfdc_face_swap_is_not_attributed_by_its_format() -> None:
    from tests.conftest import corpus_path
    from vidsleuth.pipeline import analyze
    from vidsleuth.registry import SignalRegistry
    from vidsleuth.signals.metadata import MetadataSignal

    path = corpus_path("face_manipulation/dfdc_abofeumbvv_FAKE_orig-atvmxvwyns.mp4")
    report = analyze(path, registry=SignalRegistry([MetadataSignal]))
    assert report.verdict.attribution is None and not report.verdict.worth_checking
    assert not [e for e in report.evidence if e.strength > 0]
