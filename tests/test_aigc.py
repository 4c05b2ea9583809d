"""China's AIGC implicit labels (GB 45438-2025): `vidsleuth.signals.metadata.aigc`, on files made here.

Fixtures are written with PyAV, which is what `ffmpeg -i in.mp4 -c copy -movflags use_metadata_tags
-metadata AIGC='{"AIGC":{...}}' out.mp4` does for MP4; Matroska tags, FLV onMetaData, an AVI INFO chunk
(FFmpeg's AVI muxer drops unknown keys, so the chunk is spliced in), XMP packets in the TC260 namespace
(an ISO BMFF `uuid` box, a QuickTime `XMP_` box, a PNG iTXt chunk) and hostile values (deep nesting, a
10 MB value, invalid UTF-8, duplicate keys, control characters) are made the same way.
"""

from __future__ import annotations

import json
import struct
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from vidsleuth.core.evidence import Evidence, Stance
from vidsleuth.media import open_media
from vidsleuth.signals.metadata.aigc import (
    AigcLabel,
    aigc_evidence,
    aigc_records,
    interpret,
    parse_code,
    producers,
    uscc_valid,
)
from vidsleuth.signals.metadata.aigc_scan import read_labels, scan_bytes
from vidsleuth.signals.metadata.formats import tag_sets

JIMENG = "00119144030008867405X210001"
DOUBAO_PROPAGATOR = "001191110102MACQD9K64020001"
FIELDS = {
    "Label": "1",
    "ContentProducer": JIMENG,
    "ProduceID": "vidsleuth-test-0001",
    "ReservedCode1": "",
    "ContentPropagator": JIMENG,
    "PropagateID": "vidsleuth-test-0001",
    "ReservedCode2": "",
}
CANONICAL = json.dumps({"AIGC": FIELDS}, separators=(",", ":"))
MDTA = {"movflags": "use_metadata_tags"}
XMP_NS = "http://www.tc260.org.cn/ns/AIGC/1.0/"
XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")


# ---------------------------------------------------------------------------------------------- fixtures
def encode(path: Path, fmt: str | None = None, *, meta: dict[str, str] | None = None,
           stream_meta: dict[str, str] | None = None, options: dict[str, str] | None = None,
           codec: str = "mpeg4") -> Path:  # fmt: skip
    with av.open(str(path), "w", format=fmt, options=options or {}) as c:
        s = c.add_stream(codec, rate=Fraction(8, 1))
        assert isinstance(s, av.VideoStream)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        for k, v in (meta or {}).items():
            c.metadata[k] = v
        for k, v in (stream_meta or {}).items():
            s.metadata[k] = v
        for i in range(4):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 40, np.uint8), format="rgb24")
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def xmp_packet(fields: dict[str, str], *, attrs: bool = True) -> bytes:
    if attrs:
        body = " ".join(f'TC260:{k}="{v}"' for k, v in fields.items())
        desc = f'<rdf:Description rdf:about="" xmlns:TC260="{XMP_NS}" {body}/>'
    else:  # one AIGC property holding the JSON, as some writers do
        desc = (
            f'<rdf:Description rdf:about="" xmlns:TC260="{XMP_NS}">'
            f"<TC260:AIGC>{json.dumps(fields).replace('&', '&amp;')}</TC260:AIGC></rdf:Description>"
        )
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">{desc}</rdf:RDF></x:xmpmeta>'
        '<?xpacket end="w"?>'
    ).encode()


def append(path: Path, data: bytes) -> Path:
    with path.open("ab") as fh:
        fh.write(data)
    return path


def avi_add_info(path: Path, key: bytes, value: bytes) -> Path:
    """Splice a RIFF INFO sub-chunk into the AVI's LIST/INFO and fix the LIST and RIFF sizes (idx1 offsets
    are relative to 'movi', so they stay valid)."""
    b = bytearray(path.read_bytes())
    i = b.find(b"INFO") - 8
    assert b[i : i + 4] == b"LIST"
    sub = key + struct.pack("<I", len(value)) + value + (b"\0" if len(value) % 2 else b"")
    size = struct.unpack_from("<I", b, i + 4)[0]
    b[i + 8 + size : i + 8 + size] = sub
    struct.pack_into("<I", b, i + 4, size + len(sub))
    struct.pack_into("<I", b, 4, struct.unpack_from("<I", b, 4)[0] + len(sub))
    path.write_bytes(bytes(b))
    return path


