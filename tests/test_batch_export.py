"""Batch export: one record per input name in CSV, JSON Lines and Parquet, with the facts read out of each
report (handle, signer, bank matches, per-signal status, timings), written as the rows arrive, safe to open
in a spreadsheet, and tolerant of odd or hostile metrics."""

from __future__ import annotations

import csv
import importlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import batch_factory as bf
from vidsleuth.batch.columns import columns, record_of
from vidsleuth.batch.export import PARQUET_BATCH, csv_cell, export_rows
from vidsleuth.batch.fields import bank_matches_of, handle_of, signer_of
from vidsleuth.batch.rows import BatchRow, RowStatus
from vidsleuth.core import SignalResult
from vidsleuth.core.shape import to_json
from vidsleuth.errors import ConfigError, ReportError, SignalUnavailableError
from vidsleuth.signals.fingerprint.metrics import AlignedSegment, BankInfo, TimeRange, VideoMatch

SIGNALS = ("metadata", "provenance", "watermark", "fingerprint")


def fingerprint_with_match() -> SignalResult:
    match = VideoMatch(
        item_id=7,
        kind="video",
        label="Flood fake, debunked",
        rule="segment",
        strength=0.9,
        best_distance=12,
        query_match_pct=64.0,
        segments=(AlignedSegment(query=TimeRange(3.0, 7.5), item=TimeRange(0.0, 4.5), frames=20),),
    )
    metrics = {
        "bank": to_json(BankInfo("bank.sqlite", 3, 10, 900)),
        "matches": [to_json(match)],
        "hashes": [],
    }
    return SignalResult.ok("fingerprint", "1.0", metrics=metrics).with_elapsed(0.5, 0.45)


def full_row(name: str = "sora_clip.mp4", position: int = 0) -> BatchRow:
    failed = SignalResult.failed("metadata", "1.0", "RuntimeError: exiftool crashed")
    results = [failed, bf.provenance(), bf.watermark(runner_up="@AndrewDefeee"), fingerprint_with_match()]
    rep = bf.report(results, name, creation_time="2025-03-01T10:00:00.000000Z")
    return bf.row(name, position, rep)


def failed_row(name: str = "missing.mp4", position: int = 1) -> BatchRow:
    return bf.row(name, position, None, status=RowStatus.FAILED, error="missing.mp4: no such file")


def test_a_done_row_carries_every_fact_of_its_report() -> None:
    rec = record_of(full_row(), SIGNALS)
    assert set(rec) == {c.name for c in columns(SIGNALS)}
    assert rec["verdict"] == "ai_generated" and rec["confidence"] == "high"
    assert rec["attribution"] == "Sora (OpenAI)" and rec["summary"]
    assert (rec["handle"], rec["handle_mark"], rec["handle_confidence"], rec["handle_reads"]) == (
        "@AndrewDefee",
        "sora",
        0.97,
        12,
    )
    assert (rec["handle_runner_up"], rec["handle_runner_up_reads"]) == ("@AndrewDefeee", 1)
    assert (rec["c2pa_signer"], rec["c2pa_issuer"], rec["c2pa_trust"], rec["c2pa_claim_generator"]) == (
        "OpenAI Media Signer",
        "OpenAI",
        "trusted",
        "Sora/1.0",
    )
    assert (rec["bank_matches"], rec["bank_best_item_id"], rec["bank_best_label"]) == (
        1,
        7,
        "Flood fake, debunked",
    )
    assert (rec["bank_best_rule"], rec["bank_best_distance"]) == ("segment", 12)
    assert rec["metadata_status"] == "failed" and rec["metadata_error"] == "RuntimeError: exiftool crashed"
    assert rec["watermark_status"] == "ok" and rec["watermark_cpu_s"] == 0.7
    assert rec["fingerprint_cpu_s"] == 0.45 and rec["elapsed_s"] == 2.5 and rec["decode_s"] == 1.9
    assert rec["creation_time"] == "2025-03-01T10:00:00+00:00"
    assert rec["other_signals"] is None
    # a signal outside the chosen columns is still named
    assert record_of(full_row(), ("watermark",))["other_signals"] == (
        "metadata=failed; provenance=ok; fingerprint=ok"
    )


