"""Sibling discovery: which results of a batch (and of the bank) belong together, and why.

The seed case of issue #15: a source account was found through sibling videos that still carried the
Sora mark and its @handle. Given a batch's rows, this groups the results four ways, each group listing
its members with the evidence that binds each one:

- ``handle``: the same watermark @handle (casefolded, per mark: see `fields.HandleReading.key`);
- ``signer`` / ``claim_generator``: the same C2PA signer, the same claim generator (with each member's
  trust state: a signer's name is whatever its certificate says);
- ``fingerprint``: near-duplicates and sub-clips, by the project's own matching: every usable frame hash
  of every batch item goes into one multi-index hash index (`fingerprint.mih`), each item queries it
  once (distance <= 31), each candidate pair is compared in full (`fingerprint.matching.compare`: vPDQ's
  rule and time-aligned segments), and matched pairs are joined by union-find. Banked items that a
  member's report already lists as bank matches join its cluster (no new bank search);
- ``attribution``: the same generator named by the verdict.

Each group names its earliest member: by the container's ``creation_time`` tag when a member has one
(the file declares it; it can be rewritten), else the first seen (smallest position).

Entry points: `find_siblings(rows, bank=None) -> list[SiblingGroup]`, `to_text(groups)` for the terminal,
`to_json(groups)` for scripts. Memory: the rows are read once; per input it keeps a few short keys and
its usable frame hashes as packed arrays (32 bytes each), never a report. Names of one content (the same
bytes listed twice) count once: a group needs two different contents, or a content and a banked item.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from vidsleuth.batch.fields import (
    HandleReading,
    SignerInfo,
    bank_matches_of,
    creation_time_of,
    fingerprint_of,
    handle_of,
    signer_of,
)
from vidsleuth.batch.rows import BatchRow
from vidsleuth.fingerprint.bits import HASH_BYTES, as_rows
from vidsleuth.fingerprint.matching import MatchResult, MatchRules, compare
from vidsleuth.fingerprint.mih import MultiIndexHashIndex
from vidsleuth.fingerprint.video import FrameHash, VideoFingerprint

QUERY_CONTENTS = 256  # contents whose hashes go to the index in one query
KINDS = ("handle", "signer", "claim_generator", "fingerprint", "attribution")
TEXT_MEMBERS = 20  # members shown per group in the terminal (the JSON lists all)


class BankLike(Protocol):
    """What siblings asks of a bank: an item's label and source (`vidsleuth.bank.Bank` has it)."""

    def get(self, item_id: int) -> Any: ...


@dataclass(frozen=True, slots=True)
class Member:
    """One member of a group: a batch input (with its position) or a banked item (with its id)."""

    name: str
    evidence: str
    position: int | None = None
    created: str | None = None  # container creation_time, ISO 8601, when known
    report_path: str | None = None
    bank_item_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "position": self.position,
            "created": self.created,
            "report_path": self.report_path,
            "bank_item_id": self.bank_item_id,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class SiblingGroup:
    kind: str  # one of KINDS
    key: str  # the handle, signer, claim generator, cluster number or generator
    members: tuple[Member, ...]  # batch inputs by position, then banked items
    earliest: str | None  # name of the earliest batch member
    earliest_by: str  # "creation_time" | "first seen"
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "size": len(self.members),
            "earliest": self.earliest,
            "earliest_by": self.earliest_by,
            "note": self.note,
            "members": [m.to_dict() for m in self.members],
        }


# What is kept per input -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Input:
    name: str
    position: int
    content: int  # index of its content (same sha256 -> same content)
    created: dt.datetime | None
    report_path: str | None


@dataclass(slots=True)
class _Content:
    """One distinct content (sha256): the keys its report yields and its usable frame hashes."""

    first: int  # index of its first input
    handle: HandleReading | None
    signer: SignerInfo | None
    attribution: str | None
    verdict: str
    rows: npt.NDArray[np.uint8]  # usable hashes, n x 32
    meta: npt.NDArray[np.float64]  # n x 4: time (NaN: none), quality, frame (-1), variant
    kind: str
    duration_s: float | None
    sample_fps: float | None
    bank: tuple[tuple[int, str], ...]  # (item id, evidence) of its bank matches
    bank_labels: dict[int, str | None] = field(default_factory=dict)


def _compact(
    fp: VideoFingerprint | None, quality: int
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float64]]:
    if fp is None:
        return np.zeros((0, HASH_BYTES), np.uint8), np.zeros((0, 4), np.float64)
    usable = fp.usable(quality)
    rows = as_rows([f.hash for f in usable])
    meta = np.array(
        [
            (
                np.nan if f.time_s is None else f.time_s,
                f.quality,
                -1 if f.frame is None else f.frame,
                f.variant,
            )
            for f in usable
        ],
        dtype=np.float64,
    ).reshape(-1, 4)
    return rows, meta


