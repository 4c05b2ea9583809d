"""What else in your bank this video is tied to: same @handle, same C2PA signer, same generator.

Issue #15's seed case: the account behind a fake was found through sibling videos that still carried the
Sora mark and its @handle. A single report therefore lists, when a bank is configured, the other banked
videos that share this video's provenance facts, and the stored facts of every banked item its
fingerprint matched ("matches banked item #12 (@maker, first seen 2026-03-02)").

Two halves, both above the signals (this module reads reports, never a signal's internals):

- `attributes_from_report(report)`: the provenance facts of a report as bank attributes: the watermark's
  @handle (from evidence data `handle`: `watermark.handle`, `watermark.generator_mark`; and the
  watermark metrics' detections), each C2PA manifest's signer and claim generator (provenance metrics),
  and the verdict's generator attribution (compared by the generator catalogue's family and vendor, so
  "Sora" and "Sora (OpenAI)" are one generator). Read tolerantly from the JSON form: a report from another
  version, or an edited one, gives fewer attributes, never an error. `vidsleuth bank add --analyze /
  --from-report` and the batch engine bank them with the item.
- `related_in_bank(report, location)`: the report's `related` value (docs/report-schema.md): for each of
  its attributes, the banked items carrying the same normalised value (at most `LIMIT` per attribute,
  oldest first, the video itself left out), and the attributes of the items its fingerprint matched.
  `with_related` is the pipeline's hook; a bank that cannot be read gives a `problem` line, never a
  failed analysis.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from vidsleuth.bank import Attribute, Bank, BankError, display_location
from vidsleuth.bank.attributes import unique
from vidsleuth.core.report import Report
from vidsleuth.core.settings import Settings
from vidsleuth.data.generators import identity
from vidsleuth.errors import InputError, ReportError
from vidsleuth.media.source import safe_display_name

log = logging.getLogger(__name__)

LIMIT = 20  # banked items listed per shared attribute
ANALYZE_SIGNALS = ("watermark", "provenance")  # what `bank add --analyze` runs
ITEM_ATTRIBUTES = 12  # attributes listed per banked item
_MAX_MATCHED = 20


def _map(x: object) -> Mapping[str, Any]:
    return x if isinstance(x, Mapping) else {}


def _list(x: object) -> list[Any]:
    return list(x) if isinstance(x, list | tuple) else []


def _text(x: object) -> str | None:
    return x if isinstance(x, str) and x.strip() else None


def _as_dict(report: Report | Mapping[str, Any]) -> Mapping[str, Any]:
    return report.to_dict() if isinstance(report, Report) else _map(report)


def _handles(result: Mapping[str, Any]) -> list[Attribute | None]:
    out: list[Attribute | None] = []
    evidence = [_map(e) for e in _list(result.get("evidence"))]
    # the handle's own finding first: its sentence is about the handle
    for e in sorted(evidence, key=lambda e: e.get("code") != "watermark.handle"):
        code = _text(e.get("code")) or ""
        handle = _text(_map(e.get("data")).get("handle"))
        if handle and code.startswith("watermark."):
            out.append(Attribute.make("handle", handle, _text(e.get("summary")), code))
    for d in _list(_map(result.get("metrics")).get("detections")):
        d = _map(d)
        handle = _text(d.get("handle"))
        if handle:
            name = _text(d.get("name")) or _text(d.get("generator")) or "a watermark"
            out.append(Attribute.make("handle", handle, f"read under {name}", "watermark:detections.handle"))
    return out


def _c2pa(result: Mapping[str, Any]) -> list[Attribute | None]:
    out: list[Attribute | None] = []
    for i, m in enumerate(_list(_map(result.get("metrics")).get("manifests"))):
        m = _map(m)
        which = "the active C2PA manifest" if i == 0 else f"C2PA manifest {_text(m.get('label')) or i + 1}"
        signer = _map(m.get("signer"))
        name, issuer = _text(signer.get("common_name")), _text(signer.get("issuer"))
        shown = f"{name} ({issuer})" if name and issuer and name != issuer else name or issuer
        if shown:
            trust = _text(_map(m.get("trust")).get("result")) or _text(m.get("signer_trust")) or "not checked"
            out.append(
                Attribute.make(
                    "signer",
                    shown,
                    f"claim signer of {which} (trust: {trust.replace('_', ' ')})",
                    f"provenance:manifests[{i}].signer",
                )
            )
        tools = [t for t in (_text(x) for x in _list(m.get("claim_generator_info"))) if t]
        tools += [t for t in (_text(m.get("claim_generator")),) if t]
        for tool in tools:
            out.append(
                Attribute.make(
                    "claim_generator",
                    tool,
                    f"claim generator of {which}",
                    f"provenance:manifests[{i}].claim_generator",
                )
            )
    return out


def attributes_from_report(report: Report | Mapping[str, Any]) -> list[Attribute]:
    """The provenance facts of a report (a `Report` or its JSON form), one per kind and value."""
    d = _as_dict(report)
    found: list[Attribute | None] = []
    for r in _list(d.get("results")):
        r = _map(r)
        if r.get("signal") == "provenance":
            found += _c2pa(r)
        else:
            found += _handles(r)
    verdict = _map(d.get("verdict"))
    generator = _text(verdict.get("attribution"))
    if generator:
        basis = _text(_map(verdict.get("extras")).get("attribution_basis"))
        evidence = "the verdict's attribution" + (f" ({basis})" if basis else "")
        found.append(
            Attribute.make("generator", generator, evidence, "verdict.attribution", value=_family(generator))
        )
    return unique(a for a in found if a is not None)


def _family(generator: str) -> str:
    """The catalogue's name for a generator, so "Sora", "Sora 2 (OpenAI)" and "Sora (OpenAI)" are one
    value ("sora (openai)"); the name as read when the catalogue does not know it."""
    vendor, family = identity(generator)
    if family:
        return f"{family} ({vendor})" if vendor else family
    return f"a {vendor} generator" if vendor else generator


def bank_location(settings: Settings) -> str | None:
    """The bank the run searches (the fingerprint signal's resolved `bank` option), or None."""
    opts = settings.options.get("fingerprint")
    location = opts.get("bank") if isinstance(opts, Mapping) else getattr(opts, "bank", None)
    return location if isinstance(location, str) and location else None


def _matched_ids(d: Mapping[str, Any]) -> list[int]:
    ids: list[int] = []
    for r in _list(d.get("results")):
        r = _map(r)
        if r.get("signal") != "fingerprint":
            continue
        for m in _list(_map(r.get("metrics")).get("matches")):
            m = _map(m)
            item_id = m.get("item_id")
            if isinstance(item_id, int) and not isinstance(item_id, bool) and m.get("is_match", True):
                ids.append(item_id)
    return list(dict.fromkeys(ids))[:_MAX_MATCHED]


def _item(info: Any, attributes: Sequence[Attribute]) -> dict[str, Any]:
    return {
        "item_id": info.id,
        "kind": info.kind,
        "label": info.label,
        "file_name": info.file_name,
        "source_url": info.source_url,
        "added_at": info.added_at,
        "attributes": [
            {"kind": a.kind, "value": a.value, "shown": a.shown} for a in attributes[:ITEM_ATTRIBUTES]
        ],
    }


def related_in_bank(
    report: Report | Mapping[str, Any], location: str, *, limit: int = LIMIT
) -> dict[str, Any]:
    """The report's `related` value for the bank at `location` (see docs/report-schema.md)."""
    d = _as_dict(report)
    mine = attributes_from_report(d)
    sha = _text(_map(d.get("source")).get("sha256"))
    out: dict[str, Any] = {
        "bank": display_location(location),
        "limit": limit,
        "attributes": [a.to_dict() for a in mine],
        "shared": [],
        "matched": [],
        "problem": None,
    }
    matched = _matched_ids(d)
    try:
        with Bank.open(location, create=False) as bank:
            sharing, infos = bank.sharing(
                [a.key for a in mine], limit=limit, exclude_content_id=f"sha256:{sha}" if sha else None
            )
            for item_id, info in zip(matched, _infos(bank, matched), strict=True):
                if info is not None:
                    infos[item_id] = info
            stored = bank.attributes(sorted(infos))
    except BankError as exc:
        out["problem"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return out
    by_key = {a.key: a for a in mine}
    for s in sharing:
        if not s.item_ids:
            continue
        a = by_key[(s.kind, s.value)]
        out["shared"].append(
            {
                "kind": a.kind,
                "value": a.value,
                "shown": a.shown,
                "evidence": a.evidence,
                "total": s.total,
                "items": [_item(infos[i], stored.get(i, [])) for i in s.item_ids if i in infos],
            }
        )
    out["matched"] = [_item(infos[i], stored.get(i, [])) for i in matched if i in infos]
    return out


def _infos(bank: Bank, item_ids: Sequence[int]) -> list[Any]:
    out: list[Any] = []
    for item_id in item_ids:
        try:
            out.append(bank.get(item_id))
        except BankError:  # removed since the search
            out.append(None)
    return out


def with_related(report: Report, settings: Settings) -> Report:
    """The report with its `related` value when the run has a bank; as it is otherwise."""
    location = bank_location(settings)
    if location is None:
        return report
    try:
        related = related_in_bank(report, location)
    except Exception as exc:  # a lookup must never cost the analysis
        log.warning("related: bank lookup failed (%s: %s)", type(exc).__name__, exc)
        related = {
            "bank": display_location(location),
            "limit": LIMIT,
            "attributes": [a.to_dict() for a in attributes_from_report(report)],
            "shared": [],
            "matched": [],
            "problem": f"the bank lookup failed ({type(exc).__name__})",
        }
    return dataclasses.replace(report, related=related)


def report_file_attributes(path: str) -> tuple[str, list[Attribute]]:
    """The sha256 of the file a JSON report describes, and its attributes. Raises InputError."""
    from vidsleuth.report import load_report

    shown = safe_display_name(path, 200)
    try:
        report = load_report(path)
    except ReportError as exc:
        raise InputError(str(exc).replace(repr(path), shown, 1)) from None
    sha = report.source.sha256
    if not isinstance(sha, str) or len(sha) != 64:
        raise InputError(f"{shown}: the report names no file (no sha256)")
    return sha.lower(), attributes_from_report(report)


def analyze_attributes(path: str, display_name: str | None = None) -> tuple[list[Attribute], list[str]]:
    """Run the watermark and provenance signals on a file and read its attributes; with one line for
    each of those signals that did not run (unavailable here, or failed), so nobody takes "no handle
    found" for "no handle"."""
    from vidsleuth.pipeline import analyze

    report = analyze(path, Settings(only=ANALYZE_SIGNALS), display_name=display_name)
    problems = [
        f"{r.signal} {r.status.value.replace('_', ' ')}: {r.error}"
        for r in report.results
        if r.signal in ANALYZE_SIGNALS and r.status.value in ("skipped", "failed") and r.error
    ]
    return attributes_from_report(report), problems
