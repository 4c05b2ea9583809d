"""The metadata section of the report: the container's and each stream's facts and tags as probed, each
shown once, with what the metadata check noted about a tag beside it, then what only the check read
(the decode's counts, labels embedded in the file's bytes).

The report frame shows the probed facts itself only when no section with this anchor exists, so this
section is where they appear whenever the metadata signal ran. Tags are attacker-controlled: every value
is cut to a length here and escaped by the template.
"""

from __future__ import annotations

from dataclasses import dataclass

from vidsleuth.core.media import MediaInfo
from vidsleuth.core.panel import Panel, PanelView
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.view import as_number, clip, container_name, fact_name, fact_text
from vidsleuth.signals.metadata.metrics import (
    DURATION,
    PROBED,
    MetadataMetrics,
    TableRow,
    tag_field,
    tag_place,
)

SHORT_TEXT = 300
NOTE_TEXT = 500
CHECK_TITLE = "What the metadata check read"


@dataclass(frozen=True, slots=True)
class MetaRow:
    field: str
    value: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class MetaGroup:
    title: str
    rows: tuple[MetaRow, ...]

    @property
    def has_notes(self) -> bool:
        return any(r.note for r in self.rows)


@dataclass(frozen=True, slots=True)
class MetadataView:
    groups: tuple[MetaGroup, ...]


class _Notes:
    """The check's table rows by field; a row whose note is shown beside a probed tag is used up."""

    def __init__(self, table: tuple[TableRow, ...]) -> None:
        self.rows: dict[str, TableRow] = {}
        for row in table:
            self.rows.setdefault(row.field, row)
        self.used: set[str] = set()

    def tag(self, place: str, key: str) -> str:
        row = self.rows.get(tag_field(place, key))
        if row is None:
            return ""
        self.used.add(row.field)
        return clip(row.note, NOTE_TEXT)


def _probed(media: MediaInfo, notes: _Notes) -> list[MetaGroup]:
    """The container's and each stream's declared facts and tags, with the check's notes on the tags."""
    rows = [
        MetaRow("container", container_name(media)),
        MetaRow("duration", fact_text("duration_s", media.duration_s)),
    ]
    if media.bit_rate:
        rows.append(MetaRow("overall bit rate", fact_text("bit_rate", media.bit_rate)))
    place = tag_place(None)
    rows += [
        MetaRow(f"tag: {clip(k, SHORT_TEXT)}", clip(str(v)), notes.tag(place, k))
        for k, v in media.tags.items()
    ]
    groups = [MetaGroup("Container", tuple(rows))]
    for s in media.streams:
        facts = {k: v for k, v in s.to_dict().items() if k not in ("index", "kind", "tags")}
        srows = [MetaRow(fact_name(k), fact_text(k, v)) for k, v in facts.items() if v not in (None, "", 0)]
        place = tag_place(s.index)
        srows += [
            MetaRow(f"tag: {clip(k, SHORT_TEXT)}", clip(str(v)), notes.tag(place, k))
            for k, v in s.tags.items()
        ]
        groups.append(MetaGroup(f"Stream {s.index} — {clip(s.kind, 100)}", tuple(srows)))
    return groups


def _checked(m: MetadataMetrics, media: MediaInfo, notes: _Notes) -> list[MetaRow]:
    """What the check read that the probed groups do not already show."""
    rows = []
    for row in m.table:
        if row.field in notes.used:
            continue
        # The check's copies of probed facts are left out (the facts are shown above), unless they carry
        # a note, or the probe did not know the duration that the decode measured.
        repeats = row.field in PROBED and not (row.field == DURATION and as_number(media.duration_s) is None)
        if repeats and not row.note:
            continue
        rows.append(MetaRow(clip(row.field, SHORT_TEXT), clip(row.value), clip(row.note, NOTE_TEXT)))
    if m.xmp_packets > 0:
        rows.append(MetaRow("XMP packets in the file", str(m.xmp_packets)))
    rows += [MetaRow("XMP digital source type", clip(t, SHORT_TEXT)) for t in m.digital_source_types]
    if m.aigc:  # 1.1: each label read, in a sentence (where, what it says, its producer), fields as a note
        rows += [
            MetaRow("AIGC label", clip(r.sentence), clip(", ".join(f"{k}={v}" for k, v in r.fields.items())))
            for r in m.aigc
        ]
    else:  # a 1.0 report: the raw label JSON it found
        rows += [MetaRow("AIGC label", clip(t)) for t in m.aigc_labels]
    return rows


def metadata_view(report: Report, result: SignalResult) -> MetadataView | None:
    """The probed facts merged with what the metadata check read, or None when the check did not run."""
    if result.status is not Status.OK:
        return None
    m = result.metrics_as(MetadataMetrics)
    notes = _Notes(m.table)
    groups = _probed(report.media, notes)
    checked = _checked(m, report.media, notes)
    if checked:
        groups.append(MetaGroup(CHECK_TITLE, tuple(checked)))
    return MetadataView(tuple(groups))


class MetadataPanel(Panel):
    POSITION = 90

    def view(self, report: Report, result: SignalResult) -> PanelView | None:
        v = metadata_view(report, result)
        if v is None:
            return None
        return PanelView(anchor="metadata", title="Metadata", context={"v": v}, shows_media_facts=True)
