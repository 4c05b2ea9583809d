"""Report panels: defensive readers that turn a signal's free-form metrics into small typed views.

Signals own their metrics and may change them, a report may be read back from an older file, and much
of the content (tags, file names, C2PA fields) is attacker-controlled; so every reader checks each
value's type, skips what it does not understand, and returns None when a panel cannot be drawn. The HTML
and Markdown reports both render from these views.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vidsleuth.core.media import MediaInfo
from vidsleuth.core.report import Report
from vidsleuth.core.result import Status, Thumbnail

LONG_TEXT = 2000  # characters of a tag or data blob shown before it is cut (the JSON keeps it all)

# Defensive readers -------------------------------------------------------------------------------


def as_number(x: object) -> float | None:
    """A finite int or float (never a bool), else None."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    value = float(x)
    return value if math.isfinite(value) else None


def as_text(x: object) -> str | None:
    """A string, or a number written as one; anything else is None."""
    if isinstance(x, str):
        return x
    if isinstance(x, int | float) and not isinstance(x, bool):
        return str(x)
    return None


def as_list(x: object) -> list[Any]:
    return list(x) if isinstance(x, list | tuple) else []


def as_map(x: object) -> Mapping[str, Any]:
    return x if isinstance(x, Mapping) else {}


def clip(text: str, limit: int = LONG_TEXT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters in the JSON report)"


def fmt_time(s: float | None) -> str:
    """Seconds as "12.40 s", or "1:02.40" past a minute; "—" when unknown (None, NaN, infinite)."""
    if s is None or not math.isfinite(s):
        return "—"
    if s < 60:
        return f"{s:.2f} s"
    m, sec = divmod(s, 60)
    h, m = divmod(int(m), 60)
    return f"{h}:{m:02d}:{sec:05.2f}" if h else f"{m}:{sec:05.2f}"


def fmt_size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit} ({n:,} bytes)"
    return f"{n:,} bytes"


def anchor_id(code: str) -> str:
    """A safe HTML id for an evidence code."""
    return "ev-" + re.sub(r"[^A-Za-z0-9._-]", "-", code)


# Thumbnails -------------------------------------------------------------------------------------

_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


@dataclass(frozen=True, slots=True)
class ThumbView:
    label: str
    time: str
    src: str | None  # data: URI, or None when the data was not a base64 JPEG
    width: int | None
    height: int | None
    crop: str  # "crop x, y, w × h" in source pixels, or ""


def thumb_view(t: Thumbnail) -> ThumbView:
    data = t.jpeg_base64
    src = None
    if _BASE64.fullmatch(data):
        try:
            if base64.b64decode(data[:8]).startswith(b"\xff\xd8"):
                src = "data:image/jpeg;base64," + data
        except (binascii.Error, ValueError):
            src = None
    ok = 0 < t.width <= 4096 and 0 < t.height <= 4096
    crop = "crop at {}, {}, {} × {} px".format(*t.box) if t.box and len(t.box) == 4 else ""
    return ThumbView(
        t.label, fmt_time(t.time_s), src, t.width if ok else None, t.height if ok else None, crop
    )


# Shots panel ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shot:
    index: int
    start_s: float
    end_s: float
    transition: str

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True)
class ShotsPanel:
    shots: tuple[Shot, ...]
    cuts_s: tuple[float, ...]
    fades: tuple[tuple[float, float], ...]
    series: tuple[tuple[float, float], ...]  # (time_s, score), at least two points or none
    threshold: float | None
    duration_s: float
    keyframes: tuple[ThumbView, ...]


