"""Signal `metadata`: generator formats, crops, labels, tags and stream facts, on made and real files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests import media_factory as mf
from tests.conftest import corpus_labels, corpus_path
from vidsleuth.core import Report, Settings, SignalResult, Stance, Status
from vidsleuth.core.media import MediaInfo, StreamInfo
from vidsleuth.core.signal import DecodeStats
from vidsleuth.pipeline import analyze
from vidsleuth.registry import SignalRegistry
from vidsleuth.report import render
from vidsleuth.signals.metadata import MetadataSignal
from vidsleuth.signals.metadata.metrics import MetadataMetrics
from vidsleuth.signals.metadata.panel import CHECK_TITLE, metadata_view

REGISTRY = SignalRegistry([MetadataSignal])


def run(path: Path) -> Report:
    return analyze(path, registry=REGISTRY)


def codes(report: Report) -> dict[str, float]:
    result = report.result("metadata")
    assert result is not None
    assert result.status is Status.OK, result.error
    return {e.code: e.strength for e in result.evidence}


def test_generator_size_and_rate_match_is_a_hint(tmp_path: Path) -> None:
    # 480x872 at 30 fps is the Sora app's feed encode: an uncommon size for a camera.
    path = mf.write_video(tmp_path / "feed.mp4", [mf.Scene(1.0, 3)], fps=30, size=(480, 872))
    report = run(path)
    found = codes(report)
    assert 0.3 <= found["metadata.generator_output_format"] <= 0.6
    ev = next(e for e in report.evidence if e.code == "metadata.generator_output_format")
    assert any("Sora" in c["generator"] for c in ev.data["candidates"])
    assert "generator" not in ev.data  # a format fits a generator; it does not name one (#12)
    assert report.verdict.label.value == "inconclusive"  # a hint alone never says "AI"
    assert report.verdict.attribution is None


def test_common_camera_size_alone_says_nothing(tmp_path: Path) -> None:
    path = mf.write_video(tmp_path / "cam.mp4", [mf.Scene(1.5, 3)], fps=25, size=(640, 360))
    found = codes(run(path))
    assert "metadata.generator_output_format" not in found
    assert "metadata.cropped_generator_size" not in found


def test_crop_of_a_generator_size_is_flagged(tmp_path: Path) -> None:
    # 480x800: the Sora feed's 480x872 with 72 rows cut from one side.
    path = mf.write_video(tmp_path / "crop.mp4", [mf.Scene(0.5, 3)], fps=30, size=(480, 800))
    report = run(path)
    assert codes(report)["metadata.cropped_generator_size"] <= 0.3
    [ev] = [
        e for e in report.evidence if e.code == "metadata.cropped_generator_size"
    ]  # one, not one per size
    assert ev.data["generator_size"] in ([480, 872], [872, 480])
    assert ev.data["candidates"][0]["generator_size"] == ev.data["generator_size"]
    assert all(c["generator"] in ev.summary for c in ev.data["candidates"])


def test_aigc_label_is_strong_evidence(tmp_path: Path) -> None:
    label = '{"Label":"1","ContentProducer":"TestCo","ProduceID":"42"}'
    path = mf.write_video(tmp_path / "aigc.mkv", [mf.Scene(0.5, 1)], metadata={"AIGC": label})
    report = run(path)
    assert codes(report)["metadata.aigc_label"] >= 0.8
    assert report.verdict.label.value == "likely_ai_generated"
    # A producer code vidsleuth's table does not know is reported verbatim, never named as the generator.
    assert report.verdict.attribution is None and "TestCo" in report.evidence[0].summary
    result = report.result("metadata")
    assert result is not None
    [record] = result.metrics_as(MetadataMetrics).aigc
    assert record.label == "1" and record.producer == "TestCo" and "TestCo" in record.sentence
    view = metadata_view(report, result)  # the panel shows the label's sentence
    assert view is not None
    [checked] = [g for g in view.groups if g.title == CHECK_TITLE]
    assert [r.value for r in checked.rows if r.field == "AIGC label"] == [record.sentence]


def test_aigc_label_of_a_known_producer_names_it_as_self_declared(tmp_path: Path) -> None:
    # Jimeng's provider code (data/aigc_producers.toml, observed on files): attribution grade.
    label = '{"AIGC":{"Label":"1","ContentProducer":"00119144030008867405X210001","ProduceID":"42"}}'
    path = mf.write_video(tmp_path / "jimeng.mkv", [mf.Scene(0.5, 1)], metadata={"AIGC": label})
    report = run(path)
    [ev] = [e for e in report.evidence if e.code == "metadata.aigc_label"]
    assert ev.strength == 0.85 and ev.data["attribution_grade"] is True
    v = report.verdict
    assert v.label.value == "likely_ai_generated" and v.attribution == ev.data["generator"]
    assert v.extras["attribution_basis"] == "self-declared producer label"
    assert (
        v.headline.endswith(", self-declared producer label") and "self-declared producer label" in v.summary
    )


def test_malformed_aigc_label_is_informational(tmp_path: Path) -> None:
    path = mf.write_video(tmp_path / "bad.mkv", [mf.Scene(0.5, 1)], metadata={"AIGC": '{"Label": "1", '})
    report = run(path)
    [ev] = [e for e in report.evidence if e.code.startswith("metadata.aigc")]
    assert ev.code == "metadata.aigc_label_malformed" and ev.strength == 0
    assert report.verdict.label.value == "no_indicators"


def test_xmp_digital_source_type_is_read(tmp_path: Path) -> None:
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
        'Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/'
        'compositeWithTrainedAlgorithmicMedia"/></rdf:RDF></x:xmpmeta>'
    )
    path = mf.write_video(tmp_path / "xmp.mkv", [mf.Scene(0.5, 1)], metadata={"XMP": xmp})
    report = run(path)
    ev = next(e for e in report.evidence if e.code == "metadata.xmp_ai_source_type")
    assert ev.data["scope"] == "partial"
    assert report.verdict.label.value == "partly_ai_generated"


def test_grok_signature_comment(tmp_path: Path) -> None:
    path = mf.write_video(
        tmp_path / "grok.mkv", [mf.Scene(0.5, 1)], metadata={"comment": "Signature: " + "Ab9+/" * 12}
    )
    report = run(path)
    ev = next(e for e in report.evidence if e.code == "metadata.generator_tag.grok_signature")
    assert ev.data["generator"] == "Grok Imagine (xAI)"
    assert ev.strength <= 0.6


def test_stream_facts(tmp_path: Path) -> None:
    vfr = codes(run(mf.variable_frame_rate(tmp_path / "vfr.mp4")))
    assert "metadata.variable_frame_rate" in vfr
    assert "metadata.no_audio" in vfr
    rot = codes(run(mf.write_video(tmp_path / "rot.mp4", [mf.Scene(0.5, 1)], rotation=90, audio=True)))
    assert "metadata.rotation" in rot
    assert "metadata.no_audio" not in rot
    assert "metadata.reencode" in rot  # our factory writes with FFmpeg's libavformat


def test_truncated_file_reports_missing_frames(tmp_path: Path) -> None:
    # Move the moov atom to the front so a truncated copy is still openable but short of data.
    full = mf.write_video(tmp_path / "full.mp4", [mf.Scene(4.0, 1)], faststart=True)
    cut = mf.truncate(full, tmp_path / "cut.mp4", 0.5)
    found = codes(run(cut))
    assert "metadata.missing_frames" in found or "metadata.decode_problems" in found


def test_a_decode_stopped_by_the_duration_limit_is_a_caveat_not_damage(tmp_path: Path) -> None:
    path = mf.write_video(tmp_path / "long.mp4", [mf.Scene(3.0, 1)])
    report = analyze(path, Settings(max_duration_s=1.0), registry=REGISTRY)
    found = codes(report)
    assert "metadata.decode_stopped" in found
    assert "metadata.decode_problems" not in found and "metadata.missing_frames" not in found
    [stopped] = [e for e in report.evidence if e.code == "metadata.decode_stopped"]
    assert "stopped at 1 s" in stopped.summary and "not a sign that the file is damaged" in stopped.summary
    assert stopped.summary in report.verdict.caveats
    # the length compared with the catalogue is the file's, not the part decoded
    summary = next(e for e in report.evidence if e.code == "metadata.summary")
    assert "3.00 s" in summary.summary


def test_a_picture_size_change_mid_stream_is_reported() -> None:
    video = StreamInfo(0, "video", "h264", width=640, height=360, frame_rate=25.0, frame_count=100)
    media = MediaInfo("mov,mp4", 4.0, None, {}, (video,))
    decode = DecodeStats(
        frames_decoded=100,
        last_time_s=3.96,
        frame_interval_median_s=0.04,
        frame_size=(640, 360),
        size_changes=((2.0, 1280, 720), (3.0, 640, 360)),
    )
    result = MetadataSignal()._decode_facts(100, decode)
    [ev] = [e for e in result if e.code == "metadata.size_changes"]
    assert ev.stance is Stance.INFORMATIONAL
    assert "from 640x360 to 1280x720 at 2.00 s, 640x360 at 3.00 s" in ev.summary
    assert ev.data["changes"] == [[2.0, 1280, 720], [3.0, 640, 360]]
    assert not [
        e for e in MetadataSignal()._stream_facts(media, replace(decode, size_changes=())) if "size" in e.code
    ]


def test_metadata_table_and_summary(tmp_path: Path) -> None:
    report = run(mf.write_video(tmp_path / "t.mp4", [mf.Scene(0.5, 1)], metadata={"title": "<b>x</b>"}))
    result = report.result("metadata")
    assert result is not None
    fields = {row["field"]: row["value"] for row in result.metrics["table"]}
    assert fields["frame size"] == "160x96"
    assert fields["container: title"] == "<b>x</b>"  # kept verbatim here; reports escape it
    summary = next(e for e in result.evidence if e.code == "metadata.summary")
    assert summary.stance is Stance.INFORMATIONAL
    assert "160x96" in summary.summary
    typed = result.metrics_as(MetadataMetrics)
    assert typed.to_json() == result.metrics  # the typed metrics read back whole
    assert [r.field for r in typed.table][:2] == ["container", "duration"]


def section(html: str, name: str) -> str:
    return html.split(f'<section id="{name}">', 1)[1].split("</section>", 1)[0]


def test_report_shows_the_metadata_once_with_the_checks_notes(tmp_path: Path) -> None:
    """Issue #10: the report showed the probed facts and the check's copy of them, twice over."""
    path = mf.write_video(
        tmp_path / "m.mp4",
        [mf.Scene(0.5, 1)],
        metadata={"title": "<b>x</b>", "comment": "see https://x.example/"},
    )
    report = run(path)
    html = render(report, "html")
    assert html.count('<section id="metadata">') == 1 and html.count('href="#metadata"') == 1
    meta = section(html, "metadata")
    assert "the metadata signal did not run" not in meta
    titles = [t.split("</h3>")[0] for t in meta.split("<h3>")[1:]]
    assert titles == ["Container", "Stream 0 — video", CHECK_TITLE]
    for group in meta.split("<h3>")[1:]:
        fields = [c.split("</td>")[0] for c in group.split("<tr><td>")[1:]]
        assert len(fields) == len(set(fields)), fields  # no field twice in a group
    container = meta.split("<h3>")[1]
    assert "MP4 (ISO base media file) [mov,mp4,m4a,3gp,3g2,mj2]" in container  # the format, in words
    assert "&lt;b&gt;x&lt;/b&gt;" in container and "<b>x</b>" not in meta
    # a tag the check recognised carries its note beside it, not in a second copy of the table
    [encoder] = [row for row in container.split("<tr>") if "tag: encoder" in row]
    assert "Lavf" in encoder and "<th>Note</th>" in container
    result = report.result("metadata")
    assert result is not None
    note = next(r["note"] for r in result.metrics["table"] if r["field"] == "container: encoder")
    assert note and note in encoder
    check = meta.split("<h3>")[3]
    assert "frames decoded" in check and "keyframes" in check
    for repeated in ("container: ", "stream 0: ", "video codec", "frame size", "pixel format"):
        assert repeated not in check
    assert 'href="https://x.example' not in html  # a tag is text, never a link


