"""Trust lists for C2PA signers: the installed store and its levels (official, legacy), the user's anchors
added or replacing, `vidsleuth trust refresh|show`, and bad list files.

Most tests use certificates made here (`make_pki` in test_provenance.py): an "official" CA, a "legacy" CA
and a user CA, each signing its own file, so every path (trusted by which list, as of when; not on any;
replaced) runs without the real lists. The tests at the end use the real C2PA lists when the steering
repository holds them under ../shared/trust/{c2pa,cai-interim}/ (or $VIDSLEUTH_TEST_TRUST_DIR), with the
corpus; they are skipped otherwise (developers may not commit the fetched lists).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests import media_factory as mf
from tests.conftest import ROOT, corpus_path
from tests.test_provenance import Pki, make_pki, sign
from vidsleuth.cli.main import main
from vidsleuth.core import Report, Settings, SignalResult, Status, VerdictLabel
from vidsleuth.errors import ConfigError
from vidsleuth.pipeline import analyze, prepare_settings
from vidsleuth.registry import SignalRegistry
from vidsleuth.signals.provenance.refresh import TrustRefreshError, refresh_official
from vidsleuth.signals.provenance.signal import ProvenanceSignal
from vidsleuth.signals.provenance.trust import NO_TRUST_LIST, TrustLevel, TrustList
from vidsleuth.signals.provenance.trustlists import default_trust_dir, load_installed

REGISTRY = SignalRegistry([ProvenanceSignal])
SHARED_TRUST = Path(os.environ.get("VIDSLEUTH_TEST_TRUST_DIR", ROOT.parent / "shared" / "trust"))


@pytest.fixture(autouse=True)
def _no_installed_lists(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("VIDSLEUTH_TRUST_DIR", raising=False)


# ---------------------------------------------------------------------------------------------- helpers
def der_b64(pem: bytes) -> list[str]:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return [
        base64.b64encode(c.public_bytes(Encoding.DER)).decode() for c in x509.load_pem_x509_certificates(pem)
    ]


def lote(
    pem: bytes, issued: str = "2026-08-05T00:00:00Z", next_update: str = "2099-08-05T00:00:00Z"
) -> bytes:
    """A LoTE JSON (ETSI TS 119 602, as the C2PA publishes) holding the certificates of `pem`."""
    services = [
        {"ServiceInformation": {"ServiceDigitalIdentity": {"X509Certificates": [{"val": v}]}}}
        for v in der_b64(pem)
    ]
    info = {"LoTESequenceNumber": 1, "ListIssueDateTime": issued, "NextUpdate": next_update}
    return json.dumps(
        {
            "LoTE": {
                "ListAndSchemeInformation": info,
                "TrustedEntitiesList": [{"TrustedEntityServices": services}],
            }
        }
    ).encode()


def official_files(pem: bytes, tsa: bytes, **dates: str) -> dict[str, bytes]:
    return {
        "C2PA-TRUST-LIST.pem": b"Subject\tCN=test\n" + pem,
        "C2PA-TRUST-LIST.json": lote(pem, **dates),
        "C2PA-TSA-TRUST-LIST.pem": tsa,
        "C2PA-TSA-TRUST-LIST.json": lote(tsa, **dates),
    }


def write_files(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def ee_pem(pki: Pki) -> bytes:
    """The signer's own certificate (the first block of its chain)."""
    text = pki.chain_pem.decode()
    end = text.index("-----END CERTIFICATE-----") + len("-----END CERTIFICATE-----")
    return (text[:end] + "\n").encode()


