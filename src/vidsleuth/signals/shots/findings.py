"""The shots signal's findings: from a shot list and the generator catalogue to evidence (pure: no video).

Four statements are kept apart (docs/signals/shots.md explains each and its strength):
`shots.long_continuous_shot`, `shots.fits_one_generation`, `shots.exceeds_one_generation` and
`shots.generator_length_clips`. `build_shots` splits the measured frames at the detected transitions.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vidsleuth.core.evidence import Evidence, Hypothesis, JSONValue, Span
from vidsleuth.data.generators import SHOT_LENGTH_TOLERANCE_S as LENGTH_TOLERANCE_S
from vidsleuth.data.generators import Generator
from vidsleuth.signals.shots import cuts
from vidsleuth.signals.shots.metrics import ShotRow

# A shot is a still picture (a held frame, a title card, a static scene) when 99 % of its frame
# differences stay below this: an editor can hold a still for any length, so a generator's length limit
# says nothing about it. A frozen frame measures 0-0.1; a fixed camera on a street with people walking
# (Intel's surveillance samples) reaches 3-9 in its top percent; a nearly static Veo clip (a figure
# meditating under a tree) measures 0.21 and counts as still.
STILL_SHOT_DIFF = 0.25
STILL_SHOT_PERCENTILE = 99
# generator_length_clips is only said when the median shot lasts at least this fraction of the typical
# shortest generation in the catalogue (trimmed clips are a little shorter): fast-cut edits of 1-2 s
# shots look nothing like a few generated clips joined together.
TRIMMED_CLIP_FRACTION = 0.6

# Strengths on the shared scale (core/evidence.py); docs/signals/shots.md explains each.
LONG_SHOT = 0.45  # no catalogued generator makes it in one generation, nor extends that far
LONG_SHOT_EXTENDABLE = 0.4  # ... but some vendor's own extend feature reaches that length
EXCEEDS_ONE_GENERATION = 0.4  # each shot fits one generation; together they fit none
# generator_length_clips is informational: measured on the corpus (vidsleuth eval --only shots, 2026-12-05)
# it fired on 4 of 45 generated videos and 7 of 47 real ones, so it carries no information towards
# "AI-generated" and fusion does not weigh it (issue #12). It stays as an explanation of the shot lengths.

# How many generator names a summary lists before "and N more".
_NAMES_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Shot:
    """One continuous shot. `index` counts from 1, as in the report's labels."""

    index: int
    start_frame: int
    end_frame: int  # last frame of the shot (inclusive)
    start_s: float
    end_s: float  # where the next shot starts (or the end of the video)
    transition: str  # how it began: start | cut | fade
    black_s: float = 0.0  # time spent on black frames (fade ramps excluded)
    still: bool = False  # hardly any change from frame to frame

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def content_s(self) -> float:
        """Duration without black frames: what a generator would have had to make."""
        return max(0.0, self.duration_s - self.black_s)

    def row(self) -> ShotRow:
        return ShotRow(
            index=self.index,
            start_s=round(self.start_s, 3),
            end_s=round(self.end_s, 3),
            duration_s=round(self.duration_s, 3),
            start_frame=self.start_frame,
            end_frame=self.end_frame,
            transition=self.transition,
            black_s=round(self.black_s, 3),
            still=self.still,
        )


def build_shots(m: cuts.Measurements, detection: cuts.Detection, end_s: float) -> list[Shot]:
    """Split the frames at the detected transitions."""
    n = len(m)
    if n == 0:
        return []
    starts = [(0, "start")] + [(t.frame, t.kind) for t in detection.transitions if 0 < t.frame < n]
    intervals = np.diff(m.time_s, append=end_s)
    shots: list[Shot] = []
    for k, (first, kind) in enumerate(starts):
        last = starts[k + 1][0] - 1 if k + 1 < len(starts) else n - 1
        start_s = float(m.time_s[first])
        stop_s = float(m.time_s[last + 1]) if last + 1 < n else max(end_s, start_s)
        frames = slice(first, last + 1)
        black_s = float(np.sum(intervals[frames][m.black[frames]]))
        moving = m.diff[first + 1 : last + 1][~m.black[first + 1 : last + 1]]
        still = len(moving) > 0 and float(np.percentile(moving, STILL_SHOT_PERCENTILE)) < STILL_SHOT_DIFF
        shots.append(Shot(k + 1, first, last, start_s, stop_s, kind, black_s, still))
    return shots


