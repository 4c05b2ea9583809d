"""The catalogue of video generators: output sizes, frame rates, clip lengths and container traits.

The numbers live in `data/generators.toml`, one table per generator, each with the sources it was taken
from. Signals ask this module, never hard-code a generator fact. Sizes are stored as (width, height) in
the orientation the generator offers; lookups accept either orientation.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

# How close a measured length must be to a generator's nominal one; two tolerances for two measurements.
# A whole file's duration against a clip length offered by the generator (metadata): within about one
# frame at 24 fps, because a download keeps the generation's exact frame count.
FILE_LENGTH_TOLERANCE_S = 0.06
# A shot's length, measured between detected cuts, against a generator's longest clip (shots): nominal
# lengths differ from measured ones by a few frames (Sora 2 "10 s" files last 10.1 s, Kling "5 s" 5.1 s,
# Hailuo "6 s" 5.875 s in the corpus), and a cut is placed to within a frame or two.
SHOT_LENGTH_TOLERANCE_S = 0.5


@dataclass(frozen=True, slots=True)
class Generator:
    key: str  # stable id, e.g. "sora2"
    name: str  # shown to people, e.g. "Sora 2"
    vendor: str  # e.g. "OpenAI"
    clip_lengths_s: tuple[float, ...]  # durations a user can pick for one generation
    max_clip_s: float  # longest single generation (no extension, no stitching by the user)
    sizes: tuple[tuple[int, int], ...]  # output frame sizes (width, height)
    fps: tuple[float, ...]  # output frame rates
    frame_counts: tuple[int, ...] = ()  # exact frame counts when the model has fixed ones
    multi_shot: bool = False  # the model itself may cut inside one generation
    max_extended_s: float | None = None  # longest result of the vendor's own "extend" feature
    encoder_tags: tuple[str, ...] = ()  # container/stream encoder tags its downloads carry
    sources: tuple[str, ...] = ()
    notes: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.vendor})" if self.vendor and self.vendor not in self.name else self.name

    def matches_size(self, width: int, height: int) -> bool:
        return any((width, height) in ((w, h), (h, w)) for w, h in self.sizes)

    def matches_fps(self, fps: float, tolerance: float = 0.05) -> bool:
        return any(abs(fps - f) <= tolerance for f in self.fps)


def _generator(key: str, row: Mapping[str, Any]) -> Generator:
    try:
        sizes = tuple((int(w), int(h)) for w, h in row.get("sizes", ()))
        return Generator(
            key=key,
            name=str(row["name"]),
            vendor=str(row.get("vendor", "")),
            clip_lengths_s=tuple(float(x) for x in row.get("clip_lengths_s", ())),
            max_clip_s=float(row["max_clip_s"]),
            sizes=sizes,
            fps=tuple(float(x) for x in row.get("fps", ())),
            frame_counts=tuple(int(x) for x in row.get("frame_counts", ())),
            multi_shot=bool(row.get("multi_shot", False)),
            max_extended_s=float(row["max_extended_s"]) if "max_extended_s" in row else None,
            encoder_tags=tuple(str(x) for x in row.get("encoder_tags", ())),
            sources=tuple(str(x) for x in row.get("sources", ())),
            notes=str(row.get("notes", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"generators.toml: row {key!r} is malformed ({exc})") from exc


@functools.cache
def generators() -> tuple[Generator, ...]:
    """Every catalogued generator, in file order."""
    text = resources.files("vidsleuth.data").joinpath("generators.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    rows = data.get("generator", {})
    return tuple(_generator(key, row) for key, row in rows.items())


def get(key: str) -> Generator:
    for g in generators():
        if g.key == key:
            return g
    raise KeyError(key)


def longest_single_generation_s() -> float:
    """The longest clip any catalogued generator makes in one generation."""
    return max(g.max_clip_s for g in generators())


def by_size(width: int, height: int) -> tuple[Generator, ...]:
    return tuple(g for g in generators() if g.matches_size(width, height))


def crop_fact(width: int, height: int) -> str:
    """The name of the measured fact "this frame is a crop of a generator's output size" for one frame
    size. Every signal that makes the crop test against this catalogue names its finding's fact so
    (``data["fact"]``), and fusion counts the test once however many signals report it (issue #12)."""
    return f"crop:{width}x{height}"


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _first_word(text: str) -> str:
    found = re.findall(r"[a-z0-9]+", text.lower())
    return found[0] if found else ""


@functools.cache
def _families() -> tuple[tuple[str, str], ...]:
    """(family, vendor) for every catalogued generator: the family is the first word of its name ("Sora 2",
    "Sora 2 Pro" and "Sora (2024)" are family "sora"), the vendor the first word of its vendor."""
    return tuple(dict.fromkeys((_first_word(g.name), _first_word(g.vendor)) for g in generators()))


def identity(name: str) -> tuple[str | None, str | None]:
    """(vendor, family) a free-text generator name refers to, by the catalogue: "Sora 2 (OpenAI)", "Sora"
    and "Sora (OpenAI)" are ("openai", "sora"); "a Google generator" is ("google", None), because Google
    makes more than one family. (None, None) when the name mentions no catalogued family or vendor."""
    words = _words(name)
    for family, vendor in _families():
        if family and family in words:
            return vendor or None, family
    for family, vendor in _families():
        if vendor and vendor in words:
            families = {f for f, v in _families() if v == vendor}
            return vendor, family if len(families) == 1 else None
    return None, None


def same_generator(a: str, b: str) -> bool:
    """Whether two generator names can refer to one generator: the same family (Sora 2 and Sora), or one
    names only a vendor the other's family belongs to ("a Google generator" and "Veo"). Names the catalogue
    does not know agree only when they are equal, case and spacing aside."""
    (va, fa), (vb, fb) = identity(a), identity(b)
    if (va, fa) == (None, None) or (vb, fb) == (None, None):
        return " ".join(sorted(_words(a))) == " ".join(sorted(_words(b)))
    if fa is not None and fb is not None:
        return fa == fb
    return va is not None and va == vb
