"""The provenance signal: what the file's Content Credentials (C2PA manifests) state, and how far to trust it.

Why it exists: a C2PA manifest is the one trace that can *state* where a video came from, signed by whoever
made it. Sora, Veo and Firefly sign their output as `trainedAlgorithmicMedia`; some cameras sign theirs as
`digitalCapture`. This signal reads every manifest in the file (the active one and those of its ingredients)
and keeps three questions apart instead of c2pa's one-word `validation_state`:

- bindings: do the content hash, the hashed assertion links and the claim signature still match, i.e. are
  the claims bound to these exact bytes? A hash mismatch means the content changed after signing.
- signer trust: which trust list vouches for the signing certificate, as of which date: the C2PA Trust
  List, the legacy CAI list (a second, named level) or the user's own anchors (added or replacing), all
  installed locally and checked offline (`trustlists.py`, `verdicts.py`); not on any of them; expired;
  revoked per a stapled OCSP response. Without a list, trust is simply not checked, and the report says
  how to install one.
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
    ListRejectedError,
    Pass,
    RemoteManifestError,
    UnreadableManifestError,
    UnsupportedFormatError,
    mime_for,
    read_passes,
    reader_available,
)
from vidsleuth.signals.provenance.trust import (
    INSTALL_HINT,
    NO_TRUST_LIST,
    TrustAnchorsError,
    TrustList,
    TrustMode,
    describe,
)
from vidsleuth.signals.provenance.trustlists import load_installed, resolve_trust_dir
from vidsleuth.signals.provenance.verdicts import TrustContext, judge

if TYPE_CHECKING:
    from vidsleuth.core.panel import Panel


def _trust_unusable(problems: list[str], left: list[TrustList]) -> Evidence:
    rest = (
        f"signers were checked against the other lists ({', '.join(t.key for t in left)})"
        if left
        else "signer trust was not checked"
    )
    return Evidence.info(
        "c2pa.trust_list_unusable",
        Hypothesis.PROVENANCE_ATTESTED,
        f"A configured trust list could not be used ({'; '.join(problems)}); {rest}.",
        data={"caveat": True, "problems": problems},
    )


def trust_setup(options: ProvenanceOptions) -> tuple[list[TrustList], list[str], list[str]]:
    """The lists to check signers against, in precedence order; the problems (lists that could not be
    used) and the notes (lists used with a caveat). Never raises."""
    lists: list[TrustList] = []
    problems: list[str] = []
    notes: list[str] = []
    if options.trust_mode == "add" and options.trust_levels:
        installed = load_installed(resolve_trust_dir(options.trust_lists), options.trust_levels)
        lists.extend(installed.lists)
        problems.extend(installed.problems)
        notes.extend(installed.notes)
    if options.trust_anchors:
        try:
            lists.append(TrustList.user(options.trust_anchors))
        except TrustAnchorsError as exc:
            problems.append(str(exc))
    return lists, problems, notes


def trust_label(lists: list[TrustList], mode: TrustMode | None, problems: list[str]) -> str:
    if lists:
        return describe(lists, mode)
    if problems:
        return f"{NO_TRUST_LIST} (the configured lists could not be read)"
    return f"{NO_TRUST_LIST} (no trust list installed: {INSTALL_HINT})"


class ProvenanceSignal(Signal):
    """Content Credentials: who signed what claim about this file, and whether the claim still binds."""

    NAME = "provenance"
    VERSION = "1.1.1"
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
        lists, problems, notes = trust_setup(options)
        mode: TrustMode | None = options.trust_mode if options.trust_anchors else None
        path = ctx.source.path
        mime = mime_for(path) or mime_for(ctx.source.name, ctx.media.container)

        def read() -> tuple[Pass, ...] | None:
            while True:
                try:
                    return read_passes(path, mime=mime, lists=lists, isolate=isolate, timeout_s=timeout_s)
                except ListRejectedError as exc:  # c2pa refused one list: drop it and read again
                    problems.append(str(exc))
                    kept = [t for t in lists if t.key != exc.key]
                    if len(kept) == len(lists):
                        kept = []
                    lists[:] = kept

        try:
            passes = read()
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
            return SignalResult.ok(
                self.NAME,
                self.VERSION,
                [*self._problems(problems, lists), *evidence],
                self._empty(lists, mode, problems, notes),
            )
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
            metrics = self._empty(lists, mode, problems, notes, present=exc.manifest_marker)
            return SignalResult.ok(
                self.NAME, self.VERSION, [*self._problems(problems, lists), *evidence], metrics
            )
        if passes is None:
            evidence.append(
                Evidence.info(
                    "c2pa.no_manifest",
                    Hypothesis.PROVENANCE_ATTESTED,
                    "No Content Credentials found; most re-uploads strip them, so their absence proves "
                    "nothing.",
                )
            )
            return SignalResult.ok(
                self.NAME,
                self.VERSION,
                [*self._problems(problems, lists), *evidence],
                self._empty(lists, mode, problems, notes),
            )
        store, verdicts = judge(passes)
        trust = TrustContext(trust_label(lists, mode, problems), tuple(lists), mode, verdicts)
        found, metrics = assess(store, trust, [*problems, *notes])
        return SignalResult.ok(self.NAME, self.VERSION, [*self._problems(problems, lists), *found], metrics)

    @staticmethod
    def _problems(problems: list[str], lists: list[TrustList]) -> list[Evidence]:
        return [_trust_unusable(problems, lists)] if problems else []

    @staticmethod
    def _empty(
        lists: list[TrustList],
        mode: TrustMode | None,
        problems: list[str],
        notes: list[str],
        *,
        present: bool = False,
    ) -> ProvenanceMetrics:
        trust = TrustContext(trust_label(lists, mode, problems), tuple(lists), mode)
        return empty_metrics(trust, present=present, problems=[*problems, *notes])