@dataclass(frozen=True)
class World:
    lists: Path  # an installed trust directory: official (+TSA) and legacy levels
    official: Path  # a file signed by a CA on the official list
    legacy: Path  # signed by a CA on the legacy anchors
    allowed: Path  # signed by a certificate on the legacy allowed list (its CA on no list)
    user: Path  # signed by the user's CA
    user_pem: Path
    nobody: Path  # on no list


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    d = tmp_path_factory.mktemp("world")
    video = mf.continuous(d / "plain.mp4", seconds=0.5)
    pkis = {
        k: make_pki(d, f"{k.title()} Co") for k in ("official", "legacy", "allowed", "user", "nobody", "tsa")
    }
    files = {k: sign(p, video, d / f"{k}.mp4", "digitalCapture") for k, p in pkis.items()}
    lists = d / "trust"
    write_files(
        lists / "c2pa", official_files(pkis["official"].ca_pem.read_bytes(), pkis["tsa"].ca_pem.read_bytes())
    )
    write_files(
        lists / "c2pa",
        {
            "SOURCE.json": json.dumps(
                {"repository": "c2pa-org/conformance-public", "list_commit": "70ec46e1 x"}
            ).encode()
        },
    )
    write_files(
        lists / "cai-interim",
        {
            "anchors.pem": pkis["legacy"].ca_pem.read_bytes(),
            "allowed.pem": ee_pem(pkis["allowed"]),
            "store.cfg": b"//id-kp-emailProtection\n1.3.6.1.5.5.7.3.4\n",
            "SOURCE.json": json.dumps(
                {"repository": "contentauth/verify-site", "list_commit_date": "2025-08-28T13:49:44-04:00"}
            ).encode(),
        },
    )
    return World(
        lists,
        files["official"],
        files["legacy"],
        files["allowed"],
        files["user"],
        pkis["user"].ca_pem,
        files["nobody"],
    )


def run(path: Path, **opts: Any) -> SignalResult:
    report = analyze(path, Settings(options={"provenance": {"isolate": False, **opts}}), registry=REGISTRY)
    result = report.result("provenance")
    assert result is not None and result.status is Status.OK, result
    return result


def trust_of(result: SignalResult) -> dict[str, Any]:
    entry: dict[str, Any] = result.metrics["manifests"][0]["trust"]
    return entry


def capture(result: SignalResult) -> float:
    return next(e.strength for e in result.evidence if e.code == "c2pa.capture_assertion")


# ---------------------------------------------------------------------------------------------- levels
def test_each_signer_is_judged_by_the_first_list_that_trusts_it(world: World) -> None:
    lists = str(world.lists)
    official = run(world.official, trust_lists=lists)
    t = trust_of(official)
    assert t["result"] == "trusted" and t["level"] == "official" and t["as_of"] == "2026-08-05"
    assert t["summary"] == "trusted by the C2PA Trust List (as of 2026-08-05)"
    assert t["lists_tried"] == ["c2pa-official"]  # trusted on the first read: the legacy list is never read
    assert capture(official) >= 0.9
    label = official.metrics["trust_list"]
    head = "C2PA Trust List (official, as of 2026-08-05, 1 certificate + 1 TSA, "
    head += "c2pa-org/conformance-public@70ec46e"
    assert label.startswith(head)
    legacy_head = ", then legacy CAI interim known-certificate list (legacy, as of 2025-08-28, 2 certificates"
    assert legacy_head in label
    assert [r["level"] for r in official.metrics["trust_lists"]] == ["official", "legacy"]

    legacy = run(world.legacy, trust_lists=lists)
    t = trust_of(legacy)
    assert t["result"] == "trusted" and t["level"] == "legacy" and t["via"] == "anchor"
    assert "not by the C2PA Trust List" in t["summary"]
    assert t["steps"] == ["c2pa-official: not on the list", "cai-interim: trusted"]
    assert 0.8 <= capture(legacy) < 0.9  # below a signer the official list vouches for

    allowed = trust_of(run(world.allowed, trust_lists=lists))
    assert allowed["result"] == "trusted" and allowed["via"] == "allowed end-entity certificate"

    nobody = run(world.nobody, trust_lists=lists)
    t = trust_of(nobody)
    assert t["result"] == "not_on_list" and t["lists_tried"] == ["c2pa-official", "cai-interim"]
    assert t["revocation"] == "unknown: OCSP not fetched (offline)" and t["timestamp"] == "none"
    assert capture(nobody) < 0.7


def test_levels_can_be_chosen(world: World) -> None:
    only_official = run(world.legacy, trust_lists=str(world.lists), trust_levels="official")
    assert trust_of(only_official)["result"] == "not_on_list"
    assert "legacy" not in only_official.metrics["trust_list"]
    none = run(world.official, trust_lists=str(world.lists), trust_levels="")
    assert none.metrics["trust_list"].startswith(NO_TRUST_LIST)


