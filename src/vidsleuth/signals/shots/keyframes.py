"""Keyframes of the shots signal: one per shot, grabbed while the frames go by (never holding a frame)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from vidsleuth.core.result import Thumbnail
from vidsleuth.core.signal import FrameSample
from vidsleuth.signals.shots.findings import Shot

# Keyframes: one per shot, taken a little after the shot starts (never on the transition frame), at most
# MAX_THUMBNAILS in a report (picked evenly when there are more shots).
MAX_THUMBNAILS = 60
THUMBNAIL_SIDE = 320
THUMBNAIL_DELAY_S = 0.1  # 3 frames at 30 fps: past the transition, yet inside a Sora shot of 5 frames
# After a fade from black, wait until the picture stops brightening, but no longer than this.
FADE_IN_SETTLE_S = 1.5


class Keyframes:
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
