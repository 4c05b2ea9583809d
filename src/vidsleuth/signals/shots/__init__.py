"""The `shots` signal: see signal.py for what it asks and docs/signals/shots.md for its card."""

from vidsleuth.signals.shots.signal import ShotsSignal

__all__ = ["ShotsSignal"]
