"""Signal `provenance`: C2PA Content Credentials, on synthetic manifest JSON, on files signed here with a
throw-away CA (so that the trusted path and tampering can be tested without the corpus), and on the corpus."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import media_factory as mf
from tests.conftest import corpus_path
from tests.test_report import HOSTILE, XSS, Page, assert_self_contained, build
from vidsleuth.core import Evidence, Report, Settings, SignalResult, Stance, Status, VerdictLabel
from vidsleuth.errors import ConfigError
from vidsleuth.fusion import fuse
from vidsleuth.pipeline import analyze
from vidsleuth.registry import SignalRegistry
from vidsleuth.report import FORMATS, render
from vidsleuth.signals.provenance import reader
from vidsleuth.signals.provenance.findings import assess, empty_metrics
from vidsleuth.signals.provenance.metrics import ProvenanceMetrics
from vidsleuth.signals.provenance.panel import NO_MANIFEST, UNLABELLED, provenance_view
from vidsleuth.signals.provenance.reader import (
    UnreadableManifestError,
    has_manifest_marker,
    mime_for,
    read_manifest_store,
)
from vidsleuth.signals.provenance.signal import ProvenanceSignal
from vidsleuth.signals.provenance.store import ManifestStore
from vidsleuth.signals.provenance.trust import NO_TRUST_LIST, TrustAnchorsError, TrustList, check_settings
from vidsleuth.signals.provenance.verdicts import TrustContext
from vidsleuth.signals.provenance.vocabulary import SOURCE_TYPE_MEANING
from vidsleuth.signals.provenance.wording import generator_label

REGISTRY = SignalRegistry([ProvenanceSignal])
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
AI_LABELS = {VerdictLabel.AI_GENERATED, VerdictLabel.LIKELY_AI_GENERATED, VerdictLabel.PARTLY_AI_GENERATED}
JSON = dict[str, Any]


# ---------------------------------------------------------------------------------------------- helpers
def _sig(label: str) -> str:
    return f"self#jumbf=/c2pa/{label}/c2pa.signature"


def _hash(label: str) -> str:
    return f"self#jumbf=/c2pa/{label}/c2pa.assertions/c2pa.hash.bmff.v3"


def status(code: str, url: str) -> JSON:
    return {"code": code, "url": url, "explanation": code.rsplit(".", 1)[-1]}


def intact(label: str) -> list[JSON]:
    return [
        status("claimSignature.validated", _sig(label)),
        status("assertion.hashedURI.match", _hash(label)),
        status("assertion.bmffHash.match", _hash(label)),
    ]


def manifest(
    label: str,
    dst: str | None,
    *,
    action: str = "c2pa.created",
    agent: Any = None,
    issuer: str | None = "OpenAI",
    generator: str = "Sora",
    ingredients: Sequence[JSON] = (),
) -> JSON:
    act: JSON = {"action": action}
    if agent is not None:
        act["softwareAgent"] = agent
    if dst:
        act["digitalSourceType"] = IPTC + dst
    return {
        "label": label,
        "title": f"{label}.mp4",
        "claim_generator_info": [{"name": generator}],
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": [act]}},
            {"label": "c2pa.hash.bmff.v3"},
        ],
        "signature_info": {"alg": "Es256", "issuer": issuer, "common_name": f"{generator} signer"},
        "ingredients": list(ingredients),
    }


def ingredient(label: str, relationship: str, title: str = "part.png") -> JSON:
    return {"title": title, "relationship": relationship, "active_manifest": label, "format": "image/png"}


def store(
    manifests: Sequence[JSON],
    success: Sequence[JSON] = (),
    failure: Sequence[JSON] = (),
    deltas: Sequence[JSON] = (),
) -> ManifestStore:
    data = {
        "active_manifest": manifests[0]["label"],
        "manifests": {m["label"]: m for m in manifests},
        "validation_results": {
            "activeManifest": {"success": list(success), "informational": [], "failure": list(failure)},
            "ingredientDeltas": list(deltas),
        },
        "validation_state": "Invalid" if failure else "Valid",
    }
    return ManifestStore.from_c2pa_json(data)


def user_trust(name: str = "anchors.pem") -> TrustContext:
    """A trust context as if the user had supplied one PEM list (the verdicts come from the status codes)."""
    t = TrustList(
        key=f"user:{name}",
        level="user",
        title=f"user-supplied list {name}",
        anchors="",
        certificates=1,
        sha256="0" * 12,
    )
    return TrustContext(t.label, (t,), "add")


@pytest.fixture(autouse=True)
def _no_installed_lists(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests here see no installed trust list unless they install one (a developer's own lists must not
    change their results)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("VIDSLEUTH_TRUST_DIR", raising=False)


def found(evidence: Sequence[Evidence]) -> dict[str, Evidence]:
    return {e.code: e for e in evidence}


def verdict_of(evidence: Sequence[Evidence]) -> VerdictLabel:
    return fuse([SignalResult.ok("provenance", "1.0.0", evidence)]).label


def provenance(report: Report) -> SignalResult:
    result = report.result("provenance")
    assert result is not None
    return result


# ------------------------------------------------------------------------------------------ unit: evidence
def test_ai_assertion_with_intact_bindings_is_decisive_even_untrusted() -> None:
    s = store(
        [manifest("urn:a", "trainedAlgorithmicMedia", agent={"name": "Sora"})],
        success=intact("urn:a"),
        failure=[
            status("signingCredential.untrusted", _sig("urn:a")),
            status("signingCredential.expired", _sig("urn:a")),
        ],
    )
    evidence, metrics = assess(s)
    ai = found(evidence)["c2pa.ai_generated_assertion"]
    assert ai.strength >= 0.9 and ai.stance is Stance.SUPPORTS
    assert ai.data["generator"] == "Sora (OpenAI)"
    assert ai.data["bindings_intact"] is True and ai.data["trusted"] is False
    assert "signer trust not checked" in ai.summary and "expired" in ai.summary
    entry = metrics.manifests[0]
    # No trust list was used: c2pa's "signingCredential.untrusted" is not a judgement, and the one-word
    # state says what the text says (#12 item 8).
    assert entry.bindings_intact is True and entry.signer_trust == "not_checked"
    assert entry.trust.result == "not_checked" and "not checked" in entry.trust.summary
    assert {f.code for f in entry.validation.failed} == {
        "signingCredential.untrusted",
        "signingCredential.expired",
    }
    assert "assertion.bmffHash.match" in {p.code for p in entry.validation.passed}
    assert verdict_of(evidence) is VerdictLabel.AI_GENERATED


def test_hash_mismatch_weakens_the_ai_claim_and_reports_broken_bindings() -> None:
    label = "urn:a"
    s = store(
        [manifest(label, "trainedAlgorithmicMedia", agent={"name": "Sora"})],
        success=intact(label)[:2],
        failure=[status("assertion.bmffHash.mismatch", _hash(label))],
    )
    evidence, metrics = assess(s)
    by_code = found(evidence)
    assert 0.4 <= by_code["c2pa.ai_generated_assertion"].strength < 0.7
    broken = by_code["c2pa.bindings_broken"]
    assert broken.hypothesis.value == "edited" and 0.4 <= broken.strength < 0.7
    assert broken.data["content_changed"] is True
    assert metrics.manifests[0].bindings_intact is False
    assert verdict_of(evidence) is VerdictLabel.INCONCLUSIVE


@pytest.mark.parametrize(
    ("trust_code", "hash_ok", "low", "high"),
    [
        ("signingCredential.trusted", True, 0.9, 0.95),
        ("signingCredential.untrusted", True, 0.55, 0.7),
        ("signingCredential.trusted", False, 0.0, 0.4),
    ],
)
def test_capture_claim_strength_follows_trust_and_bindings(
    trust_code: str, hash_ok: bool, low: float, high: float
) -> None:
    label = "urn:cam"
    checks = intact(label) if hash_ok else intact(label)[:2]
    trust = status(trust_code, _sig(label))
    s = store(
        [manifest(label, "digitalCapture", issuer="Sony Corporation", generator="SONY_CAMERA")],
        success=[*checks, trust] if trust_code.endswith(".trusted") else checks,
        failure=([] if hash_ok else [status("assertion.bmffHash.mismatch", _hash(label))])
        + ([] if trust_code.endswith(".trusted") else [trust]),
    )
    evidence, _ = assess(s, user_trust("test.pem"))
    capture = found(evidence)["c2pa.capture_assertion"]
    assert capture.hypothesis.value == "provenance_attested" and low <= capture.strength <= high
    assert "c2pa.ai_generated_assertion" not in found(evidence)
    if trust_code.endswith(".trusted") and hash_ok:
        assert verdict_of(evidence) is VerdictLabel.CAMERA_ORIGINAL


def test_composite_in_an_ingredient_is_partial() -> None:
    part = manifest(
        "adobe:urn:p",
        "compositeWithTrainedAlgorithmicMedia",
        action="c2pa.edited",
        agent="Adobe Firefly",
        issuer="Adobe Inc.",
        generator="Adobe Photoshop",
    )
    top = manifest(
        "urn:top",
        None,
        action="c2pa.opened",
        issuer="Adobe Inc.",
        generator="Adobe Premiere Pro",
        ingredients=[ingredient("adobe:urn:p", "componentOf", "sun.png")],
    )
    delta = {
        "validationDeltas": {
            "success": [status("ingredient.manifest.validated", "self#jumbf=/c2pa/adobe:urn:p")]
        }
    }
    s = store([top, part], success=intact("urn:top"), deltas=[delta])
    evidence, metrics = assess(s)
    ev = found(evidence)["c2pa.composite_ai_assertion"]
    assert ev.data["scope"] == "partial" and ev.data["generator"] == "Adobe Firefly" and ev.strength >= 0.9
    assert "sun.png" in ev.summary
    assert verdict_of(evidence) is VerdictLabel.PARTLY_AI_GENERATED
    ing = metrics.manifests[0].ingredients[0]
    assert ing.has_manifest is True and ing.relationship == "componentOf"
    assert metrics.manifests[1].validation.passed[0].code == "ingredient.manifest.validated"


def test_generated_clip_placed_as_a_component_is_partial_and_parent_chain_is_full() -> None:
    clip = manifest("urn:gen", "trainedAlgorithmicMedia")
    for relationship, expected in (("componentOf", "partial"), ("parentOf", "full")):
        top = manifest(
            "urn:edit",
            None,
            action="c2pa.placed",
            issuer="Example Newsroom",
            generator="Editor",
            ingredients=[ingredient("urn:gen", relationship)],
        )
        evidence, _ = assess(store([top, clip], success=intact("urn:edit")))
        ai = [e for e in evidence if e.hypothesis.value == "ai_generated" and e.stance is Stance.SUPPORTS]
        assert len(ai) == 1 and ai[0].data["scope"] == expected, relationship


def test_capture_ingredient_of_a_generated_video_is_only_a_weak_partial_claim() -> None:
    cam = manifest("urn:cam", "digitalCapture", issuer="Sony Corporation", generator="SONY_CAMERA")
    gen = manifest(
        "urn:gen",
        "trainedAlgorithmicMedia",
        agent={"name": "Restyler"},
        ingredients=[ingredient("urn:cam", "parentOf", "clip.mp4")],
    )
    evidence, _ = assess(store([gen, cam], success=intact("urn:gen")))
    by_code = found(evidence)
    assert by_code["c2pa.capture_assertion"].strength < 0.4
    assert by_code["c2pa.capture_assertion"].data["scope"] == "partial"
    assert verdict_of(evidence) is VerdictLabel.AI_GENERATED


def test_manifest_without_ai_assertion_is_informational_only() -> None:
    opened = manifest(
        "urn:v", None, action="c2pa.opened", issuer="C2PA Test Signing Cert", generator="TestApp"
    )
    s = store([opened], success=intact("urn:v"))
    evidence, metrics = assess(s)
    assert [e.code for e in evidence] == ["c2pa.manifest_no_ai_assertion", "c2pa.trust_not_checked"]
    assert all(e.stance is Stance.INFORMATIONAL for e in evidence)
    assert verdict_of(evidence) is VerdictLabel.NO_INDICATORS
    assert metrics.manifest_present is True and metrics.active_manifest == "urn:v"


def test_malformed_manifest_json_does_not_crash() -> None:
    hostile: JSON = {
        "active_manifest": ["not", "a", "label"],
        "manifests": {"x": {"assertions": "nope", "signature_info": 5, "ingredients": [7, {"title": 3}]}},
        "validation_results": {"activeManifest": {"failure": [{"code": None}, "junk"]}},
    }
    s = ManifestStore.from_c2pa_json(hostile)
    evidence, metrics = assess(s)
    assert s.active is None and len(s.manifests) == 1
    assert "c2pa.manifest_no_ai_assertion" in found(evidence)
    json.dumps(metrics.to_json())


def test_statuses_are_assigned_to_the_manifest_their_url_names() -> None:
    top = manifest("urn:top", None, ingredients=[ingredient("urn:old", "parentOf")])
    old = manifest("urn:old", None)
    delta = {"validationDeltas": {"failure": [status("signingCredential.revoked", _sig("urn:old"))]}}
    s = store([top, old], success=intact("urn:top"), deltas=[delta])
    active, ingredient_manifest = s.manifests
    assert active.label == "urn:top" and not active.validation.failed
    assert ingredient_manifest.validation.failed_codes == {"signingCredential.revoked"}
    evidence, metrics = assess(s)
    assert "c2pa.invalid_ingredient" in found(evidence)
    assert metrics.manifests[1].signer_trust == "not_checked"  # no trust list was used


def test_metrics_keep_the_panel_shape() -> None:
    s = store([manifest("urn:a", "trainedAlgorithmicMedia")], success=intact("urn:a"))
    metrics = assess(s, user_trust())[1].to_json()
    assert set(metrics) == {
        "manifest_present",
        "trust_list",
        "validation_state",
        "active_manifest",
        "manifests",
        "trust_lists",
        "trust_mode",
        "trust_problems",
    }
    assert metrics["trust_lists"][0]["key"] == "user:anchors.pem" and metrics["trust_mode"] == "add"
    entry = metrics["manifests"][0]
    assert set(entry) == {
        "label",
        "title",
        "claim_generator",
        "claim_generator_info",
        "signer",
        "actions",
        "digital_source_types",
        "ingredients",
        "assertion_labels",
        "bindings_intact",
        "signer_trust",
        "validation",
        "trust",
        "identities",
    }
    assert entry["trust"]["result"] == "not_checked" and entry["trust"]["summary"] == "signer trust unknown"
    assert set(entry["signer"]) == {"issuer", "common_name", "alg", "time", "cert_serial"}
    assert set(entry["actions"][0]) == {"action", "software_agent", "digital_source_type", "when"}
    assert set(entry["validation"]) == {"passed", "failed", "informational"}
    assert entry["digital_source_types"] == ["trainedAlgorithmicMedia"]
    assert json.loads(json.dumps(metrics)) == metrics


def test_generator_labels_use_only_what_was_signed() -> None:
    s = store(
        [
            manifest("a", "trainedAlgorithmicMedia", agent={"name": "Sora"}),
            manifest(
                "b",
                "trainedAlgorithmicMedia",
                issuer="Google LLC",
                generator="Google C2PA Core Generator Library",
            ),
            manifest("c", "trainedAlgorithmicMedia", agent="Adobe Firefly", issuer="Adobe Inc."),
            manifest("d", "trainedAlgorithmicMedia", issuer=None, generator="c2patool"),
        ]
    )
    labels = [generator_label(m, m.actions[0]) for m in s.manifests]
    assert labels == [
        "Sora (OpenAI)",
        "a Google generator",
        "Adobe Firefly",
        "an unnamed generator",
    ]


def test_mime_hints() -> None:
    assert mime_for("/x/clip.MOV") == "video/quicktime"
    assert mime_for("/x/clip.m4v") == "video/x-m4v"
    assert mime_for("/tmp/upload-3f9a", "mov,mp4,m4a,3gp,3g2,mj2") == "video/mp4"
    assert mime_for("/tmp/upload-3f9a", "avi") == "video/x-msvideo"
    assert mime_for("/tmp/upload-3f9a", "matroska,webm") is None


def test_trust_anchor_files_are_checked(tmp_path: Path) -> None:
    with pytest.raises(TrustAnchorsError, match="could not read"):
        TrustList.user(tmp_path / "missing.pem")
    (tmp_path / "empty.pem").write_text("hello\n")
    with pytest.raises(TrustAnchorsError, match="no '-----BEGIN CERTIFICATE-----'"):
        TrustList.user(tmp_path / "empty.pem")
    (tmp_path / "garbage.pem").write_text(
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
    )
    with pytest.raises(TrustAnchorsError, match="does not parse"):
        TrustList.user(tmp_path / "garbage.pem")


def test_manifest_marker_is_found_across_chunk_boundaries(tmp_path: Path) -> None:
    marker = b"jumdc2pa\x00\x11\x00\x10"
    path = tmp_path / "blob.bin"
    path.write_bytes(b"\0" * 1021 + marker + b"\0" * 50)
    assert has_manifest_marker(path, chunk=1024)
    path.write_bytes(b"\0" * 4096)
    assert not has_manifest_marker(path, chunk=1024)


# ---------------------------------------------------------------------------------------------- report panel
def composite_result() -> SignalResult:
    """An edit whose component was made with Firefly: two manifests, an ingredient, a partial AI claim."""
    part = manifest(
        "adobe:urn:p",
        "compositeWithTrainedAlgorithmicMedia",
        action="c2pa.edited",
        agent="Adobe Firefly",
        issuer="Adobe Inc.",
        generator="Adobe Photoshop",
    )
    top = manifest(
        "urn:top",
        None,
        action="c2pa.opened",
        issuer="Adobe Inc.",
        generator="Adobe Premiere Pro",
        ingredients=[ingredient("adobe:urn:p", "componentOf", "sun.png")],
    )
    s = store(
        [top, part],
        success=intact("urn:top"),
        failure=[status("signingCredential.untrusted", _sig("urn:top"))],
    )
    evidence, metrics = assess(s, user_trust())
    return SignalResult.ok("provenance", "1.0.0", evidence, metrics)


def c2pa_section(html: str) -> str:
    assert html.count('<section id="c2pa">') == 1, "no C2PA section"
    return html.split('<section id="c2pa">', 1)[1].split("</section>", 1)[0]


def test_metrics_read_back_unchanged() -> None:
    metrics = composite_result().metrics
    typed = ProvenanceMetrics.from_json(metrics)
    assert typed.to_json() == json.loads(json.dumps(metrics))
    assert typed.manifests[1].digital_source_types == ("compositeWithTrainedAlgorithmicMedia",)
    assert empty_metrics(NO_TRUST_LIST).to_json() == {
        "manifest_present": False,
        "trust_list": NO_TRUST_LIST,
        "validation_state": None,
        "active_manifest": None,
        "manifests": [],
        "trust_lists": [],
        "trust_mode": None,
        "trust_problems": [],
    }


def test_panel_shows_each_manifest_and_links_it_to_the_findings_that_cite_it() -> None:
    result = composite_result()
    html = render(build([result]), "html")
    assert_self_contained(html)
    c2pa = c2pa_section(html)
    nav = html.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert '<a href="#c2pa">Content Credentials</a>' in nav and "<h2>Content Credentials</h2>" in c2pa
    assert html.index('id="evidence"') < html.index('id="c2pa"')  # the first section after the evidence
    assert (
        "Validation state: <strong>Invalid</strong> · Trust list: user-supplied list anchors.pem (user"
        in c2pa
    )
    first, second = c2pa.split('<article class="manifest"')[1:]
    assert 'id="c2pa-manifest-1"' in first and "active manifest" in first and "active manifest" not in second
    assert "Adobe Premiere Pro signer" in first and "issued by</span> Adobe Inc." in first
    assert (
        '<span class="chip bad">not on list</span> not on the trust list' in first
        and '<span class="chip good">intact</span>' in first
    )
    assert '<td class="wrap">sun.png</td><td>componentOf</td><td>image/png</td><td>yes</td>' in first
    assert "signingCredential.untrusted" in first.split("Failed checks", 1)[1].split("Passed checks", 1)[0]
    # a source type in words, marked as made by a program; the meaning is the signal's own
    term = "compositeWithTrainedAlgorithmicMedia"
    assert f'<span class="chip bad">{term}</span> {SOURCE_TYPE_MEANING[term]}' in second
    assert "<code>c2pa.edited</code>" in second and "Adobe Firefly" in second
    # the manifest and the finding that cites it link both ways
    assert 'href="#ev-c2pa.composite_ai_assertion"' in second
    row = html.split('id="ev-c2pa.composite_ai_assertion"', 1)[1].split("</tr>", 1)[0]
    assert 'href="#c2pa-manifest-2"' in row
    ids = set(Page(html).attr("id"))
    assert {h[1:] for h in Page(html).attr("href") if h.startswith("#")} <= ids


def test_markdown_lists_each_manifest() -> None:
    md = render(build([composite_result()]), "md")
    part = md.split("## Content Credentials (C2PA)\n", 1)[1]
    head = (
        "\nValidation state: **Invalid**\n\nTrust lists: user-supplied list anchors.pem (user, 1 certificate"
    )
    assert part.startswith(head)
    assert "\n\n- Manifest `urn:top` (active): signed by" in part
    assert "  - Signer trust: **not on list**, not on the trust list; hash bindings: **intact**" in part
    assert "hash bindings: **intact**" in part and "  - Ingredients: sun.png" in part
    assert "- Manifest `adobe:urn:p`: signed by Adobe Photoshop signer (issued by Adobe Inc.)" in part
    assert "`compositeWithTrainedAlgorithmicMedia` (a composite that includes generative-AI material)" in part
    assert "  - Validation: 3 passed; failed: `signingCredential.untrusted`" in part


@pytest.mark.parametrize("present", [False, True])
def test_without_a_readable_manifest_the_panel_says_so(present: bool) -> None:
    """No manifest: absence proves nothing. A store that is there but unreadable: nothing to list."""
    result = SignalResult.ok("provenance", "1.0.0", metrics=empty_metrics(NO_TRUST_LIST, present=present))
    report = build([result])
    c2pa, md = c2pa_section(render(report, "html")), render(report, "md")
    assert (NO_MANIFEST in c2pa) is not present and (NO_MANIFEST in md) is not present
    if present:
        assert "Validation state: <strong>not reported</strong> · Trust list: none: signer trust" in c2pa
        assert "<article" not in c2pa and "Validation state: **not reported**" in md


def test_panel_escapes_and_cuts_what_a_signer_wrote() -> None:
    long_title = "t" * 5000
    metrics = {
        "manifest_present": True,
        "trust_list": HOSTILE,
        "validation_state": HOSTILE,
        "active_manifest": HOSTILE,
        "manifests": [
            {
                "label": HOSTILE,
                "title": long_title,
                "claim_generator": "javascript:alert(1)",
                "claim_generator_info": [HOSTILE],
                "signer": {"issuer": HOSTILE, "common_name": HOSTILE, "alg": HOSTILE, "time": HOSTILE},
                "actions": [{"action": HOSTILE, "software_agent": HOSTILE, "digital_source_type": HOSTILE}],
                "digital_source_types": [HOSTILE, "https://x.example/" + XSS],
                "ingredients": [{"title": HOSTILE, "validation_failures": [HOSTILE]}],
                "assertion_labels": [HOSTILE],
                "validation": {"failed": [{"code": HOSTILE, "explanation": HOSTILE}]},
            }
        ],
    }
    result = SignalResult.ok("provenance", "1.0.0", metrics=metrics)
    report = build([result])
    html = render(report, "html")
    assert_self_contained(html)
    c2pa = c2pa_section(html)
    assert XSS not in c2pa and "<img src=x" not in c2pa and c2pa.count("&lt;script&gt;") >= 10
    assert "javascript:alert(1)" in c2pa and "javascript:" not in "".join(Page(c2pa).attr("href"))
    assert "t" * 500 + "… (4500 more characters in the JSON report)" in c2pa and long_title not in c2pa
    assert "active manifest" in c2pa  # the label matches the active one, whatever it says
    md = render(report, "md")
    assert "<script" not in md and "&lt;script&gt;" in md and "javascript:" not in md


ODD: list[Any] = [
    {"manifest_present": True},
    {"manifest_present": True, "manifests": "x"},
    {
        "manifest_present": True,
        "manifests": [None, 5, {"signer": "str", "actions": [1, None], "validation": []}],
    },
    {"manifest_present": "yes", "manifests": [{"label": 3, "claim_generator_info": [{"odd": True}, [1]]}]},
    {
        "manifest_present": True,
        "manifests": [
            {
                "label": "urn:x",
                "signer_trust": "hacked",
                "bindings_intact": "yes",
                "ingredients": [{"has_manifest": "yes"}, 7],
                "validation": {"passed": [{"explanation": "no code"}, {"code": "claim.ok"}], "failed": "x"},
                "digital_source_types": [IPTC + "digitalCapture", 7, ""],
            }
        ],
    },
]


@pytest.mark.parametrize("odd", range(len(ODD)))
def test_odd_metrics_keep_what_can_be_read(odd: int, caplog: pytest.LogCaptureFixture) -> None:
    result = SignalResult.ok("provenance", "1.0.0", metrics=ODD[odd])
    report = build([result])
    for fmt in FORMATS:
        assert render(report, fmt)
    assert_self_contained(render(report, "html"))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], "a panel was left out"
    view = provenance_view(result)
    assert view is not None
    if odd == 2:
        assert len(view.manifests) == 1 and view.manifests[0].signer.common_name is None
        assert view.manifests[0].actions == ()
    if odd == 3:  # a manifest that can be read makes the store present, whatever the flag says
        assert view.present and view.manifests[0].label == UNLABELLED
        assert view.manifests[0].claim_generator_info == ()
    if odd == 4:
        (mf,) = view.manifests
        assert mf.signer_trust == "unknown" and mf.bindings_intact is None
        assert [i.has_manifest for i in mf.ingredients] == ["—"]
        assert [c.code for c in mf.passed] == ["claim.ok"] and mf.failed == ()
        assert [(t.term, t.synthetic) for t in mf.source_types] == [("digitalCapture", False)]
    assert provenance_view(SignalResult.ok("provenance", "1.0.0", metrics={})) is None


# ---------------------------------------------------------------------------------------------- signed here
@dataclass(frozen=True)
class Pki:
    ca_pem: Path
    chain_pem: bytes
    key_pem: bytes


def make_pki(directory: Path, org: str) -> Pki:
    """A root CA and an ES256 end-entity certificate with the key usages C2PA requires of a signer."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)]
        )

    def usage(ca: bool) -> x509.KeyUsage:
        return x509.KeyUsage(not ca, False, False, False, False, ca, ca, False, False)

    ca_key, ee_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name(f"{org} root"))
        .issuer_name(name(f"{org} root"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage(True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ee = (
        x509.CertificateBuilder()
        .subject_name(name(f"{org} signer"))
        .issuer_name(ca.subject)
        .public_key(ee_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    ca_path = directory / f"{org.replace(' ', '_')}_anchors.pem"
    ca_path.write_bytes(ca.public_bytes(pem))
    key = ee_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return Pki(ca_path, ee.public_bytes(pem) + ca.public_bytes(pem), key)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"), "Test Camera Co")


@pytest.fixture(scope="module")
def plain_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mf.continuous(tmp_path_factory.mktemp("src") / "plain.mp4", seconds=1.0)


def sign(pki: Pki, src: Path, dst: Path, term: str, *, remote_url: str | None = None) -> Path:
    """Embed a manifest (one c2pa.created action with `term`) signed by `pki`; no time-stamp, no network."""
    import c2pa

    definition = {
        "claim_generator_info": [{"name": "vidsleuth-tests", "version": "1"}],
        "title": dst.name,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": IPTC + term,
                            "softwareAgent": {"name": "TestGen"},
                        }
                    ]
                },
            }
        ],
    }
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", pki.chain_pem, pki.key_pem, None))
    builder = c2pa.Builder(json.dumps(definition))
    if remote_url:
        builder.set_no_embed()
        builder.set_remote_url(remote_url)
    with src.open("rb") as source, dst.open("wb") as out:
        builder.sign(signer, "video/mp4", source, out)
    builder.close()
    signer.close()
    return dst


