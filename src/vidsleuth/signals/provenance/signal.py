"""The provenance signal: what the file's Content Credentials (C2PA manifests) state, and how far to trust it.

Why it exists: a C2PA manifest is the one trace that can *state* where a video came from, signed by whoever
made it. Sora, Veo and Firefly sign their output as `trainedAlgorithmicMedia`; some cameras sign theirs as
`digitalCapture`. This signal reads every manifest in the file (the active one and those of its ingredients)
and keeps three questions apart instead of c2pa's one-word `validation_state`:

- bindings: do the content hash, the hashed assertion links and the claim signature still match, i.e. are
  the claims bound to these exact bytes? A hash mismatch means the content changed after signing.
- signer trust: is the signing certificate on the trust list the user supplied (`trusted`), not on it
  (`untrusted`), or expired? Without a trust list, trust is simply not checked.
- assertions: what the manifests claim (generated, composite, captured) and who signed the claim.

An AI assertion whose bindings hold is decisive whether or not its signer is on a trust list: a claim of
generation incriminates its own signer, so forging one is not a threat worth modelling. A capture claim
argues the opposite (authenticity), so there the signer's trust matters. Strengths and codes are explained
in docs/signals/provenance.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from vidsleuth.core.evidence import Evidence, Hypothesis, JSONValue, Strength
from vidsleuth.core.result import SignalResult
from vidsleuth.core.signal import AnalysisContext, Signal
from vidsleuth.signals.provenance.c2pa_reader import (
    Action,
    Ingredient,
    Manifest,
    ManifestStore,
    RemoteManifestError,
    TrustAnchors,
    TrustAnchorsError,
    UnreadableManifestError,
    UnsupportedFormatError,
    mime_for,
    read_manifest_store,
    reader_available,
)
from vidsleuth.signals.provenance.options import ProvenanceOptions

NO_TRUST_LIST = "none: signer trust not checked"

# Strengths on the shared scale (core/evidence.py); the doc card explains each.
AI_BOUND = float(Strength.DECISIVE)  # AI assertion, bindings hold (trusted or not)
AI_UNBOUND = 0.5  # AI assertion, but the file changed after signing or the manifest is damaged
CAPTURE_TRUSTED = 0.92  # capture claim in the active manifest, trusted signer, bindings hold
CAPTURE_TRUSTED_DERIVED = 0.85  # capture claim reached through parentOf links, every signer trusted
CAPTURE_UNTRUSTED = 0.6  # capture claim in the active manifest, bindings hold, signer not trusted
CAPTURE_UNTRUSTED_DERIVED = float(Strength.MODERATE)
# capture claim for one component of an edit, or for an input the file's credentials say was then generated
CAPTURE_PART = float(Strength.WEAK)
CAPTURE_UNBOUND = 0.2
BINDINGS_BROKEN = float(Strength.MODERATE)
INGREDIENT_BROKEN = float(Strength.WEAK)

# IPTC Digital Source Type vocabulary (https://cv.iptc.org/newscodes/digitalsourcetype/), which C2PA actions
# use for `digitalSourceType`; short meanings in our own words. Terms not listed are reported verbatim.
AI_FULL_TERMS = frozenset({"trainedAlgorithmicMedia"})
AI_PART_TERMS = frozenset({"compositeWithTrainedAlgorithmicMedia"})
CAPTURE_TERMS = frozenset({"digitalCapture", "computationalCapture", "negativeFilm", "positiveFilm", "print"})
SOURCE_TYPE_MEANING = {
    "trainedAlgorithmicMedia": "made by a trained model (generative AI)",
    "compositeWithTrainedAlgorithmicMedia": "a composite that includes generative-AI material",
    "algorithmicMedia": "made by an algorithm without training data (procedural, not generative AI)",
    "digitalCapture": "captured from real life by a digital camera or recorder",
    "computationalCapture": "several real-life captures merged by signal processing (e.g. HDR)",
    "negativeFilm": "digitised from film negative",
    "positiveFilm": "digitised from film positive",
    "print": "digitised from a print",
    "compositeCapture": "a composite of real-life captures",
    "compositeSynthetic": "a composite that includes synthetic (not necessarily AI) elements",
    "composite": "a composite of several elements",
    "humanEdits": "edited by people with non-generative tools",
    "minorHumanEdits": "minor human edits (retired term)",
    "algorithmicallyEnhanced": "modified by an algorithm without generating new content",
    "digitalArt": "made by people with digital tools",
    "digitalCreation": "made with digital tools (retired term)",
    "softwareImage": "produced by software (retired term)",
    "dataDrivenMedia": "rendered from data (charts, visualisations)",
    "screenCapture": "a recording of a screen",
    "virtualRecording": "a recording of a virtual scene (e.g. a game)",
}

_TRUST_CODES_UNTRUSTED = frozenset(
    {"signingCredential.untrusted", "signingCredential.revoked", "signingCredential.invalid"}
)
_TRUST_CODES_EXPIRED = frozenset({"signingCredential.expired", "claimSignature.outsideValidity"})
_BINDING_PREFIXES = (
    "claimSignature.",
    "claim.",
    "assertion.hashedURI.",
    "assertion.dataHash.",
    "assertion.bmffHash.",
    "assertion.boxesHash.",
    "assertion.collectionHash.",
    "ingredient.",
    "manifest.",
    "hardBindings.",
)
_BINDING_CODES = frozenset(
    {"assertion.missing", "assertion.multipleHardBindings", "assertion.undeclared", "assertion.inaccessible"}
)
_CONTENT_HASH_PREFIXES = ("assertion.dataHash.", "assertion.bmffHash.", "assertion.boxesHash.")
_CONTENT_HASH_MATCH = ("assertion.dataHash.match", "assertion.bmffHash.match", "assertion.boxesHash.match")
_CORPORATE = re.compile(r"[,\s]+(LLC|Inc\.?|Corp\.?|Corporation|Ltd\.?|Limited|GmbH|AG|plc|S\.A\.)$", re.I)
_GENERIC_TOOL = re.compile(r"\b(c2pa|c2patool|library|sdk|cli)\b", re.I)


# ---------------------------------------------------------------------------------------------- judging
def is_binding_failure(code: str) -> bool:
    """Failures that mean the manifest no longer vouches for these bytes (C2PA "Validation" chapter)."""
    if code == "claimSignature.outsideValidity":  # a certificate-time question, reported under trust
        return False
    return code.startswith(_BINDING_PREFIXES) or code in _BINDING_CODES


def is_trust_failure(code: str) -> bool:
    return (
        code.startswith(("signingCredential.", "timeStamp."))
        or code in _TRUST_CODES_EXPIRED
        or (code.startswith("cawg.") and code.endswith("credential.untrusted"))
    )


def bindings_intact(manifest: Manifest, *, active: bool) -> bool:
    """Active manifest: the claim signature validated, a content hash matched, and nothing broke. An
    ingredient's manifest hashes the ingredient's own bytes, which are not in this file, so for it: none of
    the checks the reader could run (signature, hashed links, the hash its parent recorded) failed."""
    v = manifest.validation
    if any(is_binding_failure(c) for c in v.failed_codes):
        return False
    if not active:
        return True
    return "claimSignature.validated" in v.passed_codes and any(
        c in v.passed_codes for c in _CONTENT_HASH_MATCH
    )


def signer_trust(manifest: Manifest) -> str:
    """trusted | untrusted | expired | unknown. For an ingredient whose signer this reader did not re-judge
    (c2pa reports only changes since the ingredient was recorded), fall back to what was recorded."""
    failed = manifest.validation.failed_codes
    if not any(c.startswith("signingCredential.") for c in failed | manifest.validation.passed_codes):
        failed = failed | frozenset(manifest.recorded_failures)
    if failed & _TRUST_CODES_UNTRUSTED:
        return "untrusted"
    if failed & _TRUST_CODES_EXPIRED:
        return "expired"
    if "signingCredential.trusted" in manifest.validation.passed_codes:
        return "trusted"
    return "unknown"


@dataclass(frozen=True, slots=True)
class Link:
    """How a manifest reaches the file: the chain of manifests from the active one, and their relations."""

    manifest: Manifest
    path: tuple[Manifest, ...]  # active manifest first, this one last
    relations: tuple[str, ...]  # ingredient relationship of each step ("unlinked": not reachable)
    via: Ingredient | None = None

    @property
    def role(self) -> str:
        if not self.relations:
            return "active"
        if all(r == "parentOf" for r in self.relations):
            return "derived"
        return "component"


def chain(store: ManifestStore) -> list[Link]:
    """Every manifest with its link to the file, breadth-first from the active manifest."""
    out: list[Link] = []
    active = store.active
    seen: set[str] = set()
    if active is not None:
        queue = [Link(active, (active,), ())]
        seen.add(active.label)
        while queue:
            link = queue.pop(0)
            out.append(link)
            for ing in link.manifest.ingredients:
                child = store.get(ing.manifest_label) if ing.manifest_label else None
                if child is not None and child.label not in seen:
                    seen.add(child.label)
                    relation = ing.relationship or "unknown"
                    queue.append(Link(child, (*link.path, child), (*link.relations, relation), ing))
    out.extend(Link(m, (m,), ("unlinked",)) for m in store.manifests if m.label not in seen)
    return out


def _bound(link: Link, store: ManifestStore) -> bool:
    active = store.active
    path = link.path if active is None or link.path[0] is active else (active, *link.path)
    return all(bindings_intact(m, active=m is active) for m in path)


# ---------------------------------------------------------------------------------------------- wording
def generator_label(manifest: Manifest, action: Action | None) -> str:
    """A label for attribution, built only from what was signed: the action's software agent, else a product
    name from the claim generator, else the signer's organisation ("a Google generator, signed by ...")."""
    issuer = manifest.signer.issuer
    vendor = _CORPORATE.sub("", issuer).strip() if issuer else None
    tool = next(iter(manifest.claim_generator_info), None)
    if tool is None and manifest.claim_generator:
        tool = manifest.claim_generator.split()[0].split("/")[0].replace("_", " ")
    name = (action.software_agent if action else None) or (
        tool if tool and not _GENERIC_TOOL.search(tool) else None
    )
    if name:
        return f"{name} ({vendor})" if vendor and vendor.lower() not in name.lower() else name
    if vendor:
        return f"a {vendor} generator, signed by {issuer}"
    return "an unnamed generator"


