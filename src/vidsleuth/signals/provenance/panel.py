"""The Content Credentials section of the report: each C2PA manifest with its signer, the signer's trust,
whether its hash bindings hold, what it says the content is, its actions and ingredients, and the
validator's passed, failed and informational checks, listed apart.

Every field of a manifest is attacker-controlled (anyone can sign a manifest saying anything) and a report
may be read back from an edited file: the typed metrics (`metrics.py`) drop values of the wrong type, and
this module cuts long text and words what is missing. A manifest links to the findings that cite it (by
their `data.manifest` label), both ways.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vidsleuth.core.panel import Panel, PanelView
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.view import Linked, clip, linked, md_code, md_text
from vidsleuth.signals.provenance.metrics import Check, ManifestRecord, ProvenanceMetrics
from vidsleuth.signals.provenance.vocabulary import SOURCE_TYPE_MEANING, SYNTHETIC_TERMS, iptc_term

NO_MANIFEST = "No Content Credentials (C2PA) found — most re-uploads strip them; absence proves nothing."
UNLABELLED = "(unlabelled manifest)"
TEXT = 500  # characters of a title, a name or an explanation shown; the JSON keeps them all
LABEL = 300  # ... of a manifest label
CODE = 200  # ... of a status code
BINDINGS_MD = {True: "intact", False: "BROKEN (content changed after signing)", None: "not reported"}


@dataclass(frozen=True, slots=True)
class SourceType:
    term: str
    meaning: str | None
    synthetic: bool  # made by a program (generative AI, procedural or synthetic), not captured


@dataclass(frozen=True, slots=True)
class CheckView:
    code: str
    explanation: str


@dataclass(frozen=True, slots=True)
class ActionView:
    action: str | None
    software_agent: str
    digital_source_type: str
    when: str


@dataclass(frozen=True, slots=True)
class IngredientView:
    title: str | None
    relationship: str
    format: str
    has_manifest: str  # yes | no | —
    failures: str


@dataclass(frozen=True, slots=True)
class SignerView:
    common_name: str | None
    issuer: str | None
    time: str | None
    alg: str | None
    cert_serial: str | None


@dataclass(frozen=True, slots=True)
class TrustView:
    """The trust line of one manifest: the result, which list (and its date), time-stamp, revocation."""

    result: str  # trusted | not_on_list | expired | revoked | not_checked, or the 1.0 signer_trust word
    chip: str  # good | warn | bad | plain
    summary: str
    timestamp: str | None
    revocation: str | None
    steps: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IdentityView:
    sig_type: str
    named: str
    status: str


@dataclass(frozen=True, slots=True)
class ManifestView:
    link: Linked  # the manifest's id on the page and the findings that cite it
    label: str
    title: str | None
    active: bool
    claim_generator: str | None
    claim_generator_info: tuple[str, ...]
    signer: SignerView
    signer_trust: str  # trusted | untrusted | expired | unknown
    trust: TrustView
    identities: tuple[IdentityView, ...]
    bindings_intact: bool | None
    actions: tuple[ActionView, ...]
    source_types: tuple[SourceType, ...]
    ingredients: tuple[IngredientView, ...]
    assertion_labels: tuple[str, ...]
    passed: tuple[CheckView, ...]
    failed: tuple[CheckView, ...]
    informational: tuple[CheckView, ...]


@dataclass(frozen=True, slots=True)
class ProvenanceView:
    present: bool
    trust_list: str | None
    validation_state: str | None
    manifests: tuple[ManifestView, ...]
    trust_mode: str | None = None
    trust_problems: tuple[str, ...] = ()


_CHIPS = {
    "trusted": "good",
    "not_on_list": "bad",
    "untrusted": "bad",
    "revoked": "bad",
    "expired": "warn",
}
_RESULT_WORDS = {"not_on_list": "not on list", "not_checked": "not checked"}


def _trust(m: ManifestRecord, trust_list: str | None) -> TrustView:
    """The trust line; a 1.0 report (no trust record) shows its one word against the list it named."""
    t = m.trust
    if not t.summary:
        return TrustView(
            m.signer_trust,
            _CHIPS.get(m.signer_trust, "plain"),
            f"against {clip(trust_list or 'no trust list', TEXT)}",
            None,
            None,
        )
    legacy = t.result == "trusted" and t.level == "legacy"
    chip = "warn" if legacy else _CHIPS.get(t.result, "plain")
    word = "trusted (legacy list only)" if legacy else _RESULT_WORDS.get(t.result, t.result)
    return TrustView(
        clip(word, CODE),
        chip,
        clip(t.summary, TEXT),
        _text(t.timestamp),
        _text(t.revocation),
        tuple(clip(x, TEXT) for x in t.steps[:8] if x),
    )


def _text(value: str | None, limit: int = TEXT) -> str | None:
    return clip(value, limit) if value else None


def source_type(value: str) -> SourceType:
    """A digital source type (an IPTC term or its URI) in words."""
    term = iptc_term(value) or value
    return SourceType(clip(term, CODE), SOURCE_TYPE_MEANING.get(term), term in SYNTHETIC_TERMS)


def _checks(checks: tuple[Check, ...]) -> tuple[CheckView, ...]:
    return tuple(CheckView(clip(c.code, CODE), clip(c.explanation, TEXT)) for c in checks if c.code)


def _manifest(
    m: ManifestRecord, number: int, active_label: str | None, result: SignalResult, trust_list: str | None
) -> ManifestView:
    label = clip(m.label, LABEL) if m.label else UNLABELLED
    cites = [
        i
        for i, e in enumerate(result.evidence)
        if m.label and isinstance(e.data, Mapping) and e.data.get("manifest") == m.label
    ]
    s = m.signer
    return ManifestView(
        link=linked(f"c2pa-manifest-{number}", cites),
        label=label,
        title=_text(m.title),
        active=bool(m.label) and m.label == active_label,
        claim_generator=_text(m.claim_generator),
        claim_generator_info=tuple(clip(t, TEXT) for t in m.claim_generator_info if t),
        signer=SignerView(
            _text(s.common_name), _text(s.issuer), _text(s.time), _text(s.alg), _text(s.cert_serial)
        ),
        signer_trust=m.signer_trust,
        trust=_trust(m, trust_list),
        identities=tuple(
            IdentityView(clip(i.sig_type, CODE), clip(i.named, TEXT), clip(i.status, TEXT))
            for i in m.identities
        ),
        bindings_intact=m.bindings_intact,
        actions=tuple(
            ActionView(
                _text(a.action),
                _text(a.software_agent) or "",
                _text(a.digital_source_type) or "",
                _text(a.when) or "",
            )
            for a in m.actions
        ),
        source_types=tuple(source_type(t) for t in m.digital_source_types if t),
        ingredients=tuple(
            IngredientView(
                _text(i.title),
                _text(i.relationship) or "",
                _text(i.format) or "",
                {True: "yes", False: "no", None: "—"}[i.has_manifest],
                ", ".join(clip(f, TEXT) for f in i.validation_failures if f),
            )
            for i in m.ingredients
        ),
        assertion_labels=tuple(clip(t, TEXT) for t in m.assertion_labels if t),
        passed=_checks(m.validation.passed),
        failed=_checks(m.validation.failed),
        informational=_checks(m.validation.informational),
    )


def provenance_view(result: SignalResult) -> ProvenanceView | None:
    """The C2PA section's inputs, or None when the signal did not run or wrote no C2PA metrics."""
    if result.status is not Status.OK or "manifest_present" not in result.metrics:
        return None
    m = result.metrics_as(ProvenanceMetrics)
    manifests = tuple(
        _manifest(x, i, m.active_manifest, result, m.trust_list) for i, x in enumerate(m.manifests, 1)
    )
    return ProvenanceView(
        present=m.manifest_present or bool(manifests),
        trust_list=_text(m.trust_list),
        validation_state=_text(m.validation_state),
        manifests=manifests,
        trust_mode=_text(m.trust_mode),
        trust_problems=tuple(clip(p, TEXT) for p in m.trust_problems[:10] if p),
    )


