"""Pure data types shared by every layer: evidence, signal results, verdicts, reports.

Nothing in `core` does I/O or imports a heavy library, so every other package can depend on it.
"""

from vidsleuth.core.evidence import Evidence, Hypothesis, Span, Stance, Strength
from vidsleuth.core.media import MediaInfo, SourceInfo, StreamInfo
from vidsleuth.core.report import SCHEMA_VERSION, Report
from vidsleuth.core.result import SignalResult, Status, Thumbnail
from vidsleuth.core.settings import Settings
from vidsleuth.core.signal import AnalysisContext, DecodeStats, FrameSample, FrameSignal, Sampling, Signal
from vidsleuth.core.verdict import Confidence, Reason, Verdict, VerdictLabel

__all__ = [
    "SCHEMA_VERSION",
    "AnalysisContext",
    "Confidence",
    "DecodeStats",
    "Evidence",
    "FrameSample",
    "FrameSignal",
    "Hypothesis",
    "MediaInfo",
    "Reason",
    "Report",
    "Sampling",
    "Settings",
    "Signal",
    "SignalResult",
    "SourceInfo",
    "Span",
    "Stance",
    "Status",
    "StreamInfo",
    "Strength",
    "Thumbnail",
    "Verdict",
    "VerdictLabel",
]