def _signed_by(m: Manifest, trust_configured: bool) -> str:
    who = m.signer.issuer or m.signer.common_name or "an unnamed signer"
    notes = [f"certificate '{m.signer.common_name}'"] if m.signer.issuer and m.signer.common_name else []
    trust = signer_trust(m)
    if trust == "trusted":
        notes.append("on the supplied trust list")
    elif not trust_configured:
        notes.append("signer trust not checked: no trust list")
    elif trust == "untrusted":
        notes.append("not on the supplied trust list")
    failed = m.validation.failed_codes | frozenset(m.recorded_failures)
    if "signingCredential.revoked" in failed:
        notes.append("certificate revoked")
    if failed & _TRUST_CODES_EXPIRED:
        notes.append(
            "certificate expired" + ("" if m.signer.time else " (no time-stamp: judged at today's date)")
        )
    return f"{who} ({'; '.join(notes)})" if notes else who


def _tool(m: Manifest) -> str:
    return ", ".join(m.claim_generator_info) or m.claim_generator or "unnamed"


def _where(link: Link) -> str:
    if link.role == "active":
        return "The file carries Content Credentials"
    title = (link.via.title or link.via.description) if link.via else None
    named = f" '{title}'" if title else ""
    if link.role == "derived":
        return f"The file derives (parentOf) from an earlier version{named} whose Content Credentials are"
    return f"An ingredient{named} ({link.relations[-1]}) of this file carries Content Credentials"


