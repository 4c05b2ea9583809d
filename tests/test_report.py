"""Reports: the JSON shape is pinned by a golden file, JSON round-trips, files are written atomically,
the HTML is self-contained and escapes everything, the Markdown cannot be used to inject markup, and
odd metric shapes leave a panel out instead of breaking the report.

The reports are built directly from core types (no video is decoded); the verdicts come from the real
fusion policy so that the reasons cite evidence codes the way they do in production.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import logging
import math
import os
import re
from collections.abc import Mapping
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from vidsleuth.core import (
    Evidence,
    Hypothesis,
    MediaInfo,
    Report,
    Settings,
    SignalResult,
    SourceInfo,
    Span,
    StreamInfo,
    Thumbnail,
)
from vidsleuth.core.view import md_text
from vidsleuth.errors import ReportError
from vidsleuth.fusion import fuse
from vidsleuth.report import FORMATS, load_report, render, write_report
from vidsleuth.signals.provenance.panel import NO_MANIFEST

GOLDEN = Path(__file__).parent / "golden" / "report_shape.json"
SCHEMA_DOC = Path(__file__).resolve().parent.parent / "docs" / "report-schema.md"
XSS = "<script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(1)>'
HOSTILE = f"{XSS}{ATTR}"
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


# Fixtures -----------------------------------------------------------------------------------------


def tiny_jpeg(shade: int) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (32, 18), (shade, 90, 160)).save(buf, format="JPEG", quality=70)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def media(tags: Mapping[str, str] | None = None, stream_tags: Mapping[str, str] | None = None) -> MediaInfo:
    video = StreamInfo(
        index=0,
        kind="video",
        codec="h264",
        profile="High",
        width=1280,
        height=720,
        frame_rate=30.0,
        nominal_frame_rate=30.0,
        frame_count=600,
        duration_s=20.0,
        pix_fmt="yuv420p",
        bit_rate=2_000_000,
        sample_aspect_ratio="1:1",
        tags=stream_tags or {},
    )
    audio = StreamInfo(1, "audio", "aac", "LC", duration_s=20.0, sample_rate=48000, channels=2)
    return MediaInfo(
        "mov,mp4,m4a,3gp,3g2,mj2", 20.0, 2_100_000, dict(tags or {"encoder": "Lavf60.16.100"}), (video, audio)
    )


def manifest(**over: Any) -> dict[str, Any]:
    m: dict[str, Any] = {
        "label": "urn:c2pa:1234",
        "title": "clip.mp4",
        "claim_generator": "Sora/1.0",
        "claim_generator_info": [{"name": "Sora", "version": "1.0"}],
        "signer": {
            "issuer": "OpenAI",
            "common_name": "OpenAI Media Signer",
            "alg": "es256",
            "time": "2025-01-01T00:00:00Z",
            "cert_serial": "0a1b",
        },
        "actions": [
            {
                "action": "c2pa.created",
                "software_agent": "Sora",
                "digital_source_type": IPTC + "trainedAlgorithmicMedia",
                "when": None,
            }
        ],
        "digital_source_types": [IPTC + "trainedAlgorithmicMedia"],
        "ingredients": [
            {
                "title": "prompt.txt",
                "relationship": "inputTo",
                "format": "text/plain",
                "has_manifest": False,
                "validation_failures": [],
            }
        ],
        "assertion_labels": ["c2pa.actions.v2", "c2pa.hash.bmff.v3"],
        "bindings_intact": True,
        "signer_trust": "trusted",
        "validation": {
            "passed": [{"code": "claimSignature.validated", "explanation": "claim signature valid"}],
            "failed": [{"code": "signingCredential.ocsp.skipped", "explanation": "no OCSP response"}],
            "informational": [],
        },
    }
    m.update(over)
    return m


def provenance(present: bool = True, manifests: list[Any] | None = None) -> SignalResult:
    metrics = {
        "manifest_present": present,
        "trust_list": "C2PA trust list 2025-01" if present else None,
        "validation_state": "Trusted" if present else None,
        "active_manifest": "urn:c2pa:1234" if present else None,
        "manifests": manifests if manifests is not None else ([manifest()] if present else []),
    }
    if not present:
        ev = Evidence.info(
            "c2pa.no_manifest", Hypothesis.PROVENANCE_ATTESTED, "No C2PA manifest in the file."
        )
        return SignalResult.ok("provenance", "1.0", [ev], metrics)
    ev = Evidence.supports(
        "c2pa.ai_generated_assertion",
        Hypothesis.AI_GENERATED,
        0.95,
        "The signed C2PA manifest declares the video trainedAlgorithmicMedia.",
        data={"generator": "Sora (OpenAI)"},
    )
    return SignalResult.ok("provenance", "1.0", [ev], metrics)


def shots(n: int = 4, metrics: Mapping[str, Any] | None = None) -> SignalResult:
    edges = [i * 20.0 / n for i in range(n + 1)]
    shot_list = [
        {
            "index": i + 1,
            "start_s": a,
            "end_s": b,
            "duration_s": b - a,
            "start_frame": int(a * 30),
            "end_frame": int(b * 30) - 1,
            "transition": "cut" if i else "start",
        }
        for i, (a, b) in enumerate(itertools.pairwise(edges))
    ]
    series = {
        "time_s": [i / 10 for i in range(200)],
        "score": [40.0 if i % 50 == 0 and i else 3.0 + (i % 7) for i in range(200)],
    }
    m = {
        "shots": shot_list,
        "cuts_s": edges[1:-1],
        "fades": [{"start_s": 18.5, "end_s": 20.0}],
        "score_series": series,
        "threshold": 27.0,
    }
    thumbs = [
        Thumbnail(f"shot {s['index']} @ {s['start_s']:.1f} s", float(s["start_s"]), tiny_jpeg(40 * i), 32, 18)
        for i, s in enumerate(shot_list)
    ]
    evidence = [
        Evidence.supports(
            "shots.generator_length_clips",
            Hypothesis.AI_GENERATED,
            0.25,
            f"All {n} shots are 5 s or shorter.",
            span=Span(0.0, 20.0),
        ),
        Evidence.info("shots.cut_count", Hypothesis.EDITED, f"{n - 1} hard cuts."),
    ]
    return SignalResult.ok(
        "shots", "1.0", evidence, dict(metrics) if metrics is not None else m, thumbs
    ).with_elapsed(1.25, 1.1)


def metadata(table_value: str = "Lavf60.16.100") -> SignalResult:
    ev = Evidence.info("metadata.encoder_tag", Hypothesis.EDITED, f"Encoder tag: {table_value}")
    table = [{"field": "encoder", "value": table_value, "note": "written by FFmpeg's muxer"}]
    return SignalResult.ok("metadata", "1.0", [ev], {"table": table}).with_elapsed(0.01)


def build(results: list[SignalResult], source_name: str = "clip.mp4", **over: Any) -> Report:
    settings = Settings()
    report = Report(
        tool_version="0.1.0",
        created_at="2025-01-02T03:04:05+00:00",
        source=SourceInfo(source_name, "/tmp/clip.mp4", 5_123_456, "ab" * 32),
        media=over.pop("media", media()),
        settings=settings.to_dict(),
        settings_digest=settings.digest(),
        results=tuple(results),
        verdict=fuse(results),
        elapsed_s=3.21,
    )
    return replace(report, **over)


@pytest.fixture
def ai_report() -> Report:
    failed = SignalResult.failed("watermark", "0.3", "RuntimeError: OCR engine crashed on frame 120")
    skipped = SignalResult.skipped("faces", "0.1", "needs the faces extra: pip install 'vidsleuth[faces]'")
    crop = Thumbnail("corner crop", 2.0, tiny_jpeg(200), 32, 18, (1200, 660, 80, 60))
    watermark = SignalResult.ok("watermark2", "0.1", thumbnails=[crop])
    return build([metadata(), provenance(), shots(), failed, skipped, watermark])


@pytest.fixture
def plain_report() -> Report:
    unknown_length = replace(media(), duration_s=None, bit_rate=None)
    return build([metadata(), provenance(present=False)], media=unknown_length)


@pytest.fixture
def hostile_report() -> Report:
    evil = manifest(
        title=HOSTILE,
        claim_generator="https://evil.example/x.js",
        signer={"common_name": HOSTILE, "issuer": ATTR},
        actions=[{"action": HOSTILE, "software_agent": "javascript:alert(1)"}],
        ingredients=[{"title": HOSTILE, "validation_failures": [HOSTILE]}],
        validation={"failed": [{"code": HOSTILE, "explanation": HOSTILE}]},
    )
    ev = Evidence.supports(
        f"x.{XSS}",
        Hypothesis.AI_GENERATED,
        0.95,
        f"summary {HOSTILE}",
        data={"generator": HOSTILE, "k": HOSTILE},
    )
    hostile = SignalResult.ok(
        "x", "1", [ev], thumbnails=[Thumbnail(HOSTILE, 1.0, 'AAAA" onerror="alert(1)', 9, 9)]
    )
    failed = SignalResult.failed("y", "1", f"ValueError: {HOSTILE}")
    return build(
        [metadata(HOSTILE), provenance(manifests=[evil]), hostile, failed],
        source_name=HOSTILE,
        media=media({HOSTILE: HOSTILE, "comment": "see https://evil.example/"}, {"handler_name": HOSTILE}),
        annotations={"note": HOSTILE},
    )


# Golden shape -------------------------------------------------------------------------------------

# Maps whose keys belong to a signal, a setting or a hypothesis rather than to the report schema.
OPEN_MAPS = {
    "settings",
    "timings",
    "annotations",
    "signal_versions",
    "media.tags",
    "media.streams[].tags",
    "verdict.scores",
    "verdict.extras",
    "results[].metrics",
    "results[].evidence[].data",
}


def shape(value: Any, path: str = "") -> Any:
    """Keys and types of a JSON value: objects as {"object": {...}}, arrays as {"array": item}."""
    if isinstance(value, dict):
        if path in OPEN_MAPS:
            return "object"
        return {"object": {k: shape(v, f"{path}.{k}" if path else k) for k, v in value.items()}}
    if isinstance(value, list):
        item: Any = "unknown"
        for v in value:
            item = merge(item, shape(v, path + "[]"))
        return {"array": item}
    names = {type(None): "null", bool: "boolean", int: "integer", float: "number", str: "string"}
    return names[type(value)]


def merge(a: Any, b: Any) -> Any:
    if a == "unknown" or a == b:
        return b
    if b == "unknown":
        return a
    if isinstance(a, str) and isinstance(b, str):
        return "|".join(sorted(set(a.split("|")) | set(b.split("|"))))
    if isinstance(a, str) or isinstance(b, str):
        node, other = (b, a) if isinstance(a, str) else (a, b)
        assert other == "null", f"cannot merge {a!r} with {b!r}"
        return {**node, "nullable": True}
    assert a.keys() - {"nullable"} == b.keys() - {"nullable"}, f"object vs array: {a!r} {b!r}"
    out: dict[str, Any] = {"nullable": True} if a.get("nullable") or b.get("nullable") else {}
    if "array" in a:
        return {"array": merge(a["array"], b["array"]), **out}
    keys = list(a["object"]) + [k for k in b["object"] if k not in a["object"]]
    return {
        "object": {k: merge(a["object"].get(k, "absent"), b["object"].get(k, "absent")) for k in keys},
        **out,
    }


def report_shape(*reports: Report) -> Any:
    merged: Any = "unknown"
    for r in reports:
        merged = merge(merged, shape(json.loads(render(r, "json"))))
    return merged


def test_json_shape_matches_golden(ai_report: Report, plain_report: Report) -> None:
    got = report_shape(ai_report, plain_report)
    if os.environ.get("VIDSLEUTH_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(got, indent=2) + "\n", encoding="utf-8")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert got == want, (
        "the JSON report shape changed. Removing a key or changing its type needs a major schema version "
        "bump; adding one a minor bump. Update docs/report-schema.md, then regenerate the golden file "
        "with VIDSLEUTH_UPDATE_GOLDEN=1 pytest tests/test_report.py"
    )


def test_golden_detects_a_vanished_or_retyped_key(ai_report: Report, plain_report: Report) -> None:
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    d = ai_report.to_dict()
    del d["verdict"]["confidence"]
    assert merge(shape(d), shape(plain_report.to_dict())) != want
    d = ai_report.to_dict()
    d["source"]["size_bytes"] = str(d["source"]["size_bytes"])
    assert merge(shape(d), shape(plain_report.to_dict())) != want


def test_schema_doc_names_every_key() -> None:
    doc = SCHEMA_DOC.read_text(encoding="utf-8")
    keys: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.get("object", {}).items():
                keys.add(k)
                walk(v)
            walk(node.get("array"))

    walk(json.loads(GOLDEN.read_text(encoding="utf-8")))
    missing = sorted(k for k in keys if f"`{k}`" not in doc)
    assert not missing, f"docs/report-schema.md does not describe: {missing}"


# JSON round trip and loading ----------------------------------------------------------------------


def test_json_round_trips(tmp_path: Path, ai_report: Report, hostile_report: Report) -> None:
    for report in (ai_report, hostile_report):
        path = write_report(report, tmp_path / "r.json")
        text = path.read_text(encoding="utf-8")
        assert text.endswith("}\n")
        assert load_report(path).to_dict() == report.to_dict()
        assert render(load_report(path), "json") == text


def test_load_reads_newer_minor_and_refuses_newer_major(tmp_path: Path, plain_report: Report) -> None:
    d = plain_report.to_dict()
    d["schema_version"], d["field_from_the_future"] = "1.9", {"x": 1}
    (tmp_path / "minor.json").write_text(json.dumps(d), encoding="utf-8")
    assert load_report(tmp_path / "minor.json").verdict == plain_report.verdict
    d["schema_version"] = "2.0"
    (tmp_path / "major.json").write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(ReportError, match=r"'2\.0'.*upgrade vidsleuth"):
        load_report(tmp_path / "major.json")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a vidsleuth report"),
        ('{"schema_version": "1.0"}', "damaged or incomplete"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_load_rejects_bad_files(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ReportError, match=message) as info:
        load_report(path)
    assert "\n" not in str(info.value)


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="cannot read report"):
        load_report(tmp_path / "nope.json")


# Atomic writes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"), [("r.json", "json"), ("r.html", "html"), ("r.htm", "html"), ("r.md", "md")]
)
def test_write_picks_format_from_suffix(tmp_path: Path, ai_report: Report, name: str, fmt: str) -> None:
    path = write_report(ai_report, tmp_path / name)
    assert path.read_text(encoding="utf-8") == render(ai_report, fmt)
    assert os.listdir(tmp_path) == [name]
    assert write_report(ai_report, tmp_path / "x.txt", fmt="md").read_text(encoding="utf-8") == render(
        ai_report, "md"
    )


def test_write_refuses_unknown_format(tmp_path: Path, ai_report: Report) -> None:
    with pytest.raises(ReportError, match=r"\.json, \.html or \.md"):
        write_report(ai_report, tmp_path / "r.pdf")
    with pytest.raises(ReportError, match="expected one of"):
        render(ai_report, "pdf")
    assert FORMATS == ("json", "html", "md")
    assert os.listdir(tmp_path) == []


def test_write_into_missing_folder_fails_cleanly(tmp_path: Path, ai_report: Report) -> None:
    with pytest.raises(ReportError, match="cannot write the html report") as info:
        write_report(ai_report, tmp_path / "missing" / "r.html")
    assert "\n" not in str(info.value)
    assert os.listdir(tmp_path) == []


def test_write_onto_a_folder_fails_cleanly(tmp_path: Path, ai_report: Report) -> None:
    (tmp_path / "r.json").mkdir()
    with pytest.raises(ReportError):
        write_report(ai_report, tmp_path / "r.json")
    assert os.listdir(tmp_path) == ["r.json"]


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_failed_write_keeps_old_file_and_leaves_no_temp(
    tmp_path: Path, ai_report: Report, plain_report: Report, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    target = write_report(plain_report, tmp_path / "r.json")
    before = target.read_bytes()

    def boom(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(f"vidsleuth.report.os.{step}", boom)
    with pytest.raises(ReportError, match="No space left on device"):
        write_report(ai_report, target)
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["r.json"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores folder permissions")
def test_write_into_read_only_folder(tmp_path: Path, ai_report: Report) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ReportError, match="writable"):
            write_report(ai_report, folder / "r.md")
        assert os.listdir(folder) == []
    finally:
        folder.chmod(0o755)


# HTML ---------------------------------------------------------------------------------------------


class Page(HTMLParser):
    """Collects every start tag and its attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def attr(self, name: str) -> list[str]:
        return [a[name] for _, a in self.tags if name in a]


