"""Built-in signals. Each module is one independent analysis; none imports another."""

from __future__ import annotations

from vidsleuth.core.signal import Signal


def builtin_signals() -> tuple[type[Signal], ...]:
    """The signals that ship with vidsleuth, in the order their results appear in reports."""
    from vidsleuth.signals.fingerprint import FingerprintSignal
    from vidsleuth.signals.metadata import MetadataSignal
    from vidsleuth.signals.motion import MotionSignal
    from vidsleuth.signals.provenance import ProvenanceSignal
    from vidsleuth.signals.shots import ShotsSignal
    from vidsleuth.signals.watermark import WatermarkSignal

    return (MetadataSignal, ProvenanceSignal, ShotsSignal, WatermarkSignal, FingerprintSignal, MotionSignal)