def _binding_text(link: Link, bound: bool, store: ManifestStore) -> str:
    if bound and link.role == "active":
        return (
            "the content hash and the claim signature still match, so the claim is bound to these exact bytes"
        )
    if bound:
        return (
            "the active manifest binds that record to these exact bytes, and the record's own signature and "
            "links check out"
        )
    broken = sorted({e.code for m in link.path for e in m.validation.failed if is_binding_failure(e.code)})
    if store.active is not None and not bindings_intact(store.active, active=True) and not broken:
        broken = ["content hash not confirmed"]
    return (
        f"but the bindings do not hold ({', '.join(broken) or 'not confirmed'}), so the claim may describe "
        "an earlier or different version of the file"
    )


def _action_text(action: Action, term: str) -> str:
    agent = f" with {action.software_agent}" if action.software_agent else ""
    quote = f' ("{action.description}")' if action.description else ""
    verb = action.action.removeprefix("c2pa.")
    return f"{verb} ({action.action}){agent}{quote} as {term}, {SOURCE_TYPE_MEANING.get(term, term)}"


# ---------------------------------------------------------------------------------------------- evidence
@dataclass(frozen=True, slots=True)
class _Claim:
    link: Link
    action: Action
    term: str
    bound: bool


def _claims(links: Sequence[Link], store: ManifestStore) -> list[_Claim]:
    out: list[_Claim] = []
    for link in links:
        bound = _bound(link, store)
        actions = list(link.manifest.actions) + [
            Action("c2pa.created", digital_source_type=t) for t in link.manifest.metadata_source_types
        ]
        out.extend(_Claim(link, a, t, bound) for a in actions if (t := a.digital_source_type))
    return out