def _fits(seconds: float, g: Generator) -> bool:
    return seconds <= g.max_clip_s + LENGTH_TOLERANCE_S


def generations_needed(durations: Sequence[float], g: Generator) -> int | None:
    """Fewest generations of `g` that could make these consecutive shots; None when one shot is too long.
    A generator that does not cut inside its output needs one generation per shot; one that does can put
    consecutive shots into one generation up to its maximum length."""
    if not durations or not all(_fits(d, g) for d in durations):
        return None
    if not g.multi_shot:
        return len(durations)
    count, filled = 1, 0.0
    for d in durations:
        if _fits(filled + d, g):
            filled += d
        else:
            count, filled = count + 1, d
    return count


def _names(gens: Sequence[Generator]) -> str:
    names = [g.name for g in gens[:_NAMES_SHOWN]]
    more = len(gens) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _seconds(values: Sequence[float]) -> str:
    return ", ".join(f"{v:.1f} s" for v in values)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _typical_shortest_generation_s(gens: Sequence[Generator]) -> float:
    """Median over the catalogue of each generator's shortest offered clip length."""
    shortest = [min(g.clip_lengths_s) for g in gens if g.clip_lengths_s]
    return statistics.median(shortest) if shortest else 0.0


def shot_findings(
    shots: Sequence[Shot], gens: Sequence[Generator], *, complete: bool = True
) -> list[Evidence]:
    """Evidence from the shot list and the generator catalogue (pure: no video needed)."""
    out: list[Evidence] = []
    video_s = shots[-1].end_s - shots[0].start_s if shots else 0.0
    cut_count = sum(s.transition == "cut" for s in shots)
    fade_count = sum(s.transition == "fade" for s in shots)
    durations = [round(s.duration_s, 3) for s in shots]
    truncated = "" if complete else " Decoding stopped early, so the last shot may be longer than shown."
    out.append(
        Evidence.info(
            "shots.summary",
            Hypothesis.EDITED,
            f"{_count(len(shots), 'shot')} in {video_s:.1f} s ({_count(cut_count, 'cut')}, "
            f"{_count(fade_count, 'fade')}); shot lengths: {_seconds(durations[:12])}"
            f"{' …' if len(durations) > 12 else ''}.{truncated}",
            data={"shots": len(shots), "durations_s": durations, "complete_decode": complete},
        )
    )
    if not shots or not gens:
        return out

    longest_gen = max(gens, key=lambda g: g.max_clip_s)
    limit = longest_gen.max_clip_s
    moving = [s for s in shots if not s.still and s.content_s > 0]
    long_shots = [s for s in moving if s.content_s > limit + LENGTH_TOLERANCE_S]
    if long_shots:
        out.append(_long_shot(long_shots, gens, longest_gen))
        return out  # a shot no generation can hold: the generation-length statements do not apply
    if len(moving) < 2:
        return out

    lengths = [s.content_s for s in moving]
    total = sum(lengths)
    needed = {g.key: generations_needed(lengths, g) for g in gens}
    one = sorted((g for g in gens if needed[g.key] == 1), key=lambda g: g.max_clip_s)
    single_shot = sorted((g for g in gens if not g.multi_shot and needed[g.key]), key=lambda g: g.max_clip_s)
    data: dict[str, JSONValue] = {
        "shot_lengths_s": [round(x, 3) for x in lengths],
        "total_s": round(total, 3),
        "generations_needed": {k: v for k, v in needed.items() if v is not None},
    }
    if one:
        others = (
            f" Made with a generator that does not cut inside a generation ({_names(single_shot)}), it "
            f"would be {len(lengths)} clips joined together."
            if single_shot
            else ""
        )
        out.append(
            Evidence.info(
                "shots.fits_one_generation",
                Hypothesis.EDITED,
                f"{len(lengths)} shots, {total:.1f} s in total, fit together in one generation of "
                f"{_names(one)}, which can cut inside one generation: the cuts alone are not evidence "
                f"that clips were stitched.{others}",
                data={**data, "generators": [g.key for g in one]},
            )
        )
    else:
        multi = max((g for g in gens if g.multi_shot), key=lambda g: g.max_clip_s, default=longest_gen)
        fewest = min(v for v in needed.values() if v is not None)
        out.append(
            Evidence.supports(
                "shots.exceeds_one_generation",
                Hypothesis.EDITED,
                EXCEEDS_ONE_GENERATION,
                f"{len(lengths)} shots, {total:.1f} s in total: each fits one generation, but together "
                f"they are longer than any catalogued generator makes in one (the longest with cuts, "
                f"{multi.name}, up to {multi.max_clip_s:g} s), so at least {fewest} pieces were joined. "
                "That is consistent with generated clips stitched together, and equally with any edited "
                "video of this length; a generator missing from the catalogue could make more.",
                span=Span(shots[0].start_s, shots[-1].end_s),
                data={**data, "fewest_generations": fewest},
            )
        )

    typical = _typical_shortest_generation_s(gens)
    fit_all = sorted((g for g in gens if needed[g.key] is not None), key=lambda g: g.max_clip_s)
    shortest_limit = min(g.max_clip_s for g in gens)
    if (
        fit_all
        and total > shortest_limit + LENGTH_TOLERANCE_S
        and statistics.median(lengths) >= TRIMMED_CLIP_FRACTION * typical
    ):
        out.append(
            Evidence.info(
                "shots.generator_length_clips",
                Hypothesis.AI_GENERATED,
                f"{len(lengths)} shots of {_seconds(lengths[:8])}{' …' if len(lengths) > 8 else ''}: each "
                f"is within one generation of {_names(fit_all)} (from {fit_all[0].max_clip_s:g} s). "
                "Generated clips have this length, but so do the shots of most edited videos; on the "
                "labelled corpus it was as common on camera footage as on generated video, so it is not "
                "counted as evidence.",
                data={**data, "generators": [g.key for g in fit_all]},
            )
        )
    return out


