"""The invisible marks section of the report: per public payload, the bits the frames reproduce against
the threshold a frame needs, and the rule in words (a hit is strong evidence, a miss means nothing).

Reports may be read back from edited files: the typed metrics drop values of the wrong type, and this
module cuts long text."""

from __future__ import annotations

from dataclasses import dataclass

from vidsleuth.core.panel import Panel, PanelView
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.view import Claims, Linked, clip, linked, md_text
from vidsleuth.signals.invisible.findings import MISS_MEANS_NOTHING
from vidsleuth.signals.invisible.metrics import InvisibleMetrics

RULE = (
    "A hit is strong evidence: a frame must reproduce nearly every bit of a fixed public payload, which "
    "unmarked video does by chance with the probability shown. " + MISS_MEANS_NOTHING
)
LEFT_OUT = (
    "Video Seal and TrustMark are not read: their decoders need model weights that no package ships, and "
    "vidsleuth downloads nothing."
)
_WORDS = {"found": "found", "one_frame": "one frame only", "none": "not read"}
_CHIPS = {"found": "bad", "one_frame": "warn", "none": "plain"}


@dataclass(frozen=True, slots=True)
class Row:
    link: Linked
    name: str
    bits: int
    threshold: int
    best: int
    hits: int
    result: str
    chip: str
    p_frame: str


def _chance(x: float | None) -> str:
    return "—" if x is None else f"{x:.0e}"


class InvisiblePanel(Panel):
    POSITION = 25

    def view(self, report: Report, result: SignalResult) -> PanelView | None:
        if result.status is not Status.OK:
            return None
        m = result.metrics_as(InvisibleMetrics)
        if not m.frames_read:
            return None
        claims = Claims(result)
        rows = []
        for i, p in enumerate(m.payloads):
            key = clip(p.key, 40)
            found = claims.claim(f"invisible.dwtdct_{key}") if p.result == "found" else None
            single = claims.claim(f"invisible.dwtdct_{key}_one_frame") if p.result == "one_frame" else None
            rows.append(
                Row(
                    linked(f"invisible-{i}", [found, single]),
                    clip(p.name, 200),
                    p.bits,
                    p.threshold,
                    p.best,
                    len(p.hit_times_s),
                    _WORDS.get(p.result, "not read"),
                    _CHIPS.get(p.result, "plain"),
                    _chance(p.p_frame),
                )
            )
        size = f"{m.width}x{m.height}" if m.width and m.height else "full size"
        facts = (
            f"{m.frames_read} frames read at {size}; a payload counts as found when at least {m.min_frames} "
            f"frames match. Chance that unmarked video gives a finding: below {_chance(m.fp_bound)} whatever "
            f"the frames' likeness (about {_chance(m.fp_bound_independent)} if they were independent)."
        )
        md = ["## Invisible marks", "", md_text(facts), ""]
        md += [
            f"- {md_text(r.name)}: {md_text(r.result)}; best {r.best}/{r.bits} bits "
            f"(a frame needs {r.threshold}); {r.hits} of {m.frames_read} frames match"
            for r in rows
        ]
        md += ["", md_text(RULE), ""]
        return PanelView(
            anchor="invisible",
            title="Invisible marks",
            context={"rows": rows, "facts": facts, "rule": RULE, "left_out": LEFT_OUT},
            links=tuple(r.link for r in rows),
            markdown=tuple(md),
        )