def run(path: Path, trust: Path | None = None, isolate: bool = True) -> Report:
    opts: dict[str, object] = {} if isolate else {"isolate": False}
    if trust:
        opts["trust_anchors"] = str(trust)
    settings = Settings(options={"provenance": opts})
    return analyze(path, settings, registry=REGISTRY)


def test_signed_capture_is_trusted_only_with_the_matching_anchor(
    pki: Pki, plain_video: Path, tmp_path: Path
) -> None:
    signed = sign(pki, plain_video, tmp_path / "capture.mp4", "digitalCapture")
    trusted = run(signed, trust=pki.ca_pem)
    result = provenance(trusted)
    capture = found(result.evidence)["c2pa.capture_assertion"]
    assert capture.strength >= 0.9 and capture.data["trusted"] is True
    assert result.metrics["trust_list"].startswith(
        "user-supplied list Test_Camera_Co_anchors.pem (user, 1 certificate"
    )
    assert result.metrics["manifests"][0]["signer_trust"] == "trusted"
    trust = result.metrics["manifests"][0]["trust"]
    assert trust["result"] == "trusted" and trust["level"] == "user" and trust["via"] == "anchor"
    assert trust["summary"] == "trusted by the user-supplied list Test_Camera_Co_anchors.pem"
    assert result.metrics["validation_state"] == "Trusted"
    assert trusted.verdict.label is VerdictLabel.CAMERA_ORIGINAL

    unchecked = provenance(run(signed, isolate=False))
    assert unchecked.metrics["trust_list"].startswith(NO_TRUST_LIST + " (no trust list installed: install")
    assert 0.55 <= found(unchecked.evidence)["c2pa.capture_assertion"].strength < 0.7
    assert "vidsleuth trust refresh" in found(unchecked.evidence)["c2pa.trust_not_checked"].summary

    other = make_pki(tmp_path, "Other Org")
    wrong = provenance(run(signed, trust=other.ca_pem))
    # one word for one state: the one-word key, the trust record and the panel agree
    assert wrong.metrics["manifests"][0]["signer_trust"] == "not_on_list"
    assert wrong.metrics["manifests"][0]["trust"]["result"] == "not_on_list"
    summary = found(wrong.evidence)["c2pa.capture_assertion"].summary
    assert "is not on the trust lists tried (user:Other_Org_anchors.pem)" in summary