def labelled(fields: dict[str, Any] | None = None, **over: Any) -> str:
    return json.dumps({"AIGC": {**FIELDS, **(fields or {}), **over}})


def labels_of(path: Path) -> tuple[AigcLabel, ...]:
    media = open_media(path, max_pixels=10**8).media
    return read_labels(tag_sets(media), str(path))


def evidence_of(path: Path) -> dict[str, Evidence]:
    return {e.code: e for e in aigc_evidence(labels_of(path))}


Maker = Callable[[Path], Path]


def _mdta(name: str, key: str = "AIGC") -> Maker:
    return lambda d: encode(d / name, meta={key: CANONICAL}, options=MDTA)


def _xmp(name: str, wrap: Callable[[bytes], bytes], attrs: bool = True) -> Maker:
    return lambda d: append(encode(d / name), wrap(xmp_packet(FIELDS, attrs=attrs)))


def _avi(d: Path) -> Path:
    return avi_add_info(encode(d / "a.avi", "avi"), b"AIGC", CANONICAL.encode() + b"\0")


def _uuid(packet: bytes) -> bytes:
    return box(b"uuid", XMP_UUID + packet)


def _udta(packet: bytes) -> bytes:
    return box(b"udta", box(b"XMP_", packet))


XMP_WHERE = "an XMP packet (TC260 namespace)"
PLACEMENTS: dict[str, tuple[Maker, str]] = {
    "mp4 mdta": (_mdta("a.mp4"), "the container tag 'AIGC'"),
    "mov mdta": (_mdta("a.mov"), "the container tag 'AIGC'"),
    "mp4 lower-case key": (_mdta("a.mp4", "aigc"), "the container tag 'aigc'"),
    "mkv global": (lambda d: encode(d / "a.mkv", "matroska", meta={"AIGC": CANONICAL}), "the container tag"),
    "mkv track": (
        lambda d: encode(d / "a.mkv", "matroska", stream_meta={"AIGC": CANONICAL}),
        "the stream 0 tag",
    ),
    "avi info": (_avi, "the container tag 'AIGC'"),
    "flv onMetaData": (
        lambda d: encode(d / "a.flv", "flv", meta={"AIGC": CANONICAL}, codec="flv"),
        "the container",
    ),
    "xmp uuid attributes": (_xmp("a.mp4", _uuid), XMP_WHERE),
    "xmp uuid json": (_xmp("a.mp4", _uuid, attrs=False), XMP_WHERE),
    "xmp quicktime udta": (_xmp("a.mov", _udta), XMP_WHERE),
    "comment tag": (lambda d: encode(d / "a.mp4", meta={"comment": CANONICAL}), "JSON in the file's bytes"),
}


# ---------------------------------------------------------------------------------------------- placements
@pytest.mark.parametrize("placement", PLACEMENTS)
def test_a_label_is_read_wherever_ffmpeg_or_xmp_puts_it(placement: str, tmp_path: Path) -> None:
    make, where = PLACEMENTS[placement]
    path = make(tmp_path)
    labels = labels_of(path)
    assert len(labels) == 1, labels  # a tag and the same JSON in the bytes are one label
    ev = evidence_of(path)["metadata.aigc_label"]
    assert where in ev.data["where"] and ev.stance is Stance.SUPPORTS and ev.strength == 0.85
    assert (
        ev.data["generator"] == "ByteDance Jimeng / Dreamina (即梦)" and ev.data["attribution_grade"] is True
    )
    assert ev.data["fields"]["ProduceID"] == "vidsleuth-test-0001"
    assert "labels itself AI-generated (GB 45438-2025 implicit label, Label 1)" in ev.summary
    assert "ByteDance Jimeng / Dreamina (即梦) (code 00119144030008867405X210001)" in ev.summary


def test_a_png_with_tc260_xmp_is_read(tmp_path: Path) -> None:
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp_packet(FIELDS).decode())
    path = tmp_path / "a.png"
    Image.new("RGB", (64, 48), (90, 120, 200)).save(path, pnginfo=info)
    (label,) = read_labels([], str(path))
    assert label.status == "ok" and label.label == "1" and "XMP" in label.where


