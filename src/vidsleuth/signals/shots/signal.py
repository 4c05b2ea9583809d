"""The shots signal: where the cuts are, how long each continuous shot lasts, and whether the shots fit
what video generators make in one go.

Why it exists: a video generator makes one clip of bounded length per generation (Veo 8 s, Kling 10 s,
Sora 2 up to 15 s; `vidsleuth.data.generators` keeps the numbers). The viral AI video of the seed case
was a 4 s
clip and a 10 s clip stitched together. Shot lengths are therefore evidence, but weak and easy to
over-read: every edited video has short shots, and Sora 2 cuts *inside* one generation. The findings keep
four statements apart (docs/signals/shots.md explains each and its strength):

- `shots.long_continuous_shot`: one shot longer than any catalogued generator makes in one generation;
  refutes ai_generated, moderately (a vendor's own "extend" feature can still make it).
- `shots.fits_one_generation`: several shots that together fit one generation of a generator that cuts
  inside its output; informational, it is not evidence of stitching.
- `shots.exceeds_one_generation`: shots that each fit one generation but together exceed one generation of
  any catalogued generator; supports edited (joined from several pieces).
- `shots.generator_length_clips`: several shots of the length generated clips have; a weak hint.

Cut detection lives in `vidsleuth.signals.shots.cuts`; this module streams frames into it, picks a
keyframe per
shot while the frames go by (it never holds a decoded frame), and turns the shots into findings.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from vidsleuth.core.evidence import Evidence, Hypothesis, JSONValue, Span
from vidsleuth.core.result import SignalResult, Thumbnail
from vidsleuth.core.signal import AnalysisContext, FrameSample, FrameSignal, Sampling
from vidsleuth.data import generators as catalog
from vidsleuth.data.generators import SHOT_LENGTH_TOLERANCE_S as LENGTH_TOLERANCE_S
from vidsleuth.data.generators import Generator
from vidsleuth.signals.shots import cuts
from vidsleuth.signals.shots.metrics import Fade, Series, ShotRow, ShotsMetrics
from vidsleuth.signals.shots.options import ShotsOptions

if TYPE_CHECKING:
    from vidsleuth.core.panel import Panel

# Keyframes: one per shot, taken a little after the shot starts (never on the transition frame), at most
# MAX_THUMBNAILS in a report (picked evenly when there are more shots).
MAX_THUMBNAILS = 60
THUMBNAIL_SIDE = 320
THUMBNAIL_DELAY_S = 0.1  # 3 frames at 30 fps: past the transition, yet inside a Sora shot of 5 frames
# After a fade from black, wait until the picture stops brightening, but no longer than this.
FADE_IN_SETTLE_S = 1.5
# The score series in the metrics is cut down to this many points (a bin keeps its largest value).
SCORE_SERIES_POINTS = 600

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
GENERATOR_LENGTH = 0.15  # a hint: every edit also has shots of this length

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


# ------------------------------------------------------------------------------------------------------
# Findings


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
            Evidence.supports(
                "shots.generator_length_clips",
                Hypothesis.AI_GENERATED,
                GENERATOR_LENGTH,
                f"{len(lengths)} shots of {_seconds(lengths[:8])}{' …' if len(lengths) > 8 else ''}: each "
                f"is within one generation of {_names(fit_all)} (from {fit_all[0].max_clip_s:g} s). "
                "Generated clips have this length, but so do the shots of most edited videos: a weak hint.",
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


# ------------------------------------------------------------------------------------------------------
# Keyframes and the signal


class _Keyframes:
    """Decides, frame by frame, when to grab a keyframe: `delay` frames after a possible cut (pushed back
    while the picture keeps jumping, but by no more than `patience` frames), or once a fade from black has
    stopped brightening (within `settle` frames); a black picture is skipped until the deadline. It holds
    the small JPEGs only; when they pile up (a video full of fast motion), it keeps every other one and
    grabs half as often, so the number of JPEGs made stays bounded."""

    def __init__(self, fps: float, expected_frames: int | None) -> None:
        self.delay = min(6, max(2, round(THUMBNAIL_DELAY_S * fps)))
        self.patience = 3 * self.delay
        self.settle = max(self.patience, round(FADE_IN_SETTLE_S * fps))
        first = self.delay if not expected_frames else min(self.delay, max(0, expected_frames // 2))
        self.due: int | None = first  # grab at this frame, if the picture is not black
        self.deadline: int | None = first + self.settle  # ... and at the latest at this one
        self.fading_in = False
        self.grabs: list[Thumbnail] = []
        self.stride = 1
        self.scheduled = 0

    def step(self, frame: FrameSample, candidate: bool, black: bool, was_black: bool, brighter: bool) -> None:
        i = frame.index
        if was_black and not black:  # leaving black: wait for the fade-in to settle
            self.fading_in, self.due, self.deadline = True, None, i + self.settle
        elif self.fading_in and not brighter:
            self.fading_in, self.due = False, i
        elif candidate:
            self.due = i + self.delay
            self.deadline = (
                min(self.deadline, i + self.patience) if self.deadline is not None else i + self.patience
            )
        pending = self.due is not None or self.fading_in
        overdue = self.deadline is not None and i >= self.deadline
        if pending and (overdue or (self.due is not None and i >= self.due and not black)):
            self._grab(frame)

    def _grab(self, frame: FrameSample) -> None:
        self.due, self.deadline, self.fading_in = None, None, False
        self.scheduled += 1
        if self.scheduled % self.stride:
            return
        self.grabs.append(frame.thumbnail("shot", max_side=THUMBNAIL_SIDE))
        if len(self.grabs) >= 2 * MAX_THUMBNAILS:
            self.grabs = self.grabs[::2]
            self.stride *= 2

    def for_shots(self, shots: Sequence[Shot]) -> list[Thumbnail]:
        chosen: list[Thumbnail] = []
        for shot in shots:
            inside = [t for t in self.grabs if shot.start_s <= t.time_s < shot.end_s]
            if inside:
                label = f"shot {shot.index} @ {inside[0].time_s:.1f} s"
                chosen.append(dataclasses.replace(inside[0], label=label))
        if len(chosen) > MAX_THUMBNAILS:
            picks = np.linspace(0, len(chosen) - 1, MAX_THUMBNAILS).round().astype(int)
            chosen = [chosen[k] for k in sorted(set(picks.tolist()))]
        return chosen


def _score_series(m: cuts.Measurements, points: int = SCORE_SERIES_POINTS) -> Series:
    """The frame-difference series, cut down to `points` bins that each keep their largest value (so a cut
    stays visible on the timeline)."""
    n = len(m)
    if n <= points:
        idx = np.arange(n)
    else:
        edges = np.linspace(0, n, points + 1).astype(int)
        idx = np.array([a + int(np.argmax(m.diff[a:b])) for a, b in itertools.pairwise(edges)])
    return Series(
        time_s=tuple(round(float(t), 3) for t in m.time_s[idx]),
        score=tuple(round(float(s), 2) for s in m.diff[idx]),
    )


class ShotsSignal(FrameSignal):
    NAME = "shots"
    VERSION = "1.0.0"
    DESCRIPTION = "Cuts and fades; how long each shot lasts; whether the shots fit generators' clip lengths."
    OPTIONS = ShotsOptions
    METRICS = ShotsMetrics

    def __init__(self) -> None:
        self._params = cuts.DetectorParams()
        self._measurer = cuts.FrameMeasurer(self._params)
        self._keyframes: _Keyframes | None = None
        self._sampling = Sampling(fps=None, max_side=cuts.MEASURE_SIDE, pixel_format="rgb24")

    @classmethod
    def panel(cls) -> Panel:
        from vidsleuth.signals.shots.panel import ShotsPanel

        return ShotsPanel()

    def sampling(self, ctx: AnalysisContext) -> Sampling:
        return self._sampling

    def start(self, ctx: AnalysisContext) -> None:
        opts = ShotsOptions.of(ctx.settings, self.NAME)
        self._params = cuts.DetectorParams(
            min_diff=opts.min_diff,
            min_changed=opts.min_changed,
            contrast=opts.contrast,
            min_shot_s=opts.min_shot_s,
        )
        self._measurer = cuts.FrameMeasurer(self._params)
        if ctx.settings.thumbnails:
            video = ctx.media.video
            fps = video.frame_rate if video is not None and video.frame_rate else 30.0
            self._keyframes = _Keyframes(fps, video.frame_count if video is not None else None)

    def process_frame(self, frame: FrameSample) -> None:
        if frame.pixels is None:
            raise ValueError("the shots signal needs pixels; the decoder sent none")
        measurer = self._measurer
        was_black, previous_luma = measurer.last_black, measurer.last_luma
        diff = measurer.add(frame.time_s, frame.pixels)
        if self._keyframes is not None:
            candidate = diff >= self._params.min_diff and measurer.last_changed >= self._params.min_changed
            brighter = measurer.last_luma > previous_luma + 0.5
            self._keyframes.step(frame, candidate, measurer.last_black, was_black, brighter)

    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        m = self._measurer.measurements()
        # Presentation times should rise; a broken stream can step back. Shots are measured on the
        # running maximum so that no duration comes out negative.
        m = dataclasses.replace(m, time_s=np.maximum.accumulate(m.time_s))
        if len(m) < 2:
            return SignalResult.not_applicable(
                self.NAME, self.VERSION, "only one frame was decoded: a still picture has no shots"
            )
        interval = float(np.median(np.diff(m.time_s)))
        end_s = float(m.time_s[-1]) + interval
        detection = cuts.detect(m, self._params)
        shots = build_shots(m, detection, end_s)
        complete = ctx.decode.complete if ctx.decode is not None else True
        evidence = shot_findings(shots, catalog.generators(), complete=complete)
        thumbnails = self._keyframes.for_shots(shots) if self._keyframes is not None else []
        metrics = ShotsMetrics(
            shots=tuple(s.row() for s in shots),
            cuts_s=tuple(round(t.time_s, 3) for t in detection.transitions if t.kind == "cut"),
            fades=tuple(Fade(f.kind, round(f.start_s, 3), round(f.end_s, 3)) for f in detection.fades),
            flashes_s=tuple(round(t, 3) for t in detection.rejected_flashes),
            score_series=_score_series(m),
            threshold=self._params.min_diff,
            detector={
                "name": "vidsleuth.cuts",
                **self._params.to_dict(),
                "lags": cuts.LAGS,
                "changed_level": cuts.CHANGED_LEVEL,
                "black_mean": cuts.BLACK_MEAN,
                "shift_search_fraction": cuts.SHIFT_SEARCH_FRACTION,
            },
            sampling={
                "fps": self._sampling.fps,
                "max_side": self._sampling.max_side,
                "pixel_format": self._sampling.pixel_format,
            },
            frames=len(m),
            frame_interval_s=round(interval, 6) if math.isfinite(interval) else None,
        )
        return SignalResult.ok(self.NAME, self.VERSION, evidence, metrics, thumbnails)
