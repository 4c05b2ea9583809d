"""The `invisible` signal: see signal.py for what it asks and docs/signals/invisible.md for its card."""

from vidsleuth.signals.invisible.signal import InvisibleSignal

__all__ = ["InvisibleSignal"]
