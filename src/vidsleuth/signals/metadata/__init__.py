"""The `metadata` signal: see signal.py for what it asks and docs/signals/metadata.md for its card."""

from vidsleuth.signals.metadata.signal import MetadataSignal

__all__ = ["MetadataSignal"]
