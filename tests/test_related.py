"""'Other videos with this handle / from this signer in your bank': attributes read from a report, the
bank lookup after fusion, the report's `related` key and its "In your bank" section, and `bank add
--from-report / --analyze`."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests import fingerprint_factory as ff
from vidsleuth.bank import Attribute, Bank, NewItem
from vidsleuth.cli.main import main
from vidsleuth.core import Evidence, Hypothesis, MediaInfo, Report, Settings, SignalResult, SourceInfo, Span
from vidsleuth.core.media import StreamInfo
from vidsleuth.fingerprint.video import FrameHash, VideoFingerprint
from vidsleuth.fusion import fuse
from vidsleuth.pipeline import analyze
from vidsleuth.related import attributes_from_report, related_in_bank, with_related
from vidsleuth.report import render
from vidsleuth.report.json_report import parse_json


def watermark(handle: str | None, *, in_metrics: str | None = None) -> SignalResult:
    data = {"mark": "sora", "generator": "Sora (OpenAI)", "handle": handle}
    evidence = [
        Evidence.supports(
            "watermark.generator_mark", Hypothesis.AI_GENERATED, 0.9, "Sora mark", span=Span(0, 5), data=data
        )
    ]
    if handle:
        evidence.append(
            Evidence.info(
                "watermark.handle",
                Hypothesis.KNOWN_CONTENT,
                f"The Sora mark names the account {handle} (read 5 times)",
                data={"handle": handle, "confidence": 0.9, "attribution_grade": False},
            )
        )
    detection = {"mark": "sora", "name": "Sora watermark", "generator": "Sora (OpenAI)", "handle": in_metrics}
    return SignalResult.ok("watermark", "1.1", evidence, {"detections": [detection]})


def provenance(signer: str = "OpenAI Media Signer", issuer: str = "OpenAI") -> SignalResult:
    manifest = {
        "label": "urn:c2pa:1",
        "claim_generator": "Sora/1.0 c2pa-rs/0.49",
        "claim_generator_info": ["Sora"],
        "signer": {"issuer": issuer, "common_name": signer},
        "signer_trust": "trusted",
        "trust": {"result": "trusted"},
    }
    ingredient = {"label": "urn:c2pa:0", "claim_generator": None, "signer": {"issuer": "Adobe"}}
    metrics = {"manifest_present": True, "manifests": [manifest, ingredient]}
    return SignalResult.ok("provenance", "1.1", [], metrics)


def report(results: list[SignalResult], name: str = "clip.mp4", **verdict: Any) -> Report:
    settings = Settings()
    video = StreamInfo(0, "video", "h264", width=1280, height=720, frame_rate=30.0, duration_s=10.0)
    return Report(
        tool_version="0.1.0",
        created_at="2026-03-04T05:06:07+00:00",
        source=SourceInfo(name, "", 1000, hashlib.sha256(name.encode()).hexdigest()),
        media=MediaInfo("mov,mp4,m4a,3gp,3g2,mj2", 10.0, 2_000_000, {}, (video,)),
        settings=settings.to_dict(),
        settings_digest=settings.digest(),
        results=tuple(results),
        verdict=dataclasses.replace(fuse(results), **verdict),
    )


def fingerprint_result(*item_ids: int) -> SignalResult:
    matches = [{"item_id": i, "kind": "video", "label": f"video {i}", "strength": 0.95} for i in item_ids]
    return SignalResult.ok("fingerprint", "1.0", [], {"matches": matches})


def kinds(attributes: list[Attribute]) -> list[tuple[str, str]]:
    return [(a.kind, a.value) for a in attributes]


def test_attributes_are_read_from_a_report_and_its_json() -> None:
    rep = report(
        [watermark("@AndrewDefee", in_metrics="@andrewdefee"), provenance()],
        attribution="Sora (OpenAI)",
        extras={"attribution_basis": "signed (signer not verified)"},
    )
    found = attributes_from_report(rep)
    assert kinds(found) == [
        ("handle", "@andrewdefee"),  # the evidence's and the metrics' spellings are one handle
        ("signer", "openai media signer (openai)"),
        ("claim_generator", "sora"),
        ("claim_generator", "sora/1.0 c2pa-rs/0.49"),
        ("signer", "adobe"),  # the ingredient's manifest
        ("generator", "sora (openai)"),
    ]
    handle = found[0]
    assert handle.shown == "@AndrewDefee" and handle.code == "watermark.handle"
    assert "trust: trusted" in (found[1].evidence or "")
    assert found[-1].evidence == "the verdict's attribution (signed (signer not verified))"
    assert kinds(attributes_from_report(json.loads(render(rep, "json")))) == kinds(found)


@pytest.mark.parametrize(
    "odd",
    [
        {"results": "nope"},
        {
            "results": [
                {"signal": "watermark", "evidence": [{"code": "watermark.handle", "data": {"handle": 7}}]}
            ]
        },
        {"results": [{"signal": "provenance", "metrics": {"manifests": [{"signer": "OpenAI"}, None, 3]}}]},
        {"results": [{"signal": "watermark", "metrics": {"detections": {"handle": "@x"}}}]},
        {"verdict": {"attribution": ["Sora"]}},
        {"results": [{"signal": "other", "evidence": [{"code": "other.thing", "data": {"handle": "@x"}}]}]},
        {},
    ],
)
def test_an_odd_or_hostile_report_gives_no_attributes_and_no_error(odd: dict[str, Any]) -> None:
    assert attributes_from_report(odd) == []


def _bank_with_siblings(path: Path, own_sha: str) -> None:
    def item(n: int, content: str, *attributes: Attribute | None, label: str | None = None) -> NewItem:
        frames = (FrameHash(bytes([n]) * 32, 90, 0.0, 0),)
        kept = tuple(a for a in attributes if a is not None)
        return NewItem(VideoFingerprint(frames, "video", 1.0, 10.0), content, "file", label, attributes=kept)

    handle = Attribute.make("handle", "@andrewdefee", "read under the Sora mark")
    signer = Attribute.make("signer", "OpenAI Media Signer (OpenAI)")
    with Bank.open(str(path), create=True) as bank:
        bank.add(
            [
                item(1, "sha256:" + "1" * 64, handle, label="<script>alert(1)</script> first sibling"),
                item(2, "sha256:" + "2" * 64, handle, signer, label="second sibling"),
                item(3, "sha256:" + own_sha, handle, label="the video itself"),
                item(4, "sha256:" + "4" * 64, Attribute.make("handle", "@someone_else"), label="unrelated"),
                item(5, "sha256:" + "5" * 64, Attribute.make("generator", "Veo"), label="matched one"),
            ]
        )


def test_related_lists_the_siblings_and_the_matched_items_attributes(tmp_path: Path) -> None:
    rep = report([watermark("@AndrewDefee"), provenance(), fingerprint_result(5, 77)])
    bank = tmp_path / "bank.sqlite"
    _bank_with_siblings(bank, rep.source.sha256)
    related = related_in_bank(rep, str(bank))
    assert related["bank"] == "bank.sqlite" and related["problem"] is None
    shared = {(g["kind"], g["value"]): g for g in related["shared"]}
    assert sorted(shared) == [("handle", "@andrewdefee"), ("signer", "openai media signer (openai)")]
    siblings = shared[("handle", "@andrewdefee")]
    assert [i["item_id"] for i in siblings["items"]] == [1, 2] and siblings["total"] == 2  # not #3: itself
    assert siblings["items"][1]["attributes"][1] == {
        "kind": "signer",
        "value": "openai media signer (openai)",
        "shown": "OpenAI Media Signer (OpenAI)",
    }
    # #77 is no longer in the bank: left out, not an error
    assert [(m["item_id"], m["attributes"][0]["shown"]) for m in related["matched"]] == [(5, "Veo")]

    assert related_in_bank(rep, str(bank), limit=1)["shared"][0]["total"] == 2  # counted beyond the limit
    assert len(related_in_bank(rep, str(bank), limit=1)["shared"][0]["items"]) == 1

    full = dataclasses.replace(rep, related=related)
    html = render(full, "html")
    assert 'id="related"' in html and "In your bank" in html and "second sibling" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "matches banked item <strong>#5</strong> matched one" in html
    md = render(full, "md")
    assert "## In your bank" in md and "**Same watermark handle @AndrewDefee**: 2 other banked item(s)" in md
    assert "- matches banked item #5 matched one, first seen" in md and "<script>" not in md
    back = parse_json(render(full, "json"))
    assert back.related == json.loads(json.dumps(related))
    assert back.schema_version == "1.2"


def test_no_section_without_a_bank_or_without_anything_related(tmp_path: Path) -> None:
    rep = report([watermark("@nobody")])
    assert with_related(rep, Settings()).related is None
    for text in (render(rep, "html"), render(rep, "md")):
        assert "In your bank" not in text
    bank = tmp_path / "bank.sqlite"
    _bank_with_siblings(bank, "0" * 64)
    settings = Settings(options={"fingerprint": {"bank": str(bank)}})
    related = with_related(rep, settings).related
    assert related is not None and related["shared"] == [] and related["matched"] == []
    assert related["attributes"][0]["value"] == "@nobody"
    assert "In your bank" not in render(dataclasses.replace(rep, related=related), "html")


def test_an_unreadable_bank_is_a_problem_line_not_a_failed_report(tmp_path: Path) -> None:
    rep = report([watermark("@andrewdefee")])
    notabank = tmp_path / "notes.sqlite"
    notabank.write_text("not a bank")
    related = with_related(rep, Settings(options={"fingerprint": {"bank": str(notabank)}})).related
    assert related is not None and "not an SQLite database" in related["problem"]
    html = render(dataclasses.replace(rep, related=related), "html")
    assert "The bank could not be searched for related items" in html
    assert notabank.read_text() == "not a bank"


def test_check_with_a_bank_reports_what_the_bank_knows_of_its_match(tmp_path: Path) -> None:
    """The pipeline's hook: a fingerprint match's stored attributes appear in the report of `analyze`."""
    video = ff.original(tmp_path / "a.mp4", seed=41, seconds=4.0)
    bank = tmp_path / "bank.sqlite"
    ok = CliRunner().invoke(main, ["bank", "--bank", str(bank), "add", str(video), "--label", "banked fake"])
    assert ok.exit_code == 0, ok.output
    maker = Attribute.make("handle", "@maker", "read under the Sora mark")
    assert maker is not None
    with Bank.open(str(bank)) as store:  # the banked copy learns its handle (as `add --from-report` does)
        outcome = store.add([NewItem(store.snapshot().fingerprint(1), _content(video), attributes=(maker,))])
        assert outcome.attributes_added == ((1, 1),)
    settings = Settings(only=("fingerprint",), options={"fingerprint": {"bank": str(bank)}})
    rep = analyze(video, settings)
    assert rep.related is not None and rep.related["problem"] is None
    assert [(m["item_id"], m["label"], m["attributes"][0]["shown"]) for m in rep.related["matched"]] == [
        (1, "banked fake", "@maker")
    ]
    assert rep.related["shared"] == [] and "related_s" in rep.timings
    assert "- matches banked item #1 banked fake, first seen" in render(rep, "md")
    off = Settings(only=("fingerprint",), options={"fingerprint": {"use_bank": False}})
    assert analyze(video, off).related is None


def _content(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def test_bank_add_from_report_stores_its_attributes_and_refuses_another_files(tmp_path: Path) -> None:
    video = ff.original(tmp_path / "a.mp4", seed=42, seconds=3.0)
    other = ff.original(tmp_path / "b.mp4", seed=43, seconds=3.0)
    sha = hashlib.sha256(video.read_bytes()).hexdigest()
    rep = dataclasses.replace(
        report([watermark("@Maker"), provenance()], attribution="Sora (OpenAI)"),
        source=SourceInfo("a.mp4", "", video.stat().st_size, sha),
    )
    report_file = tmp_path / "a.json"
    report_file.write_text(render(rep, "json"), encoding="utf-8")
    bank = tmp_path / "bank.sqlite"
    runner = CliRunner()

    wrong = runner.invoke(
        main, ["bank", "--bank", str(bank), "add", str(other), "--from-report", str(report_file)]
    )
    assert wrong.exit_code == 3 and "is a report of another file" in wrong.output
    assert "Traceback" not in wrong.output
    with Bank.open(str(bank)) as store:
        assert store.items() == []  # nothing was added

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    bad = runner.invoke(main, ["bank", "--bank", str(bank), "add", str(video), "--from-report", str(broken)])
    assert bad.exit_code == 3 and "not valid JSON" in bad.output

    plain = runner.invoke(main, ["bank", "--bank", str(bank), "add", str(video)])
    assert plain.exit_code == 0, plain.output
    added = runner.invoke(
        main, ["bank", "--bank", str(bank), "add", str(video), "--from-report", str(report_file)]
    )
    assert added.exit_code == 0, added.output
    assert "already banked as #1: a.mp4; 6 attribute(s) added" in added.output
    assert "    handle: @Maker" in added.output
    listing = json.loads(runner.invoke(main, ["bank", "--bank", str(bank), "list", "--json"]).output)
    assert listing[0]["attributes"][0]["value"] == "@maker"
    again = runner.invoke(
        main, ["bank", "--bank", str(bank), "add", str(video), "--from-report", str(report_file)]
    )
    assert again.exit_code == 0 and "attribute(s) added" not in again.output  # nothing new, no duplicates


def test_bank_add_analyze_runs_the_watermark_and_provenance_signals(tmp_path: Path) -> None:
    """A generated video carries no mark and no manifest: --analyze stores nothing, and says so when a
    signal could not run here (no OCR engine), never pretending it looked."""
    video = ff.original(tmp_path / "a.mp4", seed=44, seconds=2.0)
    bank = tmp_path / "bank.sqlite"
    result = CliRunner().invoke(main, ["bank", "--bank", str(bank), "add", str(video), "--analyze", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output[result.output.index("{") :])
    assert [i["item_id"] for i in out["added"]] == [1] and out["attributes"] == {}