def _ai_evidence(claims: Sequence[_Claim], store: ManifestStore, trust_configured: bool) -> Evidence | None:
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
    trusted = all(signer_trust(x) == "trusted" for x in best.link.path)
    text = (
        f"{_where(best.link)} signed by {_signed_by(m, trust_configured)} stating it was "
        f"{_action_text(best.action, best.term)}; {_binding_text(best.link, best.bound, store)}."
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
        "claim_generator": _tool(m),
        "digital_source_type": best.term,
        "action": best.action.action,
        "software_agent": best.action.software_agent,
        "signed_at": m.signer.time,
        "manifest": m.label,
        "role": best.link.role,
        "trusted": trusted,
        "signer_trust": signer_trust(m),
        "bindings_intact": best.bound,
        "scope": best_scope,
        "claims": len(found),
    }
    code = "c2pa.ai_generated_assertion" if best_scope == "full" else "c2pa.composite_ai_assertion"
    strength = AI_BOUND if best.bound else AI_UNBOUND
    return Evidence.supports(code, Hypothesis.AI_GENERATED, strength, text, data=data)


def _capture_evidence(
    claims: Sequence[_Claim], store: ManifestStore, trust_configured: bool, ai_full: bool
) -> Evidence | None:
    def strength(c: _Claim) -> float:
        trusted = all(signer_trust(x) == "trusted" for x in c.link.path)
        if not c.bound:
            return CAPTURE_UNBOUND
        if ai_full or c.link.role not in ("active", "derived"):
            return CAPTURE_PART
        if c.link.role == "active":
            return CAPTURE_TRUSTED if trusted else CAPTURE_UNTRUSTED
        return CAPTURE_TRUSTED_DERIVED if trusted else CAPTURE_UNTRUSTED_DERIVED

    found = sorted((c for c in claims if c.term in CAPTURE_TERMS), key=strength, reverse=True)
    if not found:
        return None
    best = found[0]
    m = best.link.manifest
    value = strength(best)
    partial = ai_full or best.link.role not in ("active", "derived")
    text = (
        f"{_where(best.link)} signed by {_signed_by(m, trust_configured)} stating it was "
        f"{_action_text(best.action, best.term)}, claim generator '{_tool(m)}'; "
        f"{_binding_text(best.link, best.bound, store)}."
    )
    if partial:
        text += " The capture claim covers an ingredient, not the whole file" + (
            ", which the file's own credentials say was then generated." if ai_full else "."
        )
    elif best.bound and value < CAPTURE_TRUSTED_DERIVED:
        why = (
            "is not on the supplied trust list"
            if trust_configured
            else "was not checked against a trust list"
        )
        text += (
            f" The signer {why}, so this shows what was claimed, not that "
            f"{m.signer.issuer or 'the named signer'} made the claim."
        )
    data: dict[str, JSONValue] = {
        "device": _tool(m),
        "signer": m.signer.common_name,
        "issuer": m.signer.issuer,
        "digital_source_type": best.term,
        "signed_at": m.signer.time,
        "manifest": m.label,
        "role": best.link.role,
        "trusted": all(signer_trust(x) == "trusted" for x in best.link.path),
        "signer_trust": signer_trust(m),
        "bindings_intact": best.bound,
        "scope": "partial" if partial else "full",
    }
    return Evidence.supports("c2pa.capture_assertion", Hypothesis.PROVENANCE_ATTESTED, value, text, data=data)


