"""Recognise telling container tags and embedded labels: XMP DigitalSourceType, generator signatures, an
AIGC label tag, editors and transcoders. (The AIGC labels themselves are read and parsed by `aigc_scan.py`
and `aigc.py`.)

The patterns live in `data/metadata_marks.toml` with their sources. Embedded XMP packets are found by a
bounded byte scan of the start and end of the file (where MP4/MOV keep their metadata boxes), so a
multi-gigabyte file costs at most a few megabytes of reading.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources

# Bytes read from each end of the file when looking for XMP packets.
SCAN_BYTES = 8 << 20
_XMP_START = re.compile(rb"<x:xmpmeta[\s>]")
_XMP_END = b"</x:xmpmeta>"
_XMP_LIMIT = 1 << 20
_DST = re.compile(rb"DigitalSourceType[^>]{0,40}?(?:>|=\")\s*(?:[^<\"]*/)?([A-Za-z]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Mark:
    key: str
    tag: re.Pattern[str]
    value: re.Pattern[str]
    kind: str  # ai_label | generator | editor | reencode | export
    label: str
    generator: str | None
    strength: float
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TagHit:
    mark: Mark
    tag: str
    value: str
    where: str  # "container" or "stream N"


@dataclass(frozen=True, slots=True)
class EmbeddedLabels:
    digital_source_types: tuple[str, ...]  # IPTC terms found in XMP packets, e.g. trainedAlgorithmicMedia
    xmp_packets: int


@functools.cache
def _data() -> Mapping[str, object]:
    text = resources.files("vidsleuth.data").joinpath("metadata_marks.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@functools.cache
def marks() -> tuple[Mark, ...]:
    rows = _data().get("mark", {})
    assert isinstance(rows, dict)
    out = []
    for key, row in rows.items():
        out.append(
            Mark(
                key=key,
                tag=re.compile(row["tag"], re.IGNORECASE),
                value=re.compile(row["value"]),
                kind=str(row["kind"]),
                label=str(row["label"]),
                generator=row.get("generator"),
                strength=float(row.get("strength", 0.0)),
                sources=tuple(row.get("sources", ())),
            )
        )
    return tuple(out)


@functools.cache
def common_sizes() -> frozenset[tuple[int, int]]:
    table = _data().get("common_sizes", {})
    assert isinstance(table, dict)
    sizes = {(int(w), int(h)) for w, h in table.get("sizes", ())}
    return frozenset(sizes | {(h, w) for w, h in sizes})


@functools.cache
def common_rates() -> tuple[float, ...]:
    """Frame rates cameras, phones and screen recorders write (`metadata_marks.toml`)."""
    table = _data().get("common_rates", {})
    assert isinstance(table, dict)
    return tuple(float(r) for r in table.get("rates", ()))


def is_camera_rate(fps: float, tolerance: float = 0.02) -> bool:
    return any(abs(fps - r) <= tolerance for r in common_rates())


def match_tags(tag_sets: Iterable[tuple[str, Mapping[str, str]]]) -> list[TagHit]:
    """Every (mark, tag) hit over the given (where, tags) pairs, in mark order."""
    hits: list[TagHit] = []
    pairs = list(tag_sets)
    for mark in marks():
        for where, tags in pairs:
            for tag, value in tags.items():
                if mark.tag.search(tag) and mark.value.search(value):
                    hits.append(TagHit(mark, tag, value, where))
    return hits


def _windows(path: str, size: int) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        total = os.fstat(fh.fileno()).st_size
        if total <= 2 * size:
            yield fh.read()
            return
        yield fh.read(size)
        fh.seek(total - size)
        yield fh.read(size)


def scan_embedded(path: str, scan_bytes: int = SCAN_BYTES) -> EmbeddedLabels:
    """Look for XMP DigitalSourceType values near the start and end of the file."""
    dst: list[str] = []
    packets = 0
    for blob in _windows(path, scan_bytes):
        for m in _XMP_START.finditer(blob):
            end = blob.find(_XMP_END, m.start(), m.start() + _XMP_LIMIT)
            if end < 0:
                continue
            packets += 1
            packet = blob[m.start() : end]
            for found in _DST.finditer(packet):
                dst.append(found.group(1).decode("ascii", "replace"))
    return EmbeddedLabels(tuple(dict.fromkeys(dst)), packets)
