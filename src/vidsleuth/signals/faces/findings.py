"""The faces signal's findings and their sentences (docs/signals/faces.md, "Evidence codes").

- ``faces.<cue>``: each cue measured on the main face, a learned measurement (informational until a
  calibration learns what it is worth; never a guessed strength).
- ``faces.examined``: what was examined and with what validated power; a verdict caveat, so that a clean
  result is never read as "no face swap".
- ``faces.not_examined``, ``faces.too_small``: faces were found but could not be examined, and why.
- ``faces.reference_match`` / ``faces.reference_possible_match`` / ``faces.no_reference_match``: "whose face
  is this?", with distance and threshold in the sentence (known_content, informational).
- ``faces.reference_no_face``: a reference photo in which no face was found (a caveat).
- ``faces.animated_photo``: the animated-photo sign (weak support of ai_generated: a hint with a named
  innocent explanation); ``faces.photo_shown_still``: the photo itself shown, the face not moving.
"""

from __future__ import annotations

from vidsleuth.core.evidence import Evidence, Hypothesis, Span, Strength
from vidsleuth.core.view import fmt_span
from vidsleuth.signals.faces.cues import BY_KEY, sentence
from vidsleuth.signals.faces.metrics import Validation

# What the cues reached on labelled data: a logistic regression on this signal's own measurements (the
# cues and covariates declared before evaluation), leave-one-identity-group-out cross-validation, 18
# downloaded face manipulations against 48 real face clips (corpus + the extra set of
# bench/data/faces_recipe.csv), bootstrap 95 % interval. Rebuilt by bench/faces_eval.py; every variant
# and the per-type figures are in docs/signals/faces.md.
VALIDATION = Validation(
    auc=0.59,
    low=0.44,
    high=0.75,
    clips=66,
    method="logistic regression on the face cues, identity-grouped cross-validation (bench/faces_eval.py)",
)


def validation_text(v: Validation) -> str:
    if v.auc is None:
        return "not validated on labelled data"
    interval = f" [{v.low:.2f}, {v.high:.2f}]" if v.low is not None and v.high is not None else ""
    return f"validated at AUC {v.auc:.2f}{interval} on {v.clips} clips (identity-grouped cross-validation)"


def face_label(track_id: int) -> str:
    return f"face {track_id + 1}"


def where(track_id: int, start_s: float, end_s: float) -> str:
    return f"{face_label(track_id)} ({fmt_span(start_s, end_s)})"


def cue_findings(values: dict[str, float | None], track_id: int, span: Span) -> list[Evidence]:
    """One learned, informational finding per cue that applies."""
    out = []
    at = where(track_id, span.start_s, span.end_s)
    for key, value in values.items():
        cue = BY_KEY.get(key)
        if cue is None or value is None:
            continue
        out.append(
            Evidence.info(
                f"faces.{key}",
                Hypothesis.FACE_MANIPULATED,
                sentence(cue, value, at),
                span=span,
                data={
                    "learned": True,
                    "feature": key,
                    "value": round(value, 6),
                    "direction": cue.direction,
                    "track": track_id,
                },
            )
        )
    return out


def examined(v: Validation, tracks: int, main: str, landmark_model: str) -> Evidence:
    many = f" ({tracks} faces tracked)" if tracks > 1 else ""
    return Evidence.info(
        "faces.examined",
        Hypothesis.FACE_MANIPULATED,
        f"Face-swap cues were measured on {main}{many} with {landmark_model} landmarks, "
        f"{validation_text(v)}: they are not evidence by themselves, and a clean result does not rule out "
        "a face swap.",
        data={
            "caveat": True,
            "auc": v.auc,
            "auc_low": v.low,
            "auc_high": v.high,
            "clips": v.clips,
            "method": v.method,
        },
    )


def not_examined(tracks: int, min_obs: int) -> Evidence:
    return Evidence.info(
        "faces.not_examined",
        Hypothesis.FACE_MANIPULATED,
        f"{tracks} face{'s were' if tracks != 1 else ' was'} found, but none was followed long enough "
        f"for the face-swap cues (at least {min_obs} landmark samples): face swaps were not examined.",
        data={"caveat": True, "tracks": tracks},
    )