def _integrity_evidence(links: Sequence[Link], store: ManifestStore) -> list[Evidence]:
    out = []
    active = store.active
    if active is not None:
        broken = [e for e in active.validation.failed if is_binding_failure(e.code)]
        if broken:
            content = any(e.code.startswith(_CONTENT_HASH_PREFIXES) for e in broken)
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
                    f"The active manifest (claim generator '{_tool(active)}') no longer matches the file "
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
        if set(codes) & _TRUST_CODES_EXPIRED and not link.manifest.signer.time:
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


def assess(
    store: ManifestStore, *, trust_label: str = NO_TRUST_LIST, trust_configured: bool = False
) -> tuple[list[Evidence], dict[str, JSONValue]]:
    """Evidence and metrics for a manifest store. Pure: unit tests feed it synthetic stores."""
    links = chain(store)
    claims = _claims(links, store)
    evidence: list[Evidence] = []
    ai = _ai_evidence(claims, store, trust_configured)
    ai_full = ai is not None and ai.data.get("scope") == "full"
    if ai is not None:
        evidence.append(ai)
    capture = _capture_evidence(claims, store, trust_configured, ai_full)
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
                f"generator '{_tool(active) if active else 'unknown'}', signed by "
                f"{_signed_by(active, trust_configured) if active else 'unknown'}) that make no statement of "
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
    return evidence, store_metrics(store, trust_label)


# ---------------------------------------------------------------------------------------------- metrics
def empty_metrics(trust_label: str, *, present: bool = False) -> dict[str, JSONValue]:
    return {
        "manifest_present": present,
        "trust_list": trust_label,
        "validation_state": None,
        "active_manifest": None,
        "manifests": [],
    }


def store_metrics(store: ManifestStore, trust_label: str) -> dict[str, JSONValue]:
    """The C2PA panel's data, one entry per manifest (the report renders it; keep the shape stable)."""
    entries: list[JSONValue] = []
    for m in store.manifests:
        ingredients: list[JSONValue] = []
        for ing in m.ingredients:
            own = store.get(ing.manifest_label) if ing.manifest_label else None
            now = [e.code for e in own.validation.failed] if own else []
            ingredients.append(
                {
                    "title": ing.title or ing.description,
                    "relationship": ing.relationship,
                    "format": ing.format,
                    "has_manifest": ing.manifest_label is not None,
                    "validation_failures": list(dict.fromkeys([*ing.recorded_failures, *now])),
                }
            )
        entries.append(
            {
                "label": m.label,
                "title": m.title,
                "claim_generator": m.claim_generator,
                "claim_generator_info": list(m.claim_generator_info),
                "signer": m.signer.to_dict(),
                "actions": [a.to_dict() for a in m.actions],
                "digital_source_types": list(m.digital_source_types),
                "ingredients": ingredients,
                "assertion_labels": list(m.assertion_labels),
                "bindings_intact": bindings_intact(m, active=m.label == store.active_label),
                "signer_trust": signer_trust(m),
                "validation": m.validation.to_dict(),
            }
        )
    return {
        "manifest_present": True,
        "trust_list": trust_label,
        "validation_state": store.validation_state,
        "active_manifest": store.active_label,
        "manifests": entries,
    }


# ---------------------------------------------------------------------------------------------- signal
def _trust_unusable(exc: TrustAnchorsError) -> Evidence:
    return Evidence.info(
        "c2pa.trust_list_unusable",
        Hypothesis.PROVENANCE_ATTESTED,
        f"The configured trust list could not be used ({exc}); signer trust was not checked.",
        data={"caveat": True},
    )


