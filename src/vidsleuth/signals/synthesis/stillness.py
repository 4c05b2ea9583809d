"""How much of the picture holds still over a window: the fixed-camera test, from the frames themselves.

Why: footage from a camera on a tripod or a wall (surveillance, a fixed webcam) traces a path in
embedding space that turns as evenly as generated video does. The one real file of the corpus above the
head's threshold was exactly that: OpenCV's fixed surveillance clip of a crowd walking. When most of the
picture holds still, the synthesis finding is not counted (`head.decide`).

The measure, on the 64 x 64 grey thumbnails of a cut-free segment's samples (about 2 s): the share of
thumbnail pixels that sit within STILL_LEVEL grey levels of their own median in at least STABLE_SAMPLES of
the samples. Background behind people walking past is still most of the time, so a fixed camera filming a
crowd still scores high; a moving, zooming or drifting camera (most generated shots drift) moves nearly
every pixel. Thumbnail pixels average 10-300 source pixels, so sensor noise and compression shimmer stay
well under the level.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Grey = npt.NDArray[np.float32]

STILL_LEVEL = 6.0  # grey levels (0-255)
STABLE_SAMPLES = 0.8  # share of a segment's samples
MIN_SAMPLES = 4


def still_share(thumbs: Sequence[Grey]) -> float | None:
    """Share (0-1) of the picture that holds still across the samples, or None with too few samples."""
    if len(thumbs) < MIN_SAMPLES:
        return None
    stack = np.stack([np.asarray(t, dtype=np.float32) for t in thumbs])
    near = np.abs(stack - np.median(stack, axis=0)) <= STILL_LEVEL
    return float((near.mean(axis=0) >= STABLE_SAMPLES).mean())
