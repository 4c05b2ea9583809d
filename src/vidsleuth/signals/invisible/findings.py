"""What the invisible signal's readings mean: a hit is strong evidence, a miss means nothing.

Why this module exists: the decision rule and its wording, kept pure so that tests feed it readings.
Per payload, a frame matches when it reproduces at least T bits, T the smallest count whose chance on
unmarked bits is at most `frame_alpha` (1e-6 by default: SD1 96/136, SD2 30/32, SDXL/SVD 41/48, FLUX
39/46). A payload is found when at least `min_frames` (2) of the frames read match. Unmarked frames are
not fair coins (flat chroma decodes to all-zero bits, which matches exactly the payload's zeros: 21/48
for SDXL/SVD, far below T), and consecutive frames are alike, so the video-level chance is bounded for
any dependence (Markov: frames x p / min_frames) as well as for independent frames.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from vidsleuth.core.evidence import Evidence, Hypothesis, JSONValue
from vidsleuth.signals.invisible.metrics import PayloadReading
from vidsleuth.signals.invisible.payloads import Payload

FOUND = 0.85  # strong on the shared scale: the payload is public, so anyone can stamp it on anything
MISS_MEANS_NOTHING = (
    "A miss means nothing: re-encoding at CRF 28 or below that quality, any resize or crop, low-colour "
    "content, or simply a generator or service that does not run this code leaves no readable mark."
)


def result_of(hits: int, min_frames: int) -> str:
    return "found" if hits >= min_frames else "one_frame" if hits else "none"


def bounds(readings: Sequence[PayloadReading], frames: int, min_frames: int) -> tuple[float, float]:
    """(any dependence, independent frames): the chance an unmarked video gives a finding, all payloads."""
    worst = math.fsum(frames * r.p_frame / min_frames for r in readings)
    independent = math.fsum(math.comb(frames, min_frames) * r.p_frame**min_frames for r in readings)
    return min(worst, 1.0), min(independent, 1.0)


def _chance(x: float) -> str:
    return f"{x:.0e}".replace("e-0", "e-")


def evidence(
    readings: Sequence[PayloadReading], by_key: dict[str, Payload], frames: int, min_frames: int
) -> list[Evidence]:
    worst, independent = bounds(readings, frames, min_frames)
    out: list[Evidence] = []
    for r in readings:
        hits = len(r.hit_times_s)
        payload = by_key.get(r.key)
        generator = payload.generator if payload else r.name
        data: dict[str, JSONValue] = {
            "payload": r.key,
            "bits": r.bits,
            "threshold": r.threshold,
            "best": r.best,
            "frames_matching": hits,
            "frames_read": frames,
            "hit_times_s": list(r.hit_times_s),
            "p_frame": r.p_frame,
        }
        if r.result == "found":
            data.update(
                generator=generator,
                fp_bound=worst,
                fp_bound_independent=independent,
                attribution_grade=False,  # the payload is public: it names open code, not a service
                attribution_source="invisible_mark",
            )
            out.append(
                Evidence.supports(
                    f"invisible.dwtdct_{r.key}",
                    Hypothesis.AI_GENERATED,
                    FOUND,
                    f"Frames of this video carry the fixed invisible mark of the {r.name} (DWT-DCT method): "
                    f"{hits} of {frames} frames read at full size reproduce at least {r.threshold} of its "
                    f"{r.bits} bits (best {r.best}). On unmarked video that happens by chance with "
                    f"probability below {_chance(worst)} whatever the frames' likeness (about "
                    f"{_chance(independent)} if they were independent). A hit is strong evidence that the "
                    f"frames went through {generator}; the payload is public, so it names that code, not a "
                    "service, and anyone could stamp it.",
                    data=data,
                )
            )
        elif r.result == "one_frame":
            single = min(frames * r.p_frame, 1.0)
            out.append(
                Evidence.info(
                    f"invisible.dwtdct_{r.key}_one_frame",
                    Hypothesis.AI_GENERATED,
                    f"One of {frames} frames reproduces {r.best} of the {r.bits} bits of the {r.name} "
                    f"(a frame needs {r.threshold}); a finding needs {min_frames}. Chance of one such frame "
                    f"on unmarked video: below {_chance(single)}. Worth a closer look, not evidence.",
                    data=data,
                )
            )
    if not any(r.result == "found" for r in readings):
        best = ", ".join(f"{r.key} {r.best}/{r.bits}" for r in readings)
        out.append(
            Evidence.info(
                "invisible.no_mark",
                Hypothesis.AI_GENERATED,
                f"No public DWT-DCT mark (Stable Diffusion 1 and 2, SDXL / Stable Video Diffusion, FLUX "
                f"reference code) was read on {frames} frames at full size (best matches: {best}). "
                + MISS_MEANS_NOTHING,
                data={"frames_read": frames},
            )
        )
    return out
