"""The batch's results store: the queue of record and the results, one transaction per state change.

Every change of state is one short transaction, so a run killed at any moment (SIGKILL included) leaves
the store consistent: a unit is pending, running, done or failed, never half-written, and its report
files were written atomically before the transaction that marks it done. At the next start `recover`
puts units and inputs left `running` by a dead run back to `pending`; the rerun meets them again in its
listing and runs them once more. Because a unit is keyed by (sha256, settings digest, tool version) and
an input by its name, a rerun can neither duplicate a row nor lose one.

Layout and checks: `store_schema.py`. Reading rows for export, the index and sibling discovery:
`rows()` (done rows carry their full `Report`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from vidsleuth.batch.rows import BatchRow, RowStatus, UnitKey
from vidsleuth.batch.store_schema import (
    FORMAT,
    SCHEMA,
    TABLES,
    ResultsStoreError,
    connect,
    display,
    existing_tables,
    folder_of,
    inputs_table,
    meta_table,
    metadata,
    units_table,
)
from vidsleuth.core.report import Report


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """What a run's units depend on; a store is made for one such config."""

    settings_digest: str
    tool_version: str
    settings: dict[str, Any]


@dataclass(frozen=True, slots=True)
class InputState:
    status: RowStatus
    unit_key: str | None
    size: int | None
    mtime_ns: int | None
    run_id: str | None
    error: str | None = None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def name_key(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()


class ResultsStore:
    """A batch's results (see the module docstring). Open with `open`; use as a context manager."""

    def __init__(self, engine: Engine, location: str) -> None:
        self.engine = engine
        self.location = location
        self.shown = display(location)
        self.folder: Path | None = folder_of(location)
        self.config: StoreConfig | None = None
        self._next_position = 0
        self.run_id = secrets.token_hex(8)  # marks the inputs this run has met (a name listed twice)

    # Opening --------------------------------------------------------------------------------------

    @classmethod
    def open(cls, location: str, config: StoreConfig | None = None) -> ResultsStore:
        """Open (and with `config`, create when new) the store. Raises ResultsStoreError in one line."""
        engine = connect(location, create=config is not None)
        store = cls(engine, location)
        try:
            store._check(config)
        except BaseException:
            engine.dispose()
            raise
        return store

    def _check(self, config: StoreConfig | None) -> None:
        tables = existing_tables(self.engine, self.location)
        ours = tables & TABLES
        foreign = tables - TABLES
        if not ours:
            if config is None:
                raise ResultsStoreError(f"{self.shown}: holds no batch results")
            if foreign and self.folder is not None:
                raise ResultsStoreError(
                    f"{self.shown}: its database holds other tables ({', '.join(sorted(foreign)[:3])}); "
                    "it is not a batch results store and was left untouched"
                )
            self._create(config)
        elif ours != TABLES:
            raise ResultsStoreError(
                f"{self.shown}: a damaged batch store (missing tables: {', '.join(sorted(TABLES - ours))}); "
                "it was left untouched"
            )
        meta = self._meta()
        if meta.get("format") != FORMAT:
            raise ResultsStoreError(f"{self.shown}: not a vidsleuth batch store; it was left untouched")
        if not str(meta.get("schema", "")).isdigit() or int(meta["schema"]) > SCHEMA:
            raise ResultsStoreError(
                f"{self.shown}: made by a newer vidsleuth (store schema {meta.get('schema')}); "
                "upgrade vidsleuth"
            )
        stored = StoreConfig(
            meta.get("settings_digest", ""),
            meta.get("tool_version", ""),
            json.loads(meta.get("settings", "{}")),
        )
        if config is not None and (stored.settings_digest, stored.tool_version) != (
            config.settings_digest,
            config.tool_version,
        ):
            raise ResultsStoreError(
                f"{self.shown}: these results were made with other settings or another version (settings "
                f"{stored.settings_digest}, vidsleuth {stored.tool_version}; this run: "
                f"{config.settings_digest}, {config.tool_version}); write to another --out, or rerun with "
                "the same options"
            )
        self.config = stored
        with self.engine.connect() as conn:
            top = conn.execute(select(func.max(inputs_table.c.position))).scalar()
        self._next_position = int(top) + 1 if top is not None else 0

    def _create(self, config: StoreConfig) -> None:
        values = {
            "format": FORMAT,
            "schema": str(SCHEMA),
            "settings_digest": config.settings_digest,
            "tool_version": config.tool_version,
            "settings": json.dumps(config.settings, sort_keys=True, default=str),
            "created_at": _now(),
        }
        try:
            with self.engine.begin() as conn:
                metadata.create_all(conn)
                conn.execute(insert(meta_table), [{"key": k, "value": v} for k, v in values.items()])
        except SQLAlchemyError as exc:
            raise ResultsStoreError(
                f"{self.shown}: cannot create the results tables ({_line(exc)})"
            ) from None

    def _meta(self) -> dict[str, str]:
        try:
            with self.engine.connect() as conn:
                return {str(k): str(v) for k, v in conn.execute(select(meta_table.c.key, meta_table.c.value))}
        except SQLAlchemyError as exc:
            raise ResultsStoreError(f"{self.shown}: cannot be read ({_line(exc)})") from None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Recovery -------------------------------------------------------------------------------------

    def recover(self) -> int:
        """Queue again what a dead run left running; returns how many units that was."""
        with self.engine.begin() as conn:
            n = conn.execute(
                update(units_table).where(units_table.c.status == RowStatus.RUNNING).values(status="pending")
            ).rowcount
            conn.execute(
                update(inputs_table)
                .where(inputs_table.c.status == RowStatus.RUNNING)
                .values(status="pending")
            )
        return int(n or 0)

    # Inputs ---------------------------------------------------------------------------------------

    def input_state(self, name: str) -> InputState | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    inputs_table.c.status,
                    inputs_table.c.unit_key,
                    inputs_table.c.size,
                    inputs_table.c.mtime_ns,
                    inputs_table.c.run_id,
                    inputs_table.c.error,
                ).where(inputs_table.c.name_key == name_key(name))
            ).first()
        if row is None:
            return None
        return InputState(RowStatus(row.status), row.unit_key, row.size, row.mtime_ns, row.run_id, row.error)

    def _ensure_input(self, conn: Connection, name: str, is_url: bool) -> str:
        key = name_key(name)
        if conn.execute(select(inputs_table.c.id).where(inputs_table.c.name_key == key)).first() is None:
            conn.execute(
                insert(inputs_table).values(
                    name_key=key,
                    name=name,
                    position=self._next_position,
                    is_url=int(is_url),
                    status="pending",
                    attempts=0,
                    updated_at=_now(),
                )
            )
            self._next_position += 1
        return key

    def fail_input(self, name: str, error: str, *, is_url: bool = False) -> None:
        """An input that failed before it became a unit (missing, unreadable, a folder without videos)."""
        with self.engine.begin() as conn:
            key = self._ensure_input(conn, name, is_url)
            conn.execute(
                update(inputs_table)
                .where(inputs_table.c.name_key == key)
                .values(
                    status="failed",
                    unit_key=None,
                    run_id=self.run_id,
                    error=_one_line(error),
                    attempts=inputs_table.c.attempts + 1,
                    updated_at=_now(),
                )
            )

    def start_url(self, name: str) -> None:
        """A URL input about to be fetched and analysed (its unit is known only afterwards)."""
        with self.engine.begin() as conn:
            key = self._ensure_input(conn, name, True)
            conn.execute(
                update(inputs_table)
                .where(inputs_table.c.name_key == key)
                .values(
                    status="running",
                    error=None,
                    attempts=inputs_table.c.attempts + 1,
                    run_id=self.run_id,
                    updated_at=_now(),
                )
            )

    def claim(self, name: str, unit: UnitKey, size: int | None, mtime_ns: int | None, *, retry: bool) -> str:
        """Tie a hashed input to its unit and say what to do: "run" (the unit is now running and must be
        submitted), "attached" (it is already running in this run), "done" or "failed" (nothing to do)."""
        now = _now()
        with self.engine.begin() as conn:
            key = self._ensure_input(conn, name, False)
            row = conn.execute(
                select(units_table.c.status, units_table.c.error).where(units_table.c.unit_key == unit.text)
            ).first()
            if row is None:
                conn.execute(
                    insert(units_table).values(
                        unit_key=unit.text, sha256=unit.sha256, status="running", attempts=1, updated_at=now
                    )
                )
                action = "run"
            elif row.status == RowStatus.DONE or (row.status == RowStatus.FAILED and not retry):
                action = str(row.status)
            elif row.status == RowStatus.RUNNING:
                action = "attached"
            else:  # pending (left by a dead run) or failed and retried
                conn.execute(
                    update(units_table)
                    .where(units_table.c.unit_key == unit.text)
                    .values(status="running", code=None, error=None, attempts=units_table.c.attempts + 1)
                )
                action = "run"
            status = {"run": "running", "attached": "running"}.get(action, action)
            conn.execute(
                update(inputs_table)
                .where(inputs_table.c.name_key == key)
                .values(
                    unit_key=unit.text,
                    status=status,
                    error=row.error if action == "failed" and row is not None else None,
                    size=size,
                    mtime_ns=mtime_ns,
                    run_id=self.run_id,
                    attempts=inputs_table.c.attempts + (1 if action in ("run", "attached") else 0),
                    updated_at=now,
                )
            )
        return action

    # Outcomes -------------------------------------------------------------------------------------

    def finish(
        self,
        unit: UnitKey,
        *,
        report: Report | None,
        code: str,
        error: str | None,
        elapsed_s: float,
        cpu_s: float,
        report_path: str | None = None,
        url_name: str | None = None,
    ) -> list[str]:
        """Record a unit's outcome and settle every input waiting on it; returns their names.

        `url_name`: the URL input whose fetch produced this unit (it is tied to the unit here). A unit
        already done (the same bytes reached through another URL) keeps its first report."""
        now = _now()
        done = report is not None
        values: dict[str, Any] = {
            "status": "done" if done else "failed",
            "code": code,
            "error": None if done else _one_line(error or code),
            "elapsed_s": round(elapsed_s, 3),
            "cpu_s": round(cpu_s, 3),
            "updated_at": now,
        }
        if report is not None:
            values |= {
                "label": report.verdict.label.value,
                "confidence": report.verdict.confidence.value,
                "report": json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":")),
                "report_path": report_path,
            }
        with self.engine.begin() as conn:
            existing = conn.execute(
                select(units_table.c.status).where(units_table.c.unit_key == unit.text)
            ).scalar()
            if existing is None:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(units_table).values(
                                unit_key=unit.text, sha256=unit.sha256, attempts=1, **values
                            )
                        )
                except IntegrityError:
                    existing = "running"
            if existing is not None and not (existing == RowStatus.DONE and url_name is not None):
                conn.execute(update(units_table).where(units_table.c.unit_key == unit.text).values(**values))
            if url_name is not None:
                conn.execute(
                    update(inputs_table)
                    .where(inputs_table.c.name_key == name_key(url_name))
                    .values(unit_key=unit.text, status="running")
                )
            final = conn.execute(
                select(units_table.c.status, units_table.c.error).where(units_table.c.unit_key == unit.text)
            ).one()
            waiting = (
                conn.execute(
                    select(inputs_table.c.name).where(
                        inputs_table.c.unit_key == unit.text, inputs_table.c.status == RowStatus.RUNNING
                    )
                )
                .scalars()
                .all()
            )
            conn.execute(
                update(inputs_table)
                .where(inputs_table.c.unit_key == unit.text, inputs_table.c.status == RowStatus.RUNNING)
                .values(status=final.status, error=final.error, updated_at=now)
            )
        return [str(n) for n in waiting]

    def mark_seen(self, name: str) -> None:
        """An input met again in this run and left as it was (done before): it is not a duplicate."""
        with self.engine.begin() as conn:
            conn.execute(
                update(inputs_table)
                .where(inputs_table.c.name_key == name_key(name))
                .values(run_id=self.run_id)
            )

    # Reading --------------------------------------------------------------------------------------

    def unit_summary(
        self, unit: UnitKey
    ) -> tuple[str, str | None, str | None, str | None, str | None] | None:
        """(status, label, confidence, error, report_path) of a unit, or None when unknown."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    units_table.c.status,
                    units_table.c.label,
                    units_table.c.confidence,
                    units_table.c.error,
                    units_table.c.report_path,
                ).where(units_table.c.unit_key == unit.text)
            ).first()
        return None if row is None else (str(row[0]), row[1], row[2], row[3], row[4])

    def counts(self) -> dict[str, int]:
        """Inputs per status, and done inputs per verdict label (keys "label:<label>")."""
        out: dict[str, int] = {}
        with self.engine.connect() as conn:
            for status, n in conn.execute(
                select(inputs_table.c.status, func.count()).group_by(inputs_table.c.status)
            ):
                out[str(status)] = int(n)
            for label, n in conn.execute(
                select(units_table.c.label, func.count())
                .select_from(
                    inputs_table.join(units_table, inputs_table.c.unit_key == units_table.c.unit_key)
                )
                .where(inputs_table.c.status == RowStatus.DONE)
                .group_by(units_table.c.label)
            ):
                out[f"label:{label}"] = int(n)
        return out

    def rows(self, *, with_reports: bool = True, batch: int = 200) -> Iterator[BatchRow]:
        """Every input, by first-seen position, streamed (`batch` rows at a time from the database)."""
        columns = [
            inputs_table.c.name,
            inputs_table.c.position,
            inputs_table.c.status,
            inputs_table.c.error,
            inputs_table.c.attempts,
            inputs_table.c.is_url,
            units_table.c.unit_key,
            units_table.c.sha256,
            units_table.c.elapsed_s,
            units_table.c.report_path,
            units_table.c.code,
        ]
        if with_reports:
            columns.append(units_table.c.report)
        query = (
            select(*columns)
            .select_from(
                inputs_table.outerjoin(units_table, inputs_table.c.unit_key == units_table.c.unit_key)
            )
            .order_by(inputs_table.c.position)
        )
        assert self.config is not None
        digest, version = self.config.settings_digest, self.config.tool_version
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
            for r in result:
                status = RowStatus(r.status)
                report = None
                if with_reports and status == RowStatus.DONE and r.report:
                    report = Report.from_dict(json.loads(r.report))
                yield BatchRow(
                    name=str(r.name),
                    position=int(r.position),
                    status=status,
                    key=UnitKey(str(r.sha256), digest, version) if r.sha256 else None,
                    error=r.error,
                    report=report,
                    report_path=r.report_path if status == RowStatus.DONE else None,
                    elapsed_s=r.elapsed_s,
                    attempts=int(r.attempts or 0),
                    extra={"url": bool(r.is_url), "code": r.code},
                )

    def integrity(self) -> dict[str, int]:
        """Counts for checking a run: inputs, units, inputs by status, names listed twice (must be 0)."""
        with self.engine.connect() as conn:
            inputs = int(conn.execute(select(func.count()).select_from(inputs_table)).scalar() or 0)
            names = int(conn.execute(select(func.count(func.distinct(inputs_table.c.name)))).scalar() or 0)
            units = int(conn.execute(select(func.count()).select_from(units_table)).scalar() or 0)
            shas = int(conn.execute(select(func.count(func.distinct(units_table.c.sha256)))).scalar() or 0)
        return {
            "inputs": inputs,
            "duplicate_names": inputs - names,
            "units": units,
            "duplicate_units": units - shas,
        }


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:500]


def _line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
