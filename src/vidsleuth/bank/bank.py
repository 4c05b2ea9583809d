"""The bank repository: known videos and images, their fingerprints, and what a person said about them.

Every change is one transaction: `add` writes all of its items and their frames or nothing (a bad file,
a malformed import row or a crash half-way leaves the bank as it was), and `remove` removes all the ids
it was given or none. The schema version is checked on open; a bank from a newer vidsleuth is refused
with a message instead of being misread or "upgraded" into damage.

Concurrent use: writers take the write lock first (SQLite: BEGIN IMMEDIATE, waiting up to 30 s;
PostgreSQL: a transaction-scoped advisory lock), so concurrent adds queue instead of failing, and a new
bank's schema is made in one transaction under that lock, so no process ever sees half of one (issue
#11). Ids are never reused after a removal (AUTOINCREMENT on SQLite; an older table is rebuilt with it
by the first change, in that change's transaction).

An older bank (schema 1, before local features; schema 2, before provenance attributes) opens and is
searched as it is; the first change to it creates the missing tables and records the new schema version
inside that change's transaction, so an upgrade never happens half-way. Its stills get local features,
and its items attributes, when they are added again (`add` of a file already banked fills in the
features and attributes it lacks).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np
from sqlalchemy import Connection, Engine, delete, func, insert, inspect, select, text
from sqlalchemy.exc import DatabaseError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable

from vidsleuth._version import __version__
from vidsleuth.bank import attributes as attrs
from vidsleuth.bank.attributes import Attribute, Sharing
from vidsleuth.bank.db import WRITE_OPTION, connect, display_location, resolve_location, to_url
from vidsleuth.bank.errors import BankError, BankNotFoundError, BankVersionError
from vidsleuth.bank.models import (
    SCHEMA_VERSION,
    BankAttribute,
    BankFeatures,
    BankFrame,
    BankInfo,
    BankItem,
    Base,
)
from vidsleuth.fingerprint.index_cache import IndexCache, cache_dir
from vidsleuth.fingerprint.local_features import METHOD, LocalFeatures
from vidsleuth.fingerprint.search import BankItemInfo, BankSnapshot
from vidsleuth.fingerprint.thresholds import PDQ_QUALITY_MIN
from vidsleuth.fingerprint.video import FrameHash, Kind, VideoFingerprint

FEATURES_SCHEMA = 2  # the first schema with `bank_features`
ATTRIBUTES_SCHEMA = 3  # the first schema with `bank_attributes`


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item about to be banked."""

    fingerprint: VideoFingerprint
    content_id: str
    origin: str = "file"
    label: str | None = None
    source_url: str | None = None
    note: str | None = None
    file_name: str | None = None
    features: LocalFeatures | None = None  # local features of a still (photo-origin search)
    attributes: tuple[Attribute, ...] = ()  # provenance facts read from its report (handle, signer...)


@dataclass(frozen=True, slots=True)
class AddOutcome:
    added: tuple[BankItemInfo, ...]
    already_banked: tuple[tuple[NewItem, int], ...]  # (item, id of the banked item with that content)
    features_added: tuple[int, ...] = ()  # already-banked items that now have the local features they lacked
    attributes_added: tuple[
        tuple[int, int], ...
    ] = ()  # (item id, attributes added) for every item given some


@dataclass(frozen=True, slots=True)
class BankStats:
    location: str
    schema_version: int
    revision: int
    created_at: str | None
    items: int
    videos: int
    images: int
    frames: int
    usable_frames: int
    photo_features: int  # stills with local features (photo-origin search)
    attributes: int = 0  # provenance attributes (handles, signers, claim generators, generators)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


def content_id_of_frames(fp: VideoFingerprint) -> str:
    """A stable id for imported hashes (no file to hash): sha256 over the kind and the frame hashes."""
    digest = hashlib.sha256(fp.kind.encode())
    for f in fp.frames:
        digest.update(f.hash)
    return f"frames:{digest.hexdigest()}"


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _info(row: BankItem) -> BankItemInfo:
    kind: Kind = "image" if row.kind == "image" else "video"
    return BankItemInfo(
        id=int(row.id),
        kind=kind,
        label=row.label,
        source_url=row.source_url,
        note=row.note,
        file_name=row.file_name,
        duration_s=row.duration_s,
        sample_fps=row.sample_fps,
        frame_count=int(row.frame_count),
        added_at=row.added_at,
    )