def _long_shot(long_shots: Sequence[Shot], gens: Sequence[Generator], longest: Generator) -> Evidence:
    shot = max(long_shots, key=lambda s: s.content_s)
    extendable = sorted(
        (g for g in gens if g.max_extended_s is not None and g.max_extended_s >= shot.content_s),
        key=lambda g: g.max_clip_s,
    )
    strength = LONG_SHOT_EXTENDABLE if extendable else LONG_SHOT
    extend = (
        f"extended seamlessly with the vendor's own tool ({_names(extendable)} reach that length), "
        if extendable
        else ""
    )
    return Evidence.refutes(
        "shots.long_continuous_shot",
        Hypothesis.AI_GENERATED,
        strength,
        f"Shot {shot.index} runs {shot.content_s:.1f} s without a detected cut or fade "
        f"({shot.start_s:.1f}–{shot.end_s:.1f} s): longer than any catalogued generator makes in one "
        f"generation (the longest, {longest.name}, {longest.max_clip_s:g} s). It could still be a generated "
        f"clip {extend}slowed down, or two clips joined by a dissolve this check does not see.",
        span=Span(shot.start_s, shot.end_s),
        data={
            "shot": shot.index,
            "duration_s": round(shot.content_s, 3),
            "longest_single_generation_s": longest.max_clip_s,
            "longest_generator": longest.key,
            "extendable_by": [g.key for g in extendable],
            "long_shots": [s.index for s in long_shots],
        },
    )