def assert_self_contained(html: str) -> None:
    page = Page(html)
    assert not [
        t for t, _ in page.tags if t in ("script", "link", "iframe", "object", "embed", "base", "form")
    ]
    for _, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler attribute {name}={value!r}"
            if name != "href":  # links are navigation, checked below; nothing else may point outside
                assert not re.match(r"\s*(?:[a-z]+:)?//", value, re.I), f"external reference {name}={value!r}"
    assert all(v.startswith("data:image/jpeg;base64,") for v in page.attr("src"))
    for _, attrs in page.tags:
        href = attrs.get("href")
        if href is None or href.startswith("#"):
            continue
        # Navigation links only (never loaded): reverse-search engines, http(s) sources of banked
        # items, and keyframe downloads from the page's own data.
        if href.startswith("data:image/jpeg;base64,"):
            assert "download" in attrs
        else:
            assert re.match(r"https?://", href), href
            assert "noopener" in attrs.get("rel", ""), href
    assert "@import" not in html
    assert "url(" not in html
    assert not re.search(r"<script\b", html, re.I)


def test_html_is_self_contained_and_complete(ai_report: Report) -> None:
    html = render(ai_report, "html")
    assert_self_contained(html)
    page = Page(html)
    assert "tone-alert" in html and "AI-generated — Sora (OpenAI)" in html
    assert ai_report.source.sha256 in html and ai_report.settings_digest in html
    assert "vidsleuth check FILE" in html and "0.1.0" in html
    # the failed and skipped signals say why
    assert "Could not run: RuntimeError: OCR engine crashed on frame 120" in html
    assert "needs the faces extra" in html
    # each reason links to the evidence row it cites
    ids = set(page.attr("id"))
    links = [h[1:] for h in page.attr("href") if h.startswith("#")]
    assert "ev-c2pa.ai_generated_assertion" in links
    assert set(links) <= ids
    # C2PA panel: signer, trust, bindings, source type and checks listed apart
    for text in (
        "OpenAI Media Signer",
        "trusted",
        "intact",
        "trainedAlgorithmicMedia",
        "claimSignature.validated",
    ):
        assert text in html
    assert "Failed checks" in html and "signingCredential.ocsp.skipped" in html
    # shot timeline: one bar per shot, a cut line per cut, the score plot; 4 keyframes + 1 crop
    assert len([1 for t, a in page.tags if t == "rect" and a.get("class", "").startswith("shot-")]) == 4
    assert len([1 for t, a in page.tags if t == "line" and a.get("class") == "cut"]) == 3
    assert "polyline" in html and "threshold 27" in html
    assert len(page.attr("src")) == 5
    assert "corner crop" in html and "crop at 1200, 660, 80 × 60 px" in html


