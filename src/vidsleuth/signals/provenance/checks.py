"""What a manifest's validation results mean: are its claims bound to these bytes, is its signer trusted,
and how does it reach the file?

Why this module exists: c2pa sums a manifest up in one word (`validation_state`), which is "Invalid" for a
genuine Sora file only because its certificate is untrusted and expired. The signal keeps the questions
apart instead, by reading the status codes (C2PA specification, "Validation" chapter): bindings (content
hash, hashed links, claim signature), signer trust (the trust list, expiry, revocation), and the chain of
ingredient links from the active manifest to each other manifest. The findings and the metrics both ask
these questions here.
"""

from __future__ import annotations

from dataclasses import dataclass

from vidsleuth.signals.provenance.metrics import SignerTrust
from vidsleuth.signals.provenance.store import Ingredient, Manifest, ManifestStore

_TRUST_CODES_UNTRUSTED = frozenset(
    {"signingCredential.untrusted", "signingCredential.revoked", "signingCredential.invalid"}
)
TRUST_CODES_EXPIRED = frozenset({"signingCredential.expired", "claimSignature.outsideValidity"})
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
CONTENT_HASH_PREFIXES = ("assertion.dataHash.", "assertion.bmffHash.", "assertion.boxesHash.")
_CONTENT_HASH_MATCH = ("assertion.dataHash.match", "assertion.bmffHash.match", "assertion.boxesHash.match")


def is_binding_failure(code: str) -> bool:
    """Failures that mean the manifest no longer vouches for these bytes (C2PA "Validation" chapter)."""
    if code == "claimSignature.outsideValidity":  # a certificate-time question, reported under trust
        return False
    return code.startswith(_BINDING_PREFIXES) or code in _BINDING_CODES


def is_trust_failure(code: str) -> bool:
    return (
        code.startswith(("signingCredential.", "timeStamp."))
        or code in TRUST_CODES_EXPIRED
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


def signer_trust(manifest: Manifest) -> SignerTrust:
    """trusted | untrusted | expired | unknown. For an ingredient whose signer this reader did not re-judge
    (c2pa reports only changes since the ingredient was recorded), fall back to what was recorded."""
    failed, passed = manifest.validation.failed_codes, manifest.validation.passed_codes
    if not any(c.startswith("signingCredential.") for c in failed | passed):
        failed = failed | frozenset(manifest.recorded_failures)
        passed = passed | frozenset(manifest.recorded_passed)
    if failed & _TRUST_CODES_UNTRUSTED:
        return "untrusted"
    if failed & TRUST_CODES_EXPIRED:
        return "expired"
    if "signingCredential.trusted" in passed:
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


def path_bound(link: Link, store: ManifestStore) -> bool:
    """Whether every manifest from the active one down to this one still holds its bindings."""
    active = store.active
    path = link.path if active is None or link.path[0] is active else (active, *link.path)
    return all(bindings_intact(m, active=m is active) for m in path)