def test_tampered_ai_file_weakens_the_claim(pki: Pki, plain_video: Path, tmp_path: Path) -> None:
    signed = sign(pki, plain_video, tmp_path / "gen.mp4", "trainedAlgorithmicMedia")
    assert (
        found(provenance(run(signed, isolate=False)).evidence)["c2pa.ai_generated_assertion"].strength >= 0.9
    )
    data = bytearray(signed.read_bytes())
    data[data.rindex(b"mdat") + 200] ^= 0xFF
    tampered = tmp_path / "tampered.mp4"
    tampered.write_bytes(bytes(data))
    report = run(tampered)
    by_code = found(provenance(report).evidence)
    assert by_code["c2pa.ai_generated_assertion"].strength < 0.7
    assert by_code["c2pa.bindings_broken"].data["codes"] == ["assertion.bmffHash.mismatch"]
    assert report.verdict.label is VerdictLabel.INCONCLUSIVE


def test_a_missing_trust_list_is_a_settings_error(pki: Pki, plain_video: Path, tmp_path: Path) -> None:
    signed = sign(pki, plain_video, tmp_path / "gen.mp4", "trainedAlgorithmicMedia")
    with pytest.raises(ConfigError, match="no such file"):
        run(signed, trust=tmp_path / "missing.pem")