def test_html_without_manifest_says_absence_proves_nothing(plain_report: Report) -> None:
    html = render(plain_report, "html")
    assert NO_MANIFEST in html
    assert "tone-neutral" in html and 'id="shots"' not in html
    assert_self_contained(html)


def test_html_escapes_attacker_controlled_text(hostile_report: Report) -> None:
    html = render(hostile_report, "html")
    assert_self_contained(html)
    assert XSS not in html and ATTR not in html and "<img src=x" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 10
    assert "https://evil.example/x.js" in html  # shown, as text only
    assert "onerror=&#34;alert" not in html  # the bad thumbnail data was never used
    assert "image not shown" in html


# The report frame: the small defects of issue #10 stay fixed ----------------------------------------


def section_of(html: str, anchor: str) -> str:
    assert html.count(f'<section id="{anchor}"') == 1, f"expected one {anchor} section"
    return html.split(f'<section id="{anchor}"', 1)[1].split("</section>", 1)[0]


def signal_row(html: str, signal: str) -> str:
    rows = section_of(html, "signals").split("<tr>")
    return next(r for r in rows if f"<td>{signal}</td>" in r)


def test_container_is_named_in_words_not_as_ffmpegs_demuxer_list(ai_report: Report) -> None:
    demuxers = "mov,mp4,m4a,3gp,3g2,mj2"
    identity = section_of(render(ai_report, "html"), "identity")
    assert f"<dt>Container</dt><dd>MP4 (ISO base media file) [{demuxers}]</dd>" in identity
    assert f"Container: MP4 (ISO base media file) \\[{demuxers}\\]" in render(ai_report, "md")
    quicktime = build([], media=media({"major_brand": "qt  "}))
    assert f"<dd>QuickTime (MOV) [{demuxers}]</dd>" in section_of(render(quicktime, "html"), "identity")
    webm = build([], media=replace(media(), container="matroska,webm"))
    assert "<dd>Matroska / WebM [matroska,webm]</dd>" in section_of(render(webm, "html"), "identity")
    odd = build([], media=replace(media(), container=HOSTILE))  # unknown: shown as it is, escaped
    assert "<dd>&lt;script&gt;" in section_of(render(odd, "html"), "identity")


