"""The columns of a batch's results table and one row's values: what export and the HTML index show.

Entry points: `columns(signals) -> tuple[Column, ...]` (names and types, fixed before the first row so that
CSV headers and the Parquet schema can be written up front), `record_of(row, signals) -> dict` (one row's
values, None where a value is unknown or does not apply) and `default_signals()` (the installed signals,
in report order). The facts come from `batch.fields`; the column list is documented in
docs/batch-results.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from vidsleuth.batch.fields import bank_matches_of, creation_time_of, handle_of, signer_of
from vidsleuth.batch.rows import BatchRow

Value = str | int | float | bool | None
Kind = Literal["str", "int", "float", "bool"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind


BASE_COLUMNS: tuple[Column, ...] = (
    Column("name", "str"),
    Column("position", "int"),
    Column("status", "str"),
    Column("error", "str"),
    Column("attempts", "int"),
    Column("sha256", "str"),
    Column("report_path", "str"),
    Column("verdict", "str"),
    Column("confidence", "str"),
    Column("worth_checking", "bool"),
    Column("attribution", "str"),
    Column("summary", "str"),
    Column("handle", "str"),
    Column("handle_mark", "str"),
    Column("handle_confidence", "float"),
    Column("handle_reads", "int"),
    Column("handle_runner_up", "str"),
    Column("handle_runner_up_reads", "int"),
    Column("c2pa_signer", "str"),
    Column("c2pa_issuer", "str"),
    Column("c2pa_trust", "str"),
    Column("c2pa_claim_generator", "str"),
    Column("bank_matches", "int"),
    Column("bank_best_item_id", "int"),
    Column("bank_best_label", "str"),
    Column("bank_best_rule", "str"),
    Column("bank_best_distance", "int"),
    Column("creation_time", "str"),
    Column("duration_s", "float"),
    Column("analysed_at", "str"),
    Column("tool_version", "str"),
    Column("elapsed_s", "float"),
    Column("open_s", "float"),
    Column("decode_s", "float"),
    Column("fuse_s", "float"),
)
OTHER_SIGNALS = Column("other_signals", "str")  # "name=status" of signals outside the chosen list


def default_signals() -> tuple[str, ...]:
    """The installed signals (built-in and plugins), in the order reports list them."""
    from vidsleuth.registry import shared_registry

    return tuple(shared_registry().names())


def columns(signals: Sequence[str]) -> tuple[Column, ...]:
    return _columns(tuple(signals))


@lru_cache(maxsize=16)
def _columns(signals: tuple[str, ...]) -> tuple[Column, ...]:
    per_signal = tuple(
        col
        for s in signals
        for col in (Column(f"{s}_status", "str"), Column(f"{s}_error", "str"), Column(f"{s}_cpu_s", "float"))
    )
    return (*BASE_COLUMNS, *per_signal, OTHER_SIGNALS)


def _finite(value: float | None, digits: int = 3) -> float | None:
    return round(value, digits) if value is not None and math.isfinite(value) else None


def record_of(row: BatchRow, signals: Sequence[str]) -> dict[str, Value]:
    """One row's values for `columns(signals)`: every column present, None where unknown."""
    rec: dict[str, Value] = {c.name: None for c in columns(signals)}
    rec.update(
        name=row.name,
        position=row.position,
        status=row.status.value,
        error=row.error,
        attempts=row.attempts,
        sha256=row.key.sha256 if row.key is not None else None,
        report_path=row.report_path,
        elapsed_s=_finite(row.elapsed_s),
    )
    report = row.report
    if report is None:
        return rec
    v = report.verdict
    rec.update(
        sha256=rec["sha256"] or report.source.sha256,
        verdict=v.label.value,
        confidence=v.confidence.value,
        worth_checking=v.worth_checking,
        attribution=v.attribution,
        summary=v.summary,
        duration_s=_finite(report.media.duration_s),
        analysed_at=report.created_at,
        tool_version=report.tool_version,
        elapsed_s=rec["elapsed_s"] if rec["elapsed_s"] is not None else _finite(report.elapsed_s),
        open_s=_finite(report.timings.get("open_s")),
        decode_s=_finite(report.timings.get("decode_s")),
        fuse_s=_finite(report.timings.get("fuse_s")),
    )
    created = creation_time_of(report)
    rec["creation_time"] = created.isoformat() if created else None
    handle = handle_of(report)
    if handle is not None:
        rec.update(
            handle=handle.handle,
            handle_mark=handle.mark or None,
            handle_confidence=_finite(handle.confidence),
            handle_reads=handle.support,
            handle_runner_up=handle.runner_up,
            handle_runner_up_reads=handle.runner_up_support,
        )
    signer = signer_of(report)
    if signer is not None:
        rec.update(
            c2pa_signer=signer.signer,
            c2pa_issuer=signer.issuer,
            c2pa_trust=signer.trust,
            c2pa_claim_generator=signer.claim_generator,
        )
    matches = bank_matches_of(report)
    fp = report.result("fingerprint")
    if matches:
        best = matches[0]
        rec.update(
            bank_matches=len(matches),
            bank_best_item_id=best.item_id,
            bank_best_label=best.label,
            bank_best_rule=best.rule,
            bank_best_distance=best.best_distance,
        )
    elif fp is not None and fp.metrics.get("bank") is not None:
        rec["bank_matches"] = 0  # a bank was searched and nothing matched (None: no bank searched)
    chosen = set(signals)
    others = []
    for r in report.results:
        if r.signal in chosen:
            rec[f"{r.signal}_status"] = r.status.value
            rec[f"{r.signal}_error"] = r.error
            rec[f"{r.signal}_cpu_s"] = _finite(r.cpu_s)
        else:
            others.append(f"{r.signal}={r.status.value}")
    rec["other_signals"] = "; ".join(others) or None
    return rec
