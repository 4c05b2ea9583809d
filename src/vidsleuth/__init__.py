"""vidsleuth: examine a suspicious video and answer, with evidence a person can check, whether it is
AI-generated or manipulated, and where it came from.

    >>> from vidsleuth import analyze
    >>> report = analyze("clip.mp4")
    >>> report.verdict.headline
"""

from vidsleuth._version import __version__
from vidsleuth.core import Evidence, Report, Settings, SignalResult, Verdict, VerdictLabel
from vidsleuth.errors import InputError, VidsleuthError
from vidsleuth.pipeline import ProgressEvent, analyze

__all__ = [
    "Evidence",
    "InputError",
    "ProgressEvent",
    "Report",
    "Settings",
    "SignalResult",
    "Verdict",
    "VerdictLabel",
    "VidsleuthError",
    "__version__",
    "analyze",
]