def test_metadata_is_shown_once(ai_report: Report) -> None:
    """The metadata signal's section shows the probed facts; the frame shows them only without it."""
    frame_note = "the metadata signal did not run"
    for report, has_panel in ((ai_report, True), (build([shots()]), False)):
        html = render(report, "html")
        meta = section_of(html, "metadata")
        nav = html.split("<nav", 1)[1].split("</nav>", 1)[0]
        assert nav.count('href="#metadata"') == 1
        assert (frame_note in meta) is not has_panel
        assert meta.count("MP4 (ISO base media file) [mov,mp4,m4a,3gp,3g2,mj2]") == 1
        assert meta.count("Stream 0") == 1


def test_evidence_codes_wrap_only_after_dots_and_underscores(hostile_report: Report) -> None:
    report = build([provenance(), shots()])
    html = render(report, "html")
    row = html.split('id="ev-c2pa.ai_generated_assertion"', 1)[1].split("</tr>", 1)[0]
    assert "<code>c2pa.<wbr>ai_<wbr>generated_<wbr>assertion</code>" in row
    assert "<code>shots.<wbr>generator_<wbr>length_<wbr>clips</code>" in html
    for page in (html, render(hostile_report, "html")):
        assert "<wbr>" in page
        assert not re.search(r"[^._]<wbr>", page), "a code breaks inside a word"
    hostile = render(hostile_report, "html")
    assert "<code>x.<wbr>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in hostile  # escaped, then broken


