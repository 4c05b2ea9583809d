"""The bank's tables (SQLAlchemy). Prefixed `bank_` so the bank can share a database with other stores.

- `bank_info`: key/value facts about the bank itself: its schema version (read before anything else, so a
  bank written by a newer vidsleuth is refused instead of misread), its revision (bumped by every change,
  so caches know when they are stale) and when and by which version it was created.
- `bank_items`: one row per banked video or still image, with what a person needs to judge a match:
  label, source URL, note, original file name and content hash.
- `bank_frames`: one row per hashed frame: PDQ hash (32 bytes), quality, time and frame number, i.e.
  exactly the four fields of a vPDQ feature.
- `bank_features` (schema 2): local features of a banked still, one row per item: ORB keypoints and
  descriptors as two blobs, for photo-origin search (vidsleuth.fingerprint.photo_origin).
- `bank_attributes` (schema 3): provenance facts of an item, one row per (item, kind, value): the
  watermark @handle, the C2PA signer and claim generator, the generator attribution, each with the
  evidence it was read from (vidsleuth.bank.attributes), so a report can list the other banked videos
  that carry the same handle or come from the same signer or generator.

Item and frame ids are never reused after a removal (exported reports, case notes and te-csv files cite
them): SQLite tables are created with AUTOINCREMENT, and a bank created before that (same schema) is
rebuilt with it by its first change, in that change's transaction (see vidsleuth.bank.bank); the columns
do not change, so older versions still read and write it.

Schema history: 1, the first; 2 adds `bank_features`; 3 adds `bank_attributes`. An older bank opens
and is searched as it is (its stills have no local features, its items no attributes); the first change
to it (add, import, remove) creates the missing tables and records schema 3 in the same transaction (see
vidsleuth.bank.bank).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = 3
# Integer on SQLite (its INTEGER PRIMARY KEY is 64-bit and auto-increments), BIGINT elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class BankInfo(Base):
    __tablename__ = "bank_info"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class BankItem(Base):
    __tablename__ = "bank_items"
    # Ids are never reused after a removal: they appear in exported reports and case notes. On SQLite
    # that takes AUTOINCREMENT; PostgreSQL's BIGSERIAL sequence never goes back by itself.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # video | image
    label: Mapped[str | None] = mapped_column(Text, default=None)
    source_url: Mapped[str | None] = mapped_column(Text, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    file_name: Mapped[str | None] = mapped_column(String(255), default=None)
    # "sha256:<hex>" of the file banked, or "pdq:<hex>" / "frames:<sha256>" for imported hashes.
    content_id: Mapped[str] = mapped_column(String(100), unique=True, index=True)
    origin: Mapped[str] = mapped_column(String(32))  # file | import:<format>
    hasher: Mapped[str] = mapped_column(String(32))
    duration_s: Mapped[float | None] = mapped_column(Float, default=None)
    sample_fps: Mapped[float | None] = mapped_column(Float, default=None)
    width: Mapped[int | None] = mapped_column(Integer, default=None)
    height: Mapped[int | None] = mapped_column(Integer, default=None)
    frame_count: Mapped[int] = mapped_column(Integer, default=0)
    added_at: Mapped[str] = mapped_column(String(32))  # ISO 8601, UTC


class BankFrame(Base):
    __tablename__ = "bank_frames"
    __table_args__ = ({"sqlite_autoincrement": True},)  # frame ids are exported as te-csv descriptor ids

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("bank_items.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order within the item (time order)
    frame_number: Mapped[int | None] = mapped_column(Integer, default=None)
    time_s: Mapped[float | None] = mapped_column(Float, default=None)  # None for a still image
    quality: Mapped[int] = mapped_column(SmallInteger)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class BankFeatures(Base):
    __tablename__ = "bank_features"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("bank_items.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    method: Mapped[str] = mapped_column(String(16))  # "orb"
    width: Mapped[int] = mapped_column(Integer)  # size of the image the features were computed on
    height: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
    points: Mapped[bytes] = mapped_column(LargeBinary)  # little-endian float32 (x, y) per keypoint
    descriptors: Mapped[bytes] = mapped_column(LargeBinary)  # 32 bytes per keypoint


class BankAttribute(Base):
    __tablename__ = "bank_attributes"
    __table_args__ = (
        UniqueConstraint("item_id", "kind", "value", name="uq_bank_attributes_item_kind_value"),
        Index("ix_bank_attributes_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("bank_items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # handle | signer | claim_generator | generator
    value: Mapped[str] = mapped_column(String(255))  # normalised (vidsleuth.bank.attributes.normalise)
    shown: Mapped[str] = mapped_column(String(255))  # as read, for people
    evidence: Mapped[str | None] = mapped_column(Text, default=None)  # what it was read from, in words
    code: Mapped[str | None] = mapped_column(String(64), default=None)  # the evidence code or field