def test_unusable_trust_list_is_reported_not_fatal(pki: Pki, plain_video: Path, tmp_path: Path) -> None:
    content = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
    signed = sign(pki, plain_video, tmp_path / "gen.mp4", "trainedAlgorithmicMedia")
    anchors = tmp_path / "anchors.pem"
    anchors.write_text(content)
    result = provenance(run(signed, trust=anchors))
    assert result.status is Status.OK
    by_code = found(result.evidence)
    assert "c2pa.trust_list_unusable" in by_code
    assert by_code["c2pa.ai_generated_assertion"].strength >= 0.9
    assert result.metrics["trust_list"].startswith(NO_TRUST_LIST)


def test_remote_manifest_is_reported_and_never_fetched(pki: Pki, plain_video: Path, tmp_path: Path) -> None:
    url = "http://192.0.2.1/manifests/clip.c2pa"  # TEST-NET-1: unroutable by design
    signed = sign(pki, plain_video, tmp_path / "remote.mp4", "trainedAlgorithmicMedia", remote_url=url)
    started = time.monotonic()
    result = provenance(run(signed))
    assert time.monotonic() - started < 10
    assert found(result.evidence)["c2pa.remote_manifest"].data["url"] == url
    assert result.metrics["manifest_present"] is False


def test_unsupported_container_is_not_applicable(tmp_path: Path) -> None:
    path = mf.write_video(tmp_path / "clip.mkv", [mf.Scene(0.5, 1)])
    result = provenance(run(path))
    assert result.status is Status.NOT_APPLICABLE and "C2PA" in (result.error or "")


