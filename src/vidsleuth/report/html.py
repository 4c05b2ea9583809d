"""The HTML report: one self-contained file a fact-checker can open offline, read on a phone and print.

The panels it shows are built by `vidsleuth.report.panels` and `vidsleuth.report.signal_panels`.
Everything goes through Jinja2 with autoescaping always on; the only markup built here is numbers (SVG
geometry) and base64 JPEG data that is checked character by character before use.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import jinja2

from vidsleuth.core.report import Report
from vidsleuth.core.result import Status
from vidsleuth.core.verdict import VerdictLabel
from vidsleuth.report.panels import (
    NO_MANIFEST,
    anchor_id,
    as_number,
    clip,
    fingerprint_panel,
    fmt_size,
    fmt_time,
    metadata_groups,
    picture_size,
    provenance_panel,
    review_panel,
    shots_panel,
    thumb_view,
    timeline,
)
from vidsleuth.report.signal_panels import Linked, motion_panel, watermark_panel

log = logging.getLogger(__name__)
T = TypeVar("T")

# The page ---------------------------------------------------------------------------------------

LABEL_TONE = {
    VerdictLabel.AI_GENERATED: "alert",
    VerdictLabel.LIKELY_AI_GENERATED: "alert",
    VerdictLabel.PARTLY_AI_GENERATED: "alert",
    VerdictLabel.INCONCLUSIVE: "caution",
    VerdictLabel.CAMERA_ORIGINAL: "attested",
    VerdictLabel.NO_INDICATORS: "neutral",
}


def _safe(build: Callable[[], T], what: str) -> T | None:
    """Build one optional panel; a panel that cannot be drawn is left out rather than sink the report."""
    try:
        return build()
    except Exception as exc:  # unexpected metric shapes must never stop a report from rendering
        log.warning("report: %s panel left out (%s: %s)", what, type(exc).__name__, exc)
        return None


def _evidence_rows(report: Report) -> list[dict[str, Any]]:
    rows, seen = [], set()
    for ri, r in enumerate(report.results):
        for ei, e in enumerate(r.evidence):
            anchor = anchor_id(e.code)
            n = 2
            while anchor in seen:
                anchor, n = f"{anchor_id(e.code)}-{n}", n + 1
            seen.add(anchor)
            data = json.dumps(dict(e.data), indent=1, ensure_ascii=False, default=str)
            rows.append(
                {
                    "e": e,
                    "signal": r.signal,
                    "anchor": anchor,
                    "data": clip(data) if e.data else "",
                    "key": (ri, ei),
                    "panel": "",
                }
            )
    return rows


def _link_panel(
    report: Report, signal: str, links: tuple[Linked, ...], rows: list[dict[str, Any]]
) -> dict[str, tuple[str, str]]:
    """Tie a panel's items to their evidence rows both ways: each row links to the item that shows it
    (row["panel"]), and the returned map gives each item's id the id and code of its first row."""
    ri = next((i for i, r in enumerate(report.results) if r.signal == signal), None)
    by_key = {row["key"]: row for row in rows}
    out: dict[str, tuple[str, str]] = {}
    for link in links:
        for ei in link.evidence:
            row = by_key.get((ri, ei))
            if row is None:
                continue
            row["panel"] = row["panel"] or link.anchor
            out.setdefault(link.anchor, (row["anchor"], row["e"].code))
    return out


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("vidsleuth.report", "templates"),
        autoescape=True,  # always: the template name ends in .j2, so select_autoescape would miss it
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page."""
    verdict = report.verdict
    known = {anchor_id(e.code) for e in report.evidence}
    reasons = [
        (
            r.text,
            [(str(c), anchor_id(str(c)) if anchor_id(str(c)) in known else None) for c in r.evidence_codes],
        )
        for r in verdict.reasons
    ]
    shots = _safe(lambda: shots_panel(report), "shots")
    wm = _safe(lambda: watermark_panel(report), "watermark")
    motion = _safe(lambda: motion_panel(report), "motion")
    evidence = _evidence_rows(report)
    ev_links = {
        **(_link_panel(report, "watermark", wm.links, evidence) if wm else {}),
        **(_link_panel(report, "motion", motion.links, evidence) if motion else {}),
    }
    media = report.media
    own_images = {"shots", "fingerprint"} | ({"watermark"} if wm else set())
    others = [
        (r.signal, [thumb_view(t) for t in r.thumbnails])
        for r in report.results
        if r.signal not in own_images
    ]
    context = {
        "r": report,
        "v": verdict,
        "tone": LABEL_TONE.get(verdict.label, "neutral"),
        "reasons": reasons,
        "size": fmt_size(report.source.size_bytes),
        "duration": fmt_time(as_number(media.duration_s)),
        "resolution": picture_size(media),
        "scores": [
            (str(k), n) for k, n in ((k, as_number(x)) for k, x in verdict.scores.items()) if n is not None
        ],
        "signals": report.results,
        "evidence": evidence,
        "ev_links": ev_links,
        "shots": shots,
        "wm": wm,
        "motion": motion,
        "svg": _safe(lambda: timeline(shots), "timeline") if shots else None,
        "c2pa": _safe(lambda: provenance_panel(report), "C2PA"),
        "review": _safe(lambda: review_panel(report), "analyst review"),
        "fp": _safe(lambda: fingerprint_panel(report), "fingerprint"),
        "no_manifest": NO_MANIFEST,
        "meta": _safe(lambda: metadata_groups(report), "metadata") or (),
        "others": [(name, thumbs) for name, thumbs in others if thumbs],
        "settings": json.dumps(
            dict(report.settings), indent=2, ensure_ascii=False, sort_keys=True, default=str
        ),
        "annotations": json.dumps(dict(report.annotations), indent=2, ensure_ascii=False, default=str)
        if report.annotations
        else "",
        "fmt_time": fmt_time,
        "status_words": {s: s.value.replace("_", " ") for s in Status},
    }
    return _environment().get_template("report.html.j2").render(context)