def test_score_rows_say_what_they_score(ai_report: Report) -> None:
    assert "ai_generated_against" in ai_report.verdict.scores
    scores = section_of(render(ai_report, "html"), "identity").split("<h3>Scores</h3>", 1)[1]
    assert "AI-generated: findings against (capture claims, long continuous shots)" in scores
    assert "AI-generated: findings for" in scores
    assert "ai generated against" not in scores and "ai_generated" not in scores
    verdict = replace(ai_report.verdict, scores={"new_question_x": 0.5, "bad": math.nan})
    other = section_of(render(replace(ai_report, verdict=verdict), "html"), "identity")
    assert "<td>new question x</td>" in other and "<td>bad</td>" not in other  # no number, no row


def test_signals_show_their_own_cpu_time_and_the_shared_decode_apart() -> None:
    timed = build([metadata(), shots()], timings={"open_s": 0.42, "decode_s": 2.5, "fuse_s": 0.001})
    html = render(timed, "html")
    signals = section_of(html, "signals")
    assert "<th>CPU time</th>" in signals and "<th>Time</th>" not in signals
    assert '<td class="num">1.10 s</td>' in signal_row(html, "shots")  # its own CPU, not 1.25 s of wall
    assert '<td class="num">—</td>' in signal_row(html, "metadata")  # not measured
    assert "opened in 0.4 s and decoded once for every signal in 2.5 s" in signals
    untimed = section_of(render(build([shots()]), "html"), "signals")
    assert "opened in — and decoded once for every signal in —" in untimed
    record = json.loads(render(timed, "json"))
    assert record["timings"] == {"open_s": 0.42, "decode_s": 2.5, "fuse_s": 0.001}
    assert [r["cpu_s"] for r in record["results"]] == [None, 1.1]
    assert Report.from_dict(record).results[1].cpu_s == 1.1


