"""The provenance metrics: each manifest of a store as the report's C2PA panel shows it, with its signer's
trust against the lists tried and the identities it names.

Why this module exists: `findings.py` judges; this turns a store and its trust context into the typed
`ProvenanceMetrics` (metrics.py) that the report stores and the panel reads back. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from vidsleuth.signals.provenance.checks import bindings_intact, signer_trust
from vidsleuth.signals.provenance.metrics import (
    ActionRecord,
    Check,
    IdentityRecord,
    IngredientRecord,
    ManifestRecord,
    ProvenanceMetrics,
    SignerRecord,
    SignerTrust,
    TrustListRecord,
    TrustRecord,
    ValidationRecord,
)
from vidsleuth.signals.provenance.store import Action, Manifest, ManifestStore, StatusEntry
from vidsleuth.signals.provenance.trust import TrustList
from vidsleuth.signals.provenance.verdicts import TrustContext
from vidsleuth.signals.provenance.wording import trust_words


def list_records(lists: Sequence[TrustList]) -> tuple[TrustListRecord, ...]:
    return tuple(
        TrustListRecord(
            key=t.key,
            level=t.level,
            title=t.title,
            as_of=t.as_of,
            next_update=t.next_update,
            stale=t.stale,
            certificates=t.certificates,
            tsa_certificates=t.tsa_certificates,
            sha256=t.sha256,
            source=t.source,
        )
        for t in lists
    )


def empty_metrics(
    trust: TrustContext | str, *, present: bool = False, problems: Sequence[str] = ()
) -> ProvenanceMetrics:
    """Metrics when no manifest could be read (`present`: a store is visibly there but unreadable)."""
    if isinstance(trust, str):
        return ProvenanceMetrics(manifest_present=present, trust_list=trust, trust_problems=tuple(problems))
    return ProvenanceMetrics(
        manifest_present=present,
        trust_list=trust.label,
        trust_lists=list_records(trust.lists),
        trust_mode=trust.mode,
        trust_problems=tuple(problems),
    )


def _checks(entries: Sequence[StatusEntry]) -> tuple[Check, ...]:
    return tuple(Check(e.code, e.explanation) for e in entries)


def _action(a: Action) -> ActionRecord:
    return ActionRecord(a.action, a.software_agent, a.digital_source_type, a.when)


def trust_record(m: Manifest, trust: TrustContext) -> TrustRecord:
    v = trust.of(m)
    if v is None:  # a store judged without passes (unit tests): the status codes alone
        state = signer_trust(m) if trust.configured else "unknown"
        result = {"trusted": "trusted", "untrusted": "not_on_list", "expired": "expired"}.get(
            state, "not_checked"
        )
        return TrustRecord(result=result, summary=trust_words(m, trust))
    t = v.trusted_by
    return TrustRecord(
        result=v.result,
        trusted_by=t.title if t else None,
        level=t.level if t else None,
        as_of=t.as_of if t else None,
        via=v.via,
        lists_tried=v.lists_tried,
        steps=v.steps,
        timestamp=v.timestamp,
        revocation=v.revocation,
        summary=trust_words(m, trust),
    )


def trust_word(m: Manifest, trust: TrustContext) -> SignerTrust:
    """The signer's trust state in the one word every place of the report uses for it (the trust record's
    result): trusted | not_on_list | expired | revoked | not_checked. c2pa itself says "untrusted" when no
    trust list was given at all, which is "not checked", never "not on the list" (issue #12)."""
    return _WORDS.get(trust_record(m, trust).result, "not_checked")


_WORDS: dict[str, SignerTrust] = {
    "trusted": "trusted",
    "not_on_list": "not_on_list",
    "expired": "expired",
    "revoked": "revoked",
    "not_checked": "not_checked",
}


def store_metrics(
    store: ManifestStore, trust: TrustContext, problems: Sequence[str] = ()
) -> ProvenanceMetrics:
    """The C2PA panel's data, one entry per manifest, the active one first."""
    entries: list[ManifestRecord] = []
    for m in store.manifests:
        ingredients: list[IngredientRecord] = []
        for ing in m.ingredients:
            own = store.get(ing.manifest_label) if ing.manifest_label else None
            now = [e.code for e in own.validation.failed] if own else []
            ingredients.append(
                IngredientRecord(
                    title=ing.title or ing.description,
                    relationship=ing.relationship,
                    format=ing.format,
                    has_manifest=ing.manifest_label is not None,
                    validation_failures=tuple(dict.fromkeys([*ing.recorded_failures, *now])),
                )
            )
        signer = m.signer
        verdict = trust.of(m)
        entries.append(
            ManifestRecord(
                label=m.label,
                title=m.title,
                claim_generator=m.claim_generator,
                claim_generator_info=m.claim_generator_info,
                signer=SignerRecord(
                    signer.issuer, signer.common_name, signer.alg, signer.time, signer.cert_serial
                ),
                actions=tuple(_action(a) for a in m.actions),
                digital_source_types=m.digital_source_types,
                ingredients=tuple(ingredients),
                assertion_labels=m.assertion_labels,
                bindings_intact=bindings_intact(m, active=m.label == store.active_label),
                signer_trust=trust_word(m, trust),
                validation=ValidationRecord(
                    _checks(m.validation.passed),
                    _checks(m.validation.failed),
                    _checks(m.validation.informational),
                ),
                trust=trust_record(m, trust),
                identities=tuple(
                    IdentityRecord(
                        i.sig_type,
                        i.named,
                        (verdict.identity if verdict else None) or "not judged: named, not verified",
                    )
                    for i in m.identities
                ),
            )
        )
    return ProvenanceMetrics(
        manifest_present=True,
        trust_list=trust.label,
        validation_state=store.validation_state,
        active_manifest=store.active_label,
        manifests=tuple(entries),
        trust_lists=list_records(trust.lists),
        trust_mode=trust.mode,
        trust_problems=tuple(problems),
    )
