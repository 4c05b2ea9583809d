"""What the provenance signal found in the file's Content Credentials: every C2PA manifest, as data.

The signal writes `ProvenanceMetrics` and its report panel reads it back (`SignalResult.metrics_as`), so the
shape is declared here once; the JSON keys are those the report has always stored (docs/report-schema.md,
docs/signals/provenance.md), plus the trust keys added in 1.1.0.
Every text field is attacker-controlled: anyone can sign a manifest saying
anything. Values a report read back may lack come back as their defaults: None where "not reported" must
not read as a measured answer (`bindings_intact`, `has_manifest`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vidsleuth.core.metrics import SignalMetrics

# One word per trust state, the same in `signer_trust`, `trust.result` and the panel (since 1.1.1); reports of
# 1.0 and 1.1.0 also hold "untrusted" (not on the list, or no list given) and "unknown".
SignerTrust = Literal["trusted", "not_on_list", "expired", "revoked", "not_checked", "untrusted", "unknown"]


@dataclass(frozen=True, slots=True)
class Check:
    """One validation status code (C2PA specification, "Validation" chapter) and c2pa's explanation."""

    code: str
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class ValidationRecord:
    """What the validator checked for one manifest, in its three lists (never one word)."""

    passed: tuple[Check, ...] = ()
    failed: tuple[Check, ...] = ()
    informational: tuple[Check, ...] = ()


@dataclass(frozen=True, slots=True)
class SignerRecord:
    """The claim signature's certificate, as the manifest reports it."""

    issuer: str | None = None  # organisation of the signing certificate
    common_name: str | None = None
    alg: str | None = None
    time: str | None = None  # signing time from the time-stamp, when there is one
    cert_serial: str | None = None


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """One entry of a `c2pa.actions` assertion; `digital_source_type` is the IPTC term."""

    action: str = ""  # e.g. c2pa.created
    software_agent: str | None = None
    digital_source_type: str | None = None
    when: str | None = None


@dataclass(frozen=True, slots=True)
class IngredientRecord:
    """An asset the manifest's content was made from."""

    title: str | None = None  # its title, else its description
    relationship: str | None = None  # parentOf | componentOf | inputTo
    format: str | None = None
    has_manifest: bool | None = None  # whether it has its own manifest in the store
    validation_failures: tuple[str, ...] = ()  # recorded when it was taken in, and found now


@dataclass(frozen=True, slots=True)
class TrustRecord:
    """The signer checked against the trust lists, in order: which list trusted it and as of when, or why
    none did; what the time-stamp and a stapled OCSP response say (docs/signals/provenance.md)."""

    result: str = "not_checked"  # trusted | not_on_list | expired | revoked | not_checked
    trusted_by: str | None = None  # title of the list that trusted it
    level: str | None = None  # official | legacy | user
    as_of: str | None = None  # that list's date
    via: str | None = None  # anchor | allowed end-entity certificate
    lists_tried: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()  # each list tried and its answer
    timestamp: str | None = None
    revocation: str | None = None
    summary: str = ""  # the trust line, in words


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    """A CAWG identity assertion: who it names, and whether its credential checked out."""

    sig_type: str = ""
    named: str = ""
    status: str = ""


@dataclass(frozen=True, slots=True)
class TrustListRecord:
    """One trust list the signers were checked against."""

    key: str = ""
    level: str = ""  # official | legacy | user
    title: str = ""
    as_of: str | None = None
    next_update: str | None = None
    stale: bool = False  # past its next update
    certificates: int = 0
    tsa_certificates: int = 0
    sha256: str = ""
    source: str | None = None  # repository@commit


@dataclass(frozen=True, slots=True)
class ManifestRecord:
    """One manifest of the store, with this reader's judgement of its bindings and its signer."""

    label: str = ""
    title: str | None = None
    claim_generator: str | None = None  # claim v1 free text
    claim_generator_info: tuple[str, ...] = ()  # claim v2 tool names
    signer: SignerRecord = SignerRecord()
    actions: tuple[ActionRecord, ...] = ()
    digital_source_types: tuple[str, ...] = ()  # IPTC terms from its actions and metadata assertions
    ingredients: tuple[IngredientRecord, ...] = ()
    assertion_labels: tuple[str, ...] = ()
    bindings_intact: bool | None = None  # the claim is bound to these exact bytes (see checks.py)
    signer_trust: SignerTrust = "unknown"
    validation: ValidationRecord = ValidationRecord()
    trust: TrustRecord = TrustRecord()  # since 1.1.0
    identities: tuple[IdentityRecord, ...] = ()  # since 1.1.0


@dataclass(frozen=True, slots=True)
class ProvenanceMetrics(SignalMetrics):
    manifest_present: bool = False
    trust_list: str | None = None  # which trust list signers were checked against, in words
    validation_state: str | None = None  # c2pa's one word (Invalid | Valid | Trusted), kept, not relied on
    active_manifest: str | None = None  # label of the manifest that binds the file
    manifests: tuple[ManifestRecord, ...] = ()  # the active one first
    trust_lists: tuple[TrustListRecord, ...] = ()  # since 1.1.0: the lists tried, in order
    trust_mode: str | None = None  # add | replace: how the user's anchors combined with the installed lists
    trust_problems: tuple[str, ...] = ()  # installed lists that could not be used, one line each