def too_small(count: int, first_s: float, last_s: float, largest: float, min_px: int) -> Evidence:
    return Evidence.info(
        "faces.too_small",
        Hypothesis.FACE_MANIPULATED,
        f"{count} detection{'s' if count != 1 else ''} of faces narrower than {min_px} px "
        f"({fmt_span(first_s, last_s)}, the largest {largest:.0f} px) were too small to track or examine.",
        span=Span(first_s, last_s),
        data={"count": count, "largest_px": round(largest, 1), "min_px": min_px},
    )


def reference_match(
    track_id: int, span: Span, photo: str, distance: float, threshold: float, possible: float, kind: str
) -> Evidence:
    face = f"The face in {fmt_span(span.start_s, span.end_s)} ({face_label(track_id)})"
    data = {
        "track": track_id,
        "reference": photo,
        "distance": round(distance, 4),
        "threshold": threshold,
        "possible_threshold": possible,
    }
    if kind == "match":
        text = (
            f"{face} matches the person in photo {photo} (distance {distance:.2f}, "
            f"threshold {threshold:.2f})."
        )
        return Evidence.info("faces.reference_match", Hypothesis.KNOWN_CONTENT, text, span=span, data=data)
    text = (
        f"{face} is a possible match for the person in photo {photo} (distance {distance:.2f}: a match "
        f"needs below {threshold:.2f}, a possible match below {possible:.2f}); compare them by eye."
    )
    return Evidence.info(
        "faces.reference_possible_match", Hypothesis.KNOWN_CONTENT, text, span=span, data=data
    )


def no_reference_match(photos: int, closest: tuple[float, str] | None, threshold: float) -> Evidence:
    near = f" (closest: photo {closest[1]} at distance {closest[0]:.2f})" if closest is not None else ""
    return Evidence.info(
        "faces.no_reference_match",
        Hypothesis.KNOWN_CONTENT,
        f"No face tracked matches any of the {photos} reference photo{'s' if photos != 1 else ''}{near}; "
        f"a match needs a distance below {threshold:.2f}.",
        data={"photos": photos, "threshold": threshold, "closest": round(closest[0], 4) if closest else None},
    )


def reference_no_face(photo: str, how: str) -> Evidence:
    why = "could not be read as an image" if how == "unreadable" else "shows no face the detectors found"
    return Evidence.info(
        "faces.reference_no_face",
        Hypothesis.KNOWN_CONTENT,
        f"Reference photo {photo} {why}; it was not compared with the video.",
        data={"caveat": True, "reference": photo, "how": how},
    )


def animated_photo(
    track_id: int, span: Span, photo: str, distance: float, threshold: float, ncc: float
) -> Evidence:
    return Evidence.supports(
        "faces.animated_photo",
        Hypothesis.AI_GENERATED,
        Strength.WEAK,
        f"The face in {fmt_span(span.start_s, span.end_s)} matches photo {photo} (distance {distance:.2f}, "
        f"threshold {threshold:.2f}), and the background of the video is the background of that photo "
        f"(correlation {ncc:.2f}) while the head moves: consistent with an animated photo, or with a photo "
        "cut from this footage.",
        span=span,
        data={
            "track": track_id,
            "reference": photo,
            "distance": round(distance, 4),
            "background_ncc": round(ncc, 3),
        },
    )


def photo_shown_still(track_id: int, span: Span, photo: str, distance: float, ncc: float) -> Evidence:
    return Evidence.info(
        "faces.photo_shown_still",
        Hypothesis.KNOWN_CONTENT,
        f"The face in {fmt_span(span.start_s, span.end_s)} matches photo {photo} (distance "
        f"{distance:.2f}) in the photo's own scene (background correlation {ncc:.2f}) and hardly moves: "
        "the photo itself is shown.",
        span=span,
        data={
            "track": track_id,
            "reference": photo,
            "distance": round(distance, 4),
            "background_ncc": round(ncc, 3),
        },
    )
