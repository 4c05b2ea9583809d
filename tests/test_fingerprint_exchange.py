"""Hash files other tools read and write: ThreatExchange/HMA PDQ CSV, vPDQ files, HMA vPDQ JSON, JSONL.

The example rows are written here in the published layouts (no file of Meta's is copied)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from vidsleuth.fingerprint.errors import ExchangeFormatError
from vidsleuth.fingerprint.exchange import (
    ExchangeItem,
    detect_format,
    read_items,
    vpdq_json,
    with_overrides,
    write_jsonl,
    write_te_csv,
    write_vpdq,
)
from vidsleuth.fingerprint.video import FrameHash, VideoFingerprint

H1 = "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c"
H2 = "c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c"


def clip(n: int = 5, seed: int = 0) -> VideoFingerprint:
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(n):
        digest = rng.integers(0, 256, 32, dtype=np.uint8).tobytes()
        frames.append(FrameHash(digest, 100 if k != 2 else 40, k / 10, k * 3))
        if k == 1:
            frames.append(FrameHash(rng.integers(0, 256, 32, dtype=np.uint8).tobytes(), 90, k / 10, k * 3, 7))
    return VideoFingerprint(tuple(frames), "video", n / 10, 10.0)


def test_threatexchange_and_hma_pdq_csv(tmp_path: Path) -> None:
    f = tmp_path / "pdq.csv"
    f.write_text(
        f"{H1},2880742865368386,2020-07-31T18:47:52+0000,media_priority_samples media_type_photo\n"
        f"{H2},12,,\n\n# a comment\n{H1.upper()}\n"
    )
    assert detect_format(f) == "te-csv"
    items = read_items(f)
    assert [i.fingerprint.frames[0].hex for i in items] == [H1, H2, H1]
    assert items[0].label == "media_priority_samples media_type_photo"
    assert items[0].note == "ThreatExchange descriptor 2880742865368386, added 2020-07-31T18:47:52+0000"
    assert items[0].fingerprint.kind == "image" and items[0].fingerprint.frames[0].quality == 100
    assert items[1].ref == "pdq.csv:2"


def test_threatexchange_cli_formats(tmp_path: Path) -> None:
    lines = tmp_path / "signals.txt"
    lines.write_text(f"pdq {H1}\nmd5 d41d8cd98f00b204e9800998ecf8427e\npdq {H2}\n")
    assert [i.fingerprint.frames[0].hex for i in read_items(lines)] == [H1, H2]
    dataset = tmp_path / "dataset.csv"
    dataset.write_text(
        "signal_type,signal_str,collab,category,tags\n"
        f"pdq,{H1},Sample Data,POSITIVE_CLASS,fake memorial\n"
        "url_md5,abc,Sample Data,POSITIVE_CLASS,\n"
    )
    [only] = read_items(dataset)
    assert only.label == "fake memorial"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (f"{H1},1,x,y\n{H1[:-2]},2,x,y\n", r"rows\.csv:2: expected a PDQ hash of 64 hex digits"),
        (f"{H1},1,x,y\n{H2},1,2\n", r"rows\.csv:2: expected `hash,id,added_on,tags`.*3 fields"),
        (f"{H1},notanumber,x,y\n", r"rows\.csv:1: the id column must be an integer"),
        ("signal_type,signal_str\nmd5,abc\n", r"holds no PDQ hash rows"),
        # Python's csv refuses a field over 131,072 characters (issue #11: it was an internal error)
        (f'{H1},1,x,y\n{H2},1,x,"{"t" * 140_000}"\n', r"rows\.csv:2: field too long; nothing was imported"),
    ],
)
def test_malformed_csv_rows_name_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "rows.csv"
    f.write_text(content)
    with pytest.raises(ExchangeFormatError, match=message):
        read_items(f, "te-csv")


def test_vpdq_files_round_trip(tmp_path: Path) -> None:
    fp = clip()
    out = tmp_path / "out"
    [written] = write_vpdq([ExchangeItem(fp, label="a b/c", item_id=7)], out)
    assert written.name == "000007_a_b_c.txt"
    lines = written.read_text().splitlines()
    assert len(lines) == 5  # variant hashes are not exported: one line per frame, as vPDQ writes
    # Meta's loader: at least four comma-separated fields: int frame, int quality, hash, float time
    for line in lines:
        frame, quality, digest, ts = line.split(",")
        int(frame), int(quality), float(ts)
        assert re.fullmatch("[0-9a-f]{64}", digest) and re.fullmatch(r"\d+\.\d{3}", ts)
    [back] = read_items(out)  # a folder imports one item per file
    assert [f.hash for f in back.fingerprint.frames] == [f.hash for f in fp.frames if f.variant == 0]
    assert back.fingerprint.sample_fps == pytest.approx(10.0)
    assert write_vpdq([ExchangeItem(VideoFingerprint((), "image"))], tmp_path / "none") == []


def test_malformed_vpdq(tmp_path: Path) -> None:
    f = tmp_path / "v.txt"
    f.write_text(f"0,100,{H1},0.000\n1,100,{H2}\n")
    with pytest.raises(ExchangeFormatError, match=r"v\.txt:2: expected `frame,quality,hash,timestamp`"):
        read_items(f, "vpdq")
    f.write_text(f"0,100,{H1},0.000\n1,101,{H2},0.1\n")
    with pytest.raises(ExchangeFormatError, match=r"v\.txt:2: .*quality 0\.\.100"):
        read_items(f, "vpdq")


def test_hma_vpdq_json(tmp_path: Path) -> None:
    fp = clip()
    f = tmp_path / "signal.json"
    f.write_text(vpdq_json(fp))
    [item] = read_items(f)
    assert [x.hash for x in item.fingerprint.frames] == [x.hash for x in fp.frames]
    f.write_text('["not,a"]')
    with pytest.raises(ExchangeFormatError, match="entry 1"):
        read_items(f)
    f.write_text("[" * 100_000 + "]" * 100_000)  # deeper than Python's parser recurses
    with pytest.raises(ExchangeFormatError, match=r"signal\.json: not JSON \(nested too deeply\)"):
        read_items(f)
    f.write_text(json.dumps([[f"{H1},100,0.0"]]))
    with pytest.raises(ExchangeFormatError, match='entry 1: expected a "hash,quality,timestamp" string'):
        read_items(f)


def test_deeply_nested_jsonl_is_a_format_error(tmp_path: Path) -> None:
    f = tmp_path / "items.jsonl"
    f.write_text("[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ExchangeFormatError, match=r"items\.jsonl:1: not JSON \(nested too deeply\)"):
        read_items(f)


def test_jsonl_is_lossless_and_versioned(tmp_path: Path) -> None:
    fp = clip()
    buf = io.StringIO()
    write_jsonl([ExchangeItem(fp, label="L", source_url="https://example.org/v", note="n", item_id=3)], buf)
    f = tmp_path / "bank.jsonl"
    f.write_text(buf.getvalue())
    [item] = read_items(f)
    assert item.fingerprint.frames == fp.frames and item.source_url == "https://example.org/v"
    newer = json.loads(buf.getvalue())
    newer["vidsleuth_bank_item"] = 2
    f.write_text(json.dumps(newer) + "\n")
    with pytest.raises(ExchangeFormatError, match="newer than this vidsleuth reads"):
        read_items(f)
    f.write_text('{"vidsleuth_bank_item": 1, "kind": "video"}\n')
    with pytest.raises(ExchangeFormatError, match=r"bank\.jsonl:1: malformed item"):
        read_items(f)


def test_te_csv_export_is_readable_by_threatexchange(tmp_path: Path) -> None:
    fp = clip()
    buf = io.StringIO()
    rows = write_te_csv(
        [
            ExchangeItem(
                fp,
                label="Sora fake",
                item_id=4,
                frame_ids=tuple(range(100, 106)),
                added_at="2025-01-02T03:04:05+00:00",
            )
        ],
        buf,
    )
    assert rows == 5  # the quality-40 frame is left out
    parsed = list(csv.reader(io.StringIO(buf.getvalue())))
    assert parsed[0][1:] == ["100", "2025-01-02T03:04:05+0000", "vidsleuth item_4 Sora_fake"]
    descriptor = pytest.importorskip("threatexchange.exchanges.clients.fb_threatexchange.descriptor")
    signal = pytest.importorskip("threatexchange.signal_type.pdq.signal")
    for row in parsed:
        signal.PdqSignal.validate_signal_str(row[0])
        rollup = descriptor.SimpleDescriptorRollup.from_row(row[1:])
        assert "Sora_fake" in rollup.labels


def test_detection_and_overrides(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n")
    with pytest.raises(ExchangeFormatError, match="is empty"):
        detect_format(empty)
    with pytest.raises(ExchangeFormatError, match="no such file"):
        read_items(tmp_path / "missing.csv")
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ExchangeFormatError, match="not UTF-8"):
        read_items(binary, "te-csv")
    [item] = with_overrides([ExchangeItem(clip(), label="a")], label=None, source_url="https://s", note=None)
    assert (item.label, item.source_url) == ("a", "https://s")
