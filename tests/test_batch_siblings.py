"""Sibling discovery: real fingerprints of small generated videos cluster a video with its re-encode, its
sub-clip and a second listing of it (and with the banked items their reports matched), unrelated videos
stay out, only candidate pairs from the hash index are compared, and groups by @handle, signer, claim
generator and attribution bind their members with the evidence shown."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import pytest

from tests import batch_factory as bf
from tests import fingerprint_factory as ff
from vidsleuth.batch import siblings
from vidsleuth.batch.rows import BatchRow, RowStatus
from vidsleuth.batch.siblings import SiblingGroup, find_siblings, to_json, to_text
from vidsleuth.core import Report, SignalResult
from vidsleuth.core.shape import to_json as shape_json
from vidsleuth.fingerprint.matching import MatchResult
from vidsleuth.signals.fingerprint.metrics import AlignedSegment, BankInfo, TimeRange, VideoMatch


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    d = tmp_path_factory.mktemp("siblings")
    a = ff.original(d / "a.mp4", seed=21, seconds=6.0)
    videos = {
        "a": a,
        "a_crf35": ff.apply_edit(a, d / "a_crf35.mp4", ff.Edit("crf35", crf=35)),
        "clip": ff.apply_edit(a, d / "clip.mp4", ff.Edit("trim", trim=(1.0, 3.0))),
        "b": ff.original(d / "b.mp4", seed=22, seconds=4.0),
        "c": ff.original(d / "c.mp4", seed=23, seconds=4.0),
    }
    return {k: bf.fingerprinted(v) for k, v in videos.items()}


def dated(rep: Report, when: str) -> Report:
    return replace(rep, media=replace(rep.media, tags={**rep.media.tags, "creation_time": when}))


def only(groups: list[SiblingGroup], kind: str) -> list[SiblingGroup]:
    return [g for g in groups if g.kind == kind]


def names(group: SiblingGroup) -> list[str]:
    return [m.name for m in group.members]


def test_a_video_its_reencode_subclip_and_second_listing_form_one_cluster(reports: dict[str, Report]) -> None:
    rows = [
        bf.row("a.mp4", 0, reports["a"]),
        bf.row("b.mp4", 1, reports["b"]),
        bf.row("a_crf35.mp4", 2, reports["a_crf35"]),
        bf.row("clip.mp4", 3, dated(reports["clip"], "2024-05-01T08:00:00Z")),
        bf.row("c.mp4", 4, reports["c"]),
        bf.row("again/a.mp4", 5, reports["a"]),  # the same bytes listed twice
        bf.row("gone.mp4", 6, None, status=RowStatus.FAILED, error="gone.mp4: no such file"),
    ]
    [cluster] = only(find_siblings(rows), "fingerprint")
    assert names(cluster) == ["a.mp4", "a_crf35.mp4", "clip.mp4", "again/a.mp4"]
    assert (cluster.earliest, cluster.earliest_by) == ("clip.mp4", "creation_time")
    evidence = {m.name: m.evidence for m in cluster.members}
    assert evidence["again/a.mp4"].startswith("same bytes as a.mp4; ")
    clip = next(m for m in cluster.members if m.name == "clip.mp4")
    assert clip.created == "2024-05-01T08:00:00+00:00" and clip.position == 3
    # the sub-clip's line says where it matches, how much and at what distance
    assert (
        "matches a" in clip.evidence
        and " s (its " in clip.evidence
        and "% of frames at distance ≤ 31" in clip.evidence
    )
    assert "3 distinct contents" in cluster.note


def test_without_creation_times_the_earliest_is_the_first_seen(reports: dict[str, Report]) -> None:
    rows = [bf.row("clip.mp4", 4, reports["clip"]), bf.row("a.mp4", 9, reports["a"])]
    [cluster] = only(find_siblings(rows), "fingerprint")
    assert (cluster.earliest, cluster.earliest_by) == ("clip.mp4", "first seen")


def test_only_pairs_the_hash_index_finds_are_compared(
    reports: dict[str, Report], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int]] = []
    from vidsleuth.fingerprint.matching import compare as real

    def counting(query: Any, item: Any, rules: Any = None) -> MatchResult:
        calls.append((len(query.frames), len(item.frames)))
        return real(query, item, rules)

    monkeypatch.setattr(siblings, "compare", counting)
    rows = [bf.row(f"{k}.mp4", i, r) for i, (k, r) in enumerate(reports.items())]
    groups = find_siblings(rows)
    assert [names(g) for g in only(groups, "fingerprint")] == [["a.mp4", "a_crf35.mp4", "clip.mp4"]]
    # a, its re-encode and its clip: 3 pairs, at most 2 directions each; b and c are never compared
    assert 3 <= len(calls) <= 6


def test_banked_items_a_member_matched_join_its_cluster(reports: dict[str, Report]) -> None:
    def with_bank_match(rep: Report, item_id: int) -> Report:
        fp = rep.result("fingerprint")
        assert fp is not None
        match = VideoMatch(
            item_id=item_id,
            kind="video",
            label="Flood fake, debunked",
            rule="vpdq",
            strength=0.95,
            best_distance=4,
            query_match_pct=97.0,
            segments=(AlignedSegment(query=TimeRange(0.0, 4.0), item=TimeRange(0.0, 4.0), frames=20),),
        )
        metrics = {
            **fp.metrics,
            "bank": shape_json(BankInfo("bank.sqlite", 1, 2, 50)),
            "matches": [shape_json(match)],
        }
        new = SignalResult.ok("fingerprint", fp.signal_version, fp.evidence, metrics)
        return replace(rep, results=(new,))

    rows = [bf.row("b.mp4", 0, with_bank_match(reports["b"], 7)), bf.row("c.mp4", 1, reports["c"])]
    [cluster] = only(find_siblings(rows), "fingerprint")
    assert [(m.name, m.bank_item_id) for m in cluster.members] == [
        ("b.mp4", None),
        ("Flood fake, debunked", 7),
    ]
    assert "matches bank item #7 (Flood fake, debunked) by vpdq over 0.0–4.0 s" in cluster.members[0].evidence

    @dataclass
    class Info:
        label: str | None
        source_url: str | None
        added_at: str | None

    class FakeBank:
        def get(self, item_id: int) -> Info:
            if item_id != 7:
                raise KeyError(item_id)
            return Info("Flood fake (bank label)", "https://example.org/x", "2024-01-01T00:00:00")

    two = [rows[0], bf.row("c.mp4", 1, with_bank_match(reports["c"], 8))]
    groups = only(find_siblings(two, bank=FakeBank()), "fingerprint")
    banked = {m.bank_item_id: m for g in groups for m in g.members if m.bank_item_id is not None}
    assert banked[7].name == "Flood fake (bank label) <https://example.org/x>"
    assert banked[7].created == "2024-01-01T00:00:00"
    assert banked[8].name == "Flood fake, debunked"  # the bank had no item 8: the report's label stays


def crafted(name: str, *results: SignalResult) -> Report:
    return bf.report(list(results), name)


def test_handles_group_case_insensitively_within_one_mark() -> None:
    rows = [
        bf.row("1.mp4", 0, crafted("1.mp4", bf.watermark("@AndrewDefee"))),
        bf.row("2.mp4", 1, crafted("2.mp4", bf.watermark("@andrewdefee", confidence=0.81, support=3))),
        bf.row("3.mp4", 2, crafted("3.mp4", bf.watermark("@someoneelse"))),
        bf.row("4.mp4", 3, crafted("4.mp4", bf.watermark("@andrewdefee", mark="othermark"))),
        bf.row("5.mp4", 4, crafted("5.mp4", bf.watermark(None))),
    ]
    [group] = only(find_siblings(rows), "handle")
    assert group.key == "sora:@andrewdefee" and names(group) == ["1.mp4", "2.mp4"]
    assert group.members[0].evidence == "handle @AndrewDefee read at 0.97 in 12 reads"
    assert group.members[1].evidence == "handle @andrewdefee read at 0.81 in 3 reads"


def test_signers_and_claim_generators_group_with_their_trust_state() -> None:
    rows = [
        bf.row("1.mp4", 0, crafted("1.mp4", bf.provenance())),
        bf.row("2.mp4", 1, crafted("2.mp4", bf.provenance(trust="not_on_list"))),
        bf.row("3.mp4", 2, crafted("3.mp4", bf.provenance("Adobe Firefly", "Adobe", generator="Sora/1.0"))),
    ]
    groups = find_siblings(rows)
    [signer] = only(groups, "signer")
    assert names(signer) == ["1.mp4", "2.mp4"] and signer.key == "OpenAI Media Signer (OpenAI)"
    assert signer.members[1].evidence == "signed by OpenAI Media Signer (OpenAI), trust: not_on_list"
    assert signer.note.startswith("1 of 2 signers are on no trust list")
    [generator] = only(groups, "claim_generator")
    assert names(generator) == ["1.mp4", "2.mp4", "3.mp4"] and generator.key == "Sora/1.0"
    [attribution] = only(groups, "attribution")
    assert attribution.key == "Sora (OpenAI)" and len(attribution.members) == 3


def test_text_and_json_outputs_are_safe_and_complete() -> None:
    evil = "\x1b[31mred\x1b[0m\n.mp4"
    rows = [
        bf.row(evil, 0, crafted("e", bf.watermark("@x_y"))),
        bf.row("ok.mp4", 1, crafted("o", bf.watermark("@X_Y"))),
    ]
    groups = find_siblings(rows)
    text = to_text(groups)
    assert "\x1b" not in text and "\ufffd[31mred" in text
    assert all(line.startswith(("handle", "attribution", "  ")) for line in text.splitlines())
    data = json.loads(to_json(groups))
    [handle] = [g for g in data["groups"] if g["kind"] == "handle"]
    assert handle["members"][0]["name"] == evil and handle["size"] == 2 and handle["earliest"] == evil
    many = [bf.row(f"{i}.mp4", i, crafted(f"{i}", bf.watermark("@same"))) for i in range(25)]
    assert "… and 5 more" in to_text(find_siblings(many))
    assert "No sibling groups" in to_text(find_siblings([bf.row("x", 0, crafted("x", bf.watermark("@x")))]))


def test_rows_without_reports_or_hashes_make_no_groups() -> None:
    rows: list[BatchRow] = [
        bf.row("gone.mp4", 0, None, status=RowStatus.FAILED, error="gone"),
        bf.row("plain.mp4", 1, crafted("plain.mp4")),
        bf.row("other.mp4", 2, crafted("other.mp4")),
    ]
    assert find_siblings(rows) == []
    assert find_siblings([]) == []