def test_a_failed_row_has_its_error_and_nothing_else() -> None:
    rec = record_of(failed_row(), SIGNALS)
    assert rec["status"] == "failed" and rec["error"] == "missing.mp4: no such file"
    assert rec["verdict"] is None and rec["sha256"] is None and rec["bank_matches"] is None


def test_handle_reading_is_tolerant_of_old_new_and_hostile_metrics() -> None:
    legacy = bf.report([bf.watermark(legacy=True)])
    reading = handle_of(legacy)
    assert reading is not None and reading.handle == "@AndrewDefee" and reading.support == 12
    newer = bf.watermark()
    detections = [{**newer.metrics["detections"][0], "handle_votes": {"x": 1}, "new_field": [1, 2]}]
    grown = SignalResult.ok("watermark", "2.0", newer.evidence, {**newer.metrics, "detections": detections})
    got = handle_of(bf.report([grown]))
    assert got is not None and got.handle == "@AndrewDefee"
    for bad in ({"detections": "x"}, {"detections": [{"handle": 5}]}, {"detections": [None, 3]}, {}):
        assert handle_of(bf.report([SignalResult.ok("watermark", "1", metrics=bad)])) is None
    odd = SignalResult.ok(
        "watermark", "1", metrics={"detections": [{"handle": "@x", "handle_confidence": "hi"}]}
    )
    got = handle_of(bf.report([odd]))
    assert got is not None and got.confidence is None
    assert handle_of(bf.report([SignalResult.failed("watermark", "1", "boom")])) is None
    hostile_prov = SignalResult.ok("provenance", "1", metrics={"manifest_present": True, "manifests": "nope"})
    assert signer_of(bf.report([hostile_prov])) is None
    hostile_fp = SignalResult.ok("fingerprint", "1", metrics={"matches": [{"item_id": "x"}, 5]})
    assert bank_matches_of(bf.report([hostile_fp])) == ()


def test_csv_has_a_header_and_one_line_per_input(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    assert export_rows([full_row(), failed_row()], out, "csv", signals=SIGNALS) == 2
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["name"] for r in table] == ["sora_clip.mp4", "missing.mp4"]
    assert table[0]["handle"] == "'@AndrewDefee"  # a cell starting with @ is text, not a formula
    assert table[0]["worth_checking"] == "false" and table[0]["bank_matches"] == "1"
    assert table[1]["status"] == "failed" and table[1]["verdict"] == ""


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "' =1"),
        ("a\nb\r\nc", "a b  c"),
        ("nul\x00bell\x07", "nul\ufffdbell\ufffd"),
        ("bad\udcff.mp4", "bad\ufffd.mp4"),
        ("plain.mp4", "plain.mp4"),
        (-2, -2),
        (1.5, 1.5),
        (None, ""),
    ],
)
def test_csv_cells_are_safe_in_a_spreadsheet(
    value: str | int | float | None, cell: str | int | float
) -> None:
    assert csv_cell(value) == cell


def test_hostile_names_stay_one_line_and_valid_utf8_in_csv(tmp_path: Path) -> None:
    names = ["=cmd|' /C calc'!A0", "two\nlines.mp4", "nul\x00.mp4", "bad\udcff.mp4", '"quoted",x.mp4']
    rows = [failed_row(n, i) for i, n in enumerate(names)]
    out = tmp_path / "hostile.csv"
    export_rows(rows, out, "csv", signals=())
    text = out.read_bytes().decode("utf-8")  # valid UTF-8, or this raises
    assert len(text.splitlines()) == len(names) + 1
    got = [r["name"] for r in csv.DictReader(io.StringIO(text))]
    assert got == ["'=cmd|' /C calc'!A0", "two lines.mp4", "nul\ufffd.mp4", "bad\ufffd.mp4", '"quoted",x.mp4']


def test_jsonl_keeps_text_exact_and_is_one_object_per_line(tmp_path: Path) -> None:
    rows = [full_row("two\nlines=1.mp4"), failed_row("bad\udcff.mp4")]
    out = tmp_path / "r.jsonl"
    assert export_rows(rows, out, "jsonl", signals=SIGNALS) == 2
    lines = out.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert records[0]["name"] == "two\nlines=1.mp4" and records[0]["handle"] == "@AndrewDefee"
    assert records[1]["name"] == "bad\ufffd.mp4" and records[1]["error"] == "missing.mp4: no such file"
    assert list(records[0]) == [c.name for c in columns(SIGNALS)]