def test_plain_video_has_no_manifest_and_isolation_agrees(
    plain_video: Path, pki: Pki, tmp_path: Path
) -> None:
    result = provenance(run(plain_video))
    assert result.status is Status.OK
    assert [e.code for e in result.evidence] == ["c2pa.no_manifest"]
    assert result.metrics["manifest_present"] is False
    signed = sign(pki, plain_video, tmp_path / "s.mp4", "digitalCapture")
    assert read_manifest_store(signed, isolate=True) == read_manifest_store(signed, isolate=False)


def test_c2pa_settings_are_checked_against_a_schema() -> None:
    """c2pa-python accepts misspelled settings keys silently (a typo would fail open), so vidsleuth checks
    every settings object it sends against the keys it means."""
    good = reader.reader_settings(None)
    assert check_settings(good) is good
    for bad in (
        {**good, "verify": {**good["verify"], "ocsp_fecth": False}},
        {**good, "trust": {"tsa_trust_anchors": "x"}},
        {**good, "bogus": {}},
        {**good, "trust": {"anchors": [{"trust_anchors": "x", "trust_kind": "cawg"}]}},
    ):
        with pytest.raises(ValueError, match="c2pa settings"):
            check_settings(bad)


def test_isolated_reader_survives_a_crash_and_a_hang(
    plain_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UnreadableManifestError, match="did not finish") as hang:
        read_manifest_store(plain_video, timeout_s=0.01)
    assert hang.value.kind == "timeout"
    monkeypatch.setattr(reader, "_child_source", lambda: "import os; os.abort()")
    with pytest.raises(UnreadableManifestError, match="SIGABRT") as crash:
        read_manifest_store(plain_video)
    assert crash.value.kind == "crashed" and crash.value.manifest_marker is False


