"""The `synthesis` signal: how evenly the frames move through an image backbone's embedding space."""

from vidsleuth.signals.synthesis.signal import SynthesisSignal

__all__ = ["SynthesisSignal"]
