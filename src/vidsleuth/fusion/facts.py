"""One measured fact, one vote; a generator named only by evidence that names one.

**Facts.** Several findings can rest on one measurement: "the format matches Sora 2" and "... matches
Sora 2 Pro" are the same size, rate and length compared with two catalogue rows, and metadata's
`cropped_generator_size` and the watermark's `crop` removal hint are the same size test made by two
signals. A signal says so by giving those findings the same ``data["fact"]`` (a short string naming the
measurement, e.g. ``"format:1280x720"`` or ``"crop:480x800"``). Fusion and the calibration features count
each fact once, at the strength of its strongest finding; every finding stays in the evidence table.

**Attribution.** A finding names one generator when it carries ``data["generator"]``, no
``data["candidates"]`` and not ``data["attribution_grade"] = False``: a visible mark, a producer label, a
generator's own tag (signals say ``attribution_grade = True`` where they can). A signed C2PA claim
(``attribution_source = "c2pa"``) names its generator whatever its signer's trust, because its signer states
it; its ``attribution_grade`` says whether a trust list verified the signer, and the attribution says which.
Format and crop findings only list the generators they are consistent with (``data["candidates"]``, each a
mapping with at least a ``"generator"``); they never name one, and neither does another finding that says it
is not attribution grade (an open-source invisible mark names code, not a service): those are candidates.
A verdict names a generator only when the findings that name one agree on it (one family, or a vendor and
one of its families, by the generator catalogue); otherwise it lists the candidates, each with the evidence
codes it rests on. The attribution says what it rests on (`basis_of`): "signer verified by the C2PA Trust
List (as of <date>)", "signed (signer not verified)", "self-declared producer label", or the finding's own
``data["attribution_basis"]`` (else nothing: the reasons cite the finding).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from vidsleuth.core.evidence import Evidence
from vidsleuth.core.verdict import Reason
from vidsleuth.data import generators as catalog


def fact_of(e: Evidence) -> str | None:
    """The measured fact a finding rests on, when its signal said (``data["fact"]``)."""
    fact = e.data.get("fact")
    return fact if isinstance(fact, str) and fact else None


def count_once(evidence: Iterable[Evidence]) -> list[Evidence]:
    """`evidence` with each fact counted once: of the findings that share a fact, the strongest stays (the
    first one on a tie), in the place of the first; findings without a fact all stay, in order."""
    items = list(evidence)
    best: dict[str, Evidence] = {}
    for e in items:
        fact = fact_of(e)
        if fact is not None and (fact not in best or e.strength > best[fact].strength):
            best[fact] = e
    out: list[Evidence] = []
    seen: set[str] = set()
    for e in items:
        fact = fact_of(e)
        if fact is None:
            out.append(e)
        elif fact not in seen:
            seen.add(fact)
            out.append(best[fact])
    return out


def same_fact(e: Evidence, evidence: Iterable[Evidence]) -> list[Evidence]:
    """The other findings that rest on the fact `e` rests on (none when `e` names no fact)."""
    fact = fact_of(e)
    if fact is None:
        return []
    return [o for o in evidence if o is not e and fact_of(o) == fact]


def reason_for(e: Evidence, evidence: Sequence[Evidence]) -> Reason:
    """A verdict reason for `e`, citing every finding that rests on the same fact and naming the other
    generators that fact is also consistent with, so that one measurement reads as one reason."""
    others = same_fact(e, evidence)
    text = e.summary
    if others:
        own = set(candidates_of(e))
        more = [g for o in others for g in candidates_of(o) if g not in own]
        more = list(dict.fromkeys(more))
        if more:
            text += f" The same measurement also fits {', '.join(more)}; it counts once."
        else:
            text += " Another check made the same measurement; it counts once."
    codes = tuple(dict.fromkeys([e.code, *(o.code for o in others)]))
    return Reason(text, codes)


def named_generator(e: Evidence) -> str | None:
    """The one generator `e` names, or None when it names none or only lists candidates.

    A finding that says it is not attribution grade names none (an open-source invisible mark names code,
    not a service), except a signed C2PA claim: its signer states which generator made the file, so it
    names it whatever the signer's trust; the attribution then says the signer was not verified."""
    gen = e.data.get("generator")
    if not isinstance(gen, str) or not gen or e.data.get("candidates") is not None:
        return None
    if e.data.get("attribution_grade") is False and e.data.get("attribution_source") != "c2pa":
        return None
    return gen