def test_without_the_metadata_signal_the_frame_shows_the_probed_facts(tmp_path: Path) -> None:
    path = mf.write_video(tmp_path / "m.mp4", [mf.Scene(0.5, 1)])
    report = run(path)
    failed = SignalResult.failed("metadata", "1.0.1", "boom")
    assert metadata_view(report, failed) is None
    html = render(replace(report, results=(failed,)), "html")
    meta = section(html, "metadata")
    assert "the metadata signal did not run" in meta and "tag: encoder" in meta


def test_odd_metadata_metrics_keep_what_can_be_read() -> None:
    from tests.test_report import HOSTILE, XSS, build

    table = [
        None,
        {"field": 1},
        {"field": "f", "value": {"a": [1]}},
        {"field": "encoder", "value": HOSTILE, "note": HOSTILE},  # a row of an older report
        {"field": "container: encoder", "value": "Lavf", "note": "FFmpeg's muxer"},
    ]
    result = SignalResult.ok(
        "metadata", "1", metrics={"table": table, "xmp_packets": "many", "aigc_labels": [HOSTILE, 3]}
    )
    report = build([result])
    view = metadata_view(report, result)
    assert view is not None
    [check] = [g for g in view.groups if g.title == CHECK_TITLE]
    assert [(r.field, r.value) for r in check.rows] == [
        ("f", ""),
        ("encoder", HOSTILE),
        ("AIGC label", HOSTILE),
    ]
    [encoder] = [r for r in view.groups[0].rows if r.field == "tag: encoder"]
    assert encoder.note == "FFmpeg's muxer"  # the note joined the probed tag
    html = render(report, "html")
    assert XSS not in html and "&lt;script&gt;" in section(html, "metadata")


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("relative", "generator"),
    [
        ("c2pa/veo3.1_c2pa_google_coffee.mp4", "Veo"),
        ("ai_generated/hailuo_likely_Advertising_product_1366x768.mp4", "Hailuo"),
        ("ai_generated/grok_imagine_puppet_Vizual_grokquick5.mp4", "Grok"),
        ("ai_generated/sora2_feed/remix-batch-1_remix_0035.mp4", "Sora"),
    ],
)
def test_corpus_generator_hints(relative: str, generator: str) -> None:
    report = run(corpus_path(relative))
    hints = [e for e in report.evidence if e.stance is Stance.SUPPORTS]
    named = [str(e.data.get("generator", "")) for e in hints]
    named += [str(c["generator"]) for e in hints for c in e.data.get("candidates", [])]
    assert any(generator in n for n in named), [e.summary for e in hints]
    assert all(e.strength < 0.7 for e in hints)  # metadata alone never makes it "likely AI"


@pytest.mark.corpus
def test_corpus_real_files_get_no_strong_ai_hint() -> None:
    rows = [r for r in corpus_labels() if r["label"] == "real" and r["path"].startswith("real/")]
    if not rows:
        pytest.skip("corpus labels absent")
    for row in rows:
        report = run(corpus_path(row["path"]))
        strong = [e for e in report.evidence if e.stance is Stance.SUPPORTS and e.strength >= 0.4]
        assert not strong, (row["path"], [e.summary for e in strong])
