"""China's AIGC implicit labels (GB 45438-2025, Annex E): find them, parse them within bounds, say what
each field means, and turn them into findings.

Why this module exists: since 2025-09-01 generated content published in China carries a hidden label,
`{"AIGC":{"Label":"1","ContentProducer":"…","ProduceID":"…","ReservedCode1":"…","ContentPropagator":"…",
"PropagateID":"…","ReservedCode2":"…"}}` (Label 1 generated, 2 possibly, 3 suspected). It is unsigned and
attacker-controlled, so reading it must never crash, hang or be fooled into a strong finding by junk.

Where it is read:
- container and stream tags whose key contains "aigc", as the probe exposes them: MP4/MOV `udta/meta`
  keys (`ffmpeg -movflags use_metadata_tags -metadata AIGC=…`), Matroska SimpleTags (global and track),
  AVI `LIST/INFO`, FLV `onMetaData`. The probe keeps 4,000 characters of a tag; a longer value is
  re-read whole from the bytes below when it is there;
- XMP packets in the TC260 namespace `http://www.tc260.org.cn/ns/AIGC/1.0/` (attributes, or an element
  holding the JSON), found by a byte scan of the first and last 8 MiB with regular expressions, never an
  XML parser (no entities, no XXE);
- raw `{"AIGC":…}` / `{"Label":…,"ContentProducer":…}` objects in the same bytes (EXIF, PNG text, boxes
  FFmpeg does not expose).

Bounds: a value is parsed up to 64 KiB (longer: "oversized", not parsed); nesting is checked to depth 8
before `json.loads` (no RecursionError); at most 16 XMP packets and 16 raw objects, 64 candidate objects
per window; duplicate keys are detected; every field shown is stripped of control and bidi characters and
cut at 200 characters. Any error inside becomes a label that says it could not be read.

The byte scan and the reading of tags are in `aigc_scan.py` (`read_labels`); this module parses a value
and turns labels into findings and metrics records.

Producer codes map to platforms through `data/aigc_producers.toml` (each row sourced). A Label 1 from a
producer the table knows from observed files or vendor documentation is attribution-grade; a mapping
known only from one third-party claim is reported as "may be"; unknown codes are reported verbatim with
their USCC check.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

from vidsleuth.core.evidence import Evidence, Hypothesis, JSONValue
from vidsleuth.signals.metadata.metrics import AigcLabelRecord

XMP_NS = "http://www.tc260.org.cn/ns/AIGC/1.0/"
FIELDS = (
    "Label",
    "ContentProducer",
    "ProduceID",
    "ReservedCode1",
    "ContentPropagator",
    "PropagateID",
    "ReservedCode2",
)
ALIASES = {"ReserveCode1": "ReservedCode1", "ReserveCode2": "ReservedCode2", "PropagatorID": "PropagateID"}
MEANINGS = {"1": "AI-generated", "2": "possibly AI-generated", "3": "suspected to be AI-generated"}
STRENGTHS = {"1": 0.85, "2": 0.5, "3": 0.4}  # on the shared scale (core/evidence.py); the card explains
MAX_VALUE = 64 << 10
MAX_DEPTH = 8
MAX_SHOWN = 200
_ANNEX_E = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]*$")  # Annex E j): printable ASCII without space, " and \
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC = re.compile(r"9[0-9A-HJ-NP-RTUWXY]{17}")
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))


Status = Literal["ok", "malformed", "oversized", "empty"]


# ---------------------------------------------------------------------------------------------- producers
@dataclass(frozen=True, slots=True)
class Producer:
    key: str  # the USCC, or the name a producer writes
    platform: str
    evidence: str  # observed | vendor documentation | claimed
    sources: tuple[str, ...]


@functools.cache
def producers() -> Mapping[str, Producer]:
    text = resources.files("vidsleuth.data").joinpath("aigc_producers.toml").read_text(encoding="utf-8")
    rows = tomllib.loads(text).get("producer", {})
    return {
        k: Producer(k, str(r["platform"]), str(r["evidence"]), tuple(r.get("sources", ())))
        for k, r in rows.items()
    }


def uscc_valid(code: str) -> bool:
    """The GB 32100-2015 check character of an 18-character unified social credit code."""
    if len(code) != 18 or any(c not in _USCC_ALPHABET for c in code):
        return False
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


@dataclass(frozen=True, slots=True)
class Code:
    """A ContentProducer or ContentPropagator value, split and looked up."""

    code: str  # display-safe
    layout: str
    uscc: str | None = None
    uscc_valid: bool | None = None
    service: str | None = None  # generation | propagation | unspecified
    producer: Producer | None = None

    @property
    def attributable(self) -> bool:
        return self.producer is not None and self.producer.evidence != "claimed"

    def words(self) -> str:
        if self.producer is None:
            check = (
                f"; USCC {self.uscc}, check character {'valid' if self.uscc_valid else 'INVALID'}"
                if self.uscc
                else ""
            )
            return f"code {self.code}, not in vidsleuth's table{check}"
        if self.producer.evidence == "claimed":
            return f"code {self.code}, which may be {self.producer.platform} (a single unverified claim)"
        return f"{self.producer.platform} (code {self.code})"


def parse_code(value: str) -> Code:
    shown = display(value)
    table = producers()
    if len(value) == 27 and value.startswith("0011"):
        uscc = value[4:22]
        service = {"1": "generation", "2": "propagation", "0": "unspecified"}.get(value[22], "unknown")
        return Code(shown, "27-character provider code", uscc, uscc_valid(uscc), service, table.get(uscc))
    if len(value) == 18 and uscc_valid(value):
        return Code(shown, "bare USCC", value, True, producer=table.get(value))
    found = _USCC.search(value[:200])
    if found and uscc_valid(found.group(0)):
        uscc = found.group(0)
        return Code(shown, f"non-standard ({len(value)} characters)", uscc, True, producer=table.get(uscc))
    return Code(shown, f"a name or unknown form ({len(value)} characters)", producer=table.get(value.strip()))


# ---------------------------------------------------------------------------------------------- labels
@dataclass(frozen=True, slots=True)
class AigcLabel:
    """One label found in the file, parsed; `status` other than ok means it is not evidence."""

    where: str
    status: Status
    problems: tuple[str, ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict)  # display-safe, cut
    label: str | None = None
    producer: Code | None = None
    propagator: Code | None = None

    @property
    def meaning(self) -> str | None:
        return MEANINGS.get(self.label or "")

    @property
    def passed_through(self) -> bool:
        """A propagator other than the producer: the file went through that platform."""
        return self.propagator is not None and (
            self.producer is None or self.propagator.code != self.producer.code
        )

    def sentence(self) -> str:
        if self.status != "ok":
            return f"A malformed AIGC label in {self.where} ({'; '.join(self.problems[:3]) or self.status})."
        who = self.producer.words() if self.producer else "no producer given"
        text = (
            f"The file labels itself {self.meaning} (GB 45438-2025 implicit label, Label {self.label}) in "
            f"{self.where}; producer: {who}."
        )
        if self.passed_through and self.propagator is not None:
            text += f" It passed through {self.propagator.words()}."
        return text


def display(value: object) -> str:
    """A value safe to show: no control or bidi characters, at most 200 characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)[: MAX_SHOWN * 2]
    text = "".join(" " if ch in "\r\n\t" else ch for ch in text[: MAX_SHOWN * 4])
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").translate(_BIDI)
    return text[:MAX_SHOWN] + ("…" if len(text) > MAX_SHOWN else "")