class ProvenanceSignal(Signal):
    """Content Credentials: who signed what claim about this file, and whether the claim still binds."""

    NAME = "provenance"
    VERSION = "1.0.0"
    DESCRIPTION = "C2PA Content Credentials: AI or capture assertions, signer, bindings and trust."
    OPTIONS = ProvenanceOptions

    @classmethod
    def is_available(cls) -> tuple[bool, str]:
        return reader_available()

    def analyze(self, ctx: AnalysisContext) -> SignalResult:
        options = ProvenanceOptions.of(ctx.settings, self.NAME)
        isolate, timeout_s = options.isolate, options.timeout_s
        evidence: list[Evidence] = []
        trust: TrustAnchors | None = None
        trust_label = NO_TRUST_LIST
        if options.trust_anchors:
            try:
                trust = TrustAnchors.load(options.trust_anchors)
                trust_label = f"user-supplied: {trust.label}"
            except TrustAnchorsError as exc:
                evidence.append(_trust_unusable(exc))
                trust_label = f"{NO_TRUST_LIST} (the configured list could not be read)"
        path = ctx.source.path
        mime = mime_for(path) or mime_for(ctx.source.name, ctx.media.container)

        def read(anchors: TrustAnchors | None) -> ManifestStore | None:
            return read_manifest_store(path, mime=mime, trust=anchors, isolate=isolate, timeout_s=timeout_s)

        try:
            try:
                store = read(trust)
            except TrustAnchorsError as exc:  # c2pa itself rejected the PEM: read again without it
                evidence.append(_trust_unusable(exc))
                trust, trust_label = None, f"{NO_TRUST_LIST} (c2pa rejected the configured list)"
                store = read(None)
        except UnsupportedFormatError as exc:
            return SignalResult.not_applicable(
                self.NAME,
                self.VERSION,
                f"the C2PA reader does not support this container ({ctx.media.container}), so Content "
                f"Credentials could not be looked for ({exc})",
            )
        except RemoteManifestError as exc:
            evidence.append(
                Evidence.info(
                    "c2pa.remote_manifest",
                    Hypothesis.PROVENANCE_ATTESTED,
                    "The file points to Content Credentials stored elsewhere"
                    + (f" ({exc.url})" if exc.url else "")
                    + "; vidsleuth never fetches them, so they were not checked. Fetch and verify them "
                    "separately if they matter.",
                    data={"url": exc.url},
                )
            )
            return SignalResult.ok(self.NAME, self.VERSION, evidence, empty_metrics(trust_label))
        except UnreadableManifestError as exc:
            if exc.manifest_marker:
                evidence.append(
                    Evidence.info(
                        "c2pa.unreadable_manifest",
                        Hypothesis.PROVENANCE_ATTESTED,
                        f"The file contains a C2PA manifest store, but it could not be read ({exc}). A "
                        "damaged manifest states nothing either way.",
                        data={"error_kind": exc.kind, "error": str(exc)},
                    )
                )
            else:
                evidence.append(
                    Evidence.info(
                        "c2pa.read_error",
                        Hypothesis.PROVENANCE_ATTESTED,
                        f"The Content Credentials reader could not parse this file ({exc}); whether it "
                        "carries credentials is unknown.",
                        data={"error_kind": exc.kind, "error": str(exc)},
                    )
                )
            metrics = empty_metrics(trust_label, present=exc.manifest_marker)
            return SignalResult.ok(self.NAME, self.VERSION, evidence, metrics)
        if store is None:
            evidence.append(
                Evidence.info(
                    "c2pa.no_manifest",
                    Hypothesis.PROVENANCE_ATTESTED,
                    "No Content Credentials found; most re-uploads strip them, so their absence proves "
                    "nothing.",
                )
            )
            return SignalResult.ok(self.NAME, self.VERSION, evidence, empty_metrics(trust_label))
        found, metrics = assess(store, trust_label=trust_label, trust_configured=trust is not None)
        return SignalResult.ok(self.NAME, self.VERSION, [*evidence, *found], metrics)
