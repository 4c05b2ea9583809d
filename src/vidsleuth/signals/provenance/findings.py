"""The provenance findings: what the file's manifests state (AI generation, a capture, a composite), how
strongly that counts, and what is wrong with them; and the metrics the report's C2PA panel shows.

Why this module exists: it is the signal's judgement, kept pure so that unit tests feed it synthetic
manifest stores (`assess`). The rules, explained with their strengths in docs/signals/provenance.md:

- An AI assertion whose bindings hold is decisive whether or not its signer is on a trust list: a claim
  of generation incriminates its own signer, so forging one is not a threat worth modelling.
- A capture claim argues the opposite (authenticity), so there the signer's trust matters, and which list
  vouches for it: the C2PA Trust List (or the user's own list) counts more than the legacy CAI list.
- The verdict may name the signer of an AI claim as verified only when the C2PA Trust List (or the
  user's list) trusts it (`data.attribution_grade`).
- A claim on an ingredient placed as a component (or on an input that was then generated) covers part of
  the file, not all of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vidsleuth.core.evidence import Evidence, Hypothesis, JSONValue, Strength
from vidsleuth.signals.provenance.checks import (
    CONTENT_HASH_PREFIXES,
    TRUST_CODES_EXPIRED,
    Link,
    chain,
    is_binding_failure,
    is_trust_failure,
    path_bound,
    signer_trust,
)
from vidsleuth.signals.provenance.metrics import ProvenanceMetrics
from vidsleuth.signals.provenance.records import empty_metrics, store_metrics, trust_word

__all__ = ["assess", "empty_metrics"]
from vidsleuth.signals.provenance.store import Action, Manifest, ManifestStore
from vidsleuth.signals.provenance.trust import INSTALL_HINT
from vidsleuth.signals.provenance.verdicts import TrustContext
from vidsleuth.signals.provenance.vocabulary import (
    AI_FULL_TERMS,
    AI_PART_TERMS,
    CAPTURE_TERMS,
    SOURCE_TYPE_MEANING,
)
from vidsleuth.signals.provenance.wording import (
    action_text,
    binding_text,
    generator_label,
    not_trusted_why,
    signed_by,
    tool_name,
    where,
)

# Strengths on the shared scale (core/evidence.py); the doc card explains each.
AI_BOUND = float(Strength.DECISIVE)  # AI assertion, bindings hold (trusted or not)
AI_UNBOUND = 0.5  # AI assertion, but the file changed after signing or the manifest is damaged
CAPTURE_TRUSTED = 0.92  # capture claim in the active manifest, trusted signer, bindings hold
CAPTURE_TRUSTED_DERIVED = 0.85  # capture claim reached through parentOf links, every signer trusted
CAPTURE_LEGACY = 0.85  # active capture claim whose signer only the legacy CAI list trusts
CAPTURE_LEGACY_DERIVED = 0.75  # ... reached through parentOf links
CAPTURE_UNTRUSTED = 0.6  # capture claim in the active manifest, bindings hold, signer not trusted
CAPTURE_UNTRUSTED_DERIVED = float(Strength.MODERATE)
# capture claim for one component of an edit, or for an input the file's credentials say was then generated
CAPTURE_PART = float(Strength.WEAK)
CAPTURE_UNBOUND = 0.2
BINDINGS_BROKEN = float(Strength.MODERATE)
INGREDIENT_BROKEN = float(Strength.WEAK)


@dataclass(frozen=True, slots=True)
class _Claim:
    link: Link
    action: Action
    term: str
    bound: bool


def _trusted(path: Sequence[Manifest]) -> bool:
    return all(signer_trust(x) == "trusted" for x in path)


def _legacy_only(path: Sequence[Manifest], trust: TrustContext) -> bool:
    """Some signer on the path is trusted only by the legacy list (not the official one, not the user's)."""
    return any(
        (v := trust.of(x)) is not None and v.trusted_by is not None and v.trusted_by.level == "legacy"
        for x in path
    )


def _trust_data(m: Manifest, trust: TrustContext) -> dict[str, JSONValue]:
    v = trust.of(m)
    if v is None:
        return {"trust": "trusted" if signer_trust(m) == "trusted" else "not_checked"}
    t = v.trusted_by
    return {
        "trust": v.result,
        "trusted_by": t.title if t else None,
        "trust_level": t.level if t else None,
        "trust_as_of": t.as_of if t else None,
    }


def _claims(links: Sequence[Link], store: ManifestStore) -> list[_Claim]:
    out: list[_Claim] = []
    for link in links:
        bound = path_bound(link, store)
        actions = list(link.manifest.actions) + [
            Action("c2pa.created", digital_source_type=t) for t in link.manifest.metadata_source_types
        ]
        out.extend(_Claim(link, a, t, bound) for a in actions if (t := a.digital_source_type))
    return out


def _ai_evidence(claims: Sequence[_Claim], store: ManifestStore, trust: TrustContext) -> Evidence | None:
    def scope(c: _Claim) -> str | None:
        if c.term in AI_PART_TERMS:
            return "partial"
        if c.term in AI_FULL_TERMS:
            full = c.action.action == "c2pa.created" and c.link.role in ("active", "derived")
            return "full" if full else "partial"
        return None

    found = [(c, s) for c in claims if (s := scope(c))]
    if not found:
        return None
    rank = {"active": 0, "derived": 1, "component": 2}
    found.sort(key=lambda cs: (cs[1] != "full", not cs[0].bound, rank.get(cs[0].link.role, 3)))
    best, best_scope = found[0]
    m = best.link.manifest
    generator = generator_label(m, best.action)
    trusted = _trusted(best.link.path)
    verified = best.bound and trusted and not _legacy_only(best.link.path, trust)
    text = (
        f"{where(best.link)} signed by {signed_by(m, trust)} stating it was "
        f"{action_text(best.action, best.term)}; {binding_text(best.link, best.bound, store)}."
    )
    if best_scope == "partial":
        text += " So part of this video, not necessarily all of it, is stated to be AI-generated."
    if len(found) > 1:
        text += f" The file's credentials make {len(found)} such claims in all (see the C2PA panel)."
    if best.bound and not trusted:
        text += " An AI claim incriminates its own signer, so an unverified signer does not weaken it."
    data: dict[str, JSONValue] = {
        "generator": generator,
        "signer": m.signer.common_name,
        "issuer": m.signer.issuer,
        "claim_generator": tool_name(m),
        "digital_source_type": best.term,
        "action": best.action.action,
        "software_agent": best.action.software_agent,
        "signed_at": m.signer.time,
        "manifest": m.label,
        "role": best.link.role,
        "trusted": trusted,
        "signer_trust": trust_word(m, trust),
        "bindings_intact": best.bound,
        "scope": best_scope,
        "claims": len(found),
        **_trust_data(m, trust),
        # fusion may name the signer as verified only from a signer the C2PA Trust List (or the user's own
        # list) trusts, on a claim still bound to the file
        "attribution_grade": verified,
        "attribution_source": "c2pa",
    }
    code = "c2pa.ai_generated_assertion" if best_scope == "full" else "c2pa.composite_ai_assertion"
    strength = AI_BOUND if best.bound else AI_UNBOUND
    return Evidence.supports(code, Hypothesis.AI_GENERATED, strength, text, data=data)


def _capture_evidence(
    claims: Sequence[_Claim], store: ManifestStore, trust: TrustContext, ai_full: bool
) -> Evidence | None:
    def strength(c: _Claim) -> float:
        trusted = _trusted(c.link.path)
        legacy = trusted and _legacy_only(c.link.path, trust)
        if not c.bound:
            return CAPTURE_UNBOUND
        if ai_full or c.link.role not in ("active", "derived"):
            return CAPTURE_PART
        if c.link.role == "active":
            return (CAPTURE_LEGACY if legacy else CAPTURE_TRUSTED) if trusted else CAPTURE_UNTRUSTED
        if trusted:
            return CAPTURE_LEGACY_DERIVED if legacy else CAPTURE_TRUSTED_DERIVED
        return CAPTURE_UNTRUSTED_DERIVED

    found = sorted((c for c in claims if c.term in CAPTURE_TERMS), key=strength, reverse=True)
    if not found:
        return None
    best = found[0]
    m = best.link.manifest
    value = strength(best)
    partial = ai_full or best.link.role not in ("active", "derived")
    text = (
        f"{where(best.link)} signed by {signed_by(m, trust)} stating it was "
        f"{action_text(best.action, best.term)}, claim generator '{tool_name(m)}'; "
        f"{binding_text(best.link, best.bound, store)}."
    )
    if partial:
        text += " The capture claim covers an ingredient, not the whole file" + (
            ", which the file's own credentials say was then generated." if ai_full else "."
        )
    elif best.bound and not _trusted(best.link.path):
        text += (
            f" The signer {not_trusted_why(m, trust)}, so this shows what was claimed, not that "
            f"{m.signer.issuer or 'the named signer'} made the claim."
        )
    elif best.bound and _legacy_only(best.link.path, trust):
        text += (
            f" The signer {not_trusted_why(m, trust)}: the legacy list was frozen on 2026-01-01 and its "
            "entries were not vetted under the C2PA conformance programme."
        )
    data: dict[str, JSONValue] = {
        "device": tool_name(m),
        "signer": m.signer.common_name,
        "issuer": m.signer.issuer,
        "digital_source_type": best.term,
        "signed_at": m.signer.time,
        "manifest": m.label,
        "role": best.link.role,
        "trusted": _trusted(best.link.path),
        "signer_trust": trust_word(m, trust),
        "bindings_intact": best.bound,
        "scope": "partial" if partial else "full",
        **_trust_data(m, trust),
    }
    return Evidence.supports("c2pa.capture_assertion", Hypothesis.PROVENANCE_ATTESTED, value, text, data=data)


def _integrity_evidence(links: Sequence[Link], store: ManifestStore) -> list[Evidence]:
    out = []
    active = store.active
    if active is not None:
        broken = [e for e in active.validation.failed if is_binding_failure(e.code)]
        if broken:
            content = any(e.code.startswith(CONTENT_HASH_PREFIXES) for e in broken)
            what = (
                "the content changed after signing (re-encoded, trimmed or edited)"
                if content
                else "the manifest itself was altered or damaged after signing"
            )
            codes = sorted({e.code for e in broken})
            out.append(
                Evidence.supports(
                    "c2pa.bindings_broken",
                    Hypothesis.EDITED,
                    BINDINGS_BROKEN,
                    f"The active manifest (claim generator '{tool_name(active)}') no longer matches the file "
                    f"({', '.join(codes)}): {what}, so what it states describes an earlier version.",
                    data={"codes": codes, "content_changed": content, "manifest": active.label},
                )
            )
        other = sorted(
            {e.code for e in active.validation.failed}
            - {e.code for e in broken}
            - {e.code for e in active.validation.failed if is_trust_failure(e.code)}
        )
        if other:
            out.append(
                Evidence.info(
                    "c2pa.validation_issues",
                    Hypothesis.PROVENANCE_ATTESTED,
                    f"The active manifest fails further checks that do not touch its bindings or its signer: "
                    f"{', '.join(other)}.",
                    data={"codes": other, "manifest": active.label},
                )
            )
    for link in links:
        if link.role == "active" or link.via is None:
            continue
        failed = link.manifest.validation.failed
        codes = sorted({e.code for e in failed})
        if not set(codes) - {"signingCredential.untrusted"}:  # "untrusted" alone: see the trust list note
            continue
        notes = "; ".join(
            sorted({f"{e.code} ({e.explanation})" if e.explanation else e.code for e in failed})
        )
        if set(codes) & TRUST_CODES_EXPIRED and not link.manifest.signer.time:
            notes += "; the manifest has no time-stamp, so its certificate is judged at today's date"
        damaged = any(is_binding_failure(c) for c in codes)
        title = link.via.title or link.via.description or link.manifest.title or "untitled"
        text = (
            f"The credentials of ingredient '{title}' ({link.via.relationship}, signed by "
            f"{link.manifest.signer.issuer or 'an unnamed signer'}) fail validation: {notes}. "
            + (
                "Its manifest no longer matches what was recorded, so that part of the history is unreliable."
                if damaged
                else "Its signature and links hold; the failure concerns the signer's certificate or the "
                "record's form, not the content."
            )
        )
        data: dict[str, JSONValue] = {"codes": codes, "ingredient": title, "manifest": link.manifest.label}
        if damaged:
            out.append(
                Evidence.supports(
                    "c2pa.invalid_ingredient", Hypothesis.EDITED, INGREDIENT_BROKEN, text, data=data
                )
            )
        else:
            out.append(
                Evidence.info("c2pa.invalid_ingredient", Hypothesis.PROVENANCE_ATTESTED, text, data=data)
            )
    return out


def _trust_evidence(store: ManifestStore, trust: TrustContext) -> list[Evidence]:
    """Who the CAWG identity assertions name, and a note when no trust list was there to check signers."""
    out = []
    for m in store.manifests:
        verdict = trust.of(m)
        for ident in m.identities:
            status = (verdict.identity if verdict else None) or "not judged: named, not verified"
            out.append(
                Evidence.info(
                    "c2pa.identity_assertion",
                    Hypothesis.PROVENANCE_ATTESTED,
                    f"The credentials signed by {m.signer.issuer or 'an unnamed signer'} carry a CAWG "
                    f"identity assertion ({ident.sig_type}) naming '{ident.named}'; {status}. It says who "
                    "the signer states took part, not what the video shows.",
                    data={
                        "named": ident.named,
                        "sig_type": ident.sig_type,
                        "status": status,
                        "manifest": m.label,
                    },
                )
            )
    if not trust.configured and store.manifests:
        out.append(
            Evidence.info(
                "c2pa.trust_not_checked",
                Hypothesis.PROVENANCE_ATTESTED,
                "Signer trust was not checked: no trust list is installed, so every signer reads as "
                f"unverified. To check it, {INSTALL_HINT}.",
            )
        )
    return out


def assess(
    store: ManifestStore, trust: TrustContext | None = None, problems: Sequence[str] = ()
) -> tuple[list[Evidence], ProvenanceMetrics]:
    """Evidence and metrics for a manifest store. Pure: unit tests feed it synthetic stores."""
    trust = trust or TrustContext()
    links = chain(store)
    claims = _claims(links, store)
    evidence: list[Evidence] = []
    ai = _ai_evidence(claims, store, trust)
    ai_full = ai is not None and ai.data.get("scope") == "full"
    if ai is not None:
        evidence.append(ai)
    capture = _capture_evidence(claims, store, trust, ai_full)
    if capture is not None:
        evidence.append(capture)
    if ai is None:
        active = store.active or (store.manifests[0] if store.manifests else None)
        actions = sorted({a.action for m in store.manifests for a in m.actions}) or ["none recorded"]
        evidence.append(
            Evidence.info(
                "c2pa.manifest_no_ai_assertion",
                Hypothesis.AI_GENERATED,
                f"The file carries Content Credentials ({len(store.manifests)} manifest(s); active claim "
                f"generator '{tool_name(active) if active else 'unknown'}', signed by "
                f"{signed_by(active, trust) if active else 'unknown'}) that make no statement of "
                f"generative AI (actions: {', '.join(actions)}). Credentials without an AI assertion do not "
                "show the content is authentic: a generator can omit one.",
                data={"actions": actions},
            )
        )
    other = sorted({c.term for c in claims} - AI_FULL_TERMS - AI_PART_TERMS - CAPTURE_TERMS)
    if other:
        meanings = "; ".join(
            f"{t}: {SOURCE_TYPE_MEANING.get(t, 'not in the IPTC vocabulary')}" for t in other
        )
        evidence.append(
            Evidence.info(
                "c2pa.other_source_type",
                Hypothesis.PROVENANCE_ATTESTED,
                f"The credentials declare other digital source types ({meanings}).",
                data={"digital_source_types": other},
            )
        )
    evidence.extend(_integrity_evidence(links, store))
    evidence.extend(_trust_evidence(store, trust))
    return evidence, store_metrics(store, trust, problems)