def test_without_movflags_ffmpeg_drops_the_key(tmp_path: Path) -> None:
    assert labels_of(encode(tmp_path / "a.mp4", meta={"AIGC": CANONICAL})) == ()
    assert aigc_evidence(labels_of(encode(tmp_path / "b.mp4", options=MDTA))) == []


# ---------------------------------------------------------------------------------------------- fields
@pytest.mark.parametrize(("value", "strength"), [("2", 0.5), ("3", 0.4)])
def test_labels_2_and_3_are_weaker_and_never_attribution(value: str, strength: float, tmp_path: Path) -> None:
    ev = evidence_of(encode(tmp_path / "a.mp4", meta={"AIGC": labelled(Label=value)}, options=MDTA))
    label = ev["metadata.aigc_label"]
    assert (
        label.strength == strength and "generator" not in label.data and not label.data["attribution_grade"]
    )
    assert f"Label {value}" in label.summary


def test_the_standard_nested_shape_is_not_misread() -> None:
    """The old reader looked at the top level only: {"AIGC":{"Label":"2"}} became a Label 1 finding."""
    (ev,) = aigc_evidence([interpret('{"AIGC":{"Label":"2","ContentProducer":"X"}}', "a tag")])
    assert ev.strength == 0.5 and ev.data["label"] == "2" and ev.data["producer"] == "X"


def test_flat_objects_and_variant_spellings_are_read_with_a_note() -> None:
    flat = interpret(json.dumps({**FIELDS, "ReserveCode1": "sig"}), "a tag")
    assert flat.status == "ok" and flat.label == "1"
    assert any("flat object" in p for p in flat.problems)
    assert any("'ReserveCode1' read as 'ReservedCode1'" in p for p in flat.problems)
    (ev,) = aigc_evidence([flat])
    assert "Its form departs from Annex E" in ev.summary


def test_propagator_means_passed_through(tmp_path: Path) -> None:
    path = encode(
        tmp_path / "a.mp4", meta={"AIGC": labelled(ContentPropagator=DOUBAO_PROPAGATOR)}, options=MDTA
    )
    ev = evidence_of(path)
    through = ev["metadata.aigc_propagated"]
    assert through.stance is Stance.INFORMATIONAL
    assert "passed through ByteDance Doubao (豆包) (code 001191110102MACQD9K64020001)" in through.summary
    assert ev["metadata.aigc_label"].data["generator"] == "ByteDance Jimeng / Dreamina (即梦)"
    same = evidence_of(encode(tmp_path / "b.mp4", meta={"AIGC": CANONICAL}, options=MDTA))
    assert "metadata.aigc_propagated" not in same  # on first write the propagator is the producer


def test_unknown_claimed_and_named_producers() -> None:
    unknown = interpret(labelled(ContentProducer="001191330000777777777710001"), "t")
    (ev, _) = aigc_evidence([unknown])
    assert ev.strength == 0.85 and "generator" not in ev.data and ev.data["uscc_valid"] is False
    assert "code 001191330000777777777710001, not in vidsleuth's table; USCC 913300007777777777" in ev.summary
    assert "check character INVALID" in ev.summary
    claimed = interpret(labelled(ContentProducer="001191330106MA2CFLDG4R10001", ContentPropagator=""), "t")
    (ev,) = aigc_evidence([claimed])
    assert (
        "may be Alibaba Wan (通义万相) (a single unverified claim)" in ev.summary
        and "generator" not in ev.data
    )
    named = interpret(labelled(ContentProducer="MiniMax", ContentPropagator="MiniMax"), "t")
    (ev,) = aigc_evidence([named])
    assert ev.data["generator"] == "MiniMax Hailuo (海螺)"


def test_producer_codes_and_the_table() -> None:
    code = parse_code(JIMENG)
    assert code.uscc == "9144030008867405X2" and code.uscc_valid and code.service == "generation"
    assert parse_code(DOUBAO_PROPAGATOR).service == "propagation"
    table = producers()
    assert len(table) >= 13 and all(p.sources for p in table.values())
    assert {p.evidence for p in table.values()} <= {"observed", "vendor documentation", "claimed"}
    assert all(uscc_valid(k) for k in table if k != "MiniMax")  # every tabled USCC passes GB 32100-2015
    assert not uscc_valid("913300007777777777")