# Markdown -----------------------------------------------------------------------------------------


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def assert_tables_keep_their_columns(md: str) -> None:
    """Every row of every table has as many cells as its header: no text added a column or a row."""
    tables: list[list[str]] = []
    previous = ""
    for line in md.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
        previous = line
    assert tables
    for rows in tables:
        assert {unescaped_pipes(r) for r in rows} == {unescaped_pipes(rows[0])}, rows
        assert re.fullmatch(r"\|(---\|)+", rows[1]), rows[:2]


def test_markdown_content(ai_report: Report) -> None:
    md = render(ai_report, "md")
    assert md.startswith("# vidsleuth: AI-generated — Sora (OpenAI)\n")
    assert "**Confidence:** high" in md and "`c2pa.ai_generated_assertion`" in md
    assert ai_report.source.sha256 in md and "OpenAI Media Signer" in md and "**trusted**" in md
    assert "signingCredential.ocsp.skipped" in md and "**failed**" in md and "OCR engine crashed" in md
    assert "The HTML report shows 5 images" in md
    assert "with vidsleuth 0.1.0 (report schema 1.2" in md
    assert "![" not in md and "<img" not in md
    assert_tables_keep_their_columns(md)


def test_markdown_without_manifest(plain_report: Report) -> None:
    md = render(plain_report, "md")
    assert NO_MANIFEST in md and "## Shots" not in md