def _depth_ok(text: str) -> bool:
    depth, in_str, escaped = 0, False, False
    for ch in text:
        if in_str:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            out.setdefault("\x00duplicates", []).append(k)
        out[k] = v
    return out


def _load(text: str) -> Any:
    if len(text) > MAX_VALUE or not _depth_ok(text):
        raise ValueError("too long or nested too deep")
    return json.loads(text, object_pairs_hook=_pairs)


def interpret(raw: str, where: str) -> AigcLabel:
    """Parse one label value found at `where`. Never raises."""
    try:
        return _interpret(raw, where)
    except Exception as exc:  # the parser must never take the signal down
        return AigcLabel(where, "malformed", (f"could not be read ({type(exc).__name__})",))


def _interpret(raw: str, where: str) -> AigcLabel:
    if len(raw) > MAX_VALUE:
        return AigcLabel(
            where, "oversized", (f"{len(raw):,} characters; labels are parsed up to {MAX_VALUE:,}",)
        )
    text = raw.strip().strip("\x00")
    if not text:
        return AigcLabel(where, "empty", ("empty value",))
    problems: list[str] = []
    if "\ufffd" in text:
        problems.append("contains invalid UTF-8 (replaced by U+FFFD)")
    if not _depth_ok(text):
        return AigcLabel(where, "malformed", (*problems, f"JSON nested deeper than {MAX_DEPTH} levels"))
    try:
        obj = json.loads(text, object_pairs_hook=_pairs)
    except (ValueError, RecursionError) as exc:
        reason = f"not JSON ({type(exc).__name__})"
        return AigcLabel(where, "malformed", (*problems, reason), {"raw": display(text)})
    if isinstance(obj, str):
        problems.append("a JSON string holding JSON (encoded twice)")
        try:
            obj = _load(obj)
        except (ValueError, RecursionError):
            return AigcLabel(where, "malformed", tuple(problems), {"raw": display(text)})
    if not isinstance(obj, dict):
        return AigcLabel(
            where,
            "malformed",
            (*problems, f"a JSON {type(obj).__name__}, not an object"),
            {"raw": display(text)},
        )
    inner: Any = next((v for k, v in obj.items() if k.upper() == "AIGC"), None)
    if isinstance(inner, str):
        problems.append("the AIGC member is a string; parsed again")
        try:
            inner = _load(inner)
        except (ValueError, RecursionError):
            inner = None
    if isinstance(inner, dict):
        body = inner
    elif "Label" in obj or "ContentProducer" in obj:
        body = obj
        problems.append('a flat object without the outer "AIGC" key')
    else:
        return AigcLabel(
            where, "malformed", (*problems, "none of the label's fields"), {"raw": display(text)}
        )
    duplicates = sorted({k for d in (obj, body) for k in d.get("\x00duplicates", [])})
    if duplicates:
        problems.append("duplicate keys: " + ", ".join(display(k) for k in duplicates))
    values: dict[str, Any] = {}
    for key, value in body.items():
        if key == "\x00duplicates":
            continue
        name = ALIASES.get(key, key)
        if name != key:
            problems.append(f"non-standard key {key!r} read as {name!r}")
        if name in FIELDS:
            values[name] = value
        else:
            problems.append(f"extra key {display(key)!r}")
    shown: dict[str, str] = {}
    for name in FIELDS:
        if name not in values:
            if name in ("Label", "ContentProducer"):
                problems.append(f"missing {name}")
            continue
        value = values[name]
        if not isinstance(value, str):
            problems.append(f"{name} is a JSON {type(value).__name__}, expected a string")
        shown[name] = display(value)
        if isinstance(value, str) and value and not name.startswith("Reserved") and not _ANNEX_E.match(value):
            problems.append(f"{name} has characters outside Annex E j)")
    label = values.get("Label")
    producer, propagator = values.get("ContentProducer"), values.get("ContentPropagator")
    ok = (
        isinstance(label, str)
        and label in MEANINGS
        and not {"Label", "ContentProducer"} & set(duplicates)
        and isinstance(producer, str | None)
    )
    if isinstance(label, str) and label not in MEANINGS:
        problems.append(f"Label {display(label)!r} is not 1, 2 or 3")
    return AigcLabel(
        where,
        "ok" if ok else "malformed",
        tuple(problems),
        shown,
        display(label) if isinstance(label, str | int) and not isinstance(label, bool) else None,
        parse_code(producer) if isinstance(producer, str) and producer else None,
        parse_code(propagator) if isinstance(propagator, str) and propagator else None,
    )


