"""Signer trust per manifest, across the reads against each trust list: which list trusted it, as of when,
or why none did (not on the list, expired, revoked); what the time-stamp and the stapled OCSP response
say; and whether a CAWG identity credential checked out.

Why this module exists: `reader.read_passes` reads the file once per list (official, legacy, the user's)
because c2pa cannot say which of several pooled lists trusted a signer. Here the passes become one answer
per manifest, and one store whose manifests carry the validation of the pass that decided them, so the
rest of the signal (`checks.py`, `findings.py`) reads a single store as before. Pure: tests feed it
synthetic passes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from vidsleuth.signals.provenance.checks import TRUST_CODES_EXPIRED, signer_trust
from vidsleuth.signals.provenance.reader import Pass
from vidsleuth.signals.provenance.store import Manifest, ManifestStore, StatusEntry
from vidsleuth.signals.provenance.trust import NO_TRUST_LIST, TrustList, TrustMode

TrustResult = Literal["trusted", "not_on_list", "expired", "revoked", "not_checked"]
OCSP_UNKNOWN = "unknown: OCSP not fetched (offline)"
OCSP_STAPLED = "not revoked (OCSP response stapled in the manifest at signing)"
TS_NONE = "none"
_STEP_WORDS = {
    "trusted": "trusted",
    "revoked": "revoked",
    "expired": "not trusted: certificate expired and the time-stamp authority is not on this list either",
    "chain_expired": "chain on the list, but certificate expired and time-stamp authority not on it",
    "untrusted": "not on the list",
}


@dataclass(frozen=True, slots=True)
class SignerVerdict:
    """One manifest's signer against the lists tried, in order."""

    result: TrustResult
    trusted_by: TrustList | None = None  # the first list that trusted the signer
    via: str | None = None  # "anchor" | "allowed end-entity certificate"
    lists_tried: tuple[str, ...] = ()  # list keys, in order
    expired: bool = False  # the certificate has expired and no trusted time-stamp shows it signed in time
    timestamp: str = TS_NONE
    revocation: str = OCSP_UNKNOWN
    identity: str | None = None  # CAWG identity credential check, in words, when the manifest has one
    steps: tuple[str, ...] = ()  # each list tried and its answer, e.g. "c2pa-official: expired"
    chain_on: TrustList | None = None  # expired: the first list that holds its chain nonetheless

    @property
    def official(self) -> bool:
        return self.trusted_by is not None and self.trusted_by.level == "official"

    def words(self) -> str:
        """The trust line, e.g. "trusted by the C2PA Trust List (as of 2026-08-05)"."""
        if self.result == "trusted" and self.trusted_by is not None:
            t = self.trusted_by
            when = f" (as of {t.as_of})" if t.as_of else ""
            how = (
                ", as an allowed end-entity certificate"
                if self.via == "allowed end-entity certificate"
                else ""
            )
            if t.level == "legacy":
                return f"trusted only by the {t.title}{when}{how}, not by the C2PA Trust List"
            return f"trusted by the {t.title}{when}{how}"
        if self.result == "revoked":
            return "certificate revoked"
        if self.result == "not_checked":
            return "not checked: no trust list" + ("; certificate expired" if self.expired else "")
        tried = ", ".join(self.lists_tried) or "no list"
        if self.result == "expired" and self.chain_on is not None:
            return (
                f"certificate expired: its chain is on the {self.chain_on.title}, but no trusted time-stamp "
                "shows it was signed while valid"
            )
        if self.result == "expired":
            return (
                "certificate expired and no trusted time-stamp shows it was signed in time "
                f"(lists tried: {tried})"
            )
        return f"not on the lists tried ({tried})"


@dataclass(frozen=True, slots=True)
class TrustContext:
    """What the findings and the metrics need to word trust: the lists used and each manifest's verdict."""

    label: str = NO_TRUST_LIST  # the report's one-line account of the lists
    lists: tuple[TrustList, ...] = ()
    mode: TrustMode | None = None  # how a user list combined with the installed ones
    verdicts: Mapping[str, SignerVerdict] = field(default_factory=dict)

    @property
    def configured(self) -> bool:
        return bool(self.lists)

    def of(self, manifest: Manifest) -> SignerVerdict | None:
        return self.verdicts.get(manifest.label)


def _codes(m: Manifest) -> tuple[list[StatusEntry], frozenset[str]]:
    v = m.validation
    entries = [*v.passed, *v.failed, *v.informational]
    codes = frozenset(e.code for e in entries)
    live = {c for c in codes if c.startswith("signingCredential.") and c != "signingCredential.ocsp.skipped"}
    if not live:  # an ingredient this reader did not re-judge: what was recorded when it was taken in
        codes = codes | frozenset(m.recorded_failures) | frozenset(m.recorded_passed)
    return entries, codes


