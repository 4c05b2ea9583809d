"""Label normalisation: many datasets' words for "real" and "fake" onto one small set of classes, and
what each class counts as for the two questions the scorecard asks.

Classes and their role (docs/evaluation.md, "Label mapping"):

================  ==============  ==============  ===================================================
class             ai_generated    manipulated     what it is
================  ==============  ==============  ===================================================
ai                positive        positive        made by a video generator
composite_ai      positive        positive        real footage combined with generated material
ai_animated_photo positive        positive        a still photo animated by a generative model
face_manipulated  excluded        positive        face swap or reenactment of real footage
fake              excluded        positive        "fake" without saying how (Deepfake-Eval-2024 style)
real              negative        negative        camera or broadcast footage, no generator
render            negative        excluded        computer graphics, test patterns: neither camera
                                                  nor generator; calling it "AI" is a false positive
other             excluded        excluded        anything else; counted and listed
================  ==============  ==============  ===================================================

A face swap is excluded from the ai_generated question rather than counted either way: a detector of
generated video neither earns credit nor loses it on a swapped face; it is judged on the manipulated
question and in the per-class breakdown. Non-video labels (stills, templates, fragments, broken files)
are not evaluated at all; the dataset reports how many were left out.
"""

from __future__ import annotations

import enum
import re


class LabelClass(enum.StrEnum):
    AI = "ai"
    COMPOSITE_AI = "composite_ai"
    AI_ANIMATED_PHOTO = "ai_animated_photo"
    FACE_MANIPULATED = "face_manipulated"
    FAKE = "fake"
    REAL = "real"
    RENDER = "render"
    OTHER = "other"


class Question(enum.StrEnum):
    AI_GENERATED = "ai_generated"
    MANIPULATED = "manipulated"


# Words people use, after lower-casing and turning spaces and dashes into underscores.
ALIASES: dict[str, LabelClass] = {
    **dict.fromkeys(
        ("ai", "ai_generated", "aigc", "generated", "synthetic", "gen", "t2v", "i2v", "sora", "veo"),
        LabelClass.AI,
    ),
    **dict.fromkeys(
        ("composite_ai", "composite", "partial_ai", "partly_ai", "mixed"), LabelClass.COMPOSITE_AI
    ),
    **dict.fromkeys(("ai_animated_photo", "animated_photo", "photo_animation"), LabelClass.AI_ANIMATED_PHOTO),
    **dict.fromkeys(
        (
            "face_manipulated",
            "faceswap",
            "face_swap",
            "deepfake",
            "deepfakes",
            "reenactment",
            "face_reenactment",
            "lipsync",
        ),
        LabelClass.FACE_MANIPULATED,
    ),
    **dict.fromkeys(("fake", "manipulated", "forged", "1"), LabelClass.FAKE),
    **dict.fromkeys(
        ("real", "authentic", "pristine", "original", "camera", "genuine", "bona_fide", "0"), LabelClass.REAL
    ),
    **dict.fromkeys(
        ("render", "cg", "cgi", "computer_graphics", "synthetic_pattern", "animation"), LabelClass.RENDER
    ),
}
# Labels of files that are not videos to evaluate: left out, with a count.
NOT_EVALUATED = frozenset(
    {
        *("still", "stills", "ai_still", "image", "images", "template", "templates"),
        *("fragment", "fragments", "bad", "broken", "corrupt", "audio", "ignore"),
    }
)

ROLES: dict[Question, dict[LabelClass, int | None]] = {
    Question.AI_GENERATED: {
        LabelClass.AI: 1,
        LabelClass.COMPOSITE_AI: 1,
        LabelClass.AI_ANIMATED_PHOTO: 1,
        LabelClass.FACE_MANIPULATED: None,
        LabelClass.FAKE: None,
        LabelClass.REAL: 0,
        LabelClass.RENDER: 0,
        LabelClass.OTHER: None,
    },
    Question.MANIPULATED: {
        LabelClass.AI: 1,
        LabelClass.COMPOSITE_AI: 1,
        LabelClass.AI_ANIMATED_PHOTO: 1,
        LabelClass.FACE_MANIPULATED: 1,
        LabelClass.FAKE: 1,
        LabelClass.REAL: 0,
        LabelClass.RENDER: None,
        LabelClass.OTHER: None,
    },
}

_SEP = re.compile(r"[\s\-]+")


def clean(label: str) -> str:
    return _SEP.sub("_", label.strip().lower())


def normalise(label: str) -> LabelClass | None:
    """The class of a label, or None for a non-video label that is not evaluated."""
    word = clean(label)
    if word in NOT_EVALUATED:
        return None
    return ALIASES.get(word, LabelClass.OTHER)


def target(cls: LabelClass, question: Question) -> int | None:
    """1 (positive), 0 (negative) or None (not counted) for this class and question."""
    return ROLES[question][cls]


# Generator families for the per-generator breakdown. The corpus writes generators many ways ("Sora 2 ->
# remover SaaS", "likely MiniMax Hailuo-02 (768p)"); a family groups them. First match wins.
GENERATOR_FAMILIES: tuple[tuple[str, str], ...] = (
    (r"\bsora\b", "Sora"),
    (r"\bveo\b", "Veo"),
    (r"\bkling\b", "Kling"),
    (r"hailuo|minimax", "Hailuo"),
    (r"\bluma\b|dream ?machine", "Luma"),
    (r"\bgrok\b", "Grok"),
    (r"cogvideo", "CogVideoX"),
    (r"runway|\bgen-?[234]\b", "Runway"),
    (r"\bpika\b", "Pika"),
    (r"\bwan\b|wanx", "Wan"),
    (r"hunyuan", "HunyuanVideo"),
    (r"seedance|jimeng|即梦", "Seedance"),
    (r"\bvidu\b", "Vidu"),
    (r"firefly", "Adobe Firefly"),
    (r"liveportrait", "LivePortrait"),
    (r"\bdfdc\b", "DFDC"),
    (r"ff\+\+|faceforensics", "FaceForensics++"),
    (r"simswap", "SimSwap"),
)


def generator_family(generator: str) -> str:
    """A short family name for a free-text generator column ("" when empty, "other" when unknown)."""
    text = generator.strip().lower()
    if not text:
        return ""
    for pattern, family in GENERATOR_FAMILIES:
        if re.search(pattern, text):
            return family
    return "other"
