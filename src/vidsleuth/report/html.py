"""The HTML report: one self-contained file a fact-checker can open offline, read on a phone and print.

The frame (verdict, reasons, identity, signals, evidence, metadata) is `templates/report.html.j2`; each
signal's section is that signal's own panel template (`vidsleuth.report.sections`), rendered with the
shared macros of `templates/macros.html.j2`. Everything goes through Jinja2 with autoescaping always on;
the only markup built in Python is numbers (SVG geometry), word breaks in evidence codes, and base64 JPEG
data that is checked character by character before use.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

import jinja2
from markupsafe import Markup

from vidsleuth.core.report import Report
from vidsleuth.core.result import Status
from vidsleuth.core.verdict import VerdictLabel
from vidsleuth.core.view import anchor_id, container_name, fmt_size, fmt_time, thumb_view
from vidsleuth.registry import SignalRegistry
from vidsleuth.report.frame import (
    evidence_rows,
    picture_size,
    probe_groups,
    review_panel,
    score_rows,
)
from vidsleuth.report.related import related_panel
from vidsleuth.report.sections import Section, load_panel_template, sections

LABEL_TONE = {
    VerdictLabel.AI_GENERATED: "alert",
    VerdictLabel.LIKELY_AI_GENERATED: "alert",
    VerdictLabel.PARTLY_AI_GENERATED: "alert",
    VerdictLabel.INCONCLUSIVE: "caution",
    VerdictLabel.CAMERA_ORIGINAL: "attested",
    VerdictLabel.NO_INDICATORS: "neutral",
}


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("vidsleuth.report", "templates"),
                jinja2.FunctionLoader(load_panel_template),
            ]
        ),
        autoescape=True,  # always: the template names end in .j2, so select_autoescape would miss them
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["fmt_time"] = fmt_time
    return env


def _link_rows(section: Section, rows: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """Tie a section's items to their evidence rows both ways: each row links to the item that shows it
    (row["panel"]), and the returned map gives each item's id the id and code of its first row."""
    by_key = {row["key"]: row for row in rows}
    out: dict[str, tuple[str, str]] = {}
    for link in section.view.links:
        for ei in link.evidence:
            row = by_key.get((section.result_index, ei))
            if row is None:
                continue
            row["panel"] = row["panel"] or link.anchor
            out.setdefault(link.anchor, (row["anchor"], row["e"].code))
    return out


def _render_section(
    env: jinja2.Environment, section: Section, links: Mapping[str, tuple[str, str]]
) -> Markup:
    def finding(item_anchor: str) -> Markup:
        ev = links.get(item_anchor)
        if ev is None:
            return Markup("")
        return Markup('<a class="code" href="#{}">{}</a>').format(ev[0], ev[1])

    macros = env.get_template("macros.html.j2").module
    template = env.get_template(section.template_name)
    html = template.render(p=section.view.context, section=section.view, m=macros, finding=finding)
    return Markup(html)


def render_html(report: Report, registry: SignalRegistry | None = None) -> str:
    """The report as one self-contained HTML page."""
    env = _environment()
    verdict = report.verdict
    known = {anchor_id(e.code) for e in report.evidence}
    reasons = [
        (
            r.text,
            [(str(c), anchor_id(str(c)) if anchor_id(str(c)) in known else None) for c in r.evidence_codes],
        )
        for r in verdict.reasons
    ]
    evidence = evidence_rows(report)
    secs = sections(report, registry)
    rendered: list[dict[str, Any]] = []
    for section in secs:
        links = _link_rows(section, evidence)
        rendered.append({"view": section.view, "html": _render_section(env, section, links)})
    shown = {s.signal for s in secs if s.view.shows_thumbnails}
    others = [
        (r.signal, [thumb_view(t) for t in r.thumbnails])
        for r in report.results
        if r.signal not in shown and r.thumbnails
    ]
    media = report.media

    def timing(key: str) -> str:
        value = report.timings.get(key)
        return f"{value:.1f} s" if isinstance(value, int | float) else "—"

    context = {
        "r": report,
        "v": verdict,
        "tone": LABEL_TONE.get(verdict.label, "neutral"),
        "reasons": reasons,
        "size": fmt_size(report.source.size_bytes),
        "duration": fmt_time(media.duration_s),
        "resolution": picture_size(media),
        "container": container_name(media),
        "scores": score_rows(verdict.scores),
        "signals": report.results,
        "evidence": evidence,
        "sections": rendered,
        "media_facts_shown": any(s["view"].shows_media_facts for s in rendered),
        "review": review_panel(report),
        "related": related_panel(report),
        "meta": probe_groups(media),
        "others": others,
        "settings": json.dumps(
            dict(report.settings), indent=2, ensure_ascii=False, sort_keys=True, default=str
        ),
        "annotations": json.dumps(dict(report.annotations), indent=2, ensure_ascii=False, default=str)
        if report.annotations
        else "",
        "timing": timing,
        "status_words": {s: s.value.replace("_", " ") for s in Status},
    }
    return env.get_template("report.html.j2").render(context)
