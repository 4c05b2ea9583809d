"""The IPTC Digital Source Type vocabulary, as the provenance signal and its report panel read it.

C2PA actions and metadata assertions say how content came to be with a `digitalSourceType`, a term of the
IPTC vocabulary (https://cv.iptc.org/newscodes/digitalsourcetype/) written as a URI. The signal weighs the
terms (generated, composite, captured) and the panel shows them in words; both read them from here, so
that a term means the same on both sides. Meanings are short, in our own words; terms not listed are
reported verbatim.
"""

from __future__ import annotations

# What the findings weigh.
AI_FULL_TERMS = frozenset({"trainedAlgorithmicMedia"})
AI_PART_TERMS = frozenset({"compositeWithTrainedAlgorithmicMedia"})
CAPTURE_TERMS = frozenset({"digitalCapture", "computationalCapture", "negativeFilm", "positiveFilm", "print"})
# Terms that say the content, or part of it, was made by a program rather than captured (the panel marks
# them): generative AI, and procedural or synthetic material.
SYNTHETIC_TERMS = AI_FULL_TERMS | AI_PART_TERMS | {"algorithmicMedia", "compositeSynthetic"}

SOURCE_TYPE_MEANING = {
    "trainedAlgorithmicMedia": "made by a trained model (generative AI)",
    "compositeWithTrainedAlgorithmicMedia": "a composite that includes generative-AI material",
    "algorithmicMedia": "made by an algorithm without training data (procedural, not generative AI)",
    "digitalCapture": "captured from real life by a digital camera or recorder",
    "computationalCapture": "several real-life captures merged by signal processing (e.g. HDR)",
    "negativeFilm": "digitised from film negative",
    "positiveFilm": "digitised from film positive",
    "print": "digitised from a print",
    "compositeCapture": "a composite of real-life captures",
    "compositeSynthetic": "a composite that includes synthetic (not necessarily AI) elements",
    "composite": "a composite of several elements",
    "humanEdits": "edited by people with non-generative tools",
    "minorHumanEdits": "minor human edits (retired term)",
    "algorithmicallyEnhanced": "modified by an algorithm without generating new content",
    "digitalArt": "made by people with digital tools",
    "digitalCreation": "made with digital tools (retired term)",
    "softwareImage": "produced by software (retired term)",
    "dataDrivenMedia": "rendered from data (charts, visualisations)",
    "screenCapture": "a recording of a screen",
    "virtualRecording": "a recording of a virtual scene (e.g. a game)",
}


def iptc_term(uri: str) -> str | None:
    """The IPTC term of a digitalSourceType URI (or of a bare term); None when nothing is left."""
    text = uri.strip()
    if not text:
        return None
    return text.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or None
