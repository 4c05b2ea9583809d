"""How the provenance findings word what a manifest states: who signed it, with what tool, where it sits
in the file's history, and whether its bindings hold.

Why this module exists: an evidence summary is what a fact-checker quotes, so its wording is built only
from what was signed (never a guessed model name) and says plainly what a claim does not show (an
unverified signer, a claim that covers one ingredient). `generator_label` is the attribution the verdict
carries ("Sora (OpenAI)", "a Google generator"); who signed it is said beside it, with the signer's trust.
"""

from __future__ import annotations

import re

from vidsleuth.signals.provenance.checks import (
    TRUST_CODES_EXPIRED,
    Link,
    bindings_intact,
    is_binding_failure,
    signer_trust,
)
from vidsleuth.signals.provenance.store import Action, Manifest, ManifestStore
from vidsleuth.signals.provenance.trust import INSTALL_HINT
from vidsleuth.signals.provenance.verdicts import TrustContext
from vidsleuth.signals.provenance.vocabulary import SOURCE_TYPE_MEANING

_CORPORATE = re.compile(r"[,\s]+(LLC|Inc\.?|Corp\.?|Corporation|Ltd\.?|Limited|GmbH|AG|plc|S\.A\.)$", re.I)
_GENERIC_TOOL = re.compile(r"\b(c2pa|c2patool|library|sdk|cli)\b", re.I)


def generator_label(manifest: Manifest, action: Action | None) -> str:
    """A label for attribution, built only from what was signed: the action's software agent, else a product
    name from the claim generator, else the signer's organisation ("a Google generator"). The signer is not
    part of the label: the finding names it, and the verdict says whether a trust list verified it."""
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
        return f"a {vendor} generator"
    return "an unnamed generator"


def trust_words(m: Manifest, trust: TrustContext) -> str:
    """The signer's trust in words: the list that trusted it and its date, or why none did."""
    verdict = trust.of(m)
    if verdict is not None and (verdict.result != "not_checked" or not trust.configured):
        if verdict.result == "not_checked":
            return "signer trust not checked: no trust list installed"
        return verdict.words()
    if not trust.configured:
        return "signer trust not checked: no trust list installed"
    state = signer_trust(m)
    if state == "trusted":
        return "on the trust list"
    return "not on the trust list" if state == "untrusted" else f"signer trust {state}"


def signed_by(m: Manifest, trust: TrustContext) -> str:
    """Who signed, with what is known of the certificate: its name, trust, revocation, expiry."""
    who = m.signer.issuer or m.signer.common_name or "an unnamed signer"
    notes = [f"certificate '{m.signer.common_name}'"] if m.signer.issuer and m.signer.common_name else []
    notes.append(trust_words(m, trust))
    verdict = trust.of(m)
    failed = m.validation.failed_codes | frozenset(m.recorded_failures)
    if "signingCredential.revoked" in failed and not (verdict and verdict.result == "revoked"):
        notes.append("certificate revoked")
    if failed & TRUST_CODES_EXPIRED and not (verdict and verdict.result == "expired"):
        notes.append(
            "certificate expired" + ("" if m.signer.time else " (no time-stamp: judged at today's date)")
        )
    elif failed & TRUST_CODES_EXPIRED and not m.signer.time:
        notes.append("no time-stamp: judged at today's date")
    return f"{who} ({'; '.join(notes)})"


def not_trusted_why(m: Manifest, trust: TrustContext) -> str:
    """Why a signer is not verified, as the end of "The signer ..."."""
    if not trust.configured:
        return f"was not checked: no trust list is installed ({INSTALL_HINT})"
    verdict = trust.of(m)
    if verdict is not None and verdict.result == "trusted" and verdict.trusted_by is not None:
        return f"is trusted only by the {verdict.trusted_by.title}, not by the C2PA Trust List"
    tried = ", ".join(verdict.lists_tried) if verdict and verdict.lists_tried else "the configured list"
    return f"is not on the trust lists tried ({tried})"


def tool_name(m: Manifest) -> str:
    """The claim generator as signed (v2 tool names, else the v1 text)."""
    return ", ".join(m.claim_generator_info) or m.claim_generator or "unnamed"


def where(link: Link) -> str:
    """Where in the file's history a manifest sits: the file itself, an earlier version, an ingredient."""
    if link.role == "active":
        return "The file carries Content Credentials"
    title = (link.via.title or link.via.description) if link.via else None
    named = f" '{title}'" if title else ""
    if link.role == "derived":
        return f"The file derives (parentOf) from an earlier version{named} whose Content Credentials are"
    return f"An ingredient{named} ({link.relations[-1]}) of this file carries Content Credentials"


def binding_text(link: Link, bound: bool, store: ManifestStore) -> str:
    """Whether the claim is bound to these bytes, and if not, which checks broke."""
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


def action_text(action: Action, term: str) -> str:
    """An action with its tool, its description and its source type in words."""
    agent = f" with {action.software_agent}" if action.software_agent else ""
    quote = f' ("{action.description}")' if action.description else ""
    verb = action.action.removeprefix("c2pa.")
    return f"{verb} ({action.action}){agent}{quote} as {term}, {SOURCE_TYPE_MEANING.get(term, term)}"