def test_parquet_round_trips_with_typed_columns_in_record_batches(tmp_path: Path) -> None:
    pq = importlib.import_module("pyarrow.parquet")
    n = 2 * PARQUET_BATCH + 500
    rows = (full_row(f"v{i}.mp4", i) if i % 3 else failed_row(f"f{i}.mp4", i) for i in range(n))
    out = tmp_path / "r.parquet"
    assert export_rows(rows, out, "parquet", signals=SIGNALS) == n
    meta = pq.ParquetFile(out).metadata
    assert meta.num_rows == n and meta.num_row_groups == 3
    table = pq.read_table(out)
    assert str(table.schema.field("position").type) == "int64"
    assert str(table.schema.field("handle_confidence").type) == "double"
    assert str(table.schema.field("worth_checking").type) == "bool"
    data = table.slice(0, 3).to_pylist()
    assert data[0]["status"] == "failed" and data[1]["handle"] == "@AndrewDefee"
    assert data[1]["watermark_cpu_s"] == 0.7 and data[1]["bank_best_item_id"] == 7


def test_an_empty_batch_still_writes_a_header_or_schema(tmp_path: Path) -> None:
    pq = importlib.import_module("pyarrow.parquet")
    export_rows([], tmp_path / "e.parquet", "parquet", signals=SIGNALS)
    assert pq.read_table(tmp_path / "e.parquet").num_rows == 0
    export_rows([], tmp_path / "e.csv", "csv", signals=SIGNALS)
    assert (tmp_path / "e.csv").read_text().startswith("name,position,status,")


def test_export_streams_rows_as_they_arrive() -> None:
    """Each CSV/JSONL record is in the stream before the next row is even produced; Parquet flushes a
    record batch every PARQUET_BATCH rows."""
    for fmt in ("csv", "jsonl"):
        sink = io.StringIO()
        seen: list[int] = []

        def rows(sink: io.StringIO = sink, seen: list[int] = seen) -> Iterator[BatchRow]:
            for i in range(5):
                seen.append(sink.getvalue().count("\n"))
                yield failed_row(f"{i}.mp4", i)

        export_rows(rows(), sink, fmt, signals=())
        header = 1 if fmt == "csv" else 0
        assert seen == [header + i for i in range(5)]
    binary = io.BytesIO()
    sizes: list[int] = []

    def many() -> Iterator[BatchRow]:
        for i in range(2 * PARQUET_BATCH + 1):
            if i % PARQUET_BATCH == 0:
                sizes.append(binary.tell())
            yield failed_row(f"{i}.mp4", i)

    export_rows(many(), binary, "parquet", signals=())
    assert sizes[0] < sizes[1] < sizes[2]  # batches reached the sink while rows were still coming


def test_text_formats_write_to_a_binary_stream_and_parquet_refuses_a_text_one() -> None:
    binary = io.BytesIO()
    export_rows([failed_row()], binary, "jsonl", signals=())
    assert json.loads(binary.getvalue().decode())["name"] == "missing.mp4"
    assert not binary.closed
    with pytest.raises(ConfigError, match="binary"):
        export_rows([failed_row()], io.StringIO(), "parquet", signals=())


def test_bad_format_missing_pyarrow_and_unwritable_path_fail_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="unknown export format 'xlsx'"):
        export_rows([], tmp_path / "x.xlsx", "xlsx")
    with pytest.raises(ReportError, match="cannot write the export"):
        export_rows([failed_row()], tmp_path / "no" / "such" / "dir.csv", "csv", signals=())
    real = importlib.import_module

    def no_pyarrow(name: str, package: str | None = None) -> Any:
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", no_pyarrow)
    with pytest.raises(SignalUnavailableError, match=r"vidsleuth\[parquet\]"):
        export_rows([failed_row()], tmp_path / "x.parquet", "parquet", signals=())
    assert not (tmp_path / "x.parquet").exists()


def test_a_failure_midway_keeps_the_previous_export(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    export_rows([failed_row()], out, "csv", signals=())
    before = out.read_bytes()

    def broken() -> Iterator[BatchRow]:
        yield failed_row("a.mp4", 0)
        raise RuntimeError("store went away")

    with pytest.raises(RuntimeError, match="store went away"):
        export_rows(broken(), out, "csv", signals=())
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]  # no temporary file left