# ---------------------------------------------------------------------------------------------- corpus
SORA = "ai_generated/sora2_c2pa_openai_avigrondz_952082b8.mp4"
GOOGLE = [
    "c2pa/veo3.1_c2pa_google_coffee.mp4",
    "c2pa/veo3.1_c2pa_google_coffee3.mp4",
    "c2pa/veo3.1_c2pa_google_kitchen-good.mp4",
    "c2pa/veo3.1_c2pa_google_launch-butterfly_created+edited.mp4",
    "c2pa/veo3.1_c2pa_google_office.mp4",
    "c2pa/veo3.1_c2pa_google_stop-motion_visibleVeoWM.mp4",
    "c2pa/veo_c2pa_google_vertical_fashion_spiderman_karpix_2b8a8c82.mp4",
    "c2pa/veo_c2pa_google_vertical_fashion_spiderman_karpix_7696fe9b.mp4",
    "stitched/veo3.1_shopping_base8s_c2pa_ingredient_of_extended.mp4",
    "stitched/veo3.1_extended_shopping_8s+7s_c2pa_2manifests.mp4",
]


def corpus_result(relative: str) -> tuple[SignalResult, Report]:
    report = run(corpus_path(relative))
    result = provenance(report)
    assert result.status is Status.OK, result.error
    return result, report


