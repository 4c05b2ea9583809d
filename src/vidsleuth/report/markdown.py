"""The Markdown report: a compact summary to paste into a ticket or a chat.

It carries what a colleague needs to act on and to find the full record: the verdict with its reasons
and the evidence codes they cite, the caveats, the file's identity, and each signal section's own
summary (`PanelView.markdown`). Images stay in the HTML report.

Much of the text is attacker-controlled (file names, tags, C2PA fields, summaries that quote them), so
every such string goes through `vidsleuth.core.view.md_text`, which neutralises markup, links and table
characters.
"""

from __future__ import annotations

from vidsleuth.core.report import Report
from vidsleuth.core.result import Status
from vidsleuth.core.view import as_number, container_name, fmt_size, fmt_time, md_code, md_table, md_text
from vidsleuth.registry import SignalRegistry
from vidsleuth.report.frame import review_panel
from vidsleuth.report.related import related_markdown, related_panel
from vidsleuth.report.sections import sections

MAX_EVIDENCE_ROWS = 60


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


def render_markdown(report: Report, registry: SignalRegistry | None = None) -> str:
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
    out += related_markdown(related_panel(report))

    out += [
        "## File",
        "",
        f"- Name: {md_text(src.name)}",
        f"- SHA-256: {md_code(src.sha256)}",
        f"- Size: {fmt_size(src.size_bytes)} · Duration: {fmt_time(as_number(report.media.duration_s))}"
        f" · Container: {md_text(container_name(report.media))}",
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
        out += ["## Evidence", "", *md_table(("Code", "Stance", "Strength", "Finding", "Where"), rows)]
        if len(evidence) > MAX_EVIDENCE_ROWS:
            out.append(
                f"\n… and {len(evidence) - MAX_EVIDENCE_ROWS} more findings in the JSON or HTML report."
            )
        out.append("")

    secs = sections(report, registry)
    for section in secs:
        out += section.view.markdown
    images = sum(len(r.thumbnails) for r in report.results)
    if images:
        out += [f"The HTML report shows {images} images (keyframes and crops).", ""]

    rows = [
        (
            md_text(r.signal),
            md_text(r.signal_version),
            r.status.value.replace("_", " ") if r.status is not Status.FAILED else "**failed**",
            md_text(r.error or ""),
        )
        for r in report.results
    ]
    out += ["## Signals", "", *md_table(("Signal", "Version", "Status", "Note"), rows), ""]
    out.append(
        f"_Reproduce: `vidsleuth check FILE` with vidsleuth {md_text(report.tool_version)} and the same "
        f"settings (digest {md_code(report.settings_digest)})._"
    )
    return "\n".join(out) + "\n"
