"""Where China's AIGC labels hide in a file, and reading them out within bounds: tags as the probe exposes
them, XMP packets in the TC260 namespace and raw label JSON in the file's first and last 8 MiB.

Why this module exists: the byte scan is the only part of the AIGC reader that touches the file, and it
must stay bounded and safe against hostile input (no XML parser, no unbounded JSON), so it is kept apart
from the parsing and the findings (`aigc.py`), which it feeds. `read_labels` is what the metadata signal
calls; every label it returns was parsed by `aigc.interpret`.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping

from vidsleuth.signals.metadata.aigc import MAX_VALUE, XMP_NS, AigcLabel, display, interpret

SCAN_BYTES = 8 << 20
MAX_HITS = 16
MAX_CANDIDATES = 64
PROBE_TAG_LIMIT = 4000  # media/probe.py keeps this many characters of a tag value
_XMP_START = re.compile(rb"<x:xmpmeta[\s>]")
_XMP_END = b"</x:xmpmeta>"
_RAW = re.compile(rb'\{\s*"(?:AIGC|Label)"\s*:')

_CUT = (
    f"longer than the {PROBE_TAG_LIMIT:,} characters the probe keeps, and no complete label was found in "
    "the file's first and last 8 MiB"
)


def _windows(path: str, size: int) -> Iterator[tuple[int, bytes]]:
    with open(path, "rb") as fh:
        total = os.fstat(fh.fileno()).st_size
        if total <= 2 * size:
            yield 0, fh.read()
            return
        yield 0, fh.read(size)
        fh.seek(total - size)
        yield total - size, fh.read(size)


def _balanced(blob: bytes, start: int) -> bytes | None:
    """The JSON object starting at `start`, if it closes within 64 KiB."""
    depth, in_str, escaped = 0, False, False
    for i in range(start, min(len(blob), start + MAX_VALUE)):
        ch = blob[i]
        if in_str:
            if escaped:
                escaped = False
            elif ch == 0x5C:
                escaped = True
            elif ch == 0x22:
                in_str = False
        elif ch == 0x22:
            in_str = True
        elif ch == 0x7B:
            depth += 1
        elif ch == 0x7D:
            depth -= 1
            if depth == 0:
                return blob[start : i + 1]
    return None


def _xmp_label(packet: str, where: str) -> AigcLabel | None:
    ns = re.search(r'xmlns:([A-Za-z_][\w.-]{0,40})\s*=\s*["\']' + re.escape(XMP_NS), packet)
    if ns is None:
        return None
    prefix = re.escape(ns.group(1))
    found = dict(re.findall(prefix + r':(\w{1,40})\s*=\s*"([^"]{0,4096})"', packet))
    found.update(re.findall(r"<" + prefix + r":(\w{1,40})>([^<]{0,65536})</" + prefix + r":\1>", packet))
    if not found:
        return None
    if found.get("AIGC", "").lstrip().startswith("{"):
        return interpret(html.unescape(found["AIGC"]), where)
    return interpret(json.dumps({"AIGC": {k: html.unescape(v) for k, v in found.items()}}), where)


def scan_bytes(path: str, size: int = SCAN_BYTES) -> list[tuple[AigcLabel, str]]:
    """Labels in XMP packets (TC260 namespace) and raw JSON in the first and last `size` bytes, each with
    the text it was parsed from."""
    out: list[tuple[AigcLabel, str]] = []
    seen: set[bytes] = set()
    packets = raws = 0
    for base, blob in _windows(path, size):
        spans: list[tuple[int, int]] = []
        for m in _XMP_START.finditer(blob):
            if packets >= MAX_HITS:
                break
            end = blob.find(_XMP_END, m.start(), m.start() + (1 << 20))
            if end < 0:
                continue
            packets += 1
            spans.append((m.start(), end))
            packet = blob[m.start() : end].decode("utf-8", "replace")
            label = _xmp_label(packet, f"an XMP packet (TC260 namespace) at byte {base + m.start()}")
            if label is not None:
                out.append((label, ""))
        candidates = 0
        for m in _RAW.finditer(blob):
            if raws >= MAX_HITS or candidates >= MAX_CANDIDATES:
                break
            if any(a <= m.start() < b for a, b in spans):
                continue
            candidates += 1
            obj = _balanced(blob, m.start())
            if obj is None or obj in seen or (b"ContentProducer" not in obj and b'"AIGC"' not in obj):
                continue
            seen.add(obj)
            spans.append((m.start(), m.start() + len(obj)))
            raws += 1
            text = obj.decode("utf-8", "replace")
            out.append((interpret(text, f"JSON in the file's bytes at byte {base + m.start()}"), text))
    return out


def read_labels(
    tag_sets: Iterable[tuple[str, Mapping[str, str]]], path: str | None, scan_size: int = SCAN_BYTES
) -> tuple[AigcLabel, ...]:
    """Every AIGC label of the file: tags first (they name their place), then what only the bytes hold.
    `tag_sets` are (place, tags) pairs as `formats.tag_sets(media)` gives them. Never raises."""
    try:
        raw: list[tuple[AigcLabel, str]] = scan_bytes(path, scan_size) if path else []
    except OSError as exc:
        raw = [
            (AigcLabel("the file's bytes", "malformed", (f"could not be read ({exc.strerror or exc})",)), "")
        ]
    labels: list[AigcLabel] = []
    used: set[int] = set()
    for place, tags in tag_sets:
        for key, value in tags.items():
            if "aigc" not in str(key).lower():
                continue
            where = f"the {place} tag '{display(key)}'"
            if len(value) >= PROBE_TAG_LIMIT:  # cut by the probe: the whole value may be in the bytes
                whole = next((i for i, (_, t) in enumerate(raw) if t and t.startswith(value[:200])), None)
                if whole is None:
                    labels.append(AigcLabel(where, "oversized", (_CUT,)))
                    continue
                used.add(whole)
                value = raw[whole][1]
            labels.append(interpret(value, where))
    tag_fields = {tuple(sorted(x.fields.items())) for x in labels}
    for i, (label, _) in enumerate(raw):
        if i not in used and not (
            label.where.startswith("JSON") and tuple(sorted(label.fields.items())) in tag_fields
        ):
            labels.append(label)
    return tuple(labels)