# ---------------------------------------------------------------------------------------------- findings
def _rank(label: AigcLabel) -> tuple[int, int]:
    return (
        {"1": 0, "2": 1, "3": 2}.get(label.label or "", 3),
        0 if label.producer and label.producer.attributable else 1,
    )


def aigc_evidence(labels: Iterable[AigcLabel]) -> list[Evidence]:
    """`metadata.aigc_label` (the strongest well-formed label), `metadata.aigc_propagated` (the platforms it
    says the file passed through) and `metadata.aigc_label_malformed` (labels that are not evidence)."""
    labels = list(labels)
    good = sorted((x for x in labels if x.status == "ok"), key=_rank)
    out: list[Evidence] = []
    if good:
        best = good[0]
        code = best.producer
        attributable = best.label == "1" and code is not None and code.attributable
        text = best.sentence()
        text += (
            " The label is self-declared and unsigned, but nobody adds it to real footage by accident."
            if best.label == "1"
            else " Labels 2 and 3 are what platforms add when they only suspect generation."
        )
        if best.problems:
            text += f" Its form departs from Annex E: {'; '.join(best.problems[:3])}."
        if len(good) > 1:
            text += f" The file carries {len(good)} well-formed labels in all."
        data: dict[str, JSONValue] = {
            "label": best.label,
            "meaning": best.meaning,
            "where": best.where,
            "producer": code.code if code else None,
            "platform": code.producer.platform if code and code.producer else None,
            "producer_evidence": code.producer.evidence if code and code.producer else None,
            "uscc_valid": code.uscc_valid if code else None,
            "fields": dict(best.fields),
            "problems": list(best.problems[:8]),
            "attribution_grade": attributable,
            "attribution_source": "aigc_label",
            "labels": len(good),
        }
        if attributable and code is not None and code.producer is not None:
            data["generator"] = code.producer.platform
        strength = STRENGTHS[best.label or "3"]
        out.append(
            Evidence.supports("metadata.aigc_label", Hypothesis.AI_GENERATED, strength, text, data=data)
        )
    through = {x.propagator.code: x.propagator for x in good if x.passed_through and x.propagator is not None}
    if through:
        names = "; ".join(c.words() for c in through.values())
        out.append(
            Evidence.info(
                "metadata.aigc_propagated",
                Hypothesis.PROVENANCE_ATTESTED,
                f"The AIGC label says the file passed through {names}: a platform that published or "
                "re-shared it, not the one that made it.",
                data={"propagators": [c.code for c in through.values()]},
            )
        )
    bad = [x for x in labels if x.status != "ok"]
    if bad:
        first = bad[0]
        out.append(
            Evidence.info(
                "metadata.aigc_label_malformed",
                Hypothesis.AI_GENERATED,
                f"{first.sentence()} A malformed label is not evidence either way: it may be damaged, "
                "hostile or written by a tool that got the format wrong."
                + (f" {len(bad)} malformed labels in all." if len(bad) > 1 else ""),
                data={"where": first.where, "status": first.status, "problems": list(first.problems[:8])},
            )
        )
    return out


def aigc_records(labels: Iterable[AigcLabel]) -> tuple[AigcLabelRecord, ...]:
    return tuple(
        AigcLabelRecord(
            where=x.where,
            status=x.status,
            label=x.label,
            meaning=x.meaning,
            producer=x.producer.code if x.producer else None,
            producer_platform=x.producer.producer.platform if x.producer and x.producer.producer else None,
            propagator=x.propagator.code if x.propagator else None,
            propagator_platform=x.propagator.producer.platform
            if x.propagator and x.propagator.producer
            else None,
            fields=dict(x.fields),
            problems=tuple(x.problems[:8]),
            sentence=x.sentence(),
        )
        for x in labels
    )