def supporting(result: SignalResult) -> dict[str, Evidence]:
    return {e.code: e for e in result.evidence if e.stance is Stance.SUPPORTS}


@pytest.mark.corpus
def test_sora_file_is_decisive_ai_with_bindings_intact_and_signer_unverified() -> None:
    result, report = corpus_result(SORA)
    ai = supporting(result)["c2pa.ai_generated_assertion"]
    assert ai.strength >= 0.9 and "Sora" in ai.data["generator"] and "OpenAI" in ai.data["generator"]
    entry = result.metrics["manifests"][0]
    assert entry["bindings_intact"] is True and entry["signer_trust"] == entry["trust"]["result"]
    assert entry["signer_trust"] in ("not_checked", "not_on_list", "expired")
    failed = {f["code"] for f in entry["validation"]["failed"]}
    assert failed == {"signingCredential.untrusted", "signingCredential.expired"}
    assert {"claimSignature.validated", "assertion.bmffHash.match"} <= {
        p["code"] for p in entry["validation"]["passed"]
    }
    assert result.metrics["validation_state"] == "Invalid"  # c2pa's one word, kept but not relied upon
    assert report.verdict.label is VerdictLabel.AI_GENERATED
    assert report.verdict.attribution is not None and "Sora" in report.verdict.attribution
    # #12 item 8: no trust list verified the signer, and the headline says so in the words the text uses.
    assert report.verdict.headline == "AI-generated — Sora (OpenAI), signed (signer not verified)"
    assert report.verdict.extras["attribution_evidence"] == ["c2pa.ai_generated_assertion"]


@pytest.mark.corpus
@pytest.mark.parametrize("relative", GOOGLE)
def test_google_files_are_decisive_ai_attributed_to_google(relative: str) -> None:
    result, _ = corpus_result(relative)
    ai = supporting(result)["c2pa.ai_generated_assertion"]
    assert ai.strength >= 0.9 and ai.data["issuer"] == "Google LLC"
    assert ai.data["generator"] == "a Google generator"  # the signer is named beside it, with its trust
    assert "Veo" not in ai.data["generator"]  # the manifest never names the model


@pytest.mark.corpus
def test_extended_veo_clip_lists_both_manifests() -> None:
    result, _ = corpus_result("stitched/veo3.1_extended_shopping_8s+7s_c2pa_2manifests.mp4")
    manifests = result.metrics["manifests"]
    assert len(manifests) == 2 and manifests[0]["label"] == result.metrics["active_manifest"]
    assert manifests[0]["ingredients"][0]["has_manifest"] is True
    assert all(m["digital_source_types"] == ["trainedAlgorithmicMedia"] for m in manifests)
    assert supporting(result)["c2pa.ai_generated_assertion"].data["claims"] == 2


