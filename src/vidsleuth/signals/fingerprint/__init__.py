"""The `fingerprint` signal: see signal.py for what it asks and docs/signals/fingerprint.md for its card."""

from vidsleuth.signals.fingerprint.signal import FingerprintSignal

__all__ = ["FingerprintSignal"]