def test_markdown_neutralises_injection(hostile_report: Report) -> None:
    md = render(hostile_report, "md")
    assert "<script" not in md and "<img" not in md and "&lt;script&gt;" in md
    assert "](" not in md.replace("\\](", "") and "https://" not in md and "javascript:" not in md
    assert_tables_keep_their_columns(md)


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("1. not a list", "1\\. not a list"),
        ("# not a heading", "\\# not a heading"),
        ("- not a bullet", "\\- not a bullet"),
        ("version 0.1.0", "version 0.1.0"),
        ("![x](https://e.example/a.png)", "!\\[x\\](https\\://e.example/a.png)"),
        ("see www.evil.example now", "see www\\.evil.example now"),
        ("*bold* _it_ `code` ~x~ &amp;", "\\*bold\\* \\_it\\_ \\`code\\` \\~x\\~ \\&amp;"),
    ],
)
def test_markdown_text_escaping(raw: str, safe: str) -> None:
    assert md_text(raw) == safe


def test_markdown_table_cells_fold_newlines_and_escape_pipes() -> None:
    ev = Evidence.supports("x.split", Hypothesis.EDITED, 0.5, "left | right\n| injected | row |\n# heading")
    md = render(build([SignalResult.ok("x", "1", [ev])]), "md")
    row = next(line for line in md.splitlines() if line.startswith("| `x.split`"))
    assert "left \\| right \\| injected \\| row \\| # heading |" in row
    assert unescaped_pipes(row) == 6
    assert "\n| injected" not in md and "\n# heading" not in md


# Graceful panels ----------------------------------------------------------------------------------

ODD_SHOTS: list[Any] = [
    {},
    {"shots": "nope"},
    {"shots": [None, 3, {"start_s": "0", "end_s": 1}, {"start_s": 5, "end_s": 2}]},
    {"shots": [{"start_s": 0, "end_s": 2}], "cuts_s": [None, "x", 1e12], "fades": [1, {"start_s": 1}]},
    {
        "shots": [{"start_s": 0, "end_s": 2}],
        "score_series": {"time_s": [0, "x"], "score": 1},
        "threshold": "x",
    },
    {"shots": [{"start_s": 0.0, "end_s": 0.0}], "score_series": {"time_s": [0, 0], "score": [math.nan, 1]}},
]
ODD_C2PA: list[Any] = [
    {"manifest_present": True},
    {"manifest_present": True, "manifests": "x"},
    {
        "manifest_present": True,
        "manifests": [None, 5, {"signer": "str", "actions": [1, None], "validation": []}],
    },
    {"manifest_present": "yes", "manifests": [{"label": 3, "claim_generator_info": [{"odd": True}, [1]]}]},
]


@pytest.mark.parametrize("odd", range(max(len(ODD_SHOTS), len(ODD_C2PA))))
def test_odd_metric_shapes_render(odd: int, caplog: pytest.LogCaptureFixture) -> None:
    results = [
        shots(metrics=ODD_SHOTS[odd % len(ODD_SHOTS)]),
        SignalResult.ok("provenance", "1", metrics=ODD_C2PA[odd % len(ODD_C2PA)]),
        SignalResult.ok(
            "metadata", "1", metrics={"table": [None, {"field": 1}, {"field": "f", "value": {"a": [1]}}]}
        ),
    ]
    report = build(results, media=MediaInfo("mp4", None, None, {}, ()))
    for fmt in FORMATS:
        assert render(report, fmt)
    assert_self_contained(render(report, "html"))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], (
        "a reader let an odd shape through"
    )


