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

from typing import TYPE_CHECKING

from vidsleuth.core.evidence import Evidence, Hypothesis
from vidsleuth.core.result import SignalResult
from vidsleuth.core.signal import AnalysisContext, Signal
from vidsleuth.signals.provenance.findings import assess, empty_metrics
from vidsleuth.signals.provenance.metrics import ProvenanceMetrics
from vidsleuth.signals.provenance.options import ProvenanceOptions
from vidsleuth.signals.provenance.reader import (
    RemoteManifestError,
    UnreadableManifestError,
    UnsupportedFormatError,
    mime_for,
    read_manifest_store,
    reader_available,
)
from vidsleuth.signals.provenance.store import ManifestStore
from vidsleuth.signals.provenance.trust import NO_TRUST_LIST, TrustAnchors, TrustAnchorsError

if TYPE_CHECKING:
    from vidsleuth.core.panel import Panel


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
    METRICS = ProvenanceMetrics
    EVIDENCE_NAMESPACE = "c2pa"

    @classmethod
    def is_available(cls) -> tuple[bool, str]:
        return reader_available()

    @classmethod
    def panel(cls) -> Panel:
        from vidsleuth.signals.provenance.panel import ProvenancePanel

        return ProvenancePanel()

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
