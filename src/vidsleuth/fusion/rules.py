"""Fusion policy v1: explicit rules over the shared strength scale, written to be read by a person.

The rules, in order (strength names from vidsleuth.core.evidence):

1. Decisive evidence of generation (>= 0.90) and decisive evidence against it (a trusted capture
   claim, or a decisive refutation) at once: **inconclusive**, with both cited. Conflicts are for a
   person to resolve, never averaged away.
2. Decisive evidence of generation: **ai_generated** (or **partly_ai_generated** when every decisive
   finding says the generated material is only part of the video), high confidence.
3. Strong evidence of generation (>= 0.70) with nothing strong against it: **likely_ai_generated**,
   medium confidence. Several weak or moderate hints never add up to this: only a single strong finding
   can, so odd sizes and short shots alone can at most make a verdict "inconclusive — worth checking".
4. A signed capture claim (provenance_attested, >= 0.40, covering the whole file rather than a
   component) with no moderate or stronger hint of generation: **camera_original**, its confidence set
   by the claim's strength (trusted signer: high).
5. Any hint of generation, manipulation or editing: **inconclusive — worth checking**, low confidence.
6. Nothing: **no_indicators**, low confidence, with the caveat that absence of evidence is not proof.

Signals that failed or were skipped are listed as caveats, because a missing check weakens any verdict,
as are findings a signal flags with ``data["caveat"] = True`` (an unusable trust list, say).
Per-hypothesis scores are the noisy-OR of supporting strengths; they are shown for transparency, and
the rules above, not the scores, decide the label.

Findings that rest on one measured fact (``data["fact"]``) count once, in the scores and in the reasons;
a generator is named only by findings that name one, and when they do not agree (or only a format or
size fits a generator) the verdict lists candidates instead (`vidsleuth.fusion.facts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from vidsleuth.core.evidence import Evidence, Hypothesis, Stance
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.verdict import Confidence, Reason, Verdict, VerdictLabel
from vidsleuth.fusion import facts

POLICY = "rules@1"
DECISIVE = 0.9
STRONG = 0.7
MODERATE = 0.4
# How many further findings, beyond the ones that decided, are listed as supporting reasons.
_CONTEXT_REASONS = 4


def _noisy_or(strengths: Iterable[float]) -> float:
    miss = 1.0
    for s in strengths:
        miss *= 1.0 - s
    return 1.0 - miss


def _by_strength(items: Iterable[Evidence]) -> list[Evidence]:
    return sorted(items, key=lambda e: e.strength, reverse=True)


def _attribution(
    deciding: Sequence[Evidence], supporting: Sequence[Evidence]
) -> tuple[facts.Attribution | None, list[dict[str, Any]]]:
    """The generator the verdict names (from the deciding findings when they name one, else from the
    findings that name a generator at all, when they agree) and, when none is named, the candidates."""
    who = facts.attribution(deciding) or facts.attribution(supporting)
    if who is not None:
        return who, []
    return None, facts.candidates(supporting)


def _named(who: facts.Attribution | None, lead: str) -> str:
    """ " <lead> <generator>, <what the attribution rests on>", or "" when no generator is named."""
    if who is None:
        return ""
    named = f" {lead} {who.generator}" if lead else f" {who.generator}"
    return f"{named}, {who.basis}" if who.basis else named


def _extras(who: facts.Attribution | None, candidates: list[dict[str, Any]]) -> dict[str, Any]:
    if who is not None:
        basis = {"attribution_basis": who.basis} if who.basis else {}
        return {**basis, "attribution_evidence": list(who.codes)}
    return {"attribution_candidates": candidates} if candidates else {}


def _caveats(results: Sequence[SignalResult]) -> list[str]:
    """Failed and skipped signals, and findings a signal flagged with ``data["caveat"] = True``."""
    out = []
    for r in results:
        if r.status is Status.FAILED:
            out.append(f"The {r.signal} check could not run ({r.error}); its evidence is missing.")
        elif r.status is Status.SKIPPED:
            out.append(f"The {r.signal} check was skipped ({r.error}).")
        elif r.status is Status.OK:
            out.extend(e.summary for e in r.evidence if e.data.get("caveat") is True)
    return out


def fuse(results: Sequence[SignalResult]) -> Verdict:
    evidence = [e for r in results if r.status is Status.OK for e in r.evidence]
    measured = [e for e in evidence if e.stance is not Stance.INFORMATIONAL]
    active = facts.count_once(measured)  # one measured fact, one vote

    def _reason(e: Evidence) -> Reason:
        return facts.reason_for(e, measured)

    def pick(h: Hypothesis, stance: Stance, minimum: float = 0.0) -> list[Evidence]:
        return _by_strength(
            e for e in active if e.hypothesis is h and e.stance is stance and e.strength >= minimum
        )

    ai_for = pick(Hypothesis.AI_GENERATED, Stance.SUPPORTS)
    # Every finding for generation, each fact's rows included: what the candidates rest on.
    ai_all = [e for e in measured if e.hypothesis is Hypothesis.AI_GENERATED and e.stance is Stance.SUPPORTS]
    ai_against = pick(Hypothesis.AI_GENERATED, Stance.REFUTES)
    # A capture claim that covers only part of the file (a component of an edit) cannot attest the whole.
    attested = [
        e for e in pick(Hypothesis.PROVENANCE_ATTESTED, Stance.SUPPORTS) if e.data.get("scope") != "partial"
    ]
    other_hints = _by_strength(
        e
        for e in active
        if e.stance is Stance.SUPPORTS
        and e.hypothesis in (Hypothesis.FACE_MANIPULATED, Hypothesis.EDITED, Hypothesis.KNOWN_CONTENT)
    )

    scores = {h.value: round(_noisy_or(e.strength for e in pick(h, Stance.SUPPORTS)), 3) for h in Hypothesis}
    scores["ai_generated_against"] = round(_noisy_or(e.strength for e in ai_against), 3)
    caveats = _caveats(results)

    decisive_for = [e for e in ai_for if e.strength >= DECISIVE]
    decisive_against = [e for e in (*ai_against, *attested) if e.strength >= DECISIVE]
    strong_against = [e for e in (*ai_against, *attested) if e.strength >= STRONG]

    def context(exclude: Sequence[Evidence], hints: bool = True) -> list[Reason]:
        rest = [
            e
            for e in _by_strength(active)
            if e not in exclude and (hints or not (e.stance is Stance.SUPPORTS and "candidates" in e.data))
        ]
        return [_reason(e) for e in rest[:_CONTEXT_REASONS]]

    if decisive_for and decisive_against:
        cited = [decisive_for[0], decisive_against[0]]
        conflict_who = facts.attribution(decisive_for)
        return Verdict(
            label=VerdictLabel.INCONCLUSIVE,
            confidence=Confidence.LOW,
            summary=(
                "The evidence conflicts: one finding says the video was generated, another attests it "
                "as authentic. A person should resolve this before anything is published."
            ),
            scores=scores,
            reasons=tuple([_reason(e) for e in cited] + context(cited)),
            policy=POLICY,
            caveats=tuple(caveats),
            attribution=conflict_who.generator if conflict_who else None,
            worth_checking=True,
            extras=_extras(conflict_who, []),
        )

    if decisive_for:
        partial = all(e.data.get("scope") == "partial" for e in decisive_for)
        label = VerdictLabel.PARTLY_AI_GENERATED if partial else VerdictLabel.AI_GENERATED
        who, candidates = _attribution(decisive_for, ai_all)
        what = "contains generated material" if partial else "was made"
        summary = f"The file carries decisive evidence that it {what}{_named(who, 'by')}."
        if strong_against:
            caveats.insert(0, f"Evidence pointing the other way was also found: {strong_against[0].summary}")
        return Verdict(
            label=label,
            confidence=Confidence.HIGH if not strong_against else Confidence.MEDIUM,
            summary=summary,
            scores=scores,
            # A format or a crop that only fits some generators adds nothing to a decisive finding: it
            # stays in the evidence table, not among the reasons.
            reasons=tuple([_reason(e) for e in decisive_for] + context(decisive_for, hints=False)),
            policy=POLICY,
            caveats=tuple(caveats),
            attribution=who.generator if who else None,
            extras=_extras(who, candidates),
        )

    strong_for = [e for e in ai_for if e.strength >= STRONG]
    if strong_for and not strong_against:
        partial = all(e.data.get("scope") == "partial" for e in strong_for)
        who, candidates = _attribution(strong_for, ai_all)
        by = _named(who, "with")
        return Verdict(
            label=VerdictLabel.PARTLY_AI_GENERATED if partial else VerdictLabel.LIKELY_AI_GENERATED,
            confidence=Confidence.MEDIUM,
            summary=f"Strong, uncontradicted evidence suggests the video was generated{by}; it is not proof.",
            scores=scores,
            reasons=tuple([_reason(e) for e in strong_for] + context(strong_for)),
            policy=POLICY,
            caveats=tuple(caveats),
            attribution=who.generator if who else None,
            extras=_extras(who, candidates),
        )

    hints = [e for e in ai_for if e.strength >= MODERATE]
    if attested and attested[0].strength >= MODERATE and not hints:
        top = attested[0]
        confidence = (
            Confidence.HIGH
            if top.strength >= DECISIVE
            else Confidence.MEDIUM
            if top.strength >= STRONG
            else Confidence.LOW
        )
        caveats.append(
            "A signed capture claim shows which device or service signed the file, not that the scene "
            "it shows is what the post claims; check the context too."
        )
        return Verdict(
            label=VerdictLabel.CAMERA_ORIGINAL,
            confidence=confidence,
            summary="The file carries a signed claim that it was captured by a camera, and no sign of "
            "generation was found.",
            scores=scores,
            reasons=(_reason(top), *context([top])),
            policy=POLICY,
            caveats=tuple(caveats),
            attribution=None,
        )

    if ai_for or other_hints:
        cited = _by_strength([*ai_for, *other_hints])
        # Below "likely", a generator is named only when a finding that names one supports generation.
        who, candidates = _attribution((), ai_all)
        named = f" A finding names{_named(who, '')}." if who is not None else ""
        return Verdict(
            label=VerdictLabel.INCONCLUSIVE,
            confidence=Confidence.LOW,
            summary=(
                "Some findings are worth checking, but none is strong enough to say the video was "
                "generated or manipulated." + named + facts.candidates_sentence(candidates)
            ),
            scores=scores,
            reasons=tuple([_reason(e) for e in cited] + context(cited)),
            policy=POLICY,
            caveats=tuple(caveats),
            attribution=who.generator if who else None,
            worth_checking=True,
            extras=_extras(who, candidates),
        )

    caveats.append(
        "These checks look for specific traces; finding none does not prove the video is authentic."
    )
    return Verdict(
        label=VerdictLabel.NO_INDICATORS,
        confidence=Confidence.LOW,
        summary="None of the checks that ran found a sign of generation or manipulation.",
        scores=scores,
        reasons=tuple(context([])),
        policy=POLICY,
        caveats=tuple(caveats),
    )