def _fingerprint(c: _Content) -> VideoFingerprint:
    frames = tuple(
        FrameHash(
            bytes(c.rows[k]),
            int(m[1]),
            None if np.isnan(m[0]) else float(m[0]),
            None if m[2] < 0 else int(m[2]),
            int(m[3]),
        )
        for k, m in enumerate(c.meta)
    )
    if c.kind == "image":
        return VideoFingerprint(frames, "image", None, None)
    return VideoFingerprint(frames, "video", c.duration_s, c.sample_fps)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, x: Any) -> Any:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb, key=repr)] = min(ra, rb, key=repr)


# Reading the rows once -----------------------------------------------------------------------------


class _Batch:
    def __init__(self, rows: Iterable[BatchRow], rules: MatchRules) -> None:
        self.inputs: list[_Input] = []
        self.contents: list[_Content] = []
        self.by_content: dict[int, list[_Input]] = {}  # inputs of each content, in listing order
        by_sha: dict[str, int] = {}
        for row in rows:
            report = row.report
            if report is None:
                continue
            sha = row.key.sha256 if row.key is not None else report.source.sha256
            content = by_sha.get(sha) if sha else None
            if content is None:
                content = len(self.contents)
                if sha:
                    by_sha[sha] = content
                fp = fingerprint_of(report)
                hashes, meta = _compact(fp, rules.quality)
                result = report.result("fingerprint")
                banked = [m for m in bank_matches_of(report) if m.item_id is not None]
                self.contents.append(
                    _Content(
                        first=len(self.inputs),
                        handle=handle_of(report),
                        signer=signer_of(report),
                        attribution=report.verdict.attribution,
                        verdict=f"{report.verdict.label.value} ({report.verdict.confidence.value})",
                        rows=hashes,
                        meta=meta,
                        kind=str(result.metrics.get("kind") or "video") if result else "video",
                        duration_s=fp.duration_s if fp else None,
                        sample_fps=fp.sample_fps if fp else None,
                        bank=tuple((m.item_id, m.describe()) for m in banked if m.item_id is not None),
                        bank_labels={m.item_id: m.label for m in banked if m.item_id is not None},
                    )
                )
            created = creation_time_of(report)
            self.inputs.append(_Input(row.name, row.position, content, created, row.report_path))
            self.by_content.setdefault(content, []).append(self.inputs[-1])

    def first_name(self, content: int) -> str:
        return self.inputs[self.contents[content].first].name


def _earliest(members: Sequence[_Input]) -> tuple[str | None, str]:
    dated = [m for m in members if m.created is not None]
    if dated:
        first = min(dated, key=lambda m: (m.created, m.position))
        return first.name, "creation_time"
    if not members:
        return None, "first seen"
    return min(members, key=lambda m: m.position).name, "first seen"


def _member(i: _Input, evidence: str) -> Member:
    return Member(i.name, evidence, i.position, i.created.isoformat() if i.created else None, i.report_path)


def _group(
    batch: _Batch, kind: str, key: str, contents: Sequence[int], evidence: dict[int, str], note: str = ""
) -> SiblingGroup:
    """A group of every input of `contents`; an input that repeats an earlier one's bytes says so."""
    ordered = sorted((i for n in contents for i in batch.by_content[n]), key=lambda i: i.position)
    earliest, by = _earliest(ordered)
    members = []
    for i in ordered:
        repeat = batch.by_content[i.content][0] is not i
        same = f"same bytes as {batch.first_name(i.content)}; " if repeat else ""
        members.append(_member(i, same + evidence[i.content]))
    return SiblingGroup(kind, key, tuple(members), earliest, by, note)


KeyOf = Callable[[_Content], tuple[str, str] | None]  # (grouping key, key as shown)
EvidenceOf = Callable[[_Content], str]
NoteOf = Callable[[Sequence[_Content]], str]


def _by_key(
    batch: _Batch, kind: str, key_of: KeyOf, evidence_of: EvidenceOf, note_of: NoteOf | None = None
) -> list[SiblingGroup]:
    groups: dict[str, list[int]] = {}
    shown: dict[str, str] = {}
    for n, c in enumerate(batch.contents):
        found = key_of(c)
        if found:
            groups.setdefault(found[0], []).append(n)
            shown.setdefault(found[0], found[1])
    out = []
    for key, members in groups.items():
        if len(members) < 2:
            continue
        evidence = {n: evidence_of(batch.contents[n]) for n in members}
        note = note_of([batch.contents[n] for n in members]) if note_of else ""
        out.append(_group(batch, kind, shown[key], members, evidence, note))
    return out


