"""The `motion` signal: see signal.py for what it asks and docs/signals/motion.md for its card."""

from vidsleuth.signals.motion.signal import MotionSignal

__all__ = ["MotionSignal"]