class Bank:
    """One bank. Open with `Bank.open(location)`; close (or use as a context manager) when done."""

    def __init__(self, engine: Engine, location: str) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{WRITE_OPTION: True})  # BEGIN IMMEDIATE on SQLite
        self.location = location
        self.display = display_location(location)
        self.schema_version = SCHEMA_VERSION

    # Opening ---------------------------------------------------------------------------------------
    @classmethod
    def open(cls, location: str | None = None, *, create: bool = False) -> Bank:
        """Open (and with `create`, create) the bank at `location` (see vidsleuth.bank.db)."""
        where = resolve_location(location)
        engine = connect(where, create=create)
        bank = cls(engine, where)
        try:
            bank._check_schema(create)
        except BaseException:
            engine.dispose()
            raise
        return bank

    def _check_schema(self, create: bool) -> None:
        """Check (and with `create`, make) the schema.

        The schema is made in one transaction under the write lock (BEGIN IMMEDIATE on SQLite, an
        advisory lock on PostgreSQL), so a concurrent opener sees no bank or a whole one, never half of
        one. A partial schema is looked at again under the lock before it is called damaged: an older
        vidsleuth creating it without a transaction is waited for, an abandoned creation (no info, no
        items) is completed, anything else is damage."""
        try:
            with self._engine.connect() as conn:
                tables, version = _schema_state(conn)
            if not _schema_complete(tables, version) and (create or "bank_info" in tables):
                with self._writer.begin() as conn:
                    self._lock_writers(conn)
                    tables, version = _schema_state(conn)
                    if create and _creation_abandoned(conn, tables, version):
                        Base.metadata.create_all(conn, checkfirst=True)
                        conn.execute(
                            insert(BankInfo),
                            [
                                {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                                {"key": "revision", "value": "0"},
                                {"key": "created_at", "value": _now()},
                                {"key": "created_by", "value": f"vidsleuth {__version__}"},
                            ],
                        )
                        return
        except OperationalError as exc:
            if _is_locked(exc):
                raise BankError(
                    f"{self.display}: is being created or changed by another vidsleuth that did not finish "
                    "within 30 s; try again"
                ) from None
            raise BankError(f"{self.display}: cannot be opened as a bank ({_db_reason(exc)})") from None
        except DatabaseError as exc:
            raise BankError(f"{self.display}: cannot be opened as a bank ({_db_reason(exc)})") from None
        if "bank_info" not in tables:
            raise BankNotFoundError(
                f"{self.display} holds no vidsleuth bank; create one with `vidsleuth bank add FILE`"
            )
        if version is None:
            raise BankError(f"{self.display}: bank is damaged (no schema version in bank_info)")
        if version > SCHEMA_VERSION:
            raise BankVersionError(
                f"{self.display}: bank schema {version} was written by a newer vidsleuth (this version "
                f"reads schema {SCHEMA_VERSION}); upgrade vidsleuth to use it"
            )
        missing = _needed_tables(version) - tables
        if missing:
            raise BankError(f"{self.display}: bank is damaged (missing tables: {', '.join(sorted(missing))})")
        self.schema_version = version

    def _lock_writers(self, conn: Connection) -> None:
        """Serialize writers: SQLite's BEGIN IMMEDIATE already holds the write lock; PostgreSQL takes a
        transaction-scoped advisory lock (so two first adds cannot both create the schema, and an add's
        "already banked?" check cannot change before it writes)."""
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction, under the write lock, with the bank brought to this version first
        (inside the same transaction: an upgrade never happens on its own, or half-way)."""
        with self._writer.connect() as conn:
            raw = conn.connection.dbapi_connection if conn.dialect.name == "sqlite" else None
            # Rebuilding a table for AUTOINCREMENT drops the old one, which must not cascade to its
            # frames: foreign keys are off for that transaction (SQLite ignores the pragma inside one).
            rebuild = raw is not None and bool(_legacy_id_tables(raw))
            if rebuild:
                assert raw is not None
                raw.execute("PRAGMA foreign_keys=OFF")
            try:
                with Session(bind=conn) as session, session.begin():
                    self._lock_writers(session.connection())
                    if rebuild:
                        _rebuild_for_autoincrement(session.connection())
                    self._upgrade(session)
                    yield session
            finally:
                if rebuild:
                    assert raw is not None
                    with contextlib.suppress(Exception):
                        raw.execute("PRAGMA foreign_keys=ON")

    def _upgrade(self, session: Session) -> None:
        """Bring an older bank to this schema inside the caller's transaction (creates missing tables)."""
        if self.schema_version >= SCHEMA_VERSION:
            return
        session.merge(BankInfo(key="schema_version", value=str(SCHEMA_VERSION)))
        session.merge(BankInfo(key="upgraded_at", value=_now()))
        session.flush()
        for table in (BankFeatures, BankAttribute):
            Base.metadata.tables[table.__tablename__].create(session.connection(), checkfirst=True)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # Writing ---------------------------------------------------------------------------------------
    def add(self, items: Sequence[NewItem]) -> AddOutcome:
        """Bank every item in one transaction; items whose content is already banked are skipped."""
        added: list[BankItemInfo] = []
        skipped: list[tuple[NewItem, int]] = []
        completed: list[int] = []
        attributed: list[tuple[int, int]] = []
        now = _now()
        try:
            with self._write() as session:
                seen: dict[str, int] = {}
                ids = [i.content_id for i in items]
                for chunk in range(0, len(ids), 500):
                    rows = session.execute(
                        select(BankItem.content_id, BankItem.id).where(
                            BankItem.content_id.in_(ids[chunk : chunk + 500])
                        )
                    )
                    seen.update({cid: int(iid) for cid, iid in rows})
                for item in items:
                    if item.content_id in seen:
                        skipped.append((item, seen[item.content_id]))
                        if self._complete_features(session, seen[item.content_id], item):
                            completed.append(seen[item.content_id])
                        if count := attrs.store(session, seen[item.content_id], item.attributes):
                            attributed.append((seen[item.content_id], count))
                        continue
                    row = self._insert(session, item, now)
                    seen[item.content_id] = int(row.id)
                    added.append(_info(row))
                    if count := attrs.store(session, int(row.id), item.attributes):
                        attributed.append((int(row.id), count))
                if added or completed:
                    self._bump_revision(session)
        except SQLAlchemyError as exc:
            raise BankError(f"{self.display}: nothing was added ({_write_reason(exc)})") from None
        self.schema_version = SCHEMA_VERSION
        return AddOutcome(tuple(added), tuple(skipped), tuple(completed), tuple(attributed))

    @staticmethod
    def _insert_features(session: Session, item_id: int, features: LocalFeatures) -> None:
        points, descriptors = features.to_blobs()
        session.add(
            BankFeatures(
                item_id=item_id,
                method=features.method,
                width=features.width,
                height=features.height,
                count=features.count,
                points=points,
                descriptors=descriptors,
            )
        )

    def _complete_features(self, session: Session, item_id: int, item: NewItem) -> bool:
        """Give an already-banked still the local features it lacks (a bank from before them)."""
        if item.features is None or not item.features.count:
            return False
        if session.get(BankFeatures, item_id) is not None:
            return False
        self._insert_features(session, item_id, item.features)
        session.flush()
        return True

    def _insert(self, session: Session, item: NewItem, now: str) -> BankItem:
        fp = item.fingerprint
        row = BankItem(
            kind=fp.kind,
            label=item.label,
            source_url=item.source_url,
            note=item.note,
            file_name=item.file_name,
            content_id=item.content_id,
            origin=item.origin,
            hasher=fp.hasher,
            duration_s=fp.duration_s,
            sample_fps=fp.sample_fps,
            width=fp.width,
            height=fp.height,
            frame_count=len(fp.frames),
            added_at=now,
        )
        session.add(row)
        session.flush()
        if fp.frames:
            session.execute(
                insert(BankFrame),
                [
                    {
                        "item_id": row.id,
                        "position": k,
                        "frame_number": f.frame,
                        "time_s": f.time_s,
                        "quality": f.quality,
                        "hash": f.hash,
                    }
                    for k, f in enumerate(fp.frames)
                ],
            )
        if item.features is not None and item.features.count:
            self._insert_features(session, int(row.id), item.features)
        return row

    def remove(self, item_ids: Sequence[int]) -> list[BankItemInfo]:
        """Remove these items (all, or none when one is not in the bank). Returns what was removed."""
        wanted = sorted({int(i) for i in item_ids})
        try:
            with self._write() as session:
                rows = session.scalars(select(BankItem).where(BankItem.id.in_(wanted))).all()
                found = {int(r.id) for r in rows}
                missing = [i for i in wanted if i not in found]
                if missing:
                    raise BankNotFoundError(
                        f"{self.display}: no item {', '.join('#' + str(i) for i in missing)}; nothing removed"
                    )
                infos = [_info(r) for r in rows]
                session.execute(delete(BankFrame).where(BankFrame.item_id.in_(wanted)))
                session.execute(delete(BankFeatures).where(BankFeatures.item_id.in_(wanted)))
                session.execute(delete(BankAttribute).where(BankAttribute.item_id.in_(wanted)))
                session.execute(delete(BankItem).where(BankItem.id.in_(wanted)))
                self._bump_revision(session)
        except SQLAlchemyError as exc:
            raise BankError(f"{self.display}: nothing was removed ({_write_reason(exc)})") from None
        self.schema_version = SCHEMA_VERSION
        return infos

    @staticmethod
    def _bump_revision(session: Session) -> None:
        row = session.get(BankInfo, "revision", with_for_update=True)
        if row is None:
            session.add(BankInfo(key="revision", value="1"))
        else:
            row.value = str(int(row.value) + 1 if row.value.isdigit() else 1)

    # Reading ---------------------------------------------------------------------------------------
    def items(self, limit: int | None = None, offset: int = 0) -> list[BankItemInfo]:
        stmt = select(BankItem).order_by(BankItem.id).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._reading() as session:
            return [_info(r) for r in session.scalars(stmt)]

    def get(self, item_id: int) -> BankItemInfo:
        with self._reading() as session:
            row = session.get(BankItem, item_id)
        if row is None:
            raise BankNotFoundError(f"{self.display}: no item #{item_id}")
        return _info(row)

    def revision(self) -> int:
        with self._reading() as session:
            row = session.get(BankInfo, "revision")
        return int(row.value) if row is not None and row.value.isdigit() else 0

    def stats(self) -> BankStats:
        with self._reading() as session:
            info = {r.key: r.value for r in session.scalars(select(BankInfo))}
            kinds = dict(session.execute(select(BankItem.kind, func.count()).group_by(BankItem.kind)).all())
            frames = session.scalar(select(func.count()).select_from(BankFrame)) or 0
            usable = (
                session.scalar(
                    select(func.count()).select_from(BankFrame).where(BankFrame.quality >= PDQ_QUALITY_MIN)
                )
                or 0
            )
            features = (
                session.scalar(select(func.count()).select_from(BankFeatures))
                if self.schema_version >= FEATURES_SCHEMA
                else 0
            ) or 0
            attributes = (
                session.scalar(select(func.count()).select_from(BankAttribute))
                if self.schema_version >= ATTRIBUTES_SCHEMA
                else 0
            ) or 0
        return BankStats(
            location=self.display,
            schema_version=int(info.get("schema_version", "0")),
            revision=int(info.get("revision", "0")),
            created_at=info.get("created_at"),
            items=sum(int(v) for v in kinds.values()),
            videos=int(kinds.get("video", 0)),
            images=int(kinds.get("image", 0)),
            frames=int(frames),
            usable_frames=int(usable),
            photo_features=int(features),
            attributes=int(attributes),
        )

    def index_cache(self) -> IndexCache | None:
        """Where this bank's built hash index is cached (vidsleuth.fingerprint.index_cache), or None.

        Identified by the resolved file path, or the URL without its password (hashed in file names)."""
        try:
            url = to_url(self.location)
        except BankError:
            return None
        path = None
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            path = Path(url.database).expanduser().resolve()
        elif url.get_backend_name() == "sqlite":
            return None  # an in-memory bank lives no longer than this process
        try:
            directory = cache_dir(path)
        except (RuntimeError, OSError):  # no home folder to hold a user cache
            return None
        if directory is None:
            return None
        identity = str(path) if path is not None else url.render_as_string(hide_password=True)
        return IndexCache(directory, identity)

    def snapshot(self) -> BankSnapshot:
        """Every item and frame as arrays, for searching (see vidsleuth.fingerprint.search)."""
        with self._reading() as session:
            revision_row = session.get(BankInfo, "revision")
            items = {int(r.id): _info(r) for r in session.scalars(select(BankItem))}
            rows = session.execute(
                select(
                    BankFrame.item_id,
                    BankFrame.time_s,
                    BankFrame.quality,
                    BankFrame.frame_number,
                    BankFrame.hash,
                ).order_by(BankFrame.item_id, BankFrame.position)
            ).all()
        n = len(rows)
        if not n:
            return BankSnapshot.empty()
        item_ids = np.fromiter((r[0] for r in rows), np.int64, n)
        times = np.fromiter((np.nan if r[1] is None else r[1] for r in rows), np.float64, n)
        qualities = np.fromiter((r[2] for r in rows), np.int16, n)
        numbers = np.fromiter((-1 if r[3] is None else r[3] for r in rows), np.int64, n)
        hashes = np.frombuffer(b"".join(bytes(r[4]) for r in rows), dtype=np.uint8).reshape(n, 32).copy()
        revision = int(revision_row.value) if revision_row is not None else 0
        return BankSnapshot(items, item_ids, times, qualities, numbers, hashes, revision)

    def photo_features(self) -> dict[int, LocalFeatures]:
        """Local features of every banked still that has them (none in a schema-1 bank)."""
        if self.schema_version < FEATURES_SCHEMA:
            return {}
        out: dict[int, LocalFeatures] = {}
        with self._reading() as session:
            for row in session.scalars(select(BankFeatures).order_by(BankFeatures.item_id)):
                if row.method != METHOD:
                    continue  # features of a kind this version does not compute
                try:
                    out[int(row.item_id)] = LocalFeatures.from_blobs(
                        bytes(row.points), bytes(row.descriptors), row.width, row.height, row.method
                    )
                except ValueError:
                    raise BankError(
                        f"{self.display}: bank is damaged (local features of item #{row.item_id})"
                    ) from None
        return out

    def attributes(self, item_ids: Sequence[int]) -> dict[int, list[Attribute]]:
        """The provenance attributes of these items, by id (none in a bank older than schema 3)."""
        if self.schema_version < ATTRIBUTES_SCHEMA or not item_ids:
            return {}
        with self._reading() as session:
            return attrs.of_items(session, item_ids)

    def sharing(
        self,
        keys: Sequence[tuple[str, str]],
        *,
        limit: int = 20,
        exclude_content_id: str | None = None,
    ) -> tuple[list[Sharing], dict[int, BankItemInfo]]:
        """The items carrying each (kind, normalised value), at most `limit` per key, oldest first,
        without the item whose content is `exclude_content_id` ("sha256:<hex>"); with their infos."""
        if self.schema_version < ATTRIBUTES_SCHEMA or not keys:
            return [], {}
        with self._reading() as session:
            found = attrs.items_sharing(session, keys, limit=limit, exclude_content_id=exclude_content_id)
            ids = sorted({i for s in found for i in s.item_ids})
            infos = {
                int(r.id): _info(r) for r in session.scalars(select(BankItem).where(BankItem.id.in_(ids)))
            }
        return found, infos

    def fingerprints(
        self, item_ids: Sequence[int] | None = None
    ) -> Iterator[tuple[BankItemInfo, VideoFingerprint, list[int]]]:
        """Items with their fingerprints and frame row ids (for export), in id order."""
        stmt = select(BankItem).order_by(BankItem.id)
        if item_ids is not None:
            stmt = stmt.where(BankItem.id.in_([int(i) for i in item_ids]))
        with self._reading() as session:
            for row in session.scalars(stmt).all():
                frames = session.execute(
                    select(BankFrame).where(BankFrame.item_id == row.id).order_by(BankFrame.position)
                ).scalars()
                ids: list[int] = []
                hashes: list[FrameHash] = []
                for f in frames:
                    ids.append(int(f.id))
                    hashes.append(FrameHash(bytes(f.hash), int(f.quality), f.time_s, f.frame_number))
                info = _info(row)
                fp = VideoFingerprint(
                    tuple(hashes), info.kind, row.duration_s, row.sample_fps, row.width, row.height
                )
                yield info, fp, ids

    def _reading(self) -> _ReadSession:
        return _ReadSession(self._engine, self.display)


class _ReadSession:
    """A read-only session whose database errors become one-line BankErrors."""

    def __init__(self, engine: Engine, display: str) -> None:
        self._session = Session(engine)
        self._display = display

    def __enter__(self) -> Session:
        return self._session

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._session.close()
        if isinstance(exc, SQLAlchemyError):
            raise BankError(f"{self._display}: cannot be read ({_db_reason(exc)})") from None


# Schema helpers -----------------------------------------------------------------------------------
_ID_TABLES = ("bank_items", "bank_frames")  # ids cited outside the bank: never reused
# pg_advisory_xact_lock key of the bank's writers: the first 8 bytes of sha256("vidsleuth bank"), signed.
_PG_LOCK_KEY = int.from_bytes(hashlib.sha256(b"vidsleuth bank").digest()[:8], "big", signed=True)


def _needed_tables(version: int) -> set[str]:
    return (
        {"bank_items", "bank_frames"}
        | ({"bank_features"} if version >= FEATURES_SCHEMA else set())
        | ({"bank_attributes"} if version >= ATTRIBUTES_SCHEMA else set())
    )


def _schema_state(conn: Connection) -> tuple[set[str], int | None]:
    """The bank tables present and the recorded schema version (None when there is none)."""
    tables = set(inspect(conn).get_table_names())
    version = None
    if "bank_info" in tables:
        raw = conn.execute(select(BankInfo.value).where(BankInfo.key == "schema_version")).scalar()
        version = int(raw) if raw is not None and raw.isdigit() else None
    return tables, version


def _schema_complete(tables: set[str], version: int | None) -> bool:
    return "bank_info" in tables and version is not None and _needed_tables(version) <= tables


def _creation_abandoned(conn: Connection, tables: set[str], version: int | None) -> bool:
    """No bank here yet (other tables may share the database), or one whose creation stopped before it
    recorded anything (an older vidsleuth made the tables one by one): nothing to lose by making it."""
    if version is not None or ("bank_info" in tables and _has_rows(conn, "bank_info")):
        return False
    return "bank_items" not in tables or not _has_rows(conn, "bank_items")


def _has_rows(conn: Connection, table: str) -> bool:
    return conn.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None


def _legacy_id_tables(raw: Any) -> list[str]:
    """SQLite tables of this bank made before AUTOINCREMENT (whose ids a removal would free)."""
    rows = raw.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)", _ID_TABLES
    ).fetchall()
    return [str(name) for name, sql in rows if "AUTOINCREMENT" not in str(sql or "").upper()]