def candidates_of(e: Evidence) -> list[str]:
    """The generators a finding is consistent with: the one it names, or the candidates it lists."""
    gen = e.data.get("generator")
    if isinstance(gen, str) and gen and e.data.get("candidates") is None:
        return [gen]  # named (or named but not attribution grade: then a candidate)
    raw = e.data.get("candidates")
    out: list[str] = []
    if isinstance(raw, list):
        for c in raw:
            name = c.get("generator") if isinstance(c, dict) else c
            if isinstance(name, str) and name:
                out.append(name)
    return out


@dataclass(frozen=True, slots=True)
class Attribution:
    """The generator a verdict names, what that rests on in words, and the findings that name it."""

    generator: str
    basis: str
    codes: tuple[str, ...]


def basis_of(e: Evidence) -> str:
    """What an attribution resting on `e` rests on, in a few words: a C2PA claim with its signer's trust
    state, a producer label, else the finding's own ``data["attribution_basis"]`` ("" when it gives none:
    the verdict's reasons cite the finding)."""
    source = e.data.get("attribution_source")
    if source == "c2pa":
        if e.data.get("attribution_grade") is True:
            listed = e.data.get("trusted_by")
            title = listed if isinstance(listed, str) and listed else "C2PA Trust List"
            as_of = e.data.get("trust_as_of")
            when = f" (as of {as_of})" if isinstance(as_of, str) and as_of else ""
            return f"signer verified by the {title}{when}"
        return "signed (signer not verified)"
    if source == "aigc_label":
        return "self-declared producer label"
    own = e.data.get("attribution_basis")
    return own if isinstance(own, str) and own else ""


def _preference(e: Evidence) -> tuple[bool, bool, float]:
    """Findings an attribution prefers to rest on: attribution grade, naming a family, then strength."""
    name = named_generator(e) or ""
    return (e.data.get("attribution_grade") is True, catalog.identity(name)[1] is not None, e.strength)


def attribution(evidence: Iterable[Evidence]) -> Attribution | None:
    """The generator the findings that name one agree on, or None when none names one or two name
    different generators. Names of one family agree ("Sora (OpenAI)" and "Sora 2 (OpenAI)"), and so do a
    vendor and a family of that vendor ("a Google generator" and "Veo", `vidsleuth.data.generators`); the
    name kept is that of the preferred finding (attribution grade first, then the more specific name)."""
    named = [e for e in evidence if named_generator(e) is not None]
    if not named:
        return None
    names = [named_generator(e) or "" for e in named]
    if any(not catalog.same_generator(a, b) for i, a in enumerate(names) for b in names[i + 1 :]):
        return None
    best = max(named, key=_preference)
    return Attribution(
        named_generator(best) or "", basis_of(best), tuple(dict.fromkeys(e.code for e in named))
    )


def candidates(evidence: Iterable[Evidence]) -> list[dict[str, Any]]:
    """Every generator the findings point to, with what each rests on (evidence codes, strongest first)
    and whether a finding names it (a mark, a manifest, a tag) or only fits it (a format, a size)."""
    table: dict[str, dict[str, Any]] = {}
    for e in sorted(evidence, key=lambda x: x.strength, reverse=True):
        named = named_generator(e)
        for g in candidates_of(e):
            row = table.setdefault(g, {"generator": g, "rests_on": [], "named": False, "strength": 0.0})
            if e.code not in row["rests_on"]:
                row["rests_on"].append(e.code)
            row["named"] = row["named"] or named is not None
            row["strength"] = max(row["strength"], round(e.strength, 3))
    return sorted(table.values(), key=lambda r: (not r["named"], -r["strength"], r["generator"]))


def candidates_sentence(rows: Sequence[dict[str, Any]]) -> str:
    """One sentence listing candidate generators and what each rests on ("" when there are none)."""
    if not rows:
        return ""
    parts = [f"{r['generator']} ({', '.join(r['rests_on'])})" for r in rows[:5]]
    more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
    return " No single generator is named: the findings fit " + "; ".join(parts) + more + ", candidates only."
