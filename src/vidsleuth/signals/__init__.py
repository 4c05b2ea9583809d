"""Built-in signals, one folder each; none imports another.

A signal's folder holds `signal.py` (the Signal class), `options.py` (its typed options), `metrics.py`
(the typed metrics it writes and its panel reads), its helper modules, and `panel.py` + `panel.html.j2`
(its section of the report). docs/architecture.md shows how to add one.
"""

from __future__ import annotations

from vidsleuth.core.signal import Signal


def builtin_signals() -> tuple[type[Signal], ...]:
    """The signals that ship with vidsleuth, in the order their results appear in reports."""
    from vidsleuth.signals.faces import FacesSignal
    from vidsleuth.signals.fingerprint import FingerprintSignal
    from vidsleuth.signals.invisible import InvisibleSignal
    from vidsleuth.signals.metadata import MetadataSignal
    from vidsleuth.signals.models import ModelsSignal
    from vidsleuth.signals.motion import MotionSignal
    from vidsleuth.signals.provenance import ProvenanceSignal
    from vidsleuth.signals.shots import ShotsSignal
    from vidsleuth.signals.synthesis import SynthesisSignal
    from vidsleuth.signals.watermark import WatermarkSignal

    return (
        MetadataSignal,
        ProvenanceSignal,
        ShotsSignal,
        WatermarkSignal,
        InvisibleSignal,
        FingerprintSignal,
        MotionSignal,
        FacesSignal,
        SynthesisSignal,
        ModelsSignal,
    )