def _signer_note(contents: Sequence[_Content]) -> str:
    unverified = sum(1 for c in contents if c.signer is None or c.signer.trust != "trusted")
    if not unverified:
        return "every signer is on a trust list"
    return (
        f"{unverified} of {len(contents)} signers are on no trust list: "
        "the name is whatever the certificate says"
    )


# Fingerprint clusters --------------------------------------------------------------------------------


def _pair_evidence(other: str, r: MatchResult, rules: MatchRules, *, query_side: bool) -> str:
    """How one member matches `other`, told from its own side of `r` (the query's or the item's)."""
    seg = next((s for s in r.segments if s.query is not None and s.item is not None), None)
    out = f"matches {other}"
    if seg is not None and seg.query is not None and seg.item is not None:
        mine, theirs = (seg.query, seg.item) if query_side else (seg.item, seg.query)
        out += f" over {mine.start_s:.1f}–{mine.end_s:.1f} s (its {theirs.start_s:.1f}–{theirs.end_s:.1f} s)"
    pct = r.query_match_pct if query_side else r.item_match_pct
    out += f", {pct:.0f} % of frames at distance ≤ {rules.distance} (rule {r.rule}, best {r.best_distance})"
    return out


def _candidate_pairs(
    index: MultiIndexHashIndex,
    contents: Sequence[_Content],
    owner: npt.NDArray[np.int64],
    offsets: npt.NDArray[np.int64],
    distance: int,
) -> Iterator[tuple[int, int]]:
    """(n, m), n < m, for every two contents with a pair of hashes within `distance`: each content's
    hashes are queried once, QUERY_CONTENTS contents per index call (so memory stays bounded)."""
    total = offsets.size - 1
    for lo in range(0, total, QUERY_CONTENTS):
        hi = min(total, lo + QUERY_CONTENTS)
        rows = np.arange(offsets[lo], offsets[hi], dtype=np.int64)
        if not rows.size:
            continue
        hits = index.query(np.concatenate([contents[k].rows for k in range(lo, hi)]), distance)
        pairs = np.stack([owner[rows[hits.query]], owner[hits.ids]], axis=1)
        pairs = pairs[pairs[:, 0] < pairs[:, 1]]
        for n, m in np.unique(pairs, axis=0).tolist():
            yield int(n), int(m)


def _fingerprint_groups(batch: _Batch, rules: MatchRules, bank: BankLike | None) -> list[SiblingGroup]:
    contents = batch.contents
    sizes = np.array([c.rows.shape[0] for c in contents], dtype=np.int64)
    owner = np.repeat(np.arange(len(contents), dtype=np.int64), sizes)
    offsets = np.concatenate([np.zeros(1, np.int64), np.cumsum(sizes)])
    uf = _UnionFind()
    best: dict[int, tuple[float, str]] = {}  # content -> strongest edge's (strength, evidence)

    @lru_cache(maxsize=512)
    def fp(n: int) -> VideoFingerprint:
        return _fingerprint(contents[n])

    def keep(n: int, strength: float, text: str) -> None:
        if n not in best or strength > best[n][0]:
            best[n] = (strength, text)

    if int(sizes.sum()):
        index = MultiIndexHashIndex()
        index.add(np.arange(int(sizes.sum()), dtype=np.int64), np.concatenate([c.rows for c in contents]))
        index.build()
        for n, m in _candidate_pairs(index, contents, owner, offsets, rules.distance):
            result = compare(fp(n), fp(m), rules)
            there, here = n, m  # `result` reads from n's side
            if not result.is_match:
                result = compare(fp(m), fp(n), rules)
                there, here = m, n
            if not result.is_match:
                continue
            uf.union(("c", n), ("c", m))
            keep(
                there,
                result.strength,
                _pair_evidence(batch.first_name(here), result, rules, query_side=True),
            )
            keep(
                here,
                result.strength,
                _pair_evidence(batch.first_name(there), result, rules, query_side=False),
            )
    for n, c in enumerate(contents):
        for item_id, text in c.bank:
            uf.union(("c", n), ("b", item_id))
            keep(n, 0.0, text)
    clusters: dict[Any, list[tuple[str, int]]] = {}
    for node in list(uf.parent):
        clusters.setdefault(uf.find(node), []).append(node)
    out = []
    for number, nodes in enumerate(
        sorted(clusters.values(), key=lambda ns: min(n[1] for n in ns if n[0] == "c"))
    ):
        cs = sorted(n[1] for n in nodes if n[0] == "c")
        banked = sorted(n[1] for n in nodes if n[0] == "b")
        if len(cs) + len(banked) < 2:
            continue
        evidence = {n: best.get(n, (0.0, "same content"))[1] for n in cs}
        group = _group(batch, "fingerprint", f"cluster {number + 1}", cs, evidence)
        members = list(group.members)
        for item_id in banked:
            members.append(_bank_member(item_id, cs, contents, bank))
        out.append(
            SiblingGroup(
                "fingerprint",
                group.key,
                tuple(members),
                group.earliest,
                group.earliest_by,
                f"{len(cs)} distinct contents" + (f", {len(banked)} banked item(s)" if banked else ""),
            )
        )
    return out