# ---------------------------------------------------------------------------------------------- hostile
HOSTILE: dict[str, str] = {
    "truncated JSON": CANONICAL[:-7],
    "not JSON": "Label=1;ContentProducer=ABC",
    "JSON array": "[1,2,3]",
    "100 000 nested arrays": "[" * 100_000 + "]" * 100_000,
    "4 000 nested arrays": "[" * 4000 + "]" * 4000,
    "5 000 nested objects": '{"AIGC":' * 5000 + "{}" + "}" * 5000,
    "duplicate Label": '{"AIGC":{"Label":"3","Label":"1","ContentProducer":"x"}}',
    "wrong types": json.dumps({"AIGC": {"Label": 1, "ContentProducer": {"a": 1}, "ProduceID": None}}),
    "Label 0": labelled(Label="0"),
    "Label x": labelled(Label="x"),
    "10 MB value": labelled(ProduceID="A" * 10_000_000),
    "hello": "hello",
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_values_give_a_malformed_finding_never_a_crash(case: str) -> None:
    label = interpret(HOSTILE[case], "a tag")
    assert label.status in ("malformed", "oversized")
    (ev,) = aigc_evidence([label])
    assert ev.code == "metadata.aigc_label_malformed" and ev.stance is Stance.INFORMATIONAL
    assert "A malformed AIGC label in a tag" in ev.summary and len(ev.summary) < 1000


@pytest.mark.parametrize("case", ["100 000 nested arrays", "10 MB value", "5 000 nested objects"])
def test_hostile_values_in_a_real_file(case: str, tmp_path: Path) -> None:
    started = time.monotonic()
    ev = evidence_of(encode(tmp_path / "a.mp4", meta={"AIGC": HOSTILE[case]}, options=MDTA))
    assert set(ev) == {"metadata.aigc_label_malformed"} and time.monotonic() - started < 5


def test_invalid_utf8_and_control_characters(tmp_path: Path) -> None:
    path = encode(tmp_path / "a.mp4", meta={"AIGC": labelled(ProduceID="ZZZZ")}, options=MDTA)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"ZZZZ", b"\xff\xfe\xc3\x28", 1))
    (label,) = labels_of(path)
    assert label.status == "ok" and "contains invalid UTF-8 (replaced by U+FFFD)" in label.problems
    nasty = interpret(labelled(ProduceID="\x1b[31mRED\x1b[0m\nline2\u202e"), "t")
    (ev,) = aigc_evidence([nasty])
    shown = ev.data["fields"]["ProduceID"]
    assert "\x1b" not in shown and "\u202e" not in shown and "\n" not in shown
    assert any("outside Annex E" in p for p in nasty.problems)


def test_a_long_value_the_probe_cuts_is_read_whole_from_the_bytes(tmp_path: Path) -> None:
    path = encode(tmp_path / "a.mp4", meta={"AIGC": labelled(ReservedCode1="S" * 6000)}, options=MDTA)
    (label,) = labels_of(path)
    assert label.status == "ok" and label.where == "the container tag 'AIGC'"


def test_the_byte_scan_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "junk.bin"
    path.write_bytes(b'{"Label":' * 1_000_000)  # 9 MB of openings that never close
    started = time.monotonic()
    assert scan_bytes(str(path)) == []
    many = tmp_path / "many.bin"
    many.write_bytes(b"x".join([CANONICAL.replace("0001", f"{i:04d}").encode() for i in range(100)]))
    assert len(scan_bytes(str(many))) == 16
    assert time.monotonic() - started < 10


def test_records_are_json_safe() -> None:
    labels = [interpret(CANONICAL, "t"), interpret("[", "u")]
    (ok, bad) = aigc_records(labels)
    assert ok.producer_platform == "ByteDance Jimeng / Dreamina (即梦)" and ok.status == "ok"
    assert bad.status == "malformed" and bad.sentence.startswith("A malformed AIGC label in u")
    json.dumps([r.__class__.__name__ for r in (ok, bad)])


@pytest.mark.corpus
def test_no_corpus_file_carries_a_label(corpus_dir: Path) -> None:
    found = {}
    for path in sorted(corpus_dir.rglob("*")):
        if path.suffix.lower() in (".mp4", ".mov", ".mkv", ".webm", ".avi", ".gif", ".png", ".jpg"):
            labels = read_labels([], str(path))
            if labels:
                found[path.name] = [x.sentence() for x in labels]
    assert found == {}
