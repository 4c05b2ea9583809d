"""The catalogue of visible marks, and matching OCR text against it.

The marks live in `data/watermarks.toml`, one row per mark with its sources. This module loads them and
decides whether a line of OCR text names a mark. OCR of small semi-transparent text is noisy ("AI" comes
out as "Al", "Sora" as "S0ra"), so text is normalised before matching and long texts may match with a
small edit distance; short texts ("Veo") must match exactly, since a fuzzy three-letter match would fire
on any word.
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

# Texts of at least this many characters may match fuzzily ...
MIN_FUZZY_CHARS = 4
# ... when difflib's similarity ratio reaches this (one wrong letter in "sora" gives 0.75, two in
# "klingai" give 0.71); shorter texts must match exactly.
FUZZY_RATIO = 0.75
# A line that is much longer than the mark's text is content ("Sora is amazing"), not the mark.
MAX_EXTRA_CHARS = 3
# A handle is "@" and 3-30 of the characters the platforms allow in usernames: letters, digits, dots,
# underscores and hyphens (issue #12: a hyphenated handle read at confidence 1.00 was thrown away), with at
# least one letter; the Sora app shortens long ones with "..." (kept verbatim, "…" written as "...").
HANDLE_CHARS = "A-Za-z0-9._-"
HANDLE_RE = re.compile(rf"^@?([A-Za-z0-9][{HANDLE_CHARS}]{{2,29}})$")
# OCR often reads a small "@" as one of these capitals: "Qandrewdefee" for "@andrewdefee" (corpus puppy
# advert). Such a capital before a lower-case name is taken for "@".
AT_LOOKALIKES = "QGCO"
# A line without "@" (or a look-alike) is taken for a handle only when read this confidently.
BARE_HANDLE_MIN_CONFIDENCE = 0.9
CORNERS = ("top_left", "top_right", "bottom_left", "bottom_right")


@dataclass(frozen=True, slots=True)
class Mark:
    key: str
    name: str
    generator: str
    catalog_key: str
    kind: str  # generator_mark | platform_label
    texts: tuple[str, ...]
    motion: str  # jumps | fixed
    corners: tuple[str, ...]
    width_share: tuple[float, float] | None
    dwell_s: tuple[float, float] | None
    opacity: str
    has_handle: bool
    verified: bool
    sources: tuple[str, ...]
    notes: str = ""
    # A jumping mark's cycles of places (each a tuple of spots such as "top_left", "middle_right"), and the
    # usual distance of its text from the picture's edges (shares of the picture's width and height).
    places: tuple[tuple[str, ...], ...] = ()
    place_margin: tuple[float, float] | None = None
    # How the row was checked beyond `verified` (corpus files, composites of the documented look).
    checked: tuple[str, ...] = ()
    relative_to: str = "frame"  # what width_share is measured against: "frame" or "picture" (inside bars)


@dataclass(frozen=True, slots=True)
class TextMatch:
    mark: Mark
    text: str  # the OCR line as read
    score: float  # 1.0 exact, else the fuzzy ratio


def _pair(row: Mapping[str, Any], name: str) -> tuple[float, float] | None:
    value = row.get(name) or []
    if not value:
        return None
    lo, hi = (float(x) for x in value)
    return lo, hi


SPOTS = tuple(f"{r}_{c}" for r in ("top", "middle", "bottom") for c in ("left", "right"))


def _places(row: Mapping[str, Any]) -> tuple[tuple[str, ...], ...]:
    out = tuple(tuple(str(s) for s in cycle) for cycle in row.get("places", ()))
    bad = [s for cycle in out for s in cycle if s not in SPOTS]
    if bad:
        raise ValueError(f"unknown place(s) {bad}")
    return out


def _relative_to(row: Mapping[str, Any]) -> str:
    value = str(row.get("relative_to", "frame"))
    if value not in ("frame", "picture"):
        raise ValueError(f"relative_to must be 'frame' or 'picture', not {value!r}")
    return value


def _mark(key: str, row: Mapping[str, Any]) -> Mark:
    try:
        corners = tuple(str(c) for c in row.get("corners", ()))
        bad = [c for c in corners if c not in CORNERS]
        if bad:
            raise ValueError(f"unknown corner(s) {bad}")
        return Mark(
            key=key,
            name=str(row["name"]),
            generator=str(row["generator"]),
            catalog_key=str(row.get("catalog_key", "")),
            kind=str(row["kind"]),
            texts=tuple(normalise(str(t)) for t in row["texts"]),
            motion=str(row.get("motion", "fixed")),
            corners=corners,
            width_share=_pair(row, "width_share"),
            dwell_s=_pair(row, "dwell_s"),
            opacity=str(row.get("opacity", "")),
            has_handle=bool(row.get("has_handle", False)),
            verified=bool(row.get("verified", False)),
            sources=tuple(str(s) for s in row.get("sources", ())),
            notes=str(row.get("notes", "")),
            places=_places(row),
            place_margin=_pair(row, "place_margin"),
            checked=tuple(str(s) for s in row.get("checked", ())),
            relative_to=_relative_to(row),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"watermarks.toml: row {key!r} is malformed ({exc})") from exc


@functools.cache
def marks() -> tuple[Mark, ...]:
    """Every catalogued mark, in file order."""
    text = resources.files("vidsleuth.data").joinpath("watermarks.toml").read_text(encoding="utf-8")
    rows = tomllib.loads(text).get("mark", {})
    return tuple(_mark(key, row) for key, row in rows.items())


def get(key: str) -> Mark:
    for m in marks():
        if m.key == key:
            return m
    raise KeyError(key)


_AL_RE = re.compile(r"(?<![a-z])al(?![a-z])")


def normalise(text: str) -> str:
    """Lower case, NFKC, OCR's "Al" for "AI" fixed, everything but letters, digits and CJK removed."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = _AL_RE.sub("ai", t)
    t = t.replace("0", "o") if re.fullmatch(r"[a-z0-9]+", t) and re.search(r"[a-z]", t) else t
    return "".join(ch for ch in t if ch.isalnum())


def match_text(text: str) -> TextMatch | None:
    """The catalogued mark that this OCR line names, if any (best score wins)."""
    norm = normalise(text)
    if not norm:
        return None
    best: TextMatch | None = None
    for mark in marks():
        for expected in mark.texts:
            if norm == expected:
                score = 1.0
            elif len(expected) >= MIN_FUZZY_CHARS and abs(len(norm) - len(expected)) <= MAX_EXTRA_CHARS:
                score = difflib.SequenceMatcher(None, norm, expected).ratio()
                if score < FUZZY_RATIO:
                    continue
            else:
                continue
            if best is None or score > best.score:
                best = TextMatch(mark, text, score)
    return best


def handle_of(text: str, confidence: float = 1.0) -> str | None:
    """The @handle in an OCR line, normalised to start with "@", or None when it does not look like one."""
    s = text.strip().replace(" ", "").replace("\u2026", "...")
    if len(s) > 3 and s[0] in AT_LOOKALIKES and re.fullmatch(r"[a-z0-9._-]+", s[1:]) and s[1].isalpha():
        s = "@" + s[1:]
    m = HANDLE_RE.match(s)
    if m is None or not re.search(r"[A-Za-z]", m.group(1)):
        return None
    if normalise(s) in {t for mk in marks() for t in mk.texts}:
        return None
    if not s.startswith("@") and confidence < BARE_HANDLE_MIN_CONFIDENCE:
        return None
    return "@" + m.group(1)