def shots_panel(report: Report) -> ShotsPanel | None:
    """The shots signal's timeline, or None when the signal is absent, did not run, or has no shots."""
    result = report.result("shots")
    if result is None or result.status is not Status.OK:
        return None
    m = result.metrics
    shots: list[Shot] = []
    for i, raw in enumerate(as_list(m.get("shots"))):
        d = as_map(raw)
        start, end, index = as_number(d.get("start_s")), as_number(d.get("end_s")), as_number(d.get("index"))
        if start is None or end is None or end < start or start < 0:
            continue
        shots.append(
            Shot(int(index) if index is not None else i, start, end, as_text(d.get("transition")) or "")
        )
    if not shots:
        return None
    media_duration = as_number(report.media.duration_s) or 0.0
    duration = max(media_duration, max(s.end_s for s in shots))
    if duration <= 0:
        return None

    def in_range(t: float | None) -> bool:
        return t is not None and 0.0 <= t <= duration

    cuts = tuple(t for t in (as_number(c) for c in as_list(m.get("cuts_s"))) if t is not None and in_range(t))
    ends = (
        (as_number(as_map(f).get("start_s")), as_number(as_map(f).get("end_s")))
        for f in as_list(m.get("fades"))
    )
    fades = tuple(
        (a, b) for a, b in ends if a is not None and b is not None and in_range(a) and in_range(b) and a <= b
    )
    series_map = as_map(m.get("score_series"))
    pairs = zip(as_list(series_map.get("time_s")), as_list(series_map.get("score")), strict=False)
    series = tuple(
        (t, y)
        for t, y in ((as_number(a), as_number(b)) for a, b in pairs)
        if t is not None and y is not None and in_range(t)
    )
    return ShotsPanel(
        shots=tuple(shots),
        cuts_s=cuts,
        fades=fades,
        series=series if len(series) >= 2 else (),
        threshold=as_number(m.get("threshold")),
        duration_s=duration,
        keyframes=tuple(thumb_view(t) for t in result.thumbnails),
    )


@dataclass(frozen=True, slots=True)
class Timeline:
    """SVG geometry of the shot timeline, in a 1000-unit-wide view box; the template draws it."""

    height: float
    bars: tuple[tuple[float, float, str, str, str], ...]  # x, width, css class, tooltip, label
    cuts: tuple[tuple[float, str], ...]  # x, tooltip
    fades: tuple[tuple[float, float, str], ...]  # x, width, tooltip
    line: str  # polyline points of the score series ("" when there is none)
    plot: tuple[float, float]  # top and bottom of the score plot
    threshold: tuple[float, str] | None  # y, label
    ticks: tuple[tuple[float, str], ...]  # x, label
    axis_y: float


_WIDTH = 1000.0
_BAR_TOP, _BAR_H, _PLOT_TOP, _PLOT_H = 4.0, 26.0, 44.0, 70.0
_TICK_STEPS = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


