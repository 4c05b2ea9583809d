"""The `watermark` signal: see signal.py for what it asks and docs/signals/watermark.md for its card."""

from vidsleuth.signals.watermark.signal import WatermarkSignal

__all__ = ["WatermarkSignal"]
