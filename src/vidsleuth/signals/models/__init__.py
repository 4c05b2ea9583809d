"""The `models` signal: your own ONNX classifiers, each with its model card, as evidence citing the card."""

from vidsleuth.signals.models.signal import ModelsSignal

__all__ = ["ModelsSignal"]