def _rebuild_for_autoincrement(conn: Connection) -> None:
    """Rebuild the bank's id tables with AUTOINCREMENT, rows and ids unchanged (SQLite's documented
    12-step table change, inside the caller's transaction, with foreign keys off for it). The next id
    is then above every id present; ids removed before the rebuild above the highest left are not
    known to anyone and may be given once more."""
    legacy = set(_legacy_id_tables(conn.connection.dbapi_connection))
    for name in _ID_TABLES:
        if name not in legacy:
            continue
        table = Base.metadata.tables[name]
        ddl = str(CreateTable(table).compile(dialect=conn.dialect)).strip()
        temporary = f"{name}__rebuild"
        columns = ", ".join(c.name for c in table.columns)
        conn.exec_driver_sql(ddl.replace(f"CREATE TABLE {name} (", f"CREATE TABLE {temporary} (", 1))
        conn.exec_driver_sql(f"INSERT INTO {temporary} ({columns}) SELECT {columns} FROM {name}")
        conn.exec_driver_sql(f"DROP TABLE {name}")
        conn.exec_driver_sql(f"ALTER TABLE {temporary} RENAME TO {name}")
        for index in table.indexes:
            index.create(conn)
    problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise BankError(f"bank is damaged ({len(problems)} rows point to missing items); nothing was changed")


def _is_locked(exc: BaseException) -> bool:
    return "locked" in str(getattr(exc, "orig", exc)).lower()


def _write_reason(exc: BaseException) -> str:
    if _is_locked(exc):
        return "another vidsleuth kept the bank locked for 30 s; try again"
    return _db_reason(exc)


def _db_reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
