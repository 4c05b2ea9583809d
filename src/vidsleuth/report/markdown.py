"""The Markdown report: a compact summary to paste into a ticket or a chat.

It carries what a colleague needs to act on and to find the full record: the verdict with its reasons
and the evidence codes they cite, the caveats, the file's identity, and short shot and C2PA summaries.
Images stay in the HTML report.

Much of the text is attacker-controlled (file names, tags, C2PA fields, summaries that quote them), so
every such string is neutralised before it is written: `<`, `>` become entities, Markdown punctuation
is backslash-escaped, link schemes are broken up, newlines are folded and table pipes escaped, so a
hostile string cannot add markup, links, images, lines or table columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from vidsleuth.core.report import Report
from vidsleuth.core.result import Status
from vidsleuth.report.panels import (
    NO_MANIFEST,
    Manifest,
    as_number,
    fmt_size,
    fmt_time,
    provenance_panel,
    review_panel,
    shots_panel,
)
from vidsleuth.report.signal_panels import MarkCard, motion_panel, watermark_panel

MAX_SHOT_ROWS = 30
MAX_EVIDENCE_ROWS = 60
MAX_SIGHTINGS = 12

_PUNCT = re.compile(r"([\\`*_\[\]|~&])")
_LINE_START = re.compile(r"^(\s*\d*)([#+=-]|(?<=\d)[.)](?=\s|$))")
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.:/+=@-]+")
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|file|javascript|data)(:)|\b(www)(\.)")


def md_text(value: object) -> str:
    """Plain text made safe for Markdown and for a table cell: one line, no markup, no links."""
    text = " ".join(str(value).split())
    text = _PUNCT.sub(r"\\\1", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    text = _AUTOLINK.sub(lambda m: f"{m[1] or m[3]}\\{m[2] or m[4]}", text)
    return _LINE_START.sub(r"\1\\\2", text)


def md_code(value: object) -> str:
    """An identifier (evidence code, hash, manifest label) as a code span; anything odd as plain text."""
    text = str(value)
    return f"`{text}`" if _IDENTIFIER.fullmatch(text) else md_text(text)


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return lines


def _manifest_lines(m: Manifest, trust_list: str | None) -> list[str]:
    who = m.signer.get("common_name") or "an unnamed signer"
    issuer = f" (issued by {md_text(m.signer['issuer'])})" if m.signer.get("issuer") else ""
    when = f" at {md_text(m.signer['time'])}" if m.signer.get("time") else ""
    bindings = {True: "intact", False: "BROKEN (content changed after signing)", None: "not reported"}
    active = " (active)" if m.active else ""
    lines = [
        f"- Manifest {md_code(m.label)}{active}: signed by {md_text(who)}{issuer}{when}",
        f"  - Signer trust: **{md_text(m.signer_trust)}** against {md_text(trust_list or 'no trust list')}; "
        f"hash bindings: **{bindings[m.bindings_intact]}**",
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
        lines.append("  - Actions: " + ", ".join(md_code(a.get("action", "?")) for a in m.actions))
    if m.ingredients:
        lines.append(
            "  - Ingredients: " + ", ".join(md_text(i.get("title", "untitled")) for i in m.ingredients)
        )
    failed = ", ".join(md_code(c.code) for c in m.failed) or "none"
    lines.append(f"  - Validation: {len(m.passed)} passed; failed: {failed}")
    return lines


def _review(report: Report) -> list[str]:
    """The analyst review, kept apart from the automatic verdict."""
    review = review_panel(report)
    if review is None:
        return []
    out = [
        "## Analyst review",
        "",
        "_Added by people; shown beside the automatic verdict, not replacing it._",
        "",
    ]
    if review.verdict:
        rv = review.verdict
        line = f"**Analyst verdict:** {md_text(rv.get('headline') or rv.get('label', ''))}"
        if rv.get("confidence"):
            line += f" · confidence {md_text(rv['confidence'])}"
        out += [line, ""]
        if rv.get("rationale"):
            out += [md_text(rv["rationale"]), ""]
        out += [
            f"_Signed by {md_text(rv.get('signed_by') or 'unknown')} {md_text(rv.get('signed_at', ''))}_",
            "",
        ]
    if review.checklist:
        out += ["| Item | Answer | Detail | Signed by |", "|---|---|---|---|"]
        for row in review.checklist:
            cells = (
                row.get("title") or row.get("item", ""),
                row.get("answer", ""),
                row.get("detail", ""),
                f"{row.get('signed_by') or 'unknown'} {row.get('signed_at', '')}".strip(),
            )
            out.append("| " + " | ".join(md_text(c) for c in cells) + " |")
        out.append("")
    if review.notes:
        out += ["Notes:", ""]
        out += [f"- {md_text(n['text'])} ({md_text(n.get('author') or 'unknown')})" for n in review.notes]
        out.append("")
    return out


def _mark_lines(d: MarkCard) -> list[str]:
    read = f'read as "{md_text(d.text)}"' if d.text else "no text read"
    if d.confidence is not None:
        read += f" (OCR {d.confidence:.2f})"
    strength = f", strength {d.strength:.2f}" if d.strength is not None else ""
    kind = f" ({md_text(d.kind)})" if d.kind else ""
    lines = [f"- **{md_text(d.generator)}**{kind}: {read}{strength}, seen {d.span}"]
    if d.handle:
        conf = (
            f"OCR {d.handle_confidence:.2f}"
            if d.handle_confidence is not None
            else "OCR confidence not reported"
        )
        lead = (
            "a lead to the source account"
            if d.handle_clear
            else "**a lead to the source account, check by eye**"
        )
        line = f"  - Handle: {md_code(d.handle)} ({conf}): {lead}"
        if d.spellings:
            line += "; also read as " + ", ".join(md_code(h) for h in d.spellings)
        lines.append(line)
    if d.sightings:
        seen = [f"{s.span}" + (f" ({s.place})" if s.place else "") for s in d.sightings[:MAX_SIGHTINGS]]
        more = f", and {len(d.sightings) - MAX_SIGHTINGS} more" if len(d.sightings) > MAX_SIGHTINGS else ""
        lines.append(f"  - Sightings: {', '.join(seen)}{more}")
    if d.mismatches:
        lines.append("  - Unlike the genuine mark: " + "; ".join(md_text(t) for t in d.mismatches))
    return lines


def _watermarks(report: Report) -> list[str]:
    """Visible marks, the @handle as a lead, persistent overlays and removal hints."""
    wm = watermark_panel(report)
    if wm is None:
        return []
    out = ["## Visible watermarks", ""]
    if not wm.marks:
        out += [
            "No catalogued generator watermark or AI label was found in the picture; absence proves nothing.",
            "",
        ]
    for d in wm.marks:
        out += _mark_lines(d)
    for o in wm.overlays:
        text = f', OCR "{md_text(o.text)}"' if o.text else ""
        out.append(f"- Persistent overlay, not a known AI mark: {o.span} at {md_text(o.box)}{text}")
    for h in wm.hints:
        out.append(f"- Removal hint ({md_text(h.kind)}), a hint only: {md_text(h.summary)} ({h.span})")
    out.append("")
    if wm.footer or wm.ocr_errors:
        errors = f"; OCR errors: {'; '.join(md_text(e) for e in wm.ocr_errors)}" if wm.ocr_errors else ""
        out += [f"_{md_text(wm.footer)}{errors}_", ""]
    return out


def _motion(report: Report) -> list[str]:
    """One line per motion measurement, said to be informational unless a calibration learned it."""
    motion = motion_panel(report)
    if motion is None:
        return []
    out = ["## Motion and noise", "", f"_{md_text(motion.intro)}_", ""]
    for c in motion.cards:
        unit = f" ({md_text(c.unit)})" if c.unit else ""
        # The signal's sentences start with the title and value ("Camera shake 0.21 (ratio): ..."): said once.
        head, sep, rest = c.sentence.partition(": ")
        said = rest if sep and head.startswith(c.title) else c.sentence
        weight = f" **{md_text(c.weight.capitalize())}.**" if c.weight else ""
        out.append(f"- **{md_text(c.title)}** {c.value}{unit}: {md_text(said)}{weight}")
    if motion.not_applicable:
        out.append(
            "- Does not apply to this video: " + ", ".join(md_text(t) for t, _, _ in motion.not_applicable)
        )
    out.append("")
    return out


def render_markdown(report: Report) -> str:
    """The report as GitHub-flavoured Markdown, without images."""
    v, src = report.verdict, report.source
    out = [f"# vidsleuth: {md_text(v.headline)}", ""]
    head = f"**Verdict:** {md_text(v.headline)} · **Confidence:** {v.confidence.value}"
    if v.attribution:
        head += f" · **Attributed to:** {md_text(v.attribution)}"
    out += [head, "", md_text(v.summary), ""]
    if v.reasons:
        out += ["## Why", ""]
        for i, reason in enumerate(v.reasons, 1):
            codes = ", ".join(md_code(c) for c in reason.evidence_codes)
            out.append(f"{i}. {md_text(reason.text)}" + (f" ({codes})" if codes else ""))
        out.append("")
    if v.caveats:
        out += ["## Caveats", "", *[f"- {md_text(c)}" for c in v.caveats], ""]
    out += _review(report)

    out += [
        "## File",
        "",
        f"- Name: {md_text(src.name)}",
        f"- SHA-256: {md_code(src.sha256)}",
        f"- Size: {fmt_size(src.size_bytes)} · Duration: {fmt_time(as_number(report.media.duration_s))}"
        f" · Container: {md_text(report.media.container)}",
        f"- Analysed {md_text(report.created_at)} with vidsleuth {md_text(report.tool_version)} "
        f"(report schema {md_text(report.schema_version)}, policy {md_text(v.made_by)}, "
        f"settings digest {md_code(report.settings_digest)})",
        "",
    ]

    evidence = [(r.signal, e) for r in report.results for e in r.evidence]
    if evidence:
        rows: list[tuple[str, ...]] = [
            (
                md_code(e.code),
                f"{e.stance.value} {e.hypothesis.value.replace('_', ' ')}",
                f"{e.strength:.2f} {e.strength_name}",
                md_text(e.summary),
                f"{fmt_time(e.span.start_s)} – {fmt_time(e.span.end_s)}" if e.span else "whole file",
            )
            for _, e in evidence[:MAX_EVIDENCE_ROWS]
        ]
        out += ["## Evidence", "", *_table(("Code", "Stance", "Strength", "Finding", "Where"), rows)]
        if len(evidence) > MAX_EVIDENCE_ROWS:
            out.append(
                f"\n… and {len(evidence) - MAX_EVIDENCE_ROWS} more findings in the JSON or HTML report."
            )
        out.append("")

    c2pa = provenance_panel(report)
    if c2pa is not None:
        out += ["## Content Credentials (C2PA)", ""]
        if not c2pa.present:
            out.append(NO_MANIFEST)
        else:
            out.append(f"Validation state: **{md_text(c2pa.validation_state or 'not reported')}**")
            out.append("")
            for m in c2pa.manifests:
                out += _manifest_lines(m, c2pa.trust_list)
        out.append("")

    out += _watermarks(report)

    shots = shots_panel(report)
    images = sum(len(r.thumbnails) for r in report.results)
    if shots is not None:
        n = len(shots.shots)
        out += ["## Shots", "", f"{n} shot{'s' if n != 1 else ''} over {fmt_time(shots.duration_s)}.", ""]
        rows = [
            (
                str(s.index),
                fmt_time(s.start_s),
                fmt_time(s.end_s),
                f"{s.duration_s:.2f} s",
                md_text(s.transition),
            )
            for s in shots.shots[:MAX_SHOT_ROWS]
        ]
        out += _table(("Shot", "Start", "End", "Length", "Starts with"), rows)
        if n > MAX_SHOT_ROWS:
            out.append(f"\n… and {n - MAX_SHOT_ROWS} more shots in the JSON or HTML report.")
        out.append("")
    if images:
        keyframes = len(shots.keyframes) if shots else 0
        out += [f"The HTML report shows {keyframes} keyframes and {images - keyframes} other images.", ""]

    out += _motion(report)

    rows = [
        (
            md_text(r.signal),
            md_text(r.signal_version),
            r.status.value.replace("_", " ") if r.status is not Status.FAILED else "**failed**",
            md_text(r.error or ""),
        )
        for r in report.results
    ]
    out += ["## Signals", "", *_table(("Signal", "Version", "Status", "Note"), rows), ""]
    out.append(
        f"_Reproduce: `vidsleuth check FILE` with vidsleuth {md_text(report.tool_version)} and the same "
        f"settings (digest {md_code(report.settings_digest)})._"
    )
    return "\n".join(out) + "\n"
