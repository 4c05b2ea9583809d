"""The public payloads the `invisible` signal looks for, read from `data/invisible_marks.toml` (each with
its source), and the per-frame thresholds computed from them.

Why this module exists: the numbers that decide a hit (payload bits, the match count a frame needs, the
false-positive chance that count implies) live in one place, with their sources, as STYLE.md asks.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from vidsleuth.signals.invisible.dwtdct import binomial_tail, threshold


@dataclass(frozen=True, slots=True)
class Payload:
    key: str  # sd1 | sd2 | sgm | flux
    name: str
    generator: str  # the attribution a hit gives
    bits: tuple[int, ...]
    licence: str
    sources: tuple[str, ...]

    def threshold(self, alpha: float) -> int:
        """Matched bits a frame needs: the smallest count whose chance on unmarked bits is <= alpha."""
        return threshold(len(self.bits), alpha)

    def p_frame(self, alpha: float) -> float:
        """The chance that one unmarked frame reaches the threshold (bits as fair coins)."""
        return binomial_tail(self.threshold(alpha), len(self.bits))


def _bits(row: dict[str, object]) -> tuple[int, ...]:
    if isinstance(row.get("text"), str):
        return tuple(int(b) for byte in str(row["text"]).encode("utf-8") for b in f"{byte:08b}")
    text = str(row.get("bits", ""))
    if not text or set(text) - {"0", "1"}:
        raise ValueError(f"invisible_marks.toml: payload bits must be a string of 0 and 1, got {text!r}")
    return tuple(int(b) for b in text)


@functools.cache
def payloads() -> tuple[Payload, ...]:
    text = resources.files("vidsleuth.data").joinpath("invisible_marks.toml").read_text(encoding="utf-8")
    rows = tomllib.loads(text).get("payload", {})
    return tuple(
        Payload(
            key=key,
            name=str(row["name"]),
            generator=str(row["generator"]),
            bits=_bits(row),
            licence=str(row.get("licence", "")),
            sources=tuple(str(s) for s in row.get("sources", ())),
        )
        for key, row in rows.items()
    )