def _one(m: Manifest) -> tuple[str, str | None, bool]:
    """(trusted | revoked | chain_expired | expired | untrusted, via, expired) for one manifest in one
    pass. `chain_expired`: the chain is on the list (signingCredential.trusted) but the certificate has
    expired and no trusted time-stamp shows it signed in time (c2pa reports both codes)."""
    entries, codes = _codes(m)
    expired = bool(codes & TRUST_CODES_EXPIRED)
    if codes & {"signingCredential.revoked", "signingCredential.ocsp.revoked"}:
        return "revoked", None, expired
    how = next((e.explanation for e in entries if e.code == "signingCredential.trusted"), "")
    via = "allowed end-entity certificate" if "found in []" in how else "anchor"
    if signer_trust(m) == "trusted":
        return "trusted", via, expired
    if expired and "signingCredential.trusted" in codes:
        return "chain_expired", via, expired
    return ("expired" if expired else "untrusted"), None, expired


def _timestamp(m: Manifest, trust: TrustList | None) -> str:
    entries, codes = _codes(m)
    if "timeStamp.trusted" in codes:
        how = next((e.explanation for e in entries if e.code == "timeStamp.trusted"), "")
        if how.lower().startswith("legacy timestamp"):
            return "accepted without a list (the c2pa-rs rule for claim-v1 time-stamps)"
        return f"trusted by the {trust.title}" if trust else "trusted"
    if "timeStamp.untrusted" in codes:
        return f"authority not on the {trust.title}" if trust else "authority not trusted"
    if codes & {"timeStamp.validated", "timeStamp.mismatch", "timeStamp.malformed"}:
        return "present, its authority not judged" if "timeStamp.validated" in codes else "damaged"
    return TS_NONE


def _revocation(m: Manifest) -> str:
    _, codes = _codes(m)
    if codes & {"signingCredential.revoked", "signingCredential.ocsp.revoked"}:
        return "revoked"
    if "signingCredential.ocsp.notRevoked" in codes:
        return OCSP_STAPLED
    return OCSP_UNKNOWN


def _identity(m: Manifest) -> str | None:
    if not m.identities:
        return None
    codes = {e.code for e in (*m.validation.passed, *m.validation.failed, *m.validation.informational)}
    cawg = {c for c in codes if c.startswith("cawg.")}
    bad = sorted(c for c in cawg if c.endswith(("mismatch", "invalid", "malformed")))
    if bad:
        return "identity assertion invalid (" + ", ".join(bad) + ")"
    if any(c.endswith("credential.trusted") for c in cawg):
        return "signature valid, credential trusted"
    if any(c.endswith("credential.untrusted") for c in cawg):
        return "signature valid, credential not on a trust list vidsleuth holds: named, not verified"
    if any(c.endswith(("signature.validated", "well-formed")) for c in cawg):
        return "signature valid, credential not judged: named, not verified"
    return "not judged by the reader: named, not verified"


def judge(passes: Sequence[Pass]) -> tuple[ManifestStore, dict[str, SignerVerdict]]:
    """One store (each manifest with the validation of the pass that decided it) and one verdict per
    manifest. `passes` are in precedence order; a manifest is decided by the first list that trusts it or
    revokes it, else by the first pass."""
    first = passes[0].store
    verdicts: dict[str, SignerVerdict] = {}
    decided: dict[str, Manifest] = {}
    for m in first.manifests:
        tried: list[str] = []
        steps: list[str] = []
        result: str | None = None
        chosen = m
        chosen_list: TrustList | None = None
        via: str | None = None
        expired_any = False
        chain_on: TrustList | None = None
        timestamp, revocation = TS_NONE, OCSP_UNKNOWN
        for p in passes:
            here = p.store.get(m.label)
            if here is None:
                continue
            if p.trust is not None:
                tried.append(p.trust.key)
            outcome, how, expired = _one(here)
            expired_any = expired_any or expired
            if p.trust is not None:
                steps.append(f"{p.trust.key}: {_STEP_WORDS[outcome]}")
                if outcome == "chain_expired" and chain_on is None:
                    chain_on, chosen = p.trust, here
            ts = _timestamp(here, p.trust)
            if timestamp == TS_NONE or (ts.startswith("trusted") and not timestamp.startswith("trusted")):
                timestamp = ts
            rev = _revocation(here)
            if revocation == OCSP_UNKNOWN or rev == "revoked":
                revocation = rev
            if p.trust is not None and outcome in ("trusted", "revoked"):
                result, chosen, chosen_list, via = outcome, here, p.trust, how
                break
        if not tried:
            final: TrustResult = "revoked" if result == "revoked" else "not_checked"
        elif result == "trusted":
            final = "trusted"
        elif result == "revoked":
            final = "revoked"
        else:
            final = "expired" if expired_any else "not_on_list"
        verdicts[m.label] = SignerVerdict(
            result=final,
            trusted_by=chosen_list if final == "trusted" else None,
            via=via if final == "trusted" else None,
            lists_tried=tuple(tried),
            expired=expired_any and final != "trusted",
            timestamp=timestamp,
            revocation=revocation,
            identity=_identity(chosen),
            steps=tuple(steps),
            chain_on=chain_on if final == "expired" else None,
        )
        decided[m.label] = chosen
    manifests = tuple(
        replace(
            m, validation=decided[m.label].validation, identities=m.identities or decided[m.label].identities
        )
        for m in first.manifests
    )
    active = first.active_label
    state = first.validation_state
    if active is not None:
        for p in passes:
            if p.store.get(active) is decided.get(active):
                state = p.store.validation_state
                break
    return replace(first, manifests=manifests, validation_state=state), verdicts
