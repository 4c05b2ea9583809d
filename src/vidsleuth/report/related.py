"""The "In your bank" section: banked videos sharing this one's @handle, C2PA signer or generator, and
what the bank knows of the items its fingerprint matched.

It reads the report's `related` value (vidsleuth.related, docs/report-schema.md) tolerantly: the value
may come from an edited or hostile report file, so every field is type-checked and cut to a length, and
the section is left out when there is no bank, or nothing in it is related. Bank labels, file names,
handles and signers are attacker-controlled text: HTML autoescapes them, Markdown passes them through
`md_text`, and only plain http(s) source URLs become links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vidsleuth.core.report import Report
from vidsleuth.core.view import as_number, as_text, clip, http_url, md_text

KIND_WORDS = {
    "handle": "watermark handle",
    "signer": "C2PA signer",
    "claim_generator": "C2PA claim generator",
    "generator": "generator attribution",
}
_SHORT = 160
_MAX_GROUPS = 40
_MAX_ITEMS = 50


@dataclass(frozen=True, slots=True)
class RelatedItem:
    item_id: int | None
    title: str  # label, else file name
    first_seen: str  # the day it was banked
    source_url: str | None  # only plain http(s) URLs
    source_text: str  # anything else typed as a source, as text
    attributes: str  # "@maker · Sora (OpenAI)"

    @property
    def name(self) -> str:
        return f"#{self.item_id}" if self.item_id is not None else "an item"


@dataclass(frozen=True, slots=True)
class SharedGroup:
    kind: str  # in words
    shown: str
    evidence: str
    total: int
    items: tuple[RelatedItem, ...]


@dataclass(frozen=True, slots=True)
class RelatedPanel:
    bank: str
    shared: tuple[SharedGroup, ...]
    matched: tuple[RelatedItem, ...]  # fingerprint matches that have attributes
    problem: str | None


def _map(x: object) -> Mapping[str, Any]:
    return x if isinstance(x, Mapping) else {}


def _list(x: object) -> list[Any]:
    return list(x) if isinstance(x, list | tuple) else []


def _short(x: object, limit: int = _SHORT) -> str:
    text = as_text(x)
    return clip(" ".join(text.split()), limit) if text else ""


def _item(x: object) -> RelatedItem:
    d = _map(x)
    number = as_number(d.get("item_id"))
    source = as_text(d.get("source_url"))
    attrs = [
        _short(_map(a).get("shown") or _map(a).get("value"), 80) for a in _list(d.get("attributes"))[:12]
    ]
    return RelatedItem(
        int(number) if number is not None else None,
        _short(d.get("label")) or _short(d.get("file_name")) or "(no label)",
        (as_text(d.get("added_at")) or "")[:10],
        http_url(source),
        "" if http_url(source) else _short(source),
        " · ".join(a for a in attrs if a),
    )


def related_panel(report: Report) -> RelatedPanel | None:
    """The section's content, or None when the report has no bank lookup or nothing is related."""
    related = report.related
    if not isinstance(related, Mapping):
        return None
    groups = []
    for g in _list(related.get("shared"))[:_MAX_GROUPS]:
        g = _map(g)
        items = tuple(_item(i) for i in _list(g.get("items"))[:_MAX_ITEMS])
        if not items:
            continue
        total = as_number(g.get("total"))
        groups.append(
            SharedGroup(
                KIND_WORDS.get(str(g.get("kind")), "attribute"),
                _short(g.get("shown") or g.get("value")),
                _short(g.get("evidence"), 240),
                max(int(total), len(items)) if total is not None else len(items),
                items,
            )
        )
    matched = tuple(
        item for item in (_item(i) for i in _list(related.get("matched"))[:_MAX_ITEMS]) if item.attributes
    )
    problem = _short(related.get("problem"), 300) or None
    if not groups and not matched and problem is None:
        return None
    return RelatedPanel(_short(related.get("bank")) or "the bank", tuple(groups), matched, problem)


def _md_item(item: RelatedItem) -> str:
    line = f"{item.name} {md_text(item.title)}"
    if item.first_seen:
        line += f", first seen {md_text(item.first_seen)}"
    if item.attributes:
        line += f" ({md_text(item.attributes)})"
    source = item.source_url or item.source_text
    if source:
        line += f", source: {md_text(source)}"
    return line


def related_markdown(panel: RelatedPanel | None) -> list[str]:
    """The section in Markdown (no links: URLs are shown as text)."""
    if panel is None:
        return []
    out = ["## In your bank", "", f"_Banked items related to this video, in {md_text(panel.bank)}._", ""]
    if panel.problem:
        out += [f"The bank could not be searched for related items: {md_text(panel.problem)}", ""]
    for g in panel.shared:
        more = f", the first {len(g.items)} listed" if g.total > len(g.items) else ""
        out.append(f"**Same {g.kind} {md_text(g.shown)}**: {g.total} other banked item(s){more}")
        if g.evidence:
            out.append(f"_Here: {md_text(g.evidence.rstrip('.'))}._")
        out += ["", *[f"- {_md_item(i)}" for i in g.items], ""]
    if panel.matched:
        out += ["**Fingerprint matches, with what the bank knows of them:**", ""]
        out += [f"- matches banked item {_md_item(i)}" for i in panel.matched]
        out.append("")
    return out