def test_user_anchors_add_to_or_replace_the_installed_lists(world: World) -> None:
    lists, mine = str(world.lists), str(world.user_pem)
    added = run(world.user, trust_lists=lists, trust_anchors=mine)
    t = trust_of(added)
    assert t["result"] == "trusted" and t["level"] == "user"
    assert added.metrics["trust_mode"] == "add"
    assert added.metrics["trust_list"].endswith("(your list is added after the installed lists)")
    assert trust_of(run(world.official, trust_lists=lists, trust_anchors=mine))["level"] == "official"

    replaced = run(world.official, trust_lists=lists, trust_anchors=mine, trust_mode="replace")
    assert trust_of(replaced)["result"] == "not_on_list"
    assert replaced.metrics["trust_mode"] == "replace"
    assert [r["level"] for r in replaced.metrics["trust_lists"]] == ["user"]
    assert replaced.metrics["trust_list"].endswith("(your list replaces the installed lists)")
    assert (
        trust_of(run(world.user, trust_lists=lists, trust_anchors=mine, trust_mode="replace"))["result"]
        == "trusted"
    )


def test_lists_are_found_in_the_environment_and_the_user_data_dir(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plain = run(world.official)
    assert plain.metrics["trust_list"].startswith(NO_TRUST_LIST + " (no trust list installed: install")
    assert any(e.code == "c2pa.trust_not_checked" for e in plain.evidence)
    monkeypatch.setenv("VIDSLEUTH_TRUST_DIR", str(world.lists))
    settings = prepare_settings(Settings(), REGISTRY)
    report = analyze(world.official, settings, registry=REGISTRY)
    result = report.result("provenance")
    assert result is not None and trust_of(result)["level"] == "official"
    monkeypatch.delenv("VIDSLEUTH_TRUST_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_trust_dir() == tmp_path / "vidsleuth" / "trust"
    write_files(
        tmp_path / "vidsleuth" / "trust" / "c2pa",
        {p.name: p.read_bytes() for p in (world.lists / "c2pa").iterdir()},
    )
    assert trust_of(run(world.official))["level"] == "official"


def test_the_settings_digest_follows_the_lists_content(world: World, tmp_path: Path) -> None:
    copy = tmp_path / "trust"
    for level in ("c2pa", "cai-interim"):
        write_files(copy / level, {p.name: p.read_bytes() for p in (world.lists / level).iterdir()})

    def digest() -> str:
        settings = prepare_settings(Settings(options={"provenance": {"trust_lists": str(copy)}}), REGISTRY)
        return settings.digest()

    before = digest()
    assert digest() == before
    (copy / "cai-interim" / "store.cfg").write_text("1.3.6.1.5.5.7.3.36\n")
    assert digest() != before


@pytest.mark.parametrize(
    ("opts", "message"),
    [
        ({"trust_lists": "/nonexistent/trust"}, "no such directory"),
        ({"trust_mode": "replace"}, "needs your own trust anchors"),
        ({"trust_levels": "official,bogus"}, "unknown level 'bogus'"),
        ({"trust_mode": "merge"}, "not a valid"),
    ],
)
def test_bad_trust_options_are_one_line_settings_errors(opts: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        prepare_settings(Settings(options={"provenance": opts}), REGISTRY)
    assert "\n" not in str(err.value)


def test_a_damaged_installed_list_is_skipped_with_a_finding(world: World, tmp_path: Path) -> None:
    copy = tmp_path / "trust"
    for level in ("c2pa", "cai-interim"):
        write_files(copy / level, {p.name: p.read_bytes() for p in (world.lists / level).iterdir()})
    (copy / "c2pa" / "C2PA-TRUST-LIST.pem").write_text("this is not a certificate list\n")
    result = run(world.legacy, trust_lists=str(copy))
    problem = next(e for e in result.evidence if e.code == "c2pa.trust_list_unusable")
    assert (
        "c2pa/: C2PA trust list 'C2PA-TRUST-LIST.pem' holds no '-----BEGIN CERTIFICATE-----' block"
        in problem.summary
    )
    assert "checked against the other lists (cai-interim)" in problem.summary
    assert trust_of(result)["level"] == "legacy"  # the other level still counts
    assert result.metrics["trust_problems"]


def test_a_list_without_its_json_has_no_date_and_a_stale_one_says_so(world: World, tmp_path: Path) -> None:
    folder = write_files(
        tmp_path / "t" / "c2pa", {p.name: p.read_bytes() for p in (world.lists / "c2pa").iterdir()}
    )
    (folder / "C2PA-TRUST-LIST.json").unlink()
    installed = load_installed(tmp_path / "t")
    assert installed.lists[0].as_of is None and "date is unknown" in installed.notes[0]
    pem = (folder / "C2PA-TRUST-LIST.pem").read_bytes()
    (folder / "C2PA-TRUST-LIST.json").write_bytes(
        lote(pem, issued="2020-01-01T00:00:00Z", next_update="2021-01-01T00:00:00Z")
    )
    installed = load_installed(tmp_path / "t")
    assert (
        installed.lists[0].stale and "past its next update 2021-01-01: refresh it" in installed.lists[0].label
    )


def test_the_panel_shows_a_trust_line_per_manifest(world: World) -> None:
    from vidsleuth.report import render

    report: Report = analyze(
        world.legacy,
        Settings(options={"provenance": {"isolate": False, "trust_lists": str(world.lists)}}),
        registry=REGISTRY,
    )
    html = render(report, "html")
    c2pa = html.split('<section id="c2pa">', 1)[1].split("</section>", 1)[0]
    assert (
        '<span class="chip warn">trusted (legacy list only)</span> trusted only by the legacy CAI interim'
        in c2pa
    )
    assert "c2pa-official: not on the list · cai-interim: trusted" in c2pa
    assert "<dt>Revocation</dt><dd>unknown: OCSP not fetched (offline)</dd>" in c2pa
    md = render(report, "md")
    assert "  - Signer trust: **trusted (legacy list only)**, trusted only by the legacy CAI interim" in md
    assert "  - Lists tried: c2pa-official: not on the list; cai-interim: trusted" in md


# ---------------------------------------------------------------------------------------------- refresh
@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git copy of a conformance-public look-alike holding test lists (made with `git`, offline)."""
    d = tmp_path_factory.mktemp("upstream")
    a, b = make_pki(d, "Root A"), make_pki(d, "Tsa B")
    repo = d / "conformance-public"
    write_files(repo / "trust-list", official_files(a.ca_pem.read_bytes(), b.ca_pem.read_bytes()))
    (repo / "LICENSE").write_text("Attribution 4.0 International\n\n(the CC BY 4.0 text)\n")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "lists"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    return repo


@pytest.mark.parametrize("form", ["checkout", "git-dir", "plain"])
def test_refresh_installs_the_lists_with_their_source(upstream: Path, tmp_path: Path, form: str) -> None:
    if form == "git-dir":
        src = upstream / ".git"
    elif form == "plain":
        src = write_files(
            tmp_path / "plain" / "trust-list",
            {p.name: p.read_bytes() for p in (upstream / "trust-list").iterdir()},
        ).parent
    else:
        src = upstream
    out = refresh_official(src, tmp_path / "trust")
    folder = tmp_path / "trust" / "c2pa"
    assert out.directory == folder and not out.warnings
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [
            "README.md",
            "SOURCE.json",
            "C2PA-TRUST-LIST.pem",
            "C2PA-TRUST-LIST.json",
            "C2PA-TSA-TRUST-LIST.pem",
            "C2PA-TSA-TRUST-LIST.json",
        ]
    )
    source = json.loads((folder / "SOURCE.json").read_text())
    assert source["repository"] == "c2pa-org/conformance-public"
    assert source["lists"]["C2PA-TRUST-LIST"]["issued"] == "2026-08-05T00:00:00Z"
    assert (
        source["sha256"]["C2PA-TRUST-LIST.pem"]
        == __import__("hashlib").sha256((folder / "C2PA-TRUST-LIST.pem").read_bytes()).hexdigest()
    )
    if form != "plain":
        assert source["licence"] == "CC BY 4.0" and len(source["commit"]) == 40 and source["list_commit"]
    readme = (folder / "README.md").read_text()
    assert "Coalition for Content Provenance and Authenticity" in readme and "issued 2026-08-05" in readme
    assert load_installed(tmp_path / "trust").lists[0].as_of == "2026-08-05"


def test_refresh_refuses_lists_that_do_not_check_out(upstream: Path, tmp_path: Path) -> None:
    files = {p.name: p.read_bytes() for p in (upstream / "trust-list").iterdir()}
    bad = write_files(
        tmp_path / "bad" / "trust-list", {**files, "C2PA-TRUST-LIST.json": files["C2PA-TSA-TRUST-LIST.json"]}
    ).parent
    with pytest.raises(TrustRefreshError, match="hold different certificates"):
        refresh_official(bad, tmp_path / "trust")
    assert not (tmp_path / "trust" / "c2pa").exists()  # nothing half-written
    notpem = write_files(
        tmp_path / "np" / "trust-list", {**files, "C2PA-TRUST-LIST.pem": b"<html>rate limited</html>"}
    ).parent
    with pytest.raises(TrustRefreshError, match="not a usable PEM list"):
        refresh_official(notpem, tmp_path / "trust")
    with pytest.raises(TrustRefreshError, match=r"no trust-list/C2PA-TRUST-LIST\.pem"):
        refresh_official(tmp_path, tmp_path / "trust")


def test_refresh_warns_past_the_next_update(upstream: Path, tmp_path: Path) -> None:
    files = {p.name: p.read_bytes() for p in (upstream / "trust-list").iterdir()}
    pem = files["C2PA-TRUST-LIST.pem"]
    old = {**files, "C2PA-TRUST-LIST.json": lote(pem.split(b"\n", 1)[1], next_update="2020-01-01T00:00:00Z")}
    src = write_files(tmp_path / "old" / "trust-list", old).parent
    out = refresh_official(src, tmp_path / "trust")
    assert out.warnings == (
        "C2PA-TRUST-LIST is past its NextUpdate (2020-01-01T00:00:00Z): a newer list has been issued",
    )


def test_trust_cli_refresh_and_show(upstream: Path, tmp_path: Path) -> None:
    target = str(tmp_path / "trust")
    runner = CliRunner()
    shown = runner.invoke(main, ["trust", "show", "--trust-lists", target])
    assert shown.exit_code == 0 and "none installed: signer trust is not checked" in shown.output
    done = runner.invoke(main, ["trust", "refresh", "--from", str(upstream), "--trust-lists", target])
    assert done.exit_code == 0, done.output
    assert f"installed {target}/c2pa" in done.output and "Licence: CC BY 4.0" in done.output
    shown = runner.invoke(main, ["trust", "show", "--trust-lists", target, "--json"])
    data = json.loads(shown.output)
    assert [r["level"] for r in data["lists"]] == ["official"] and data["lists"][0]["licence"] == "CC BY 4.0"
    missing = runner.invoke(
        main, ["trust", "refresh", "--from", str(tmp_path / "nowhere"), "--trust-lists", target]
    )
    assert (
        missing.exit_code == 2 and missing.output.count("\n") == 1 and "no such directory" in missing.output
    )
    (tmp_path / "trust" / "c2pa" / "C2PA-TSA-TRUST-LIST.pem").write_bytes(b"\xff\xfe binary")
    broken = runner.invoke(main, ["trust", "show", "--trust-lists", target])
    assert broken.exit_code == 2 and "error: c2pa/: could not read C2PA TSA trust list" in broken.output
    assert runner.invoke(main, ["trust", "refresh", "--trust-lists", target]).exit_code == 2


# ---------------------------------------------------------------------------------------------- real lists
def shared_trust() -> Path:
    """The real lists as the steering repository places them; skips when they are absent."""
    if not (SHARED_TRUST / "c2pa" / "C2PA-TRUST-LIST.pem").exists():
        pytest.skip(f"the C2PA trust lists are not in {SHARED_TRUST} (see docs/signals/provenance.md)")
    return SHARED_TRUST


def real(relative: str, levels: str = "official,legacy") -> tuple[SignalResult, Report]:
    settings = Settings(options={"provenance": {"trust_lists": str(shared_trust()), "trust_levels": levels}})
    report = analyze(corpus_path(relative), settings, registry=REGISTRY)
    result = report.result("provenance")
    assert result is not None and result.status is Status.OK
    return result, report


@pytest.mark.corpus
def test_real_lists_trust_the_google_signer() -> None:
    result, report = real("c2pa/veo3.1_c2pa_google_coffee.mp4")
    t = trust_of(result)
    assert t["result"] == "trusted" and t["level"] == "official" and t["as_of"]
    assert t["revocation"].startswith("not revoked (OCSP response stapled")
    assert t["timestamp"] == "trusted by the C2PA Trust List"
    ai = next(e for e in result.evidence if e.code == "c2pa.ai_generated_assertion")
    assert ai.data["attribution_grade"] is True and ai.data["trusted_by"] == "C2PA Trust List"
    assert report.verdict.label is VerdictLabel.AI_GENERATED


@pytest.mark.corpus
def test_real_lists_sora_is_not_on_the_official_list() -> None:
    """The Truepic certificate users report as untrusted: expired and not on the C2PA list; the legacy
    CAI list (whose TSA anchors cover its time-stamp) trusts it."""
    official, _ = real("ai_generated/sora2_c2pa_openai_avigrondz_952082b8.mp4", levels="official")
    t = trust_of(official)
    assert t["result"] == "expired" and t["lists_tried"] == ["c2pa-official"]
    ai = next(e for e in official.evidence if e.code == "c2pa.ai_generated_assertion")
    assert ai.strength >= 0.9 and ai.data["attribution_grade"] is False
    both, _ = real("ai_generated/sora2_c2pa_openai_avigrondz_952082b8.mp4")
    t = trust_of(both)
    assert (
        t["result"] == "trusted" and t["level"] == "legacy" and "not by the C2PA Trust List" in t["summary"]
    )


@pytest.mark.corpus
def test_real_lists_sony_camera_is_legacy_only_and_cawg_names_wdr() -> None:
    result, _ = real("c2pa/s4m_PTS_TRUSTED_sony_official_cawg_wdr.mp4")
    by_issuer = {m["signer"]["issuer"]: m for m in result.metrics["manifests"]}
    assert by_issuer["Sony Corporation"]["trust"]["level"] == "legacy"
    assert by_issuer["European Broadcasting Union"]["trust"]["result"] == "not_on_list"
    named = [i["named"] for m in result.metrics["manifests"] for i in m["identities"]]
    assert named == ["Westdeutscher Rundfunk, PTS-WDR"]


@pytest.mark.corpus
@pytest.mark.parametrize("relative", ["c2pa/video1.mp4", "c2pa/legacy.mp4"])
def test_real_lists_never_trust_the_c2pa_rs_test_files(relative: str) -> None:
    result, _ = real(relative)
    assert all(m["trust"]["result"] != "trusted" for m in result.metrics["manifests"])


# ---------------------------------------------------------------------------------------------- verdicts
def fake_list(key: str, level: TrustLevel) -> TrustList:
    return TrustList(key, level, f"{key} list", "", 1, "0" * 12, as_of="2026-08-05")


def test_verdicts_across_passes() -> None:
    """An expired certificate whose chain a later list holds is reported as such, not as trusted; an
    ingredient c2pa did not re-judge keeps what its parent recorded (no delta: the recorded result holds)."""
    from tests.test_provenance import _sig, ingredient, intact, manifest, status, store
    from vidsleuth.signals.provenance.reader import Pass
    from vidsleuth.signals.provenance.verdicts import judge

    top = manifest("urn:top", "digitalCapture", ingredients=[ingredient("urn:ing", "parentOf")])
    ing = manifest("urn:ing", "digitalCapture")
    ing["ingredients"] = []
    recorded = {"activeManifest": {"success": [status("signingCredential.trusted", _sig("urn:ing"))]}}
    top["ingredients"][0]["validation_results"] = recorded
    official = store(
        [top, ing],
        intact("urn:top"),
        [
            status("signingCredential.untrusted", _sig("urn:top")),
            status("signingCredential.expired", _sig("urn:top")),
        ],
    )
    legacy = store(
        [top, ing],
        [*intact("urn:top"), status("signingCredential.trusted", _sig("urn:top"))],
        [status("signingCredential.expired", _sig("urn:top"))],
    )
    merged, verdicts = judge(
        [
            Pass(fake_list("c2pa-official", "official"), official),
            Pass(fake_list("cai-interim", "legacy"), legacy),
        ]
    )
    v = verdicts["urn:top"]
    assert v.result == "expired" and v.chain_on is not None and v.chain_on.key == "cai-interim"
    assert v.words().startswith("certificate expired: its chain is on the cai-interim list")
    assert v.steps[0].startswith("c2pa-official: not trusted: certificate expired")
    assert verdicts["urn:ing"].result == "trusted" and verdicts["urn:ing"].trusted_by is not None
    assert verdicts["urn:ing"].trusted_by.key == "c2pa-official"
    assert merged.get("urn:top") is not None