def _bank_member(
    item_id: int, cs: Sequence[int], contents: Sequence[_Content], bank: BankLike | None
) -> Member:
    by = [n for n in cs if any(i == item_id for i, _ in contents[n].bank)]
    label = next((contents[n].bank_labels.get(item_id) for n in by), None)
    created = None
    if bank is not None:
        try:
            info = bank.get(item_id)
        except Exception:  # a removed item, an unreachable bank: keep what the reports said
            info = None
        if info is not None:
            label = getattr(info, "label", None) or label
            source = getattr(info, "source_url", None)
            if source:
                label = f"{label or ''} <{source}>".strip()
            created = getattr(info, "added_at", None)
    text = f"banked item matched by {len(by)} batch content(s)"
    return Member(label or f"bank item #{item_id}", text, None, created, None, item_id)


def _handle_key(c: _Content) -> tuple[str, str] | None:
    return (c.handle.key, c.handle.key) if c.handle else None


def _handle_evidence(c: _Content) -> str:
    return c.handle.describe() if c.handle else ""


def _signer_key(c: _Content) -> tuple[str, str] | None:
    key = c.signer.signer_key if c.signer else None
    return (key, c.signer.signer_text) if c.signer and key else None


def _signer_evidence(c: _Content) -> str:
    return f"signed by {c.signer.signer_text}, trust: {c.signer.trust}" if c.signer else ""


def _generator_key(c: _Content) -> tuple[str, str] | None:
    if c.signer is None or not c.signer.generator_key or not c.signer.claim_generator:
        return None
    return c.signer.generator_key, c.signer.claim_generator


def _generator_evidence(c: _Content) -> str:
    if c.signer is None:
        return ""
    return (
        f"claim generator {c.signer.claim_generator!r} (signer {c.signer.signer_text or 'unknown'}, "
        f"trust: {c.signer.trust})"
    )


def _attribution_key(c: _Content) -> tuple[str, str] | None:
    return (c.attribution.casefold(), c.attribution) if c.attribution else None


def _attribution_evidence(c: _Content) -> str:
    return f"verdict {c.verdict} names {c.attribution}"


# Entry points -------------------------------------------------------------------------------------


def find_siblings(
    rows: Iterable[BatchRow], bank: BankLike | None = None, *, rules: MatchRules | None = None
) -> list[SiblingGroup]:
    """Every sibling group of `rows` (read once), by kind (`KINDS` order), larger groups first.

    `bank`, when given, names the banked items that members' reports matched (label, source, when
    banked); it is not searched again."""
    rules = rules or MatchRules()
    batch = _Batch(rows, rules)
    groups = [
        *_by_key(batch, "handle", _handle_key, _handle_evidence),
        *_by_key(batch, "signer", _signer_key, _signer_evidence, _signer_note),
        *_by_key(batch, "claim_generator", _generator_key, _generator_evidence, _signer_note),
        *_fingerprint_groups(batch, rules, bank),
        *_by_key(batch, "attribution", _attribution_key, _attribution_evidence),
    ]
    groups.sort(key=lambda g: (KINDS.index(g.kind), -len(g.members), g.key))
    return groups


def to_json(groups: Sequence[SiblingGroup]) -> str:
    return json.dumps({"groups": [g.to_dict() for g in groups]}, ensure_ascii=False, indent=2)


def _one_line(text: str) -> str:
    """Text safe for a terminal: no control characters (escape sequences, line breaks)."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


def to_text(groups: Sequence[SiblingGroup], max_members: int = TEXT_MEMBERS) -> str:
    if not groups:
        return (
            "No sibling groups: no two results share a handle, signer, claim generator, "
            "fingerprint or generator.\n"
        )
    lines = []
    for g in groups:
        head = f"{g.kind} {_one_line(g.key)}: {len(g.members)} members"
        if g.earliest:
            head += f", earliest {_one_line(g.earliest)} (by {g.earliest_by})"
        lines.append(head + (f" — {_one_line(g.note)}" if g.note else ""))
        for m in g.members[:max_members]:
            where = f"#{m.position}" if m.position is not None else f"bank #{m.bank_item_id}"
            when = f" {m.created}" if m.created else ""
            lines.append(f"  {where:>8}  {_one_line(m.name)}{when}: {_one_line(m.evidence)}")
        if len(g.members) > max_members:
            lines.append(f"  … and {len(g.members) - max_members} more (see --json)")
    return "\n".join(lines) + "\n"