@pytest.mark.corpus
@pytest.mark.parametrize("relative", ["c2pa/video1.mp4", "c2pa/legacy.mp4"])
def test_test_manifests_without_ai_assertion_do_not_point_to_ai(relative: str) -> None:
    result, report = corpus_result(relative)
    assert result.metrics["manifest_present"] is True and len(result.metrics["manifests"]) == 2
    assert "c2pa.manifest_no_ai_assertion" in found(result.evidence)
    assert not supporting(result)
    assert report.verdict.label not in AI_LABELS


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("relative", "scope"),
    [
        ("c2pa/s4m_PTS_TRUSTED_sony_official_cawg_wdr.mp4", "full"),
        ("c2pa/s4m_sony_official_teletrax.mp4", "partial"),
        ("c2pa/s4m_PTS_TRUSTED_sony_official_teletrax_wmk_kinetiq_CAWG.mp4", "partial"),
    ],
)
def test_sony_files_carry_a_capture_claim(relative: str, scope: str) -> None:
    result, report = corpus_result(relative)
    capture = supporting(result)["c2pa.capture_assertion"]
    assert capture.data["issuer"] == "Sony Corporation" and capture.data["scope"] == scope
    assert capture.strength < 0.7  # no trust list: what was claimed, not who claimed it
    assert report.verdict.label not in AI_LABELS


@pytest.mark.corpus
def test_firefly_composite_is_partly_generated() -> None:
    result, report = corpus_result("c2pa/s4m_prmiere-firefly.mp4")
    ev = supporting(result)["c2pa.composite_ai_assertion"]
    assert ev.data["scope"] == "partial" and ev.data["generator"] == "Adobe Firefly"
    assert report.verdict.label is VerdictLabel.PARTLY_AI_GENERATED


@pytest.mark.corpus
def test_invalid_ingredient_is_reported_precisely() -> None:
    result, _ = corpus_result("c2pa/s4m_PTS_INVALID_INGREDIENT.mp4")
    ev = found(result.evidence)["c2pa.invalid_ingredient"]
    assert (
        "signingCredential.expired" in ev.data["codes"]
        and ev.data["ingredient"] == "cai_cli_signed_badr_geneva.jpeg"
    )
    assert result.metrics["manifests"][0]["bindings_intact"] is True


@pytest.mark.corpus
def test_file_without_manifest_is_ok_and_informational() -> None:
    result, _ = corpus_result("c2pa/video1_no_manifest.mp4")
    assert [e.code for e in result.evidence] == ["c2pa.no_manifest"]
    assert result.metrics["manifest_present"] is False


@pytest.mark.corpus
def test_sora_file_with_one_flipped_byte_loses_its_binding(tmp_path: Path) -> None:
    data = bytearray(corpus_path(SORA).read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy = tmp_path / "sora_copy.mp4"
    copy.write_bytes(bytes(data))
    result = provenance(run(copy, isolate=False))
    by_code = supporting(result)
    assert by_code["c2pa.ai_generated_assertion"].strength < 0.7 and "c2pa.bindings_broken" in by_code


@pytest.mark.corpus
@pytest.mark.parametrize("isolate", [True, False])
def test_deeply_nested_boxes_fail_cleanly_and_fast(isolate: bool) -> None:
    path = corpus_path("bad/nested_moov_1000.mp4")
    started = time.monotonic()
    with pytest.raises(UnreadableManifestError, match="nested") as err:
        read_manifest_store(path, isolate=isolate)
    assert time.monotonic() - started < 5 and err.value.manifest_marker is False


@pytest.mark.corpus
def test_cawg_identity_assertion_names_who_it_names() -> None:
    result, _ = corpus_result("c2pa/s4m_PTS_TRUSTED_sony_official_cawg_wdr.mp4")
    identity = found(result.evidence)["c2pa.identity_assertion"]
    assert identity.data["named"] == "Westdeutscher Rundfunk, PTS-WDR"
    assert identity.data["sig_type"] == "cawg.x509.cose" and "named, not verified" in identity.summary
    active = result.metrics["manifests"][0]
    assert active["identities"][0]["named"] == "Westdeutscher Rundfunk, PTS-WDR"
    html = render(build([result]), "html")
    assert "names <strong>Westdeutscher Rundfunk, PTS-WDR</strong>" in html


def test_the_scorecard_counts_provenance_sources_per_class() -> None:
    """The eval scorecard counts items carrying each provenance source (C2PA claim, AIGC label, invisible
    mark), split by class, and how many were attribution-grade."""
    from vidsleuth.core.evidence import Hypothesis
    from vidsleuth.evaluate.dataset import Item
    from vidsleuth.evaluate.labels import LabelClass
    from vidsleuth.evaluate.metrics import Row, provenance_counts
    from vidsleuth.evaluate.scores import item_scores

    def row(cls: LabelClass, *evidence: Evidence) -> Row:
        report = build([SignalResult.ok("provenance", "1.1.0", list(evidence))])
        item = Item(Path("/x.mp4"), "x.mp4", cls.value, cls)
        return Row(item, "original", "ab" * 32, item_scores(report))

    def claim(grade: bool) -> Evidence:
        data = {"attribution_source": "c2pa", "attribution_grade": grade, "generator": "G"}
        return Evidence.supports("c2pa.ai_generated_assertion", Hypothesis.AI_GENERATED, 0.95, "s", data=data)

    counts = provenance_counts(
        [
            row(LabelClass.AI, claim(True)),
            row(LabelClass.AI, claim(False)),
            row(LabelClass.AI),
            row(LabelClass.REAL),
        ]
    )
    assert set(counts) == {"c2pa"}
    pos, neg = counts["c2pa"]["positives"], counts["c2pa"]["negatives"]
    assert (pos["carried"]["hits"], pos["carried"]["n"], pos["attribution_grade"]["hits"]) == (2, 3, 1)
    assert (neg["carried"]["hits"], neg["carried"]["n"]) == (0, 1)
