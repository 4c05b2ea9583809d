"""Export a batch's results as one table: CSV, JSON Lines or Parquet, one record per input name.

Entry points:

- `export_rows(rows, out, fmt, *, signals=None) -> int`: writes every `BatchRow` of `rows` (any iterable,
  read once, in its order) to `out` (a path, written atomically, or an open stream: text or binary for
  csv/jsonl, binary for parquet) and returns the number of records written.
- `columns(signals)` / `record_of(row, signals)` (in `batch.columns`): the table's columns and one
  row's record, for callers that want the values without a file.

Streaming: nothing holds more than one row's report (CSV, JSON Lines) or one record batch of
`PARQUET_BATCH` records (Parquet); a million rows export in constant memory.

Hostile text (file names, manifest fields, OCR reads are all attacker-controlled):
- every format: lone surrogates (undecodable file names) become U+FFFD, so each file is valid UTF-8;
- CSV: a cell starting with ``= + - @`` (after any blanks, tabs or line breaks) gets a leading ``'`` so that a
  spreadsheet shows it as text instead of running it as a formula (OWASP's CSV-injection advice); line
  breaks and tabs become spaces and other control characters (NUL included) U+FFFD, so every input is
  exactly one line. JSON Lines and Parquet keep the text as read (but for the surrogates).

Parquet needs pyarrow (`pip install 'vidsleuth[parquet]'`), imported only when Parquet is asked for.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any, Literal

from vidsleuth.atomic import atomic_bytes, atomic_text
from vidsleuth.batch.columns import Column, Value, columns, default_signals, record_of
from vidsleuth.batch.rows import BatchRow
from vidsleuth.errors import ConfigError, ReportError, SignalUnavailableError

Format = Literal["csv", "jsonl", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl", "parquet")
PARQUET_BATCH = 1_000  # records per Parquet record batch (one row group each)
PARQUET_EXTRA = "pip install 'vidsleuth[parquet]'"
_SURROGATE = re.compile("[\ud800-\udfff]")
_FORMULA_START = ("=", "+", "-", "@")
_CSV_SPACE = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\u2028": " ", "\u2029": " "})
_CSV_CONTROL = {c: "\ufffd" for c in [*range(0x20), 0x7F] if chr(c) not in "\n\r\t"}

Output = str | os.PathLike[str] | IO[str] | IO[bytes]


def valid_text(text: str) -> str:
    """`text` as valid UTF-8: lone surrogates (from undecodable file names) become U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def csv_cell(value: Value) -> str | int | float:
    """One CSV cell: numbers as they are, text made one line and safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = valid_text(value).translate(_CSV_CONTROL).translate(_CSV_SPACE)
    if text.lstrip().startswith(_FORMULA_START):  # " =1": some spreadsheets skip the blank
        text = "'" + text
    return text


def _records(rows: Iterable[BatchRow], signals: Sequence[str]) -> Iterator[dict[str, Value]]:
    for row in rows:
        record = record_of(row, signals)
        yield {k: valid_text(v) if isinstance(v, str) else v for k, v in record.items()}


def _write_csv(records: Iterator[dict[str, Value]], cols: Sequence[Column], fh: IO[str]) -> int:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow([c.name for c in cols])
    n = 0
    for record in records:
        writer.writerow([csv_cell(record[c.name]) for c in cols])
        n += 1
    return n


def _write_jsonl(records: Iterator[dict[str, Value]], fh: IO[str]) -> int:
    n = 0
    for record in records:
        fh.write(json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n")
        n += 1
    return n


def _pyarrow() -> tuple[Any, Any]:
    try:
        pa = importlib.import_module("pyarrow")
        pq = importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise SignalUnavailableError(f"Parquet export needs pyarrow: {PARQUET_EXTRA}") from None
    return pa, pq


def parquet_schema(cols: Sequence[Column]) -> Any:
    pa, _ = _pyarrow()
    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    return pa.schema([pa.field(c.name, types[c.kind]) for c in cols])


def _write_parquet(records: Iterator[dict[str, Value]], cols: Sequence[Column], sink: IO[bytes]) -> int:
    pa, pq = _pyarrow()
    schema = parquet_schema(cols)
    n = 0
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        chunk: list[dict[str, Value]] = []
        for record in records:
            chunk.append(record)
            if len(chunk) >= PARQUET_BATCH:
                writer.write_batch(pa.RecordBatch.from_pylist(chunk, schema=schema))
                n += len(chunk)
                chunk = []
        if chunk or n == 0:
            writer.write_batch(pa.RecordBatch.from_pylist(chunk, schema=schema))
            n += len(chunk)
    return n


def _is_binary(stream: IO[Any]) -> bool:
    return not isinstance(stream, io.TextIOBase) and "b" in getattr(stream, "mode", "b")


@contextmanager
def _text_stream(stream: IO[Any]) -> Iterator[IO[str]]:
    """A text view of `stream` (UTF-8 over a binary one, left open afterwards)."""
    if not _is_binary(stream):
        yield stream
        return
    wrapper = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    try:
        yield wrapper
        wrapper.flush()
    finally:
        wrapper.detach()


def _write(fmt: Format, records: Iterator[dict[str, Value]], cols: Sequence[Column], out: IO[Any]) -> int:
    if fmt == "parquet":
        if not _is_binary(out):
            raise ConfigError("Parquet is binary: give a file name or a binary stream, not a text one")
        return _write_parquet(records, cols, out)
    with _text_stream(out) as fh:
        return _write_csv(records, cols, fh) if fmt == "csv" else _write_jsonl(records, fh)


def export_rows(
    rows: Iterable[BatchRow], out: Output, fmt: str, *, signals: Sequence[str] | None = None
) -> int:
    """Write `rows` to `out` as `fmt` (csv | jsonl | parquet); returns the number of records.

    `signals` names the per-signal columns (`<signal>_status`, `_error`, `_cpu_s`), by default the
    installed signals in report order; any other signal a report holds is listed in ``other_signals``.
    A path is written atomically (a failed export leaves the old file, or none). Raises ConfigError for
    an unknown format, SignalUnavailableError when Parquet is asked for without pyarrow, ReportError when
    the file cannot be written."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    chosen: Format = fmt
    if chosen == "parquet":
        _pyarrow()  # fail before anything is written
    names = tuple(signals) if signals is not None else default_signals()
    cols = columns(names)
    records = _records(rows, names)
    if not isinstance(out, str | os.PathLike):
        return _write(chosen, records, cols, out)
    try:
        if chosen == "parquet":
            with atomic_bytes(out) as fb:
                return _write(chosen, records, cols, fb)
        with atomic_text(out) as ft:
            return _write(chosen, records, cols, ft)
    except ReportError:
        raise
    except OSError as exc:
        raise ReportError(f"cannot write the export {os.fspath(out)}: {exc.strerror or exc}") from None