def _tick_label(t: float) -> str:
    if t < 60:
        return f"{t:g} s"
    m, s = divmod(round(t), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"


def _thin(points: tuple[tuple[float, float], ...], limit: int) -> list[tuple[float, float]]:
    """At most about `limit` points, keeping each bucket's peak so that spikes stay visible."""
    if len(points) <= limit:
        return list(points)
    size = math.ceil(len(points) / limit)
    return [max(points[i : i + size], key=lambda p: p[1]) for i in range(0, len(points), size)]


def timeline(p: ShotsPanel) -> Timeline:
    scale = _WIDTH / p.duration_s

    def x(t: float) -> float:
        return round(t * scale, 2)

    bars = []
    for i, s in enumerate(p.shots):
        w = max(x(s.end_s) - x(s.start_s), 0.8)
        tip = f"Shot {s.index}: {fmt_time(s.start_s)} – {fmt_time(s.end_s)} ({s.duration_s:.2f} s)"
        bars.append((x(s.start_s), round(w, 2), f"shot-{'ab'[i % 2]}", tip, str(s.index) if w >= 24 else ""))
    line, threshold, bottom = "", None, _BAR_TOP + _BAR_H
    if p.series:
        points = _thin(p.series, 800)
        values = [y for _, y in points] + ([p.threshold] if p.threshold is not None else [])
        lo = min(0.0, *values)
        span = (max(values) - lo) * 1.05 or 1.0

        def y(v: float) -> float:
            return round(_PLOT_TOP + _PLOT_H * (1 - (v - lo) / span), 2)

        line = " ".join(f"{x(t)},{y(v)}" for t, v in points)
        if p.threshold is not None:
            threshold = (y(p.threshold), f"threshold {p.threshold:g}")
        bottom = _PLOT_TOP + _PLOT_H
    step = next((s for s in _TICK_STEPS if p.duration_s / s <= 8), math.ceil(p.duration_s / 8))
    ticks = tuple((x(k * step), _tick_label(k * step)) for k in range(int(p.duration_s // step) + 1))
    return Timeline(
        height=bottom + 22,
        bars=tuple(bars),
        cuts=tuple((x(t), f"cut at {fmt_time(t)}") for t in p.cuts_s),
        fades=tuple((x(a), max(x(b) - x(a), 1.0), f"fade {fmt_time(a)} – {fmt_time(b)}") for a, b in p.fades),
        line=line,
        plot=(_PLOT_TOP, _PLOT_TOP + _PLOT_H),
        threshold=threshold,
        ticks=ticks,
        axis_y=bottom + 16,
    )


# C2PA panel -------------------------------------------------------------------------------------

# IPTC digital source types, in plain words (https://cv.iptc.org/newscodes/digitalsourcetype/).
SOURCE_TYPES: dict[str, tuple[str, bool]] = {  # term: (meaning, whether it says "generated")
    "trainedAlgorithmicMedia": ("made by a generative AI model", True),
    "compositeWithTrainedAlgorithmicMedia": ("mixes other material with generative-AI output", True),
    "algorithmicMedia": ("made by an algorithm (not a trained model)", True),
    "compositeSynthetic": ("a composite that includes synthetic elements", True),
    "digitalCapture": ("captured by a digital camera or recorder", False),
    "computationalCapture": ("captured by a device that processes the image as it records", False),
    "minorHumanEdits": ("captured, then lightly edited by a person", False),
    "humanEdits": ("edited by a person", False),
    "compositeCapture": ("a composite of several captures", False),
    "digitalCreation": ("made by a person with digital tools", False),
    "screenCapture": ("a recording of a screen", False),
    "virtualRecording": ("recorded inside a virtual or game environment", False),
}


@dataclass(frozen=True, slots=True)
class SourceType:
    term: str
    meaning: str | None
    generated: bool


def source_type(uri: str) -> SourceType:
    term = re.split(r"[/#]", uri.rstrip("/"))[-1]
    meaning, generated = SOURCE_TYPES.get(term, (None, False))
    return SourceType(term, meaning, generated)


@dataclass(frozen=True, slots=True)
class Check:
    code: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Manifest:
    label: str
    title: str | None
    active: bool
    claim_generator: str | None
    claim_generator_info: tuple[str, ...]
    signer: Mapping[str, str]  # issuer, common_name, alg, time, cert_serial (those present)
    signer_trust: str  # trusted | untrusted | expired | unknown
    bindings_intact: bool | None
    actions: tuple[Mapping[str, str], ...]  # action, software_agent, digital_source_type, when
    source_types: tuple[SourceType, ...]
    ingredients: tuple[Mapping[str, str], ...]  # title, relationship, format, has_manifest, failures
    assertion_labels: tuple[str, ...]
    passed: tuple[Check, ...]
    failed: tuple[Check, ...]
    informational: tuple[Check, ...]


@dataclass(frozen=True, slots=True)
class ProvenancePanel:
    present: bool
    trust_list: str | None
    validation_state: str | None
    manifests: tuple[Manifest, ...]


NO_MANIFEST = "No Content Credentials (C2PA) found — most re-uploads strip them; absence proves nothing."


def describe(x: object) -> str | None:
    """A short text for a scalar, or for a {name, version} style mapping."""
    text = as_text(x)
    if text is not None:
        return clip(text, 500)
    d = as_map(x)
    parts = [t for t in (as_text(d.get("name")), as_text(d.get("version"))) if t]
    if not parts:
        parts = [f"{k}={v}" for k, v in d.items() if as_text(v) is not None]
    return clip(" ".join(parts), 500) if parts else None


def texts(x: object) -> tuple[str, ...]:
    return tuple(t for t in (describe(v) for v in as_list(x)) if t)


def fields(x: object, keys: Iterable[str]) -> dict[str, str]:
    d = as_map(x)
    out = {k: describe(d.get(k)) for k in keys}
    return {k: v for k, v in out.items() if v}


def _checks(x: object) -> tuple[Check, ...]:
    out = []
    for raw in as_list(x):
        d = as_map(raw)
        code = as_text(d.get("code")) if d else as_text(raw)
        if code:
            out.append(Check(clip(code, 200), clip(as_text(d.get("explanation")) or "", 500)))
    return tuple(out)


def _manifest(raw: object, active_label: str | None) -> Manifest | None:
    d = as_map(raw)
    if not d:
        return None
    label = as_text(d.get("label")) or "(unlabelled manifest)"
    validation = as_map(d.get("validation"))
    ingredients = []
    for ing in as_list(d.get("ingredients")):
        row = fields(ing, ("title", "relationship", "format"))
        has = as_map(ing).get("has_manifest")
        row["has_manifest"] = "yes" if has is True else "no" if has is False else "—"
        row["failures"] = ", ".join(texts(as_map(ing).get("validation_failures")))
        ingredients.append(row)
    trust = as_text(d.get("signer_trust"))
    intact = d.get("bindings_intact")
    return Manifest(
        label=clip(label, 300),
        title=describe(d.get("title")),
        active=active_label is not None and label == active_label,
        claim_generator=describe(d.get("claim_generator")),
        claim_generator_info=texts(d.get("claim_generator_info")),
        signer=fields(d.get("signer"), ("issuer", "common_name", "alg", "time", "cert_serial")),
        signer_trust=trust if trust in ("trusted", "untrusted", "expired") else "unknown",
        bindings_intact=intact if isinstance(intact, bool) else None,
        actions=tuple(
            fields(a, ("action", "software_agent", "digital_source_type", "when"))
            for a in as_list(d.get("actions"))
            if as_map(a)
        ),
        source_types=tuple(source_type(t) for t in texts(d.get("digital_source_types"))),
        ingredients=tuple(ingredients),
        assertion_labels=texts(d.get("assertion_labels")),
        passed=_checks(validation.get("passed")),
        failed=_checks(validation.get("failed")),
        informational=_checks(validation.get("informational")),
    )


def provenance_panel(report: Report) -> ProvenancePanel | None:
    """The provenance signal's C2PA view, or None when the signal is absent or did not run."""
    result = report.result("provenance")
    if result is None or result.status is not Status.OK or "manifest_present" not in result.metrics:
        return None
    m = result.metrics
    active = as_text(m.get("active_manifest"))
    manifests = tuple(x for x in (_manifest(raw, active) for raw in as_list(m.get("manifests"))) if x)
    return ProvenancePanel(
        present=m.get("manifest_present") is True or bool(manifests),
        trust_list=describe(m.get("trust_list")),
        validation_state=describe(m.get("validation_state")),
        manifests=manifests,
    )


# Metadata panel ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetaGroup:
    title: str
    rows: tuple[tuple[str, str, str], ...]  # field, value, note

    @property
    def has_notes(self) -> bool:
        return any(note for _, _, note in self.rows)


_FACT_NAMES = {"duration_s": "duration", "pix_fmt": "pixel format", "frame_count": "frame count (declared)"}
_FACT_UNITS: dict[str, Callable[[Any], str]] = {
    "duration_s": lambda v: fmt_time(as_number(v)),
    "bit_rate": lambda v: f"{v:,} bit/s" if isinstance(v, int) else str(v),
    "frame_rate": lambda v: f"{v:.3f} fps".replace(".000", ""),
    "nominal_frame_rate": lambda v: f"{v:.3f} fps".replace(".000", ""),
    "sample_rate": lambda v: f"{v} Hz",
    "rotation": lambda v: f"{v}°",
}


def _fact(name: str, value: Any) -> str:
    try:
        return clip(_FACT_UNITS.get(name, str)(value))
    except (TypeError, ValueError):  # a report read back from a file may hold any type here
        return clip(str(value))


def picture_size(media: MediaInfo) -> str:
    """Width × height as shown to a viewer, rotation applied."""
    v = media.video
    w, h, rot = (as_number(x) for x in (v.width, v.height, v.rotation)) if v else (None, None, None)
    if w is None or h is None:
        return "—"
    return f"{int(h)} × {int(w)}" if (rot or 0) % 180 == 90 else f"{int(w)} × {int(h)}"


def metadata_groups(report: Report) -> tuple[MetaGroup, ...]:
    """Container and stream facts from the probe, plus the metadata signal's own table if it has one."""
    media = report.media
    rows = [("container", media.container, ""), ("duration", fmt_time(as_number(media.duration_s)), "")]
    if media.bit_rate:
        rows.append(("overall bit rate", _fact("bit_rate", media.bit_rate), ""))
    rows += [(f"tag: {k}", clip(str(v)), "") for k, v in media.tags.items()]
    groups = [MetaGroup("Container", tuple(rows))]
    for s in media.streams:
        facts = {k: v for k, v in s.to_dict().items() if k not in ("index", "kind", "tags")}
        srows = [
            (_FACT_NAMES.get(k, k.replace("_", " ")), _fact(k, v), "")
            for k, v in facts.items()
            if v not in (None, "", 0)
        ]
        srows += [(f"tag: {k}", clip(str(v)), "") for k, v in s.tags.items()]
        groups.append(MetaGroup(f"Stream {s.index} — {s.kind}", tuple(srows)))
    result = report.result("metadata")
    if result is not None and result.status is Status.OK:
        table = []
        for raw in as_list(result.metrics.get("table")):
            d = as_map(raw)
            name, value = as_text(d.get("field")), describe(d.get("value"))
            if name is not None:
                table.append((clip(name, 300), clip(value or ""), clip(as_text(d.get("note")) or "", 500)))
        if table:
            groups.append(MetaGroup("What the metadata check read", tuple(table)))
    return tuple(groups)


# Analyst review (annotations added by people, e.g. in the web app) -----------------------------------


@dataclass(frozen=True, slots=True)
class ReviewPanel:
    """What analysts added: a verdict shown beside the automatic one, a signed checklist, notes."""

    verdict: dict[str, str] | None
    checklist: tuple[dict[str, str], ...]
    notes: tuple[dict[str, str], ...]


_REVIEW_VERDICT_KEYS = ("headline", "label", "confidence", "rationale", "signed_by", "signed_at")
_CHECKLIST_KEYS = ("title", "item", "question", "answer", "detail", "signed_by", "signed_at")
_NOTE_KEYS = ("author", "text", "created_at")


def _complete(row: dict[str, str], keys: tuple[str, ...]) -> dict[str, str]:
    """Every key present (empty when missing), so templates never meet an undefined field."""
    return {k: row.get(k, "") for k in keys}


def review_panel(report: Report) -> ReviewPanel | None:
    """The analyst review in `report.annotations` (shape in docs/web.md), or None when there is none."""
    ann = as_map(report.annotations)
    raw_verdict = as_map(ann.get("analyst_verdict"))
    verdict = fields(raw_verdict, _REVIEW_VERDICT_KEYS) if raw_verdict else None
    if verdict is not None and not (verdict.get("headline") or verdict.get("label")):
        verdict = None
    checklist = tuple(
        row
        for row in (fields(item, _CHECKLIST_KEYS) for item in as_list(ann.get("checklist")))
        if row.get("answer") or row.get("detail")
    )
    notes = tuple(
        row for row in (fields(n, _NOTE_KEYS) for n in as_list(ann.get("notes"))) if row.get("text")
    )
    if verdict is None and not checklist and not notes:
        return None
    return ReviewPanel(
        _complete(verdict, _REVIEW_VERDICT_KEYS) if verdict else None,
        tuple(_complete(r, _CHECKLIST_KEYS) for r in checklist),
        tuple(_complete(n, _NOTE_KEYS) for n in notes),
    )


# Fingerprint: bank matches and keyframes for reverse image search -------------------------------------

# Only these hosts may appear as (navigation) links in a report: the reverse-image-search engines.
SEARCH_HOSTS = ("lens.google.com", "www.bing.com", "yandex.com", "tineye.com")


@dataclass(frozen=True, slots=True)
class BankMatch:
    label: str
    note: str
    source_url: str | None  # only http(s) URLs; user-entered text otherwise shown as text
    source_text: str
    strength: float
    strength_name: str
    rule: str
    query_pct: float | None
    item_pct: float | None
    segments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Keyframe:
    thumb: ThumbView
    time: str
    download_name: str


@dataclass(frozen=True, slots=True)
class FingerprintPanel:
    bank: str | None  # one line describing the bank searched, None when no bank was configured
    matches: tuple[BankMatch, ...]
    keyframes: tuple[Keyframe, ...]
    engines: tuple[tuple[str, str], ...]  # (engine, upload page) for local reports


def _http_url(text: str | None) -> str | None:
    if not text:
        return None
    return text if re.match(r"https?://[^\s\"'<>]+$", text) else None


def _range(x: object) -> str | None:
    m = as_map(x)
    a, b = as_number(m.get("start_s")), as_number(m.get("end_s"))
    return None if a is None or b is None else f"{fmt_time(a)} – {fmt_time(b)}"


def _segment(x: object) -> str | None:
    m = as_map(x)
    query = _range(m.get("query"))
    if query is None:
        return None
    item = _range(m.get("item"))
    return f"{query} here ↔ {item} in the banked video" if item else f"{query} here ↔ the banked photo"


def _bank_match(x: object) -> BankMatch | None:
    m = as_map(x)
    label = as_text(m.get("label")) or as_text(m.get("item_id"))
    strength = as_number(m.get("strength"))
    if label is None or strength is None:
        return None
    source = as_text(m.get("source_url")) or ""
    segments = [t for t in (_segment(seg) for seg in as_list(m.get("segments"))) if t]
    where = _region(m.get("region"))
    if where:  # a photo found inside the frame (photo origin): where it sits
        segments.append(f"the banked photo fills {where}")
    return BankMatch(
        label=label,
        note=as_text(m.get("note")) or "",
        source_url=_http_url(source),
        source_text=source,
        strength=strength,
        strength_name=as_text(m.get("strength_name")) or "",
        rule=as_text(m.get("rule")) or "",
        query_pct=as_number(m.get("query_match_pct")),
        item_pct=as_number(m.get("item_match_pct")),
        segments=tuple(segments),
    )


def _region(x: object) -> str | None:
    """A region given as fractions {x, y, w, h} of the frame, in words."""
    m = as_map(x)
    x0, y0, w, h = (as_number(m.get(k)) for k in ("x", "y", "w", "h"))
    if x0 is None or y0 is None or w is None or h is None or w <= 0 or h <= 0:
        return None
    x1, y1 = min(1.0, x0 + w), min(1.0, y0 + h)
    x0, y0 = max(0.0, x0), max(0.0, y0)
    return f"x {100 * x0:.0f}–{100 * x1:.0f} %, y {100 * y0:.0f}–{100 * y1:.0f} % of the frame"


def fingerprint_panel(report: Report) -> FingerprintPanel | None:
    from vidsleuth.fingerprint.reverse_search import search_links

    result = report.result("fingerprint")
    if result is None or result.status is not Status.OK:
        return None
    metrics = as_map(result.metrics)
    bank = as_map(metrics.get("bank"))
    bank_line = None
    if bank:
        where, items = as_text(bank.get("location")) or "bank", as_text(bank.get("items")) or "?"
        frames, revision = as_text(bank.get("frames")) or "?", as_text(bank.get("revision")) or "?"
        bank_line = f"{where}: {items} items, {frames} frame hashes (revision {revision})"
    matches = tuple(b for b in (_bank_match(m) for m in as_list(metrics.get("matches"))) if b)
    keyframes = []
    for t in result.thumbnails:
        view = thumb_view(t)
        if view.src is None:
            continue
        name = f"keyframe-{t.time_s:08.2f}s.jpg".replace(" ", "0")
        keyframes.append(Keyframe(view, fmt_time(t.time_s), name))
    engines = tuple((link.engine, link.url) for link in search_links(None))
    return FingerprintPanel(bank_line, matches, tuple(keyframes), engines)