def test_report_read_back_with_odd_types_renders(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A JSON file edited by hand or by another tool may hold any type where a number belongs."""
    d = build([shots(), provenance()]).to_dict()
    d["media"]["bit_rate"] = "lots"
    d["media"]["streams"][0].update(width="wide", rotation="sideways", frame_rate="fast", bit_rate=[1])
    d["verdict"]["reasons"][0]["evidence"] = [7, None]
    (tmp_path / "odd.json").write_text(json.dumps(d), encoding="utf-8")
    report = load_report(tmp_path / "odd.json")
    for fmt in FORMATS:
        assert render(report, fmt)
    stream = report.media.streams[0]
    assert (stream.frame_rate, stream.width, stream.rotation) == (None, None, 0)  # junk numbers are dropped
    assert report.media.bit_rate is None
    assert report.verdict.reasons[0].evidence_codes == ("7",)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    d["verdict"]["scores"]["ai_generated"] = "high"  # cannot even be written back out: refused on load
    (tmp_path / "odd.json").write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(ReportError, match="damaged"):
        load_report(tmp_path / "odd.json")


def test_repeated_evidence_codes_get_distinct_anchors() -> None:
    ev = [Evidence.supports("x.dup", Hypothesis.EDITED, 0.5, f"finding {i}") for i in range(3)]
    page = Page(render(build([SignalResult.ok("x", "1", ev)]), "html"))
    ids = page.attr("id")
    assert len(ids) == len(set(ids))
    assert {"ev-x.dup", "ev-x.dup-2", "ev-x.dup-3"} <= set(ids)
    assert {h[1:] for h in page.attr("href") if h.startswith("#")} <= set(ids)


def test_absent_or_failed_signals_skip_their_panels() -> None:
    report = build(
        [SignalResult.failed("shots", "1", "boom"), SignalResult.skipped("provenance", "1", "off")]
    )
    html = render(report, "html")
    assert 'id="shots"' not in html and 'id="c2pa"' not in html
    assert "Could not run: boom" in html and "Did not run: off" in html


def test_analyst_review_is_shown_beside_the_automatic_verdict() -> None:
    base = build([shots(), provenance()])
    review = {
        "analyst_verdict": {"label": "misattributed", "headline": "Real footage, <b>false</b> context",
                            "confidence": "high", "rationale": "Age contradicts", "signed_by": "R. Analyst",
                            "signed_at": "2026-11-01T10:02:11Z"},
        "checklist": [{"item": "age_plausibility", "title": "Age plausibility", "answer": "contradicts",
                       "detail": "23-year-old conscript", "signed_by": "C. Checker"},
                      {"item": "place", "title": "Claimed place"}],
        "notes": [{"author": "E. N.", "text": "source account deleted"}, "junk", {"text": ""}],
    }  # fmt: skip
    report = Report.from_dict({**base.to_dict(), "annotations": review})
    html = render(report, "html")
    assert 'id="review"' in html
    assert html.index('id="verdict"') < html.index('id="review"')  # beside, after the automatic one
    assert base.verdict.headline in html
    assert "Real footage, &lt;b&gt;false&lt;/b&gt; context" in html
    assert "23-year-old conscript" in html
    section = html.split('id="review"', 1)[1].split("</section>", 1)[0]
    assert "Claimed place" not in section  # unanswered items are left out
    md = render(report, "md")
    assert "## Analyst review" in md
    assert "C. Checker" in md
    assert "source account deleted" in md
    assert "review" not in render(base, "html").split("<nav", 1)[1].split("</nav>", 1)[0].lower()


@pytest.mark.parametrize("when", [math.nan, math.inf])
def test_thumbnail_with_an_unknown_time_renders(when: float) -> None:
    """A report read back from JSON may hold a NaN time; every format still renders, the time shown as —."""
    odd = SignalResult.ok("x", "1", thumbnails=[Thumbnail("odd frame", when, tiny_jpeg(90), 32, 18)])
    report = build([metadata(), odd])
    page = render(report, "html")
    assert "odd frame" in page and "nan s" not in page and "inf s" not in page
    render(report, "md")
