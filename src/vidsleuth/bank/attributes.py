"""Provenance attributes of banked items: who or what a banked video says it came from.

The fingerprint bank matches pixels; a trust-and-safety team also asks "what else came from this
account, this signer, this generator?" (issue #15: the source account of a fake was found through
sibling videos that still carried the Sora mark and its @handle). Each banked item can carry a few
attributes, stored in `bank_attributes` (schema 3):

- `handle`: a watermark's @handle (the Sora app prints the account under its mark);
- `signer`: the C2PA claim signer's certificate, common name and organisation;
- `claim_generator`: the C2PA claim generator (the tool that made the claim);
- `generator`: the generator the report's verdict attributes the video to.

Values are compared exactly after `normalise` (Unicode NFKC, case folded, spaces collapsed; a handle
always starts with "@" and has no spaces), so "@Maker" and "@maker" are one account. Each attribute
keeps what it was read from (`evidence`, `code`) so a person can judge the link. Attributes come from a
report (`vidsleuth.related.attributes_from_report`), never guessed by the bank.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vidsleuth.bank.models import BankAttribute, BankItem

AttributeKind = Literal["handle", "signer", "claim_generator", "generator"]
KINDS: tuple[str, ...] = get_args(AttributeKind)
MAX_VALUE = 255  # characters of a value and of its shown form
MAX_EVIDENCE = 1000


def _clean(text: str, limit: int) -> str:
    """Text without control characters, spaces collapsed, cut to `limit` characters."""
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(kept.split())[:limit]


def normalise(kind: str, value: str) -> str:
    """The form two values are compared in: NFKC, case folded, spaces collapsed; handles "@name"."""
    text = _clean(unicodedata.normalize("NFKC", value), MAX_VALUE * 2).casefold()
    if kind == "handle":
        text = "@" + text.replace(" ", "").lstrip("@")
        return text if len(text) > 1 else ""
    return text[:MAX_VALUE]


@dataclass(frozen=True, slots=True)
class Attribute:
    """One provenance fact of a video: its kind, its normalised value, how it reads, and its source."""

    kind: str
    value: str  # normalised: compare these
    shown: str  # as read
    evidence: str | None = None  # what it was read from, in words
    code: str | None = None  # the evidence code or report field it came from

    @classmethod
    def make(
        cls,
        kind: str,
        shown: str,
        evidence: str | None = None,
        code: str | None = None,
        *,
        value: str | None = None,
    ) -> Attribute | None:
        """An attribute from a value as read (`value`: the form to compare, when the caller knows a
        canonical one), or None when the kind is unknown or the value empty."""
        if kind not in KINDS or not isinstance(shown, str):
            return None
        compared = normalise(kind, value if value is not None else shown)
        if not compared:
            return None
        return cls(
            kind,
            compared,
            _clean(shown, MAX_VALUE) or compared,
            _clean(evidence, MAX_EVIDENCE) if evidence else None,
            _clean(code, 64) if code else None,
        )

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "value": self.value,
            "shown": self.shown,
            "evidence": self.evidence,
            "code": self.code,
        }


def unique(attributes: Iterable[Attribute]) -> list[Attribute]:
    """The attributes with one per (kind, value), the first kept, in order."""
    seen: set[tuple[str, str]] = set()
    out = []
    for a in attributes:
        if a.key not in seen:
            seen.add(a.key)
            out.append(a)
    return out


def _attribute(row: BankAttribute) -> Attribute:
    return Attribute(row.kind, row.value, row.shown, row.evidence, row.code)


def store(session: Session, item_id: int, attributes: Sequence[Attribute]) -> int:
    """Give an item the attributes it does not have yet; returns how many were added."""
    wanted = unique(attributes)
    if not wanted:
        return 0
    have = {
        (k, v)
        for k, v in session.execute(
            select(BankAttribute.kind, BankAttribute.value).where(BankAttribute.item_id == item_id)
        )
    }
    new = [a for a in wanted if a.key not in have]
    for a in new:
        session.add(
            BankAttribute(
                item_id=item_id, kind=a.kind, value=a.value, shown=a.shown, evidence=a.evidence, code=a.code
            )
        )
    if new:
        session.flush()
    return len(new)


def of_items(session: Session, item_ids: Iterable[int]) -> dict[int, list[Attribute]]:
    """The attributes of these items, by item id (items without any are absent)."""
    ids = sorted({int(i) for i in item_ids})
    out: dict[int, list[Attribute]] = {}
    for chunk in range(0, len(ids), 500):
        rows = session.scalars(
            select(BankAttribute)
            .where(BankAttribute.item_id.in_(ids[chunk : chunk + 500]))
            .order_by(BankAttribute.item_id, BankAttribute.id)
        )
        for row in rows:
            out.setdefault(int(row.item_id), []).append(_attribute(row))
    return out


@dataclass(frozen=True, slots=True)
class Sharing:
    """The banked items that carry one attribute: the first `limit` by id, and how many there are."""

    kind: str
    value: str
    item_ids: tuple[int, ...]
    total: int


def items_sharing(
    session: Session, keys: Iterable[tuple[str, str]], *, limit: int, exclude_content_id: str | None = None
) -> list[Sharing]:
    """For each (kind, normalised value), the items carrying it, oldest first, at most `limit` each."""
    out = []
    for kind, value in dict.fromkeys(keys):
        where = [BankAttribute.kind == kind, BankAttribute.value == value]
        base = (
            select(BankAttribute.item_id).join(BankItem, BankItem.id == BankAttribute.item_id).where(*where)
        )
        if exclude_content_id is not None:
            base = base.where(BankItem.content_id != exclude_content_id)
        total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
        ids = session.scalars(base.order_by(BankAttribute.item_id).limit(limit)).all()
        out.append(Sharing(kind, value, tuple(int(i) for i in ids), int(total)))
    return out