def _manifest_lines(m: ManifestView) -> list[str]:
    who = m.signer.common_name or "an unnamed signer"
    issuer = f" (issued by {md_text(m.signer.issuer)})" if m.signer.issuer else ""
    when = f" at {md_text(m.signer.time)}" if m.signer.time else ""
    active = " (active)" if m.active else ""
    t = m.trust
    stamps = "".join(
        f"; {name}: {md_text(value)}"
        for name, value in (("time-stamp", t.timestamp), ("revocation", t.revocation))
        if value
    )
    lines = [
        f"- Manifest {md_code(m.label)}{active}: signed by {md_text(who)}{issuer}{when}",
        f"  - Signer trust: **{md_text(t.result)}**, {md_text(t.summary)}{stamps}; "
        f"hash bindings: **{BINDINGS_MD[m.bindings_intact]}**",
    ]
    if len(t.steps) > 1:
        lines.append("  - Lists tried: " + "; ".join(md_text(x) for x in t.steps))
    lines += [
        f"  - Identity ({md_code(i.sig_type)}): names {md_text(i.named)}; {md_text(i.status)}"
        for i in m.identities
    ]
    if m.claim_generator or m.claim_generator_info:
        made = "; ".join(md_text(t) for t in (m.claim_generator, *m.claim_generator_info) if t)
        lines.append(f"  - Made with: {made}")
    if m.source_types:
        kinds = ", ".join(
            f"{md_code(t.term)}{f' ({t.meaning})' if t.meaning else ''}" for t in m.source_types
        )
        lines.append(f"  - Digital source type: {kinds}")
    if m.actions:
        lines.append("  - Actions: " + ", ".join(md_code(a.action or "?") for a in m.actions))
    if m.ingredients:
        lines.append("  - Ingredients: " + ", ".join(md_text(i.title or "untitled") for i in m.ingredients))
    failed = ", ".join(md_code(c.code) for c in m.failed) or "none"
    lines.append(f"  - Validation: {len(m.passed)} passed; failed: {failed}")
    return lines


def _markdown(v: ProvenanceView) -> tuple[str, ...]:
    out = ["## Content Credentials (C2PA)", ""]
    if not v.present:
        out.append(NO_MANIFEST)
    else:
        out += [f"Validation state: **{md_text(v.validation_state or 'not reported')}**", ""]
        out += [f"Trust lists: {md_text(v.trust_list or 'none')}", ""]
        for m in v.manifests:
            out += _manifest_lines(m)
    out.append("")
    return tuple(out)


class ProvenancePanel(Panel):
    POSITION = 10

    def view(self, report: Report, result: SignalResult) -> PanelView | None:
        v = provenance_view(result)
        if v is None:
            return None
        return PanelView(
            anchor="c2pa",
            title="Content Credentials",
            context={"v": v, "no_manifest": NO_MANIFEST},
            links=tuple(m.link for m in v.manifests),
            markdown=_markdown(v),
        )
